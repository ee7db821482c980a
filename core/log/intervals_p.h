#pragma once

// Internal to core/log: half-open millisecond intervals for the uptime arithmetic.

#include <QtGlobal>

#include <algorithm>
#include <limits>
#include <vector>

namespace gw::intervals {

struct Interval
{
    qint64 start = 0;   //!< inclusive
    qint64 end = 0;     //!< exclusive
};

using List = std::vector<Interval>;

constexpr qint64 k_open = std::numeric_limits<qint64>::max();

//! Sorted, disjoint, non-empty intervals covering the same time as `list`.
inline List normalized(List list)
{
    list.erase(std::remove_if(list.begin(), list.end(), [](const Interval &i) { return i.end <= i.start; }),
               list.end());
    std::sort(list.begin(), list.end(), [](const Interval &a, const Interval &b) { return a.start < b.start; });
    List out;
    for (const Interval &i : list) {
        if (!out.empty() && i.start <= out.back().end)
            out.back().end = std::max(out.back().end, i.end);
        else
            out.push_back(i);
    }
    return out;
}

//! The intersection of two normalized lists.
inline List intersected(const List &a, const List &b)
{
    List out;
    size_t i = 0;
    size_t j = 0;
    while (i < a.size() && j < b.size()) {
        const qint64 start = std::max(a[i].start, b[j].start);
        const qint64 end = std::min(a[i].end, b[j].end);
        if (start < end)
            out.push_back({start, end});
        if (a[i].end < b[j].end)
            ++i;
        else
            ++j;
    }
    return out;
}

inline qint64 measure(const List &list)
{
    qint64 total = 0;
    for (const Interval &i : list)
        total += i.end - i.start;
    return total;
}

} // namespace gw::intervals
