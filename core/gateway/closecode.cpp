#include "closecode.h"

#include "intents.h"

#include <algorithm>

namespace gw {

namespace {
using A = CloseAction;

// The close codes of docs/protocol.md. 1000/1001 are listed because a *server* close with them happens
// (CloudFlare idle close, brainboxdotcc/DPP#12); like dpy and JDA we resume.
constexpr CloseCodeInfo k_table[] = {
    {1000, A::Resume, "normal_closure", "The gateway closed the connection normally.", false, "", "normal closure"},
    {1001, A::Resume, "going_away", "The gateway is going away (restart or load balancing).", false, "", "going away"},
    {1006, A::Resume, "abnormal_closure", "The connection dropped without a close frame.", false, "", "connection dropped without a close frame"},
    {4000, A::Resume, "unknown_error", "Discord reported an unknown error.", false, "", "unknown error"},
    {4001, A::Resume, "unknown_opcode", "Discord received an opcode or payload it does not know (a client bug).", true, "", "unknown opcode (a Gatewatch bug)"},
    {4002, A::Resume, "decode_error", "Discord could not decode a payload we sent (a client bug).", true, "", "decode error (a Gatewatch bug)"},
    {4003, A::NewSession, "not_authenticated",
     "Not authenticated: a payload was sent before IDENTIFY, or the session was invalidated "
     "(token reset or a privileged intent revoked?).", false, "", "not authenticated"},
    {4004, A::Fatal, "authentication_failed", "Authentication failed: the bot token is invalid or was reset.", false,
     "Copy the current token from the Bot page of the Discord Developer Portal "
     "(https://discord.com/developers/applications) and update this account.", "authentication failed"},
    {4005, A::Resume, "already_authenticated", "IDENTIFY was sent twice on one connection (a client bug).", true, "", "already authenticated (a Gatewatch bug)"},
    {4006, A::NewSession, "session_no_longer_valid", "The session is no longer valid.", false, "", "session no longer valid"},
    {4007, A::NewSession, "invalid_seq", "The sequence sent in RESUME was invalid.", false, "", "invalid seq"},
    {4008, A::Resume, "rate_limited", "Rate limited: too many payloads were sent (a client bug).", true, "", "rate limited (a Gatewatch bug)"},
    {4009, A::NewSession, "session_timed_out", "The session timed out.", false, "", "session timed out"},
    {4010, A::Fatal, "invalid_shard", "The shard sent in IDENTIFY is invalid.", false,
     "Check the shard id and shard count configured for this account.", "invalid shard"},
    {4011, A::Fatal, "sharding_required", "Sharding is required: the bot is in too many guilds for one session.", false,
     "Configure the account with the shard count Discord recommends.", "sharding required"},
    {4012, A::Fatal, "invalid_api_version", "The gateway API version is invalid.", false,
     "This is a Gatewatch bug or an outdated gateway URL override; use API v10.", "invalid API version"},
    {4013, A::Fatal, "invalid_intents", "The intents bitfield is invalid.", false,
     "Check the intents configured for this account; only documented bits are allowed.", "invalid intents"},
    {4014, A::Fatal, "disallowed_intents", "A privileged intent was requested that is not enabled or approved.", false,
     "Enable the privileged intents on the Bot page of the Discord Developer Portal "
     "(https://discord.com/developers/applications), or remove them from this account.", "disallowed intents"},
};

//! RFC 6455 close codes by their names (section 7.4.1 and the IANA registry), for closeSummary().
struct RfcCode
{
    int code;
    const char *name;
};
constexpr RfcCode k_rfcCodes[] = {
    {1000, "normal closure"},       {1001, "going away"},          {1002, "protocol error"},
    {1003, "unsupported data"},     {1007, "invalid payload data"}, {1008, "policy violation"},
    {1009, "message larger than the 16 MiB limit"}, {1010, "mandatory extension"},
    {1011, "internal error"},       {1012, "service restart"},     {1013, "try again later"},
    {1014, "bad gateway"},          {1015, "TLS handshake"},
};

const char *rfcName(int code)
{
    for (const RfcCode &r : k_rfcCodes) {
        if (r.code == code)
            return r.name;
    }
    return nullptr;
}

constexpr auto NoCloseFrame = "connection dropped without a close frame";

//! "4009 · session timed out (Discord)", "1001 · going away", "4321 · close code unknown to Gatewatch".
QString serverSummary(std::optional<int> code)
{
    if (!code)
        return QLatin1String(NoCloseFrame);
    if (*code == 1006)
        return QLatin1String(NoCloseFrame);
    if (const char *name = rfcName(*code))
        return QStringLiteral("%1 · %2").arg(*code).arg(QLatin1String(name));
    if (const CloseCodeInfo *row = CloseCodes::find(*code))
        return QStringLiteral("%1 · %2 (Discord)").arg(*code).arg(QLatin1String(row->summary));
    return QStringLiteral("%1 · close code unknown to Gatewatch").arg(*code);
}

//! What Gatewatch did, for the causes that are ours.
QString ownSummary(const CloseInfo &info)
{
    switch (info.cause) {
    case CloseCause::Op7: return QStringLiteral("closed by Gatewatch: gateway asked to reconnect (op 7)");
    case CloseCause::Zombie: return QStringLiteral("closed by Gatewatch: heartbeat not acknowledged (zombie)");
    case CloseCause::UserResume: return QStringLiteral("closed by Gatewatch: you asked for a reconnect");
    case CloseCause::UserIdentify: return QStringLiteral("closed by Gatewatch: fresh IDENTIFY you asked for");
    case CloseCause::InvalidSession: return QStringLiteral("closed by Gatewatch after op 9 (invalid session)");
    case CloseCause::HelloTimeout: return QStringLiteral("closed by Gatewatch: no HELLO in time");
    case CloseCause::HandshakeTimeout: return QStringLiteral("the WebSocket handshake did not complete in time");
    case CloseCause::Oversized:
        return info.code == 1009 ? QStringLiteral("1009 · message larger than the 16 MiB limit")
                                 : QStringLiteral("closed by Gatewatch: message larger than the 16 MiB limit");
    case CloseCause::Protocol:
        return info.reason.isEmpty()
            ? QStringLiteral("closed by Gatewatch: undecodable stream")
            : QStringLiteral("closed by Gatewatch: undecodable stream (%1)").arg(info.reason);
    case CloseCause::Stopped: return QStringLiteral("closed by Gatewatch: monitoring stopped");
    case CloseCause::IdentifyBudget:
        return QStringLiteral("closed by Gatewatch: waiting for the identify budget to reset");
    case CloseCause::Server:
    case CloseCause::Transport:
        break;
    }
    return {};
}
} // namespace

QString closeSummary(const CloseInfo &info)
{
    if (info.cause == CloseCause::Server)
        return serverSummary(info.code);
    if (info.cause == CloseCause::Transport) {
        const QString text = QLatin1String(NoCloseFrame);
        if (info.reason.isEmpty() || info.reason == text)
            return text;
        return QStringLiteral("%1 (%2)").arg(text, info.reason);
    }
    QString text = ownSummary(info);
    if (info.sessionKept)
        text += QStringLiteral(" · session kept resumable");
    return text;
}

CloseSeverity closeSeverity(const CloseInfo &info, bool recovered)
{
    switch (info.cause) {
    case CloseCause::Op7:
    case CloseCause::UserResume:
    case CloseCause::UserIdentify:
    case CloseCause::Stopped:
        return CloseSeverity::Info;
    case CloseCause::InvalidSession:
        return info.sessionKept ? CloseSeverity::Info : CloseSeverity::Warning;
    case CloseCause::IdentifyBudget:
    case CloseCause::Zombie:
    case CloseCause::HelloTimeout:
    case CloseCause::HandshakeTimeout:
    case CloseCause::Oversized:
    case CloseCause::Protocol:
    case CloseCause::Transport:
        return CloseSeverity::Warning;
    case CloseCause::Server:
        break;
    }
    const CloseAction action = CloseCodes::actionFor(info.code);
    if (action == CloseAction::Fatal)
        return CloseSeverity::Error;
    if (info.code == 1000 || info.code == 1001 || (recovered && action == CloseAction::Resume))
        return CloseSeverity::Info;
    return CloseSeverity::Warning;
}

QString closeSeverityName(CloseSeverity severity)
{
    switch (severity) {
    case CloseSeverity::Info: return QStringLiteral("info");
    case CloseSeverity::Warning: return QStringLiteral("warning");
    case CloseSeverity::Error: return QStringLiteral("error");
    }
    return QStringLiteral("unknown");
}

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
