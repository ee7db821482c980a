#pragma once

#include "accountrecord.h"
#include "expected.h"

#include <QList>
#include <QObject>
#include <QSettings>
#include <QString>

#include <memory>
#include <optional>

namespace gw {

//! A refused AccountStore change, as a value.
struct AccountStoreError
{
    Q_GADGET
public:
    enum class Kind {
        InvalidRecord,  //!< empty name, or a field that looks like a token (never stored)
        DuplicateId,
        DuplicateName,  //!< names label logs and metrics, so they are unique (case-insensitive)
        NotFound,
        WriteFailed,    //!< QSettings could not write the file
    };
    Q_ENUM(Kind)

    Kind kind = Kind::InvalidRecord;
    QString message;  //!< human sentence
};

//! The account records, persisted in QSettings under the group "accounts":
//! `accounts/order` (ids in display order) and `accounts/<id>/{name,intents,gatewayUrl,apiBase,
//! shardMode,compress,paused,muted,createdAt}`. Never the token: a record whose name or override
//! URLs contain a known token or anything token-shaped is refused (InvalidRecord), so a token
//! pasted into the wrong field cannot end up in clear in the config file. `compress` is written
//! as "none" / "zlib-stream" / "zstd-stream"; the bool older versions wrote still reads
//! (true → zlib-stream, false → none).
//!
//! Every successful change is written through (QSettings::sync()) and announced by exactly one
//! of accountAdded / accountUpdated / accountRemoved, after the file is written.
class AccountStore final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccountStore)

public:
    //! The application's settings (QSettings() with the app's organisation/name).
    explicit AccountStore(QObject *parent = nullptr);
    //! A specific file (tests: a temp file; `--config-dir`).
    AccountStore(const QString &fileName, QSettings::Format format, QObject *parent = nullptr);
    ~AccountStore() override;

    [[nodiscard]] QString fileName() const;

    //! Every record, in insertion order.
    [[nodiscard]] QList<AccountRecord> accounts() const;
    [[nodiscard]] int count() const;
    [[nodiscard]] std::optional<AccountRecord> find(const QString &id) const;
    [[nodiscard]] std::optional<AccountRecord> findByName(const QString &name) const;

    //! What add() (unknown or empty id) or update() (known id) would refuse, without storing.
    [[nodiscard]] std::optional<AccountStoreError> check(const AccountRecord &record) const;

    //! Adds `record`. An empty id gets a new UUID (newId()), an invalid createdAt becomes now
    //! (UTC); the name is trimmed. Returns the stored record.
    Expected<AccountRecord, AccountStoreError> add(AccountRecord record);
    //! Replaces the record with the same id (createdAt is kept from the stored record).
    Expected<AccountRecord, AccountStoreError> update(AccountRecord record);
    //! Removes it; NotFound for unknown ids.
    std::optional<AccountStoreError> remove(const QString &id);
    //! Convenience for the paused flag (pause/resume persist across restarts).
    std::optional<AccountStoreError> setPaused(const QString &id, bool paused);

    //! Re-reads the file (e.g. after another process changed it). Emits nothing.
    void reload();

    //! A fresh account id: a UUID without braces.
    [[nodiscard]] static QString newId();

Q_SIGNALS:
    void accountAdded(const gw::AccountRecord &record);
    void accountUpdated(const gw::AccountRecord &record);
    void accountRemoved(const QString &accountId);

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw

Q_DECLARE_METATYPE(gw::AccountStoreError)
