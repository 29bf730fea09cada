#!/usr/bin/env bash
# Allreduce benchmark: `lgmcl-dist benchmark allreduce` beside a plain-C MPI_Allreduce peer with
# the same protocol, on one host (2 ranks, shared memory) and across two namespace hosts (1 rank
# each, TCP over a veth link; needs root, see cluster/netns/hosts.sh), written with the machine,
# date and load to docs/benchmarks-allreduce.md.
#
#   cluster/bench/allreduce.sh [--bin DIR] [--max-bytes N] [--output FILE]
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=$root/.build/release
max_bytes=$((64 << 20))
output=$root/docs/benchmarks-allreduce.md
while [ $# -gt 0 ]; do
    case $1 in
        --bin) bin=$2; shift 2 ;;
        --max-bytes) max_bytes=$2; shift 2 ;;
        --output) output=$2; shift 2 ;;
        *) echo "allreduce.sh: unknown option $1" >&2; exit 64 ;;
    esac
done
[ -x "$bin/lgmcl-dist" ] || { echo "allreduce.sh: $bin/lgmcl-dist missing (make build)" >&2; exit 2; }

# The protocol, shared by both programs: sizes, timed calls (small / large), large from, warm-up.
# Fewer calls than osu_allreduce's defaults (1000 / 100): the machine this runs on is small and
# shared, and the faster of two rounds is kept instead.
min_bytes=4 iterations=200 large_iterations=50 large_from=8192 warmup=20
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OPENBLAS_NUM_THREADS=1

work=$(mktemp -d /tmp/lgmcl-bench-allreduce.XXXXXX)
hosts_up=0
cleanup() {
    [ "$hosts_up" = 1 ] && netns_down
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mpicc -O2 -o "$work/allreduce_peer" "$here/allreduce_peer.c"

# One setting: both programs, alternately, twice each; the report keeps the faster of each pair
# per size (other load on the machine only ever slows a run down).
#   measure NAME MPIRUN-ARGS…
measure() {
    local name=$1
    shift
    for round in 1 2; do
        echo "== $name: lgmcl-dist, round $round" >&2
        mpirun "$@" "$bin/lgmcl-dist" benchmark allreduce --min-bytes "$min_bytes" --max-bytes "$max_bytes" \
            --iterations "$iterations" --large-iterations "$large_iterations" --large-from "$large_from" \
            --warmup "$warmup" --json | tail -n 1 >"$work/$name.lgmcl.$round.json"
        echo "== $name: C peer, round $round" >&2
        mpirun "$@" "$work/allreduce_peer" "$min_bytes" "$max_bytes" "$iterations" "$large_iterations" \
            "$large_from" "$warmup" >"$work/$name.peer.$round.json"
    done
    echo "$*" >"$work/$name.command"
}

load_before=$(cut -d' ' -f1-3 /proc/loadavg)
measure one-host -np 2 --bind-to core

# shellcheck source=cluster/netns/hosts.sh
source "$root/cluster/netns/hosts.sh"
reason=$(netns_unavailable_reason)
if [ -z "$reason" ]; then
    netns_up 2
    hosts_up=1
    # shellcheck disable=SC2046
    measure two-hosts -np 2 --hostfile "$root/hostfiles/netns-two-hosts" $(netns_mpirun_options)
    netns_down
    hosts_up=0
else
    echo "allreduce.sh: skipping the namespace hosts: $reason" >&2
fi
load_after=$(cut -d' ' -f1-3 /proc/loadavg)

python3 "$root/scripts/bench_allreduce_report.py" --work "$work" --output "$output" \
    --load-before "$load_before" --load-after "$load_after" \
    --protocol "min $min_bytes B, max $max_bytes B, $iterations calls below $large_from B, $large_iterations from there (at most 1 GiB moved per size, at least 10 calls), warm-up $warmup (a tenth for large)"
echo "wrote $output" >&2
