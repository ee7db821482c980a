#pragma once

// Internal to core/sim: the Discord Gateway rules and payloads the simulator plays
// (docs/protocol.md), shared by its parts.

#include <QByteArray>
#include <QJsonValue>
#include <QString>

#include <optional>

class QJsonArray;
class QJsonObject;

namespace gw::sim {

constexpr qsizetype MaxPayloadBytes = 4096;          // a larger payload → 4002
constexpr qint64 MaxIncomingMessageBytes = 1 << 20;  // socket cap, far above 4096
constexpr int GuildsPerShardLimit = 2500;            // more guilds on a shard → 4011
constexpr quint32 PrivilegedIntents = (1u << 1) | (1u << 8) | (1u << 15);
// Every intent bit Discord defines (docs/protocol.md); anything else is a bad bitfield (4013).
constexpr quint32 ValidIntents = 0x1FFFFu | (1u << 20) | (1u << 21) | (1u << 24) | (1u << 25);
constexpr qint64 GuildIdBase = 200000000000000000LL;

qint64 nowMs();
QByteArray toJson(const QJsonObject &o);
QByteArray toJson(const QJsonArray &a);
//! A non-dispatch payload: {"op":op,"d":dJson,"s":null,"t":null}.
QByteArray envelope(int op, const QByteArray &dJson);
//! An op 0 dispatch with its sequence number.
QByteArray dispatchEnvelope(const QByteArray &event, qint64 seq, const QByteArray &dJson);
//! Alphanumeric filler that deflate cannot shrink much, so sizes stay meaningful on zlib-stream.
QByteArray filler(qsizetype n);
QString randomHex(int bytes);
//! The value as an integer if it is a JSON number without a fraction.
std::optional<qint64> integral(const QJsonValue &v);
//! Does closing with `code` end the session (no RESUME afterwards)?
bool closeInvalidatesSession(int code);

//! The `d` of a MESSAGE_CREATE in a guild of `shardId`, padded to about `payloadBytes`.
QByteArray messageCreateData(int shardId, int payloadBytes);
//! The `d` of a GUILD_CREATE for guild `guildId`.
QByteArray guildCreateData(qint64 guildId);

} // namespace gw::sim
