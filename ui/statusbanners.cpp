#include "statusbanners.h"

#include "monitorapp.h"
#include "statestyle.h"
#include "storehealth.h"

#include <QHBoxLayout>
#include <QIcon>
#include <QLabel>
#include <QPushButton>
#include <QNetworkInformation>

#include <algorithm>
#include <limits>

namespace gw {

namespace {

QHBoxLayout *bannerLayout(QFrame *frame, const QString &objectName)
{
    frame->setObjectName(objectName);
    frame->setAutoFillBackground(true);
    auto *layout = new QHBoxLayout(frame);
    layout->setContentsMargins(10, 6, 10, 6);
    return layout;
}

} // namespace

DemoBanner::DemoBanner(QWidget *parent)
    : QFrame(parent)
{
    QHBoxLayout *layout = bannerLayout(this, QStringLiteral("demoBanner"));
    QPalette p = palette();
    const bool dark = StateStyle::isDark(parent ? parent->palette() : palette());
    p.setColor(QPalette::Window, dark ? QColor(0x1f, 0x3a, 0x5f) : QColor(0xdc, 0xeb, 0xff));
    p.setColor(QPalette::WindowText, dark ? QColor(0xe8, 0xf0, 0xff) : QColor(0x10, 0x2a, 0x4c));
    setPalette(p);
    auto *label = new QLabel(tr("<b>Demo mode:</b> these bots talk to a built-in gateway simulator, not to Discord. "
                                "Watch them connect, resume, go zombie, get invalidated and fail — no token needed."),
                             this);
    label->setWordWrap(true);
    layout->addWidget(label);
}

DemoBanner::~DemoBanner() = default;

OfflineBanner::OfflineBanner(QWidget *parent)
    : QFrame(parent)
{
    QHBoxLayout *layout = bannerLayout(this, QStringLiteral("offlineBanner"));
    QPalette p = palette();
    p.setColor(QPalette::Window, QColor(0xb3, 0x1b, 0x1b));
    p.setColor(QPalette::WindowText, Qt::white);
    setPalette(p);
    auto *icon = new QLabel(this);
    icon->setPixmap(QIcon(QStringLiteral(":/icons/offline.svg")).pixmap(18, 18));
    m_text = new QLabel(this);
    m_text->setWordWrap(true);
    layout->addWidget(icon);
    layout->addWidget(m_text);
    layout->addStretch(1);
    hide();
}

OfflineBanner::~OfflineBanner() = default;

void OfflineBanner::showState(bool offline, bool networkReachable)
{
    if (offline) {
        m_text->setText(networkReachable
                            ? tr("<b>Network appears offline:</b> every account lost its connection. Gatewatch keeps retrying and reconnects by itself.")
                            : tr("<b>You are offline:</b> the system reports no network. Gatewatch keeps retrying and reconnects by itself."));
    }
    setVisible(offline);
}

KeychainBanner::KeychainBanner(MonitorApp *app, QWidget *parent)
    : QFrame(parent)
    , m_app(app)
{
    QHBoxLayout *layout = bannerLayout(this, QStringLiteral("keychainBanner"));
    QPalette p = palette();
    const bool dark = StateStyle::isDark(parent ? parent->palette() : palette());
    p.setColor(QPalette::Window, dark ? QColor(0x4a, 0x3a, 0x12) : QColor(0xff, 0xf1, 0xc9));
    p.setColor(QPalette::WindowText, dark ? QColor(0xff, 0xf4, 0xdc) : QColor(0x4a, 0x33, 0x00));
    setPalette(p);
    auto *icon = new QLabel(this);
    icon->setPixmap(StateStyle::tokenNeededIcon().pixmap(18, 18));
    m_text = new QLabel(this);
    m_text->setWordWrap(true);
    m_retry = new QPushButton(tr("Retry"), this);
    m_retry->setObjectName(QStringLiteral("keychainRetry"));
    m_retry->setToolTip(tr("Read the waiting tokens from the system keychain again"));
    layout->addWidget(icon);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_retry);
    connect(m_retry, &QPushButton::clicked, m_app, &MonitorApp::retryTokens);
    connect(m_app, &MonitorApp::keychainProblemChanged, this, &KeychainBanner::handleProblemChanged);
    handleProblemChanged();
}

KeychainBanner::~KeychainBanner() = default;

QString KeychainBanner::text() const
{
    return m_text->text();
}

void KeychainBanner::handleProblemChanged()
{
    const auto problem = m_app->keychainProblem();
    if (!problem) {
        hide();
        return;
    }
    const QString what = problem->kind == VaultError::Kind::AccessDenied
        ? tr("<b>The system keychain is locked</b> (or the unlock was cancelled).")
        : tr("<b>The system keychain is unavailable.</b>");
    m_text->setText(what + QLatin1Char(' ')
                    + tr("Saved bots whose token could not be read show <i>Token needed</i> and are not monitored. "
                         "Unlock or start your keyring and press Retry, or re-enter a token with Edit."));
    m_text->setToolTip(problem->message);
    show();
}

StoreBanner::StoreBanner(MonitorApp *app, QWidget *parent)
    : QFrame(parent)
    , m_app(app)
{
    QHBoxLayout *layout = bannerLayout(this, QStringLiteral("storeBanner"));
    QPalette p = palette();
    p.setColor(QPalette::Window, QColor(0x8c, 0x1d, 0x1d));
    p.setColor(QPalette::WindowText, Qt::white);
    setPalette(p);
    m_text = new QLabel(this);
    m_text->setWordWrap(true);
    m_text->setTextFormat(Qt::RichText);
    m_dismiss = new QPushButton(tr("Dismiss"), this);
    m_dismiss->setObjectName(QStringLiteral("storeDismiss"));
    layout->addWidget(m_text, 1);
    layout->addWidget(m_dismiss);
    connect(m_dismiss, &QPushButton::clicked, this, &QWidget::hide);
    connect(m_app->storeHealth(), &StoreHealth::changed, this, &StoreBanner::showStatus);
    hide();
    showStatus();
}

StoreBanner::~StoreBanner() = default;

QString StoreBanner::text() const
{
    return m_text->text();
}

void StoreBanner::showStatus()
{
    const StoreStatus s = m_app->storeHealth()->status();
    if (!s.hasProblem()) {
        hide();
        return;
    }
    QStringList parts;
    if (s.failing) {
        parts << tr("<b>The event history cannot be written:</b> %1. %n event(s) are held and will be written when it "
                    "works again.", nullptr, s.queuedRows).arg(s.lastError.toHtmlEscaped());
    } else if (s.droppedRows > 0 || s.failures > 0) {
        parts << tr("<b>The event history is writing again.</b>");
    }
    if (s.droppedRows > 0) {
        parts << tr("%n event(s) were dropped from the history because too many were waiting.", nullptr,
                    int(std::min<qint64>(s.droppedRows, std::numeric_limits<int>::max())));
    }
    if (!s.movedAsidePath.isEmpty()) {
        parts << tr("<b>The event database was damaged</b> (%1); it was kept as %2 and a new one was started.")
                     .arg(s.damageReason.toHtmlEscaped(), s.movedAsidePath.toHtmlEscaped());
    }
    m_text->setText(parts.join(QLatin1Char(' ')));
    m_dismiss->setVisible(!s.failing);
    show();
}

bool followReachability(QObject *context, const std::function<void(bool reachable)> &changed)
{
    if (!QNetworkInformation::loadDefaultBackend() || !QNetworkInformation::instance()
        || !QNetworkInformation::instance()->supports(QNetworkInformation::Feature::Reachability))
        return false;
    auto *ni = QNetworkInformation::instance();
    QObject::connect(ni, &QNetworkInformation::reachabilityChanged, context, [changed](QNetworkInformation::Reachability r) {
        changed(r != QNetworkInformation::Reachability::Disconnected);
    });
    changed(ni->reachability() != QNetworkInformation::Reachability::Disconnected);
    return true;
}

} // namespace gw
