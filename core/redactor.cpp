#include "redactor.h"

#include "textsafety.h"

#include <QHash>
#include <QReadWriteLock>
#include <QRegularExpression>

#include <algorithm>
#include <array>
#include <atomic>
#include <cstdio>

namespace gw {

namespace {

// Generous on purpose: the user-id part of a real token is 23–28 characters, the
// timestamp 6, the HMAC 27 (old) to 38 (current). Lengths have no upper bound so a longer run is
// swallowed whole instead of leaving a tail behind.
constexpr qsizetype MinFirst = 20, MinMiddle = 4, MaxMiddle = 8, MinLast = 25;
constexpr qsizetype MinShapedLength = MinFirst + 1 + MinMiddle + 1 + MinLast;

const QRegularExpression &tokenShape()
{
    static const QRegularExpression re = [] {
        QRegularExpression r(QStringLiteral("[A-Za-z0-9_-]{20,}\\.[A-Za-z0-9_-]{4,8}\\.[A-Za-z0-9_-]{25,}"));
        r.optimize();
        return r;
    }();
    return re;
}

// The cheap pre-check: a token-shaped run needs two dots and a minimum length. Most log lines
// (state changes, latencies, close codes) fail it and never reach the regex.
bool mayContainShapedToken(const QString &text)
{
    if (text.size() < MinShapedLength)
        return false;
    int dots = 0;
    for (const QChar c : text) {
        if (c == u'.' && ++dots >= 2)
            return true;
    }
    return false;
}

QString normalisedToken(const QString &token)
{
    QString t = token.trimmed();
    if (t.startsWith(QLatin1String("Bot "), Qt::CaseInsensitive))
        t = t.mid(4).trimmed();
    return t;
}

} // namespace

// Known tokens are found in one pass over the text, whatever their number (200 accounts are a
// supported size): every token is indexed by the hash of its first PrefixLength characters, and
// a 128-bit map of first characters lets most positions be skipped without hashing.
constexpr qsizetype PrefixLength = Redactor::MinimumKnownTokenLength;

struct KnownIndex
{
    QHash<size_t, QStringList> byPrefix;  // qHash(first PrefixLength chars) → tokens, longest first
    std::array<quint64, 2> firstChars{};  // bit c set: some token starts with ASCII c
    bool nonAsciiFirst = false;
    int count = 0;

    [[nodiscard]] bool mayStartAt(QChar c) const
    {
        const char16_t u = c.unicode();
        if (u >= 128)
            return nonAsciiFirst;
        return (firstChars[u >> 6] >> (u & 63)) & 1u;
    }
};

class Redactor::Private
{
public:
    mutable QReadWriteLock lock;
    QStringList known;   // guarded by lock
    KnownIndex index;    // guarded by lock; copied (implicitly shared) for matching
    std::atomic<bool> enabled{true};

    // Called with the write lock held.
    void rebuild()
    {
        KnownIndex next;
        QStringList sorted = known;
        std::sort(sorted.begin(), sorted.end(),
                  [](const QString &a, const QString &b) { return a.size() > b.size(); });
        for (const QString &t : std::as_const(sorted)) {
            next.byPrefix[qHash(QStringView(t).left(PrefixLength))].append(t);
            const char16_t u = t.at(0).unicode();
            if (u >= 128)
                next.nonAsciiFirst = true;
            else
                next.firstChars[u >> 6] |= quint64(1) << (u & 63);
        }
        next.count = int(sorted.size());
        index = std::move(next);
    }

    KnownIndex snapshot() const
    {
        QReadLocker locker(&lock);
        return index;
    }
};

namespace {

// Replaces every known token in `text`; returns true if anything was replaced.
bool replaceKnown(const KnownIndex &index, QString &text)
{
    if (index.count == 0 || text.size() < PrefixLength)
        return false;
    QString out;
    qsizetype copiedUpTo = 0;
    const QStringView view(text);
    for (qsizetype i = 0; i + PrefixLength <= view.size();) {
        if (!index.mayStartAt(view.at(i))) {
            ++i;
            continue;
        }
        const auto it = index.byPrefix.constFind(qHash(view.mid(i, PrefixLength)));
        qsizetype matched = 0;
        if (it != index.byPrefix.cend()) {
            for (const QString &t : it.value()) {
                if (view.mid(i).startsWith(t)) {
                    matched = t.size();
                    break;
                }
            }
        }
        if (matched == 0) {
            ++i;
            continue;
        }
        out += view.mid(copiedUpTo, i - copiedUpTo);
        out += Redactor::placeholder();
        i += matched;
        copiedUpTo = i;
    }
    if (copiedUpTo == 0)
        return false;
    out += view.mid(copiedUpTo);
    text = out;
    return true;
}

} // namespace

Redactor::Redactor() : d(std::make_unique<Private>()) {}
Redactor::~Redactor() = default;

Redactor &Redactor::global()
{
    // Deliberately leaked: the message handler may run during static destruction.
    static Redactor *const instance = new Redactor;
    return *instance;
}

bool Redactor::addToken(const QString &token)
{
    const QString t = normalisedToken(token);
    if (t.size() < MinimumKnownTokenLength)
        return false;
    QWriteLocker locker(&d->lock);
    if (!d->known.contains(t)) {
        d->known.append(t);
        d->rebuild();
    }
    return true;
}

void Redactor::removeToken(const QString &token)
{
    const QString t = normalisedToken(token);
    QWriteLocker locker(&d->lock);
    if (d->known.removeAll(t) > 0)
        d->rebuild();
}

void Redactor::clearTokens()
{
    QWriteLocker locker(&d->lock);
    d->known.clear();
    d->rebuild();
}

int Redactor::knownTokenCount() const
{
    QReadLocker locker(&d->lock);
    return int(d->known.size());
}

QString Redactor::redact(const QString &text) const
{
    if (!d->enabled.load(std::memory_order_relaxed) || text.isEmpty())
        return text;
    QString out = text;
    replaceKnown(d->snapshot(), out);
    if (mayContainShapedToken(out))
        out.replace(tokenShape(), placeholder());
    return out;
}

bool Redactor::containsSecret(const QString &text) const
{
    if (!d->enabled.load(std::memory_order_relaxed) || text.isEmpty())
        return false;
    QString copy = text;
    return replaceKnown(d->snapshot(), copy) || looksLikeToken(text);
}

bool Redactor::looksLikeToken(const QString &text)
{
    return mayContainShapedToken(text) && tokenShape().match(text).hasMatch();
}

bool Redactor::isTokenShaped(const QString &text)
{
    static const QRegularExpression whole(
        QRegularExpression::anchoredPattern(tokenShape().pattern()));
    const QString t = text.trimmed();
    return t.size() >= MinShapedLength && whole.match(t).hasMatch();
}

QJsonValue Redactor::redactJson(const QJsonValue &value) const
{
    switch (value.type()) {
    case QJsonValue::String:
        return redact(value.toString());
    case QJsonValue::Object:
        return redactJson(value.toObject());
    case QJsonValue::Array:
        return redactJson(value.toArray());
    case QJsonValue::Null:
    case QJsonValue::Bool:
    case QJsonValue::Double:
    case QJsonValue::Undefined:
        return value;
    }
    return value;
}

QJsonObject Redactor::redactJson(const QJsonObject &object) const
{
    QJsonObject out;
    for (auto it = object.begin(); it != object.end(); ++it)
        out.insert(redact(it.key()), redactJson(it.value()));
    return out;
}

QJsonArray Redactor::redactJson(const QJsonArray &array) const
{
    QJsonArray out;
    for (const QJsonValue &v : array)
        out.append(redactJson(v));
    return out;
}

QVariantMap Redactor::redactVariantMap(const QVariantMap &map) const
{
    QVariantMap out;
    for (auto it = map.begin(); it != map.end(); ++it) {
        const QVariant &v = it.value();
        QVariant r = v;
        switch (v.typeId()) {
        case QMetaType::QString:
            r = redact(v.toString());
            break;
        case QMetaType::QStringList: {
            QStringList list = v.toStringList();
            for (QString &s : list)
                s = redact(s);
            r = list;
            break;
        }
        case QMetaType::QVariantMap:
            r = redactVariantMap(v.toMap());
            break;
        case QMetaType::QByteArray:
            r = redact(QString::fromUtf8(v.toByteArray())).toUtf8();
            break;
        default:
            break;
        }
        out.insert(redact(it.key()), r);
    }
    return out;
}

void Redactor::setEnabled(bool enabled)
{
    d->enabled.store(enabled);
}

bool Redactor::isEnabled() const
{
    return d->enabled.load();
}

// --- message handler --------------------------------------------------------------------------

namespace {

std::atomic<QtMessageHandler> s_previous{nullptr};
std::atomic<bool> s_installed{false};

void redactingMessageHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    // Redact first (a token split by an escape would no longer match), then make control
    // characters visible: a CR/LF from the network must not start a line of its own.
    const QString clean = escapeControls(Redactor::global().redact(message));
    if (const QtMessageHandler previous = s_previous.load()) {
        previous(type, context, clean);
        return;
    }
    // No previous handler known (cannot happen with Qt 6, which returns the default one):
    // write the line ourselves rather than lose it.
    const QString line = qFormatLogMessage(type, context, clean);
    std::fprintf(stderr, "%s\n", line.toLocal8Bit().constData());
    std::fflush(stderr);
}

} // namespace

QString redactText(const QString &text)
{
    return Redactor::global().redact(text);
}

bool installRedactingMessageHandler()
{
    bool expected = false;
    if (!s_installed.compare_exchange_strong(expected, true))
        return false;
    s_previous.store(qInstallMessageHandler(redactingMessageHandler));
    return true;
}

bool uninstallRedactingMessageHandler()
{
    if (!s_installed.load())
        return false;
    const QtMessageHandler current = qInstallMessageHandler(s_previous.load());
    if (current != redactingMessageHandler) {
        // Someone chained on top of us: leave their handler in place.
        qInstallMessageHandler(current);
        return false;
    }
    s_installed.store(false);
    s_previous.store(nullptr);
    return true;
}

bool isRedactingMessageHandlerInstalled()
{
    return s_installed.load();
}

} // namespace gw
