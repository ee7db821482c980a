#include "eventsql_p.h"

#include "eventlogschema_p.h"
#include "eventtextindex_p.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>

#include <optional>

namespace gw::eventsql {

namespace {

QString likePattern(const QString &text)
{
    QString escaped;
    escaped.reserve(text.size() + 2);
    escaped += QLatin1Char('%');
    for (const QChar c : text) {
        if (c == QLatin1Char('%') || c == QLatin1Char('_') || c == QLatin1Char('\\'))
            escaped += QLatin1Char('\\');
        escaped += c;
    }
    escaped += QLatin1Char('%');
    return escaped;
}

// Narrows `w` to the text index's candidates for `text` when that is the cheaper way: the index
// is complete and names few rows. Otherwise `w` stays the walk along (at).
std::optional<EventLogError> narrowToCandidates(QSqlDatabase &db, const QString &text, Where &w)
{
    const QString match = eventtextindex::matchExpression(text);
    if (match.isEmpty())
        return std::nullopt;
    const auto complete = eventtextindex::isComplete(db);
    if (!complete)
        return complete.error();
    if (!complete.value())
        return std::nullopt;
    const auto few = eventtextindex::fewCandidates(db, match);
    if (!few)
        return few.error();
    if (few.value()) {
        w.from = QLatin1String(eventtextindex::k_candidatesFrom);
        w.values.prepend(match);
    }
    return std::nullopt;
}

} // namespace

Expected<Where, EventLogError> where(QSqlDatabase &db, const EventFilter &filter)
{
    QStringList parts;
    Where w;
    if (!filter.accountIds.isEmpty()) {
        QStringList marks;
        for (qsizetype i = 0; i < filter.accountIds.size(); ++i)
            marks << QStringLiteral("?");
        QSqlQuery query(db);
        query.setForwardOnly(true);
        query.prepare(QStringLiteral("SELECT id FROM sources WHERE account_id IN (%1)").arg(marks.join(QLatin1Char(','))));
        // Sources store a missing account id as '' (coalesce on insert): a null id means that too.
        for (const QString &id : filter.accountIds)
            query.addBindValue(id.isNull() ? QStringLiteral("") : id);
        if (!query.exec())
            return EventLogError{EventLogError::Code::QueryFailed, query.lastError().text()};
        QStringList ids;
        while (query.next())
            ids << QString::number(query.value(0).toLongLong());
        // Integers from our own table: safe to inline, and it lets SQLite use the index per value.
        parts << (ids.isEmpty() ? QStringLiteral("0") : QStringLiteral("source IN (%1)").arg(ids.join(QLatin1Char(','))));
    }
    if (!filter.kinds.isEmpty()) {
        QStringList codes;
        for (const EventKind kind : filter.kinds)
            codes << QString::number(eventlogschema::kindCode(kind));
        parts << QStringLiteral("kind IN (%1)").arg(codes.join(QLatin1Char(',')));
    }
    if (!filter.severities.isEmpty()) {
        QStringList codes;
        for (const Severity severity : filter.severities)
            codes << QString::number(eventlogschema::severityCode(severity));
        parts << QStringLiteral("severity IN (%1)").arg(codes.join(QLatin1Char(',')));
    }
    if (!filter.text.isEmpty()) {
        parts << QStringLiteral("message LIKE ? ESCAPE '\\'");
        w.values << likePattern(filter.text);
    }
    if (filter.from.isValid()) {
        parts << QStringLiteral("at >= ?");
        w.values << filter.from.toMSecsSinceEpoch();
    }
    if (filter.to.isValid()) {
        parts << QStringLiteral("at < ?");
        w.values << filter.to.toMSecsSinceEpoch();
    }
    w.clause = parts.isEmpty() ? QStringLiteral("1") : parts.join(QLatin1String(" AND "));
    if (!filter.text.isEmpty()) {
        if (auto failure = narrowToCandidates(db, filter.text, w))
            return *failure;
    }
    return w;
}

Expected<SourceMap, EventLogError> loadSources(QSqlDatabase &db)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT id, account_id, account_name FROM sources")))
        return EventLogError{EventLogError::Code::QueryFailed, query.lastError().text()};
    SourceMap map;
    while (query.next())
        map.insert(query.value(0).toInt(), {query.value(1).toString(), query.value(2).toString()});
    return map;
}

} // namespace gw::eventsql
