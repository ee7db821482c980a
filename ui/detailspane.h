#pragma once

#include "accountstatus.h"

#include <QTimer>
#include <QWidget>

#include <functional>
#include <memory>
#include <optional>

namespace gw {

class HistorySource;

//! What to tell a person about a failed account: the reason and the fix.
struct FailureGuidance
{
    QString reason;
    QString fix;                    //!< plain text; may name the Developer Portal address
};

//! The details of the selected account (after Uptime Kuma's detail page): a big status
//! badge, latency now / mean / p95 and uptime 24 h / 7 d / 30 d, the reason and the fix when it
//! is `failed`, session facts (session id shortened, resume host, sequence, heartbeat interval,
//! time in the current phase, and why it is degraded), the events of the session (received live
//! and replayed, the last minute's count, the age of the last dispatch, events lost: known counts
//! and gaps of unknown size where a new session replaced the old one), a latency chart with a
//! 1 h / 24 h / 7 d / 30 d range selector and the disconnect history (cause and events lost per
//! disconnect) with a "N disconnects, X total" summary. The sections are in detailspanesections_p.h.
class DetailsPane final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DetailsPane)

public:
    enum class Range { Hour, Day, Week, Month };
    Q_ENUM(Range)

    explicit DetailsPane(QWidget *parent = nullptr);
    ~DetailsPane() override;

    //! Not owned; may be nullptr (then only the live status is shown).
    void setHistorySource(HistorySource *source);
    //! Where the 24 h uptime comes from, so that the pane shows the same value as the accounts
    //! table (AccountTableModel); unset: read from the history source like 7 d and 30 d.
    void setUptime24Source(std::function<std::optional<double>(const QString &accountId)> source);
    //! Show this account (an empty id clears the pane). `intents` are the account's configured
    //! intents, used to name privileged ones in the 4014 guidance.
    void setAccount(const QString &accountId, quint32 intents = 0);
    [[nodiscard]] QString accountId() const;
    //! Live status of the shown account (ignored for other accounts).
    void updateStatus(const AccountStatus &status);
    void setRange(Range range);
    [[nodiscard]] Range range() const;
    //! Re-read history now (a 5 s timer does it while visible).
    void refreshHistory();

    //! The reason and the fix for a failed status (empty fix when nothing actionable is known).
    static FailureGuidance guidanceFor(const AccountStatus &status, quint32 intents);

private:
    void handleRangeChanged(int index);
    void handleRefreshTimeout();
    void renderStatus();

    class Private;
    std::unique_ptr<Private> d;
};

} // namespace gw
