#!/usr/bin/env bash
# `lgmcl-dist predict` in Float32 and with bfloat16 matrix products (--precision bf16-mixed), one
# rank, one BLAS thread, the two alternating REPEATS times in one run so that both see the same load:
# molecules per CPU second (user + system, featurization included) per run, the median of each, and
# how far the two precisions' predictions lie apart.
#
#   scripts/bench_predict.sh MODEL MOLECULES.csv [REPEATS]      (default 3 repeats)
# MODEL: a `lgmcl-dist finetune` output directory. Environment: BIN (.build/release/lgmcl-dist).
set -euo pipefail
[ $# -ge 2 ] || { sed -n 2,8p "$0" >&2; exit 2; }
root=$(cd "$(dirname "$0")/.." && pwd)
model=$1 input=$2 repeats=${3:-3}
bin=${BIN:-$root/.build/release/lgmcl-dist}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export OPENBLAS_NUM_THREADS=1
molecules=$(($(wc -l <"$input") - 1))
echo "predict: $model on $molecules molecules of $input; $("$bin" info 2>&1 | grep -a -o 'lgmcl [0-9.]* [0-9a-f]*\(-dirty\)\? built' | head -n 1); load $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$repeats"); do
    for precision in float32 bf16-mixed; do
        /usr/bin/time -f "%U %S %e" -o "$work/time" "$bin" predict --model "$model" --input "$input" \
            --output "$work/$precision.csv" --precision "$precision" >/dev/null 2>"$work/log" \
            || { cat "$work/log" >&2; exit 1; }
        read -r user system wall <"$work/time"
        rate=$(python3 -c "print(f'{$molecules / ($user + $system):.1f}')")
        echo "$precision repeat $r: $rate molecules per CPU second (user $user s, system $system s, wall $wall s)"
        echo "$precision $rate" >>"$work/rates"
    done
done
python3 - "$work" <<'EOF'
import csv, statistics, sys
from pathlib import Path
work = Path(sys.argv[1])
rates = {}
for line in (work / "rates").read_text().split("\n"):
    if line:
        precision, rate = line.split()
        rates.setdefault(precision, []).append(float(rate))
for precision, values in rates.items():
    print(f"{precision}: median {statistics.median(values):.1f} molecules per CPU second (range {min(values):.1f}-{max(values):.1f})")
print(f"bf16-mixed / float32: {statistics.median(rates['bf16-mixed']) / statistics.median(rates['float32']):.2f}x")
tables = [list(csv.DictReader(open(work / f"{p}.csv"))) for p in ("float32", "bf16-mixed")]
columns = [c for c in tables[0][0] if c.endswith("_prediction") or c.endswith("_probability")]
for column in columns:
    pairs = [(float(a[column]), float(b[column])) for a, b in zip(*tables) if a[column] and b[column]]
    differences = [abs(x - y) for x, y in pairs]
    spread = statistics.pstdev(x for x, _ in pairs)
    print(f"{column}: bf16-mixed against float32 over {len(pairs)} molecules: max |difference| {max(differences):.4g}, "
          f"mean {statistics.fmean(differences):.4g} (the float32 predictions' std: {spread:.4g})")
EOF
