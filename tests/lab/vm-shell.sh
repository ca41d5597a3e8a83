#!/usr/bin/env bash
# tests/lab/vm-shell.sh: the shell that runs `make test` and `make shell`
# recipes inside a VM when VM=1 is given, for users without root.
#
#   make test STEP=04 VM=1     make shell VM=1
#
# The Makefile makes this script the SHELL of those two targets alone (their
# prerequisites, the build and the root filesystem, are made on the host as
# usual).  make calls it as
#
#   vm-shell.sh [--interactive] -c 'RECIPE LINE'
#
# and it runs the line with tests/vm/run.sh in the VM the suite already
# boots: Debian's kernel fetched with `apt-get download` (no root needed),
# the host's root shared read-only with a writable overlay, cgroup v2, root
# inside.  --interactive (make shell) puts the VM on the terminal.
#
# What goes in: the directory make runs in, and CONTAINER, CONTAINER_DIR and
# TRANSCRIPT_TIMEOUT from the environment.  What comes out: the output, the
# exit status, and with FORMAT=junit the JUnit report (copied back from the
# VM's job directory).  Nothing else the guest writes reaches the host.
#
# Where a user cannot write to the checkout, the job directory and the
# kernel's cache go to ~/.cache/container-workbook/ (VM_OUT, VM_CACHE), unless
# the checkout's cache already holds a prepared kernel.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
vm=$here/../vm
interactive=0
if [ "${1:-}" = --interactive ]; then interactive=1; shift; fi
if [ "${1:-}" != -c ] || [ $# -ne 2 ]; then
	echo "usage: $0 [--interactive] -c COMMAND" >&2
	exit 2
fi
line=$2
q() { printf '%q' "$1"; }

# --- where the VM's files go: the checkout when it is writable, else ~/.cache.
user_cache=${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/container-workbook
if [ -z "${VM_OUT:-}" ] && ! { mkdir -p "$vm/out" && [ -w "$vm/out" ]; } 2>/dev/null; then
	export VM_OUT=$user_cache/vm-out
fi
if [ -z "${VM_CACHE:-}" ] && ! { mkdir -p "$vm/cache" && [ -w "$vm/cache" ]; } 2>/dev/null &&
	! VM_CACHE=$vm/cache "$vm/prepare.sh" >/dev/null 2>&1; then
	export VM_CACHE=$user_cache/vm-cache
fi

# --- the command line for the guest.
# In the VM there is no second VM: the other cgroup version is not tested.
line=${line//--other-cgroup-version/}
# FORMAT=junit: the report is written to the job directory, then copied out.
junit_dir=
if [[ $line =~ --junit\ ([^ ]+) ]]; then
	junit_dir=${BASH_REMATCH[1]}
	line=${line/--junit $junit_dir/--junit \/.vm\/job}
fi
prefix="cd $(q "$PWD") &&"
for v in CONTAINER CONTAINER_DIR TRANSCRIPT_TIMEOUT; do
	[ -z "${!v:-}" ] || prefix+=" export $v=$(q "${!v}") &&"
done

export VM_PLACEMENTS=root
if [ $interactive = 1 ]; then
	export VM_INTERACTIVE=1 VM_TIMEOUT=${VM_TIMEOUT:-0}
	echo "vm: make shell in a VM: \`exit\` leaves the container and the VM; Ctrl-A X stops the VM" >&2
elif [ -z "${VM_TIMEOUT:-}" ]; then
	# 120 s to boot, and for each test the budget run.sh gives it (45 s
	# under software emulation): the tests are those of the .bats files named.
	n=0
	while read -r f; do
		n=$((n + $(grep -c "^@test" "$f" 2>/dev/null || echo 0)))
	done < <(grep -oE '[^ ]+\.bats' <<<"$line")
	export VM_TIMEOUT=$((120 + 45 * (n > 0 ? n : 40)))
fi
"$vm/run.sh" 2 "$prefix $line"
status=$?
if [ -n "$junit_dir" ]; then
	if cp "${VM_OUT:-$vm/out}/cgroup2/report.xml" "$junit_dir/report.xml" 2>/dev/null; then
		echo "JUnit report: $junit_dir/report.xml (from the VM)"
	else
		echo "vm: no JUnit report came out of the VM" >&2
	fi
fi
exit $status
