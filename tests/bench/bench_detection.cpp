// Detection of a silent gateway, measured against gatewatch-sim in another process.
//
//   bench_detection [--interval MS] [--runs N] [--accounts K]
//
// K accounts (default 10, one bot each, so faults never interfere) run under the app's
// AccountManager with the default timings except the latency threshold and the stable period
// (see below). For each run an account waits out the stable period after READY/RESUMED and then
// a random 0.5–1.5 heartbeat intervals (a random phase against its heartbeat timer), then the
// simulator goes silent on its socket:
//   zombie    = StopAcks (heartbeats are no longer ACKed; dispatches would still flow),
//   blackhole = GoSilent (nothing at all is sent any more; the socket stays open).
// Measured from the moment the fault request is sent (an upper bound of the silence's start):
//   degraded: first status with state Degraded,
//   closed:   first status whose disconnect count went up (the client closed the socket),
//   ready:    first status Ready again with one more successful RESUME.
// Kinds alternate per account; every figure is printed in ms and in heartbeat intervals.
//
// The client's "ACK deadline": a beat must be ACKed before the next beat is due, i.e. within one
// heartbeat interval (GatewayClient::handleHeartbeatTick: still awaiting the ACK at the next tick
// → zombie → close 4000 → RESUME at once). Degraded is shown when the ACK is later than
// max(latencyWarning, interval/4). With the default 41.25 s interval and 1 s latencyWarning that
// is interval/4; the benchmark keeps that ratio by setting latencyWarning to interval/8.
//
// The recovery timings are scaled like the interval (× interval / 41.25 s): a session that dies
// before the stable period (60 s by default) counts as a failed one, so the next reconnect backs
// off and five such deaths make the account flapping; even after a stable session the first
// reconnect waits a random [0, backoffBase] (1 s by default) (docs/lifecycle.md, "Backoff,
// flapping, jitter"). What is measured is a healthy session going silent: each fault comes after
// the scaled stable period, and the reconnect jitter is the scaled share of an interval.
#include "accountmanager.h"
#include "benchsupport.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QRandomGenerator>

#include <algorithm>
#include <cstring>
#include <map>

using namespace gw;
using namespace gwbench;
using namespace std::chrono_literals;

namespace {

struct Run
{
    double degraded = -1, closed = -1, ready = -1;
    bool resumed = true;
};

struct Account
{
    QString id;
    QString bot;
    int runIndex = 0;
    bool armed = false;       //!< a fault is in flight for this run
    qint64 t0Ns = 0;
    quint64 disconnects0 = 0;
    int resumes0 = 0, identifies0 = 0;
    Run run;
    QTimer *timer = nullptr;
};

} // namespace

int main(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    int intervalMs = 250;
    int runs = 60;
    int accounts = 10;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1String("--interval"))
            intervalMs = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--runs"))
            runs = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--accounts"))
            accounts = args[i + 1].toInt();
    }

    QStringList simArgs{QStringLiteral("--heartbeat-interval"), QString::number(intervalMs),
                        QStringLiteral("--no-rate-limit"), QStringLiteral("--no-identify-limit"),
                        QStringLiteral("--identify-bucket-interval"), QStringLiteral("0")};
    for (int i = 0; i < accounts; ++i)
        simArgs << QStringLiteral("--bot") << QStringLiteral("d%1:det-token-%1").arg(i);
    SimProcess sim;
    if (!sim.start(simArgs))
        return 1;

    GatewayTimings timings = GatewayTimings::defaults();
    timings.latencyWarning = std::chrono::milliseconds(intervalMs / 8);
    const auto scaled = [intervalMs](std::chrono::milliseconds d) {
        return std::chrono::milliseconds(std::max<qint64>(1, d.count() * intervalMs / 41250));
    };
    timings.stableAfter = scaled(timings.stableAfter);
    timings.backoffBase = scaled(timings.backoffBase);
    timings.backoffMax = scaled(timings.backoffMax);
    AccountManager manager(timings);

    const char *kinds[] = {"StopAcks", "GoSilent"};
    std::map<QString, std::vector<Run>> results;  // by kind
    std::vector<Account> accs(static_cast<std::size_t>(accounts));
    std::map<QString, Account *> byId;
    QElapsedTimer clock;
    clock.start();
    int done = 0;
    const int wanted = runs * 2;

    for (int i = 0; i < accounts; ++i) {
        Account &a = accs[std::size_t(i)];
        a.id = QStringLiteral("det-%1").arg(i);
        a.bot = QStringLiteral("d%1").arg(i);
        a.runIndex = i;  // kinds alternate, half the accounts start with each
        a.timer = new QTimer(&app);
        a.timer->setSingleShot(true);
        QObject::connect(a.timer, &QTimer::timeout, &app, [&a, &sim, &clock, &kinds, &manager, intervalMs] {
            const auto st = manager.status(a.id);
            if (!st || st->state != ConnectionState::Ready) {
                a.timer->start(std::chrono::milliseconds(intervalMs / 4));
                return;
            }
            a.armed = true;
            a.run = Run{};
            a.disconnects0 = quint64(st->disconnects);
            a.resumes0 = st->resumes;
            a.identifies0 = st->identifies;
            a.t0Ns = clock.nsecsElapsed();
            sim.postAsync(QStringLiteral("fault"),
                          QJsonObject{{QStringLiteral("bot"), a.bot},
                                      {QStringLiteral("kind"), QLatin1String(kinds[a.runIndex % 2])}});
        });
        byId[a.id] = &a;
    }

    const auto schedule = [&](Account &a) {
        const double f = 0.5 + QRandomGenerator::global()->generateDouble();
        a.timer->start(timings.stableAfter + std::chrono::milliseconds(qint64(f * intervalMs)));
    };

    QObject::connect(&manager, &AccountManager::statusChanged, &app, [&](const AccountStatus &s) {
        const auto it = byId.find(s.accountId);
        if (it == byId.end())
            return;
        Account &a = *it->second;
        if (!a.armed) {
            if (s.state == ConnectionState::Ready && !a.timer->isActive() && done < wanted)
                schedule(a);
            return;
        }
        const double ms = double(clock.nsecsElapsed() - a.t0Ns) / 1e6;
        if (s.state == ConnectionState::Degraded && a.run.degraded < 0)
            a.run.degraded = ms;
        if (quint64(s.disconnects) > a.disconnects0 && a.run.closed < 0)
            a.run.closed = ms;
        if (a.run.closed >= 0 && s.state == ConnectionState::Ready
            && (s.resumes > a.resumes0 || s.identifies > a.identifies0)) {
            a.run.ready = ms;
            a.run.resumed = s.resumes > a.resumes0 && s.identifies == a.identifies0;
            results[QLatin1String(kinds[a.runIndex % 2])].push_back(a.run);
            a.armed = false;
            ++a.runIndex;
            ++done;
            if (done < wanted)
                schedule(a);
        }
    });

    for (int i = 0; i < accounts; ++i) {
        AccountRecord record;
        record.id = accs[std::size_t(i)].id;
        record.name = accs[std::size_t(i)].bot;
        record.gatewayUrlOverride = sim.gateway();
        record.apiBaseOverride = sim.rest();
        manager.add(record, QStringLiteral("det-token-%1").arg(i));
    }

    const auto budget = std::chrono::milliseconds(qint64(wanted) * 4 * intervalMs / std::max(1, accounts) + 60000);
    if (!waitUntil([&] { return done >= wanted; }, budget, 50ms))
        std::fprintf(stderr, "only %d of %d runs finished in time\n", done, wanted);

    std::printf("heartbeat interval %d ms, %d accounts, latencyWarning %d ms (Degraded when an ACK is "
                "later than max(latencyWarning, interval/4) = %d ms)\n",
                intervalMs, accounts, intervalMs / 8, std::max(intervalMs / 8, intervalMs / 4));
    std::printf("%-10s %-22s %5s %9s %9s %9s %9s   (in intervals: min p50 p95 max)\n", "kind", "measure", "n",
                "min ms", "p50 ms", "p95 ms", "max ms");
    bool allResumed = true;
    double worstClosed = 0, worstReadyAfterClose = 0;
    for (const char *kind : kinds) {
        const std::vector<Run> &rs = results[QLatin1String(kind)];
        std::vector<double> deg, closed, ready, afterClose;
        for (const Run &r : rs) {
            if (r.degraded >= 0)
                deg.push_back(r.degraded);
            closed.push_back(r.closed);
            ready.push_back(r.ready);
            afterClose.push_back(r.ready - r.closed);
            allResumed = allResumed && r.resumed;
        }
        const char *label = std::strcmp(kind, "StopAcks") == 0 ? "zombie" : "blackhole";
        const auto line = [&](const char *measure, const std::vector<double> &v) {
            const Summary s = summarise(v);
            std::printf("%-10s %-22s %5zu %9.1f %9.1f %9.1f %9.1f   (%.2f %.2f %.2f %.2f)\n", label, measure, s.n,
                        s.min, s.p50, s.p95, s.max, s.min / intervalMs, s.p50 / intervalMs, s.p95 / intervalMs,
                        s.max / intervalMs);
            return s;
        };
        const Summary d = line("silence -> degraded", deg);
        const Summary c = line("silence -> closed", closed);
        const Summary r = line("silence -> ready", ready);
        const Summary a = line("closed -> ready (RESUME)", afterClose);
        worstClosed = std::max(worstClosed, c.max / intervalMs);
        worstReadyAfterClose = std::max(worstReadyAfterClose, a.max / intervalMs);
        const QByteArray key = QByteArray("detection_") + label;
        const auto named = [&key](const char *suffix) { return QByteArray(key + suffix); };
        result(named("_degraded_p50_intervals").constData(), d.p50 / intervalMs, "intervals");
        result(named("_closed_p95_intervals").constData(), c.p95 / intervalMs, "intervals");
        result(named("_closed_max_intervals").constData(), c.max / intervalMs, "intervals");
        result(named("_resumed_after_close_max_intervals").constData(), a.max / intervalMs, "intervals");
        result(named("_ready_max_intervals").constData(), r.max / intervalMs, "intervals");
        result(named("_runs").constData(), double(rs.size()), "runs");
    }
    std::printf("every run came back by RESUME (no new IDENTIFY): %s\n", allResumed ? "yes" : "NO");
    result("detection_all_resumed", allResumed ? 1 : 0, "bool");
    manager.stopAll();
    waitUntil([] { return false; }, 200ms);
    return done >= wanted ? 0 : 1;
}
