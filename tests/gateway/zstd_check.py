#!/usr/bin/env python3
"""Independent zstd-stream check for tst_zstdpython, with Python's `zstandard` (not libzstd's C
API as Gatewatch uses it). Frames files are [u32 LE length][bytes] records, one per binary
WebSocket message.

  zstd_check.py probe                     exit 0 when `zstandard` imports
  zstd_check.py decode IN OUT             decompress IN's records on ONE decompression object,
                                          write each message's JSON (one per line) to OUT
  zstd_check.py encode OUT RESUME_URL N   write HELLO, READY and N MESSAGE_CREATE dispatches,
                                          one compressobj, each flushed with FLUSH_BLOCK
"""
import json
import struct
import sys


def read_records(path):
    with open(path, "rb") as f:
        data = f.read()
    at = 0
    while at < len(data):
        (n,) = struct.unpack_from("<I", data, at)
        yield data[at + 4 : at + 4 + n]
        at += 4 + n


def decode(zstandard, src, dst):
    dobj = zstandard.ZstdDecompressor().decompressobj()
    with open(dst, "w", encoding="utf-8") as out:
        for record in read_records(src):
            text = dobj.decompress(record).decode("utf-8")
            json.loads(text)  # every message on its own is one complete JSON document
            out.write(text.replace("\n", " ") + "\n")


def messages(resume_url, count):
    yield {"op": 10, "s": None, "t": None, "d": {"heartbeat_interval": 45000}}
    user = {"id": "4242", "username": "PyBot", "discriminator": "0", "bot": True}
    ready = {"v": 10, "user": user, "guilds": [], "session_id": "py-session-1",
             "resume_gateway_url": resume_url, "shard": [0, 1], "application": {"id": "4242", "flags": 0}}
    yield {"op": 0, "s": 1, "t": "READY", "d": ready}
    for i in range(count):
        yield {"op": 0, "s": 2 + i, "t": "MESSAGE_CREATE",
               "d": {"id": str(1000 + i), "channel_id": "7", "content": "python says %d " % i + "x" * (i % 50)}}


def encode(zstandard, dst, resume_url, count):
    cobj = zstandard.ZstdCompressor().compressobj()
    with open(dst, "wb") as out:
        for m in messages(resume_url, count):
            chunk = cobj.compress(json.dumps(m).encode("utf-8"))
            chunk += cobj.flush(zstandard.COMPRESSOBJ_FLUSH_BLOCK)
            out.write(struct.pack("<I", len(chunk)) + chunk)


def main(argv):
    try:
        import zstandard
    except ImportError:
        print("python3 module zstandard is missing (Debian: python3-zstandard)", file=sys.stderr)
        return 3
    if argv[1:2] == ["probe"]:
        return 0
    if argv[1:2] == ["decode"] and len(argv) == 4:
        decode(zstandard, argv[2], argv[3])
        return 0
    if argv[1:2] == ["encode"] and len(argv) == 5:
        encode(zstandard, argv[2], argv[3], int(argv[4]))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
