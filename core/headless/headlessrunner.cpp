#include "headlessrunner.h"

#include "accountmanager.h"
#include "eventlog.h"
#include "jsonlines.h"
#include "logging.h"
#include "metricsregistry.h"
#include "metricsserver.h"
#include "redactor.h"

#include <QCoreApplication>
#include <QFile>
#include <QHash>
#include <QJsonArray>
#include <QPointer>
#include <QSocketNotifier>
#include <QTimer>
#include <QUuid>

#include <csignal>
#include <cstdio>
#include <sys/socket.h>
#include <unistd.h>

using namespace std::chrono_literals;

namespace gw {

namespace {

//! Self-pipe for SIGINT/SIGTERM: the handler only write()s the signal number (async-signal-safe);
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
        m_installed = true;
        return true;
    }

    ~SignalWatcher()
    {
        if (!m_installed)
            return;
        ::sigaction(SIGINT, &m_oldInt, nullptr);
        ::sigaction(SIGTERM, &m_oldTerm, nullptr);
        m_notifier.reset();
        ::close(s_signalFds[0]);
        ::close(s_signalFds[1]);
        s_signalFds[0] = s_signalFds[1] = -1;
    }

private:
    std::unique_ptr<QSocketNotifier> m_notifier;
    struct sigaction m_oldInt = {};
    struct sigaction m_oldTerm = {};
    bool m_installed = false;
};

QString accountIdFor(const QString &name)
{
    static const QUuid ns(QStringLiteral("{6f1c9a52-7d0e-4d53-9a51-0c2b1e4f7a10}"));
    return QUuid::createUuidV5(ns, name).toString(QUuid::WithoutBraces);
}

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
    std::unique_ptr<AccountManager> manager;
    std::unique_ptr<MetricsRegistry> metrics;
    std::unique_ptr<MetricsServer> metricsServer;
    std::unique_ptr<EventLog> store;                 //!< config "database"; on this thread
    QHash<QString, quint64> acksSeen;                //!< per account, for heartbeat samples
    SignalWatcher signalWatcher;
    QTimer durationTimer;
    QTimer stopTimer;
    QHash<QString, AccountStatus> statuses;   // by account id
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

    void writeMonitor(EventKind kind, Severity severity, const QString &message, const QJsonObject &fields = {})
    {
        writeLine(JsonLines::formatMonitor(kind, severity, message, fields, &Redactor::global()));
        if (store && store->isOpen()) {
            EventLogEntry entry;
            entry.at = QDateTime::currentDateTimeUtc();
            entry.kind = kind;
            entry.severity = severity;
            entry.message = message;
            entry.fields = fields;
            store->append(entry);
        }
    }

    void reportError(HeadlessExit code, const QString &message)
    {
        const QString text = Redactor::global().redact(message);
        if (err) {
            err->write("gatewatch: " + text.toUtf8() + '\n');
            if (auto *file = qobject_cast<QFileDevice *>(err))
                file->flush();
        }
        writeMonitor(EventKind::Error, Severity::Error, text,
                     {{QStringLiteral("exit_code"), int(code)}});
    }

    void handleStatus(const AccountStatus &status)
    {
        statuses.insert(status.accountId, status);
        if (store && store->isOpen() && status.stats.lastLatency
            && status.stats.acksReceived > acksSeen.value(status.accountId)) {
            store->addHeartbeat(status.accountId, status.stats.lastAckAt.isValid() ? status.stats.lastAckAt
                                                                                 : QDateTime::currentDateTimeUtc(),
                                double(status.stats.lastLatency->count()));
        }
        acksSeen.insert(status.accountId, status.stats.acksReceived);
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

    void finish()
    {
        if (finished)
            return;
        finished = true;
        running = false;
        stopTimer.stop();
        durationTimer.stop();
        if (metricsServer)
            metricsServer->close();
        writeMonitor(EventKind::MonitorStopped, exitCode == HeadlessExit::Ok ? Severity::Info : Severity::Error,
                     QStringLiteral("Gatewatch headless stopped: %1").arg(stopReason),
                     {{QStringLiteral("reason"), stopReason}, {QStringLiteral("exit_code"), int(exitCode)}});
        if (store && store->isOpen()) {
            const auto flushed = store->flush();
            if (!flushed)
                qCWarning(lcApp).noquote() << "headless: the event store could not be flushed:" << flushed.error().message;
        }
        Q_EMIT q->finished(int(exitCode));
    }
};

HeadlessRunner::HeadlessRunner(HeadlessOptions options, QObject *parent)
    : QObject(parent)
    , d(std::make_unique<Private>())
{
    d->q = this;
    d->options = std::move(options);
    d->durationTimer.setSingleShot(true);
    d->durationTimer.setTimerType(Qt::PreciseTimer);  // --duration 1 must not end early (coarse: ±5%)
    d->stopTimer.setSingleShot(true);
    connect(&d->durationTimer, &QTimer::timeout, this, [this] {
        stop(HeadlessExit::Ok, QStringLiteral("--duration elapsed"));
    });
    connect(&d->stopTimer, &QTimer::timeout, this, [this] {
        qCWarning(lcApp) << "headless: sessions did not all close within" << d->options.stopTimeout.count() << "ms";
        d->finish();
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
    // Sessions close in AccountManager's destructor; no signal reaches us after this point.
    if (d->manager)
        disconnect(d->manager.get(), nullptr, this, nullptr);
}

Expected<bool, HeadlessExit> HeadlessRunner::start()
{
    if (d->running || d->finished)
        return HeadlessExit::InternalError;

    // --- config ---------------------------------------------------------------------------------
    if (d->options.config) {
        d->config = *d->options.config;
    } else {
        if (d->options.configPath.isEmpty()) {
            d->reportError(HeadlessExit::BadConfig, QStringLiteral("--headless needs --config FILE"));
            return HeadlessExit::BadConfig;
        }
        auto loaded = HeadlessConfig::load(d->options.configPath);
        if (!loaded) {
            d->reportError(HeadlessExit::BadConfig, loaded.error());
            return HeadlessExit::BadConfig;
        }
        d->config = loaded.value();
    }
    d->config.applyOverrides(d->options.gatewayUrl, d->options.apiBase);
    if (!d->options.metricsListen.isEmpty()) {
        d->config.metricsListen = d->options.metricsListen;
        d->config.metricsAllowNonLoopback = d->config.metricsAllowNonLoopback || d->options.metricsAllowNonLoopback;
    }

    QList<QString> tokens;
    for (const HeadlessAccountConfig &a : std::as_const(d->config.accounts)) {
        auto token = HeadlessConfig::readToken(a);
        if (!token) {
            d->reportError(HeadlessExit::BadConfig, token.error());
            return HeadlessExit::BadConfig;
        }
        Redactor::global().addToken(token->value);
        tokens.append(token->value);
    }

    // --- metrics ---------------------------------------------------------------------------------
    d->metrics = std::make_unique<MetricsRegistry>();
    d->metrics->setLabelFilter([](const QString &label) { return Redactor::global().redactMetricLabel(label); });
    if (d->config.metricsListen) {
        auto where = MetricsListenAddress::parse(*d->config.metricsListen);
        if (!where) {
            d->reportError(HeadlessExit::BadConfig, where.error());
            return HeadlessExit::BadConfig;
        }
        d->metricsServer = std::make_unique<MetricsServer>();
        MetricsRegistry *registry = d->metrics.get();
        d->metricsServer->setBodyProvider([registry] { return registry->exposition(); },
                                          MetricsRegistry::contentType());
        auto listening = d->metricsServer->listen(where.value(), d->config.metricsAllowNonLoopback);
        if (!listening) {
            const bool refused = !where->isLoopback() && !d->config.metricsAllowNonLoopback;
            const HeadlessExit code = refused ? HeadlessExit::BadConfig : HeadlessExit::StartupFailed;
            d->reportError(code, listening.error());
            return code;
        }
    }

    // --- event store -----------------------------------------------------------------------------
    if (!d->config.database.isEmpty()) {
        EventLogOptions storeOptions;
        storeOptions.redactor = [](const QString &text) { return Redactor::global().redact(text); };
        d->store = std::make_unique<EventLog>(d->config.database, storeOptions);
        const auto opened = d->store->open();
        if (!opened) {
            d->reportError(HeadlessExit::StartupFailed,
                           QStringLiteral("database: cannot open %1: %2").arg(d->config.database, opened.error().message));
            d->store.reset();
            return HeadlessExit::StartupFailed;
        }
    }

    // --- accounts --------------------------------------------------------------------------------
    d->manager = std::make_unique<AccountManager>(d->config.timings);
    connect(d->manager.get(), &AccountManager::eventLogged, this, [this](const EventLogEntry &entry) {
        if (d->finished)
            return;
        d->writeLine(JsonLines::format(entry, &Redactor::global()));
        if (d->store && d->store->isOpen())
            d->store->append(entry);
        if (d->metrics)
            d->metrics->recordEvent(entry);
    });
    connect(d->manager.get(), &AccountManager::statusChanged, this, [this](const AccountStatus &status) {
        if (!d->finished)
            d->handleStatus(status);
    });
    connect(d->manager.get(), &AccountManager::allStopped, this, [this] {
        if (d->stopping)
            d->finish();
    });

    if (d->options.handleSignals) {
        const bool installed = d->signalWatcher.install(this, [this](int signo) {
            const QString name = signo == SIGINT ? QStringLiteral("SIGINT") : QStringLiteral("SIGTERM");
            stop(HeadlessExit::Ok, name);
        });
        if (!installed)
            qCWarning(lcApp) << "headless: SIGINT/SIGTERM are already handled by another runner";
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
        const HeadlessAccountConfig &a = d->config.accounts.at(i);
        AccountRecord record;
        record.id = accountIdFor(a.name);
        record.name = a.name;
        record.intents = a.intents;
        record.gatewayUrlOverride = a.gatewayUrl;
        record.apiBaseOverride = a.apiBase;
        record.createdAt = QDateTime::currentDateTimeUtc();
        d->manager->add(record, tokens.at(i));
    }
    tokens.clear();

    if (d->options.duration)
        d->durationTimer.start(*d->options.duration);
    return true;
}

void HeadlessRunner::stop(HeadlessExit code, const QString &reason)
{
    if (!d->running || d->finished)
        return;
    if (d->stopping) {
        d->finish();  // asked twice: do not wait any longer
        return;
    }
    d->stopping = true;
    d->exitCode = code;
    d->stopReason = reason;
    d->durationTimer.stop();
    d->stopTimer.start(d->options.stopTimeout);
    d->manager->stopAll();
}

AccountManager *HeadlessRunner::manager() const
{
    return d->manager.get();
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
