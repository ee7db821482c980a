#include "addbotdialog.h"

#include "accountservice.h"
#include "discordrest.h"
#include "intents.h"
#include "intentselector.h"
#include "logging.h"
#include "redactor.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QRadioButton>
#include <QToolButton>
#include <QVBoxLayout>

using namespace std::chrono_literals;

namespace gw {

class AddBotDialog::Private
{
public:
    AddBotDialog *q = nullptr;
    AccountService *service = nullptr;
    Mode mode = Mode::Add;
    AccountRecord original;  // Edit mode
    AccountRecord saved;
    QUrl defaultApiBase = DiscordRest::defaultApiBase();
    QNetworkAccessManager *nam = nullptr;
    std::chrono::milliseconds checkTimeout = 15s;
    DiscordRest *rest = nullptr;

    CheckState checkState = CheckState::NotChecked;
    quint64 generation = 0;       // bumped whenever the token / API base changes
    bool acceptAfterCheck = false;
    bool allowUnverified = false;  // a check failed for a non-401 reason; next OK saves anyway
    bool saving = false;

    QLineEdit *nameEdit = nullptr;
    QLabel *nameHint = nullptr;
    QLineEdit *tokenEdit = nullptr;
    QToolButton *revealButton = nullptr;
    QLabel *tokenHint = nullptr;
    QPushButton *checkButton = nullptr;
    QLabel *checkResult = nullptr;
    IntentSelector *intents = nullptr;
    QToolButton *advancedToggle = nullptr;
    QWidget *advancedPanel = nullptr;
    QLineEdit *gatewayUrlEdit = nullptr;
    QLineEdit *apiBaseEdit = nullptr;
    QCheckBox *compressCheck = nullptr;
    QRadioButton *shardFirstRadio = nullptr;
    QRadioButton *shardAllRadio = nullptr;
    QWidget *sessionPanel = nullptr;
    QLabel *sessionLabel = nullptr;
    QPushButton *keepForSessionButton = nullptr;
    QLabel *statusLabel = nullptr;
    QDialogButtonBox *buttons = nullptr;

    QString normalisedToken() const { return normaliseToken(tokenEdit->text()); }

    QUrl effectiveApiBase() const
    {
        const QString s = apiBaseEdit->text().trimmed();
        return s.isEmpty() ? defaultApiBase : QUrl(s);
    }

    QString tokenProblem() const
    {
        const QString t = normalisedToken();
        if (t.isEmpty())
            return mode == Mode::Edit ? QString() : AddBotDialog::tr("Paste the bot's token.");
        if (!Redactor::isTokenShaped(t))
            return AddBotDialog::tr("This does not look like a bot token: a token is three parts separated by dots "
                      "(letters, digits, - and _), about 70 characters in all. Copy it from the Bot "
                      "page of the Developer Portal; the client secret and the public key are "
                      "something else.");
        return {};
    }

    QString urlProblem() const
    {
        const QString g = gatewayUrlEdit->text().trimmed();
        if (!g.isEmpty()) {
            const QUrl u(g);
            if (!u.isValid() || u.host().isEmpty()
                || (u.scheme() != QLatin1String("ws") && u.scheme() != QLatin1String("wss")))
                return AddBotDialog::tr("The gateway URL override must be a ws:// or wss:// URL, e.g. wss://gateway.discord.gg.");
        }
        const QString a = apiBaseEdit->text().trimmed();
        if (!a.isEmpty()) {
            const QUrl u(a);
            if (!u.isValid() || u.host().isEmpty()
                || (u.scheme() != QLatin1String("http") && u.scheme() != QLatin1String("https")))
                return AddBotDialog::tr("The API base override must be an http:// or https:// URL, e.g. https://discord.com/api/v10.");
        }
        return {};
    }

    QString nameProblem() const
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

    QString problem() const
    {
        QString p = nameProblem();
        if (p.isEmpty())
            p = tokenProblem();
        if (p.isEmpty())
            p = urlProblem();
        return p;
    }

    void updateValidity()
    {
        const QString name = nameProblem();
        const QString token = tokenProblem();
        // Do not nag about empty fields the user has not reached yet.
        nameHint->setText(nameEdit->text().isEmpty() ? QString() : name);
        nameHint->setVisible(!nameHint->text().isEmpty());
        tokenHint->setText(tokenEdit->text().isEmpty() ? QString() : token);
        tokenHint->setVisible(!tokenHint->text().isEmpty());
        const bool tokenOk = token.isEmpty() && !normalisedToken().isEmpty();
        checkButton->setEnabled(tokenOk && checkState != CheckState::Checking && urlProblem().isEmpty());
        const QString p = problem();
        buttons->button(QDialogButtonBox::Ok)->setEnabled(p.isEmpty() && !saving);
        buttons->button(QDialogButtonBox::Ok)->setToolTip(p);
    }

    void invalidateCheck()
    {
        ++generation;
        acceptAfterCheck = false;
        allowUnverified = false;
        checkState = CheckState::NotChecked;
        checkResult->clear();
        checkResult->setVisible(false);
        sessionPanel->setVisible(false);
        statusLabel->clear();
        updateValidity();
    }

    void setCheckResult(CheckState state, const QString &html)
    {
        checkState = state;
        checkResult->setText(html);
        checkResult->setVisible(!html.isEmpty());
        updateValidity();
    }

    static QString restMessage(const RestError &e, const QUrl &apiBase, std::chrono::milliseconds timeout)
    {
        const QString host = apiBase.host().toHtmlEscaped();
        switch (e.kind) {
        case RestError::Kind::Unauthorized:
            return AddBotDialog::tr("<b>Discord rejected this token</b> (401 Unauthorized). Check that you copied "
                      "the <i>bot token</i> from the Bot page (not the client secret) and that it "
                      "has not been reset since.");
        case RestError::Kind::Timeout:
            return AddBotDialog::tr("<b>No answer</b> from %1 within %2 s. Check your connection, or the API base "
                      "under Advanced.")
                .arg(host)
                .arg(std::chrono::duration_cast<std::chrono::seconds>(timeout).count());
        case RestError::Kind::Network:
            return AddBotDialog::tr("<b>Could not reach</b> %1: %2").arg(host, Redactor::global().redact(e.message).toHtmlEscaped());
        case RestError::Kind::Http:
            return AddBotDialog::tr("<b>Discord answered HTTP %1</b> from %2; try again later.").arg(e.httpStatus).arg(host);
        case RestError::Kind::BadResponse:
            return AddBotDialog::tr("<b>Unexpected answer</b> from %1: %2").arg(host, Redactor::global().redact(e.message).toHtmlEscaped());
        }
        return Redactor::global().redact(e.message).toHtmlEscaped();
    }

    static QString budgetText(const GatewayBotInfo &info)
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

    void finishCheck(quint64 gen, const std::optional<Expected<BotUser, RestError>> &user,
                     const std::optional<Expected<GatewayBotInfo, RestError>> &gateway)
    {
        if (gen != generation || !user || !gateway)
            return;
        const QUrl base = effectiveApiBase();
        CheckState state = CheckState::Valid;
        QString html;
        const RestError *error = nullptr;
        if (!user->hasValue())
            error = &user->error();
        else if (!gateway->hasValue())
            error = &gateway->error();
        // A 401 from either call is the verdict that matters.
        if (!user->hasValue() && user->error().kind == RestError::Kind::Unauthorized)
            error = &user->error();
        else if (!gateway->hasValue() && gateway->error().kind == RestError::Kind::Unauthorized)
            error = &gateway->error();
        if (error) {
            state = error->kind == RestError::Kind::Unauthorized ? CheckState::Rejected : CheckState::Failed;
            html = restMessage(*error, base, checkTimeout);
            qCInfo(lcUi).nospace() << "token check: " << (state == CheckState::Rejected ? "rejected" : "failed")
                                   << " (HTTP " << error->httpStatus << ")";
        } else {
            const BotUser &u = user->value();
            QString who = u.userName.toHtmlEscaped();
            if (!u.discriminator.isEmpty() && u.discriminator != QLatin1String("0"))
                who += u'#' + u.discriminator.toHtmlEscaped();
            html = AddBotDialog::tr("Token accepted: <b>%1</b> (id %2)").arg(who, u.id.toHtmlEscaped());
            if (!u.bot)
                html += QStringLiteral("<br>") + AddBotDialog::tr("<b>Warning:</b> this is not a bot account.");
            html += QStringLiteral("<br>") + budgetText(gateway->value());
        }
        setCheckResult(state, html);
        Q_EMIT q->checkFinished(state);

        if (!acceptAfterCheck)
            return;
        acceptAfterCheck = false;
        switch (state) {
        case CheckState::Valid:
            save(AccountService::TokenStorage::Vault);
            break;
        case CheckState::Failed:
            allowUnverified = true;
            statusLabel->setText(AddBotDialog::tr("The token could not be verified. Press OK again to save it anyway."));
            break;
        case CheckState::Rejected:
        case CheckState::NotChecked:
        case CheckState::Checking:
            break;
        }
    }

    void save(AccountService::TokenStorage storage)
    {
        if (!service) {
            saved = q->record();
            q->QDialog::accept();
            return;
        }
        saving = true;
        updateValidity();
        statusLabel->setText(AddBotDialog::tr("Saving…"));
        QPointer<AddBotDialog> self(q);
        auto done = [self, this](Expected<AccountRecord, AccountSaveError> result) {
            if (!self)
                return;
            saving = false;
            if (result) {
                saved = result.value();
                statusLabel->clear();
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
                sessionPanel->setVisible(true);
                statusLabel->clear();
            } else {
                statusLabel->setText(e.message);
            }
            updateValidity();
            Q_EMIT q->saveFailed(e.message);
        };
        if (mode == Mode::Add)
            service->addAccount(q->record(), normalisedToken(), storage, q, done);
        else
            service->updateAccount(q->record(), q->token(), storage, q, done);
    }
};

AddBotDialog::AddBotDialog(AccountService *service, QWidget *parent)
    : QDialog(parent), d(std::make_unique<Private>())
{
    d->q = this;
    d->service = service;
    setWindowTitle(tr("Add bot"));
    setObjectName(QStringLiteral("AddBotDialog"));

    auto *layout = new QVBoxLayout(this);
    // The check result and hints appear after the dialog is shown: let it grow for them rather
    // than squeeze the intent groups.
    layout->setSizeConstraint(QLayout::SetMinimumSize);
    auto *form = new QFormLayout;
    layout->addLayout(form);

    d->nameEdit = new QLineEdit(this);
    d->nameEdit->setObjectName(QStringLiteral("nameEdit"));
    d->nameEdit->setPlaceholderText(tr("e.g. Moderation bot (production)"));
    d->nameEdit->setToolTip(tr("Shown in the account list, the event log, exports and metrics labels."));
    form->addRow(tr("&Display name:"), d->nameEdit);
    d->nameHint = new QLabel(this);
    d->nameHint->setObjectName(QStringLiteral("nameHint"));
    d->nameHint->setWordWrap(true);
    d->nameHint->setVisible(false);
    form->addRow(QString(), d->nameHint);

    auto *tokenRow = new QHBoxLayout;
    d->tokenEdit = new QLineEdit(this);
    d->tokenEdit->setObjectName(QStringLiteral("tokenEdit"));
    d->tokenEdit->setEchoMode(QLineEdit::Password);
    d->tokenEdit->setPlaceholderText(tr("Bot token from the Developer Portal"));
    d->tokenEdit->setInputMethodHints(Qt::ImhHiddenText | Qt::ImhNoPredictiveText | Qt::ImhSensitiveData);
    tokenRow->addWidget(d->tokenEdit, 1);
    d->revealButton = new QToolButton(this);
    d->revealButton->setObjectName(QStringLiteral("revealButton"));
    d->revealButton->setCheckable(true);
    d->revealButton->setText(tr("Show"));
    d->revealButton->setToolTip(tr("Show or hide the token"));
    tokenRow->addWidget(d->revealButton);
    d->checkButton = new QPushButton(tr("&Check token"), this);
    d->checkButton->setObjectName(QStringLiteral("checkButton"));
    d->checkButton->setToolTip(tr("Ask Discord who this token belongs to and how many identifies it has left."));
    tokenRow->addWidget(d->checkButton);
    // A label next to a layout gets no buddy from QFormLayout (it would show "&Token:"): give it one.
    auto *tokenLabel = new QLabel(tr("&Token:"), this);
    tokenLabel->setBuddy(d->tokenEdit);
    form->addRow(tokenLabel, tokenRow);
    d->tokenHint = new QLabel(this);
    d->tokenHint->setObjectName(QStringLiteral("tokenHint"));
    d->tokenHint->setWordWrap(true);
    d->tokenHint->setVisible(false);
    form->addRow(QString(), d->tokenHint);
    d->checkResult = new QLabel(this);
    d->checkResult->setObjectName(QStringLiteral("checkResult"));
    d->checkResult->setWordWrap(true);
    d->checkResult->setTextFormat(Qt::RichText);
    d->checkResult->setVisible(false);
    form->addRow(QString(), d->checkResult);

    auto *intentsBox = new QGroupBox(tr("Gateway intents"), this);
    auto *intentsLayout = new QVBoxLayout(intentsBox);
    d->intents = new IntentSelector(intentsBox);
    d->intents->setObjectName(QStringLiteral("intentSelector"));
    intentsLayout->addWidget(d->intents);
    layout->addWidget(intentsBox);

    d->advancedToggle = new QToolButton(this);
    d->advancedToggle->setObjectName(QStringLiteral("advancedToggle"));
    d->advancedToggle->setText(tr("Advanced"));
    d->advancedToggle->setCheckable(true);
    d->advancedToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    d->advancedToggle->setArrowType(Qt::RightArrow);
    d->advancedToggle->setAutoRaise(true);
    layout->addWidget(d->advancedToggle);
    d->advancedPanel = new QWidget(this);
    d->advancedPanel->setObjectName(QStringLiteral("advancedPanel"));
    auto *adv = new QFormLayout(d->advancedPanel);
    d->gatewayUrlEdit = new QLineEdit(d->advancedPanel);
    d->gatewayUrlEdit->setObjectName(QStringLiteral("gatewayUrlEdit"));
    d->gatewayUrlEdit->setPlaceholderText(tr("from GET /gateway/bot"));
    adv->addRow(tr("Gateway &URL:"), d->gatewayUrlEdit);
    d->apiBaseEdit = new QLineEdit(d->advancedPanel);
    d->apiBaseEdit->setObjectName(QStringLiteral("apiBaseEdit"));
    d->apiBaseEdit->setPlaceholderText(DiscordRest::defaultApiBase().toString());
    adv->addRow(tr("&API base:"), d->apiBaseEdit);
    d->compressCheck = new QCheckBox(tr("Compress the gateway stream (zlib-stream)"), d->advancedPanel);
    d->compressCheck->setObjectName(QStringLiteral("compressCheck"));
    d->compressCheck->setChecked(true);
    adv->addRow(QString(), d->compressCheck);
    d->shardFirstRadio = new QRadioButton(tr("Watch shard 0 of the recommended count"), d->advancedPanel);
    d->shardFirstRadio->setObjectName(QStringLiteral("shardFirstRadio"));
    d->shardFirstRadio->setChecked(true);
    d->shardAllRadio = new QRadioButton(tr("Watch every shard (each one supervised and shown)"), d->advancedPanel);
    d->shardAllRadio->setObjectName(QStringLiteral("shardAllRadio"));
    adv->addRow(tr("Shards:"), d->shardFirstRadio);
    adv->addRow(QString(), d->shardAllRadio);
    d->advancedPanel->setVisible(false);
    layout->addWidget(d->advancedPanel);

    d->sessionPanel = new QWidget(this);
    d->sessionPanel->setObjectName(QStringLiteral("sessionPanel"));
    auto *sessionLayout = new QVBoxLayout(d->sessionPanel);
    d->sessionLabel = new QLabel(d->sessionPanel);
    d->sessionLabel->setObjectName(QStringLiteral("sessionLabel"));
    d->sessionLabel->setWordWrap(true);
    d->sessionLabel->setTextFormat(Qt::RichText);
    sessionLayout->addWidget(d->sessionLabel);
    d->keepForSessionButton = new QPushButton(tr("Keep for this &session only"), d->sessionPanel);
    d->keepForSessionButton->setObjectName(QStringLiteral("keepForSessionButton"));
    sessionLayout->addWidget(d->keepForSessionButton, 0, Qt::AlignLeft);
    d->sessionPanel->setVisible(false);
    layout->addWidget(d->sessionPanel);

    d->statusLabel = new QLabel(this);
    d->statusLabel->setObjectName(QStringLiteral("statusLabel"));
    d->statusLabel->setWordWrap(true);
    layout->addWidget(d->statusLabel);

    d->buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    d->buttons->setObjectName(QStringLiteral("buttons"));
    layout->addWidget(d->buttons);

    connect(d->buttons, &QDialogButtonBox::accepted, this, &AddBotDialog::accept);
    connect(d->buttons, &QDialogButtonBox::rejected, this, &AddBotDialog::reject);
    connect(d->nameEdit, &QLineEdit::textChanged, this, [this] { d->updateValidity(); });
    connect(d->tokenEdit, &QLineEdit::textChanged, this, [this] { d->invalidateCheck(); });
    connect(d->tokenEdit, &QLineEdit::editingFinished, this, [this] {
        // Show the user what will be stored: no spaces, no "Bot " prefix.
        const QString n = d->normalisedToken();
        if (n != d->tokenEdit->text()) {
            QSignalBlocker block(d->tokenEdit);
            d->tokenEdit->setText(n);
            d->updateValidity();
        }
    });
    connect(d->revealButton, &QToolButton::toggled, this, [this](bool on) {
        d->tokenEdit->setEchoMode(on ? QLineEdit::Normal : QLineEdit::Password);
        d->revealButton->setText(on ? tr("Hide") : tr("Show"));
    });
    connect(d->checkButton, &QPushButton::clicked, this, &AddBotDialog::checkToken);
    connect(d->apiBaseEdit, &QLineEdit::textChanged, this, [this] { d->invalidateCheck(); });
    connect(d->gatewayUrlEdit, &QLineEdit::textChanged, this, [this] { d->updateValidity(); });
    connect(d->advancedToggle, &QToolButton::toggled, this, [this](bool on) {
        d->advancedPanel->setVisible(on);
        d->advancedToggle->setArrowType(on ? Qt::DownArrow : Qt::RightArrow);
    });
    connect(d->keepForSessionButton, &QPushButton::clicked, this, [this] {
        d->sessionPanel->setVisible(false);
        d->save(AccountService::TokenStorage::SessionOnly);
    });

    d->updateValidity();
}

bool AddBotDialog::event(QEvent *event)
{
    const bool handled = QDialog::event(event);
    if (event->type() == QEvent::LayoutRequest && layout() && layout()->hasHeightForWidth()) {
        const int needed = layout()->heightForWidth(width());
        if (needed > minimumHeight())
            setMinimumHeight(needed);
        if (needed > height())
            resize(width(), needed);
    }
    return handled;
}

AddBotDialog::~AddBotDialog() = default;

void AddBotDialog::setRecord(const AccountRecord &record)
{
    d->mode = Mode::Edit;
    d->original = record;
    setWindowTitle(tr("Edit bot"));
    d->nameEdit->setText(record.name);
    d->tokenEdit->clear();
    d->tokenEdit->setPlaceholderText(tr("Leave empty to keep the stored token"));
    d->intents->setValue(record.intents);
    d->gatewayUrlEdit->setText(record.gatewayUrlOverride.toString());
    d->apiBaseEdit->setText(record.apiBaseOverride.toString());
    d->compressCheck->setChecked(record.compress);
    d->shardAllRadio->setChecked(record.shardMode == AccountRecord::ShardMode::AllShards);
    d->shardFirstRadio->setChecked(record.shardMode == AccountRecord::ShardMode::RecommendedFirst);
    const bool advanced = !record.gatewayUrlOverride.isEmpty() || !record.apiBaseOverride.isEmpty()
                          || !record.compress || record.shardMode == AccountRecord::ShardMode::AllShards;
    d->advancedToggle->setChecked(advanced);
    d->invalidateCheck();
}

AddBotDialog::Mode AddBotDialog::mode() const
{
    return d->mode;
}

void AddBotDialog::setDefaultApiBase(const QUrl &apiBase)
{
    d->defaultApiBase = apiBase;
    d->apiBaseEdit->setPlaceholderText(apiBase.toString());
    d->invalidateCheck();
}

void AddBotDialog::setNetworkAccessManager(QNetworkAccessManager *nam)
{
    d->nam = nam;
    delete d->rest;
    d->rest = nullptr;
}

void AddBotDialog::setCheckTimeout(std::chrono::milliseconds timeout)
{
    d->checkTimeout = timeout;
    if (d->rest)
        d->rest->setTimeout(timeout);
}

AccountRecord AddBotDialog::record() const
{
    AccountRecord r = d->mode == Mode::Edit ? d->original : AccountRecord{};
    r.name = d->nameEdit->text().trimmed();
    r.intents = d->intents->value();
    const QString g = d->gatewayUrlEdit->text().trimmed();
    const QString a = d->apiBaseEdit->text().trimmed();
    r.gatewayUrlOverride = g.isEmpty() ? QUrl() : QUrl(g);
    r.apiBaseOverride = a.isEmpty() ? QUrl() : QUrl(a);
    r.compress = d->compressCheck->isChecked();
    r.shardMode = d->shardAllRadio->isChecked() ? AccountRecord::ShardMode::AllShards
                                                : AccountRecord::ShardMode::RecommendedFirst;
    return r;
}

AccountRecord AddBotDialog::savedRecord() const
{
    return d->saved;
}

std::optional<QString> AddBotDialog::token() const
{
    const QString t = d->normalisedToken();
    if (t.isEmpty() && d->mode == Mode::Edit)
        return std::nullopt;
    return t;
}

bool AddBotDialog::isInputValid() const
{
    return d->problem().isEmpty();
}

QString AddBotDialog::validationMessage() const
{
    return d->problem();
}

AddBotDialog::CheckState AddBotDialog::checkState() const
{
    return d->checkState;
}

QString AddBotDialog::checkMessage() const
{
    return d->checkResult->text();
}

QString AddBotDialog::normaliseToken(const QString &raw)
{
    return AccountService::normaliseToken(raw);
}

void AddBotDialog::checkToken()
{
    const QString token = d->normalisedToken();
    if (!d->tokenProblem().isEmpty() || token.isEmpty() || !d->urlProblem().isEmpty())
        return;
    Redactor::global().addToken(token);
    if (!d->rest)
        d->rest = new DiscordRest(d->defaultApiBase, d->nam, this);
    d->rest->setTimeout(d->checkTimeout);
    d->rest->setApiBase(d->effectiveApiBase());
    const quint64 gen = ++d->generation;
    d->setCheckResult(CheckState::Checking, tr("Checking…"));

    struct Results
    {
        std::optional<Expected<BotUser, RestError>> user;
        std::optional<Expected<GatewayBotInfo, RestError>> gateway;
    };
    auto results = std::make_shared<Results>();
    d->rest->fetchCurrentUser(token, this, [this, gen, results](Expected<BotUser, RestError> r) {
        results->user = std::move(r);
        d->finishCheck(gen, results->user, results->gateway);
    });
    d->rest->fetchGatewayBot(token, this, [this, gen, results](Expected<GatewayBotInfo, RestError> r) {
        results->gateway = std::move(r);
        d->finishCheck(gen, results->user, results->gateway);
    });
}

void AddBotDialog::accept()
{
    if (d->saving || !isInputValid())
        return;
    d->statusLabel->clear();
    const bool newToken = !d->normalisedToken().isEmpty();
    if (newToken && d->checkState != CheckState::Valid && !d->allowUnverified) {
        if (d->checkState == CheckState::Rejected)
            return;  // the 401 message is on screen; the user must change the token
        d->acceptAfterCheck = true;
        if (d->checkState != CheckState::Checking)
            checkToken();
        return;
    }
    d->save(AccountService::TokenStorage::Vault);
}

QMessageBox *confirmAndRemoveAccount(QWidget *parent, AccountService *service, const AccountRecord &record,
                                     std::function<void(bool removed, const QString &warning)> done)
{
    auto *box = new QMessageBox(QMessageBox::Question, AddBotDialog::tr("Remove bot"),
                                AddBotDialog::tr("Remove “%1”?").arg(record.name),
                                QMessageBox::Yes | QMessageBox::Cancel, parent);
    box->setObjectName(QStringLiteral("confirmRemoveBox"));
    box->setInformativeText(AddBotDialog::tr(
        "Gatewatch stops monitoring this bot, forgets its settings and deletes its token from the "
        "system keychain. The bot itself and its token at Discord are not affected."));
    box->setDefaultButton(QMessageBox::Cancel);
    box->button(QMessageBox::Yes)->setText(AddBotDialog::tr("&Remove"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPointer<AccountService> svc(service);
    const QString id = record.id;
    QObject::connect(box, &QMessageBox::finished, box, [svc, id, done](int result) {
        if (result != QMessageBox::Yes || !svc) {
            done(false, QString());
            return;
        }
        // `box` is about to be deleted; the callback's context is the service.
        svc->removeAccount(id, svc, [done](std::optional<VaultError> e) {
            done(true, e ? AddBotDialog::tr("The account was removed, but its token could not be "
                                            "deleted from the system keychain: %1").arg(e->message)
                         : QString());
        });
    });
    box->open();
    return box;
}

} // namespace gw
