#!/usr/bin/env bash
# The joint `small` pretraining step, lgmcl beside its PyTorch peer (scripts/pretrain_peer.py), on
# one HDF5 file that lgmcl preprocessed from the first MOLECULES MOSES molecules
# (data/samples/moses_head20k.csv.gz): global batch 128, one rank / one thread each, one warm-up
# step, STEPS timed steps, the two alternating (lgmcl, peer, lgmcl, peer, …) REPEATS times in one
# run so that both see the same load. Appends a dated section to docs/benchmarks-pretrain.md
# (scripts/bench_pretrain_peer_report.py): machine, OpenBLAS kernel, load average at both ends,
# median and range of molecules/s, and their ratio.
#
#   scripts/bench_pretrain_peer.sh [REPEATS] [STEPS] [MOLECULES]     (defaults 3 8 4096)
# Needs `make build` and `make venv` (PyTorch, transformers, h5py). OPENBLAS_CORETYPE, when set,
# is passed to lgmcl (the peer's PyTorch uses its own BLAS) and named in the section.
# Environment: BIN (.build/release/lgmcl-dist), PYTHON (.venv/bin/python), RESULTS (JSON lines),
# PRECISION (lgmcl's --precision: float32, the default, or bf16-mixed; the peer stays Float32).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
repeats=${1:-3}
steps=${2:-8}
molecules=${3:-4096}
bin=${BIN:-$root/.build/release/lgmcl-dist}
python=${PYTHON:-$root/.venv/bin/python}
work=$root/.build/bench-pretrain-peer
results=${RESULTS:-$work/results-$(date -u +%Y%m%dT%H%M%SZ).jsonl}
[ -x "$bin" ] || { echo "bench_pretrain_peer.sh: $bin missing (make build)" >&2; exit 2; }
"$python" -c 'import torch, transformers, h5py' || { echo "bench_pretrain_peer.sh: $python lacks torch/transformers/h5py (make venv)" >&2; exit 2; }
export OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mkdir -p "$work"

data=$work/moses$molecules.h5
if [ ! -s "$data" ]; then
    echo "== dataset: the first $molecules molecules of data/samples/moses_head20k.csv.gz" >&2
    { gzip -dc "$root/data/samples/moses_head20k.csv.gz" || true; } | head -n $((molecules + 1)) >"$work/molecules.csv"
    "$bin" preprocess --input "$work/molecules.csv" --output "$data" --progress-interval 0 >/dev/null
fi

kernel=$("$bin" info | grep -a -o -m 1 ': OpenBLAS [A-Za-z0-9]*' | cut -d' ' -f3)
start_load=$(cut -d' ' -f1-3 /proc/loadavg)
start_date=$(date -u +%Y-%m-%dT%H:%M:%SZ)
: >"$results"
for r in $(seq 1 "$repeats"); do
    echo "== repeat $r/$repeats: lgmcl" >&2
    "$bin" benchmark throughput --data "$data" --preset small --stage joint --batch-size 128 --held-out 0 \
        --steps "$steps" --warmup-steps 1 --precision "${PRECISION:-float32}" --json 2>/dev/null | tee -a /dev/stderr | tail -n 1 \
        | sed 's/^{/{"side":"lgmcl",/' >>"$results"
    echo "== repeat $r/$repeats: PyTorch peer" >&2
    "$python" "$root/scripts/pretrain_peer.py" "$data" --batch-size 128 --molecules "$molecules" \
        --warmup-steps 1 --steps "$steps" --json | tee -a /dev/stderr | tail -n 1 \
        | sed 's/^{/{"side":"peer",/' >>"$results"
done
end_load=$(cut -d' ' -f1-3 /proc/loadavg)
python3 "$root/scripts/bench_pretrain_peer_report.py" "$results" --kernel "$kernel${OPENBLAS_CORETYPE:+ (OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE)}" \
    --start "$start_date" --start-load "$start_load" --end-load "$end_load" --molecules "$molecules" \
    --command "${PRECISION:+PRECISION=$PRECISION }scripts/bench_pretrain_peer.sh $repeats $steps $molecules" -o "$root/docs/benchmarks-pretrain.md"
