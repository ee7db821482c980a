#pragma once

#include "expected.h"
#include "gatewaytypes.h"

#include <QByteArray>
#include <QString>

#include <memory>
#include <optional>

namespace gw {

//! Why transport decompression failed. The connection must be closed: the shared context is
//! unusable after any of these.
struct InflateError
{
    enum class Kind {
        Corrupt,        //!< the decoder reported a data error (garbage, wrong dictionary, bad frame)
        TooLarge,       //!< decompressed output would exceed the cap (decompression bomb)
        BufferTooLarge, //!< compressed bytes without a flush boundary exceed the cap
        Internal,       //!< the decoder could not be initialised (out of memory)
    };
    Kind kind = Kind::Corrupt;
    QString message;
};

//! The transport's decompression seam (docs/protocol.md, transport compression): ONE context
//! per connection, fed the binary WebSocket messages in order. ZlibInflater (zlib-stream) and
//! ZstdInflater (zstd-stream) implement it; GatewayTransport only sees this interface.
class StreamInflater
{
public:
    virtual ~StreamInflater() = default;

    virtual void setMaxOutput(qint64 bytes) = 0;
    [[nodiscard]] virtual qint64 maxOutput() const = 0;
    //! Fresh context for a new connection; counters are kept.
    virtual void reset() = 0;
    //! Feed one binary WebSocket message. nullopt inside the Expected: nothing to deliver (no
    //! flush boundary yet, or a boundary with no output); a value: one complete, non-empty
    //! message; an error: the context is broken and refuses everything until reset().
    virtual Expected<std::optional<QByteArray>, InflateError> feed(const QByteArray &message) = 0;
    [[nodiscard]] virtual quint64 bytesIn() const = 0;   //!< compressed bytes fed
    [[nodiscard]] virtual quint64 bytesOut() const = 0;  //!< decompressed bytes produced
    //! Bytes held back until the next flush boundary (compressed or decompressed, by decoder).
    [[nodiscard]] virtual qint64 pendingBytes() const = 0;

protected:
    StreamInflater() = default;
    Q_DISABLE_COPY_MOVE(StreamInflater)
};

//! The inflater for `compression`, capped at `maxOutput` bytes per message; nullptr for None.
std::unique_ptr<StreamInflater> makeStreamInflater(Compression compression, qint64 maxOutput);

} // namespace gw
