#!/usr/bin/env bash
# The shortcut measurements of the pretraining study (docs/pretraining-study.md) for a list of
# graph encoders, on the diagnostics molecules of a corpus (its last --diagnostics rows):
#
#   scripts/shortcut_study.sh moses305k.csv moses305k.h5 OUT random=runs/random \
#       step-10000=runs/m2-paper/runs/graph/checkpoints/step-00010000
#
# Each NAME=DIR is a pretraining output (graph.safetensors) or one of its checkpoints
# (model.safetensors). Needs lgmcl-dist (LGMCL_BIN, default .build/release/lgmcl-dist), Debian's
# python3-rdkit (make setup-oracles) and .venv (make venv). Writes OUT/shortcut.md and .json.
set -euo pipefail
if [ $# -lt 4 ]; then sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 2; fi
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${LGMCL_BIN:-$root/.build/release/lgmcl-dist}
csv=$1 corpus=$2 out=$3
shift 3
count=${DIAGNOSTICS:-2000}
mkdir -p "$out"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1

# The molecules pretraining held out for its diagnostics: the last rows of the corpus. A corpus
# with rejected rows would shift them; preprocess reports rejects, so check it had none.
{ head -n 1 "$csv"; tail -n "$count" "$csv"; } > "$out/diagnostics.csv"
/usr/bin/python3 "$root/scripts/shortcut_targets.py" "$out/diagnostics.csv" -o "$out/targets.csv"
"$bin" preprocess --input "$out/diagnostics.csv" --output "$out/diagnostics.h5" --vocab "$corpus" >/dev/null

runs=()
for spec in "$@"; do
  name=${spec%%=*} dir=${spec#*=}
  model="$out/models/$name"
  mkdir -p "$model"
  cp "$dir/config.json" "$model/config.json"
  # embed reads a pretraining directory; a checkpoint's model.safetensors holds the same names.
  weights="$dir/graph.safetensors"
  [ -f "$weights" ] || weights="$dir/model.safetensors"
  ln -sf "$(cd "$(dirname "$weights")" && pwd)/$(basename "$weights")" "$model/graph.safetensors"
  "$bin" embed --model "$model" --input "$out/diagnostics.h5" --output "$out/embeddings-$name.h5" --views local,global >/dev/null
  runs+=(--run "$name" "$out/embeddings-$name.h5" "$model/graph.safetensors")
done
"$root/.venv/bin/python" "$root/scripts/shortcut_study.py" --data "$out/diagnostics.h5" --targets "$out/targets.csv" \
  "${runs[@]}" --json "$out/shortcut.json" | tee "$out/shortcut.md"
