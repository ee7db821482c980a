#include <QTest>
class tst_GatewayClient final : public QObject
{
    Q_OBJECT
};
QTEST_GUILESS_MAIN(tst_GatewayClient)
#include "tst_gatewayclient.moc"
