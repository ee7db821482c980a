#pragma once

#include "expected.h"
#include "gatewaytypes.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QString>

#include <chrono>
#include <optional>

namespace gw {

//! Why a gateway message could not be decoded. A value, never an exception or a crash.
struct PayloadError
{
    enum class Kind {
        Empty,        //!< zero bytes (or only whitespace)
        Syntax,       //!< not valid JSON (truncated, bad token, bad escape, trailing garbage)
        NotObject,    //!< valid JSON, but the top level is not an object
        TooDeep,      //!< nesting deeper than PayloadDecoder::MaxDepth
        MissingField, //!< a required key (op, or a field of d) is absent
        WrongType,    //!< a key has the wrong JSON type (op a string, s a float, …)
        OutOfRange,   //!< a number does not fit (op > INT_MAX, s negative or > 2^63, interval ≤ 0)
    };
    Kind kind = Kind::Syntax;
    qsizetype offset = -1;   //!< byte offset of the problem in the message, when known
    QString field;           //!< which field ("op", "s", "t", "d.session_id", …), when known

    [[nodiscard]] QString message() const;  //!< human sentence; never contains payload text
};
QString payloadErrorKindName(PayloadError::Kind kind);

//! Gateway opcodes (docs/protocol.md).
enum class GatewayOp : int {
    Dispatch = 0,
    Heartbeat = 1,
    Identify = 2,
    PresenceUpdate = 3,
    VoiceStateUpdate = 4,
    Resume = 6,
    Reconnect = 7,
    RequestGuildMembers = 8,
    InvalidSession = 9,
    Hello = 10,
    HeartbeatAck = 11,
};

//! The envelope of one gateway message: {op, d, s, t}. `d` is not parsed: it is kept as a view
//! (offsets into the shared raw bytes) and only decoded by the few decode…() functions the
//! client needs (HELLO, READY, op 9). Dispatches (op 0) never reach a QJsonDocument.
struct GatewayPayload
{
    int op = -1;
    std::optional<qint64> s;         //!< nullopt for null or absent
    QByteArray t;                    //!< event name; empty for null or absent
    QByteArray raw;                  //!< the whole message (implicitly shared, not copied)
    qsizetype dBegin = -1;           //!< -1: no "d" key
    qsizetype dLength = 0;

    [[nodiscard]] bool hasD() const { return dBegin >= 0; }
    [[nodiscard]] QByteArrayView d() const
    {
        return hasD() ? QByteArrayView(raw).sliced(dBegin, dLength) : QByteArrayView();
    }
    [[nodiscard]] bool dIsNull() const { return !hasD() || d() == QByteArrayView("null"); }
};

//! What IDENTIFY carries (docs/protocol.md). The token is only ever placed in the encoded bytes.
struct IdentifyParams
{
    QString token;
    quint32 intents = 1;
    QString os = QStringLiteral("linux");
    QString browser = QStringLiteral("gatewatch");
    QString device = QStringLiteral("gatewatch");
    int shardId = 0;
    int shardCount = 1;
    int largeThreshold = 50;
};

class PayloadDecoder final
{
public:
    PayloadDecoder() = delete;
    static constexpr int MaxDepth = 128;

    //! Decode the envelope with a hand-written scanner over the top-level keys: validates the
    //! whole message as JSON (linear, no allocation except `t`), robust to key order,
    //! whitespace, nulls and escaped keys. Unknown top-level keys are ignored.
    static Expected<GatewayPayload, PayloadError> decode(const QByteArray &raw);

    //! op 10: d.heartbeat_interval (ms, > 0).
    static Expected<std::chrono::milliseconds, PayloadError> decodeHello(const GatewayPayload &p);
    //! READY: session_id, resume_gateway_url, user {id, username, discriminator}, shard, guilds.
    static Expected<SessionInfo, PayloadError> decodeReady(const GatewayPayload &p);
    //! op 9: d must be a boolean.
    static Expected<bool, PayloadError> decodeInvalidSession(const GatewayPayload &p);
};

class PayloadEncoder final
{
public:
    PayloadEncoder() = delete;
    //! {"op":1,"d":<seq|null>}
    static QByteArray heartbeat(std::optional<qint64> sequence);
    //! {"op":2,"d":{token, intents, properties{os,browser,device}, shard, large_threshold}}
    static QByteArray identify(const IdentifyParams &params);
    //! {"op":6,"d":{token, session_id, seq}}
    static QByteArray resume(const QString &token, const QString &sessionId, qint64 sequence);
};

} // namespace gw
