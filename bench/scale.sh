#!/usr/bin/env bash
# The scale run of issue 14: a synthetic file of MovieLens-25M's shape (memrec synth --like ml-25m), then
# what reading it and training the baseline on it cost, beside the same training on ml-1m:
#   reading time (memrec's own "read in" figure), peak resident memory of the whole training run
#   (/usr/bin/time), and the epoch throughput, for each of `runs` runs of 3 epochs; medians at the end.
#   The epoch throughput compared against the target is the steady-state epoch's: the median (with two
#   values, the mean) of epochs 2 and 3. Epoch 1 also pays the first touch of the parameter, moment and
#   gradient blocks (page faults, zeroing), which is a cost of the run, not of an epoch; its rate is
#   printed beside the steady one for comparison with earlier figures, which were epoch 1's.
#   bench/scale.sh [BUILD_DIR] [RUNS]      (MEMREC_DATA: the folder holding ml-1m; the 25M file, 679 MB,
#                                           goes to $TMPDIR and is removed at the end; SYNTH_FILE=path
#                                           uses an existing one instead, e.g. from an earlier run;
#                                           MODEL="--preset fast --early-stopping 0" trains that
#                                           instead of the lazy baseline, e.g. to follow the row rules
#                                           at scale; early stopping's epoch lines give no rate)
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
model=${MODEL:---preset baseline --adam lazy}  # the training flags of every run
[ -n "${SYNTH_FILE:-}" ] || "$bin" synth --like ml-25m --out "$synth"

# One training run: "read_s peak_mb epoch1_rate steady_rate" from memrec's own lines and /usr/bin/time's.
run() {
  local data=$1 out
  # shellcheck disable=SC2086  # model is a list of flags
  out=$(/usr/bin/time -f "peak_kb %M" "$bin" train --data "$data" $model \
        --epochs 3 --threads 2 2>&1)
  local read_s peak e1 e2 e3
  read_s=$(sed -nE 's/.* read in ([0-9.]+) s.*/\1/p' <<<"$out")
  peak=$(sed -nE 's/^peak_kb ([0-9]+)/\1/p' <<<"$out")
  rate() { sed -nE "s/.*epoch $1: .*, ([0-9]+) ratings\\/s.*/\\1/p" <<<"$out"; }
  e1=$(rate 1); e2=$(rate 2); e3=$(rate 3)
  echo "$read_s $((peak / 1024)) $e1 $(((e2 + e3) / 2))"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

declare -A results
for set in ml-1m synth-25m; do
  data="$synth"; [ "$set" = ml-1m ] && data="${MEMREC_DATA:?set MEMREC_DATA}/ml-1m"
  : >"$tmp/$set.txt"
  for ((i = 1; i <= runs; i++)); do
    r=$(run "$data"); read -r rs pk e1 es <<<"$r"
    echo "$set run $i: read $rs s, peak $pk MB, steady epoch (2-3) $es ratings/s, epoch 1 $e1 ratings/s"
    echo "$r" >>"$tmp/$set.txt"
  done
  col() { cut -d' ' -f"$1" "$tmp/$set.txt" | median; }
  results[$set]="$(col 1) $(col 2) $(col 3) $(col 4)"
done
read -r r1 m1 a1 t1 <<<"${results[ml-1m]}"
read -r r25 m25 a25 t25 <<<"${results[synth-25m]}"
pct() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.0f", 100 * a / b}'; }
echo "medians of $runs runs of $model" \
     "(load average now: $(cut -d' ' -f1-3 /proc/loadavg)):"
echo "  ml-1m      read $r1 s, peak $m1 MB, steady epoch $t1 ratings/s (epoch 1: $a1)"
echo "  synth-25m  read $r25 s, peak $m25 MB, steady epoch $t25 ratings/s ($(pct "$t25" "$t1")% of ml-1m;" \
     "epoch 1: $a25, $(pct "$a25" "$a1")% of ml-1m's epoch 1)"
verdict() { if awk "BEGIN {exit !($1)}"; then echo met; else echo "NOT met"; fi; }
echo "targets: read <= 3 s $(verdict "$r25 <= 3"); peak <= 1536 MB $(verdict "$m25 <= 1536");" \
     "steady epoch >= 70% of ml-1m's $(verdict "$(pct "$t25" "$t1") >= 70")"
