#!/usr/bin/env bash
# Run every libFuzzer target for SECONDS seconds each, starting from the
# committed corpus (copied, so the repository is not changed). Fails on any
# crash, leak or sanitizer report.
#
#   bash scripts/fuzz.sh BUILD_DIR SECONDS
set -euo pipefail
build=${1:?usage: fuzz.sh BUILD_DIR SECONDS}
secs=${2:-60}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
found=0
for fz in "$build"/tests/fuzz/fuzz_*-fuzzer; do
  [ -x "$fz" ] || continue
  found=1
  name=$(basename "$fz" -fuzzer)
  short=${name#fuzz_}
  mkdir -p "$work/$short"
  if [ -d "$top/tests/fuzz/corpus/$short" ]; then
    cp -r "$top/tests/fuzz/corpus/$short/." "$work/$short/"
  fi
  echo "fuzz: $short for ${secs}s"
  ASAN_OPTIONS=detect_leaks=1 "$fz" -max_total_time="$secs" -max_len=70000 \
    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$work/$short-" "$work/$short" 2>"$work/$short.log" || {
      tail -50 "$work/$short.log"; echo "fuzz: $short FAILED"; exit 1; }
  grep -E "stat::number_of_executed_units|cov:" "$work/$short.log" | tail -2 || true
done
[ "$found" = 1 ] || { echo "fuzz: no fuzz targets built (configure with -DRET_FUZZ=ON)"; exit 1; }
