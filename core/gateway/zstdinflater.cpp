#include "zstdinflater.h"

#include <zstd.h>

#include <algorithm>

namespace gw {

namespace {
//! The decoder's input hint right after a complete block: the next 3-byte block header (the zstd
//! format's block header size). 0 means a frame ended. Anything else: the message stopped inside
//! a block, a frame header or a checksum.
constexpr size_t NextBlockHeaderHint = 3;
} // namespace

struct ZstdInflater::State
{
    ZSTD_DCtx *dctx = nullptr;
    bool broken = false;
    qint64 maxOutput = 0;
    QByteArray pending;           //!< output of messages that ended inside a block
    qint64 pendingCompressed = 0; //!< compressed bytes since the last boundary
    quint64 in = 0;
    quint64 out = 0;

    void init()
    {
        if (!dctx)
            dctx = ZSTD_createDCtx();
        else
            ZSTD_DCtx_reset(dctx, ZSTD_reset_session_only);
        broken = dctx == nullptr;
        pending.clear();
        pendingCompressed = 0;
    }
    InflateError fail(InflateError::Kind kind, const QString &message)
    {
        broken = true;
        pending.clear();
        return InflateError{kind, message};
    }
};

ZstdInflater::ZstdInflater(qint64 maxOutput) : m(std::make_unique<State>())
{
    m->maxOutput = maxOutput;
    m->init();
}

ZstdInflater::~ZstdInflater()
{
    ZSTD_freeDCtx(m->dctx);
}

void ZstdInflater::setMaxOutput(qint64 bytes)
{
    m->maxOutput = bytes;
}

qint64 ZstdInflater::maxOutput() const
{
    return m->maxOutput;
}

void ZstdInflater::reset()
{
    m->init();
}

quint64 ZstdInflater::bytesIn() const
{
    return m->in;
}

quint64 ZstdInflater::bytesOut() const
{
    return m->out;
}

qint64 ZstdInflater::pendingBytes() const
{
    return m->pending.size();
}

Expected<std::optional<QByteArray>, InflateError> ZstdInflater::feed(const QByteArray &message)
{
    if (m->broken || !m->dctx)
        return InflateError{InflateError::Kind::Internal, QStringLiteral("zstd context unusable; reconnect")};
    m->in += quint64(message.size());
    m->pendingCompressed += message.size();
    if (m->pendingCompressed > m->maxOutput)
        return m->fail(InflateError::Kind::BufferTooLarge,
                       QStringLiteral("compressed message exceeds %1 bytes without a flush boundary").arg(m->maxOutput));

    // Decompress straight into the result: start at 4× the compressed size and double while the
    // decoder fills it (at most to one byte past the cap, so "too large" is still detected).
    QByteArray result = std::move(m->pending);
    m->pending = QByteArray();
    qsizetype used = result.size();
    result.resize(std::clamp<qsizetype>(used + message.size() * 4, used + 256, std::max<qsizetype>(used + 256, m->maxOutput + 1)));
    ZSTD_inBuffer input{message.constData(), size_t(message.size()), 0};
    size_t hint = 0;
    for (;;) {
        ZSTD_outBuffer output{result.data() + used, size_t(result.size() - used), 0};
        hint = ZSTD_decompressStream(m->dctx, &output, &input);
        if (ZSTD_isError(hint))
            return m->fail(InflateError::Kind::Corrupt,
                           QStringLiteral("zstd decompress failed (%1)").arg(QLatin1String(ZSTD_getErrorName(hint))));
        used += qsizetype(output.pos);
        if (used > m->maxOutput)
            return m->fail(InflateError::Kind::TooLarge, QStringLiteral("decompressed message exceeds %1 bytes").arg(m->maxOutput));
        // Done when the input is consumed and the decoder had room left (all output flushed).
        if (input.pos == input.size && output.pos < output.size)
            break;
        if (output.pos == output.size)
            result.resize(std::min<qsizetype>(result.size() * 2, std::max<qsizetype>(m->maxOutput + 1, result.size() + 1)));
    }
    result.truncate(used);
    if (hint != 0 && hint != NextBlockHeaderHint) {
        m->pending = std::move(result);  // cut inside a block: wait for the rest
        return std::optional<QByteArray>{};
    }
    m->pendingCompressed = 0;
    m->out += quint64(used);
    if (used == 0)
        return std::optional<QByteArray>{};  // a frame header or an empty flush: nothing to deliver
    return std::optional<QByteArray>(std::move(result));
}

} // namespace gw
