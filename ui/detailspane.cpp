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


//! The big badge and the account's names.
struct Header
{
    QLabel *badgeIcon = nullptr;
    QLabel *badgeText = nullptr;
    QLabel *title = nullptr;
    QLabel *subtitle = nullptr;

    QLayout *build(QWidget *parent)
    {
        badgeIcon = new QLabel(parent);
        badgeText = new QLabel(parent);
        QFont bf = badgeText->font();
        bf.setPointSizeF(bf.pointSizeF() * 1.6);
        bf.setBold(true);
        badgeText->setFont(bf);
        title = new QLabel(parent);
        QFont tf = title->font();
        tf.setPointSizeF(tf.pointSizeF() * 1.25);
        tf.setBold(true);
        title->setFont(tf);
        subtitle = valueLabel(parent);
        title->setWordWrap(true);
        auto *names = new QVBoxLayout;
        names->addWidget(title);
        names->addWidget(subtitle);
        auto *header = new QHBoxLayout;
        header->addWidget(badgeIcon);
        header->addWidget(badgeText);
        header->addSpacing(16);
        header->addLayout(names, 1);
        return header;
    }

    void clear()
    {
        badgeText->setText(uiformat::dash());
        badgeIcon->setPixmap(StateStyle::noDataIcon().pixmap(32, 32));
        title->setText(QString());
        subtitle->setText(QString());
    }

    void render(const AccountStatus &s, const QColor &colour)
    {
        badgeIcon->setPixmap(StateStyle::icon(s.state).pixmap(32, 32));
        badgeText->setText(s.state == ConnectionState::Stopped && s.paused ? DetailsPane::tr("Paused")
                                                                          : StateStyle::text(s.state));
        QPalette bp = badgeText->palette();
        bp.setColor(QPalette::WindowText, colour);
        badgeText->setPalette(bp);
        title->setText(s.accountName);
        subtitle->setText(s.session ? DetailsPane::tr("%1 · user id %2").arg(s.session->userName, s.session->userId)
                                    : DetailsPane::tr("No session yet"));
    }
};

//! The framed "why it stopped / how to fix it" box, shown only for a failed account.
struct FailureBox
{
    QFrame *box = nullptr;
    QLabel *text = nullptr;

    QFrame *build(QWidget *parent)
    {
        box = new QFrame(parent);
        box->setFrameShape(QFrame::StyledPanel);
        box->setObjectName(QStringLiteral("failureBox"));
        auto *fl = new QVBoxLayout(box);
        text = new QLabel(box);
        text->setWordWrap(true);
        text->setTextFormat(Qt::RichText);
        text->setOpenExternalLinks(true);
        text->setTextInteractionFlags(Qt::TextBrowserInteraction);
        fl->addWidget(text);
        box->hide();
        return box;
    }

    void render(const AccountStatus &s, quint32 intents, const QColor &colour)
    {
        if (s.state != ConnectionState::Failed) {
            box->hide();
            return;
        }
        const FailureGuidance g = DetailsPane::guidanceFor(s, intents);
        QString fix = g.fix.toHtmlEscaped();
        static const QString portal = QStringLiteral("https://discord.com/developers/applications");
        fix.replace(portal, QStringLiteral("<a href=\"%1\">%1</a>").arg(portal));
        text->setText(DetailsPane::tr("<b>Why it stopped:</b> %1<br><b>How to fix it:</b> %2")
                          .arg(g.reason.toHtmlEscaped(), fix.isEmpty() ? DetailsPane::tr("see the event log") : fix));
        box->setStyleSheet(QStringLiteral("#failureBox { border: 2px solid %1; border-radius: 4px; }")
                               .arg(colour.name()));
        box->show();
    }
};

//! The session facts: one selectable value per row.
struct SessionFacts
{
    QLabel *phase = nullptr;
    QLabel *sessionId = nullptr;
    QLabel *resumeHost = nullptr;
    QLabel *sequence = nullptr;
    QLabel *interval = nullptr;
    QLabel *shard = nullptr;
    QLabel *lastConnected = nullptr;
    QLabel *counters = nullptr;
    QLabel *budget = nullptr;

    QGroupBox *build(QWidget *parent)
    {
        auto *facts = new QGroupBox(DetailsPane::tr("Session"), parent);
        auto *ff = new QFormLayout(facts);
        const std::pair<QLabel **, QString> rows[] = {
            {&phase, DetailsPane::tr("Current phase:")},
            {&sessionId, DetailsPane::tr("Session id:")},
            {&resumeHost, DetailsPane::tr("Resume host:")},
            {&sequence, DetailsPane::tr("Sequence:")},
            {&interval, DetailsPane::tr("Heartbeat interval:")},
            {&shard, DetailsPane::tr("Shard / guilds:")},
            {&lastConnected, DetailsPane::tr("Last connected:")},
            {&counters, DetailsPane::tr("Heartbeats / reconnects:")},
            {&budget, DetailsPane::tr("Identify budget:")},
        };
        for (const auto &[label, caption] : rows)
            *label = valueLabel(facts);
        for (const auto &[label, caption] : rows)
            ff->addRow(caption, *label);
        return facts;
    }

    void render(const AccountStatus &s, const QDateTime &now)
    {
        const qint64 inPhase = s.stateSince.isValid() ? s.stateSince.msecsTo(now) : 0;
        QString text = DetailsPane::tr("%1 for %2").arg(StateStyle::text(s.state),
                                                        uiformat::duration(std::chrono::milliseconds(inPhase)));
        if (s.state == ConnectionState::Reconnecting && s.nextAttemptAt.isValid())
            text += DetailsPane::tr(" · next attempt in %1").arg(uiformat::duration(std::chrono::milliseconds(std::max<qint64>(0, now.msecsTo(s.nextAttemptAt)))));
        phase->setText(text);
        renderSession(s);
        sequence->setText(s.stats.lastSequence >= 0 ? QString::number(s.stats.lastSequence) : uiformat::dash());
        interval->setText(s.stats.heartbeatInterval.count() > 0 ? uiformat::duration(s.stats.heartbeatInterval) : uiformat::dash());
        lastConnected->setText(uiformat::timestamp(s.lastConnectedAt));
        counters->setText(DetailsPane::tr("%1 sent, %2 acked · %3 resumed, %4 identified, %5 disconnects")
                              .arg(s.stats.heartbeatsSent).arg(s.stats.acksReceived)
                              .arg(s.resumes).arg(s.identifies).arg(s.disconnects));
        budget->setText(s.gatewayInfo ? DetailsPane::tr("%1 of %2 left · resets %3 · max_concurrency %4")
                                            .arg(s.gatewayInfo->limit.remaining).arg(s.gatewayInfo->limit.total)
                                            .arg(uiformat::timestamp(s.gatewayInfo->limit.resetAt()))
                                            .arg(s.gatewayInfo->limit.maxConcurrency)
                                      : uiformat::dash());
    }

    void renderSession(const AccountStatus &s)
    {
        if (!s.session) {
            sessionId->setText(uiformat::dash());
            resumeHost->setText(uiformat::dash());
            shard->setText(uiformat::dash());
            return;
        }
        const QUrl &resume = s.session->resumeGatewayUrl;
        sessionId->setText(uiformat::shortId(s.session->sessionId));
        sessionId->setToolTip(DetailsPane::tr("Session ids are shortened; the full id is never needed to diagnose"));
        resumeHost->setText(resume.host().isEmpty() ? uiformat::dash()
                                                    : resume.host()
                                + (resume.port() > 0 ? QStringLiteral(":%1").arg(resume.port()) : QString()));
        shard->setText(DetailsPane::tr("%1 of %2 · %3 guild(s)").arg(s.session->shardId).arg(s.session->shardCount).arg(s.session->guildCount));
    }
};

//! Latency now / mean / p95 and uptime 24 h / 7 d / 30 d, as big numbers in one row.
struct MetricsRow
{
    QLabel *latencyNow = nullptr, *latencyMean = nullptr, *latencyP95 = nullptr;
    QLabel *uptime24 = nullptr, *uptime7 = nullptr, *uptime30 = nullptr;

    QLayout *build(QWidget *parent)
    {
        auto *metrics = new QGridLayout;
        latencyNow = metricLabel(parent, metrics, 0, DetailsPane::tr("Latency now"));
        latencyMean = metricLabel(parent, metrics, 1, DetailsPane::tr("Mean"));
        latencyP95 = metricLabel(parent, metrics, 2, DetailsPane::tr("p95"));
        uptime24 = metricLabel(parent, metrics, 3, DetailsPane::tr("Uptime 24 h"));
        uptime7 = metricLabel(parent, metrics, 4, DetailsPane::tr("7 d"));
        uptime30 = metricLabel(parent, metrics, 5, DetailsPane::tr("30 d"));
        return metrics;
    }

    void renderLatency(const GatewayStats &stats)
    {
        latencyNow->setText(uiformat::latency(stats.lastLatency));
        latencyMean->setText(uiformat::latency(stats.meanLatency));
        latencyP95->setText(uiformat::latency(stats.p95Latency));
    }
};

//! The latency chart with its range selector.
struct LatencySection
{
    QComboBox *rangeBox = nullptr;
    LatencyChart *chart = nullptr;

    QGroupBox *build(QWidget *parent)
    {
        using Range = DetailsPane::Range;
        auto *chartBox = new QGroupBox(DetailsPane::tr("Latency"), parent);
        auto *cl = new QVBoxLayout(chartBox);
        auto *rangeRow = new QHBoxLayout;
        auto *rangeLabel = new QLabel(DetailsPane::tr("&Range:"), chartBox);
        rangeBox = new QComboBox(chartBox);
        rangeBox->addItem(DetailsPane::tr("1 hour"), int(Range::Hour));
        rangeBox->addItem(DetailsPane::tr("24 hours"), int(Range::Day));
        rangeBox->addItem(DetailsPane::tr("7 days"), int(Range::Week));
        rangeBox->addItem(DetailsPane::tr("30 days"), int(Range::Month));
        rangeBox->setCurrentIndex(1);
        rangeLabel->setBuddy(rangeBox);
        rangeRow->addWidget(rangeLabel);
        rangeRow->addWidget(rangeBox);
        rangeRow->addStretch(1);
        cl->addLayout(rangeRow);
        chart = new LatencyChart(chartBox);
        cl->addWidget(chart);
        return chartBox;
    }
};

//! The disconnect history: a "N disconnects, X total" summary over the table.
struct HistorySection
{
    QLabel *summary = nullptr;
    DisconnectHistoryModel *model = nullptr;
    QTableView *view = nullptr;

    //! `modelOwner` owns the model (the pane, as before the view exists).
    QGroupBox *build(QWidget *parent, QObject *modelOwner)
    {
        auto *histBox = new QGroupBox(DetailsPane::tr("Disconnects"), parent);
        auto *hl = new QVBoxLayout(histBox);
        summary = new QLabel(histBox);
        summary->setWordWrap(true);
        hl->addWidget(summary);
        model = new DisconnectHistoryModel(modelOwner);
        view = new QTableView(histBox);
        view->setObjectName(QStringLiteral("disconnectHistoryView"));
        view->setModel(model);
        view->verticalHeader()->hide();
        view->horizontalHeader()->setStretchLastSection(true);
        view->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
        view->setSelectionBehavior(QAbstractItemView::SelectRows);
        view->setAlternatingRowColors(true);
        view->setMinimumHeight(140);
        hl->addWidget(view);
        return histBox;
    }

    void renderSummary(const DowntimeSummary &sum)
    {
        summary->setText(DetailsPane::tr("%n disconnect(s) in this range, %1 down in total · %2 by RESUME, %3 by IDENTIFY, %4 open", nullptr, sum.disconnects)
                             .arg(uiformat::duration(std::chrono::milliseconds(sum.totalDowntimeMs)))
                             .arg(sum.recoveredByResume).arg(sum.recoveredByIdentify).arg(sum.unrecovered));
    }
};

} // namespace

class DetailsPane::Private
{
public:
    HistorySource *source = nullptr;
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
    v->addLayout(d->header.build(d->content));
    v->addWidget(d->failure.build(d->content));
    v->addLayout(d->metrics.build(d->content));
    v->addWidget(d->facts.build(d->content));
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
        return;
    }
    const AccountStatus &s = *d->status;
    const QColor colour = StateStyle::color(s.state, palette());
    d->header.render(s, colour);
    d->failure.render(s, d->intents, colour);
    d->metrics.renderLatency(s.stats);
    d->facts.render(s, QDateTime::currentDateTimeUtc());
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
    d->metrics.uptime24->setText(uiformat::percent(pct(d->source->uptime(d->accountId, now.addDays(-1), now))));
    d->metrics.uptime7->setText(uiformat::percent(pct(d->source->uptime(d->accountId, now.addDays(-7), now))));
    d->metrics.uptime30->setText(uiformat::percent(pct(d->source->uptime(d->accountId, now.addDays(-30), now))));
}

} // namespace gw
