#include "eventrecorder.h"

#include "accountmanager.h"
#include "accountstatus.h"
#include "eventlog.h"
#include "eventtypes.h"

#include <QThread>

namespace gw {

EventRecorder::EventRecorder(AccountManager *manager, EventLog *log, QObject *parent)
    : QObject(parent)
    , m_manager(manager)
    , m_log(log)
{
    connect(m_manager, &AccountManager::eventLogged, this, &EventRecorder::append);
    connect(m_manager, &AccountManager::statusChanged, this, &EventRecorder::handleStatus);
}

EventRecorder::~EventRecorder() = default;

void EventRecorder::append(const EventLogEntry &entry)
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

void EventRecorder::recordMonitorStarted(const QString &mode)
{
    EventLogEntry entry;
    entry.at = QDateTime::currentDateTimeUtc();
    entry.kind = EventKind::MonitorStarted;
    entry.severity = Severity::Info;
    entry.message = tr("Gatewatch started monitoring (%1)").arg(mode);
    entry.fields.insert(QStringLiteral("mode"), mode);
    append(entry);
}

void EventRecorder::recordMonitorStoppedAndFlush(const QString &reason)
{
    EventLogEntry entry;
    entry.at = QDateTime::currentDateTimeUtc();
    entry.kind = EventKind::MonitorStopped;
    entry.severity = Severity::Info;
    entry.message = tr("Gatewatch stopped monitoring: %1").arg(reason);
    entry.fields.insert(QStringLiteral("reason"), reason);
    EventLog *log = m_log;
    const auto work = [log, entry] {
        log->append(entry);
        log->flush();
    };
    if (log->thread() == QThread::currentThread())
        work();
    else
        QMetaObject::invokeMethod(log, work, Qt::BlockingQueuedConnection);
}

} // namespace gw
