#pragma once

#include "gatewayclient.h"

#include <QHash>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QStringList>

namespace gw {



//! The live gateway of each account (seed `registerGateway` / `unregisterGateway`,
//! seed-lifecycle.md §1 and §5 row 14): account id → QPointer<GatewayClient>.
//! Lives in the worker thread with the clients; not thread-safe, like everything inside it.
//! A QPointer so a client destroyed without unregistering reads back as nullptr.
class AccountRegistry final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccountRegistry)

public:
    explicit AccountRegistry(QObject *parent = nullptr);
    ~AccountRegistry() override;

    //! Registers (or replaces) the client of `accountId`.
    void registerClient(const QString &accountId, GatewayClient *client);
    //! Removes the entry. With `client` given, only if that client is the registered one (an
    //! old supervisor finishing after its replacement registered must not remove the new one).
    void unregisterClient(const QString &accountId, const GatewayClient *client = nullptr);
    //! nullptr when none is registered or it was destroyed.
    [[nodiscard]] GatewayClient *client(const QString &accountId) const;
    [[nodiscard]] bool contains(const QString &accountId) const;
    [[nodiscard]] QStringList accountIds() const;
    [[nodiscard]] int size() const { return int(m_clients.size()); }

Q_SIGNALS:
    void registered(const QString &accountId);
    void unregistered(const QString &accountId);

private:
    QHash<QString, QPointer<GatewayClient>> m_clients;
};

} // namespace gw
