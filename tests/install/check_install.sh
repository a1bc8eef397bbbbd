#!/usr/bin/env bash
# `cmake --install` of a built tree into a fresh prefix, then examples/cpp (a project of its own:
# find_package(memrec) and memrec::core) configured, built and run against that prefix only.
#   check_install.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 source=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cmake --install "$build" --prefix "$work/prefix" >/dev/null
for f in lib/libmemrec_core.a include/memrec/model_file.h lib/cmake/memrec/memrecConfig.cmake bin/memrec; do
  [ -e "$work/prefix/$f" ] || { echo "not installed: $f" >&2; exit 1; }
done
# The public headers stand alone: none reaches into the source tree's private headers.
if grep -rlE '#include "\.\./|#include "(format|data|train|serve|tables|kernels)/' "$work/prefix/include/memrec"; then
  echo "a public header includes a private one" >&2; exit 1
fi
generator=(); command -v ninja >/dev/null && generator=(-G Ninja)
cmake -S "$source/examples/cpp" -B "$work/example" "${generator[@]}" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/example" >/dev/null
cd "$work" && "$work/example/recommend"
echo "installed tree: a consumer project built and ran"
