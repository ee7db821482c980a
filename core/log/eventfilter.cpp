#include "eventfilter.h"

namespace gw {

namespace {

char16_t asciiLower(char16_t c)
{
    return c >= u'A' && c <= u'Z' ? char16_t(c + (u'a' - u'A')) : c;
}

// SQLite's LIKE folds ASCII letters only; so does this, so that a live row and a stored row
// with the same message pass the same text filter.
bool containsAsciiCaseInsensitive(const QString &haystack, const QString &needle)
{
    const qsizetype n = needle.size();
    for (qsizetype start = 0; start + n <= haystack.size(); ++start) {
        qsizetype i = 0;
        while (i < n && asciiLower(haystack.at(start + i).unicode()) == asciiLower(needle.at(i).unicode()))
            ++i;
        if (i == n)
            return true;
    }
    return false;
}

} // namespace

bool EventFilter::matches(const EventLogEntry &entry) const
{
    if (!accountIds.isEmpty() && !accountIds.contains(entry.accountId))
        return false;
    if (!kinds.isEmpty() && !kinds.contains(entry.kind))
        return false;
    if (!severities.isEmpty() && !severities.contains(entry.severity))
        return false;
    if (from.isValid() && entry.at < from)
        return false;
    if (to.isValid() && entry.at >= to)
        return false;
    return text.isEmpty() || containsAsciiCaseInsensitive(entry.message, text);
}

} // namespace gw
