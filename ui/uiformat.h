#pragma once

#include <QDateTime>
#include <QString>

#include <chrono>
#include <optional>

//! Small text formatters shared by the models and panes (one spelling for every view).
namespace gw::uiformat {

//! "—" for "no value yet".
QString dash();
//! "42 ms", or "—" when empty.
QString latency(std::optional<std::chrono::milliseconds> value);
//! Compact duration: "850 ms", "12 s", "4 min 3 s", "2 h 5 min", "3 d 4 h".
QString duration(std::chrono::milliseconds value);
//! "12 s ago" relative to `now`; "—" for an invalid time.
QString age(const QDateTime &at, const QDateTime &now);
//! Percentage with one decimal ("99.9 %"), "—" when empty.
QString percent(std::optional<double> fraction);
//! Local short date-time with seconds, for tables.
QString timestamp(const QDateTime &at);
//! First 8 characters of an id followed by "…".
QString shortId(const QString &id);

} // namespace gw::uiformat
