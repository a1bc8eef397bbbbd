#!/usr/bin/env bash
# The demo, end to end: installs what is missing, builds the native command and the WebAssembly module,
# trains and exports the model variants into web/models/, and serves web/ on 127.0.0.1.
#   scripts/demo.sh [--port N] [--no-serve] [--retrain]
# Data: $MEMREC_DATA (a MovieLens folder, or a folder of sets: its ml-1m), else ../shared/data, else data/
# (scripts/fetch-data.sh downloads it there). The native build goes to $MEMREC_BUILD_DIR (default build/).
set -euo pipefail
cd "$(dirname "$0")/.."

port=""; serve=1; retrain=0
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port=${2:?--port needs a number}; shift ;;
    --no-serve) serve=0 ;;
    --retrain) retrain=1 ;;
    -h|--help) sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "demo.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

echo "== dependencies (scripts/deps.sh --browser)"
scripts/deps.sh --browser
export NODE_PATH=${NODE_PATH:-/usr/share/nodejs}  # Debian's emscripten needs node-acorn from here
jobs=$(nproc)

native=${MEMREC_BUILD_DIR:-build}
echo "== native build ($native/)"
[ -f "$native/CMakeCache.txt" ] || cmake -S . -B "$native" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$native" -j"$jobs" --target memrec 2>&1 | grep -Ev '^\[|Built target|Scanning dependencies|Consolidate compiler' || true
bin=$PWD/$native/native/memrec
test -x "$bin" || { echo "demo.sh: the native build failed" >&2; exit 1; }

echo "== WebAssembly build (build-wasm/)"
[ -f build-wasm/CMakeCache.txt ] || emcmake cmake -S . -B build-wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-wasm -j"$jobs" --target memrec_wasm 2>&1 | grep -Ev '^\[|Built target|Scanning dependencies|Consolidate compiler' || true
test -f build-wasm/wasm/memrec_wasm.wasm || { echo "demo.sh: the WebAssembly build failed" >&2; exit 1; }

# The ratings: a MovieLens folder, or a folder of sets (then its ml-1m, else its ml-100k).
pick() {
  local d=$1
  [ -d "$d" ] || return 1
  for f in ratings.dat u.data ratings.csv; do [ -f "$d/$f" ] && { echo "$d"; return 0; }; done
  for s in ml-1m ml-100k ml-latest-small; do [ -d "$d/$s" ] && { pick "$d/$s"; return $?; }; done
  return 1
}
data=$(pick "${MEMREC_DATA:-}" || pick ../shared/data || pick data || true)
if [ -z "$data" ]; then
  echo "demo.sh: no MovieLens data found: set MEMREC_DATA, or run scripts/fetch-data.sh (needs the network)" >&2
  exit 1
fi
data=$(cd "$data" && pwd)

models=web/models
stamp="$data|$(stat -c %Y "$bin")|$(stat -c %Y scripts/make-web-models.sh)"
if [ "$retrain" = 1 ] || [ ! -f "$models/manifest.json" ] || [ "$(cat "$models/.stamp" 2>/dev/null)" != "$stamp" ]; then
  echo "== models from $data into $models/"
  rm -rf "$models.tmp"
  TRAIN_FLAGS="--threads $jobs" scripts/make-web-models.sh "$bin" "$data" "$models.tmp" all
  echo "$stamp" > "$models.tmp/.stamp"
  rm -rf "$models"
  mv "$models.tmp" "$models"
else
  echo "== models: $models/ is up to date (--retrain to train again)"
fi

echo "== page files"
cp build-wasm/wasm/memrec.mjs build-wasm/wasm/memrec_wasm.mjs build-wasm/wasm/memrec_wasm.wasm web/
mkdir -p web/vendor
cp node_modules/chart.js/dist/chart.umd.min.js web/vendor/chart.umd.js
printf '  %-30s %10s %10s\n' file bytes gzip
for f in web/memrec_wasm.wasm web/memrec_wasm.mjs "$models"/*.mrec "$models"/titles.json "$models"/users.json; do
  printf '  %-30s %10s %10s\n' "${f#web/}" "$(stat -c %s "$f")" "$(gzip -9c "$f" | wc -c)"
done

if [ "$serve" = 1 ]; then
  echo "== serving (open the address below; Ctrl+C stops)"
  if [ -n "$port" ]; then exec node scripts/serve.mjs --root web --port "$port"; fi
  exec node scripts/serve.mjs --root web  # 8080, or the next free port
fi
