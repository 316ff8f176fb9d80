#!/usr/bin/env python3
"""Check a Chromium net log (--log-net-log) for requests made by the page.

    check_netlog.py NETLOG [EXPECT]

A request belongs to the page when its network isolation key or its
site-for-cookies names the page's origin (file://); the browser's own
background traffic (component and time updates, which the command-line
flags do not silence completely) carries a null key. Prints every
http/https/ws/wss/ftp request of the page and exits 1 if there is one,
0 if there is none. With EXPECT=some the meaning is reversed (the negative
control: a page that does load something must be caught). Exit 2 when the
log cannot be read.
"""
import json
import sys

SCHEMES = ("http:", "https:", "ws:", "wss:", "ftp:")


def load(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    try:
        return json.loads(text)
    except ValueError:
        # A browser that was stopped leaves the events list open.
        text = text.rstrip().rstrip(",")
        return json.loads(text + "]}")


def page_requests(log):
    names = {v: k for k, v in log.get("constants", {}).get("logEventTypes", {}).items()}
    found = []
    for ev in log.get("events", []):
        p = ev.get("params") or {}
        url = str(p.get("url", ""))
        if not url.lower().startswith(SCHEMES):
            continue
        nik = str(p.get("network_isolation_key", ""))
        sfc = str(p.get("site_for_cookies", ""))
        kind = names.get(ev.get("type"), "?")
        if "file://" in nik or "site=file://" in sfc:
            found.append("%s %s" % (kind, url))
    return sorted(set(found))


def main():
    if len(sys.argv) < 2:
        print("usage: check_netlog.py NETLOG [some]", file=sys.stderr)
        return 2
    try:
        log = load(sys.argv[1])
    except (OSError, ValueError) as e:
        print("cannot read net log %s: %s" % (sys.argv[1], e), file=sys.stderr)
        return 2
    if not log.get("events"):
        print("net log %s has no events" % sys.argv[1], file=sys.stderr)
        return 2
    found = page_requests(log)
    for line in found:
        print("page request: " + line)
    if len(sys.argv) > 2 and sys.argv[2] == "some":
        return 0 if found else 1
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
