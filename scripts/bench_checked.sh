#!/usr/bin/env bash
# What Swift's runtime checks (bounds, overflow, preconditions) cost the training step: the tree
# at HEAD built twice in release, once with -Ounchecked on the LGMCL module and once without,
# then the `small` preset's joint and text pretraining steps timed alternately (A B A B …) on one
# dataset in one run, one rank, one BLAS thread. Writes docs/benchmarks-checks.md.
#
#   scripts/bench_checked.sh [MOLECULES] [REPEATS] [STEPS]     (defaults 1000 5 6)
# The two builds are kept in .build-bench-checked/ (git-ignored) and rebuilt when HEAD changes.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
molecules=${1:-1000}
repeats=${2:-5}
steps=${3:-6}
batch=32
work=$root/.build-bench-checked
head=$(git -C "$root" rev-parse HEAD)
[ "$(cat "$work/HEAD" 2>/dev/null)" = "$head" ] || rm -rf "$work"
mkdir -p "$work"
export OPENBLAS_NUM_THREADS=1 OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1

# One copy of HEAD per variant; only the LGMCL target's swiftSettings differ.
for variant in checked unchecked; do
    [ -x "$work/$variant/.build/release/lgmcl-dist" ] && continue
    mkdir -p "$work/$variant"
    git -C "$root" archive HEAD | tar -x -C "$work/$variant"
    python3 - "$work/$variant/Package.swift" "$variant" <<'PY'
import re, sys
path, variant = sys.argv[1], sys.argv[2]
text = open(path).read()
text = re.sub(r',\s*swiftSettings: \[\.unsafeFlags\(\["-Ounchecked"\][^\]]*\)\]', '', text)
if variant == "unchecked":
    anchor = '.product(name: "CSV", package: "CSV.swift"),\n            ]'
    assert anchor in text, "Package.swift: LGMCL's dependency list not found"
    text = text.replace(anchor, anchor + ',\n            swiftSettings: [.unsafeFlags(["-Ounchecked"], .when(configuration: .release))]', 1)
open(path, "w").write(text)
PY
    echo "== building $variant" >&2
    (cd "$work/$variant" && make build >"$work/$variant.build.log" 2>&1) \
        || { tail -n 20 "$work/$variant.build.log"; exit 1; }
done
echo "$head" >"$work/HEAD"

echo "== dataset: the first $molecules molecules of data/samples/moses_head20k.csv.gz" >&2
{ gzip -dc "$root/data/samples/moses_head20k.csv.gz" || true; } | head -n $((molecules + 1)) >"$work/molecules.csv"
rm -f "$work/data.h5"
"$work/checked/.build/release/lgmcl-dist" preprocess --input "$work/molecules.csv" --output "$work/data.h5" \
    --progress-interval 0 >/dev/null

# molecules/s of one timed run, from the JSON line `benchmark throughput --json` ends with.
rate() {
    local variant=$1 stage=$2
    "$work/$variant/.build/release/lgmcl-dist" benchmark throughput --data "$work/data.h5" --preset small \
        --stage "$stage" --batch-size "$batch" --held-out 0 --steps "$steps" --warmup-steps 1 --json 2>/dev/null \
        | tail -n 1 | python3 -c 'import json, sys; print("%.1f" % json.load(sys.stdin)["molecules_per_second"])'
}

declare -A runs
for r in $(seq 1 "$repeats"); do
    for stage in joint text; do
        for variant in checked unchecked; do
            value=$(rate "$variant" "$stage")
            echo "repeat $r $stage $variant: $value mol/s" >&2
            runs[$stage.$variant]+="$value "
        done
    done
done

median() { tr ' ' '\n' | grep . | sort -g | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
out=$root/docs/benchmarks-checks.md
{
    echo "# What runtime checks cost"
    echo
    echo "Written by \`scripts/bench_checked.sh $molecules $repeats $steps\` on $(date -u +%Y-%m-%d) at lgmcl $(git -C "$root" rev-parse --short HEAD)."
    echo "Machine: $(uname -m), $(nproc) cores ($(grep -m 1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')), load average $(cut -d' ' -f1 /proc/loadavg) at the end;"
    echo "OpenBLAS kernel $("$work/checked/.build/release/lgmcl-dist" info | grep -a -o -m 1 ': OpenBLAS [A-Za-z0-9]*' | cut -d' ' -f3)${OPENBLAS_CORETYPE:+ (OPENBLAS_CORETYPE=$OPENBLAS_CORETYPE)}, 1 thread, 1 rank."
    echo
    echo "\`lgmcl-dist benchmark throughput --preset small --batch-size $batch --steps $steps --warmup-steps 1\` (dropout on, Float32)"
    echo "on the first $molecules molecules of data/samples/moses_head20k.csv.gz, both builds of the same"
    echo "source alternating in one run, $repeats runs each; molecules/s, median (all runs)."
    echo
    echo "| step | checked (release, -O) | -Ounchecked on LGMCL | checked / unchecked |"
    echo "|---|---|---|---|"
    for stage in joint text; do
        c=$(echo "${runs[$stage.checked]}" | median)
        u=$(echo "${runs[$stage.unchecked]}" | median)
        printf '| %s | %.1f (%s) | %.1f (%s) | %.3f |\n' "$stage" "$c" "${runs[$stage.checked]% }" "$u" "${runs[$stage.unchecked]% }" \
            "$(awk -v c="$c" -v u="$u" 'BEGIN { print c / u }')"
    done
} >"$out"
cat "$out"
