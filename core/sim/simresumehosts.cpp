#include "simresumehosts_p.h"

#include "logging.h"

#include <arpa/inet.h>
#include <cerrno>
#include <cstring>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

namespace gw::sim {

namespace {

//! A TCP socket bound to a free port of `address` that is never put in listening state.
int bindWithoutListening(const QHostAddress &address, quint16 *port, QString *error)
{
    const bool v6 = address.protocol() == QAbstractSocket::IPv6Protocol;
    const int fd = ::socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        *error = QString::fromLocal8Bit(std::strerror(errno));
        return -1;
    }
    sockaddr_storage storage{};
    socklen_t length = 0;
    if (v6) {
        sockaddr_in6 a{};
        a.sin6_family = AF_INET6;
        const Q_IPV6ADDR bytes = address.toIPv6Address();
        std::memcpy(&a.sin6_addr, &bytes, sizeof a.sin6_addr);
        std::memcpy(&storage, &a, sizeof a);
        length = sizeof a;
    } else {
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(address.toIPv4Address());
        std::memcpy(&storage, &a, sizeof a);
        length = sizeof a;
    }
    // The sockets API takes the generic sockaddr; sockaddr_storage is made for this cast.
    auto *generic = static_cast<sockaddr *>(static_cast<void *>(&storage));
    if (::bind(fd, generic, length) != 0 || ::getsockname(fd, generic, &length) != 0) {
        *error = QString::fromLocal8Bit(std::strerror(errno));
        ::close(fd);
        return -1;
    }
    sockaddr_in6 bound6{};
    sockaddr_in bound4{};
    if (v6) {
        std::memcpy(&bound6, &storage, sizeof bound6);
        *port = ntohs(bound6.sin6_port);
    } else {
        std::memcpy(&bound4, &storage, sizeof bound4);
        *port = ntohs(bound4.sin_port);
    }
    return fd;
}

} // namespace

ResumeHosts::~ResumeHosts()
{
    close();
}

bool ResumeHosts::open(const QHostAddress &address, QString *error)
{
    if (isOpen())
        return true;
    m_refusedFd = bindWithoutListening(address, &m_refusedPort, error);
    if (m_refusedFd < 0)
        return false;
    if (!m_silent.listen(address, 0)) {
        *error = m_silent.errorString();
        close();
        return false;
    }
    QObject::connect(&m_silent, &QTcpServer::newConnection, &m_silent, [this] { acceptSilent(); });
    m_silentAccepted = 0;
    qCInfo(lcSim) << "unreachable resume hosts: refused port" << m_refusedPort << "silent port" << silentPort();
    return true;
}

void ResumeHosts::close()
{
    if (m_refusedFd >= 0)
        ::close(m_refusedFd);
    m_refusedFd = -1;
    m_refusedPort = 0;
    m_silent.close();
    QObject::disconnect(&m_silent, nullptr, &m_silent, nullptr);
    for (const QPointer<QTcpSocket> &socket : std::as_const(m_held)) {
        if (socket)
            socket->abort();
        delete socket.data();
    }
    m_held.clear();
}

void ResumeHosts::acceptSilent()
{
    m_held.removeIf([](const QPointer<QTcpSocket> &socket) { return socket.isNull(); });
    while (QTcpSocket *socket = m_silent.nextPendingConnection()) {
        ++m_silentAccepted;
        qCInfo(lcSim) << "silent resume host: holding a TCP connection without answering its upgrade";
        // Never read: the upgrade request stays unanswered until the client gives up.
        QObject::connect(socket, &QTcpSocket::disconnected, socket, &QObject::deleteLater);
        m_held.append(socket);
    }
}

} // namespace gw::sim
