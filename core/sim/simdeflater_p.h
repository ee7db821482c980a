#pragma once

#include "gatewaytypes.h"

#include <QByteArray>
#include <QtGlobal>

#include <memory>

namespace gw {

//! One transport-compression context per WebSocket connection, as Discord keeps one per socket
//! (docs/protocol.md, transport compression). zlib-stream: every compress() call is flushed with
//! Z_SYNC_FLUSH, so its output ends in 00 00 ff ff. zstd-stream: one ZSTD_CCtx whose frame spans
//! the connection, every compress() call flushed with ZSTD_e_flush, so its output ends on a block
//! boundary. Either way the client can decompress a message on its own context as soon as it
//! arrives.
class SimDeflater final
{
    Q_DISABLE_COPY_MOVE(SimDeflater)

public:
    //! `compression` must be ZlibStream or ZstdStream (None gives an invalid deflater).
    explicit SimDeflater(Compression compression = Compression::ZlibStream);
    ~SimDeflater();

    [[nodiscard]] bool isValid() const;
    [[nodiscard]] Compression compression() const;
    //! Compresses `input` on the shared context; empty on a library error (logged).
    [[nodiscard]] QByteArray compress(const QByteArray &input);

private:
    QByteArray compressZlib(const QByteArray &input);
    QByteArray compressZstd(const QByteArray &input);

    struct Stream;
    std::unique_ptr<Stream> m_stream;
};

} // namespace gw
