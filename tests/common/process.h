#pragma once
// What a test may need to know about its own process: whether it runs under AddressSanitizer
// (its quarantine keeps freed memory, so RSS bounds need slack) and its resident set size.

#include <QByteArray>
#include <QFile>
#include <QList>
#include <QString>

namespace gwtest {

#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool UnderAsan = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
inline constexpr bool UnderAsan = true;
#else
inline constexpr bool UnderAsan = false;
#endif
#else
inline constexpr bool UnderAsan = false;
#endif

//! VmRSS of this process in KiB from /proc/self/status, -1 if unreadable.
[[nodiscard]] inline qint64 vmRssKb()
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QList<QByteArray> lines = f.readAll().split('\n');
    for (const QByteArray &line : lines) {
        if (line.startsWith("VmRSS:"))
            return line.mid(6).trimmed().split(' ').value(0).toLongLong();
    }
    return -1;
}

} // namespace gwtest
