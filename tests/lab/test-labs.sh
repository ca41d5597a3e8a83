#!/usr/bin/env bash
# tests/lab/test-labs.sh: check that every step's lab tells the skeleton from
# the answer (make test-labs).
#
#   tests/lab/test-labs.sh [STEP...]        (default: every step)
#
# For each step NN:
#   1. make-lab.sh makes the lab in tests/build/labs/ (it fails when a piece
#      of code that step NN's diff changes has no words);
#   2. the skeleton, unchanged, builds with the workbook's flags, and FAILS
#      step NN's check: the tests whose names match the "check:" line of
#      tests/lab/stepNN.words (a few of the step's own new promises);
#   3. step NN's own main.c, put in the skeleton's place, builds and PASSES
#      the same check.
# Both runs grade through tests/run-suite.sh with CONTAINER=, as a teacher
# would.  One line per step; the log of each run is kept in
# tests/build/labs/stepNN-NAME/{skeleton,answer}.log.  From step 04 the tests
# need root: without it they skip, and the step is reported "not checked".
# Exit status: 1 when a step's lab is wrong, else 0.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
cd "$repo" || exit 2
CC=${CC:-cc}
read -ra cflags <<<"${CFLAGS:--std=c11 -Wall -Wextra -Wpedantic -Werror -O2 -g}"
out=tests/build/labs

if [ $# -eq 0 ]; then
	for dir in step[0-9][0-9]-*/; do set -- "$@" "${dir:4:2}"; done
fi

# grade DIR NN FILTER LOG: run the check against DIR/container; prints "P F S".
grade() {
	CONTAINER=$repo/$1/container tests/run-suite.sh --step "$2" -- -f "$3" \
		"tests/$(basename "$1").bats" >"$4" 2>&1
	tail -n 1 "$4" | awk '/passed, .* failed, .* skipped/ { print $1, $3, $5; next } { print "0 0 0" }'
}

status=0 start=$SECONDS
for step in "$@"; do
	t0=$SECONDS
	step=${step#step}
	step=${step:0:2}
	if ! msg=$(tests/lab/make-lab.sh --force "$step" "$out" 2>&1); then
		printf '%s\n' "$msg"
		echo "lab $step: FAILED: make-lab.sh could not make the lab"
		status=1
		continue
	fi
	lab=$(echo "$out/step$step"-*)
	filter=$(sed -n 's/^check: //p' "tests/lab/step$step.words" | head -n 1)
	if [ -z "$filter" ]; then
		echo "lab $step: FAILED: tests/lab/step$step.words has no \"check: REGEX\" line"
		status=1
		continue
	fi
	# 2. the skeleton
	if ! "$CC" "${cflags[@]}" -o "$lab/container" "$lab/main.c" 2>"$lab/skeleton.log"; then
		cat "$lab/skeleton.log"
		echo "lab $step: FAILED: the skeleton does not build"
		status=1
		continue
	fi
	read -r _ sf ss < <(grade "$lab" "$step" "$filter" "$lab/skeleton.log")
	# 3. the answer in its place
	cp "step$step"-*/main.c "$lab/main.c"
	"$CC" "${cflags[@]}" -o "$lab/container" "$lab/main.c" || { echo "lab $step: FAILED: step $step's main.c does not build"; status=1; continue; }
	read -r ap af as < <(grade "$lab" "$step" "$filter" "$lab/answer.log")
	n=$((ap + af + as))
	what="check /$filter/: skeleton $sf of $n failed, answer $ap of $n passed ($((SECONDS - t0)) s)"
	if [ "$n" -eq 0 ]; then
		echo "lab $step: FAILED: the check /$filter/ selects no test (see $lab/answer.log)"
		status=1
	elif [ "$ss" -eq "$n" ] || [ "$as" -eq "$n" ]; then
		echo "lab $step: not checked: its tests skipped here ($(grep -m1 -o '# skip.*' "$lab/answer.log"))"
	elif [ "$sf" -eq 0 ]; then
		echo "lab $step: FAILED: the skeleton passes the check, so the tests cannot tell it from the answer: $what"
		status=1
	elif [ "$af" -ne 0 ] || [ "$as" -ne 0 ]; then
		echo "lab $step: FAILED: step $step's own program does not pass the check: $what (see $lab/answer.log)"
		status=1
	else
		echo "lab $step: ok: $what"
	fi
done
echo "labs checked in $((SECONDS - start)) s"
exit $status
