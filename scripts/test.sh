#!/usr/bin/env bash
# Every memrec test, from a fresh Debian machine: installs what is missing, builds, then runs
#   1. the unit, CLI and data tests (ctest; data tests skip themselves without $MEMREC_DATA),
#   2. the same unit and CLI tests under ASan+UBSan and the multi-threaded ones under TSan,
#   3. the libFuzzer targets for the model loader and the rating readers (30 s each),
#   4. the WebAssembly module under node and the page in headless Chromium.
# Ends with one summary line "memrec tests: N passed, N failed, N skipped".
#   MEMREC_TEST_QUICK=1 runs stage 1 only.
set -uo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${MEMREC_JOBS:-2}

scripts/deps.sh --browser || { echo "memrec tests: 0 passed, 1 failed, 0 skipped (dependency installation)"; exit 1; }

passed=0; failed=0; skipped=0
failed_stages=()
log_dir="$root/build/test-logs"
mkdir -p "$log_dir"

# Adds a stage's counts, read from its log: ctest's "N tests failed out of M" and node's "# pass/# fail".
count_stage() {
  local name=$1 status=$2 log=$3 p=0 f=0 s=0 line
  if line=$(grep -E "tests passed, [0-9]+ tests failed out of [0-9]+" "$log" | tail -1); then
    local total fails
    total=$(sed -E 's/.*out of ([0-9]+).*/\1/' <<<"$line")
    fails=$(sed -E 's/.* ([0-9]+) tests failed.*/\1/' <<<"$line")
    s=$(grep -cE "\*\*\*Skipped|Not Run" "$log" || true)
    p=$((total - fails - s)); f=$fails
  fi
  if grep -qE "^# pass [0-9]+" "$log"; then
    p=$((p + $(grep -E "^# pass [0-9]+" "$log" | awk '{s+=$3} END {print s}')))
    f=$((f + $(grep -E "^# fail [0-9]+" "$log" | awk '{s+=$3} END {print s}')))
    s=$((s + $(grep -E "^# skipped [0-9]+" "$log" | awk '{s+=$3} END {print s}')))
  fi
  if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # a stage that failed outside a test (build, crash)
  if [ "$status" -eq 0 ] && [ "$p" -eq 0 ] && [ "$f" -eq 0 ]; then p=1; fi  # a stage without per-test counts
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  [ "$status" -ne 0 ] && failed_stages+=("$name")
  echo "== $name: $([ "$status" -eq 0 ] && echo ok || echo FAILED) ($p passed, $f failed, $s skipped; log $log)"
}

run_stage() {
  local name=$1; shift
  local log="$log_dir/$name.log"
  echo "== $name"
  "$@" 2>&1 | tee "$log"
  local status=${PIPESTATUS[0]}
  count_stage "$name" "$status" "$log"
}

stage_native() {
  cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null &&
  cmake --build build -j"$jobs" &&
  ctest --test-dir build --output-on-failure -j"$jobs"
}

run_stage native stage_native
if [ "${MEMREC_TEST_QUICK:-0}" != 1 ]; then
  [ -x scripts/sanitize.sh ] && run_stage sanitizers scripts/sanitize.sh
  [ -x scripts/fuzz.sh ] && run_stage fuzz scripts/fuzz.sh
  [ -x scripts/test-web.sh ] && run_stage web scripts/test-web.sh
fi

[ "${#failed_stages[@]}" -gt 0 ] && echo "failed stages: ${failed_stages[*]}"
echo "memrec tests: $passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
