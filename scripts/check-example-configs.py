#!/usr/bin/env python3
"""Check that the example configurations in config/ agree with each other.

Every party's public keys appear in many files: in the relay of its BEN
(signing_key, transport_key), in the [relay] section of every node of that
BEN (the relay's transport_key), and in the [party] sections of every node
and relay that trusts its signatures. A node set up from examples whose
keys disagree refuses messages for ever (unknown_key), so this script
checks, over all files given (default: config/*.ini config/*.conf):

  1. each party has one signing key and one transport key everywhere;
  2. each node's relay lists the node, with a transport key, in its BEN;
  3. each relay of a BEN lists every node of that BEN that has a config;
  4. each node trusts the signing keys of its relay and its BEN's desks
     (or, for a desk, of its BEN's regions).

Exit status 0 when all agree, 1 with one line per disagreement
(FILE:LINE: what), 64 on a usage error.
"""
import glob
import os
import re
import sys

SECTION = re.compile(r"^\[([^\]]+)\]\s*$")
KEYVAL = re.compile(r"^([a-z_]+)\s*=\s*(.*?)\s*(?:\s;.*)?$")


def parse(path):
    """Sections of an INI file: list of (name, {key: (value, line)}, line)."""
    sections = []
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith(";") or line.startswith("#"):
                continue
            m = SECTION.match(line)
            if m:
                sections.append((m.group(1).strip(), {}, n))
                continue
            m = KEYVAL.match(line)
            if m and sections:
                sections[-1][1][m.group(1)] = (m.group(2), n)
    return sections


def main(argv):
    if len(argv) > 1 and argv[1] in ("-h", "--help"):
        print(__doc__)
        return 0
    here = os.path.dirname(os.path.abspath(__file__))
    files = argv[1:] or sorted(
        glob.glob(os.path.join(here, "..", "config", "*.ini"))
        + glob.glob(os.path.join(here, "..", "config", "*.conf")))
    files = [f for f in files if not f.endswith("sysusers.conf")]
    if not files:
        print("check-example-configs: no configuration files", file=sys.stderr)
        return 64
    keys = {}        # (party, kind) -> {value: [where]}
    nodes = {}       # node party -> (file, ben, relay party, trusted set)
    relays = {}      # relay party -> (file, ben, {party: has_transport})
    problems = []

    def seen(party, kind, value, where):
        keys.setdefault((party, kind), {}).setdefault(value, []).append(where)

    for path in files:
        name = os.path.relpath(path)
        secs = parse(path)
        kinds = {s[0] for s in secs}
        own_relay = None
        listed = {}
        trusted = set()
        for sname, kv, line in secs:
            if sname.startswith("party "):
                party = sname[6:].strip()
                listed[party] = "transport_key" in kv
                trusted.add(party)
                for kind in ("signing_key", "transport_key"):
                    if kind in kv:
                        v, n = kv[kind]
                        seen(party, kind, v, "%s:%d" % (name, n))
            elif sname == "relay" and "node" in kinds:
                if "party" in kv and "transport_key" in kv:
                    v, n = kv["transport_key"]
                    seen(kv["party"][0], "transport_key", v,
                         "%s:%d" % (name, n))
                    own_relay = kv["party"][0]
        if "node" in kinds:
            node = [s for s in secs if s[0] == "node"][0][1]
            nodes[node["party"][0]] = (name, node["ben"][0], own_relay,
                                       trusted)
        elif "relay" in kinds:
            relay = [s for s in secs if s[0] == "relay"][0][1]
            relays[relay["party"][0]] = (name, relay["ben"][0], listed)

    for (party, kind), values in sorted(keys.items()):
        if len(values) > 1:
            detail = "; ".join("%s…%s in %s" % (v[:8], v[-4:], ", ".join(w))
                               for v, w in values.items())
            problems.append("%s of %s disagrees: %s" % (kind, party, detail))
    for node, (name, ben, relay, trusted) in sorted(nodes.items()):
        if relay not in relays:
            continue  # its relay's configuration is not among the files
        rname, rben, listed = relays[relay]
        if rben != ben:
            problems.append("%s: %s belongs to BEN %s but its relay %s is "
                            "of BEN %s" % (name, node, ben, relay, rben))
        if not listed.get(node):
            problems.append("%s: %s does not list %s with a transport_key "
                            "(the node cannot connect)" % (rname, relay, node))
        if relay not in trusted:
            problems.append("%s: %s does not list its relay %s" %
                            (name, node, relay))
        wanted = "region:" if node.startswith("desk:") else "desk:"
        for other, (_, oben, _, _) in nodes.items():
            if other.startswith(wanted) and oben == ben and \
                    other not in trusted:
                problems.append("%s: %s does not list %s of its BEN" %
                                (name, node, other))
    for relay, (rname, rben, listed) in sorted(relays.items()):
        for node, (_, ben, _, _) in sorted(nodes.items()):
            if ben == rben and not listed.get(node):
                problems.append("%s: %s does not list %s of its BEN with a "
                                "transport_key" % (rname, relay, node))
    for p in problems:
        print("check-example-configs: " + p)
    if not problems:
        print("check-example-configs: %d files, %d parties: keys agree" %
              (len(files), len({p for p, _ in keys})))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
