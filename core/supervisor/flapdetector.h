#pragma once

#include <QtGlobal>

#include <chrono>
#include <deque>

namespace gw {

//! Counts the sessions of one account that died and says when it is flapping (docs/lifecycle.md,
//! "Backoff, flapping, jitter"): `threshold` deaths within `window` start an episode; only a
//! session that stays ready for the stable period ends it (hysteresis: one report per episode,
//! however many sessions die meanwhile). Plain value type; times are epoch milliseconds.
class FlapDetector final
{
public:
    FlapDetector(std::chrono::milliseconds window, int threshold) : m_window(window), m_threshold(threshold) {}

    //! A session died at `atMs`. True when this death starts an episode.
    bool sessionDied(qint64 atMs)
    {
        m_deaths.push_back(atMs);
        prune(atMs);
        if (m_active || m_threshold <= 0 || int(m_deaths.size()) < m_threshold)
            return false;
        m_active = true;
        return true;
    }
    //! A session stayed ready for the stable period. True when this ends an episode.
    bool stable()
    {
        const bool was = m_active;
        m_active = false;
        m_deaths.clear();
        return was;
    }
    //! Sessions that died within the window before `nowMs`.
    [[nodiscard]] int count(qint64 nowMs)
    {
        prune(nowMs);
        return int(m_deaths.size());
    }
    [[nodiscard]] bool active() const { return m_active; }
    [[nodiscard]] std::chrono::milliseconds window() const { return m_window; }

private:
    void prune(qint64 nowMs)
    {
        while (!m_deaths.empty() && m_deaths.front() <= nowMs - m_window.count())
            m_deaths.pop_front();
    }

    std::chrono::milliseconds m_window;
    int m_threshold;
    std::deque<qint64> m_deaths;
    bool m_active = false;
};

} // namespace gw
