#pragma once

// Internal to core/log: the rows an EventLog queues until its next commit.

#include "eventtypes.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace gw {

//! One queued event, already encoded for its `events` row.
struct PendingEvent
{
    qint64 id = 0;
    qint64 at = 0;
    int source = 0;
    int kind = 0;
    int severity = 0;
    QByteArray message;              //!< UTF-8, redacted
    QByteArray fields;               //!< compact JSON, empty when there are none
    // Only for the kinds that feed the derived history (DerivedHistory::feeds):
    std::optional<EventKind> derivedKind;
    QString accountId;
    QString accountName;
    QJsonObject fieldObject;
};

//! One queued heartbeat round trip.
struct PendingHeartbeat
{
    QString accountId;
    qint64 at = 0;
    double latencyMs = 0.0;
};

//! A (account id, account name) pair first seen since the last commit: a new `sources` row.
struct NewSource
{
    int id = 0;
    QString accountId;
    QString accountName;
};

} // namespace gw
