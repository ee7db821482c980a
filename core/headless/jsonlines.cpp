#include "jsonlines.h"

#include "redactor.h"

#include <QJsonDocument>

namespace gw {

namespace {

QByteArray render(const QDateTime &at, const QJsonValue &account, const QString &kind, Severity severity,
                  const QString &message, const QJsonObject &fields)
{
    const Redactor &redactor = Redactor::global();
    QJsonObject o = redactor.redactJson(fields);
    // An error's own kind (a field "kind", e.g. "transport") must not be lost under the line's kind.
    if (const auto k = o.find(QLatin1String("kind")); k != o.end() && !o.contains(QLatin1String("error_kind"))) {
        const QJsonValue errorKind = k.value();
        o.erase(k);
        o.insert(QLatin1String("error_kind"), errorKind);
    }
    o.insert(QLatin1String("v"), JsonLines::SchemaVersion);
    o.insert(QLatin1String("ts"), JsonLines::timestamp(at));
    o.insert(QLatin1String("account"), redactor.redactJson(account));
    o.insert(QLatin1String("kind"), kind);
    o.insert(QLatin1String("severity"), severityName(severity));
    o.insert(QLatin1String("message"), redactor.redact(message));
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

} // namespace

QString JsonLines::timestamp(const QDateTime &at)
{
    const QDateTime t = at.isValid() ? at : QDateTime::currentDateTimeUtc();
    return t.toUTC().toString(Qt::ISODateWithMs);
}

QByteArray JsonLines::format(const EventLogEntry &entry)
{
    return render(entry.at, QJsonValue(entry.accountName), eventKindName(entry.kind), entry.severity, entry.message,
                  entry.fields);
}

QByteArray JsonLines::formatMonitor(EventKind kind, Severity severity, const QString &message,
                                    const QJsonObject &fields)
{
    return formatMonitor(eventKindName(kind), severity, message, fields);
}

QByteArray JsonLines::formatMonitor(const QString &kind, Severity severity, const QString &message,
                                    const QJsonObject &fields)
{
    return render(QDateTime::currentDateTimeUtc(), QJsonValue(QJsonValue::Null), kind, severity, message, fields);
}

} // namespace gw
