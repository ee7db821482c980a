#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QJsonValue>
#include <QString>
#include <QStringList>
#include <QVariantMap>

#include <memory>

namespace gw {

//! The ONE redaction point of Gatewatch: Redactor::global(). There is no other instance in the
//! application and nothing is injected: every log line (through the message handler below),
//! JSON line, event-log row, export and metric label passes through Redactor::global().redact().
//! Sinks that take a text filter (EventLogOptions::redactor, MetricsRegistry::setLabelFilter) are
//! given redactText() below, which is that same global. It replaces
//!   - every *known* token (registered with addToken() in one place: TokenVault, where every
//!     token the process holds passes; see tokenvault.h), and
//!   - anything *shaped* like a Discord bot token: three dot-separated base64url runs,
//!     `[A-Za-z0-9_-]{20,}` . `[A-Za-z0-9_-]{4,8}` . `[A-Za-z0-9_-]{25,}` (a real one is the
//!     base64 user id (23–28), a 6-char timestamp and a 27–38-char HMAC; the bounds are generous
//!     on purpose),
//! with `[REDACTED]`.
//!
//! Thread-safe: tokens are registered from the GUI thread and redact() runs on the worker thread
//! and inside the message handler of any thread (a QReadWriteLock guards the token list; the
//! regex is immutable). Cheap when there is nothing to do: a line with fewer than two dots and
//! no known token costs one scan of the string and no regex.
//!
//! Known tokens shorter than `MinimumKnownTokenLength` are refused by addToken(): replacing a
//! short string everywhere would shred the log and could not be a real token anyway.
class Redactor final
{
public:
    static constexpr qsizetype MinimumKnownTokenLength = 8;

    Redactor();
    ~Redactor();
    Redactor(const Redactor &) = delete;
    Redactor &operator=(const Redactor &) = delete;

    //! The process-wide redactor: the message handler, the event log, the exporters, the JSON
    //! lines and the metrics use this one; TokenVault registers every token with it.
    static Redactor &global();

    //! The replacement text.
    static QString placeholder() { return QStringLiteral("[REDACTED]"); }

    //! Register / forget a known token. addToken() returns false (and registers nothing) for
    //! strings shorter than MinimumKnownTokenLength. Surrounding whitespace and a leading
    //! "Bot " are ignored, so the form the user pasted is covered too.
    bool addToken(const QString &token);
    void removeToken(const QString &token);
    void clearTokens();
    [[nodiscard]] int knownTokenCount() const;

    //! `text` with every known token and every token-shaped run replaced by placeholder().
    [[nodiscard]] QString redact(const QString &text) const;
    //! True if redact() would change `text`.
    [[nodiscard]] bool containsSecret(const QString &text) const;
    //! The bare shape test, without known tokens: does `text` contain a token-shaped run?
    [[nodiscard]] static bool looksLikeToken(const QString &text);
    //! True if the whole of `text` (trimmed) is token-shaped: what the Add bot dialog accepts.
    [[nodiscard]] static bool isTokenShaped(const QString &text);

    // --- helpers for the structured sinks (all call redact()) --------------------------------
    //! Every string value (recursively, arrays included) and every key of `object`.
    [[nodiscard]] QJsonObject redactJson(const QJsonObject &object) const;
    [[nodiscard]] QJsonArray redactJson(const QJsonArray &array) const;
    [[nodiscard]] QJsonValue redactJson(const QJsonValue &value) const;
    //! Every string (and string list) value of `map`, recursively.
    [[nodiscard]] QVariantMap redactVariantMap(const QVariantMap &map) const;
    //! One CSV field, before quoting (the exporter still escapes it).
    [[nodiscard]] QString redactCsvField(const QString &field) const { return redact(field); }
    //! One event-log row's message (the store calls this on insert).
    [[nodiscard]] QString redactEventMessage(const QString &message) const { return redact(message); }
    //! A Prometheus label value (account name, error text).
    [[nodiscard]] QString redactMetricLabel(const QString &value) const { return redact(value); }

    //! For the leak test's control run only: with `enabled == false`, redact() returns its input
    //! unchanged, so the test can prove its search would find a token that got through. Never
    //! called by the application.
    void setEnabled(bool enabled);
    [[nodiscard]] bool isEnabled() const;

private:
    class Private;
    std::unique_ptr<Private> d;
};

//! Redactor::global().redact(text): the filter handed to the sinks that take a function.
[[nodiscard]] QString redactText(const QString &text);

//! Installs a Qt message handler that passes every message (qDebug … qFatal, every category,
//! every thread) through Redactor::global() and then hands it to the handler that was installed
//! before (the default one writes to stderr). Idempotent. Returns false if it was already
//! installed. The app calls it first thing in main(), before any other output.
bool installRedactingMessageHandler();
//! Puts back the handler that was current when installRedactingMessageHandler() ran, if ours is
//! still the current one (tests). Returns false otherwise.
bool uninstallRedactingMessageHandler();
[[nodiscard]] bool isRedactingMessageHandlerInstalled();

} // namespace gw
