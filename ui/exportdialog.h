#pragma once

#include "exporter.h"

#include <QDialog>
#include <QPair>

#include <memory>

namespace gw {

//! Export the event log (docs/export-format.md): a time range, the accounts, the kinds, the format
//! (JSON Lines or CSV) and a target file. The Exporter runs on its own QThread (it opens its own
//! read-only connection there) and writes through a QSaveFile that is committed only when the
//! export completed; a QProgressDialog with Cancel appears for exports that take a while.
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

    //! Pre-select what the event-log view shows (accounts, kinds, severities and text are kept).
    void setFilter(const EventFilter &filter);
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

    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw
