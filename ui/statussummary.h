#pragma once

#include "accountstatus.h"
#include "statestyle.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>

#include <functional>

class QStatusBar;
class QToolButton;

namespace gw {

//! The status bar's summary of every account: one button per state group ("3 ok", "1 failed";
//! click to show only that group) and the worst-state button, plus the summary line the tray
//! shows. recount() is the one place a list of statuses becomes these counts.
class StatusSummary final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StatusSummary)

public:
    //! The buttons are added to `bar` as permanent widgets.
    explicit StatusSummary(QStatusBar *bar, QObject *parent = nullptr);
    ~StatusSummary() override;

    //! Recount from `statuses`. Muted accounts count in their group but not for the worst state;
    //! `groupFilter` is the table's current filter (its button shows checked).
    void recount(const QList<AccountStatus> &statuses, const std::function<bool(const QString &)> &isMuted,
                 const QSet<StateStyle::Group> &groupFilter);

    [[nodiscard]] QString text() const { return m_text; }     //!< "3 ok · 1 reconnecting"
    [[nodiscard]] StateStyle::Group worst() const { return m_worst; }
    [[nodiscard]] int total() const { return m_total; }
    //! At least two monitored (not paused) accounts, all connecting or reconnecting, after at
    //! least one had been connected: what "the network is down" looks like without a backend.
    [[nodiscard]] bool everyAccountDown() const { return m_everyAccountDown; }

Q_SIGNALS:
    //! A group button (or the worst-state button, with the worst group) was clicked.
    void groupClicked(gw::StateStyle::Group group);

private:
    void updateButtons(const QHash<StateStyle::Group, int> &counts, const QSet<StateStyle::Group> &groupFilter);

    QHash<StateStyle::Group, QToolButton *> m_groupButtons;
    QToolButton *m_worstButton = nullptr;
    QString m_text;
    StateStyle::Group m_worst = StateStyle::Group::Ok;
    int m_total = 0;
    bool m_everyAccountDown = false;
};

} // namespace gw
