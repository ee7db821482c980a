#pragma once

#include "expected.h"

#include <QByteArray>
#include <QString>

#include <memory>
#include <optional>

namespace gw {

//! Why zlib-stream inflation failed. The connection must be closed: the shared inflate context
//! is unusable after any of these.
struct InflateError
{
    enum class Kind {
        Corrupt,        //!< zlib reported a data or stream error (garbage, wrong dictionary)
        TooLarge,       //!< inflated output would exceed the cap (decompression bomb)
        BufferTooLarge, //!< compressed bytes without a 00 00 ff ff suffix exceed the cap
        Internal,       //!< zlib could not be initialised (out of memory)
    };
    Kind kind = Kind::Corrupt;
    QString message;
};

//! Discord's zlib-stream transport compression (docs/protocol.md, transport compression): ONE
//! inflate context per connection; binary messages are buffered until one ends with 00 00 ff ff
//! (Z_SYNC_FLUSH), then the buffer is inflated into one complete JSON message.
//! Not a QObject: a plain member of the client, reset() on every new connection.
class ZlibInflater final
{
    Q_DISABLE_COPY_MOVE(ZlibInflater)

public:
    //! `maxOutput`: cap on one inflated message, and on buffered compressed bytes.
    explicit ZlibInflater(qint64 maxOutput = 16 * 1024 * 1024);
    ~ZlibInflater();

    void setMaxOutput(qint64 bytes);
    [[nodiscard]] qint64 maxOutput() const;

    //! Fresh context for a new connection; counters are kept (see resetCounters()).
    void reset();
    void resetCounters();

    //! Feed one binary WebSocket message. nullopt inside the Expected: more messages needed
    //! (no suffix yet); a value: one complete inflated message; an error: the context is broken.
    Expected<std::optional<QByteArray>, InflateError> feed(const QByteArray &message);

    [[nodiscard]] quint64 bytesIn() const;   //!< compressed bytes fed
    [[nodiscard]] quint64 bytesOut() const;  //!< inflated bytes produced
    [[nodiscard]] qint64 pendingBytes() const;  //!< buffered, waiting for the suffix

    //! True when `message` ends with the Z_SYNC_FLUSH marker 00 00 ff ff.
    static bool endsWithSyncFlush(const QByteArray &message);

private:
    Expected<std::optional<QByteArray>, InflateError> inflateBuffer(const QByteArray &input);

    struct State;
    std::unique_ptr<State> m;
};

} // namespace gw
