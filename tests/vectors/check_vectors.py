#!/usr/bin/env python3
"""An independent check of the valid test vectors, written from
docs/protocol.md and tests/vectors/README.md alone: hashlib's BLAKE2b,
OpenSSL's Ed25519 (python3-cryptography), a minimal protobuf reader and a
reader of proto/retfed.proto written here. It derives each key from its
seed, checks the key id, rebuilds the signed message, verifies and re-signs,
lists the decoded fields in the vectors' format and compares them, and
checks that flipping any byte breaks the signature. Not run by CI (it needs
python3-cryptography); run it by hand: tests/vectors/check_vectors.py"""
import hashlib, os, sys
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey, Ed25519PublicKey)
from cryptography.exceptions import InvalidSignature

PREFIX = b"RETFED-ENVELOPE\x00"

def varint(b, i):
    v = s = 0
    while True:
        c = b[i]; i += 1
        v |= (c & 0x7f) << s; s += 7
        if c < 0x80:
            return v, i

def fields(b):
    """(number, wire type, value) of each field; value bytes for wt 2."""
    i, out = 0, []
    while i < len(b):
        tag, i = varint(b, i)
        n, wt = tag >> 3, tag & 7
        if wt == 0:
            v, i = varint(b, i)
        elif wt == 2:
            l, i = varint(b, i); v = b[i:i + l]; i += l
            assert i <= len(b)
        else:
            raise ValueError("wire type %d" % wt)
        out.append((n, wt, v))
    return out

def load(path):
    d = {"_lines": []}
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line and not line.startswith("#"):
            k, v = line.split(" = ", 1)
            d.setdefault(k, v)
            d["_lines"].append((k, v))
    return d

def check(d):
    seed = bytes.fromhex(d["signing_seed"])
    pk = bytes.fromhex(d["signing_public"])
    sk = Ed25519PrivateKey.from_private_bytes(seed)
    assert sk.public_key().public_bytes_raw() == pk, "seed/public"
    kid = hashlib.blake2b(pk, digest_size=32).digest()[:8]
    assert kid.hex() == d["key_id"], "key id"
    env = bytes.fromhex(d["envelope"])
    f = fields(env)
    assert [x[0] for x in f] == [1, 2], "envelope fields"
    body, sig = f[0][2], f[1][2]
    assert body.hex() == d["body"] and sig.hex() == d["signature"]
    m = PREFIX + b"\x01" + body
    assert m.hex() == d["signed_message"], "signed message"
    Ed25519PublicKey.from_public_bytes(pk).verify(sig, m)
    assert sk.sign(m) == sig, "deterministic signature"
    hdr = {n: v for n, wt, v in fields(body) if n <= 8}
    assert hdr[1] == 1
    assert hdr[3].decode() == d["body.sender"].strip('"')
    assert hdr[4] == kid, "Body.key_id"
    assert hdr[5] == int(d["body.seq"])
    mid = hdr[6]
    assert int.from_bytes(mid[:6], "big") == hdr[7] == int(d["body.created_ms"])
    return len(env)

def flips_fail(d):
    pk = Ed25519PublicKey.from_public_bytes(bytes.fromhex(d["signing_public"]))
    env = bytearray(bytes.fromhex(d["envelope"]))
    for off in range(len(env)):
        for mask in (0x01, 0x80):
            env[off] ^= mask
            ok = True
            try:
                f = fields(bytes(env))
                if [x[0] for x in f] != [1, 2] or len(f[1][2]) != 64:
                    ok = False
                else:
                    pk.verify(f[1][2], PREFIX + b"\x01" + f[0][2])
            except (ValueError, IndexError, AssertionError, InvalidSignature):
                ok = False
            env[off] ^= mask
            assert not ok, "flip at %d still verifies" % off

# ---- decoded fields, from proto/retfed.proto parsed here -------------------

import re

SCALARS = {"uint32", "uint64", "bool", "string", "bytes"}

def parse_proto(path):
    text = re.sub(r"//[^\n]*", "", open(path, encoding="utf-8").read())
    enums, msgs = {}, {}
    for name, body in re.findall(r"enum\s+(\w+)\s*\{([^}]*)\}", text):
        enums[name] = {int(v): k for k, v in re.findall(r"(\w+)\s*=\s*(\d+)\s*;", body)}
    for m in re.finditer(r"message\s+(\w+)\s*\{", text):
        depth, i = 1, m.end()
        while depth:
            depth += {"{": 1, "}": -1}.get(text[i], 0); i += 1
        body = text[m.end():i - 1]
        fl = []
        for rep, typ, fname, num in re.findall(
                r"(repeated\s+)?(\w+)\s+(\w+)\s*=\s*(\d+)\s*;", body):
            fl.append((int(num), fname, typ, bool(rep)))
        oneof = set()
        for block in re.findall(r"oneof\s+\w+\s*\{([^}]*)\}", body):
            oneof |= set(re.findall(r"(\w+)\s*=\s*\d+\s*;", block))
        msgs[m.group(1)] = (sorted(fl), oneof)
    return enums, msgs

def quote(s):
    out = []
    for ch in s:
        c = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif c < 0x20 or c == 0x7f:
            out.append("\\x%02x" % c)
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'

def dump(enums, msgs, mname, data, prefix, out):
    fl, oneof = msgs[mname]
    got = {}
    for n, wt, v in fields(data):
        got.setdefault(n, []).append((wt, v))
    for num, fname, typ, rep in fl:
        vals = []
        for wt, v in got.get(num, []):
            if rep and wt == 2 and (typ in enums or typ in ("uint32", "uint64", "bool")):
                i = 0
                while i < len(v):
                    x, i = varint(v, i); vals.append(x)
            else:
                vals.append(v)
        def one(path, v):
            if typ in msgs:
                dump(enums, msgs, typ, v, path, out)
            elif typ in enums:
                out.append("%s = %s" % (path, enums[typ][v]))
            elif typ == "bool":
                out.append("%s = %s" % (path, "true" if v else "false"))
            elif typ == "string":
                out.append("%s = %s" % (path, quote(v.decode("utf-8"))))
            elif typ == "bytes":
                out.append("%s = %s" % (path, v.hex()))
            else:
                out.append("%s = %d" % (path, v))
        if rep:
            for k, v in enumerate(vals):
                one("%s.%s[%d]" % (prefix, fname, k), v)
        elif vals:
            v = vals[-1]
            if fname in oneof or typ in msgs or v not in (0, b""):
                one("%s.%s" % (prefix, fname), v)

def check_fields(d, proto):
    enums, msgs = parse_proto(proto)
    out = []
    dump(enums, msgs, "Body", bytes.fromhex(d["body"]), "body", out)
    want = ["%s = %s" % (k, v) for k, v in d["_lines"] if k.startswith("body.")]
    assert out == want, "\n".join(a + "  |  " + b for a, b in zip(out, want) if a != b) or "count"

def main():
    d = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    proto = os.path.join(d, "..", "..", "proto", "retfed.proto")
    n = 0
    for name in sorted(os.listdir(d)):
        if name.endswith(".vec") and not name.startswith("invalid_"):
            v = load(os.path.join(d, name))
            size = check(v)
            check_fields(v, proto)
            flips_fail(v)
            print("ok %-24s %5d bytes" % (name, size))
            n += 1
    assert n == 6, "expected 6 valid vectors"
    # The two invalid vectors a signature check alone must refuse.
    v = load(os.path.join(d, "invalid_bad_signature.vec"))
    f = fields(bytes.fromhex(v["envelope"]))
    try:
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(
            v["signing_public"])).verify(f[1][2], PREFIX + b"\x01" + f[0][2])
        raise AssertionError("invalid_bad_signature verifies")
    except InvalidSignature:
        print("ok invalid_bad_signature.vec refused")
    v = load(os.path.join(d, "invalid_wrong_key_id.vec"))
    body = fields(bytes.fromhex(v["envelope"]))[0][2]
    kid = hashlib.blake2b(bytes.fromhex(v["signing_public"]),
                          digest_size=32).digest()[:8]
    assert dict((n, x) for n, _, x in fields(body))[4] != kid
    print("ok invalid_wrong_key_id.vec refused")

main()
