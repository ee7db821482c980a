#include "accountregistry.h"

#include "gatewayclient.h"

namespace gw {

AccountRegistry::AccountRegistry(QObject *parent)
    : QObject(parent)
{
}

AccountRegistry::~AccountRegistry() = default;

void AccountRegistry::registerClient(const QString &accountId, GatewayClient *client)
{
    m_clients.insert(accountId, QPointer<GatewayClient>(client));
    Q_EMIT registered(accountId);
}

void AccountRegistry::unregisterClient(const QString &accountId, const GatewayClient *client)
{
    const auto it = m_clients.find(accountId);
    if (it == m_clients.end())
        return;
    if (client && it.value() && it.value().data() != client)
        return;
    m_clients.erase(it);
    Q_EMIT unregistered(accountId);
}

GatewayClient *AccountRegistry::client(const QString &accountId) const
{
    return m_clients.value(accountId).data();
}

bool AccountRegistry::contains(const QString &accountId) const
{
    return client(accountId) != nullptr;
}

QStringList AccountRegistry::accountIds() const
{
    return m_clients.keys();
}

} // namespace gw
