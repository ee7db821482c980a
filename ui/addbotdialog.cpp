#include "addbotdialog.h"

#include "addbotdialog_p.h"
#include "intentselector.h"
#include "windowfit.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QMessageBox>
#include <QPointer>
#include <QPushButton>
#include <QRadioButton>
#include <QScreen>
#include <QScrollArea>
#include <QScrollBar>
#include <QSettings>
#include <QToolButton>
#include <QVBoxLayout>

namespace gw {

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
    d->buildNameRows(form);
    d->buildTokenRows(form);
    d->buildIntents(layout);
    d->buildAdvanced(layout);
    d->buildSessionPanel(layout);

    d->statusLabel = new QLabel(this);
    d->statusLabel->setObjectName(QStringLiteral("statusLabel"));
    d->statusLabel->setWordWrap(true);
    layout->addWidget(d->statusLabel);
    // Messages come and go without moving the rest: each label stays in place, empty or not.
    // (Room for the usual length; a longer message makes its label grow.)
    const std::pair<QLabel *, int> reserved[] = {{d->nameHint, 1}, {d->tokenHint, 2}, {d->checkResult, 3}, {d->statusLabel, 1}};
    for (const auto &[label, lines] : reserved) {
        label->setMinimumHeight(label->fontMetrics().lineSpacing() * lines + 2);
        label->setAlignment(Qt::AlignLeft | Qt::AlignTop);
    }

    d->buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    d->buttons->setObjectName(QStringLiteral("buttons"));
    layout->addWidget(d->buttons);
    d->connectFields();
    d->updateValidity();
}

void AddBotDialog::Private::buildNameRows(QFormLayout *form)
{
    nameEdit = new QLineEdit(q);
    nameEdit->setObjectName(QStringLiteral("nameEdit"));
    nameEdit->setPlaceholderText(AddBotDialog::tr("e.g. Moderation bot (production)"));
    nameEdit->setToolTip(AddBotDialog::tr("Shown in the account list, the event log, exports and metrics labels."));
    form->addRow(AddBotDialog::tr("&Display name:"), nameEdit);
    nameHint = new QLabel(q);
    nameHint->setObjectName(QStringLiteral("nameHint"));
    nameHint->setWordWrap(true);
    form->addRow(QString(), nameHint);
    muteCheck = new QCheckBox(AddBotDialog::tr("&Mute this bot's notifications (it stays in the table and the log)"), q);
    muteCheck->setObjectName(QStringLiteral("muteCheck"));
    form->addRow(QString(), muteCheck);
}

void AddBotDialog::Private::buildTokenRows(QFormLayout *form)
{
    auto *tokenRow = new QHBoxLayout;
    tokenEdit = new QLineEdit(q);
    tokenEdit->setObjectName(QStringLiteral("tokenEdit"));
    tokenEdit->setEchoMode(QLineEdit::Password);
    tokenEdit->setPlaceholderText(AddBotDialog::tr("Bot token from the Developer Portal"));
    tokenEdit->setInputMethodHints(Qt::ImhHiddenText | Qt::ImhNoPredictiveText | Qt::ImhSensitiveData);
    tokenRow->addWidget(tokenEdit, 1);
    revealButton = new QToolButton(q);
    revealButton->setObjectName(QStringLiteral("revealButton"));
    revealButton->setCheckable(true);
    revealButton->setText(AddBotDialog::tr("Show"));
    revealButton->setToolTip(AddBotDialog::tr("Show or hide the token"));
    tokenRow->addWidget(revealButton);
    checkButton = new QPushButton(AddBotDialog::tr("&Check token"), q);
    checkButton->setObjectName(QStringLiteral("checkButton"));
    checkButton->setToolTip(AddBotDialog::tr("Ask Discord who this token belongs to and how many identifies it has left."));
    tokenRow->addWidget(checkButton);
    // A label next to a layout gets no buddy from QFormLayout (it would show "&Token:"): give it one.
    auto *tokenLabel = new QLabel(AddBotDialog::tr("&Token:"), q);
    tokenLabel->setBuddy(tokenEdit);
    form->addRow(tokenLabel, tokenRow);
    tokenHint = new QLabel(q);
    tokenHint->setObjectName(QStringLiteral("tokenHint"));
    tokenHint->setWordWrap(true);
    form->addRow(QString(), tokenHint);
    checkResult = new QLabel(q);
    checkResult->setObjectName(QStringLiteral("checkResult"));
    checkResult->setWordWrap(true);
    checkResult->setTextFormat(Qt::RichText);
    form->addRow(QString(), checkResult);
}

void AddBotDialog::Private::buildIntents(QVBoxLayout *layout)
{
    auto *intentsBox = new QGroupBox(AddBotDialog::tr("Gateway intents"), q);
    auto *intentsLayout = new QVBoxLayout(intentsBox);
    // On a small screen the intents scroll; the name, the token and the buttons stay in view.
    auto *scroll = intentScroll = new QScrollArea(intentsBox);
    scroll->setObjectName(QStringLiteral("intentScroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    intents = new IntentSelector(scroll);
    intents->setObjectName(QStringLiteral("intentSelector"));
    scroll->setWidget(intents);
    scroll->setMinimumWidth(intents->minimumSizeHint().width() + scroll->verticalScrollBar()->sizeHint().width());
    scroll->setMinimumHeight(std::min(intents->sizeHint().height(), 8 * q->fontMetrics().lineSpacing()));
    intentsLayout->addWidget(scroll);
    layout->addWidget(intentsBox);
}

void AddBotDialog::Private::buildAdvanced(QVBoxLayout *layout)
{
    advancedToggle = new QToolButton(q);
    advancedToggle->setObjectName(QStringLiteral("advancedToggle"));
    advancedToggle->setText(AddBotDialog::tr("Advanced"));
    advancedToggle->setCheckable(true);
    advancedToggle->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    advancedToggle->setArrowType(Qt::RightArrow);
    advancedToggle->setAutoRaise(true);
    layout->addWidget(advancedToggle);
    advancedPanel = new QWidget(q);
    advancedPanel->setObjectName(QStringLiteral("advancedPanel"));
    auto *adv = new QFormLayout(advancedPanel);
    gatewayUrlEdit = new QLineEdit(advancedPanel);
    gatewayUrlEdit->setObjectName(QStringLiteral("gatewayUrlEdit"));
    gatewayUrlEdit->setPlaceholderText(AddBotDialog::tr("from GET /gateway/bot"));
    adv->addRow(AddBotDialog::tr("Gateway &URL:"), gatewayUrlEdit);
    apiBaseEdit = new QLineEdit(advancedPanel);
    apiBaseEdit->setObjectName(QStringLiteral("apiBaseEdit"));
    apiBaseEdit->setPlaceholderText(DiscordRest::defaultApiBase().toString());
    adv->addRow(AddBotDialog::tr("&API base:"), apiBaseEdit);
    compressionCombo = new QComboBox(advancedPanel);
    compressionCombo->setObjectName(QStringLiteral("compressionCombo"));
    compressionCombo->addItem(AddBotDialog::tr("zlib-stream"), QVariant::fromValue(Compression::ZlibStream));
    compressionCombo->addItem(AddBotDialog::tr("zstd-stream"), QVariant::fromValue(Compression::ZstdStream));
    compressionCombo->addItem(AddBotDialog::tr("None (plain JSON)"), QVariant::fromValue(Compression::None));
    compressionCombo->setToolTip(AddBotDialog::tr("Transport compression of the gateway stream"));
    adv->addRow(AddBotDialog::tr("&Compression:"), compressionCombo);
    shardFirstRadio = new QRadioButton(AddBotDialog::tr("Watch shard 0 of the recommended count"), advancedPanel);
    shardFirstRadio->setObjectName(QStringLiteral("shardFirstRadio"));
    shardFirstRadio->setChecked(true);
    shardAllRadio = new QRadioButton(AddBotDialog::tr("Watch every shard (each one supervised and shown)"), advancedPanel);
    shardAllRadio->setObjectName(QStringLiteral("shardAllRadio"));
    adv->addRow(AddBotDialog::tr("Shards:"), shardFirstRadio);
    adv->addRow(QString(), shardAllRadio);
    advancedPanel->setVisible(false);
    layout->addWidget(advancedPanel);
}

void AddBotDialog::Private::buildSessionPanel(QVBoxLayout *layout)
{
    sessionPanel = new QWidget(q);
    sessionPanel->setObjectName(QStringLiteral("sessionPanel"));
    auto *sessionLayout = new QVBoxLayout(sessionPanel);
    sessionLabel = new QLabel(sessionPanel);
    sessionLabel->setObjectName(QStringLiteral("sessionLabel"));
    sessionLabel->setWordWrap(true);
    sessionLabel->setTextFormat(Qt::RichText);
    sessionLayout->addWidget(sessionLabel);
    keepForSessionButton = new QPushButton(AddBotDialog::tr("Keep for this &session only"), sessionPanel);
    keepForSessionButton->setObjectName(QStringLiteral("keepForSessionButton"));
    sessionLayout->addWidget(keepForSessionButton, 0, Qt::AlignLeft);
    sessionPanel->setVisible(false);
    layout->addWidget(sessionPanel);
}

void AddBotDialog::Private::connectFields()
{
    QObject::connect(buttons, &QDialogButtonBox::accepted, q, &AddBotDialog::accept);
    QObject::connect(buttons, &QDialogButtonBox::rejected, q, &AddBotDialog::reject);
    QObject::connect(nameEdit, &QLineEdit::textChanged, q, [this] { updateValidity(); });
    QObject::connect(tokenEdit, &QLineEdit::textChanged, q, [this] { invalidateCheck(); });
    QObject::connect(tokenEdit, &QLineEdit::editingFinished, q, [this] {
        // Show the user what will be stored: no spaces, no "Bot " prefix.
        const QString n = normalisedToken();
        if (n != tokenEdit->text()) {
            QSignalBlocker block(tokenEdit);
            tokenEdit->setText(n);
            updateValidity();
        }
    });
    QObject::connect(revealButton, &QToolButton::toggled, q, [this](bool on) {
        tokenEdit->setEchoMode(on ? QLineEdit::Normal : QLineEdit::Password);
        revealButton->setText(on ? AddBotDialog::tr("Hide") : AddBotDialog::tr("Show"));
    });
    QObject::connect(checkButton, &QPushButton::clicked, q, &AddBotDialog::checkToken);
    QObject::connect(apiBaseEdit, &QLineEdit::textChanged, q, [this] { invalidateCheck(); });
    QObject::connect(gatewayUrlEdit, &QLineEdit::textChanged, q, [this] { updateValidity(); });
    QObject::connect(advancedToggle, &QToolButton::toggled, q, [this](bool on) {
        refitPending = true;
        advancedPanel->setVisible(on);
        advancedToggle->setArrowType(on ? Qt::DownArrow : Qt::RightArrow);
    });
    QObject::connect(keepForSessionButton, &QPushButton::clicked, q, [this] {
        sessionPanel->setVisible(false);
        save(AccountService::TokenStorage::SessionOnly);
    });
}

bool AddBotDialog::event(QEvent *event)
{
    const bool handled = QDialog::event(event);
    // When shown, and when Advanced or the keychain panel opens; the messages have their room
    // already, so they never move the dialog.
    const bool refit = event->type() == QEvent::Show || (event->type() == QEvent::LayoutRequest && d->refitPending);
    if (refit && layout() && layout()->hasHeightForWidth()) {
        d->refitPending = false;
        // never taller than the screen: the intents scroll instead (windowfit.h: frame allowance)
        const QScreen *shown = screen();
        const int room = shown ? shown->availableGeometry().height() - windowfit::k_frameAllowance.height() : QWIDGETSIZE_MAX;
        const int needed = std::min(layout()->heightForWidth(width()), room);
        if (needed > minimumHeight())
            setMinimumHeight(needed);
        if (needed > height())
            resize(width(), needed);
        // then, laid out: room left on the screen goes to the intents rather than a scroll bar
        QMetaObject::invokeMethod(this, [this, room] {
            const int hidden = d->intents->sizeHint().height() - d->intentScroll->viewport()->height();
            if (hidden > 0 && height() < room)
                resize(width(), std::min(room, height() + hidden));
        }, Qt::QueuedConnection);
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
    d->compressionCombo->setCurrentIndex(d->compressionCombo->findData(QVariant::fromValue(record.compression)));
    d->muteCheck->setChecked(record.muted);
    d->shardAllRadio->setChecked(record.shardMode == AccountRecord::ShardMode::AllShards);
    d->shardFirstRadio->setChecked(record.shardMode == AccountRecord::ShardMode::RecommendedFirst);
    const bool advanced = !record.gatewayUrlOverride.isEmpty() || !record.apiBaseOverride.isEmpty()
                          || record.compression != Compression::ZlibStream || record.shardMode == AccountRecord::ShardMode::AllShards;
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

void AddBotDialog::setSettings(QSettings *settings)
{
    d->settings = settings;
    if (!settings || d->mode != Mode::Add)
        return;
    const QString gateway = settings->value(QStringLiteral("addbot/gateway_url")).toString();
    const QString api = settings->value(QStringLiteral("addbot/api_base")).toString();
    d->gatewayUrlEdit->setText(gateway);
    d->apiBaseEdit->setText(api);
    if (!gateway.isEmpty() || !api.isEmpty())
        d->advancedToggle->setChecked(true);
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
    r.compression = d->compressionCombo->currentData().value<Compression>();
    r.muted = d->muteCheck->isChecked();
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
    // Not registered with the redactor here: tokens are registered where they are kept
    // (TokenVault, core/accounts/tokenvault.h), and DiscordRest never puts the token into a
    // message (core/gateway/discordrest.h), whatever its shape.
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
    // "Save unverified" after a check that could not reach the API; "Check and save" otherwise.
    if (newToken && d->checkState != CheckState::Valid && d->checkState != CheckState::Failed) {
        if (d->checkState == CheckState::Rejected)
            return;  // the 401 message is on screen and OK is disabled; the user must change the token
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
