#!/usr/bin/env bash
# M3 (b) of the pretraining study (docs/pretraining-study.md): the paper's gated model fine-tuned
# from the chosen recipe's encoders and from scratch (`benchmark moleculenet --pretrained …
# --no-pretraining`), balanced scaffold splits, seeds 0–2, 10 epochs, patience 3. One (set, seed)
# per invocation, seed-major, so a slice that reaches its time limit loses at most that pair and the
# table fills a whole seed at a time:
#
#   scripts/m3_finetune.sh SECONDS [WORKDIR]     # WORKDIR default: runs/m3-b
#
# study/m3-b/ holds what is committed: results.json (every finished run; the benchmark skips
# them) and results.md. Fine-tuning outputs stay in WORKDIR. NP ranks (default 2). Needs a
# release build (make build) or LGMCL_BIN.
set -euo pipefail
if [ $# -lt 1 ]; then sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 2; fi
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=$1 work=$(realpath -m "${2:-$root/runs/m3-b}")
bin=${LGMCL_BIN:-$root/.build/release/lgmcl-dist}
np=${NP:-2}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1

cd "$root"   # results.json records --pretrained as given: always the same relative path
record=study/m3-b
mkdir -p "$work" "$record"
if [ -f "$record/results.json" ] && [ ! -f "$work/results.json" ]; then cp "$record/results.json" "$work/"; fi

end=$(( $(date +%s) + seconds ))
for seed in 0 1 2; do
  for set in bbbp bace esol freesolv tox21; do
    left=$(( end - $(date +%s) ))
    if [ "$left" -lt 120 ]; then echo "m3_finetune: time is up before $set seed $seed"; exit 0; fi
    status=0
    timeout --kill-after=120 "$left" mpirun --oversubscribe -np "$np" "$bin" benchmark moleculenet \
      --datasets "$set" --seeds "$seed" --protocols scaffold --pretrained study/m2-control --no-pretraining \
      --epochs 10 --patience 3 --output "$work" || status=$?
    [ -f "$work/results.json" ] && cp "$work/results.json" "$work/results.md" "$record/"
    if [ "$status" != 0 ]; then echo "m3_finetune: $set seed $seed ended with status $status"; exit "$status"; fi
  done
done
echo "m3_finetune: every set and seed is in $record/results.json"
