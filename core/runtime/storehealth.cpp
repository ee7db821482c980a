#include "storehealth.h"

#include "eventlog.h"

namespace gw {

StoreHealth::StoreHealth(EventLog *log, QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<gw::StoreStatus>();
    if (!log)
        return;
    // Queued: the log may live on the desktop's store thread; the status lives on this one.
    connect(log, &EventLog::writeFailed, this, [this](const EventLogError &error, int queuedRows) {
        m_status.failing = true;
        m_status.queuedRows = queuedRows;
        m_status.lastError = error.message;
        ++m_status.failures;
        Q_EMIT writeFailed(m_status);
        Q_EMIT changed(m_status);
    }, Qt::QueuedConnection);
    connect(log, &EventLog::rowsDropped, this, [this](qint64 count, qint64 total) {
        m_status.droppedRows = total;
        Q_EMIT rowsDropped(count, m_status);
        Q_EMIT changed(m_status);
    }, Qt::QueuedConnection);
    connect(log, &EventLog::writeRecovered, this, [this](qint64 rowsWritten) {
        m_status.failing = false;
        m_status.queuedRows = 0;
        Q_EMIT recovered(rowsWritten, m_status);
        Q_EMIT changed(m_status);
    }, Qt::QueuedConnection);
    connect(log, &EventLog::damagedDatabaseMovedAside, this, [this](const QString &kept, const QString &reason) {
        m_status.movedAsidePath = kept;
        m_status.damageReason = reason;
        Q_EMIT damagedMovedAside(m_status);
        Q_EMIT changed(m_status);
    }, Qt::QueuedConnection);
    m_status.movedAsidePath = log->lastMovedAsidePath();
    m_status.damageReason = log->lastDamageReason();
}

StoreHealth::~StoreHealth() = default;

} // namespace gw
