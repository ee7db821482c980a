#pragma once

#include "streaminflater.h"

#include <QByteArray>
#include <QString>

#include <memory>
#include <optional>

namespace gw {

//! Discord's zlib-stream transport compression (docs/protocol.md, transport compression): ONE
//! inflate context per connection; binary messages are buffered until one ends with 00 00 ff ff
//! (Z_SYNC_FLUSH), then the buffer is inflated into one complete JSON message.
//! Not a QObject: a plain member of the client, reset() on every new connection.
class ZlibInflater final : public StreamInflater
{
    Q_DISABLE_COPY_MOVE(ZlibInflater)

public:
    //! `maxOutput`: cap on one inflated message, and on buffered compressed bytes.
    explicit ZlibInflater(qint64 maxOutput = 16 * 1024 * 1024);
    ~ZlibInflater() override;

    void setMaxOutput(qint64 bytes) override;
    [[nodiscard]] qint64 maxOutput() const override;

    //! Fresh context for a new connection; counters are kept (see resetCounters()).
    void reset() override;
    void resetCounters();

    //! Feed one binary WebSocket message. nullopt inside the Expected: more messages needed
    //! (no suffix yet); a value: one complete inflated message; an error: the context is broken.
    Expected<std::optional<QByteArray>, InflateError> feed(const QByteArray &message) override;

    [[nodiscard]] quint64 bytesIn() const override;   //!< compressed bytes fed
    [[nodiscard]] quint64 bytesOut() const override;  //!< inflated bytes produced
    [[nodiscard]] qint64 pendingBytes() const override;  //!< buffered, waiting for the suffix

    //! True when `message` ends with the Z_SYNC_FLUSH marker 00 00 ff ff.
    static bool endsWithSyncFlush(const QByteArray &message);

private:
    Expected<std::optional<QByteArray>, InflateError> inflateBuffer(const QByteArray &input);

    struct State;
    std::unique_ptr<State> m;
};

} // namespace gw
