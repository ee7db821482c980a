#pragma once

#include "guioptions.h"

class QApplication;

namespace gw {

//! Runs the desktop GUI until the application quits and returns app.exec()'s code.
//!
//! What it does, in order: sets the window icon and desktop file name ("gatewatch"); opens
//! `options.settingsPath` (or the default QSettings); creates the MainWindow over the
//! application layer and the event log; unless `options.startStoredAccounts` is false, starts
//! every stored account not yet monitored (MonitorApp::startStoredAccounts, asynchronously);
//! shows the window (or only the tray with `startMinimized` when a tray exists); runs the event
//! loop. With a system tray, closing the window keeps monitoring in the tray (said once); without
//! one (offscreen, stock GNOME) closing the window quits. It does not stop the manager: the
//! caller does that after runGui returns (MonitorApp::stop).
//!
//! `options.app` is required; see GuiOptions.
int runGui(QApplication &app, const GuiOptions &options);

} // namespace gw
