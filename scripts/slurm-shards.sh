#!/usr/bin/env bash
# A Rollbook plan as a SLURM array job of N shards, then one merge job:
#
#   scripts/slurm-shards.sh PLAN.yaml N [OUT_DIR]          # submit (sbatch)
#   scripts/slurm-shards.sh --local PLAN.yaml N [OUT_DIR]  # the same steps here, one after another
#
# Task I of the array (I = 1..N, SLURM_ARRAY_TASK_ID) runs
#   rollbook run PLAN --shard I/N --store OUT_DIR/shard-I.sqlite
# and, once every task has succeeded (afterok), one job runs
#   rollbook merge OUT_DIR/shard-1.sqlite ... OUT_DIR/shard-N.sqlite --into OUT_DIR/merged.sqlite
# whose run equals the unsharded run of PLAN. A failed or killed task can be resubmitted alone
# (sbatch --array=I ...): it resumes from its store. Merging again after more shards arrive
# is safe (rows are matched by key). The merge exits 2 if shards disagree (conflicts are
# listed in its log and nothing is overwritten).
#
# Assumes every node sees this checkout (built: .build/release/rollbook), the model and
# OUT_DIR on a shared filesystem. Environment: ROLLBOOK (the binary), CPUS (cores per
# shard, default 8), SBATCH_ARGS (extra sbatch options: partition, account, time limit).
# With a remote engine, give each shard its own servers, or one pool (engine.url: [..]) that
# all shards share; local shards need no GPU.
set -euo pipefail

local=0
if [ "${1:-}" = "--local" ]; then local=1; shift; fi
plan=${1:?usage: scripts/slurm-shards.sh [--local] PLAN.yaml N [OUT_DIR]}
n=${2:?usage: scripts/slurm-shards.sh [--local] PLAN.yaml N [OUT_DIR]}
out=${3:-data/shards/$(basename "$plan" .yaml)}
rollbook=${ROLLBOOK:-$PWD/.build/release/rollbook}
cpus=${CPUS:-8}

if ! [[ "$n" =~ ^[1-9][0-9]*$ ]]; then echo "N must be a positive number of shards, not '$n'" >&2; exit 1; fi
if [ ! -x "$rollbook" ]; then echo "$rollbook: not built (swift build -c release, or set ROLLBOOK)" >&2; exit 1; fi
mkdir -p "$out/logs"
shards=()
for i in $(seq 1 "$n"); do shards+=("$out/shard-$i.sqlite"); done

if [ "$local" = 1 ]; then
  for i in $(seq 1 "$n"); do
    "$rollbook" run "$plan" --shard "$i/$n" --store "$out/shard-$i.sqlite" --quiet
  done
  exec "$rollbook" merge "${shards[@]}" --into "$out/merged.sqlite"
fi

command -v sbatch >/dev/null || { echo "sbatch not found: not a SLURM cluster (try --local)" >&2; exit 1; }
# shellcheck disable=SC2086  # SBATCH_ARGS holds several options
array=$(sbatch --parsable --array="1-$n" --job-name=rollbook-shard --cpus-per-task="$cpus" \
  --output="$out/logs/shard-%a.log" ${SBATCH_ARGS:-} \
  --wrap "ROLLBOOK_THREADS=$cpus '$rollbook' run '$plan' --shard \${SLURM_ARRAY_TASK_ID}/$n \
--store '$out'/shard-\${SLURM_ARRAY_TASK_ID}.sqlite --quiet")
# shellcheck disable=SC2086
merge=$(sbatch --parsable --dependency="afterok:$array" --job-name=rollbook-merge --cpus-per-task=1 \
  --output="$out/logs/merge.log" ${SBATCH_ARGS:-} \
  --wrap "'$rollbook' merge $(printf "'%s' " "${shards[@]}")--into '$out/merged.sqlite'")
echo "submitted shards as array job $array (1-$n) and the merge as job $merge; result: $out/merged.sqlite"
echo "then: rollbook analyze RUN --store $out/merged.sqlite   (RUN: the plan's name)"
