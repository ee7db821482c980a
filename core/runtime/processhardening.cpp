#include "processhardening.h"

#include <QStringList>

#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace gw {

ProcessHardening hardenProcess()
{
    ProcessHardening result;
    QStringList problems;

    const rlimit noCore{0, 0};
    const bool coreLimit = setrlimit(RLIMIT_CORE, &noCore) == 0;
    if (!coreLimit)
        problems.append(QStringLiteral("RLIMIT_CORE: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
    const bool notDumpable = prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0;
    if (!notDumpable)
        problems.append(QStringLiteral("PR_SET_DUMPABLE: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
    result.coreDumpsOff = coreLimit && notDumpable;

    // Files and directories Gatewatch creates (event database, resume state, exports, settings)
    // are its user's only: 0600 and 0700.
    ::umask(077);

    rlimit files{};
    if (getrlimit(RLIMIT_NOFILE, &files) == 0) {
        result.openFilesBefore = files.rlim_cur == RLIM_INFINITY ? -1 : static_cast<long long>(files.rlim_cur);
        if (files.rlim_cur != files.rlim_max) {
            files.rlim_cur = files.rlim_max;
            if (setrlimit(RLIMIT_NOFILE, &files) != 0)
                problems.append(QStringLiteral("RLIMIT_NOFILE: %1").arg(QString::fromLocal8Bit(std::strerror(errno))));
        }
        if (getrlimit(RLIMIT_NOFILE, &files) == 0)
            result.openFilesAfter = files.rlim_cur == RLIM_INFINITY ? -1 : static_cast<long long>(files.rlim_cur);
    }
    result.problem = problems.join(QStringLiteral("; "));
    return result;
}

} // namespace gw
