#pragma once

// Private to ExportDialog: what an export selects in words, and where it is written.

#include "exporter.h"

#include <QString>

#include <functional>

class QSettings;

namespace gw {

//! Every part of `filter` in words, "·"-separated, unrestricted parts said as such:
//! "all severities · any message · all accounts · all kinds · any time" (with
//! `restrictionsOnly`, only the restricted parts). `accountName` turns an account id into its
//! display name.
QString describeFilter(const EventFilter &filter, const std::function<QString(const QString &)> &accountName,
                       bool restrictionsOnly = false);

//! Where an export goes by default: the folder of the last export (`export/last_folder` in
//! `settings`, when it still exists), else QStandardPaths::DocumentsLocation when it exists, else
//! the home directory.
QString defaultExportFolder(const QSettings *settings);

//! "gatewatch-events-20260301-0947.jsonl" (or .csv), the time now.
QString defaultExportFileName(ExportOptions::Format format);

//! `path` with the extension of `format` (a .jsonl / .csv suffix is replaced, another is kept
//! and the format's added).
QString withExportSuffix(const QString &path, ExportOptions::Format format);

} // namespace gw
