// libFuzzer target: the headless config parser (HeadlessConfig::parse, docs/headless.md) and the
// duplicate-key scanner it runs, on any bytes. Built as `fuzz_config` with GATEWATCH_FUZZ=ON and
// as `fuzz_config_regress` in every build (regressiondriver.cpp feeds the committed inputs).
// Invariants of an accepted config: at least one account, names unique, non-empty and free of
// control characters, exactly one token source each, shard choices in range.
#include "fuzzrequire.h"
#include "headlessconfig.h"
#include "jsonkeys_p.h"
#include "textsafety.h"

#include <QByteArray>
#include <QSet>
#include <QString>

#include <cstddef>
#include <cstdint>

using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray raw(reinterpret_cast<const char *>(data), qsizetype(size));
    // The scanner also sees text that is not valid JSON here (parse() only hands it valid JSON).
    if (const auto duplicate = gw::firstDuplicateKey(raw))
        require(duplicate->offset >= 0 && duplicate->offset < raw.size());

    const auto config = gw::HeadlessConfig::parse(raw, QStringLiteral("/nonexistent-base"));
    if (!config) {
        require(!config.error().isEmpty());
        return 0;
    }
    require(!config->accounts.isEmpty());
    QSet<QString> names;
    for (const gw::HeadlessAccountConfig &a : config->accounts) {
        require(!a.name.isEmpty() && !gw::hasControls(a.name));
        require(!names.contains(a.name));
        names.insert(a.name);
        require(int(!a.tokenEnv.isEmpty()) + int(!a.tokenFile.isEmpty()) + int(!a.tokenCredential.isEmpty()) == 1);
        if (a.fixedShard)
            require(a.fixedShard->first >= 0 && a.fixedShard->first < a.fixedShard->second);
    }
    return 0;
}
