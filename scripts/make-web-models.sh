#!/usr/bin/env bash
# Trains and exports the model variants the web page offers, plus the shared titles, the demo users file
# and the manifest.
#   scripts/make-web-models.sh MEMREC_BIN DATA OUT_DIR [all|test]
# Ranking models (implicit ALS, judged on their top 10): rank-tiny int8 (the page's default: the one that
# fits the first-load budget), rank-small int8 and int4. Rating models (judged on RMSE), for the size and
# accuracy comparison: `all` (the demo) has baseline f32 and int8, memeff f32, f16 and int8, tiny int8;
# `test` has baseline f32, memeff f32 and int8, tiny int8. Every variant is stored without titles: the
# page downloads titles.json once for all of them. Extra flags for the memeff training (its blocks
# fit any set's items by themselves) come from $MEMEFF_FLAGS, for every training from $TRAIN_FLAGS.
set -euo pipefail
if [ $# -lt 3 ]; then
  echo "usage: scripts/make-web-models.sh MEMREC_BIN DATA OUT_DIR [all|test]" >&2
  exit 2
fi
bin=$1; data=$2; out=$3; which=${4:-all}
mkdir -p "$out"
# Absolute data path: the exports below re-read it from any directory (the files store only its name).
data=$(cd "$(dirname "$data")" && echo "$PWD/$(basename "$data")")

step() { printf '  %-44s' "$1"; }
took() { echo "done in $(( $(date +%s) - $1 )) s"; }
# train PRESET OUT [flags...]: a model with titles in $out/work/ (the exports below drop them).
train() {
  local preset=$1 file=$2; shift 2
  # shellcheck disable=SC2086
  "$bin" train --data "$data" --preset "$preset" ${TRAIN_FLAGS:-} "$@" --out "$out/work/$file" -q >/dev/null
}
# export IN STORAGE ID: $out/ID.mrec without titles, with the figures measured on its own (quantised) tables.
# export_variant SOURCE STORAGE ID [export flags]
export_variant() {
  local src=$1 storage=$2 id=$3
  shift 3
  "$bin" export "$out/work/$src" --quantize "$storage" "$@" --no-titles --data "$data" --out "$out/$id.mrec" -q
}

mkdir -p "$out/work"
t=$(date +%s); step "training rank-tiny and rank-small (ALS) ..."
# --protocol visitors stores Recall@20 and NDCG@100 in the files, the figures the page shows for them.
train rank-tiny rank-tiny.mrec --protocol visitors
train rank-small rank-small.mrec --protocol visitors
took "$t"
t=$(date +%s); step "training baseline (full tables) ..."
train baseline baseline.mrec
took "$t"
t=$(date +%s); step "training memeff (QR users, MD items) ..."
# shellcheck disable=SC2086
train memeff memeff.mrec ${MEMEFF_FLAGS:-}
took "$t"
t=$(date +%s); step "training tiny (4-dim tables, biases) ..."
train tiny tiny.mrec
took "$t"
t=$(date +%s); step "exporting the variants without titles ..."
export_variant rank-tiny.mrec int8 rank-tiny-int8
export_variant rank-small.mrec int8 rank-small-int8
export_variant rank-small.mrec int4 rank-small-int4
# Product codes, 7 subspaces of 8 bits: the 64 KB file of docs/ranking.md, scored from its codes.
export_variant rank-small.mrec pq rank-small-pq --pq-subspaces 7 --pq-bits 8
export_variant baseline.mrec f32 baseline-f32
export_variant memeff.mrec f32 memeff-f32
export_variant memeff.mrec int8 memeff-int8
export_variant tiny.mrec int8 tiny-int8
if [ "$which" = all ]; then
  export_variant baseline.mrec int8 baseline-int8
  export_variant memeff.mrec f16 memeff-f16
fi
took "$t"
t=$(date +%s); step "sweeping bytes against RMSE and Recall@20 ..."
# The size charts' frontier (models/sweep.json): ALS at four dims and the rating presets with few epochs,
# each measured at f32, f16, int8, int4 and as product codes (4 subspaces of 8 bits). The page marks its
# variants by preset.
cat > "$out/work/sweep-grid.txt" <<GRID
--preset rank-tiny
--objective als --dim 24 --als-alpha 5 --als-lambda 30
--preset rank-small
--preset rank
--preset tiny --epochs 5
--preset memeff --l2-user 0 --epochs 5
--preset baseline --biases --epochs 3
GRID
# shellcheck disable=SC2086
"$bin" sweep --data "$data" --grid "$out/work/sweep-grid.txt" --storages f16,int4,pq4x8 ${TRAIN_FLAGS:-} --json "$out/sweep.json" -q >/dev/null
# The page is public: the data's name, not the trainer's path.
node -e 'const f = process.argv[1], j = JSON.parse(require("fs").readFileSync(f));
  j.data = require("path").basename(require("path").dirname(j.data));
  require("fs").writeFileSync(f, JSON.stringify(j) + "\n");' "$out/sweep.json"
took "$t"
t=$(date +%s); step "writing the titles and the demo users ..."
"$bin" titles "$out/work/baseline.mrec" --out "$out/titles.json" -q
# A rating model's split (every preset splits alike): its users have a user table to check against.
"$bin" demo-users "$out/memeff-int8.mrec" --data "$data" --out "$out/users.json" --count 100 -q
rm -r "$out/work"
took "$t"

# The manifest the page reads: which files exist, in the order the picker lists them. `default` is the
# variant the page loads first (one field to change when a better small file exists); `featured` is the
# demo user whose recommendations show at start, so users.json waits until someone asks for another user.
node - "$out/manifest.json" "$data" "$which" "$out/users.json" <<'JS'
const fs = require('fs');
const [file, data, which, usersFile] = process.argv.slice(2);
const v = (id, label, storage, objective) => ({ id, label, file: `${id}.mrec`, storage, objective });
const ranking = [v('rank-tiny-int8', 'ranking, tiny (ALS 12-dim), int8', 'int8', 'implicit'),
  v('rank-small-int8', 'ranking, small (ALS 35-dim), int8', 'int8', 'implicit'),
  v('rank-small-int4', 'ranking, small (ALS 35-dim), int4', 'int4', 'implicit'),
  v('rank-small-pq', 'ranking, small (ALS 35-dim), pq', 'pq', 'implicit')];
const rating = which === 'all'
  ? [v('baseline-f32', 'baseline, f32', 'f32', 'rating'), v('baseline-int8', 'baseline, int8', 'int8', 'rating'),
     v('memeff-f32', 'memory-efficient, f32', 'f32', 'rating'), v('memeff-f16', 'memory-efficient, f16', 'f16', 'rating'),
     v('memeff-int8', 'memory-efficient, int8', 'int8', 'rating'), v('tiny-int8', 'tiny (4-dim, biases), int8', 'int8', 'rating')]
  : [v('baseline-f32', 'baseline, f32', 'f32', 'rating'), v('memeff-f32', 'memory-efficient, f32', 'f32', 'rating'),
     v('memeff-int8', 'memory-efficient, int8', 'int8', 'rating'), v('tiny-int8', 'tiny (4-dim, biases), int8', 'int8', 'rating')];
const featured = JSON.parse(fs.readFileSync(usersFile, 'utf8')).users[0];
// The data path (for the tests, which run `memrec recommend --data` on the same files) stays out of
// the demo's public manifest; the page only shows the set's name.
const manifest = { dataset: require('path').basename(data), ...(which === 'test' ? { data } : {}),
  default: 'rank-tiny-int8', titles: 'titles.json', users: 'users.json', featured,
  variants: [...ranking, ...rating] };
fs.writeFileSync(file + '.tmp', JSON.stringify(manifest, null, 2) + '\n');
fs.renameSync(file + '.tmp', file);
JS
