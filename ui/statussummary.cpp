#include "statussummary.h"

#include <QStatusBar>
#include <QToolButton>

namespace gw {

namespace {
constexpr StateStyle::Group kGroups[] = {StateStyle::Group::Ok, StateStyle::Group::Connecting,
                                         StateStyle::Group::Degraded, StateStyle::Group::Reconnecting,
                                         StateStyle::Group::Failed, StateStyle::Group::Paused};
} // namespace

StatusSummary::StatusSummary(QStatusBar *bar, QObject *parent)
    : QObject(parent)
{
    for (StateStyle::Group g : kGroups) {
        auto *b = new QToolButton(bar);
        b->setObjectName(QStringLiteral("groupButton_") + StateStyle::groupWord(g));
        b->setAutoRaise(true);
        b->setCheckable(true);
        b->setIcon(StateStyle::icon(g));
        b->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
        b->setToolTip(tr("Show only %1 accounts (click again to show all)").arg(StateStyle::groupWord(g)));
        b->hide();
        connect(b, &QToolButton::clicked, this, [this, g] { Q_EMIT groupClicked(g); });
        bar->addPermanentWidget(b);
        m_groupButtons.insert(g, b);
    }
    m_worstButton = new QToolButton(bar);
    m_worstButton->setObjectName(QStringLiteral("worstStateButton"));
    m_worstButton->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_worstButton->setCheckable(true);
    connect(m_worstButton, &QToolButton::clicked, this, [this] { Q_EMIT groupClicked(m_worst); });
    bar->addPermanentWidget(m_worstButton);
}

StatusSummary::~StatusSummary() = default;

void StatusSummary::recount(const QList<AccountStatus> &statuses, const std::function<bool(const QString &)> &isMuted,
                            const QSet<StateStyle::Group> &groupFilter)
{
    QHash<StateStyle::Group, int> counts;
    QHash<StateStyle::Group, int> unmuted;
    int down = 0;
    int monitored = 0;
    bool everConnected = false;
    int tokenNeeded = 0;  // saved, not monitored: its own count, not "paused"
    for (const AccountStatus &s : statuses) {
        if (s.tokenNeeded()) {
            ++tokenNeeded;
            continue;
        }
        const auto g = StateStyle::group(s.paused ? ConnectionState::Stopped : s.state);
        ++counts[g];
        if (!isMuted(s.accountId))
            ++unmuted[g];
        if (g != StateStyle::Group::Paused) {
            ++monitored;
            if (g == StateStyle::Group::Connecting || g == StateStyle::Group::Reconnecting)
                ++down;
            everConnected = everConnected || s.lastConnectedAt.isValid();
        }
    }
    m_total = int(statuses.size());
    QString text = StateStyle::summary(counts);
    if (tokenNeeded > 0)
        text += (text.isEmpty() ? QString() : QStringLiteral(" · ")) + tr("%1 token needed").arg(tokenNeeded);
    m_text = m_total ? text : tr("No accounts");
    StateStyle::Group worst = StateStyle::Group::Paused;
    for (auto it = unmuted.cbegin(); it != unmuted.cend(); ++it)
        if (it.value() > 0 && StateStyle::severity(it.key()) > StateStyle::severity(worst))
            worst = it.key();
    m_worst = worst;
    m_everyAccountDown = monitored >= 2 && down == monitored && everConnected;
    updateButtons(counts, groupFilter);
}

void StatusSummary::updateButtons(const QHash<StateStyle::Group, int> &counts,
                                  const QSet<StateStyle::Group> &groupFilter)
{
    for (StateStyle::Group g : kGroups) {
        QToolButton *b = m_groupButtons.value(g);
        const int n = counts.value(g, 0);
        b->setText(QStringLiteral("%1 %2").arg(n).arg(StateStyle::groupWord(g)));
        b->setVisible(n > 0 || groupFilter.contains(g));
        b->setChecked(groupFilter.size() == 1 && groupFilter.contains(g));
    }
    m_worstButton->setIcon(m_total ? StateStyle::icon(m_worst) : StateStyle::noDataIcon());
    m_worstButton->setText(m_total ? tr("Worst: %1").arg(StateStyle::groupLabel(m_worst)) : tr("No accounts"));
    m_worstButton->setToolTip(tr("Worst state of the accounts that are not muted: %1\n%2\nClick to show only those accounts")
                                  .arg(StateStyle::groupLabel(m_worst), m_text));
    m_worstButton->setChecked(groupFilter.size() == 1 && groupFilter.contains(m_worst));
    m_worstButton->setEnabled(m_total > 0);
}

} // namespace gw
