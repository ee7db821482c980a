#pragma once

#include <QFrame>

#include <functional>

class QLabel;
class QPushButton;

namespace gw {

class MonitorApp;

//! The coloured strips above the accounts table: the demo banner ("these bots talk to a
//! built-in gateway simulator") and the offline banner (the system reports no network, or every
//! account lost its connection), the keychain banner (saved accounts wait for their token) and
//! the store banner (the event history cannot be written, lost rows, a damaged file moved aside).
class DemoBanner final : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DemoBanner)

public:
    explicit DemoBanner(QWidget *parent = nullptr);
    ~DemoBanner() override;
};

class OfflineBanner final : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OfflineBanner)

public:
    explicit OfflineBanner(QWidget *parent = nullptr);
    ~OfflineBanner() override;

    //! Shown when `offline`; the text says whether the system reports no network
    //! (`networkReachable` false) or every account lost its connection.
    void showState(bool offline, bool networkReachable);

private:
    QLabel *m_text = nullptr;
};

//! Shown once, whatever the number of accounts, while MonitorApp's last round of token reads
//! stopped at the system keychain (unavailable, locked, unlock refused): says so, and its Retry
//! reads the waiting tokens again (MonitorApp::retryTokens). Hidden when the keychain answers.
class KeychainBanner final : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(KeychainBanner)

public:
    explicit KeychainBanner(MonitorApp *app, QWidget *parent = nullptr);
    ~KeychainBanner() override;

    [[nodiscard]] QString text() const;
    [[nodiscard]] QPushButton *retryButton() const { return m_retry; }

private:
    void handleProblemChanged();

    MonitorApp *m_app = nullptr;
    QLabel *m_text = nullptr;
    QPushButton *m_retry = nullptr;
};

//! Shown while the event store cannot write (its rows are held and retried), after rows were
//! dropped past the retry queue's bound, and after a damaged database was moved aside: says what
//! happened to the history in words. Follows MonitorApp::storeHealth(); Dismiss hides it until
//! the next change (never while writes are failing).
class StoreBanner final : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StoreBanner)

public:
    explicit StoreBanner(MonitorApp *app, QWidget *parent = nullptr);
    ~StoreBanner() override;

    [[nodiscard]] QString text() const;

private:
    void showStatus();

    MonitorApp *m_app = nullptr;
    QLabel *m_text = nullptr;
    QPushButton *m_dismiss = nullptr;
};

//! Follows QNetworkInformation's reachability when a backend supports it: calls `changed` now
//! and on every change, in `context`. Returns false (and never calls) when no backend can tell.
bool followReachability(QObject *context, const std::function<void(bool reachable)> &changed);

} // namespace gw
