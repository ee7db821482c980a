#pragma once

#include <QFrame>

#include <functional>

class QLabel;

namespace gw {

//! The coloured strips above the accounts table: the demo banner ("these bots talk to a
//! built-in gateway simulator") and the offline banner (the system reports no network, or every
//! account lost its connection).
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

//! Follows QNetworkInformation's reachability when a backend supports it: calls `changed` now
//! and on every change, in `context`. Returns false (and never calls) when no backend can tell.
bool followReachability(QObject *context, const std::function<void(bool reachable)> &changed);

} // namespace gw
