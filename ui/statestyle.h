#pragma once

#include "eventtypes.h"
#include "gatewaytypes.h"

#include <QColor>
#include <QHash>
#include <QIcon>
#include <QObject>
#include <QPalette>
#include <QString>

namespace gw {

//! How a ConnectionState looks: colour + icon + text, never colour alone.
//! Colours come in a light and a dark variant, picked from the palette so that both stay
//! readable; icons differ in shape (check, dots, triangle, arrow, octagon, pause bars).
class StateStyle;

class StateStyle final
{
    Q_GADGET
public:
    //! The groups users see in the status bar and the tray tooltip, ordered from best to worst.
    enum class Group {
        Paused,        //!< stopped / paused monitoring (not a problem)
        Ok,            //!< ready
        Connecting,    //!< connecting, awaiting HELLO, identifying, resuming
        Degraded,      //!< ACK overdue or latency over threshold ("late")
        Reconnecting,  //!< closed, waiting out a backoff
        Failed,        //!< a person must fix something
    };
    Q_ENUM(Group)

    StateStyle() = delete;

    static Group group(ConnectionState state);
    //! Rank for "worst state" and for sorting by health: higher is worse.
    static int severity(ConnectionState state);
    static int severity(Group group) { return static_cast<int>(group); }

    //! True when the palette is dark (window lighter than text is "light").
    static bool isDark(const QPalette &palette);
    //! Text/foreground colour for the state, readable on `palette`'s base colour.
    static QColor color(ConnectionState state, const QPalette &palette);
    static QColor color(Group group, const QPalette &palette);
    static QIcon icon(ConnectionState state);
    static QIcon icon(Group group);
    static QIcon noDataIcon();
    //! A saved account that is not monitored because its token could not be read (a padlock).
    static QIcon tokenNeededIcon();
    //! "Token needed".
    static QString tokenNeededText();
    //! An event's or a disconnect's severity: the failed icon for Error, the degraded one for
    //! Warning, none (a null icon) for Info and Debug.
    static QIcon icon(Severity severity);
    //! Its text colour: failed / degraded / paused colours; invalid (the palette's) for Info.
    static QColor color(Severity severity, const QPalette &palette);
    static QIcon appIcon();
    //! "Ready", "Reconnecting", … (gatewaytypes' table).
    static QString text(ConnectionState state);
    //! Lower-case group word for counts: "ok", "connecting", "degraded", "reconnecting", "failed", "paused".
    static QString groupWord(Group group);
    //! Capitalised group label: "OK", "Connecting", …
    static QString groupLabel(Group group);
    //! "3 ok · 1 reconnecting" (groups with a count, in the order ok → failed → paused).
    static QString summary(const QHash<Group, int> &counts);
};

inline size_t qHash(StateStyle::Group group, size_t seed = 0)
{
    return ::qHash(int(group), seed);
}

} // namespace gw
