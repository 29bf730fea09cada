#!/usr/bin/env bash
# One slice of a pretraining-study run (docs/pretraining-study.md): resume the run from its
# checkpoint in the repository, train for at most SECONDS, stop with a checkpoint (SIGUSR1: the
# last completed step is written and pretrain exits 75), and put the run's record back:
#
#   scripts/study_slice.sh m2-paper 6000 [WORKDIR]     # WORKDIR default: runs/study
#
# study/RUN/ holds what is committed: metrics-STAGE.jsonl, diagnostics-STAGE.svg, the newest
# checkpoint (checkpoint/) while the run is unfinished, and STAGE.safetensors + config.json once
# it is done. The corpus (first 305,000 MOSES rows) is rebuilt in WORKDIR when missing. NP ranks
# (default 2; N ranks train the same model as one). Needs a release build (make build).
set -euo pipefail
if [ $# -lt 2 ]; then sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; fi
root=$(cd "$(dirname "$0")/.." && pwd)
run=$1 seconds=$2 work=${3:-$root/runs/study}
bin=${LGMCL_BIN:-$root/.build/release/lgmcl-dist}
np=${NP:-2}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1

# The declared recipes, as docs/pretraining-study.md lists them.
views="--mask-atoms 0.25 --delete-bonds 0.25 --lr 5e-4 --lr-warmup 1000 --lr-schedule cosine"
case $run in
  m2-paper)   stage=graph;      flags="" ;;
  m2-views)   stage=graph;      flags="$views --set graphTransformer.lambdaAttention=0.5" ;;
  m2-control) stage=graph-self; flags="$views" ;;
  *) echo "study_slice: unknown run '$run' (m2-paper, m2-views, m2-control)" >&2; exit 2 ;;
esac
probes=$(printf "$root/data/moleculenet/%s.csv," bbbp bace esol freesolv tox21)

mkdir -p "$work"
corpus=$work/moses305k.h5
if [ ! -f "$corpus" ]; then
  moses=$root/data/pretrain/moses_train.csv.gz
  [ -f "$moses" ] || "$bin" datasets download moses
  zcat "$moses" | head -n 305001 > "$work/moses305k.csv"
  mpirun --oversubscribe -np "$np" "$bin" preprocess --input "$work/moses305k.csv" --output "$corpus" --progress-interval 60
fi

record=$root/study/$run out=$work/$run
mkdir -p "$record" "$out"
resume=""
if [ -d "$record/checkpoint" ] && [ ! -d "$out/runs/$stage/checkpoints" ]; then
  # A fresh working directory: the run continues from the committed checkpoint and log.
  step=$(basename "$(cat "$record/checkpoint/NAME")")
  mkdir -p "$out/runs/$stage/checkpoints/$step"
  cp "$record/checkpoint/"*.json "$record/checkpoint/"*.safetensors "$out/runs/$stage/checkpoints/$step/"
  cp "$record/metrics-$stage.jsonl" "$out/"
fi
[ -d "$out/runs/$stage/checkpoints" ] && resume=--resume

status=0
# shellcheck disable=SC2086  # $flags holds several options
timeout --preserve-status --signal=USR1 --kill-after=600 "$seconds" mpirun --oversubscribe -np "$np" "$bin" pretrain \
  --data "$corpus" --output "$out" --stage "$stage" --preset small --epochs 20 --checkpoint-every 1000 \
  --probe "${probes%,}" --probe-every 2000 --log-interval 60 $flags $resume || status=$?

cp "$out/metrics-$stage.jsonl" "$out/diagnostics-$stage.svg" "$record/"
rm -rf "$record/checkpoint"
if [ "$status" = 0 ]; then
  cp "$out/$stage.safetensors" "$out/config.json" "$record/"
  echo "study_slice: $run finished; its weights are in $record"
elif [ "$status" = 75 ]; then
  newest=$(find "$out/runs/$stage/checkpoints" -maxdepth 1 -name 'step-*' | sort | tail -n 1)
  mkdir -p "$record/checkpoint"
  cp "$newest"/*.json "$newest"/*.safetensors "$record/checkpoint/"
  basename "$newest" > "$record/checkpoint/NAME"
  echo "study_slice: $run stopped at $(basename "$newest"); commit $record and run the next slice"
else
  echo "study_slice: pretrain ended with status $status; the working directory $out is kept" >&2
  exit "$status"
fi
