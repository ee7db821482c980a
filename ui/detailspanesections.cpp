#include "detailspanesections_p.h"

#include "detailspane.h"
#include "disconnecthistorymodel.h"
#include "latencychart.h"
#include "recoverytext.h"
#include "statestyle.h"
#include "uiformat.h"

#include <QComboBox>
#include <QFormLayout>
#include <QFrame>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLocale>
#include <QStringList>
#include <QTableView>
#include <QVBoxLayout>

#include <utility>

namespace gw::detailspane {

namespace {

QLabel *metricLabel(QWidget *parent, QGridLayout *grid, int row, int column, const QString &caption)
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
    grid->addWidget(cap, row, column);
    grid->addWidget(val, row + 1, column);
    return val;
}

} // namespace

QLabel *valueLabel(QWidget *parent)
{
    auto *l = new QLabel(parent);
    l->setTextInteractionFlags(Qt::TextSelectableByMouse);
    l->setWordWrap(true);
    return l;
}

QLayout *Header::build(QWidget *parent)
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
    subtitle->setObjectName(QStringLiteral("detailsSubtitle"));
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

void Header::clear()
{
    badgeText->setText(uiformat::dash());
    badgeIcon->setPixmap(StateStyle::noDataIcon().pixmap(32, 32));
    title->setText(QString());
    subtitle->setText(QString());
}

void Header::render(const AccountStatus &s, const QColor &colour)
{
    badgeIcon->setPixmap((s.tokenNeeded() ? StateStyle::tokenNeededIcon() : StateStyle::icon(s.state)).pixmap(32, 32));
    badgeText->setText(s.tokenNeeded() ? StateStyle::tokenNeededText()
                       : s.state == ConnectionState::Stopped && s.paused ? DetailsPane::tr("Paused")
                                                                         : StateStyle::text(s.state));
    QPalette bp = badgeText->palette();
    bp.setColor(QPalette::WindowText, colour);
    badgeText->setPalette(bp);
    title->setText(s.accountName);
    if (!s.session)
        subtitle->setText(DetailsPane::tr("No session yet"));
    else if (s.session->userId.isEmpty())  // resumed from the last run: no READY names the bot user
        subtitle->setText(DetailsPane::tr("Session resumed from the last run"));
    else
        subtitle->setText(DetailsPane::tr("%1 · user id %2").arg(s.session->userName, s.session->userId));
}

QFrame *FailureBox::build(QWidget *parent)
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

void FailureBox::render(const AccountStatus &s, quint32 intents, const QColor &colour)
{
    if (s.tokenNeeded()) {  // not monitored: what to do, and the keychain's own words
        text->setText(DetailsPane::tr("<b>Token needed:</b> %1.<br>%2<br>Use <b>Edit</b> to enter the token again, "
                                      "or press Retry in the keychain banner once it is unlocked.")
                          .arg(s.tokenProblem.toHtmlEscaped(), s.lastError.toHtmlEscaped()));
        box->setStyleSheet(QStringLiteral("#failureBox { border: 2px solid %1; border-radius: 4px; }").arg(colour.name()));
        box->show();
        return;
    }
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

QGroupBox *SessionFacts::build(QWidget *parent)
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
    phase->setObjectName(QStringLiteral("sessionPhase"));
    sessionId->setObjectName(QStringLiteral("sessionId"));
    resumeHost->setObjectName(QStringLiteral("sessionResumeHost"));
    shard->setObjectName(QStringLiteral("sessionShard"));
    for (const auto &[label, caption] : rows)
        ff->addRow(caption, *label);
    return facts;
}

void SessionFacts::render(const AccountStatus &s, const QDateTime &now)
{
    const qint64 inPhase = s.stateSince.isValid() ? s.stateSince.msecsTo(now) : 0;
    QString text = DetailsPane::tr("%1 for %2").arg(StateStyle::text(s.state),
                                                    uiformat::duration(std::chrono::milliseconds(inPhase)));
    if (s.state == ConnectionState::Reconnecting && s.nextAttemptAt.isValid())
        text += DetailsPane::tr(" · next attempt in %1").arg(uiformat::duration(std::chrono::milliseconds(std::max<qint64>(0, now.msecsTo(s.nextAttemptAt)))));
    if (s.state == ConnectionState::Degraded && !s.stats.degradedReason.isEmpty())
        text += DetailsPane::tr(" · %1").arg(s.stats.degradedReason);
    if (s.restLimitedUntil.isValid() && s.restLimitedUntil > now)
        text += DetailsPane::tr(" · waiting on a REST rate limit (%1) for %2")
                    .arg(s.restLimit, uiformat::duration(std::chrono::milliseconds(now.msecsTo(s.restLimitedUntil))));
    if (s.identifyWaitUntil.isValid())
        text += DetailsPane::tr(" · %1").arg(recoverytext::budgetWaitText(s.identifyWaitUntil, now));
    if (s.flapping)
        text += DetailsPane::tr(" · %1").arg(recoverytext::flappingText(*s.flapping));
    phase->setText(text);
    renderSession(s);
    sequence->setText(s.stats.lastSequence >= 0 ? QString::number(s.stats.lastSequence) : uiformat::dash());
    interval->setText(s.stats.heartbeatInterval.count() > 0 ? uiformat::duration(s.stats.heartbeatInterval) : uiformat::dash());
    lastConnected->setText(uiformat::timestamp(s.lastConnectedAt));
    counters->setText(DetailsPane::tr("%1 sent, %2 acked · %3 resumed, %4 identified, %5 disconnects")
                          .arg(s.stats.heartbeatsSent).arg(s.stats.acksReceived)
                          .arg(s.resumes).arg(s.identifies).arg(s.disconnects));
    budget->setText(s.gatewayInfo ? DetailsPane::tr("%1 of %2 left · resets %3 · max_concurrency %4 · %5 spent by Gatewatch in 24 h")
                                        .arg(s.gatewayInfo->limit.remaining).arg(s.gatewayInfo->limit.total)
                                        .arg(uiformat::timestamp(s.gatewayInfo->limit.resetAt()))
                                        .arg(s.gatewayInfo->limit.maxConcurrency)
                                        .arg(s.identifies24h)
                                  : uiformat::dash());
}

void SessionFacts::renderSession(const AccountStatus &s)
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
    if (s.session->userId.isEmpty())  // resumed from the last run: READY's guild count is not known
        shard->setText(DetailsPane::tr("%1 of %2").arg(s.session->shardId).arg(s.session->shardCount));
    else
        shard->setText(DetailsPane::tr("%1 of %2 · %3 guild(s)").arg(s.session->shardId).arg(s.session->shardCount).arg(s.session->guildCount));
}

QGroupBox *EventsSection::build(QWidget *parent)
{
    auto *box = new QGroupBox(DetailsPane::tr("Events"), parent);
    box->setObjectName(QStringLiteral("eventsBox"));
    auto *form = new QFormLayout(box);
    const std::pair<QLabel **, QString> rows[] = {
        {&received, DetailsPane::tr("Received:")},
        {&rate, DetailsPane::tr("Last minute:")},
        {&lastEvent, DetailsPane::tr("Last event:")},
        {&lost, DetailsPane::tr("Lost:")},
    };
    for (const auto &[label, caption] : rows) {
        *label = valueLabel(box);
        form->addRow(caption, *label);
    }
    received->setObjectName(QStringLiteral("eventsReceived"));
    rate->setObjectName(QStringLiteral("eventsRate"));
    lastEvent->setObjectName(QStringLiteral("eventsLastEvent"));
    lost->setObjectName(QStringLiteral("eventsLost"));
    lost->setToolTip(DetailsPane::tr("Known losses are sequence gaps in live traffic and events the gateway did not "
                                     "replay after a RESUME. A new session (IDENTIFY) loses the events sent in the "
                                     "gap without saying how many: those gaps are counted separately."));
    clear();
    return box;
}

void EventsSection::clear()
{
    for (QLabel *label : {received, rate, lastEvent, lost}) {
        label->setText(uiformat::dash());
        label->setPalette({});
    }
}

void EventsSection::render(const GatewayStats &stats, const QDateTime &now)
{
    const QLocale locale;
    received->setText(DetailsPane::tr("%1 (%2 live, %3 replayed)")
                          .arg(locale.toString(stats.liveDispatches + stats.replayedDispatches),
                               locale.toString(stats.liveDispatches), locale.toString(stats.replayedDispatches)));
    rate->setText(DetailsPane::tr("%1 events").arg(locale.toString(stats.dispatchesLastMinute)));
    lastEvent->setText(uiformat::age(stats.lastDispatchAt, now));
    QStringList parts;
    if (stats.eventsLost > 0)
        parts << DetailsPane::tr("%1 events").arg(locale.toString(stats.eventsLost));
    else
        parts << (stats.unknownGaps > 0 ? DetailsPane::tr("none known") : DetailsPane::tr("none"));
    if (stats.unknownGaps > 0)
        parts << DetailsPane::tr("%1 unknown (new session)").arg(locale.toString(stats.unknownGaps));
    lost->setText(parts.join(QStringLiteral(" · ")));
    QPalette pal;   // resolves nothing: inherits the box's palette
    if (stats.eventsLost > 0 || stats.unknownGaps > 0)
        pal.setColor(QPalette::WindowText, StateStyle::color(StateStyle::Group::Degraded, lost->parentWidget()->palette()));
    lost->setPalette(pal);
}

QLayout *MetricsRow::build(QWidget *parent)
{
    auto *metrics = new QGridLayout;
    // Latency above uptime, three columns each: the pane stays narrow enough to wrap, not clip.
    latencyNow = metricLabel(parent, metrics, 0, 0, DetailsPane::tr("Latency now"));
    latencyMean = metricLabel(parent, metrics, 0, 1, DetailsPane::tr("Mean"));
    latencyP95 = metricLabel(parent, metrics, 0, 2, DetailsPane::tr("p95"));
    uptime24 = metricLabel(parent, metrics, 2, 0, DetailsPane::tr("Uptime 24 h"));
    uptime24->setObjectName(QStringLiteral("uptime24"));
    uptime7 = metricLabel(parent, metrics, 2, 1, DetailsPane::tr("7 d"));
    uptime30 = metricLabel(parent, metrics, 2, 2, DetailsPane::tr("30 d"));
    return metrics;
}

void MetricsRow::renderLatency(const GatewayStats &stats)
{
    latencyNow->setText(uiformat::latency(stats.lastLatency));
    latencyMean->setText(uiformat::latency(stats.meanLatency));
    latencyP95->setText(uiformat::latency(stats.p95Latency));
}

QGroupBox *LatencySection::build(QWidget *parent)
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

QGroupBox *HistorySection::build(QWidget *parent, QObject *modelOwner)
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

void HistorySection::renderSummary(const DowntimeSummary &sum)
{
    summary->setText(DetailsPane::tr("%n disconnect(s) in this range, %1 down in total · %2 by RESUME, %3 by IDENTIFY, %4 open", nullptr, sum.disconnects)
                         .arg(uiformat::duration(std::chrono::milliseconds(sum.totalDowntimeMs)))
                         .arg(sum.recoveredByResume).arg(sum.recoveredByIdentify).arg(sum.unrecovered));
}

} // namespace gw::detailspane
