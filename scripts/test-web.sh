#!/usr/bin/env bash
# The WebAssembly module and the demo page, tested: builds the wasm module (build-wasm/), trains small test
# models with the native command, then runs the node tests of the module and of the static server
# (tests/node) and the headless Chromium tests of the page (tests/browser), printing node's test summary
# and the measured budgets. The npm package (build-wasm/wasm/package/) is packed, installed and tested in
# node, against its TypeScript declarations, in Chromium without a bundler and through vite's dev server.
#
# Data: $MEMREC_DATA/ml-1m (the sizes the budgets are about), else $MEMREC_DATA/ml-100k, else a small
# synthetic set. The native command: $MEMREC_BIN, else $MEMREC_BUILD_DIR/native/memrec (default build/;
# built if missing).
# Options: --node-only (skip the browser test), --rebuild-models (ignore the cached test models).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD

node_only=0; rebuild=0
for a in "$@"; do
  case "$a" in
    --node-only) node_only=1 ;;
    --rebuild-models) rebuild=1 ;;
    *) echo "test-web.sh: unknown option $a" >&2; exit 2 ;;
  esac
done

need() { command -v "$1" >/dev/null || { echo "test-web.sh: $1 is missing ($2); run scripts/deps.sh --browser" >&2; exit 1; }; }
need node "node 18+"
need emcmake "Debian package emscripten"
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}  # Debian's emscripten needs node-acorn from here
if [ ! -d node_modules/playwright-core ] || [ ! -d node_modules/chart.js ] || [ ! -d node_modules/@axe-core/playwright ] \
   || [ ! -d node_modules/vite ] || [ ! -d node_modules/typescript ] || [ ! -d node_modules/rolldown ]; then
  echo "test-web.sh: installing npm packages (chart.js, playwright-core, @axe-core/playwright, vite, typescript)"
  npm install --no-audit --no-fund --loglevel=error
fi

echo "== wasm build (build-wasm/)"
if [ ! -f build-wasm/CMakeCache.txt ]; then
  emcmake cmake -S . -B build-wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build build-wasm -j"$(nproc)" 2>&1 | grep -Ev '^\[|^-- |Built target|Scanning dependencies|Consolidate compiler' || true
test -f build-wasm/wasm/memrec_wasm.wasm || { echo "test-web.sh: the wasm build failed" >&2; exit 1; }

native=${MEMREC_BUILD_DIR:-build}
bin=${MEMREC_BIN:-$native/native/memrec}
if [ -z "${MEMREC_BIN:-}" ]; then
  echo "== native memrec ($native/)"
  [ -f "$native/CMakeCache.txt" ] || cmake -S . -B "$native" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$native" -j"$(nproc)" --target memrec 2>&1 | grep -Ev '^\[|Built target|Scanning dependencies|Consolidate compiler' || true
fi
test -x "$bin" || { echo "test-web.sh: no native memrec at $bin" >&2; exit 1; }
bin=$(cd "$(dirname "$bin")" && echo "$PWD/$(basename "$bin")")

models=build-wasm/test-models
export TRAIN_FLAGS="--threads $(nproc)"
if [ -n "${MEMREC_DATA:-}" ] && [ -d "$MEMREC_DATA/ml-1m" ]; then
  data=$MEMREC_DATA/ml-1m; export MEMEFF_FLAGS=""
elif [ -n "${MEMREC_DATA:-}" ] && [ -d "$MEMREC_DATA/ml-100k" ]; then
  data=$MEMREC_DATA/ml-100k; export MEMEFF_FLAGS=""
else
  echo "== MEMREC_DATA is not set: using a small synthetic data set (the size budgets are about ml-1m)"
  data=build-wasm/test-data/synthetic
  [ -f "$data/ratings.dat" ] || node tests/node/make_synthetic.mjs "$data" >/dev/null
  export MEMEFF_FLAGS="--blocks 150,500"
  TRAIN_FLAGS="$TRAIN_FLAGS --epochs 8 --lr 0.003"  # few ratings: more steps to learn who likes what
fi

# The models are cached: retrained when the command, the data choice or this recipe changed.
stamp="$data|$TRAIN_FLAGS|$MEMEFF_FLAGS|$(stat -c %Y "$bin")|$(stat -c %Y scripts/make-web-models.sh)"
if [ "$rebuild" = 1 ] || [ ! -f "$models/manifest.json" ] || [ "$(cat "$models/.stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "== test models from $data ($models/)"
  rm -rf "$models"
  scripts/make-web-models.sh "$bin" "$data" "$models" test
  echo "$stamp" > "$models/.stamp"
else
  echo "== test models: cached in $models/ (--rebuild-models to retrain)"
fi

export MEMREC_WASM_DIR=$repo/build-wasm/wasm MEMREC_TEST_MODELS=$repo/$models MEMREC_BIN=$bin
tests=(tests/node/wasm.test.mjs tests/node/pq.test.mjs tests/node/bpr.test.mjs tests/node/serve.test.mjs
       tests/node/package.test.mjs tests/node/types.test.mjs)
[ "$node_only" = 1 ] || tests+=(tests/browser/e2e.test.mjs tests/browser/ux.test.mjs tests/browser/package_pages.test.mjs)
echo "== node --test ${tests[*]}"
# Human-readable (spec) on the terminal; the TAP summary ("# tests N", "# pass N", "# fail N", ...) after
# it, which scripts/test.sh counts.
tap=build-wasm/node-test.tap
status=0
node --test --test-concurrency=1 --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=tap --test-reporter-destination="$tap" "${tests[@]}" || status=$?
grep -E '^# (tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) ' "$tap" || true
exit "$status"
