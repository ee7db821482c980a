'use strict';
// The peer of the paced benchmark (tests/bench/bench_paced.sh): @discordjs/ws (the version pinned in
// tests/thirdparty/package-lock.json) as a bot would run it, against gatewatch-sim.
//
//   node discordjs_peer.js paced    one WebSocketManager, one shard. Prints "ready" after READY, then
//                                   reads commands on stdin: "expect N" prints "counted N" once N
//                                   more MESSAGE_CREATE dispatches have arrived (and the
//                                   Unix time of the last, in seconds).
//   node discordjs_peer.js idle N   N WebSocketManagers (N bots: one token, one REST client and one
//                                   shard each, as N bots in one process), prints "ready N" when
//                                   every shard is READY, then only heartbeats until SIGTERM.
//
// Environment: SIM_REST (http[s]://host:port/api/v10); PEER_TOKEN (paced) or PEER_TOKEN_PREFIX
// (idle: bot i gets PEER_TOKEN_PREFIX + i); PEER_COMPRESS = zlib-stream (default) or none.
// zlib-stream is CompressionMethod.ZlibNative (node:zlib): the only method 2.0.4 offers that needs
// no optional native module (ZlibSync needs zlib-sync, which the lock file does not install);
// 2.0.4 has no zstd-stream. Over wss, Node trusts the test CA through NODE_EXTRA_CA_CERTS.
// Tokens are never printed.

const { WebSocketManager, WebSocketShardEvents, CompressionMethod } = require('@discordjs/ws');
const { REST } = require('@discordjs/rest');
const readline = require('node:readline');

function env(name, fallback) {
    const v = process.env[name] ?? fallback;
    if (v === undefined || v === '') {
        console.error(`discordjs_peer: missing environment variable ${name}`);
        process.exit(2);
    }
    return v;
}

function compressionOption() {
    const c = env('PEER_COMPRESS', 'zlib-stream');
    if (c === 'zlib-stream') {
        return CompressionMethod.ZlibNative;
    }
    if (c === 'none') {
        return null;
    }
    console.error(`discordjs_peer: PEER_COMPRESS must be zlib-stream or none (2.0.4 has no ${c})`);
    process.exit(2);
}

function makeManager(token) {
    const apiBase = env('SIM_REST').replace(/\/v10\/?$/, '');
    const rest = new REST({ version: '10', api: apiBase }).setToken(token);
    // Session info per manager: the default store is one per process, keyed by shard id only, so
    // N managers with shard 0 would RESUME each other's sessions.
    const sessions = new Map();
    return new WebSocketManager({
        token,
        intents: 1, // GUILDS
        rest,
        compression: compressionOption(),
        retrieveSessionInfo: (shardId) => sessions.get(shardId) ?? null,
        updateSessionInfo: (shardId, info) => (info ? sessions.set(shardId, info) : sessions.delete(shardId)),
    });
}

function reportErrors(manager) {
    manager.on(WebSocketShardEvents.Error, (err) => console.error(`discordjs_peer: shard error: ${err.message}`));
    manager.on(WebSocketShardEvents.Closed, (code) => console.error(`discordjs_peer: shard closed with ${code}`));
}

async function paced() {
    const manager = makeManager(env('PEER_TOKEN'));
    reportErrors(manager);
    let count = 0;
    let target = Infinity;
    let asked = 0;
    manager.on(WebSocketShardEvents.Dispatch, (payload) => {
        if (payload.t !== 'MESSAGE_CREATE') {
            return;
        }
        if (++count >= target) {
            target = Infinity;
            process.stdout.write(`counted ${asked} ${(Date.now() / 1000).toFixed(3)}\n`);
        }
    });
    manager.once(WebSocketShardEvents.Ready, () => process.stdout.write('ready\n'));
    await manager.connect();
    const input = readline.createInterface({ input: process.stdin });
    input.on('line', (line) => {
        const m = /^expect (\d+)$/.exec(line.trim());
        if (m) {
            asked = Number(m[1]);
            target = count + asked;
        }
    });
    input.on('close', async () => {
        await manager.destroy({ reason: 'benchmark done' });
        process.exit(0);
    });
}

async function idle(n) {
    const prefix = env('PEER_TOKEN_PREFIX');
    const managers = [];
    let ready = 0;
    for (let i = 0; i < n; ++i) {
        const manager = makeManager(`${prefix}${i}`);
        reportErrors(manager);
        manager.once(WebSocketShardEvents.Ready, () => {
            if (++ready === n) {
                process.stdout.write(`ready ${n}\n`);
            }
        });
        managers.push(manager);
    }
    await Promise.all(managers.map((m) => m.connect()));
    const stop = async () => {
        await Promise.all(managers.map((m) => m.destroy({ reason: 'benchmark done' })));
        process.exit(0);
    };
    process.on('SIGTERM', stop);
    process.on('SIGINT', stop);
}

const mode = process.argv[2];
const main = mode === 'paced' ? paced() : mode === 'idle' ? idle(Number(process.argv[3] || 1)) : null;
if (!main) {
    console.error('usage: discordjs_peer.js paced | idle N');
    process.exit(2);
}
main.catch((err) => {
    console.error(`discordjs_peer: ${err.message}`);
    process.exit(1);
});
