#pragma once

// Internal to core/sim: IDENTIFY and RESUME.

#include <QList>
#include <QtGlobal>
#include <QString>

#include <optional>

class QJsonValue;

namespace gw {
class GatewaySimulator;
}

namespace gw::sim {

class State;
struct Bot;
struct Connection;
struct Session;

//! Answers op 2 IDENTIFY (validation, the identify buckets of max_concurrency, a new session,
//! READY and one GUILD_CREATE per guild of the shard) and op 6 RESUME (replay from the
//! session's buffer, then RESUMED), closing with Discord's codes where Discord does.
class SessionHandler final
{
    Q_DISABLE_COPY_MOVE(SessionHandler)

public:
    SessionHandler(State &state, GatewaySimulator *q) : m_state(state), q(q) {}
    ~SessionHandler() = default;

    void identify(Connection &c, const QJsonValue &d);
    void resume(Connection &c, const QJsonValue &d);

private:
    struct Identity
    {
        Bot *bot = nullptr;
        QString token;
        int shardId = 0;
        int shardCount = 1;
        QList<qint64> guildIds;
    };

    //! The IDENTIFY's claims, checked; nullopt after closing the connection.
    std::optional<Identity> validateIdentify(Connection &c, const QJsonValue &d);
    //! False (after op 9) when the bot identified again too soon in the shard's bucket.
    bool takeIdentifySlot(Connection &c, Bot &bot, int shardId);
    //! True when WithholdReady applies: the connection counts as authenticated, unanswered.
    bool withholdsReady(Connection &c, Bot &bot, const char *what);
    void sendReady(Connection &c, const Bot &bot, Session &session, const QList<qint64> &guildIds);
    //! Flap fault: while it lasts, close the connection `flapDelay` after its READY/RESUMED.
    void armFlap(Connection &c, const Bot &bot);

    State &m_state;
    GatewaySimulator *const q;
};

} // namespace gw::sim
