#pragma once

#include "gatewaytimings.h"
#include "notifier.h"

#include <QSettings>
#include <QString>

#include <memory>

namespace gw {

//! Everything the Settings dialog edits, and how it is stored in QSettings (never a token):
//! - `timings/<field>_ms`       every GatewayTimings duration, in milliseconds; counts as ints
//! - `notifications/enabled`, `notifications/down_threshold_ms`, `notifications/group_window_ms`,
//!   `notifications/group_min_accounts`
//! - `log/retention_days`       event-log retention (0 = keep forever)
//! - `metrics/enabled`, `metrics/listen` ("127.0.0.1:9464"); off by default
//! - `ui/close_to_tray_told`    the "still running in the tray" hint was shown once
struct AppSettings
{
    GatewayTimings timings = GatewayTimings::defaults();
    NotifierSettings notifications;
    int retentionDays = 90;
    bool metricsEnabled = false;
    QString metricsListen = QStringLiteral("127.0.0.1:9464");

    static AppSettings load(QSettings &settings);
    void save(QSettings &settings) const;
    //! Only the timings (for the composition root, before the AccountManager exists).
    static GatewayTimings loadTimings(QSettings &settings);
};

//! Opens the settings the UI uses: `path` if non-empty (INI), else the default QSettings().
std::unique_ptr<QSettings> openSettings(const QString &path);

} // namespace gw
