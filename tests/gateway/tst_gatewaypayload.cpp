#include "gatewaypayload.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

using namespace gw;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(gw::PayloadError::Kind)

class tst_GatewayPayload final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void decodesEnvelope_data();
    void decodesEnvelope();
    void rejectsMalformed_data();
    void rejectsMalformed();
    void keepsDAsView();
    void deepNestingIsAnErrorNotACrash();
    void mutationsAgreeWithQJsonDocument();
    void hello_data();
    void hello();
    void ready();
    void readyMissingSession();
    void invalidSession_data();
    void invalidSession();
    void encodesHeartbeat();
    void encodesIdentify();
    void encodesResume();
};

void tst_GatewayPayload::decodesEnvelope_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("op");
    QTest::addColumn<qint64>("s");   // -1 = null
    QTest::addColumn<QByteArray>("t");
    QTest::addColumn<QByteArray>("d");

    QTest::newRow("dispatch") << QByteArray(R"({"op":0,"t":"MESSAGE_CREATE","s":42,"d":{"a":1}})") << 0 << qint64(42)
                              << QByteArray("MESSAGE_CREATE") << QByteArray(R"({"a":1})");
    QTest::newRow("key order d first") << QByteArray(R"({"d":{"x":[1,2,{"y":"}"}]},"s":7,"t":"X","op":0})") << 0
                                       << qint64(7) << QByteArray("X") << QByteArray(R"({"x":[1,2,{"y":"}"}]})");
    QTest::newRow("whitespace") << QByteArray(" \r\n\t{ \"op\" : 11 ,\n \"d\" : null , \"s\" :null,\"t\":  null }\n ") << 11
                                << qint64(-1) << QByteArray() << QByteArray("null");
    QTest::newRow("ack no d") << QByteArray(R"({"op":11})") << 11 << qint64(-1) << QByteArray() << QByteArray();
    QTest::newRow("hello") << QByteArray(R"({"op":10,"d":{"heartbeat_interval":41250},"s":null,"t":null})") << 10
                           << qint64(-1) << QByteArray() << QByteArray(R"({"heartbeat_interval":41250})");
    QTest::newRow("escaped key") << QByteArray(R"({"\u006fp":9,"d":false})") << 9 << qint64(-1) << QByteArray()
                                 << QByteArray("false");
    QTest::newRow("escaped t") << QByteArray(R"({"op":0,"s":1,"t":"A\"B\\C\u00e9","d":{}})") << 0 << qint64(1)
                               << QByteArray("A\"B\\C\xc3\xa9") << QByteArray("{}");
    QTest::newRow("surrogate pair in d") << QByteArray(R"({"op":0,"s":2,"t":"E","d":"\ud83d\ude00"})") << 0 << qint64(2)
                                         << QByteArray("E") << QByteArray(R"("\ud83d\ude00")");
    QTest::newRow("big s") << QByteArray(R"({"op":0,"s":9223372036854775807,"t":"E","d":1})") << 0
                           << qint64(9223372036854775807LL) << QByteArray("E") << QByteArray("1");
    QTest::newRow("unknown keys ignored") << QByteArray(R"({"x":{"op":5},"op":1,"y":[true,false,null,-1.5e3]})") << 1
                                          << qint64(-1) << QByteArray() << QByteArray();
    QTest::newRow("unknown op") << QByteArray(R"({"op":99,"d":null})") << 99 << qint64(-1) << QByteArray()
                                << QByteArray("null");
    QTest::newRow("duplicate op: last wins") << QByteArray(R"({"op":1,"op":11})") << 11 << qint64(-1) << QByteArray()
                                             << QByteArray();
}

void tst_GatewayPayload::decodesEnvelope()
{
    QFETCH(QByteArray, json);
    QFETCH(int, op);
    QFETCH(qint64, s);
    QFETCH(QByteArray, t);
    QFETCH(QByteArray, d);
    const auto r = PayloadDecoder::decode(json);
    QVERIFY2(r.hasValue(), qPrintable(r.hasValue() ? QString() : r.error().message()));
    QCOMPARE(r->op, op);
    QCOMPARE(r->s.value_or(-1), s);
    QCOMPARE(r->t, t);
    QCOMPARE(r->d().toByteArray(), d);
}

void tst_GatewayPayload::rejectsMalformed_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<PayloadError::Kind>("kind");
    QTest::addColumn<QString>("field");
    using K = PayloadError::Kind;

    QTest::newRow("empty") << QByteArray() << K::Empty << QString();
    QTest::newRow("whitespace only") << QByteArray("  \n") << K::Empty << QString();
    QTest::newRow("truncated") << QByteArray(R"({"op":0,"t":"A","s":1,"d":{"a":[1,2)") << K::Syntax << QString();
    QTest::newRow("truncated string") << QByteArray(R"({"op":0,"t":"AB)") << K::Syntax << QString();
    QTest::newRow("truncated escape") << QByteArray(R"({"op":0,"t":"A\)") << K::Syntax << QString();
    QTest::newRow("bad escape") << QByteArray(R"({"op":0,"t":"\x"})") << K::Syntax << QString();
    QTest::newRow("bad unicode escape") << QByteArray(R"({"op":0,"t":"\u12G4"})") << K::Syntax << QString();
    QTest::newRow("lone low surrogate") << QByteArray(R"({"op":0,"t":"\udc00"})") << K::Syntax << QString();
    QTest::newRow("control char in string") << QByteArray("{\"op\":0,\"t\":\"a\nb\"}") << K::Syntax << QString();
    QTest::newRow("trailing garbage") << QByteArray(R"({"op":1} x)") << K::Syntax << QString();
    QTest::newRow("two objects") << QByteArray(R"({"op":1}{"op":1})") << K::Syntax << QString();
    QTest::newRow("missing colon") << QByteArray(R"({"op" 1})") << K::Syntax << QString();
    QTest::newRow("trailing comma") << QByteArray(R"({"op":1,})") << K::Syntax << QString();
    QTest::newRow("single quotes") << QByteArray(R"({'op':1})") << K::Syntax << QString();
    QTest::newRow("bad literal") << QByteArray(R"({"op":1,"d":tru})") << K::Syntax << QString();
    QTest::newRow("leading zero") << QByteArray(R"({"op":01})") << K::Syntax << QString();
    QTest::newRow("bare minus") << QByteArray(R"({"op":-})") << K::Syntax << QString();
    QTest::newRow("binary junk") << QByteArray("\x78\x9c\x00\xff\xfe", 5) << K::Syntax << QString();
    QTest::newRow("array top level") << QByteArray(R"([1,2,3])") << K::NotObject << QString();
    QTest::newRow("string top level") << QByteArray(R"("op")") << K::NotObject << QString();
    QTest::newRow("no op") << QByteArray(R"({"d":null,"s":null})") << K::MissingField << QStringLiteral("op");
    QTest::newRow("op string") << QByteArray(R"({"op":"0"})") << K::WrongType << QStringLiteral("op");
    QTest::newRow("op null") << QByteArray(R"({"op":null})") << K::WrongType << QStringLiteral("op");
    QTest::newRow("op float") << QByteArray(R"({"op":1.5})") << K::WrongType << QStringLiteral("op");
    QTest::newRow("op exponent") << QByteArray(R"({"op":1e1})") << K::WrongType << QStringLiteral("op");
    QTest::newRow("op object") << QByteArray(R"({"op":{"v":1}})") << K::WrongType << QStringLiteral("op");
    QTest::newRow("op negative") << QByteArray(R"({"op":-1})") << K::OutOfRange << QStringLiteral("op");
    QTest::newRow("op huge") << QByteArray(R"({"op":99999999999999999999999})") << K::OutOfRange << QStringLiteral("op");
    QTest::newRow("s string") << QByteArray(R"({"op":0,"s":"42","t":"A"})") << K::WrongType << QStringLiteral("s");
    QTest::newRow("s float") << QByteArray(R"({"op":0,"s":4.2,"t":"A"})") << K::WrongType << QStringLiteral("s");
    QTest::newRow("s negative") << QByteArray(R"({"op":0,"s":-4,"t":"A"})") << K::OutOfRange << QStringLiteral("s");
    QTest::newRow("s over int64") << QByteArray(R"({"op":0,"s":9223372036854775808,"t":"A"})") << K::OutOfRange
                                  << QStringLiteral("s");
    QTest::newRow("t number") << QByteArray(R"({"op":0,"s":1,"t":5})") << K::WrongType << QStringLiteral("t");
    QTest::newRow("t array") << QByteArray(R"({"op":0,"s":1,"t":["A"]})") << K::WrongType << QStringLiteral("t");
    // A type error must not hide a syntax error later in the message.
    QTest::newRow("type error then syntax error") << QByteArray(R"({"op":"x","d":[})") << K::Syntax << QString();
}

void tst_GatewayPayload::rejectsMalformed()
{
    QFETCH(QByteArray, json);
    QFETCH(PayloadError::Kind, kind);
    QFETCH(QString, field);
    const auto r = PayloadDecoder::decode(json);
    QVERIFY(!r.hasValue());
    QCOMPARE(r.error().kind, kind);
    if (!field.isEmpty())
        QCOMPARE(r.error().field, field);
    QVERIFY(!r.error().message().isEmpty());
}

void tst_GatewayPayload::keepsDAsView()
{
    const QByteArray json(R"({"op":0,"s":3,"t":"GUILD_CREATE","d":{"id":"1","members":[{"user":{"id":"2"}}]}})");
    const auto r = PayloadDecoder::decode(json);
    QVERIFY(r.hasValue());
    QVERIFY(r->hasD());
    QVERIFY(!r->dIsNull());
    // The view points into the shared raw bytes: no copy of d was made.
    QCOMPARE(r->d().data(), r->raw.constData() + r->dBegin);
    QCOMPARE(r->raw.constData(), json.constData());
}

void tst_GatewayPayload::deepNestingIsAnErrorNotACrash()
{
    QByteArray deep = R"({"op":0,"s":1,"t":"A","d":)";
    deep += QByteArray(100000, '[');
    deep += QByteArray(100000, ']');
    deep += '}';
    const auto r = PayloadDecoder::decode(deep);
    QVERIFY(!r.hasValue());
    QCOMPARE(r.error().kind, PayloadError::Kind::TooDeep);

    QByteArray ok = R"({"op":0,"s":1,"t":"A","d":)";
    ok += QByteArray(PayloadDecoder::MaxDepth - 2, '[');
    ok += QByteArray(PayloadDecoder::MaxDepth - 2, ']');
    ok += '}';
    QVERIFY(PayloadDecoder::decode(ok).hasValue());
}

void tst_GatewayPayload::mutationsAgreeWithQJsonDocument()
{
    // Differential fuzzing with a fixed seed: truncate, flip, insert and delete bytes of valid
    // messages. The scanner must never crash, never accept what QJsonDocument rejects, and
    // accept every object QJsonDocument parses whose op is an int (escapes aside: Qt accepts
    // invalid escapes such as \p and lone surrogates, RFC 8259 does not).
    const QByteArray seeds[] = {
        R"({"op":0,"t":"MESSAGE_CREATE","s":42,"d":{"content":"a \"quoted\" text","n":[1,2.5,-3e2,true,null]}})",
        R"({"op":10,"d":{"heartbeat_interval":41250},"s":null,"t":null})",
        R"({"op":9,"d":false})",
        R"({"op":11})",
    };
    QRandomGenerator rng(20261129);
    const char alphabet[] = "{}[]\":,.-+eE0123456789 tfnul\\";
    int accepted = 0;
    for (int i = 0; i < 20000; ++i) {
        QByteArray m = seeds[rng.bounded(int(std::size(seeds)))];
        const int edits = 1 + rng.bounded(3);
        for (int e = 0; e < edits && !m.isEmpty(); ++e) {
            const qsizetype at = rng.bounded(int(m.size()));
            switch (rng.bounded(4)) {
            case 0: m.truncate(at); break;
            case 1: m[at] = alphabet[rng.bounded(int(sizeof(alphabet) - 1))]; break;
            case 2: m.insert(at, alphabet[rng.bounded(int(sizeof(alphabet) - 1))]); break;
            default: m.remove(at, 1); break;
            }
        }
        const auto ours = PayloadDecoder::decode(m);
        QJsonParseError pe;
        const QJsonDocument doc = QJsonDocument::fromJson(m, &pe);
        const bool qtObject = pe.error == QJsonParseError::NoError && doc.isObject();
        if (ours.hasValue()) {
            ++accepted;
            QVERIFY2(qtObject, m.constData());
            QCOMPARE(doc.object().value(QLatin1String("op")).toInteger(-1), qint64(ours->op));
        } else if (qtObject && !m.contains('\\')) {
            const QJsonValue op = doc.object().value(QLatin1String("op"));
            const bool intOp = op.isDouble() && op.toDouble() >= 0 && op.toDouble() <= 2147483647.0
                && op.toDouble() == double(qint64(op.toDouble()));
            const QJsonValue sv = doc.object().value(QLatin1String("s"));
            const QJsonValue tv = doc.object().value(QLatin1String("t"));
            const bool sOk = sv.isUndefined() || sv.isNull()
                || (sv.isDouble() && sv.toDouble() >= 0 && sv.toDouble() == double(qint64(sv.toDouble())));
            const bool tOk = tv.isUndefined() || tv.isNull() || tv.isString();
            // Qt parses 1.0 and 1e1 as integers; the scanner insists on integer syntax for op/s.
            const bool integerSyntax = !m.contains('.') && !m.contains('e') && !m.contains('E');
            if (intOp && sOk && tOk && integerSyntax)
                QVERIFY2(false, qPrintable(QStringLiteral("rejected valid payload: %1 (%2)")
                                               .arg(QString::fromUtf8(m), ours.error().message())));
        }
    }
    QVERIFY(accepted > 100);  // the mutations are not all destructive
}

void tst_GatewayPayload::hello_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<qint64>("interval");  // -1 = error expected
    QTest::newRow("ok") << QByteArray(R"({"op":10,"d":{"heartbeat_interval":41250}})") << qint64(41250);
    QTest::newRow("extra fields") << QByteArray(R"({"op":10,"d":{"_trace":["x"],"heartbeat_interval":150}})") << qint64(150);
    QTest::newRow("missing") << QByteArray(R"({"op":10,"d":{}})") << qint64(-1);
    QTest::newRow("string") << QByteArray(R"({"op":10,"d":{"heartbeat_interval":"41250"}})") << qint64(-1);
    QTest::newRow("zero") << QByteArray(R"({"op":10,"d":{"heartbeat_interval":0}})") << qint64(-1);
    QTest::newRow("negative") << QByteArray(R"({"op":10,"d":{"heartbeat_interval":-5}})") << qint64(-1);
    QTest::newRow("huge") << QByteArray(R"({"op":10,"d":{"heartbeat_interval":1e300}})") << qint64(-1);
    QTest::newRow("d null") << QByteArray(R"({"op":10,"d":null})") << qint64(-1);
    QTest::newRow("no d") << QByteArray(R"({"op":10})") << qint64(-1);
}

void tst_GatewayPayload::hello()
{
    QFETCH(QByteArray, json);
    QFETCH(qint64, interval);
    const auto p = PayloadDecoder::decode(json);
    QVERIFY(p.hasValue());
    const auto h = PayloadDecoder::decodeHello(p.value());
    QCOMPARE(h.hasValue(), interval >= 0);
    if (interval >= 0)
        QCOMPARE(h.value().count(), interval);
}

void tst_GatewayPayload::ready()
{
    const QByteArray json(R"({"t":"READY","s":1,"op":0,"d":{"v":10,"user":{"id":"123","username":"bot","discriminator":"0042"},
        "guilds":[{"id":"1","unavailable":true},{"id":"2","unavailable":true}],"session_id":"abc",
        "resume_gateway_url":"wss://resume.example:4443","shard":[1,4],"application":{"id":"9","flags":0}}})");
    const auto p = PayloadDecoder::decode(json);
    QVERIFY(p.hasValue());
    QCOMPARE(p->t, QByteArray("READY"));
    const auto r = PayloadDecoder::decodeReady(p.value());
    QVERIFY(r.hasValue());
    QCOMPARE(r->sessionId, QStringLiteral("abc"));
    QCOMPARE(r->resumeGatewayUrl, QUrl(QStringLiteral("wss://resume.example:4443")));
    QCOMPARE(r->userId, QStringLiteral("123"));
    QCOMPARE(r->userName, QStringLiteral("bot#0042"));
    QCOMPARE(r->shardId, 1);
    QCOMPARE(r->shardCount, 4);
    QCOMPARE(r->guildCount, 2);
}

void tst_GatewayPayload::readyMissingSession()
{
    for (const char *json : {R"({"op":0,"s":1,"t":"READY","d":{"user":{"id":"1"}}})",
                             R"({"op":0,"s":1,"t":"READY","d":{"session_id":5}})",
                             R"({"op":0,"s":1,"t":"READY","d":{"session_id":"a","shard":[1]}})",
                             R"({"op":0,"s":1,"t":"READY","d":[]})"}) {
        const auto p = PayloadDecoder::decode(QByteArray(json));
        QVERIFY(p.hasValue());
        QVERIFY2(!PayloadDecoder::decodeReady(p.value()).hasValue(), json);
    }
}

void tst_GatewayPayload::invalidSession_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<int>("expected");  // 1 true, 0 false, -1 error
    QTest::newRow("true") << QByteArray(R"({"op":9,"d":true})") << 1;
    QTest::newRow("false") << QByteArray(R"({"op":9,"d":false,"s":null,"t":null})") << 0;
    QTest::newRow("spaces") << QByteArray(R"({"op":9,"d": true })") << 1;
    QTest::newRow("null") << QByteArray(R"({"op":9,"d":null})") << -1;
    QTest::newRow("string") << QByteArray(R"({"op":9,"d":"true"})") << -1;
    QTest::newRow("missing") << QByteArray(R"({"op":9})") << -1;
}

void tst_GatewayPayload::invalidSession()
{
    QFETCH(QByteArray, json);
    QFETCH(int, expected);
    const auto p = PayloadDecoder::decode(json);
    QVERIFY(p.hasValue());
    const auto r = PayloadDecoder::decodeInvalidSession(p.value());
    QCOMPARE(r.hasValue(), expected >= 0);
    if (expected >= 0)
        QCOMPARE(r.value(), expected == 1);
}

void tst_GatewayPayload::encodesHeartbeat()
{
    QCOMPARE(PayloadEncoder::heartbeat(std::nullopt), QByteArray(R"({"op":1,"d":null})"));
    QCOMPARE(PayloadEncoder::heartbeat(1337), QByteArray(R"({"op":1,"d":1337})"));
    const auto p = PayloadDecoder::decode(PayloadEncoder::heartbeat(5));
    QVERIFY(p.hasValue());
    QCOMPARE(p->op, 1);
}

void tst_GatewayPayload::encodesIdentify()
{
    IdentifyParams params;
    params.token = QStringLiteral("tok\"en");
    params.intents = (1u << 0) | (1u << 15);
    params.os = QStringLiteral("linux");
    params.browser = QStringLiteral("gatewatch");
    params.device = QStringLiteral("gw-device");
    params.shardId = 2;
    params.shardCount = 5;
    params.largeThreshold = 100;
    const QByteArray bytes = PayloadEncoder::identify(params);
    const QJsonObject root = QJsonDocument::fromJson(bytes).object();
    QCOMPARE(root.value(QLatin1String("op")).toInt(), 2);
    const QJsonObject d = root.value(QLatin1String("d")).toObject();
    QCOMPARE(d.value(QLatin1String("token")).toString(), params.token);
    QCOMPARE(d.value(QLatin1String("intents")).toInteger(), qint64(params.intents));
    const QJsonObject props = d.value(QLatin1String("properties")).toObject();
    QCOMPARE(props.value(QLatin1String("os")).toString(), QStringLiteral("linux"));
    QCOMPARE(props.value(QLatin1String("browser")).toString(), QStringLiteral("gatewatch"));
    QCOMPARE(props.value(QLatin1String("device")).toString(), QStringLiteral("gw-device"));
    QCOMPARE(d.value(QLatin1String("shard")).toArray(), (QJsonArray{2, 5}));
    QCOMPARE(d.value(QLatin1String("large_threshold")).toInt(), 100);
    QVERIFY(!d.contains(QLatin1String("compress")));  // never with zlib-stream (docs/protocol.md, transport compression)
    QVERIFY(bytes.size() < 4096);
}

void tst_GatewayPayload::encodesResume()
{
    const QByteArray bytes = PayloadEncoder::resume(QStringLiteral("tok"), QStringLiteral("sess"), 9007199254740993LL);
    const auto p = PayloadDecoder::decode(bytes);
    QVERIFY(p.hasValue());
    QCOMPARE(p->op, 6);
    const QJsonObject d = QJsonDocument::fromJson(p->d().toByteArray()).object();
    QCOMPARE(d.value(QLatin1String("token")).toString(), QStringLiteral("tok"));
    QCOMPARE(d.value(QLatin1String("session_id")).toString(), QStringLiteral("sess"));
    QVERIFY(d.value(QLatin1String("seq")).isDouble());
}

QTEST_GUILESS_MAIN(tst_GatewayPayload)
#include "tst_gatewaypayload.moc"
