// UI load benchmark (not a ctest test; docs/performance.md): 100 accounts × 100 events a second each
// (10,000 events/s in total, every event with a status snapshot) pushed through the same signals
// AccountManager emits, into the real MainWindow (offscreen or X). A 5 ms probe timer measures
// how late the event loop serves it: the stall. Prints p50 / p99 / max and the repaint count.
//
//   QT_QPA_PLATFORM=offscreen bench_uiload [--seconds N] [--accounts N] [--rate EVENTS_PER_S]

#include "accountmanager.h"
#include "accountstore.h"
#include "accounttablemodel.h"
#include "eventlogmodel.h"
#include "mainwindow.h"
#include "monitorapp.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QTimer>

#include <algorithm>
#include <cstdio>

using namespace std::chrono_literals;

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.addOption({QStringLiteral("seconds"), QStringLiteral("Duration"), QStringLiteral("N"), QStringLiteral("5")});
    parser.addOption({QStringLiteral("accounts"), QStringLiteral("Accounts"), QStringLiteral("N"), QStringLiteral("100")});
    parser.addOption({QStringLiteral("rate"), QStringLiteral("Events per second"), QStringLiteral("N"), QStringLiteral("10000")});
    parser.addOption({QStringLiteral("no-events"), QStringLiteral("Status snapshots only (no event-log rows)")});
    parser.addOption({QStringLiteral("no-status"), QStringLiteral("Event-log rows only (no status snapshots)")});
    parser.addOption({QStringLiteral("hidden"), QStringLiteral("Do not show the window (no painting)")});
    parser.process(app);
    const bool withEvents = !parser.isSet(QStringLiteral("no-events"));
    const bool withStatus = !parser.isSet(QStringLiteral("no-status"));
    const int seconds = parser.value(QStringLiteral("seconds")).toInt();
    const int accounts = parser.value(QStringLiteral("accounts")).toInt();
    const int rate = parser.value(QStringLiteral("rate")).toInt();

    QTemporaryDir dir;
    gw::MonitorAppOptions appOptions;
    appOptions.timings = gw::GatewayTimings::fast();
    appOptions.store = std::make_unique<gw::AccountStore>(dir.filePath(QStringLiteral("a.ini")), QSettings::IniFormat);
    gw::MonitorApp monitorApp(std::move(appOptions));
    gw::AccountManager &manager = *monitorApp.manager();
    gw::GuiOptions opts;
    opts.app = &monitorApp;
    opts.settingsPath = dir.filePath(QStringLiteral("ui.ini"));
    gw::MainWindow window(opts);
    window.resize(1400, 900);
    if (!parser.isSet(QStringLiteral("hidden")))
        window.show();

    QList<gw::AccountStatus> statuses;
    for (int i = 0; i < accounts; ++i) {
        gw::AccountStatus s;
        s.accountId = QStringLiteral("acc-%1").arg(i);
        s.accountName = QStringLiteral("bot-%1").arg(i);
        s.state = gw::ConnectionState::Ready;
        s.stateSince = QDateTime::currentDateTimeUtc();
        statuses.append(s);
    }

    // generator: every millisecond, rate/1000 events (round robin over the accounts)
    QElapsedTimer clock;
    clock.start();
    qint64 sent = 0;
    int next = 0;
    QTimer generator;
    generator.setTimerType(Qt::PreciseTimer);
    generator.setInterval(1ms);
    QObject::connect(&generator, &QTimer::timeout, &window, [&] {
        const qint64 due = clock.elapsed() * rate / 1000;
        while (sent < due) {
            gw::AccountStatus &s = statuses[next];
            next = (next + 1) % accounts;
            s.stats.dispatches++;
            if (s.stats.dispatches % 20 == 0) {
                s.stats.acksReceived++;
                s.stats.heartbeatsSent++;
                s.stats.lastLatency = std::chrono::milliseconds(20 + int(sent % 40));
                s.stats.meanLatency = 40ms;
            }
            s.stats.lastSequence = qint64(s.stats.dispatches);
            s.stats.lastInboundAt = QDateTime::currentDateTimeUtc();
            if (withStatus)
                Q_EMIT manager.statusChanged(s);
            if (!withEvents) {
                ++sent;
                continue;
            }
            gw::EventLogEntry e;
            e.at = s.stats.lastInboundAt;
            e.accountId = s.accountId;
            e.accountName = s.accountName;
            e.kind = gw::EventKind::State;
            e.severity = gw::Severity::Debug;
            e.message = QStringLiteral("dispatch %1").arg(s.stats.dispatches);
            Q_EMIT manager.eventLogged(e);
            ++sent;
        }
    });

    // probe: how late is a 5 ms timer served?
    QList<double> stalls;
    QElapsedTimer probeClock;
    QTimer probe;
    probe.setTimerType(Qt::PreciseTimer);
    probe.setInterval(5ms);
    QObject::connect(&probe, &QTimer::timeout, &window, [&] {
        if (probeClock.isValid())
            stalls.append(std::max(0.0, double(probeClock.nsecsElapsed()) / 1e6 - 5.0));
        probeClock.restart();
    });

    const quint64 flushesBefore = window.accountModel()->flushCount();
    generator.start();
    probe.start();
    QTimer::singleShot(std::chrono::seconds(seconds), &app, &QApplication::quit);
    app.exec();
    generator.stop();
    probe.stop();

    std::sort(stalls.begin(), stalls.end());
    auto pct = [&](double p) { return stalls.isEmpty() ? 0.0 : stalls.at(qMin(stalls.size() - 1, qsizetype(p * stalls.size()))); };
    const double secs = clock.elapsed() / 1000.0;
    std::printf("bench_uiload: %d accounts, %lld events in %.1f s (%.0f events/s, each with a status snapshot)\n",
                accounts, sent, secs, sent / secs);
    std::printf("event-loop stall (5 ms probe lateness): p50 %.2f ms, p99 %.2f ms, max %.2f ms over %lld samples\n",
                pct(0.50), pct(0.99), stalls.isEmpty() ? 0.0 : stalls.constLast(), qint64(stalls.size()));
    std::printf("account table flushes: %llu (%.1f per second); event log rows: %d\n",
                static_cast<unsigned long long>(window.accountModel()->flushCount() - flushesBefore),
                (window.accountModel()->flushCount() - flushesBefore) / secs, window.eventModel()->rowCount());
    return 0;
}
