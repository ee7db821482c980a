// MonitorApp's saved accounts and their tokens: reading them at start and on Retry, one after
// the other, and the "token needed" rows of the accounts whose token could not be read.

#include "monitorapp.h"

#include "accountmanager.h"
#include "accountstore.h"
#include "contextguard.h"
#include "logging.h"
#include "tokenvault.h"

namespace gw {

namespace {

//! A failed read that says the keychain itself is unavailable, locked or refused (not that this
//! one account has no token): asking for the next account's token would prompt again.
bool endsTheRound(const VaultError &error)
{
    return error.kind != VaultError::Kind::NotFound;
}

QString tokenProblemText(const VaultError &error)
{
    switch (error.kind) {
    case VaultError::Kind::AccessDenied:
        return MonitorApp::tr("Locked: unlock your keyring or re-enter the token");
    case VaultError::Kind::Unavailable:
        return MonitorApp::tr("No keychain: start your keyring or re-enter the token");
    case VaultError::Kind::NotFound:
        return MonitorApp::tr("No token saved: re-enter the token");
    case VaultError::Kind::Failed:
        break;
    }
    return MonitorApp::tr("The keychain could not read the token: retry or re-enter the token");
}

} // namespace

AccountStatus MonitorApp::tokenNeededStatus(const AccountRecord &record, const VaultError &error)
{
    AccountStatus s;
    s.accountId = record.id;
    s.accountName = record.name;
    s.paused = record.paused;
    s.state = ConnectionState::Stopped;
    s.tokenProblem = tokenProblemText(error);
    s.lastError = error.message;
    return s;
}

void MonitorApp::startStoredAccounts(QObject *context, MissingTokenCallback onMissingToken)
{
    if (!m_options.store)
        return;
    MissingTokenCallback missing;
    if (onMissingToken)
        missing = guardedBy(context, std::move(onMissingToken));
    QList<AccountRecord> queue;
    for (const AccountRecord &record : m_options.store->accounts()) {
        if (!m_manager->status(record.id))
            queue.append(record);
    }
    readTokens(std::move(queue), missing);
}

void MonitorApp::retryTokens()
{
    QList<AccountRecord> queue;
    for (const AccountStatus &s : std::as_const(m_tokenNeeded)) {
        if (const auto record = savedRecord(s.accountId))
            queue.append(*record);
    }
    readTokens(std::move(queue), {});
}

QList<AccountStatus> MonitorApp::tokenNeededStatuses() const
{
    return m_tokenNeeded.values();
}

std::optional<VaultError> MonitorApp::keychainProblem() const
{
    return m_keychainProblem;
}

void MonitorApp::readTokens(QList<AccountRecord> queue, const MissingTokenCallback &missing)
{
    // Skip what was removed or started meanwhile.
    while (!queue.isEmpty() && (!savedRecord(queue.first().id) || m_manager->status(queue.first().id)))
        queue.removeFirst();
    if (queue.isEmpty())
        return;
    const AccountRecord record = queue.takeFirst();
    m_options.vault->readToken(record.id, this, [this, record, queue, missing](Expected<QString, VaultError> token) {
        if (token) {
            setKeychainProblem(std::nullopt);
            clearTokenNeeded(record.id);
            if (savedRecord(record.id) && !m_manager->status(record.id))
                m_manager->add(*savedRecord(record.id), *token);
            readTokens(queue, missing);
            return;
        }
        const VaultError error = token.error();
        qCWarning(lcApp) << "token unavailable for" << record.name << vaultErrorKindName(error.kind);
        markTokenNeeded(record, error);
        if (missing)
            missing(record, error);
        if (!endsTheRound(error)) {
            readTokens(queue, missing);
            return;
        }
        // One prompt per round: the others are not asked for; they wait with the same reason.
        for (const AccountRecord &other : std::as_const(queue)) {
            if (savedRecord(other.id) && !m_manager->status(other.id)) {
                markTokenNeeded(other, error);
                if (missing)
                    missing(other, error);
            }
        }
        setKeychainProblem(error);
    });
}

void MonitorApp::markTokenNeeded(const AccountRecord &record, const VaultError &error)
{
    const AccountStatus status = tokenNeededStatus(record, error);
    m_tokenNeeded.insert(record.id, status);
    Q_EMIT tokenNeeded(status);
}

void MonitorApp::clearTokenNeeded(const QString &accountId)
{
    m_tokenNeeded.remove(accountId);
}

void MonitorApp::setKeychainProblem(const std::optional<VaultError> &problem)
{
    if (problem.has_value() == m_keychainProblem.has_value()
        && (!problem || (problem->kind == m_keychainProblem->kind && problem->message == m_keychainProblem->message)))
        return;
    m_keychainProblem = problem;
    Q_EMIT keychainProblemChanged();
}

void MonitorApp::handleRecordUpdated(const AccountRecord &record)
{
    auto it = m_tokenNeeded.find(record.id);
    if (it == m_tokenNeeded.end())
        return;
    it->accountName = record.name;
    it->paused = record.paused;
    Q_EMIT tokenNeeded(*it);
}

} // namespace gw
