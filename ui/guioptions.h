#pragma once

#include <QString>

namespace gw {

class AccountManager;
class AccountService;
class AccountStore;
class EventLog;
class TokenVault;

//! What the composition root (app/main.cpp) hands the GUI. Nothing here is owned by the GUI;
//! every pointer must outlive the window (and runGui()).
struct GuiOptions
{
    //! Show the demo banner ("these bots talk to a built-in gateway simulator").
    bool demo = false;
    //! Start hidden in the tray (when a tray exists; otherwise the window is shown anyway).
    bool startMinimized = false;

    //! Required: the façade over every monitored account (verbs and status signals).
    AccountManager *manager = nullptr;
    //! Required: account records (QSettings) and tokens (keychain).
    AccountStore *store = nullptr;
    TokenVault *vault = nullptr;
    //! Optional: the store/vault glue used by the Add/Edit/Remove dialogs; the window creates
    //! its own over `store` and `vault` when null.
    AccountService *service = nullptr;

    //! Optional: the event store. When set, the event-log dock, the details history, uptime and
    //! export read `eventDatabasePath` (if empty: eventLog->databasePath()) through their own
    //! read-only connections; EventLog itself is only read for its path (it lives on the worker
    //! thread). When both are empty the dock shows live rows only and Export is disabled.
    EventLog *eventLog = nullptr;
    QString eventDatabasePath;

    //! INI file for the UI's settings (window geometry, timings, thresholds …); empty = the
    //! application's default QSettings(). Never holds a token.
    QString settingsPath;

    //! Start every stored account the manager does not know yet (token read from the vault).
    //! The app sets this false when it has started them itself (e.g. --demo).
    bool startStoredAccounts = true;

    //! API base given to the Add bot dialog's "Check token" when the record has no override
    //! (empty: Discord's). The demo points it at the simulator.
    QString defaultApiBase;
};

} // namespace gw
