#pragma once
// A guard that captures every Qt message line (from any thread) while it lives, and puts the
// previous handler back when it goes. See tests/common/README.md.

#include <QMutex>
#include <QMutexLocker>
#include <QRegularExpression>
#include <QString>
#include <QStringList>
#include <QtGlobal>

#include <algorithm>
#include <atomic>

namespace gwtest {

class MessageCapture final
{
public:
    enum class Echo {
        Nothing,          //!< every line only into the capture
        OwnLinesAndFatal  //!< also pass the test's own lines (category "default") and fatals on
    };

    //! Installs the capture (one at a time). Lines read "<category> <message>".
    explicit MessageCapture(Echo echo = Echo::Nothing) : m_echo(echo)
    {
        Q_ASSERT(!s_active.load());
        s_active.store(this);
        m_previous = qInstallMessageHandler(&MessageCapture::handle);
    }

    ~MessageCapture()
    {
        qInstallMessageHandler(m_previous);
        s_active.store(nullptr);
    }

    Q_DISABLE_COPY_MOVE(MessageCapture)

    [[nodiscard]] QStringList lines() const
    {
        QMutexLocker lock(&m_mutex);
        return m_lines;
    }

    //! The last `n` lines (all when fewer).
    [[nodiscard]] QStringList tail(qsizetype n) const
    {
        QMutexLocker lock(&m_mutex);
        return m_lines.mid(std::max<qsizetype>(0, m_lines.size() - n));
    }

    [[nodiscard]] bool matches(const QRegularExpression &re) const
    {
        QMutexLocker lock(&m_mutex);
        for (const QString &line : m_lines) {
            if (re.match(line).hasMatch())
                return true;
        }
        return false;
    }

    void clear()
    {
        QMutexLocker lock(&m_mutex);
        m_lines.clear();
    }

private:
    static void handle(QtMsgType type, const QMessageLogContext &context, const QString &message)
    {
        MessageCapture *self = s_active.load();
        if (!self)
            return;
        const char *category = context.category ? context.category : "default";
        {
            QMutexLocker lock(&self->m_mutex);
            self->m_lines.append(QLatin1String(category) + QLatin1Char(' ') + message);
        }
        const bool own = qstrcmp(category, "default") == 0;
        if (self->m_echo == Echo::OwnLinesAndFatal && (own || type == QtFatalMsg) && self->m_previous)
            self->m_previous(type, context, message);
    }

    static inline std::atomic<MessageCapture *> s_active{nullptr};
    const Echo m_echo;
    QtMessageHandler m_previous = nullptr;
    mutable QMutex m_mutex;
    QStringList m_lines;
};

} // namespace gwtest
