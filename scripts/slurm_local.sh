#!/usr/bin/env bash
# A one-node Slurm cluster on localhost, for tests/test_slurm_cluster.py (and for trying the
# `slurm` command by hand):
#   scripts/slurm_local.sh start DIR   install slurm-wlm + munge if missing (root, apt), start
#                                      munged, slurmctld and slurmd with DIR/slurm.conf, wait
#                                      until the node is idle; then: export SLURM_CONF=DIR/slurm.conf
#   scripts/slurm_local.sh stop DIR    stop what start started, by pid, and delete the pid files
# Exit status 3: cannot run here (not root and Slurm not installed); the message says why.
#
# Why it looks like this (each verified on a container without systemd):
# - nothing starts on install (no systemd): /run/munge is created and every daemon started here;
# - daemons are stopped by pid and their pid files deleted, or a later `apt-get purge` fails;
# - proctrack/linuxproc and task/none: cgroup v2 stops slurmd ("Hybrid mode is not supported");
# - the node line is `slurmd -C`'s own (CPUs, RealMemory …): any other value drains the node;
# - NodeAddr=127.0.0.1: the host name need not resolve; MailProg=/bin/true: no mailer here.
set -euo pipefail

action=${1:-}
dir=${2:-}
[ -n "$action" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
conf=$dir/slurm.conf
export SLURM_CONF=$conf

cannot() { echo "cannot start a local Slurm: $*" >&2; exit 3; }

install() {
    command -v slurmctld >/dev/null && command -v munged >/dev/null && return 0
    [ "$(id -u)" = 0 ] || cannot "slurm-wlm and munge are not installed and installing them needs root"
    command -v apt-get >/dev/null || cannot "slurm-wlm and munge are not installed and there is no apt-get"
    echo "installing slurm-wlm and munge (apt-get)"
    apt-get update -qq >"$dir/apt.log" 2>&1 || cannot "apt-get update failed (see $dir/apt.log)"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq slurm-wlm munge >>"$dir/apt.log" 2>&1 \
        || cannot "apt-get install slurm-wlm munge failed (see $dir/apt.log)"
}

munge_works() { munge -n 2>/dev/null | unmunge >/dev/null 2>&1; }

start_munge() {
    munge_works && return 0   # a munged of this machine already runs: use it, leave it
    mkdir -p /run/munge
    chown munge:munge /run/munge
    chmod 0755 /run/munge
    runuser -u munge -- munged --pid-file=/run/munge/munged.pid
    cp /run/munge/munged.pid "$dir/munged.pid"   # ours to stop
    for _ in $(seq 50); do munge_works && return 0; sleep 0.1; done
    cannot "munged does not answer (see /var/log/munge/munged.log)"
}

write_conf() {
    local node
    node=$(slurmd -C | head -n1)   # NodeName=<hostname -s> CPUs=… RealMemory=…
    mkdir -p "$dir/state" "$dir/spool"
    cat >"$conf" <<EOF
ClusterName=allo-local
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/slurmctld.log
SlurmdLogFile=$dir/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MailProg=/bin/true
MinJobAge=600
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
}

start() {
    install
    [ -e "$dir/slurmctld.pid" ] && { echo "already started (remove $dir/*.pid if not)" >&2; exit 1; }
    start_munge
    rm -rf "$dir/state" "$dir/spool"
    write_conf
    slurmctld -f "$conf"
    slurmd -f "$conf"
    for _ in $(seq 300); do
        state=$(sinfo -h -o %T 2>/dev/null || true)
        [ "$state" = idle ] && { echo "export SLURM_CONF=$conf"; return 0; }
        sleep 0.2
    done
    cannot "the node is not idle after 60 s (sinfo: ${state:-no answer}; see $dir/slurmctld.log, $dir/slurmd.log)"
}

stop_pid() {  # stop_pid FILE: TERM the process named in FILE, wait for it, delete FILE
    local file=$1 pid
    [ -f "$file" ] || return 0
    pid=$(cat "$file")
    if kill -0 "$pid" 2>/dev/null; then
        kill "$pid"
        for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$pid" 2>/dev/null && kill -KILL "$pid"
    fi
    rm -f "$file"
}

stop() {
    stop_pid "$dir/slurmd.pid"
    stop_pid "$dir/slurmctld.pid"
    if [ -f "$dir/munged.pid" ]; then
        stop_pid "$dir/munged.pid"
        rm -f /run/munge/munged.pid
    fi
}

case $action in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop DIR" >&2; exit 2 ;;
esac
