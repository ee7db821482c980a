// The desktop's accounts model groups a sharded account (docs/user-guide.md, all-shards mode): a
// real AccountManager runs 8 shards at max_concurrency 2 against the simulator (identify buckets
// enforced), its statuses feed AccountTableModel as the window feeds it, and
// QAbstractItemModelTester checks the model and the filter proxy throughout. The account's row
// gets one child row per shard, and at every flush a shard that is not ready keeps the account's
// row from showing ready (the parent shows the worst shard).
#include "accountfilterproxymodel.h"
#include "accountmanager.h"
#include "accountsfixture.h"
#include "accounttablemodel.h"
#include "gatewaysimulator.h"
#include "testtimings.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace gw;
using namespace std::chrono_literals;

class tst_ShardRows : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void shardsAreChildRowsWithWorstStateOnParent();
};

void tst_ShardRows::shardsAreChildRowsWithWorstStateOnParent()
{
    constexpr int shards = 8;
    GatewaySimulator::Options o;
    o.identifyBucketInterval = 50ms;
    o.enforceIdentifyConcurrency = true;
    GatewaySimulator sim(o);
    SimBotPolicy policy;
    policy.name = QStringLiteral("sharded");
    policy.recommendedShards = shards;
    policy.maxConcurrency = 2;
    policy.guilds = shards;
    const QString token = QStringLiteral("tst-shardrows-token-123456");
    sim.addBot(token, policy);
    QVERIFY(sim.start());

    AccountTableModel model;
    AccountFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester modelTester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);

    // The parent never shows ready while one of its shards is not.
    int flushesWithShards = 0;
    QStringList violations;
    connect(&model, &AccountTableModel::statusesFlushed, this, [&] {
        for (int row = 0; row < model.rowCount(); ++row) {
            const QModelIndex parent = model.index(row, 0);
            const int children = model.rowCount(parent);
            if (children == 0)
                continue;
            ++flushesWithShards;
            const auto parentState = ConnectionState(parent.data(AccountTableModel::StateRole).toInt());
            for (int c = 0; c < children; ++c) {
                const auto st = ConnectionState(model.index(c, 0, parent).data(AccountTableModel::StateRole).toInt());
                if (st != ConnectionState::Ready && parentState == ConnectionState::Ready)
                    violations << QStringLiteral("shard row %1 is %2 under a ready account").arg(c).arg(stateName(st));
            }
        }
    });

    GatewayTimings timings = gwtest::testTimings(gwtest::margins::ManyAccounts);
    timings.identifyBucketInterval = 50ms;
    AccountManager manager(timings);
    connect(&manager, &AccountManager::statusChanged, &model, &AccountTableModel::updateStatus);
    AccountRecord record = gwtest::simRecord(sim, QStringLiteral("0f0e0d0c-0000-4000-8000-000000000008"),
                                             QStringLiteral("Sharded"));
    record.shardMode = AccountRecord::ShardMode::AllShards;
    manager.add(record, token);

    QTRY_VERIFY_WITH_TIMEOUT(gwtest::allReady(manager, 1), 15000);
    model.flush();
    QCOMPARE(model.rowCount(), 1);
    const QModelIndex account = model.index(0, AccountTableModel::NameColumn);
    QCOMPARE(model.rowCount(account), shards);
    QCOMPARE(model.rowCount(model.index(0, AccountTableModel::StateColumn)), 0);  // only column 0 has children
    QCOMPARE(account.data(AccountTableModel::StateRole).toInt(), int(ConnectionState::Ready));
    for (int c = 0; c < shards; ++c) {
        const QModelIndex shard = model.index(c, AccountTableModel::NameColumn, account);
        QCOMPARE(shard.parent(), account);
        QCOMPARE(shard.data(AccountTableModel::ShardRole).toInt(), c);
        QCOMPARE(shard.data(AccountTableModel::AccountIdRole).toString(), record.id);
        QCOMPARE(shard.data().toString(), QStringLiteral("Shard %1 of %2").arg(c).arg(shards));
        QCOMPARE(shard.data(AccountTableModel::StateRole).toInt(), int(ConnectionState::Ready));
    }
    QVERIFY(flushesWithShards > 0);
    QVERIFY2(violations.isEmpty(), qPrintable(violations.join(QLatin1Char('\n'))));

    // The proxy keeps the grouping (a shard row follows its account's row through the filters).
    QCOMPARE(proxy.rowCount(proxy.index(0, 0)), shards);
    proxy.setTextFilter(QStringLiteral("sharded"));
    QCOMPARE(proxy.rowCount(proxy.index(0, 0)), shards);

    // Removed: the account's row goes with its shard rows.
    manager.remove(record.id);
    model.removeAccount(record.id);
    QCOMPARE(model.rowCount(), 0);
}

QTEST_MAIN(tst_ShardRows)
#include "tst_shardrows.moc"
