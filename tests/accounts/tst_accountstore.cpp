// AccountStore: records round-trip through the settings file, change signals, validation, and
// the store refusing anything that looks like a token.
#include "accountstore.h"
#include "redactor.h"

#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

using namespace gw;

namespace {

QString shapedToken()
{
    return QStringLiteral("MTIzNDU2Nzg5MDEyMzQ1Njc4") + QStringLiteral(".GhIjKl.")
           + QStringLiteral("abcdefghijklmnopqrstuvwxyzABCDEFGHIJ_-");
}

AccountRecord sample(const QString &name)
{
    AccountRecord r;
    r.name = name;
    r.intents = 1u | (1u << 9) | (1u << 15);
    r.gatewayUrlOverride = QUrl(QStringLiteral("ws://127.0.0.1:4567"));
    r.apiBaseOverride = QUrl(QStringLiteral("http://127.0.0.1:4568/api/v10"));
    r.shardMode = AccountRecord::ShardMode::AllShards;
    r.compression = Compression::ZstdStream;
    r.paused = true;
    r.muted = true;
    return r;
}

} // namespace

class tst_AccountStore final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString file() const { return m_dir.filePath(QStringLiteral("accounts.ini")); }

private Q_SLOTS:
    void initTestCase()
    {
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
    }
    void init() { QFile::remove(file()); }
    void cleanup() { Redactor::global().clearTokens(); }

    void addFindRoundTrip()
    {
        AccountStore store(file(), QSettings::IniFormat);
        QSignalSpy added(&store, &AccountStore::accountAdded);
        auto result = store.add(sample(QStringLiteral("  Alpha bot  ")));
        QVERIFY(result.hasValue());
        const AccountRecord stored = result.value();
        QVERIFY(!stored.id.isEmpty());
        QVERIFY(!stored.id.startsWith(u'{'));
        QCOMPARE(stored.name, QStringLiteral("Alpha bot"));
        QVERIFY(stored.createdAt.isValid());
        QCOMPARE(added.size(), 1);
        QCOMPARE(added.first().first().value<AccountRecord>().id, stored.id);

        // A second store on the same file sees every field.
        AccountStore again(file(), QSettings::IniFormat);
        QCOMPARE(again.count(), 1);
        const auto r = again.find(stored.id);
        QVERIFY(r.has_value());
        QCOMPARE(r->name, QStringLiteral("Alpha bot"));
        QCOMPARE(r->intents, 1u | (1u << 9) | (1u << 15));
        QCOMPARE(r->gatewayUrlOverride, QUrl(QStringLiteral("ws://127.0.0.1:4567")));
        QCOMPARE(r->apiBaseOverride, QUrl(QStringLiteral("http://127.0.0.1:4568/api/v10")));
        QCOMPARE(r->shardMode, AccountRecord::ShardMode::AllShards);
        QCOMPARE(r->compression, Compression::ZstdStream);
        QCOMPARE(r->paused, true);
        QCOMPARE(r->muted, true);
        QCOMPARE(r->createdAt, stored.createdAt);
        QVERIFY(again.findByName(QStringLiteral("alpha BOT")).has_value());
        QVERIFY(!again.find(QStringLiteral("nope")).has_value());
    }

    void defaultsRoundTrip()
    {
        AccountStore store(file(), QSettings::IniFormat);
        AccountRecord r;
        r.name = QStringLiteral("Defaults");
        const auto stored = store.add(r);
        QVERIFY(stored.hasValue());
        AccountStore again(file(), QSettings::IniFormat);
        const auto back = again.find(stored->id);
        QVERIFY(back.has_value());
        QCOMPARE(back->intents, 1u);
        QVERIFY(back->gatewayUrlOverride.isEmpty());
        QVERIFY(back->apiBaseOverride.isEmpty());
        QCOMPARE(back->shardMode, AccountRecord::ShardMode::RecommendedFirst);
        QCOMPARE(back->compression, Compression::ZlibStream);
        QCOMPARE(back->paused, false);
    }

    // Settings files written before the compression choice hold `compress` as a bool: true reads
    // as zlib-stream, false as none; a missing or unknown value is the default; saving writes text.
    void oldCompressBoolIsMigrated()
    {
        {
            QSettings raw(file(), QSettings::IniFormat);
            const QStringList ids{QStringLiteral("id-true"), QStringLiteral("id-false"), QStringLiteral("id-missing"),
                                  QStringLiteral("id-zstd"), QStringLiteral("id-junk")};
            raw.setValue(QStringLiteral("accounts/order"), ids);
            for (const QString &id : ids)
                raw.setValue(QStringLiteral("accounts/%1/name").arg(id), id);
            raw.setValue(QStringLiteral("accounts/id-true/compress"), true);
            raw.setValue(QStringLiteral("accounts/id-false/compress"), false);
            raw.setValue(QStringLiteral("accounts/id-zstd/compress"), QStringLiteral("zstd-stream"));
            raw.setValue(QStringLiteral("accounts/id-junk/compress"), QStringLiteral("brotli"));
            raw.sync();
        }
        {
            QFile f(file());
            QVERIFY(f.open(QIODevice::ReadOnly));
            const QByteArray text = f.readAll();
            QVERIFY2(text.contains("compress=true") && text.contains("compress=false"), text.constData());
        }
        AccountStore store(file(), QSettings::IniFormat);
        QCOMPARE(store.count(), 5);
        QCOMPARE(store.find(QStringLiteral("id-true"))->compression, Compression::ZlibStream);
        QCOMPARE(store.find(QStringLiteral("id-false"))->compression, Compression::None);
        QCOMPARE(store.find(QStringLiteral("id-missing"))->compression, Compression::ZlibStream);
        QCOMPARE(store.find(QStringLiteral("id-zstd"))->compression, Compression::ZstdStream);
        QCOMPARE(store.find(QStringLiteral("id-junk"))->compression, Compression::ZlibStream);

        // Saved again: the text value, which reads back the same.
        AccountRecord r = *store.find(QStringLiteral("id-false"));
        r.muted = true;
        QVERIFY(store.update(r).hasValue());
        QSettings raw(file(), QSettings::IniFormat);
        QCOMPARE(raw.value(QStringLiteral("accounts/id-false/compress")).toString(), QStringLiteral("none"));
        AccountStore again(file(), QSettings::IniFormat);
        QCOMPARE(again.find(QStringLiteral("id-false"))->compression, Compression::None);
    }

    void orderIsKept()
    {
        AccountStore store(file(), QSettings::IniFormat);
        QStringList ids;
        for (const char *n : {"zeta", "alpha", "mu", "beta"})
            ids.append(store.add(sample(QString::fromLatin1(n)))->id);
        AccountStore again(file(), QSettings::IniFormat);
        QStringList back;
        for (const AccountRecord &r : again.accounts())
            back.append(r.id);
        QCOMPARE(back, ids);
    }

    void updateAndRemove()
    {
        AccountStore store(file(), QSettings::IniFormat);
        QSignalSpy updated(&store, &AccountStore::accountUpdated);
        QSignalSpy removed(&store, &AccountStore::accountRemoved);
        AccountRecord a = store.add(sample(QStringLiteral("a"))).value();
        const AccountRecord b = store.add(sample(QStringLiteral("b"))).value();
        const QDateTime created = a.createdAt;
        a.name = QStringLiteral("a renamed");
        a.intents = 1;
        a.createdAt = QDateTime::currentDateTimeUtc().addDays(3);  // ignored: createdAt is kept
        QVERIFY(store.update(a).hasValue());
        QCOMPARE(updated.size(), 1);
        QVERIFY(!store.setPaused(a.id, false).has_value());
        QCOMPARE(updated.size(), 2);
        QVERIFY(!store.setPaused(a.id, false).has_value());  // no change → no signal
        QCOMPARE(updated.size(), 2);

        AccountStore again(file(), QSettings::IniFormat);
        QCOMPARE(again.find(a.id)->name, QStringLiteral("a renamed"));
        QCOMPARE(again.find(a.id)->intents, 1u);
        QCOMPARE(again.find(a.id)->paused, false);
        QCOMPARE(again.find(a.id)->createdAt, created);

        QVERIFY(!store.remove(b.id).has_value());
        QCOMPARE(removed.size(), 1);
        QCOMPARE(removed.first().first().toString(), b.id);
        QCOMPARE(store.remove(b.id)->kind, AccountStoreError::Kind::NotFound);
        again.reload();
        QCOMPARE(again.count(), 1);
        QVERIFY(!again.find(b.id).has_value());
        // The removed record's keys are gone from the file, not just from the order list.
        QFile f(file());
        QVERIFY(f.open(QIODevice::ReadOnly));
        QVERIFY(!f.readAll().contains(b.id.toUtf8()));
    }

    void refused_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("apiBase");
        QTest::addColumn<int>("kind");
        QTest::newRow("empty name") << QStringLiteral("   ") << QString() << int(AccountStoreError::Kind::InvalidRecord);
        QTest::newRow("duplicate name") << QStringLiteral("EXISTING") << QString() << int(AccountStoreError::Kind::DuplicateName);
        QTest::newRow("token as name") << shapedToken() << QString() << int(AccountStoreError::Kind::InvalidRecord);
        QTest::newRow("token inside name") << (QStringLiteral("bot ") + shapedToken()) << QString() << int(AccountStoreError::Kind::InvalidRecord);
        QTest::newRow("known token as name") << QStringLiteral("known-secret-1234") << QString() << int(AccountStoreError::Kind::InvalidRecord);
        QTest::newRow("token in API base") << QStringLiteral("ok")
                                           << (QStringLiteral("http://127.0.0.1/api?t=") + shapedToken())
                                           << int(AccountStoreError::Kind::InvalidRecord);
    }
    void refused()
    {
        QFETCH(QString, name);
        QFETCH(QString, apiBase);
        QFETCH(int, kind);
        Redactor::global().addToken(QStringLiteral("known-secret-1234"));
        AccountStore store(file(), QSettings::IniFormat);
        QVERIFY(store.add(sample(QStringLiteral("existing"))).hasValue());
        QSignalSpy added(&store, &AccountStore::accountAdded);
        AccountRecord r = sample(name);
        r.apiBaseOverride = QUrl(apiBase);
        const auto result = store.add(r);
        QVERIFY(!result.hasValue());
        QCOMPARE(int(result.error().kind), kind);
        QVERIFY(!result.error().message.isEmpty());
        QVERIFY(!result.error().message.contains(shapedToken()));
        QCOMPARE(added.size(), 0);
        QCOMPARE(store.count(), 1);
        QFile f(file());
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray content = f.readAll();
        QVERIFY(!content.contains(shapedToken().toUtf8()));
        QVERIFY(!content.contains("known-secret-1234"));
    }

    void updateRefusesTokenAndUnknownId()
    {
        AccountStore store(file(), QSettings::IniFormat);
        AccountRecord a = store.add(sample(QStringLiteral("a"))).value();
        QVERIFY(store.add(sample(QStringLiteral("b"))).hasValue());
        a.name = shapedToken();
        QCOMPARE(store.update(a).error().kind, AccountStoreError::Kind::InvalidRecord);
        a.name = QStringLiteral("B");
        QCOMPARE(store.update(a).error().kind, AccountStoreError::Kind::DuplicateName);
        a.name = QStringLiteral("A");  // same account, different case: fine
        QVERIFY(store.update(a).hasValue());
        a.id = QStringLiteral("unknown");
        QCOMPARE(store.update(a).error().kind, AccountStoreError::Kind::NotFound);
        AccountRecord dup = store.accounts().first();
        dup.name = QStringLiteral("other");
        QCOMPARE(store.add(dup).error().kind, AccountStoreError::Kind::DuplicateId);
    }

    void unwritableFileIsAnError()
    {
        AccountStore store(QStringLiteral("/proc/gatewatch-cannot-write/accounts.ini"), QSettings::IniFormat);
        const auto r = store.add(sample(QStringLiteral("x")));
        QVERIFY(!r.hasValue());
        QCOMPARE(r.error().kind, AccountStoreError::Kind::WriteFailed);
        QCOMPARE(store.count(), 0);
    }

    void newIdsAreUnique()
    {
        QSet<QString> ids;
        for (int i = 0; i < 1000; ++i)
            ids.insert(AccountStore::newId());
        QCOMPARE(ids.size(), 1000);
    }
};

QTEST_GUILESS_MAIN(tst_AccountStore)
#include "tst_accountstore.moc"
