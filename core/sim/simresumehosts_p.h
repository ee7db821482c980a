#pragma once

#include <QHostAddress>
#include <QList>
#include <QPointer>
#include <QTcpServer>
#include <QTcpSocket>

namespace gw::sim {

//! The two unreachable resume hosts READY can announce instead of the live resume listener
//! (GatewaySimulator::ResumeHost, docs/simulator.md "Unreachable resume host"):
//! - refused: a TCP socket bound to a port that never listens, so every connect is answered
//!   with a reset (ECONNREFUSED) and no other program can take the port meanwhile;
//! - silent: a listener that accepts TCP connections and holds them, but never reads the HTTP
//!   upgrade nor answers it (the client's handshake times out).
//! Opened on first use; both close with stop().
class ResumeHosts final
{
public:
    ResumeHosts() = default;
    ~ResumeHosts();
    Q_DISABLE_COPY_MOVE(ResumeHosts)

    //! Open both on `address` (no-op when open); false with `error` set on failure.
    bool open(const QHostAddress &address, QString *error);
    void close();
    [[nodiscard]] bool isOpen() const { return m_refusedFd >= 0; }

    [[nodiscard]] quint16 refusedPort() const { return m_refusedPort; }
    [[nodiscard]] quint16 silentPort() const { return m_silent.serverPort(); }
    //! TCP connections the silent host accepted since it was opened.
    [[nodiscard]] int silentAccepted() const { return m_silentAccepted; }

private:
    void acceptSilent();

    int m_refusedFd = -1;
    quint16 m_refusedPort = 0;
    QTcpServer m_silent;
    QList<QPointer<QTcpSocket>> m_held;
    int m_silentAccepted = 0;
};

} // namespace gw::sim
