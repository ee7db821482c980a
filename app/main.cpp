// gatewatch: the composition root. It parses the command line, builds the core objects and hands
// them to the GUI or the headless runner. It wires; it does not decide (docs/architecture.md):
// the account policy is MonitorApp's (core/runtime/monitorapp.h).

#include "accountstore.h"
#include "demoscenario.h"
#include "eventlog.h"
#include "guiapp.h"
#include "guioptions.h"
#include "headlessrunner.h"
#include "instanceguard.h"
#include "keychaintokenvault.h"
#include "logging.h"
#include "memorytokenvault.h"
#include "monitorapp.h"
#include "processhardening.h"
#include "redactor.h"
#include "resumestatestore.h"

#include <QAbstractItemView>
#include <QApplication>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QEvent>
#include <QFile>
#include <QEventLoop>
#include <QGuiApplication>
#include <QLocale>
#include <QMessageBox>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QThread>
#include <QTranslator>
#include <QTimer>
#include <QWidget>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <memory>
#include <optional>

#include <unistd.h>

namespace {

constexpr auto AppId = "io.github.gatewatch.Gatewatch";

void describeOptions(QCommandLineParser &parser)
{
    parser.setApplicationDescription(QCoreApplication::translate(
        "main", "Monitors Discord bot gateway connections: state, heartbeat latency, uptime, "
                "disconnect history and an exportable event log."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOptions({
        {QStringLiteral("demo"),
         QCoreApplication::translate("main", "Run the desktop app on a built-in gateway simulator with five demo bots.")},
        {QStringLiteral("demo-if-empty"),
         QCoreApplication::translate("main", "Run the demo when no bot account is configured yet.")},
        {QStringLiteral("minimized"),
         QCoreApplication::translate("main", "Start in the system tray (when there is one).")},
        {QStringLiteral("headless"),
         QCoreApplication::translate("main", "No window: JSON Lines events on stdout (needs --config).")},
        {QStringLiteral("config"),
         QCoreApplication::translate("main", "Headless configuration file (JSON; see gatewatch(1))."),
         QStringLiteral("FILE")},
        {QStringLiteral("gateway-url"),
         QCoreApplication::translate("main", "Headless: use this gateway URL for every account."), QStringLiteral("URL")},
        {QStringLiteral("api-base"),
         QCoreApplication::translate("main", "Headless: use this REST API base for every account."), QStringLiteral("URL")},
        {QStringLiteral("ca-file"),
         QCoreApplication::translate("main", "Headless: also trust the PEM CA certificates in PATH (wss://, https://)."),
         QStringLiteral("PATH")},
        {QStringLiteral("duration"),
         QCoreApplication::translate("main", "Headless: stop by itself after SECONDS."), QStringLiteral("SECONDS")},
        {QStringLiteral("metrics-listen"),
         QCoreApplication::translate("main", "Headless: serve Prometheus metrics on ADDR (host:port)."),
         QStringLiteral("ADDR")},
    });
}

bool wantsCoreApplication(int argc, char *argv[])
{
    for (int i = 1; i < argc; ++i) {
        const char *arg = argv[i];
        if (std::strcmp(arg, "--headless") == 0 || std::strcmp(arg, "--version") == 0
            || std::strcmp(arg, "-v") == 0 || std::strcmp(arg, "--help") == 0 || std::strcmp(arg, "-h") == 0)
            return true;
    }
    return false;
}

void setIdentity()
{
    QCoreApplication::setOrganizationName(QStringLiteral("Gatewatch"));
    QCoreApplication::setApplicationName(QStringLiteral("gatewatch"));
    QCoreApplication::setApplicationVersion(QStringLiteral(GATEWATCH_VERSION));
}

int runHeadlessMode(QCoreApplication &app, const QCommandLineParser &parser)
{
    gw::HeadlessOptions options;
    options.configPath = parser.value(QStringLiteral("config"));
    if (options.configPath.isEmpty()) {
        std::fputs("gatewatch: --headless needs --config FILE (see gatewatch --help)\n", stderr);
        return int(gw::HeadlessExit::BadConfig);
    }
    if (parser.isSet(QStringLiteral("gateway-url")))
        options.gatewayUrl = QUrl(parser.value(QStringLiteral("gateway-url")));
    if (parser.isSet(QStringLiteral("api-base")))
        options.apiBase = QUrl(parser.value(QStringLiteral("api-base")));
    options.caFile = parser.value(QStringLiteral("ca-file"));
    if (parser.isSet(QStringLiteral("duration"))) {
        const auto duration = gw::parseDurationSeconds(parser.value(QStringLiteral("duration")));
        if (!duration) {
            std::fprintf(stderr, "gatewatch: --duration: %s\n", qPrintable(duration.error()));
            return int(gw::HeadlessExit::BadConfig);
        }
        options.duration = duration.value();
    }
    options.metricsListen = parser.value(QStringLiteral("metrics-listen"));
    return gw::runHeadless(app, options);
}

//! Everything the desktop app runs on, owned here and destroyed in reverse order.
struct DesktopRuntime
{
    std::unique_ptr<gw::DemoScenario> demo;
    std::unique_ptr<QTemporaryDir> demoDir;
    QThread storeThread;
    gw::EventLog *eventLog = nullptr;  // lives on storeThread; deleted there
    std::unique_ptr<gw::MonitorApp> app;

    ~DesktopRuntime()
    {
        // Nothing may feed the store once it is gone: the application layer goes first.
        app.reset();
        if (eventLog) {
            QMetaObject::invokeMethod(eventLog, [log = eventLog] { delete log; }, Qt::BlockingQueuedConnection);
            eventLog = nullptr;
        }
        storeThread.quit();
        storeThread.wait();
    }
};

bool openEventLog(DesktopRuntime &rt, const QString &path)
{
    rt.storeThread.setObjectName(QStringLiteral("gatewatch-store"));
    rt.storeThread.start();
    gw::EventLogOptions options;
    options.checkAfterOpen = true;   // the window does not wait for a read of the whole file
    auto *log = new gw::EventLog(path, options);
    log->moveToThread(&rt.storeThread);
    bool ok = false;
    QString error;
    QMetaObject::invokeMethod(
        log,
        [log, &ok, &error] {
            const auto opened = log->open();
            ok = opened.hasValue();
            if (!ok)
                error = opened.error().message;
        },
        Qt::BlockingQueuedConnection);
    if (!ok) {
        qCWarning(lcApp).noquote() << "the event log could not be opened at" << path << ':' << error
                                   << "- history and export are unavailable this session";
        QMetaObject::invokeMethod(log, [log] { delete log; }, Qt::BlockingQueuedConnection);
        return false;
    }
    rt.eventLog = log;
    return true;
}

//! The demo never touches the user's accounts, keychain or history: its records, tokens and
//! event log live in a throwaway directory for this run only.
bool prepareDemo(DesktopRuntime &rt, gw::MonitorAppOptions &appOptions, gw::GuiOptions &options, QString &eventDbPath)
{
    rt.demo = std::make_unique<gw::DemoScenario>();
    if (!rt.demo->start()) {
        qCCritical(lcApp).noquote() << "the demo simulator could not start:" << rt.demo->errorString();
        return false;
    }
    rt.demoDir = std::make_unique<QTemporaryDir>();
    appOptions.store = std::make_unique<gw::AccountStore>(rt.demoDir->filePath(QStringLiteral("demo.conf")),
                                                          QSettings::IniFormat);
    appOptions.vault = std::make_unique<gw::MemoryTokenVault>();
    appOptions.timings = rt.demo->timings();
    eventDbPath = rt.demoDir->filePath(QStringLiteral("demo-events.sqlite"));
    options.demo = true;
    options.startStoredAccounts = false;
    options.defaultApiBase = rt.demo->simulator()->apiBase().toString();
    options.settingsPath = rt.demoDir->filePath(QStringLiteral("demo-ui.conf"));
    return true;
}

//! The profile's event database; its lock is the desktop's single-instance guard.
QString desktopEventDatabase()
{
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppDataLocation)).filePath(QStringLiteral("events.sqlite"));
}

void prepareDesktop(gw::MonitorAppOptions &appOptions, QString &eventDbPath)
{
    appOptions.vault = std::make_unique<gw::KeychainTokenVault>();
    const QString dataDir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    QDir().mkpath(dataDir);
    // A restart within Discord's resume window RESUMEs instead of spending IDENTIFYs: session id,
    // sequence and resume URL per account, never the token.
    appOptions.resumeState =
        std::make_shared<gw::ResumeStateStore>(QDir(dataDir).filePath(QStringLiteral("resume-state.ini")));
    eventDbPath = desktopEventDatabase();
}

//! One window per profile: a second launch raises the first one's window and exits. Returns the
//! exit code of this launch when it must not go on; `notice` gets what the window should say.
std::optional<int> claimProfile(gw::InstanceGuard &guard, QString &notice)
{
    using Outcome = gw::InstanceGuard::Outcome;
    const gw::InstanceGuard::Result r = guard.acquire();
    switch (r.outcome) {
    case Outcome::Primary:  // a stale lock's removal is logged by the guard, and shown
        notice = r.message;
        return std::nullopt;
    case Outcome::Failed:
        notice = r.message;
        std::fprintf(stderr, "gatewatch: %s A second launch on this profile will not be noticed.\n", qPrintable(r.message));
        return std::nullopt;
    case Outcome::AlreadyRunning:
        break;
    }
    if (guard.activatePrimary(std::chrono::seconds(3))) {
        std::fprintf(stderr, "gatewatch: %s Its window was brought to the front.\n", qPrintable(r.message));
        return 0;
    }
    const QString text = QCoreApplication::translate("main", "%1 It does not answer. If no Gatewatch is running, "
                                                             "delete %2 and start again.")
                             .arg(r.message, guard.lockFilePath());
    std::fprintf(stderr, "gatewatch: %s\n", qPrintable(text));
    QMessageBox::warning(nullptr, QCoreApplication::translate("main", "Gatewatch"), text);
    return 1;
}

int runDesktop(QApplication &app, const QCommandLineParser &parser)
{
    QGuiApplication::setDesktopFileName(QString::fromLatin1(AppId));

    DesktopRuntime rt;
    gw::MonitorAppOptions appOptions;
    gw::GuiOptions options;
    options.startMinimized = parser.isSet(QStringLiteral("minimized"));
    QString eventDbPath;
    bool demo = parser.isSet(QStringLiteral("demo"));
    std::unique_ptr<gw::InstanceGuard> instance;  // the demo's profile is a throwaway directory
    if (!demo) {
        instance = std::make_unique<gw::InstanceGuard>(desktopEventDatabase());
        if (const auto exitCode = claimProfile(*instance, options.startupNotice))
            return *exitCode;
        options.instance = instance.get();
        appOptions.store = std::make_unique<gw::AccountStore>();
        demo = parser.isSet(QStringLiteral("demo-if-empty")) && appOptions.store->count() == 0;
    }
    if (demo) {
        if (!prepareDemo(rt, appOptions, options, eventDbPath))
            return 1;
    } else {
        prepareDesktop(appOptions, eventDbPath);
    }
    if (openEventLog(rt, eventDbPath)) {
        appOptions.eventLog = rt.eventLog;
        options.eventLog = rt.eventLog;
        options.eventDatabasePath = eventDbPath;
    }
    rt.app = std::make_unique<gw::MonitorApp>(std::move(appOptions));
    rt.app->recordMonitorStarted(demo ? QStringLiteral("demo") : QStringLiteral("desktop"));
    if (demo) {
        for (const gw::DemoScenario::Bot &bot : rt.demo->bots())
            rt.app->monitorSessionAccount(
                gw::unsavedAccountRecord(bot.name, bot.intents, bot.gatewayUrl, bot.apiBase, bot.id), bot.token);
    }

    options.app = rt.app.get();
    const int code = gw::runGui(app, options);

    // Close every session (1000) before the store goes, so the last rows are recorded.
    QEventLoop stopping;
    QObject::connect(rt.app.get(), &gw::MonitorApp::stopped, &stopping, &QEventLoop::quit);
    rt.app->stop(std::chrono::seconds(5));  // never hang on quit
    stopping.exec();
    rt.app->recordMonitorStopped(QStringLiteral("quit"));
    return code;
}

//! Benchmark hook (docs/performance.md, "Start-up"): when GATEWATCH_EXIT_AFTER_FIRST_PAINT is set,
//! prints "first-paint-ms N" (process start → first paint event of the main window) on stdout,
//! then "first-rows-ms N (R rows)" at the first paint of the event log's table while it has rows (or
//! "first-rows-ms none" when none came within 10 s of the first paint), and quits. The variable's value may be the launch time in ns since the epoch (`date +%s%N`);
//! otherwise the kernel's process start time is used (10 ms resolution).
class FirstPaintProbe final : public QObject
{
    Q_DISABLE_COPY_MOVE(FirstPaintProbe)

public:
    explicit FirstPaintProbe(QObject *parent)
        : QObject(parent)
    {
        bool ok = false;
        const qint64 launchNs = qEnvironmentVariable("GATEWATCH_EXIT_AFTER_FIRST_PAINT").toLongLong(&ok);
        if (ok && launchNs > 0) {
            m_startNs = launchNs;
            m_clock = CLOCK_REALTIME;
        } else {
            QFile stat(QStringLiteral("/proc/self/stat"));
            if (stat.open(QIODevice::ReadOnly)) {
                const QByteArray line = stat.readAll();
                const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
                const qint64 ticks = fields.value(19).toLongLong();  // field 22: starttime
                m_startNs = ticks * (1000000000 / sysconf(_SC_CLK_TCK));
            }
            m_clock = CLOCK_BOOTTIME;
        }
    }

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (!m_done && event->type() == QEvent::Paint && watched->isWidgetType()
            && static_cast<QWidget *>(watched)->window()->inherits("gw::MainWindow")) {
            m_done = true;
            std::printf("first-paint-ms %.1f\n", double(elapsedNs()) / 1e6);
            std::fflush(stdout);
            QTimer::singleShot(10'000, qApp, [] {
                std::printf("first-rows-ms none\n");
                QCoreApplication::quit();
            });
        }
        if (m_done && !m_rowsDone && event->type() == QEvent::Paint && watched->parent()
            && watched->parent()->objectName() == QLatin1String("eventView")) {
            const auto *view = qobject_cast<const QAbstractItemView *>(watched->parent());
            if (view && view->model() && view->model()->rowCount() > 0) {
                m_rowsDone = true;
                std::printf("first-rows-ms %.1f (%d rows)\n", double(elapsedNs()) / 1e6, view->model()->rowCount());
                std::fflush(stdout);
                QTimer::singleShot(0, qApp, &QCoreApplication::quit);
            }
        }
        return false;
    }

    qint64 elapsedNs() const
    {
        timespec now{};
        clock_gettime(m_clock, &now);
        return qint64(now.tv_sec) * 1000000000 + now.tv_nsec - m_startNs;
    }

private:
    qint64 m_startNs = 0;
    clockid_t m_clock = CLOCK_REALTIME;
    bool m_done = false;
    bool m_rowsDone = false;
};

} // namespace

int main(int argc, char *argv[])
{
    // First thing, before any token is read: no core dumps, the open-file limit raised.
    const gw::ProcessHardening hardening = gw::hardenProcess();
    // Every log line from here on passes the token redactor and has its control characters
    // escaped; each begins with "[gatewatch", so none can pass for a JSON Lines event.
    gw::installRedactingMessageHandler();
    qSetMessagePattern(QStringLiteral("[gatewatch %{type}] %{if-category}%{category}: %{endif}%{message}"));
    if (!hardening.problem.isEmpty())
        qCWarning(lcApp, "process limits not fully set: %s", qPrintable(hardening.problem));
    setIdentity();

    if (wantsCoreApplication(argc, argv)) {
        QCoreApplication app(argc, argv);
        QCommandLineParser parser;
        describeOptions(parser);
        parser.process(app);  // handles --help and --version (prints "gatewatch 0.1.0")
        return runHeadlessMode(app, parser);
    }

    QApplication app(argc, argv);
    if (qEnvironmentVariableIsSet("GATEWATCH_EXIT_AFTER_FIRST_PAINT"))
        app.installEventFilter(new FirstPaintProbe(&app));
    // User-visible strings come from the catalogue built into gatewatch_ui (:/i18n).
    QTranslator translator;
    if (translator.load(QLocale(), QStringLiteral("gatewatch"), QStringLiteral("_"), QStringLiteral(":/i18n")))
        QCoreApplication::installTranslator(&translator);
    QCommandLineParser parser;
    describeOptions(parser);
    parser.process(app);
    if (!parser.positionalArguments().isEmpty()) {
        std::fputs("gatewatch: unexpected arguments (see gatewatch --help)\n", stderr);
        return 2;
    }
    return runDesktop(app, parser);
}
