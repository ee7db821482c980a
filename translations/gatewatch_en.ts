<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en" sourcelanguage="en">
<context>
    <name>gw::AccountService</name>
    <message>
        <source>There is no such account.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
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
        <source>Heartbeats</source>
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
    <message>
        <source>Latency
last · mean</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Uptime
24 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last
event</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resumes /
Identifies</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last
disconnect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identify
budget</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnecting (in %1 s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lost
events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events that never arrived: sequence gaps and events not replayed after a RESUME; &quot;+N?&quot; counts new sessions, whose gap has no known size</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> +%1?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No events known to be lost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 events lost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>New sessions (events in the gap lost, number unknown): %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gw::AddBotDialog</name>
    <message>
        <source>Paste the bot&apos;s token.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This does not look like a bot token: a token is three parts separated by dots (letters, digits, - and _), about 70 characters in all. Copy it from the Bot page of the Developer Portal; the client secret and the public key are something else.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The gateway URL override must be a ws:// or wss:// URL, e.g. wss://gateway.discord.gg.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The API base override must be an http:// or https:// URL, e.g. https://discord.com/api/v10.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Give the account a display name; it labels the account in logs and metrics.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The display name looks like a token. Put the token in the Token field; the name is shown in logs and metrics.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Discord rejected this token&lt;/b&gt; (401 Unauthorized). Check that you copied the &lt;i&gt;bot token&lt;/i&gt; from the Bot page (not the client secret) and that it has not been reset since.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;No answer&lt;/b&gt; from %1 within %2 s. Check your connection, or the API base under Advanced.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Could not reach&lt;/b&gt; %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Discord answered HTTP %1&lt;/b&gt; from %2; try again later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Unexpected answer&lt;/b&gt; from %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 h %2 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 min</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identify budget: &lt;b&gt;%1/%2&lt;/b&gt; left, resets at %3 (in %4) · max_concurrency %5 · recommended shards %6</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Warning:&lt;/b&gt; fewer than 10% of today&apos;s identifies are left; Discord resets the token when they run out.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Token accepted: &lt;b&gt;%1&lt;/b&gt; (id %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Warning:&lt;/b&gt; this is not a bot account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token could not be verified. Press OK again to save it anyway.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Saving…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;The token could not be saved in the system keychain.&lt;/b&gt; %1&lt;br&gt;You can keep it in memory for this session only: Gatewatch monitors the bot until it quits, then asks for the token again. It is never written to disk.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. Moderation bot (production)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shown in the account list, the event log, exports and metrics labels.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Display name:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bot token from the Developer Portal</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show or hide the token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Check token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Ask Discord who this token belongs to and how many identifies it has left.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Token:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gateway intents</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Advanced</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>from GET /gateway/bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gateway &amp;URL:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;API base:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compress the gateway stream (zlib-stream)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Watch shard 0 of the recommended count</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Watch every shard (each one supervised and shown)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shards:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep for this &amp;session only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Hide</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Edit bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Leave empty to keep the stored token</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove bot</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove “%1”?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gatewatch stops monitoring this bot, forgets its settings and deletes its token from the system keychain. The bot itself and its token at Discord are not affected.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Remove</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The account was removed, but its token could not be deleted from the system keychain: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gw::CloseCauseStyle</name>
    <message>
        <source>closed by Discord</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>gateway asked to reconnect (op 7)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>heartbeat not acknowledged (zombie)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>you asked for a reconnect</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>you asked for a new session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>session invalidated (op 9)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no HELLO in time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>handshake timed out</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>message over the 16 MiB limit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>undecodable stream</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>connection dropped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>monitoring stopped</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gw::DemoBanner</name>
    <message>
        <source>&lt;b&gt;Demo mode:&lt;/b&gt; these bots talk to a built-in gateway simulator, not to Discord. Watch them connect, resume, go zombie, get invalidated and fail — no token needed.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gw::DetailsPane</name>
    <message>
        <source>Discord closed the connection with %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The token was rejected (401). Copy the current token from the Bot page of the Discord Developer Portal (%1) and use Edit to update it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The daily IDENTIFY budget is almost spent (%1 of %2 left). It resets at %3; resume monitoring after that.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The daily IDENTIFY budget is almost spent. Wait for it to reset, then resume monitoring.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Check the network and the gateway URL override (Edit). Gatewatch restarts this account by itself after a backoff; Resume monitoring retries now.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Monitoring stopped for a reason a person must fix.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select an account to see its details.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Latency now</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mean</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>p95</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Uptime 24 h</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>7 d</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>30 d</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Current phase:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session id:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume host:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sequence:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heartbeat interval:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Shard / guilds:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last connected:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Heartbeats / reconnects:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Identify budget:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Latency</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Range:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>1 hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>24 hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>7 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>30 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Disconnects</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Paused</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · user id %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No session yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Why it stopped:&lt;/b&gt; %1&lt;br&gt;&lt;b&gt;How to fix it:&lt;/b&gt; %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>see the event log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 for %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> · next attempt in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Session ids are shortened; the full id is never needed to diagnose</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 · %3 guild(s)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 sent, %2 acked · %3 resumed, %4 identified, %5 disconnects</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2 left · resets %3 · max_concurrency %4</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n disconnect(s) in this range, %1 down in total · %2 by RESUME, %3 by IDENTIFY, %4 open</source>
        <translation>
            <numerusform>%n disconnect in this range, %1 down in total · %2 by RESUME, %3 by IDENTIFY, %4 open</numerusform>
            <numerusform>%n disconnects in this range, %1 down in total · %2 by RESUME, %3 by IDENTIFY, %4 open</numerusform>
        </translation>
    </message>
    <message>
        <source> · %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Received:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last minute:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last event:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lost:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Known losses are sequence gaps in live traffic and events the gateway did not replay after a RESUME. A new session (IDENTIFY) loses the events sent in the gap without saying how many: those gaps are counted separately.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (%2 live, %3 replayed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 events</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none known</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 unknown (new session)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gw::DisconnectHistoryModel</name>
    <message>
        <source>Start</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Downtime</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close code</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Closed by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Recovered by</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Replayed</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>ongoing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no close frame</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>— (failed)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>RESUME</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not yet</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 closes before it recovered</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Sequence %1 → %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cause</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 · sent by Gatewatch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>IDENTIFY (new session)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gatewatch closed this connection on purpose</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>lost %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none lost</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>unknown (new session)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A new session replaced the old one: the events sent in the gap were not delivered and their number is not known</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 events were sent while disconnected, %2 replayed</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gw::EventDock</name>
    <message>
        <source>Event log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All accounts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All severities</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Info and above</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Warnings and errors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Errors only</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>All kinds</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search messages (Ctrl+F; Esc clears)</source>
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
    <name>gw::EventRecorder</name>
    <message>
        <source>Gatewatch started monitoring (%1)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gatewatch stopped monitoring: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gw::ExportDialog</name>
    <message>
        <source>Export event log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Everything</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last hour</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 24 hours</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 7 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Last 30 days</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Custom…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Range:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>to</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>From:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Accounts:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Kinds:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSON Lines (.jsonl)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV (.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Format:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Browse…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Save to:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>CSV (*.csv)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>JSON Lines (*.jsonl)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select at least one account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The start of the range must be before its end.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot write %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exporting events…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exporting…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exported %L1 of %L2 events…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Exported %L1 events to %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not save %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export cancelled; nothing was written.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export failed: %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gw::IntentSelector</name>
    <message>
        <source>Servers</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Members and presence</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Server messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Direct messages</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Auto moderation</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Privileged: message content, embeds, attachments and components. Switch it on for this bot in the Developer Portal (Bot page) first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Privileged: member joins, updates and the member list. Switch it on for this bot in the Developer Portal (Bot page) first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Privileged: presence updates of every member. Switch it on for this bot in the Developer Portal (Bot page) first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 (privileged)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Intent bit %1 (value %2)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;Privileged intents&lt;/b&gt; (GUILD_MEMBERS, GUILD_PRESENCES, MESSAGE_CONTENT) must be switched on for this bot on the Bot page of the &lt;a href=&quot;%1&quot;&gt;Developer Portal&lt;/a&gt; (bots in 100 or more servers also need Discord&apos;s approval). If one is requested without that, Discord closes the connection with code 4014 and the account stops as failed.</source>
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
    <message>
        <source>no data before %1</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gw::MainWindow</name>
    <message>
        <source>Gatewatch (demo)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gatewatch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add bot…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Add a bot account to monitor</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Edit…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Remove…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Force &amp;reconnect (resume)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Close the connection and RESUME the session (no events lost)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnect with fresh &amp;IDENTIFY…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start a new session; spends one IDENTIFY of the daily budget</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Pause monitoring</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resu&amp;me monitoring</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Pause &amp;all</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>E&amp;xport event log…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Settings…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;About Gatewatch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Find in event log</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Copy rows</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Show Gatewatch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Account</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;View</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Main</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Monitoring %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No token for %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This account is not in the account list (demo or command line).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnecting with RESUME…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source> %1 of %2 are left today.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnect with a fresh IDENTIFY?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A fresh IDENTIFY starts a new session: events sent while reconnecting are lost, and it spends one IDENTIFY of the bot&apos;s daily budget.%1

Force reconnect (F5) resumes the session instead and spends nothing.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Spend an IDENTIFY</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reconnecting with a fresh IDENTIFY…</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Settings saved. Timings and the metrics endpoint apply after a restart.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>About Gatewatch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;h3&gt;Gatewatch %1&lt;/h3&gt;&lt;p&gt;Watches Discord bot gateway connections: state, heartbeat latency, every disconnect and how it recovered, and an exportable event log.&lt;/p&gt;&lt;p&gt;Tokens stay in the system keychain; they never appear in logs, exports or metrics.&lt;/p&gt;</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gatewatch is still monitoring</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Closing the window keeps Gatewatch running in the tray. Use Quit to stop monitoring.</source>
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
    <name>gw::OfflineBanner</name>
    <message>
        <source>&lt;b&gt;Network appears offline:&lt;/b&gt; every account lost its connection. Gatewatch keeps retrying and reconnects by itself.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&lt;b&gt;You are offline:&lt;/b&gt; the system reports no network. Gatewatch keeps retrying and reconnects by itself.</source>
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
    <name>gw::StatusSummary</name>
    <message>
        <source>Show only %1 accounts (click again to show all)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No accounts</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Worst: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Worst state of the accounts that are not muted: %1
%2
Click to show only those accounts</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>gw::TrayController</name>
    <message>
        <source>Gatewatch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gatewatch — %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Gatewatch — no accounts</source>
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
<context>
    <name>main</name>
    <message>
        <source>Monitors Discord bot gateway connections: state, heartbeat latency, uptime, disconnect history and an exportable event log.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run the desktop app on a built-in gateway simulator with five demo bots.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run the demo when no bot account is configured yet.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Start in the system tray (when there is one).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No window: JSON Lines events on stdout (needs --config).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Headless configuration file (JSON; see gatewatch(1)).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Headless: use this gateway URL for every account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Headless: use this REST API base for every account.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Headless: stop by itself after SECONDS.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Headless: serve Prometheus metrics on ADDR (host:port).</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
