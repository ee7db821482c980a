#include "identifygate.h"

#include "logging.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QSet>
#include <QPointer>
#include <QTimer>

#include <algorithm>
#include <deque>
#include <limits>

using namespace std::chrono_literals;

namespace gw {

namespace {
constexpr auto DayMs = std::chrono::duration_cast<std::chrono::milliseconds>(24h).count();
}

class IdentifyGate::Private
{
public:
    struct Request
    {
        Ticket ticket = 0;
        int shardId = 0;
        QPointer<QObject> context;
        bool hasContext = false;
        std::function<void()> granted;
        std::function<void(const GatewayError &)> refused;
    };

    IdentifyGate *q = nullptr;
    std::chrono::milliseconds bucketInterval;
    int floor = 0;
    std::optional<SessionStartLimit> limit;
    int spentSinceFetch = 0;
    std::deque<qint64> identifiesAtMs;        // wall clock, for the 24 h count
    QHash<int, qint64> lastGrantAt;           // bucket → monotonic ms of the last grant
    std::deque<Request> queue;
    Ticket nextTicket = 1;
    QElapsedTimer clock;                      // monotonic
    QTimer pumpTimer;                         // wakes the queue when the next bucket frees up
    bool pumping = false;

    [[nodiscard]] int maxConcurrency() const { return limit ? std::max(1, limit->maxConcurrency) : 1; }
    [[nodiscard]] int bucketOf(int shardId) const { return ((shardId % maxConcurrency()) + maxConcurrency()) % maxConcurrency(); }

    //! Grants of one bucket are this far apart: the bucket interval plus a tenth of it. The gateway
    //! times an IDENTIFY when it arrives, not when we send it; two sends exactly one interval
    //! apart can arrive closer together than that (the second is answered with op 9), so the
    //! margin absorbs the difference in delivery delays (docs/lifecycle.md, identify buckets).
    [[nodiscard]] qint64 spacingMs() const { return bucketInterval.count() + bucketInterval.count() / 10; }

    //! ms until `bucket` is free (0 = now).
    [[nodiscard]] qint64 waitFor(int bucket) const
    {
        const auto it = lastGrantAt.constFind(bucket);
        if (it == lastGrantAt.cend())
            return 0;
        const qint64 elapsed = clock.elapsed() - *it;
        return std::max<qint64>(0, spacingMs() - elapsed);
    }

    void prune24h()
    {
        const qint64 cutoff = QDateTime::currentMSecsSinceEpoch() - DayMs;
        while (!identifiesAtMs.empty() && identifiesAtMs.front() <= cutoff)
            identifiesAtMs.pop_front();
    }

    std::optional<GatewayError> budgetError() const
    {
        if (!limit)
            return std::nullopt;
        // An IDENTIFY spends one start: grant it only when what is left afterwards stays at or
        // above the floor, so the budget never goes below it.
        const int effective = limit->remaining - spentSinceFetch;
        if (effective - 1 >= floor && effective > 0)
            return std::nullopt;
        GatewayError e;
        e.kind = GatewayError::Kind::IdentifyRefused;
        e.message = QStringLiteral("Refusing to IDENTIFY: only %1 of %2 session starts remain (floor %3); "
                                   "the budget resets at %4 UTC.")
                        .arg(effective)
                        .arg(limit->total)
                        .arg(floor)
                        .arg(limit->resetAt().toUTC().toString(Qt::ISODate));
        return e;
    }

    void schedulePump(qint64 ms)
    {
        if (!pumpTimer.isActive() || pumpTimer.remainingTime() > ms)
            pumpTimer.start(std::chrono::milliseconds(ms));
    }

    void pump()
    {
        if (pumping)
            return;  // re-entered from a callback; the outer loop continues
        pumping = true;
        qint64 nextWake = -1;
        bool progressed = true;
        while (progressed) {
            progressed = false;
            nextWake = -1;
            QSet<int> blockedBuckets;  // FIFO per bucket: later requests never overtake
            for (auto it = queue.begin(); it != queue.end(); ++it) {
                if (it->hasContext && !it->context) {
                    queue.erase(it);
                    progressed = true;
                    break;
                }
                const int bucket = bucketOf(it->shardId);
                if (blockedBuckets.contains(bucket))
                    continue;
                if (const auto e = budgetError()) {
                    Request r = std::move(*it);
                    queue.erase(it);
                    qCWarning(lcGateway).noquote() << "identify gate:" << e->message;
                    Q_EMIT q->identifyRefused(*e);
                    if (r.refused)
                        r.refused(*e);
                    progressed = true;
                    break;
                }
                const qint64 wait = waitFor(bucket);
                if (wait > 0) {
                    blockedBuckets.insert(bucket);
                    nextWake = nextWake < 0 ? wait : std::min(nextWake, wait);
                    continue;
                }
                Request r = std::move(*it);
                queue.erase(it);
                lastGrantAt.insert(bucket, clock.elapsed());
                identifiesAtMs.push_back(QDateTime::currentMSecsSinceEpoch());
                ++spentSinceFetch;
                qCDebug(lcGateway) << "identify gate: granted shard" << r.shardId << "bucket" << bucket;
                Q_EMIT q->identifyGranted(r.shardId);
                if (r.granted)
                    r.granted();
                progressed = true;
                break;
            }
        }
        pumping = false;
        if (nextWake >= 0)
            schedulePump(nextWake);
        else
            pumpTimer.stop();
    }
};

IdentifyGate::IdentifyGate(std::chrono::milliseconds bucketInterval, int remainingFloor, QObject *parent)
    : QObject(parent), d(std::make_unique<Private>())
{
    d->q = this;
    d->bucketInterval = bucketInterval;
    d->floor = remainingFloor;
    d->clock.start();
    d->pumpTimer.setSingleShot(true);
    d->pumpTimer.setTimerType(Qt::PreciseTimer);
    d->pumpTimer.callOnTimeout(this, [this] { d->pump(); });
}

IdentifyGate::~IdentifyGate() = default;

void IdentifyGate::updateLimit(const SessionStartLimit &limit)
{
    // Several clients of the bot (shards) fetch GET /gateway/bot concurrently; a figure requested
    // before some of our IDENTIFYs reached Discord must not make the gate forget them: every
    // IDENTIFY granted since the request was sent still counts as spent.
    int spent = 0;
    if (limit.requestedAt.isValid()) {
        const qint64 since = limit.requestedAt.toMSecsSinceEpoch();
        spent = int(std::count_if(d->identifiesAtMs.cbegin(), d->identifiesAtMs.cend(),
                                  [since](qint64 at) { return at >= since; }));
    }
    d->limit = limit;
    d->spentSinceFetch = spent;
    if (!d->queue.empty())
        d->schedulePump(0);
}

std::optional<SessionStartLimit> IdentifyGate::limit() const
{
    return d->limit;
}

std::optional<GatewayError> IdentifyGate::checkBudget() const
{
    return d->budgetError();
}

IdentifyGate::Ticket IdentifyGate::request(int shardId, QObject *context, std::function<void()> granted,
                                           std::function<void(const GatewayError &)> refused)
{
    Private::Request r;
    r.ticket = d->nextTicket++;
    r.shardId = shardId;
    r.context = context;
    r.hasContext = context != nullptr;
    r.granted = std::move(granted);
    r.refused = std::move(refused);
    const Ticket t = r.ticket;
    d->queue.push_back(std::move(r));
    // Always asynchronous, so the caller has stored the ticket before a callback runs.
    d->schedulePump(0);
    return t;
}

void IdentifyGate::cancel(Ticket ticket)
{
    for (auto it = d->queue.begin(); it != d->queue.end(); ++it) {
        if (it->ticket == ticket) {
            d->queue.erase(it);
            return;
        }
    }
}

int IdentifyGate::identifiesInLast24h() const
{
    d->prune24h();
    return int(d->identifiesAtMs.size());
}

QDateTime IdentifyGate::nextSlotFor(int shardId) const
{
    return QDateTime::currentDateTimeUtc().addMSecs(d->waitFor(d->bucketOf(shardId)));
}

} // namespace gw
