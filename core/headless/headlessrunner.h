#pragma once

#include "expected.h"
#include "headlessconfig.h"
#include "headlessreload.h"

#include <QObject>
#include <QString>
#include <QUrl>

#include <chrono>
#include <functional>
#include <memory>
#include <optional>

class QCoreApplication;
class QIODevice;

namespace gw {

class AccountManager;
struct EventLogOptions;
class MetricsRegistry;

//! Exit codes of `gatewatch --headless` (docs/headless.md, "Exit codes").
enum class HeadlessExit : int {
    Ok = 0,              //!< stopped by SIGINT/SIGTERM, --duration, or stop()
    InternalError = 1,   //!< an unexpected failure (a bug)
    BadConfig = 2,       //!< usage or config error: unreadable/invalid file, inline token, token
                         //!< file readable by others, missing env var, bad --metrics-listen
    AllFailed = 3,       //!< every account ended `failed` (4004, 4014, …): a person must act
    StartupFailed = 4,   //!< the config is fine but a resource is not: /metrics port in use,
                         //!< database cannot be opened or is in use by another process
};

//! What `gatewatch --headless` gets from its command line, plus what in-process callers (tests,
//! the demo) need. app/main.cpp fills configPath, the overrides, duration and metricsListen.
struct HeadlessOptions
{
    QString configPath;                    //!< --config FILE (ignored when `config` is set)
    std::optional<HeadlessConfig> config;  //!< in-process: an already parsed config
    QUrl gatewayUrl;                       //!< --gateway-url: overrides every account
    QUrl apiBase;                          //!< --api-base: overrides every account
    //! --ca-file PATH: PEM CA certificates trusted besides the system's for wss:// and https://
    //! (loadCaFile, trustExtraCaCertificates: process-wide, before the first connection).
    QString caFile;
    std::optional<std::chrono::milliseconds> duration;  //!< --duration S: stop by itself (exit 0)
    QString metricsListen;                 //!< --metrics-listen ADDR: overrides metrics.listen
    bool metricsAllowNonLoopback = false;  //!< with --metrics-listen on a non-loopback address
    QIODevice *output = nullptr;           //!< JSON Lines sink (open for writing); nullptr: stdout
    QIODevice *diagnostics = nullptr;      //!< human-readable errors; nullptr: stderr
    //! SIGINT/SIGTERM → graceful stop, SIGHUP → reload() (one runner at a time)
    bool handleSignals = true;
    std::chrono::milliseconds stopTimeout{5000};  //!< max wait for every session to close
    //! The resume-state file (a restart within Discord's resume window RESUMEs); empty: the
    //! default of headlessResumeStateFile(). In-process callers (tests) give each run its own.
    QString resumeStateFile;
    //! In-process callers (tests): adjusts the event store's options before it opens (e.g. a
    //! faster retry, or EventLogOptions::configureConnection to make the volume full).
    std::function<void(EventLogOptions &)> adjustStore;
};

//! Where headless keeps its resume state by default (docs/headless.md, "Resume state"): beside
//! the event database `database` ("<name>.resume-state.ini" in its directory) when there is one,
//! otherwise "$XDG_STATE_HOME/gatewatch/headless-resume-state.ini" (~/.local/state without
//! XDG_STATE_HOME).
[[nodiscard]] QString headlessResumeStateFile(const QString &database);

//! The headless monitor: what is headless only. It reads the config and its tokens, hands every
//! account to a MonitorApp (which monitors them and records to the event store), writes one JSON
//! line per event to the output (flushed per line), feeds the metrics, serves /metrics when
//! configured, turns SIGINT/SIGTERM into a graceful stop and SIGHUP into reload(), and finishes
//! with an exit code (HeadlessExit). Single use: start() once, finished() once.
class HeadlessRunner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HeadlessRunner)

public:
    explicit HeadlessRunner(HeadlessOptions options, QObject *parent = nullptr);
    ~HeadlessRunner() override;

    //! Loads the config, reads the tokens, listens for /metrics, starts every account. On error
    //! the message has been written (stderr and a JSON "error" line) and the exit code is returned
    //! as the error; finished() is not emitted then.
    Expected<bool, HeadlessExit> start();
    //! Graceful stop: MonitorApp::stop() (close 4000 on every session, resume state saved), flush
    //! the store and the output, then finished(code). Idempotent; a second call while stopping finishes at once.
    void stop(HeadlessExit code, const QString &reason);

    //! SIGHUP: reads the --config file again with every check of start() (file, keys, names,
    //! tokens, metrics.listen) and the command-line overrides on top, then applies it by account
    //! id: removed accounts stop (close 1000, resume state deleted) and leave the metrics, added
    //! ones start, changed ones (token, intents, URLs, shards) restart, unchanged ones are not
    //! touched. database, metrics and timings keep their running value (listed in needsRestart).
    //! Writes a `config_reloaded` line and a stderr line. A refused file changes nothing: an
    //! `error` line (`"error_kind": "config_reload_failed"`, `reason`) and a stderr line, the exit code
    //! untouched; the reason is returned. With an in-process config (HeadlessOptions::config)
    //! there is no file: refused the same way (use reloadWith()). While stopping or before
    //! start(): refused without output.
    Expected<HeadlessReload, QString> reload();
    //! reload() with an already parsed config instead of the file (in-process callers, tests).
    Expected<HeadlessReload, QString> reloadWith(HeadlessConfig config);

    [[nodiscard]] AccountManager *manager() const;       //!< after start()
    [[nodiscard]] MetricsRegistry *metrics() const;
    [[nodiscard]] quint16 metricsPort() const;           //!< 0 when /metrics is off
    [[nodiscard]] bool isRunning() const;

Q_SIGNALS:
    //! Exactly once per successful start(), after everything is closed and flushed.
    void finished(int exitCode);

private:
    class Private;
    std::unique_ptr<Private> d;
};

//! `gatewatch --headless`: runs a HeadlessRunner on `app`'s event loop and returns the exit code
//! (0, 2, 3, 4 — see HeadlessExit). Does not return before every session is closed.
int runHeadless(QCoreApplication &app, const HeadlessOptions &options);

} // namespace gw
