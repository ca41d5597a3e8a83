#!/usr/bin/env bash
# tests/vm/run-other-version.sh: after the host's suite, run the step08 suite
# in a VM whose cgroups are of the version the host does not use, so that
# every test run covers both cgroup v1 and cgroup v2.
#
#   tests/vm/run-other-version.sh [--counts FILE]
#
# Which version the host's suite used: v1 when a v1 hierarchy of memory, pids
# or cpu is mounted (a v1 host, or a hybrid one whose cgroup2 holds none of
# them), v2 otherwise.  The VM gets the other one.
#
# Output: the VM's run (bats' TAP output for each placement, and lines
# beginning "vm: "), then as the last line
#     cgroup versions tested: v1 (host), v2 (VM)
# or, when the VM could not be run here (no qemu and no way to install it, no
# kernel package, no step08 tests), one line saying why and then
#     cgroup versions tested: v1 (host) only
# With --counts FILE, FILE gets one line "PASSED FAILED SKIPPED" counted from
# the VM's TAP output over all placements ("0 0 0" when the VM did not run),
# for the caller's closing summary.
#
# Exit status: 0 when the VM's suite passed or the VM could not be run here
# (that run just does not count as both-tested), 1 when a test failed in the
# VM or the VM broke down.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
counts=
while [ $# -gt 0 ]; do
    case $1 in
    --counts) counts=$2; shift 2 ;;
    *) echo "usage: $0 [--counts FILE]" >&2; exit 2 ;;
    esac
done
[ -z "$counts" ] || echo "0 0 0" >"$counts"

if awk '$(NF - 2) == "cgroup" && $NF ~ /(^|,)(memory|pids|cpu)(,|$)/ { found = 1 }
        END { exit !found }' /proc/self/mountinfo; then
    host=1 vm=2
else
    host=2 vm=1
fi
only() {
    echo "$1"
    echo "cgroup versions tested: v$host (host) only"
    exit 0
}

suite=${VM_SUITE:-tests/step08-cgroups.bats}
[ -f "$repo/$suite" ] || only "vm: cgroup v$vm not tested: no $suite yet"

rm -rf "$here/out/cgroup$vm"
# Under software emulation every test costs seconds: to stay near 20
# minutes, the VM runs the suite's tests of cgroups and limits; the others
# (what steps 02-07 promise) do not depend on the cgroup version and ran on
# the host.  VM_ROOT_FILTER= runs them all.
export VM_ROOT_FILTER=${VM_ROOT_FILTER-cgroup|memory|pids|cpus|OOM|out of memory|limit|container-1 left|keeps its name|prctl|takes its container}
# (run.sh scales the VM's time limit to the tests selected and the accelerator)
VM_TOTALS=0 "$here/run.sh" "$vm" 2>&1
status=$?
# 2 with no status from a guest: the VM was never started.
[ "$status" -ne 2 ] || [ -e "$here/out/cgroup$vm/status" ] || only "vm: cgroup v$vm not tested: no VM can be run here (see the line above)"

passed=0 failed=0 skipped=0
[ -r "$here/out/cgroup$vm/counts" ] && read -r passed failed skipped <"$here/out/cgroup$vm/counts"
[ -z "$counts" ] || echo "$passed $failed $skipped" >"$counts"

if [ "$status" -ne 0 ] || [ "$passed" -eq 0 ]; then
    [ "$status" -ne 0 ] || echo "vm: no test passed in the VM"
    echo "cgroup versions tested: v$host (host), v$vm (VM, failed)"
    exit 1
fi
echo "cgroup versions tested: v$host (host), v$vm (VM)"
exit 0
