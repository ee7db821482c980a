#pragma once

// The set-up every Qt Test of the monitor shares in initTestCase(): test-mode standard paths
// (nothing touches the user's real data or settings) and the value types that cross threads in
// queued signals registered once.

#include "accountstatus.h"
#include "eventtypes.h"

#include <QMetaType>
#include <QStandardPaths>

namespace gwtest {

inline void prepareTestEnvironment()
{
    QStandardPaths::setTestModeEnabled(true);
    qRegisterMetaType<gw::AccountStatus>();
    qRegisterMetaType<gw::EventLogEntry>();
}

} // namespace gwtest
