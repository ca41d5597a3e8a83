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
# Environment: VM_PLACEMENTS, VM_TIMEOUT (seconds; by default scaled to the
# work, see below), VM_ACCEL (kvm or tcg instead of the choice of accel.sh),
# VM_MEMORY (MiB, default 2048), VM_CPUS (default: 1 under software
# emulation, the host's with KVM, at most 4), VM_CPU_MODEL (-cpu under
# software emulation, default max), VM_CGROUP1_LAYOUT (systemd: cpu,cpuacct mounted
# together, as older distributions did; split: one mount per controller),
# VM_APPEND (kernel arguments instead of "quiet loglevel=3"), VM_KERNEL_PKG,
# VM_SUITE (instead of tests/step08-cgroups.bats), VM_ROOT_FILTER and
# VM_LEAF_FILTER (bats -f regexes of the suite's runs from the root cgroup and
# from the session scope; empty: all tests).
#
# For users without root (tests/lab/vm-shell.sh: make test VM=1, make shell
# VM=1): VM_OUT, the directory of the job directories instead of tests/vm/out
# (for a checkout one cannot write to); VM_INTERACTIVE=1, COMMAND runs on the
# terminal: qemu gets it (Ctrl-A X ends qemu), and in the guest COMMAND gets
# the serial console as its controlling terminal, with the host's TERM and
# size, instead of /dev/null (nothing is copied to console.log then).
#
# Accelerator: KVM only where it really runs a guest (accel.sh: the CPU's
# vmx/svm flag, and qemu asked to start one); should qemu still fail to start
# with KVM, the run is made again under software emulation, and says so.
#
# Time limit: VM_TIMEOUT when set; otherwise, for the default suite, the
# number of tests selected over the placements times a budget per test (45 s
# under software emulation, 15 s with KVM) plus 120 s to boot, and 1800 s for
# any other COMMAND. Each test also has a limit of its own
# (BATS_TEST_TIMEOUT, 600 s under software emulation, 120 s with KVM), so one
# hung program fails its test and the suite goes on. A run that hits the VM's
# limit is stopped and says which limit it hit; what ran until then counts.
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

# --- qemu: KVM where it really runs a guest, else multi-threaded software emulation.
. "$here/accel.sh"
vm_choose_accel "$qemu"
echo "vm: accelerator $VM_ACCEL: $VM_ACCEL_WHY" >&2

# --- time limits: one per test (BATS_TEST_TIMEOUT, in the guest), one for the VM.
if [ "$VM_ACCEL" = kvm ]; then per_test=15 test_limit=120; else per_test=45 test_limit=600; fi
test_limit=${VM_TEST_TIMEOUT:-$test_limit}
# count_tests FILTER: how many tests of the suite bats -f FILTER selects.
count_tests() {
    (cd "$repo" && bats --count ${1:+-f "$1"} "$suite") 2>/dev/null || echo 0
}
# set_vm_limit: the VM's limit, and why, for the accelerator in VM_ACCEL.
set_vm_limit() {
    local p
    if [ -n "${VM_TIMEOUT:-}" ]; then
        vm_limit=$VM_TIMEOUT limit_why="VM_TIMEOUT"
    elif [ "$custom_command" = 1 ]; then
        vm_limit=1800 limit_why="the limit for a command of one's own; VM_TIMEOUT changes it"
    else
        ntests=0
        for p in $placements; do
            if [ "$p" = leaf ] && [ -n "$leaf_command" ]; then
                ntests=$((ntests + $(count_tests "$leaf_filter")))
            else
                ntests=$((ntests + $(count_tests "$root_filter")))
            fi
        done
        vm_limit=$((120 + ntests * per_test))
        limit_why="120 s to boot and $per_test s for each of the $ntests tests selected, under $VM_ACCEL"
    fi
}
if [ $# -eq 0 ]; then custom_command=0; else custom_command=1; fi
set_vm_limit

# --- the job directory, shared read-write with the guest.
out=${VM_OUT:-$here/out}
mkdir -p "$out"
jobdir=$out/cgroup$cgv
exec 9>"$out/cgroup$cgv.lock"
flock 9
q() { printf '%q' "$1"; }
write_job() {
    rm -rf "$jobdir" && mkdir -p "$jobdir"
    cat >"$jobdir/job.env" <<EOF
VM_STAGE2=$(q "$here/guest.sh")
VM_REPO=$(q "$repo")
VM_CGROUP=$cgv
VM_PLACEMENTS=$(q "$placements")
VM_COMMAND=$(q "$command")
VM_COMMAND_leaf=$(q "$leaf_command")
VM_MODULES=$(q "$MODULES")
VM_CGROUP1_LAYOUT=$(q "${VM_CGROUP1_LAYOUT:-systemd}")
VM_BATS_TEST_TIMEOUT=$(q "$test_limit")
EOF
    # VM_INTERACTIVE=1: the terminal's type and size, for the guest's console.
    if [ "${VM_INTERACTIVE:-0}" = 1 ]; then
        read -r rows cols < <(stty size 2>/dev/null || echo "24 80")
        printf 'VM_INTERACTIVE=1\nVM_TERM=%s\nVM_ROWS=%s\nVM_COLS=%s\n' \
            "$(q "${TERM:-vt100}")" "$rows" "$cols" >>"$jobdir/job.env"
    fi
}

# qboot starts a kernel faster than SeaBIOS, and prints nothing.
bios=()
for f in /usr/share/qemu/qboot.rom /usr/share/qboot/bios.bin; do
    if [ -r "$f" ]; then bios=(-bios "$f"); break; fi
done
append="console=ttyS0 panic=-1 ${VM_APPEND:-quiet loglevel=3} mitigations=off rdinit=/init"
[ $cgv = 2 ] && append="$append cgroup_no_v1=all"

# boot ACCEL: run the VM once; qstatus is qemu's exit status.
boot() {
    local accel cpus
    if [ "$1" = kvm ]; then
        accel=(-accel kvm -cpu host)
        cpus=$(nproc)
    else
        accel=(-accel tcg,thread=multi -cpu "${VM_CPU_MODEL:-max}")
        # Under software emulation one CPU runs the suite faster than two: with
        # two, every TLB flush of a fork or an exec stops both of qemu's CPU threads.
        cpus=1
    fi
    cpus=${VM_CPUS:-$cpus}
    [ "$cpus" -le 4 ] || cpus=4
    write_job
    echo "vm: booting $(basename "$(dirname "$KERNEL")") ($1, $cpus CPUs), cgroup v$cgv, placements: $placements, limit $vm_limit s ($limit_why)" >&2
    start=$(date +%s)
    if [ "${VM_INTERACTIVE:-0}" = 1 ]; then
        boot_interactive "${accel[@]}" -smp "$cpus"
        return
    fi
    timeout -k 10 "$vm_limit" "$qemu" \
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
}

# VM_INTERACTIVE=1: the same VM on the terminal. Ctrl-C goes to the guest
# (signal=off), Ctrl-A X ends qemu; a VM_TIMEOUT of 0 is no time limit.
boot_interactive() {
    timeout -k 10 --foreground "$vm_limit" "$qemu" \
        -nodefaults -no-user-config -nographic -no-reboot \
        -machine q35 "$@" ${bios[@]+"${bios[@]}"} -m "${VM_MEMORY:-2048}" \
        -kernel "$KERNEL" -initrd "$INITRD" -append "$append" \
        -chardev stdio,id=console,mux=on,signal=off -serial chardev:console -mon chardev=console \
        -fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap \
        -device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot \
        -fsdev local,id=vmout,path="${jobdir//,/,,}",security_model=none \
        -device virtio-9p-pci,fsdev=vmout,mount_tag=vmout
    qstatus=$?
    stty sane 2>/dev/null || true
    : >"$jobdir/console.log"
    echo "vm: qemu ran $(($(date +%s) - start)) s" >&2
}

boot "$VM_ACCEL"
# qemu failed with KVM before the guest said anything: KVM does not work
# here after all, whatever the reason. Software emulation always does.
if [ "$VM_ACCEL" = kvm ] && [ "$qstatus" -ne 0 ] && [ "$qstatus" -ne 124 ] &&
    [ ! -e "$jobdir/status" ] && ! grep -q '^vm: ' "$jobdir/console.log"; then
    echo "vm: qemu failed to start the guest with KVM (exit $qstatus): again under software emulation" >&2
    VM_ACCEL=tcg per_test=45 test_limit=${VM_TEST_TIMEOUT:-600}
    set_vm_limit
    boot tcg
fi

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
    echo "vm: stopped: the VM did not finish within its limit of $vm_limit s ($limit_why); the counts above are what ran until then" >&2
else
    echo "vm: the VM ended without a status (qemu exit $qstatus); see $jobdir/console.log" >&2
fi
exit 125
