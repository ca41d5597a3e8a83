# What steps 06 (mount) and 07 (pivot-root) promise, as promise_* functions
# that the test files of steps 06, 07 and 08 call, and what they need for it:
# a fresh copy of the root filesystem for each test, containers run in the
# background, the host's mount table, and a teardown that leaves nothing
# mounted or running, even after a failed test.
#
# A test file loads helpers.bash, then this file; it calls mount_setup_file
# from setup_file(), mount_setup from setup() and mount_teardown from
# teardown(). mount_setup points ROOTFS at the test's own copy, so the
# shared promises of helpers.bash run in it too.
#
# Variables set here
#   BASE_ROOTFS   the pristine root filesystem the copies are made from: ROOTFS
#                 as helpers.bash found it, or tests/build/rootfs, made with
#                 tests/make-rootfs.sh when that is missing
#   WB_TMP        the test's own directory, removed by teardown
#   ROOTFS        the test's fresh copy, $WB_TMP/rootfs (or on a shared tmpfs,
#                 after shared_rootfs), with the tools escape, hog and spin in /bin
#   WAIT_LIMIT    the longest any wait lasts, in seconds (60; raise it for a slow VM)

# The programs of tests/helpers/*.c put into every copy's /bin.
ROOTFS_TOOLS=(escape hog spin)
WAIT_LIMIT=${WAIT_LIMIT:-60}
if [ -f "$ROOTFS/etc/workbook-rootfs" ]; then
	BASE_ROOTFS=$ROOTFS
else
	BASE_ROOTFS=$REPO/tests/build/rootfs
fi

# COMMAND's part of a container that runs until the test lets it go: it says
# "ready", then waits until the test makes /release in its root filesystem
# (a minute at most), so the test can look at it from the host meanwhile.
HOLD='echo ready; i=0; while [ ! -e /release ] && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done'

# From setup_file: build the tools, and the pristine root filesystem if there is none.
mount_setup_file() {
	local tool
	for tool in "${ROOTFS_TOOLS[@]}"; do
		build_helper "$tool" >/dev/null
	done
	if [ ! -f "$BASE_ROOTFS/etc/workbook-rootfs" ]; then
		"$REPO/tests/make-rootfs.sh" "$BASE_ROOTFS" >/dev/null
	fi
}

# fresh_rootfs DIR: a copy of the pristine root filesystem, with the tools in /bin.
fresh_rootfs() {
	local tool
	cp -a "$BASE_ROOTFS" "$1"
	for tool in "${ROOTFS_TOOLS[@]}"; do
		cp "$REPO/tests/build/$tool" "$1/bin/$tool"
	done
}

# From setup: WB_TMP, and in it the test's fresh ROOTFS.
mount_setup() {
	requires root
	WB_TMP=$(mktemp -d "${TMPDIR:-/tmp}/workbook-test.XXXXXX")
	ROOTFS=$WB_TMP/rootfs
	fresh_rootfs "$ROOTFS"
	STARTED_PIDS=()
}

# From teardown: end what the test started, unmount what it mounted, remove
# its files. Every guard counts: the status is 1 when any of them failed
# (common_teardown's hostname check among them), since bats runs teardown
# without errexit and would otherwise see only the last command's status.
mount_teardown() {
	local status=0
	kill_started
	common_teardown || status=1
	if [ -n "${WB_TMP:-}" ]; then
		unmount_under "$WB_TMP" || status=1
		rm -rf --one-file-system "$WB_TMP" || status=1
	fi
	return $status
}

# --- processes ------------------------------------------------------------

# kill_started: SIGKILL every process start_container started, and whatever
# they started, then wait (bounded) until they are gone.
kill_started() {
	local pid all=()
	for pid in "${STARTED_PIDS[@]}"; do
		mapfile -t -O "${#all[@]}" all < <(descendants "$pid")
		all+=("$pid")
	done
	for pid in "${all[@]}"; do
		kill -KILL "$pid" 2>/dev/null || true
	done
	for pid in "${all[@]}"; do
		wait_until "$WAIT_LIMIT" process_ended "$pid" || true
	done
	for pid in "${STARTED_PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
}

# start_container NAME [OPTION... --] COMMAND [ARG...]: one more engine in
# the background, besides start_engine's: its stdout in $WB_TMP/NAME.out,
# its stderr in $WB_TMP/NAME.err, its pid in PIDS[NAME].
start_container() {
	local name=$1
	shift
	engine_argv "$@"
	env --default-signal "${ENGINE_ARGV[@]}" </dev/null >"$WB_TMP/$name.out" 2>"$WB_TMP/$name.err" 3>&- &
	PIDS[$name]=$!
	STARTED_PIDS+=("$!")
}
declare -gA PIDS=()

# said FILE WORD: FILE holds a line WORD.
said() {
	grep -qx "$2" "$1" 2>/dev/null
}

# said_or_ended FILE WORD [PID]: FILE holds a line WORD, or PID has ended.
said_or_ended() {
	said "$1" "$2" || { [ -n "${3:-}" ] && process_ended "$3"; }
}

# wait_said FILE WORD [PID]: wait until FILE holds a line WORD; fail at
# once if PID, the engine that should say it, ends first.
wait_said() {
	local err=${1%.out}.err
	wait_until "$WAIT_LIMIT" said_or_ended "$@" || true
	said "$1" "$2" ||
		fail "no line '$2' in $1 after ${WAIT_LIMIT}s: $(cat "$1")$([ ! -f "$err" ] || echo "; stderr: $(cat "$err")")"
}

# command_runs PROGRAM: the engine's child (init) has a child (COMMAND)
# running PROGRAM; sets INIT_PID and COMMAND_PID.
command_runs() {
	local child
	INIT_PID=$(children "$ENGINE_PID" | head -n 1)
	[ -n "$INIT_PID" ] || return 1
	for child in $(children "$INIT_PID"); do
		if [ "$(cat "/proc/$child/comm" 2>/dev/null)" = "$1" ]; then
			COMMAND_PID=$child
			return 0
		fi
	done
	return 1
}

# wait_for_command PROGRAM: wait until start_engine's COMMAND runs PROGRAM
# (see command_runs).
wait_for_command() {
	wait_until "$WAIT_LIMIT" command_or_engine_ended "$1" || true
	command_runs "$1" || fail "COMMAND $1 did not start: $(cat "$ENGINE_ERR")"
}

command_or_engine_ended() {
	command_runs "$1" || process_ended "$ENGINE_PID"
}

# release: let the containers running $HOLD in ROOTFS go on.
release() {
	touch "$ROOTFS/release"
}

# --- mounts ---------------------------------------------------------------

# host_mounts: the host's mount table as the kernel shows it.
host_mounts() {
	cat /proc/self/mountinfo
}

# mount_points: the mount point of each line of a mountinfo on stdin, with
# the kernel's octal escapes (\040 for a space) decoded.
mount_points() {
	local mp
	while read -r _ _ _ _ mp _; do
		printf '%b\n' "$mp"
	done
}

# unmount_under DIR: lazily unmount every mount at or below DIR, deepest
# first; fails, saying which, when one cannot be unmounted.
unmount_under() {
	local mp status=0
	while read -r mp; do
		case $mp in
		"$1" | "$1"/*) umount -l "$mp" || { echo "cannot unmount $mp" >&2; status=1; } ;;
		esac
	done < <(host_mounts | mount_points | sort -r)
	return $status
}

# shared_rootfs: move ROOTFS onto a tmpfs that the test mounts and makes
# shared. A mount made below a shared mount propagates to all its peers:
# if the engine did not make its mounts private, whatever it or COMMAND
# mounts there would appear on the host. A host whose "/" is private would
# hide that mistake; a shared tmpfs never does.
shared_rootfs() {
	mkdir "$WB_TMP/shared"
	mount -t tmpfs workbook-test "$WB_TMP/shared"
	mount --make-shared "$WB_TMP/shared"
	ROOTFS=$WB_TMP/shared/rootfs
	fresh_rootfs "$ROOTFS"
}

# test_mounts: the lines of the host's mount table that a container could
# change: the mounts at or below the test's own directory (ROOTFS is there),
# and those at the paths the engine mounts on (/, /proc, /dev, /sys), should
# it mount in the host's namespace by mistake. Mounts elsewhere (an
# automounter, another program's) are not the test's business.
test_mounts() {
	local line mp rest
	while IFS= read -r line; do
		read -r _ _ _ _ mp rest <<<"$line"
		mp=$(printf '%b' "$mp")
		case $mp in
		"$WB_TMP" | "$WB_TMP"/* | / | /proc | /dev | /sys) printf '%s\n' "$line" ;;
		esac
	done < <(host_mounts)
}

# assert_same_mounts BEFORE: test_mounts is BEFORE, line for line.
assert_same_mounts() {
	local now
	now=$(test_mounts)
	[ "$now" = "$1" ] || fail "the host's mount table changed:
$(diff <(echo "$1") <(echo "$now"))"
}

# --- the promises of steps 06 and 07 --------------------------------------

promise_ps_shows_container_alone() {
	run_engine -- ps -o pid,comm
	assert_success
	# The heading, then init (PID 1) and ps itself (PID 2): no host process.
	assert_equal "$(printf '%s\n' "${lines[@]:1}" | awk '{ print $1 }' | sort -n | xargs)" "1 2"
	assert_line --regexp '^ *2 +ps$'
}

promise_proc_lists_container_alone() {
	# sh is PID 2, and echo is built in: /proc has init's and sh's directories alone.
	run_engine -- sh -c 'cd /proc && echo [0-9]*'
	assert_success
	assert_output "1 2"
}

promise_rootfs_marker_at_root() {
	run_engine -- cat /etc/workbook-rootfs
	assert_success
	assert_output "workbook rootfs"
}

promise_host_files_unreachable() {
	local host_file=$WB_TMP/on-the-host-only
	echo secret >"$host_file"
	run_engine -- sh -c 'for f; do if [ -e "$f" ]; then echo "$f: reachable"; else echo "$f: unreachable"; fi; done' \
		sh "$host_file" "$BATS_TEST_FILENAME" /etc/workbook-rootfs
	assert_success
	assert_line "$host_file: unreachable"
	assert_line "$BATS_TEST_FILENAME: unreachable"
	assert_line "/etc/workbook-rootfs: reachable"
}

promise_dev_holds_promised_entries() {
	run_engine -- ls -A /dev
	assert_success
	assert_equal "$(printf '%s\n' "${lines[@]}" | sort | xargs)" "fd full null random stderr stdin stdout tty urandom zero"
}

promise_dev_nodes_are_right_devices() {
	# stat's %t:%T: the major and minor numbers, in hexadecimal.
	run_engine -- stat -c '%n %F %t:%T' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty
	assert_success
	assert_output "/dev/null character special file 1:3
/dev/zero character special file 1:5
/dev/full character special file 1:7
/dev/random character special file 1:8
/dev/urandom character special file 1:9
/dev/tty character special file 5:0"
	run_engine -- sh -c 'for l in /dev/fd /dev/stdin /dev/stdout /dev/stderr; do echo "$l -> $(readlink "$l")"; done'
	assert_success
	assert_output "/dev/fd -> /proc/self/fd
/dev/stdin -> /proc/self/fd/0
/dev/stdout -> /proc/self/fd/1
/dev/stderr -> /proc/self/fd/2"
}

promise_dev_nodes_work() {
	run_engine -- sh -c 'echo lost >/dev/null && cat /dev/null && head -c 4 /dev/zero | od -An -tx1 && echo x >/dev/stderr'
	assert_success
	assert_equal "$(echo "$output" | xargs)" "00 00 00 00"
	assert_equal "$stderr" x
}

# As on any host, the nodes are for every user (mode 0666), not for root
# alone: mknod(2) applies the umask, and a program that passes no mode bits
# at all makes nodes that only root can open.
promise_dev_nodes_open_to_all() {
	run_engine -- stat -c '%a %n' /dev/null /dev/zero /dev/full /dev/random /dev/urandom /dev/tty
	assert_success
	assert_output "666 /dev/null
666 /dev/zero
666 /dev/full
666 /dev/random
666 /dev/urandom
666 /dev/tty"
	run_engine -- su -s /bin/sh nobody -c 'echo lost >/dev/null && head -c 2 /dev/zero | od -An -tx1 && id -u'
	assert_success
	assert_equal "$(echo "$output" | xargs)" "00 00 65534"
}

promise_missing_mount_points_made() {
	rmdir "$ROOTFS/proc" "$ROOTFS/dev"
	run_engine -- sh -c 'cat /proc/1/comm >/dev/null && ls /dev/null'
	assert_success
	assert_output /dev/null
}

promise_mounts_restored_after_exit() {
	local before
	shared_rootfs
	before=$(test_mounts)
	run_engine -- true
	assert_success
	assert_same_mounts "$before"
}

promise_mounts_restored_after_failure() {
	local before
	shared_rootfs
	before=$(test_mounts)
	run_engine -- sh -c 'exit 3'
	assert_failure 3
	assert_same_mounts "$before"
	run -127 --separate-stderr engine -- no-such-command
	assert_same_mounts "$before"
}

promise_mounts_restored_after_kill() {
	local before
	shared_rootfs
	before=$(test_mounts)
	start_engine -- sleep 100
	wait_for_command sleep
	kill -KILL "$COMMAND_PID"
	wait_engine "$WAIT_LIMIT"
	assert_equal "$ENGINE_STATUS" 137
	assert_same_mounts "$before"
}

promise_inside_mounts_stay_inside() {
	local before
	shared_rootfs
	before=$(test_mounts)
	start_engine -- sh -c "mkdir -p /inside && mount -t tmpfs inside /inside && touch /inside/file && $HOLD"
	wait_said "$ENGINE_OUT" ready "$ENGINE_PID"
	# The engine's /proc and /dev, and COMMAND's tmpfs, are all mounted now.
	assert_same_mounts "$before"
	[ ! -e "$ROOTFS/inside/file" ] || fail "COMMAND's tmpfs is visible on the host at $ROOTFS/inside"
	release
	wait_engine "$WAIT_LIMIT"
	assert_equal "$ENGINE_STATUS" 0
	assert_same_mounts "$before"
}

# Several containers at once in the same ROOTFS, as with the README's
# ./rootfs: none gets in another's way.
promise_containers_share_rootfs() {
	local i n=8
	for ((i = 1; i <= n; i++)); do
		start_container "c$i" -- sh -c "$HOLD"
	done
	for ((i = 1; i <= n; i++)); do
		wait_said "$WB_TMP/c$i.out" ready "${PIDS[c$i]}"
	done
	release
	for ((i = 1; i <= n; i++)); do
		wait_until "$WAIT_LIMIT" process_ended "${PIDS[c$i]}" || fail "container c$i did not end"
		wait "${PIDS[c$i]}" || fail "container c$i: status $?: $(cat "$WB_TMP/c$i.err")"
	done
}

# Seen from inside, now that /proc is the container's: the inner shell
# starts a short sleep and exits, so the sleep is orphaned and init adopts
# it. Once it ends, init must reap it, or it stays a zombie (state Z).
promise_no_zombie_inside() {
	run_engine -- sh -c '
		zombie() { grep -q "^[0-9]* ([^)]*) Z" "$1" 2>/dev/null; }
		orphan=$(sh -c "sleep 0.2 >/dev/null & echo \$!")
		i=0
		while [ $i -lt 100 ] && [ -e /proc/$orphan ] && ! zombie /proc/$orphan/stat; do
			sleep 0.1; i=$((i + 1))
		done
		sleep 0.3
		[ -e /proc/1/stat ] || echo "no /proc/1/stat: nothing to look at"
		if [ -e /proc/$orphan ]; then echo "orphan $orphan: $(cat /proc/$orphan/stat)"; else echo "orphan $orphan: reaped"; fi
		for f in /proc/[0-9]*/stat; do
			zombie "$f" && echo "zombie: $(cat "$f")"
		done
		true'
	assert_success
	assert_line --regexp '^orphan [0-9]+: reaped$'
	refute_line --partial zombie
	refute_line --partial "nothing to look at"
}

promise_rootfs_path_with_spaces() {
	mv "$ROOTFS" "$WB_TMP/a root fs"
	ROOTFS="$WB_TMP/a root fs"
	run_engine -- cat /etc/workbook-rootfs
	assert_success
	assert_output "workbook rootfs"
}

promise_relative_rootfs_path() {
	cd "$WB_TMP" || return
	ROOTFS=rootfs
	run_engine -- cat /etc/workbook-rootfs
	assert_success
	assert_output "workbook rootfs"
	ROOTFS=./rootfs/../rootfs
	run_engine -- cat /etc/workbook-rootfs
	assert_success
	assert_output "workbook rootfs"
	# "." itself: a lookup of "." never enters a mount made on it since
	cd rootfs || return
	ROOTFS=.
	run_engine -- cat /etc/workbook-rootfs
	assert_success
	assert_output "workbook rootfs"
}

promise_missing_rootfs() {
	ROOTFS="$WB_TMP/no such dir"
	run_engine -- true
	assert_failure 125
	assert_equal "$output" ""
	# One line that names the path and the reason.
	[[ $stderr == "container: "*"$ROOTFS"*": No such file or directory" ]] || fail "stderr: $stderr"
}

promise_rootfs_not_a_directory() {
	ROOTFS=$WB_TMP/a-file
	echo "not a directory" >"$ROOTFS"
	run_engine -- true
	assert_failure 125
	assert_equal "$output" ""
	[[ $stderr == "container: "*"$ROOTFS"*": Not a directory" ]] || fail "stderr: $stderr"
}

# The classic chroot escape (tests/helpers/escape.c), looking for a file
# the test makes on the host outside ROOTFS, and for ROOTFS's marker.
run_chroot_escape() {
	HOST_FILE=$WB_TMP/on-the-host-only
	echo secret >"$HOST_FILE"
	run_engine -- escape "$HOST_FILE" /etc/workbook-rootfs
}

# Step 06's known weakness, kept as a test so that the chapter's claim stays
# true: chroot(2) is no jail for root. The escape walks out of ROOTFS to the
# root of the mount namespace, which still holds the host's whole tree.
promise_chroot_escape_reaches_host() {
	run_chroot_escape
	assert_success
	assert_line "$HOST_FILE: present"
	assert_line "/etc/workbook-rootfs: absent"
}

# After pivot_root(2) and the old root detached, the root of the mount
# namespace is ROOTFS itself: ".." at the top leads nowhere else.
promise_chroot_escape_finds_only_container() {
	local inside escaped
	run_chroot_escape
	assert_success
	assert_line "$HOST_FILE: absent"
	assert_line "/etc/workbook-rootfs: present"
	# And the "/" it reaches is the container's "/", name for name.
	run_engine -- sh -c 'escape >/tmp/escaped && ls -A / && echo --- && cat /tmp/escaped'
	assert_success
	inside=$(echo "$output" | sed '/^---$/,$d' | sort)
	escaped=$(echo "$output" | sed '1,/^---$/d' | sort)
	assert_equal "$escaped" "$inside"
}

# Inside, /proc/self/mountinfo has the container's own "/" (whose root
# field is ROOTFS's path on the host's device: the container's root, not a
# host mount), its /proc and its /dev, and nothing else.
# A mount point of ROOTFS that is a link (/dev -> /, or .) is refused with
# 125: what is mounted and made there would land in ROOTFS itself, since a
# lookup never enters a mount made on "/".
promise_mount_point_link_refused() {
	local target name
	for target in / .; do
		rm -rf "$ROOTFS/dev"
		ln -s "$target" "$ROOTFS/dev"
		run_engine -- true
		[ "$status" -eq 125 ] || fail "/dev -> $target: status $status, not 125 ($stderr)"
		[[ $stderr == "container: "*/dev* ]] || fail "/dev -> $target: no message naming /dev: $stderr"
		for name in null zero full random urandom tty fd stdin stdout stderr; do
			[ ! -e "$ROOTFS/$name" ] && [ ! -L "$ROOTFS/$name" ] ||
				fail "/dev -> $target: the engine made $name in ROOTFS itself"
		done
	done
}

# A mount the host has below ROOTFS (a procfs that a chroot left on
# ROOTFS/proc) does not come into the container: under the container's own
# /proc there is only ROOTFS's empty directory, not the host's processes.
promise_mounts_below_rootfs_stay_out() {
	mount -t proc proc "$ROOTFS/proc" || fail "cannot mount a procfs on ROOTFS/proc"
	run_engine -- sh -c 'grep -c " /proc " /proc/self/mountinfo; umount /proc && ls /proc | wc -l'
	umount "$ROOTFS/proc" || fail "cannot unmount ROOTFS/proc"
	assert_success
	assert_output $'1\n0'
}

promise_mountinfo_names_no_host_mount() {
	local mp roots=0 others=()
	run_engine -- cat /proc/self/mountinfo
	assert_success
	while read -r mp; do
		case $mp in
		/) roots=$((roots + 1)) ;;
		/proc | /proc/* | /dev | /dev/*) ;;
		*) others+=("$mp") ;;
		esac
	done < <(echo "$output" | mount_points)
	[ "${#others[@]}" -eq 0 ] || fail "mounts of the host inside: ${others[*]}"
	assert_equal "$roots" 1
}

# --- hardening: environment, a read-only ROOTFS, ROOTFS left as it was -----

# DOCKER_PATH: the PATH docker run gives, and COMMAND's from step 06 on.
DOCKER_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

# COMMAND starts with docker run's environment: PATH, HOSTNAME, HOME, and
# TERM when the caller has one; nothing else of the caller's.
promise_docker_environment() {
	engine_argv --hostname envbox -- env
	run --separate-stderr env -i PATH=/usr/bin:/bin HOME=/home/nobody-here TERM=xterm-wb \
		SSH_AUTH_SOCK=/tmp/agent.sock SUDO_USER=someone WB_TOKEN=secret LC_ALL=C "${ENGINE_ARGV[@]}"
	assert_success
	assert_equal "$(printf '%s\n' "${lines[@]}" | sort)" "HOME=/root
HOSTNAME=envbox
PATH=$DOCKER_PATH
TERM=xterm-wb"
	# no TERM without one: docker passes it with -t alone, this engine
	# passes the caller's
	run --separate-stderr env -i PATH=/usr/bin:/bin WB_TOKEN=secret "${ENGINE_ARGV[@]}"
	assert_success
	assert_equal "$(printf '%s\n' "${lines[@]}" | sort)" "HOME=/root
HOSTNAME=envbox
PATH=$DOCKER_PATH"
}

# COMMAND is looked up with that PATH, not the caller's: a program in
# /usr/local/sbin of ROOTFS runs though the caller's PATH lacks that
# directory; one in a directory that only the caller's PATH names is not
# found (127).
promise_command_looked_up_in_container_path() {
	mkdir -p "$ROOTFS/usr/local/sbin" "$ROOTFS/caller-only"
	printf '#!/bin/sh\necho found in the container PATH\n' >"$ROOTFS/usr/local/sbin/wb-in-path"
	printf '#!/bin/sh\necho found with the caller PATH\n' >"$ROOTFS/caller-only/wb-caller-path"
	chmod 0755 "$ROOTFS/usr/local/sbin/wb-in-path" "$ROOTFS/caller-only/wb-caller-path"
	engine_argv -- wb-in-path
	run --separate-stderr env PATH=/caller-only:/usr/bin:/bin "${ENGINE_ARGV[@]}"
	assert_success
	assert_output "found in the container PATH"
	engine_argv -- wb-caller-path
	run -127 --separate-stderr env PATH=/caller-only:/usr/bin:/bin "${ENGINE_ARGV[@]}"
	assert_output ""
}

# run_read_only_rootfs [OPTION... --] COMMAND...: run_engine with ROOTFS
# mounted read-only, in a mount namespace of the test's own (the host's
# mount table never sees it).
run_read_only_rootfs() {
	engine_argv "$@"
	# shellcheck disable=SC2016
	run --separate-stderr unshare --mount --propagation private sh -c \
		'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"' \
		ro "$ROOTFS" "${ENGINE_ARGV[@]}"
}

# A read-only ROOTFS works, as with runc, crun and bubblewrap.
promise_read_only_rootfs() {
	local before
	before=$(rootfs_snapshot)
	run_read_only_rootfs -- sh -c 'cat /etc/workbook-rootfs; touch /etc/wb-written 2>/dev/null && echo writable; true'
	assert_success
	assert_output "workbook rootfs"
	assert_equal "$(rootfs_snapshot)" "$before"
}

# rootfs_snapshot: every entry of ROOTFS, with its type, mode, owner, size
# and modification time (a directory made and removed changes its parent's).
rootfs_snapshot() {
	find "$ROOTFS" -printf '%P %y %m %U:%G %s %T@\n' | sort
}

# assert_rootfs_as_before BEFORE WHAT
assert_rootfs_as_before() {
	local now
	now=$(rootfs_snapshot)
	[ "$now" = "$1" ] || fail "$2: ROOTFS changed:
$(diff <(echo "$1") <(echo "$now"))"
}

# ROOTFS is left as it was, whatever succeeds or fails: after a run, a
# COMMAND not found, and an init killed half-way (strace sends SIGKILL as
# it enters pivot_root).
promise_rootfs_unchanged() {
	local before
	before=$(rootfs_snapshot)
	run_engine -- true
	assert_success
	assert_rootfs_as_before "$before" "after a run"
	run -127 --separate-stderr engine -- no-such-command
	assert_rootfs_as_before "$before" "after COMMAND not found"
	command -v strace >/dev/null || fail "needs strace for the rest, killed half-way (make tools installs it)"
	engine_argv -- true
	run --separate-stderr timeout -s KILL 30 strace -f -qq -o /dev/null -e trace=pivot_root \
		-e inject=pivot_root:signal=SIGKILL "${ENGINE_ARGV[@]}"
	[ "$status" -ne 0 ] || fail "strace killed nothing: did init call pivot_root? ($stderr)"
	assert_rootfs_as_before "$before" "after init was SIGKILLed entering pivot_root"
}
