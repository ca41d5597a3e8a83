#!/usr/bin/env bash
# tests/doctor.sh: can this machine run the workbook's steps and tests?
#
#   tests/doctor.sh            one line per check: ok / warn / fail, and what to do
#   tests/doctor.sh --brief    only the warn and fail lines (for a failed test run)
#   tests/doctor.sh CHECK...   only those checks (names as below)
#
# Exit status: 1 when a check failed, else 0.
#
# Sourced (`. tests/doctor.sh`), it only defines the checks, so that a test can
# skip with the doctor's reason where a machine truly cannot run a step:
#     doctor_namespaces || skip "$DOCTOR_MSG"
# Each check doctor_NAME sets DOCTOR_LEVEL (ok, warn or fail) and DOCTOR_MSG
# (one line), and returns 1 for fail, 0 otherwise.
#
# Checks: kernel root namespaces propagation cgroups busybox rootfs qemu

DOCTOR_CHECKS="kernel root namespaces propagation cgroups busybox rootfs qemu"
DOCTOR_REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

_doctor() { DOCTOR_LEVEL=$1; DOCTOR_MSG=$2; [ "$1" != fail ]; }

# Linux 5.9 brought close_range(2), which every step from 02 calls before
# exec; the namespaces (cgroup namespaces: 4.6) and OOM counts (4.13) are older.
doctor_kernel() {
    local r maj min
    r=$(uname -r)
    maj=${r%%.*} min=${r#*.} min=${min%%[!0-9]*}
    if [ "$(uname -s)" != Linux ]; then
        _doctor fail "kernel: $(uname -s), not Linux: run the workbook in a Linux VM"
    elif [ "$maj" -lt 5 ] || { [ "$maj" -eq 5 ] && [ "$min" -lt 9 ]; }; then
        _doctor fail "kernel: Linux $r is older than 5.9, whose close_range(2) steps 02-08 call: use a newer kernel"
    else
        _doctor ok "kernel: Linux $r (5.9 or newer: close_range(2), every namespace, cgroup OOM counts)"
    fi
}

doctor_root() {
    if [ "$(id -u)" = 0 ]; then
        _doctor ok "root: running as root, as steps 04-08 need"
    else
        _doctor warn "root: not root: steps 01-03 run, steps 04-08 need root to make namespaces (use sudo)"
    fi
}

# The capability sets of this process: bit 21 is CAP_SYS_ADMIN.
_doctor_has_sys_admin() {
    local eff
    eff=$(sed -n 's/^CapEff:[[:space:]]*//p' /proc/self/status 2>/dev/null)
    [ -n "$eff" ] && (((0x$eff >> 21) & 1))
}

doctor_namespaces() {
    local n v zero=""
    if grep -q Microsoft /proc/version 2>/dev/null; then
        _doctor fail "namespaces: this is WSL1, which has no Linux namespaces: use WSL2"
        return
    fi
    for n in uts ipc net pid mnt cgroup; do
        v=$(cat "/proc/sys/user/max_${n}_namespaces" 2>/dev/null) || continue
        [ "$v" != 0 ] || zero="$zero $n"
    done
    if [ -n "$zero" ]; then
        _doctor fail "namespaces: /proc/sys/user/max_*_namespaces is 0 for:$zero: raise it with sysctl user.max_<name>_namespaces=1000"
    elif [ "$(id -u)" = 0 ] && ! _doctor_has_sys_admin; then
        _doctor fail "namespaces: root without CAP_SYS_ADMIN (inside a container?): run the workbook in a VM or a --privileged container"
    elif [ "$(id -u)" = 0 ] && command -v unshare >/dev/null &&
        ! unshare --uts --ipc --net --pid --mount --cgroup --fork true 2>/dev/null; then
        _doctor fail "namespaces: unshare of uts, ipc, net, pid, mount and cgroup namespaces fails here (a seccomp or LSM policy?): run the workbook in a VM"
    else
        _doctor ok "namespaces: uts, ipc, net, pid, mount and cgroup namespaces can be made"
    fi
}

# Optional fields of /proc/self/mountinfo say "shared:N" for a shared mount.
doctor_propagation() {
    local line
    line=$(awk '$5 == "/"' /proc/self/mountinfo | tail -n 1)
    case " $line " in
    *" shared:"*) _doctor ok "propagation: / is a shared mount (as systemd makes it): mounts made in a new mount namespace would show on the host, which is why step06 makes its namespace private (MS_REC|MS_PRIVATE) first" ;;
    *) _doctor ok "propagation: / is a private mount here; on systemd hosts it is shared, which is why step06 makes its namespace private (MS_REC|MS_PRIVATE) first" ;;
    esac
}

# Where the v1 hierarchy of controller $1 is mounted (empty if none).
_doctor_v1_mount() {
    awk -v c="$1" '$(NF - 2) == "cgroup" && ("," $NF ",") ~ ("," c ",") { print $5; exit }' /proc/self/mountinfo
}

doctor_cgroups() {
    local v2 c missing="" own ctl m2 avail holds
    v2=$(awk '$(NF - 2) == "cgroup2" { print $5; exit }' /proc/self/mountinfo)
    for c in memory pids cpu; do
        [ -n "$(_doctor_v1_mount "$c")" ] || missing="$missing $c"
    done
    if [ -z "$missing" ]; then
        if [ -n "$v2" ]; then
            ctl=$(cat "$v2/cgroup.controllers" 2>/dev/null)
            _doctor ok "cgroups: hybrid: memory, pids and cpu on v1 (the engine uses them: v1 is tested here, v2 in a VM), and a cgroup2 at $v2 holding only [${ctl:-no controller}]; that cgroup2 is why crun 1.8 refuses to run here"
        else
            _doctor ok "cgroups: v1, with memory, pids and cpu mounted (v2 is tested in a VM)"
        fi
        return
    fi
    if [ -z "$v2" ] || [ "$missing" != " memory pids cpu" ]; then
        _doctor fail "cgroups: no v1 hierarchy for:$missing${v2:+, the others on v1,} and ${v2:-no cgroup2 mounted}: step08 needs memory, pids and cpu on one version"
        return
    fi
    # cgroup v2: what the engine's own cgroup (or, when it holds processes
    # and is not the root, the root) can hand to a child.
    own=$(sed -n 's/^0:://p' /proc/self/cgroup)
    avail=$(cat "$v2$own/cgroup.controllers" 2>/dev/null)
    holds="own cgroup $own"
    # (cgroup files report a size of 0: read one to see whether it is empty)
    if [ "$own" != / ] && [ -n "$(head -c 1 "$v2$own/cgroup.procs" 2>/dev/null)" ]; then
        holds="own cgroup $own holds processes (the no-internal-processes rule), so the engine uses the root, which"
        avail=$(cat "$v2/cgroup.controllers" 2>/dev/null)
    fi
    missing=""
    for c in memory pids cpu; do
        case " $avail " in *" $c "*) ;; *) missing="$missing $c" ;; esac
    done
    if [ -n "$missing" ]; then
        _doctor fail "cgroups: v2 at $v2; $holds lacks:$missing (available: ${avail:-none}): enable them in the parents' cgroup.subtree_control (systemd: Delegate=yes)"
    elif [ -e "$v2/cgroup.procs" ] && [ ! -w "$v2/cgroup.procs" ]; then
        _doctor fail "cgroups: v2 at $v2 is not writable here (read-only mount or not root): step08 needs to make cgroups"
    else
        _doctor ok "cgroups: v2 at $v2; $holds can delegate: $avail (v1 is tested in a VM)"
    fi
}

doctor_busybox() {
    local bb
    bb=$(command -v busybox 2>/dev/null)
    if [ -z "$bb" ]; then
        _doctor warn "busybox: not installed: the rootfs falls back to host programs and their libraries (apt-get install busybox-static)"
    elif command -v ldd >/dev/null && ldd "$bb" >/dev/null 2>&1; then
        _doctor warn "busybox: $bb is dynamically linked: install busybox-static for a self-contained rootfs"
    else
        _doctor ok "busybox: static $bb for the rootfs"
    fi
}

doctor_rootfs() {
    local r=${ROOTFS:-$DOCTOR_REPO/rootfs}
    if [ -f "$r/etc/workbook-rootfs" ]; then
        _doctor ok "rootfs: $r is made (steps 06-08 run in it)"
    else
        _doctor warn "rootfs: $r is not made yet: make rootfs (make test makes it)"
    fi
}

# Which accelerator the VM tests will use, and why (tests/vm/accel.sh).
doctor_qemu() {
    local q
    q=$(command -v qemu-system-x86_64 2>/dev/null)
    # shellcheck source=vm/accel.sh
    . "$DOCTOR_REPO/tests/vm/accel.sh"
    vm_choose_accel "$q"
    if [ "$VM_ACCEL" = kvm ]; then
        kvm="KVM usable: $VM_ACCEL_WHY"
    else
        kvm="KVM not usable: $VM_ACCEL_WHY"
    fi
    if [ "$(uname -m)" != x86_64 ]; then
        _doctor warn "qemu: not an x86_64 host: the VM tests of the other cgroup version do not run"
    elif [ -n "$q" ]; then
        _doctor ok "qemu: $q for the VM tests of the other cgroup version; $kvm"
    elif [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        _doctor warn "qemu: not installed: make test installs qemu-system-x86 with apt-get for the VM tests; $kvm"
    else
        _doctor warn "qemu: not installed: the other cgroup version is not tested (as root: apt-get install qemu-system-x86); $kvm"
    fi
}

doctor_main() {
    local brief="" checks="" c status=0
    for c in "$@"; do
        case $c in
        --brief) brief=1 ;;
        -h | --help) sed -n '2,/^$/s/^# \{0,1\}//p' "${BASH_SOURCE[0]}"; return 0 ;;
        *) case " $DOCTOR_CHECKS " in
            *" $c "*) checks="$checks $c" ;;
            *) echo "doctor: unknown check '$c' (checks: $DOCTOR_CHECKS)" >&2; return 2 ;;
            esac ;;
        esac
    done
    for c in ${checks:-$DOCTOR_CHECKS}; do
        "doctor_$c" || status=1
        [ -n "$brief" ] && [ "$DOCTOR_LEVEL" = ok ] && continue
        printf '%-4s  %s\n' "$DOCTOR_LEVEL" "$DOCTOR_MSG"
    done
    return $status
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    doctor_main "$@"
    exit
fi
