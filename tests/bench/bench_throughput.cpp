// Dispatch throughput of the whole client path, measured in the client's own process.
//
//   bench_throughput [--events N] [--bytes B] [--plain]
//
// The client is the app's core: AccountManager (worker thread: AccountSupervisor, GatewayClient
// with zlib-stream — inflate, envelope decode, sequence, counters, status snapshots) plus the
// EventRecorder feeding an EventLog on its own store thread, exactly as app/main.cpp wires them.
// `gatewatch-sim` runs in a child process; a Flood fault makes it send N MESSAGE_CREATE
// dispatches of about B bytes back to back. Only this process's CPU time (getrusage, every
// thread) between the flood request and the last dispatch counted is reported.
//
// Under `valgrind --tool=callgrind` the run zeroes the counters when the flood is requested and
// dumps them (CALLGRIND_DUMP_STATS_AT) once all N were counted, so that dump's total Ir / N is
// the instruction count per event, every thread included (scripts/bench.sh does this).
// Completion: a status carries the client's counters as of its last heartbeat ACK, so while
// waiting the benchmark asks the simulator for op 1 HEARTBEAT every 250 ms; each op 1 sits
// behind the flood on the socket, so the count arrives once the client has worked through it.
// Those few beats are part of the measured CPU (a handful against N events).
#include "accountmanager.h"
#include "benchsupport.h"
#include "eventlog.h"
#include "eventrecorder.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTemporaryDir>
#include <QThread>

#include <valgrind/callgrind.h>

using namespace gw;
using namespace gwbench;
using namespace std::chrono_literals;

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int events = 200000;
    int bytes = 1024;
    const QStringList args = app.arguments();
    const bool plain = args.contains(QLatin1String("--plain"));  // no zlib-stream: the cost without inflate
    for (int i = 1; i + 1 < args.size(); ++i) {
        if (args[i] == QLatin1String("--events"))
            events = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--bytes"))
            bytes = args[i + 1].toInt();
    }
    const bool underValgrind = RUNNING_ON_VALGRIND != 0;

    SimProcess sim;
    if (!sim.start({QStringLiteral("--bot"), QStringLiteral("flood:flood-token"), QStringLiteral("--dispatch-bytes"),
                    QString::number(bytes), QStringLiteral("--no-rate-limit"), QStringLiteral("--identify-bucket-interval"),
                    QStringLiteral("0")}))
        return 1;

    QTemporaryDir dir;
    QThread storeThread;
    storeThread.start();
    auto *log = new EventLog(dir.filePath(QStringLiteral("events.sqlite")));
    log->moveToThread(&storeThread);
    bool opened = false;
    QMetaObject::invokeMethod(log, [log, &opened] { opened = log->open().hasValue(); }, Qt::BlockingQueuedConnection);
    if (!opened) {
        std::fprintf(stderr, "event log did not open\n");
        return 1;
    }

    int rc = 0;
    {
        AccountManager manager;
        EventRecorder recorder(&manager, log);
        recorder.recordMonitorStarted(QStringLiteral("bench"));

        AccountStatus last;
        QObject::connect(&manager, &AccountManager::statusChanged, &app, [&](const AccountStatus &s) { last = s; });

        AccountRecord record;
        record.id = QStringLiteral("flood-account");
        record.name = QStringLiteral("flood");
        record.gatewayUrlOverride = sim.gateway();
        record.apiBaseOverride = sim.rest();
        record.compression = plain ? gw::Compression::None : gw::Compression::ZlibStream;
        manager.add(record, QStringLiteral("flood-token"));

        if (!waitUntil([&] { return last.state == ConnectionState::Ready; }, 30s)) {
            std::fprintf(stderr, "the account did not reach ready\n");
            return 1;
        }
        waitUntil([] { return false; }, 300ms);  // let READY/GUILD_CREATE bookkeeping settle
        const quint64 before = last.stats.dispatches;
        const quint64 bytesBefore = last.stats.bytesReceivedWire;

        if (underValgrind)
            CALLGRIND_ZERO_STATS;
        const double cpu0 = cpuSeconds();
        QElapsedTimer wall;
        wall.start();
        sim.postAsync(QStringLiteral("fault"),
                      QJsonObject{{QStringLiteral("bot"), QStringLiteral("flood")},
                                  {QStringLiteral("kind"), QStringLiteral("Flood")},
                                  {QStringLiteral("count"), events}});
        // The status's counters are refreshed on heartbeat ACKs (a flood must not become a flood
        // of status signals), so op 1 requests — queued behind the flood on the same socket —
        // make the client beat and report its count once it has worked through the flood.
        QTimer nudge;
        QObject::connect(&nudge, &QTimer::timeout, &app, [&sim] {
            sim.postAsync(QStringLiteral("fault"), QJsonObject{{QStringLiteral("bot"), QStringLiteral("flood")},
                                                               {QStringLiteral("kind"), QStringLiteral("RequestHeartbeat")}});
        });
        nudge.start(underValgrind ? 2000ms : 250ms);
        const bool all = waitUntil([&] { return last.stats.dispatches >= before + quint64(events); },
                                   underValgrind ? 1800s : 300s, 2ms);
        const double cpu = cpuSeconds() - cpu0;
        const double seconds = double(wall.nsecsElapsed()) / 1e9;
        nudge.stop();
        if (underValgrind)
            CALLGRIND_DUMP_STATS_AT("flood");
        if (!all) {
            std::fprintf(stderr, "only %llu of %d dispatches arrived\n",
                         static_cast<unsigned long long>(last.stats.dispatches - before), events);
            rc = 1;
        } else {
            const double wire = double(last.stats.bytesReceivedWire - bytesBefore) / events;
            std::printf("dispatch events:            %d of ~%d bytes (%s, %.0f bytes on the wire each)\n",
                        events, bytes, plain ? "plain JSON" : "zlib-stream", wire);
            std::printf("client CPU (all threads):   %.3f s over %.3f s wall\n", cpu, seconds);
            std::printf("client CPU per event:       %.2f us\n", cpu * 1e6 / events);
            std::printf("events/s per core:          %.0f\n", events / cpu);
            std::printf("events/s wall (incl. sim):  %.0f\n", events / seconds);
            std::printf("peak RSS:                   %ld KiB\n", procStatusKiB("VmHWM"));
            if (!underValgrind) {
                result(plain ? "throughput_plain_us_per_event" : "throughput_us_per_event", cpu * 1e6 / events, "us");
                result(plain ? "throughput_plain_events_per_core_s" : "throughput_events_per_core_s", events / cpu,
                       "events/s");
            }
        }
        manager.stopAll();
        waitUntil([] { return false; }, 200ms);
    }
    QMetaObject::invokeMethod(log, [log] { delete log; }, Qt::BlockingQueuedConnection);
    storeThread.quit();
    storeThread.wait();
    return rc;
}
