// WebSocketConnection (core/gateway/websocketconnection.cpp) against peers we did not write:
// Qt's QWebSocketServer checks our handshake, masking and close frames and sends fragmented
// messages, pings and close codes; a raw QTcpServer answers the upgrade wrongly on purpose; TLS
// runs against QWebSocketServer in secure mode with the loopback test certificate, untrusted
// first, then trusted, then under a name the certificate does not carry.

#include "tlsstream_p.h"
#include "websocketconnection_p.h"

#include <QElapsedTimer>
#include <QEventLoop>
#include <QFile>
#include <QSignalSpy>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QSslKey>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTest>
#include <QTimer>
#include <QWebSocket>
#include <QWebSocketServer>

#include <optional>

using namespace gw;
using namespace std::chrono_literals;

namespace {

const QString k_certs = QStringLiteral(GATEWATCH_TEST_CERTS);

//! Records what the connection reports.
struct Recorder final : WebSocketConnection::Listener
{
    int opened = 0;
    QList<QByteArray> texts;
    QList<QByteArray> binaries;
    QList<qint64> arrivedNs;  //!< per message, on `clock`
    QElapsedTimer clock;
    std::optional<WebSocketEnd> end;

    Recorder() { clock.start(); }
    void webSocketOpened() override { ++opened; }
    void webSocketMessage(const QByteArray &message, bool binary) override
    {
        (binary ? binaries : texts).append(QByteArray(message.constData(), message.size()));
        arrivedNs.append(clock.nsecsElapsed());
    }
    void webSocketEnded(const WebSocketEnd &e) override { end = e; }
};

QSslCertificate loopbackCertificate()
{
    QFile file(k_certs + QStringLiteral("/loopback-test.crt"));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("cannot read the test certificate");
    return QSslCertificate(file.readAll());
}

} // namespace

class tst_WebSocketConnection final : public QObject
{
    Q_OBJECT

private:
    //! A QWebSocketServer on loopback port 0; the first connection lands in `peer`.
    struct Server
    {
        QWebSocketServer server;
        QWebSocket *peer = nullptr;

        explicit Server(QWebSocketServer::SslMode mode)
            : server(QStringLiteral("tst_websocketconnection"), mode)
        {
            if (mode == QWebSocketServer::SecureMode) {
                QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
                QFile key(k_certs + QStringLiteral("/loopback-test.key"));
                if (!key.open(QIODevice::ReadOnly))
                    qFatal("cannot read the test key");
                tls.setLocalCertificate(loopbackCertificate());
                tls.setPrivateKey(QSslKey(key.readAll(), QSsl::Rsa));
                tls.setPeerVerifyMode(QSslSocket::VerifyNone);
                server.setSslConfiguration(tls);
            }
            if (!server.listen(QHostAddress::AnyIPv4, 0))
                qFatal("QWebSocketServer did not listen");
            QObject::connect(&server, &QWebSocketServer::newConnection, &server, [this] {
                peer = server.nextPendingConnection();
                peer->setParent(&server);  // Qt 6.4 hands it over without a parent
            });
        }
        QUrl url(const QString &host = QStringLiteral("127.0.0.1")) const
        {
            const bool tls = server.secureMode() == QWebSocketServer::SecureMode;
            return QUrl(QStringLiteral("%1://%2:%3/?v=10").arg(tls ? u"wss" : u"ws", host).arg(server.serverPort()));
        }
    };

    //! Opens `conn` on `url` and waits until it is open (or reports an end).
    static void openAndWait(WebSocketConnection &conn, Recorder &rec, const QUrl &url)
    {
        conn.setListener(&rec);
        conn.open(url);
        QTRY_VERIFY_WITH_TIMEOUT(rec.opened == 1 || rec.end, 10000);
    }

    //! Two messages read at two wake-ups less than the window apart: `conn` batches from then on.
    static void startBatching(Server &server, WebSocketConnection &conn, Recorder &rec)
    {
        QTRY_VERIFY(server.peer);
        for (const char *text : {"one", "two"}) {
            server.peer->sendTextMessage(QString::fromLatin1(text));
            QTRY_VERIFY(!rec.texts.isEmpty() && rec.texts.constLast() == text);
            QCOMPARE(conn.isBatchingReads(), rec.texts.size() == 2);  // a lone message is read as it comes
        }
    }

    //! Expects `conn` to have failed to open on a certificate problem.
    static void expectCertificateRefused(const Recorder &rec)
    {
        QVERIFY(rec.end);
        QCOMPARE(rec.opened, 0);
        QCOMPARE(int(rec.end->kind), int(WebSocketEnd::Kind::NeverOpened));
        QVERIFY2(rec.end->reason.contains(QStringLiteral("certificate")), qPrintable(rec.end->reason));
    }

    //! A raw server that answers every request with `response` (then keeps the socket open).
    static void answerRaw(QTcpServer &server, const QByteArray &response)
    {
        QVERIFY(server.listen(QHostAddress::LocalHost, 0));
        QObject::connect(&server, &QTcpServer::newConnection, &server, [&server, response] {
            QTcpSocket *s = server.nextPendingConnection();
            QObject::connect(s, &QTcpSocket::readyRead, s, [s, response] {
                if (s->readAll().contains("\r\n\r\n"))
                    s->write(response);
            });
        });
    }

private Q_SLOTS:
    void messagesBothWays();
    void fragmentedAndPing();
    void serverCloseCodeAndReason();
    void clientCloseHandshake();
    void oversizedMessageFailsWith1009();
    void droppedWithoutCloseFrame();
    void upgradeRefused_data();
    void upgradeRefused();
    void tlsUntrustedCertificate();
    void tlsTrusted();
    void tlsWrongName();
    void busyStreamIsReadInBatches_data();
    void busyStreamIsReadInBatches();
    void promptReadsTakeWhatIsQueued();
    void batchEndsEarlyOnVolumeOrDrop();
};

void tst_WebSocketConnection::messagesBothWays()
{
    Server server(QWebSocketServer::NonSecureMode);
    WebSocketConnection conn(1 << 20, nullptr);
    Recorder rec;
    openAndWait(conn, rec, server.url());
    QCOMPARE(rec.opened, 1);
    QTRY_VERIFY(server.peer);
    QStringList serverGot;
    connect(server.peer, &QWebSocket::textMessageReceived, this, [&](const QString &m) { serverGot << m; });
    QVERIFY(conn.sendText(QByteArrayLiteral("{\"op\":1,\"d\":null}")));
    QVERIFY(conn.sendText(QByteArray(3000, 'x')));  // 16-bit length field, masked
    QTRY_COMPARE(serverGot.size(), 2);
    QCOMPARE(serverGot.at(0), QStringLiteral("{\"op\":1,\"d\":null}"));
    QCOMPARE(serverGot.at(1), QString(3000, u'x'));
    server.peer->sendTextMessage(QStringLiteral("héllo"));
    server.peer->sendBinaryMessage(QByteArray("\x00\x01\x02", 3));
    server.peer->sendBinaryMessage(QByteArray(70000, 'b'));  // 64-bit length field
    QTRY_COMPARE(rec.binaries.size(), 2);
    QCOMPARE(rec.texts, QList<QByteArray>{QStringLiteral("héllo").toUtf8()});
    QCOMPARE(rec.binaries.at(0), QByteArray("\x00\x01\x02", 3));
    QCOMPARE(rec.binaries.at(1), QByteArray(70000, 'b'));
    QVERIFY(!rec.end);
}

void tst_WebSocketConnection::fragmentedAndPing()
{
    Server server(QWebSocketServer::NonSecureMode);
    WebSocketConnection conn(1 << 20, nullptr);
    Recorder rec;
    openAndWait(conn, rec, server.url());
    QTRY_VERIFY(server.peer);
    QSignalSpy pong(server.peer, &QWebSocket::pong);
    server.peer->setOutgoingFrameSize(100);  // a 1000-byte message in ten frames
    server.peer->sendBinaryMessage(QByteArray(1000, 'f'));
    server.peer->ping(QByteArrayLiteral("are you there"));
    QTRY_COMPARE(rec.binaries.size(), 1);
    QCOMPARE(rec.binaries.at(0), QByteArray(1000, 'f'));
    QTRY_COMPARE(pong.size(), 1);
    QCOMPARE(pong.at(0).at(1).toByteArray(), QByteArrayLiteral("are you there"));
}

void tst_WebSocketConnection::serverCloseCodeAndReason()
{
    Server server(QWebSocketServer::NonSecureMode);
    WebSocketConnection conn(1 << 20, nullptr);
    QSignalSpy finished(&conn, &WebSocketConnection::finished);
    Recorder rec;
    openAndWait(conn, rec, server.url());
    QTRY_VERIFY(server.peer);
    server.peer->close(QWebSocketProtocol::CloseCode(4014), QStringLiteral("Disallowed intent(s)."));
    QTRY_VERIFY(rec.end);
    QCOMPARE(int(rec.end->kind), int(WebSocketEnd::Kind::ServerClosed));
    QCOMPARE(rec.end->code, 4014);
    QCOMPARE(rec.end->reason, QStringLiteral("Disallowed intent(s)."));
    QTRY_COMPARE(finished.size(), 1);
}

void tst_WebSocketConnection::clientCloseHandshake()
{
    Server server(QWebSocketServer::NonSecureMode);
    WebSocketConnection conn(1 << 20, nullptr);
    QSignalSpy finished(&conn, &WebSocketConnection::finished);
    Recorder rec;
    openAndWait(conn, rec, server.url());
    QTRY_VERIFY(server.peer);
    QSignalSpy serverDisconnected(server.peer, &QWebSocket::disconnected);
    conn.close(4000, QStringLiteral("reconnecting"));
    QVERIFY(!conn.isOpen());
    QVERIFY(!conn.sendText("late"));
    QTRY_COMPARE(serverDisconnected.size(), 1);
    QCOMPARE(int(server.peer->closeCode()), 4000);
    QCOMPARE(server.peer->closeReason(), QStringLiteral("reconnecting"));
    QTRY_COMPARE(finished.size(), 1);
    QVERIFY(!rec.end);  // our own close is not reported as an end
}

void tst_WebSocketConnection::oversizedMessageFailsWith1009()
{
    Server server(QWebSocketServer::NonSecureMode);
    WebSocketConnection conn(4096, nullptr);
    Recorder rec;
    openAndWait(conn, rec, server.url());
    QTRY_VERIFY(server.peer);
    QSignalSpy serverDisconnected(server.peer, &QWebSocket::disconnected);
    server.peer->sendBinaryMessage(QByteArray(4096, 'k'));  // at the cap: delivered
    server.peer->sendBinaryMessage(QByteArray(4097, 'k'));  // over it
    QTRY_VERIFY(rec.end);
    QCOMPARE(rec.binaries.size(), 1);
    QCOMPARE(int(rec.end->kind), int(WebSocketEnd::Kind::ClientFailed));
    QCOMPARE(rec.end->code, 1009);
    QTRY_COMPARE(serverDisconnected.size(), 1);
    QCOMPARE(int(server.peer->closeCode()), 1009);
}

void tst_WebSocketConnection::droppedWithoutCloseFrame()
{
    Server server(QWebSocketServer::NonSecureMode);
    WebSocketConnection conn(1 << 20, nullptr);
    Recorder rec;
    openAndWait(conn, rec, server.url());
    QTRY_VERIFY(server.peer);
    server.peer->abort();
    QTRY_VERIFY(rec.end);
    QCOMPARE(int(rec.end->kind), int(WebSocketEnd::Kind::Dropped));
    QVERIFY(!rec.end->reason.isEmpty());
}

void tst_WebSocketConnection::upgradeRefused_data()
{
    QTest::addColumn<QByteArray>("response");
    QTest::addColumn<QString>("reason");
    QTest::newRow("503") << QByteArray("HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n")
                         << QStringLiteral("refused the WebSocket upgrade: HTTP/1.1 503 Service Unavailable");
    QTest::newRow("control bytes in the status line") << QByteArray("HTTP/1.1 400 \x1b[31mred\x07\r\n\r\n")
                                                      << QStringLiteral("HTTP/1.1 400 ?[31mred?");
    QTest::newRow("wrong accept") << QByteArray("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n"
                                                "Connection: Upgrade\r\nSec-WebSocket-Accept: AAAA\r\n\r\n")
                                  << QStringLiteral("wrong Sec-WebSocket-Accept");
    QTest::newRow("no upgrade header") << QByteArray("HTTP/1.1 101 Switching Protocols\r\n\r\n")
                                       << QStringLiteral("without Upgrade: websocket");
    QTest::newRow("endless header") << QByteArray("HTTP/1.1 101 OK\r\nX: ") + QByteArray(20000, 'a')
                                    << QStringLiteral("upgrade response too large");
}

void tst_WebSocketConnection::upgradeRefused()
{
    QFETCH(QByteArray, response);
    QFETCH(QString, reason);
    QTcpServer server;
    answerRaw(server, response);
    WebSocketConnection conn(1 << 20, nullptr);
    Recorder rec;
    openAndWait(conn, rec, QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(server.serverPort())));
    QVERIFY(rec.end);
    QCOMPARE(rec.opened, 0);
    QCOMPARE(int(rec.end->kind), int(WebSocketEnd::Kind::NeverOpened));
    QVERIFY2(rec.end->reason.contains(reason), qPrintable(rec.end->reason));
}

void tst_WebSocketConnection::tlsUntrustedCertificate()
{
    Server server(QWebSocketServer::SecureMode);
    WebSocketConnection conn(1 << 20, nullptr);
    Recorder rec;
    openAndWait(conn, rec, server.url());
    expectCertificateRefused(rec);
}

void tst_WebSocketConnection::tlsTrusted()
{
    QCOMPARE(TlsStream::addTrustedCertificates({loopbackCertificate().toDer()}), 1);
    Server server(QWebSocketServer::SecureMode);
    for (const QString &host : {QStringLiteral("127.0.0.1"), QStringLiteral("localhost")}) {
        WebSocketConnection conn(1 << 20, nullptr);
        Recorder rec;
        server.peer = nullptr;
        openAndWait(conn, rec, server.url(host));
        QVERIFY2(!rec.end, rec.end ? qPrintable(rec.end->reason) : "");
        QTRY_VERIFY(server.peer);
        QStringList serverGot;
        connect(server.peer, &QWebSocket::textMessageReceived, this, [&](const QString &m) { serverGot << m; });
        QVERIFY(conn.sendText("over tls"));
        QTRY_COMPARE(serverGot, QStringList{QStringLiteral("over tls")});
        server.peer->sendBinaryMessage(QByteArray(40000, 't'));  // more than one TLS record
        QTRY_COMPARE(rec.binaries.size(), 1);
        QCOMPARE(rec.binaries.at(0), QByteArray(40000, 't'));
        server.peer->close(QWebSocketProtocol::CloseCode(4004), QStringLiteral("Authentication failed."));
        QTRY_VERIFY(rec.end);
        QCOMPARE(rec.end->code, 4004);
    }
}

void tst_WebSocketConnection::tlsWrongName()
{
    // Trusted CA (added above), but 127.0.0.2 is not a name the certificate carries.
    Server server(QWebSocketServer::SecureMode);
    WebSocketConnection conn(1 << 20, nullptr);
    Recorder rec;
    openAndWait(conn, rec, server.url(QStringLiteral("127.0.0.2")));
    expectCertificateRefused(rec);
}

void tst_WebSocketConnection::busyStreamIsReadInBatches_data()
{
    QTest::addColumn<bool>("tls");
    QTest::newRow("ws") << false;
    QTest::newRow("wss") << true;
}

void tst_WebSocketConnection::busyStreamIsReadInBatches()
{
    // 120 messages, one per millisecond, each its own frame and write; a 30 ms window. Every
    // message arrives, in order, in far fewer read wake-ups than messages.
    QFETCH(bool, tls);
    if (tls)
        TlsStream::addTrustedCertificates({loopbackCertificate().toDer()});  // once more is harmless
    Server server(tls ? QWebSocketServer::SecureMode : QWebSocketServer::NonSecureMode);
    WebSocketConnection conn(1 << 20, nullptr);
    conn.setReadBatchWindow(30ms);
    Recorder rec;
    openAndWait(conn, rec, server.url());
    startBatching(server, conn, rec);
    constexpr int Count = 120;
    int sent = 0;
    QTimer pacer;
    pacer.setTimerType(Qt::PreciseTimer);
    connect(&pacer, &QTimer::timeout, this, [&] {
        server.peer->sendTextMessage(QString::number(sent));
        if (++sent == Count)
            pacer.stop();
    });
    // A running event loop, not QTRY (its qWait sleeps 10 ms between event passes, which would
    // pace the messages and the reads itself).
    QEventLoop loop;
    QTimer check;
    connect(&check, &QTimer::timeout, &loop, [&] {
        if (rec.texts.size() == Count + 2)
            loop.quit();
    });
    check.start(1);
    QTimer::singleShot(20s, &loop, &QEventLoop::quit);
    pacer.start(1);
    loop.exec();
    QCOMPARE(rec.texts.size(), Count + 2);
    int wakeUps = 0;
    for (int i = 2; i < rec.texts.size(); ++i) {
        QCOMPARE(rec.texts.at(i), QByteArray::number(i - 2));
        if (rec.arrivedNs.at(i) - rec.arrivedNs.at(i - 1) > 500'000)  // a new read, not the same one
            ++wakeUps;
    }
    QVERIFY2(wakeUps <= Count / 4, qPrintable(QStringLiteral("%1 reads for %2 messages").arg(wakeUps).arg(Count)));
}

void tst_WebSocketConnection::promptReadsTakeWhatIsQueued()
{
    // A 60 s window: while batching, a small message waits in the kernel. Asking for prompt reads
    // brings it in at once, and from then on every message is read as it comes.
    Server server(QWebSocketServer::NonSecureMode);
    WebSocketConnection conn(1 << 20, nullptr);
    conn.setReadBatchWindow(60s);
    Recorder rec;
    openAndWait(conn, rec, server.url());
    startBatching(server, conn, rec);
    QSignalSpy written(server.peer, &QWebSocket::bytesWritten);
    server.peer->sendTextMessage(QStringLiteral("queued"));
    QTRY_VERIFY(!written.isEmpty());  // in our socket's receive queue now
    QCOMPARE(rec.texts.size(), 2);
    conn.setPromptReads(true);
    QVERIFY(!conn.isBatchingReads());
    QTRY_COMPARE_WITH_TIMEOUT(rec.texts.size(), 3, 10000);
    server.peer->sendTextMessage(QStringLiteral("prompt"));
    QTRY_COMPARE_WITH_TIMEOUT(rec.texts.size(), 4, 10000);
    QVERIFY(!conn.isBatchingReads());
    conn.setPromptReads(false);
    server.peer->sendTextMessage(QStringLiteral("batched again"));
    QTRY_COMPARE_WITH_TIMEOUT(rec.texts.size(), 5, 10000);
    QVERIFY(conn.isBatchingReads());  // within the window of the previous read
}

void tst_WebSocketConnection::batchEndsEarlyOnVolumeOrDrop()
{
    // A 60 s window: more than the low-water mark queued, or the peer gone, is read at once.
    Server server(QWebSocketServer::NonSecureMode);
    WebSocketConnection conn(1 << 20, nullptr);
    conn.setReadBatchWindow(60s);
    Recorder rec;
    openAndWait(conn, rec, server.url());
    startBatching(server, conn, rec);
    server.peer->sendBinaryMessage(QByteArray(64 * 1024, 'v'));
    QTRY_COMPARE_WITH_TIMEOUT(rec.binaries.size(), 1, 10000);
    QCOMPARE(rec.binaries.at(0).size(), 64 * 1024);
    QVERIFY(conn.isBatchingReads());
    server.peer->abort();
    QTRY_VERIFY_WITH_TIMEOUT(rec.end, 10000);
    QCOMPARE(int(rec.end->kind), int(WebSocketEnd::Kind::Dropped));
    QVERIFY(!conn.isBatchingReads());
}

QTEST_GUILESS_MAIN(tst_WebSocketConnection)
#include "tst_websocketconnection.moc"
