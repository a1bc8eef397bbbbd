#!/usr/bin/env bash
# The scale run of issue 14: a synthetic file of MovieLens-25M's shape (memrec synth --like ml-25m), then
# what reading it and training the baseline on it cost, beside the same training on ml-1m:
#   reading time (memrec's own "read in" figure), peak resident memory of the whole training run
#   (/usr/bin/time), and the epoch's ratings/s, for each of `runs` runs; medians at the end.
#   bench/scale.sh [BUILD_DIR] [RUNS]      (MEMREC_DATA: the folder holding ml-1m; the 25M file, 679 MB,
#                                           goes to $TMPDIR and is removed at the end; SYNTH_FILE=path
#                                           uses an existing one instead, e.g. from an earlier run)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
runs=${2:-3}
bin="$build/native/memrec"
[ -x "$bin" ] || { echo "scale.sh: no $bin; build first" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "scale.sh: needs /usr/bin/time (Debian package time)" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

synth="${SYNTH_FILE:-$tmp/synth-25m.csv}"
[ -n "${SYNTH_FILE:-}" ] || "$bin" synth --like ml-25m --out "$synth"

# One training run: "read_s peak_mb ratings_per_s" from memrec's own lines and /usr/bin/time's.
run() {
  local data=$1 out
  out=$(/usr/bin/time -f "peak_kb %M" "$bin" train --data "$data" --preset baseline --epochs 1 --adam lazy \
        --threads 2 2>&1)
  local read_s peak rate
  read_s=$(sed -nE 's/.* read in ([0-9.]+) s.*/\1/p' <<<"$out")
  peak=$(sed -nE 's/^peak_kb ([0-9]+)/\1/p' <<<"$out")
  rate=$(sed -nE 's/.*epoch 1: .*, ([0-9]+) ratings\/s.*/\1/p' <<<"$out")
  echo "$read_s $((peak / 1024)) $rate"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A results
for set in ml-1m synth-25m; do
  data="$synth"; [ "$set" = ml-1m ] && data="${MEMREC_DATA:?set MEMREC_DATA}/ml-1m"
  : >"$tmp/$set.txt"
  for ((i = 1; i <= runs; i++)); do
    r=$(run "$data"); echo "$set run $i: read ${r%% *} s, peak $(cut -d' ' -f2 <<<"$r") MB, $(cut -d' ' -f3 <<<"$r") ratings/s"
    echo "$r" >>"$tmp/$set.txt"
  done
  results[$set]="$(cut -d' ' -f1 "$tmp/$set.txt" | median) $(cut -d' ' -f2 "$tmp/$set.txt" | median) $(cut -d' ' -f3 "$tmp/$set.txt" | median)"
done
read -r r1 m1 t1 <<<"${results[ml-1m]}"
read -r r25 m25 t25 <<<"${results[synth-25m]}"
echo "medians of $runs runs (load average now: $(cut -d' ' -f1-3 /proc/loadavg)):"
echo "  ml-1m      read $r1 s, peak $m1 MB, epoch $t1 ratings/s"
pct=$(awk -v a="$t25" -v b="$t1" 'BEGIN {printf "%.0f", 100 * a / b}')
verdict() { if awk "BEGIN {exit !($1)}"; then echo met; else echo "NOT met"; fi; }
echo "  synth-25m  read $r25 s, peak $m25 MB, epoch $t25 ratings/s ($pct% of ml-1m)"
echo "targets: read <= 3 s $(verdict "$r25 <= 3"); peak <= 1536 MB $(verdict "$m25 <= 1536");" \
     "epoch >= 70% of ml-1m's $(verdict "$pct >= 70")"
