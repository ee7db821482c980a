#include "intents.h"

namespace gw {

namespace {
constexpr IntentInfo k_intents[] = {
    {0, "GUILDS", false},
    {1, "GUILD_MEMBERS", true},
    {2, "GUILD_MODERATION", false},
    {3, "GUILD_EXPRESSIONS", false},
    {4, "GUILD_INTEGRATIONS", false},
    {5, "GUILD_WEBHOOKS", false},
    {6, "GUILD_INVITES", false},
    {7, "GUILD_VOICE_STATES", false},
    {8, "GUILD_PRESENCES", true},
    {9, "GUILD_MESSAGES", false},
    {10, "GUILD_MESSAGE_REACTIONS", false},
    {11, "GUILD_MESSAGE_TYPING", false},
    {12, "DIRECT_MESSAGES", false},
    {13, "DIRECT_MESSAGE_REACTIONS", false},
    {14, "DIRECT_MESSAGE_TYPING", false},
    {15, "MESSAGE_CONTENT", true},
    {16, "GUILD_SCHEDULED_EVENTS", false},
    {20, "AUTO_MODERATION_CONFIGURATION", false},
    {21, "AUTO_MODERATION_EXECUTION", false},
    {24, "GUILD_MESSAGE_POLLS", false},
    {25, "DIRECT_MESSAGE_POLLS", false},
};
} // namespace

std::span<const IntentInfo> Intents::table()
{
    return k_intents;
}

quint32 Intents::knownMask()
{
    quint32 mask = 0;
    for (const IntentInfo &i : k_intents)
        mask |= i.value();
    return mask;
}

QStringList Intents::privilegedNames(quint32 mask)
{
    QStringList out;
    for (const IntentInfo &i : k_intents) {
        if (i.privileged && (mask & i.value()))
            out << QLatin1String(i.name);
    }
    return out;
}

QStringList Intents::names(quint32 mask)
{
    QStringList out;
    for (int bit = 0; bit < 32; ++bit) {
        const quint32 v = 1u << bit;
        if (!(mask & v))
            continue;
        const IntentInfo *found = nullptr;
        for (const IntentInfo &i : k_intents) {
            if (i.bit == bit)
                found = &i;
        }
        out << (found ? QString(QLatin1String(found->name)) : QStringLiteral("1<<%1").arg(bit));
    }
    return out;
}

} // namespace gw
