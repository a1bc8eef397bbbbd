#!/usr/bin/env bash
# A time-to-accuracy grid (issue 14): `memrec train` from the `fast` preset (AdaGrad, block schedule,
# biases) with each setting below, 2 threads, ml-1m, split seed 42, the preset's 2% validation slice and
# early stopping. For each run: the first epoch whose validation RMSE is <= TARGET (the criterion to choose
# settings by), the first epoch whose model chosen on the validation slice (best validation RMSE so far) has
# eval RMSE <= TARGET, the training seconds up to that (epochs only: reading and evaluation excluded;
# `memrec bench --time-to` times a preset whole), the validation RMSE of that first epoch (how far below the
# target it got: the tie-break between settings with as few epochs), and the best validation RMSE with its
# eval RMSE.
# Usage: bench/tta_grid.sh [TARGET] > grid.txt     (MEMREC_DATA, MEMREC_BIN as usual; GRID the settings,
#        EXTRA flags added to every run, e.g. EXTRA="--link linear")
set -euo pipefail
target=${1:-0.845}
bin=${MEMREC_BIN:-build/native/memrec}
data=${MEMREC_DATA:-/work/shared/data}/ml-1m
# dim lr l2 lr-decay
grid=${GRID:-"128 0.05 0.05 1
128 0.05 0.05 0.9
128 0.08 0.05 0.9
256 0.05 0.05 0.9
256 0.08 0.05 0.9
256 0.05 0.03 0.9"}
printf '%-5s %-6s %-6s %-8s %-14s %-10s %-15s %-8s %-15s %-10s %s\n' \
  dim lr l2 lr-decay "val<=target" "its val" "eval<=target" \
  "train s" "best validation" "its eval" "its epoch"
while read -r dim lr l2 decay; do
  [ -z "$dim" ] && continue
  "$bin" train --data "$data" --preset fast --dim "$dim" --lr "$lr" --l2 "$l2" --l2-bias "$l2" --lr-decay "$decay" \
      --threads 2 --epochs 30 ${EXTRA:-} -q 2>/dev/null | awk -v t="$target" -v d="$dim" -v lr="$lr" -v l2="$l2" -v dec="$decay" '
    /^  epoch [0-9]+:/ {
      e = $2 + 0; for (i = 1; i <= NF; ++i) { if ($i == "validation") v = $(i + 2) + 0; if ($i == "eval") r = $(i + 2) + 0 }
      s += $(NF - 1)
      if (val_hit == "" && v <= t) { val_hit = e; hit_v = v }
      if (best == "" || v < best) { best = v; chosen = r; chosen_e = e }
      if (hit == "" && chosen <= t) { hit = e; hit_s = s }
    }
    END { printf "%-5s %-6s %-6s %-8s %-14s %-10s %-15s %-8s %-15.4f %-10.4f %d\n", d, lr, l2, dec,
                 (val_hit == "" ? "not reached" : val_hit), (val_hit == "" ? "-" : sprintf("%.4f", hit_v)),
                 (hit == "" ? "not reached" : hit),
                 (hit == "" ? "-" : sprintf("%.2f", hit_s)), best, chosen, chosen_e }'
done <<< "$grid"
