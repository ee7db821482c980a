#include "simprotocol_p.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>

#include <algorithm>

namespace gw::sim {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QByteArray toJson(const QJsonObject &o)
{
    return QJsonDocument(o).toJson(QJsonDocument::Compact);
}

QByteArray toJson(const QJsonArray &a)
{
    return QJsonDocument(a).toJson(QJsonDocument::Compact);
}

QByteArray envelope(int op, const QByteArray &dJson)
{
    return "{\"op\":" + QByteArray::number(op) + ",\"d\":" + dJson + ",\"s\":null,\"t\":null}";
}

QByteArray dispatchEnvelope(const QByteArray &event, qint64 seq, const QByteArray &dJson)
{
    return "{\"op\":0,\"t\":\"" + event + "\",\"s\":" + QByteArray::number(seq) + ",\"d\":" + dJson + '}';
}

QByteArray filler(qsizetype n)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    QByteArray out(std::max<qsizetype>(n, 0), 'x');
    auto *rng = QRandomGenerator::global();
    for (char &c : out)
        c = alphabet[rng->bounded(62)];
    return out;
}

QString randomHex(int bytes)
{
    QByteArray raw(bytes, Qt::Uninitialized);
    for (char &c : raw)
        c = static_cast<char>(QRandomGenerator::system()->bounded(256));
    return QString::fromLatin1(raw.toHex());
}

std::optional<qint64> integral(const QJsonValue &v)
{
    if (!v.isDouble())
        return std::nullopt;
    const double d = v.toDouble();
    if (d != static_cast<double>(static_cast<qint64>(d)))
        return std::nullopt;
    return static_cast<qint64>(d);
}

bool closeInvalidatesSession(int code)
{
    return code == 4003 || code == 4004 || code == 4007 || code == 4009 || (code >= 4010 && code <= 4014);
}

QByteArray messageCreateData(int shardId, int payloadBytes)
{
    const qint64 id = (nowMs() - 1420070400000LL) << 22;
    QJsonObject author{{QStringLiteral("id"), QStringLiteral("300000000000000001")},
                       {QStringLiteral("username"), QStringLiteral("someone")},
                       {QStringLiteral("discriminator"), QStringLiteral("0")}};
    QJsonObject d{{QStringLiteral("id"), QString::number(id)},
                  {QStringLiteral("channel_id"), QStringLiteral("400000000000000001")},
                  {QStringLiteral("guild_id"), QString::number(GuildIdBase + (qint64(shardId) << 22))},
                  {QStringLiteral("type"), 0},
                  {QStringLiteral("author"), author},
                  {QStringLiteral("timestamp"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
                  {QStringLiteral("content"), QString()}};
    const QByteArray base = toJson(d);
    const qsizetype pad = payloadBytes - base.size() - 40;
    d.insert(QStringLiteral("content"), QString::fromLatin1(filler(pad)));
    return toJson(d);
}

QByteArray guildCreateData(qint64 guildId)
{
    return toJson(QJsonObject{{QStringLiteral("id"), QString::number(guildId)},
                              {QStringLiteral("name"), QStringLiteral("Guild %1").arg(guildId)},
                              {QStringLiteral("unavailable"), false},
                              {QStringLiteral("member_count"), 2},
                              {QStringLiteral("large"), false},
                              {QStringLiteral("owner_id"), QStringLiteral("300000000000000001")},
                              {QStringLiteral("joined_at"), QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
                              {QStringLiteral("channels"), QJsonArray()},
                              {QStringLiteral("threads"), QJsonArray()},
                              {QStringLiteral("members"), QJsonArray()},
                              {QStringLiteral("roles"), QJsonArray()},
                              {QStringLiteral("emojis"), QJsonArray()},
                              {QStringLiteral("stickers"), QJsonArray()},
                              {QStringLiteral("voice_states"), QJsonArray()},
                              {QStringLiteral("presences"), QJsonArray()},
                              {QStringLiteral("stage_instances"), QJsonArray()},
                              {QStringLiteral("guild_scheduled_events"), QJsonArray()},
                              {QStringLiteral("soundboard_sounds"), QJsonArray()}});
}

} // namespace gw::sim
