#!/usr/bin/env bats
# step01-fork: fork(2) a child; the child reports its pid and its parent's;
# the parent waits with waitpid(2) and reports how the child ended.

load helpers
load transcript

# check_report FILE PARENT: FILE holds exactly the three lines of the
# contract, with consistent pids; PARENT is the engine's pid when known.
check_report() {
	local parent child
	mapfile -t lines <"$1"
	[ "${#lines[@]}" -eq 3 ] || fail "want exactly 3 lines, got ${#lines[@]}: $(cat "$1")"
	[[ ${lines[0]} =~ ^parent:\ pid=([0-9]+)$ ]] || fail "line 1: '${lines[0]}'"
	parent=${BASH_REMATCH[1]}
	[[ ${lines[1]} =~ ^child:\ pid=([0-9]+)\ ppid=([0-9]+)$ ]] || fail "line 2: '${lines[1]}'"
	child=${BASH_REMATCH[1]}
	assert_equal "${BASH_REMATCH[2]}" "$parent"
	[ "$child" != "$parent" ] || fail "the child reports the parent's pid $parent"
	assert_equal "${lines[2]}" "parent: child $child exited with status 0"
	if [ -n "${2:-}" ]; then
		assert_equal "$parent" "$2"
	fi
}

@test "step01: prints the three lines of the contract, and exits 0" {
	run --separate-stderr "$CONTAINER"
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	check_report "$BATS_TEST_TMPDIR/out"
}

@test "step01: the parent reports its own pid, the child its own and its parent's" {
	"$CONTAINER" >"$BATS_TEST_TMPDIR/out" 2>&1 3>&- &
	local pid=$!
	wait "$pid"
	check_report "$BATS_TEST_TMPDIR/out" "$pid"
}

# In a PID namespace of its own, pids are handed out in order from 1: the
# shell there is 1, the program 2, so its one child must be 3, and the next
# process started after it 4. A program that prints pids it never had, or
# starts no child, or more than one, is seen.
@test "step01: a real child exists: in a fresh PID namespace the child is pid 3, and the program made no other" {
	requires root
	# (LeakSanitizer, in a sanitizer build, starts a task of its own at exit)
	ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
		run unshare --pid --fork sh -c '"$1" >"$2"; echo "next pid: $(sh -c '"'"'echo $$'"'"')"' sh "$CONTAINER" "$BATS_TEST_TMPDIR/out"
	assert_equal "$status" 0
	assert_equal "$output" "next pid: 4"
	check_report "$BATS_TEST_TMPDIR/out" 2
	assert_equal "$(sed -n 2p "$BATS_TEST_TMPDIR/out")" "child: pid=3 ppid=2"
}

@test "step01: stdout to a file: each line once (no buffered line copied by fork)" {
	"$CONTAINER" >"$BATS_TEST_TMPDIR/out"
	check_report "$BATS_TEST_TMPDIR/out"
}

@test "step01: stdout to a pipe: each line once" {
	"$CONTAINER" | cat >"$BATS_TEST_TMPDIR/out"
	check_report "$BATS_TEST_TMPDIR/out"
}

@test "step01: the chapter's try-it sessions print what they show" {
	check_transcripts
}

@test "step01: the chapter opens with a diagram, and the functions it names are main.c's" {
	check_diagrams
}
