#!/usr/bin/env bash
# `lgmcl-dist predict` in two variants, one rank, one BLAS thread, alternating REPEATS times in one
# run so that both see the same load: molecules per CPU second (user + system, featurization
# included) per run, the median of each, and how far the two variants' predictions lie apart.
# The variants: Float32 against bfloat16 matrix products (--precision bf16-mixed), or with
# BASELINE set, that build against BIN, both at PRECISION (default float32).
#
#   scripts/bench_predict.sh MODEL MOLECULES.csv [REPEATS]      (default 3 repeats)
# MODEL: a `lgmcl-dist finetune` output directory. Environment: BIN (.build/release/lgmcl-dist),
# BASELINE (another lgmcl-dist), PRECISION.
set -euo pipefail
[ $# -ge 2 ] || { sed -n 2,10p "$0" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
model=$1 input=$2 repeats=${3:-3}
bin=${BIN:-$root/.build/release/lgmcl-dist}
precision=${PRECISION:-float32}
if [ -n "${BASELINE:-}" ]; then
    names=(baseline build) bins=("$BASELINE" "$bin") precisions=("$precision" "$precision")
else
    names=(float32 bf16-mixed) bins=("$bin" "$bin") precisions=(float32 bf16-mixed)
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1
molecules=$(($(wc -l <"$input") - 1))
build() { "$1" info 2>&1 | grep -a -o 'lgmcl [0-9.]* [0-9a-f]*\(-dirty\)\? built' | head -n 1; }
echo "predict: $model on $molecules molecules of $input; load $(cut -d' ' -f1-3 /proc/loadavg)"
for v in 0 1; do echo "${names[$v]}: $(build "${bins[$v]}"), --precision ${precisions[$v]}"; done
for r in $(seq 1 "$repeats"); do
    for v in 0 1; do
        name=${names[$v]}
        /usr/bin/time -f "%U %S %e" -o "$work/time" "${bins[$v]}" predict --model "$model" --input "$input" \
            --output "$work/$name.csv" --precision "${precisions[$v]}" >/dev/null 2>"$work/log" \
            || { cat "$work/log" >&2; exit 1; }
        read -r user system wall <"$work/time"
        rate=$(python3 -c "print(f'{$molecules / ($user + $system):.1f}')")
        echo "$name repeat $r: $rate molecules per CPU second (user $user s, system $system s, wall $wall s)"
        echo "$name $rate" >>"$work/rates"
    done
done
echo "load at the end $(cut -d' ' -f1-3 /proc/loadavg)"
python3 - "$work" "${names[@]}" <<'PYTHON'
import csv, statistics, sys
from pathlib import Path
work, a, b = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
rates = {}
for line in (work / "rates").read_text().split("\n"):
    if line:
        name, rate = line.split()
        rates.setdefault(name, []).append(float(rate))
for name, values in rates.items():
    print(f"{name}: median {statistics.median(values):.1f} molecules per CPU second (range {min(values):.1f}-{max(values):.1f})")
print(f"{b} / {a}: {statistics.median(rates[b]) / statistics.median(rates[a]):.2f}x")
tables = [list(csv.DictReader(open(work / f"{name}.csv"))) for name in (a, b)]
columns = [c for c in tables[0][0] if c.endswith("_prediction") or c.endswith("_probability")]
for column in columns:
    pairs = [(float(x[column]), float(y[column])) for x, y in zip(*tables) if x[column] and y[column]]
    differences = [abs(x - y) for x, y in pairs]
    spread = statistics.pstdev(x for x, _ in pairs)
    print(f"{column}: {b} against {a} over {len(pairs)} molecules: max |difference| {max(differences):.4g}, "
          f"mean {statistics.fmean(differences):.4g} (the {a} predictions' std: {spread:.4g})")
PYTHON
