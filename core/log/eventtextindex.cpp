#include "eventtextindex_p.h"

#include <QSqlError>
#include <QSqlQuery>
#include <QStringList>
#include <QVariant>

#include <algorithm>

namespace gw::eventtextindex {

namespace {

constexpr qsizetype k_gram = 3;

bool execAll(QSqlDatabase &db, const QStringList &statements, QString *error)
{
    for (const QString &sql : statements) {
        QSqlQuery query(db);
        if (!query.exec(sql)) {
            *error = query.lastError().text() + QStringLiteral(" [") + sql.left(80) + QStringLiteral("]");
            return false;
        }
    }
    return true;
}

// One FTS5 string: the text in double quotes, a quote inside doubled.
QString quoted(const QList<uint> &codePoints, qsizetype from)
{
    QString text = QString::fromUcs4(reinterpret_cast<const char32_t *>(codePoints.constData() + from), k_gram);
    text.replace(QLatin1Char('"'), QLatin1String("\"\""));
    return QLatin1Char('"') + text + QLatin1Char('"');
}

} // namespace

bool create(QSqlDatabase &db, QString *error)
{
    return execAll(db,
                   {QStringLiteral("CREATE VIRTUAL TABLE events_fts USING fts5(message, content='events', "
                                   "content_rowid='id', tokenize='trigram', detail=none)")},
                   error);
}

bool complete(QSqlDatabase &db, QString *error)
{
    return execAll(db,
                   {
                       QStringLiteral("INSERT INTO events_fts (events_fts) VALUES ('rebuild')"),
                       QStringLiteral("INSERT OR REPLACE INTO meta (key, value) VALUES ('%1', 'complete')")
                           .arg(QLatin1String(k_metaKey)),
                   },
                   error);
}

Expected<bool, EventLogError> isComplete(QSqlDatabase &db)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    if (!query.exec(QStringLiteral("SELECT count(*) FROM meta WHERE key = '%1' AND value = 'complete'")
                        .arg(QLatin1String(k_metaKey)))
        || !query.next()) {
        return EventLogError{EventLogError::Code::QueryFailed, query.lastError().text()};
    }
    return query.value(0).toInt() > 0;
}

QString matchExpression(const QString &text)
{
    const QList<uint> codePoints = text.toUcs4();
    const qsizetype n = codePoints.size();
    if (n < k_gram || codePoints.contains(0u))
        return {};
    // Trigrams at 0, 3, 6, … and the last one: together they cover every character once or twice.
    QStringList terms;
    for (qsizetype at = 0;; at += k_gram) {
        const qsizetype from = std::min(at, n - k_gram);
        const QString term = quoted(codePoints, from);
        if (!terms.contains(term))
            terms << term;
        if (from == n - k_gram)
            break;
    }
    return terms.join(QLatin1String(" AND "));
}

Expected<bool, EventLogError> fewCandidates(QSqlDatabase &db, const QString &match)
{
    QSqlQuery query(db);
    query.setForwardOnly(true);
    query.prepare(QStringLiteral("SELECT count(*) FROM (SELECT 1 FROM events_fts WHERE events_fts MATCH ? LIMIT ?)"));
    query.addBindValue(match);
    query.addBindValue(k_candidateLimit);
    if (!query.exec() || !query.next())
        return EventLogError{EventLogError::Code::QueryFailed, query.lastError().text()};
    return query.value(0).toInt() < k_candidateLimit;
}

} // namespace gw::eventtextindex
