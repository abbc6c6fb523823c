#!/usr/bin/env bash
# A single-node Slurm on this machine, for tests/test_slurm_real.py and CI: munged, slurmctld and
# slurmd from Debian's munge and slurm-wlm packages, one node (this machine's CPUs and memory) in
# one partition, `cpu` (the partition profiles/slurm asks for), no accounting database.
#
#   sudo bash tests/slurm/start_local_slurm.sh      # as root; safe to run again while it is up
#
# It writes /etc/slurm/slurm.conf (marked as written here; a slurm.conf it did not write is left
# alone and the script stops), starts whatever of the three daemons is not running, and returns
# once `sinfo` shows the node idle (or mixed/allocated, when jobs are already running on it).
# MinJobAge=3600 keeps finished jobs in slurmctld for an hour, so `squeue` still sees them.
# Logs: /var/log/slurm/{slurmctld,slurmd}.log.
set -euo pipefail

PARTITION="${GNNLIFT_SLURM_PARTITION:-cpu}"
CONF=/etc/slurm/slurm.conf
MARK="# written by gnnlift tests/slurm/start_local_slurm.sh"
STATE=/var/lib/slurm
LOGS=/var/log/slurm
WAIT="${GNNLIFT_SLURM_WAIT:-60}"   # seconds to wait for the node to come up

say() { echo "[slurm] $*" >&2; }
die() { say "error: $*"; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run as root (it writes $CONF and starts munged, slurmctld, slurmd)"
for tool in munged munge unmunge slurmctld slurmd sinfo scontrol sbatch squeue; do
    command -v "$tool" >/dev/null || die "$tool not found: apt-get install slurm-wlm munge"
done

alive() {  # alive PIDFILE: the process of that pid file is running
    [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

node_state() {
    sinfo -h -N -n "$NODE" -o '%T' 2>/dev/null | head -n 1
}

NODE="$(hostname -s)"

# munge: a key, then the daemon (as the munge user, as its package does)
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
    install -d -o munge -g munge -m 0700 /etc/munge /var/lib/munge /var/log/munge
    install -d -o munge -g munge -m 0755 /run/munge
    if [ ! -s /etc/munge/munge.key ]; then
        say "creating /etc/munge/munge.key"
        mungekey --create --keyfile /etc/munge/munge.key
        chown munge:munge /etc/munge/munge.key
        chmod 0400 /etc/munge/munge.key
    fi
    say "starting munged"
    runuser -u munge -- munged
    for _ in $(seq 50); do munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break; sleep 0.1; done
    munge -n | unmunge >/dev/null || die "munged does not answer"
fi

# slurm.conf: this machine as one node, as slurmd itself sees it
if [ -e "$CONF" ] && ! grep -qxF "$MARK" "$CONF"; then
    if sinfo -h -p "$PARTITION" -o '%P' 2>/dev/null | grep -q .; then
        say "a Slurm not set up by this script is running with partition $PARTITION: using it"
        exit 0
    fi
    die "$CONF exists and was not written by this script; not touching it"
fi
hardware="$(slurmd -C | head -n 1)"   # NodeName=... CPUs=... Boards=... RealMemory=...
cpus="$(sed -n 's/.*CPUs=\([0-9]*\).*/\1/p' <<<"$hardware")"
topology="$(grep -o 'Boards=[0-9]* SocketsPerBoard=[0-9]* CoresPerSocket=[0-9]* ThreadsPerCore=[0-9]*' <<<"$hardware")"
memory="$(sed -n 's/.*RealMemory=\([0-9]*\).*/\1/p' <<<"$hardware")"
[ -n "$cpus" ] && [ -n "$memory" ] || die "could not read CPUs and memory from: $hardware"
memory=$((memory * 95 / 100))   # a little below what slurmd measures, so the node is never drained for it
install -d -m 0755 "$STATE/slurmctld" "$STATE/slurmd" "$LOGS" /etc/slurm
new="$(mktemp)"
cat >"$new" <<CONF
$MARK
ClusterName=gnnlift-local
SlurmctldHost=$NODE(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core_Memory
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
MinJobAge=3600
ReturnToService=2
SchedulerType=sched/backfill
StateSaveLocation=$STATE/slurmctld
SlurmdSpoolDir=$STATE/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=$LOGS/slurmctld.log
SlurmdLogFile=$LOGS/slurmd.log
NodeName=$NODE NodeAddr=127.0.0.1 CPUs=$cpus $topology RealMemory=$memory State=UNKNOWN
PartitionName=$PARTITION Nodes=$NODE Default=YES MaxTime=INFINITE State=UP
CONF
changed=0
if ! cmp -s "$new" "$CONF"; then
    say "writing $CONF ($NODE: $cpus CPUs, $memory MB, partition $PARTITION)"
    install -m 0644 "$new" "$CONF"
    changed=1
fi
rm -f "$new"

if ! alive /run/slurmctld.pid; then
    say "starting slurmctld"
    slurmctld
elif [ "$changed" = 1 ]; then
    scontrol reconfigure
fi
for _ in $(seq "$WAIT"); do scontrol ping 2>/dev/null | grep -q UP && break; sleep 1; done
scontrol ping | grep -q UP || die "slurmctld does not answer; see $LOGS/slurmctld.log"

if ! alive /run/slurmd.pid; then
    say "starting slurmd"
    slurmd
fi

for _ in $(seq "$WAIT"); do
    state="$(node_state)"
    case "$state" in
        idle | mixed | allocated | completing) say "node $NODE is $state in partition $PARTITION"; exit 0 ;;
        down* | drain* | drained*) scontrol update NodeName="$NODE" State=RESUME 2>/dev/null || true ;;
    esac
    sleep 1
done
die "node $NODE is '${state:-unknown}' after ${WAIT}s; see $LOGS/slurmd.log and $LOGS/slurmctld.log"
