#include "addbotdialog_p.h"

#include "intentselector.h"
#include "logging.h"
#include "redactor.h"

#include <QDialogButtonBox>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QNetworkReply>
#include <QPointer>
#include <QPushButton>
#include <QSettings>

namespace gw {

namespace {

//! Discord's own API (where tokens have Discord's shape), as opposed to a simulator, a proxy or a
//! self-hosted gateway.
bool isDiscordApi(const QUrl &apiBase)
{
    const QString host = apiBase.host().toLower();
    return host == QLatin1String("discord.com") || host.endsWith(QLatin1String(".discord.com"))
           || host == QLatin1String("discordapp.com") || host.endsWith(QLatin1String(".discordapp.com"));
}

QString networkMessage(const RestError &e, const QString &host)
{
    switch (QNetworkReply::NetworkError(e.networkError)) {
    case QNetworkReply::HostNotFoundError:
        return AddBotDialog::tr("<b>Host not found</b> (%1) — check the API base or your connection.").arg(host);
    case QNetworkReply::ConnectionRefusedError:
        return AddBotDialog::tr("<b>Connection refused</b> by %1 — nothing answers there; check the API base.").arg(host);
    case QNetworkReply::SslHandshakeFailedError:
        return AddBotDialog::tr("<b>Secure connection failed</b> to %1 — its certificate was not accepted; check the "
                                "API base (http:// or https://).").arg(host);
    case QNetworkReply::RemoteHostClosedError:
        return AddBotDialog::tr("<b>%1 closed the connection</b> before answering — check the API base.").arg(host);
    default:
        return AddBotDialog::tr("<b>Could not reach</b> %1 — check your connection or the API base.").arg(host);
    }
}

QString restMessage(const RestError &e, const QUrl &apiBase, std::chrono::milliseconds timeout)
{
    const QString host = apiBase.host().toHtmlEscaped();
    switch (e.kind) {
    case RestError::Kind::Unauthorized:
        if (!isDiscordApi(apiBase))
            return AddBotDialog::tr("<b>%1 rejected the token (401).</b> Check the token and the API base.").arg(host);
        return AddBotDialog::tr("<b>Discord rejected the token (401).</b> Check that you copied the <i>bot token</i> "
                  "from the Bot page (not the client secret) and that it has not been reset since.");
    case RestError::Kind::Timeout:
        return AddBotDialog::tr("<b>No answer</b> from %1 within %2 s — check your connection or the API base "
                  "under Advanced.")
            .arg(host)
            .arg(std::chrono::duration_cast<std::chrono::seconds>(timeout).count());
    case RestError::Kind::Network:
        return networkMessage(e, host);
    case RestError::Kind::Http:
        return AddBotDialog::tr("<b>%1 answered HTTP %2</b> — try again later.").arg(host).arg(e.httpStatus);
    case RestError::Kind::RateLimited:
        return AddBotDialog::tr("<b>Rate limited</b> by %1: %2").arg(host, Redactor::global().redact(e.message).toHtmlEscaped());
    case RestError::Kind::BadResponse:
        return AddBotDialog::tr("<b>Unexpected answer</b> from %1 — is the API base right? (%2)")
            .arg(host, Redactor::global().redact(e.message).toHtmlEscaped());
    }
    return Redactor::global().redact(e.message).toHtmlEscaped();
}

QString budgetText(const GatewayBotInfo &info)
{
    const SessionStartLimit &l = info.limit;
    const QDateTime resetAt = l.resetAt().toLocalTime();
    const QLocale locale;
    QString clock = locale.toString(resetAt.time(), QLocale::ShortFormat);
    if (resetAt.date() != QDate::currentDate())
        clock = locale.toString(resetAt.date(), QLocale::ShortFormat) + u' ' + clock;
    const auto mins = std::chrono::duration_cast<std::chrono::minutes>(l.resetAfter).count();
    const QString in = mins >= 60 ? AddBotDialog::tr("%1 h %2 min").arg(mins / 60).arg(mins % 60)
                                  : AddBotDialog::tr("%1 min").arg(mins);
    QString text = AddBotDialog::tr("Identify budget: <b>%1/%2</b> left, resets at %3 (in %4) · "
                      "max_concurrency %5 · recommended shards %6")
                       .arg(l.remaining)
                       .arg(l.total)
                       .arg(clock, in)
                       .arg(l.maxConcurrency)
                       .arg(info.shards);
    if (l.total > 0 && l.remaining * 10 < l.total)
        text += QStringLiteral("<br>")
                + AddBotDialog::tr("<b>Warning:</b> fewer than 10% of today's identifies are left; Discord "
                     "resets the token when they run out.");
    return text;
}

//! Who the token belongs to and its identify budget, for a check that passed.
QString acceptedText(const BotUser &u, const GatewayBotInfo &info)
{
    QString who = u.userName.toHtmlEscaped();
    if (!u.discriminator.isEmpty() && u.discriminator != QLatin1String("0"))
        who += u'#' + u.discriminator.toHtmlEscaped();
    QString html = AddBotDialog::tr("Token accepted: <b>%1</b> (id %2)").arg(who, u.id.toHtmlEscaped());
    if (!u.bot)
        html += QStringLiteral("<br>") + AddBotDialog::tr("<b>Warning:</b> this is not a bot account.");
    return html + QStringLiteral("<br>") + budgetText(info);
}

//! The error that decides a check: a 401 from either call, else the first failure; nullptr
//! when both calls succeeded.
const RestError *checkVerdict(const Expected<BotUser, RestError> &user,
                              const Expected<GatewayBotInfo, RestError> &gateway)
{
    const RestError *error = nullptr;
    if (!user.hasValue())
        error = &user.error();
    else if (!gateway.hasValue())
        error = &gateway.error();
    // A 401 from either call is the verdict that matters.
    if (!user.hasValue() && user.error().kind == RestError::Kind::Unauthorized)
        error = &user.error();
    else if (!gateway.hasValue() && gateway.error().kind == RestError::Kind::Unauthorized)
        error = &gateway.error();
    return error;
}

//! An override field is empty (no override) or a URL with a host and one of the two schemes
//! (plain and TLS).
bool isValidOverride(const QString &text, QLatin1String plain, QLatin1String tls)
{
    const QString trimmed = text.trimmed();
    if (trimmed.isEmpty())
        return true;
    const QUrl u(trimmed);
    return u.isValid() && !u.host().isEmpty() && (u.scheme() == plain || u.scheme() == tls);
}

} // namespace

QString AddBotDialog::Private::normalisedToken() const
{
    return normaliseToken(tokenEdit->text());
}

QUrl AddBotDialog::Private::effectiveApiBase() const
{
    const QString s = apiBaseEdit->text().trimmed();
    return s.isEmpty() ? defaultApiBase : QUrl(s);
}

QString AddBotDialog::Private::tokenProblem() const
{
    const QString t = normalisedToken();
    if (t.isEmpty())
        return mode == Mode::Edit ? QString() : AddBotDialog::tr("Paste the bot's token.");
    // Shorter tokens could not be hidden from logs (Redactor::MinimumKnownTokenLength).
    if (t.size() < Redactor::MinimumKnownTokenLength)
        return AddBotDialog::tr("A token has at least %1 characters.").arg(Redactor::MinimumKnownTokenLength);
    return {};
}

QString AddBotDialog::Private::tokenWarning() const
{
    const QString t = normalisedToken();
    if (t.isEmpty() || Redactor::isTokenShaped(t) || !isDiscordApi(effectiveApiBase()))
        return {};
    return AddBotDialog::tr("This does not look like a Discord bot token (three parts separated by dots, about 70 "
              "characters); the client secret and the public key are something else. Check token tells for sure.");
}

QString AddBotDialog::Private::urlProblem() const
{
    if (!isValidOverride(gatewayUrlEdit->text(), QLatin1String("ws"), QLatin1String("wss")))
        return AddBotDialog::tr("The gateway URL override must be a ws:// or wss:// URL, e.g. wss://gateway.discord.gg.");
    if (!isValidOverride(apiBaseEdit->text(), QLatin1String("http"), QLatin1String("https")))
        return AddBotDialog::tr("The API base override must be an http:// or https:// URL, e.g. https://discord.com/api/v10.");
    return {};
}

QString AddBotDialog::Private::nameProblem() const
{
    const QString n = nameEdit->text().trimmed();
    if (n.isEmpty())
        return AddBotDialog::tr("Give the account a display name; it labels the account in logs and metrics.");
    if (Redactor::looksLikeToken(n) || (Redactor::isTokenShaped(normalisedToken()) && n.contains(normalisedToken())))
        return AddBotDialog::tr("The display name looks like a token. Put the token in the Token field; the "
                  "name is shown in logs and metrics.");
    if (service) {
        if (const auto refused = service->check(q->record()))
            return refused->message;
    }
    return {};
}

QString AddBotDialog::Private::problem() const
{
    QString p = nameProblem();
    if (p.isEmpty())
        p = tokenProblem();
    if (p.isEmpty())
        p = urlProblem();
    return p;
}

void AddBotDialog::Private::updateValidity()
{
    const QString name = nameProblem();
    QString token = tokenProblem();
    if (token.isEmpty())
        token = tokenWarning();
    // Do not nag about empty fields the user has not reached yet.
    nameHint->setText(nameEdit->text().isEmpty() ? QString() : name);
    tokenHint->setText(tokenEdit->text().isEmpty() ? QString() : token);
    const bool tokenOk = tokenProblem().isEmpty() && !normalisedToken().isEmpty();
    checkButton->setEnabled(tokenOk && checkState != CheckState::Checking && urlProblem().isEmpty());
    updateOkButton();
}

void AddBotDialog::Private::updateOkButton()
{
    // The button says what pressing it does, and is disabled when it would do nothing.
    QPushButton *ok = buttons->button(QDialogButtonBox::Ok);
    QString why = problem();
    const bool newToken = !normalisedToken().isEmpty();
    if (why.isEmpty() && newToken && checkState == CheckState::Rejected)
        why = AddBotDialog::tr("The token was rejected: paste the right one.");
    if (why.isEmpty() && checkState == CheckState::Checking)
        why = AddBotDialog::tr("Checking the token…");
    ok->setEnabled(why.isEmpty() && !saving);
    ok->setToolTip(why);
    if (newToken && checkState == CheckState::NotChecked)
        ok->setText(AddBotDialog::tr("Check and &save"));
    else if (newToken && checkState == CheckState::Failed)
        ok->setText(AddBotDialog::tr("Save &unverified"));
    else
        ok->setText(AddBotDialog::tr("&Save"));
}

void AddBotDialog::Private::invalidateCheck()
{
    ++generation;
    acceptAfterCheck = false;
    checkState = CheckState::NotChecked;
    checkResult->clear();
    sessionPanel->setVisible(false);
    statusLabel->clear();
    updateValidity();
}

void AddBotDialog::Private::setCheckResult(CheckState state, const QString &html)
{
    checkState = state;
    checkResult->setText(html);
    updateValidity();
}

void AddBotDialog::Private::finishCheck(quint64 gen, const std::optional<Expected<BotUser, RestError>> &user,
                                        const std::optional<Expected<GatewayBotInfo, RestError>> &gateway)
{
    if (gen != generation || !user || !gateway)
        return;
    CheckState state = CheckState::Valid;
    QString html;
    if (const RestError *error = checkVerdict(*user, *gateway)) {
        state = error->kind == RestError::Kind::Unauthorized ? CheckState::Rejected : CheckState::Failed;
        html = restMessage(*error, effectiveApiBase(), checkTimeout);
        qCInfo(lcUi).nospace() << "token check: " << (state == CheckState::Rejected ? "rejected" : "failed")
                               << " (HTTP " << error->httpStatus << ")";
    } else {
        html = acceptedText(user->value(), gateway->value());
    }
    setCheckResult(state, html);
    Q_EMIT q->checkFinished(state);
    if (!acceptAfterCheck)
        return;
    acceptAfterCheck = false;
    continueAcceptAfterCheck(state);
}

void AddBotDialog::Private::continueAcceptAfterCheck(CheckState state)
{
    switch (state) {
    case CheckState::Valid:
        save(AccountService::TokenStorage::Vault);
        break;
    case CheckState::Failed:
        statusLabel->setText(AddBotDialog::tr("The token could not be verified. “Save unverified” keeps it anyway."));
        break;
    case CheckState::Rejected:
    case CheckState::NotChecked:
    case CheckState::Checking:
        break;
    }
}

void AddBotDialog::Private::rememberUrls() const
{
    if (!settings || mode != Mode::Add)
        return;
    settings->setValue(QStringLiteral("addbot/gateway_url"), gatewayUrlEdit->text().trimmed());
    settings->setValue(QStringLiteral("addbot/api_base"), apiBaseEdit->text().trimmed());
}

void AddBotDialog::Private::save(AccountService::TokenStorage storage)
{
    if (!service) {
        saved = q->record();
        rememberUrls();
        q->QDialog::accept();
        return;
    }
    saving = true;
    updateValidity();
    statusLabel->setText(AddBotDialog::tr("Saving…"));
    QPointer<AddBotDialog> self(q);
    auto done = [self, this](Expected<AccountRecord, AccountSaveError> result) {
        if (self)
            handleSaved(result);
    };
    if (mode == Mode::Add)
        service->addAccount(q->record(), normalisedToken(), storage, q, done);
    else
        service->updateAccount(q->record(), q->token(), storage, q, done);
}

void AddBotDialog::Private::handleSaved(const Expected<AccountRecord, AccountSaveError> &result)
{
    saving = false;
    if (result) {
        saved = result.value();
        statusLabel->clear();
        rememberUrls();
        q->QDialog::accept();
        return;
    }
    const AccountSaveError &e = result.error();
    if (e.canKeepForSession()) {
        sessionLabel->setText(
            AddBotDialog::tr("<b>The token could not be saved in the system keychain.</b> %1<br>You can "
               "keep it in memory for this session only: Gatewatch monitors the bot until it "
               "quits, then asks for the token again. It is never written to disk.")
                .arg(e.message.toHtmlEscaped()));
        refitPending = true;
        sessionPanel->setVisible(true);
        statusLabel->clear();
    } else {
        statusLabel->setText(e.message);
    }
    updateValidity();
    Q_EMIT q->saveFailed(e.message);
}

} // namespace gw
