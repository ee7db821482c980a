#include "eventrecorder.h"

#include "accountmanager.h"
#include "accountstatus.h"
#include "eventlog.h"
#include "logging.h"

#include <QThread>

namespace gw {

EventRecorder::EventRecorder(AccountManager *manager, EventLog *log, QObject *parent)
    : QObject(parent)
    , m_manager(manager)
    , m_log(log)
{
    connect(m_manager, &AccountManager::eventLogged, this, &EventRecorder::record);
    connect(m_manager, &AccountManager::statusChanged, this, &EventRecorder::handleStatus);
}

EventRecorder::~EventRecorder() = default;

void EventRecorder::record(const EventLogEntry &entry)
{
    EventLog *log = m_log;
    QMetaObject::invokeMethod(log, [log, entry] { log->append(entry); });
}

void EventRecorder::handleStatus(const AccountStatus &status)
{
    // Snapshots are coalesced (≤ 10/s per account) while ACKs come once per heartbeat interval,
    // so a new ACK count means one new round trip to sample.
    const quint64 seen = m_acksSeen.value(status.accountId);
    m_acksSeen.insert(status.accountId, status.stats.acksReceived);
    if (!status.stats.lastLatency || status.stats.acksReceived <= seen)
        return;
    EventLog *log = m_log;
    const QString accountId = status.accountId;
    const QDateTime at = status.stats.lastAckAt.isValid() ? status.stats.lastAckAt : QDateTime::currentDateTimeUtc();
    const double latencyMs = double(status.stats.lastLatency->count());
    QMetaObject::invokeMethod(log, [log, accountId, at, latencyMs] { log->addHeartbeat(accountId, at, latencyMs); });
}

EventLogEntry EventRecorder::monitorEntry(EventKind kind, Severity severity, const QString &message,
                                          const QJsonObject &fields)
{
    EventLogEntry entry;
    entry.at = QDateTime::currentDateTimeUtc();
    entry.kind = kind;
    entry.severity = severity;
    entry.message = message;
    entry.fields = fields;
    return entry;
}

void EventRecorder::recordMonitorStarted(const QString &mode)
{
    record(monitorEntry(EventKind::MonitorStarted, Severity::Info, tr("Gatewatch started monitoring (%1)").arg(mode),
                        {{QStringLiteral("mode"), mode}}));
}

void EventRecorder::recordMonitorStoppedAndFlush(const QString &reason)
{
    recordLastAndFlush(monitorEntry(EventKind::MonitorStopped, Severity::Info,
                                    tr("Gatewatch stopped monitoring: %1").arg(reason),
                                    {{QStringLiteral("reason"), reason}}));
}

void EventRecorder::recordLastAndFlush(const EventLogEntry &entry)
{
    disconnect(m_manager, nullptr, this, nullptr);
    EventLog *log = m_log;
    const auto work = [log, entry] {
        if (!log->isOpen())
            return;
        log->append(entry);
        const auto flushed = log->flush();
        if (!flushed)
            qCWarning(lcApp).noquote() << "the event store could not be flushed:" << flushed.error().message;
    };
    if (log->thread() == QThread::currentThread())
        work();
    else
        QMetaObject::invokeMethod(log, work, Qt::BlockingQueuedConnection);
}

} // namespace gw
