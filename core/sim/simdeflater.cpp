#include "simdeflater_p.h"

#include "logging.h"

#include <zlib.h>

namespace gw {

struct SimDeflater::Stream
{
    z_stream z{};
    bool valid = false;
};

SimDeflater::SimDeflater()
    : m_stream(std::make_unique<Stream>())
{
    m_stream->valid = deflateInit(&m_stream->z, Z_DEFAULT_COMPRESSION) == Z_OK;
    if (!m_stream->valid)
        qCWarning(lcSim) << "deflateInit failed";
}

SimDeflater::~SimDeflater()
{
    if (m_stream->valid)
        deflateEnd(&m_stream->z);
}

bool SimDeflater::isValid() const
{
    return m_stream->valid;
}

QByteArray SimDeflater::compress(const QByteArray &input)
{
    if (!m_stream->valid)
        return {};
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

} // namespace gw
