// libFuzzer target: a transport inflater (makeStreamInflater) fed an arbitrary sequence of binary
// WebSocket messages on one connection. Built twice (tests/fuzz/CMakeLists.txt): fuzz_inflater
// with GATEWATCH_FUZZ_COMPRESSION=ZlibStream, fuzz_zstd with ZstdStream. Input format (see
// tests/fuzz/README.md):
//   byte 0: bit 0 = reset() between two halves of the input (a new connection)
//   then repeated [length: 2 bytes little endian][length bytes]; a short last record takes the rest.
#include "fuzzrequire.h"
#include "streaminflater.h"

#include <QByteArray>

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace {

constexpr qint64 MaxOutput = 1024 * 1024;  // 1 MiB cap keeps the fuzzer under -rss_limit_mb
constexpr gw::Compression Fuzzed = gw::Compression::GATEWATCH_FUZZ_COMPRESSION;

} // namespace

using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const bool resetHalfway = (data[0] & 1) != 0;
    std::size_t pos = 1;
    const auto inflater = gw::makeStreamInflater(Fuzzed, MaxOutput);
    require(inflater != nullptr);
    int frames = 0;
    bool broken = false;
    while (pos < size) {
        std::size_t len = size - pos;
        if (size - pos >= 2) {
            len = std::size_t(data[pos]) | (std::size_t(data[pos + 1]) << 8);
            pos += 2;
            len = std::min(len, size - pos);
        }
        const QByteArray frame(reinterpret_cast<const char *>(data + pos), qsizetype(len));
        pos += len;
        if (resetHalfway && frames == 2) {
            inflater->reset();
            require(inflater->pendingBytes() == 0);
            broken = false;
        }
        ++frames;
        if (broken)
            continue;  // the client closes the connection after an error; nothing more is fed
        const quint64 outBefore = inflater->bytesOut();
        auto r = inflater->feed(frame);
        if (!r) {
            require(!r.error().message.isEmpty());
            broken = true;
            // A broken context refuses everything until reset().
            require(!inflater->feed(QByteArray("x")).hasValue());
            continue;
        }
        if (r.value()) {
            require(!r.value()->isEmpty());
            require(r.value()->size() <= MaxOutput);
            require(inflater->bytesOut() == outBefore + quint64(r.value()->size()));
            require(inflater->pendingBytes() == 0);
        } else {
            require(inflater->pendingBytes() <= MaxOutput);
        }
    }
    return 0;
}
