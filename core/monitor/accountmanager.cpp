#include "accountmanager.h"

#include "accountworker_p.h"
#include "logging.h"
#include "resumestatestore.h"

#include <QThread>

namespace gw {

class AccountManager::Private
{
public:
    GatewayTimings timings;
    SharedState shared;
    QThread thread;
    AccountWorker *worker = nullptr;

    template<typename F>
    void post(F &&f)
    {
        QMetaObject::invokeMethod(worker, std::forward<F>(f), Qt::QueuedConnection);
    }
};

AccountManager::AccountManager(const GatewayTimings &timings, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    qRegisterMetaType<gw::AccountStatus>();
    qRegisterMetaType<gw::EventLogEntry>();
    d->timings = timings;
    d->thread.setObjectName(QStringLiteral("gatewatch-accounts"));
    d->worker = new AccountWorker(timings, &d->shared);
    d->worker->moveToThread(&d->thread);
    connect(&d->thread, &QThread::finished, d->worker, &QObject::deleteLater);
    connect(d->worker, &AccountWorker::statusPublished, this, &AccountManager::statusChanged);
    connect(d->worker, &AccountWorker::eventPublished, this, &AccountManager::eventLogged);
    connect(d->worker, &AccountWorker::membershipChanged, this, [this](const QString &id, bool present) {
        if (present)
            Q_EMIT accountAdded(id);
        else
            Q_EMIT accountRemoved(id);
    });
    connect(d->worker, &AccountWorker::stoppedAll, this, &AccountManager::allStopped);
    d->thread.start();
}

AccountManager::~AccountManager()
{
    AccountWorker *worker = d->worker;
    QMetaObject::invokeMethod(worker, [worker] { worker->shutdown(); }, Qt::BlockingQueuedConnection);
    d->thread.quit();
    d->thread.wait();
}

GatewayTimings AccountManager::timings() const
{
    return d->timings;
}

void AccountManager::add(const AccountRecord &record, const QString &token)
{
    if (!record.isValid()) {
        qCWarning(lcAccounts) << "ignoring an invalid account record";
        return;
    }
    {
        QMutexLocker lock(&d->shared.mutex);
        if (d->shared.records.contains(record.id)) {
            qCWarning(lcAccounts) << "account already added:" << record.id;
            return;
        }
        AccountStatus status;
        status.accountId = record.id;
        status.accountName = record.name;
        status.paused = record.paused;
        d->shared.order.append(record.id);
        d->shared.records.insert(record.id, record);
        d->shared.statuses.insert(record.id, status);
    }
    AccountWorker *worker = d->worker;
    d->post([worker, record, token] { worker->add(record, token); });
}

void AccountManager::update(const AccountRecord &record, const std::optional<QString> &token)
{
    {
        QMutexLocker lock(&d->shared.mutex);
        if (!d->shared.records.contains(record.id))
            return;
        d->shared.records.insert(record.id, record);
    }
    AccountWorker *worker = d->worker;
    d->post([worker, record, token] { worker->update(record, token); });
}

void AccountManager::remove(const QString &accountId)
{
    {
        QMutexLocker lock(&d->shared.mutex);
        d->shared.order.removeAll(accountId);
        d->shared.records.remove(accountId);
        d->shared.statuses.remove(accountId);
    }
    AccountWorker *worker = d->worker;
    d->post([worker, accountId] { worker->remove(accountId); });
}

void AccountManager::pause(const QString &accountId)
{
    AccountWorker *worker = d->worker;
    d->post([worker, accountId] { worker->pause(accountId); });
}

void AccountManager::resume(const QString &accountId)
{
    AccountWorker *worker = d->worker;
    d->post([worker, accountId] { worker->resume(accountId); });
}

void AccountManager::forceReconnect(const QString &accountId, ReconnectMode mode)
{
    AccountWorker *worker = d->worker;
    d->post([worker, accountId, mode] { worker->forceReconnect(accountId, mode); });
}

void AccountManager::setResumeStateStore(std::shared_ptr<ResumeStateStore> store)
{
    QMutexLocker lock(&d->shared.mutex);
    d->shared.resumeStore = std::move(store);
}

void AccountManager::stopAll()
{
    AccountWorker *worker = d->worker;
    d->post([worker] { worker->stopAll(); });
}

QList<AccountStatus> AccountManager::statuses() const
{
    QMutexLocker lock(&d->shared.mutex);
    QList<AccountStatus> list;
    list.reserve(d->shared.order.size());
    for (const QString &id : std::as_const(d->shared.order))
        list.append(d->shared.statuses.value(id));
    return list;
}

std::optional<AccountStatus> AccountManager::status(const QString &accountId) const
{
    QMutexLocker lock(&d->shared.mutex);
    const auto it = d->shared.statuses.constFind(accountId);
    if (it == d->shared.statuses.constEnd())
        return std::nullopt;
    return *it;
}

QList<AccountRecord> AccountManager::records() const
{
    QMutexLocker lock(&d->shared.mutex);
    QList<AccountRecord> list;
    list.reserve(d->shared.order.size());
    for (const QString &id : std::as_const(d->shared.order))
        list.append(d->shared.records.value(id));
    return list;
}

int AccountManager::accountCount() const
{
    QMutexLocker lock(&d->shared.mutex);
    return int(d->shared.order.size());
}

} // namespace gw

