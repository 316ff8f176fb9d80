#!/usr/bin/env bash
# The test command of the README: build with warnings as errors and with
# AddressSanitizer + UndefinedBehaviorSanitizer, run every ctest label that
# CI runs, then run each libFuzzer target for a bounded time.
#
#   bash scripts/test.sh            # everything CI runs
#   RET_FUZZ_SECONDS=0 bash scripts/test.sh   # skip the timed fuzzing
set -euo pipefail
cd "$(dirname "$0")/.."
top=$(pwd)
bash scripts/deps.sh

jobs=$(nproc 2>/dev/null || echo 2)
build=${RET_BUILD_DIR:-$top/build-test}

# 1. Plain build with gcc: warnings are errors.
cmake -S . -B "$top/build-gcc" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRET_WERROR=ON >/dev/null
cmake --build "$top/build-gcc" -j "$jobs"

# 2. Sanitizer build with clang (ASan + UBSan), also building the fuzzers.
CC=clang cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DRET_WERROR=ON \
  -DRET_SANITIZE=ON -DRET_FUZZ=ON >/dev/null
cmake --build "$build" -j "$jobs"
(cd "$build" && ctest --output-on-failure -j "$jobs" -LE "valgrind|soak")

# 3. Daemons under valgrind: no leaks, no invalid reads or writes.
(cd "$top/build-gcc" && ctest --output-on-failure --no-tests=ignore -j "$jobs" -L valgrind)

# 4. Bounded fuzzing of every decoder, corpus seeded from the repository.
secs=${RET_FUZZ_SECONDS:-20}
if [ "$secs" -gt 0 ]; then
  bash scripts/fuzz.sh "$build" "$secs"
fi
echo "scripts/test.sh: all tests passed"
