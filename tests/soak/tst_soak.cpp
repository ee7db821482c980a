// Soak: N accounts on one AccountManager against the REAL GatewaySimulator for D seconds, with a
// random fault of every kind the simulator can inject (gw::SimFault) injected continuously. Checks:
//  - zero crashes (the process survives; ASan/UBSan in build-asan),
//  - heap-in-use growth after warm-up ≤ 5 % (median sample of the last third against the median
//    of the middle third; VmRSS is printed beside it; not enforced under ASan, whose quarantine
//    holds freed memory; the figure is still printed),
//  - every disruptive fault is followed by a Close event of that account (disconnect history),
//    every Malformed fault by a higher malformed_payloads counter,
//  - no account stuck: each ends Ready/Degraded, Reconnecting with a scheduled attempt, or
//    Failed with a reason,
//  - no IDENTIFY spent where a RESUME was possible: after a resumable fault the next op 2/6 the
//    simulator records from that bot is 6.
// GATEWATCH_SOAK_ACCOUNTS (default 50) and GATEWATCH_SOAK_SECONDS (default 60) size it; the
// figures are printed as one "SOAK RESULT" line for docs/reliability.md.
#include "accountmanager.h"
#include "accountsfixture.h"
#include "gatewaysimulator.h"
#include "process.h"
#include "simfixture.h"
#include "testtimings.h"

#include <QElapsedTimer>
#include <QHash>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>

#include <cstdio>
#include <malloc.h>
#include <memory>

using namespace std::chrono_literals;
using gw::AccountManager;
using gw::AccountStatus;
using gw::ConnectionState;
using gw::SimFault;

namespace {

//! Resident memory after returning free heap pages to the kernel (malloc_trim): without it,
//! glibc keeps freed 17 MiB Oversized buffers in its arenas and RSS shows allocator
//! high-water marks, not live memory.
qint64 vmRssKb()
{
    malloc_trim(0);
    return gwtest::vmRssKb();
}

//! Bytes the process's malloc holds for live allocations (small chunks plus mmapped ones), KiB.
qint64 heapInUseKb()
{
    const struct mallinfo2 info = mallinfo2();
    return qint64((info.uordblks + info.hblkhd) / 1024);
}

using gwtest::UnderAsan;

int envInt(const char *name, int fallback)
{
    bool ok = false;
    const int v = qEnvironmentVariableIntValue(name, &ok);
    return ok && v > 0 ? v : fallback;
}

QString idFor(int i)
{
    return QStringLiteral("00000000-0000-0000-0000-%1").arg(i, 12, 10, QLatin1Char('0'));
}
QString botFor(int i)
{
    return QStringLiteral("soak%1").arg(i);
}
QString tokenFor(int i)
{
    return QStringLiteral("soak-token-%1-abcdef").arg(i);
}

struct Injected
{
    SimFault::Kind kind;
    bool resumable = false;   //!< the next op 2/6 must be 6
    bool disruptive = false;  //!< a Close event must follow
    qint64 atMs = 0;
    int malformedBefore = -1;
    int restartsBefore = 0;  //!< a manager restart makes a new client with fresh counters
};

struct Identity
{
    int op;
    qint64 atMs;
};

} // namespace

class TestSoak final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void soak();
};

void TestSoak::soak()
{
    QStandardPaths::setTestModeEnabled(true);
    // Hundreds of sockets: keep the per-state info lines out, warnings and the result stay.
    QLoggingCategory::setFilterRules(QStringLiteral("gatewatch.*.info=false"));
    const int accounts = envInt("GATEWATCH_SOAK_ACCOUNTS", 50);
    const int seconds = envInt("GATEWATCH_SOAK_SECONDS", 60);

    gw::GatewaySimulator::Options o;
    o.heartbeatInterval = 2000ms;
    o.heartbeatTimeoutGrace = 4000ms;
    o.identifyBucketInterval = 20ms;
    o.recordLimit = 1000000;
    o.sessionResumeWindow = 10min;
    // Every session's replay buffer is filled to this limit before the fault loop (below), so the
    // simulator's own memory is flat from then on and the heap check measures the monitor.
    o.replayBufferLimit = 256;
    gw::GatewaySimulator sim(o);
    for (int i = 0; i < accounts; ++i) {
        gwtest::addBot(sim, tokenFor(i), botFor(i));
    }
    QVERIFY2(sim.start(), qPrintable(sim.errorString()));

    gw::GatewayTimings t = gwtest::testTimings(gwtest::margins::Soak);
    t.identifyBucketInterval = 20ms;
    t.latencyWarning = 1000ms;
    t.restartBackoffBase = 200ms;
    t.restartBackoffMax = 2000ms;
    AccountManager manager(t);

    QHash<QString, int> indexOfId;
    QHash<int, QList<qint64>> closesAt;          // account → Close event times (ms)
    QHash<int, AccountStatus> last;
    QObject::connect(&manager, &AccountManager::statusChanged, this,
                     [&](const AccountStatus &s) { last.insert(indexOfId.value(s.accountId, -1), s); });
    QObject::connect(&manager, &AccountManager::eventLogged, this, [&](const gw::EventLogEntry &e) {
        if (e.kind == gw::EventKind::Close)
            closesAt[indexOfId.value(e.accountId, -1)].append(e.at.toMSecsSinceEpoch());
    });
    for (int i = 0; i < accounts; ++i) {
        const gw::AccountRecord r = gwtest::simRecord(sim, idFor(i), QStringLiteral("Soak %1").arg(i),
                                                           (i % 2) == 0 ? gw::Compression::ZlibStream : gw::Compression::None);
        indexOfId.insert(r.id, i);
        manager.add(r, tokenFor(i));
    }
    auto readyCount = [&] {
        int n = 0;
        for (int i = 0; i < accounts; ++i) {
            const auto it = last.constFind(i);
            n += (it != last.cend() && (it->state == ConnectionState::Ready || it->state == ConnectionState::Degraded)) ? 1 : 0;
        }
        return n;
    };
    QTRY_VERIFY_WITH_TIMEOUT(readyCount() == accounts, 120000);

    // IDENTIFY/RESUME records, drained from the simulator as we go (its record list stays small).
    QHash<QString, QList<Identity>> identities;
    auto drain = [&] {
        const QList<gw::SimReceived> rec = sim.received();
        sim.clearRecords();
        for (const gw::SimReceived &r : rec) {
            if (r.op == 2 || r.op == 6)
                identities[r.botName].append(Identity{r.op, r.atMs});
        }
    };
    drain();
    SimFault prime;
    prime.kind = SimFault::Kind::Flood;
    prime.count = o.replayBufferLimit;
    for (int i = 0; i < accounts; ++i)
        QVERIFY(sim.injectFault(botFor(i), prime));

    // --- fault loop ---------------------------------------------------------------------------
    const QList<SimFault::Kind> kinds{
        SimFault::Kind::WithholdHello, SimFault::Kind::WithholdReady, SimFault::Kind::SlowHandshake,
        SimFault::Kind::StopAcks, SimFault::Kind::GoSilent, SimFault::Kind::Reconnect,
        SimFault::Kind::InvalidSession, SimFault::Kind::RequestHeartbeat, SimFault::Kind::Close,
        SimFault::Kind::DropTcp, SimFault::Kind::Flood, SimFault::Kind::Malformed, SimFault::Kind::Oversized};
    QHash<int, QList<Injected>> injected;
    QHash<int, qint64> busyUntil;      // one disruptive fault at a time per account
    QHash<QString, int> perKind;
    int injectedTotal = 0;
    QRandomGenerator rng(20260229);
    QElapsedTimer clock;
    clock.start();
    const qint64 runMs = qint64(seconds) * 1000;
    const qint64 injectUntil = std::max<qint64>(runMs - 8000, runMs / 2);
    // RSS swings by tens of MiB within seconds while faults play (17 MiB Oversized frames, floods
    // of 200 dispatches, the simulator's replay buffers) and depends on what glibc can hand back
    // (fragmentation: the settled end was 31 MiB in one run, 60 MiB in another), so it is printed,
    // not judged. The check is on the heap in use (malloc's own count of live bytes, mmapped
    // chunks included), which a leak raises and fragmentation does not. It swings too (a 17 MiB
    // frame in flight, a moment with many sessions torn down: 11 MiB against a steady 18 in one
    // loaded run), so neither one sample nor the lowest is the measure: the median of the middle
    // third (after warm-up) against the median of the last third, settled end included. A leak
    // moves the median; a spike or a dip does not.
    qint64 rssWarm = -1;   // floor of the middle third
    qint64 rssLate = -1;   // floor of the last third
    qint64 rssPeak = 0;
    QList<qint64> heapWarmSamples;   // heap in use, middle third
    QList<qint64> heapLateSamples;   // heap in use, last third (settled end included)
    QStringList rssSamples;   // MiB every 2 s, printed with the result
    QStringList heapSamples;
    auto lower = [](qint64 &floor, qint64 v) { floor = floor < 0 ? v : std::min(floor, v); };

    auto injectOne = [&] {
        const int i = int(rng.bounded(accounts));
        const auto st = last.value(i);
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        if (!(st.state == ConnectionState::Ready || st.state == ConnectionState::Degraded) || busyUntil.value(i) > now)
            return;
        const SimFault::Kind kind = kinds.at(int(rng.bounded(qsizetype(kinds.size()))));
        SimFault f;
        f.kind = kind;
        Injected rec{kind, false, false, now, -1, st.restarts};
        switch (kind) {
        case SimFault::Kind::WithholdHello:
        case SimFault::Kind::WithholdReady:
        case SimFault::Kind::SlowHandshake: {
            // Sticky: armed for the next socket, then this account's socket is closed (4000) so
            // that it reconnects into the fault.
            f.connections = 1;
            f.delay = 1500ms;
            if (!sim.injectFault(botFor(i), f))
                return;
            SimFault close;
            close.kind = SimFault::Kind::Close;
            close.closeCode = 4000;
            if (!sim.injectFault(botFor(i), close))
                return;
            rec.resumable = true;   // a withheld HELLO/READY or a slow upgrade still resumes
            rec.disruptive = true;
            break;
        }
        case SimFault::Kind::InvalidSession:
            f.resumable = rng.bounded(2) == 0;
            rec.resumable = f.resumable;
            rec.disruptive = true;
            break;
        case SimFault::Kind::Close:
            f.closeCode = rng.bounded(2) == 0 ? 4000 : 1001;
            rec.resumable = true;
            rec.disruptive = true;
            break;
        case SimFault::Kind::StopAcks:
        case SimFault::Kind::GoSilent:
        case SimFault::Kind::Reconnect:
        case SimFault::Kind::DropTcp:
            rec.resumable = true;
            rec.disruptive = true;
            break;
        case SimFault::Kind::Oversized:
            f.size = 17 * 1024 * 1024;   // over the 16 MiB cap: the client closes and resumes
            rec.resumable = true;
            rec.disruptive = true;
            break;
        case SimFault::Kind::Flood:
            f.count = 200;
            break;
        case SimFault::Kind::Malformed:
            rec.malformedBefore = int(st.stats.malformedPayloads);
            break;
        default:
            break;
        }
        if (!f.isSticky() && !sim.injectFault(botFor(i), f))
            return;
        injected[i].append(rec);
        ++perKind[gw::GatewaySimulator::faultKindName(kind)];
        ++injectedTotal;
        if (rec.disruptive)
            busyUntil.insert(i, now + 15000);  // cleared by the account's next Ready
    };

    QTimer faults;
    faults.setInterval(std::max(20, 6000 / accounts));
    QObject::connect(&faults, &QTimer::timeout, this, [&] {
        if (clock.elapsed() < injectUntil)
            injectOne();
    });
    QObject::connect(&manager, &AccountManager::statusChanged, this, [&](const AccountStatus &s) {
        if (s.state == ConnectionState::Ready)
            busyUntil.remove(indexOfId.value(s.accountId, -1));
    });
    QTimer sampler;
    sampler.setInterval(2000);
    QObject::connect(&sampler, &QTimer::timeout, this, [&] {
        drain();
        const qint64 rss = vmRssKb();
        rssPeak = std::max(rssPeak, rss);
        const qint64 heap = heapInUseKb();
        rssSamples.append(QString::number(rss / 1024));
        heapSamples.append(QString::number(heap / 1024));
        const qint64 at = clock.elapsed();
        if (at >= runMs / 3 && at < 2 * runMs / 3) {
            lower(rssWarm, rss);
            heapWarmSamples.append(heap);
        } else if (at >= 2 * runMs / 3) {
            lower(rssLate, rss);
            heapLateSamples.append(heap);
        }
    });
    faults.start();
    sampler.start();
    QTRY_VERIFY_WITH_TIMEOUT(clock.elapsed() >= runMs, int(runMs + 60000));
    faults.stop();

    // --- settle: nobody stuck ----------------------------------------------------------------
    auto settled = [&](int i) {
        const auto it = last.constFind(i);
        if (it == last.cend())
            return false;
        switch (it->state) {
        case ConnectionState::Ready:
        case ConnectionState::Degraded:
            return true;
        case ConnectionState::Reconnecting:
            return it->nextAttemptAt.isValid();
        case ConnectionState::Failed:
            return !it->failure.message.isEmpty() || !it->lastError.isEmpty();
        default:
            return false;
        }
    };
    auto stuck = [&] {
        QStringList out;
        for (int i = 0; i < accounts; ++i) {
            if (!settled(i))
                out.append(QStringLiteral("%1:%2").arg(i).arg(gw::stateName(last.value(i).state)));
        }
        return out;
    };
    QTRY_VERIFY2_WITH_TIMEOUT(stuck().isEmpty(), qPrintable(stuck().join(QLatin1Char(' '))), 60000);
    sampler.stop();
    drain();
    const qint64 rssEnd = vmRssKb();

    // --- accounting ----------------------------------------------------------------------------
    int disruptive = 0, unaccounted = 0, resumableFaults = 0, wastedIdentifies = 0, malformedMissed = 0;
    QStringList problems;
    for (auto it = injected.cbegin(); it != injected.cend(); ++it) {
        const int i = it.key();
        const QList<qint64> closes = closesAt.value(i);
        const QList<Identity> ids = identities.value(botFor(i));
        for (const Injected &f : it.value()) {
            if (f.disruptive) {
                ++disruptive;
                const bool closed = std::any_of(closes.cbegin(), closes.cend(), [&f](qint64 at) { return at >= f.atMs - 5; });
                if (!closed) {
                    ++unaccounted;
                    problems.append(QStringLiteral("%1 on %2 at %3: no Close event").arg(gw::GatewaySimulator::faultKindName(f.kind)).arg(i).arg(f.atMs));
                }
            }
            if (f.resumable) {
                ++resumableFaults;
                const auto next = std::find_if(ids.cbegin(), ids.cend(), [&f](const Identity &x) { return x.atMs >= f.atMs; });
                if (next != ids.cend() && next->op != 6) {
                    ++wastedIdentifies;
                    problems.append(QStringLiteral("%1 on %2: IDENTIFY where a RESUME was possible").arg(gw::GatewaySimulator::faultKindName(f.kind)).arg(i));
                }
            }
            // A Malformed fault is accounted for by the counter, or (when the simulator's newest
            // socket of the bot was already being replaced) by a close right after it.
            const bool closedAfter = std::any_of(closes.cbegin(), closes.cend(), [&f](qint64 at) { return at >= f.atMs - 5; });
            if (f.malformedBefore >= 0 && last.value(i).restarts == f.restartsBefore && !closedAfter
                && int(last.value(i).stats.malformedPayloads) <= f.malformedBefore) {
                ++malformedMissed;
                problems.append(QStringLiteral("Malformed on %1 not counted").arg(i));
            }
        }
    }
    int ready = 0, reconnecting = 0, failed = 0;
    for (int i = 0; i < accounts; ++i) {
        const auto s = last.value(i).state;
        ready += (s == ConnectionState::Ready || s == ConnectionState::Degraded) ? 1 : 0;
        reconnecting += s == ConnectionState::Reconnecting ? 1 : 0;
        failed += s == ConnectionState::Failed ? 1 : 0;
    }
    lower(rssLate, rssEnd);
    const qint64 heapEnd = heapInUseKb();
    heapLateSamples.append(heapEnd);
    const auto median = [](QList<qint64> v) {
        if (v.isEmpty())
            return qint64(-1);
        std::sort(v.begin(), v.end());
        return v.at(v.size() / 2);
    };
    const qint64 heapWarm = median(heapWarmSamples);
    const qint64 heapLate = median(heapLateSamples);
    const double rssGrowth = rssWarm > 0 ? 100.0 * double(rssLate - rssWarm) / double(rssWarm) : 0.0;
    const double growth = heapWarm > 0 ? 100.0 * double(heapLate - heapWarm) / double(heapWarm) : 0.0;
    QStringList kindsLine;
    for (auto it = perKind.cbegin(); it != perKind.cend(); ++it)
        kindsLine.append(QStringLiteral("%1=%2").arg(it.key()).arg(it.value()));
    kindsLine.sort();
    // stderr, not qInfo: Qt Test stops printing messages after -maxwarnings (2000), and a long
    // soak logs far more warnings than that.
    std::fprintf(stderr, "SOAK RESULT accounts=%d seconds=%d faults=%d disruptive=%d unaccounted=%d resumable=%d "
          "identify_instead_of_resume=%d malformed_uncounted=%d end_ready=%d end_reconnecting=%d end_failed=%d "
          "rss_warm_floor_kb=%lld rss_late_floor_kb=%lld rss_end_kb=%lld rss_peak_kb=%lld rss_growth_pct=%.2f "
          "heap_warm_median_kb=%lld heap_late_median_kb=%lld heap_end_kb=%lld heap_growth_pct=%.2f asan=%d\n",
          accounts, seconds, injectedTotal, disruptive, unaccounted, resumableFaults, wastedIdentifies,
          malformedMissed, ready, reconnecting, failed, rssWarm, rssLate, rssEnd, rssPeak, rssGrowth,
          heapWarm, heapLate, heapEnd, growth, int(UnderAsan));
    std::fprintf(stderr, "SOAK FAULTS %s\n", qPrintable(kindsLine.join(QLatin1Char(' '))));
    std::fprintf(stderr, "SOAK RSS_MIB %s\n", qPrintable(rssSamples.join(QLatin1Char(' '))));
    std::fprintf(stderr, "SOAK HEAP_MIB %s\n", qPrintable(heapSamples.join(QLatin1Char(' '))));
    for (const QString &p : std::as_const(problems).mid(0, 30))
        std::fprintf(stderr, "SOAK PROBLEM %s\n", qPrintable(p));

    QVERIFY(injectedTotal > 0);
    QCOMPARE(perKind.size(), kinds.size());   // every kind was played at least once
    QCOMPARE(unaccounted, 0);
    QCOMPARE(wastedIdentifies, 0);
    QCOMPARE(malformedMissed, 0);
    if (!UnderAsan)
        QVERIFY2(growth <= 5.0, qPrintable(QStringLiteral("heap in use grew %1 % after warm-up").arg(growth)));
}

QTEST_GUILESS_MAIN(TestSoak)
#include "tst_soak.moc"
