#!/usr/bin/env bash
# Usage: tests/run-suite.sh [--junit DIR] [--other-cgroup-version] -- [BATS OPTIONS] FILE.bats...
#
# Run bats on FILES with its TAP output shown as it comes, then end with one
# line "N passed, N failed, N skipped" counted from that output. With
# --junit DIR, bats also writes DIR/report.xml. With --other-cgroup-version,
# step 08's tests then run again in a VM booted with the cgroup version the
# host does not use (tests/vm/run-other-version.sh): their counts join the
# summary, and the line before it says which cgroup versions were tested.
# Exits non-zero when a test failed, when bats itself failed, or when no test
# ran at all.
set -u

junit= other_version=
while [ $# -gt 0 ]; do
	case $1 in
	--junit) junit=$2; shift 2 ;;
	--other-cgroup-version) other_version=1; shift ;;
	--) shift; break ;;
	*) echo "usage: $0 [--junit DIR] -- [BATS OPTIONS] FILE.bats..." >&2; exit 2 ;;
	esac
done

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
