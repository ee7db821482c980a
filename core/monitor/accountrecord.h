#pragma once

#include "gatewaytypes.h"

#include <QDateTime>
#include <QMetaType>
#include <QString>
#include <QUrl>

#include <optional>
#include <utility>

namespace gw {

//! What Gatewatch keeps about one bot account, in QSettings (AccountStore). Never the token:
//! the token lives in the system keychain (TokenVault) under the account id.
struct AccountRecord
{
    enum class ShardMode { RecommendedFirst, AllShards };

    QString id;                     //!< stable UUID (without braces); the keychain key
    QString name;                   //!< display name, used in logs and metrics labels
    quint32 intents = 1;            //!< GUILDS only by default
    QUrl gatewayUrlOverride;        //!< empty: from GET /gateway/bot
    QUrl apiBaseOverride;           //!< empty: https://discord.com/api/v10
    ShardMode shardMode = ShardMode::RecommendedFirst;  //!< shard 0 of the recommended count, or all
    //! Headless `"shards": [id, count]`: exactly this shard, whatever shardMode says. Not stored
    //! by AccountStore (headless accounts are never saved).
    std::optional<std::pair<int, int>> fixedShard;
    Compression compression = Compression::ZlibStream;  //!< the gateway's transport compression
    bool paused = false;
    bool muted = false;             //!< no desktop notifications for this account
    QDateTime createdAt;

    [[nodiscard]] bool isValid() const { return !id.isEmpty() && !name.trimmed().isEmpty(); }
};

} // namespace gw

Q_DECLARE_METATYPE(gw::AccountRecord)
