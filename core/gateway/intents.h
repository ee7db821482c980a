#pragma once

#include <QString>
#include <QStringList>

#include <span>

namespace gw {

//! One Gateway intent bit (docs/protocol.md, intents).
struct IntentInfo
{
    int bit = 0;                 //!< value is 1u << bit
    const char *name = "";       //!< Discord's spelling, e.g. "GUILD_MEMBERS"
    bool privileged = false;     //!< needs enabling in the Developer Portal
    [[nodiscard]] quint32 value() const { return 1u << bit; }
};

class Intents final
{
public:
    Intents() = delete;

    static constexpr quint32 Guilds = 1u << 0;
    static constexpr quint32 GuildMembers = 1u << 1;
    static constexpr quint32 GuildPresences = 1u << 8;
    static constexpr quint32 MessageContent = 1u << 15;
    static constexpr quint32 PrivilegedMask = GuildMembers | GuildPresences | MessageContent;

    //! Every known intent, ordered by bit.
    static std::span<const IntentInfo> table();
    //! Known bits only.
    static quint32 knownMask();
    //! The privileged bits set in `mask`.
    static quint32 privilegedIn(quint32 mask) { return mask & PrivilegedMask; }
    //! Names of the privileged intents set in `mask`, in bit order.
    static QStringList privilegedNames(quint32 mask);
    //! Names of every known intent set in `mask`; unknown bits as "1<<n".
    static QStringList names(quint32 mask);
    //! The Developer Portal, where privileged intents are switched on.
    static QString developerPortalUrl() { return QStringLiteral("https://discord.com/developers/applications"); }
};

} // namespace gw
