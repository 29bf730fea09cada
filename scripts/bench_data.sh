#!/usr/bin/env bash
# Data benchmark: preprocess rate (molecules/s per rank) on 1 and 2 ranks, bytes per molecule,
# and the sharded reader's rate from a warm page cache, with Python peers measured in the same
# run. Writes docs/benchmarks/data.md. Needs `make build`, `make venv` (h5py) and python3-rdkit
# (`make setup-oracles`).   scripts/bench_data.sh [ROWS=20000]
set -euo pipefail
cd "$(dirname "$0")/.."
ROWS=${1:-20000}
BIN=.build/release/lgmcl-dist
WORK=$(mktemp -d /tmp/lgmcl-bench-data.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
MPIRUN="mpirun --oversubscribe --bind-to none"

# zcat ends on SIGPIPE once head has its rows; that is not a failure.
{ zcat ../shared/data/pretrain/moses_train.csv.gz || true; } | head -n $((ROWS + 1)) > "$WORK/sample.csv"

field() { sed -n "s/.*$1 \([0-9.]*\).*/\1/p" | head -1; }
declare -A SECONDS_FOR RATE_FOR
for np in 1 2; do
  $MPIRUN -np $np $BIN preprocess --input "$WORK/sample.csv" --output "$WORK/np$np.h5" --progress-interval 60 | tee "$WORK/np$np.log"
  SECONDS_FOR[$np]=$(grep " s on " "$WORK/np$np.log" | sed -n 's/preprocess: \([0-9.]*\) s on.*/\1/p')
  RATE_FOR[$np]=$(grep " s on " "$WORK/np$np.log" | sed -n 's/.*, \([0-9]*\) rows\/s per rank/\1/p')
done
MOLECULES=$(sed -n 's/.* → \([0-9]*\) molecules.*/\1/p' "$WORK/np1.log")
BYTES=$(stat -c %s "$WORK/np1.h5")
PEER_FEATURIZE=$(/usr/bin/python3 scripts/data_peers.py featurize "$WORK/sample.csv")

cat "$WORK/np1.h5" > /dev/null  # warm the page cache
READER1=$($BIN benchmark reader --data "$WORK/np1.h5" --batch-size 128 --epochs 2 --json | tail -1)
READER2=$($MPIRUN -np 2 $BIN benchmark reader --data "$WORK/np1.h5" --batch-size 128 --epochs 2 --json | tail -1)
PEER_READ=$(.venv/bin/python scripts/data_peers.py read "$WORK/np1.h5")
json() { python3 -c "import json,sys; print(round(json.loads(sys.argv[1])['$2'], 2))" "$1"; }

{
  echo "# Data benchmark"
  echo
  echo "Produced by \`scripts/bench_data.sh $ROWS\` on $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores ($(sed -n 's/model name\s*: //p' /proc/cpuinfo | head -1)), lgmcl $(git rev-parse --short HEAD)."
  echo "Input: the first $ROWS rows of the MOSES training set (../shared/data/pretrain/moses_train.csv.gz)."
  echo "The machine is shared with other jobs; numbers are indicative."
  echo
  echo "| measurement | value |"
  echo "|---|---|"
  echo "| preprocess, 1 rank | ${SECONDS_FOR[1]} s, ${RATE_FOR[1]} molecules/s per rank |"
  echo "| preprocess, 2 ranks | ${SECONDS_FOR[2]} s, ${RATE_FOR[2]} molecules/s per rank |"
  echo "| peer: Python RDKit parse + canonical SMILES + MACCS + ErG (a subset of the work), 1 core | $(echo $PEER_FEATURIZE | cut -d' ' -f4) molecules/s |"
  echo "| file size | $BYTES bytes for $MOLECULES molecules = $((BYTES / MOLECULES)) bytes per molecule |"
  echo "| reader, 1 rank, global batch 128, warm cache | $(json "$READER1" molecules_per_second_per_rank) molecules/s per rank; reader thread $(json "$READER1" reader_ms_per_step) ms per step of 128 |"
  echo "| reader, 2 ranks, global batch 128, warm cache | $(json "$READER2" molecules_per_second_per_rank) molecules/s per rank; reader thread $(json "$READER2" reader_ms_per_step) ms per step of 64 |"
  echo "| peer: h5py reading the same blocks, 1 process | $(echo $PEER_READ | cut -d' ' -f4) molecules/s |"
  echo
  echo "The reader reads each block of 512 molecules once per epoch (all ranks read every block:"
  echo "the epoch order is rank-independent, and a rank's molecules of a window are spread over its"
  echo "blocks), so its per-rank rate does not grow with the rank count; its cost per training step"
  echo "is the reader-thread time per step, spent beside the step on a second thread."
} > docs/benchmarks/data.md
cat docs/benchmarks/data.md
