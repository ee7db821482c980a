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
//! AccountManager's worker saves while the GUI thread may construct it.
class ResumeStateStore final
{
    Q_DISABLE_COPY_MOVE(ResumeStateStore)

public:
    //! `maxAge`: a saved state older than this is not offered (Discord forgets sessions within
    //! minutes). `throttle`: at most one save per key per interval for sequence-only changes.
    explicit ResumeStateStore(QString filePath, std::chrono::milliseconds maxAge = std::chrono::minutes{5},
                              std::chrono::milliseconds throttle = std::chrono::seconds{1});
    ~ResumeStateStore();

    [[nodiscard]] QString filePath() const;
    //! nullopt when absent, invalid or older than maxAge.
    [[nodiscard]] std::optional<ResumeState> load(const QString &key) const;
    //! Writes at once; an invalid state (no session) removes the key.
    void save(const QString &key, const ResumeState &state);
    void remove(const QString &key);

    //! Seeds `client` with the saved state of `key` (if any) and keeps the file current: saved at
    //! once on READY, RESUMED, op 9 and every close, throttled on dispatches (sequence changes).
    //! The connections live as long as the client.
    void attach(GatewayClient *client, const QString &key);

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw
