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
#include <QTabBar>
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
//! A word-wrapped explanation under a page's fields.
QLabel *noteLabel(const QString &text, QWidget *parent)
{
    auto *note = new QLabel(text, parent);
    note->setWordWrap(true);
    return note;
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

    QWidget *buildTimingsPage(QWidget *tabs);
    QWidget *buildNotificationsPage(QWidget *tabs);
    QWidget *buildLogPage(QWidget *tabs);
    QWidget *buildMetricsPage(QWidget *tabs);
};

SettingsDialog::SettingsDialog(const AppSettings &settings, QWidget *parent)
    : QDialog(parent)
    , d(std::make_unique<Private>())
{
    d->original = settings;
    setWindowTitle(tr("Settings"));
    auto *tabs = new QTabWidget(this);
    tabs->addTab(d->buildTimingsPage(tabs), tr("&Timings"));
    tabs->addTab(d->buildNotificationsPage(tabs), tr("&Notifications"));
    tabs->addTab(d->buildLogPage(tabs), tr("&Event log"));
    tabs->addTab(d->buildMetricsPage(tabs), tr("&Metrics"));
    connect(d->metricsEnabled, &QCheckBox::toggled, this, &SettingsDialog::handleMetricsToggled);

    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel | QDialogButtonBox::RestoreDefaults, this);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(buttons->button(QDialogButtonBox::RestoreDefaults), &QPushButton::clicked, this, &SettingsDialog::handleRestoreDefaults);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(tabs);
    layout->addWidget(buttons);
    d->fill(settings);
    // Every tab visible: no scroll arrows hiding the last ones.
    tabs->tabBar()->setUsesScrollButtons(false);
    tabs->tabBar()->setElideMode(Qt::ElideNone);
    setMinimumWidth(std::max(minimumSizeHint().width(), tabs->tabBar()->sizeHint().width() + 2 * layout->contentsMargins().left() + 8));
}

QWidget *SettingsDialog::Private::buildTimingsPage(QWidget *tabs)
{
    auto *timingPage = new QWidget(tabs);
    auto *tf = new QFormLayout(timingPage);
    handshake = sBox(timingPage, 600);
    hello = sBox(timingPage, 600);
    backoffBase = msBox(timingPage, 600000);
    backoffMax = sBox(timingPage, 3600);
    budget = new QSpinBox(timingPage);
    budget->setRange(1, 10000);
    readyTimeout = sBox(timingPage, 600);
    helloWatch = sBox(timingPage, 600);
    stalls = new QSpinBox(timingPage);
    stalls->setRange(1, 100);
    watchdog = sBox(timingPage, 24 * 3600);
    latencyWarning = msBox(timingPage, 600000);
    restartBase = sBox(timingPage, 3600);
    restartMax = sBox(timingPage, 24 * 3600);
    handshake->setObjectName(QStringLiteral("handshakeTimeout"));
    readyTimeout->setObjectName(QStringLiteral("readyTimeout"));
    tf->addRow(SettingsDialog::tr("&Handshake timeout:"), handshake);
    tf->addRow(SettingsDialog::tr("HE&LLO timeout:"), hello);
    tf->addRow(SettingsDialog::tr("Backoff &base:"), backoffBase);
    tf->addRow(SettingsDialog::tr("Backoff ma&x:"), backoffMax);
    tf->addRow(SettingsDialog::tr("Reconnect b&udget (attempts):"), budget);
    tf->addRow(SettingsDialog::tr("&READY guard:"), readyTimeout);
    tf->addRow(SettingsDialog::tr("HELLO &watch:"), helloWatch);
    tf->addRow(SettingsDialog::tr("Stalls before fresh &IDENTIFY:"), stalls);
    tf->addRow(SettingsDialog::tr("Reconnect stall watch&dog:"), watchdog);
    tf->addRow(SettingsDialog::tr("Latency &warning (degraded):"), latencyWarning);
    tf->addRow(SettingsDialog::tr("Restart backoff ba&se:"), restartBase);
    tf->addRow(SettingsDialog::tr("Restart backoff m&ax:"), restartMax);
    tf->addRow(noteLabel(SettingsDialog::tr("Defaults follow the reference monitor. Changes apply after Gatewatch restarts."), timingPage));
    return timingPage;
}

QWidget *SettingsDialog::Private::buildNotificationsPage(QWidget *tabs)
{
    auto *notifyPage = new QWidget(tabs);
    auto *nf = new QFormLayout(notifyPage);
    notifyEnabled = new QCheckBox(SettingsDialog::tr("Show desktop &notifications"), notifyPage);
    downThreshold = sBox(notifyPage, 24 * 3600);
    groupWindow = sBox(notifyPage, 600);
    groupMin = new QSpinBox(notifyPage);
    groupMin->setRange(2, 1000);
    nf->addRow(notifyEnabled);
    nf->addRow(SettingsDialog::tr("Notify when &down longer than:"), downThreshold);
    nf->addRow(SettingsDialog::tr("Group drops &within:"), groupWindow);
    nf->addRow(SettingsDialog::tr("…of at least (&accounts):"), groupMin);
    nf->addRow(noteLabel(SettingsDialog::tr("Failures are notified at once; a connection that resumes within the threshold is only logged. "
                            "When many accounts drop together, one \"network appears offline\" notification is shown. "
                            "A bot can be muted on its own: Account → Edit… → \"Mute this bot's notifications\"."), notifyPage));
    return notifyPage;
}

QWidget *SettingsDialog::Private::buildLogPage(QWidget *tabs)
{
    auto *logPage = new QWidget(tabs);
    auto *lf = new QFormLayout(logPage);
    retention = new QSpinBox(logPage);
    retention->setRange(0, 3650);
    retention->setSuffix(SettingsDialog::tr(" days"));
    retention->setSpecialValueText(SettingsDialog::tr("Keep forever"));
    lf->addRow(SettingsDialog::tr("&Keep events for:"), retention);
    lf->addRow(noteLabel(SettingsDialog::tr("Older raw events are pruned; hourly latency and uptime aggregates are kept."), logPage));
    return logPage;
}

QWidget *SettingsDialog::Private::buildMetricsPage(QWidget *tabs)
{
    auto *metricsPage = new QWidget(tabs);
    auto *mf = new QFormLayout(metricsPage);
    metricsEnabled = new QCheckBox(SettingsDialog::tr("Serve Prometheus &metrics at /metrics"), metricsPage);
    metricsEnabled->setObjectName(QStringLiteral("metricsEnabled"));
    metricsListen = new QLineEdit(metricsPage);
    metricsListen->setPlaceholderText(QStringLiteral("127.0.0.1:9464"));
    metricsListen->setValidator(new QRegularExpressionValidator(
        QRegularExpression(QStringLiteral("^[0-9A-Za-z.:\\[\\]-]+:[0-9]{1,5}$")), metricsListen));
    mf->addRow(metricsEnabled);
    mf->addRow(SettingsDialog::tr("&Listen address:"), metricsListen);
    mf->addRow(noteLabel(SettingsDialog::tr("Off by default. Keep it on 127.0.0.1 unless a scraper on another host needs it; "
                            "account labels are display names, never tokens."), metricsPage));
    return metricsPage;
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
