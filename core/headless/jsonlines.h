#pragma once

#include "eventtypes.h"

#include <QByteArray>
#include <QJsonObject>

namespace gw {

//! The JSON Lines of headless mode (docs/headless.md): one object per event, schema version 2
//! (2: `close.message`/`close.severity` follow the close's cause; kind `seq_gap`; new fields on
//! `resumed`, `ready` and `close`).
class JsonLines final
{
public:
    JsonLines() = delete;

    static constexpr int SchemaVersion = 2;

    //! `{"v":2,"ts":"2026-11-29T09:15:11.123Z","account":"music-bot","kind":"close",
    //!   "severity":"warning","message":"…", <the entry's fields>}` — one line, no newline.
    //! The base keys win over a field of the same name. Every string (and key) passes through
    //! Redactor::global().
    static QByteArray format(const EventLogEntry &entry);

    //! A line about the monitor itself (account null): kinds monitor_started, monitor_stopped,
    //! error. `fields` are merged like format() does.
    static QByteArray formatMonitor(EventKind kind, Severity severity, const QString &message,
                                    const QJsonObject &fields);
    //! The same for a monitor line of a kind the event store has no row kind for
    //! (`config_reloaded`): `kind` is written as given.
    static QByteArray formatMonitor(const QString &kind, Severity severity, const QString &message,
                                    const QJsonObject &fields);

    //! ISO 8601, UTC, milliseconds: "2026-11-29T09:15:11.123Z".
    static QString timestamp(const QDateTime &at);
};

} // namespace gw
