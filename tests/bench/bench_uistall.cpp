// GUI-thread stalls while 100 accounts receive 10,000 dispatch events/s in total.
//
//   QT_QPA_PLATFORM=offscreen bench_uistall [--accounts 100] [--rate 10000] [--seconds 20] [--bytes 256] [--sims 1]
//
// The real MainWindow with its real models, fed by the real AccountManager (worker thread) and
// an EventLog on a store thread with the EventRecorder, wired as app/main.cpp wires them; the
// accounts are stored in an AccountStore (temp INI) with their tokens in a session vault.
// `gatewatch-sim` runs in another process (or two: --sims 2) with --dispatch-interval so that every session gets
// rate/accounts MESSAGE_CREATEs per second (--bytes each, default 256: the simulator's default size,
// so that one simulator process can produce 10,000/s on this machine; zlib-stream).
// Probe: a 5 ms precise QTimer on the GUI thread; a stall is how much later than 5 ms after the
// previous tick a tick ran. p50/p99/max over the measuring window are printed.
#include "accountmanager.h"
#include "accountstore.h"
#include "benchsupport.h"
#include "eventlog.h"
#include "monitorapp.h"
#include "mainwindow.h"

#include <QApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QThread>

using namespace gw;
using namespace gwbench;
using namespace std::chrono_literals;

int main(int argc, char **argv)
{
    QApplication app(argc, argv);
    int accounts = 100;
    int rate = 10000;
    int seconds = 20;
    int bytes = 256;
    int nSims = 1;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1String("--accounts"))
            accounts = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--rate"))
            rate = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--seconds"))
            seconds = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--bytes"))
            bytes = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--sims"))
            nSims = std::clamp(args[i + 1].toInt(), 1, 2);
    }
    const int perSessionMs = std::max(1, 1000 * accounts / std::max(1, rate));

    QStringList simArgs{QStringLiteral("--no-rate-limit"), QStringLiteral("--no-identify-limit"),
                        QStringLiteral("--identify-bucket-interval"), QStringLiteral("0"),
                        QStringLiteral("--dispatch-interval"), QString::number(perSessionMs),
                        QStringLiteral("--dispatch-bytes"), QString::number(bytes)};
    for (int i = 0; i < accounts; ++i)
        simArgs << QStringLiteral("--bot") << QStringLiteral("ui-%1:ui-bench-token-%1").arg(i);
    // --sims 2 splits the accounts over two simulator processes (more producing CPU, but on a
    // 2-core machine also more competition for the GUI thread's core).
    SimProcess sims[2];
    for (int i = 0; i < nSims; ++i) {
        if (!sims[i].start(simArgs))
            return 1;
    }

    QTemporaryDir dir;
    QThread storeThread;
    storeThread.start();
    const QString dbPath = dir.filePath(QStringLiteral("events.sqlite"));
    auto *log = new EventLog(dbPath);
    log->moveToThread(&storeThread);
    bool opened = false;
    QMetaObject::invokeMethod(log, [log, &opened] { opened = log->open().hasValue(); }, Qt::BlockingQueuedConnection);
    if (!opened)
        return 1;

    int rc = 0;
    {
        MonitorAppOptions appOptions;
        appOptions.store = std::make_unique<AccountStore>(dir.filePath(QStringLiteral("accounts.ini")),
                                                          QSettings::IniFormat);
        appOptions.eventLog = log;
        MonitorApp monitorApp(std::move(appOptions));
        monitorApp.recordMonitorStarted(QStringLiteral("bench"));
        AccountManager &manager = *monitorApp.manager();

        GuiOptions options;
        options.app = &monitorApp;
        options.eventLog = log;
        options.eventDatabasePath = dbPath;
        options.settingsPath = dir.filePath(QStringLiteral("ui.ini"));
        options.startStoredAccounts = false;
        MainWindow window(options);
        window.resize(1280, 800);
        window.show();

        for (int i = 0; i < accounts; ++i) {
            AccountRecord record;
            record.name = QStringLiteral("ui-%1").arg(i);
            record.gatewayUrlOverride = sims[i % nSims].gateway();
            record.apiBaseOverride = sims[i % nSims].rest();
            record.id = AccountStore::newId();
            monitorApp.monitorSessionAccount(record, QStringLiteral("ui-bench-token-%1").arg(i));
        }

        const auto readyCount = [&] {
            int n = 0;
            for (const AccountStatus &s : manager.statuses())
                n += (s.state == ConnectionState::Ready || s.state == ConnectionState::Degraded) ? 1 : 0;
            return n;
        };
        if (!waitUntil([&] { return readyCount() == accounts; }, 120s, 50ms)) {
            std::fprintf(stderr, "only %d of %d accounts reached ready\n", readyCount(), accounts);
            return 1;
        }
        waitUntil([] { return false; }, 2s, 50ms);  // warm-up: dispatch timers running everywhere

        const auto dispatched = [&] {
            quint64 n = 0;
            for (const AccountStatus &s : manager.statuses())
                n += s.stats.dispatches;
            return n;
        };
        std::vector<double> stalls;
        stalls.reserve(std::size_t(seconds) * 250);
        QElapsedTimer clock;
        QTimer probe;
        probe.setTimerType(Qt::PreciseTimer);
        probe.setInterval(5ms);
        qint64 previous = 0;
        QObject::connect(&probe, &QTimer::timeout, &app, [&] {
            const qint64 now = clock.nsecsElapsed();
            stalls.push_back(std::max(0.0, double(now - previous) / 1e6 - 5.0));
            previous = now;
        });
        // A status carries the client's counters as of its last heartbeat ACK: op 1 requests to
        // every bot make them current at the start and at the end of the window.
        const auto nudgeAll = [&] {
            for (int i = 0; i < accounts; ++i)
                sims[i % nSims].postAsync(QStringLiteral("fault"), QJsonObject{{QStringLiteral("bot"), QStringLiteral("ui-%1").arg(i)},
                                                                   {QStringLiteral("kind"), QStringLiteral("RequestHeartbeat")}});
        };
        const double cpu0 = cpuSeconds();
        clock.start();
        previous = clock.nsecsElapsed();
        probe.start();
        nudgeAll();
        waitUntil([] { return false; }, 1s, 50ms);
        const quint64 d0 = dispatched();
        const qint64 t0 = clock.nsecsElapsed() - 1'000'000'000;
        waitUntil([&] { return clock.elapsed() >= qint64(seconds) * 1000; }, std::chrono::seconds(seconds + 30), 100ms);
        nudgeAll();
        const qint64 t1 = clock.nsecsElapsed();
        waitUntil([] { return false; }, 1s, 50ms);
        probe.stop();
        const double wall = double(clock.nsecsElapsed()) / 1e9;
        const double cpu = cpuSeconds() - cpu0;
        const double achieved = double(dispatched() - d0) / (double(t1 - t0) / 1e9);

        const Summary s = summarise(stalls);
        std::printf("accounts ready:            %d (ready or degraded at the end: %d)\n", accounts, readyCount());
        std::printf("dispatch events received:  %.0f /s (asked for %d /s; %d ms per session)\n", achieved, rate,
                    perSessionMs);
        std::printf("probe ticks:               %zu over %.1f s (5 ms timer)\n", s.n, wall);
        std::printf("GUI-thread stall:          p50 %.2f ms, p95 %.2f ms, p99 %.2f ms, max %.2f ms\n", s.p50, s.p95,
                    s.p99, s.max);
        std::printf("client CPU (all threads):  %.1f %% of one core\n", 100.0 * cpu / wall);
        result("ui_stall_p50_ms", s.p50, "ms");
        result("ui_stall_p99_ms", s.p99, "ms");
        result("ui_events_per_s", achieved, "events/s");
        result("ui_client_cpu_percent", 100.0 * cpu / wall, "%");
        if (achieved < 0.8 * rate) {
            std::fprintf(stderr, "warning: the simulator delivered only %.0f events/s\n", achieved);
            rc = 0;
        }
        manager.stopAll();
        waitUntil([] { return false; }, 300ms);
    }
    QMetaObject::invokeMethod(log, [log] { delete log; }, Qt::BlockingQueuedConnection);
    storeThread.quit();
    storeThread.wait();
    return rc;
}
