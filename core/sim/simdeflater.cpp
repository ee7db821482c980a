#include "simdeflater_p.h"

#include "logging.h"

#include <zlib.h>
#include <zstd.h>

namespace gw {

struct SimDeflater::Stream
{
    Compression compression = Compression::None;
    z_stream z{};
    ZSTD_CCtx *zstd = nullptr;
    bool valid = false;
};

SimDeflater::SimDeflater(Compression compression)
    : m_stream(std::make_unique<Stream>())
{
    m_stream->compression = compression;
    if (compression == Compression::ZlibStream) {
        m_stream->valid = deflateInit(&m_stream->z, Z_DEFAULT_COMPRESSION) == Z_OK;
        if (!m_stream->valid)
            qCWarning(lcSim) << "deflateInit failed";
    } else if (compression == Compression::ZstdStream) {
        m_stream->zstd = ZSTD_createCCtx();
        m_stream->valid = m_stream->zstd != nullptr;
        if (!m_stream->valid)
            qCWarning(lcSim) << "ZSTD_createCCtx failed";
    }
}

SimDeflater::~SimDeflater()
{
    if (m_stream->valid && m_stream->compression == Compression::ZlibStream)
        deflateEnd(&m_stream->z);
    ZSTD_freeCCtx(m_stream->zstd);
}

bool SimDeflater::isValid() const
{
    return m_stream->valid;
}

Compression SimDeflater::compression() const
{
    return m_stream->compression;
}

QByteArray SimDeflater::compress(const QByteArray &input)
{
    if (!m_stream->valid)
        return {};
    return m_stream->compression == Compression::ZstdStream ? compressZstd(input) : compressZlib(input);
}

QByteArray SimDeflater::compressZlib(const QByteArray &input)
{
    z_stream &z = m_stream->z;
    // zlib's API takes a non-const input pointer but never writes through it.
    z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(input.constData()));
    z.avail_in = static_cast<uInt>(input.size());
    QByteArray out;
    char chunk[16384];
    do {
        z.next_out = reinterpret_cast<Bytef *>(chunk);
        z.avail_out = sizeof(chunk);
        const int rc = deflate(&z, Z_SYNC_FLUSH);
        if (rc != Z_OK && rc != Z_BUF_ERROR) {
            qCWarning(lcSim) << "deflate failed with" << rc;
            return {};
        }
        out.append(chunk, static_cast<qsizetype>(sizeof(chunk) - z.avail_out));
    } while (z.avail_out == 0);
    return out;
}

QByteArray SimDeflater::compressZstd(const QByteArray &input)
{
    ZSTD_inBuffer in{input.constData(), size_t(input.size()), 0};
    QByteArray out;
    char chunk[16384];
    for (;;) {
        ZSTD_outBuffer o{chunk, sizeof(chunk), 0};
        // Returns how much is still to flush; 0 once the whole input is out on a block boundary.
        const size_t remaining = ZSTD_compressStream2(m_stream->zstd, &o, &in, ZSTD_e_flush);
        if (ZSTD_isError(remaining)) {
            qCWarning(lcSim) << "ZSTD_compressStream2 failed:" << ZSTD_getErrorName(remaining);
            m_stream->valid = false;
            return {};
        }
        out.append(chunk, qsizetype(o.pos));
        if (remaining == 0)
            break;
    }
    return out;
}

} // namespace gw
