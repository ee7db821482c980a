#pragma once

// Internal to core/log: SQL shared by EventQuery and Exporter.

#include "eventfilter.h"
#include "eventlogerror.h"
#include "expected.h"

#include <QHash>
#include <QSqlDatabase>
#include <QString>
#include <QVariantList>

namespace gw::eventsql {

//! What a query of `events` under a filter reads: `SELECT … FROM <from> WHERE <clause> …` with
//! the positional `values` (those of `from` first). The columns are those of `events`.
struct Where
{
    QString from = QStringLiteral("events");
    QString clause;   //!< without the keyword; "1" when unrestricted
    QVariantList values;
};

//! Builds the WHERE clause of `filter` over table `events`. Account ids are resolved to their
//! source ids first; kinds and severities become their stable integer codes. A text filter is
//! `message LIKE`; when the text index is complete and names fewer than
//! eventtextindex::k_candidateLimit candidates for it, `from` reads only those rows.
Expected<Where, EventLogError> where(QSqlDatabase &db, const EventFilter &filter);

//! The column list every row reader selects, in this order.
inline constexpr const char k_columns[] = "id, at, source, kind, severity, message, fields";

//! source id → (account id, account name)
using SourceMap = QHash<int, std::pair<QString, QString>>;
Expected<SourceMap, EventLogError> loadSources(QSqlDatabase &db);

} // namespace gw::eventsql
