#!/usr/bin/env bash
# Run every libFuzzer target for SECONDS seconds each, starting from the
# committed corpus (copied, so the repository is not changed), JOBS targets
# at a time (default: the number of cores). Fails on any crash, leak,
# timeout or sanitizer report, and prints each target's figures.
#
#   bash scripts/fuzz.sh BUILD_DIR SECONDS [JOBS]
set -euo pipefail
build=${1:?usage: fuzz.sh BUILD_DIR SECONDS [JOBS]}
secs=${2:-60}
jobs=${3:-$(nproc 2>/dev/null || echo 2)}
top=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

run_one() {
  local fz=$1 name short
  name=$(basename "$fz" -fuzzer)
  short=${name#fuzz_}
  mkdir -p "$work/$short"
  if [ -d "$top/tests/fuzz/corpus/$short" ]; then
    cp -r "$top/tests/fuzz/corpus/$short/." "$work/$short/"
  fi
  if ASAN_OPTIONS=detect_leaks=1 "$fz" -max_total_time="$secs" -max_len=70000 \
      -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
      -artifact_prefix="$work/$short-" "$work/$short" >"$work/$short.log" 2>&1; then
    printf 'fuzz: %-14s %ss ok   %s %s\n' "$short" "$secs" \
      "$(grep -o 'stat::number_of_executed_units: [0-9]*' "$work/$short.log" | awk '{print $2 " runs"}')" \
      "$(grep -o 'cov: [0-9]*' "$work/$short.log" | tail -1)"
  else
    tail -50 "$work/$short.log"
    echo "fuzz: $short FAILED (artifacts were in $work)"
    return 1
  fi
}

targets=()
for fz in "$build"/tests/fuzz/fuzz_*-fuzzer; do
  [ -x "$fz" ] && targets+=("$fz")
done
[ ${#targets[@]} -gt 0 ] || { echo "fuzz: no fuzz targets built (configure with -DRET_FUZZ=ON)"; exit 1; }

failed=0
pids=()
for fz in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do
    wait -n || failed=1
  done
  run_one "$fz" &
  pids+=($!)
done
for p in "${pids[@]}"; do
  wait "$p" || failed=1
done
[ "$failed" = 0 ] || { echo "fuzz: a target failed"; exit 1; }
echo "fuzz: ${#targets[@]} targets, ${secs}s each, no crash"
