#pragma once

#include <QByteArray>
#include <QtGlobal>

#include <memory>

namespace gw {

//! One zlib-stream deflate context (one per WebSocket connection, as Discord keeps one per socket; docs/protocol.md). Every
//! compress() call is flushed with Z_SYNC_FLUSH, so its output ends in 00 00 ff ff and the
//! client can inflate it on its own context as soon as it arrives.
class SimDeflater final
{
    Q_DISABLE_COPY_MOVE(SimDeflater)

public:
    SimDeflater();
    ~SimDeflater();

    [[nodiscard]] bool isValid() const;
    //! Deflates `input` on the shared context; empty on a zlib error (logged).
    [[nodiscard]] QByteArray compress(const QByteArray &input);

private:
    struct Stream;
    std::unique_ptr<Stream> m_stream;
};

} // namespace gw
