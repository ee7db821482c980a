#pragma once

#include "gatewaysimulator.h"
#include "gatewaytimings.h"

#include <QList>
#include <QObject>
#include <QString>
#include <QUrl>

#include <chrono>
#include <memory>

namespace gw {

//! `gatewatch --demo`: an embedded GatewaySimulator with five demo bots whose
//! faults are played on a timeline, so every feature shows within a minute:
//!
//! | bot                | what happens (offset in each 30 s cycle, at timeScale 1)           |
//! |--------------------|---------------------------------------------------------------------|
//! | `demo-healthy`     | nothing: READY, heartbeats every 5 s                                |
//! | `demo-reconnect`   | op 7 at 8 s → the client RESUMEs                                    |
//! | `demo-zombie`      | the simulator stops ACKing at 14 s → zombie detected, RESUME        |
//! | `demo-invalidated` | op 9 d:false at 20 s → a fresh IDENTIFY                             |
//! | `demo-intents`     | asks for GUILD_MEMBERS, not allowed → 4014 at once, `failed` with   |
//! |                    | the Developer Portal guidance (stays failed)                        |
//!
//! The cycle repeats while the scenario runs. `timeScale` compresses everything (tests use
//! 0.1): the timeline, the simulator's heartbeat interval and timings().
class DemoScenario final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoScenario)

public:
    enum class Role { Healthy, Reconnect, Zombie, Invalidated, DisallowedIntent };
    Q_ENUM(Role)

    struct Options
    {
        double timeScale = 1.0;                                  //!< < 1 compresses the demo
        std::chrono::milliseconds heartbeatInterval{5000};       //!< before scaling
        std::chrono::milliseconds cycle{30000};                  //!< before scaling
        bool repeat = true;                                      //!< play the faults every cycle
    };

    //! One demo account: what an AccountRecord needs (id, name, intents, and, once started, the
    //! simulator's URLs as overrides) and its token. gatewatch_sim does not link the accounts
    //! library, so the caller builds the record: `r.id = bot.id; r.name = bot.name;
    //! r.intents = bot.intents; r.gatewayUrlOverride = bot.gatewayUrl; r.apiBaseOverride =
    //! bot.apiBase;` then `manager.add(r, bot.token)`.
    //! The tokens are fake, known only to the embedded simulator.
    struct Bot
    {
        Role role = Role::Healthy;
        QString id;                  //!< a fresh UUID per scenario (without braces)
        QString name;                //!< display name = the simulator's policy name
        quint32 intents = 1;
        QUrl gatewayUrl;             //!< set by start()
        QUrl apiBase;                //!< set by start()
        QString token;
    };

    explicit DemoScenario(QObject *parent = nullptr);
    explicit DemoScenario(Options options, QObject *parent = nullptr);
    ~DemoScenario() override;

    //! Starts the simulator (loopback, free ports) and the timeline. False with errorString().
    bool start();
    void stop();
    [[nodiscard]] QString errorString() const;
    [[nodiscard]] bool isRunning() const;

    [[nodiscard]] GatewaySimulator *simulator() const;
    //! The five bots, in the order of the table above, with the simulator's URLs after start().
    [[nodiscard]] QList<Bot> bots() const;
    //! Timings suited to the demo at this time scale (defaults at 1; GatewayTimings::fast()
    //! style below 0.2, so the zombie is detected within a heartbeat or two either way).
    [[nodiscard]] GatewayTimings timings() const;
    //! Scaled duration (at least 1 ms).
    [[nodiscard]] std::chrono::milliseconds scaled(std::chrono::milliseconds d) const;
    //! Completed fault cycles so far.
    [[nodiscard]] int cycles() const;

Q_SIGNALS:
    //! A scripted fault was injected (botName is the simulator policy name = the display name).
    void faultPlayed(const QString &botName, gw::SimFault::Kind kind);

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw
