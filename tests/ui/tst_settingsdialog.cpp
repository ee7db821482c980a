// Settings: AppSettings round-trips through QSettings (never a token), the dialog shows and edits
// the values (seconds / milliseconds), Restore Defaults brings back the seed's timings, and the
// metrics endpoint is off by default on loopback.

#include "appsettings.h"
#include "settingsdialog.h"

#include <QCheckBox>
#include <QDialogButtonBox>
#include <QLineEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QLabel>
#include <QTabBar>
#include <QTest>

using namespace std::chrono_literals;

class tst_SettingsDialog final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void defaultsAreTheSeedsAndMetricsAreOff()
    {
        const gw::AppSettings s;
        QCOMPARE(s.timings.readyTimeout, std::chrono::milliseconds(15s));
        QCOMPARE(s.timings.helloWatch, std::chrono::milliseconds(30s));
        QCOMPARE(s.timings.reconnectStallTimeout, std::chrono::milliseconds(5min));
        QVERIFY(!s.metricsEnabled);
        QVERIFY(s.metricsListen.startsWith(QLatin1String("127.0.0.1:")));
    }

    void roundTripsThroughQSettings()
    {
        QTemporaryDir dir;
        const QString path = dir.filePath(QStringLiteral("ui.ini"));
        gw::AppSettings s;
        s.timings.readyTimeout = 20s;
        s.timings.backoffBase = 1500ms;
        s.timings.reconnectBudget = 7;
        s.notifications.downThreshold = 90s;
        s.notifications.groupMinAccounts = 5;
        s.retentionDays = 30;
        s.metricsEnabled = true;
        s.metricsListen = QStringLiteral("127.0.0.1:9555");
        {
            auto settings = gw::openSettings(path);
            s.save(*settings);
        }
        auto settings = gw::openSettings(path);
        const gw::AppSettings back = gw::AppSettings::load(*settings);
        QCOMPARE(back.timings.readyTimeout, std::chrono::milliseconds(20s));
        QCOMPARE(back.timings.backoffBase, std::chrono::milliseconds(1500));
        QCOMPARE(back.timings.reconnectBudget, 7);
        QCOMPARE(back.notifications.downThreshold, std::chrono::milliseconds(90s));
        QCOMPARE(back.notifications.groupMinAccounts, 5);
        QCOMPARE(back.retentionDays, 30);
        QVERIFY(back.metricsEnabled);
        QCOMPARE(back.metricsListen, QStringLiteral("127.0.0.1:9555"));
        QCOMPARE(gw::AppSettings::loadTimings(*settings).readyTimeout, std::chrono::milliseconds(20s));
    }

    void everyTabIsVisible()
    {
        gw::SettingsDialog dlg(gw::AppSettings{});
        dlg.show();
        QVERIFY(QTest::qWaitForWindowExposed(&dlg));
        auto *bar = dlg.findChild<QTabBar *>();
        QVERIFY(bar);
        QCOMPARE(bar->count(), 4);
        // No scroll arrows hiding the Metrics tab: the bar shows every tab whole.
        QVERIFY(!bar->usesScrollButtons());
        QVERIFY2(bar->tabRect(bar->count() - 1).right() <= bar->width(),
                 qPrintable(QStringLiteral("last tab ends at %1, bar %2 wide").arg(bar->tabRect(bar->count() - 1).right()).arg(bar->width())));
        // The per-bot muting it mentions exists: Account → Edit… has the checkbox (tst_addbotdialog).
        QVERIFY(!dlg.findChildren<QLabel *>().isEmpty());
        bool mentionsEdit = false;
        for (const QLabel *l : dlg.findChildren<QLabel *>())
            mentionsEdit |= l->text().contains(QLatin1String("Mute this bot's notifications"));
        QVERIFY(mentionsEdit);
    }

    void dialogEditsAndRestoresDefaults()
    {
        gw::AppSettings s;
        s.timings.readyTimeout = 20s;
        s.retentionDays = 30;
        gw::SettingsDialog dlg(s);
        QCOMPARE(dlg.settings().timings.readyTimeout, std::chrono::milliseconds(20s));
        QCOMPARE(dlg.settings().retentionDays, 30);
        const auto boxes = dlg.findChildren<QSpinBox *>();
        QVERIFY(boxes.size() >= 15);
        dlg.findChild<QSpinBox *>(QStringLiteral("handshakeTimeout"))->setValue(12);   // seconds
        QCOMPARE(dlg.settings().timings.handshakeTimeout, std::chrono::milliseconds(12s));
        auto *metrics = dlg.findChild<QCheckBox *>(QStringLiteral("metricsEnabled"));
        QVERIFY(metrics);
        QVERIFY(!metrics->isChecked());
        metrics->setChecked(true);
        QVERIFY(dlg.settings().metricsEnabled);
        dlg.findChild<QDialogButtonBox *>()->button(QDialogButtonBox::RestoreDefaults)->click();
        const gw::AppSettings d = dlg.settings();
        QCOMPARE(d.timings.readyTimeout, std::chrono::milliseconds(15s));
        QCOMPARE(d.timings.handshakeTimeout, gw::GatewayTimings::defaults().handshakeTimeout);
        QCOMPARE(d.retentionDays, 90);
        QVERIFY(!d.metricsEnabled);
    }
};

QTEST_MAIN(tst_SettingsDialog)
#include "tst_settingsdialog.moc"
