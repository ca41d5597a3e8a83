# tests/helpers.bash: what every tests/stepNN-NAME.bats loads first, with
#
#     load helpers
#
# It gives the file its step, the program under test, ways to run that
# program in the step's argument shape, requirements that skip with a reason,
# bounded waits, cleanup, and the promises that several steps share, written
# once here as promise_* functions and called from each step's file:
#
#     @test "step02: COMMAND's exit status becomes the engine's" { promise_exit_status; }
#
# Variables set here
#   REPO        the project's top directory
#   STEP        this file's step, from its name: tests/step05-pid.bats -> step05-pid
#   STEP_NUM    the step's number: 5
#   CONTAINER   the program under test: $CONTAINER from the environment when
#               set (grading: CONTAINER=/path/to/container make test STEP=05),
#               else CONTAINER_DIR/STEP/container when CONTAINER_DIR is
#               set (a directory laid out as the project: every step's
#               program at once), else REPO/STEP/container
#   GRADING     1 when CONTAINER or CONTAINER_DIR came from the environment
#   ROOTFS      the root filesystem of steps 06-08: $ROOTFS when set, else
#               REPO/rootfs (made by `make rootfs`, tests/make-rootfs.sh)
#
# Running the program under test
#   engine [OPTION... --] COMMAND [ARG...]
#       runs CONTAINER in the step's shape: OPTIONS COMMAND for steps 02-05,
#       OPTIONS ROOTFS COMMAND for steps 06-08. Words before the first `--`
#       are options; without `--` every word is COMMAND. Inside a rootfs
#       COMMAND can use only busybox applets and sh.
#   engine_argv [OPTION... --] COMMAND [ARG...]
#       the same argument list, stored in the array ENGINE_ARGV (for wrapping
#       it: setpriv, env, a background start). CONTAINER=... ROOTFS=...
#       before it run another program or rootfs in the same shape.
#   run_engine ...      run --separate-stderr engine ...: $status, $output
#                       (stdout alone), $stderr, $lines, $stderr_lines
#   start_engine ...    starts it in the background, with no signal ignored
#                       and stdin from /dev/null: $ENGINE_PID, its stdout and
#                       stderr in the files $ENGINE_OUT and $ENGINE_ERR.
#                       teardown kills it and its descendants if still there.
#   stderr_has ERE      after run_engine: fails unless a stderr line matches ERE
#   wait_engine [SECONDS]
#                       waits at most SECONDS (default 10) for it to end:
#                       $ENGINE_STATUS; fails if it is still running.
#
# Files seen from both sides
#   shared_dir          makes a fresh directory that COMMAND and the test both
#                       see: $HOST_DIR is its path for the test, $BOX_DIR for
#                       COMMAND (the same below step 06; under ROOTFS/tmp from
#                       step 06 on). Removed by teardown.
#   wait_for_file FILE [SECONDS]    bounded wait for FILE to exist (default 10 s)
#   wait_until SECONDS COMMAND...   bounded wait for COMMAND to succeed
#
# Helper programs (tests/helpers/NAME.c, built statically into tests/build/)
#   helper_program NAME sets $HELPER to the path COMMAND runs it by (copied
#                       into ROOTFS from step 06 on); skips when it cannot
#                       be built
#
# Skipping
#   requires FEATURE... skips the test, with the reason, unless every FEATURE
#                       is there: root, setpriv, rootfs, busybox (the rootfs
#                       has busybox), transcripts (not grading another program)
#   requires_namespaces skips without root from step 04 on (the engine
#                       makes namespaces)
#
# Processes
#   children PID, descendants PID   pids from /proc/PID/task/*/children
#   init_pid            the background engine's one child: the container's init
#   process_state PID   its state letter (R, S, Z...), nothing once gone
#   engine_started      the background engine has exec'd (no program run)
#   pids_marked WORD    processes whose command line holds WORD
#
# The shared promises (each skips itself where it cannot run)
#   steps 02+: promise_exit_status promise_signal_status promise_not_found
#     promise_not_executable promise_unknown_option promise_missing_command
#     promise_help promise_option_forms promise_options_stop_at_command
#     promise_stdout_is_commands promise_stdin_reaches_command promise_verbose
#     promise_no_fd_leak promise_any_call_may_fail promise_killed_at_any_call
#   steps 04+: promise_default_hostname promise_hostname_option
#     promise_host_hostname_unchanged promise_new_namespaces promise_only_lo
#     promise_lo_up promise_loopback_tcp promise_bad_hostname promise_needs_root
#   steps 05+: promise_parent_is_init promise_sigterm_forwarded
#     promise_signals_forwarded promise_early_signal_not_lost
#     promise_ends_with_command promise_orphans_reaped
#
# Cleanup
#   teardown() here calls common_teardown; a file defining its own teardown
#   calls common_teardown from it. It kills (by pid, with SIGKILL) the
#   background engine and every process under it, every process whose command
#   line holds a word given to mark_process, and removes shared_dir's directory
#   and the files given to cleanup_path. It runs even when the test failed.
#   If the host's hostname changed during the test, it sets it back and fails
#   the test.

bats_require_minimum_version 1.5.0

# bats-support and bats-assert: from BATS_LIB_PATH (Debian: /usr/lib/bats),
# or the other places packages put them.
load_bats_library() {
	local dir
	if bats_load_library "$1" 2>/dev/null; then
		return 0
	fi
	for dir in /usr/lib/bats /usr/local/lib/bats /usr/lib /usr/local/lib /usr/share/bats /opt/homebrew/lib; do
		if [ -f "$dir/$1/load.bash" ]; then
			# shellcheck disable=SC1090
			source "$dir/$1/load.bash"
			return 0
		fi
	done
	echo "tests need $1: run 'make test' as root to install it, or apt-get install $1" >&2
	return 1
}
load_bats_library bats-support
load_bats_library bats-assert

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
STEP=$(basename "$BATS_TEST_FILENAME" .bats)
STEP_NUM=$(echo "$STEP" | sed -n 's/^step0*\([0-9][0-9]*\)-.*/\1/p')
: "${STEP_NUM:=0}"
if [ -n "${CONTAINER:-}" ]; then
	GRADING=1
elif [ -n "${CONTAINER_DIR:-}" ]; then
	GRADING=1
	CONTAINER=$CONTAINER_DIR/$STEP/container
else
	GRADING=
	CONTAINER=$REPO/$STEP/container
fi
ROOTFS=${ROOTFS:-$REPO/rootfs}
# the host's hostname before the test: teardown puts it back if it changed
HOSTNAME_BEFORE=$(uname -n)
# Every test has a time limit (bats 1.8): a program that hangs fails its test,
# and the run goes on. The VM sets a longer one under software emulation.
: "${BATS_TEST_TIMEOUT:=180}"
export BATS_TEST_TIMEOUT
# When the limit is hit, bats stops the test's process and kills its
# children (pkill -P). That is not enough here: `run engine ...` reads the
# engine's output through a pipe, the engine is a grandchild of the test, and
# a hung engine, orphaned when its parent is killed, would keep the pipe open
# and the test waiting for ever. This replaces bats' function of that name
# (bats-exec-test, 1.8): it kills the test's whole tree of processes, deepest
# first, but the killer itself. (A later bats that no longer calls it still
# stops the test; only a hung grandchild would then hang it.)
bats_kill_childprocesses_of() {
	local pid pids
	pids=$(descendants "$1" | grep -vx "$BASHPID" | tac)
	for pid in $pids; do
		kill -KILL "$pid" 2>/dev/null
	done
	true
}

# ---------------------------------------------------------------------------
# Requirements

# requires FEATURE...: skip the test unless every FEATURE is there.
requires() {
	local f
	for f in "$@"; do
		case $f in
		root)
			[ "$(id -u)" -eq 0 ] || skip "needs root (run the tests as root)" ;;
		setpriv)
			command -v setpriv >/dev/null || skip "needs setpriv (util-linux)" ;;
		rootfs)
			[ -f "$ROOTFS/etc/workbook-rootfs" ] || skip "needs the rootfs at $ROOTFS (make rootfs)" ;;
		busybox)
			[ -x "$ROOTFS/bin/busybox" ] || skip "needs a busybox rootfs (apt-get install busybox-static; make rootfs)" ;;
		transcripts)
			[ -z "$GRADING" ] || skip "chapter transcripts run the project's own programs, not CONTAINER=$CONTAINER" ;;
		*)
			fail "requires: unknown feature '$f'" ;;
		esac
	done
}

# From step 04 on the engine makes namespaces: running a container needs root.
requires_namespaces() {
	if [ "$STEP_NUM" -ge 4 ]; then
		requires root
	fi
}

# ---------------------------------------------------------------------------
# Running the program under test

engine_argv() {
	local i opts=() cmd=("$@")
	for ((i = 1; i <= $#; i++)); do
		if [ "${!i}" = "--" ]; then
			opts=("${@:1:i-1}")
			cmd=("${@:i+1}")
			break
		fi
	done
	ENGINE_ARGV=("$CONTAINER" "${opts[@]}")
	if [ "$STEP_NUM" -ge 6 ]; then
		ENGINE_ARGV+=("$ROOTFS")
	fi
	ENGINE_ARGV+=("${cmd[@]}")
}

engine() {
	engine_argv "$@"
	"${ENGINE_ARGV[@]}"
}

run_engine() {
	run --separate-stderr engine "$@"
}

ENGINE_PID=
start_engine() {
	engine_argv "$@"
	ENGINE_OUT=$BATS_TEST_TMPDIR/engine.out
	ENGINE_ERR=$BATS_TEST_TMPDIR/engine.err
	# A background job of a script starts with SIGINT and SIGQUIT ignored:
	# env gives it every signal's default action back. fd 3 is bats' own.
	env --default-signal "${ENGINE_ARGV[@]}" </dev/null >"$ENGINE_OUT" 2>"$ENGINE_ERR" 3>&- &
	ENGINE_PID=$!
}

# engine_started: the background engine runs CONTAINER's code (it has exec'd), or has ended.
# (No program run: the test is quick enough to catch the engine starting.)
engine_started() {
	[ "/proc/$ENGINE_PID/exe" -ef "${ENGINE_ARGV[0]}" ] || [ ! -e "/proc/$ENGINE_PID/exe" ]
}

# process_state PID: its state letter (R, S, Z...), nothing once it is gone.
process_state() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	echo "${stat%% *}"
}

process_ended() {
	case $(process_state "$1") in
	"" | Z) return 0 ;;
	*) return 1 ;;
	esac
}

wait_engine() {
	local seconds=${1:-10}
	ENGINE_STATUS=
	if ! wait_until "$seconds" process_ended "$ENGINE_PID"; then
		echo "the engine (pid $ENGINE_PID) still runs after ${seconds}s" >&2
		echo "its stderr:" >&2
		cat "$ENGINE_ERR" >&2
		return 1
	fi
	ENGINE_STATUS=0
	wait "$ENGINE_PID" || ENGINE_STATUS=$?
	ENGINE_PID=
}

# wait_until SECONDS COMMAND...: run COMMAND every 50 ms until it succeeds;
# fail when SECONDS have passed.
wait_until() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ "$SECONDS" -lt "$end" ] || return 1
		nap
	done
}

# nap: wait 50 ms without starting a process (a sleep(1) costs a fork and an
# exec each time, which is most of a polling loop's cost in an emulated VM):
# bash's read with a time limit, on a FIFO that nobody writes. The FIFO is
# made once per test; opened read-write, it never blocks the open itself.
nap() {
	local fifo=${BATS_TEST_TMPDIR:-${TMPDIR:-/tmp}}/nap.fifo
	if [ ! -p "$fifo" ] && ! mkfifo "$fifo" 2>/dev/null; then
		sleep 0.05
		return 0
	fi
	read -r -t 0.05 _ <>"$fifo" || true
}

wait_for_file() {
	wait_until "${2:-10}" test -e "$1" || {
		echo "$1 did not appear within ${2:-10}s" >&2
		return 1
	}
}

# children PID: the pids of PID's children, one per line.
children() {
	cat /proc/"$1"/task/*/children 2>/dev/null | tr ' ' '\n' | grep -v '^$' || true
}

# descendants PID: PID's children, theirs, and so on.
descendants() {
	local c
	for c in $(children "$1"); do
		echo "$c"
		descendants "$c"
	done
}

# ---------------------------------------------------------------------------
# Files seen from both sides, helper programs

shared_dir() {
	if [ "$STEP_NUM" -ge 6 ]; then
		BOX_DIR=/tmp/test.$$.${BATS_TEST_NUMBER}
		HOST_DIR=$ROOTFS$BOX_DIR
	else
		HOST_DIR=$BATS_TEST_TMPDIR/shared
		BOX_DIR=$HOST_DIR
	fi
	rm -rf "$HOST_DIR"
	mkdir -p "$HOST_DIR"
	chmod 0777 "$HOST_DIR"
	cleanup_path "$HOST_DIR"
}

# build_helper NAME: tests/helpers/NAME.c -> tests/build/NAME, static.
build_helper() {
	local src=$REPO/tests/helpers/$1.c out=$REPO/tests/build/$1
	if [ ! -x "$out" ] || [ "$src" -nt "$out" ]; then
		mkdir -p "$REPO/tests/build"
		"${CC:-cc}" -std=c11 -Wall -Wextra -O2 -static -o "$out.tmp.$$" "$src" &&
			mv "$out.tmp.$$" "$out" || { rm -f "$out.tmp.$$"; return 1; }
	fi
	echo "$out"
}

helper_program() {
	local built
	built=$(build_helper "$1") || skip "cannot build tests/helpers/$1.c statically (needs libc6-dev)"
	if [ "$STEP_NUM" -ge 6 ]; then
		mkdir -p "$ROOTFS/usr/local/bin"
		cp "$built" "$ROOTFS/usr/local/bin/$1"
		HELPER=/usr/local/bin/$1
	else
		HELPER=$built
	fi
}

# ---------------------------------------------------------------------------
# Cleanup

CLEANUP_PATHS=()
CLEANUP_MARKS=()

cleanup_path() {
	CLEANUP_PATHS+=("$@")
}

# mark_process WORD: teardown kills any process with WORD in its command line.
# Give each test its own word (e.g. sleep 1000$$).
mark_process() {
	CLEANUP_MARKS+=("$@")
}

# pids_marked WORD: the pids of processes whose command line holds WORD.
pids_marked() {
	local d args
	for d in /proc/[0-9]*; do
		[ "${d#/proc/}" != "$$" ] || continue
		{ mapfile -d "" -t args <"$d/cmdline"; } 2>/dev/null || continue
		case "${args[*]}" in
		*"$1"*) echo "${d#/proc/}" ;;
		esac
	done
	true
}

no_process_marked() {
	[ -z "$(pids_marked "$1")" ]
}

common_teardown() {
	local pids=() p m
	if [ -n "$ENGINE_PID" ]; then
		pids+=($(descendants "$ENGINE_PID") "$ENGINE_PID")
	fi
	for m in "${CLEANUP_MARKS[@]}"; do
		pids+=($(pids_marked "$m"))
	done
	for p in "${pids[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
	done
	if [ -n "$ENGINE_PID" ]; then
		wait "$ENGINE_PID" 2>/dev/null || true
	fi
	for p in "${CLEANUP_PATHS[@]}"; do
		rm -rf --one-file-system "$p"
	done
	if [ "$(uname -n)" != "$HOSTNAME_BEFORE" ]; then
		echo "the host's hostname became '$(uname -n)': set back to '$HOSTNAME_BEFORE'" >&2
		echo "$HOSTNAME_BEFORE" >/proc/sys/kernel/hostname
		return 1
	fi
}

teardown() {
	common_teardown
}

# ---------------------------------------------------------------------------
# Shared promises, steps 02 onwards

# The shell loop that lists COMMAND's open descriptors above 2. It uses no
# program of its own (ls would open a descriptor to read the directory).
FD_SCAN='n=3; while [ $n -le 1023 ]; do [ -e /proc/self/fd/$n ] && echo "fd $n open"; n=$((n + 1)); done; true'

# stderr_has ERE: after run_engine, some stderr line matches ERE.
stderr_has() {
	printf '%s\n' "${stderr_lines[@]}" | grep -Eq -- "$1" ||
		fail "no stderr line matches '$1'; stderr was:"$'\n'"$stderr"
}

# Every line the engine writes on stderr starts with "container: " (a usage
# error may add a hint line "Try '... --help'.").
assert_stderr_prefixed() {
	local line
	for line in "${stderr_lines[@]}"; do
		[[ $line == "container: "* || $line == "Try '"*"--help'"* ]] ||
			fail "a stderr line without 'container: ': '$line'"
	done
}

promise_exit_status() {
	requires_namespaces
	local n
	for n in 0 1 3 42 255; do
		run_engine -- sh -c "exit $n"
		[ "$status" -eq "$n" ] || fail "COMMAND exited $n, the engine exited $status (stderr: $stderr)"
	done
}

promise_signal_status() {
	requires_namespaces
	run_engine -- sh -c 'kill -KILL $$'
	[ "$status" -eq 137 ] || fail "COMMAND killed by SIGKILL: want 137, got $status"
	run_engine -- sh -c 'kill -TERM $$'
	[ "$status" -eq 143 ] || fail "COMMAND killed by SIGTERM: want 143, got $status"
}

promise_not_found() {
	requires_namespaces
	# (run -127: a 127 expected, bats need not warn about it)
	run -127 --separate-stderr engine -- no-such-command-in-the-workbook
	assert_equal "$output" ""
	assert_stderr_prefixed
	[[ $stderr == *no-such-command-in-the-workbook* ]] || fail "the message does not name COMMAND: $stderr"
	# a name longer than a file's name may be (NAME_MAX, 255): no such file either
	run -127 --separate-stderr engine -- "$(printf 'x%.0s' {1..300})"
}

# A script without "#!" is run by execvp(3) with /bin/sh, its arguments
# copied onto the stack first: 140000 of them make 1.1 MiB. The engine's
# stack for its child (from step 03) must hold them, as step 02's does.
promise_script_with_many_arguments() {
	requires_namespaces
	local script=$BATS_TEST_TMPDIR/noshebang args
	[ "$STEP_NUM" -lt 6 ] || script=$ROOTFS/noshebang
	# shellcheck disable=SC2016
	echo 'echo "ran with $# arguments"' >"$script"
	chmod +x "$script"
	[ "$STEP_NUM" -lt 6 ] || script=/noshebang
	mapfile -t args < <(yes x | head -n 140000)
	run --separate-stderr engine -- "$script" "${args[@]}"
	[ "$status" -eq 0 ] || fail "status $status, not 0 (stderr: $stderr)"
	assert_equal "$output" "ran with 140000 arguments"
}

promise_not_executable() {
	requires_namespaces
	# /etc/passwd: a file without execute permission, on the host and in the rootfs
	run_engine -- /etc/passwd
	assert_equal "$status" 126
	assert_equal "$output" ""
	assert_stderr_prefixed
}

promise_unknown_option() {
	run_engine --no-such-option -- true
	assert_equal "$status" 125
	assert_equal "$output" ""
	[[ $stderr == "container: "*--no-such-option* ]] || fail "the message does not name the option: $stderr"
}

promise_missing_command() {
	run --separate-stderr "$CONTAINER"
	assert_equal "$status" 125
	assert_equal "$output" ""
	assert_stderr_prefixed
	run_engine --verbose --
	assert_equal "$status" 125
	assert_equal "$output" ""
	assert_stderr_prefixed
}

promise_help() {
	run --separate-stderr "$CONTAINER" --help
	assert_equal "$status" 0
	assert_equal "$stderr" ""
	[[ $output == *[Uu]sage* ]] || fail "--help printed no usage on stdout: '$output'"
}

# An option that takes a value takes it as --name=value or --name value; one
# that takes none refuses "=value" as bad usage, quoting the word as typed.
promise_option_forms() {
	local word
	for word in --verbose=1 --help=x; do
		run_engine "$word" -- true
		assert_equal "$status" 125
		assert_equal "$output" ""
		assert_stderr_prefixed
		[[ $stderr == *"'$word'"* ]] || fail "the message does not quote '$word': $stderr"
	done
	[ "$STEP_NUM" -ge 4 ] || return 0
	requires root
	run_engine --hostname=form-equals -- uname -n
	assert_equal "$status" 0
	assert_equal "$output" form-equals
	run_engine --hostname form-space -- uname -n
	assert_equal "$status" 0
	assert_equal "$output" form-space
}

promise_options_stop_at_command() {
	requires_namespaces
	run_engine -- sh -c 'echo --help'
	assert_equal "$status" 0
	assert_equal "$output" --help
	run_engine -- echo --verbose --no-such-option
	assert_equal "$status" 0
	assert_equal "$output" "--verbose --no-such-option"
	assert_equal "$stderr" ""
	# `--` ends the options too
	engine_argv -- sh -c 'echo --help'
	ENGINE_ARGV=("${ENGINE_ARGV[0]}" -- "${ENGINE_ARGV[@]:1}")
	run --separate-stderr "${ENGINE_ARGV[@]}"
	assert_equal "$status" 0
	assert_equal "$output" --help
}

promise_stdout_is_commands() {
	requires_namespaces
	run_engine -- echo hello
	assert_equal "$status" 0
	assert_equal "$output" hello
	assert_equal "$stderr" ""
	run_engine --verbose -- echo hello
	assert_equal "$status" 0
	assert_equal "$output" hello
	assert_stderr_prefixed
	run_engine --verbose -- sh -c 'exit 7'
	assert_equal "$status" 7
	assert_equal "$output" ""
}

promise_stdin_reaches_command() {
	requires_namespaces
	run_engine -- sh -c 'read -r line; echo "got: $line"' <<<"a line on stdin"
	assert_equal "$status" 0
	assert_equal "$output" "got: a line on stdin"
	printf 'one\ntwo\nthree\n' >"$BATS_TEST_TMPDIR/input"
	run_engine -- cat <"$BATS_TEST_TMPDIR/input"
	assert_equal "$status" 0
	assert_equal "$output" "$(printf 'one\ntwo\nthree')"
}

# --verbose: "container: NAME(ARGS) = RESULT" lines on stderr, among them the
# creation of the child (fork or clone), the wait, and execvp before it runs.
promise_verbose() {
	local line call_re='^container: [a-z_0-9]+\(.*\) = (-?[0-9]+|-1 E[A-Z0-9]+ \(.*\))$'
	requires_namespaces
	run_engine --verbose -- true
	assert_equal "$status" 0
	assert_equal "$output" ""
	assert_stderr_prefixed
	# A line that shows a call has its result; only execvp's, shown before
	# the call since it returns only on failure, has none.
	for line in "${stderr_lines[@]}"; do
		[[ $line =~ ^container:\ [a-z_0-9]+\( ]] || continue
		[[ $line =~ $call_re ]] || [[ $line =~ ^container:\ execvp\(\"[^\"]*\",\ \[.*\]\)$ ]] ||
			fail "a --verbose line not of the shape NAME(ARGS) = RESULT: '$line'"
	done
	stderr_has '^container: (fork|clone)\(.*\) = [0-9]+$'
	stderr_has '^container: waitpid\(.*\) = [0-9]+$'
	stderr_has '^container: execvp\("true", \["true"\]\)$'
	# what each step adds to the container, as the contract lists it
	if [ "$STEP_NUM" -ge 4 ]; then
		stderr_has '^container: clone\((.*\|)?CLONE_NEWUTS\|.*CLONE_NEWIPC\|.*CLONE_NEWNET(\|.*)?\) = [0-9]+$'
		stderr_has '^container: sethostname\("container"\) = 0$'
	fi
	if [ "$STEP_NUM" -ge 5 ]; then
		stderr_has '^container: clone\(.*CLONE_NEWPID.*\) = [0-9]+$'
		stderr_has '^container: fork\(\) = [0-9]+$'
	fi
	if [ "$STEP_NUM" -ge 6 ]; then
		stderr_has '^container: clone\(.*CLONE_NEWNS.*\) = [0-9]+$'
		stderr_has '^container: mount\(.*"/",.*MS_REC\|MS_PRIVATE.*\) = 0$'
		stderr_has '^container: mount\("proc", "/proc", "proc",.*\) = 0$'
		stderr_has '^container: mount\(.*"/dev", "tmpfs",.*\) = 0$'
	fi
	if [ "$STEP_NUM" -eq 6 ]; then
		stderr_has '^container: chroot\(.*\) = 0$'
	fi
	if [ "$STEP_NUM" -ge 7 ]; then
		stderr_has '^container: mount\(.*MS_BIND.*\) = 0$'
		stderr_has '^container: pivot_root\(.*\) = 0$'
		stderr_has '^container: umount2\(.*MNT_DETACH\) = 0$'
	fi
	if [ "$STEP_NUM" -ge 8 ]; then
		stderr_has '^container: mkdir\(.*/container-[0-9]+"?\) = 0$'
		stderr_has '^container: write\(.*/container-[0-9]+/cgroup\.procs.*\) = 0$'
		stderr_has '^container: rmdir\(.*/container-[0-9]+"?\) = 0$'
		stderr_has '^container: unshare\(CLONE_NEWCGROUP\) = 0$'
	fi
	run_engine -- true
	assert_equal "$stderr" ""
	# one line a call, whatever the arguments hold: strings as strace shows them
	run_engine --verbose -- sh -c $'echo one\necho "two"' $'x\t\\y'
	assert_equal "$status" 0
	assert_stderr_prefixed
	stderr_has '^container: execvp\("sh", \["sh", "-c", "echo one\\necho \\"two\\"", "x\\t\\\\y"\]\)$'
}

# --verbose shows the kill(2) that passes a signal on (step 05 on): the
# engine's to init, and init's to COMMAND.
promise_verbose_kill() {
	requires root
	shared_dir
	start_engine --verbose -- sh -c "trap 'exit 42' TERM
		echo ready > $BOX_DIR/ready
		while :; do sleep 1000 & wait \$!; done"
	mark_process "$BOX_DIR"
	wait_for_file "$HOST_DIR/ready"
	kill -TERM "$ENGINE_PID"
	wait_engine 10
	assert_equal "$ENGINE_STATUS" 42
	grep -Eq '^container: kill\([0-9]+, SIGTERM\) = 0$' "$ENGINE_ERR" ||
		fail "no line 'container: kill(PID, SIGTERM) = 0' in --verbose: $(cat "$ENGINE_ERR")"
}

# No descriptor but 0, 1 and 2 reaches COMMAND: neither the engine's own nor
# any of its caller's. bats passes several of its own; 7 and 8 are ours.
promise_no_fd_leak() {
	requires_namespaces
	exec 7<"$BATS_TEST_FILENAME" 8>/dev/null
	# the check itself sees descriptors when there are some
	run sh -c "$FD_SCAN"
	assert_line "fd 7 open"
	assert_line "fd 8 open"
	run_engine -- sh -c "$FD_SCAN"
	exec 7<&- 8>&-
	assert_equal "$status" 0
	assert_equal "$output" ""
}

# ---------------------------------------------------------------------------
# Shared promises, steps 04 onwards: UTS, IPC and network namespaces

promise_default_hostname() {
	requires root
	run_engine -- uname -n
	assert_equal "$status" 0
	assert_equal "$output" container
}

promise_hostname_option() {
	requires root
	run_engine --hostname box -- uname -n
	assert_equal "$status" 0
	assert_equal "$output" box
	local long=$(printf 'h%.0s' $(seq 64))
	run_engine --hostname "$long" -- uname -n
	assert_equal "$status" 0
	assert_equal "$output" "$long"
}

promise_host_hostname_unchanged() {
	requires root
	local before=$(uname -n)
	run_engine --hostname box -- sh -c 'hostname other-name; uname -n'
	assert_equal "$status" 0
	assert_equal "$output" other-name
	assert_equal "$(uname -n)" "$before"
}

promise_new_namespaces() {
	requires root
	local ns host
	for ns in uts ipc net; do
		host=$(readlink "/proc/$$/ns/$ns")
		run_engine -- readlink "/proc/self/ns/$ns"
		assert_equal "$status" 0
		[[ $output == "$ns:["*"]" ]] || fail "readlink /proc/self/ns/$ns inside gave '$output'"
		[ "$output" != "$host" ] || fail "$ns namespace inside is the host's: $output"
	done
}

# The only interface is lo, besides the fallback tunnel devices that the
# kernel adds, down, to every new network namespace while their modules are
# loaded (sit0, tunl0, gre0...): those must be down.
FALLBACK_TUNNELS='^(sit|tunl|gre|gretap|erspan|ip_vti|ip6_vti|ip6tnl|ip6gre|ip6gretap|ip6erspan)0$'
promise_only_lo() {
	requires root
	# /proc/net/dev: two header lines, then "  NAME: counters" per interface
	run_engine -- cat /proc/net/dev
	assert_equal "$status" 0
	local names name others=()
	names=$(printf '%s\n' "${lines[@]:2}" | sed 's/:.*//; s/ //g')
	printf '%s\n' "$names" | grep -qx lo || fail "no lo inside: $names"
	for name in $names; do
		[ "$name" != lo ] || continue
		[[ $name =~ $FALLBACK_TUNNELS ]] || fail "an interface besides lo inside: $name (all: $(echo $names))"
		others+=("$name")
	done
	[ "${#others[@]}" -gt 0 ] || return 0
	helper_program loopback
	for name in "${others[@]}"; do
		run_engine -- "$HELPER" flags "$name"
		assert_equal "$output" "$name down"
	done
}

promise_lo_up() {
	requires root
	helper_program loopback
	run_engine -- "$HELPER" flags lo
	assert_equal "$status" 0
	assert_equal "$output" "lo up"
}

promise_loopback_tcp() {
	requires root
	helper_program loopback
	run_engine -- "$HELPER" tcp
	assert_equal "$status" 0
	assert_equal "$output" "tcp 127.0.0.1 ok"
}

promise_bad_hostname() {
	requires root
	local long=$(printf 'h%.0s' $(seq 65))
	run_engine --hostname= -- true
	assert_equal "$status" 125
	assert_equal "$output" ""
	assert_stderr_prefixed
	run_engine --hostname "$long" -- true
	assert_equal "$status" 125
	assert_stderr_prefixed
	run_engine -- true --hostname
	assert_equal "$status" 0
	run --separate-stderr "$CONTAINER" --hostname
	assert_equal "$status" 125
}

# An ordinary user cannot make namespaces: a message that says root is needed, 125.
promise_needs_root() {
	requires root setpriv
	local dir
	dir=$(mktemp -d /tmp/container-nonroot.XXXXXX)
	cleanup_path "$dir"
	chmod 0755 "$dir"
	cp "$CONTAINER" "$dir/container"
	chmod 0755 "$dir/container"
	# a rootfs anyone can read, for the steps that take one
	CONTAINER=$dir/container ROOTFS=/ engine_argv --verbose -- true
	cd "$dir"
	run --separate-stderr setpriv --reuid=65534 --regid=65534 --clear-groups "${ENGINE_ARGV[@]}"
	assert_equal "$status" 125
	assert_equal "$output" ""
	assert_stderr_prefixed
	[[ $stderr == *root* ]] || fail "the message does not say root is needed: $stderr"
	[[ $stderr =~ \ =\ -1\ E[A-Z]+\ \( ]] || fail "--verbose shows no failed call '= -1 ENAME (...)': $stderr"
}

# ---------------------------------------------------------------------------
# Shared promises, steps 05 onwards: PID namespace and init

promise_parent_is_init() {
	requires root
	run_engine -- sh -c 'echo $PPID'
	assert_equal "$status" 0
	assert_equal "$output" 1
}

# init_pid: the host pid of the container's init, the engine's one child.
init_pid() {
	local c
	c=$(children "$ENGINE_PID")
	[ -n "$c" ] && [ "$(echo "$c" | wc -l)" -eq 1 ] || fail "the engine $ENGINE_PID has children '$c', not one init"
	echo "$c"
}

# signal_reaches_command SIG: sent to the engine, SIG reaches a COMMAND that traps it.
signal_reaches_command() {
	local sig=$1
	shared_dir
	# wait, unlike a command in the foreground, lets a trap run at once
	start_engine -- sh -c "trap 'echo $sig > $BOX_DIR/got; kill \$! 2>/dev/null; exit 42' $sig
		echo ready > $BOX_DIR/ready
		while :; do sleep 1000 & wait \$!; done"
	mark_process "$BOX_DIR"
	wait_for_file "$HOST_DIR/ready"
	kill -"$sig" "$ENGINE_PID"
	wait_engine 10
	[ "$ENGINE_STATUS" -eq 42 ] || fail "SIG$sig to the engine: COMMAND's trap did not run (status $ENGINE_STATUS, stderr: $(cat "$ENGINE_ERR"))"
	assert_equal "$(cat "$HOST_DIR/got")" "$sig"
}

promise_sigterm_forwarded() {
	requires root
	signal_reaches_command TERM
}

promise_signals_forwarded() {
	requires root
	local sig
	for sig in INT HUP QUIT USR1 USR2; do
		signal_reaches_command "$sig"
		rm -rf "$HOST_DIR"
	done
}

# A signal sent while the container starts is not lost: the engine and init
# hold it until init can pass it on; a lost one leaves COMMAND running.
# Each try sends SIGTERM at a moment of the start: odd tries just after the
# engine's exec, even ones just after its child (init) appears. The waits
# for those moments run no program, to be quick enough to catch them.
promise_early_signal_not_lost() {
	requires root
	local i mark end kids
	for i in 1 2 3 4 5 6; do
		mark=2000$$$i
		mark_process "sleep $mark"
		start_engine -- sleep "$mark"
		end=$((SECONDS + 5))
		# not before the exec: a signal that reaches the shell's child
		# before it execs is the shell's, and lost
		until engine_started || [ "$SECONDS" -ge "$end" ]; do :; done
		kids=
		while [ $((i % 2)) -eq 0 ] && [ -z "$kids" ] && [ -e "/proc/$ENGINE_PID/exe" ] && [ "$SECONDS" -lt "$end" ]; do
			read -r kids <"/proc/$ENGINE_PID/task/$ENGINE_PID/children" || true
		done
		kill -TERM "$ENGINE_PID"
		wait_engine 10 || fail "SIGTERM at start, try $i: lost, COMMAND still runs"
		[ "$ENGINE_STATUS" -eq 143 ] || fail "SIGTERM at start, try $i: want 143, got $ENGINE_STATUS ($(cat "$ENGINE_ERR"))"
		wait_until 5 no_process_marked "sleep $mark" ||
			fail "SIGTERM at start, try $i: COMMAND outlived the engine: $(pids_marked "sleep $mark")"
	done
}

promise_ends_with_command() {
	requires root
	local mark=1000$$
	mark_process "sleep $mark"
	start_engine -- sh -c "sleep $mark & exit 3"
	wait_engine 10
	assert_equal "$ENGINE_STATUS" 3
	# the kernel ends what is left in the namespace
	wait_until 5 no_process_marked "sleep $mark" ||
		fail "a process of the container outlived it: $(pids_marked "sleep $mark")"
}

# zombie_children PID: PID's children that are zombies, as "pid (name)".
zombie_children() {
	local c
	for c in $(children "$1"); do
		[ "$(process_state "$c")" = Z ] && echo "$c ($(cat "/proc/$c/comm" 2>/dev/null))"
	done
	true
}

no_orphan_left() {
	local c
	for c in $(children "$1"); do
		[ "$(cat "/proc/$c/comm" 2>/dev/null)" = sleep ] && return 1
	done
	return 0
}

promise_orphans_reaped() {
	requires root
	local init
	shared_dir
	# (sleep 1 &): the subshell ends at once, its child sleep becomes an
	# orphan that init adopts and must reap when it exits
	start_engine -- sh -c "(sleep 1 &); echo ready > $BOX_DIR/ready; while :; do sleep 10; done"
	mark_process "$BOX_DIR"
	wait_for_file "$HOST_DIR/ready"
	init=$(init_pid)
	wait_until 10 no_orphan_left "$init" ||
		fail "init ($init) keeps an orphan that ended: zombies $(zombie_children "$init")"
	assert_equal "$(zombie_children "$init")" ""
}

# ---------------------------------------------------------------------------
# Hardening: whatever the caller, the terminal or bad luck does (steps 02+,
# 05+ and 06+ as each promise says)

# A directory on stdin, stdout or stderr is a way out of any root
# (/proc/self/fd/0/): refused with 125 before anything runs.
promise_directory_on_stdio_refused() {
	requires_namespaces
	local n st err=$BATS_TEST_TMPDIR/stdio.err
	shared_dir
	engine_argv -- sh -c "echo ran > $BOX_DIR/ran"
	for n in 0 1 2; do
		st=0
		case $n in
		0) "${ENGINE_ARGV[@]}" </ 2>"$err" || st=$? ;;
		1) "${ENGINE_ARGV[@]}" 1</ 2>"$err" || st=$? ;;
		2) "${ENGINE_ARGV[@]}" 2</ || st=$? ;;
		esac
		[ "$st" -eq 125 ] || fail "a directory on fd $n: status $st, not 125 ($(cat "$err"))"
		[ ! -e "$HOST_DIR/ran" ] || fail "a directory on fd $n: COMMAND ran"
		if [ "$n" != 2 ]; then
			grep -q '^container: ' "$err" || fail "a directory on fd $n: no message on stderr"
		fi
	done
}

# No process of the container holds a file or directory of the caller's,
# init included: seen from the host in /proc/PID/fd of every process under
# the engine and, from step 06 on, from inside through /proc/N/fd/, the way
# out of a root. The caller passes a directory (fd 7) and a file (fd 8).
promise_no_caller_fd_in_container() {
	requires root
	local dir=$BATS_TEST_TMPDIR/caller-dir-$$ p fd target held=() inside=:
	mkdir -p "$dir"
	echo secret >"$dir/caller-secret"
	shared_dir
	if [ "$STEP_NUM" -ge 6 ]; then
		# (no cat of an fd: one may be a pipe, and block)
		# shellcheck disable=SC2016
		inside='for f in /proc/[0-9]*/fd/*; do
			case $f in */fd/0 | */fd/1 | */fd/2) continue ;; esac
			case $(readlink "$f") in *caller-dir*) echo "held inside: $f -> $(readlink "$f")" ;; esac
			[ -e "$f/caller-secret" ] && echo "a way out: $f/"
		done'
	fi
	exec 7<"$dir" 8<"$dir/caller-secret"
	start_engine -- sh -c "$inside; echo ready > $BOX_DIR/ready
		i=0; while [ ! -e $BOX_DIR/go ] && [ \$i -lt 300 ]; do sleep 0.1; i=\$((i + 1)); done"
	exec 7<&- 8<&-
	mark_process "$BOX_DIR"
	wait_for_file "$HOST_DIR/ready" || fail "COMMAND did not start: $(cat "$ENGINE_ERR")"
	for p in $(descendants "$ENGINE_PID"); do
		for fd in /proc/"$p"/fd/*; do
			target=$(readlink "$fd" 2>/dev/null) || continue
			case $target in
			"$dir" | "$dir"/*) held+=("pid $p ($(cat "/proc/$p/comm" 2>/dev/null)) fd ${fd##*/} -> $target") ;;
			esac
		done
	done
	touch "$HOST_DIR/go"
	wait_engine 30
	[ "${#held[@]}" -eq 0 ] || fail "the caller's directory or file is held in the container: ${held[*]}"
	assert_equal "$(cat "$ENGINE_OUT")" ""
	assert_equal "$ENGINE_STATUS" 0
}

# A closed, full or broken stderr (`--verbose ... 2>&1 | head -1`) neither
# kills the engine nor changes its exit status.
promise_broken_stderr_keeps_status() {
	requires_namespaces
	engine_argv --verbose -- sh -c 'sleep 0.3; exit 3'
	# shellcheck disable=SC2016
	run bash -c '"$@" 2>&1 | head -n 1 >/dev/null; exit "${PIPESTATUS[0]}"' broken "${ENGINE_ARGV[@]}"
	[ "$status" -eq 3 ] || fail "stderr into a pipe that closed (| head -1): status $status, not COMMAND's 3"
	# shellcheck disable=SC2016
	run bash -c '"$@" 2>&-' closed "${ENGINE_ARGV[@]}"
	[ "$status" -eq 3 ] || fail "stderr closed: status $status, not COMMAND's 3"
	run bash -c '"$@" 2>/dev/full' full "${ENGINE_ARGV[@]}"
	[ "$status" -eq 3 ] || fail "stderr full: status $status, not COMMAND's 3"
	# broken before the engine's first word: a directory on stdin, refused at once
	# shellcheck disable=SC2016
	run bash -c 'exec 2> >(exit 0); wait $!; "$@" </' early "${ENGINE_ARGV[@]}"
	[ "$status" -eq 125 ] || fail "stdin a directory, stderr a pipe already closed: status $status, not 125"
}

# 127 is decided from execvp's error, whatever happens to the message.
promise_not_found_without_stderr() {
	requires_namespaces
	engine_argv -- no-such-command-in-the-workbook
	# (run -127: the status must be 127, and bats need not warn about it)
	run -127 bash -c '"$@" 2>&-' closed "${ENGINE_ARGV[@]}"
	run -127 bash -c '"$@" 2>/dev/full' full "${ENGINE_ARGV[@]}"
}

# SIG_STATUS_RE: the two lines of /proc/self/status of a process with
# every signal at its default action and none blocked.
SIG_STATUS_RE='^Sig(Blk|Ign):[[:space:]]+0+$'

# assert_signals_default WHAT: run's $output is the SigBlk and SigIgn lines
# of a process with no signal blocked or ignored.
assert_signals_default() {
	[ "${#lines[@]}" -eq 2 ] || fail "$1: not two Sig lines: $output (stderr: $stderr)"
	[[ ${lines[0]} =~ $SIG_STATUS_RE && ${lines[1]} =~ $SIG_STATUS_RE ]] ||
		fail "$1: COMMAND starts with signals blocked or ignored: $output"
}

# Signals the caller ignores or blocks change nothing: the engine sees its
# children end, and COMMAND starts with every signal at its default action
# and none blocked. (SIGPIPE too: the engine ignores it for itself alone.)
promise_caller_signals_change_nothing() {
	requires_namespaces
	local mark=sig$$x$BATS_TEST_NUMBER sigblock
	mark_process "$mark"
	# the pattern's last word matches nothing: it marks the processes
	engine_argv -- grep -E "^(SigBlk|SigIgn|$mark):" /proc/self/status
	run --separate-stderr timeout -s KILL 20 "${ENGINE_ARGV[@]}"
	assert_equal "$status" 0
	assert_signals_default "a plain run"
	# a non-interactive shell's `cmd &` ignores INT and QUIT, nohup HUP
	run --separate-stderr timeout -s KILL 20 env --ignore-signal=INT,QUIT,HUP,PIPE,TERM,USR1,USR2,ALRM "${ENGINE_ARGV[@]}"
	[ "$status" -eq 0 ] || fail "caller ignoring INT QUIT HUP PIPE TERM USR1 USR2 ALRM: status $status (stderr: $stderr)"
	assert_signals_default "caller ignoring INT QUIT HUP PIPE TERM USR1 USR2 ALRM"
	run --separate-stderr timeout -s KILL 20 env --block-signal "${ENGINE_ARGV[@]}"
	[ "$status" -eq 0 ] || fail "caller blocking every signal: status $status (stderr: $stderr)"
	assert_signals_default "caller blocking every signal"
	# 32 and 33 blocked too, and SIGUSR1 and SIGTERM sent while blocked (pending)
	sigblock=$(build_helper sigblock) || fail "cannot build tests/helpers/sigblock.c"
	run --separate-stderr timeout -s KILL 20 "$sigblock" "${ENGINE_ARGV[@]}"
	[ "$status" -eq 0 ] || fail "caller blocking signals 1-64 with USR1 and TERM pending: status $status (stderr: $stderr)"
	assert_signals_default "caller blocking signals 1-64 with USR1 and TERM pending"
	# SIGCHLD ignored: children are reaped by the kernel, and no SIGCHLD comes
	engine_argv -- sh -c 'exit 7' "$mark"
	run --separate-stderr timeout -s KILL 20 env --ignore-signal=CHLD "${ENGINE_ARGV[@]}"
	[ "$status" -eq 7 ] || fail "caller ignoring SIGCHLD: status $status, not COMMAND's 7 (137: the engine hung; stderr: $stderr)"
}

# A signal sent to the engine reaches COMMAND also when the caller ignored
# it (`cmd &` ignores INT, nohup HUP) or blocked it.
promise_signals_forwarded_though_caller_ignores() {
	requires root
	local sig
	for sig in INT HUP TERM; do
		shared_dir
		engine_argv -- sh -c "trap 'echo $sig > $BOX_DIR/got; kill \$! 2>/dev/null; exit 42' $sig
			echo ready > $BOX_DIR/ready
			while :; do sleep 1000 & wait \$!; done"
		env --ignore-signal=INT,QUIT,HUP --block-signal=TERM "${ENGINE_ARGV[@]}" \
			</dev/null >"$BATS_TEST_TMPDIR/engine.out" 2>"$BATS_TEST_TMPDIR/engine.err" 3>&- &
		ENGINE_PID=$!
		ENGINE_ERR=$BATS_TEST_TMPDIR/engine.err
		mark_process "$BOX_DIR"
		wait_for_file "$HOST_DIR/ready" || fail "COMMAND did not start: $(cat "$ENGINE_ERR")"
		kill -"$sig" "$ENGINE_PID"
		wait_engine 10 || fail "SIG$sig to an engine whose caller ignored or blocked it: it still runs"
		[ "$ENGINE_STATUS" -eq 42 ] ||
			fail "SIG$sig to an engine whose caller ignored or blocked it: COMMAND's trap did not run (status $ENGINE_STATUS, stderr: $(cat "$ENGINE_ERR"))"
	done
}

# terminal_run STEP...: run the engine on a pseudo-terminal of its own
# (tests/helpers/pty.c), as the session leader in the terminal's foreground
# process group, with COMMAND counting the SIGINT, SIGQUIT and SIGHUP it
# gets (tests/helpers/sigcount.c); once COMMAND is ready, the STEPs (intr,
# quit, hangup) play the user. $status is the engine's, COUNTS what
# COMMAND counted: "INT n QUIT n HUP n". With --under-shell first, a shell
# leads the session instead, and runs the engine (as a login shell would).
terminal_run() {
	local pty shell=()
	if [ "$1" = --under-shell ]; then
		shell=(sh -c '"$@"; :' sh)
		shift
	fi
	pty=$(build_helper pty) || skip "cannot build tests/helpers/pty.c statically"
	helper_program sigcount
	shared_dir
	mark_process "$BOX_DIR"
	engine_argv -- "$HELPER" "$BOX_DIR/ready" "$BOX_DIR/counts"
	run timeout -s KILL 60 "$pty" wait "$HOST_DIR/ready" "$@" -- "${shell[@]}" "${ENGINE_ARGV[@]}"
	# (a shell ended by the hang-up does not wait for COMMAND to say)
	wait_until 10 test -s "$HOST_DIR/counts" || true
	COUNTS=$(cat "$HOST_DIR/counts" 2>/dev/null) || COUNTS="(none: $output)"
}

# The terminal sends Ctrl-C's SIGINT and Ctrl-\'s SIGQUIT to its whole
# foreground process group: COMMAND gets each once, not once more for each
# of the engine and init passing it on.
promise_terminal_signals_once() {
	requires root
	terminal_run intr
	assert_equal "$COUNTS" "INT 1 QUIT 0 HUP 0"
	assert_equal "$status" 0
	terminal_run quit
	assert_equal "$COUNTS" "INT 0 QUIT 1 HUP 0"
	assert_equal "$status" 0
}

# Ctrl-C typed while the container starts, before COMMAND exists (init is
# held in its sethostname for 3 s by strace), still reaches COMMAND: init
# and the engine each hold a copy that no child of theirs has.
promise_terminal_signal_during_start() {
	requires root
	local pty
	pty=$(build_helper pty) || skip "cannot build tests/helpers/pty.c statically"
	shared_dir
	mark_process "$BOX_DIR"
	engine_argv -- sh -c "sleep 5; : $BOX_DIR"
	"$pty" wait "$HOST_DIR/go" intr -- strace -f -qq -o /dev/null -e trace=sethostname \
		-e inject=sethostname:delay_enter=3000000 "${ENGINE_ARGV[@]}" >"$BATS_TEST_TMPDIR/pty.out" 2>&1 &
	local pid=$! st=0
	STARTED_PIDS+=("$pid")
	sleep 1
	touch "$HOST_DIR/go"
	wait_until 30 process_ended "$pid" || fail "the engine did not end"
	wait "$pid" || st=$?
	[ "$st" -eq 130 ] || fail "Ctrl-C while the container started: status $st, not 130 (COMMAND killed by SIGINT): $(cat "$BATS_TEST_TMPDIR/pty.out")"
}

# process_stopped PID: PID is stopped (state T), by a signal.
process_stopped() {
	[ "$(process_state "$1")" = T ]
}

# A background job that writes to a terminal set to `stty tostop` is stopped
# by SIGTTOU, but the kernel never stops a namespace's init: its write would
# be tried again for ever, at 100% of a CPU. With --verbose init writes: it
# must not spin while the engine is stopped.
promise_init_writes_from_the_background() {
	requires root
	local pty engine init t1 t2 state
	pty=$(build_helper pty) || skip "cannot build tests/helpers/pty.c statically"
	shared_dir
	mark_process "$BOX_DIR"
	engine_argv --verbose -- sleep 30 "$BOX_DIR"
	# shellcheck disable=SC2016
	# (the shell polls: a `wait` would end at the stop, and the shell's exit
	# would hang up the stopped job)
	"$pty" -- sh -c 'stty tostop; set -m; "$@" & echo $! >"$0"; while kill -0 $! 2>/dev/null; do sleep 0.1; done' "$HOST_DIR/engine.pid" \
		"${ENGINE_ARGV[@]}" >/dev/null 2>&1 &
	STARTED_PIDS+=("$!")
	wait_for_file "$HOST_DIR/engine.pid" || fail "the engine did not start"
	engine=$(cat "$HOST_DIR/engine.pid")
	wait_until 10 process_stopped "$engine" || fail "the engine was not stopped by SIGTTOU (state $(process_state "$engine"))"
	init=$(children "$engine")
	[ -n "$init" ] || fail "the engine has no init"
	sleep 0.5
	t1=$(awk '{ print $14 + $15 }' "/proc/$init/stat")
	sleep 1
	t2=$(awk '{ print $14 + $15 }' "/proc/$init/stat")
	state=$(process_state "$init")
	kill -KILL "$engine"
	[ $((t2 - t1)) -lt "$(($(getconf CLK_TCK) / 2))" ] ||
		fail "init used $((t2 - t1)) of $(getconf CLK_TCK) clock ticks in a second, in state $state: it spins"
}

# A hang-up, which the kernel signals to the session leader alone (here
# the engine), still reaches COMMAND as SIGHUP. When the leader is a shell
# that the hang-up ends, the kernel signals SIGHUP to the whole foreground
# process group instead: COMMAND gets it once, as Ctrl-C's SIGINT.
promise_hangup_reaches_command() {
	requires root
	terminal_run hangup
	[[ $COUNTS =~ ^INT\ 0\ QUIT\ 0\ HUP\ [1-9][0-9]*$ ]] || fail "after a hang-up COMMAND counted: $COUNTS"
	terminal_run --under-shell hangup
	assert_equal "$COUNTS" "INT 0 QUIT 0 HUP 1"
}

# marked_program_runs MARK NAME: a process named NAME has MARK in its command line.
marked_program_runs() {
	local p
	for p in $(pids_marked "$1"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = "$2" ] && return 0
	done
	return 1
}

# container_gone MARK: no process has MARK in its command line but strace.
container_gone() {
	local p
	for p in $(pids_marked "$1"); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" = strace ] || return 1
	done
	return 0
}

# If the engine dies, even by SIGKILL, the container ends with it.
promise_engine_killed_container_ends() {
	requires root
	local mark=3000$$
	mark_process "sleep $mark"
	start_engine -- sleep "$mark"
	wait_until 20 marked_program_runs "sleep $mark" sleep || fail "COMMAND did not start: $(cat "$ENGINE_ERR")"
	kill -KILL "$ENGINE_PID"
	wait_until 20 container_gone "sleep $mark" ||
		fail "the engine was SIGKILLed; its container lives on: $(pids_marked "sleep $mark")"
}

# The same at the worst moment: the engine is killed once init runs but
# before init has its parent-death signal (strace holds init's prctl calls
# back 1.5 s). No window leaves a container running.
promise_engine_killed_before_init_is_ready() {
	requires root
	command -v strace >/dev/null || fail "needs strace (make tools installs it)"
	local mark=4000$$ nr=
	case $(uname -m) in
	x86_64) nr=157 ;;
	aarch64) nr=167 ;;
	esac
	mark_process "sleep $mark"
	engine_argv -- sleep "$mark"
	strace -f -qq -o /dev/null -e trace=prctl -e inject=prctl:delay_enter=1500000 "${ENGINE_ARGV[@]}" \
		</dev/null >/dev/null 2>"$BATS_TEST_TMPDIR/engine.err" 3>&- &
	TRACER_PID=$!
	wait_until 20 traced_init_in_prctl "$nr" "sleep $mark" ||
		fail "init did not start: $(cat "$BATS_TEST_TMPDIR/engine.err")"
	kill -KILL "$TRACED_ENGINE"
	wait_until 20 container_gone "sleep $mark" ||
		fail "the engine was SIGKILLed before init's prctl; the container lives on: $(pids_marked "sleep $mark")"
	wait_until 20 process_ended "$TRACER_PID" || true
	wait "$TRACER_PID" 2>/dev/null || true
}

# traced_init_in_prctl NR MARK: strace's child (the engine, TRACED_ENGINE)
# has a child (init) held back in the system call NR (prctl), or COMMAND
# (MARK) already runs.
traced_init_in_prctl() {
	local init call
	TRACED_ENGINE=$(children "$TRACER_PID" | head -n 1)
	[ -n "$TRACED_ENGINE" ] || return 1
	init=$(children "$TRACED_ENGINE" | head -n 1)
	[ -n "$init" ] || return 1
	read -r call _ 2>/dev/null <"/proc/$init/syscall" || call=
	[ -n "$1" ] && [ "$call" = "$1" ] && return 0
	marked_program_runs "$2" sleep
}

# Long options are spelled out in full (`--verb` is unknown, not
# --verbose), and one that takes no value refuses `=value`, quoting the
# word as typed (no control bytes).
promise_options_spelled_out() {
	requires_namespaces
	local word
	for word in --verb --hel --verbose=1 --help=x; do
		run_engine "$word" -- sh -c 'echo COMMAND ran'
		[ "$status" -eq 125 ] || fail "'$word': status $status, not 125 (stdout: $output)"
		assert_equal "$output" ""
		assert_stderr_prefixed
		[[ $stderr == *"$word"* ]] || fail "the message does not quote '$word' as typed: $stderr"
		! printf '%s' "$stderr" | tr -d '\n\t' | grep -q '[[:cntrl:]]' ||
			fail "control bytes in the message: $(printf '%s' "$stderr" | od -c | head -n 3)"
	done
}

# ---------------------------------------------------------------------------
# The unlucky: each system call fails in turn, or is where the process
# making it is SIGKILLed. Two passes: the engine's calls alone (strace), then
# those of all its processes (strace -f, which counts calls per process:
# "when=N" strikes the Nth call of that kind in each process that makes N of
# them, the engine, init and COMMAND's parent-to-be at once). Whatever it
# is, nothing may escape or stay.

# Calls left out: those that cannot fail (getpid), those of a C library's
# or a sanitizer's start before main (brk, mmap, mprotect...), execve (the
# engine's own start: COMMAND's is promise_not_executable's), and close,
# which releases the descriptor even when it reports an error, while strace
# would keep it open.
UNTRIED_CALLS='brk|mmap|munmap|mprotect|madvise|arch_prctl|set_tid_address|set_robust_list|rseq|prlimit64|readlink|getrandom|sigaltstack|sched_getaffinity|getpid|getppid|gettid|getuid|geteuid|getgid|getegid|execve|exit|exit_group|close'

# tried_calls: the calls the engine and its processes make in a plain run
# of ENGINE_ARGV (strace -f -c), but the untried ones; each with the most
# times one process makes it, as "CALL N".
tried_calls() {
	local call
	strace -f -qq -c -o "$WB_TMP/summary" "${ENGINE_ARGV[@]}" >/dev/null 2>&1 || true
	for call in $(awk 'NR > 2 && $1 !~ /^-/ && $NF != "total" { print $NF }' "$WB_TMP/summary" |
		grep -vxE "$UNTRIED_CALLS"); do
		strace -f -qq -o "$WB_TMP/calls" -e trace="$call" "${ENGINE_ARGV[@]}" >/dev/null 2>&1 || true
		echo "$call $(awk -v c="$call(" 'index($2, c) == 1 { n[$1]++ } END { for (p in n) if (n[p] > m) m = n[p]; print m + 0 }' "$WB_TMP/calls")"
	done
}

# tries MOST: which of a call's MOST occurrences to try: each one, but of a
# call made more than 20 times (the reset of every signal), the first five,
# the last five and every tenth.
tries() {
	local n
	for ((n = 1; n <= $1; n++)); do
		[ "$1" -le 20 ] || [ "$n" -le 5 ] || [ "$n" -gt $(($1 - 5)) ] || [ $((n % 10)) -eq 0 ] || continue
		echo "$n"
	done
}

# the_unlucky MARK: set the runs up for promise_any_call_may_fail and
# promise_killed_at_any_call: note the host's mounts and ROOTFS as they are,
# and the calls to try (TRIED, counted before any is tried, and with
# COMMAND busybox's true: static, it makes no tried call but prctl).
# Sets BIN, where COMMAND's programs are.
the_unlucky() {
	requires rootfs
	requires_namespaces
	command -v strace >/dev/null || fail "needs strace (make tools installs it)"
	# make sanitize's steps 01 and 02 have AddressSanitizer's runtime
	if ldd "$CONTAINER" 2>/dev/null | grep -q libasan; then
		skip "an AddressSanitizer build: its runtime makes these calls itself before main, and stops when one fails"
	fi
	BIN=/bin
	if [ "$STEP_NUM" -ge 6 ]; then
		MOUNTS_BEFORE=$(test_mounts)
		ROOTFS_BEFORE=$(rootfs_snapshot)
	else
		BIN=$ROOTFS/bin
	fi
	engine_argv -- "$BIN/true" "$1"
	TRIED=$(tried_calls)
}

# each_try RUN: for each pass (the engine alone, then strace -f) and each
# try of each call in TRIED, RUN FOLLOW CALL N, FOLLOW being no word or -f;
# WHAT names the try, for a failure.
each_try() {
	local follow call most nth
	for follow in "" -f; do
		while read -r call most; do
			for nth in $(tries "$most"); do
				WHAT="$call #$nth (strace${follow:+ $follow})"
				"$1" "$follow" "$call" "$nth"
			done
		done <<<"$TRIED"
	done
}

# left_behind MARK: what a run left that it must not: a process of the
# container (MARK), a change to the host's hostname and, from step 06, to
# its mount table; from step 07 a change to ROOTFS; on step 08, a cgroup.
# Empty when nothing.
left_behind() {
	local cgroups
	wait_until 10 container_gone "$1" || echo "processes: $(pids_marked "$1")"
	[ "$(uname -n)" = "$HOSTNAME_BEFORE" ] || echo "the host's hostname is $(uname -n)"
	if [ "$STEP_NUM" -ge 6 ] && [ "$(test_mounts)" != "$MOUNTS_BEFORE" ]; then
		echo "the host's mount table changed: $(diff <(echo "$MOUNTS_BEFORE") <(test_mounts))"
	fi
	if [ "$STEP_NUM" -ge 7 ] && [ "$(rootfs_snapshot)" != "$ROOTFS_BEFORE" ]; then
		echo "ROOTFS changed: $(diff <(echo "$ROOTFS_BEFORE") <(rootfs_snapshot))"
	fi
	if [ "$STEP_NUM" -ge 8 ]; then
		cgroups=$(new_container_cgroups)
		[ -z "$cgroups" ] || echo "cgroups: $cgroups"
	fi
}

# Each call fails with EIO: the engine ends with 0 (a failure it may live
# with: a signal it could not pass on, a stale cgroup it could not read)
# or 125 and a message, and leaves nothing. (127 with the dynamic loader's
# message: a sanitizer's build, or a student's, failed before main.)
promise_any_call_may_fail() {
	MARK=fails-$$
	mark_process "$MARK"
	the_unlucky "$MARK"
	each_try failed_run
}

# failed_run FOLLOW CALL N: one run of ENGINE_ARGV where strace (with
# FOLLOW) fails the Nth CALL of each process with EIO; checked as above.
failed_run() {
	local status=0 stderr left
	# shellcheck disable=SC2086 # $1: no word, or -f
	timeout -s KILL 60 strace $1 -qq -o /dev/null -e trace="$2" -e inject="$2:error=EIO:when=$3" \
		"${ENGINE_ARGV[@]}" </dev/null >/dev/null 2>"$WB_TMP/err" || status=$?
	stderr=$(cat "$WB_TMP/err")
	case $status in
	0) ;;
	125) [[ $stderr == *"container: "* ]] || fail "$WHAT failed: 125 without a message: $stderr" ;;
	127) [[ $stderr == *"error while loading shared libraries"* ]] || fail "$WHAT failed: status 127: $stderr" ;;
	*) fail "$WHAT failed: status $status, not 0 or 125: $stderr" ;;
	esac
	left=$(left_behind "$MARK")
	[ -z "$left" ] || fail "$WHAT failed: left behind: $left"
}

# The process that makes each call is SIGKILLed there. COMMAND is a long
# sleep: once it runs, if its engine was killed it must end with it (from
# step 05: the container dies with its engine); if not, the test ends it,
# for the engine's last calls to come. Nothing stays but, on step 08, the
# cgroup of an engine killed after making it, which the next run removes.
promise_killed_at_any_call() {
	MARK="sleep 2000$$"
	mark_process "$MARK"
	the_unlucky "2000$$"
	QUICK=("${ENGINE_ARGV[@]}")
	engine_argv -- "$BIN/sleep" "2000$$"
	each_try killed_run
}

# killed_run FOLLOW CALL N: one run of ENGINE_ARGV (COMMAND: sleep, MARK)
# where strace (with FOLLOW) SIGKILLs the process that makes its Nth CALL;
# checked as above, and on step 08 followed by a run (QUICK) that sweeps.
killed_run() {
	local tracer pid left
	# shellcheck disable=SC2086 # $1: no word, or -f
	strace $1 -qq -o /dev/null -e trace="$2" -e inject="$2:signal=SIGKILL:when=$3" \
		"${ENGINE_ARGV[@]}" </dev/null >/dev/null 2>&1 &
	tracer=$!
	wait_until 20 run_over_or_command_runs "$tracer" "$MARK" || fail "SIGKILL at $WHAT: nothing happened in 20 s"
	if marked_program_runs "$MARK" sleep; then
		# strace's one child is the engine: none, and the engine was killed
		if [ -z "$(children "$tracer")" ] && [ "$STEP_NUM" -ge 5 ]; then
			wait_until 10 container_gone "$MARK" ||
				fail "SIGKILL at $WHAT: the engine was killed, its container lives on: $(pids_marked "$MARK")"
		fi
		for pid in $(pids_marked "$MARK"); do
			[ "$(cat "/proc/$pid/comm" 2>/dev/null)" != sleep ] || kill -KILL "$pid" 2>/dev/null || true
		done
	fi
	wait_until 20 process_ended "$tracer" || fail "SIGKILL at $WHAT: the run did not end"
	wait "$tracer" 2>/dev/null || true
	[ "$STEP_NUM" -lt 8 ] || "${QUICK[@]}" </dev/null >/dev/null 2>&1 || fail "SIGKILL at $WHAT: the next run failed"
	left=$(left_behind "$MARK")
	[ -z "$left" ] || fail "SIGKILL at $WHAT: left behind: $left"
}

# run_over_or_command_runs PID MARK: PID has ended, or COMMAND (MARK) runs.
run_over_or_command_runs() {
	process_ended "$1" || marked_program_runs "$2" sleep
}

# ---------------------------------------------------------------------------
# The chapters' diagrams
#
# Every chapter opens with a diagram of what its step adds: its first
# ```text block comes before its first "## " heading (right after the
# opening paragraph). Every ```text block of a chapter is a diagram (the
# sequence diagrams of steps 05, 07 and 08 too), and each is followed by a
# one-line caption in italics. The names a diagram gives are the code's:
#
#   NAME()       a function of the step's main.c, or a call it makes with
#                no arguments (fork())
#   NAME(ARGS)   a call the step's main.c makes, written as --verbose
#                prints it where it does: clone(CLONE_NEWUTS|...) = C
#
# check_diagrams [DIR] checks DIR/README.md against DIR/main.c (default:
# this file's step), and names every diagram line that breaks a rule.

# diagram_blocks README: fill DIAGRAM_BLOCKS (each ```text block's lines),
# DIAGRAM_LINES (the line of its opening fence), DIAGRAM_CAPTIONS (the
# first line after its closing fence that is not empty; "" when the
# paragraph has more than one line) and DIAGRAM_HEADING (the line of the
# first "## " heading, 0 if none).
diagram_blocks() {
	local lines n i=0 text caption
	mapfile -t lines <"$1"
	n=${#lines[@]}
	DIAGRAM_BLOCKS=()
	DIAGRAM_LINES=()
	DIAGRAM_CAPTIONS=()
	DIAGRAM_HEADING=0
	while [ "$i" -lt "$n" ]; do
		if [[ ${lines[i]} == "## "* ]] && [ "$DIAGRAM_HEADING" -eq 0 ]; then
			DIAGRAM_HEADING=$((i + 1))
		elif [[ ${lines[i]} =~ ^[[:space:]]*\`\`\`text[[:space:]]*$ ]]; then
			DIAGRAM_LINES+=("$((i + 1))")
			text=
			i=$((i + 1))
			while [ "$i" -lt "$n" ] && ! [[ ${lines[i]} =~ ^[[:space:]]*\`\`\`[[:space:]]*$ ]]; do
				text+=${lines[i]}$'\n'
				i=$((i + 1))
			done
			DIAGRAM_BLOCKS+=("$text")
			# its caption: the next line that is not empty, alone in its paragraph
			i=$((i + 1))
			while [ "$i" -lt "$n" ] && [ -z "${lines[i]}" ]; do
				i=$((i + 1))
			done
			caption=${lines[i]:-}
			if [ "$((i + 1))" -lt "$n" ] && [ -n "${lines[i + 1]}" ]; then
				caption=
			fi
			DIAGRAM_CAPTIONS+=("$caption")
			continue
		elif [[ ${lines[i]} =~ ^[[:space:]]*\`\`\` ]]; then
			# another fenced block (console, c...): skip it whole
			i=$((i + 1))
			while [ "$i" -lt "$n" ] && ! [[ ${lines[i]} =~ ^[[:space:]]*\`\`\`[[:space:]]*$ ]]; do
				i=$((i + 1))
			done
		fi
		i=$((i + 1))
	done
}

# diagram_name_in_code NAME EMPTY MAIN: NAME is in MAIN as a diagram says
# (EMPTY=1 for NAME(): a function defined there, or NAME() called there).
diagram_name_in_code() {
	if [ "$2" = 1 ]; then
		grep -E "^[A-Za-z_][A-Za-z0-9_ *]*[ *]$1\(" "$3" | grep -qvE ';[[:space:]]*$' ||
			grep -qE "(^|[^A-Za-z0-9_])$1\(\)" "$3"
	else
		grep -qE "(^|[^A-Za-z0-9_])$1\(" "$3"
	fi
}

check_diagrams() {
	local dir=${1:-$REPO/$STEP} i token name empty failed=()
	local readme=$dir/README.md main=$dir/main.c at
	[ -z "$GRADING" ] || [ -n "${1:-}" ] ||
		skip "the chapters' diagrams are the workbook's, not CONTAINER=$CONTAINER's"
	[ -f "$readme" ] || fail "$readme does not exist"
	[ -f "$main" ] || fail "$main does not exist"
	diagram_blocks "$readme"
	[ "${#DIAGRAM_BLOCKS[@]}" -gt 0 ] || fail "$readme has no diagram (no \`\`\`text block)"
	[ "$DIAGRAM_HEADING" -eq 0 ] || [ "${DIAGRAM_LINES[0]}" -lt "$DIAGRAM_HEADING" ] ||
		fail "$readme does not open with its diagram: the first \`\`\`text block (line ${DIAGRAM_LINES[0]}) comes after the first ## heading (line $DIAGRAM_HEADING)"
	for i in "${!DIAGRAM_BLOCKS[@]}"; do
		at="README.md line ${DIAGRAM_LINES[i]}"
		[[ ${DIAGRAM_CAPTIONS[i]} =~ ^\*[^*].*\*$ ]] ||
			failed+=("$at: no one-line caption in italics (*...*) after the diagram")
		while IFS= read -r token; do
			[ -n "$token" ] || continue
			name=${token%%(*}
			empty=0
			[[ $token == *"()" ]] && empty=1
			diagram_name_in_code "$name" "$empty" "$main" && continue
			if [ "$empty" = 1 ]; then
				failed+=("$at: $name() is not a function of main.c")
			else
				failed+=("$at: $name(...) is not called in main.c")
			fi
		done < <(grep -oE '[A-Za-z_][A-Za-z0-9_]*\(\)?' <<<"${DIAGRAM_BLOCKS[i]}" | sort -u)
	done
	[ "${#failed[@]}" -eq 0 ] ||
		fail "$(printf '%s\n' "the diagrams of $readme do not follow $main:" "${failed[@]}")"
}
