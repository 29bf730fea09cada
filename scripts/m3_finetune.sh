#!/usr/bin/env bash
# M3 (b) of the pretraining study (docs/pretraining-study.md): the paper's gated model fine-tuned
# from the chosen recipe's encoders and from scratch (`benchmark moleculenet --pretrained …
# --no-pretraining`), balanced scaffold splits, seeds 0–2, 10 epochs, patience 3, in time-limited
# slices (scripts/benchmark_slice.sh):
#
#   scripts/m3_finetune.sh SECONDS [WORKDIR]     # WORKDIR default: runs/m3-b
#
# study/m3-b/ holds what is committed: results.json (every finished run; the benchmark skips
# them) and results.md. Fine-tuning outputs stay in WORKDIR.
set -euo pipefail
if [ $# -lt 1 ]; then sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2; fi
root=$(cd "$(dirname "$0")/.." && pwd)
exec "$root/scripts/benchmark_slice.sh" "$1" study/m3-b "${2:-$root/runs/m3-b}" bbbp,bace,esol,freesolv,tox21 0,1,2 \
  --protocols scaffold --pretrained study/m2-control --no-pretraining --epochs 10 --patience 3
