#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) in build-fuzz, writes a seed corpus, and runs each
# target for N seconds (default 30). Fails on any crash, sanitizer report, leak or timeout; the input that
# caused it is kept in build-fuzz/fuzz-artifacts/.
#   scripts/fuzz.sh [SECONDS]        (or FUZZ_SECONDS=N; FUZZ_BUILD_DIR overrides build-fuzz)
set -euo pipefail
seconds="${1:-${FUZZ_SECONDS:-30}}"
root="$(cd "$(dirname "$0")/.." && pwd)"
build="${FUZZ_BUILD_DIR:-$root/build-fuzz}"

cmake -S "$root" -B "$build" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMEMREC_FUZZ=ON \
      -DMEMREC_OPENMP=OFF -DMEMREC_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target fuzz_model_loader fuzz_checkpoint fuzz_rating_reader fuzz_delimited_reader fuzz_make_seeds

seeds="$build/fuzz-seeds"
rm -rf "$seeds"
"$build/tests/fuzz/fuzz_make_seeds" "$seeds"
mkdir -p "$build/fuzz-artifacts"

run() {
    local target="$1" seed_dir="$2"
    local corpus="$build/fuzz-corpus/$target"
    mkdir -p "$corpus"
    echo "== $target: ${seconds} s"
    "$build/tests/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$build/fuzz-artifacts/$target-" "$corpus" "$seed_dir" 2>"$build/fuzz-artifacts/$target.log" || {
        tail -n 40 "$build/fuzz-artifacts/$target.log"
        echo "FAILED: $target (log: $build/fuzz-artifacts/$target.log)" >&2
        return 1
    }
    grep -E "^stat::number_of_executed_units|^Done" "$build/fuzz-artifacts/$target.log" || true
}

run fuzz_model_loader "$seeds/model"
run fuzz_checkpoint "$seeds/checkpoint"
run fuzz_rating_reader "$seeds/ratings"
run fuzz_delimited_reader "$seeds/delimited"
echo "fuzzing passed"
