#include "logging.h"

Q_LOGGING_CATEGORY(lcGateway, "gatewatch.core.gateway")
Q_LOGGING_CATEGORY(lcHeartbeat, "gatewatch.core.heartbeat")
Q_LOGGING_CATEGORY(lcRest, "gatewatch.core.rest")
Q_LOGGING_CATEGORY(lcLifecycle, "gatewatch.core.lifecycle")
Q_LOGGING_CATEGORY(lcAccounts, "gatewatch.core.accounts")
Q_LOGGING_CATEGORY(lcEventLog, "gatewatch.core.eventlog")
Q_LOGGING_CATEGORY(lcMetrics, "gatewatch.core.metrics")
Q_LOGGING_CATEGORY(lcSim, "gatewatch.core.sim")
Q_LOGGING_CATEGORY(lcUi, "gatewatch.ui")
Q_LOGGING_CATEGORY(lcApp, "gatewatch.app")
