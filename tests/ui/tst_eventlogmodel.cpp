// EventLogModel: a million-row log opens at once and pages lazily; live rows go on top in
// batches; filters; TSV copy. Under QAbstractItemModelTester.

#include "eventlogmodel.h"

#include <QAbstractItemModelTester>
#include <QElapsedTimer>
#include <QSignalSpy>
#include <QTableView>
#include <QScrollBar>
#include <QTest>

using gw::EventKind;
using gw::EventLogEntry;
using gw::EventLogModel;
using gw::Severity;

namespace {

//! A synthetic store of `total` rows computed from their id (no memory per row): id N is the
//! newest; account = id % 10; severity and kind cycle. Supports the account filter exactly and
//! everything else through EventFilter::matches on a scan (small logs only).
class SyntheticSource final : public gw::EventLogSource
{
public:
    explicit SyntheticSource(qint64 total) : m_total(total) {}
    qint64 m_total;
    int pageCalls = 0;
    int keysetCalls = 0;
    qint64 maxOffset = 0;

    static EventLogEntry make(qint64 id)
    {
        EventLogEntry e;
        e.id = id;
        e.at = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000LL + id * 10, Qt::UTC);
        e.accountId = QStringLiteral("acc%1").arg(id % 10);
        e.accountName = QStringLiteral("bot%1").arg(id % 10);
        e.kind = EventKind(id % 20);
        e.severity = Severity(id % 4);
        e.message = QStringLiteral("event %1").arg(id);
        return e;
    }
    qint64 snapshot() override { return m_total; }
    bool covers(qint64 snapshot, const EventLogEntry &e) const override { return e.id > 0 && e.id <= snapshot; }
    bool simple(const gw::EventFilter &f) const
    {
        return f.kinds.isEmpty() && f.severities.isEmpty() && f.text.isEmpty() && !f.from.isValid() && !f.to.isValid()
            && f.accountIds.size() <= 1;
    }
    qint64 count(const gw::EventFilter &f, qint64 snap) override
    {
        if (simple(f)) {
            if (f.accountIds.isEmpty())
                return snap;
            const int acc = f.accountIds.first().mid(3).toInt();
            return snap / 10 + ((snap % 10) >= acc && acc > 0 ? 1 : 0);
        }
        qint64 n = 0;
        for (qint64 id = snap; id > 0; --id)
            n += f.matches(make(id)) ? 1 : 0;
        return n;
    }
    QList<EventLogEntry> page(const gw::EventFilter &f, qint64 snap, qint64 offset, int limit,
                              const std::optional<EventLogEntry> &previous) override
    {
        ++pageCalls;
        if (previous)
            ++keysetCalls;
        maxOffset = std::max(maxOffset, offset);
        QList<EventLogEntry> out;
        if (simple(f) && f.accountIds.isEmpty()) {
            for (qint64 id = snap - offset; id > 0 && out.size() < limit; --id)
                out.append(make(id));
            return out;
        }
        qint64 skipped = 0;
        for (qint64 id = previous ? previous->id - 1 : snap; id > 0 && out.size() < limit; --id) {
            const EventLogEntry e = make(id);
            if (!f.matches(e))
                continue;
            if (!previous && skipped++ < offset)
                continue;
            out.append(e);
        }
        return out;
    }
};

//! Answers load() only when the test says so, like EventStoreSource's reader thread answering
//! later: first pages and counts are held in order of the requests; rows come from `rows`.
class DeferredSource final : public gw::EventLogSource
{
public:
    explicit DeferredSource(gw::EventLogSource &rows) : m_rows(rows) {}
    QList<std::function<void()>> firstPages, counts;

    qint64 snapshot() override { return m_rows.snapshot(); }
    bool covers(qint64 snapshot, const EventLogEntry &e) const override { return m_rows.covers(snapshot, e); }
    qint64 count(const gw::EventFilter &f, qint64 snap) override { return m_rows.count(f, snap); }
    QList<EventLogEntry> page(const gw::EventFilter &f, qint64 snap, qint64 offset, int limit,
                              const std::optional<EventLogEntry> &previous) override
    {
        return m_rows.page(f, snap, offset, limit, previous);
    }
    void load(const gw::EventFilter &f, qint64 snap, int limit, QObject *, std::function<void(QList<EventLogEntry>)> firstPage,
              std::function<void(qint64)> counted) override
    {
        firstPages.append([this, f, snap, limit, firstPage] { firstPage(m_rows.page(f, snap, 0, limit, std::nullopt)); });
        counts.append([this, f, snap, counted] { counted(m_rows.count(f, snap)); });
    }

private:
    gw::EventLogSource &m_rows;
};

} // namespace

class tst_EventLogModel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // The store's source answers a new snapshot later (a count or a search over a million rows
    // runs on its reader thread): the model is empty at first, shows the first page before the
    // count, then every row; answers to a snapshot that a newer one replaced are dropped.
    void snapshotFillsAsTheSourceAnswers()
    {
        SyntheticSource rows(100'000);
        DeferredSource source(rows);
        EventLogModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QSignalSpy loaded(&model, &EventLogModel::loaded);
        model.setSource(&source);
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(model.isLoading());
        QCOMPARE(source.firstPages.size(), 1);
        source.firstPages.takeFirst()();
        QCOMPARE(model.rowCount(), EventLogModel::PageSize);
        QCOMPARE(model.index(0, 0).data(EventLogModel::EntryIdRole).toLongLong(), 100'000);
        QCOMPARE(rows.pageCalls, 1);   // the view reads the first page that load() delivered
        QVERIFY(model.isLoading());
        QVERIFY(loaded.isEmpty());
        source.counts.takeFirst()();
        QCOMPARE(model.rowCount(), 100'000);
        QVERIFY(!model.isLoading());
        QCOMPARE(loaded.size(), 1);
        QCOMPARE(loaded.at(0).at(0).toLongLong(), 100'000);
        QCOMPARE(model.index(99'999, 0).data(EventLogModel::EntryIdRole).toLongLong(), 1);

        gw::EventFilter three, four;
        three.accountIds = {QStringLiteral("acc3")};
        four.accountIds = {QStringLiteral("acc4")};
        model.setFilter(three);
        model.setFilter(four);
        QCOMPARE(source.firstPages.size(), 2);
        for (const auto &answer : std::as_const(source.firstPages))
            answer();
        for (const auto &answer : std::as_const(source.counts))
            answer();
        QCOMPARE(loaded.size(), 2);
        QCOMPARE(loaded.at(1).at(0).toLongLong(), 10'000);
        QCOMPARE(model.rowCount(), 10'000);
        for (const int r : {0, 255, 256, 9'999})
            QCOMPARE(model.index(r, 0).data(EventLogModel::AccountIdRole).toString(), QStringLiteral("acc4"));
    }

    void millionRowsOpenAtOnceAndPageLazily()
    {
        SyntheticSource source(1'000'000);
        EventLogModel model;
        QElapsedTimer t;
        t.start();
        model.setSource(&source);
        QCOMPARE(model.rowCount(), 1'000'000);
        QCOMPARE(model.pagesFetched(), 0);   // nothing loaded until a view asks
        QCOMPARE(model.index(0, EventLogModel::MessageColumn).data().toString(), QStringLiteral("event 1000000"));
        QCOMPARE(model.pagesFetched(), 1);

        QTableView view;
        view.setModel(&model);
        view.resize(800, 400);
        view.show();
        QVERIFY(QTest::qWaitForWindowExposed(&view));
        // scroll through the whole log in steps like a user dragging: only visible pages load
        auto *bar = view.verticalScrollBar();
        QElapsedTimer scroll;
        scroll.start();
        for (int step = 0; step <= 100; ++step) {
            bar->setValue(bar->maximum() * step / 100);
            view.viewport()->repaint();
        }
        const qint64 ms = scroll.elapsed();
        qInfo("open + first page: %lld ms; 101 scroll positions over 1,000,000 rows: %lld ms, %d pages fetched",
              qint64(t.elapsed()), ms, model.pagesFetched());
        QVERIFY(model.pagesFetched() < 400);
        QCOMPARE(model.index(999'999, EventLogModel::MessageColumn).data().toString(), QStringLiteral("event 1"));
        // consecutive pages use the keyset cursor
        for (int r = 0; r < 3 * EventLogModel::PageSize; r += 50)
            model.index(500'000 + r, 0).data();
        QVERIFY(source.keysetCalls > 0);
    }

    void modelTesterWithLiveInsertsAndFilters()
    {
        SyntheticSource source(2000);
        EventLogModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        model.setSource(&source);
        QCOMPARE(model.rowCount(), 2000);
        QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);

        // live rows: inserted at the top in one batch; a row already in the snapshot is skipped
        model.appendLive(SyntheticSource::make(1999));
        for (qint64 id = 2001; id <= 2050; ++id)
            model.appendLive(SyntheticSource::make(id));
        QCOMPARE(model.rowCount(), 2000);
        QTRY_COMPARE(model.rowCount(), 2050);
        QCOMPARE(inserted.size(), 1);
        QCOMPARE(model.index(0, EventLogModel::MessageColumn).data().toString(), QStringLiteral("event 2050"));
        QCOMPARE(model.index(49, EventLogModel::MessageColumn).data().toString(), QStringLiteral("event 2001"));
        QCOMPARE(model.index(50, EventLogModel::MessageColumn).data().toString(), QStringLiteral("event 2000"));

        // filters: account, severity, kind, text
        gw::EventFilter f;
        f.accountIds = {QStringLiteral("acc3")};
        model.setFilter(f);
        QCOMPARE(model.rowCount(), 200);
        for (int r = 0; r < model.rowCount(); r += 37)
            QCOMPARE(model.index(r, 0).data(EventLogModel::AccountIdRole).toString(), QStringLiteral("acc3"));
        model.appendLive(SyntheticSource::make(2051));   // acc1: filtered out
        model.appendLive(SyntheticSource::make(2053));   // acc3: shown
        model.flushLive();
        QCOMPARE(model.rowCount(), 201);

        f = {};
        f.severities = {Severity::Error};
        f.text = QStringLiteral("event 19");
        model.setFilter(f);
        // ids with id % 4 == 3 whose message contains "event 19": 19, 191, 195, 199, 1903 …
        qint64 expected = 0;
        for (qint64 id = 1; id <= 2000; ++id)
            expected += (id % 4 == 3 && QStringLiteral("event %1").arg(id).contains(QLatin1String("event 19"))) ? 1 : 0;
        QCOMPARE(model.rowCount(), int(expected));
        f = {};
        f.kinds = {EventKind::Close};
        model.setFilter(f);
        QCOMPARE(model.rowCount(), 100);
        QCOMPARE(gw::EventKind(model.index(0, 0).data(EventLogModel::KindRole).toInt()), EventKind::Close);
    }

    void copiesRowsAsTabSeparatedText()
    {
        SyntheticSource source(10);
        EventLogModel model;
        model.setSource(&source);
        EventLogEntry tricky = SyntheticSource::make(11);
        tricky.message = QStringLiteral("two\tcolumns\nand lines");
        model.appendLive(tricky);
        model.flushLive();
        const QString tsv = model.rowsAsTsv({1, 0, 1});
        const QStringList lines = tsv.split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 2);
        const QStringList first = lines.at(0).split(QLatin1Char('\t'));
        QCOMPARE(first.size(), 5);
        QCOMPARE(first.at(0), tricky.at.toString(Qt::ISODateWithMs));
        QCOMPARE(first.at(1), QStringLiteral("bot1"));
        QCOMPARE(first.at(3), gw::eventKindName(tricky.kind));
        QCOMPARE(first.at(4), QStringLiteral("two columns and lines"));
        QVERIFY(lines.at(1).endsWith(QLatin1String("event 10")));
    }
};

QTEST_MAIN(tst_EventLogModel)
#include "tst_eventlogmodel.moc"
