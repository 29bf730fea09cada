#!/usr/bin/env bash
# Data benchmark: preprocess rate (molecules/s per rank) on 1 and 2 ranks, bytes per molecule,
# the sharded reader's rate from a warm page cache with its CPU cost per step by phase, and the
# reader's share of a pretraining step, with Python peers measured in the same run. Wall-clock
# rates on a shared machine mostly measure the other jobs, so CPU time (user + system of the
# processes, or of the reader thread) is reported beside them. Writes docs/benchmarks/data.md.
# Needs `make build`, `make venv` (h5py) and python3-rdkit (`make setup-oracles`).
#   scripts/bench_data.sh [ROWS=20000]
# DATASET=F.h5 (F preprocessed from those ROWS rows) skips the two preprocess runs, which take most
# of the time, and measures the reader, its peer and its share of a step on F.
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-20000}
BIN=${BIN:-.build/release/lgmcl-dist}
WORK=$(mktemp -d /tmp/lgmcl-bench-data.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
MPIRUN=(mpirun --oversubscribe --bind-to none)
LOAD_START=$(cut -d' ' -f1 /proc/loadavg)

# The corpus from `lgmcl-dist datasets download moses`; up to 20000 rows the committed sample
# holds the same first rows.
CORPUS=data/pretrain/moses_train.csv.gz
[ -f "$CORPUS" ] || [ "$ROWS" -gt 20000 ] || CORPUS=data/samples/moses_head20k.csv.gz
[ -f "$CORPUS" ] || { echo "$CORPUS is missing; fetch it with: lgmcl-dist datasets download moses" >&2; exit 1; }
# zcat ends on SIGPIPE once head has its rows; that is not a failure.
{ zcat "$CORPUS" || true; } | head -n $((ROWS + 1)) > "$WORK/sample.csv"

# CPU seconds (user + system) of a command and its children, from GNU time's output file.
cpu_of() { awk '{print $1 + $2}' "$1"; }
declare -A SECONDS_FOR RATE_FOR CPU_FOR
if [ -n "${DATASET:-}" ]; then
  cp "$DATASET" "$WORK/np1.h5"
  MOLECULES=$($BIN benchmark reader --data "$WORK/np1.h5" --epochs 0 | sed -n 's/.*h5, \([0-9]*\) molecules.*/\1/p')
else
  for np in 1 2; do
    /usr/bin/time -o "$WORK/time$np" -f "%U %S" \
      "${MPIRUN[@]}" -np $np "$BIN" preprocess --input "$WORK/sample.csv" --output "$WORK/np$np.h5" --progress-interval 60 | tee "$WORK/np$np.log"
    SECONDS_FOR[$np]=$(sed -n 's/preprocess: \([0-9.]*\) s on.*/\1/p' "$WORK/np$np.log")
    RATE_FOR[$np]=$(sed -n 's/.*, \([0-9]*\) rows\/s per rank/\1/p' "$WORK/np$np.log")
    CPU_FOR[$np]=$(cpu_of "$WORK/time$np")
  done
  MOLECULES=$(sed -n 's/.* → \([0-9]*\) molecules.*/\1/p' "$WORK/np1.log")
fi
BYTES=$(stat -c %s "$WORK/np1.h5")
read -r _ _ _ PEER_FEATURIZE_RATE _ PEER_FEATURIZE_CPU_RATE < <(/usr/bin/python3 scripts/data_peers.py featurize "$WORK/sample.csv")

cat "$WORK/np1.h5" > /dev/null  # warm the page cache
READER1=$($BIN benchmark reader --data "$WORK/np1.h5" --batch-size 128 --epochs 2 --json | tail -1)
READER2=$("${MPIRUN[@]}" -np 2 "$BIN" benchmark reader --data "$WORK/np1.h5" --batch-size 128 --epochs 2 --json | tail -1)
read -r _ _ _ PEER_READ_RATE _ PEER_READ_CPU_RATE < <(.venv/bin/python scripts/data_peers.py read "$WORK/np1.h5")
json() { python3 -c "import json,sys; print(round(json.loads(sys.argv[1])['$2'], 2))" "$1"; }

# CPU seconds per pretraining step and rank on 2 ranks at global batch 128: the difference of
# two runs of different lengths, so that start-up (MPI, model, dataset) cancels. The reader
# thread's CPU time per step over it is the reader's share of a step.
pretrain_cpu() {
  local preset=$1 stage=$2 steps=$3
  /usr/bin/time -o "$WORK/time-$preset-$stage-$steps" -f "%U %S" \
    "${MPIRUN[@]}" -np 2 "$BIN" pretrain --data "$WORK/np1.h5" --output "$WORK/run-$preset-$stage-$steps" --preset "$preset" \
    --stage "$stage" --batch-size 128 --max-steps "$steps" > /dev/null
  cpu_of "$WORK/time-$preset-$stage-$steps"
}
step_cpu() {
  local preset=$1 stage=$2 short=$3 long=$4
  local a b
  a=$(pretrain_cpu "$preset" "$stage" "$short")
  b=$(pretrain_cpu "$preset" "$stage" "$long")
  awk -v a="$a" -v b="$b" -v n=$((long - short)) 'BEGIN {printf "%.3f", (b - a) / n / 2}'
}
TINY_STEP=$(step_cpu tiny graph 10 30)
SMALL_STEP=$(step_cpu small joint 2 4)
READER_MS=$(json "$READER2" reader_ms_per_step)
share() { awk -v r="$READER_MS" -v s="$1" 'BEGIN {printf "%.2f%%", r / (s * 1000) * 100}'; }
LOAD_END=$(cut -d' ' -f1 /proc/loadavg)

{
  echo "# Data benchmark"
  echo
  echo "Produced by \`scripts/bench_data.sh $ROWS\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(sed -n 's/model name\s*: //p' /proc/cpuinfo | head -1)), lgmcl $(git rev-parse --short HEAD)."
  echo "Input: the first $ROWS rows of the MOSES training set ($CORPUS)."
  echo "The machine is shared with other jobs: load average $LOAD_START at the start, $LOAD_END at the end, on $(nproc) cores."
  echo "Wall-clock rates therefore mostly measure the CPU share a process got; the CPU columns"
  echo "(user + system time of the processes, or of the reader thread) are what the work costs."
  echo
  echo "| measurement | wall clock | CPU |"
  echo "|---|---|---|"
  for np in 1 2; do
    if [ -n "${DATASET:-}" ]; then
      echo "| preprocess, $np rank$([ $np = 1 ] || echo s) | not measured in this run (DATASET given) | |"
    else
      echo "| preprocess, $np rank$([ $np = 1 ] || echo s) | ${SECONDS_FOR[$np]} s, ${RATE_FOR[$np]} molecules/s per rank | ${CPU_FOR[$np]} s, $(awk -v m="$MOLECULES" -v c="${CPU_FOR[$np]}" 'BEGIN {printf "%.0f", m / c}') molecules per CPU-second |"
    fi
  done
  echo "| peer: Python RDKit parse + canonical SMILES + MACCS + ErG (a subset of the work), 1 process | $PEER_FEATURIZE_RATE molecules/s | $PEER_FEATURIZE_CPU_RATE molecules per CPU-second |"
  echo "| file size | $BYTES bytes for $MOLECULES molecules = $((BYTES / MOLECULES)) bytes per molecule | |"
  echo "| reader, 1 rank, global batch 128, warm cache | $(json "$READER1" molecules_per_second_per_rank) molecules/s per rank | $(json "$READER1" molecules_per_reader_cpu_second) molecules per reader CPU-second; $(json "$READER1" reader_ms_per_step) ms per step of 128 (read $(json "$READER1" read_ms_per_step), assemble $(json "$READER1" assemble_ms_per_step)) |"
  echo "| reader, 2 ranks, global batch 128, warm cache | $(json "$READER2" molecules_per_second_per_rank) molecules/s per rank | $(json "$READER2" molecules_per_reader_cpu_second) molecules per reader CPU-second per rank; $READER_MS ms per step of 64 (read $(json "$READER2" read_ms_per_step), assemble $(json "$READER2" assemble_ms_per_step)) |"
  echo "| peer: h5py reading the same blocks (no batches), 1 process | $PEER_READ_RATE molecules/s | $PEER_READ_CPU_RATE molecules per CPU-second |"
  echo
  echo "Reader CPU share of a pretraining step on 2 ranks, global batch 128: the reader thread's CPU"
  echo "time per step over a rank's CPU time per step (from pretraining runs of two lengths, so that"
  echo "start-up cancels; the reader runs beside the step on its own thread):"
  echo
  echo "| preset, stage | CPU seconds per step and rank | reader share |"
  echo "|---|---|---|"
  echo "| tiny, graph | $TINY_STEP | $(share "$TINY_STEP") |"
  echo "| small, joint | $SMALL_STEP | $(share "$SMALL_STEP") |"
  echo
  echo "The reader reads each block of 512 molecules once per epoch, and every rank reads every"
  echo "block (the epoch order is rank-independent, and a rank's molecules of a window are spread"
  echo "over all its blocks), so its cost per molecule delivered doubles from 1 to 2 ranks."
} > docs/benchmarks/data.md
cat docs/benchmarks/data.md
