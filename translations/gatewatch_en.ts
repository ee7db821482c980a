<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>gw::AccountStore</name>
    <message>
        <source>The account needs a display name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The display name looks like a bot token. Tokens are never stored in the settings; choose another name.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An override URL contains something that looks like a bot token.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An account named “%1” already exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An account with this id already exists.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The settings file %1 could not be written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>There is no such account.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gw::AccountTableModel</name>
    <message>
        <source>Account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>State</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Latency (last · mean)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heartbeats</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Uptime 24 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last event</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resumes / Identifies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last disconnect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identify budget</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heartbeat round trip (op 1 → op 11): last and mean over the recent window</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The most recent heartbeats: bar height is the round trip; red marks a missed ACK or a drop</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Share of the last 24 hours in Ready while Gatewatch was watching</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time since the last frame arrived from the gateway</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Successful RESUMEs (no events lost) vs IDENTIFYs (new session; events in the gap are lost)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close code and its meaning of the most recent disconnect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>session_start_limit: IDENTIFYs remaining of the daily total</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bot user: %1 (%2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notifications muted</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnecting (in %1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 for %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last error: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · ⌀ %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last %1, mean %2, p95 %3</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 beats sent, %2 acknowledged, %3 missed now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No data yet: time Gatewatch was not watching does not count as up</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 / %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 resumed (no events lost), %2 identified (new session), %3 disconnects</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resets %1 · max_concurrency %2 · %3 recommended shard(s)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gw::EventLogModel</name>
    <message>
        <source>Debug</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Info</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warning</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Error</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Severity</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kind</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Message</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gw::KeychainTokenVault</name>
    <message>
        <source>system keychain</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No system keychain is available: Gatewatch found no Secret Service (GNOME Keyring, KWallet) on the session D-Bus%1. The token can be kept in memory for this session only; it will not be saved.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No token is stored in the system keychain for this account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The system keychain could not delete the token%1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Access to the system keychain was refused%1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The system keychain denied access; it may be locked%1. Unlock it and try again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The system keychain is not supported on this platform%1. The token can be kept in memory for this session only.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>read the token from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>save the token in</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>delete the token from</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gatewatch could not %1 the system keychain%2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The system keychain did not answer in time.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gw::LatencyChart</name>
    <message>
        <source>No heartbeats in this range</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Latency chart</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ms</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gw::MemoryTokenVault</name>
    <message>
        <source>memory</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No token is stored for this account.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gw::Notifier</name>
    <message>
        <source>%1 failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Monitoring stopped; open Gatewatch for the reason and the fix.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connection restored</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every account that dropped is connected again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 recovered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connected again after %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Network appears offline</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n account(s) lost their gateway connection at the same time; Gatewatch keeps retrying.</source>
        <translation>
            <numerusform>%n account lost its gateway connection; Gatewatch keeps retrying.</numerusform>
            <numerusform>%n accounts lost their gateway connection at the same time; Gatewatch keeps retrying.</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 is down</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No gateway session for %1; Gatewatch keeps retrying.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gw::SettingsDialog</name>
    <message>
        <source> ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Handshake timeout:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HE&amp;LLO timeout:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backoff &amp;base:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Backoff ma&amp;x:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnect b&amp;udget (attempts):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;READY guard:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>HELLO &amp;watch:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stalls before fresh &amp;IDENTIFY:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnect stall watch&amp;dog:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Latency &amp;warning (degraded):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restart backoff ba&amp;se:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Restart backoff m&amp;ax:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Defaults follow the reference monitor. Changes apply after Gatewatch restarts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Timings</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show desktop &amp;notifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Notify when &amp;down longer than:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Group drops &amp;within:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>…of at least (&amp;accounts):</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failures are notified at once; a connection that resumes within the threshold is only logged. When many accounts drop together, one &quot;network appears offline&quot; notification is shown. Accounts can be muted individually (Edit).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Notifications</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep forever</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Keep events for:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Older raw events are pruned; hourly latency and uptime aggregates are kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Event log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Serve Prometheus &amp;metrics at /metrics</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Listen address:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Off by default. Keep it on 127.0.0.1 unless a scraper on another host needs it; account labels are display names, never tokens.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Metrics</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gw::StateStyle</name>
    <message>
        <source>ok</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>connecting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>degraded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>reconnecting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>OK</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Connecting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Degraded</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnecting</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Failed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gw::uiformat</name>
    <message>
        <source>%1 ms</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min %2 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 d %2 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>just now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 ago</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
