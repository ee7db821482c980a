#pragma once

#include "gatewayclient.h"

#include <QString>

#include <chrono>
#include <memory>
#include <optional>

namespace gw {

//! Persists each session's resume state (session id, sequence, resume URL: never the token) so
//! that a restart within the resume window RESUMEs instead of spending an IDENTIFY.
//! An INI file (QSettings) with one group per key ("<account id>/<shard>"). Thread-safe: the
//! AccountManager's worker saves while the GUI thread may construct it. Dispatches (sequence
//! changes) cost a flag test each; they are collected and the whole file is written at most
//! once per throttle interval, whatever the number of accounts.
class ResumeStateStore final
{
    Q_DISABLE_COPY_MOVE(ResumeStateStore)

public:
    //! `maxAge`: a saved state older than this is not offered (Discord forgets sessions within
    //! minutes). `throttle`: at most one save per key per interval for sequence-only changes.
    explicit ResumeStateStore(QString filePath, std::chrono::milliseconds maxAge = std::chrono::minutes{5},
                              std::chrono::milliseconds throttle = std::chrono::seconds{1});
    ~ResumeStateStore();

    //! The key of one shard of an account: "<account id>/<shard>".
    [[nodiscard]] static QString keyFor(const QString &accountId, int shard);

    [[nodiscard]] QString filePath() const;
    //! nullopt when absent, invalid or older than maxAge.
    [[nodiscard]] std::optional<ResumeState> load(const QString &key) const;
    //! Writes at once; an invalid state (no session) removes the key.
    void save(const QString &key, const ResumeState &state);
    void remove(const QString &key);
    //! Every shard's key of `accountId` (pause, remove, an update: the session ended with 1000,
    //! so the next start identifies directly instead of being answered op 9).
    void removeAccount(const QString &accountId);
    //! A client about to be suspended (quit, SIGTERM): its live session is saved with the latest
    //! sequence. A client that is not Ready or Degraded leaves the saved state as it is (a failed
    //! attempt never refreshes it).
    void keep(const QString &key, const GatewayClient &client);

    //! Seeds `client` with the saved state of `key` (if any) and keeps the file current: saved at
    //! once on READY, RESUMED and the close of a socket that was ready, throttled on dispatches
    //! (sequence changes); removed when the session is dropped (op 9 d:false, 4009, …). An
    //! attempt that never got ready (a dead resume host, a refused connect) does not touch it, so
    //! it never extends a session's age or keeps a host that failed. The connections live as long
    //! as the client.
    void attach(GatewayClient *client, const QString &key);

private:
    //! A sequence-only change: written with the others once the throttle interval is over.
    void stage(const QString &key, const ResumeState &state, QObject *context);

    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw
