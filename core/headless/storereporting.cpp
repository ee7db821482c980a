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
    QObject::connect(health, &StoreHealth::rowsDropped, context, [write](qint64 count, const StoreStatus &s) {
        QJsonObject fields = baseFields(QStringLiteral("store_rows_dropped"), s);
        fields.insert(QStringLiteral("dropped"), count);
        write(Severity::Error,
              QStringLiteral("event store: the retry queue is full; %1 rows dropped (%2 since start)").arg(count).arg(s.droppedRows),
              fields);
    });
    QObject::connect(health, &StoreHealth::recovered, context, [write](qint64 rows, const StoreStatus &s) {
        QJsonObject fields = baseFields(QStringLiteral("store_recovered"), s);
        fields.insert(QStringLiteral("written"), rows);
        write(Severity::Info,
              QStringLiteral("event store: writing again; %1 held rows were written (%2 dropped since start)").arg(rows).arg(s.droppedRows),
              fields);
    });
    QObject::connect(health, &StoreHealth::damagedMovedAside, context,
                     [write](const StoreStatus &s) { reportDamage(s, write); });
    if (!health->status().movedAsidePath.isEmpty())
        reportDamage(health->status(), write);
}

} // namespace gw
