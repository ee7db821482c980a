#include "settingsdialog.h"

#include <QCheckBox>
#include <QCoreApplication>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QRegularExpressionValidator>
#include <QSpinBox>
#include <QTabWidget>
#include <QVBoxLayout>

namespace gw {

namespace {
QSpinBox *msBox(QWidget *parent, qint64 maxMs = 24LL * 3600 * 1000)
{
    auto *box = new QSpinBox(parent);
    box->setRange(1, int(std::min<qint64>(maxMs, std::numeric_limits<int>::max())));
    box->setSuffix(QCoreApplication::translate("gw::SettingsDialog", " ms"));
    box->setSingleStep(100);
    box->setGroupSeparatorShown(true);
    return box;
}
QSpinBox *sBox(QWidget *parent, int maxS = 24 * 3600)
{
    auto *box = new QSpinBox(parent);
    box->setRange(1, maxS);
    box->setSuffix(QCoreApplication::translate("gw::SettingsDialog", " s"));
    return box;
}
} // namespace

class SettingsDialog::Private
{
public:
    AppSettings original;
    // timings
    QSpinBox *handshake = nullptr, *hello = nullptr, *backoffBase = nullptr, *backoffMax = nullptr,
             *budget = nullptr, *readyTimeout = nullptr, *helloWatch = nullptr, *stalls = nullptr,
             *watchdog = nullptr, *latencyWarning = nullptr, *restartBase = nullptr, *restartMax = nullptr;
    // notifications
    QCheckBox *notifyEnabled = nullptr;
    QSpinBox *downThreshold = nullptr, *groupWindow = nullptr, *groupMin = nullptr;
    // log
    QSpinBox *retention = nullptr;
    // metrics
    QCheckBox *metricsEnabled = nullptr;
    QLineEdit *metricsListen = nullptr;

    void fill(const AppSettings &s)
    {
        using std::chrono::duration_cast;
        using std::chrono::seconds;
        const auto &t = s.timings;
        handshake->setValue(int(duration_cast<seconds>(t.handshakeTimeout).count()));
        hello->setValue(int(duration_cast<seconds>(t.helloTimeout).count()));
        backoffBase->setValue(int(t.backoffBase.count()));
        backoffMax->setValue(int(duration_cast<seconds>(t.backoffMax).count()));
        budget->setValue(t.reconnectBudget);
        readyTimeout->setValue(int(duration_cast<seconds>(t.readyTimeout).count()));
        helloWatch->setValue(int(duration_cast<seconds>(t.helloWatch).count()));
        stalls->setValue(t.maxHelloStalls);
        watchdog->setValue(int(duration_cast<seconds>(t.reconnectStallTimeout).count()));
        latencyWarning->setValue(int(t.latencyWarning.count()));
        restartBase->setValue(int(duration_cast<seconds>(t.restartBackoffBase).count()));
        restartMax->setValue(int(duration_cast<seconds>(t.restartBackoffMax).count()));
        notifyEnabled->setChecked(s.notifications.enabled);
        downThreshold->setValue(int(duration_cast<seconds>(s.notifications.downThreshold).count()));
        groupWindow->setValue(int(duration_cast<seconds>(s.notifications.groupWindow).count()));
        groupMin->setValue(s.notifications.groupMinAccounts);
        retention->setValue(s.retentionDays);
        metricsEnabled->setChecked(s.metricsEnabled);
        metricsListen->setText(s.metricsListen);
        metricsListen->setEnabled(s.metricsEnabled);
    }
};

SettingsDialog::SettingsDialog(const AppSettings &settings, QWidget *parent)
    : QDialog(parent)
    , d(std::make_unique<Private>())
{
    d->original = settings;
    setWindowTitle(tr("Settings"));
    auto *tabs = new QTabWidget(this);

    // --- Timings ------------------------------------------------------------------------------
    auto *timingPage = new QWidget(tabs);
    auto *tf = new QFormLayout(timingPage);
    d->handshake = sBox(timingPage, 600);
    d->hello = sBox(timingPage, 600);
    d->backoffBase = msBox(timingPage, 600000);
    d->backoffMax = sBox(timingPage, 3600);
    d->budget = new QSpinBox(timingPage);
    d->budget->setRange(1, 10000);
    d->readyTimeout = sBox(timingPage, 600);
    d->helloWatch = sBox(timingPage, 600);
    d->stalls = new QSpinBox(timingPage);
    d->stalls->setRange(1, 100);
    d->watchdog = sBox(timingPage, 24 * 3600);
    d->latencyWarning = msBox(timingPage, 600000);
    d->restartBase = sBox(timingPage, 3600);
    d->restartMax = sBox(timingPage, 24 * 3600);
    d->handshake->setObjectName(QStringLiteral("handshakeTimeout"));
    d->readyTimeout->setObjectName(QStringLiteral("readyTimeout"));
    tf->addRow(tr("&Handshake timeout:"), d->handshake);
    tf->addRow(tr("HE&LLO timeout:"), d->hello);
    tf->addRow(tr("Backoff &base:"), d->backoffBase);
    tf->addRow(tr("Backoff ma&x:"), d->backoffMax);
    tf->addRow(tr("Reconnect b&udget (attempts):"), d->budget);
    tf->addRow(tr("&READY guard:"), d->readyTimeout);
    tf->addRow(tr("HELLO &watch:"), d->helloWatch);
    tf->addRow(tr("Stalls before fresh &IDENTIFY:"), d->stalls);
    tf->addRow(tr("Reconnect stall watch&dog:"), d->watchdog);
    tf->addRow(tr("Latency &warning (degraded):"), d->latencyWarning);
    tf->addRow(tr("Restart backoff ba&se:"), d->restartBase);
    tf->addRow(tr("Restart backoff m&ax:"), d->restartMax);
    auto *timingNote = new QLabel(tr("Defaults follow the reference monitor. Changes apply after Gatewatch restarts."), timingPage);
    timingNote->setWordWrap(true);
    tf->addRow(timingNote);
    tabs->addTab(timingPage, tr("&Timings"));

    // --- Notifications ------------------------------------------------------------------------
    auto *notifyPage = new QWidget(tabs);
    auto *nf = new QFormLayout(notifyPage);
    d->notifyEnabled = new QCheckBox(tr("Show desktop &notifications"), notifyPage);
    d->downThreshold = sBox(notifyPage, 24 * 3600);
    d->groupWindow = sBox(notifyPage, 600);
    d->groupMin = new QSpinBox(notifyPage);
    d->groupMin->setRange(2, 1000);
    nf->addRow(d->notifyEnabled);
    nf->addRow(tr("Notify when &down longer than:"), d->downThreshold);
    nf->addRow(tr("Group drops &within:"), d->groupWindow);
    nf->addRow(tr("…of at least (&accounts):"), d->groupMin);
    auto *notifyNote = new QLabel(tr("Failures are notified at once; a connection that resumes within the threshold is only logged. "
                                     "When many accounts drop together, one \"network appears offline\" notification is shown. "
                                     "Accounts can be muted individually (Edit)."), notifyPage);
    notifyNote->setWordWrap(true);
    nf->addRow(notifyNote);
    tabs->addTab(notifyPage, tr("&Notifications"));

    // --- Event log ----------------------------------------------------------------------------
    auto *logPage = new QWidget(tabs);
    auto *lf = new QFormLayout(logPage);
    d->retention = new QSpinBox(logPage);
    d->retention->setRange(0, 3650);
    d->retention->setSuffix(tr(" days"));
    d->retention->setSpecialValueText(tr("Keep forever"));
    lf->addRow(tr("&Keep events for:"), d->retention);
    auto *logNote = new QLabel(tr("Older raw events are pruned; hourly latency and uptime aggregates are kept."), logPage);
    logNote->setWordWrap(true);
    lf->addRow(logNote);
    tabs->addTab(logPage, tr("&Event log"));

    // --- Metrics ------------------------------------------------------------------------------
    auto *metricsPage = new QWidget(tabs);
    auto *mf = new QFormLayout(metricsPage);
    d->metricsEnabled = new QCheckBox(tr("Serve Prometheus &metrics at /metrics"), metricsPage);
    d->metricsEnabled->setObjectName(QStringLiteral("metricsEnabled"));
    d->metricsListen = new QLineEdit(metricsPage);
    d->metricsListen->setPlaceholderText(QStringLiteral("127.0.0.1:9464"));
    d->metricsListen->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral("^[0-9A-Za-z.:\\[\\]-]+:[0-9]{1,5}$")), d->metricsListen));
    mf->addRow(d->metricsEnabled);
    mf->addRow(tr("&Listen address:"), d->metricsListen);
    auto *metricsNote = new QLabel(tr("Off by default. Keep it on 127.0.0.1 unless a scraper on another host needs it; "
                                      "account labels are display names, never tokens."), metricsPage);
    metricsNote->setWordWrap(true);
    mf->addRow(metricsNote);
    tabs->addTab(metricsPage, tr("&Metrics"));
    connect(d->metricsEnabled, &QCheckBox::toggled, this, &SettingsDialog::handleMetricsToggled);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::RestoreDefaults, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this, &SettingsDialog::handleRestoreDefaults);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(tabs);
    layout->addWidget(buttons);
    d->fill(settings);
}

SettingsDialog::~SettingsDialog() = default;

void SettingsDialog::handleRestoreDefaults()
{
    d->fill(AppSettings{});
}

void SettingsDialog::handleMetricsToggled(bool on)
{
    d->metricsListen->setEnabled(on);
}

AppSettings SettingsDialog::settings() const
{
    using std::chrono::milliseconds;
    using std::chrono::seconds;
    AppSettings s = d->original;
    auto &t = s.timings;
    t.handshakeTimeout = seconds(d->handshake->value());
    t.helloTimeout = seconds(d->hello->value());
    t.backoffBase = milliseconds(d->backoffBase->value());
    t.backoffMax = seconds(d->backoffMax->value());
    t.reconnectBudget = d->budget->value();
    t.readyTimeout = seconds(d->readyTimeout->value());
    t.helloWatch = seconds(d->helloWatch->value());
    t.maxHelloStalls = d->stalls->value();
    t.reconnectStallTimeout = seconds(d->watchdog->value());
    t.latencyWarning = milliseconds(d->latencyWarning->value());
    t.restartBackoffBase = seconds(d->restartBase->value());
    t.restartBackoffMax = seconds(d->restartMax->value());
    s.notifications.enabled = d->notifyEnabled->isChecked();
    s.notifications.downThreshold = seconds(d->downThreshold->value());
    s.notifications.groupWindow = seconds(d->groupWindow->value());
    s.notifications.groupMinAccounts = d->groupMin->value();
    s.retentionDays = d->retention->value();
    s.metricsEnabled = d->metricsEnabled->isChecked();
    const QString listen = d->metricsListen->text().trimmed();
    s.metricsListen = listen.isEmpty() ? QStringLiteral("127.0.0.1:9464") : listen;
    return s;
}

} // namespace gw
