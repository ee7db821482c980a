'use strict';
// Keeping the simulator honest: discord.js's gateway library (@discordjs/ws, pinned in package.json) against a
// running gatewatch-sim. For each compression mode it must reach READY, see >= 2 heartbeat ACKs,
// and RESUME (op 6, never a second op 2) after an op 7 and after a dropped TCP connection; the
// simulator's own record (GET /control/received) is the judge of what the library sent.
//
// Environment: SIM_REST (http://host:port/api/v10), SIM_CONTROL (http://host:port/control),
// SIM_RESUME (ws://host:port), and two bots configured on the simulator:
// BOT_PLAIN_NAME/BOT_PLAIN_TOKEN and BOT_ZLIB_NAME/BOT_ZLIB_TOKEN.

const { WebSocketManager, WebSocketShardEvents, CompressionMethod, version } = require('@discordjs/ws');
const { REST } = require('@discordjs/rest');

const STEP_TIMEOUT_MS = 15000;

function env(name) {
    const v = process.env[name];
    if (!v) {
        throw new Error(`missing environment variable ${name}`);
    }
    return v;
}

function log(...args) {
    console.log(`[${new Date().toISOString()}]`, ...args);
}

async function waitFor(what, predicate, timeoutMs = STEP_TIMEOUT_MS) {
    const started = Date.now();
    while (!predicate()) {
        if (Date.now() - started > timeoutMs) {
            throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
    }
    log(`ok: ${what} (${Date.now() - started} ms)`);
}

function check(condition, message) {
    if (!condition) {
        throw new Error(`assertion failed: ${message}`);
    }
    log(`ok: ${message}`);
}

async function control(method, path, body) {
    const res = await fetch(env('SIM_CONTROL') + path, {
        method,
        headers: body ? { 'Content-Type': 'application/json' } : {},
        body: body ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    if (res.status >= 300) {
        throw new Error(`${method} ${path} -> ${res.status} ${text}`);
    }
    return JSON.parse(text);
}

async function received(bot) {
    return control('GET', `/received?bot=${encodeURIComponent(bot)}`);
}

function ops(records, op) {
    return records.filter((r) => r.op === op);
}

async function scenario(botName, token, compression) {
    const mode = compression === null ? 'plain JSON' : 'zlib-stream (node:zlib)';
    log(`=== ${botName}: ${mode} ===`);
    const apiBase = env('SIM_REST').replace(/\/v10\/?$/, '');
    const rest = new REST({ version: '10', api: apiBase }).setToken(token);
    const manager = new WebSocketManager({
        token,
        intents: 1, // GUILDS
        rest,
        compression,
        handshakeTimeout: 10000,
        helloTimeout: 10000,
        readyTimeout: 10000,
    });

    const state = { ready: 0, resumed: 0, acks: 0, closes: [], seqs: [], errors: [], ready0: null, replays: [] };
    manager.on(WebSocketShardEvents.Ready, (data) => {
        state.ready += 1;
        state.ready0 = data;
    });
    manager.on(WebSocketShardEvents.Resumed, () => {
        state.resumed += 1;
    });
    manager.on(WebSocketShardEvents.HeartbeatComplete, () => {
        state.acks += 1;
    });
    manager.on(WebSocketShardEvents.Closed, (code) => {
        state.closes.push(code);
    });
    manager.on(WebSocketShardEvents.Dispatch, (payload) => {
        if (typeof payload.s === 'number') {
            state.seqs.push(payload.s);
        }
    });
    manager.on(WebSocketShardEvents.Error, (err) => {
        state.errors.push(String(err));
        log('library error:', String(err));
    });
    manager.on(WebSocketShardEvents.Debug, (msg) => {
        // The library's own replay count ("Resumed and replayed N events").
        const m = /Resumed and replayed (\d+) events/.exec(msg);
        if (m) {
            state.replays.push(Number(m[1]));
        }
        if (process.env.DEBUG_DJS) {
            log('debug:', msg);
        }
    });

    try {
        await manager.connect();
        await waitFor('READY', () => state.ready === 1);
        check(typeof state.ready0.session_id === 'string' && state.ready0.session_id.length > 0, 'READY has a session_id');
        check(state.ready0.resume_gateway_url === env('SIM_RESUME'), 'READY resume_gateway_url is the resume listener');
        await waitFor('>= 2 heartbeat ACKs', () => state.acks >= 2);

        let recs = await received(botName);
        check(ops(recs, 2).length === 1, 'exactly one IDENTIFY (op 2) so far');
        check(ops(recs, 1).length >= 2, 'the simulator recorded >= 2 heartbeats (op 1)');
        const conns = (await control('GET', '/connections')).filter((c) => c.bot === botName);
        check(conns.length === 1 && conns[0].compressed === (compression !== null),
            `the connection is ${compression !== null ? '' : 'not '}zlib-stream compressed (${conns[0] && conns[0].path})`);

        // op 7: the library must close and RESUME on resume_gateway_url.
        await control('POST', '/fault', { bot: botName, kind: 'Reconnect', delay_ms: 5000 });
        await waitFor('RESUMED after op 7', () => state.resumed === 1);
        recs = await received(botName);
        check(ops(recs, 6).length === 1, 'op 7 was followed by a RESUME (op 6)');
        check(ops(recs, 2).length === 1, 'op 7 did not cause a second IDENTIFY');
        const resume1 = ops(recs, 6)[0];
        check(resume1.session_id === state.ready0.session_id, 'RESUME carried the READY session_id');
        let conns2 = (await control('GET', '/connections')).filter((c) => c.bot === botName && c.open);
        check(conns2.length === 1 && conns2[0].via_resume_url, 'the resumed socket is on the resume listener');
        check(conns2[0].compressed === (compression !== null), 'the resumed socket kept the same query string');
        const acksAfterOp7 = state.acks;
        await waitFor('a heartbeat ACK after the op 7 resume', () => state.acks > acksAfterOp7);

        // A TCP connection dropped without a close frame: RESUME again, with a replay of what
        // the background dispatcher sent in the gap.
        await control('POST', '/fault', { bot: botName, kind: 'DropTcp' });
        await waitFor('RESUMED after a dropped TCP connection', () => state.resumed === 2);
        recs = await received(botName);
        check(ops(recs, 6).length === 2, 'the dropped connection was followed by a RESUME (op 6)');
        check(ops(recs, 2).length === 1, 'the dropped connection did not cause a second IDENTIFY');
        check(state.replays.length === 2 && state.replays[1] > 0,
            `the library counted replayed dispatches after the drop (${state.replays.join(', ')})`);
        const acksAfterDrop = state.acks;
        await waitFor('a heartbeat ACK after the drop resume', () => state.acks > acksAfterDrop);
        check(state.closes.length >= 2, `the library saw the closes (${state.closes.join(', ')})`);

        if (process.env.SIM_REPLAY_BUFFER) {
            await underLoad(botName, state);
        }

        // Sequence numbers only move forward across both resumes.
        let monotonic = true;
        for (let i = 1; i < state.seqs.length; ++i) {
            if (state.seqs[i] <= state.seqs[i - 1]) {
                monotonic = false;
            }
        }
        check(monotonic, `dispatch sequence numbers increase across resumes (last s = ${state.seqs[state.seqs.length - 1]})`);
        check(state.errors.length === 0, 'the library reported no errors');
    } finally {
        await manager.destroy({ reason: 'acceptance test done' });
    }
}

// Only when gatewatch-sim runs with --outbound-rate, --ack-delay and --replay-buffer (run_acceptance.sh
// load): the replay after the drop was capped by the small buffer, and a skipped sequence number
// plus a paced flood behind the paced outbound queue neither break the library nor make it
// take the late ACKs for a zombie connection (no further RESUME or IDENTIFY).
async function underLoad(botName, state) {
    const limit = Number(env('SIM_REPLAY_BUFFER'));
    check(state.replays[1] <= limit + 1, `the replay after the drop was capped by the buffer of ${limit} (${state.replays[1]})`);
    const before = state.seqs.length;
    const acks = state.acks;
    await control('POST', '/fault', { bot: botName, kind: 'SkipSequence', count: 5 });
    await control('POST', '/fault', { bot: botName, kind: 'Flood', count: 60, rate: 500 });
    await waitFor('the paced flood', () => state.seqs.length >= before + 60);
    let jumps = 0;
    for (let i = before; i < state.seqs.length; ++i) {
        if (state.seqs[i] - state.seqs[i - 1] === 6) {
            jumps += 1;
        }
    }
    check(jumps === 1, 'one dispatch jumped 5 sequence numbers (SkipSequence)');
    await waitFor('heartbeat ACKs through the paced queue', () => state.acks >= acks + 2);
    const recs = await received(botName);
    check(state.resumed === 2 && ops(recs, 6).length === 2 && ops(recs, 2).length === 1,
        'late ACKs behind the queue caused no reconnect');
}

async function main() {
    log(`@discordjs/ws ${version}, node ${process.version}`);
    await scenario(env('BOT_PLAIN_NAME'), env('BOT_PLAIN_TOKEN'), null);
    await scenario(env('BOT_ZLIB_NAME'), env('BOT_ZLIB_TOKEN'), CompressionMethod.ZlibNative);
    log('PASS');
}

const guard = setTimeout(() => {
    console.error('FAIL: overall timeout');
    process.exit(1);
}, 100000);

main()
    .then(() => {
        clearTimeout(guard);
        process.exit(0);
    })
    .catch((err) => {
        console.error('FAIL:', err && err.stack ? err.stack : err);
        process.exit(1);
    });
