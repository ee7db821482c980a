#include "closecode.h"

#include "intents.h"

#include <algorithm>

namespace gw {

namespace {
using A = CloseAction;

// The close codes of docs/protocol.md. 1000/1001 are listed because a *server* close with them happens
// (CloudFlare idle close, brainboxdotcc/DPP#12); like dpy and JDA we resume.
constexpr CloseCodeInfo k_table[] = {
    {1000, A::Resume, "normal_closure", "The gateway closed the connection normally.", false, ""},
    {1001, A::Resume, "going_away", "The gateway is going away (restart or load balancing).", false, ""},
    {1006, A::Resume, "abnormal_closure", "The connection dropped without a close frame.", false, ""},
    {4000, A::Resume, "unknown_error", "Discord reported an unknown error.", false, ""},
    {4001, A::Resume, "unknown_opcode", "Discord received an opcode or payload it does not know (a client bug).", true, ""},
    {4002, A::Resume, "decode_error", "Discord could not decode a payload we sent (a client bug).", true, ""},
    {4003, A::NewSession, "not_authenticated",
     "Not authenticated: a payload was sent before IDENTIFY, or the session was invalidated "
     "(token reset or a privileged intent revoked?).", false, ""},
    {4004, A::Fatal, "authentication_failed", "Authentication failed: the bot token is invalid or was reset.", false,
     "Copy the current token from the Bot page of the Discord Developer Portal "
     "(https://discord.com/developers/applications) and update this account."},
    {4005, A::Resume, "already_authenticated", "IDENTIFY was sent twice on one connection (a client bug).", true, ""},
    {4006, A::NewSession, "session_no_longer_valid", "The session is no longer valid.", false, ""},
    {4007, A::NewSession, "invalid_seq", "The sequence sent in RESUME was invalid.", false, ""},
    {4008, A::Resume, "rate_limited", "Rate limited: too many payloads were sent (a client bug).", true, ""},
    {4009, A::NewSession, "session_timed_out", "The session timed out.", false, ""},
    {4010, A::Fatal, "invalid_shard", "The shard sent in IDENTIFY is invalid.", false,
     "Check the shard id and shard count configured for this account."},
    {4011, A::Fatal, "sharding_required", "Sharding is required: the bot is in too many guilds for one session.", false,
     "Configure the account with the shard count Discord recommends."},
    {4012, A::Fatal, "invalid_api_version", "The gateway API version is invalid.", false,
     "This is a Gatewatch bug or an outdated gateway URL override; use API v10."},
    {4013, A::Fatal, "invalid_intents", "The intents bitfield is invalid.", false,
     "Check the intents configured for this account; only documented bits are allowed."},
    {4014, A::Fatal, "disallowed_intents", "A privileged intent was requested that is not enabled or approved.", false,
     "Enable the privileged intents on the Bot page of the Discord Developer Portal "
     "(https://discord.com/developers/applications), or remove them from this account."},
};
} // namespace

std::span<const CloseCodeInfo> CloseCodes::table()
{
    return k_table;
}

const CloseCodeInfo *CloseCodes::find(int code)
{
    const auto it = std::find_if(std::begin(k_table), std::end(k_table),
                                 [code](const CloseCodeInfo &r) { return r.code == code; });
    return it == std::end(k_table) ? nullptr : it;
}

CloseAction CloseCodes::actionFor(std::optional<int> code)
{
    if (!code)
        return CloseAction::Resume;  // no close frame: the docs' "no close code" case
    const CloseCodeInfo *row = find(*code);
    return row ? row->action : CloseAction::Resume;  // unknown codes: reconnect and resume
}

QString CloseCodes::nameFor(std::optional<int> code)
{
    if (!code)
        return QStringLiteral("no_close_frame");
    if (const CloseCodeInfo *row = find(*code))
        return QLatin1String(row->name);
    return QStringLiteral("code_%1").arg(*code);
}

bool CloseCodes::isOurBug(std::optional<int> code)
{
    const CloseCodeInfo *row = code ? find(*code) : nullptr;
    return row && row->ourBug;
}

QString CloseCodes::describe(std::optional<int> code, const CloseContext &context)
{
    if (!code)
        return QStringLiteral("The connection dropped without a close frame; resuming.");
    const CloseCodeInfo *row = find(*code);
    if (!row)
        return QStringLiteral("Unknown close code %1; resuming.").arg(*code);

    QString text = QStringLiteral("%1 (%2)").arg(QLatin1String(row->meaning)).arg(*code);
    switch (row->code) {
    case 4014: {
        const QStringList names = Intents::privilegedNames(context.requestedIntents);
        if (!names.isEmpty())
            text += QStringLiteral(" Requested privileged intents: %1.").arg(names.join(QStringLiteral(", ")));
        else
            text += QStringLiteral(" Privileged intents are GUILD_MEMBERS, GUILD_PRESENCES and MESSAGE_CONTENT.");
        break;
    }
    case 4013:
        if (const quint32 unknown = context.requestedIntents & ~Intents::knownMask())
            text += QStringLiteral(" Unknown bits requested: %1.").arg(Intents::names(unknown).join(QStringLiteral(", ")));
        break;
    case 4011:
        if (context.recommendedShards && *context.recommendedShards > 1)
            text += QStringLiteral(" The bot needs %1 shards.").arg(*context.recommendedShards);
        break;
    default:
        break;
    }
    if (row->fixHint[0] != '\0')
        text += QLatin1Char(' ') + QLatin1String(row->fixHint);
    return text;
}

} // namespace gw
