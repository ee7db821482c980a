#pragma once

#include <QLockFile>
#include <QObject>
#include <QString>

#include <chrono>
#include <memory>

class QLocalServer;

namespace gw {

//! One process per profile: a lock file in the profile's data directory (QLockFile, never
//! stale by age, stale only when the process that wrote it is gone) and, for the process that
//! holds it, a local socket named after that directory on which a second launch asks it to show
//! its window. No Widgets: the desktop uses it for "one window per profile", and any front-end
//! that must be the only writer of a data directory (an event store) can use the same lock.
//!
//! The desktop: acquire(); Primary → keep the guard for the whole run and show the window on
//! activationRequested(); AlreadyRunning → activatePrimary() and exit.
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

    //! `directory` is the profile's data directory (created if missing).
    explicit InstanceGuard(const QString &directory, QObject *parent = nullptr);
    //! Releases the lock and stops listening.
    ~InstanceGuard() override;

    //! Take the lock; as the primary, listen for activations. Call once.
    Result acquire();
    //! A second instance: ask the primary to show its window. True when it confirmed within
    //! `timeout` (false: it holds the lock but does not answer).
    [[nodiscard]] bool activatePrimary(std::chrono::milliseconds timeout) const;

    [[nodiscard]] bool isPrimary() const;
    [[nodiscard]] QString lockFilePath() const;
    //! The local socket's name (derived from the directory, so one per profile).
    [[nodiscard]] QString serverName() const;

Q_SIGNALS:
    //! The primary: another launch on this profile asked to show the window.
    void activationRequested();

private:
    void handleNewConnection();

    QString m_directory;
    QLockFile m_lock;
    std::unique_ptr<QLocalServer> m_server;
};

} // namespace gw
