#include "textsafety.h"

namespace gw {

namespace {

bool isBidiControl(char16_t c)
{
    return (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x200e || c == 0x200f
        || c == 0x061c;
}

//! How `text[i]` must be written, or an empty string when it is safe as it is. `step` is set to
//! the number of UTF-16 units the character takes (2 for a valid surrogate pair).
QString escapeAt(QStringView text, qsizetype i, qsizetype &step)
{
    step = 1;
    const char16_t c = text[i].unicode();
    if (QChar::isHighSurrogate(c) && i + 1 < text.size() && QChar::isLowSurrogate(text[i + 1].unicode())) {
        step = 2;
        return {};
    }
    switch (c) {
    case u'\n': return QStringLiteral("\\n");
    case u'\r': return QStringLiteral("\\r");
    case u'\t': return QStringLiteral("\\t");
    case 0x1b: return QStringLiteral("\\e");
    default: break;
    }
    if (c < 0x20 || c == 0x7f)
        return QStringLiteral("\\x%1").arg(uint(c), 2, 16, QLatin1Char('0'));
    if ((c >= 0x80 && c < 0xa0) || c == 0x2028 || c == 0x2029 || isBidiControl(c) || QChar::isSurrogate(c))
        return QStringLiteral("\\u%1").arg(uint(c), 4, 16, QLatin1Char('0'));
    return {};
}

} // namespace

QString escapeControls(QStringView text)
{
    if (!hasControls(text))
        return text.toString();
    QString out;
    out.reserve(text.size() + 16);
    for (qsizetype i = 0; i < text.size();) {
        qsizetype step = 1;
        const QString escaped = escapeAt(text, i, step);
        if (escaped.isEmpty())
            out.append(text.mid(i, step));
        else
            out.append(escaped);
        i += step;
    }
    return out;
}

bool hasControls(QStringView text)
{
    for (qsizetype i = 0; i < text.size();) {
        qsizetype step = 1;
        if (!escapeAt(text, i, step).isEmpty())
            return true;
        i += step;
    }
    return false;
}

std::optional<QString> tokenTextProblem(QStringView token)
{
    for (qsizetype i = 0; i < token.size(); ++i) {
        const char16_t c = token[i].unicode();
        if (c > 0x20 && c < 0x7f)
            continue;
        QString what;
        if (c == u'\r' || c == u'\n')
            what = QStringLiteral("a line break");
        else if (c == 0)
            what = QStringLiteral("a NUL byte");
        else if (c == u' ' || c == u'\t')
            what = QStringLiteral("a space");
        else if (c < 0x20 || c == 0x7f)
            what = QStringLiteral("a control character");
        else
            what = QStringLiteral("a non-ASCII character");
        return QStringLiteral("the token contains %1 at position %2; a bot token is printable ASCII "
                              "without spaces (check the file or variable for a stray character)")
            .arg(what)
            .arg(i + 1);
    }
    return std::nullopt;
}

std::optional<QString> nameTextProblem(QStringView name)
{
    if (!hasControls(name))
        return std::nullopt;
    for (qsizetype i = 0; i < name.size();) {
        qsizetype step = 1;
        const QString escaped = escapeAt(name, i, step);
        if (!escaped.isEmpty())
            return QStringLiteral("the name contains a control character (%1) at position %2; names appear "
                                  "in logs, metrics and the window, so they must be plain text")
                .arg(escaped)
                .arg(i + 1);
        i += step;
    }
    return std::nullopt;
}

} // namespace gw
