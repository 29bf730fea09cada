#!/usr/bin/env bash
# One time-limited slice of a long `benchmark moleculenet` table: one (set, seed) per invocation,
# seed-major, so the table fills a whole seed at a time. Finished runs are skipped (the benchmark
# keeps them in results.json); a pair the limit cuts short goes on from its last epoch's checkpoint
# in the next slice (the benchmark resumes its seeds), so a run longer than a slice still finishes.
#
#   scripts/benchmark_slice.sh SECONDS RECORD WORKDIR SETS SEEDS [benchmark flags…]
#   e.g. scripts/benchmark_slice.sh 6000 docs/benchmarks/moleculenet-50ep runs/bench50 \
#          bbbp,bace,esol,freesolv,tox21 0,1,2 --epochs 50 --protocols scaffold --recipe paper
#
# RECORD holds what is committed: results.json (every finished run) and results.md, copied there
# after each pair and copied into a WORKDIR that lacks them (a new machine). Fine-tuning outputs
# stay in WORKDIR. NP ranks (default 2). Needs a release build (make build) or LGMCL_BIN.
set -euo pipefail
if [ $# -lt 5 ]; then sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; fi
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=$1 record=$2 work=$(realpath -m "$3") sets=$4 seeds=$5
shift 5
bin=${LGMCL_BIN:-$root/.build/release/lgmcl-dist}
np=${NP:-2}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1

cd "$root"   # results.json records --pretrained as given: always the same relative path
mkdir -p "$work" "$record"
if [ -f "$record/results.json" ] && [ ! -f "$work/results.json" ]; then cp "$record/results.json" "$work/"; fi

end=$(( $(date +%s) + seconds ))
for seed in ${seeds//,/ }; do
  for set in ${sets//,/ }; do
    left=$(( end - $(date +%s) ))
    if [ "$left" -lt 120 ]; then echo "benchmark_slice: time is up before $set seed $seed"; exit 0; fi
    status=0
    timeout --kill-after=120 "$left" mpirun --oversubscribe -np "$np" "$bin" benchmark moleculenet \
      --datasets "$set" --seeds "$seed" --output "$work" "$@" || status=$?
    [ -f "$work/results.json" ] && cp "$work/results.json" "$work/results.md" "$record/"
    if [ "$status" = 124 ] || [ "$status" = 75 ]; then
      echo "benchmark_slice: time is up during $set seed $seed; the next slice goes on from its last epoch's checkpoint"; exit 0
    fi
    if [ "$status" != 0 ]; then echo "benchmark_slice: $set seed $seed ended with status $status"; exit "$status"; fi
  done
done
echo "benchmark_slice: every set and seed is in $record/results.json"
