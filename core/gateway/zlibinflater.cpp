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
    // Inflate straight into the result (no per-socket 64 KiB scratch chunk, no second copy):
    // start at 4× the compressed size (gateway JSON compresses 3–8×) and double while full.
    QByteArray result;
    qsizetype used = 0;
    result.resize(std::clamp<qsizetype>(input.size() * 4, 256, std::max<qsizetype>(256, m->maxOutput)));

    // zlib's avail_in is 32-bit; input is capped by maxOutput, which callers keep well below it.
    m->zs.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(input.constData()));
    m->zs.avail_in = static_cast<uInt>(std::min<qsizetype>(input.size(), UINT_MAX));
    for (;;) {
        const qsizetype room = std::min<qsizetype>(result.size() - used, UINT_MAX);
        m->zs.next_out = reinterpret_cast<Bytef *>(result.data() + used);
        m->zs.avail_out = static_cast<uInt>(room);
        const int rc = inflate(&m->zs, Z_SYNC_FLUSH);
        const qsizetype produced = room - qsizetype(m->zs.avail_out);
        if (rc != Z_OK && rc != Z_BUF_ERROR && rc != Z_STREAM_END) {
            m->broken = true;
            return InflateError{InflateError::Kind::Corrupt,
                                QStringLiteral("zlib inflate failed (%1)").arg(QLatin1String(m->zs.msg ? m->zs.msg : "error"))};
        }
        used += produced;
        if (used > m->maxOutput) {
            m->broken = true;
            return InflateError{InflateError::Kind::TooLarge,
                                QStringLiteral("inflated message exceeds %1 bytes").arg(m->maxOutput)};
        }
        if (rc == Z_STREAM_END || (m->zs.avail_in == 0 && m->zs.avail_out != 0))
            break;
        if (rc == Z_BUF_ERROR && produced == 0)
            break;  // no progress possible: input consumed
        if (m->zs.avail_out == 0) {
            // Full: grow (at most to one byte past the cap, so "too large" is still detected).
            const qsizetype grown = std::min<qsizetype>(result.size() * 2, std::max<qsizetype>(m->maxOutput + 1, result.size() + 1));
            result.resize(grown);
        }
    }
    result.truncate(used);
    m->out += quint64(used);
    if (used == 0)
        return std::optional<QByteArray>{};  // an empty flush: nothing to deliver
    return std::optional<QByteArray>(std::move(result));
}

} // namespace gw
