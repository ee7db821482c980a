#include "detailspane.h"

#include "closecode.h"
#include "disconnecthistorymodel.h"
#include "eventlogsource.h"
#include "latencychart.h"
#include "statestyle.h"
#include "uiformat.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QFormLayout>
#include <QFrame>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QScrollArea>
#include <QSplitter>
#include <QTableView>
#include <QVBoxLayout>

using namespace std::chrono_literals;

namespace gw {

namespace {
QLabel *valueLabel(QWidget *parent)
{
    auto *l = new QLabel(parent);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    l->setWordWrap(true);
    return l;
}

QLabel *metricLabel(QWidget *parent, QGridLayout *grid, int column, const QString &caption)
{
    auto *cap = new QLabel(caption, parent);
    QFont small = cap->font();
    small.setPointSizeF(small.pointSizeF() * 0.9);
    cap->setFont(small);
    cap->setForegroundRole(QPalette::PlaceholderText);
    auto *val = new QLabel(uiformat::dash(), parent);
    QFont big = val->font();
    big.setPointSizeF(big.pointSizeF() * 1.35);
    big.setBold(true);
    val->setFont(big);
    grid->addWidget(cap, 0, column);
    grid->addWidget(val, 1, column);
    return val;
}
} // namespace

class DetailsPane::Private
{
public:
    HistorySource *source = nullptr;
    QString accountId;
    quint32 intents = 0;
    std::optional<AccountStatus> status;
    Range range = Range::Day;

    QLabel *badgeIcon = nullptr;
    QLabel *badgeText = nullptr;
    QLabel *title = nullptr;
    QLabel *subtitle = nullptr;
    QFrame *failureBox = nullptr;
    QLabel *failureText = nullptr;
    QLabel *latencyNow = nullptr, *latencyMean = nullptr, *latencyP95 = nullptr;
    QLabel *uptime24 = nullptr, *uptime7 = nullptr, *uptime30 = nullptr;
    QLabel *sessionId = nullptr, *resumeHost = nullptr, *sequence = nullptr, *interval = nullptr,
           *phase = nullptr, *shard = nullptr, *lastConnected = nullptr, *counters = nullptr, *budget = nullptr;
    QComboBox *rangeBox = nullptr;
    LatencyChart *chart = nullptr;
    QLabel *summary = nullptr;
    DisconnectHistoryModel *history = nullptr;
    QTableView *historyView = nullptr;
    QLabel *placeholder = nullptr;
    QWidget *content = nullptr;
    QTimer refreshTimer;
    QTimer phaseTimer;

    std::pair<QDateTime, QDateTime> span() const
    {
        const QDateTime to = QDateTime::currentDateTimeUtc();
        switch (range) {
        case Range::Hour: return {to.addSecs(-3600), to};
        case Range::Day: return {to.addDays(-1), to};
        case Range::Week: return {to.addDays(-7), to};
        case Range::Month: return {to.addDays(-30), to};
        }
        return {to.addDays(-1), to};
    }
};

FailureGuidance DetailsPane::guidanceFor(const AccountStatus &s, quint32 intents)
{
    FailureGuidance g;
    const QString portal = QStringLiteral("https://discord.com/developers/applications");
    const auto code = s.failure.closeCode ? s.failure.closeCode
                                          : (s.lastDisconnect ? s.lastDisconnect->closeCode : std::nullopt);
    g.reason = s.failure.message.isEmpty() ? s.lastError : s.failure.message;
    switch (s.failure.kind) {
    case GatewayError::Kind::FatalClose: {
        CloseContext ctx;
        ctx.requestedIntents = intents;
        if (s.gatewayInfo)
            ctx.recommendedShards = s.gatewayInfo->shards;
        if (g.reason.isEmpty())
            g.reason = code ? QCoreApplication::translate("gw::DetailsPane", "Discord closed the connection with %1.").arg(*code) : QString();
        if (const CloseCodeInfo *row = code ? CloseCodes::find(*code) : nullptr)
            g.reason = QLatin1String(row->meaning) + QStringLiteral(" (%1)").arg(*code);
        if (code && *code == 4014) {
            g.fix = CloseCodes::describe(code, ctx);
            if (const CloseCodeInfo *row = CloseCodes::find(*code)) {
                const QString meaning = QLatin1String(row->meaning);
                if (g.fix.startsWith(meaning))
                    g.fix = g.fix.mid(meaning.size()).trimmed();
                const QString codeTag = QStringLiteral("(%1)").arg(*code);
                if (g.fix.startsWith(codeTag))
                    g.fix = g.fix.mid(codeTag.size()).trimmed();
            }
        } else if (const CloseCodeInfo *row = code ? CloseCodes::find(*code) : nullptr; row && row->fixHint[0]) {
            g.fix = QLatin1String(row->fixHint);
        } else {
            g.fix = CloseCodes::describe(code, ctx);
        }
        break;
    }
    case GatewayError::Kind::Unauthorized:
        g.fix = QCoreApplication::translate("gw::DetailsPane",
                    "The token was rejected (401). Copy the current token from the Bot page of the Discord "
                    "Developer Portal (%1) and use Edit to update it.").arg(portal);
        break;
    case GatewayError::Kind::IdentifyRefused:
        g.fix = s.gatewayInfo
            ? QCoreApplication::translate("gw::DetailsPane",
                  "The daily IDENTIFY budget is almost spent (%1 of %2 left). It resets at %3; resume monitoring after that.")
                  .arg(s.gatewayInfo->limit.remaining).arg(s.gatewayInfo->limit.total)
                  .arg(uiformat::timestamp(s.gatewayInfo->limit.resetAt()))
            : QCoreApplication::translate("gw::DetailsPane",
                  "The daily IDENTIFY budget is almost spent. Wait for it to reset, then resume monitoring.");
        break;
    case GatewayError::Kind::ReconnectBudgetExhausted:
    case GatewayError::Kind::ReadyTimeout:
    case GatewayError::Kind::WatchdogTimeout:
        g.fix = QCoreApplication::translate("gw::DetailsPane",
                    "Check the network and the gateway URL override (Edit). Gatewatch restarts this account by "
                    "itself after a backoff; Resume monitoring retries now.");
        break;
    default:
        if (code && CloseCodes::isFatal(code)) {
            CloseContext ctx;
            ctx.requestedIntents = intents;
            g.fix = CloseCodes::describe(code, ctx);
        }
        break;
    }
    if (g.reason.isEmpty())
        g.reason = QCoreApplication::translate("gw::DetailsPane", "Monitoring stopped for a reason a person must fix.");
    return g;
}

DetailsPane::DetailsPane(QWidget *parent)
    : QWidget(parent)
    , d(std::make_unique<Private>())
{
    auto *outer = new QVBoxLayout(this);
    outer->setContentsMargins(0, 0, 0, 0);
    d->placeholder = new QLabel(tr("Select an account to see its details."), this);
    d->placeholder->setAlignment(Qt::AlignCenter);
    d->placeholder->setForegroundRole(QPalette::PlaceholderText);
    outer->addWidget(d->placeholder);

    auto *scroll = new QScrollArea(this);
    scroll->setWidgetResizable(true);
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    scroll->setFrameShape(QFrame::NoFrame);
    d->content = new QWidget(scroll);
    scroll->setWidget(d->content);
    outer->addWidget(scroll);
    auto *v = new QVBoxLayout(d->content);

    // header: badge + name
    auto *header = new QHBoxLayout;
    d->badgeIcon = new QLabel(d->content);
    d->badgeText = new QLabel(d->content);
    QFont bf = d->badgeText->font();
    bf.setPointSizeF(bf.pointSizeF() * 1.6);
    bf.setBold(true);
    d->badgeText->setFont(bf);
    d->title = new QLabel(d->content);
    QFont tf = d->title->font();
    tf.setPointSizeF(tf.pointSizeF() * 1.25);
    tf.setBold(true);
    d->title->setFont(tf);
    d->subtitle = valueLabel(d->content);
    d->title->setWordWrap(true);
    auto *names = new QVBoxLayout;
    names->addWidget(d->title);
    names->addWidget(d->subtitle);
    header->addWidget(d->badgeIcon);
    header->addWidget(d->badgeText);
    header->addSpacing(16);
    header->addLayout(names, 1);
    v->addLayout(header);

    // failure box
    d->failureBox = new QFrame(d->content);
    d->failureBox->setFrameShape(QFrame::StyledPanel);
    d->failureBox->setObjectName(QStringLiteral("failureBox"));
    auto *fl = new QVBoxLayout(d->failureBox);
    d->failureText = new QLabel(d->failureBox);
    d->failureText->setWordWrap(true);
    d->failureText->setTextFormat(Qt::RichText);
    d->failureText->setOpenExternalLinks(true);
    d->failureText->setTextInteractionFlags(Qt::TextBrowserInteraction);
    fl->addWidget(d->failureText);
    d->failureBox->hide();
    v->addWidget(d->failureBox);

    // metrics row
    auto *metrics = new QGridLayout;
    d->latencyNow = metricLabel(d->content, metrics, 0, tr("Latency now"));
    d->latencyMean = metricLabel(d->content, metrics, 1, tr("Mean"));
    d->latencyP95 = metricLabel(d->content, metrics, 2, tr("p95"));
    d->uptime24 = metricLabel(d->content, metrics, 3, tr("Uptime 24 h"));
    d->uptime7 = metricLabel(d->content, metrics, 4, tr("7 d"));
    d->uptime30 = metricLabel(d->content, metrics, 5, tr("30 d"));
    v->addLayout(metrics);

    // session facts
    auto *facts = new QGroupBox(tr("Session"), d->content);
    auto *ff = new QFormLayout(facts);
    d->phase = valueLabel(facts);
    d->sessionId = valueLabel(facts);
    d->resumeHost = valueLabel(facts);
    d->sequence = valueLabel(facts);
    d->interval = valueLabel(facts);
    d->shard = valueLabel(facts);
    d->lastConnected = valueLabel(facts);
    d->counters = valueLabel(facts);
    d->budget = valueLabel(facts);
    ff->addRow(tr("Current phase:"), d->phase);
    ff->addRow(tr("Session id:"), d->sessionId);
    ff->addRow(tr("Resume host:"), d->resumeHost);
    ff->addRow(tr("Sequence:"), d->sequence);
    ff->addRow(tr("Heartbeat interval:"), d->interval);
    ff->addRow(tr("Shard / guilds:"), d->shard);
    ff->addRow(tr("Last connected:"), d->lastConnected);
    ff->addRow(tr("Heartbeats / reconnects:"), d->counters);
    ff->addRow(tr("Identify budget:"), d->budget);
    v->addWidget(facts);

    // latency chart
    auto *chartBox = new QGroupBox(tr("Latency"), d->content);
    auto *cl = new QVBoxLayout(chartBox);
    auto *rangeRow = new QHBoxLayout;
    auto *rangeLabel = new QLabel(tr("&Range:"), chartBox);
    d->rangeBox = new QComboBox(chartBox);
    d->rangeBox->addItem(tr("1 hour"), int(Range::Hour));
    d->rangeBox->addItem(tr("24 hours"), int(Range::Day));
    d->rangeBox->addItem(tr("7 days"), int(Range::Week));
    d->rangeBox->addItem(tr("30 days"), int(Range::Month));
    d->rangeBox->setCurrentIndex(1);
    rangeLabel->setBuddy(d->rangeBox);
    rangeRow->addWidget(rangeLabel);
    rangeRow->addWidget(d->rangeBox);
    rangeRow->addStretch(1);
    cl->addLayout(rangeRow);
    d->chart = new LatencyChart(chartBox);
    cl->addWidget(d->chart);
    v->addWidget(chartBox);
    connect(d->rangeBox, &QComboBox::currentIndexChanged, this, &DetailsPane::handleRangeChanged);

    // disconnect history
    auto *histBox = new QGroupBox(tr("Disconnects"), d->content);
    auto *hl = new QVBoxLayout(histBox);
    d->summary = new QLabel(histBox);
    d->summary->setWordWrap(true);
    hl->addWidget(d->summary);
    d->history = new DisconnectHistoryModel(this);
    d->historyView = new QTableView(histBox);
    d->historyView->setObjectName(QStringLiteral("disconnectHistoryView"));
    d->historyView->setModel(d->history);
    d->historyView->verticalHeader()->hide();
    d->historyView->horizontalHeader()->setStretchLastSection(true);
    d->historyView->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    d->historyView->setSelectionBehavior(QAbstractItemView::SelectRows);
    d->historyView->setAlternatingRowColors(true);
    d->historyView->setMinimumHeight(140);
    hl->addWidget(d->historyView);
    v->addWidget(histBox, 1);

    d->refreshTimer.setInterval(5s);
    connect(&d->refreshTimer, &QTimer::timeout, this, &DetailsPane::handleRefreshTimeout);
    d->phaseTimer.setInterval(1s);
    connect(&d->phaseTimer, &QTimer::timeout, this, &DetailsPane::renderStatus);

    scroll->hide();
    d->content->setProperty("scrollArea", QVariant::fromValue<QObject *>(scroll));
}

DetailsPane::~DetailsPane() = default;

void DetailsPane::setHistorySource(HistorySource *source)
{
    d->source = source;
    refreshHistory();
}

QString DetailsPane::accountId() const
{
    return d->accountId;
}

void DetailsPane::setAccount(const QString &accountId, quint32 intents)
{
    const bool changed = accountId != d->accountId;
    d->accountId = accountId;
    d->intents = intents;
    auto *scroll = qobject_cast<QWidget *>(d->content->property("scrollArea").value<QObject *>());
    if (changed) {
        d->status.reset();
        d->history->clear();
    }
    if (accountId.isEmpty()) {
        d->refreshTimer.stop();
        d->phaseTimer.stop();
        scroll->hide();
        d->placeholder->show();
        return;
    }
    d->placeholder->hide();
    scroll->show();
    d->refreshTimer.start();
    d->phaseTimer.start();
    renderStatus();
    refreshHistory();
}

void DetailsPane::updateStatus(const AccountStatus &status)
{
    if (status.accountId != d->accountId)
        return;
    d->status = status;
    renderStatus();
}

void DetailsPane::setRange(Range range)
{
    const int idx = d->rangeBox->findData(int(range));
    if (idx >= 0)
        d->rangeBox->setCurrentIndex(idx);
}

DetailsPane::Range DetailsPane::range() const
{
    return d->range;
}

void DetailsPane::handleRangeChanged(int index)
{
    d->range = Range(d->rangeBox->itemData(index).toInt());
    refreshHistory();
}

void DetailsPane::handleRefreshTimeout()
{
    if (isVisible())
        refreshHistory();
}

void DetailsPane::renderStatus()
{
    if (!d->status) {
        d->badgeText->setText(uiformat::dash());
        d->badgeIcon->setPixmap(StateStyle::noDataIcon().pixmap(32, 32));
        d->title->setText(QString());
        d->subtitle->setText(QString());
        d->failureBox->hide();
        return;
    }
    const AccountStatus &s = *d->status;
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QColor colour = StateStyle::color(s.state, palette());
    d->badgeIcon->setPixmap(StateStyle::icon(s.state).pixmap(32, 32));
    d->badgeText->setText(s.state == ConnectionState::Stopped && s.paused ? tr("Paused") : StateStyle::text(s.state));
    QPalette bp = d->badgeText->palette();
    bp.setColor(QPalette::WindowText, colour);
    d->badgeText->setPalette(bp);
    d->title->setText(s.accountName);
    d->subtitle->setText(s.session ? tr("%1 · user id %2").arg(s.session->userName, s.session->userId)
                                   : tr("No session yet"));

    if (s.state == ConnectionState::Failed) {
        const FailureGuidance g = guidanceFor(s, d->intents);
        QString fix = g.fix.toHtmlEscaped();
        static const QString portal = QStringLiteral("https://discord.com/developers/applications");
        fix.replace(portal, QStringLiteral("<a href=\"%1\">%1</a>").arg(portal));
        d->failureText->setText(tr("<b>Why it stopped:</b> %1<br><b>How to fix it:</b> %2")
                                    .arg(g.reason.toHtmlEscaped(), fix.isEmpty() ? tr("see the event log") : fix));
        d->failureBox->setStyleSheet(QStringLiteral("#failureBox { border: 2px solid %1; border-radius: 4px; }")
                                         .arg(colour.name()));
        d->failureBox->show();
    } else {
        d->failureBox->hide();
    }

    d->latencyNow->setText(uiformat::latency(s.stats.lastLatency));
    d->latencyMean->setText(uiformat::latency(s.stats.meanLatency));
    d->latencyP95->setText(uiformat::latency(s.stats.p95Latency));

    const qint64 inPhase = s.stateSince.isValid() ? s.stateSince.msecsTo(now) : 0;
    QString phase = tr("%1 for %2").arg(StateStyle::text(s.state), uiformat::duration(std::chrono::milliseconds(inPhase)));
    if (s.state == ConnectionState::Reconnecting && s.nextAttemptAt.isValid())
        phase += tr(" · next attempt in %1").arg(uiformat::duration(std::chrono::milliseconds(std::max<qint64>(0, now.msecsTo(s.nextAttemptAt)))));
    d->phase->setText(phase);
    if (s.session) {
        d->sessionId->setText(uiformat::shortId(s.session->sessionId));
        d->sessionId->setToolTip(tr("Session ids are shortened; the full id is never needed to diagnose"));
        d->resumeHost->setText(s.session->resumeGatewayUrl.host().isEmpty() ? uiformat::dash()
                                                                            : s.session->resumeGatewayUrl.host()
                                       + (s.session->resumeGatewayUrl.port() > 0 ? QStringLiteral(":%1").arg(s.session->resumeGatewayUrl.port()) : QString()));
        d->shard->setText(tr("%1 of %2 · %3 guild(s)").arg(s.session->shardId).arg(s.session->shardCount).arg(s.session->guildCount));
    } else {
        d->sessionId->setText(uiformat::dash());
        d->resumeHost->setText(uiformat::dash());
        d->shard->setText(uiformat::dash());
    }
    d->sequence->setText(s.stats.lastSequence >= 0 ? QString::number(s.stats.lastSequence) : uiformat::dash());
    d->interval->setText(s.stats.heartbeatInterval.count() > 0 ? uiformat::duration(s.stats.heartbeatInterval) : uiformat::dash());
    d->lastConnected->setText(uiformat::timestamp(s.lastConnectedAt));
    d->counters->setText(tr("%1 sent, %2 acked · %3 resumed, %4 identified, %5 disconnects")
                             .arg(s.stats.heartbeatsSent).arg(s.stats.acksReceived)
                             .arg(s.resumes).arg(s.identifies).arg(s.disconnects));
    d->budget->setText(s.gatewayInfo ? tr("%1 of %2 left · resets %3 · max_concurrency %4")
                                           .arg(s.gatewayInfo->limit.remaining).arg(s.gatewayInfo->limit.total)
                                           .arg(uiformat::timestamp(s.gatewayInfo->limit.resetAt()))
                                           .arg(s.gatewayInfo->limit.maxConcurrency)
                                     : uiformat::dash());
}

void DetailsPane::refreshHistory()
{
    if (!d->source || d->accountId.isEmpty())
        return;
    const auto [from, to] = d->span();
    d->chart->setData(d->source->latency(d->accountId, from, to), from, to);
    d->history->setRecords(d->source->disconnects(d->accountId, from, to, 200));
    const DowntimeSummary sum = d->source->downtime(d->accountId, from, to);
    d->summary->setText(tr("%n disconnect(s) in this range, %1 down in total · %2 by RESUME, %3 by IDENTIFY, %4 open", nullptr, sum.disconnects)
                            .arg(uiformat::duration(std::chrono::milliseconds(sum.totalDowntimeMs)))
                            .arg(sum.recoveredByResume).arg(sum.recoveredByIdentify).arg(sum.unrecovered));
    const QDateTime now = QDateTime::currentDateTimeUtc();
    auto pct = [](const UptimeReport &r) { return r.percent ? std::optional<double>(*r.percent / 100.0) : std::nullopt; };
    d->uptime24->setText(uiformat::percent(pct(d->source->uptime(d->accountId, now.addDays(-1), now))));
    d->uptime7->setText(uiformat::percent(pct(d->source->uptime(d->accountId, now.addDays(-7), now))));
    d->uptime30->setText(uiformat::percent(pct(d->source->uptime(d->accountId, now.addDays(-30), now))));
}

} // namespace gw
