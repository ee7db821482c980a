#pragma once

#include "gatewaytypes.h"

#include <QString>

#include <optional>
#include <span>

namespace gw {

//! One row of the close-code table (docs/protocol.md). The table is the only place that decides
//! what a close code means; the client, the supervisor, the event log and the UI read it.
struct CloseCodeInfo
{
    int code = 0;
    CloseAction action = CloseAction::Resume;
    const char *name = "";           //!< short name, e.g. "authentication_failed" (snake_case)
    const char *meaning = "";        //!< user-facing sentence
    bool ourBug = false;             //!< the server says *we* sent something wrong (4001/4002/4005/4008)
    const char *fixHint = "";        //!< fatal codes: what a person must do; empty otherwise
    const char *summary = "";        //!< short lower-case phrase for closeSummary(), e.g. "session timed out"
};

//! Extra context for describing a close to a person.
struct CloseContext
{
    quint32 requestedIntents = 0;    //!< intents sent in IDENTIFY (for 4014/4013)
    std::optional<int> recommendedShards;  //!< from GET /gateway/bot (for 4011; shown when > 1)
};

class CloseCodes final
{
public:
    CloseCodes() = delete;

    //! The whole table, ordered by code (for tests and the UI legend).
    static std::span<const CloseCodeInfo> table();
    //! The row for `code`; nullptr for codes the table does not list.
    static const CloseCodeInfo *find(int code);
    //! What to do after a close: the table's action; no code (1006/transport) and unknown
    //! codes → Resume; 1000/1001 *from the server* → Resume (like dpy and JDA).
    static CloseAction actionFor(std::optional<int> code);
    [[nodiscard]] static bool isFatal(std::optional<int> code) { return actionFor(code) == CloseAction::Fatal; }
    //! Short snake_case name ("unknown_error", "disallowed_intents", "no_close_frame", "code_4321").
    static QString nameFor(std::optional<int> code);
    //! A user-facing sentence: meaning, plus the fix hint for fatal codes; 4014/4013 name the
    //! privileged intents requested and the Developer Portal; 4011 says "needs N shards".
    static QString describe(std::optional<int> code, const CloseContext &context = {});
    //! True when the table marks the code as caused by a client bug.
    static bool isOurBug(std::optional<int> code);
};

//! How serious a close is, for the event log (the supervisor maps it onto its Severity; the
//! gateway layer cannot use core/log's type).
enum class CloseSeverity {
    Info,     //!< a close Gatewatch made on purpose, or a routine server close
    Warning,  //!< a close the user should know about; the client reconnects
    Error,    //!< fatal: a person must fix something
};

//! The sentence shown to users and written as the close row's message, e.g.
//! "closed by Gatewatch: gateway asked to reconnect (op 7) · session kept resumable",
//! "4009 · session timed out (Discord)", "connection dropped without a close frame",
//! "1009 · message larger than the 16 MiB limit", "1001 · going away".
QString closeSummary(const CloseInfo &info);
//! Info: closes Gatewatch made on purpose (op7, user_resume, user_identify, stopped, a resumable
//! op 9), server 1000/1001, and a resumable server close that `recovered` (RESUMED followed);
//! Warning: zombie, hello/handshake timeouts, transport, oversized, protocol, op 9 that drops
//! the session and other non-fatal server codes; Error: fatal server codes.
CloseSeverity closeSeverity(const CloseInfo &info, bool recovered = false);
QString closeSeverityName(CloseSeverity severity);  // "info" | "warning" | "error"

} // namespace gw
