#!/usr/bin/env bash
# tests/vm/run.sh: boot a VM whose cgroups are purely v1 or purely v2 and run
# a command in the project directory there, as root.
#
#   tests/vm/run.sh 1|2 [COMMAND]
#
# COMMAND is a bash command line; by default the step08 suite
# (bats --tap tests/step08-cgroups.bats), after which the last line is the
# totals over the placements: "N passed, N failed, N skipped" (not with
# VM_TOTALS=0).  On v2 it runs twice: with the engine in the root cgroup,
# then inside a systemd-like session scope (VM_PLACEMENTS="root leaf"; the
# suite's second run takes only its cgroup tests, VM_LEAF_FILTER below); on
# v1 once, in the root cgroups.
#
# The guest's root is the host's root shared read-only over virtio-9p with a
# tmpfs overlay on top: the host's programs, bats and this checkout (with its
# built engines and rootfs) are all there, and nothing the guest does reaches
# the host.  Output streams to stdout; the job directory
# tests/vm/out/cgroupN/ keeps the console log, each placement's output
# (PLACEMENT.out) and the TAP totals over the placements (counts: "P F S").
#
# Exit status: COMMAND's (the first non-zero one over the placements); 125
# when the VM failed to boot or to finish in time; 2 when no VM can be run
# here (one line on stderr says why: no qemu, no kernel package).
#
# Environment: VM_PLACEMENTS, VM_TIMEOUT (seconds, default 1800), VM_MEMORY
# (MiB, default 2048), VM_CPUS (default: 1 under software emulation, the
# host's with KVM, at most 4), VM_CPU_MODEL (-cpu under software
# emulation, default max), VM_CGROUP1_LAYOUT (systemd: cpu,cpuacct mounted
# together, as older distributions did; split: one mount per controller),
# VM_APPEND (kernel arguments instead of "quiet loglevel=3"), VM_KERNEL_PKG,
# VM_SUITE (instead of tests/step08-cgroups.bats), VM_ROOT_FILTER and
# VM_LEAF_FILTER (bats -f regexes of the suite's runs from the root cgroup and
# from the session scope; empty: all tests).
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

cgv=${1:-}
case $cgv in
1 | v1) cgv=1 ;;
2 | v2) cgv=2 ;;
*) echo "usage: $0 1|2 [COMMAND]" >&2; exit 2 ;;
esac
shift
suite=${VM_SUITE:-tests/step08-cgroups.bats}
# VM_ROOT_FILTER: a bats -f regex for the first run (default: every test).
root_filter=${VM_ROOT_FILTER:-}
command=${1:-"bats --tap -T${root_filter:+ -f $(printf '%q' "$root_filter")} $suite"}
if [ $# -eq 0 ] && [ ! -f "$repo/$suite" ]; then
    echo "vm: no $suite to run" >&2
    exit 1
fi
if [ $cgv = 2 ]; then placements=${VM_PLACEMENTS:-root leaf}; else placements=${VM_PLACEMENTS:-root}; fi
# The suite's second run, from the session scope, takes only the tests whose
# outcome depends on where the engine's cgroup is: the others (exit statuses,
# namespaces, mounts, option parsing) do not, and every test costs seconds
# under software emulation.  VM_LEAF_FILTER= runs them all.
leaf_command=
if [ $# -eq 0 ]; then
    leaf_filter=${VM_LEAF_FILTER-cgroup|limit files|OOM|out of memory|forks fail|throttled}
    [ -z "$leaf_filter" ] || leaf_command="bats --tap -T -f $(printf '%q' "$leaf_filter") $suite"
fi

cannot() { printf 'vm: cannot run the cgroup v%s VM: %s\n' "$cgv" "$*" >&2; exit 2; }

# --- qemu: installed from the distribution when missing and we are root.
qemu=$(command -v qemu-system-x86_64 || true)
if [ -z "$qemu" ]; then
    [ "$(id -u)" = 0 ] || cannot "qemu-system-x86_64 is missing (as root: apt-get install qemu-system-x86)"
    command -v apt-get >/dev/null || cannot "qemu-system-x86_64 is missing and there is no apt-get"
    echo "vm: installing qemu-system-x86 with apt-get" >&2
    export DEBIAN_FRONTEND=noninteractive
    { apt-get install -y -q --no-install-recommends qemu-system-x86 ||
        { apt-get update -q && apt-get install -y -q --no-install-recommends qemu-system-x86; }; } >/dev/null 2>&1
    qemu=$(command -v qemu-system-x86_64 || true)
    [ -n "$qemu" ] || cannot "apt-get install qemu-system-x86 failed"
fi
[ "$(uname -m)" = x86_64 ] || cannot "the VM tests need an x86_64 host"

# --- kernel and initramfs.
prep=$("$here/prepare.sh") || exit 2
KERNEL=$(sed -n 's/^KERNEL=//p' <<<"$prep")
INITRD=$(sed -n 's/^INITRD=//p' <<<"$prep")
MODULES=$(sed -n 's/^MODULES=//p' <<<"$prep")

# --- the job directory, shared read-write with the guest.
mkdir -p "$here/out"
jobdir=$here/out/cgroup$cgv
exec 9>"$here/out/cgroup$cgv.lock"
flock 9
rm -rf "$jobdir" && mkdir -p "$jobdir"
q() { printf '%q' "$1"; }
cat >"$jobdir/job.env" <<EOF
VM_STAGE2=$(q "$here/guest.sh")
VM_REPO=$(q "$repo")
VM_CGROUP=$cgv
VM_PLACEMENTS=$(q "$placements")
VM_COMMAND=$(q "$command")
VM_COMMAND_leaf=$(q "$leaf_command")
VM_MODULES=$(q "$MODULES")
VM_CGROUP1_LAYOUT=$(q "${VM_CGROUP1_LAYOUT:-systemd}")
EOF

# --- qemu: KVM when usable, else multi-threaded software emulation.
if [ -w /dev/kvm ] && [ -r /dev/kvm ]; then
    accel=(-accel kvm -cpu host)
else
    accel=(-accel tcg,thread=multi -cpu "${VM_CPU_MODEL:-max}")
fi
# qboot starts a kernel faster than SeaBIOS, and prints nothing.
bios=()
for f in /usr/share/qemu/qboot.rom /usr/share/qboot/bios.bin; do
    if [ -r "$f" ]; then bios=(-bios "$f"); break; fi
done
# Under software emulation one CPU runs the suite faster than two: with two,
# every TLB flush of a fork or an exec stops both of qemu's CPU threads.
if [ "${accel[1]}" = kvm ]; then cpus=$(nproc); else cpus=1; fi
cpus=${VM_CPUS:-$cpus}
[ "$cpus" -le 4 ] || cpus=4
append="console=ttyS0 panic=-1 ${VM_APPEND:-quiet loglevel=3} mitigations=off rdinit=/init"
[ $cgv = 2 ] && append="$append cgroup_no_v1=all"

echo "vm: booting $(basename "$(dirname "$KERNEL")") (${accel[1]%%,*}, $cpus CPUs), cgroup v$cgv, placements: $placements" >&2
start=$(date +%s)
timeout -k 10 "${VM_TIMEOUT:-1800}" "$qemu" \
    -nodefaults -no-user-config -nographic -no-reboot \
    -machine q35 "${accel[@]}" ${bios[@]+"${bios[@]}"} -smp "$cpus" -m "${VM_MEMORY:-2048}" \
    -kernel "$KERNEL" -initrd "$INITRD" -append "$append" \
    -serial stdio -monitor none \
    -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
    -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
    -fsdev local,id=vmout,path="${jobdir//,/,,}",security_model=none \
    -device virtio-9p-pci,fsdev=vmout,mount_tag=vmout \
    </dev/null 2>&1 | sed -u 's/\r$//; /^\[ *[0-9.]*\] sysrq: /d' | tee "$jobdir/console.log"
qstatus=${PIPESTATUS[0]}
echo "vm: qemu ran $(($(date +%s) - start)) s" >&2

# Count the TAP results of each placement into $jobdir/counts ("P F S").
count() {
    local out p ok s f total_p=0 total_f=0 total_s=0
    for p in $placements; do
        out=$jobdir/$p.out
        [ -r "$out" ] || continue
        s=$(grep -cE '^ok [0-9]+ .* # skip' "$out")
        ok=$(grep -cE '^ok [0-9]+' "$out")
        f=$(grep -cE '^not ok [0-9]+' "$out")
        [ $((ok + f)) -gt 0 ] || continue
        echo "vm: cgroup v$cgv, placement $p: $((ok - s)) passed, $f failed, $s skipped"
        total_p=$((total_p + ok - s)) total_f=$((total_f + f)) total_s=$((total_s + s))
    done
    echo "$total_p $total_f $total_s" >"$jobdir/counts"
}
count
if [ -r "$jobdir/status" ]; then
    status=$(cat "$jobdir/status")
    # Run as make test-cgroupN (the default suite): end on the totals.
    if [ $# -eq 0 ] && [ "${VM_TOTALS:-1}" = 1 ]; then
        read -r p f s <"$jobdir/counts"
        echo "$p passed, $f failed, $s skipped"
        [ "$p" -gt 0 ] || [ "$status" -ne 0 ] || { echo "vm: no test ran" >&2; status=1; }
    fi
    exit "$status"
fi
if [ "$qstatus" = 124 ]; then
    echo "vm: the VM did not finish within ${VM_TIMEOUT:-1800} s" >&2
else
    echo "vm: the VM ended without a status (qemu exit $qstatus); see $jobdir/console.log" >&2
fi
exit 125
