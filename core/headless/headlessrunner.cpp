#include "headlessrunner.h"

#include "accountmanager.h"
#include "eventlog.h"
#include "eventrecorder.h"
#include "headlessreload.h"
#include "instanceguard.h"
#include "jsonlines.h"
#include "logging.h"
#include "metricsregistry.h"
#include "metricsserver.h"
#include "tlstrust.h"
#include "monitorapp.h"
#include "redactor.h"
#include "resumestatestore.h"
#include "storereporting.h"
#include "textsafety.h"

#include <QCoreApplication>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QHash>
#include <QJsonArray>
#include <QPointer>
#include <QSocketNotifier>
#include <QTimer>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

using namespace std::chrono_literals;

namespace gw {

namespace {

//! Self-pipe for SIGINT/SIGTERM/SIGHUP: the handler only write()s the signal number (async-signal-safe);
//! a QSocketNotifier on the other end brings it to the event loop.
int s_signalFds[2] = {-1, -1};

extern "C" void headlessSignalHandler(int signo)
{
    const char byte = char(signo);
    if (s_signalFds[0] >= 0) {
        const ssize_t n = ::write(s_signalFds[0], &byte, 1);
        (void)n;
    }
}

class SignalWatcher final
{
public:
    SignalWatcher() = default;
    Q_DISABLE_COPY_MOVE(SignalWatcher)

    bool install(QObject *context, std::function<void(int)> onSignal)
    {
        if (s_signalFds[0] >= 0)
            return false;  // another runner owns the signals
        if (::socketpair(AF_UNIX, SOCK_STREAM, 0, s_signalFds) != 0)
            return false;
        m_notifier = std::make_unique<QSocketNotifier>(s_signalFds[1], QSocketNotifier::Read);
        QObject::connect(m_notifier.get(), &QSocketNotifier::activated, context, [this, onSignal] {
            char byte = 0;
            if (::read(s_signalFds[1], &byte, 1) == 1)
                onSignal(int(byte));
        });
        struct sigaction sa = {};
        sa.sa_handler = headlessSignalHandler;
        sigemptyset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        ::sigaction(SIGINT, &sa, &m_oldInt);
        ::sigaction(SIGTERM, &sa, &m_oldTerm);
        ::sigaction(SIGHUP, &sa, &m_oldHup);
        m_installed = true;
        return true;
    }

    ~SignalWatcher()
    {
        if (!m_installed)
            return;
        ::sigaction(SIGINT, &m_oldInt, nullptr);
        ::sigaction(SIGTERM, &m_oldTerm, nullptr);
        ::sigaction(SIGHUP, &m_oldHup, nullptr);
        m_notifier.reset();
        ::close(s_signalFds[0]);
        ::close(s_signalFds[1]);
        s_signalFds[0] = s_signalFds[1] = -1;
    }

private:
    std::unique_ptr<QSocketNotifier> m_notifier;
    struct sigaction m_oldInt = {};
    struct sigaction m_oldTerm = {};
    struct sigaction m_oldHup = {};
    bool m_installed = false;
};

} // namespace

class HeadlessRunner::Private
{
public:
    HeadlessRunner *q = nullptr;
    HeadlessOptions options;
    HeadlessConfig config;
    QFile stdoutFile;
    QFile stderrFile;
    QIODevice *out = nullptr;
    QIODevice *err = nullptr;
    std::unique_ptr<MetricsRegistry> metrics;
    std::unique_ptr<MetricsServer> metricsServer;
    std::unique_ptr<InstanceGuard> storeLock;        //!< held while `store` is open
    std::unique_ptr<EventLog> store;                 //!< config "database"; on this thread
    std::unique_ptr<MonitorApp> app;                 //!< declared after `store`: goes first
    SignalWatcher signalWatcher;
    QTimer durationTimer;
    QDeadlineTimer durationDeadline;  // --duration may exceed what one QTimer counts (24.8 days)

    //! Arms the next leg of --duration: what is left, at most a day per leg.
    void armDuration()
    {
        const qint64 left = std::max<qint64>(0, durationDeadline.remainingTime());
        durationTimer.start(int(std::min<qint64>(left, 24LL * 3600 * 1000)));
    }
    QHash<QString, AccountStatus> statuses;   // by account id
    QHash<QString, QByteArray> tokenDigests;  // by account id: what a reload compares tokens with
    bool running = false;
    bool stopping = false;
    bool finished = false;
    HeadlessExit exitCode = HeadlessExit::Ok;
    QString stopReason;

    void writeLine(const QByteArray &line)
    {
        if (!out)
            return;
        out->write(line);
        out->write("\n", 1);
        if (auto *file = qobject_cast<QFileDevice *>(out))
            file->flush();
    }

    //! A row about the monitor itself: a JSON line, and a row in the store when there is one.
    void writeMonitor(EventKind kind, Severity severity, const QString &message, const QJsonObject &fields = {})
    {
        writeLine(JsonLines::formatMonitor(kind, severity, message, fields));
        if (app)
            app->recordMonitorEvent(EventRecorder::monitorEntry(kind, severity, message, fields));
    }

    //! A "gatewatch: " line on stderr, redacted and escaped; returns the text written.
    QString writeDiagnostic(const QString &message)
    {
        const QString text = escapeControls(redactText(message));
        if (err) {
            err->write("gatewatch: " + text.toUtf8() + '\n');
            if (auto *file = qobject_cast<QFileDevice *>(err))
                file->flush();
        }
        return text;
    }

    //! stderr, and an `error` line (and row) with `fields`.
    void reportProblem(const QString &message, const QJsonObject &fields)
    {
        writeMonitor(EventKind::Error, Severity::Error, writeDiagnostic(message), fields);
    }

    void reportError(HeadlessExit code, const QString &message)
    {
        reportProblem(message, {{QStringLiteral("exit_code"), int(code)}});
    }

    //! A refused reload: reported, nothing changed, the exit code untouched.
    QString refuseReload(const QString &reason);
    void applyReload(const HeadlessReloadPlan &plan, const QList<HeadlessToken> &tokens);
    //! The command line's overrides, at start and on every reload.
    void applyCommandLine(HeadlessConfig &c) const;

    [[nodiscard]] bool isMonitored(const QString &accountId) const
    {
        return app && app->manager()->status(accountId).has_value();
    }

    void handleEvent(const EventLogEntry &entry)
    {
        if (finished)
            return;
        writeLine(JsonLines::format(entry));
        // The last lines of an account a reload removed (its close) are written, not counted.
        if (metrics && isMonitored(entry.accountId))
            metrics->recordEvent(entry);
    }

    void handleStatus(const AccountStatus &status)
    {
        if (finished || !isMonitored(status.accountId))
            return;
        statuses.insert(status.accountId, status);
        if (metrics)
            metrics->updateStatus(status);
        if (stopping || statuses.size() < config.accounts.size())
            return;
        for (const AccountStatus &s : std::as_const(statuses)) {
            // Failed with a restart pending is not final (AccountManager restarts lifecycle give-ups).
            if (s.state != ConnectionState::Failed || s.nextAttemptAt.isValid())
                return;
        }
        q->stop(HeadlessExit::AllFailed, QStringLiteral("every account failed"));
    }

    Expected<bool, HeadlessExit> loadConfig();
    Expected<QList<HeadlessToken>, HeadlessExit> readTokens();
    Expected<bool, HeadlessExit> startMetrics();
    Expected<bool, HeadlessExit> openStore();
    void startApp();

    void finish()
    {
        if (finished)
            return;
        finished = true;
        running = false;
        durationTimer.stop();
        if (metricsServer)
            metricsServer->close();
        const Severity severity = exitCode == HeadlessExit::Ok ? Severity::Info : Severity::Error;
        const QString message = QStringLiteral("Gatewatch headless stopped: %1").arg(stopReason);
        const QJsonObject fields{{QStringLiteral("reason"), stopReason}, {QStringLiteral("exit_code"), int(exitCode)}};
        writeLine(JsonLines::formatMonitor(EventKind::MonitorStopped, severity, message, fields));
        app->recordMonitorStopped(EventRecorder::monitorEntry(EventKind::MonitorStopped, severity, message, fields));
        Q_EMIT q->finished(int(exitCode));
    }
};

Expected<bool, HeadlessExit> HeadlessRunner::Private::loadConfig()
{
    if (options.config) {
        config = *options.config;
    } else {
        if (options.configPath.isEmpty()) {
            reportError(HeadlessExit::BadConfig, QStringLiteral("--headless needs --config FILE"));
            return HeadlessExit::BadConfig;
        }
        auto loaded = HeadlessConfig::load(options.configPath);
        if (!loaded) {
            reportError(HeadlessExit::BadConfig, loaded.error());
            return HeadlessExit::BadConfig;
        }
        config = loaded.value();
    }
    applyCommandLine(config);
    if (!options.caFile.isEmpty()) {
        const auto cas = loadCaFile(options.caFile);
        if (!cas) {
            reportError(HeadlessExit::BadConfig, cas.error());
            return HeadlessExit::BadConfig;
        }
        trustExtraCaCertificates(*cas);
    }
    return true;
}

void HeadlessRunner::Private::applyCommandLine(HeadlessConfig &c) const
{
    c.applyOverrides(options.gatewayUrl, options.apiBase);
    if (!options.metricsListen.isEmpty()) {
        c.metricsListen = options.metricsListen;
        c.metricsAllowNonLoopback = c.metricsAllowNonLoopback || options.metricsAllowNonLoopback;
    }
}

Expected<QList<HeadlessToken>, HeadlessExit> HeadlessRunner::Private::readTokens()
{
    // The tokens are registered with the redactor when MonitorApp keeps them for the session;
    // until then they are only in this list.
    auto tokens = config.readTokens();
    if (!tokens) {
        reportError(HeadlessExit::BadConfig, tokens.error());
        return HeadlessExit::BadConfig;
    }
    return tokens.value();
}

Expected<bool, HeadlessExit> HeadlessRunner::Private::startMetrics()
{
    metrics = std::make_unique<MetricsRegistry>();
    if (!config.metricsListen)
        return true;
    auto where = MetricsListenAddress::parse(*config.metricsListen);
    if (!where) {
        reportError(HeadlessExit::BadConfig, where.error());
        return HeadlessExit::BadConfig;
    }
    metricsServer = std::make_unique<MetricsServer>();
    MetricsRegistry *registry = metrics.get();
    metricsServer->setBodyProvider([registry] { return registry->exposition(); }, MetricsRegistry::contentType());
    auto listening = metricsServer->listen(where.value(), config.metricsAllowNonLoopback);
    if (!listening) {
        const bool refused = !where->isLoopback() && !config.metricsAllowNonLoopback;
        const HeadlessExit code = refused ? HeadlessExit::BadConfig : HeadlessExit::StartupFailed;
        reportError(code, listening.error());
        return code;
    }
    return true;
}

Expected<bool, HeadlessExit> HeadlessRunner::Private::openStore()
{
    if (config.database.isEmpty())
        return true;
    // One process per database: the lock the desktop holds as its single-instance guard.
    storeLock = std::make_unique<InstanceGuard>(config.database);
    const InstanceGuard::Result locked = storeLock->acquire(InstanceGuard::Activation::None);
    if (locked.outcome != InstanceGuard::Outcome::Primary) {
        reportError(HeadlessExit::StartupFailed, locked.message);
        storeLock.reset();
        return HeadlessExit::StartupFailed;
    }
    EventLogOptions storeOptions;
    if (options.adjustStore)
        options.adjustStore(storeOptions);
    store = std::make_unique<EventLog>(config.database, storeOptions);
    const auto opened = store->open();
    if (!opened) {
        reportError(HeadlessExit::StartupFailed,
                    QStringLiteral("database: cannot open %1: %2").arg(config.database, opened.error().message));
        store.reset();
        storeLock.reset();
        return HeadlessExit::StartupFailed;
    }
    return true;
}

void HeadlessRunner::Private::startApp()
{
    MonitorAppOptions appOptions;
    appOptions.timings = config.timings;
    appOptions.eventLog = store.get();
    const QString resumeFile = options.resumeStateFile.isEmpty() ? headlessResumeStateFile(config.database)
                                                                 : options.resumeStateFile;
    if (!QDir().mkpath(QFileInfo(resumeFile).absolutePath()))
        qCWarning(lcApp).noquote() << "headless: cannot create the directory of" << resumeFile;
    appOptions.resumeState = std::make_shared<ResumeStateStore>(resumeFile);
    app = std::make_unique<MonitorApp>(std::move(appOptions));
    AccountManager *manager = app->manager();
    QObject::connect(manager, &AccountManager::eventLogged, q, [this](const EventLogEntry &e) { handleEvent(e); });
    QObject::connect(manager, &AccountManager::statusChanged, q, [this](const AccountStatus &s) { handleStatus(s); });
    QObject::connect(app.get(), &MonitorApp::stopped, q, [this] { finish(); });
    connectStoreReporting(app->storeHealth(), metrics.get(), q,
                          [this](Severity severity, const QString &message, const QJsonObject &fields) {
                              if (!finished)
                                  writeLine(JsonLines::formatMonitor(EventKind::Error, severity, message, fields));
                          });
}

HeadlessRunner::HeadlessRunner(HeadlessOptions options, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->q = this;
    d->options = std::move(options);
    d->durationTimer.setSingleShot(true);
    d->durationTimer.setTimerType(Qt::PreciseTimer);  // --duration 1 must not end early (coarse: ±5%)
    connect(&d->durationTimer, &QTimer::timeout, this, [this] {
        if (d->durationDeadline.hasExpired())
            stop(HeadlessExit::Ok, QStringLiteral("--duration elapsed"));
        else
            d->armDuration();
    });

    if (d->options.output) {
        d->out = d->options.output;
    } else if (d->stdoutFile.open(stdout, QIODevice::WriteOnly | QIODevice::Unbuffered)) {
        d->out = &d->stdoutFile;
    }
    if (d->options.diagnostics) {
        d->err = d->options.diagnostics;
    } else if (d->stderrFile.open(stderr, QIODevice::WriteOnly | QIODevice::Unbuffered)) {
        d->err = &d->stderrFile;
    }
}

HeadlessRunner::~HeadlessRunner()
{
    // Sessions close in AccountManager's destructor (inside MonitorApp's); no signal reaches us
    // after this point.
    if (d->app) {
        disconnect(d->app->manager(), nullptr, this, nullptr);
        disconnect(d->app.get(), nullptr, this, nullptr);
    }
}

Expected<bool, HeadlessExit> HeadlessRunner::start()
{
    if (d->running || d->finished)
        return HeadlessExit::InternalError;
    if (auto ok = d->loadConfig(); !ok)
        return ok.error();
    auto tokens = d->readTokens();
    if (!tokens)
        return tokens.error();
    if (auto ok = d->startMetrics(); !ok)
        return ok.error();
    if (auto ok = d->openStore(); !ok)
        return ok.error();
    d->startApp();

    if (d->options.handleSignals) {
        const bool installed = d->signalWatcher.install(this, [this](int signo) {
            if (signo == SIGHUP) {
                (void)reload();  // reports itself; a refused file changes nothing
                return;
            }
            const QString name = signo == SIGINT ? QStringLiteral("SIGINT") : QStringLiteral("SIGTERM");
            stop(HeadlessExit::Ok, name);
        });
        if (!installed)
            qCWarning(lcApp) << "headless: SIGINT/SIGTERM/SIGHUP are already handled by another runner";
    }

    d->running = true;
    QJsonArray names;
    for (const HeadlessAccountConfig &a : std::as_const(d->config.accounts))
        names.append(a.name);
    QJsonObject fields{{QStringLiteral("accounts"), names},
                       {QStringLiteral("version"), QStringLiteral(GATEWATCH_VERSION)}};
    if (d->metricsServer)
        fields.insert(QStringLiteral("metrics_port"), d->metricsServer->serverPort());
    d->writeMonitor(EventKind::MonitorStarted, Severity::Info,
                    QStringLiteral("Gatewatch headless started with %1 account(s)").arg(d->config.accounts.size()),
                    fields);

    for (qsizetype i = 0; i < d->config.accounts.size(); ++i) {
        const AccountRecord record = headlessAccountRecord(d->config.accounts.at(i));
        d->tokenDigests.insert(record.id, headlessTokenDigest(tokens->at(i).value));
        d->app->monitorSessionAccount(record, tokens->at(i).value);
    }

    if (d->options.duration) {
        d->durationDeadline = QDeadlineTimer(*d->options.duration, Qt::PreciseTimer);
        d->armDuration();
    }
    return true;
}

void HeadlessRunner::stop(HeadlessExit code, const QString &reason)
{
    if (!d->running || d->finished)
        return;
    if (!d->stopping) {
        d->stopping = true;
        d->exitCode = code;
        d->stopReason = reason;
        d->durationTimer.stop();
    }
    d->app->stop(d->options.stopTimeout);  // a second call ends the wait at once
}

Expected<HeadlessReload, QString> HeadlessRunner::reload()
{
    if (!d->running || d->stopping)
        return QStringLiteral("not running");  // stopping or stopped: nothing is written any more
    if (d->options.config)
        return d->refuseReload(QStringLiteral("the config was given in-process, not as a file, so there is no file "
                                              "to read again"));
    auto loaded = HeadlessConfig::load(d->options.configPath);
    if (!loaded)
        return d->refuseReload(loaded.error());
    return reloadWith(std::move(loaded.value()));
}

Expected<HeadlessReload, QString> HeadlessRunner::reloadWith(HeadlessConfig config)
{
    if (!d->running || d->stopping)
        return QStringLiteral("not running");
    d->applyCommandLine(config);
    // What start() would refuse is refused here too, even a setting that changes only at a restart.
    if (config.metricsListen) {
        if (auto where = MetricsListenAddress::parse(*config.metricsListen); !where)
            return d->refuseReload(where.error());
    }
    auto tokens = config.readTokens();
    if (!tokens)
        return d->refuseReload(tokens.error());
    const HeadlessReloadPlan plan = planHeadlessReload(d->config, d->tokenDigests, config, tokens.value());
    d->applyReload(plan, tokens.value());
    return plan.report;
}

QString HeadlessRunner::Private::refuseReload(const QString &reason)
{
    const QString text = escapeControls(redactText(reason));
    reportProblem(QStringLiteral("config reload failed, the running config stays: %1").arg(text),
                  {{QStringLiteral("error_kind"), QStringLiteral("config_reload_failed")}, {QStringLiteral("reason"), text}});
    return text;
}

void HeadlessRunner::Private::applyReload(const HeadlessReloadPlan &plan, const QList<HeadlessToken> &tokens)
{
    applyHeadlessReload(plan, config, tokens, {*app, metrics.get(), tokenDigests, q});
    statuses.removeIf([this](QHash<QString, AccountStatus>::iterator it) { return !isMonitored(it.key()); });
    config = plan.config;
    const QString summary = writeDiagnostic(plan.report.summary());
    QJsonObject fields = plan.report.fields();
    writeLine(JsonLines::formatMonitor(QStringLiteral("config_reloaded"), Severity::Info, summary, fields));
    // The store has no row kind of its own for a reload: it is the operator's action.
    fields.insert(QStringLiteral("action"), QStringLiteral("config_reload"));
    app->recordMonitorEvent(EventRecorder::monitorEntry(EventKind::UserAction, Severity::Info, summary, fields));
}

AccountManager *HeadlessRunner::manager() const
{
    return d->app ? d->app->manager() : nullptr;
}

MetricsRegistry *HeadlessRunner::metrics() const
{
    return d->metrics.get();
}

quint16 HeadlessRunner::metricsPort() const
{
    return d->metricsServer ? d->metricsServer->serverPort() : 0;
}

bool HeadlessRunner::isRunning() const
{
    return d->running;
}

QString headlessResumeStateFile(const QString &database)
{
    if (!database.isEmpty()) {
        const QFileInfo db(database);
        return db.dir().filePath(db.completeBaseName() + QStringLiteral(".resume-state.ini"));
    }
    QString stateHome = qEnvironmentVariable("XDG_STATE_HOME");
    if (stateHome.isEmpty() || QDir::isRelativePath(stateHome))  // the XDG spec ignores relative ones
        stateHome = QDir::home().filePath(QStringLiteral(".local/state"));
    return QDir(stateHome).filePath(QStringLiteral("gatewatch/headless-resume-state.ini"));
}

int runHeadless(QCoreApplication &app, const HeadlessOptions &options)
{
    HeadlessRunner runner(options);
    int code = int(HeadlessExit::Ok);
    QObject::connect(&runner, &HeadlessRunner::finished, &app, [&app, &code](int exitCode) {
        code = exitCode;
        app.exit(exitCode);
    });
    auto started = runner.start();
    if (!started)
        return int(started.error());
    app.exec();
    return code;
}

} // namespace gw
