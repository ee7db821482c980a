#pragma once

#include "eventtypes.h"

#include <QJsonObject>
#include <QString>

#include <functional>

class QObject;

namespace gw {

class MetricsRegistry;
class StoreHealth;

//! Writes one line about the monitor (JSON Lines kind `error`; severity and fields as given).
using StoreLineWriter = std::function<void(Severity severity, const QString &message, const QJsonObject &fields)>;

//! Headless reporting of the event store's health (docs/headless.md, "The event store"): every
//! failed commit, every drop past the retry queue's bound, the recovery and a damaged database
//! moved aside become a line with `error_kind` `store_write_failed`, `store_rows_dropped`,
//! `store_recovered` or `store_damaged`, and the store metrics (`metrics` may be nullptr). A
//! damaged file that open() already moved aside is reported at once.
void connectStoreReporting(StoreHealth *health, MetricsRegistry *metrics, QObject *context, StoreLineWriter write);

} // namespace gw
