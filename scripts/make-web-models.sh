#!/usr/bin/env bash
# Trains and exports the model variants the web page offers, plus its demo users file and manifest.
#   scripts/make-web-models.sh MEMREC_BIN DATA OUT_DIR [all|test]
# `all` (the demo): baseline f32 and int8, memeff f32, f16 and int8, tiny int8 (the default: the most
# accurate of them in the fewest bytes). `test`: baseline f32, memeff f32 and int8, tiny int8. Extra
# flags for the memeff training (e.g. --blocks for sets smaller than ml-1m) come from
# $MEMEFF_FLAGS, for every training from $TRAIN_FLAGS.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: scripts/make-web-models.sh MEMREC_BIN DATA OUT_DIR [all|test]" >&2
  exit 2
fi
bin=$1; data=$2; out=$3; which=${4:-all}
mkdir -p "$out"
# Absolute data path, so the models remember where they came from wherever they are used.
data=$(cd "$(dirname "$data")" && echo "$PWD/$(basename "$data")")

step() { printf '  %-44s' "$1"; }
took() { echo "done in $(( $(date +%s) - $1 )) s"; }

t=$(date +%s); step "training baseline (full tables) ..."
# shellcheck disable=SC2086
"$bin" train --data "$data" --preset baseline ${TRAIN_FLAGS:-} --out "$out/baseline-f32.mrec" -q >/dev/null
took "$t"
t=$(date +%s); step "training memeff (QR users, MD items) ..."
# shellcheck disable=SC2086
"$bin" train --data "$data" --preset memeff ${TRAIN_FLAGS:-} ${MEMEFF_FLAGS:-} --out "$out/memeff-f32.mrec" -q >/dev/null
took "$t"
t=$(date +%s); step "training tiny (4-dim tables, biases) ..."
# shellcheck disable=SC2086
"$bin" train --data "$data" --preset tiny ${TRAIN_FLAGS:-} --out "$out/tiny-f32.mrec" -q >/dev/null
took "$t"
t=$(date +%s); step "exporting quantised variants ..."
"$bin" export "$out/memeff-f32.mrec" --quantize int8 --out "$out/memeff-int8.mrec" -q
"$bin" export "$out/tiny-f32.mrec" --quantize int8 --out "$out/tiny-int8.mrec" -q
rm "$out/tiny-f32.mrec"
if [ "$which" = all ]; then
  "$bin" export "$out/memeff-f32.mrec" --quantize f16 --out "$out/memeff-f16.mrec" -q
  "$bin" export "$out/baseline-f32.mrec" --quantize int8 --out "$out/baseline-int8.mrec" -q
fi
took "$t"
t=$(date +%s); step "writing the demo users ..."
"$bin" demo-users "$out/memeff-int8.mrec" --data "$data" --out "$out/users.json" --count 300 -q
took "$t"

# The manifest the page reads: which files exist, in the order the picker lists them.
node - "$out/manifest.json" "$data" "$which" <<'JS'
const fs = require('fs');
const [file, data, which] = process.argv.slice(2);
const v = (id, label, storage) => ({ id, label, file: `${id}.mrec`, storage });
const variants = which === 'all'
  ? [v('baseline-f32', 'baseline, f32', 'f32'), v('baseline-int8', 'baseline, int8', 'int8'),
     v('memeff-f32', 'memory-efficient, f32', 'f32'), v('memeff-f16', 'memory-efficient, f16', 'f16'),
     v('memeff-int8', 'memory-efficient, int8', 'int8'), v('tiny-int8', 'tiny (4-dim, biases), int8', 'int8')]
  : [v('baseline-f32', 'baseline, f32', 'f32'), v('memeff-f32', 'memory-efficient, f32', 'f32'),
     v('memeff-int8', 'memory-efficient, int8', 'int8'), v('tiny-int8', 'tiny (4-dim, biases), int8', 'int8')];
// The data path (for the tests, which run `memrec recommend --data` on the same files) stays out of
// the demo's public manifest; the page only shows the set's name.
const manifest = { dataset: require('path').basename(data), ...(which === 'test' ? { data } : {}),
  default: which === 'all' ? 'tiny-int8' : 'memeff-int8', users: 'users.json', variants };
fs.writeFileSync(file + '.tmp', JSON.stringify(manifest, null, 2) + '\n');
fs.renameSync(file + '.tmp', file);
JS
