#pragma once
// Shared helpers of the benchmarks (not a library; header-only): start `gatewatch-sim` in its
// own process and talk to its control endpoint, read this process's CPU time and RSS, and
// summarise a sample. The client side of every benchmark runs in the benchmark's process, the
// simulator in another, so getrusage(RUSAGE_SELF) is the client's cost alone.
#include <QByteArray>
#include <QCoreApplication>
#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QNetworkRequest>
#include <QProcess>
#include <QString>
#include <QStringList>
#include <QTimer>
#include <QUrl>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include <sys/resource.h>

namespace gwbench {

//! Process CPU time (user + system, every thread) in seconds.
inline double cpuSeconds()
{
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    const auto tv = [](const timeval &t) { return double(t.tv_sec) + double(t.tv_usec) / 1e6; };
    return tv(ru.ru_utime) + tv(ru.ru_stime);
}

//! A field of /proc/self/status in KiB ("VmRSS", "VmHWM").
inline long procStatusKiB(const char *field)
{
    QFile f(QStringLiteral("/proc/self/status"));
    if (!f.open(QIODevice::ReadOnly))
        return -1;
    const QByteArray key = QByteArray(field) + ':';
    for (const QByteArray &line : f.readAll().split('\n')) {
        if (line.startsWith(key))
            return line.mid(key.size()).trimmed().split(' ').value(0).toLong();
    }
    return -1;
}

//! min / p50 / p95 / p99 / max of a sample (nearest-rank percentiles).
struct Summary
{
    double min = 0, p50 = 0, p95 = 0, p99 = 0, max = 0, mean = 0;
    std::size_t n = 0;
};

inline Summary summarise(std::vector<double> v)
{
    Summary s;
    s.n = v.size();
    if (v.empty())
        return s;
    std::sort(v.begin(), v.end());
    const auto rank = [&](double p) {
        const auto r = std::size_t(std::ceil(p * double(v.size())));
        return v[std::clamp<std::size_t>(r, 1, v.size()) - 1];
    };
    s.min = v.front();
    s.max = v.back();
    s.p50 = rank(0.50);
    s.p95 = rank(0.95);
    s.p99 = rank(0.99);
    double sum = 0;
    for (const double x : v)
        sum += x;
    s.mean = sum / double(v.size());
    return s;
}

//! Where gatewatch-sim is: $GATEWATCH_SIM, else the path CMake compiled in.
inline QString simExecutable()
{
    const QByteArray env = qgetenv("GATEWATCH_SIM");
    if (!env.isEmpty())
        return QString::fromLocal8Bit(env);
#ifdef GATEWATCH_SIM_PATH
    return QStringLiteral(GATEWATCH_SIM_PATH);
#else
    return QStringLiteral("gatewatch-sim");
#endif
}

//! `gatewatch-sim` in a child process; its four URLs; blocking control requests (benchmarks
//! only: a local event loop waits for the answer).
class SimProcess
{
public:
    SimProcess() = default;
    SimProcess(const SimProcess &) = delete;
    SimProcess &operator=(const SimProcess &) = delete;
    ~SimProcess()
    {
        if (m_process.state() != QProcess::NotRunning) {
            m_process.terminate();
            if (!m_process.waitForFinished(3000))
                m_process.kill();
            m_process.waitForFinished(1000);
        }
    }

    bool start(const QStringList &arguments)
    {
        m_process.setProgram(simExecutable());
        m_process.setArguments(arguments);
        m_process.setProcessChannelMode(QProcess::SeparateChannels);
        m_process.setStandardErrorFile(QProcess::nullDevice());
        m_process.start();
        if (!m_process.waitForStarted(5000)) {
            std::fprintf(stderr, "cannot start %s\n", qPrintable(m_process.program()));
            return false;
        }
        int found = 0;
        while (found < 4) {
            if (!m_process.canReadLine() && !m_process.waitForReadyRead(10000)) {
                std::fprintf(stderr, "gatewatch-sim printed no URLs\n");
                return false;
            }
            while (m_process.canReadLine()) {
                const QList<QByteArray> parts = m_process.readLine().trimmed().split(' ');
                if (parts.size() != 2)
                    continue;
                const QUrl url(QString::fromUtf8(parts[1]));
                if (parts[0] == "gateway")
                    m_gateway = url;
                else if (parts[0] == "resume")
                    m_resume = url;
                else if (parts[0] == "rest")
                    m_rest = url;
                else if (parts[0] == "control")
                    m_control = url;
                else
                    continue;
                ++found;
            }
        }
        return true;
    }

    [[nodiscard]] qint64 pid() const { return m_process.processId(); }
    [[nodiscard]] QUrl gateway() const { return m_gateway; }
    [[nodiscard]] QUrl rest() const { return m_rest; }
    [[nodiscard]] QUrl control() const { return m_control; }

    //! POST `body` to control/`path`; returns the HTTP status (0 on transport failure).
    int post(const QString &path, const QJsonObject &body, QJsonDocument *answer = nullptr)
    {
        QNetworkRequest request(QUrl(m_control.toString() + QLatin1Char('/') + path));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        return finish(m_nam.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact)), answer);
    }
    int get(const QString &path, QJsonDocument *answer)
    {
        return finish(m_nam.get(QNetworkRequest(QUrl(m_control.toString() + QLatin1Char('/') + path))), answer);
    }

    //! Fire-and-forget POST (the answer is read and dropped when it arrives).
    void postAsync(const QString &path, const QJsonObject &body)
    {
        QNetworkRequest request(QUrl(m_control.toString() + QLatin1Char('/') + path));
        request.setHeader(QNetworkRequest::ContentTypeHeader, QStringLiteral("application/json"));
        QNetworkReply *reply = m_nam.post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
        QObject::connect(reply, &QNetworkReply::finished, reply, &QObject::deleteLater);
    }

private:
    int finish(QNetworkReply *reply, QJsonDocument *answer)
    {
        QEventLoop loop;
        QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
        QTimer::singleShot(std::chrono::seconds(30), &loop, &QEventLoop::quit);
        loop.exec();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        if (answer)
            *answer = QJsonDocument::fromJson(reply->readAll());
        reply->deleteLater();
        return status;
    }

    QProcess m_process;
    QNetworkAccessManager m_nam;
    QUrl m_gateway, m_resume, m_rest, m_control;
};

//! Runs the event loop until `done()` holds or `timeout` passes; true when done.
template<typename Pred>
bool waitUntil(Pred done, std::chrono::milliseconds timeout, std::chrono::milliseconds poll = std::chrono::milliseconds(5))
{
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        QEventLoop loop;
        QTimer::singleShot(poll, &loop, &QEventLoop::quit);
        loop.exec();
    }
    return true;
}

//! One "RESULT key value" line: scripts/bench.sh reads these for its summary table.
inline void result(const char *key, double value, const char *unit)
{
    std::printf("RESULT %s %.6g %s\n", key, value, unit);
    std::fflush(stdout);
}

} // namespace gwbench
