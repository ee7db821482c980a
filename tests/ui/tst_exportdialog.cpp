// The export dialog offscreen, on a real event store: it starts from everything whatever the log
// shows, says every filter it applies, takes the log's filter only when asked, writes that filter
// into the file's header (JSON Lines and CSV), reports "N events written to …", and picks its
// folder (last export, else Documents when it exists, else home) and extension (the format's).

#include "eventlog.h"
#include "exportdialog.h"

#include <QCheckBox>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace gw;

class tst_ExportDialog final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_db;
    const QList<QPair<QString, QString>> m_accounts{{QStringLiteral("id-a"), QStringLiteral("alpha")},
                                                    {QStringLiteral("id-b"), QStringLiteral("beta")}};

    //! 99 events: severities in turn (debug, info, warning, error), two accounts.
    void fill()
    {
        EventLog log(m_db);
        QVERIFY(log.open().hasValue());
        const QDateTime t0 = QDateTime::currentDateTimeUtc().addSecs(-600);
        for (int i = 0; i < 99; ++i) {
            EventLogEntry e;
            e.at = t0.addMSecs(i * 100);
            e.accountId = m_accounts.at(i % 2).first;
            e.accountName = m_accounts.at(i % 2).second;
            e.kind = i % 3 == 0 ? EventKind::Close : EventKind::State;
            e.severity = Severity(i % 4);
            e.message = i % 5 == 0 ? QStringLiteral("zombie connection") : QStringLiteral("state changed");
            log.append(e);
        }
        QVERIFY(log.flush().hasValue());
    }

    static EventFilter warningsAndErrors()
    {
        EventFilter f;
        f.severities = {Severity::Warning, Severity::Error};
        f.text = QStringLiteral("zombie");
        return f;
    }

    qint64 runExport(ExportDialog &dlg, QString *message = nullptr)
    {
        QSignalSpy finished(&dlg, &ExportDialog::exportFinished);
        dlg.findChild<QPushButton *>(QStringLiteral("exportButton"))->click();
        if (!finished.wait(10000) || !finished.at(0).at(0).toBool())
            return -1;
        if (message)
            *message = finished.at(0).at(2).toString();
        return finished.at(0).at(1).toLongLong();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
        m_db = m_dir.filePath(QStringLiteral("events.sqlite"));
        fill();
    }

    void startsFromEverythingAndSaysSo()
    {
        ExportDialog dlg(m_db, m_accounts);
        dlg.setLogFilter(warningsAndErrors());
        // The log's filter is said, not applied.
        QVERIFY2(dlg.logFilterText().contains(QLatin1String("warning")), qPrintable(dlg.logFilterText()));
        QVERIFY2(dlg.logFilterText().contains(QLatin1String("zombie")), qPrintable(dlg.logFilterText()));
        QCOMPARE(dlg.options().filter, EventFilter{});
        for (const char *part : {"all severities", "any message", "all accounts", "all kinds", "any time"})
            QVERIFY2(dlg.summaryText().contains(QLatin1String(part)), qPrintable(dlg.summaryText()));
        dlg.setTargetFile(m_dir.filePath(QStringLiteral("all.jsonl")));
        QString message;
        QCOMPARE(runExport(dlg, &message), qint64(99));
        QCOMPARE(message, QStringLiteral("99 events written to %1")
                              .arg(QDir::toNativeSeparators(m_dir.filePath(QStringLiteral("all.jsonl")))));
        QCOMPARE(dlg.statusText(), message);
    }

    void usesTheLogFilterOnRequestAndRecordsIt()
    {
        ExportDialog dlg(m_db, m_accounts);
        dlg.setLogFilter(warningsAndErrors());
        dlg.findChild<QPushButton *>(QStringLiteral("useLogFilterButton"))->click();
        QCOMPARE(dlg.options().filter.severities, (QList<Severity>{Severity::Warning, Severity::Error}));
        QCOMPARE(dlg.options().filter.text, QStringLiteral("zombie"));
        QVERIFY(!dlg.findChild<QCheckBox *>(QStringLiteral("exportSeverity_debug"))->isChecked());
        QCOMPARE(dlg.findChild<QLineEdit *>(QStringLiteral("exportText"))->text(), QStringLiteral("zombie"));
        QVERIFY2(dlg.summaryText().contains(QLatin1String("zombie")), qPrintable(dlg.summaryText()));
        QVERIFY2(!dlg.summaryText().contains(QLatin1String("all severities")), qPrintable(dlg.summaryText()));
        // rows i with i % 5 == 0 and i % 4 >= 2: i = 10, 15, 30, 35, 50, 55, 70, 75, 90, 95
        dlg.setTargetFile(m_dir.filePath(QStringLiteral("filtered.jsonl")));
        for (const auto format : {ExportOptions::Format::JsonLines, ExportOptions::Format::Csv}) {
            dlg.setFormat(format);
            const QString target = dlg.targetFile();
            QCOMPARE(runExport(dlg), qint64(10));
            QFile file(target);
            QVERIFY(file.open(QIODevice::ReadOnly));
            QByteArray first = file.readLine().trimmed();
            if (format == ExportOptions::Format::Csv) {
                QVERIFY2(first.startsWith("# "), first.constData());
                first = first.mid(2);
            }
            const QJsonObject header = QJsonDocument::fromJson(first).object();
            QCOMPARE(header.value(QStringLiteral("severities")).toArray(),
                     (QJsonArray{QStringLiteral("warning"), QStringLiteral("error")}));
            QCOMPARE(header.value(QStringLiteral("text")).toString(), QStringLiteral("zombie"));
            QVERIFY(header.value(QStringLiteral("accounts")).toArray().isEmpty());
        }
    }

    void narrowingByHandIsSaid()
    {
        ExportDialog dlg(m_db, m_accounts);
        EventFilter f;
        f.accountIds = {QStringLiteral("id-b")};
        f.kinds = {EventKind::Close};
        dlg.setFilter(f);
        QVERIFY2(dlg.summaryText().contains(QLatin1String("beta")), qPrintable(dlg.summaryText()));
        QVERIFY2(!dlg.summaryText().contains(QLatin1String("all kinds")), qPrintable(dlg.summaryText()));
        dlg.setTargetFile(m_dir.filePath(QStringLiteral("beta.jsonl")));
        // odd i with i % 3 == 0: 3, 9, 15, … 93 → 16 rows
        QCOMPARE(runExport(dlg), qint64(16));
    }

    void folderAndExtension()
    {
        QSettings settings(m_dir.filePath(QStringLiteral("ui.ini")), QSettings::IniFormat);
        settings.clear();
        // Nothing remembered: Documents when it exists, else home.
        {
            ExportDialog dlg(m_db, m_accounts);
            dlg.setSettings(&settings);
            const QString docs = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
            const QString expected = QFileInfo(docs).isDir() ? docs : QDir::homePath();
            QCOMPARE(QFileInfo(dlg.targetFile()).absolutePath(), QFileInfo(expected).absoluteFilePath());
            QVERIFY(dlg.targetFile().endsWith(QLatin1String(".jsonl")));
            dlg.setFormat(ExportOptions::Format::Csv);
            QVERIFY2(dlg.targetFile().endsWith(QLatin1String(".csv")), qPrintable(dlg.targetFile()));
            QVERIFY(!dlg.targetFile().contains(QLatin1String(".jsonl")));
            // The export remembers its folder.
            QDir(m_dir.path()).mkpath(QStringLiteral("exports"));
            dlg.setTargetFile(m_dir.filePath(QStringLiteral("exports/x.csv")));
            QVERIFY(runExport(dlg) > 0);
        }
        ExportDialog next(m_db, m_accounts);
        next.setSettings(&settings);
        QCOMPARE(QFileInfo(next.targetFile()).absolutePath(), m_dir.filePath(QStringLiteral("exports")));
        // A remembered folder that is gone is not used.
        QVERIFY(QDir(m_dir.filePath(QStringLiteral("exports"))).removeRecursively());
        ExportDialog third(m_db, m_accounts);
        third.setSettings(&settings);
        QVERIFY(QFileInfo(QFileInfo(third.targetFile()).absolutePath()).isDir());
    }
};

QTEST_MAIN(tst_ExportDialog)
#include "tst_exportdialog.moc"
