// libFuzzer target: the gateway payload decoder (PayloadDecoder) and, as a round trip, the
// encoder. Built as `fuzz_payload` with GATEWATCH_FUZZ=ON (clang, -fsanitize=fuzzer) and as
// `fuzz_payload_regress` in every build (regressiondriver.cpp feeds the committed inputs).
#include "fuzzrequire.h"
#include "gatewaypayload.h"

#include <QByteArray>
#include <QString>

#include <cstddef>
#include <cstdint>

using gw::PayloadDecoder;
using gw::PayloadEncoder;

using fuzz::require;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray raw(reinterpret_cast<const char *>(data), qsizetype(size));
    auto decoded = PayloadDecoder::decode(raw);
    if (!decoded) {
        (void)decoded.error().message();
        return 0;
    }
    const gw::GatewayPayload &p = decoded.value();
    // The view on d must lie inside the message.
    if (p.hasD()) {
        require(p.dBegin >= 0 && p.dLength >= 0 && p.dBegin + p.dLength <= raw.size());
        (void)p.d();
        (void)p.dIsNull();
    }
    // Every field decoder the client uses, whatever the opcode (wrong types must be values).
    if (auto hello = PayloadDecoder::decodeHello(p))
        require(hello.value().count() > 0);
    else
        (void)hello.error().message();
    if (auto ready = PayloadDecoder::decodeReady(p))
        (void)ready.value().sessionId.size();
    else
        (void)ready.error().message();
    if (auto invalid = PayloadDecoder::decodeInvalidSession(p))
        (void)invalid.value();
    else
        (void)invalid.error().message();

    // Round trip: whatever strings came in, what we encode must decode with the right opcode.
    const QString text = QString::fromUtf8(raw.left(64));
    const qint64 seq = p.s.value_or(0);
    auto resume = PayloadDecoder::decode(PayloadEncoder::resume(text, text, seq < 0 ? 0 : seq));
    require(bool(resume) && resume.value().op == 6);
    gw::IdentifyParams params;
    params.token = text;
    params.device = text;
    auto identify = PayloadDecoder::decode(PayloadEncoder::identify(params));
    require(bool(identify) && identify.value().op == 2);
    auto beat = PayloadDecoder::decode(PayloadEncoder::heartbeat(p.s));
    require(bool(beat) && beat.value().op == 1);
    return 0;
}
