#include "resumestatestore.h"

#include "logging.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QMutexLocker>
#include <QSettings>
#include <QTimer>

#include <algorithm>

namespace gw {

namespace {

QString groupFor(const QString &key)
{
    // QSettings treats '/' as a group separator: keep one flat group per key.
    QString g = key;
    g.replace(QLatin1Char('/'), QLatin1Char('_'));
    return QStringLiteral("resume_") + g;
}

} // namespace

class ResumeStateStore::Private
{
public:
    QString path;
    std::chrono::milliseconds maxAge;
    std::chrono::milliseconds throttle;
    mutable QMutex mutex;
    //! Sequence-only changes wait here and are written together, at most once per `throttle`
    //! for the whole file (one QSettings write for every account, not one per account).
    QHash<QString, ResumeState> staged;
    QElapsedTimer lastWrite;

    //! Under `mutex`. Writes the staged states (and `extra`, if given) in one QSettings pass.
    void writeLocked(const QString *extraKey = nullptr, const ResumeState *extra = nullptr);
    //! Under `mutex`: how long until a staged write is due (0: now).
    [[nodiscard]] qint64 msUntilDue() const
    {
        if (!lastWrite.isValid())
            return 0;
        return std::max<qint64>(0, throttle.count() - lastWrite.elapsed());
    }
};

namespace {
void writeGroup(QSettings &s, const QString &key, const ResumeState &state)
{
    s.beginGroup(groupFor(key));
    s.setValue(QStringLiteral("session_id"), state.sessionId);
    s.setValue(QStringLiteral("resume_gateway_url"), state.resumeGatewayUrl.toString());
    s.setValue(QStringLiteral("seq"), state.sequence);
    const QDateTime at = state.savedAt.isValid() ? state.savedAt : QDateTime::currentDateTimeUtc();
    s.setValue(QStringLiteral("saved_at"), at.toUTC().toString(Qt::ISODateWithMs));
    s.endGroup();
}
} // namespace

void ResumeStateStore::Private::writeLocked(const QString *extraKey, const ResumeState *extra)
{
    QSettings s(path, QSettings::IniFormat);
    // Sessions older than maxAge are never offered again: drop them, so the file (rewritten
    // whole on every write) holds live sessions only, not every account ever run.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QStringList groups = s.childGroups();
    for (const QString &group : groups) {
        const QDateTime at = QDateTime::fromString(s.value(group + QStringLiteral("/saved_at")).toString(),
                                                   Qt::ISODateWithMs);
        if (!at.isValid() || at.msecsTo(now) > maxAge.count())
            s.remove(group);
    }
    for (auto it = staged.cbegin(); it != staged.cend(); ++it) {
        if (!extraKey || it.key() != *extraKey)
            writeGroup(s, it.key(), it.value());
    }
    if (extraKey)
        writeGroup(s, *extraKey, *extra);
    staged.clear();
    s.sync();
    lastWrite.start();
}

ResumeStateStore::ResumeStateStore(QString filePath, std::chrono::milliseconds maxAge, std::chrono::milliseconds throttle)
    : d(std::make_unique<Private>())
{
    d->path = std::move(filePath);
    d->maxAge = maxAge;
    d->throttle = throttle;
}

ResumeStateStore::~ResumeStateStore()
{
    QMutexLocker lock(&d->mutex);
    if (!d->staged.isEmpty())
        d->writeLocked();
}

QString ResumeStateStore::keyFor(const QString &accountId, int shard)
{
    return accountId + QLatin1Char('/') + QString::number(shard);
}

QString ResumeStateStore::filePath() const
{
    return d->path;
}

std::optional<ResumeState> ResumeStateStore::load(const QString &key) const
{
    QMutexLocker lock(&d->mutex);
    QSettings s(d->path, QSettings::IniFormat);
    s.beginGroup(groupFor(key));
    ResumeState state;
    state.sessionId = s.value(QStringLiteral("session_id")).toString();
    state.resumeGatewayUrl = QUrl(s.value(QStringLiteral("resume_gateway_url")).toString());
    state.sequence = s.value(QStringLiteral("seq"), -1).toLongLong();
    state.savedAt = QDateTime::fromString(s.value(QStringLiteral("saved_at")).toString(), Qt::ISODateWithMs);
    if (!state.isValid() || !state.savedAt.isValid())
        return std::nullopt;
    const qint64 age = state.savedAt.msecsTo(QDateTime::currentDateTimeUtc());
    if (age < 0 || age > d->maxAge.count()) {
        qCInfo(lcAccounts) << "saved resume state is" << age << "ms old; identifying instead";
        return std::nullopt;
    }
    return state;
}

void ResumeStateStore::save(const QString &key, const ResumeState &state)
{
    if (!state.isValid()) {
        remove(key);
        return;
    }
    QMutexLocker lock(&d->mutex);
    d->writeLocked(&key, &state);
}

void ResumeStateStore::stage(const QString &key, const ResumeState &state, QObject *context)
{
    QMutexLocker lock(&d->mutex);
    d->staged.insert(key, state);
    const qint64 wait = d->msUntilDue();
    if (wait == 0) {
        d->writeLocked();
        return;
    }
    // Not due yet: look again when it is (whichever staged key's context fires first writes all).
    QTimer::singleShot(std::chrono::milliseconds(wait), context, [this] {
        QMutexLocker again(&d->mutex);
        if (!d->staged.isEmpty() && d->msUntilDue() == 0)
            d->writeLocked();
    });
}

void ResumeStateStore::remove(const QString &key)
{
    QMutexLocker lock(&d->mutex);
    QSettings s(d->path, QSettings::IniFormat);
    s.remove(groupFor(key));
    d->staged.remove(key);
    s.sync();
}

void ResumeStateStore::removeAccount(const QString &accountId)
{
    QMutexLocker lock(&d->mutex);
    QSettings s(d->path, QSettings::IniFormat);
    const QString prefix = groupFor(keyFor(accountId, 0)).chopped(1);  // "resume_<id>_"
    const QStringList groups = s.childGroups();
    for (const QString &group : groups) {
        if (group.startsWith(prefix))
            s.remove(group);
    }
    s.sync();
    for (auto it = d->staged.begin(); it != d->staged.end();) {
        if (it.key().startsWith(accountId + QLatin1Char('/')))
            it = d->staged.erase(it);
        else
            ++it;
    }
}

void ResumeStateStore::keep(const QString &key, const GatewayClient &client)
{
    const ConnectionState state = client.state();
    if (state == ConnectionState::Ready || state == ConnectionState::Degraded)
        save(key, client.resumeState());
}

void ResumeStateStore::attach(GatewayClient *client, const QString &key)
{
    if (const auto saved = load(key)) {
        qCInfo(lcAccounts) << "resuming a saved session (seq" << saved->sequence << ")";
        client->setResumeState(*saved);
    }
    auto saveNow = [this, client, key] { save(key, client->resumeState()); };
    // A dropped session is forgotten at once; a live one is only refreshed by a live socket.
    auto forgetIfDropped = [this, client, key] {
        if (!client->resumeState().isValid())
            remove(key);
    };
    QObject::connect(client, &GatewayClient::ready, client, saveNow);
    QObject::connect(client, &GatewayClient::resumed, client, saveNow);
    QObject::connect(client, &GatewayClient::invalidSession, client, forgetIfDropped);
    QObject::connect(client, &GatewayClient::socketClosed, client,
                     [saveNow, forgetIfDropped](const CloseInfo &info) {
                         if (info.wasReady)
                             saveNow();
                         else
                             forgetIfDropped();
                     });
    // A dispatch only moves the sequence: the first one of an interval arms one timer on the
    // client's thread, which stages the state then; the rest cost a flag test.
    auto pending = std::make_shared<bool>(false);
    QObject::connect(client, &GatewayClient::dispatchReceived, client, [this, client, key, pending] {
        if (*pending)
            return;
        *pending = true;
        QTimer::singleShot(d->throttle, client, [this, client, key, pending] {
            *pending = false;
            const ConnectionState state = client->state();
            if (state == ConnectionState::Ready || state == ConnectionState::Degraded)
                stage(key, client->resumeState(), client);
        });
    });
}

} // namespace gw
