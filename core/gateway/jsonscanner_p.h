#pragma once

// Private to gatewaypayload.cpp and jsonscanner.cpp: not part of the gateway library's API.

#include "gatewaypayload.h"

#include <QByteArray>
#include <QByteArrayView>

namespace gw::detail {

inline PayloadError payloadError(PayloadError::Kind kind, qsizetype offset, const char *field = nullptr)
{
    PayloadError e;
    e.kind = kind;
    e.offset = offset;
    if (field)
        e.field = QLatin1String(field);
    return e;
}

//! A validating JSON scanner over one buffer. Every parse function leaves `pos` after the value
//! it consumed, or records the first error and returns false. Recursion is bounded by
//! PayloadDecoder::MaxDepth.
class JsonScanner
{
public:
    explicit JsonScanner(QByteArrayView in) : m_p(in.data()), m_n(in.size()) {}

    qsizetype pos = 0;
    PayloadError error;
    bool failed = false;

    //! A JSON number as the envelope needs it: integer or not, sign, and its magnitude when it
    //! fits in 63 bits.
    struct Number
    {
        bool isInteger = true;
        bool negative = false;
        bool overflow = false;        //!< the integer part does not fit in 63 bits
        quint64 magnitude = 0;
    };

    bool fail(PayloadError::Kind kind, const char *field = nullptr)
    {
        if (!failed) {
            failed = true;
            error = payloadError(kind, pos, field);
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
    //! The next byte may start a JSON number.
    [[nodiscard]] bool atNumber() const
    {
        const char c = peek();
        return c == '-' || (c >= '0' && c <= '9');
    }
    //! Consumes the literal `null` when the next bytes are one (what follows is checked by the
    //! caller's next step).
    bool skipNull()
    {
        if (!QByteArrayView(m_p, m_n).sliced(pos).startsWith("null"))
            return false;
        pos += 4;
        return true;
    }

    bool expect(char c)
    {
        if (pos < m_n && m_p[pos] == c) {
            ++pos;
            return true;
        }
        return fail(PayloadError::Kind::Syntax);
    }

    //! A string at `pos` (which must be '"'). When `out` is given, the decoded UTF-8 is appended
    //! to it; otherwise the string is only validated. Returns false on a syntax error.
    bool string(QByteArray *out);
    //! A number at `pos`; `num` (optional) receives what it is.
    bool number(Number *num);
    //! Validates any value at `pos`.
    bool value(int depth);

private:
    //! After a backslash: one escape sequence, its UTF-8 appended to `out` when given.
    bool escape(QByteArray *out);
    //! After "\u": four hex digits, and the low half when they are a high surrogate.
    bool unicodeEscape(char32_t *cp);
    bool hex4(char32_t *cp);
    bool digits();
    bool literal(const char *word, qsizetype len);
    bool object(int depth);
    bool array(int depth);

    const char *m_p;
    qsizetype m_n;
};

} // namespace gw::detail
