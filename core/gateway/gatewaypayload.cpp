#include "gatewaypayload.h"

#include "jsonscanner_p.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <limits>

namespace gw {

namespace {

using K = PayloadError::Kind;
using detail::JsonScanner;
using detail::payloadError;

// The envelope decoder: reads the top-level keys into a GatewayPayload. A wrong type or range
// of op, s or t is remembered in `typeError` and reported only once the whole message is
// known to be valid JSON (a syntax error wins).
class EnvelopeReader
{
public:
    explicit EnvelopeReader(const QByteArray &raw) : m_sc(raw) { m_payload.raw = raw; }

    Expected<GatewayPayload, PayloadError> read();

private:
    //! "Valid JSON but not an object" told apart from garbage.
    PayloadError notAnObject();
    //! One "key": value member; false on a syntax error (then m_sc.error says which).
    bool member();
    bool op(qsizetype valueStart);
    bool sequence(qsizetype valueStart);
    //! A non-negative integer for `field`: `*value` is set when it is one and at most `max`;
    //! otherwise the wrong type or range is remembered. False on a syntax error.
    bool integer(const char *field, qsizetype valueStart, quint64 max, std::optional<quint64> *value);
    bool type(qsizetype valueStart);
    //! Any other value, validated; it stays a view of the raw bytes if it is "d".
    bool other(const QByteArray &key, qsizetype valueStart);
    //! Consumes a value of the wrong type for `field` and remembers the first such error.
    bool wrongType(const char *field, qsizetype valueStart);
    void remember(K kind, qsizetype valueStart, const char *field)
    {
        if (!m_typeError)
            m_typeError = payloadError(kind, valueStart, field);
    }

    JsonScanner m_sc;
    GatewayPayload m_payload;
    bool m_haveOp = false;
    std::optional<PayloadError> m_typeError;  // reported only if the JSON itself is valid
    QByteArray m_key;
};

Expected<GatewayPayload, PayloadError> EnvelopeReader::read()
{
    m_sc.skipWs();
    if (m_sc.atEnd())
        return payloadError(K::Empty, 0);
    if (m_sc.peek() != '{')
        return notAnObject();
    ++m_sc.pos;
    m_sc.skipWs();
    if (m_sc.peek() == '}') {
        ++m_sc.pos;
    } else {
        for (;;) {
            if (!member())
                return m_sc.error;
            m_sc.skipWs();
            if (m_sc.peek() == ',') {
                ++m_sc.pos;
                continue;
            }
            if (!m_sc.expect('}'))
                return m_sc.error;
            break;
        }
    }
    m_sc.skipWs();
    if (!m_sc.atEnd())
        return payloadError(K::Syntax, m_sc.pos);
    if (m_typeError)
        return *m_typeError;
    if (!m_haveOp)
        return payloadError(K::MissingField, -1, "op");
    return m_payload;
}

PayloadError EnvelopeReader::notAnObject()
{
    if (m_sc.value(0)) {
        m_sc.skipWs();
        if (m_sc.atEnd())
            return payloadError(K::NotObject, 0);
    }
    return payloadError(K::Syntax, m_sc.failed ? m_sc.error.offset : m_sc.pos);
}

bool EnvelopeReader::member()
{
    m_sc.skipWs();
    m_key.truncate(0);  // keeps its buffer: no allocation per key
    if (!m_sc.string(&m_key))
        return false;
    m_sc.skipWs();
    if (!m_sc.expect(':'))
        return false;
    m_sc.skipWs();
    const qsizetype valueStart = m_sc.pos;
    if (m_key == "op")
        return op(valueStart);
    if (m_key == "s")
        return sequence(valueStart);
    if (m_key == "t")
        return type(valueStart);
    return other(m_key, valueStart);
}

bool EnvelopeReader::op(qsizetype valueStart)
{
    std::optional<quint64> value;
    if (!integer("op", valueStart, quint64(std::numeric_limits<int>::max()), &value))
        return false;
    if (value) {
        m_payload.op = static_cast<int>(*value);
        m_haveOp = true;
    }
    return true;
}

bool EnvelopeReader::sequence(qsizetype valueStart)
{
    if (m_sc.skipNull()) {
        m_payload.s.reset();
        return true;
    }
    std::optional<quint64> value;
    if (!integer("s", valueStart, quint64(std::numeric_limits<qint64>::max()), &value))
        return false;
    if (value)
        m_payload.s = static_cast<qint64>(*value);
    return true;
}

bool EnvelopeReader::integer(const char *field, qsizetype valueStart, quint64 max, std::optional<quint64> *value)
{
    if (!m_sc.atNumber())
        return wrongType(field, valueStart);
    JsonScanner::Number n;
    if (!m_sc.number(&n))
        return false;
    if (!n.isInteger)
        remember(K::WrongType, valueStart, field);
    else if (n.negative || n.overflow || n.magnitude > max)
        remember(K::OutOfRange, valueStart, field);
    else
        *value = n.magnitude;
    return true;
}

bool EnvelopeReader::type(qsizetype valueStart)
{
    if (m_sc.skipNull()) {
        m_payload.t.clear();
        return true;
    }
    if (m_sc.peek() != '"')
        return wrongType("t", valueStart);
    m_payload.t.clear();
    return m_sc.string(&m_payload.t);
}

bool EnvelopeReader::other(const QByteArray &key, qsizetype valueStart)
{
    if (!m_sc.value(1))
        return false;
    if (key == "d") {
        m_payload.dBegin = valueStart;
        m_payload.dLength = m_sc.pos - valueStart;
    }
    return true;
}

bool EnvelopeReader::wrongType(const char *field, qsizetype valueStart)
{
    if (!m_sc.value(1))
        return false;
    remember(K::WrongType, valueStart, field);
    return true;
}

} // namespace

QString payloadErrorKindName(PayloadError::Kind kind)
{
    switch (kind) {
    case K::Empty: return QStringLiteral("empty");
    case K::Syntax: return QStringLiteral("syntax");
    case K::NotObject: return QStringLiteral("not_object");
    case K::TooDeep: return QStringLiteral("too_deep");
    case K::MissingField: return QStringLiteral("missing_field");
    case K::WrongType: return QStringLiteral("wrong_type");
    case K::OutOfRange: return QStringLiteral("out_of_range");
    }
    return QStringLiteral("unknown");
}

QString PayloadError::message() const
{
    QString text;
    switch (kind) {
    case K::Empty: text = QStringLiteral("empty message"); break;
    case K::Syntax: text = QStringLiteral("invalid JSON"); break;
    case K::NotObject: text = QStringLiteral("top-level JSON value is not an object"); break;
    case K::TooDeep: text = QStringLiteral("JSON nested too deeply"); break;
    case K::MissingField: text = QStringLiteral("required field missing"); break;
    case K::WrongType: text = QStringLiteral("field has the wrong type"); break;
    case K::OutOfRange: text = QStringLiteral("number out of range"); break;
    }
    if (!field.isEmpty())
        text += QStringLiteral(" (field %1)").arg(field);
    if (offset >= 0)
        text += QStringLiteral(" at byte %1").arg(offset);
    return text;
}

Expected<GatewayPayload, PayloadError> PayloadDecoder::decode(const QByteArray &raw)
{
    return EnvelopeReader(raw).read();
}

namespace {

Expected<QJsonObject, PayloadError> parseDObject(const GatewayPayload &p)
{
    if (!p.hasD())
        return payloadError(K::MissingField, -1, "d");
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(p.d().toByteArray(), &pe);
    if (pe.error != QJsonParseError::NoError)
        return payloadError(K::Syntax, p.dBegin + pe.offset, "d");
    if (!doc.isObject())
        return payloadError(K::WrongType, p.dBegin, "d");
    return doc.object();
}

} // namespace

Expected<std::chrono::milliseconds, PayloadError> PayloadDecoder::decodeHello(const GatewayPayload &p)
{
    const auto obj = parseDObject(p);
    if (!obj)
        return obj.error();
    const QJsonValue v = obj->value(QLatin1String("heartbeat_interval"));
    if (v.isUndefined())
        return payloadError(K::MissingField, p.dBegin, "d.heartbeat_interval");
    if (!v.isDouble())
        return payloadError(K::WrongType, p.dBegin, "d.heartbeat_interval");
    const double ms = v.toDouble();
    // Anything below 1 ms or above a day is not a real interval.
    if (!(ms >= 1.0 && ms <= 86'400'000.0))
        return payloadError(K::OutOfRange, p.dBegin, "d.heartbeat_interval");
    return std::chrono::milliseconds(static_cast<qint64>(ms));
}

Expected<SessionInfo, PayloadError> PayloadDecoder::decodeReady(const GatewayPayload &p)
{
    const auto objOr = parseDObject(p);
    if (!objOr)
        return objOr.error();
    const QJsonObject &obj = *objOr;
    SessionInfo info;

    const QJsonValue sid = obj.value(QLatin1String("session_id"));
    if (sid.isUndefined())
        return payloadError(K::MissingField, p.dBegin, "d.session_id");
    if (!sid.isString() || sid.toString().isEmpty())
        return payloadError(K::WrongType, p.dBegin, "d.session_id");
    info.sessionId = sid.toString();

    const QJsonValue rurl = obj.value(QLatin1String("resume_gateway_url"));
    if (rurl.isString()) {
        info.resumeGatewayUrl = QUrl(rurl.toString());
        if (!info.resumeGatewayUrl.isValid())
            return payloadError(K::WrongType, p.dBegin, "d.resume_gateway_url");
    } else if (!rurl.isUndefined() && !rurl.isNull()) {
        return payloadError(K::WrongType, p.dBegin, "d.resume_gateway_url");
    }

    const QJsonValue user = obj.value(QLatin1String("user"));
    if (user.isObject()) {
        const QJsonObject u = user.toObject();
        info.userId = u.value(QLatin1String("id")).toString();
        const QString name = u.value(QLatin1String("username")).toString();
        const QString disc = u.value(QLatin1String("discriminator")).toString();
        info.userName = (disc.isEmpty() || disc == QLatin1String("0")) ? name : name + QLatin1Char('#') + disc;
    } else if (!user.isUndefined() && !user.isNull()) {
        return payloadError(K::WrongType, p.dBegin, "d.user");
    }

    const QJsonValue shard = obj.value(QLatin1String("shard"));
    if (shard.isArray()) {
        const QJsonArray a = shard.toArray();
        if (a.size() != 2 || !a.at(0).isDouble() || !a.at(1).isDouble())
            return payloadError(K::WrongType, p.dBegin, "d.shard");
        info.shardId = a.at(0).toInt();
        info.shardCount = a.at(1).toInt();
    }
    const QJsonValue guilds = obj.value(QLatin1String("guilds"));
    if (guilds.isArray())
        info.guildCount = static_cast<int>(guilds.toArray().size());
    return info;
}

Expected<bool, PayloadError> PayloadDecoder::decodeInvalidSession(const GatewayPayload &p)
{
    if (!p.hasD())
        return payloadError(K::MissingField, -1, "d");
    const QByteArrayView d = p.d();
    if (d == QByteArrayView("true"))
        return true;
    if (d == QByteArrayView("false"))
        return false;
    return payloadError(K::WrongType, p.dBegin, "d");
}

QByteArray PayloadEncoder::heartbeat(std::optional<qint64> sequence)
{
    QByteArray out;
    out.reserve(32);
    out.append("{\"op\":1,\"d\":");
    if (sequence)
        out.append(QByteArray::number(*sequence));
    else
        out.append("null");
    out.append('}');
    return out;
}

QByteArray PayloadEncoder::identify(const IdentifyParams &params)
{
    QJsonObject properties{
        {QLatin1String("os"), params.os},
        {QLatin1String("browser"), params.browser},
        {QLatin1String("device"), params.device},
    };
    QJsonObject d{
        {QLatin1String("token"), params.token},
        {QLatin1String("intents"), static_cast<qint64>(params.intents)},
        {QLatin1String("properties"), properties},
        {QLatin1String("shard"), QJsonArray{params.shardId, params.shardCount}},
        {QLatin1String("large_threshold"), params.largeThreshold},
    };
    const QJsonObject root{{QLatin1String("op"), 2}, {QLatin1String("d"), d}};
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

QByteArray PayloadEncoder::resume(const QString &token, const QString &sessionId, qint64 sequence)
{
    QJsonObject d{
        {QLatin1String("token"), token},
        {QLatin1String("session_id"), sessionId},
        {QLatin1String("seq"), sequence},
    };
    const QJsonObject root{{QLatin1String("op"), 6}, {QLatin1String("d"), d}};
    return QJsonDocument(root).toJson(QJsonDocument::Compact);
}

} // namespace gw
