#pragma once

#include "streaminflater.h"

#include <QByteArray>

#include <memory>
#include <optional>

namespace gw {

//! Discord's zstd-stream transport compression (docs/protocol.md, transport compression): the
//! whole connection is ONE zstd frame stream decoded by ONE ZSTD_DCtx with ZSTD_decompressStream;
//! the server flushes (ZSTD_e_flush) after every message, so each binary WebSocket message ends on
//! a block boundary and decodes to one complete JSON message. A message cut inside a block (the
//! decoder still waits for the rest of a block) is held until a later message completes it; a cut
//! exactly between two blocks of one payload cannot be told from a flush (Discord never cuts).
//! Not a QObject: owned by the transport, reset() on every new connection.
class ZstdInflater final : public StreamInflater
{
    Q_DISABLE_COPY_MOVE(ZstdInflater)

public:
    //! `maxOutput`: cap on one decompressed message, and on compressed bytes without a boundary.
    explicit ZstdInflater(qint64 maxOutput = 16 * 1024 * 1024);
    ~ZstdInflater() override;

    void setMaxOutput(qint64 bytes) override;
    [[nodiscard]] qint64 maxOutput() const override;
    void reset() override;
    Expected<std::optional<QByteArray>, InflateError> feed(const QByteArray &message) override;
    [[nodiscard]] quint64 bytesIn() const override;
    [[nodiscard]] quint64 bytesOut() const override;
    //! Decompressed bytes held back because the last message ended inside a block.
    [[nodiscard]] qint64 pendingBytes() const override;

private:
    struct State;
    std::unique_ptr<State> m;
};

} // namespace gw
