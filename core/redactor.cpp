#include "redactor.h"

#include <QReadWriteLock>
#include <QRegularExpression>
#include <QStringMatcher>

#include <atomic>
#include <cstdio>

namespace gw {

namespace {

// Generous on purpose (issue G3 §4): the user-id part of a real token is 23–28 characters, the
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

class Redactor::Private
{
public:
    mutable QReadWriteLock lock;
    QList<QStringMatcher> known;      // guarded by lock
    std::atomic<bool> enabled{true};

    bool hasKnownIn(const QString &text) const
    {
        QReadLocker locker(&lock);
        for (const QStringMatcher &m : std::as_const(known)) {
            if (m.indexIn(text) >= 0)
                return true;
        }
        return false;
    }
};

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
    for (const QStringMatcher &m : std::as_const(d->known)) {
        if (m.pattern() == t)
            return true;
    }
    d->known.append(QStringMatcher(t, Qt::CaseSensitive));
    return true;
}

void Redactor::removeToken(const QString &token)
{
    const QString t = normalisedToken(token);
    QWriteLocker locker(&d->lock);
    d->known.removeIf([&t](const QStringMatcher &m) { return m.pattern() == t; });
}

void Redactor::clearTokens()
{
    QWriteLocker locker(&d->lock);
    d->known.clear();
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
    {
        QReadLocker locker(&d->lock);
        for (const QStringMatcher &m : std::as_const(d->known)) {
            if (m.indexIn(out) >= 0)
                out.replace(m.pattern(), placeholder(), Qt::CaseSensitive);
        }
    }
    if (mayContainShapedToken(out))
        out.replace(tokenShape(), placeholder());
    return out;
}

bool Redactor::containsSecret(const QString &text) const
{
    if (!d->enabled.load(std::memory_order_relaxed) || text.isEmpty())
        return false;
    return d->hasKnownIn(text) || looksLikeToken(text);
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
    const QString clean = Redactor::global().redact(message);
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
