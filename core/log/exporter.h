#pragma once

#include "eventfilter.h"
#include "eventlogerror.h"
#include "expected.h"

#include <QString>

#include <functional>
#include <memory>

class QIODevice;

namespace gw {

//! What to export (docs/export-format.md documents the output column by column).
struct ExportOptions
{
    enum class Format {
        JsonLines,   //!< a header object, then one event object per line (UTF-8, LF)
        Csv,         //!< RFC 4180: a header row, then one event per record (UTF-8, CRLF)
    };
    Format format = Format::JsonLines;
    //! Time range, accounts and kinds (severities and text too); empty means everything.
    EventFilter filter;
};

//! The version of the export format (the "version" of the JSON Lines header, the "v" of each
//! row and of each CSV record). Bumped only for incompatible changes; new keys may be added.
//! 2: a `close` row's message is the close summary and its severity the close's (info for a
//! close Gatewatch made on purpose); kind `seq_gap`; `resumed`, `ready`, `close` gained fields.
//! 3: a CSV file starts with a `# ` comment line holding the header object; the header records
//! every filter (`severities` and `text` besides range, accounts and kinds).
constexpr int k_exportFormatVersion = 3;

//! Streams events of an event log to a QIODevice (a QSaveFile in the app) as JSON Lines or CSV,
//! row by row from a forward-only query in time order: memory stays bounded whatever the size of
//! the log (bench_eventlog records peak RSS for 1,000,000 rows).
//!
//! exportTo() is synchronous and opens its own read-only connection on the calling thread for its
//! duration, so the UI runs it on a worker thread; cancel() may be called from any thread. The
//! export sees the log as it was when it started (one read transaction).
class Exporter final
{
    Q_DISABLE_COPY_MOVE(Exporter)

public:
    explicit Exporter(const QString &databasePath);
    ~Exporter();

    //! Called every `everyRows` rows and once at the end, on the exporting thread, with the rows
    //! written so far and the number of rows the export will write.
    using ProgressCallback = std::function<void(qint64 rowsWritten, qint64 rowsTotal)>;
    void setProgressCallback(ProgressCallback callback, qint64 everyRows = 10'000);

    //! Writes the selected events to `device` (open for writing). Returns the number of rows
    //! written, or Cancelled / OutputFailed / QueryFailed. On error the device holds a partial
    //! export: with QSaveFile, do not commit() it.
    Expected<qint64, EventLogError> exportTo(QIODevice *device, const ExportOptions &options);

    //! Makes a running exportTo() stop with Cancelled at the next row. Thread-safe.
    void cancel();

private:
    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw
