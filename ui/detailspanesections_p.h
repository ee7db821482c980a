#pragma once

// The sections of the details pane (ui/detailspane.cpp composes them). Private to the pane.

#include "accountstatus.h"
#include "historytypes.h"

#include <QColor>
#include <QDateTime>

class QComboBox;
class QFrame;
class QGridLayout;
class QGroupBox;
class QLabel;
class QLayout;
class QObject;
class QTableView;
class QWidget;

namespace gw {

class DisconnectHistoryModel;
class LatencyChart;

namespace detailspane {

//! A selectable, word-wrapped value label.
QLabel *valueLabel(QWidget *parent);

//! The big badge and the account's names.
struct Header
{
    QLabel *badgeIcon = nullptr;
    QLabel *badgeText = nullptr;
    QLabel *title = nullptr;
    QLabel *subtitle = nullptr;

    QLayout *build(QWidget *parent);
    void clear();
    void render(const AccountStatus &s, const QColor &colour);
};

//! The framed "why it stopped / how to fix it" box, shown only for a failed account.
struct FailureBox
{
    QFrame *box = nullptr;
    QLabel *text = nullptr;

    QFrame *build(QWidget *parent);
    void render(const AccountStatus &s, quint32 intents, const QColor &colour);
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

    QGroupBox *build(QWidget *parent);
    void render(const AccountStatus &s, const QDateTime &now);
    void renderSession(const AccountStatus &s);
};

//! The events of the session: received (live and replayed), the rate over the last minute, the
//! age of the last dispatch and the events lost (known counts, and gaps of unknown size where a
//! new session replaced the old one).
struct EventsSection
{
    QLabel *received = nullptr;
    QLabel *rate = nullptr;
    QLabel *lastEvent = nullptr;
    QLabel *lost = nullptr;

    QGroupBox *build(QWidget *parent);
    void clear();
    void render(const GatewayStats &stats, const QDateTime &now);
};

//! Latency now / mean / p95 and uptime 24 h / 7 d / 30 d, as big numbers in one row.
struct MetricsRow
{
    QLabel *latencyNow = nullptr, *latencyMean = nullptr, *latencyP95 = nullptr;
    QLabel *uptime24 = nullptr, *uptime7 = nullptr, *uptime30 = nullptr;

    QLayout *build(QWidget *parent);
    void renderLatency(const GatewayStats &stats);
};

//! The latency chart with its range selector.
struct LatencySection
{
    QComboBox *rangeBox = nullptr;
    LatencyChart *chart = nullptr;

    QGroupBox *build(QWidget *parent);
};

//! The disconnect history: a "N disconnects, X total" summary over the table.
struct HistorySection
{
    QLabel *summary = nullptr;
    DisconnectHistoryModel *model = nullptr;
    QTableView *view = nullptr;

    //! `modelOwner` owns the model (the pane, as before the view exists).
    QGroupBox *build(QWidget *parent, QObject *modelOwner);
    void renderSummary(const DowntimeSummary &sum);
};

} // namespace detailspane
} // namespace gw
