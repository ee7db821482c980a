#include "jsonscanner_p.h"

#include <cstring>
#include <limits>

namespace gw::detail {

namespace {

using K = PayloadError::Kind;

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

quint64 load8(const char *p)
{
    quint64 v;
    std::memcpy(&v, p, sizeof v);
    return v;
}

// True when any byte of `v` is '"', '\\' or below 0x20 (SWAR: a byte is zero after the XOR,
// or below the bound, exactly when its high bit survives the subtract-and-mask).
bool hasSpecialByte(quint64 v)
{
    constexpr quint64 ones = 0x0101010101010101ULL;
    constexpr quint64 highs = 0x8080808080808080ULL;
    const auto zeroByte = [](quint64 x) { return (x - ones) & ~x & highs; };
    const quint64 below20 = (v - ones * 0x20) & ~v & highs;
    return (zeroByte(v ^ (ones * '"')) | zeroByte(v ^ (ones * '\\')) | below20) != 0;
}

void appendUtf8(QByteArray *out, char32_t cp)
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

//! The byte a one-letter escape stands for; 0 for anything that is not one.
char plainEscape(char e)
{
    switch (e) {
    case '"': return '"';
    case '\\': return '\\';
    case '/': return '/';
    case 'b': return '\b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    default: return 0;
    }
}

} // namespace

bool JsonScanner::string(QByteArray *out)
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
        if (!escape(out))
            return false;
        runStart = pos;
    }
    return fail(K::Syntax);
}

bool JsonScanner::escape(QByteArray *out)
{
    if (pos >= m_n)
        return fail(K::Syntax);
    const char e = m_p[pos++];
    if (e == 'u') {
        char32_t cp = 0;
        if (!unicodeEscape(&cp))
            return false;
        if (out)
            appendUtf8(out, cp);
        return true;
    }
    const char plain = plainEscape(e);
    if (!plain)
        return fail(K::Syntax);
    if (out)
        out->append(plain);
    return true;
}

bool JsonScanner::unicodeEscape(char32_t *cp)
{
    if (!hex4(cp))
        return false;
    if (*cp >= 0xDC00 && *cp <= 0xDFFF)
        return fail(K::Syntax);
    if (*cp < 0xD800 || *cp > 0xDBFF)
        return true;
    // A high surrogate must be followed by \uDC00–\uDFFF.
    if (pos + 1 >= m_n || m_p[pos] != '\\' || m_p[pos + 1] != 'u')
        return fail(K::Syntax);
    pos += 2;
    char32_t lo = 0;
    if (!hex4(&lo))
        return false;
    if (lo < 0xDC00 || lo > 0xDFFF)
        return fail(K::Syntax);
    *cp = 0x10000 + ((*cp - 0xD800) << 10) + (lo - 0xDC00);
    return true;
}

bool JsonScanner::hex4(char32_t *cp)
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

bool JsonScanner::number(Number *num)
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

bool JsonScanner::digits()
{
    const qsizetype start = pos;
    while (pos < m_n && m_p[pos] >= '0' && m_p[pos] <= '9')
        ++pos;
    return pos > start || fail(K::Syntax);
}

bool JsonScanner::literal(const char *word, qsizetype len)
{
    if (pos + len <= m_n && QByteArrayView(m_p + pos, len) == QByteArrayView(word, len)) {
        pos += len;
        return true;
    }
    return fail(K::Syntax);
}

bool JsonScanner::value(int depth)
{
    if (depth > PayloadDecoder::MaxDepth)
        return fail(K::TooDeep);
    skipWs();
    switch (peek()) {
    case '{': return object(depth);
    case '[': return array(depth);
    case '"': return string(nullptr);
    case 't': return literal("true", 4);
    case 'f': return literal("false", 5);
    case 'n': return literal("null", 4);
    default: return number(nullptr);
    }
}

bool JsonScanner::object(int depth)
{
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

bool JsonScanner::array(int depth)
{
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

} // namespace gw::detail
