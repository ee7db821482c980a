#pragma once

#include <QLoggingCategory>

//! Every logging category of Gatewatch, in one place.
//! Never log a token or a message body: every line also passes through the redacting
//! message handler installed by the app (see redactor.h), but that is the last line
//! of defence, not the first.
Q_DECLARE_LOGGING_CATEGORY(lcGateway)    // gatewatch.core.gateway
Q_DECLARE_LOGGING_CATEGORY(lcHeartbeat)  // gatewatch.core.heartbeat
Q_DECLARE_LOGGING_CATEGORY(lcRest)       // gatewatch.core.rest
Q_DECLARE_LOGGING_CATEGORY(lcLifecycle)  // gatewatch.core.lifecycle
Q_DECLARE_LOGGING_CATEGORY(lcAccounts)   // gatewatch.core.accounts
Q_DECLARE_LOGGING_CATEGORY(lcEventLog)   // gatewatch.core.eventlog
Q_DECLARE_LOGGING_CATEGORY(lcMetrics)    // gatewatch.core.metrics
Q_DECLARE_LOGGING_CATEGORY(lcSim)        // gatewatch.core.sim
Q_DECLARE_LOGGING_CATEGORY(lcUi)         // gatewatch.ui
Q_DECLARE_LOGGING_CATEGORY(lcApp)        // gatewatch.app
