#pragma once

#include "appsettings.h"

#include <QDialog>

#include <memory>

namespace gw {

//! Settings → timings (s / ms), notification thresholds, event-log retention, metrics endpoint
//! (off by default, loopback). Edits an AppSettings value; the caller stores it.
class SettingsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SettingsDialog)

public:
    explicit SettingsDialog(const AppSettings &settings, QWidget *parent = nullptr);
    ~SettingsDialog() override;

    [[nodiscard]] AppSettings settings() const;

private:
    void handleRestoreDefaults();
    void handleMetricsToggled(bool on);

    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw
