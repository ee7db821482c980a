#include "storereporting.h"

#include "metricsregistry.h"
#include "storehealth.h"

#include <QObject>

namespace gw {

namespace {

QJsonObject baseFields(const QString &errorKind, const StoreStatus &s)
{
    return {{QStringLiteral("error_kind"), errorKind},
            {QStringLiteral("queued_rows"), s.queuedRows},
            {QStringLiteral("dropped_rows_total"), s.droppedRows},
            {QStringLiteral("failures_total"), s.failures}};
}

void reportDamage(const StoreStatus &s, const StoreLineWriter &write)
{
    QJsonObject fields = baseFields(QStringLiteral("store_damaged"), s);
    fields.insert(QStringLiteral("kept_as"), s.movedAsidePath);
    fields.insert(QStringLiteral("reason"), s.damageReason);
    write(Severity::Error,
          QStringLiteral("event store: the database was damaged (%1); it was moved aside to %2 and a new one was started")
              .arg(s.damageReason, s.movedAsidePath),
          fields);
}

//! The slot for a signal that carries a row count (rowsDropped, recovered): one line of
//! `errorKind` with the count as field `countField`; `message` gets the count as %1 and the rows
//! dropped since start as %2.
auto rowCountLine(StoreLineWriter write, Severity severity, const QString &errorKind, const QString &countField,
                  const QString &message)
{
    return [=](qint64 count, const StoreStatus &s) {
        QJsonObject fields = baseFields(errorKind, s);
        fields.insert(countField, count);
        write(severity, message.arg(count).arg(s.droppedRows), fields);
    };
}

} // namespace

void connectStoreReporting(StoreHealth *health, MetricsRegistry *metrics, QObject *context, StoreLineWriter write)
{
    const auto updateMetrics = [metrics](const StoreStatus &s) {
        if (metrics)
            metrics->updateStore(s.failures, s.queuedRows, s.droppedRows);
    };
    updateMetrics(health->status());
    QObject::connect(health, &StoreHealth::changed, context, updateMetrics);
    QObject::connect(health, &StoreHealth::writeFailed, context, [write](const StoreStatus &s) {
        QJsonObject fields = baseFields(QStringLiteral("store_write_failed"), s);
        fields.insert(QStringLiteral("reason"), s.lastError);
        write(Severity::Error,
              QStringLiteral("event store: could not write (%1); %2 rows are held and retried").arg(s.lastError).arg(s.queuedRows),
              fields);
    });
    QObject::connect(health, &StoreHealth::rowsDropped, context,
                     rowCountLine(write, Severity::Error, QStringLiteral("store_rows_dropped"), QStringLiteral("dropped"),
                                  QStringLiteral("event store: the retry queue is full; %1 rows dropped (%2 since start)")));
    QObject::connect(health, &StoreHealth::recovered, context,
                     rowCountLine(write, Severity::Info, QStringLiteral("store_recovered"), QStringLiteral("written"),
                                  QStringLiteral("event store: writing again; %1 held rows were written (%2 dropped since start)")));
    QObject::connect(health, &StoreHealth::damagedMovedAside, context,
                     [write](const StoreStatus &s) { reportDamage(s, write); });
    if (!health->status().movedAsidePath.isEmpty())
        reportDamage(health->status(), write);
}

} // namespace gw
