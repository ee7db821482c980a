#include "detailspane.h"

#include "closecode.h"
#include "detailspanesections_p.h"
#include "disconnecthistorymodel.h"
#include "eventlogsource.h"
#include "latencychart.h"
#include "statestyle.h"
#include "uiformat.h"

#include <QComboBox>
#include <QCoreApplication>
#include <QFrame>
#include <QGroupBox>
#include <QLayout>
#include <QLabel>
#include <QScrollArea>
#include <QVBoxLayout>

using namespace std::chrono_literals;

namespace gw {

using namespace detailspane;

class DetailsPane::Private
{
public:
    HistorySource *source = nullptr;
    std::function<std::optional<double>(const QString &)> uptime24;
    QString accountId;
    quint32 intents = 0;
    std::optional<AccountStatus> status;
    Range range = Range::Day;

    QLabel *placeholder = nullptr;
    QWidget *content = nullptr;
    Header header;
    FailureBox failure;
    MetricsRow metrics;
    SessionFacts facts;
    EventsSection events;
    LatencySection latency;
    HistorySection history;
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
    case GatewayError::Kind::BadRequest:
        g.fix = QCoreApplication::translate("gw::DetailsPane",
                    "GET /gateway/bot was answered 400 Bad Request, which a retry cannot change. Check the token "
                    "and the API base (Edit), then resume monitoring.");
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
    scroll->setHorizontalScrollBarPolicy(Qt::ScrollBarAsNeeded);  // narrower than its content: scroll, never clip
    scroll->setFrameShape(QFrame::NoFrame);
    d->content = new QWidget(scroll);
    scroll->setWidget(d->content);
    outer->addWidget(scroll);
    auto *v = new QVBoxLayout(d->content);
    v->addLayout(d->header.build(d->content));
    v->addWidget(d->failure.build(d->content));
    v->addLayout(d->metrics.build(d->content));
    v->addWidget(d->facts.build(d->content));
    v->addWidget(d->events.build(d->content));
    v->addWidget(d->latency.build(d->content));
    connect(d->latency.rangeBox, &QComboBox::currentIndexChanged, this, &DetailsPane::handleRangeChanged);
    v->addWidget(d->history.build(d->content, this), 1);

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

void DetailsPane::setUptime24Source(std::function<std::optional<double>(const QString &)> source)
{
    d->uptime24 = std::move(source);
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
        d->history.model->clear();
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
    const int idx = d->latency.rangeBox->findData(int(range));
    if (idx >= 0)
        d->latency.rangeBox->setCurrentIndex(idx);
}

DetailsPane::Range DetailsPane::range() const
{
    return d->range;
}

void DetailsPane::handleRangeChanged(int index)
{
    d->range = Range(d->latency.rangeBox->itemData(index).toInt());
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
        d->header.clear();
        d->failure.box->hide();
        d->events.clear();
        return;
    }
    const AccountStatus &s = *d->status;
    const QColor colour = StateStyle::color(s.state, palette());
    d->header.render(s, colour);
    d->failure.render(s, d->intents, colour);
    d->metrics.renderLatency(s.stats);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    d->facts.render(s, now);
    d->events.render(s.stats, now);
}

void DetailsPane::refreshHistory()
{
    if (!d->source || d->accountId.isEmpty())
        return;
    const auto [from, to] = d->span();
    d->latency.chart->setData(d->source->latency(d->accountId, from, to), from, to);
    d->history.model->setRecords(d->source->disconnects(d->accountId, from, to, 200));
    const DowntimeSummary sum = d->source->downtime(d->accountId, from, to);
    d->history.renderSummary(sum);
    const QDateTime now = QDateTime::currentDateTimeUtc();
    auto pct = [](const UptimeReport &r) { return r.percent ? std::optional<double>(*r.percent / 100.0) : std::nullopt; };
    d->metrics.uptime24->setText(uiformat::percent(d->uptime24 ? d->uptime24(d->accountId)
                                                                : pct(d->source->uptime(d->accountId, now.addDays(-1), now))));
    d->metrics.uptime7->setText(uiformat::percent(pct(d->source->uptime(d->accountId, now.addDays(-7), now))));
    d->metrics.uptime30->setText(uiformat::percent(pct(d->source->uptime(d->accountId, now.addDays(-30), now))));
}

} // namespace gw
