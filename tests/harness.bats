#!/usr/bin/env bats
# The harness itself: its guards fail a test when the program under test
# breaks what they guard, and a program that hangs fails its own test only.
# Each check runs bats on a step's file against a deliberately broken
# program (a wrapper around the step's own), in namespaces of its own so
# that the breakage never reaches the host.

load helpers

# broken_program NAME BODY: an executable script $WB_BROKEN/NAME running BODY.
broken_program() {
	WB_BROKEN=${WB_BROKEN:-$(mktemp -d "${TMPDIR:-/tmp}/workbook-harness.XXXXXX")}
	cleanup_path "$WB_BROKEN"
	printf '#!/bin/bash\n%s\n' "$2" >"$WB_BROKEN/$1"
	chmod +x "$WB_BROKEN/$1"
}

# inner_bats ARG...: bats run from this test, with a clean environment (and
# PATH without the directories of bats' own, which the outer bats added).
inner_bats() {
	local path
	path=$(tr : '\n' <<<"$PATH" | grep -v bats-core | paste -sd :)
	env -i PATH="$path" HOME="${HOME:-/root}" TMPDIR="${TMPDIR:-/tmp}" "$@"
}

@test "harness: a step 06 program that changes the host's hostname fails its test" {
	requires root rootfs
	# The wrapper changes the hostname outside the container, then runs step
	# 06 as it is; the UTS namespace of unshare(1) stands in for the host's.
	broken_program container "hostname broken-by-the-program; exec $(printf '%q' "$REPO/step06-mount/container") \"\$@\""
	run inner_bats unshare --uts env CONTAINER="$WB_BROKEN/container" ROOTFS="$ROOTFS" \
		bats --tap -f "COMMAND's exit status becomes the engine's" "$REPO/tests/step06-mount.bats"
	assert_failure
	assert_line --regexp "^not ok 1 "
	assert_output --partial "the host's hostname became 'broken-by-the-program'"
	assert_equal "$(uname -n)" "$HOSTNAME_BEFORE"
}

@test "harness: a program that hangs fails its own test, and the run goes on" {
	local word=workbook-hung-$$
	mark_process "$word"
	# The first run of the wrapper hangs; the later ones are step 02's program.
	broken_program container "mkdir \"\$(dirname \"\$0\")/hung\" 2>/dev/null && exec -a $word sleep 1000
exec $(printf '%q' "$REPO/step02-exec/container") \"\$@\""
	run inner_bats env CONTAINER="$WB_BROKEN/container" BATS_TEST_TIMEOUT=3 \
		bats --tap -f "COMMAND's exit status becomes the engine's|COMMAND not found gives 127" "$REPO/tests/step02-exec.bats"
	assert_failure
	assert_line --regexp "^not ok 1 .*# timeout after 3s"
	assert_line --regexp "^ok 2 "
	wait_until 10 no_process_marked "$word" || fail "the hung program was left running: $(pids_marked "$word")"
}

@test "harness: a chapter whose diagram names a function its main.c no longer has fails" {
	local dir=$BATS_TEST_TMPDIR/step04-uts
	mkdir "$dir"
	cp "$REPO/step04-uts/README.md" "$dir/"
	sed 's/\<bring_up_loopback\>/raise_loopback/g' "$REPO/step04-uts/main.c" >"$dir/main.c"
	run check_diagrams "$dir"
	assert_failure
	assert_output --partial "bring_up_loopback() is not a function of main.c"
	run check_diagrams "$REPO/step04-uts"
	assert_success
}
