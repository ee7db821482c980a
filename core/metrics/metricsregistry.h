#pragma once

#include "accountstatus.h"
#include "eventtypes.h"

#include <QByteArray>
#include <QObject>
#include <QString>

#include <functional>
#include <memory>

namespace gw {

//! The Prometheus metrics of Gatewatch (docs/metrics.md), kept in a
//! prometheus-cpp `Registry` and rendered by its `TextSerializer` (exposition format 0.0.4).
//!
//! Fed from two places, both usually AccountManager signals:
//! - updateStatus(AccountStatus): gauges (up, state, latency, identify budget, last READY, last
//!   dispatch), the heartbeat RTT histogram (one observation per new ACK) and the counters kept
//!   by the client (dispatches by kind, events lost), advanced by what they gained;
//! - recordEvent(EventLogEntry): counters (disconnects by close code, reconnects by mode).
//!
//! The `account` label is the account's display name passed through the token redactor
//! (Redactor::global(), core/redactor.h), never a token, never an id. Two accounts with the same display name share series;
//! headless configs refuse duplicate names.
//! Not thread-safe as a whole: call from one thread (the metrics server's).
class MetricsRegistry final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MetricsRegistry)

public:
    explicit MetricsRegistry(QObject *parent = nullptr);
    ~MetricsRegistry() override;

    //! Creates the account's series on first sight; updates every gauge.
    void updateStatus(const AccountStatus &status);
    //! Counts Close (→ disconnects_total), ReconnectScheduled (→ reconnects_total) and Flapping
    //! (→ flapping_episodes_total) events.
    void recordEvent(const EventLogEntry &entry);
    //! The event store's totals since start (StoreHealth): failed commits, rows waiting, rows
    //! dropped past the retry queue's bound.
    void updateStore(qint64 failures, int queuedRows, qint64 droppedRows);
    //! Drops every series of the account (AccountManager removed it).
    void removeAccount(const QString &accountId);

    //! The full text exposition, ending with "\n" (or empty when no metric exists at all).
    [[nodiscard]] QByteArray exposition() const;
    //! "text/plain; version=0.0.4; charset=utf-8"
    [[nodiscard]] static QByteArray contentType();

    //! Bounded `close_code` label value: the number for codes of the close-code table and
    //! 1000/1001/1006, "other" for any other code, "none" when no close frame arrived.
    [[nodiscard]] static QString closeCodeLabel(std::optional<int> code);

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw
