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
    void summary_data();
    void summary();
    void recoveredServerCloseIsInfo();
    void causeNames_data();
    void causeNames();
};

void tst_CloseCode::action_data()
{
    QTest::addColumn<int>("code");  // -1 = no close frame
    QTest::addColumn<CloseAction>("action");
    using A = CloseAction;
    // The close-code table of docs/protocol.md.
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

namespace {
CloseInfo closeOf(CloseCause cause, std::optional<int> code, bool kept, const QString &reason = {})
{
    CloseInfo info;
    info.cause = cause;
    info.code = code;
    info.sessionKept = kept;
    info.reason = reason;
    info.initiator = cause == CloseCause::Server      ? CloseInitiator::Server
                   : cause == CloseCause::Transport   ? CloseInitiator::Transport
                                                      : CloseInitiator::Client;
    return info;
}
} // namespace

void tst_CloseCode::summary_data()
{
    QTest::addColumn<CloseCause>("cause");
    QTest::addColumn<int>("code");  // -1 = no close frame
    QTest::addColumn<bool>("kept");
    QTest::addColumn<QString>("reason");
    QTest::addColumn<QString>("summary");
    QTest::addColumn<CloseSeverity>("severity");
    using C = CloseCause;
    using S = CloseSeverity;
    const QString kept = QStringLiteral(" · session kept resumable");
    const QString none;

    // Closes Gatewatch made: what it did, and whether the session survived.
    QTest::newRow("op7") << C::Op7 << 4000 << true << none
                         << QStringLiteral("closed by Gatewatch: gateway asked to reconnect (op 7)") + kept << S::Info;
    QTest::newRow("zombie") << C::Zombie << 4000 << true << none
                            << QStringLiteral("closed by Gatewatch: heartbeat not acknowledged (zombie)") + kept
                            << S::Warning;
    QTest::newRow("user_resume") << C::UserResume << 4000 << true << none
                                 << QStringLiteral("closed by Gatewatch: you asked for a reconnect") + kept << S::Info;
    QTest::newRow("user_identify") << C::UserIdentify << 4000 << false << none
                                   << QStringLiteral("closed by Gatewatch: fresh IDENTIFY you asked for") << S::Info;
    QTest::newRow("invalid_session resumable") << C::InvalidSession << 4000 << true << none
                                               << QStringLiteral("closed by Gatewatch after op 9 (invalid session)") + kept
                                               << S::Info;
    QTest::newRow("invalid_session dropped") << C::InvalidSession << 4000 << false << none
                                             << QStringLiteral("closed by Gatewatch after op 9 (invalid session)")
                                             << S::Warning;
    QTest::newRow("hello_timeout") << C::HelloTimeout << 4000 << true << none
                                   << QStringLiteral("closed by Gatewatch: no HELLO in time") + kept << S::Warning;
    QTest::newRow("handshake_timeout") << C::HandshakeTimeout << -1 << false << none
                                       << QStringLiteral("the WebSocket handshake did not complete in time")
                                       << S::Warning;
    QTest::newRow("oversized 1009") << C::Oversized << 1009 << true << none
                                    << QStringLiteral("1009 · message larger than the 16 MiB limit") + kept << S::Warning;
    QTest::newRow("oversized inflated") << C::Oversized << 4000 << true << none
                                        << QStringLiteral("closed by Gatewatch: message larger than the 16 MiB limit") + kept
                                        << S::Warning;
    QTest::newRow("protocol") << C::Protocol << 4000 << true << QStringLiteral("inflate error")
                              << QStringLiteral("closed by Gatewatch: undecodable stream (inflate error)") + kept
                              << S::Warning;
    QTest::newRow("stopped") << C::Stopped << 1000 << false << none
                             << QStringLiteral("closed by Gatewatch: monitoring stopped") << S::Info;

    // No close frame.
    QTest::newRow("transport") << C::Transport << -1 << true << QStringLiteral("connection dropped without a close frame")
                               << QStringLiteral("connection dropped without a close frame") << S::Warning;
    QTest::newRow("transport with error") << C::Transport << -1 << true << QStringLiteral("Connection refused")
                                          << QStringLiteral("connection dropped without a close frame (Connection refused)")
                                          << S::Warning;

    // Server close frames: Discord's meaning, or the RFC 6455 name; never "closed by Gatewatch".
    QTest::newRow("4009") << C::Server << 4009 << false << none << QStringLiteral("4009 · session timed out (Discord)")
                          << S::Warning;
    QTest::newRow("4000") << C::Server << 4000 << true << none << QStringLiteral("4000 · unknown error (Discord)")
                          << S::Warning;
    QTest::newRow("4004") << C::Server << 4004 << false << none
                          << QStringLiteral("4004 · authentication failed (Discord)") << S::Error;
    QTest::newRow("4014") << C::Server << 4014 << false << none << QStringLiteral("4014 · disallowed intents (Discord)")
                          << S::Error;
    QTest::newRow("4321") << C::Server << 4321 << true << none
                          << QStringLiteral("4321 · close code unknown to Gatewatch") << S::Warning;
    QTest::newRow("1000") << C::Server << 1000 << true << none << QStringLiteral("1000 · normal closure") << S::Info;
    QTest::newRow("1001") << C::Server << 1001 << true << none << QStringLiteral("1001 · going away") << S::Info;
    QTest::newRow("1002") << C::Server << 1002 << true << none << QStringLiteral("1002 · protocol error") << S::Warning;
    QTest::newRow("1003") << C::Server << 1003 << true << none << QStringLiteral("1003 · unsupported data") << S::Warning;
    QTest::newRow("1007") << C::Server << 1007 << true << none << QStringLiteral("1007 · invalid payload data")
                          << S::Warning;
    QTest::newRow("1008") << C::Server << 1008 << true << none << QStringLiteral("1008 · policy violation") << S::Warning;
    QTest::newRow("1010") << C::Server << 1010 << true << none << QStringLiteral("1010 · mandatory extension")
                          << S::Warning;
    QTest::newRow("1011") << C::Server << 1011 << true << none << QStringLiteral("1011 · internal error") << S::Warning;
    QTest::newRow("1012") << C::Server << 1012 << true << none << QStringLiteral("1012 · service restart") << S::Warning;
    QTest::newRow("1013") << C::Server << 1013 << true << none << QStringLiteral("1013 · try again later") << S::Warning;
    QTest::newRow("1014") << C::Server << 1014 << true << none << QStringLiteral("1014 · bad gateway") << S::Warning;
    QTest::newRow("1015") << C::Server << 1015 << true << none << QStringLiteral("1015 · TLS handshake") << S::Warning;
    QTest::newRow("server without a code") << C::Server << -1 << true << none
                                           << QStringLiteral("connection dropped without a close frame") << S::Warning;
}

void tst_CloseCode::summary()
{
    QFETCH(CloseCause, cause);
    QFETCH(int, code);
    QFETCH(bool, kept);
    QFETCH(QString, reason);
    QFETCH(QString, summary);
    QFETCH(CloseSeverity, severity);
    const CloseInfo info = closeOf(cause, code < 0 ? std::nullopt : std::optional<int>(code), kept, reason);
    QCOMPARE(closeSummary(info), summary);
    QCOMPARE(closeSeverity(info), severity);
}

void tst_CloseCode::recoveredServerCloseIsInfo()
{
    const CloseInfo resumable = closeOf(CloseCause::Server, 4000, true);
    QCOMPARE(closeSeverity(resumable), CloseSeverity::Warning);
    QCOMPARE(closeSeverity(resumable, true), CloseSeverity::Info);
    // A NewSession code lost the session: recovering it by IDENTIFY is still a warning.
    const CloseInfo newSession = closeOf(CloseCause::Server, 4009, false);
    QCOMPARE(closeSeverity(newSession, true), CloseSeverity::Warning);
    QCOMPARE(closeSeverity(closeOf(CloseCause::Server, 4004, false), true), CloseSeverity::Error);
    QCOMPARE(closeSeverityName(CloseSeverity::Info), QStringLiteral("info"));
    QCOMPARE(closeSeverityName(CloseSeverity::Warning), QStringLiteral("warning"));
    QCOMPARE(closeSeverityName(CloseSeverity::Error), QStringLiteral("error"));
}

void tst_CloseCode::causeNames_data()
{
    QTest::addColumn<CloseCause>("cause");
    QTest::addColumn<QString>("name");
    using C = CloseCause;
    QTest::newRow("server") << C::Server << QStringLiteral("server");
    QTest::newRow("op7") << C::Op7 << QStringLiteral("op7");
    QTest::newRow("zombie") << C::Zombie << QStringLiteral("zombie");
    QTest::newRow("user_resume") << C::UserResume << QStringLiteral("user_resume");
    QTest::newRow("user_identify") << C::UserIdentify << QStringLiteral("user_identify");
    QTest::newRow("invalid_session") << C::InvalidSession << QStringLiteral("invalid_session");
    QTest::newRow("hello_timeout") << C::HelloTimeout << QStringLiteral("hello_timeout");
    QTest::newRow("handshake_timeout") << C::HandshakeTimeout << QStringLiteral("handshake_timeout");
    QTest::newRow("oversized") << C::Oversized << QStringLiteral("oversized");
    QTest::newRow("protocol") << C::Protocol << QStringLiteral("protocol");
    QTest::newRow("transport") << C::Transport << QStringLiteral("transport");
    QTest::newRow("stopped") << C::Stopped << QStringLiteral("stopped");
}

void tst_CloseCode::causeNames()
{
    QFETCH(CloseCause, cause);
    QFETCH(QString, name);
    QCOMPARE(closeCauseName(cause), name);
    QCOMPARE(closeCauseFromName(name), std::optional<CloseCause>(cause));
    QCOMPARE(closeCauseFromName(QStringLiteral("Zombie")), std::nullopt);
}

QTEST_GUILESS_MAIN(tst_CloseCode)
#include "tst_closecode.moc"
