#pragma once

// Internal to core/log: the text index of `events.message` (schema 4), which lets a text filter
// that matches few rows skip the walk through the whole log.
//
// `events_fts` is an FTS5 table over `events.message` (external content: it stores no text of its
// own) with the trigram tokenizer and detail=none: for every three-character sequence of a message
// (folded to lower case) the ids of the rows holding it, no positions. It only ever narrows: a row
// it names is still checked by the filter's own `message LIKE`, so a text filter matches what it
// matched without the index (and what EventFilter::matches() accepts for a live row).
//
// The writer keeps it in step, in the same transactions: EventLogWriter::insertEvent() adds each
// row's message, EventLog::prune() removes the pruned rows' messages. Not triggers: with one, the
// writer's single-row INSERTs ran at 20,000 instead of 67,000 rows/s (bench_eventlog,
// docs/performance-store.md); as SQLite's source reads, each such statement then opens a savepoint,
// at which FTS5 writes out its pending terms.

#include "eventlogerror.h"
#include "expected.h"

#include <QSqlDatabase>
#include <QString>

namespace gw::eventtextindex {

//! A needle with at least this many candidate rows is answered by the walk along (at): the
//! matches are common enough that it finds a page quickly, and reading every candidate would
//! cost more (about 2 µs each, docs/performance-store.md).
inline constexpr int k_candidateLimit = 4096;

//! The FROM clause that reads only the candidates of an FTS5 query (bound as the first value,
//! before the WHERE clause's): the rows of `events` whose message holds every trigram of it.
inline constexpr char k_candidatesFrom[] =
    "(SELECT rowid AS fts_id FROM events_fts WHERE events_fts MATCH ?) CROSS JOIN events ON events.id = fts_id";

//! The `meta` key whose value is 'complete' once the index holds every row.
inline constexpr char k_metaKey[] = "text_index";

//! Creates the (empty) index table. Part of the migration to schema 4.
bool create(QSqlDatabase &db, QString *error);

//! Fills the index from `events` and records it complete (`meta`). Run it inside a
//! transaction, by the writer, which maintains the index from then on. 3–4 s for 1,000,000
//! rows (docs/performance-store.md).
bool complete(QSqlDatabase &db, QString *error);

//! Is the index complete (filled, and maintained by the writer)?
Expected<bool, EventLogError> isComplete(QSqlDatabase &db);

//! The FTS5 query that finds every row whose message contains `text` (ASCII case-insensitive,
//! as LIKE), and more: every trigram of a cover of `text`, ANDed. Empty when `text` cannot be
//! looked up (shorter than three characters, or holding U+0000).
QString matchExpression(const QString &text);

//! Does the FTS5 query `match` have fewer than k_candidateLimit candidate rows?
Expected<bool, EventLogError> fewCandidates(QSqlDatabase &db, const QString &match);

} // namespace gw::eventtextindex
