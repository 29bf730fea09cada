#!/usr/bin/env bash
# Where a pretraining step's time goes, against the machine's matrix-product rate: one rank, one
# BLAS thread, `lgmcl-dist benchmark throughput --json` for each case, then
# scripts/bench_roofline_report.py writes docs/benchmarks-roofline.md from the JSON lines (the
# hand-written part of that file, from "## Reading these numbers" on, is kept).
#
#   scripts/bench_roofline.sh DATA.h5 [RESULTS.jsonl]
# DATA.h5: a dataset from `lgmcl-dist preprocess`, e.g. the 4,096 MOSES molecules of
# scripts/bench_pretrain_peer.sh. Environment: BIN (.build/release/lgmcl-dist), CASES
# (preset:stage:batch:steps[:precision], default below; precision float32 or bf16-mixed, float32 when
# left out). Run it on an idle machine: the gemm seconds are wall time.
set -euo pipefail
cd "$(dirname "$0")/.."
data=${1:?usage: scripts/bench_roofline.sh DATA.h5 [RESULTS.jsonl]}
results=${2:-/tmp/lgmcl-roofline.jsonl}
bin=${BIN:-.build/release/lgmcl-dist}
cases=${CASES:-"small:text:64:20 small:graph:64:20 small:joint:128:20 paper:text:8:5 small:text:64:20:bf16-mixed small:joint:128:20:bf16-mixed paper:text:8:5:bf16-mixed"}
[ -x "$bin" ] || { echo "bench_roofline.sh: $bin missing (make build)" >&2; exit 2; }
export OPENBLAS_NUM_THREADS=1
: > "$results"
for case in $cases; do
  IFS=: read -r preset stage batch steps precision <<< "$case"
  precision=${precision:-float32}
  echo "roofline: $preset $stage, batch $batch, $steps steps, $precision" >&2
  "$bin" benchmark throughput --data "$data" --preset "$preset" --stage "$stage" --batch-size "$batch" \
    --held-out 0 --steps "$steps" --warmup-steps 2 --precision "$precision" --json | tail -n 1 >> "$results"
done
python3 scripts/bench_roofline_report.py "$results" --data "$data"
