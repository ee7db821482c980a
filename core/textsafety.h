#pragma once

// Text from outside (the network, a config or token file) on its way to a terminal, a log line
// or the UI: one place that makes control characters visible and checks names and tokens.

#include <QString>
#include <QStringView>

#include <optional>

namespace gw {

//! `text` with every character that could steer a terminal or forge a line shown as a visible
//! escape: C0 controls and DEL (`\n`, `\r`, `\t`, `\e`, else `\xHH`), C1 controls, the line and
//! paragraph separators and the bidirectional overrides (`\uHHHH`), and unpaired surrogates
//! (`\uHHHH`). Everything else, including a backslash, is kept as it is.
[[nodiscard]] QString escapeControls(QStringView text);

//! True when escapeControls() would change `text`.
[[nodiscard]] bool hasControls(QStringView text);

//! Why `token` cannot be a bot token, or nullopt when it can: a token is printable ASCII (no
//! space, CR, LF, NUL or other control character, nothing beyond U+007E). The reason names the
//! first offending character by kind and position, never the token.
[[nodiscard]] std::optional<QString> tokenTextProblem(QStringView token);

//! Why `name` cannot be an account name, or nullopt when it can: no control characters (NUL,
//! CR, LF, escapes), line separators, bidirectional overrides or unpaired surrogates.
[[nodiscard]] std::optional<QString> nameTextProblem(QStringView name);

} // namespace gw
