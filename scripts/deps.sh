#!/usr/bin/env bash
# Idempotent installation of everything memrec needs on a fresh Debian 12 machine.
#   scripts/deps.sh            native build + tests (compiler, Eigen, xtensor, Catch2, ...)
#   scripts/deps.sh --wasm     also Emscripten and node modules for the WebAssembly build
#   scripts/deps.sh --browser  also Chromium and playwright-core for the browser test
# Packages already present are skipped, so running it twice costs a few dpkg queries.
set -euo pipefail
cd "$(dirname "$0")/.."

want_wasm=0; want_browser=0
for a in "$@"; do
  case "$a" in
    --wasm) want_wasm=1 ;;
    --browser) want_wasm=1; want_browser=1 ;;
    *) echo "deps.sh: unknown option $a" >&2; exit 2 ;;
  esac
done

pkgs=(build-essential cmake ninja-build pkg-config libeigen3-dev libxtensor-dev xtl-dev catch2
      libbenchmark-dev libcli11-dev nlohmann-json3-dev zlib1g-dev python3 python3-numpy
      clang libclang-rt-14-dev gzip
      python3-dev pybind11-dev python3-pytest)  # the Python module (python/) and its tests
# node and npm: the machine's own (nodesource) or Debian's; only install when absent.
[ "$want_wasm" = 1 ] && pkgs+=(emscripten node-acorn binaryen)
[ "$want_wasm" = 1 ] && ! command -v npm >/dev/null && pkgs+=(nodejs npm)
[ "$want_browser" = 1 ] && pkgs+=(chromium)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "deps.sh: installing ${missing[*]}"
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ "$want_wasm" = 1 ]; then
  # npm packages pinned in package.json: chart.js for the page, playwright-core for the browser test, vite
  # and typescript for the tests of the npm package.
  if [ ! -d node_modules/chart.js ] || [ ! -d node_modules/playwright-core ] \
     || [ ! -d node_modules/vite ] || [ ! -d node_modules/typescript ] \
     || [ package.json -nt node_modules/.package-lock.json ]; then
    npm install --no-audit --no-fund --loglevel=error
  fi
fi
