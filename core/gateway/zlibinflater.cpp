#include "zlibinflater.h"

#include <zlib.h>

#include <algorithm>
#include <climits>

namespace gw {

struct ZlibInflater::State
{
    z_stream zs{};
    bool initialised = false;
    bool broken = false;
    qint64 maxOutput = 0;
    QByteArray pending;
    QByteArray chunk;     // reused output chunk
    quint64 in = 0;
    quint64 out = 0;

    void end()
    {
        if (initialised)
            inflateEnd(&zs);
        initialised = false;
    }
    bool init()
    {
        zs = z_stream{};
        initialised = inflateInit(&zs) == Z_OK;
        broken = !initialised;
        return initialised;
    }
};

ZlibInflater::ZlibInflater(qint64 maxOutput) : m(std::make_unique<State>())
{
    m->maxOutput = maxOutput;
    m->init();
}

ZlibInflater::~ZlibInflater()
{
    m->end();
}

void ZlibInflater::setMaxOutput(qint64 bytes)
{
    m->maxOutput = bytes;
}

qint64 ZlibInflater::maxOutput() const
{
    return m->maxOutput;
}

void ZlibInflater::reset()
{
    m->end();
    m->pending.clear();
    m->init();
}

void ZlibInflater::resetCounters()
{
    m->in = 0;
    m->out = 0;
}

quint64 ZlibInflater::bytesIn() const
{
    return m->in;
}

quint64 ZlibInflater::bytesOut() const
{
    return m->out;
}

qint64 ZlibInflater::pendingBytes() const
{
    return m->pending.size();
}

bool ZlibInflater::endsWithSyncFlush(const QByteArray &message)
{
    return message.size() >= 4 && message.endsWith(QByteArrayView("\x00\x00\xff\xff", 4));
}

Expected<std::optional<QByteArray>, InflateError> ZlibInflater::feed(const QByteArray &message)
{
    if (m->broken || !m->initialised)
        return InflateError{InflateError::Kind::Internal, QStringLiteral("inflate context unusable; reconnect")};
    m->in += quint64(message.size());

    // The marker is checked on the buffered tail, so a marker split across messages still counts.
    if (m->pending.isEmpty() && endsWithSyncFlush(message)) {
        // Fast path: one message, one inflate; no copy into the buffer.
        return inflateBuffer(message);
    }
    if (m->pending.size() + message.size() > m->maxOutput) {
        m->broken = true;
        m->pending.clear();
        return InflateError{InflateError::Kind::BufferTooLarge,
                            QStringLiteral("compressed message exceeds %1 bytes without a flush marker").arg(m->maxOutput)};
    }
    m->pending.append(message);
    if (!endsWithSyncFlush(m->pending))
        return std::optional<QByteArray>{};
    const QByteArray input = std::move(m->pending);
    m->pending = QByteArray();
    return inflateBuffer(input);
}

Expected<std::optional<QByteArray>, InflateError> ZlibInflater::inflateBuffer(const QByteArray &input)
{
    QByteArray result;
    constexpr qsizetype ChunkSize = 64 * 1024;
    if (m->chunk.size() != ChunkSize)
        m->chunk.resize(ChunkSize);

    // zlib's avail_in is 32-bit; input is capped by maxOutput, which callers keep well below it.
    m->zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(input.constData()));
    m->zs.avail_in = static_cast<uInt>(std::min<qsizetype>(input.size(), UINT_MAX));
    for (;;) {
        m->zs.next_out = reinterpret_cast<Bytef *>(m->chunk.data());
        m->zs.avail_out = static_cast<uInt>(ChunkSize);
        const int rc = inflate(&m->zs, Z_SYNC_FLUSH);
        const qsizetype produced = ChunkSize - qsizetype(m->zs.avail_out);
        if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END) {
            m->broken = true;
            return InflateError{InflateError::Kind::Corrupt,
                                QStringLiteral("zlib inflate failed (%1)").arg(QLatin1String(m->zs.msg ? m->zs.msg : "error"))};
        }
        if (result.size() + produced > m->maxOutput) {
            m->broken = true;
            return InflateError{InflateError::Kind::TooLarge,
                                QStringLiteral("inflated message exceeds %1 bytes").arg(m->maxOutput)};
        }
        result.append(m->chunk.constData(), produced);
        if (rc == Z_STREAM_END || (m->zs.avail_in == 0 && m->zs.avail_out != 0))
            break;
        if (rc == Z_BUF_ERROR && produced == 0)
            break;  // no progress possible: input consumed
    }
    m->out += quint64(result.size());
    return std::optional<QByteArray>(std::move(result));
}

} // namespace gw
