// An independent check of zstd-stream with Python's `zstandard` (tests/gateway/zstd_check.py):
// (a) what the simulator sends on a zstd-stream connection (HELLO, READY, dispatches) is decoded
// by Python on one decompression object and must be the JSON the protocol expects;
// (b) frames compressed by Python (one compressobj, FLUSH_BLOCK per message) are served by a
// loopback WebSocket server to the real GatewayClient, which must reach Ready and count every
// dispatch. Without python3-zstandard the cases fail when CI=true and are skipped otherwise.
#include "gatewayclient.h"
#include "gatewaysimulator.h"

#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>
#include <QWebSocket>
#include <QWebSocketServer>
#include <QtEndian>

using namespace gw;
using namespace std::chrono_literals;

namespace {

const QString Token = QStringLiteral("tst-zstdpython-token-0001");
const QString Bot = QStringLiteral("zstd-bot");
const QString Script = QStringLiteral(GATEWATCH_ZSTD_CHECK_SCRIPT);

bool inCi()
{
    const QByteArray ci = qgetenv("CI").toLower();
    return !ci.isEmpty() && ci != "0" && ci != "false";
}

//! Exit code and stderr of `python script args` (60 s at most).
std::pair<int, QByteArray> runPython(const QString &python, const QStringList &args)
{
    QProcess p;
    p.start(python, QStringList{Script} + args);
    if (!p.waitForStarted(10000))
        return {-1, QByteArray("could not start ") + python.toUtf8()};
    if (!p.waitForFinished(60000)) {
        p.kill();
        p.waitForFinished();
        return {-1, QByteArray("timed out")};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardError()};
}

QByteArray records(const QList<QByteArray> &frames)
{
    QByteArray out;
    for (const QByteArray &f : frames) {
        const quint32 n = qToLittleEndian(quint32(f.size()));
        out.append(reinterpret_cast<const char *>(&n), 4).append(f);
    }
    return out;
}

QList<QByteArray> parseRecords(const QByteArray &data)
{
    QList<QByteArray> out;
    qsizetype at = 0;
    while (at + 4 <= data.size()) {
        const quint32 n = qFromLittleEndian<quint32>(data.constData() + at);
        out.append(data.mid(at + 4, n));
        at += 4 + qsizetype(n);
    }
    return out;
}

} // namespace

class tst_ZstdPython final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void simulatorStreamDecodesInPython();
    void pythonFramesDriveTheClient_data();
    void pythonFramesDriveTheClient();

private:
    QString m_python;
    QTemporaryDir m_dir;
};

void tst_ZstdPython::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QVERIFY2(QFile::exists(Script), qPrintable(Script));
    // The Debian module lives in the system interpreter; a python3 earlier in PATH may lack it.
    QStringList candidates{QStringLiteral("python3"), QStringLiteral("/usr/bin/python3")};
    if (const QString env = qEnvironmentVariable("GATEWATCH_PYTHON3"); !env.isEmpty())
        candidates.prepend(env);
    for (const QString &python : std::as_const(candidates)) {
        if (runPython(python, {QStringLiteral("probe")}).first == 0) {
            m_python = python;
            return;
        }
    }
    if (inCi())
        QFAIL("CI=true but no python3 with the zstandard module (install python3-zstandard)");
    QSKIP("no python3 with the zstandard module (python3-zstandard); skipped outside CI");
}

void tst_ZstdPython::simulatorStreamDecodesInPython()
{
    GatewaySimulator::Options o;
    o.heartbeatInterval = 30s;  // the raw socket never beats within the test
    o.enforceHeartbeatTimeout = false;
    GatewaySimulator sim(o);
    SimBotPolicy policy;
    policy.name = Bot;
    sim.addBot(Token, policy);
    QVERIFY2(sim.start(), qPrintable(sim.errorString()));

    QWebSocket ws;
    QList<QByteArray> frames;
    int texts = 0;
    connect(&ws, &QWebSocket::binaryMessageReceived, this, [&](const QByteArray &m) { frames.append(m); });
    connect(&ws, &QWebSocket::textMessageReceived, this, [&](const QString &) { ++texts; });
    QUrl url = sim.gatewayUrl();
    url.setQuery(QStringLiteral("v=10&encoding=json&compress=zstd-stream"));
    ws.open(url);
    QTRY_COMPARE_WITH_TIMEOUT(frames.size(), 1, 10000);  // HELLO
    const QJsonObject identify{{QStringLiteral("op"), 2},
                               {QStringLiteral("d"), QJsonObject{{QStringLiteral("token"), Token},
                                                                 {QStringLiteral("intents"), 1},
                                                                 {QStringLiteral("properties"), QJsonObject{}}}}};
    ws.sendTextMessage(QString::fromUtf8(QJsonDocument(identify).toJson(QJsonDocument::Compact)));
    QTRY_VERIFY_WITH_TIMEOUT(frames.size() >= 2, 10000);  // READY
    SimFault flood;
    flood.kind = SimFault::Kind::Flood;
    flood.count = 40;
    QVERIFY(sim.injectFault(Bot, flood));
    QTRY_VERIFY_WITH_TIMEOUT(frames.size() >= 42, 10000);
    QCOMPARE(texts, 0);  // everything binary on zstd-stream
    QCOMPARE(sim.connections().constFirst().compression, Compression::ZstdStream);

    const QString in = m_dir.filePath(QStringLiteral("sim.frames"));
    const QString out = m_dir.filePath(QStringLiteral("sim.json"));
    QFile f(in);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(records(frames));
    f.close();
    const auto [rc, err] = runPython(m_python, {QStringLiteral("decode"), in, out});
    QVERIFY2(rc == 0, err.constData());
    QFile decoded(out);
    QVERIFY(decoded.open(QIODevice::ReadOnly));
    QList<QJsonObject> messages;
    for (const QByteArray &line : decoded.readAll().split('\n')) {
        if (!line.isEmpty())
            messages.append(QJsonDocument::fromJson(line).object());
    }
    QCOMPARE(messages.size(), frames.size());
    QCOMPARE(messages.at(0).value(QLatin1String("op")).toInt(), 10);
    QVERIFY(messages.at(0).value(QLatin1String("d")).toObject().value(QLatin1String("heartbeat_interval")).toInt() > 0);
    QCOMPARE(messages.at(1).value(QLatin1String("t")).toString(), QStringLiteral("READY"));
    QVERIFY(!messages.at(1).value(QLatin1String("d")).toObject().value(QLatin1String("session_id")).toString().isEmpty());
    qint64 lastSeq = messages.at(1).value(QLatin1String("s")).toInteger();
    int dispatches = 0;
    for (qsizetype i = 2; i < messages.size(); ++i) {
        if (messages.at(i).value(QLatin1String("op")).toInt() != 0)
            continue;
        const qint64 seq = messages.at(i).value(QLatin1String("s")).toInteger();
        QCOMPARE(seq, lastSeq + 1);
        lastSeq = seq;
        ++dispatches;
    }
    QVERIFY2(dispatches >= 40, qPrintable(QString::number(dispatches)));
}

void tst_ZstdPython::pythonFramesDriveTheClient_data()
{
    QTest::addColumn<bool>("split");
    QTest::newRow("one message per frame") << false;
    QTest::newRow("every frame cut in two messages") << true;
}

void tst_ZstdPython::pythonFramesDriveTheClient()
{
    QFETCH(bool, split);
    constexpr int Dispatches = 60;
    const QString file = m_dir.filePath(QStringLiteral("py.frames"));
    const auto [rc, err] = runPython(m_python, {QStringLiteral("encode"), file, QStringLiteral("ws://127.0.0.1:1"),
                                                QString::number(Dispatches)});
    QVERIFY2(rc == 0, err.constData());
    QFile f(file);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QList<QByteArray> frames = parseRecords(f.readAll());
    QCOMPARE(frames.size(), 2 + Dispatches);

    // REST (GET /gateway/bot) from the simulator; the gateway is our own server.
    GatewaySimulator sim;
    SimBotPolicy policy;
    policy.name = Bot;
    sim.addBot(Token, policy);
    QVERIFY2(sim.start(), qPrintable(sim.errorString()));
    QWebSocketServer server(QStringLiteral("tst_zstdpython"), QWebSocketServer::NonSecureMode);
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    QUrl requestUrl;
    const auto sendFrame = [split](QWebSocket *s, const QByteArray &frame) {
        if (split && frame.size() > 1) {
            s->sendBinaryMessage(frame.left(frame.size() / 2));
            s->sendBinaryMessage(frame.mid(frame.size() / 2));
        } else {
            s->sendBinaryMessage(frame);
        }
    };
    connect(&server, &QWebSocketServer::newConnection, this, [&] {
        QWebSocket *s = server.nextPendingConnection();
        s->setParent(&server);  // not a child by itself in Qt 6.4 (LeakSanitizer found it): goes with the server
        requestUrl = s->requestUrl();
        connect(s, &QWebSocket::textMessageReceived, s, [&, s](const QString &m) {
            if (QJsonDocument::fromJson(m.toUtf8()).object().value(QLatin1String("op")).toInt() != 2)
                return;
            for (qsizetype i = 1; i < frames.size(); ++i)
                sendFrame(s, frames.at(i));  // READY and the dispatches
        });
        sendFrame(s, frames.at(0));  // HELLO
    });

    GatewayClientConfig c;
    c.token = Token;
    c.apiBase = sim.apiBase();
    c.gatewayUrlOverride = QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server.serverPort()));
    c.compression = Compression::ZstdStream;
    c.timings = GatewayTimings::fast();
    GatewayClient client(c);
    QSignalSpy dispatched(&client, &GatewayClient::dispatchReceived);
    client.start();
    QTRY_COMPARE_WITH_TIMEOUT(client.state(), ConnectionState::Ready, 10000);
    QTRY_COMPARE_WITH_TIMEOUT(client.stats().lastSequence, qint64(1 + Dispatches), 10000);
    QCOMPARE(QUrlQuery(requestUrl).queryItemValue(QStringLiteral("compress")), QStringLiteral("zstd-stream"));
    int created = 0;
    for (const QList<QVariant> &args : std::as_const(dispatched))
        created += args.at(0).toByteArray() == "MESSAGE_CREATE" ? 1 : 0;
    QCOMPARE(created, Dispatches);
    QCOMPARE(client.session()->sessionId, QStringLiteral("py-session-1"));
    QCOMPARE(client.stats().inflateErrors, 0u);
    QCOMPARE(client.stats().malformedPayloads, 0u);
    QVERIFY(client.stats().bytesReceivedWire < client.stats().bytesReceivedInflated);
    client.stop();
}

QTEST_GUILESS_MAIN(tst_ZstdPython)
#include "tst_zstdpython.moc"
