#!/usr/bin/env bats
# The doors to the host that step 08 leaves open, each shown by a probe that
# runs inside a container (tests/helpers/doors.c). The appendix,
# tests/doors/README.md, says what each door is and how to close it.
#
# Against the workbook's own step 08 every door must be OPEN: these are its
# known weaknesses, tested as step 06's chroot escape is. Against a program
# of your own, hardened, every door must be CLOSED:
#
#     CONTAINER=/path/to/your/container bats tests/doors.bats
#
# DOORS_EXPECT=open or DOORS_EXPECT=closed sets what to expect, whatever the
# program (the default: open for the workbook's step 08, closed under
# CONTAINER=). Under CONTAINER_DIR= alone, a lab of the workbook's steps, the
# tests skip unless DOORS_EXPECT says which: closing these doors is not one
# of the steps' promises. Each test prints its probe's verdict line.
#
# No verdict is taken on trust:
# - a probe that cannot tell (an unexpected error) fails its test;
# - a door this host has not got at all (release_agent on a cgroup v2 host)
#   skips its test, saying so;
# - "closed" counts only when the same door is open on the host itself,
#   checked from the host without harm (the same probe where it only reads,
#   16 bytes read from the disk, access(2) on release_agent): where the host
#   refuses it to everyone, no container can show it, and the test skips,
#   saying why. The disk is the exception: where the host's root may not
#   read the disk ROOTFS is on (a sandboxed machine), or there is none, the
#   test gives ROOTFS a disk of its own (an image file on a loop device, in
#   the test's directory) and probes that one.

# The program under test is step 08's, whatever this file's name.
DOORS_GIVEN=${CONTAINER:-}
DOORS_CONTAINER=${CONTAINER:-${CONTAINER_DIR:+$CONTAINER_DIR/step08-cgroups/container}}

load helpers
load mount_helpers
load cgroup_helpers

STEP=step08-cgroups
# shellcheck disable=SC2034 # (helpers.bash reads it)
STEP_NUM=8
CONTAINER=${DOORS_CONTAINER:-$REPO/$STEP/container}
if [ -z "${DOORS_EXPECT:-}" ]; then
	if [ -z "$GRADING" ]; then
		DOORS_EXPECT=open
	elif [ -n "$DOORS_GIVEN" ]; then
		DOORS_EXPECT=closed
	fi
fi

# the line the tiocsti probe types into its terminal
TYPED='# typed into this terminal from inside the container'

setup_file() { mount_setup_file; }
setup() {
	case ${DOORS_EXPECT:-} in
	open | closed) ;;
	"") skip "CONTAINER_DIR= grades the workbook's steps, which leave these doors open: set DOORS_EXPECT=open or closed to probe its step 08" ;;
	*) fail "DOORS_EXPECT=$DOORS_EXPECT: say open or closed" ;;
	esac
	mount_setup
	cgroup_setup
}
# (every guard runs, and any one failing fails the test)
teardown() {
	local status=0
	mapfile -t DISK_LOOPS < <(disk_loops)
	mount_teardown || status=1
	detach_disk || status=1
	cgroup_teardown || status=1
	if grep -q ' /dev/doors-\| /tmp/doors-' /proc/self/mountinfo; then
		echo "a probe's mount shows on the host" >&2
		status=1
	fi
	if compgen -G '/dev/doors-*' >/dev/null; then
		echo "a probe's node or directory is in the host's /dev" >&2
		status=1
	fi
	return $status
}

# verdict DOOR STATUS LINE: VERDICT from a probe's exit status and line
# (open 0, closed 1, absent 2, unsure 3); fails on anything else, such as a
# container that did not start. Prints the line in the test's output.
verdict() {
	local words=(open closed absent unsure)
	if ! [[ $2 =~ ^[0-3]$ ]]; then
		fail "the $1 probe came to no verdict: status '$2', '$3'${stderr:+, stderr: $stderr}"
	fi
	VERDICT=${words[$2]}
	[[ $3 == "$VERDICT: "* ]] || fail "the $1 probe's status $2 does not match its line '$3'"
	VERDICT_LINE=$3
	echo "# $1: $3" >&3
}

# probe DOOR: runs the probe DOOR in a container of the program under test.
probe() {
	requires root rootfs
	helper_program doors
	run_engine -- "$HELPER" "$1"
	[ "${#lines[@]}" -le 1 ] || fail "the $1 probe printed more than its line: $output"
	verdict "$1" "$status" "$output"
}

# judge DOOR HOST_CHECK...: VERDICT against DOORS_EXPECT. An unsure probe
# fails; an absent door skips; a closed one is believed only if HOST_CHECK,
# run on the host, finds the door open there (else it skips).
judge() {
	local door=$1
	shift
	case $VERDICT in
	unsure) fail "the $door probe cannot tell: ${VERDICT_LINE#unsure: }" ;;
	absent) skip "this host has no such door: ${VERDICT_LINE#absent: }" ;;
	closed) "$@" || skip "the host itself keeps this door shut, so no container can show it open here: $HOST_SAYS" ;;
	esac
	[ "$VERDICT" = "$DOORS_EXPECT" ] ||
		fail "door $door is $VERDICT, expected $DOORS_EXPECT: ${VERDICT_LINE#*: }"
}

# host_probe DOOR: the probe DOOR, run on the host by the test itself (only
# for the probes that just read, or open a file and close it unwritten).
host_probe() {
	HOST_SAYS=$("$REPO/tests/build/doors" "$1")
}

# host_reads_disk: the host's root reads 16 bytes of the disk the probe named
# ("b MAJOR MINOR" in its line).
host_reads_disk() {
	local dev name
	[[ $VERDICT_LINE =~ \ b\ ([0-9]+)\ ([0-9]+)\  ]] || { HOST_SAYS="no device in the probe's line"; return 1; }
	dev=${BASH_REMATCH[1]}:${BASH_REMATCH[2]}
	name=$(sed -n 's/^DEVNAME=//p' "/sys/dev/block/$dev/uevent" 2>/dev/null)
	[ -n "$name" ] || { HOST_SAYS="no /sys/dev/block/$dev"; return 1; }
	HOST_SAYS=$(dd if="/dev/$name" bs=16 count=1 status=none 2>&1 | wc -c)
	[ "$HOST_SAYS" = 16 ] || HOST_SAYS="the host's root cannot read /dev/$name ($dev) either: $(dd if="/dev/$name" of=/dev/null bs=16 count=1 status=none 2>&1)"
	[ "$HOST_SAYS" = 16 ]
}

# rootfs_on_own_disk: a disk of the test's own, ROOTFS copied onto it: an
# image file in WB_TMP, formatted ext2, on a loop device (major 7), mounted at
# $WB_TMP/disk. Teardown unmounts it and detaches the loop device.
rootfs_on_own_disk() {
	local image=$WB_TMP/disk.img
	command -v losetup >/dev/null || skip "needs losetup (util-linux) for a disk of the test's own"
	command -v mkfs.ext2 >/dev/null || skip "needs mkfs.ext2 (e2fsprogs) for a disk of the test's own"
	truncate -s "$(($(du -sm "$ROOTFS" | cut -f1) + 32))M" "$image"
	mkfs.ext2 -q -F "$image" || fail "mkfs.ext2 $image failed"
	DISK_IMAGE=$image
	DISK_LOOP=$(losetup -f --show "$image") || fail "no loop device for $image"
	mkdir "$WB_TMP/disk"
	mount "$DISK_LOOP" "$WB_TMP/disk" || fail "cannot mount $DISK_LOOP on $WB_TMP/disk"
	cp -a "$ROOTFS" "$WB_TMP/disk/rootfs"
	ROOTFS=$WB_TMP/disk/rootfs
}

# From teardown, after mount_teardown has unmounted it: detach the loop
# devices of the test's disk (found by their image, should the test have
# been stopped before it knew their names) and check that none is left.
DISK_IMAGE=
DISK_LOOPS=()
disk_loops() {
	[ -z "$DISK_IMAGE" ] || losetup -n -O NAME -j "$DISK_IMAGE" 2>/dev/null
	[ -z "${DISK_LOOP:-}" ] || echo "$DISK_LOOP"
}
detach_disk() {
	local loop status=0
	for loop in $(printf '%s\n' "${DISK_LOOPS[@]}" | sort -u); do
		losetup -d "$loop" 2>/dev/null
		wait_until 5 test ! -e "/sys/block/${loop#/dev/}/loop/backing_file" ||
			{ echo "the loop device $loop of the test's disk is still attached" >&2; status=1; }
	done
	return $status
}

# host_release_agent: a release_agent of the host's v1 hierarchies passes
# access(2)'s write test (test -w; nothing is written).
host_release_agent() {
	local f
	for f in /sys/fs/cgroup/*/release_agent; do
		[ -w "$f" ] && return 0
	done
	HOST_SAYS="no release_agent under /sys/fs/cgroup is writable by the host's root"
	return 1
}

# on_terminal COMMAND...: runs COMMAND on a pseudo-terminal that the test
# makes (tests/helpers/pty.c); then, as the caller's shell would, bash reads
# a line from that terminal, for 2 s at most. Sets TERMINAL_READ to that
# line ("" if none), PROBE_LINE and PROBE_STATUS (COMMAND's).
on_terminal() {
	local pty
	pty=$(build_helper pty) || skip "cannot build tests/helpers/pty.c statically"
	# shellcheck disable=SC2016 # (the inner bash expands them)
	run --separate-stderr timeout -s KILL 60 "$pty" -- bash -c \
		'"$@"; s=$?; IFS= read -r -t 2 line; echo "status $s"; echo "terminal read: $line"' \
		on_terminal "$@"
	[ "$status" -eq 0 ] || fail "the terminal's shell failed: status $status, $output $stderr"
	PROBE_LINE=$(grep -E '^(open|closed|absent|unsure): ' <<<"$output")
	PROBE_STATUS=$(sed -n 's/^status //p' <<<"$output")
	TERMINAL_READ=$(sed -n 's/^terminal read: //p' <<<"$output")
}

@test "door open in step 08 (known weakness): COMMAND keeps capabilities docker takes away (probe caps)" {
	probe caps
	judge caps host_probe caps
}

@test "door open in step 08 (known weakness): no no_new_privs, a setuid program still raises privilege (probe no-new-privs)" {
	probe no-new-privs
	judge no-new-privs host_probe no-new-privs
}

@test "door open in step 08 (known weakness): no seccomp filter, every system call reaches the kernel (probe seccomp)" {
	probe seccomp
	judge seccomp host_probe seccomp
}

@test "door open in step 08 (known weakness): mknod of the disk ROOTFS is on, and its first sector read (probe disk)" {
	probe disk
	# Where the host's root may not read the disk ROOTFS is on (or there is
	# none), no container can: ROOTFS moves onto a disk of the test's own.
	if [ "$VERDICT" = closed ] || [ "$VERDICT" = absent ]; then
		if ! host_reads_disk; then
			echo "# disk: $HOST_SAYS; ROOTFS moves onto a disk of the test's own" >&3
			rootfs_on_own_disk
			probe disk
			[[ $VERDICT_LINE =~ \ b\ 7\  ]] || fail "the probe did not take the test's disk, a loop device: $VERDICT_LINE"
		fi
	fi
	judge disk host_reads_disk
}

@test "door open in step 08 (known weakness): /proc/sys/kernel/core_pattern opens for writing, never written (probe core-pattern)" {
	probe core-pattern
	judge core-pattern host_probe core-pattern
}

@test "door open in step 08 (known weakness): a cgroup v1 release_agent, reached by mounting an unrelated hierarchy (probe release-agent)" {
	probe release-agent
	judge release-agent host_release_agent
}

@test "door open in step 08 (known weakness): the capabilities to load a kernel module and to set the clock (probe modules-clock)" {
	probe modules-clock
	judge modules-clock host_probe modules-clock
}

@test "door open in step 08 (known weakness): TIOCSTI types into the caller's terminal, a pseudo-terminal the test made (probe tiocsti)" {
	requires root rootfs
	helper_program doors
	engine_argv -- "$HELPER" tiocsti
	on_terminal "${ENGINE_ARGV[@]}"
	verdict tiocsti "$PROBE_STATUS" "$PROBE_LINE"
	# The door is the caller's terminal: what its shell reads decides.
	if [ "$VERDICT" = open ] && [ "$TERMINAL_READ" != "$TYPED" ]; then
		VERDICT=closed
		VERDICT_LINE="closed: the probe typed into a terminal of the container's own; the caller's read '$TERMINAL_READ'"
		echo "# tiocsti: $VERDICT_LINE" >&3
	elif [ "$VERDICT" = closed ] && [ -n "$TERMINAL_READ" ]; then
		fail "the probe says closed, but the caller's shell read '$TERMINAL_READ'"
	fi
	judge tiocsti host_tiocsti
}

# host_tiocsti: the probe, run on the host on a terminal of the test's, types
# a line that the shell there reads.
host_tiocsti() {
	on_terminal "$REPO/tests/build/doors" tiocsti
	HOST_SAYS="$PROBE_LINE; the shell read '$TERMINAL_READ'"
	[ "$TERMINAL_READ" = "$TYPED" ]
}

@test "doors: the probe builds without a warning, and refuses an unknown door" {
	run "${CC:-cc}" -std=c11 -Wall -Wextra -Wpedantic -Werror -O2 \
		-o "$BATS_TEST_TMPDIR/doors" "$REPO/tests/helpers/doors.c"
	assert_success
	assert_output ""
	run --separate-stderr "$BATS_TEST_TMPDIR/doors" window
	assert_equal "$status" 4
	assert_equal "$output" ""
	assert_equal "$stderr" "usage: doors caps|no-new-privs|seccomp|disk|core-pattern|release-agent|modules-clock|tiocsti"
}
