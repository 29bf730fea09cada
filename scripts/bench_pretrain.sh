#!/usr/bin/env bash
# Pretraining weak scaling on this machine: `lgmcl-dist benchmark throughput` at -np 1 and -np 2
# with the same molecules per rank, for the tiny and small presets, graph and text stages.
# Appends each run's JSON line to RESULTS, then writes docs/benchmarks-pretrain.md from all lines
# in RESULTS (scripts/bench_pretrain_report.py). Needs `make build` and a dataset from
# `lgmcl-dist preprocess` (e.g. the first 100k MOSES molecules).
#
#   scripts/bench_pretrain.sh DATA.h5 [RESULTS.jsonl]
# Environment: BIN (.build/release/lgmcl-dist), BATCH_PER_RANK (64), CASES ("tiny:graph:20 tiny:text:10 small:graph:10 small:text:4",
# preset:stage:steps), ROUNDS (1: each case is run ROUNDS times, np 1 and np 2 alternating).
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:?usage: scripts/bench_pretrain.sh DATA.h5 [RESULTS.jsonl]}
results=${2:-/tmp/lgmcl-bench-pretrain.jsonl}
batch=${BATCH_PER_RANK:-64}
cases=${CASES:-"tiny:graph:20 tiny:text:10 small:graph:10 small:text:4"}
rounds=${ROUNDS:-1}
bin=${BIN:-.build/release/lgmcl-dist}
[ -x "$bin" ] || { echo "bench_pretrain.sh: $bin missing (make build)" >&2; exit 2; }
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
# The cores are shared: ranks waiting in MPI yield instead of spinning (docs/launching.md).
export OMPI_MCA_mpi_yield_when_idle=1

for round in $(seq "$rounds"); do
  for case in $cases; do
    IFS=: read -r preset stage steps <<< "$case"
    for np in 1 2; do
      echo "== round $round: $preset $stage, $np rank(s), $batch molecules per rank, $steps steps" >&2
      mpirun --oversubscribe -np "$np" "$bin" benchmark throughput --data "$data" --preset "$preset" --stage "$stage" \
        --batch-size-per-rank "$batch" --steps "$steps" --warmup-steps 1 --json | tee /dev/stderr | tail -1 >> "$results"
    done
  done
done
python3 scripts/bench_pretrain_report.py "$results" --data "$data" -o docs/benchmarks-pretrain.md
