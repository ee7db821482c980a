#include "gatewaytypes.h"

namespace gw {

QString stateName(ConnectionState state)
{
    switch (state) {
    case ConnectionState::Stopped: return QStringLiteral("stopped");
    case ConnectionState::Connecting: return QStringLiteral("connecting");
    case ConnectionState::AwaitingHello: return QStringLiteral("awaiting_hello");
    case ConnectionState::Identifying: return QStringLiteral("identifying");
    case ConnectionState::Resuming: return QStringLiteral("resuming");
    case ConnectionState::Ready: return QStringLiteral("ready");
    case ConnectionState::Degraded: return QStringLiteral("degraded");
    case ConnectionState::Reconnecting: return QStringLiteral("reconnecting");
    case ConnectionState::Failed: return QStringLiteral("failed");
    }
    return QStringLiteral("unknown");
}

QString stateDisplayName(ConnectionState state)
{
    switch (state) {
    case ConnectionState::Stopped: return QStringLiteral("Stopped");
    case ConnectionState::Connecting: return QStringLiteral("Connecting");
    case ConnectionState::AwaitingHello: return QStringLiteral("Awaiting HELLO");
    case ConnectionState::Identifying: return QStringLiteral("Identifying");
    case ConnectionState::Resuming: return QStringLiteral("Resuming");
    case ConnectionState::Ready: return QStringLiteral("Ready");
    case ConnectionState::Degraded: return QStringLiteral("Degraded");
    case ConnectionState::Reconnecting: return QStringLiteral("Reconnecting");
    case ConnectionState::Failed: return QStringLiteral("Failed");
    }
    return QStringLiteral("Unknown");
}

std::optional<ConnectionState> stateFromName(QStringView name)
{
    static constexpr ConnectionState all[] = {
        ConnectionState::Stopped,   ConnectionState::Connecting, ConnectionState::AwaitingHello,
        ConnectionState::Identifying, ConnectionState::Resuming, ConnectionState::Ready,
        ConnectionState::Degraded,  ConnectionState::Reconnecting, ConnectionState::Failed,
    };
    for (const ConnectionState s : all) {
        if (name == stateName(s))
            return s;
    }
    return std::nullopt;
}

QString reconnectModeName(ReconnectMode mode)
{
    switch (mode) {
    case ReconnectMode::Resume: return QStringLiteral("resume");
    case ReconnectMode::FreshIdentify: return QStringLiteral("identify");
    }
    return QStringLiteral("unknown");
}

QString closeInitiatorName(CloseInitiator initiator)
{
    switch (initiator) {
    case CloseInitiator::Server: return QStringLiteral("server");
    case CloseInitiator::Client: return QStringLiteral("client");
    case CloseInitiator::Transport: return QStringLiteral("transport");
    }
    return QStringLiteral("unknown");
}

QString closeCauseName(CloseCause cause)
{
    switch (cause) {
    case CloseCause::Server: return QStringLiteral("server");
    case CloseCause::Op7: return QStringLiteral("op7");
    case CloseCause::Zombie: return QStringLiteral("zombie");
    case CloseCause::UserResume: return QStringLiteral("user_resume");
    case CloseCause::UserIdentify: return QStringLiteral("user_identify");
    case CloseCause::InvalidSession: return QStringLiteral("invalid_session");
    case CloseCause::HelloTimeout: return QStringLiteral("hello_timeout");
    case CloseCause::HandshakeTimeout: return QStringLiteral("handshake_timeout");
    case CloseCause::Oversized: return QStringLiteral("oversized");
    case CloseCause::Protocol: return QStringLiteral("protocol");
    case CloseCause::Transport: return QStringLiteral("transport");
    case CloseCause::Stopped: return QStringLiteral("stopped");
    case CloseCause::IdentifyBudget: return QStringLiteral("identify_budget");
    }
    return QStringLiteral("unknown");
}

std::optional<CloseCause> closeCauseFromName(QStringView name)
{
    static constexpr CloseCause all[] = {
        CloseCause::Server,       CloseCause::Op7,          CloseCause::Zombie,
        CloseCause::UserResume,   CloseCause::UserIdentify, CloseCause::InvalidSession,
        CloseCause::HelloTimeout, CloseCause::HandshakeTimeout, CloseCause::Oversized,
        CloseCause::Protocol,     CloseCause::Transport,    CloseCause::Stopped,
        CloseCause::IdentifyBudget,
    };
    for (const CloseCause c : all) {
        if (name == closeCauseName(c))
            return c;
    }
    return std::nullopt;
}

QString closeActionName(CloseAction action)
{
    switch (action) {
    case CloseAction::Resume: return QStringLiteral("resume");
    case CloseAction::NewSession: return QStringLiteral("new_session");
    case CloseAction::Fatal: return QStringLiteral("fatal");
    }
    return QStringLiteral("unknown");
}

bool GatewayError::isTerminal() const
{
    switch (kind) {
    case Kind::FatalClose:
    case Kind::ReconnectBudgetExhausted:
    case Kind::IdentifyRefused:
    case Kind::Unauthorized:
    case Kind::BadRequest:
    case Kind::ReadyTimeout:
    case Kind::WatchdogTimeout:
        return true;
    case Kind::None:
    case Kind::Transport:
    case Kind::Protocol:
    case Kind::HandshakeTimeout:
    case Kind::HelloTimeout:
    case Kind::Rest:
        return false;
    }
    return false;
}

QString errorKindName(GatewayError::Kind kind)
{
    using K = GatewayError::Kind;
    switch (kind) {
    case K::None: return QStringLiteral("none");
    case K::Transport: return QStringLiteral("transport");
    case K::Protocol: return QStringLiteral("protocol");
    case K::HandshakeTimeout: return QStringLiteral("handshake_timeout");
    case K::HelloTimeout: return QStringLiteral("hello_timeout");
    case K::FatalClose: return QStringLiteral("fatal_close");
    case K::ReconnectBudgetExhausted: return QStringLiteral("reconnect_budget_exhausted");
    case K::IdentifyRefused: return QStringLiteral("identify_refused");
    case K::Rest: return QStringLiteral("rest");
    case K::Unauthorized: return QStringLiteral("unauthorized");
    case K::BadRequest: return QStringLiteral("bad_request");
    case K::ReadyTimeout: return QStringLiteral("ready_timeout");
    case K::WatchdogTimeout: return QStringLiteral("watchdog_timeout");
    }
    return QStringLiteral("unknown");
}

QString compressionName(Compression compression)
{
    switch (compression) {
    case Compression::None: return QStringLiteral("none");
    case Compression::ZlibStream: return QStringLiteral("zlib-stream");
    case Compression::ZstdStream: return QStringLiteral("zstd-stream");
    }
    return QStringLiteral("none");
}

std::optional<Compression> compressionFromName(QStringView name)
{
    for (const Compression c : {Compression::None, Compression::ZlibStream, Compression::ZstdStream}) {
        if (name == compressionName(c))
            return c;
    }
    return std::nullopt;
}

} // namespace gw
