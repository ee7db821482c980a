// Hostile gateway matrix: the REAL AccountManager / AccountSupervisor /
// GatewayClient against a test-local loopback server that misbehaves in one way per row, while
// a second, healthy account on the same manager talks to the REAL GatewaySimulator.
// Each row proves: no crash, VmRSS growth under a bound, a clear logged message, the hostile
// account ends Reconnecting (with a reason) or Failed (with a reason), and the healthy account
// never left Ready/Degraded and never reconnected.
#include "accountmanager.h"
#include "accountsfixture.h"
#include "gatewaysimulator.h"
#include "messagecapture.h"
#include "process.h"
#include "simfixture.h"
#include "testtimings.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QStandardPaths>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QWebSocket>
#include <QWebSocketServer>

#include <QThread>

#include <atomic>
#include <memory>

using namespace std::chrono_literals;
using gw::AccountManager;
using gw::AccountStatus;
using gw::ConnectionState;

namespace {

constexpr qint64 SanitizerSlackMb = gwtest::UnderAsan ? 384 : 0;  // ASan's quarantine keeps freed memory (256 MiB by default)

const QByteArray Hello = R"({"op":10,"d":{"heartbeat_interval":1000},"s":null,"t":null})";

QByteArray readyWith(const QByteArray &d, const QByteArray &s = "1", const QByteArray &t = "\"READY\"")
{
    return "{\"op\":0,\"s\":" + s + ",\"t\":" + t + ",\"d\":" + d + "}";
}

const QByteArray GoodReadyD =
    R"({"v":10,"user":{"id":"1","username":"h","discriminator":"0"},"guilds":[],"session_id":"abc","resume_gateway_url":"ws://127.0.0.1:1","shard":[0,1]})";

struct Frame
{
    QByteArray data;
    bool binary = false;
    int repeat = 1;
};

enum class ServerKind { WebSocket, SilentTcp, Tls };

struct Script
{
    ServerKind kind = ServerKind::WebSocket;
    QList<Frame> onOpen;        //!< sent when the WebSocket opens
    QList<Frame> onIdentify;    //!< sent when op 2 or op 6 arrives
    bool ackHeartbeats = true;
};

//! A misbehaving gateway on loopback: scripted frames, or TCP that never answers, or TLS with an
//! untrusted (self-signed, throwaway) certificate.
class HostileServer final : public QObject
{
public:
    explicit HostileServer(Script script, QObject *parent = nullptr)
        : QObject(parent), m_script(std::move(script)),
          m_ws(QStringLiteral("hostile"),
               m_script.kind == ServerKind::Tls ? QWebSocketServer::SecureMode : QWebSocketServer::NonSecureMode, this)
    {
    }

    bool start()
    {
        if (m_script.kind == ServerKind::SilentTcp) {
            QObject::connect(&m_tcp, &QTcpServer::newConnection, this, [this] {
                while (QTcpSocket *s = m_tcp.nextPendingConnection()) {
                    ++tcpConnections;
                    s->setParent(this);  // accepted, never read, never answered
                }
            });
            return m_tcp.listen(QHostAddress::LocalHost, 0);
        }
        if (m_script.kind == ServerKind::Tls) {
            const QString dir = QStringLiteral(GATEWATCH_TEST_CERTS);
            QFile crt(dir + QStringLiteral("/loopback-test.crt"));
            QFile key(dir + QStringLiteral("/loopback-test.key"));
            if (!crt.open(QIODevice::ReadOnly) || !key.open(QIODevice::ReadOnly))
                return false;
            QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
            tls.setLocalCertificate(QSslCertificate(crt.readAll(), QSsl::Pem));
            tls.setPrivateKey(QSslKey(key.readAll(), QSsl::Rsa, QSsl::Pem));
            tls.setPeerVerifyMode(QSslSocket::VerifyNone);
            m_ws.setSslConfiguration(tls);
            QObject::connect(&m_ws, &QWebSocketServer::peerVerifyError, this, [this] { ++tlsErrors; });
            QObject::connect(&m_ws, &QWebSocketServer::sslErrors, this, [this] { ++tlsErrors; });
        }
        QObject::connect(&m_ws, &QWebSocketServer::newConnection, this, [this] {
            while (QWebSocket *s = m_ws.nextPendingConnection())
                handleSocket(s);
        });
        return m_ws.listen(QHostAddress::LocalHost, 0);
    }

    QUrl url() const
    {
        if (m_script.kind == ServerKind::SilentTcp)
            return QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_tcp.serverPort()));
        return QUrl(QStringLiteral("%1://127.0.0.1:%2")
                        .arg(m_script.kind == ServerKind::Tls ? QStringLiteral("wss") : QStringLiteral("ws"))
                        .arg(m_ws.serverPort()));
    }

    // Written on the server's thread, read by the test.
    std::atomic<int> tcpConnections{0};
    std::atomic<int> wsConnections{0};
    std::atomic<int> identifies{0};
    std::atomic<int> resumes{0};
    std::atomic<int> heartbeats{0};
    std::atomic<int> tlsErrors{0};

private:
    void send(QWebSocket *s, const QList<Frame> &frames)
    {
        for (const Frame &f : frames) {
            // One WebSocket frame per message (QWebSocket splits at 512 KiB by default): the
            // 64 MB row then announces its size in one frame header.
            s->setOutgoingFrameSize(quint64(std::max<qsizetype>(f.data.size(), 512 * 1024)));
            for (int i = 0; i < f.repeat; ++i) {
                if (f.binary)
                    s->sendBinaryMessage(f.data);
                else
                    s->sendTextMessage(QString::fromUtf8(f.data));
            }
        }
    }

    void handleSocket(QWebSocket *s)
    {
        ++wsConnections;
        s->setParent(this);
        QObject::connect(s, &QWebSocket::textMessageReceived, this, [this, s](const QString &text) {
            const int op = QJsonDocument::fromJson(text.toUtf8()).object().value(QStringLiteral("op")).toInt(-1);
            if (op == 1) {
                ++heartbeats;
                if (m_script.ackHeartbeats)
                    s->sendTextMessage(QStringLiteral(R"({"op":11})"));
            } else if (op == 2 || op == 6) {
                (op == 2 ? identifies : resumes) += 1;
                send(s, m_script.onIdentify);
            }
        });
        QObject::connect(s, &QWebSocket::disconnected, s, &QObject::deleteLater);
        send(s, m_script.onOpen);
    }

    Script m_script;
    QWebSocketServer m_ws;
    QTcpServer m_tcp{this};
};

//! Runs a HostileServer on its own thread, so that a slow case (64 MB) cannot starve the
//! simulator that serves the healthy account (both would otherwise share the test thread).
class ServerThread final
{
public:
    explicit ServerThread(Script script)
    {
        m_thread.setObjectName(QStringLiteral("hostile-server"));
        m_thread.start();
        server = new HostileServer(std::move(script));
        server->moveToThread(&m_thread);
    }
    ~ServerThread()
    {
        HostileServer *s = server;
        QMetaObject::invokeMethod(s, [s] { delete s; }, Qt::BlockingQueuedConnection);
        m_thread.quit();
        m_thread.wait();
    }
    bool start()
    {
        bool ok = false;
        HostileServer *s = server;
        QMetaObject::invokeMethod(s, [s, &ok] { ok = s->start(); }, Qt::BlockingQueuedConnection);
        if (ok) {
            QMetaObject::invokeMethod(s, [this, s] { m_url = s->url(); }, Qt::BlockingQueuedConnection);
        }
        return ok;
    }
    QUrl url() const { return m_url; }
    HostileServer *server = nullptr;

private:
    QThread m_thread;
    QUrl m_url;
};

gw::GatewayTimings hostileTimings()
{
    gw::GatewayTimings t = gwtest::testTimings(gwtest::margins::Hostile);
    t.restartBackoffBase = 300ms;
    return t;
}

const QString HealthyId = QStringLiteral("00000000-0000-0000-0000-00000000beef");
const QString HealthyToken = QStringLiteral("healthy-token-abcdef");

} // namespace

class TestHostileGateway final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void hostile_data();
    void hostile();
    void cleanup();

private:
    std::unique_ptr<gw::GatewaySimulator> m_sim;
    std::unique_ptr<AccountManager> m_manager;
    QHash<QString, QList<AccountStatus>> m_statuses;
    int m_case = 0;
    QString m_currentId;
    //! The client and the supervisor log from the manager's worker thread; the test's own lines
    //! and fatals still reach Qt Test's output.
    std::unique_ptr<gwtest::MessageCapture> m_capture;
};

void TestHostileGateway::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    m_capture = std::make_unique<gwtest::MessageCapture>(gwtest::MessageCapture::Echo::OwnLinesAndFatal);
    gw::GatewaySimulator::Options o;
    o.heartbeatInterval = 1000ms;
    o.heartbeatTimeoutGrace = 3000ms;
    o.identifyBucketInterval = 40ms;
    o.acceptUnknownTokens = true;    // REST for the hostile accounts' tokens
    m_sim = std::make_unique<gw::GatewaySimulator>(o);
    gwtest::addBot(*m_sim, HealthyToken, QStringLiteral("healthy"));
    QVERIFY2(m_sim->start(), qPrintable(m_sim->errorString()));

    m_manager = std::make_unique<AccountManager>(hostileTimings());
    QObject::connect(m_manager.get(), &AccountManager::statusChanged, this,
                     [this](const AccountStatus &s) { m_statuses[s.accountId].append(s); });
    m_manager->add(gwtest::simRecord(*m_sim, HealthyId, QStringLiteral("Healthy")), HealthyToken);
    QVERIFY2(gwtest::waitForState(*m_manager, HealthyId, ConnectionState::Ready, 15s),
             qPrintable(gwtest::describeState(*m_manager, HealthyId)));
}

void TestHostileGateway::cleanupTestCase()
{
    m_manager.reset();
    m_sim.reset();
    m_capture.reset();
}

void TestHostileGateway::cleanup()
{
    if (QTest::currentTestFailed() && m_capture) {
        const QStringList tail = m_capture->tail(40);
        for (const QString &line : std::as_const(tail))
            qWarning("captured: %s", qPrintable(line.left(300)));
    }
    // A failed row must not leave its account behind to disturb the next one.
    if (!m_currentId.isEmpty() && m_manager && m_manager->status(m_currentId)) {
        QSignalSpy removed(m_manager.get(), &AccountManager::accountRemoved);
        m_manager->remove(m_currentId);
        removed.wait(10000);
    }
    m_currentId.clear();
}

void TestHostileGateway::hostile_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<QList<QByteArray>>("onOpen");
    QTest::addColumn<QList<QByteArray>>("onIdentify");
    QTest::addColumn<QString>("expectedLog");
    QTest::addColumn<int>("rssBoundMb");

    const int ws = int(ServerKind::WebSocket);
    const QList<QByteArray> hello{Hello};
    const QList<QByteArray> none;
    const QString malformed = QStringLiteral("malformed gateway payload");
    const QString badHello = QStringLiteral("bad HELLO");
    const QString badReady = QStringLiteral("bad READY");
    const QString notReady = QStringLiteral("not ready after|did not reach READY|was not ready");

    QTest::newRow("malformed JSON") << ws << hello << QList<QByteArray>{"{\"op\":0,\"t\":\"READY\",\"d\":{", "not json"} << malformed << 64;
    QTest::newRow("op is a string") << ws << QList<QByteArray>{R"({"op":"10","d":{"heartbeat_interval":1000}})"} << none << malformed << 64;
    QTest::newRow("op is a float") << ws << QList<QByteArray>{R"({"op":10.5,"d":{"heartbeat_interval":1000}})"} << none << malformed << 64;
    QTest::newRow("op out of range") << ws << QList<QByteArray>{R"({"op":99999999999,"d":{"heartbeat_interval":1000}})"} << none << malformed << 64;
    QTest::newRow("top level is an array") << ws << QList<QByteArray>{R"([10,{"heartbeat_interval":1000}])"} << none << malformed << 64;
    QTest::newRow("s is a string") << ws << hello << QList<QByteArray>{readyWith(GoodReadyD, "\"1\"")} << malformed << 64;
    QTest::newRow("s is negative") << ws << hello << QList<QByteArray>{readyWith(GoodReadyD, "-5")} << malformed << 64;
    QTest::newRow("t is a number") << ws << hello << QList<QByteArray>{readyWith(GoodReadyD, "1", "5")} << malformed << 64;
    QTest::newRow("HELLO d is an array") << ws << QList<QByteArray>{R"({"op":10,"d":[1000]})"} << none << badHello << 64;
    QTest::newRow("HELLO d is null") << ws << QList<QByteArray>{R"({"op":10,"d":null})"} << none << badHello << 64;
    QTest::newRow("heartbeat_interval is a string") << ws << QList<QByteArray>{R"({"op":10,"d":{"heartbeat_interval":"1000"}})"} << none << badHello << 64;
    QTest::newRow("heartbeat_interval missing") << ws << QList<QByteArray>{R"({"op":10,"d":{}})"} << none << badHello << 64;
    QTest::newRow("heartbeat_interval 0") << ws << QList<QByteArray>{R"({"op":10,"d":{"heartbeat_interval":0}})"} << none << badHello << 64;
    QTest::newRow("heartbeat_interval negative") << ws << QList<QByteArray>{R"({"op":10,"d":{"heartbeat_interval":-41250}})"} << none << badHello << 64;
    QTest::newRow("heartbeat_interval absurdly large") << ws << QList<QByteArray>{R"({"op":10,"d":{"heartbeat_interval":1e300}})"} << none << badHello << 64;
    QTest::newRow("heartbeat_interval 2^63") << ws << QList<QByteArray>{R"({"op":10,"d":{"heartbeat_interval":9223372036854775808}})"} << none << badHello << 64;
    QTest::newRow("HELLO twice") << ws << QList<QByteArray>{Hello, Hello} << none << notReady << 64;
    QTest::newRow("READY without session_id") << ws << hello << QList<QByteArray>{readyWith(R"({"v":10,"user":{"id":"1","username":"h"},"guilds":[]})")} << badReady << 64;
    QTest::newRow("session_id is a number") << ws << hello << QList<QByteArray>{readyWith(R"({"session_id":5,"user":{"id":"1","username":"h"},"guilds":[]})")} << badReady << 64;
    QTest::newRow("resume_gateway_url is a number") << ws << hello << QList<QByteArray>{readyWith(R"({"session_id":"abc","resume_gateway_url":7,"user":{"id":"1","username":"h"},"guilds":[]})")} << badReady << 64;
    QTest::newRow("READY d is null") << ws << hello << QList<QByteArray>{readyWith("null")} << badReady << 64;
    QTest::newRow("READY d is a string") << ws << hello << QList<QByteArray>{readyWith("\"ready\"")} << badReady << 64;
    QTest::newRow("op 9 d is a string") << ws << hello << QList<QByteArray>{R"({"op":9,"d":"yes"})"} << QStringLiteral("op 9 with a non-boolean d") << 64;
    QTest::newRow("RESUMED without RESUME") << ws << hello << QList<QByteArray>{readyWith("{}", "1", "\"RESUMED\"")} << QStringLiteral("RESUMED without a RESUME") << 64;
    {
        QList<QByteArray> storm{Hello};
        for (int i = 0; i < 20000; ++i)
            storm.append(R"({"op":1,"d":null})");
        QTest::newRow("op 1 storm") << ws << storm << none << QStringLiteral("heartbeat request while a heartbeat is un-ACKed") << 64;
    }
    {
        QList<QByteArray> storm{Hello};
        for (int i = 0; i < 20000; ++i)
            storm.append(R"({"op":42,"d":{"x":1}})");
        QTest::newRow("unknown op storm") << ws << storm << none << QStringLiteral("ignoring unknown opcode 42") << 64;
    }
    {
        QList<QByteArray> storm{Hello};
        for (int i = 0; i < 20000; ++i)
            storm.append(R"({"op":11})");
        QTest::newRow("unsolicited ACK storm") << ws << storm << none << notReady << 64;
    }
    QTest::newRow("64 MB message") << ws << QList<QByteArray>{Hello, QByteArray("64MB")} << none << QStringLiteral("over the \\d+-byte cap") << 128;
    QTest::newRow("never sends HELLO") << ws << none << none << QStringLiteral("no HELLO within|was not ready after|did not reach READY") << 64;
    QTest::newRow("never answers IDENTIFY") << ws << hello << none << notReady << 64;
    QTest::newRow("TCP accepted, never answered") << int(ServerKind::SilentTcp) << none << none
                                                  << QStringLiteral("handshake did not complete|no HELLO within|was not ready after|did not reach READY") << 64;
    QTest::newRow("wss with an untrusted certificate") << int(ServerKind::Tls) << hello << none
                                                       << QStringLiteral("(?i)certificate|ssl|tls") << 64;
}

void TestHostileGateway::hostile()
{
    QFETCH(int, kind);
    QFETCH(QList<QByteArray>, onOpen);
    QFETCH(QList<QByteArray>, onIdentify);
    QFETCH(QString, expectedLog);
    QFETCH(int, rssBoundMb);

    Script script;
    script.kind = ServerKind(kind);
    for (const QByteArray &f : std::as_const(onOpen)) {
        if (f == "64MB") {
            // 64 MiB in one binary message; the client's cap is 16 MiB (QWebSocket closes 1009).
            script.onOpen.append(Frame{QByteArray(64 * 1024 * 1024, 'x'), true});
        } else {
            script.onOpen.append(Frame{f});
        }
    }
    for (const QByteArray &f : std::as_const(onIdentify))
        script.onIdentify.append(Frame{f});
    m_capture->clear();
    const qint64 rssBefore = gwtest::vmRssKb();

    ServerThread serverThread(script);
    QVERIFY(serverThread.start());
    HostileServer &server = *serverThread.server;
    const int healthyConnectionsBefore = gwtest::connectionsOf(*m_sim, QStringLiteral("healthy"));
    const QString id = QStringLiteral("00000000-0000-0000-0000-%1").arg(++m_case, 12, 10, QLatin1Char('0'));
    gw::AccountRecord r = gwtest::simRecord(*m_sim, id, QStringLiteral("Hostile %1").arg(m_case), gw::Compression::None);
    r.gatewayUrlOverride = serverThread.url();
    m_currentId = id;
    m_statuses.remove(HealthyId);
    m_manager->add(r, QStringLiteral("hostile-token-%1-abcdef").arg(m_case));

    const QRegularExpression expected(expectedLog);
    QVERIFY(expected.isValid());
    auto endedWithReason = [this, &id] {
        for (const AccountStatus &s : m_statuses.value(id)) {
            if (s.state == ConnectionState::Reconnecting && (s.lastDisconnect || !s.lastError.isEmpty()))
                return true;
            if (s.state == ConnectionState::Failed && !s.failure.message.isEmpty())
                return true;
        }
        return false;
    };
    QTRY_VERIFY_WITH_TIMEOUT(server.tcpConnections + server.wsConnections + server.tlsErrors > 0 || kind == int(ServerKind::Tls), 10000);
    QTRY_VERIFY_WITH_TIMEOUT(m_capture->matches(expected), 20000);
    QTRY_VERIFY_WITH_TIMEOUT(endedWithReason(), 20000);
    if (script.kind == ServerKind::Tls) {
        // Never silently accepted: the upgrade never completed, no payload reached the server.
        QCOMPARE(server.wsConnections, 0);
        QCOMPARE(server.identifies, 0);
        for (const AccountStatus &s : m_statuses.value(id))
            QVERIFY(!s.connected);
    }
    if (QByteArray(QTest::currentDataTag()) == "HELLO twice") {
        // The second HELLO is ignored: one IDENTIFY per connection, never two.
        QVERIFY(server.identifies <= server.wsConnections);
    }
    if (QByteArray(QTest::currentDataTag()) == "RESUMED without RESUME") {
        for (const AccountStatus &s : m_statuses.value(id))
            QVERIFY2(s.state != ConnectionState::Ready, "RESUMED without a RESUME made the account Ready");
    }

    const qint64 rssAfter = gwtest::vmRssKb();
    const qint64 growthMb = (rssAfter - rssBefore) / 1024;
    qInfo("%s: VmRSS %lld -> %lld kB (growth %lld MB, bound %lld MB)", QTest::currentDataTag(), rssBefore, rssAfter,
          growthMb, qint64(rssBoundMb) + SanitizerSlackMb);
    QVERIFY(growthMb <= qint64(rssBoundMb) + SanitizerSlackMb);

    QSignalSpy removed(m_manager.get(), &AccountManager::accountRemoved);
    m_manager->remove(id);
    QVERIFY(removed.wait(10000));
    m_currentId.clear();

    // The healthy account was untouched: still Ready (or Degraded on a loaded machine), no new
    // connection, and no status of it left Ready/Degraded during the case.
    const auto healthy = m_manager->status(HealthyId);
    QVERIFY(healthy);
    QVERIFY2(healthy->state == ConnectionState::Ready || healthy->state == ConnectionState::Degraded,
             qPrintable(gw::stateName(healthy->state)));
    for (const AccountStatus &s : m_statuses.value(HealthyId))
        QVERIFY(s.state == ConnectionState::Ready || s.state == ConnectionState::Degraded);
    QCOMPARE(gwtest::connectionsOf(*m_sim, QStringLiteral("healthy")), healthyConnectionsBefore);
}

QTEST_GUILESS_MAIN(TestHostileGateway)
#include "tst_hostilegateway.moc"
