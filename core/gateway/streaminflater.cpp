#include "streaminflater.h"

#include "zlibinflater.h"
#include "zstdinflater.h"

namespace gw {

std::unique_ptr<StreamInflater> makeStreamInflater(Compression compression, qint64 maxOutput)
{
    switch (compression) {
    case Compression::None: return nullptr;
    case Compression::ZlibStream: return std::make_unique<ZlibInflater>(maxOutput);
    case Compression::ZstdStream: return std::make_unique<ZstdInflater>(maxOutput);
    }
    return nullptr;
}

} // namespace gw
