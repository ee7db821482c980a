#include "monitorapp.h"

#include "accountmanager.h"
#include "accountstore.h"
#include "contextguard.h"
#include "eventrecorder.h"
#include "storehealth.h"
#include "logging.h"
#include "memorytokenvault.h"
#include "resumestatestore.h"
#include "tokenvault.h"

#include <QUuid>

namespace gw {

MonitorApp::MonitorApp(MonitorAppOptions options, QObject *parent)
    : QObject(parent)
    , m_options(std::move(options))
{
    if (!m_options.vault)
        m_options.vault = std::make_unique<MemoryTokenVault>();
    m_manager = std::make_unique<AccountManager>(m_options.timings);
    if (m_options.resumeState)
        m_manager->setResumeStateStore(m_options.resumeState);
    if (m_options.store) {
        m_service = std::make_unique<AccountService>(m_options.store.get(), m_options.vault.get());
        // Whoever removes an account through the service (the Remove confirmation, removeAccount()),
        // it is no longer monitored.
        connect(m_service.get(), &AccountService::accountRemoved, this, [this](const QString &accountId) {
            m_manager->remove(accountId);
            if (m_tokenNeeded.remove(accountId) > 0)
                Q_EMIT tokenNeededRemoved(accountId);
        });
        connect(m_options.store.get(), &AccountStore::accountUpdated, this, &MonitorApp::handleRecordUpdated);
    }
    if (m_options.eventLog)
        m_recorder = std::make_unique<EventRecorder>(m_manager.get(), m_options.eventLog);
    m_storeHealth = std::make_unique<StoreHealth>(m_options.eventLog);
    m_stopTimer.setSingleShot(true);
    m_stopTimer.callOnTimeout(this, [this] {
        qCWarning(lcApp) << "sessions did not all close within" << m_stopTimer.interval() << "ms";
        handleAllStopped();
    });
    connect(m_manager.get(), &AccountManager::allStopped, this, &MonitorApp::handleAllStopped);
}

MonitorApp::~MonitorApp()
{
    // Nothing may feed the store once the caller takes it down: the recorder goes first, then the
    // manager (its destructor closes every session silently), then the service, store and vault.
    m_recorder.reset();
    m_manager.reset();
    m_service.reset();
}

AccountManager *MonitorApp::manager() const { return m_manager.get(); }
AccountStore *MonitorApp::store() const { return m_options.store.get(); }
TokenVault *MonitorApp::vault() const { return m_options.vault.get(); }
AccountService *MonitorApp::service() const { return m_service.get(); }
StoreHealth *MonitorApp::storeHealth() const { return m_storeHealth.get(); }

std::optional<AccountRecord> MonitorApp::savedRecord(const QString &accountId) const
{
    return m_options.store ? m_options.store->find(accountId) : std::nullopt;
}

void MonitorApp::addAccount(const AccountRecord &record, const QString &token, TokenStorage storage,
                            QObject *context, SaveCallback done)
{
    Q_ASSERT(m_service);
    // The service normalises the token on its way into the vault: monitor what it stored.
    const QString normalised = AccountService::normaliseToken(token);
    m_service->addAccount(record, token, storage, this,
                          [this, normalised, done = guardedBy(context, std::move(done))](
                              Expected<AccountRecord, AccountSaveError> saved) {
                              if (saved)
                                  monitorSaved(saved.value(), normalised);
                              done(std::move(saved));
                          });
}

void MonitorApp::editAccount(const AccountRecord &record, const std::optional<QString> &token,
                             TokenStorage storage, QObject *context, SaveCallback done)
{
    Q_ASSERT(m_service);
    std::optional<QString> normalised;
    if (token && !AccountService::normaliseToken(*token).isEmpty())
        normalised = AccountService::normaliseToken(*token);
    m_service->updateAccount(record, token, storage, this,
                             [this, normalised, done = guardedBy(context, std::move(done))](
                                 Expected<AccountRecord, AccountSaveError> saved) {
                                 if (saved)
                                     monitorSaved(saved.value(), normalised);
                                 done(std::move(saved));
                             });
}

void MonitorApp::monitorSaved(const AccountRecord &record, const std::optional<QString> &token)
{
    if (!record.isValid())
        return;
    if (m_manager->status(record.id)) {
        m_manager->update(record, token);
    } else if (token && !token->isEmpty()) {
        clearTokenNeeded(record.id);  // the manager's rows replace the "token needed" one
        m_manager->add(record, *token);
    }
}

void MonitorApp::monitorSessionAccount(const AccountRecord &record, const QString &token)
{
    if (!record.isValid() || token.isEmpty())
        return;
    m_options.vault->keepForSession(record.id, token);  // registers the token with the redactor
    if (m_options.store && !m_options.store->find(record.id)) {
        const auto added = m_options.store->add(record);
        if (!added)
            qCWarning(lcApp).noquote() << "account" << record.name << "was not stored:" << added.error().message;
    }
    if (m_manager->status(record.id))
        m_manager->update(record, token);  // already monitored: restart with the new settings
    else
        m_manager->add(record, token);
}

void MonitorApp::removeAccount(const QString &accountId, QObject *context, RemoveCallback done)
{
    if (m_service) {
        m_service->removeAccount(accountId, context, std::move(done));  // → accountRemoved → manager
        return;
    }
    m_manager->remove(accountId);
    m_options.vault->deleteToken(accountId, context, std::move(done));
}

void MonitorApp::pause(const QString &accountId)
{
    m_manager->pause(accountId);
    if (savedRecord(accountId))
        m_options.store->setPaused(accountId, true);
}

void MonitorApp::resume(const QString &accountId)
{
    m_manager->resume(accountId);
    if (savedRecord(accountId))
        m_options.store->setPaused(accountId, false);
}

void MonitorApp::pauseAll()
{
    for (const AccountStatus &status : m_manager->statuses()) {
        if (!status.paused)
            pause(status.accountId);
    }
}

void MonitorApp::forceReconnect(const QString &accountId, ReconnectMode mode)
{
    m_manager->forceReconnect(accountId, mode);
}

void MonitorApp::stop(std::chrono::milliseconds timeout)
{
    if (m_stopping) {
        handleAllStopped();  // asked twice: do not wait any longer
        return;
    }
    m_stopping = true;
    m_stopTimer.start(timeout);
    m_manager->stopAll();
}

void MonitorApp::handleAllStopped()
{
    if (!m_stopping)
        return;
    m_stopping = false;
    m_stopTimer.stop();
    Q_EMIT stopped();
}

void MonitorApp::recordMonitorStarted(const QString &mode)
{
    if (m_recorder)
        m_recorder->recordMonitorStarted(mode);
}

void MonitorApp::recordMonitorEvent(const EventLogEntry &entry)
{
    if (m_recorder)
        m_recorder->record(entry);
}

void MonitorApp::recordMonitorStopped(const QString &reason)
{
    if (m_recorder)
        m_recorder->recordMonitorStoppedAndFlush(reason);
}

void MonitorApp::recordMonitorStopped(const EventLogEntry &entry)
{
    if (m_recorder)
        m_recorder->recordLastAndFlush(entry);
}

AccountRecord unsavedAccountRecord(const QString &name, quint32 intents, const QUrl &gatewayUrl, const QUrl &apiBase,
                                   const QString &id)
{
    static const QUuid ns(QStringLiteral("{6f1c9a52-7d0e-4d53-9a51-0c2b1e4f7a10}"));
    AccountRecord record;
    record.id = id.isEmpty() ? QUuid::createUuidV5(ns, name).toString(QUuid::WithoutBraces) : id;
    record.name = name;
    record.intents = intents;
    record.gatewayUrlOverride = gatewayUrl;
    record.apiBaseOverride = apiBase;
    record.createdAt = QDateTime::currentDateTimeUtc();
    return record;
}

} // namespace gw
