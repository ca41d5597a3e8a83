#!/bin/bash
# tests/vm/guest.sh: PID 1 of the VM once init.sh has switched root into the
# overlay of the host's root.  Mounts the kernel filesystems, sets the cgroups
# up as the job asks (VM_CGROUP=1 or 2), then runs VM_COMMAND in the project
# directory once per placement of VM_PLACEMENTS:
#   root  the command runs in the root cgroup of every hierarchy;
#   leaf  (v2) it runs in user.slice/session-1.scope, which holds another
#         process, with controllers enabled on its ancestors, as on a systemd
#         host's login session.
# Each run's output goes to the console and to the job directory
# (PLACEMENT.out, PLACEMENT.status); "status" gets the first non-zero status,
# or 0.  Then the VM reboots, which ends qemu (-no-reboot).
# With VM_INTERACTIVE=1 (run.sh) the command runs on the serial console
# instead, as its controlling terminal (run_on_console).
job=/.vm/job
. "$job/job.env"
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root TERM=dumb LANG=C.UTF-8
# Each test's own time limit, scaled by the host to the accelerator (run.sh).
[ -z "${VM_BATS_TEST_TIMEOUT:-}" ] || export BATS_TEST_TIMEOUT=$VM_BATS_TEST_TIMEOUT

finish() {
    echo "VM-EXIT-STATUS=$1"
    echo "$1" >"$job/status"
    sync
    echo 1 >/proc/sys/kernel/printk
    echo b >/proc/sysrq-trigger
    sleep 30
}
trap 'finish 125' ERR
set -eE

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mkdir -p /dev/pts /dev/shm
mount -t devpts -o newinstance,ptmxmode=0666 devpts /dev/pts
for dir in /dev/shm /tmp /run; do
    # A checkout below one of these (a CI job may clone into /tmp) must stay
    # visible: the overlay is writable there already.
    case $VM_REPO/ in "$dir"/*) continue ;; esac
    mount -t tmpfs tmpfs "$dir"
done
[ -e /dev/ptmx ] || ln -s pts/ptmx /dev/ptmx
# What udev would make: bash's process substitution needs /dev/fd.
ln -sfn /proc/self/fd /dev/fd
ln -sfn /proc/self/fd/0 /dev/stdin
ln -sfn /proc/self/fd/1 /dev/stdout
ln -sfn /proc/self/fd/2 /dev/stderr
hostname vm
ip link set lo up 2>/dev/null || true

# The kernel's modules, for anything the tests modprobe.
if [ -n "${VM_MODULES:-}" ] && [ -d "$VM_MODULES/$(uname -r)" ]; then
    rm -rf "/lib/modules/$(uname -r)"
    mkdir -p /lib/modules
    ln -s "$VM_MODULES/$(uname -r)" "/lib/modules/$(uname -r)"
fi

mount_cgroup1() {
    # As systemd did before v2: a tmpfs, one hierarchy per controller, cpu
    # with cpuacct and net_cls with net_prio mounted together (with links
    # under each single name), and systemd's own named hierarchy.
    mount -t tmpfs -o mode=755,nosuid,nodev,noexec cgroup /sys/fs/cgroup
    local c dir
    for c in $(awk 'NR > 1 && $4 == 1 { print $1 }' /proc/cgroups); do
        case $c in
        cpu | cpuacct) dir=cpu,cpuacct ;;
        net_cls | net_prio) dir=net_cls,net_prio ;;
        *) dir=$c ;;
        esac
        if [ "${VM_CGROUP1_LAYOUT:-systemd}" = split ]; then dir=$c; fi
        if [ ! -d "/sys/fs/cgroup/$dir" ]; then
            mkdir "/sys/fs/cgroup/$dir"
            mount -t cgroup -o nosuid,nodev,noexec,"$dir" cgroup "/sys/fs/cgroup/$dir"
        fi
        [ "$dir" = "$c" ] || [ -e "/sys/fs/cgroup/$c" ] || ln -s "$dir" "/sys/fs/cgroup/$c"
    done
    mkdir /sys/fs/cgroup/systemd
    mount -t cgroup -o nosuid,nodev,noexec,none,name=systemd cgroup /sys/fs/cgroup/systemd
}

mount_cgroup2() {
    mount -t cgroup2 -o nosuid,nodev,noexec,nsdelegate cgroup2 /sys/fs/cgroup
}

# Placement "leaf": a systemd-like session scope with a process in it.
leaf=/sys/fs/cgroup/user.slice/session-1.scope
make_leaf() {
    local want="" c
    for c in cpu memory pids io; do
        grep -qw "$c" /sys/fs/cgroup/cgroup.controllers && want="$want +$c"
    done
    echo "$want" >/sys/fs/cgroup/cgroup.subtree_control
    mkdir -p "$leaf"
    echo "$want" >/sys/fs/cgroup/user.slice/cgroup.subtree_control
    sleep 100000 &
    leaf_sleeper=$!
    echo "$leaf_sleeper" >"$leaf/cgroup.procs"
}
drop_leaf() {
    kill "$leaf_sleeper" 2>/dev/null || true
    wait "$leaf_sleeper" 2>/dev/null || true
}

case $VM_CGROUP in
1) mount_cgroup1 ;;
2) mount_cgroup2 ;;
*) echo "vm: VM_CGROUP must be 1 or 2"; finish 125 ;;
esac
trap - ERR
set +eE

# VM_INTERACTIVE=1: COMMAND on the serial console, which becomes its
# controlling terminal (a new session: job control, Ctrl-C), with the
# host's terminal type and size.
run_on_console() {
    stty -F /dev/ttyS0 sane rows "${VM_ROWS:-24}" cols "${VM_COLS:-80}" 2>/dev/null
    (cd "$VM_REPO" && TERM=${VM_TERM:-vt100} exec setsid --ctty --wait bash -c "$1") \
        <>/dev/ttyS0 >&0 2>&1
}

echo "vm: $(uname -sr), cgroup v$VM_CGROUP, $(nproc) CPUs, up $(cut -d' ' -f1 /proc/uptime) s"
status=0
for placement in $VM_PLACEMENTS; do
    [ "$placement" = leaf ] && make_leaf
    # A placement may have a command of its own (VM_COMMAND_leaf).
    cmd_var=VM_COMMAND_$placement
    cmd=${!cmd_var:-$VM_COMMAND}
    echo "vm: --- placement $placement: $cmd"
    start=$(cut -d' ' -f1 /proc/uptime)
    if [ "${VM_INTERACTIVE:-0}" = 1 ]; then
        run_on_console "$cmd"
        s=$?
    else
    (
        [ "$placement" = leaf ] && echo "$BASHPID" >"$leaf/cgroup.procs"
        cd "$VM_REPO" && VM_PLACEMENT=$placement exec bash -c "$cmd"
    ) </dev/null 2>&1 | tee "$job/$placement.out"
    s=${PIPESTATUS[0]}
    fi
    end=$(cut -d' ' -f1 /proc/uptime)
    echo "$s" >"$job/$placement.status"
    echo "vm: --- placement $placement: status $s, $(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.0f", b - a }') s"
    [ "$placement" = leaf ] && drop_leaf
    [ "$status" -ne 0 ] || status=$s
done
finish "$status"
