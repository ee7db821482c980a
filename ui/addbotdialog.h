#pragma once

#include "accountrecord.h"

#include <QDialog>
#include <QUrl>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

class QMessageBox;
class QSettings;
class QNetworkAccessManager;

namespace gw {

class AccountService;

//! The **Add bot** / **Edit** dialog.
//!
//! Fields: display name; token (password echo, a Show toggle; whitespace and a pasted "Bot "
//! prefix are stripped; at least 8 characters; a token not shaped like Discord's — three
//! dot-separated base64url parts — only warns, and only while the API base is Discord's:
//! simulators, proxies and self-hosted gateways have their own tokens); intents as grouped
//! checkboxes (IntentSelector, default GUILDS only); an Advanced section (collapsed) with gateway
//! URL and API base overrides, the transport compression (zlib-stream, zstd-stream, none) and which shards to watch.
//!
//! **Check token** calls GET /users/@me and GET /gateway/bot (DiscordRest) against the API base
//! (override, else defaultApiBase()) and shows the bot's name and its identify budget
//! (remaining/total, the reset as a clock, max_concurrency, recommended shards), or a human
//! message for 401, timeouts and network errors.
//!
//! OK says what it does and is enabled only when it does something: the input is valid (name
//! non-empty, not token-like, not a duplicate; a token — or, in Edit mode, empty to keep the
//! stored one; override URLs well-formed), no check is running and the token was not rejected.
//! With a new token not checked yet it reads "Check and save" and runs the check first: a 401
//! keeps the dialog open with the message and OK disabled (a bad token is never saved); after a
//! timeout / network error it reads "Save unverified" and saves without verifying (offline is
//! allowed). The messages keep their room, so the dialog keeps its size while they come and go.
//!
//! With an AccountService, OK saves (token into the vault, record into the store) before the
//! dialog closes; when the keychain cannot take the token, the dialog says so and offers "Keep
//! for this session only". Without a service, OK just closes and record()/token() are the result.
//! After acceptance, hand savedRecord() and token() to AccountManager::add()/update().
class AddBotDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AddBotDialog)

public:
    enum class Mode { Add, Edit };
    Q_ENUM(Mode)
    enum class CheckState {
        NotChecked,
        Checking,
        Valid,     //!< both calls answered; name and budget shown
        Rejected,  //!< 401: Discord does not know this token
        Failed,    //!< timeout, network error, other HTTP status, bad answer
    };
    Q_ENUM(CheckState)

    //! Add mode. `service` may be nullptr (then nothing is stored on OK). Not owned.
    explicit AddBotDialog(AccountService *service, QWidget *parent = nullptr);
    ~AddBotDialog() override;

    //! Switch to Edit mode for `record`: fields filled in, token empty (= keep the stored one).
    void setRecord(const AccountRecord &record);
    [[nodiscard]] Mode mode() const;

    //! The API base used when the Advanced override is empty (default: Discord's).
    void setDefaultApiBase(const QUrl &apiBase);
    //! Where the Advanced URLs of the last bot added are kept (keys `addbot/gateway_url` and
    //! `addbot/api_base`): in Add mode they fill the fields (and open Advanced when set), and a
    //! successful Add stores them. Not owned; nullptr (default) remembers nothing.
    void setSettings(QSettings *settings);
    //! Shared network access manager for Check token (default: a private one).
    void setNetworkAccessManager(QNetworkAccessManager *nam);
    //! Timeout of each Check token request (default 15 s).
    void setCheckTimeout(std::chrono::milliseconds timeout);

    //! The record as the fields describe it (id empty in Add mode until saved).
    [[nodiscard]] AccountRecord record() const;
    //! The record as saved (with its id) once the dialog was accepted.
    [[nodiscard]] AccountRecord savedRecord() const;
    //! The normalised token; std::nullopt in Edit mode when the field is left empty.
    [[nodiscard]] std::optional<QString> token() const;

    [[nodiscard]] bool isInputValid() const;
    //! Why OK is disabled (empty when it is enabled).
    [[nodiscard]] QString validationMessage() const;
    [[nodiscard]] CheckState checkState() const;
    //! The text of the check result / error label.
    [[nodiscard]] QString checkMessage() const;

    //! Trims whitespace (inside too: line breaks from a paste) and one leading "Bot ".
    [[nodiscard]] static QString normaliseToken(const QString &raw);

public Q_SLOTS:
    void checkToken();
    void accept() override;

protected:
    //! Grows the dialog to the height its word-wrapped labels need at the current width (Qt's
    //! top-level minimum size ignores height-for-width, which squeezed the intent groups): when
    //! shown and when a panel opens, not for messages (they keep their room).
    bool event(QEvent *event) override;

Q_SIGNALS:
    //! A Check token round finished (after the result is displayed).
    void checkFinished(gw::AddBotDialog::CheckState state);
    //! Saving through the service failed; `message` is what the dialog now shows.
    void saveFailed(const QString &message);

private:
    class Private;
    std::unique_ptr<Private> d;
};

//! Remove with confirmation: opens a window-modal "Remove “name”?" box (not
//! exec(): nothing nests an event loop) and returns it. On Remove, the service deletes the
//! keychain entry and then the record, and `done(true, warning)` follows; `warning` is empty, or
//! says the keychain entry could not be deleted. On Cancel: `done(false, {})`. The caller then
//! calls AccountManager::remove(record.id).
QMessageBox *confirmAndRemoveAccount(QWidget *parent, AccountService *service, const AccountRecord &record,
                                     std::function<void(bool removed, const QString &warning)> done);

} // namespace gw
