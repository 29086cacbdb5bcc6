#!/usr/bin/env bash
# Retrains models/lutgen.bin (models/lutgen.md, "Learning from the corpus" and the rounds after
# it): SEEDS networks, JOBS at a time, each trained ROUNDS rounds. Round 1 starts from random
# weights (seed S); round R > 1 starts from the same network's round R-1 weights with new
# triplets (seed 10·(R-1) + S) and half the first round's peak learning rate. Each run's data
# and weights do not depend on how many run at once. The last round's networks are joined into
# models/lutgen.bin. Called by `make train-lutgen`; not part of the build or CI.
#   tools/train_lutgen.sh BUILD_DIR SEEDS ROUNDS JOBS
set -euo pipefail
build=$1 seeds=$2 rounds=$3 jobs=$4
here=$(cd "$(dirname "$0")/.." && pwd)
trainer=$build/src/learn/training/train_lutgen

train_one() {  # round seed
  local r=$1 s=$2 log=$build/lutgen-r$1-seed$2.log
  local args=(--out "$build/lutgen-r$r-seed$s.bin" --cache "$build/lutgen-cache" --threads 1
    --corpus "$here/../shared/data/corpus" --patches --triplets 64000 --steps 18000
    --eval-every 500 --ema 0.998)
  if ((r == 1)); then
    args+=(--seed "$s")
  else
    args+=(--seed $((10 * (r - 1) + s)) --init "$build/lutgen-r$((r - 1))-seed$s.bin" --lr 1e-3)
  fi
  "$trainer" "${args[@]}" >"$log" 2>&1 || { cat "$log"; return 1; }
}
export -f train_one
export build here trainer

for r in $(seq 1 "$rounds"); do
  seq 1 "$seeds" | xargs -P "$jobs" -I{} bash -c "train_one $r {}"
done
"$trainer" --out "$here/models/lutgen.bin" \
  --join "$(seq -s, -f "$build/lutgen-r$rounds-seed%g.bin" 1 "$seeds")"
