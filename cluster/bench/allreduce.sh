#!/usr/bin/env bash
# Allreduce benchmark: `lgmcl-dist benchmark allreduce` beside a plain-C MPI_Allreduce peer with
# the same protocol, on one host (2 ranks, shared memory) and across two namespace hosts (1 rank
# each, TCP over a veth link; needs root, see cluster/netns/hosts.sh); then, across three
# namespace hosts, how much of the gradient sync pretraining hides behind backward: the exposed
# "allreduce wait" of short `pretrain` runs against the same buckets synced alone
# (`benchmark allreduce --gradients-of`). Written with the machine, date and load to
# docs/benchmarks-allreduce.md.
#
#   cluster/bench/allreduce.sh [--bin DIR] [--max-bytes N] [--output FILE] [--rounds N] [--no-overlap]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$root/.build/release
max_bytes=$((64 << 20))
output=$root/docs/benchmarks-allreduce.md
overlap=1
rounds=2
while [ $# -gt 0 ]; do
    case $1 in
        --bin) bin=$2; shift 2 ;;
        --max-bytes) max_bytes=$2; shift 2 ;;
        --output) output=$2; shift 2 ;;
        --no-overlap) overlap=0; shift ;;
        --rounds) rounds=$2; shift 2 ;;
        *) echo "allreduce.sh: unknown option $1" >&2; exit 64 ;;
    esac
done
[ -x "$bin/lgmcl-dist" ] || { echo "allreduce.sh: $bin/lgmcl-dist missing (make build)" >&2; exit 2; }

# The protocol, shared by both programs: sizes, timed calls (small / large), large from, warm-up.
# Fewer calls than osu_allreduce's defaults (1000 / 100): the machine this runs on is small and
# shared, and the faster of two rounds is kept instead.
min_bytes=4 iterations=100 large_iterations=20 large_from=8192 warmup=10
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1

work=$(mktemp -d /tmp/lgmcl-bench-allreduce.XXXXXX)
# shellcheck source=cluster/netns/hosts.sh
source "$root/cluster/netns/hosts.sh"
cleanup() {
    netns_down
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mpicc -O2 -o "$work/allreduce_peer" "$here/allreduce_peer.c"

# One setting: both programs, alternately, twice each; the report keeps the faster of each pair
# per size (other load on the machine only ever slows a run down). With HOSTS > 0, namespace
# hosts exist only during each round: other checkouts' multi-host tests, which queue on the
# hosts lock, get their turn in between.
#   measure NAME HOSTS MPIRUN-ARGS…
measure() {
    local name=$1 hosts=$2
    shift 2
    for round in $(seq 1 "$rounds"); do
        if [ "$hosts" -gt 0 ]; then netns_up "$hosts"; fi
        echo "== $name: lgmcl-dist, round $round" >&2
        mpirun "$@" "$bin/lgmcl-dist" benchmark allreduce --min-bytes "$min_bytes" --max-bytes "$max_bytes" \
            --iterations "$iterations" --large-iterations "$large_iterations" --large-from "$large_from" \
            --warmup "$warmup" --json | tail -n 1 >"$work/$name.lgmcl.$round.json"
        echo "== $name: C peer, round $round" >&2
        mpirun "$@" "$work/allreduce_peer" "$min_bytes" "$max_bytes" "$iterations" "$large_iterations" \
            "$large_from" "$warmup" >"$work/$name.peer.$round.json"
        if [ "$hosts" -gt 0 ]; then netns_down; fi
    done
    echo "$*" >"$work/$name.command"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
measure one-host 0 -np 2 --bind-to core

reason=$(netns_unavailable_reason)
if [ -z "$reason" ]; then
    # shellcheck disable=SC2046
    measure two-hosts 2 -np 2 --hostfile "$root/hostfiles/netns-two-hosts" $(netns_mpirun_options)
else
    echo "allreduce.sh: skipping the namespace hosts: $reason" >&2
fi

# ── Overlap: the share of gradient sync that pretraining hides behind backward ──────────────
# Three namespace hosts, one rank each; the small preset on the first 240 BBBP molecules, global
# batch 24 (8 per rank), overlapped bucket sync (not --deterministic, which cannot overlap).
# Per setting (stage, bucket MiB): a pretraining run, whose per-rank table gives the exposed
# allreduce wait, then the same buckets synced alone across the same hosts.
overlap_steps=10
overlap_settings=("graph 4" "joint 4" "joint 1")
if [ "$overlap" = 1 ] && [ -z "$reason" ]; then
    three=(--hostfile "$root/hostfiles/netns-three-hosts" -np 3 --map-by node)
    head -n 241 "$root/data/moleculenet/bbbp.csv" >"$work/molecules.csv"
    echo "== overlap: preprocess" >&2
    "$bin/lgmcl-dist" preprocess --input "$work/molecules.csv" --output "$work/overlap-data.h5" \
        --label-columns p_np --vocab-size 1000 >"$work/overlap-preprocess.out" 2>&1
    for setting in "${overlap_settings[@]}"; do
        read -r stage mib <<<"$setting"
        name=overlap-$stage-$mib
        netns_up 3
        echo "== overlap: pretrain --stage $stage --bucket-mib $mib, $overlap_steps steps on 3 hosts" >&2
        # shellcheck disable=SC2046
        mpirun "${three[@]}" $(netns_mpirun_options) "$bin/lgmcl-dist" pretrain \
            --data "$work/overlap-data.h5" --output "$work/$name" --preset small --stage "$stage" --batch-size 24 \
            --held-out 24 --max-steps "$overlap_steps" --bucket-mib "$mib" --checkpoint-every 100000 \
            --log-interval 1000 >"$work/$name.pretrain.out" 2>&1
        echo "== overlap: the same buckets synced alone" >&2
        # shellcheck disable=SC2046
        mpirun "${three[@]}" $(netns_mpirun_options) "$bin/lgmcl-dist" benchmark allreduce \
            --gradients-of "$work/$name/config.json" --stage "$stage" --bucket-mib "$mib" --methods buckets raw \
            --large-iterations 20 --warmup 20 --json | tail -n 1 >"$work/$name.gradients.json"
        echo "$stage $mib $overlap_steps" >"$work/$name.setting"
        netns_down
    done
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

python3 "$root/scripts/bench_allreduce_report.py" --work "$work" --output "$output" \
    --load-before "$load_before" --load-after "$load_after" \
    --rounds "$rounds" --protocol "min $min_bytes B, max $max_bytes B, $iterations calls below $large_from B, $large_iterations from there (at most 1 GiB moved per size, at least 10 calls), warm-up $warmup (a tenth for large)"
echo "wrote $output" >&2
