#include "eventlogfiles_p.h"

#include "textsafety.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QStringList>

#include <sqlite3.h>

namespace gw::eventlogfiles {

namespace {

constexpr QFile::Permissions k_dirMode = QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner;
constexpr QFile::Permissions k_fileMode = QFile::ReadOwner | QFile::WriteOwner;
constexpr int k_maxFindings = 3;
constexpr qsizetype k_maxDetail = 400;

const QStringList &sidecars()
{
    static const QStringList s{QStringLiteral("-wal"), QStringLiteral("-shm")};
    return s;
}

QString bounded(const QString &text)
{
    return escapeControls(text.left(k_maxDetail));
}

QString errorOf(sqlite3 *handle)
{
    return bounded(QString::fromUtf8(sqlite3_errmsg(handle)));
}

} // namespace

bool isDamageCode(int code)
{
    const int primary = code & 0xff;
    return primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB;
}

Check quickCheck(sqlite3 *handle)
{
    sqlite3_stmt *stmt = nullptr;
    const auto failure = [handle](int rc) {
        return Check{isDamageCode(rc) ? Check::Result::Damaged : Check::Result::Failed, errorOf(handle)};
    };
    const int prepared = sqlite3_prepare_v2(handle, "PRAGMA quick_check(20)", -1, &stmt, nullptr);
    if (prepared != SQLITE_OK)
        return failure(sqlite3_extended_errcode(handle));
    // Rows of findings, each possibly several lines ("*** in database main ***\nPage 11: …").
    QStringList findings;
    int rc = SQLITE_ROW;
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const auto *text = reinterpret_cast<const char *>(sqlite3_column_text(stmt, 0));
        const QByteArray row = QByteArray(text ? text : "").left(k_maxDetail * k_maxFindings);
        for (const QString &line : QString::fromUtf8(row).split(QLatin1Char('\n'), Qt::SkipEmptyParts)) {
            if (line != QLatin1String("ok") && !line.startsWith(QLatin1String("***")) && findings.size() < k_maxFindings)
                findings << bounded(line);
        }
    }
    const Check stepped = rc == SQLITE_DONE ? Check{} : failure(sqlite3_extended_errcode(handle));
    sqlite3_finalize(stmt);
    if (stepped.result != Check::Result::Ok)
        return stepped;
    if (findings.isEmpty())
        return {};
    return {Check::Result::Damaged, findings.join(QLatin1String("; "))};
}

Check checkFile(const QString &path, qint64 *highestId)
{
    if (highestId)
        *highestId = 0;
    const QFileInfo info(path);
    if (!info.exists() || info.size() == 0)
        return {};
    sqlite3 *handle = nullptr;
    if (sqlite3_open_v2(QFile::encodeName(path).constData(), &handle, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
        const Check failed{Check::Result::Failed, handle ? errorOf(handle) : QStringLiteral("out of memory")};
        sqlite3_close_v2(handle);
        return failed;
    }
    // The last connection to close would checkpoint the WAL into the file and delete the -wal.
    sqlite3_db_config(handle, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, nullptr);
    sqlite3_busy_timeout(handle, 5000);
    const Check check = quickCheck(handle);
    if (check.result == Check::Result::Damaged && highestId) {
        sqlite3_stmt *stmt = nullptr;
        if (sqlite3_prepare_v2(handle,
                               "SELECT max(coalesce((SELECT max(id) FROM events), 0), "
                               "coalesce((SELECT CAST(value AS INTEGER) FROM meta WHERE key = 'last_event_id'), 0))",
                               -1, &stmt, nullptr)
                == SQLITE_OK
            && sqlite3_step(stmt) == SQLITE_ROW) {
            *highestId = sqlite3_column_int64(stmt, 0);
        }
        sqlite3_finalize(stmt);
    }
    sqlite3_close_v2(handle);
    return check;
}

bool makeDirectory(const QString &dir, QString *error)
{
    QStringList missing;
    for (QString d = QDir::cleanPath(QFileInfo(dir).absoluteFilePath()); !QFileInfo::exists(d);) {
        missing.prepend(d);
        const QString parent = QFileInfo(d).path();
        if (parent == d)
            break;
        d = parent;
    }
    for (const QString &d : std::as_const(missing)) {
        // The mode is applied at creation (the umask can only narrow it) and set again explicitly.
        if ((!QDir().mkdir(d, k_dirMode) && !QFileInfo(d).isDir()) || !QFile::setPermissions(d, k_dirMode)) {
            *error = QStringLiteral("cannot create the directory %1").arg(d);
            return false;
        }
    }
    return true;
}

bool restrictFiles(const QString &path, QString *error)
{
    if (!QFileInfo::exists(path)) {
        QFile file(path);
        if (!file.open(QIODevice::WriteOnly | QIODevice::NewOnly, k_fileMode) && !QFileInfo::exists(path)) {
            *error = QStringLiteral("cannot create %1: %2").arg(path, file.errorString());
            return false;
        }
    }
    for (const QString &suffix : {QString(), sidecars().at(0), sidecars().at(1)}) {
        const QString file = path + suffix;
        if (QFileInfo::exists(file) && !QFile::setPermissions(file, k_fileMode)) {
            *error = QStringLiteral("cannot set the permissions of %1").arg(file);
            return false;
        }
    }
    return true;
}

Expected<QString, EventLogError> moveAside(const QString &path, const QDateTime &nowUtc)
{
    const QString base = path + QStringLiteral(".damaged-") + nowUtc.toUTC().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    QString kept = base;
    const auto taken = [](const QString &candidate) {
        return QFileInfo::exists(candidate) || QFileInfo::exists(candidate + sidecars().at(0))
               || QFileInfo::exists(candidate + sidecars().at(1));
    };
    for (int n = 2; taken(kept); ++n)
        kept = base + QLatin1Char('-') + QString::number(n);
    // The -wal and -shm first: a -wal left behind would be replayed into the fresh database. On a
    // failure the files already moved go back, so the database stays whole at its path.
    QStringList moved;
    for (const QString &suffix : {sidecars().at(0), sidecars().at(1), QString()}) {
        if (!QFileInfo::exists(path + suffix))
            continue;
        if (!QFile::rename(path + suffix, kept + suffix)) {
            for (const QString &back : std::as_const(moved))
                QFile::rename(kept + back, path + back);
            return EventLogError{EventLogError::Code::OpenFailed,
                                 QStringLiteral("cannot move %1 aside to %2").arg(path + suffix, kept + suffix)};
        }
        moved << suffix;
    }
    return kept;
}

} // namespace gw::eventlogfiles
