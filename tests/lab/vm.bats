#!/usr/bin/env bats
# tests/lab/vm.bats: labs without root.  An ordinary user (uid 65534, no
# groups, no sudo) runs a step's tests and the README's shell inside the VM
# (make test STEP=04 VM=1, make shell VM=1; tests/lab/vm-shell.sh).
# Run by make test-labs, as root (to become that user).  Each test boots a
# VM; under software emulation the first takes about 2 minutes, the second
# about 15 s.
#
# The user cannot write to the checkout: its HOME, a fresh directory, gets the
# VM's job directory (~/.cache/container-workbook/vm-out); the kernel comes
# from the checkout's cache, prepared here first as root when needed.

REPO=$(cd "$BATS_TEST_DIRNAME/../.." && pwd)
export BATS_TEST_TIMEOUT=${LAB_VM_TEST_TIMEOUT:-1200}

setup_file() {
	# The kernel, once, for both tests (a download the first time).
	"$REPO/tests/vm/prepare.sh" >/dev/null || true
}

setup() {
	[ "$(id -u)" = 0 ] || skip "needs root, to run the tests as uid 65534"
	command -v setpriv >/dev/null || skip "needs setpriv (util-linux)"
	command -v qemu-system-x86_64 >/dev/null ||
		skip "no qemu-system-x86_64: ask an administrator for the package qemu-system-x86"
	"$REPO/tests/vm/prepare.sh" >/dev/null 2>&1 || skip "no kernel for the VM: $("$REPO/tests/vm/prepare.sh" 2>&1 | tail -n 1)"
	user_home=$(mktemp -d /tmp/lab-vm-home.XXXXXX)
	chown 65534:65534 "$user_home"
	as_user test -r "$REPO/Makefile" -a -x "$REPO/tests/lab/vm-shell.sh" ||
		skip "uid 65534 cannot read the checkout $REPO"
}

teardown() {
	# A failed shell test shows what the terminal showed.
	[ -n "${BATS_TEST_COMPLETED:-}" ] || [ ! -f "${dir:-}/log" ] || cat -v "$dir/log"
	[ -z "${shell_pid:-}" ] || kill "$shell_pid" 2>/dev/null
	[ -z "${user_home:-}" ] || rm -rf "$user_home"
}

# as_user COMMAND...: COMMAND as uid 65534, no groups, in a clean environment.
as_user() {
	setpriv --reuid 65534 --regid 65534 --clear-groups \
		env -i PATH=/usr/local/bin:/usr/bin:/bin HOME="$user_home" TERM=dumb "$@"
}

@test "labs without root: uid 65534 runs make test STEP=04 VM=1, and step 04's namespace tests pass" {
	if as_user sudo -n true 2>/dev/null; then echo "uid 65534 may use sudo here"; return 1; fi
	run as_user make -C "$REPO" --no-print-directory test STEP=04 VM=1
	echo "$output" | tail -n 40
	[ "$status" -eq 0 ]
	# The tests that need root ran (in the VM) instead of skipping.
	[[ $output == *"ok 1 step04: the hostname inside is 'container' by default"$'\n'* ]]
	[[ $output =~ ([0-9]+)\ passed,\ 0\ failed,\ 0\ skipped ]]
	[ "${BASH_REMATCH[1]}" -ge 20 ]
	# The job directory went to the user's HOME, not to the checkout.
	[ -s "$user_home/.cache/container-workbook/vm-out/cgroup2/console.log" ]
}

# wait_log REGEX SECONDS: until the end of the shell's output matches REGEX.
wait_log() {
	local deadline=$((SECONDS + $2))
	until tail -c 200 "$dir/log" | tr -d '\r\033' | grep -qE "$1"; do
		[ $SECONDS -lt $deadline ] || { cat -v "$dir/log"; echo "no /$1/ within $2 s"; return 1; }
		sleep 1
	done
}

@test "labs without root: make shell VM=1 gives uid 65534 an interactive shell in a container" {
	dir=$BATS_TEST_TMPDIR
	mkfifo "$dir/in"
	exec {typing}<>"$dir/in"	# (not fd 3: bats writes its report there)
	# script(1) gives make a terminal; the test types into it.
	as_user script -qfec "make -C $REPO --no-print-directory shell VM=1" /dev/null <"$dir/in" >"$dir/log" 2>&1 &
	shell_pid=$!
	# The container's shell prompts (busybox then asks the terminal where
	# its cursor is: ESC [6n).
	wait_log '/ # (\[6n)?$' 600
	# (what the shell prints, not what it echoes of the line typed)
	# shellcheck disable=SC2016 # (the shell in the container expands it)
	printf 'hostname; cat /etc/workbook-rootfs >/dev/null && echo "in $((40 + 2))"\r' >&"$typing"
	wait_log '^in 42' 120
	tr -d '\r' <"$dir/log" | grep -qx 'box'
	printf 'exit\r' >&"$typing"
	for _ in $(seq 120); do kill -0 "$shell_pid" 2>/dev/null || break; sleep 1; done
	if kill -0 "$shell_pid" 2>/dev/null; then echo "exit did not end make shell"; return 1; fi
	wait "$shell_pid"
	shell_pid=
	exec {typing}>&-
}
