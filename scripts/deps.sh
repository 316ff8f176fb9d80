#!/usr/bin/env bash
# Install the Debian bookworm packages that building, testing and the demo
# need. Idempotent; skips apt-get when everything is already installed.
set -euo pipefail
PKGS=(build-essential cmake pkg-config git
      libzmq3-dev libprotobuf-c-dev protobuf-c-compiler libsqlite3-dev
      libsodium-dev libinih-dev libjansson-dev libcmocka-dev
      clang libclang-rt-14-dev gettext valgrind sqlite3 python3
      chromium fonts-dejavu-core clang-format
      libmicrohttpd-dev liboath-dev wdutch
      python3-selenium chromium-driver prometheus
      mosquitto mosquitto-clients python3-paho-mqtt)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO=sudo; fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
