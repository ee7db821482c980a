#pragma once

#include "exporter.h"

#include <QDialog>
#include <QPair>

#include <memory>

class QSettings;

namespace gw {

//! Export the event log (docs/export-format.md): a time range, the severities, a message text,
//! the accounts, the kinds, the format (JSON Lines or CSV) and a target file. It starts from
//! everything; "Use the log's current filter" copies what the event-log view shows into the fields,
//! and a summary line says every restriction the export will apply (the file's header records
//! them too). The Exporter runs on its own QThread (it opens its own read-only connection there)
//! and writes through a QSaveFile that is committed only when the export completed; a
//! QProgressDialog with Cancel appears for exports that take a while. The result is said as
//! "99 events written to …". The target's extension follows the format; its folder is the last
//! export's, else Documents when it exists, else home (exportdialog_p.h).
class ExportDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ExportDialog)

public:
    enum class RangePreset { All, LastHour, LastDay, LastWeek, LastMonth, Custom };
    Q_ENUM(RangePreset)

    //! `accounts`: (id, display name) pairs, in display order.
    ExportDialog(const QString &databasePath, const QList<QPair<QString, QString>> &accounts,
                 QWidget *parent = nullptr);
    ~ExportDialog() override;

    //! A window-modal dialog over `parent`, deleted on close, told the log's current filter
    //! (setLogFilter) and where to remember the folder (setSettings); already open().
    static ExportDialog *openOver(QWidget *parent, const QString &databasePath,
                                  const QList<QPair<QString, QString>> &accounts, const EventFilter &logFilter,
                                  QSettings *settings);

    //! Set every field from `filter` (accounts, kinds, severities, text, range).
    void setFilter(const EventFilter &filter);
    //! What the event-log view shows: said in the dialog, and applied only when the user presses
    //! "Use the log's current filter".
    void setLogFilter(const EventFilter &filter);
    //! Remembers the folder of the last export (`export/last_folder`). Not owned.
    void setSettings(QSettings *settings);
    //! "Exports: all severities · any message · …" as shown.
    [[nodiscard]] QString summaryText() const;
    //! The status / result line ("99 events written to …").
    [[nodiscard]] QString statusText() const;
    //! What the dialog says about the log's current filter.
    [[nodiscard]] QString logFilterText() const;
    void setRangePreset(RangePreset preset);
    void setCustomRange(const QDateTime &from, const QDateTime &to);
    void setFormat(ExportOptions::Format format);
    void setTargetFile(const QString &path);
    [[nodiscard]] QString targetFile() const;
    //! The options the fields describe now.
    [[nodiscard]] ExportOptions options() const;
    [[nodiscard]] bool isRunning() const;

public Q_SLOTS:
    //! The Export button: validate, then run the export off the GUI thread.
    void startExport();
    //! Cancel a running export (the partial file is discarded).
    void cancelExport();

Q_SIGNALS:
    //! After the export ended; `ok` false for cancel and errors (`message` says which).
    void exportFinished(bool ok, qint64 rows, const QString &message);

private:
    void handleBrowse();
    void handlePresetChanged(int index);
    void handleProgress(qint64 written, qint64 total);
    void handleThreadFinished();
    void updateButtons();
    void updateSummary();
    void handleFormatChanged();

    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw
