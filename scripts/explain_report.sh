#!/usr/bin/env bash
# The explain report of docs/explain.md, in one command (make explain-report): BBBP fine-tuned
# with the paper's gated fusion and with the residual ablation (same split, seed, epochs), then
# `lgmcl-dist explain` on 50 molecules of the test split for each, and a screenshot of each page
# in headless Chromium (Debian's package; the Makefile target installs it).
#
#   scripts/explain_report.sh [OUT]        # OUT default docs/explain; scratch in runs/explain
#
# PRESET (default small), EPOCHS (default 10), NP (default 2 ranks), STEPS (default 50).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:-$root/docs/explain} work=$root/runs/explain
bin=${LGMCL_BIN:-$root/.build/release/lgmcl-dist}
preset=${PRESET:-small} epochs=${EPOCHS:-10} np=${NP:-2} steps=${STEPS:-50}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1
mkdir -p "$work" "$out"
started=$(date +%s)

for fusion in gated residual; do
  model=$work/bbbp-$fusion
  if [ ! -f "$model/metrics.json" ]; then
    rm -rf "$model"
    mpirun --oversubscribe -np "$np" "$bin" finetune --data "$root/data/moleculenet/bbbp.csv" --output "$model" \
      --label-columns p_np --split scaffold --preset "$preset" --epochs "$epochs" --fusion "$fusion" --log-interval 60
  fi
  # 50 molecules of the test split, as the input file has them (their SMILES' atom order is the
  # order of the attributions).
  python3 - "$model/seed-0/predictions_test.csv" "$root/data/moleculenet/bbbp.csv" "$work/test50.csv" <<'PY'
import csv, sys
rows = [int(r["row"]) for r in csv.DictReader(open(sys.argv[1]))][:50]
with open(sys.argv[2], newline="") as f:
    table = list(csv.reader(f))
with open(sys.argv[3], "w", newline="") as f:
    writer = csv.writer(f)
    writer.writerow(table[0])
    writer.writerows(table[r] for r in sorted(rows))
PY
  rm -rf "${out:?}/$fusion"
  mpirun --oversubscribe -np "$np" "$bin" explain --model "$model" --input "$work/test50.csv" --output "$work/explain-$fusion" --steps "$steps"
  mkdir -p "$out/$fusion"
  cp "$work/explain-$fusion/index.html" "$work/explain-$fusion/summary.csv" "$work/explain-$fusion/explain.json" "$out/$fusion/"
  cp "$model/metrics.json" "$out/$fusion/finetune-metrics.json"
  chromium --headless --no-sandbox --disable-gpu --hide-scrollbars --window-size=1100,1400 \
    --screenshot="$out/$fusion.png" "file://$out/$fusion/index.html" 2>/dev/null
done
echo "explain_report: $(( $(date +%s) - started )) s on $(hostname), $np ranks; wrote $out"
