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

QString lockPathIn(const QString &directory)
{
    return QDir(directory).filePath(QStringLiteral("gatewatch.lock"));
}

} // namespace

InstanceGuard::InstanceGuard(const QString &directory, QObject *parent)
    : QObject(parent)
    , m_directory(QDir(directory).absolutePath())
    , m_lock(lockPathIn(m_directory))
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
    return lockPathIn(m_directory);
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

InstanceGuard::Result InstanceGuard::acquire()
{
    Result result;
    if (!QDir().mkpath(m_directory)) {
        result.message = tr("Gatewatch cannot create its data directory %1.").arg(m_directory);
        return result;
    }
    qint64 pid = 0;
    QString host;
    QString app;
    const bool lockExisted = m_lock.getLockInfo(&pid, &host, &app);
    result.ownerPid = lockExisted ? pid : 0;
    if (!m_lock.tryLock(0)) {
        switch (m_lock.error()) {
        case QLockFile::LockFailedError:
            result.outcome = Outcome::AlreadyRunning;
            result.message = !host.isEmpty() && host != QSysInfo::machineHostName()
                ? tr("Gatewatch is already running for this profile on %1 (process %2).").arg(host).arg(pid)
                : tr("Gatewatch is already running for this profile (process %1).").arg(pid);
            return result;
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
    result.outcome = Outcome::Primary;
    if (lockExisted) {
        result.removedStaleLock = true;
        result.message = tr("A previous Gatewatch (process %1) ended without releasing this profile; its stale "
                            "lock %2 was removed.").arg(pid).arg(lockFilePath());
        qCWarning(lcApp).noquote() << result.message;
    }
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
