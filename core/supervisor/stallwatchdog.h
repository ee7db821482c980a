#pragma once

#include <QObject>
#include <QString>
#include <QTimer>

#include <chrono>
#include <functional>
#include <optional>

namespace gw {

//! The armable stall watchdog of the account lifecycle (docs/lifecycle.md, after OpenClaw's
//! `createArmableStallWatchdog`), as one single-shot `QTimer` member.
//!
//! - arm(at) records `lastActivityAt = at` (default: now) and starts the timer with
//!   `timeout − (now − at)`, clamped at 0;
//! - armIfUnarmed(at) does the same only when not armed (the watchdog defect of the original,
//!   fixed: the clock keeps running from the first arm until a disarm);
//! - touch(at) moves `lastActivityAt` and restarts the timer the same way, only when armed;
//! - disarm() stops it; stop() is terminal and idempotent: arm/touch are no-ops afterwards.
//!
//! timedOut() fires at most once per arm, after the watchdog has disarmed itself, with the idle
//! time measured by the injected clock.
class StallWatchdog final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StallWatchdog)

public:
    using Clock = std::function<qint64()>;

    //! `label` prefixes the timeout log line ("discord:<accountId>:reconnect"). An empty
    //! `clock` means QDateTime::currentMSecsSinceEpoch.
    explicit StallWatchdog(QString label, std::chrono::milliseconds timeout, Clock clock = {},
                           QObject *parent = nullptr);
    ~StallWatchdog() override;

    void arm(std::optional<qint64> at = std::nullopt);
    //! Arms (as arm()) unless already armed; returns true when it armed now.
    bool armIfUnarmed(std::optional<qint64> at = std::nullopt);
    void touch(std::optional<qint64> at = std::nullopt);
    void disarm();
    void stop();

    [[nodiscard]] bool isArmed() const { return m_armed; }
    [[nodiscard]] bool isStopped() const { return m_stopped; }
    //! The timer is running (armed and not yet fired); false after stop().
    [[nodiscard]] bool isTimerActive() const { return m_timer.isActive(); }
    [[nodiscard]] qint64 lastActivityAt() const { return m_lastActivityAt; }
    [[nodiscard]] std::chrono::milliseconds timeout() const { return m_timeout; }
    [[nodiscard]] QString label() const { return m_label; }

Q_SIGNALS:
    //! The watchdog was armed and idle for `timeout`; it is disarmed when this is emitted.
    void timedOut(std::chrono::milliseconds idle, std::chrono::milliseconds timeout);

private:
    void handleTimeout();
    void restartTimer();
    [[nodiscard]] qint64 now() const;

    QString m_label;
    std::chrono::milliseconds m_timeout;
    Clock m_clock;
    QTimer m_timer;
    qint64 m_lastActivityAt = 0;
    bool m_armed = false;
    bool m_stopped = false;
};

} // namespace gw
