#pragma once

#include <QLockFile>
#include <QObject>
#include <QString>

#include <chrono>
#include <memory>

class QLocalServer;

namespace gw {

//! One process per event database: a lock file beside the database ("<database>.lock",
//! QLockFile: never stale by age, stale only when the process that wrote it is gone) and, for a
//! desktop that holds it, a local socket named after the database's directory on which a second
//! launch asks it to show its window. No Widgets. The desktop's "one window per profile" and the
//! headless monitor's "one process per `database`" are this one lock, so a headless monitor
//! pointed at the desktop's database and the desktop exclude each other too.
//!
//! The desktop: acquire(); Primary → keep the guard for the whole run and show the window on
//! activationRequested(); AlreadyRunning → activatePrimary() and exit. Headless:
//! acquire(Activation::None); AlreadyRunning → exit 4 with the message ("database … is in use by
//! PID N").
class InstanceGuard final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InstanceGuard)

public:
    enum class Outcome {
        Primary,          //!< the lock is ours (maybe after removing a stale one, see Result)
        AlreadyRunning,   //!< another live process holds it
        Failed,           //!< the lock file could not be created (permissions, missing directory)
    };
    Q_ENUM(Outcome)

    struct Result
    {
        Outcome outcome = Outcome::Failed;
        //! For the user: who holds the lock, or that a stale one was removed, or why it failed.
        //! Empty for a plain Primary.
        QString message;
        bool removedStaleLock = false;  //!< Primary after removing a lock its process left behind
        qint64 ownerPid = 0;            //!< the process named in the lock file found (0: none)
    };

    //! Whether the holder listens for a second launch's "show your window" (the desktop).
    enum class Activation {
        Listen,
        None,
    };
    Q_ENUM(Activation)

    //! The guard of the event database at `databasePath` (its directory is created if missing;
    //! the database itself is not touched).
    explicit InstanceGuard(const QString &databasePath, QObject *parent = nullptr);
    //! Releases the lock and stops listening.
    ~InstanceGuard() override;

    //! Take the lock; as the primary with Activation::Listen, listen for activations. Call once.
    Result acquire(Activation activation = Activation::Listen);
    //! A second instance: ask the primary to show its window. True when it confirmed within
    //! `timeout` (false: it holds the lock but does not answer).
    [[nodiscard]] bool activatePrimary(std::chrono::milliseconds timeout) const;

    [[nodiscard]] bool isPrimary() const;
    [[nodiscard]] QString lockFilePath() const;
    [[nodiscard]] QString databasePath() const;
    //! "<databasePath>.lock": the one lock file of a database.
    [[nodiscard]] static QString lockFilePathFor(const QString &databasePath);
    //! The local socket's name (derived from the database's directory, so one per profile).
    [[nodiscard]] QString serverName() const;

Q_SIGNALS:
    //! The primary: another launch on this profile asked to show the window.
    void activationRequested();

private:
    void handleNewConnection();

    Result lockTaken(Activation activation, bool lockExisted, qint64 stalePid);

    QString m_database;
    QString m_directory;
    QLockFile m_lock;
    std::unique_ptr<QLocalServer> m_server;
};

} // namespace gw
