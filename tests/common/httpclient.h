#pragma once
// One HTTP/1.x request over loopback for the /metrics tests, without blocking the event loop
// (the server under test usually runs on the test's own thread).

#include <QByteArray>
#include <QHostAddress>
#include <QSignalSpy>
#include <QTcpSocket>

namespace gwtest {

struct HttpResponse
{
    int status = 0;       //!< 0: no answer before the timeout
    QByteArray headers;   //!< status line and headers, without the blank line
    QByteArray body;
    qsizetype contentLength = -1;   //!< from Content-Length, -1 when absent
};

//! Sends `raw` to 127.0.0.1:`port` and reads until the server closes (every /metrics answer is
//! `Connection: close`), at most `timeoutMs`.
[[nodiscard]] inline HttpResponse httpRequest(quint16 port, const QByteArray &raw, int timeoutMs = 5000)
{
    QTcpSocket socket;
    QByteArray all;
    QObject::connect(&socket, &QTcpSocket::connected, &socket, [&socket, &raw] { socket.write(raw); });
    QObject::connect(&socket, &QTcpSocket::readyRead, &socket, [&socket, &all] { all += socket.readAll(); });
    QSignalSpy closed(&socket, &QTcpSocket::disconnected);
    socket.connectToHost(QHostAddress::LocalHost, port);
    if (!closed.wait(timeoutMs))
        return {};
    all += socket.readAll();
    HttpResponse r;
    const qsizetype end = all.indexOf("\r\n\r\n");
    r.headers = all.left(end);
    r.body = end >= 0 ? all.mid(end + 4) : QByteArray();
    r.status = all.mid(9, 3).toInt();
    for (const QByteArray &line : r.headers.split('\n')) {
        if (line.startsWith("Content-Length: "))
            r.contentLength = line.mid(16).trimmed().toLongLong();
    }
    return r;
}

} // namespace gwtest
