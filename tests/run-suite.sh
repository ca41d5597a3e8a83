#!/usr/bin/env bash
# Usage: tests/run-suite.sh [--junit DIR] -- [BATS OPTIONS] FILE.bats...
#
# Run bats on FILES with its TAP output shown as it comes, then end with one
# line "N passed, N failed, N skipped" counted from that output. With
# --junit DIR, bats also writes DIR/report.xml. Exits non-zero when a test
# failed, when bats itself failed, or when no test ran at all.
set -u

junit=
while [ $# -gt 0 ]; do
	case $1 in
	--junit) junit=$2; shift 2 ;;
	--) shift; break ;;
	*) echo "usage: $0 [--junit DIR] -- [BATS OPTIONS] FILE.bats..." >&2; exit 2 ;;
	esac
done

args=(--tap)
[ -n "$junit" ] && args+=(--report-formatter junit --output "$junit")

tap=$(mktemp)
trap 'rm -f "$tap"' EXIT

bats "${args[@]}" "$@" | tee "$tap"
status=${PIPESTATUS[0]}

skipped=$(grep -cE '^ok [0-9]+ .* # skip' "$tap")
ok=$(grep -cE '^ok [0-9]+' "$tap")
failed=$(grep -cE '^not ok [0-9]+' "$tap")
passed=$((ok - skipped))

[ -n "$junit" ] && echo "JUnit report: $junit/report.xml"
echo "$passed passed, $failed failed, $skipped skipped"

if [ "$failed" -gt 0 ] || [ "$status" -ne 0 ]; then
	exit 1
fi
if [ "$ok" -eq 0 ]; then
	echo "no test ran" >&2
	exit 1
fi
exit 0
