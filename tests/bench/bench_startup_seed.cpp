// Start-up benchmark helper: configures N accounts for the start-up benchmark, as the app would find them:
// records in the application's default settings (AccountStore(), i.e. QSettings of
// "Gatewatch"/"gatewatch" under $HOME/.config) and tokens in the system keychain
// (KeychainTokenVault, service "gatewatch"). Run it inside scripts/with-keyring.sh with a
// throwaway HOME, then launch `gatewatch` with GATEWATCH_EXIT_AFTER_FIRST_PAINT set in the same
// keyring session (scripts/bench.sh does both).
//
//   bench_startup_seed --count 20 --gateway ws://127.0.0.1:P --api http://127.0.0.1:Q/api/v10 [--events N]
//
// --events N also writes N lifecycle events (eventstream.h) into the app's default event log
// (events.sqlite in the app data directory, as app/main.cpp finds it), ending now.
#include "accountstore.h"
#include "benchsupport.h"
#include "eventstream.h"
#include "keychaintokenvault.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QStandardPaths>

using namespace gw;
using namespace std::chrono_literals;

int main(int argc, char **argv)
{
    QCoreApplication::setOrganizationName(QStringLiteral("Gatewatch"));
    QCoreApplication::setApplicationName(QStringLiteral("gatewatch"));
    QCoreApplication app(argc, argv);
    int count = 20;
    qint64 events = 0;
    QUrl gateway, api;
    const QStringList args = app.arguments();
    for (int i = 1; i + 1 < args.size(); i += 2) {
        if (args[i] == QLatin1String("--count"))
            count = args[i + 1].toInt();
        else if (args[i] == QLatin1String("--gateway"))
            gateway = QUrl(args[i + 1]);
        else if (args[i] == QLatin1String("--api"))
            api = QUrl(args[i + 1]);
        else if (args[i] == QLatin1String("--events"))
            events = args[i + 1].toLongLong();
    }
    if (events > 0) {
        const QString path =
            QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("events.sqlite"));
        EventLogOptions options;
        options.maintenanceInterval = 0ms;
        EventLog log(path, options);
        if (!log.open()) {
            std::fprintf(stderr, "cannot open %s\n", qPrintable(path));
            return 1;
        }
        QElapsedTimer t;
        t.start();
        const qint64 n = gwbench::fillLog(log, events, QDateTime::currentMSecsSinceEpoch() - events * 7 - 60'000);
        std::printf("%lld events in %s (%.1f s)\n", static_cast<long long>(n), qPrintable(path), double(t.elapsed()) / 1e3);
    }
    AccountStore store;
    KeychainTokenVault vault;
    int written = 0, failed = 0;
    for (int i = 0; i < count; ++i) {
        AccountRecord record;
        record.name = QStringLiteral("startup-bot-%1").arg(i, 2, 10, QLatin1Char('0'));
        record.gatewayUrlOverride = gateway;
        record.apiBaseOverride = api;
        const auto added = store.add(record);
        if (!added) {
            std::fprintf(stderr, "store: %s\n", qPrintable(added.error().message));
            return 1;
        }
        vault.writeToken(added->id, QStringLiteral("startup-token-%1").arg(i), &app,
                         [&](const std::optional<VaultError> &error) {
                             if (error) {
                                 ++failed;
                                 std::fprintf(stderr, "keychain: %s\n", qPrintable(error->message));
                             } else {
                                 ++written;
                             }
                         });
    }
    gwbench::waitUntil([&] { return written + failed == count; }, 60s, 10ms);
    std::printf("%d accounts in %s, %d tokens in the keychain\n", store.count(), qPrintable(store.fileName()), written);
    return failed == 0 && written == count ? 0 : 1;
}
