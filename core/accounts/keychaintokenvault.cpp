#include "keychaintokenvault.h"

#include "contextguard.h"
#include "logging.h"
#include "redactor.h"

#include <qt6keychain/keychain.h>

#include <QPointer>
#include <QTimer>

using namespace std::chrono_literals;

namespace gw {

namespace {

constexpr auto DefaultTimeout = 20s;

// One in-flight job: owns the timeout timer and guarantees the result is delivered once.
class PendingJob final : public QObject
{
    Q_DISABLE_COPY_MOVE(PendingJob)

public:
    using Finish = std::function<void(QKeychain::Job *job)>;  // job == nullptr: timed out

    PendingJob(QKeychain::Job *job, std::chrono::milliseconds timeout, QObject *context,
               Finish finish, QObject *parent)
        : QObject(parent), m_context(context), m_finish(std::move(finish))
    {
        m_timeoutTimer.setSingleShot(true);
        m_timeoutTimer.setInterval(timeout);
        m_timeoutTimer.callOnTimeout(this, [this] { complete(nullptr); });
        connect(job, &QKeychain::Job::finished, this, [this](QKeychain::Job *j) { complete(j); });
        m_timeoutTimer.start();
    }

private:
    void complete(QKeychain::Job *job)
    {
        if (m_done)
            return;
        m_done = true;
        m_timeoutTimer.stop();
        if (m_context.isAlive())
            m_finish(job);
        deleteLater();
    }

    QTimer m_timeoutTimer;
    ContextGuard m_context;
    bool m_done = false;
    Finish m_finish;
};

bool mentionsMissingBus(const QString &detail)
{
    static const char *const needles[] = {"d-bus", "dbus", "autolaunch", "org.freedesktop.secrets",
                                          "serviceunknown", "secret service", "kwallet",
                                          "no such interface", "not provided by any .service"};
    const QString lower = detail.toLower();
    for (const char *n : needles) {
        if (lower.contains(QLatin1String(n)))
            return true;
    }
    return false;
}

} // namespace

class KeychainTokenVault::Private
{
public:
    QString service;
    std::chrono::milliseconds timeout = DefaultTimeout;
};

KeychainTokenVault::KeychainTokenVault(QObject *parent)
    : KeychainTokenVault(defaultServiceName(), parent)
{
}

KeychainTokenVault::KeychainTokenVault(const QString &service, QObject *parent)
    : TokenVault(parent), d(std::make_unique<Private>())
{
    d->service = service;
}

KeychainTokenVault::~KeychainTokenVault() = default;

QString KeychainTokenVault::serviceName() const
{
    return d->service;
}

void KeychainTokenVault::setTimeout(std::chrono::milliseconds timeout)
{
    d->timeout = timeout;
}

std::chrono::milliseconds KeychainTokenVault::timeout() const
{
    return d->timeout;
}

QString KeychainTokenVault::backendName() const
{
    return tr("system keychain");
}

VaultError KeychainTokenVault::mapError(int keychainError, const QString &detail, Operation op)
{
    // The detail comes from the backend; it never holds the secret, but it goes through the
    // redactor anyway before it reaches a message.
    const QString why = Redactor::global().redact(detail.trimmed());
    const QString suffix = why.isEmpty() ? QString() : QStringLiteral(" (") + why + QStringLiteral(")");
    const QString unavailable =
        tr("No system keychain is available: Gatewatch found no Secret Service (GNOME Keyring, "
           "KWallet) on the session D-Bus%1. The token can be kept in memory for this session "
           "only; it will not be saved.").arg(suffix);

    switch (static_cast<QKeychain::Error>(keychainError)) {
    case QKeychain::NoError:
        break;
    case QKeychain::EntryNotFound:
        return {VaultError::Kind::NotFound, keychainError,
                tr("No token is stored in the system keychain for this account.")};
    case QKeychain::CouldNotDeleteEntry:
        return {VaultError::Kind::Failed, keychainError,
                tr("The system keychain could not delete the token%1.").arg(suffix)};
    case QKeychain::AccessDeniedByUser:
        return {VaultError::Kind::AccessDenied, keychainError,
                tr("Access to the system keychain was refused%1.").arg(suffix)};
    case QKeychain::AccessDenied:
        return {VaultError::Kind::AccessDenied, keychainError,
                tr("The system keychain denied access; it may be locked%1. Unlock it and try "
                   "again.").arg(suffix)};
    case QKeychain::NoBackendAvailable:
        return {VaultError::Kind::Unavailable, keychainError, unavailable};
    case QKeychain::NotImplemented:
        return {VaultError::Kind::Unavailable, keychainError,
                tr("The system keychain is not supported on this platform%1. The token can be "
                   "kept in memory for this session only.").arg(suffix)};
    case QKeychain::OtherError:
        // Headless, 0.13.2 reports a missing session bus as OtherError ("Cannot autolaunch D-Bus
        // without X11 $DISPLAY"), not NoBackendAvailable.
        if (mentionsMissingBus(detail))
            return {VaultError::Kind::Unavailable, keychainError, unavailable};
        break;
    }
    QString what;
    switch (op) {
    case Operation::Read:
        what = tr("read the token from");
        break;
    case Operation::Write:
        what = tr("save the token in");
        break;
    case Operation::Delete:
        what = tr("delete the token from");
        break;
    }
    return {VaultError::Kind::Failed, keychainError,
            tr("Gatewatch could not %1 the system keychain%2.").arg(what, suffix)};
}

void KeychainTokenVault::doWriteToken(const QString &accountId, const QString &token, QObject *context,
                                    DoneCallback done)
{
    auto *job = new QKeychain::WritePasswordJob(d->service);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(accountId);
    job->setTextData(token);
    QPointer<KeychainTokenVault> self(this);
    new PendingJob(job, d->timeout, context,
                   [self, accountId, done = std::move(done), timeout = d->timeout](QKeychain::Job *j) {
                       if (!j) {
                           qCWarning(lcAccounts) << "keychain: write timed out after" << timeout.count() << "ms";
                           done(VaultError{VaultError::Kind::Unavailable, 0,
                                           tr("The system keychain did not answer in time.")});
                           return;
                       }
                       if (j->error() != QKeychain::NoError) {
                           const VaultError e = mapError(j->error(), j->errorString(), Operation::Write);
                           qCWarning(lcAccounts).noquote() << "keychain: write failed:" << e.message;
                           done(e);
                           return;
                       }
                       if (self)
                           self->dropSessionToken(accountId);
                       qCInfo(lcAccounts) << "keychain: token stored for account" << accountId;
                       done(std::nullopt);
                   },
                   this);
    job->start();
}

void KeychainTokenVault::doReadToken(const QString &accountId, QObject *context, ReadCallback done)
{
    if (const auto session = sessionToken(accountId)) {
        const QString token = *session;
        post(context, [done = std::move(done), token] { done(token); });
        return;
    }
    auto *job = new QKeychain::ReadPasswordJob(d->service);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(accountId);
    new PendingJob(job, d->timeout, context,
                   [done = std::move(done), timeout = d->timeout](QKeychain::Job *j) {
                       if (!j) {
                           qCWarning(lcAccounts) << "keychain: read timed out after" << timeout.count() << "ms";
                           done(VaultError{VaultError::Kind::Unavailable, 0,
                                           tr("The system keychain did not answer in time.")});
                           return;
                       }
                       if (j->error() != QKeychain::NoError) {
                           const VaultError e = mapError(j->error(), j->errorString(), Operation::Read);
                           if (e.kind == VaultError::Kind::NotFound)
                               qCInfo(lcAccounts).noquote() << "keychain:" << e.message;
                           else
                               qCWarning(lcAccounts).noquote() << "keychain: read failed:" << e.message;
                           done(e);
                           return;
                       }
                       const QString token = static_cast<QKeychain::ReadPasswordJob *>(j)->textData();
                                          done(token);
                   },
                   this);
    job->start();
}

void KeychainTokenVault::doDeleteToken(const QString &accountId, QObject *context, DoneCallback done)
{
    dropSessionToken(accountId);
    auto *job = new QKeychain::DeletePasswordJob(d->service);
    job->setAutoDelete(true);
    job->setInsecureFallback(false);
    job->setKey(accountId);
    new PendingJob(job, d->timeout, context,
                   [accountId, done = std::move(done), timeout = d->timeout](QKeychain::Job *j) {
                       if (!j) {
                           qCWarning(lcAccounts) << "keychain: delete timed out after" << timeout.count() << "ms";
                           done(VaultError{VaultError::Kind::Unavailable, 0,
                                           tr("The system keychain did not answer in time.")});
                           return;
                       }
                       // Idempotent: an entry that is not there is deleted already.
                       if (j->error() != QKeychain::NoError && j->error() != QKeychain::EntryNotFound) {
                           const VaultError e = mapError(j->error(), j->errorString(), Operation::Delete);
                           qCWarning(lcAccounts).noquote() << "keychain: delete failed:" << e.message;
                           done(e);
                           return;
                       }
                       qCInfo(lcAccounts) << "keychain: token deleted for account" << accountId;
                       done(std::nullopt);
                   },
                   this);
    job->start();
}

} // namespace gw
