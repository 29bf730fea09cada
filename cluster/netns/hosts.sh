# shellcheck shell=bash
# Hosts made of Linux network namespaces on one machine: each host is a namespace with its own
# address and (through the launch agent) its own host name, joined to the others by a veth pair
# to a bridge in the root namespace. Open MPI then sees separate nodes and its ranks talk TCP
# over the veth links, as they would between machines.
#
# Sourced by the multi-host test and the allreduce benchmark (also under `set -e`); needs root
# (CAP_NET_ADMIN).
# Layout, fixed so hostfiles/netns-* can name the addresses:
#   bridge lgmcl-br0   10.77.0.1/24 (root namespace: mpirun runs here)
#   host k (1…3)       namespace lgmcl-host<k>, address 10.77.0.1<k>, host name lgmcl-host<k>,
#                      veth lgmcl-veth<k> (root side) ↔ eth0 (inside)
# One set of hosts exists at a time on a machine: netns_up takes an exclusive lock, held until
# netns_down, so concurrent test runs from several checkouts wait for each other instead of
# fighting over the addresses.

NETNS_PREFIX=lgmcl-host
NETNS_BRIDGE=lgmcl-br0
NETNS_SUBNET=10.77.0.0/24
NETNS_BRIDGE_ADDRESS=10.77.0.1
NETNS_LOCK=/run/lock/lgmcl-netns-hosts.lock
NETNS_LOCK_WAIT=${NETNS_LOCK_WAIT:-600}
# Set while this shell holds the lock (and so owns the hosts).
NETNS_HELD=0
# The hosts share this machine's cores, but each one's Open MPI sees a node with free slots and
# lets its ranks spin while they wait; spinning ranks starve the peers they wait for (a 4-byte
# allreduce over three hosts took 42 ms instead of 0.2 ms). Waiting ranks must yield the core.
NETNS_YIELD="--mca mpi_yield_when_idle 1"

netns_address() { echo "10.77.0.1$1"; }
netns_name() { echo "$NETNS_PREFIX$1"; }
netns_veth() { echo "lgmcl-veth$1"; }

# Why the machine cannot host namespaces, or nothing when it can (root, iproute2 with netns,
# veth and bridge support). Checked with a throwaway namespace and link pair.
netns_unavailable_reason() {
    if [ "$(id -u)" != 0 ]; then echo "not root (creating network namespaces needs CAP_NET_ADMIN)"; return; fi
    command -v ip >/dev/null || { echo "iproute2's ip is not installed"; return; }
    command -v unshare >/dev/null || { echo "util-linux's unshare is not installed"; return; }
    local probe="lgmcl-probe$$"
    if ! ip netns add "$probe" 2>/dev/null; then echo "ip netns add fails here (no network namespace support)"; return; fi
    local reason=""
    if ! ip link add "lgp$$" type veth peer name "lgq$$" 2>/dev/null; then
        reason="veth pairs cannot be created"
    else
        ip link del "lgp$$" 2>/dev/null || true
        if ! ip link add "lgb$$" type bridge 2>/dev/null; then reason="bridges cannot be created"; else ip link del "lgb$$"; fi
    fi
    ip netns del "$probe" 2>/dev/null || true
    echo "$reason"
}

# Kills every process inside the hosts (ranks, Open MPI daemons): used after a deadline and
# before the namespaces are removed, since a namespace with live processes outlives `ip netns del`.
netns_kill_all() {
    local ns pids
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$NETNS_PREFIX"); do
        pids=$(ip netns pids "$ns" 2>/dev/null || true)
        # shellcheck disable=SC2086
        if [ -n "$pids" ]; then kill -KILL $pids 2>/dev/null || true; fi
    done
    return 0
}

# Removes every host, veth and the bridge, whoever made them (only the lock holder calls this,
# so anything left is stale from a run that was itself killed).
netns_remove_all() {
    netns_kill_all
    local ns link
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$NETNS_PREFIX"); do
        ip netns del "$ns" 2>/dev/null || true
    done
    for link in $(ip -o link show 2>/dev/null | awk -F': ' '{print $2}' | cut -d@ -f1 | grep '^lgmcl-veth'); do
        ip link del "$link" 2>/dev/null || true
    done
    ip link del "$NETNS_BRIDGE" 2>/dev/null || true
    return 0
}

# Creates hosts 1…count. Takes the machine-wide lock first (file descriptor 9).
netns_up() {
    local count=$1 k ns veth
    exec 9>"$NETNS_LOCK"
    if ! flock -w "$NETNS_LOCK_WAIT" 9; then
        echo "netns: another multi-host run held $NETNS_LOCK for ${NETNS_LOCK_WAIT}s" >&2
        exec 9>&-
        return 1
    fi
    NETNS_HELD=1
    netns_remove_all
    ip link add "$NETNS_BRIDGE" type bridge || return 1
    ip addr add "$NETNS_BRIDGE_ADDRESS/24" dev "$NETNS_BRIDGE" || return 1
    ip link set "$NETNS_BRIDGE" up || return 1
    for k in $(seq 1 "$count"); do
        ns=$(netns_name "$k")
        veth=$(netns_veth "$k")
        ip netns add "$ns" || return 1
        ip link add "$veth" type veth peer name eth0 netns "$ns" || return 1
        ip link set "$veth" master "$NETNS_BRIDGE" up || return 1
        ip -n "$ns" addr add "$(netns_address "$k")/24" dev eth0 || return 1
        ip -n "$ns" link set eth0 up || return 1
        ip -n "$ns" link set lo up || return 1
    done
    # A bridge port forwards once it has left the listening/learning states (state 3).
    for k in $(seq 1 "$count"); do
        local tries=0
        until [ "$(cat "/sys/class/net/$(netns_veth "$k")/brport/state" 2>/dev/null)" = 3 ] &&
              ip -n "$(netns_name "$k")" link show eth0 | grep -q LOWER_UP; do
            tries=$((tries + 1))
            [ "$tries" -ge 50 ] && { echo "netns: host $k's link does not come up" >&2; return 1; }
            sleep 0.1
        done
    done
}

# Removes the hosts and releases the lock. Safe to call twice and from a trap; does nothing in a
# shell that never got the lock (a run that gave up waiting must not tear down the hosts of the
# run it waited for).
netns_down() {
    [ "$NETNS_HELD" = 1 ] || return 0
    netns_remove_all
    NETNS_HELD=0
    flock -u 9 2>/dev/null || true
    exec 9>&-
    return 0
}

# Open MPI options that launch through the namespaces and keep all traffic on their subnet,
# plus NETNS_YIELD.
netns_mpirun_options() {
    local here name
    here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
    echo "--mca plm_rsh_agent $here/agent --mca btl tcp,self" \
        "--mca btl_tcp_if_include $NETNS_SUBNET --mca oob_tcp_if_include $NETNS_SUBNET" \
        "$NETNS_YIELD"
    # The agent starts ranks with a login-like environment, as ssh would: what the caller set
    # for BLAS, OpenMP and lgmcl goes by name, as cluster/lgmcl-launch passes it.
    for name in $(compgen -e | grep -E '^(OPENBLAS_|OMP_|LGMCL_)' | sort); do echo "-x $name"; done
}
