#include "resumestatestore.h"

#include "logging.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QMutex>
#include <QMutexLocker>
#include <QSettings>

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
    QHash<QString, QElapsedTimer> lastSave;
};

ResumeStateStore::ResumeStateStore(QString filePath, std::chrono::milliseconds maxAge, std::chrono::milliseconds throttle)
    : d(std::make_unique<Private>())
{
    d->path = std::move(filePath);
    d->maxAge = maxAge;
    d->throttle = throttle;
}

ResumeStateStore::~ResumeStateStore() = default;

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
    QSettings s(d->path, QSettings::IniFormat);
    s.beginGroup(groupFor(key));
    s.setValue(QStringLiteral("session_id"), state.sessionId);
    s.setValue(QStringLiteral("resume_gateway_url"), state.resumeGatewayUrl.toString());
    s.setValue(QStringLiteral("seq"), state.sequence);
    const QDateTime at = state.savedAt.isValid() ? state.savedAt : QDateTime::currentDateTimeUtc();
    s.setValue(QStringLiteral("saved_at"), at.toUTC().toString(Qt::ISODateWithMs));
    s.endGroup();
    s.sync();
    d->lastSave[key].start();
}

void ResumeStateStore::remove(const QString &key)
{
    QMutexLocker lock(&d->mutex);
    QSettings s(d->path, QSettings::IniFormat);
    s.remove(groupFor(key));
    s.sync();
    d->lastSave.remove(key);
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
    for (auto it = d->lastSave.begin(); it != d->lastSave.end();) {
        if (it.key().startsWith(accountId + QLatin1Char('/')))
            it = d->lastSave.erase(it);
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
    QObject::connect(client, &GatewayClient::dispatchReceived, client, [this, client, key] {
        {
            QMutexLocker lock(&d->mutex);
            const auto it = d->lastSave.constFind(key);
            if (it != d->lastSave.cend() && it->isValid() && it->elapsed() < d->throttle.count())
                return;
        }
        save(key, client->resumeState());
    });
}

} // namespace gw
