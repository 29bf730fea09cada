#!/usr/bin/env bash
# A/B of two lgmcl builds on the joint `small` pretraining step (batch 128, one rank, one BLAS
# thread), the two alternating A B A B … in one run so that both see the same load on a shared
# machine. Prints one line per run — build, process CPU seconds per step, wall seconds per step,
# 1-minute load average at its start and end — and a median per build. CPU time is the measure
# under load: it leaves out waiting for a core.
#
#   scripts/bench_ab.sh BIN_A BIN_B DATA.h5 [PAIRS] [STEPS]      (defaults 3 pairs, 3 timed steps)
# DATA.h5: a dataset from `lgmcl-dist preprocess`, e.g. the 4,096 MOSES molecules of
# scripts/bench_pretrain_peer.sh. OPENBLAS_CORETYPE, when set, reaches both builds.
set -euo pipefail
[ $# -ge 3 ] || { sed -n 2,10p "$0" >&2; exit 2; }
a=$1 b=$2 data=$3 pairs=${4:-3} steps=${5:-3}
export OPENBLAS_NUM_THREADS=1
cpu_A=() cpu_B=()
for p in $(seq 1 "$pairs"); do
    for side in A B; do
        bin=$a; [ $side = B ] && bin=$b
        load0=$(cut -d' ' -f1 /proc/loadavg)
        line=$("$bin" benchmark throughput --data "$data" --preset small --stage joint --batch-size 128 \
            --held-out 0 --steps "$steps" --warmup-steps 1 --json 2>/dev/null | tail -n 1)
        load1=$(cut -d' ' -f1 /proc/loadavg)
        read -r c w < <(python3 -c 'import json,sys; r=json.loads(sys.argv[1]); print(r["cpu_seconds_per_step_by_rank"][0], r["step_seconds"])' "$line")
        printf '%s pair %d: CPU %.3f s/step, wall %.3f s/step, load %s -> %s\n' "$side" "$p" "$c" "$w" "$load0" "$load1"
        if [ $side = A ]; then cpu_A+=("$c"); else cpu_B+=("$c"); fi
    done
done
summary='import statistics,sys; v=[float(x) for x in sys.argv[2:]]; print(f"{sys.argv[1]}: CPU s/step median {statistics.median(v):.3f}, range {min(v):.3f}-{max(v):.3f}")'
python3 -c "$summary" A "${cpu_A[@]}"
python3 -c "$summary" B "${cpu_B[@]}"
