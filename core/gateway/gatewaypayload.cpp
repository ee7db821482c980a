#include "gatewaypayload.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonParseError>

#include <cstring>
#include <limits>

namespace gw {

namespace {

using K = PayloadError::Kind;

PayloadError err(K kind, qsizetype offset, const char *field = nullptr)
{
    PayloadError e;
    e.kind = kind;
    e.offset = offset;
    if (field)
        e.field = QLatin1String(field);
    return e;
}

// A validating JSON scanner over one buffer. Every parse function leaves `pos` after the value
// it consumed, or records the first error and returns false. Recursion is bounded by MaxDepth.
class Scanner
{
public:
    explicit Scanner(QByteArrayView in) : m_p(in.data()), m_n(in.size()) {}

    qsizetype pos = 0;
    PayloadError error;
    bool failed = false;

    bool fail(K kind, const char *field = nullptr)
    {
        if (!failed) {
            failed = true;
            error = err(kind, pos, field);
        }
        return false;
    }

    void skipWs()
    {
        while (pos < m_n) {
            const char c = m_p[pos];
            if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
                return;
            ++pos;
        }
    }
    [[nodiscard]] bool atEnd() const { return pos >= m_n; }
    [[nodiscard]] char peek() const { return pos < m_n ? m_p[pos] : '\0'; }

    bool expect(char c)
    {
        if (pos < m_n && m_p[pos] == c) {
            ++pos;
            return true;
        }
        return fail(K::Syntax);
    }

    static int hexValue(char c)
    {
        if (c >= '0' && c <= '9')
            return c - '0';
        if (c >= 'a' && c <= 'f')
            return c - 'a' + 10;
        if (c >= 'A' && c <= 'F')
            return c - 'A' + 10;
        return -1;
    }

    static quint64 load8(const char *p)
    {
        quint64 v;
        std::memcpy(&v, p, sizeof v);
        return v;
    }
    // True when any byte of `v` is '"', '\\' or below 0x20 (SWAR: a byte is zero after the XOR,
    // or below the bound, exactly when its high bit survives the subtract-and-mask).
    static bool hasSpecialByte(quint64 v)
    {
        constexpr quint64 ones = 0x0101010101010101ULL;
        constexpr quint64 highs = 0x8080808080808080ULL;
        const auto zeroByte = [](quint64 x) { return (x - ones) & ~x & highs; };
        const quint64 below20 = (v - ones * 0x20) & ~v & highs;
        return (zeroByte(v ^ (ones * '"')) | zeroByte(v ^ (ones * '\\')) | below20) != 0;
    }

    // Parses a string at `pos` (which must be '"'). When `out` is given, the decoded UTF-8 is
    // appended to it; otherwise the string is only validated. Returns false on a syntax error.
    bool string(QByteArray *out)
    {
        if (!expect('"'))
            return false;
        qsizetype runStart = pos;
        while (pos < m_n) {
            // Skip 8 plain bytes at a time (no '"', no '\\', nothing below 0x20): most of a
            // dispatch is the text of strings it only validates (docs/performance.md).
            while (pos + 8 <= m_n && !hasSpecialByte(load8(m_p + pos)))
                pos += 8;
            if (pos >= m_n)
                break;
            const auto c = static_cast<unsigned char>(m_p[pos]);
            if (c == '"') {
                if (out)
                    out->append(m_p + runStart, pos - runStart);
                ++pos;
                return true;
            }
            if (c < 0x20)
                return fail(K::Syntax);
            if (c != '\\') {
                ++pos;
                continue;
            }
            if (out)
                out->append(m_p + runStart, pos - runStart);
            ++pos;
            if (pos >= m_n)
                return fail(K::Syntax);
            const char e = m_p[pos++];
            char plain = 0;
            switch (e) {
            case '"': plain = '"'; break;
            case '\\': plain = '\\'; break;
            case '/': plain = '/'; break;
            case 'b': plain = '\b'; break;
            case 'f': plain = '\f'; break;
            case 'n': plain = '\n'; break;
            case 'r': plain = '\r'; break;
            case 't': plain = '\t'; break;
            case 'u': {
                char32_t cp = 0;
                if (!hex4(&cp))
                    return false;
                if (cp >= 0xD800 && cp <= 0xDBFF) {
                    // A high surrogate must be followed by \uDC00–\uDFFF.
                    if (pos + 1 < m_n && m_p[pos] == '\\' && m_p[pos + 1] == 'u') {
                        pos += 2;
                        char32_t lo = 0;
                        if (!hex4(&lo))
                            return false;
                        if (lo < 0xDC00 || lo > 0xDFFF)
                            return fail(K::Syntax);
                        cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    } else {
                        return fail(K::Syntax);
                    }
                } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                    return fail(K::Syntax);
                }
                if (out)
                    appendUtf8(out, cp);
                break;
            }
            default:
                return fail(K::Syntax);
            }
            if (plain && out)
                out->append(plain);
            runStart = pos;
        }
        return fail(K::Syntax);
    }

    bool hex4(char32_t *cp)
    {
        if (pos + 4 > m_n)
            return fail(K::Syntax);
        char32_t v = 0;
        for (int i = 0; i < 4; ++i) {
            const int h = hexValue(m_p[pos + i]);
            if (h < 0)
                return fail(K::Syntax);
            v = (v << 4) | static_cast<char32_t>(h);
        }
        pos += 4;
        *cp = v;
        return true;
    }

    static void appendUtf8(QByteArray *out, char32_t cp)
    {
        if (cp < 0x80) {
            out->append(static_cast<char>(cp));
        } else if (cp < 0x800) {
            out->append(static_cast<char>(0xC0 | (cp >> 6)));
            out->append(static_cast<char>(0x80 | (cp & 0x3F)));
        } else if (cp < 0x10000) {
            out->append(static_cast<char>(0xE0 | (cp >> 12)));
            out->append(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out->append(static_cast<char>(0x80 | (cp & 0x3F)));
        } else {
            out->append(static_cast<char>(0xF0 | (cp >> 18)));
            out->append(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
            out->append(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
            out->append(static_cast<char>(0x80 | (cp & 0x3F)));
        }
    }

    struct Number
    {
        bool isInteger = true;
        bool negative = false;
        bool overflow = false;        // integer part does not fit in 63 bits
        quint64 magnitude = 0;
    };

    bool number(Number *num)
    {
        Number n;
        if (peek() == '-') {
            n.negative = true;
            ++pos;
        }
        if (atEnd())
            return fail(K::Syntax);
        if (m_p[pos] == '0') {
            ++pos;
        } else if (m_p[pos] >= '1' && m_p[pos] <= '9') {
            while (pos < m_n && m_p[pos] >= '0' && m_p[pos] <= '9') {
                const auto digit = static_cast<quint64>(m_p[pos] - '0');
                if (n.magnitude > (static_cast<quint64>(std::numeric_limits<qint64>::max()) - digit) / 10)
                    n.overflow = true;
                else
                    n.magnitude = n.magnitude * 10 + digit;
                ++pos;
            }
        } else {
            return fail(K::Syntax);
        }
        if (peek() == '.') {
            n.isInteger = false;
            ++pos;
            if (!digits())
                return false;
        }
        if (peek() == 'e' || peek() == 'E') {
            n.isInteger = false;
            ++pos;
            if (peek() == '+' || peek() == '-')
                ++pos;
            if (!digits())
                return false;
        }
        if (num)
            *num = n;
        return true;
    }

    bool digits()
    {
        const qsizetype start = pos;
        while (pos < m_n && m_p[pos] >= '0' && m_p[pos] <= '9')
            ++pos;
        return pos > start || fail(K::Syntax);
    }

    bool literal(const char *word, qsizetype len)
    {
        if (pos + len <= m_n && QByteArrayView(m_p + pos, len) == QByteArrayView(word, len)) {
            pos += len;
            return true;
        }
        return fail(K::Syntax);
    }

    // Validates any value at `pos`.
    bool value(int depth)
    {
        if (depth > PayloadDecoder::MaxDepth)
            return fail(K::TooDeep);
        skipWs();
        switch (peek()) {
        case '{': {
            ++pos;
            skipWs();
            if (peek() == '}') {
                ++pos;
                return true;
            }
            for (;;) {
                skipWs();
                if (!string(nullptr))
                    return false;
                skipWs();
                if (!expect(':') || !value(depth + 1))
                    return false;
                skipWs();
                if (peek() == ',') {
                    ++pos;
                    continue;
                }
                return expect('}');
            }
        }
        case '[': {
            ++pos;
            skipWs();
            if (peek() == ']') {
                ++pos;
                return true;
            }
            for (;;) {
                if (!value(depth + 1))
                    return false;
                skipWs();
                if (peek() == ',') {
                    ++pos;
                    continue;
                }
                return expect(']');
            }
        }
        case '"': return string(nullptr);
        case 't': return literal("true", 4);
        case 'f': return literal("false", 5);
        case 'n': return literal("null", 4);
        default: return number(nullptr);
        }
    }

private:
    const char *m_p;
    qsizetype m_n;
};

bool isNullAt(QByteArrayView in, qsizetype pos)
{
    return in.sliced(pos).startsWith("null");
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
    const QByteArrayView in(raw);
    Scanner sc(in);
    sc.skipWs();
    if (sc.atEnd())
        return err(K::Empty, 0);
    if (sc.peek() != '{') {
        // Tell "valid JSON but not an object" apart from garbage.
        if (sc.value(0)) {
            sc.skipWs();
            if (sc.atEnd())
                return err(K::NotObject, 0);
        }
        return err(K::Syntax, sc.failed ? sc.error.offset : sc.pos);
    }

    GatewayPayload p;
    p.raw = raw;
    bool haveOp = false;
    std::optional<PayloadError> typeError;  // reported only if the JSON itself is valid
    QByteArray key;

    ++sc.pos;
    sc.skipWs();
    if (sc.peek() == '}') {
        ++sc.pos;
    } else {
        for (;;) {
            sc.skipWs();
            key.clear();
            if (!sc.string(&key))
                return sc.error;
            sc.skipWs();
            if (!sc.expect(':'))
                return sc.error;
            sc.skipWs();
            const qsizetype valueStart = sc.pos;
            if (key == "op") {
                Scanner::Number n;
                if (sc.peek() == '-' || (sc.peek() >= '0' && sc.peek() <= '9')) {
                    if (!sc.number(&n))
                        return sc.error;
                    if (!n.isInteger)
                        typeError = typeError.value_or(err(K::WrongType, valueStart, "op"));
                    else if (n.negative || n.overflow || n.magnitude > quint64(std::numeric_limits<int>::max()))
                        typeError = typeError.value_or(err(K::OutOfRange, valueStart, "op"));
                    else {
                        p.op = static_cast<int>(n.magnitude);
                        haveOp = true;
                    }
                } else {
                    if (!sc.value(1))
                        return sc.error;
                    typeError = typeError.value_or(err(K::WrongType, valueStart, "op"));
                }
            } else if (key == "s") {
                if (isNullAt(in, sc.pos)) {
                    sc.pos += 4;
                    p.s.reset();
                } else if (sc.peek() == '-' || (sc.peek() >= '0' && sc.peek() <= '9')) {
                    Scanner::Number n;
                    if (!sc.number(&n))
                        return sc.error;
                    if (!n.isInteger)
                        typeError = typeError.value_or(err(K::WrongType, valueStart, "s"));
                    else if (n.negative || n.overflow)
                        typeError = typeError.value_or(err(K::OutOfRange, valueStart, "s"));
                    else
                        p.s = static_cast<qint64>(n.magnitude);
                } else {
                    if (!sc.value(1))
                        return sc.error;
                    typeError = typeError.value_or(err(K::WrongType, valueStart, "s"));
                }
            } else if (key == "t") {
                if (isNullAt(in, sc.pos)) {
                    sc.pos += 4;
                    p.t.clear();
                } else if (sc.peek() == '"') {
                    p.t.clear();
                    if (!sc.string(&p.t))
                        return sc.error;
                } else {
                    if (!sc.value(1))
                        return sc.error;
                    typeError = typeError.value_or(err(K::WrongType, valueStart, "t"));
                }
            } else {
                if (!sc.value(1))
                    return sc.error;
                if (key == "d") {
                    p.dBegin = valueStart;
                    p.dLength = sc.pos - valueStart;
                }
            }
            sc.skipWs();
            if (sc.peek() == ',') {
                ++sc.pos;
                continue;
            }
            if (!sc.expect('}'))
                return sc.error;
            break;
        }
    }
    sc.skipWs();
    if (!sc.atEnd())
        return err(K::Syntax, sc.pos);
    if (typeError)
        return *typeError;
    if (!haveOp)
        return err(K::MissingField, -1, "op");
    return p;
}

namespace {

Expected<QJsonObject, PayloadError> parseDObject(const GatewayPayload &p)
{
    if (!p.hasD())
        return err(K::MissingField, -1, "d");
    QJsonParseError pe;
    const QJsonDocument doc = QJsonDocument::fromJson(p.d().toByteArray(), &pe);
    if (pe.error != QJsonParseError::NoError)
        return err(K::Syntax, p.dBegin + pe.offset, "d");
    if (!doc.isObject())
        return err(K::WrongType, p.dBegin, "d");
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
        return err(K::MissingField, p.dBegin, "d.heartbeat_interval");
    if (!v.isDouble())
        return err(K::WrongType, p.dBegin, "d.heartbeat_interval");
    const double ms = v.toDouble();
    // Anything below 1 ms or above a day is not a real interval.
    if (!(ms >= 1.0 && ms <= 86'400'000.0))
        return err(K::OutOfRange, p.dBegin, "d.heartbeat_interval");
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
        return err(K::MissingField, p.dBegin, "d.session_id");
    if (!sid.isString() || sid.toString().isEmpty())
        return err(K::WrongType, p.dBegin, "d.session_id");
    info.sessionId = sid.toString();

    const QJsonValue rurl = obj.value(QLatin1String("resume_gateway_url"));
    if (rurl.isString()) {
        info.resumeGatewayUrl = QUrl(rurl.toString());
        if (!info.resumeGatewayUrl.isValid())
            return err(K::WrongType, p.dBegin, "d.resume_gateway_url");
    } else if (!rurl.isUndefined() && !rurl.isNull()) {
        return err(K::WrongType, p.dBegin, "d.resume_gateway_url");
    }

    const QJsonValue user = obj.value(QLatin1String("user"));
    if (user.isObject()) {
        const QJsonObject u = user.toObject();
        info.userId = u.value(QLatin1String("id")).toString();
        const QString name = u.value(QLatin1String("username")).toString();
        const QString disc = u.value(QLatin1String("discriminator")).toString();
        info.userName = (disc.isEmpty() || disc == QLatin1String("0")) ? name : name + QLatin1Char('#') + disc;
    } else if (!user.isUndefined() && !user.isNull()) {
        return err(K::WrongType, p.dBegin, "d.user");
    }

    const QJsonValue shard = obj.value(QLatin1String("shard"));
    if (shard.isArray()) {
        const QJsonArray a = shard.toArray();
        if (a.size() != 2 || !a.at(0).isDouble() || !a.at(1).isDouble())
            return err(K::WrongType, p.dBegin, "d.shard");
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
        return err(K::MissingField, -1, "d");
    const QByteArrayView d = p.d();
    if (d == QByteArrayView("true"))
        return true;
    if (d == QByteArrayView("false"))
        return false;
    return err(K::WrongType, p.dBegin, "d");
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
