#include "jsonkeys_p.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QList>
#include <QSet>

namespace gw {

namespace {

struct Frame
{
    bool object = false;
    bool expectKey = false;
    QSet<QString> keys;
};

//! The end of the string literal that starts at `begin` (the opening quote): the index of its
//! closing quote.
qsizetype stringEnd(const QByteArray &json, qsizetype begin)
{
    qsizetype i = begin + 1;
    while (i < json.size() && json.at(i) != '"')
        i += json.at(i) == '\\' ? 2 : 1;
    return i;
}

QString decodeKey(const QByteArray &literal)
{
    if (!literal.contains('\\'))
        return QString::fromUtf8(literal.mid(1, literal.size() - 2));
    return QJsonDocument::fromJson('[' + literal + ']').array().at(0).toString();
}

} // namespace

std::optional<DuplicateKey> firstDuplicateKey(const QByteArray &json)
{
    QList<Frame> stack;
    for (qsizetype i = 0; i < json.size(); ++i) {
        const char c = json.at(i);
        switch (c) {
        case '{':
            stack.append(Frame{true, true, {}});
            break;
        case '[':
            stack.append(Frame{false, false, {}});
            break;
        case '}':
        case ']':
            if (!stack.isEmpty())
                stack.removeLast();
            break;
        case ',':
            if (!stack.isEmpty() && stack.last().object)
                stack.last().expectKey = true;
            break;
        case '"': {
            const qsizetype end = stringEnd(json, i);
            if (!stack.isEmpty() && stack.last().object && stack.last().expectKey) {
                Frame &frame = stack.last();
                frame.expectKey = false;
                const QString key = decodeKey(json.mid(i, end - i + 1));
                if (frame.keys.contains(key))
                    return DuplicateKey{key, i};
                frame.keys.insert(key);
            }
            i = end;
            break;
        }
        default:
            break;
        }
    }
    return std::nullopt;
}

} // namespace gw
