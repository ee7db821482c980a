#include "instanceguard.h"

#include "logging.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFileInfo>
#include <QLocalServer>
#include <QLocalSocket>
#include <QStandardPaths>
#include <QSysInfo>
#include <QTimer>

#include <unistd.h>

namespace gw {

namespace {

const QByteArray ActivateRequest = QByteArrayLiteral("activate\n");
const QByteArray ActivateReply = QByteArrayLiteral("ok\n");
constexpr qint64 MaxRequestBytes = 64;  // anything longer is not ours
constexpr auto ServerReadTimeout = std::chrono::milliseconds(2000);

} // namespace

InstanceGuard::InstanceGuard(const QString &databasePath, QObject *parent)
    : QObject(parent)
    , m_database(QFileInfo(databasePath).absoluteFilePath())
    , m_directory(QFileInfo(m_database).absolutePath())
    , m_lock(lockFilePathFor(m_database))
{
    // Held for the whole run: never stale by age, only when its process is gone.
    m_lock.setStaleLockTime(0);
}

InstanceGuard::~InstanceGuard()
{
    if (m_server)
        m_server->close();
    m_server.reset();
    if (m_lock.isLocked())
        m_lock.unlock();
}

QString InstanceGuard::lockFilePath() const
{
    return lockFilePathFor(m_database);
}

QString InstanceGuard::databasePath() const
{
    return m_database;
}

QString InstanceGuard::lockFilePathFor(const QString &databasePath)
{
    return databasePath + QStringLiteral(".lock");
}

QString InstanceGuard::serverName() const
{
    // Per profile and per user; in the runtime directory (XDG_RUNTIME_DIR, private to the user)
    // when there is one, short enough for a socket path.
    const QByteArray key = QFileInfo(m_directory).canonicalFilePath().toUtf8() + '\n' + QByteArray::number(getuid());
    const QString name = QStringLiteral("gatewatch-")
        + QString::fromLatin1(QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex().left(16));
    const QString runtime = QStandardPaths::writableLocation(QStandardPaths::RuntimeLocation);
    return runtime.isEmpty() ? name : QDir(runtime).filePath(name);
}

bool InstanceGuard::isPrimary() const
{
    return m_lock.isLocked();
}

InstanceGuard::Result InstanceGuard::acquire(Activation activation)
{
    Result result;
    // 0700 under the process's umask 077 (hardenProcess(), every mode).
    if (!QDir().mkpath(m_directory)) {
        result.message = tr("Gatewatch cannot create its data directory %1.").arg(m_directory);
        return result;
    }
    qint64 pid = 0;
    QString host;
    QString app;
    const bool lockExisted = m_lock.getLockInfo(&pid, &host, &app);
    result.ownerPid = lockExisted ? pid : 0;
    if (m_lock.tryLock(0))
        return lockTaken(activation, lockExisted, pid);
    switch (m_lock.error()) {
    case QLockFile::LockFailedError: {
        result.outcome = Outcome::AlreadyRunning;
        const QString where = !host.isEmpty() && host != QSysInfo::machineHostName() ? tr(" on %1").arg(host) : QString();
        result.message = activation == Activation::Listen
            ? tr("Gatewatch is already running for this profile%1 (process %2).").arg(where).arg(pid)
            : tr("database %1 is in use by PID %2%3 (one process per database).").arg(m_database).arg(pid).arg(where);
        return result;
    }
    case QLockFile::PermissionError:
        result.message = tr("Gatewatch cannot create its lock file %1: permission denied.").arg(lockFilePath());
        return result;
    case QLockFile::NoError:
    case QLockFile::UnknownError:
        break;
    }
    result.message = tr("Gatewatch cannot create its lock file %1.").arg(lockFilePath());
    return result;
}

InstanceGuard::Result InstanceGuard::lockTaken(Activation activation, bool lockExisted, qint64 stalePid)
{
    Result result;
    result.outcome = Outcome::Primary;
    if (lockExisted) {
        result.removedStaleLock = true;
        result.ownerPid = stalePid;
        result.message = tr("A previous Gatewatch (process %1) ended without releasing %2; its stale "
                            "lock %3 was removed.").arg(stalePid).arg(m_database, lockFilePath());
        qCWarning(lcApp).noquote() << result.message;
    }
    if (activation == Activation::None)
        return result;
    m_server = std::make_unique<QLocalServer>();
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    QLocalServer::removeServer(serverName());  // left by a process that ended abruptly; the lock is ours
    if (!m_server->listen(serverName())) {
        qCWarning(lcApp).noquote() << "single instance: cannot listen on" << serverName() << ':'
                                   << m_server->errorString() << "- a second launch cannot raise this window";
        return result;
    }
    connect(m_server.get(), &QLocalServer::newConnection, this, &InstanceGuard::handleNewConnection);
    return result;
}

void InstanceGuard::handleNewConnection()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        connect(socket, &QLocalSocket::disconnected, socket, &QObject::deleteLater);
        connect(socket, &QLocalSocket::readyRead, this, [this, socket] {
            if (!socket->canReadLine()) {
                if (socket->bytesAvailable() > MaxRequestBytes)
                    socket->abort();
                return;
            }
            const QByteArray line = socket->readLine(MaxRequestBytes);
            if (line == ActivateRequest) {
                qCInfo(lcApp) << "single instance: another launch asked to show the window";
                socket->write(ActivateReply);
                socket->flush();
                Q_EMIT activationRequested();
            }
            socket->disconnectFromServer();
        });
        // A peer that never sends its line does not keep a socket open.
        QTimer *idle = new QTimer(socket);
        idle->setSingleShot(true);
        idle->callOnTimeout(socket, [socket] { socket->abort(); });
        idle->start(ServerReadTimeout);
    }
}

bool InstanceGuard::activatePrimary(std::chrono::milliseconds timeout) const
{
    QLocalSocket socket;
    socket.connectToServer(serverName());
    if (!socket.waitForConnected(int(timeout.count())))
        return false;
    socket.write(ActivateRequest);
    if (!socket.waitForBytesWritten(int(timeout.count())))
        return false;
    while (!socket.canReadLine()) {
        if (!socket.waitForReadyRead(int(timeout.count())))
            return false;
        if (socket.bytesAvailable() > MaxRequestBytes)
            return false;
    }
    return socket.readLine(MaxRequestBytes) == ActivateReply;
}

} // namespace gw
