#include "closecode.h"
#include "intents.h"

#include <QSet>
#include <QTest>

using namespace gw;

class tst_CloseCode final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void action_data();
    void action();
    void tableIsConsistent();
    void fatalCodesExplainTheFix();
    void disallowedIntentsNamesThem_data();
    void disallowedIntentsNamesThem();
    void shardingRequiredSaysHowMany();
    void ourBugFlags();
    void intentsTable();
};

void tst_CloseCode::action_data()
{
    QTest::addColumn<int>("code");  // -1 = no close frame
    QTest::addColumn<CloseAction>("action");
    using A = CloseAction;
    // protocol.md A10 / A15 item 9.
    QTest::newRow("no code") << -1 << A::Resume;
    QTest::newRow("1000 from server") << 1000 << A::Resume;
    QTest::newRow("1001") << 1001 << A::Resume;
    QTest::newRow("1006") << 1006 << A::Resume;
    QTest::newRow("1009") << 1009 << A::Resume;
    QTest::newRow("4000") << 4000 << A::Resume;
    QTest::newRow("4001") << 4001 << A::Resume;
    QTest::newRow("4002") << 4002 << A::Resume;
    QTest::newRow("4003") << 4003 << A::NewSession;
    QTest::newRow("4004") << 4004 << A::Fatal;
    QTest::newRow("4005") << 4005 << A::Resume;
    QTest::newRow("4006") << 4006 << A::NewSession;
    QTest::newRow("4007") << 4007 << A::NewSession;
    QTest::newRow("4008") << 4008 << A::Resume;
    QTest::newRow("4009") << 4009 << A::NewSession;
    QTest::newRow("4010") << 4010 << A::Fatal;
    QTest::newRow("4011") << 4011 << A::Fatal;
    QTest::newRow("4012") << 4012 << A::Fatal;
    QTest::newRow("4013") << 4013 << A::Fatal;
    QTest::newRow("4014") << 4014 << A::Fatal;
    QTest::newRow("unknown 4015") << 4015 << A::Resume;
    QTest::newRow("unknown 4999") << 4999 << A::Resume;
    QTest::newRow("unknown 3000") << 3000 << A::Resume;
}

void tst_CloseCode::action()
{
    QFETCH(int, code);
    QFETCH(CloseAction, action);
    const std::optional<int> c = code < 0 ? std::nullopt : std::optional<int>(code);
    QCOMPARE(CloseCodes::actionFor(c), action);
    QCOMPARE(CloseCodes::isFatal(c), action == CloseAction::Fatal);
    QVERIFY(!CloseCodes::describe(c).isEmpty());
    QVERIFY(!CloseCodes::nameFor(c).isEmpty());
}

void tst_CloseCode::tableIsConsistent()
{
    QSet<int> seen;
    int previous = 0;
    for (const CloseCodeInfo &row : CloseCodes::table()) {
        QVERIFY2(!seen.contains(row.code), qPrintable(QString::number(row.code)));
        seen.insert(row.code);
        QVERIFY(row.code > previous);  // ordered
        previous = row.code;
        QVERIFY(qstrlen(row.name) > 0);
        QVERIFY(qstrlen(row.meaning) > 0);
        QCOMPARE(CloseCodes::find(row.code), &row);
        // Every fatal row tells a person what to do; non-fatal rows do not pretend to.
        QCOMPARE(qstrlen(row.fixHint) > 0, row.action == CloseAction::Fatal);
    }
    QCOMPARE(CloseCodes::find(4321), nullptr);
    QCOMPARE(CloseCodes::nameFor(4321), QStringLiteral("code_4321"));
    QCOMPARE(CloseCodes::nameFor(std::nullopt), QStringLiteral("no_close_frame"));
    QCOMPARE(CloseCodes::nameFor(4014), QStringLiteral("disallowed_intents"));
}

void tst_CloseCode::fatalCodesExplainTheFix()
{
    for (int code : {4004, 4010, 4011, 4012, 4013, 4014}) {
        const QString text = CloseCodes::describe(code);
        QVERIFY2(text.contains(QString::number(code)), qPrintable(text));
        QVERIFY2(text.contains(QLatin1String(CloseCodes::find(code)->fixHint)), qPrintable(text));
    }
    QVERIFY(CloseCodes::describe(4004).contains(QStringLiteral("token")));
    QVERIFY(CloseCodes::describe(4004).contains(QStringLiteral("https://discord.com/developers/applications")));
}

void tst_CloseCode::disallowedIntentsNamesThem_data()
{
    QTest::addColumn<quint32>("intents");
    QTest::addColumn<QStringList>("named");
    QTest::addColumn<QStringList>("notNamed");
    const QString members = QStringLiteral("GUILD_MEMBERS"), presences = QStringLiteral("GUILD_PRESENCES"),
                  content = QStringLiteral("MESSAGE_CONTENT");
    QTest::newRow("members") << quint32(1u | 1u << 1) << QStringList{members} << QStringList{presences, content};
    QTest::newRow("presences") << quint32(1u << 8) << QStringList{presences} << QStringList{members, content};
    QTest::newRow("content") << quint32(1u << 15 | 1u << 9) << QStringList{content} << QStringList{members, presences};
    QTest::newRow("all three") << quint32(1u << 1 | 1u << 8 | 1u << 15) << QStringList{members, presences, content}
                               << QStringList{};
}

void tst_CloseCode::disallowedIntentsNamesThem()
{
    QFETCH(quint32, intents);
    QFETCH(QStringList, named);
    QFETCH(QStringList, notNamed);
    CloseContext ctx;
    ctx.requestedIntents = intents;
    const QString text = CloseCodes::describe(4014, ctx);
    for (const QString &n : named)
        QVERIFY2(text.contains(n), qPrintable(text));
    for (const QString &n : notNamed)
        QVERIFY2(!text.contains(n), qPrintable(text));
    QVERIFY(text.contains(QStringLiteral("Developer Portal")));
    QVERIFY(text.contains(Intents::developerPortalUrl()));
}

void tst_CloseCode::shardingRequiredSaysHowMany()
{
    CloseContext ctx;
    ctx.recommendedShards = 7;
    QVERIFY(CloseCodes::describe(4011, ctx).contains(QStringLiteral("needs 7 shards")));
    QVERIFY(!CloseCodes::describe(4011).contains(QStringLiteral("needs")));
}

void tst_CloseCode::ourBugFlags()
{
    for (int code : {4001, 4002, 4005, 4008})
        QVERIFY(CloseCodes::isOurBug(code));
    for (int code : {4000, 4003, 4004, 4007, 4009, 4014, 1000})
        QVERIFY(!CloseCodes::isOurBug(code));
    QVERIFY(!CloseCodes::isOurBug(std::nullopt));
}

void tst_CloseCode::intentsTable()
{
    QCOMPARE(Intents::privilegedIn(0xFFFFFFFFu), Intents::GuildMembers | Intents::GuildPresences | Intents::MessageContent);
    QCOMPARE(Intents::privilegedNames(1u << 1 | 1u << 15),
             (QStringList{QStringLiteral("GUILD_MEMBERS"), QStringLiteral("MESSAGE_CONTENT")}));
    QCOMPARE(Intents::privilegedNames(1u), QStringList{});
    int privileged = 0;
    for (const IntentInfo &i : Intents::table())
        privileged += i.privileged ? 1 : 0;
    QCOMPARE(privileged, 3);
    QVERIFY(Intents::knownMask() & (1u << 25));
    QVERIFY(!(Intents::knownMask() & (1u << 17)));
    QCOMPARE(Intents::names(1u | 1u << 17), (QStringList{QStringLiteral("GUILDS"), QStringLiteral("1<<17")}));
    CloseContext ctx;
    ctx.requestedIntents = 1u << 30;
    QVERIFY(CloseCodes::describe(4013, ctx).contains(QStringLiteral("1<<30")));
}

QTEST_GUILESS_MAIN(tst_CloseCode)
#include "tst_closecode.moc"
