#pragma once

#include <QString>

namespace gw {

class EventLog;
class InstanceGuard;
class MonitorApp;

//! What the composition root (app/main.cpp) hands the GUI. Nothing here is owned by the GUI;
//! every pointer must outlive the window (and runGui()).
struct GuiOptions
{
    //! Show the demo banner ("these bots talk to a built-in gateway simulator").
    bool demo = false;
    //! Start hidden in the tray (when a tray exists; otherwise the window is shown anyway).
    bool startMinimized = false;

    //! Required: the application layer. Every account action of the window is one call into it;
    //! the window reads statuses and events from its manager() and records from its store(),
    //! which must exist (the desktop always saves accounts).
    MonitorApp *app = nullptr;

    //! Optional: the event store. When set, the event-log dock, the details history, uptime and
    //! export read `eventDatabasePath` (if empty: eventLog->databasePath()) through their own
    //! read-only connections; EventLog itself is only read for its path (it lives on the worker
    //! thread). When both are empty the dock shows live rows only and Export is disabled.
    EventLog *eventLog = nullptr;
    QString eventDatabasePath;

    //! INI file for the UI's settings (window geometry, timings, thresholds …); empty = the
    //! application's default QSettings(). Never holds a token.
    QString settingsPath;

    //! Start every stored account the manager does not know yet (MonitorApp::startStoredAccounts).
    //! The app sets this false when it has started them itself (e.g. --demo).
    bool startStoredAccounts = true;

    //! Optional: the profile's single-instance guard (core/runtime/instanceguard.h), held by the
    //! caller; a second launch's activation shows and raises the window.
    InstanceGuard *instance = nullptr;
    //! Shown in the status bar once the window is up (e.g. a stale profile lock was removed).
    QString startupNotice;

    //! API base given to the Add bot dialog's "Check token" when the record has no override
    //! (empty: Discord's). The demo points it at the simulator.
    QString defaultApiBase;
};

} // namespace gw
