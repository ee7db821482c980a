#!/usr/bin/env python3
"""Regenerates the seed corpus in tests/fuzz/corpus/<target>/ (committed; run by hand when the
input formats in fuzz_*.cpp change). Payloads follow Discord's documented shapes (docs/protocol.md)."""
import json, os, struct, sys, zlib

try:
    import zstandard  # python3-zstandard (scripts/install-deps.sh)
except ImportError:
    sys.exit("make_corpus.py: the zstd seeds need the python3 module zstandard (python3-zstandard)")

HERE = os.path.dirname(os.path.abspath(__file__))

HELLO = {"op": 10, "d": {"heartbeat_interval": 41250, "_trace": ["gateway-prd-us-east1-b-0568"]}, "s": None, "t": None}
READY = {"op": 0, "s": 1, "t": "READY", "d": {
    "v": 10, "user": {"id": "100000000000000001", "username": "SimBot", "discriminator": "0", "bot": True},
    "guilds": [{"id": "200000000000000001", "unavailable": True}],
    "session_id": "9d8b3c8a1f0e4e7f9c1e2d3b4a5f6e7d", "resume_gateway_url": "wss://gateway-us-east1-b.discord.gg",
    "shard": [0, 1], "application": {"id": "100000000000000001", "flags": 0}}}
MESSAGE = {"op": 0, "s": 2, "t": "MESSAGE_CREATE", "d": {"id": "300000000000000001", "channel_id": "1",
    "content": "h\u00e9llo \"world\" \\ \U0001F600", "author": {"id": "4", "username": "u"}, "embeds": [], "nonce": None}}
GUILD = {"op": 0, "s": 3, "t": "GUILD_CREATE", "d": {"id": "200000000000000001", "name": "g", "member_count": 2}}
RESUMED = {"op": 0, "s": 9, "t": "RESUMED", "d": {"_trace": ["x"]}}
ACK = {"op": 11}
BEAT = {"op": 1, "d": None}
RECONNECT = {"op": 7, "d": None}
INVALID_T = {"op": 9, "d": True}
INVALID_F = {"op": 9, "d": False}
UNKNOWN = {"op": 42, "d": {"x": [1, 2.5, -3e10, True, False, None]}}

def enc(obj):
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()

def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)

def deflated(messages, split=False):
    """One zlib stream: each message compressed and ended by Z_SYNC_FLUSH (00 00 ff ff)."""
    c = zlib.compressobj()
    frames = []
    for m in messages:
        chunk = c.compress(m) + c.flush(zlib.Z_SYNC_FLUSH)
        if split and len(chunk) > 8:
            frames += [chunk[: len(chunk) // 2], chunk[len(chunk) // 2 :]]
        else:
            frames.append(chunk)
    return frames

def zstd_stream(messages, split=False):
    """One zstd frame for the connection: each message compressed and flushed (ZSTD_e_flush)."""
    c = zstandard.ZstdCompressor().compressobj()
    frames = []
    for m in messages:
        chunk = c.compress(m) + c.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)
        if split and len(chunk) > 8:
            frames += [chunk[: len(chunk) // 2], chunk[len(chunk) // 2 :]]
        else:
            frames.append(chunk)
    return frames

def lp(frames):
    return b"".join(struct.pack("<H", len(f)) + f for f in frames)

def client_records(records):
    return b"".join(bytes([1 if binary else 0]) + struct.pack("<H", len(f)) + f for binary, f in records)

# payload: one message per file
payloads = {"hello": HELLO, "ready": READY, "message_create": MESSAGE, "guild_create": GUILD, "resumed": RESUMED,
            "ack": ACK, "heartbeat": BEAT, "reconnect": RECONNECT, "invalid_true": INVALID_T,
            "invalid_false": INVALID_F, "unknown_op": UNKNOWN}
for name, obj in payloads.items():
    write("payload", name + ".json", enc(obj))
write("payload", "reordered_ws.json", b' { "t" : null ,\n"d":{"heartbeat_interval":1e3}, "s":null,"op":10 } ')
write("payload", "escaped_keys.json", b'{"\\u006fp":0,"\\u0073":5,"t":"MESSAGE_CREATE","d":{}}')
write("payload", "wrong_types.json", b'{"op":"10","s":1.5,"t":7,"d":{"heartbeat_interval":"41250","session_id":5}}')
write("payload", "deep.json", b'{"op":0,"d":' + b"[" * 100 + b"]" * 100 + b',"s":1,"t":"X"}')

# inflater: flag byte + length-prefixed frames
stream = [enc(HELLO), enc(READY), enc(MESSAGE), enc(ACK), enc(GUILD)]
write("inflater", "stream", b"\x00" + lp(deflated(stream)))
write("inflater", "stream_split", b"\x00" + lp(deflated(stream, split=True)))
write("inflater", "reset_between", b"\x01" + lp(deflated(stream[:2]) + deflated(stream[2:])))
big = enc({"op": 0, "s": 4, "t": "X", "d": {"blob": "A" * 200000}})
write("inflater", "compressible_big", b"\x00" + lp(deflated([big])))
write("inflater", "garbage", b"\x00" + lp([b"not zlib at all\x00\x00\xff\xff"]))

# zstd: flag byte + length-prefixed frames (the inflater's format)
write("zstd", "stream", b"\x00" + lp(zstd_stream(stream)))
write("zstd", "stream_split", b"\x00" + lp(zstd_stream(stream, split=True)))
write("zstd", "reset_between", b"\x01" + lp(zstd_stream(stream[:2]) + zstd_stream(stream[2:])))
write("zstd", "compressible_big", b"\x00" + lp(zstd_stream([big])))
write("zstd", "garbage", b"\x00" + lp([b"not zstd at all", b"\x28\xb5\x2f\xfd\x00\x00\x00"]))
ended = zstandard.ZstdCompressor().compress(enc(HELLO)) + zstandard.ZstdCompressor().compress(enc(ACK))
write("zstd", "two_frames", b"\x00" + lp([ended]))

# client: mode byte + [binary flag][length][bytes] records after the simulated HELLO
write("client", "text_ready_dispatch", b"\x00" + client_records([(False, enc(READY)), (False, enc(MESSAGE)),
                                                               (False, enc(BEAT)), (False, enc(ACK))]))
write("client", "text_op7", b"\x00" + client_records([(False, enc(READY)), (False, enc(RECONNECT))]))
write("client", "text_op9_false", b"\x04" + client_records([(False, enc(READY)), (False, enc(INVALID_F))]))
write("client", "text_op9_true", b"\x00" + client_records([(False, enc(READY)), (False, enc(INVALID_T))]))
write("client", "resumed_seeded", b"\x02" + client_records([(False, enc(MESSAGE)), (False, enc(RESUMED)),
                                                          (False, enc(ACK))]))
write("client", "hello_twice", b"\x00" + client_records([(False, enc(HELLO)), (False, enc(READY))]))
write("client", "zlib_stream", b"\x01" + client_records(
    [(True, f) for f in deflated([enc(READY), enc(MESSAGE), enc(GUILD), enc(ACK)])]))
write("client", "zlib_split", b"\x05" + client_records(
    [(True, f) for f in deflated([enc(READY), enc(MESSAGE), enc(RECONNECT)], split=True)]))
write("client", "zstd_stream", b"\x08" + client_records(
    [(True, f) for f in zstd_stream([enc(READY), enc(MESSAGE), enc(GUILD), enc(ACK)])]))
write("client", "zstd_split", b"\x0c" + client_records(
    [(True, f) for f in zstd_stream([enc(READY), enc(MESSAGE), enc(RECONNECT)], split=True)]))
write("client", "bad_ready", b"\x00" + client_records([(False, b'{"op":0,"s":1,"t":"READY","d":{"session_id":5}}')]))
