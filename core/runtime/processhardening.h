#pragma once

// Process-wide limits set once at start, before any token is read (docs/security.md).

#include <QString>

namespace gw {

struct ProcessHardening
{
    bool coreDumpsOff = false;        //!< RLIMIT_CORE 0 and PR_SET_DUMPABLE 0 both took effect
    long long openFilesBefore = -1;   //!< soft RLIMIT_NOFILE found at start
    long long openFilesAfter = -1;    //!< soft RLIMIT_NOFILE now (raised to the hard limit)
    QString problem;                  //!< what could not be set, empty when everything was
};

//! Turns core dumps off (RLIMIT_CORE 0 and PR_SET_DUMPABLE 0: a crash must not write the tokens
//! held in memory to disk, and other processes of the same user cannot ptrace us or read our
//! memory) and raises the soft open-file limit to the hard one (many sessions, a metrics port
//! and the store need descriptors; 1,024 is a common soft default); sets the umask to 077, so
//! every file and directory it creates is its user's only (0600 / 0700). Idempotent.
ProcessHardening hardenProcess();

} // namespace gw
