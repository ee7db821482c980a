#pragma once

// Private to AddBotDialog: not part of the UI library's API.

#include "accountservice.h"
#include "addbotdialog.h"
#include "discordrest.h"

#include <QUrl>

#include <chrono>
#include <optional>

class QCheckBox;
class QComboBox;
class QSettings;
class QDialogButtonBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QRadioButton;
class QScrollArea;
class QToolButton;
class QVBoxLayout;

namespace gw {

class IntentSelector;

//! The state and widgets of one AddBotDialog. The layout is built in addbotdialog.cpp; the
//! behaviour (validation, the Check token round, saving) lives in addbotdialog_p.cpp.
class AddBotDialog::Private
{
public:
    using Mode = AddBotDialog::Mode;
    using CheckState = AddBotDialog::CheckState;

    AddBotDialog *q = nullptr;
    AccountService *service = nullptr;
    Mode mode = Mode::Add;
    AccountRecord original;  // Edit mode
    AccountRecord saved;
    QUrl defaultApiBase = DiscordRest::defaultApiBase();
    QNetworkAccessManager *nam = nullptr;
    std::chrono::milliseconds checkTimeout = std::chrono::seconds(15);
    DiscordRest *rest = nullptr;

    CheckState checkState = CheckState::NotChecked;
    quint64 generation = 0;       // bumped whenever the token / API base changes
    bool acceptAfterCheck = false;
    bool saving = false;
    bool refitPending = false;  // Advanced or the keychain panel opened: grow to fit once
    QSettings *settings = nullptr;  // for the last used Advanced URLs; not owned

    QLineEdit *nameEdit = nullptr;
    QLabel *nameHint = nullptr;
    QCheckBox *muteCheck = nullptr;
    QLineEdit *tokenEdit = nullptr;
    QToolButton *revealButton = nullptr;
    QLabel *tokenHint = nullptr;
    QPushButton *checkButton = nullptr;
    QLabel *checkResult = nullptr;
    IntentSelector *intents = nullptr;
    QScrollArea *intentScroll = nullptr;
    QToolButton *advancedToggle = nullptr;
    QWidget *advancedPanel = nullptr;
    QLineEdit *gatewayUrlEdit = nullptr;
    QLineEdit *apiBaseEdit = nullptr;
    QComboBox *compressionCombo = nullptr;
    QRadioButton *shardFirstRadio = nullptr;
    QRadioButton *shardAllRadio = nullptr;
    QWidget *sessionPanel = nullptr;
    QLabel *sessionLabel = nullptr;
    QPushButton *keepForSessionButton = nullptr;
    QLabel *statusLabel = nullptr;
    QDialogButtonBox *buttons = nullptr;

    // --- layout (addbotdialog.cpp) ------------------------------------------------------------
    void buildNameRows(QFormLayout *form);
    void buildTokenRows(QFormLayout *form);
    void buildIntents(QVBoxLayout *layout);
    void buildAdvanced(QVBoxLayout *layout);
    void buildSessionPanel(QVBoxLayout *layout);
    void connectFields();

    // --- behaviour (addbotdialog_p.cpp) -------------------------------------------------------
    [[nodiscard]] QString normalisedToken() const;
    [[nodiscard]] QUrl effectiveApiBase() const;
    //! What blocks the token (empty in Add mode, too short to be redacted).
    [[nodiscard]] QString tokenProblem() const;
    //! A warning only: the token is not shaped like Discord's while the API base is Discord's.
    [[nodiscard]] QString tokenWarning() const;
    [[nodiscard]] QString urlProblem() const;
    [[nodiscard]] QString nameProblem() const;
    //! The first problem of the input (name, token, URLs); empty when OK may be pressed.
    [[nodiscard]] QString problem() const;
    void updateValidity();
    void updateOkButton();
    //! Advanced URLs of the last bot added (QSettings keys `addbot/gateway_url`, `addbot/api_base`).
    void rememberUrls() const;
    void invalidateCheck();
    void setCheckResult(CheckState state, const QString &html);
    //! Both Check token calls answered (or one of them, `gen` says which round): show the result
    //! and, when OK was pressed before the check, carry on with saving.
    void finishCheck(quint64 gen, const std::optional<Expected<BotUser, RestError>> &user,
                     const std::optional<Expected<GatewayBotInfo, RestError>> &gateway);
    void save(AccountService::TokenStorage storage);

private:
    void continueAcceptAfterCheck(CheckState state);
    void handleSaved(const Expected<AccountRecord, AccountSaveError> &result);
};

} // namespace gw
