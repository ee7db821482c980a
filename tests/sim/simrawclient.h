#pragma once

// A minimal raw gateway client for the simulator's own tests (tests/sim): no GatewayClient, just a
// QWebSocket that records every decoded payload in arrival order.

#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QWebSocket>

#include <zlib.h>

namespace simtest {

//! A minimal gateway client: decodes text frames, or zlib-stream binary frames on one inflate
//! context, buffering until 00 00 ff ff like a real client.
class RawClient final : public QObject
{
    Q_OBJECT

public:
    explicit RawClient(QObject *parent = nullptr)
        : QObject(parent)
    {
        clock.start();
        connect(&ws, &QWebSocket::textMessageReceived, this, [this](const QString &m) {
            texts.append(m.toUtf8());
            decode(m.toUtf8());
        });
        connect(&ws, &QWebSocket::binaryMessageReceived, this, [this](const QByteArray &m) { handleBinary(m); });
        connect(&ws, &QWebSocket::aboutToClose, this, [this] { closeFrame = true; });
        connect(&ws, &QWebSocket::disconnected, this, [this] {
            // Qt says 1000 when no close frame arrived at all; report that as -1.
            closeCode = closeFrame ? int(ws.closeCode()) : -1;
            closed = true;
            Q_EMIT closedNow();
        });
    }
    ~RawClient() override
    {
        if (inflating)
            inflateEnd(&z);
    }

    void open(const QUrl &base, const QString &query = QStringLiteral("v=10&encoding=json"))
    {
        QUrl url = base;
        url.setPath(QStringLiteral("/"));
        url.setQuery(query);
        compressed = query.contains(QLatin1String("compress=zlib-stream"));
        if (compressed) {
            inflateInit(&z);
            inflating = true;
        }
        ws.open(url);
    }

    void send(const QJsonObject &o) { ws.sendTextMessage(QString::fromUtf8(QJsonDocument(o).toJson(QJsonDocument::Compact))); }
    void sendRaw(const QByteArray &b) { ws.sendTextMessage(QString::fromUtf8(b)); }

    void identify(const QString &token, qint64 intents = 1, const QJsonValue &shard = QJsonValue::Undefined)
    {
        QJsonObject d{{QStringLiteral("token"), token},
                      {QStringLiteral("intents"), intents},
                      {QStringLiteral("properties"), QJsonObject{{QStringLiteral("os"), QStringLiteral("linux")},
                                                                 {QStringLiteral("browser"), QStringLiteral("tst")},
                                                                 {QStringLiteral("device"), QStringLiteral("tst")}}}};
        if (!shard.isUndefined())
            d.insert(QStringLiteral("shard"), shard);
        send(QJsonObject{{QStringLiteral("op"), 2}, {QStringLiteral("d"), d}});
    }
    void resume(const QString &token, const QString &sessionId, qint64 seq)
    {
        send(QJsonObject{{QStringLiteral("op"), 6},
                         {QStringLiteral("d"), QJsonObject{{QStringLiteral("token"), token},
                                                           {QStringLiteral("session_id"), sessionId},
                                                           {QStringLiteral("seq"), seq}}}});
    }
    void heartbeat(const QJsonValue &seq)
    {
        send(QJsonObject{{QStringLiteral("op"), 1}, {QStringLiteral("d"), seq}});
    }

    //! Index of the first message at or after `from` with this op (and event name), or -1.
    [[nodiscard]] int find(int op, const QString &t = {}, int from = 0) const
    {
        for (int i = from; i < messages.size(); ++i) {
            const QJsonObject &m = messages.at(i);
            if (m.value(QLatin1String("op")).toInt(-1) == op
                && (t.isEmpty() || m.value(QLatin1String("t")).toString() == t))
                return i;
        }
        return -1;
    }
    //! Waits (event loop, signal-driven) for such a message; returns its index or -1.
    int waitFor(int op, const QString &t = {}, int from = 0, int timeoutMs = 5000)
    {
        QElapsedTimer timer;
        timer.start();
        for (;;) {
            const int i = find(op, t, from);
            if (i >= 0)
                return i;
            const qint64 left = timeoutMs - timer.elapsed();
            if (left <= 0 || closed)
                return -1;
            QSignalSpy spy(this, &RawClient::messageDecoded);
            spy.wait(static_cast<int>(left));
        }
    }
    bool waitClosed(int timeoutMs = 5000)
    {
        if (closed)
            return true;
        QSignalSpy spy(this, &RawClient::closedNow);
        return spy.wait(timeoutMs) || closed;
    }
    [[nodiscard]] int count(int op, const QString &t = {}) const
    {
        int n = 0;
        for (const QJsonObject &m : messages) {
            if (m.value(QLatin1String("op")).toInt(-1) == op
                && (t.isEmpty() || m.value(QLatin1String("t")).toString() == t))
                ++n;
        }
        return n;
    }
    [[nodiscard]] qint64 lastSeq() const
    {
        qint64 s = 0;
        for (const QJsonObject &m : messages) {
            if (m.value(QLatin1String("s")).isDouble())
                s = m.value(QLatin1String("s")).toInteger();
        }
        return s;
    }

    QWebSocket ws;
    QList<QJsonObject> messages;
    QList<qint64> arrivedMs;       //!< per entry of `messages`: ms since the client was made
    QElapsedTimer clock;
    QList<QByteArray> texts;       //!< decoded payload bytes, including undecodable ones
    QList<QByteArray> binaryFrames;
    int decodeErrors = 0;
    bool closed = false;
    bool closeFrame = false;
    int closeCode = -1;
    bool compressed = false;

Q_SIGNALS:
    void messageDecoded();
    void closedNow();

private:
    void handleBinary(const QByteArray &frame)
    {
        binaryFrames.append(frame);
        buffer.append(frame);
        if (!buffer.endsWith(QByteArrayLiteral("\x00\x00\xff\xff")))
            return;
        QByteArray out;
        z.next_in = reinterpret_cast<Bytef *>(buffer.data());
        z.avail_in = static_cast<uInt>(buffer.size());
        char chunk[16384];
        do {
            z.next_out = reinterpret_cast<Bytef *>(chunk);
            z.avail_out = sizeof(chunk);
            const int rc = inflate(&z, Z_SYNC_FLUSH);
            if (rc != Z_OK && rc != Z_BUF_ERROR) {
                ++decodeErrors;
                break;
            }
            out.append(chunk, static_cast<qsizetype>(sizeof(chunk) - z.avail_out));
        } while (z.avail_out == 0);
        buffer.clear();
        texts.append(out);
        decode(out);
    }
    void decode(const QByteArray &bytes)
    {
        QJsonParseError pe{};
        const QJsonDocument doc = QJsonDocument::fromJson(bytes, &pe);
        if (pe.error != QJsonParseError::NoError || !doc.isObject() || !doc.object().value(QLatin1String("op")).isDouble()) {
            ++decodeErrors;
        } else {
            messages.append(doc.object());
            arrivedMs.append(clock.elapsed());
        }
        Q_EMIT messageDecoded();
    }

    z_stream z{};
    bool inflating = false;
    QByteArray buffer;
};

} // namespace simtest
