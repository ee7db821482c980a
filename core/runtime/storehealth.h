#pragma once

#include "eventlogerror.h"

#include <QMetaType>
#include <QObject>
#include <QString>

namespace gw {

class EventLog;

//! The event store's health as the front-ends show it (docs/reliability.md, "The event store
//! under faults").
struct StoreStatus
{
    bool failing = false;          //!< the last commit failed; rows are held and retried
    int queuedRows = 0;            //!< rows waiting to be written (held after failures + pending)
    qint64 droppedRows = 0;        //!< rows dropped past the queue's bound since start
    qint64 failures = 0;           //!< failed commit attempts since start
    QString lastError;             //!< the last failure's cause in SQLite's words, with its code (no token: rows are redacted before)
    QString movedAsidePath;        //!< where a damaged database was moved (empty: never)
    QString damageReason;          //!< what quick_check or the failed write said of it

    [[nodiscard]] bool hasProblem() const { return failing || droppedRows > 0 || !movedAsidePath.isEmpty(); }
};

//! Watches one EventLog (on whatever thread it lives: every signal arrives queued on this
//! object's thread) and keeps its StoreStatus for the front-ends: the headless runner turns the
//! signals into JSON lines and metrics, the desktop into a banner. MonitorApp owns the one
//! instance of a run.
class StoreHealth final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StoreHealth)

public:
    //! `log` may be nullptr (nothing is recorded): the status stays healthy. Reads the log's
    //! lastMovedAsidePath() once, so a damaged file moved aside by open() is reported too; call it
    //! after open() returned.
    explicit StoreHealth(EventLog *log, QObject *parent = nullptr);
    ~StoreHealth() override;

    [[nodiscard]] StoreStatus status() const { return m_status; }

Q_SIGNALS:
    //! A commit failed; its rows are held and will be retried.
    void writeFailed(const gw::StoreStatus &status);
    //! The queue's bound was passed: `count` more rows were dropped.
    void rowsDropped(qint64 count, const gw::StoreStatus &status);
    //! A commit succeeded after failures: the held rows are written.
    void recovered(qint64 rowsWritten, const gw::StoreStatus &status);
    //! A damaged database was moved aside (kept) and a fresh one started.
    void damagedMovedAside(const gw::StoreStatus &status);
    //! Any of the above.
    void changed(const gw::StoreStatus &status);

private:
    StoreStatus m_status;
};

} // namespace gw

Q_DECLARE_METATYPE(gw::StoreStatus)
