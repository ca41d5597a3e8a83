#!/usr/bin/env bash
# Usage: tests/run-suite.sh [--junit DIR] [--step STEP] [--other-cgroup-version] -- [BATS OPTIONS] FILE.bats...
#
# Run bats on FILES with its TAP output shown as it comes, then end with one
# line "N passed, N failed, N skipped" counted from that output. With
# --junit DIR, bats also writes DIR/report.xml. With --other-cgroup-version,
# step 08's tests then run again in a VM booted with the cgroup version the
# host does not use (tests/vm/run-other-version.sh): their counts join the
# summary, and the line before it says which cgroup versions were tested.
# Exits non-zero when a test failed, when bats itself failed, or when no test
# ran at all.
#
# Grading (CONTAINER or CONTAINER_DIR in the environment, made absolute by the
# Makefile): before any test, CONTAINER must name an executable file and come
# with --step (one step's promises; a program is one step's answer), and
# CONTAINER_DIR must be a directory; else one message naming it, and exit 2.
# Then, as root, the whole run goes into mount, UTS and network namespaces of
# its own, so that a broken program cannot change the host's hostname or
# mount table: the mount namespace is a slave of the host's (nothing mounted
# in it reaches the host) made shared again inside, so that a program that
# forgets to make its own mounts private is still caught by the tests. What
# stays unprotected: cgroups, sysctls and anything else global to the
# kernel (only a VM protects those).
set -u

junit= other_version= step=
args_all=("$@")
while [ $# -gt 0 ]; do
	case $1 in
	--junit) junit=$2; shift 2 ;;
	--step) step=$2; shift 2 ;;
	--other-cgroup-version) other_version=1; shift ;;
	--) shift; break ;;
	*) echo "usage: $0 [--junit DIR] [--step STEP] [--other-cgroup-version] -- [BATS OPTIONS] FILE.bats..." >&2; exit 2 ;;
	esac
done

grading_refused() {
	echo "make test: $*" >&2
	exit 2
}
if [ -n "${CONTAINER:-}" ]; then
	[ -n "$step" ] || grading_refused "CONTAINER=$CONTAINER grades one step's promises: name the step, e.g. make test STEP=05 CONTAINER=$CONTAINER"
	if [ ! -e "$CONTAINER" ]; then
		grading_refused "CONTAINER=$CONTAINER: no such file (a relative path is taken from the directory make was started in)"
	elif [ -d "$CONTAINER" ] || [ ! -x "$CONTAINER" ]; then
		grading_refused "CONTAINER=$CONTAINER is not an executable program"
	fi
fi
if [ -n "${CONTAINER_DIR:-}" ] && [ ! -d "$CONTAINER_DIR" ]; then
	grading_refused "CONTAINER_DIR=$CONTAINER_DIR is not a directory"
fi
if [ -n "${CONTAINER:-}${CONTAINER_DIR:-}" ] && [ -z "${WORKBOOK_GRADING_NS:-}" ] &&
	[ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	echo "grading ${CONTAINER:-$CONTAINER_DIR} in mount, UTS and network namespaces of its own (the host's cgroups stay exposed)"
	WORKBOOK_GRADING_NS=1 exec unshare --mount --propagation slave --uts --net -- "$0" "${args_all[@]}"
fi
if [ -n "${WORKBOOK_GRADING_NS:-}" ]; then
	mount --make-rshared / || exit 2
fi

args=(--tap)
[ -n "$junit" ] && args+=(--report-formatter junit --output "$junit")

tap=$(mktemp)
vm_counts=$(mktemp)
trap 'rm -f "$tap" "$vm_counts"' EXIT

bats "${args[@]}" "$@" | tee "$tap"
status=${PIPESTATUS[0]}

skipped=$(grep -cE '^ok [0-9]+ .* # skip' "$tap")
ok=$(grep -cE '^ok [0-9]+' "$tap")
failed=$(grep -cE '^not ok [0-9]+' "$tap")
passed=$((ok - skipped))

[ -n "$junit" ] && echo "JUnit report: $junit/report.xml"

# The VM's last line, "cgroup versions tested: ...", is the one just before the summary.
if [ -n "$other_version" ]; then
	"$(dirname "$0")/vm/run-other-version.sh" --counts "$vm_counts" || status=1
	read -r vm_passed vm_failed vm_skipped <"$vm_counts"
	passed=$((passed + vm_passed))
	failed=$((failed + vm_failed))
	skipped=$((skipped + vm_skipped))
fi

echo "$passed passed, $failed failed, $skipped skipped"

if [ "$failed" -gt 0 ] || [ "$status" -ne 0 ]; then
	exit 1
fi
if [ "$ok" -eq 0 ]; then
	echo "no test ran" >&2
	exit 1
fi
exit 0
