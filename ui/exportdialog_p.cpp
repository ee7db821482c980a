#include "exportdialog_p.h"

#include "eventlogmodel.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QSettings>
#include <QStandardPaths>

namespace gw {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("gw::ExportDialog", text);
}

QString describeRange(const EventFilter &filter)
{
    const QLocale locale;
    const auto at = [&locale](const QDateTime &t) { return locale.toString(t.toLocalTime(), QLocale::ShortFormat); };
    if (filter.from.isValid() && filter.to.isValid())
        return tr("from %1 to %2").arg(at(filter.from), at(filter.to));
    if (filter.from.isValid())
        return tr("since %1").arg(at(filter.from));
    if (filter.to.isValid())
        return tr("before %1").arg(at(filter.to));
    return tr("any time");
}

} // namespace

QString describeFilter(const EventFilter &filter, const std::function<QString(const QString &)> &accountName,
                       bool restrictionsOnly)
{
    QStringList parts;
    QStringList severities;
    for (const Severity s : filter.severities)
        severities << severityDisplayName(s).toLower();
    parts << (severities.isEmpty() ? tr("all severities") : tr("severity %1").arg(severities.join(tr(", "))));
    parts << (filter.text.isEmpty() ? tr("any message") : tr("messages containing “%1”").arg(filter.text));
    QStringList names;
    for (const QString &id : filter.accountIds)
        names << accountName(id);
    parts << (names.isEmpty() ? tr("all accounts") : tr("accounts %1").arg(names.join(tr(", "))));
    if (filter.kinds.isEmpty()) {
        parts << tr("all kinds");
    } else if (filter.kinds.size() <= 3) {
        QStringList kinds;
        for (const EventKind k : filter.kinds)
            kinds << eventKindDisplayName(k);
        parts << tr("kinds %1").arg(kinds.join(tr(", ")));
    } else {
        parts << QCoreApplication::translate("gw::ExportDialog", "%n kinds", nullptr, int(filter.kinds.size()));
    }
    parts << describeRange(filter);
    if (restrictionsOnly) {
        const bool restricted[] = {!filter.severities.isEmpty(), !filter.text.isEmpty(), !filter.accountIds.isEmpty(),
                                   !filter.kinds.isEmpty(), filter.from.isValid() || filter.to.isValid()};
        QStringList kept;
        for (qsizetype i = 0; i < parts.size(); ++i) {
            if (restricted[i])
                kept << parts.at(i);
        }
        parts = kept;
    }
    return parts.join(QStringLiteral(" · "));
}

QString defaultExportFolder(const QSettings *settings)
{
    if (settings) {
        const QString last = settings->value(QStringLiteral("export/last_folder")).toString();
        if (!last.isEmpty() && QFileInfo(last).isDir())
            return last;
    }
    const QString docs = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (!docs.isEmpty() && QFileInfo(docs).isDir())
        return docs;
    return QDir::homePath();
}

QString defaultExportFileName(ExportOptions::Format format)
{
    return withExportSuffix(QStringLiteral("gatewatch-events-%1")
                                .arg(QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmm"))),
                            format);
}

QString withExportSuffix(const QString &path, ExportOptions::Format format)
{
    const QLatin1String suffix(format == ExportOptions::Format::Csv ? ".csv" : ".jsonl");
    QString base = path;
    for (const QLatin1String known : {QLatin1String(".csv"), QLatin1String(".jsonl")}) {
        if (base.endsWith(known, Qt::CaseInsensitive)) {
            base.chop(known.size());
            break;
        }
    }
    return base.isEmpty() ? base : base + suffix;
}

} // namespace gw
