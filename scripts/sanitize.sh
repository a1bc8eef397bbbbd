#!/usr/bin/env bash
# The unit and CLI tests under AddressSanitizer + UndefinedBehaviorSanitizer (build-asan, gcc), and the
# multi-threaded tests ("threads" in their name) under ThreadSanitizer (build-tsan, clang). Fails on any
# sanitizer report, including one from a `memrec` process started by a CLI test: reports abort the process
# (halt_on_error, abort_on_error) and are also written to files under build-*/sanitizer-reports/, which
# must stay empty.
#
# ThreadSanitizer and OpenMP: gcc's libgomp is not instrumented, so TSan cannot see its barriers and
# reports races inside every parallel region that are not there. The TSan build therefore uses clang with
# LLVM's libomp (Debian libomp-dev), whose OMPT tool libarcher tells TSan about OpenMP's synchronisation;
# libomp loads it by itself when the program is built with TSan. ignore_noninstrumented_modules=1 keeps
# TSan from reporting accesses inside libomp itself. Before trusting a clean run, the script checks this
# setup on two small programs: one with a real race in an OpenMP region (must be reported) and one with
# parallel loops and a reduction (must not be).
#
# The TSan build uses the scalar kernels (MEMREC_AVX2=OFF): TSan instruments accesses of at most 16 bytes,
# so the AVX2 kernels' 32-byte loads and stores of parameters are invisible to it, and a race on them goes
# unreported (this hid a real one: the loss read bias parameters that the other side's thread was updating).
#
# Usage: scripts/sanitize.sh [asan|tsan]...   (default: both). MEMREC_JOBS sets build parallelism.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
jobs=${MEMREC_JOBS:-2}
stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(asan tsan)

# -O1 with line tables (-g1): fast enough to run, stacks with file:line, and a third less compile time
# than full debug info.
flags=(-DCMAKE_BUILD_TYPE=RelWithDebInfo "-DCMAKE_CXX_FLAGS_RELWITHDEBINFO=-O1 -g1 -fno-omit-frame-pointer"
       -DMEMREC_BUILD_BENCH=OFF -DMEMREC_FUZZ=OFF)

# Fails if the sanitizer wrote any report file; prints them.
check_reports() {
  local dir=$1
  if compgen -G "$dir/*" >/dev/null; then
    echo "sanitizer reports in $dir:"
    for f in "$dir"/*; do echo "--- $f"; head -60 "$f"; done
    return 1
  fi
}

stage_asan() {
  local build="$root/build-asan" reports="$root/build-asan/sanitizer-reports"
  echo "== ASan+UBSan: configure and build ($build)"
  cmake -S . -B "$build" -DMEMREC_SANITIZE=ON -DMEMREC_TSAN=OFF "${flags[@]}" >/dev/null
  cmake --build "$build" -j"$jobs" --target memrec memrec_unit_tests memrec_cli_tests
  rm -rf "$reports" && mkdir -p "$reports"
  echo "== ASan+UBSan: unit and CLI tests"
  # detect_leaks: LeakSanitizer runs at exit of every process, the memrec children included.
  ASAN_OPTIONS="halt_on_error=1:abort_on_error=1:detect_leaks=1:detect_stack_use_after_return=1:strict_string_checks=1:check_initialization_order=1:log_path=$reports/asan" \
  UBSAN_OPTIONS="halt_on_error=1:abort_on_error=1:print_stacktrace=1:log_path=$reports/ubsan" \
    ctest --test-dir "$build" --output-on-failure -j"$jobs" -R "^(unit|cli):"
  check_reports "$reports"
}

# The TSan setup must report a real race in an OpenMP region and nothing in clean OpenMP code.
tsan_canary() {
  local dir="$root/build-tsan/canary"
  mkdir -p "$dir"
  cat >"$dir/canary.cpp" <<'EOF'
#include <cstdio>
#include <vector>
int main(int argc, char**) {
    std::vector<float> a(1 << 16, 1.0f);
    double sum = 0;
    for (int rep = 0; rep < 4; ++rep) {
#pragma omp parallel for schedule(static) num_threads(2)
        for (int i = 0; i < (1 << 16); ++i) a[size_t(i)] = a[size_t(i)] * 0.5f + 1.0f;
#pragma omp parallel for num_threads(2) reduction(+ : sum)
        for (int i = 0; i < (1 << 16); ++i) sum += a[size_t(i)];
    }
    int racy = 0;
    if (argc > 1) {
#pragma omp parallel num_threads(2)
        { racy += 1; }
    }
    std::printf("%f %d\n", sum, racy);
}
EOF
  clang++ -O1 -g -fopenmp -fsanitize=thread "$dir/canary.cpp" -o "$dir/canary"
  if ! TSAN_OPTIONS="ignore_noninstrumented_modules=1" "$dir/canary" >"$dir/clean.log" 2>&1; then
    echo "TSan setup check failed: clean OpenMP code was reported:"; cat "$dir/clean.log"; return 1
  fi
  if TSAN_OPTIONS="ignore_noninstrumented_modules=1" "$dir/canary" race >"$dir/race.log" 2>&1 ||
     ! grep -q "WARNING: ThreadSanitizer: data race" "$dir/race.log"; then
    echo "TSan setup check failed: a race in an OpenMP region went unreported:"; cat "$dir/race.log"; return 1
  fi
  echo "TSan setup check: a race in an OpenMP region is reported, clean OpenMP code is not"
}

stage_tsan() {
  local build="$root/build-tsan" reports="$root/build-tsan/sanitizer-reports"
  echo "== TSan: configure and build ($build, clang + libomp)"
  CC=clang CXX=clang++ cmake -S . -B "$build" -DMEMREC_TSAN=ON -DMEMREC_SANITIZE=OFF -DMEMREC_OPENMP=ON -DMEMREC_AVX2=OFF \
    "${flags[@]}" >/dev/null
  cmake --build "$build" -j"$jobs" --target memrec_unit_tests
  tsan_canary
  rm -rf "$reports" && mkdir -p "$reports"
  echo "== TSan: multi-threaded tests"
  TSAN_OPTIONS="halt_on_error=1:abort_on_error=1:ignore_noninstrumented_modules=1:second_deadlock_stack=1:log_path=$reports/tsan" \
    ctest --test-dir "$build" --output-on-failure -j1 -R "threads"
  check_reports "$reports"
}

status=0
for s in "${stages[@]}"; do
  start=$SECONDS
  case "$s" in
    asan) stage_asan || status=1 ;;
    tsan) stage_tsan || status=1 ;;
    *) echo "unknown stage '$s' (expected asan or tsan)"; exit 2 ;;
  esac
  echo "== $s: $((SECONDS - start)) s"
done
exit $status
