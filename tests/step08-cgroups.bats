#!/usr/bin/env bats
# step08-cgroups: as step07-pivot-root, and each container gets a control
# group of its own, container-<engine's pid>, with the limits --memory,
# --pids-limit and --cpus; it is removed once the container ends. The
# limits and the cleanup are checked from the host, on cgroup v1 or v2.
# Each test runs in a fresh copy of the root filesystem.

load helpers
load transcript
load mount_helpers
load cgroup_helpers

setup_file() { mount_setup_file; }
setup() {
	mount_setup
	cgroup_setup
}
# (each runs, and any one failing fails the test)
teardown() {
	local status=0
	mount_teardown || status=1
	cgroup_teardown || status=1
	remove_lacking_cgroups || status=1
	return $status
}

# start_held OPTION...: a container with OPTIONs that runs until release;
# once it is ready, INIT_PID is its init's pid on the host.
start_held() {
	start_engine "$@" -- sh -c "$HOLD"
	wait_said "$ENGINE_OUT" ready "$ENGINE_PID"
	INIT_PID=$(init_pid)
}

# end_held: let it end, and check that it ended well and left no cgroup.
end_held() {
	release
	wait_engine "$WAIT_LIMIT"
	rm -f "$ROOTFS/release"
	assert_equal "$ENGINE_STATUS" 0
	assert_no_cgroup_left
}

# bad_values OPTION VALUE...: each VALUE of OPTION is refused with 125 and a
# message naming the option, before anything runs: no COMMAND, no clone, no
# cgroup.
bad_values() {
	local option=$1 value
	shift
	for value in "$@"; do
		run_engine --verbose "$option" "$value" -- sh -c 'echo COMMAND ran'
		[ "$status" -eq 125 ] || fail "$option '$value': status $status, not 125 (stderr: $stderr)"
		assert_equal "$output" ""
		[[ $stderr == *"$option"* ]] || fail "$option '$value': the message does not name the option: $stderr"
		[[ $stderr != *"clone("* && $stderr != *"mkdir("* ]] || fail "$option '$value': the engine went on: $stderr"
		assert_no_cgroup_left
		run_engine --verbose "$option=$value" -- sh -c 'echo COMMAND ran'
		[ "$status" -eq 125 ] || fail "$option='$value': status $status, not 125 (stderr: $stderr)"
	done
}

# What steps 02-05 promise still holds.
@test "step08: COMMAND's exit status becomes the engine's" { promise_exit_status; }
@test "step08: COMMAND killed by signal N gives 128+N" { promise_signal_status; }
@test "step08: COMMAND not found gives 127" { promise_not_found; }
@test "step08: COMMAND not executable gives 126" { promise_not_executable; }
@test "step08: a script without #! runs with 140000 arguments (execvp copies them onto the stack)" { promise_script_with_many_arguments; }
@test "step08: an unknown option gives 125 and a message" { promise_unknown_option; }
@test "step08: no COMMAND gives 125 and a message" { promise_missing_command; }
@test "step08: --help prints usage on stdout and exits 0" { promise_help; }
@test "step08: --name=value and --name value both work; --verbose=1 is bad usage" { promise_option_forms; }
@test "step08: options stop at ROOTFS: COMMAND's own flags are its own" { promise_options_stop_at_command; }
@test "step08: stdout is COMMAND's alone, also with --verbose" { promise_stdout_is_commands; }
@test "step08: stdin reaches COMMAND" { promise_stdin_reaches_command; }
@test "step08: --verbose shows each call that makes the container as NAME(ARGS) = RESULT on stderr" { promise_verbose; }
@test "step08: --verbose shows the kill that passes a signal on" { promise_verbose_kill; }
@test "step08: no descriptor but 0, 1, 2 reaches COMMAND" { promise_no_fd_leak; }
@test "step08: the hostname inside is 'container' by default" { promise_default_hostname; }
@test "step08: --hostname sets the hostname inside" { promise_hostname_option; }
@test "step08: the host's hostname never changes" { promise_host_hostname_unchanged; }
@test "step08: UTS, IPC and network namespaces are new" { promise_new_namespaces; }
@test "step08: the only network interface is lo" { promise_only_lo; }
@test "step08: lo is up" { promise_lo_up; }
@test "step08: TCP over 127.0.0.1 works inside" { promise_loopback_tcp; }
@test "step08: a bad --hostname gives 125" { promise_bad_hostname; }
@test "step08: without root: a message that root is needed, and 125" { promise_needs_root; }
@test "step08: COMMAND's parent is init, PID 1" { promise_parent_is_init; }
@test "step08: SIGTERM to the engine reaches COMMAND" { promise_sigterm_forwarded; }
@test "step08: SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 reach COMMAND" { promise_signals_forwarded; }
@test "step08: a SIGTERM sent while the container starts is not lost" { promise_early_signal_not_lost; }
@test "step08: the container ends when COMMAND ends" { promise_ends_with_command; }
@test "step08: init reaps orphans (seen from the host)" { promise_orphans_reaped; }

# What steps 06-07 promise still holds.
@test "step08: the root filesystem's marker /etc/workbook-rootfs is at /" { promise_rootfs_marker_at_root; }
@test "step08: a file of the host outside ROOTFS cannot be reached by its path" { promise_host_files_unreachable; }
@test "step08: ROOTFS may have spaces in its path" { promise_rootfs_path_with_spaces; }
@test "step08: ROOTFS may be a relative path, . too" { promise_relative_rootfs_path; }
@test "step08: a mount point in ROOTFS that is a link (/dev -> /) gives 125, and nothing is made in ROOTFS" { promise_mount_point_link_refused; }
@test "step08: a mount the host has below ROOTFS (a procfs on ROOTFS/proc) stays out of the container" { promise_mounts_below_rootfs_stay_out; }
@test "step08: a missing ROOTFS gives 125 and a message with the path and the reason" { promise_missing_rootfs; }
@test "step08: a ROOTFS that is a file gives 125 and 'Not a directory'" { promise_rootfs_not_a_directory; }
@test "step08: mount points missing in ROOTFS (/proc, /dev) are created" { promise_missing_mount_points_made; }
@test "step08: several containers can run at once in the same ROOTFS" { promise_containers_share_rootfs; }
@test "step08: ps inside shows the container's processes alone" { promise_ps_shows_container_alone; }
@test "step08: /proc inside lists the container's processes alone" { promise_proc_lists_container_alone; }
@test "step08: an orphan that exits inside leaves no zombie (seen from inside)" { promise_no_zombie_inside; }
@test "step08: /dev holds exactly null zero full random urandom tty fd stdin stdout stderr" { promise_dev_holds_promised_entries; }
@test "step08: /dev/null is the character device 1:3, and every node and link is the right one" { promise_dev_nodes_are_right_devices; }
@test "step08: /dev/null, /dev/zero and /dev/stderr work" { promise_dev_nodes_work; }
@test "step08: the device nodes are for every user (0666): one that is not root writes /dev/null and reads /dev/zero" { promise_dev_nodes_open_to_all; }
@test "step08: the host's mount table is the same after the container exits" { promise_mounts_restored_after_exit; }
@test "step08: the host's mount table is the same after COMMAND fails" { promise_mounts_restored_after_failure; }
@test "step08: the host's mount table is the same after COMMAND is SIGKILLed from the host" { promise_mounts_restored_after_kill; }
@test "step08: mounts made inside (/proc, /dev, COMMAND's tmpfs) never appear on the host" { promise_inside_mounts_stay_inside; }
@test "step08: the classic chroot escape finds only the container's own files" { promise_chroot_escape_finds_only_container; }
@test "step08: /proc/self/mountinfo inside names no mount of the host" { promise_mountinfo_names_no_host_mount; }

# A cgroup of its own, with the limits asked for.
@test "step08: the container runs in its own cgroup container-<engine pid>, COMMAND too" {
	start_engine -- sleep 100
	wait_for_command sleep
	container_cgroup_of "$INIT_PID"
	container_cgroup_of "$COMMAND_PID"
	for dir in "${CG_DIRS[@]}"; do
		grep -qx "$COMMAND_PID" "$dir/cgroup.procs" || fail "COMMAND ($COMMAND_PID) is not in $dir/cgroup.procs"
	done
}

@test "step08: the limit files hold what was asked while the container runs (--memory 32m --pids-limit 10 --cpus 0.5)" {
	start_held --memory 32m --pids-limit 10 --cpus 0.5
	container_cgroup_of "$INIT_PID"
	assert_limits 33554432 10 0.5
	end_held
}

@test "step08: --verbose makes the cgroup where the contract puts it, and says so when that is the root of a v2 hierarchy instead of the engine's own" {
	local engine dir
	run_engine --verbose -- true
	assert_equal "$status" 0
	engine=$(sed -n 's|^container: mkdir(".*/container-\([0-9]*\)") = 0$|\1|p' <<<"$stderr" | head -n 1)
	[ -n "$engine" ] || fail "no mkdir of a container-<pid> cgroup in --verbose: $stderr"
	# the engine, run from this test, was in the test's own cgroup
	for dir in $(expected_container_dirs "$engine" $$); do
		stderr_has "^container: mkdir\\(\"$dir\"\\) = 0$"
	done
	if [ "$(cgroup_version)" = 2 ] && [ "$(own_cgroup_v2)" != / ]; then
		stderr_has "^container: .*$(own_cgroup_v2).*root of the hierarchy"
	else
		! printf '%s\n' "$stderr" | grep -q "root of the hierarchy" ||
			fail "a note that the root is used, where the engine's own cgroup serves: $stderr"
	fi
}

@test "step08: the limits and the cgroup are in place before COMMAND starts (--verbose: every write before execvp)" {
	local i exec_at=-1 line procs=0 limits=0
	run_engine --verbose --memory 32m --pids-limit 10 --cpus 0.5 -- true
	assert_equal "$status" 0
	for i in "${!stderr_lines[@]}"; do
		[[ ${stderr_lines[i]} == 'container: execvp("true", ["true"])' ]] && exec_at=$i
	done
	[ "$exec_at" -ge 0 ] || fail "no execvp line in --verbose: $stderr"
	for i in "${!stderr_lines[@]}"; do
		line=${stderr_lines[i]}
		[[ $line =~ ^container:\ write\(.*/container-[0-9]+/ ]] || continue
		[ "$i" -lt "$exec_at" ] || fail "written after COMMAND started: '$line'"
		case $line in
		*cgroup.procs*) procs=$((procs + 1)) ;;
		*memory.*max* | *memory.limit_in_bytes* | *pids.max* | *cpu.max* | *cpu.cfs_quota_us*) limits=$((limits + 1)) ;;
		esac
	done
	[ "$procs" -ge 1 ] || fail "no write of the child's pid to a cgroup.procs in --verbose: $stderr"
	[ "$limits" -ge 3 ] || fail "fewer than three limit files written (memory, pids, cpu) in --verbose: $stderr"
	assert_no_cgroup_left
}

@test "step08: without limit options the container still gets its cgroup, with no limits" {
	start_held
	container_cgroup_of "$INIT_PID"
	assert_limits max max max
	end_held
}

@test "step08: --memory 0, --pids-limit 0 and --cpus 0 mean no limit" {
	start_held --memory 0 --pids-limit 0 --cpus 0
	assert_limits max max max
	end_held
}

@test "step08: --pids-limit -1 means no limit (with --memory in plain bytes, the least: 6m)" {
	start_held --pids-limit -1 --memory 6291456 --cpus 2
	assert_limits 6291456 max 2
	end_held
}

@test "step08: --memory takes the suffixes b, k, m, g in either case (powers of 1024)" {
	local size bytes
	for size in 7340032b:7340032 8192K:8388608 10m:10485760 1G:1073741824; do
		bytes=${size#*:}
		start_held "--memory=${size%:*}"
		assert_limits "$bytes" max max
		end_held
	done
}

@test "step08: --cpus takes a decimal: 1.5 is 150% of one CPU's period, 0.01 is 1%" {
	local cpus
	for cpus in 1.5 0.01; do
		start_held --cpus "$cpus"
		assert_limits max max "$cpus"
		end_held
	done
}

# Bad values: 125 before anything runs.
@test "step08: bad --memory values (abc, -5, 5m below 6m, 1x, overflow, empty) give 125 before anything runs" {
	bad_values --memory abc -5 5m 6291455 1x 99999999999999999999g 9999999999g ''
}

@test "step08: bad --pids-limit values (abc, -5, 1.5, 1x, overflow, empty) give 125 before anything runs" {
	bad_values --pids-limit abc -5 -2 1.5 1x 10k 99999999999999999999 ''
}

@test "step08: bad --cpus values (abc, -5, 1x, nan, inf, overflow, empty) give 125 before anything runs" {
	bad_values --cpus abc -5 -0.5 1x 1.5.5 nan inf 99999999999999999999 . ''
}

# The limits at work.
@test "step08: with --pids-limit 10 a shell starting 30 background sleeps sees forks fail, and the engine ends cleanly" {
	run_engine --pids-limit 10 -- sh -c 'n=0
		for i in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20 21 22 23 24 25 26 27 28 29 30; do
			sleep 30 &
			n=$((n + 1))
			echo "started $n"
		done
		echo all 30 started'
	refute_line "all 30 started"
	# init, sh and 8 sleeps are 10: the 9th fork fails.
	assert_line "started 8"
	refute_line "started 9"
	[[ $stderr == *fork* ]] || fail "no message about fork failing: $stderr"
	[ "$status" -ne 0 ] && [ "$status" -ne 125 ] || fail "status $status: not the shell's own failure"
	assert_no_cgroup_left
}

@test "step08: a 32m container that touches 128 MiB is OOM-killed: 137 and \"out of memory\"" {
	run_engine --memory 32m -- hog 128
	assert_equal "$status" 137
	refute_output --partial "touched"
	[[ $stderr == *"out of memory"* ]] || fail "no 'out of memory' on stderr: $stderr"
	assert_no_cgroup_left
}

@test "step08: when the OOM killer ends another process and COMMAND goes on: COMMAND's status, and \"out of memory\"" {
	run_engine --memory 32m -- sh -c 'hog 128; echo "hog: $?"; exit 3'
	assert_equal "$status" 3
	assert_output "hog: 137"
	[[ $stderr == *"out of memory"* ]] || fail "no 'out of memory' on stderr: $stderr"
	assert_no_cgroup_left
}

@test "step08: a container that stays under --memory says nothing of memory" {
	run_engine --memory 32m -- hog 8
	assert_success
	assert_output "hog: touched 8 MiB"
	assert_equal "$stderr" ""
}

@test "step08: --cpus 0.2: the quota is 0.2 of the period, a 2 s busy loop is throttled and gets about a fifth of a CPU" {
	local sub cpu
	engine_argv --cpus 0.2 -- sh -c "spin 2 && $HOLD"
	env --default-signal "${ENGINE_ARGV[@]}" </dev/null >"$WB_TMP/out" 2>"$WB_TMP/err" 3>&- &
	sub=$!
	STARTED_PIDS+=("$sub")
	wait_said "$WB_TMP/out" ready "$sub"
	ENGINE_PID=$sub
	INIT_PID=$(init_pid)
	assert_limits max max 0.2
	[ "$(cpu_stat nr_throttled)" -gt 0 ] || fail "not throttled: $(cat "$(limit_file cpu cpu.stat)")"
	release
	wait_until "$WAIT_LIMIT" process_ended "$sub" || fail "the container did not end"
	wait "$sub" || fail "status $?: $(cat "$WB_TMP/err")"
	ENGINE_PID=
	# spin reports the CPU time it got itself (getrusage), without the
	# start-up of the engine, init and shell. 0.4 s is a fifth of 2 s;
	# unlimited, the loop would get 2 s.
	cpu=$(sed -n 's/^spin: \([0-9.]*\) s of CPU.*/\1/p' "$WB_TMP/out")
	[ -n "$cpu" ] || fail "spin did not report: $(cat "$WB_TMP/out")"
	awk -v t="$cpu" 'BEGIN { exit !(t >= 0.1 && t <= 1.0) }' ||
		fail "the busy loop got ${cpu}s of CPU in 2 s"
	assert_no_cgroup_left
}

@test "step08: inside, every line of /proc/self/cgroup names / (a cgroup namespace of its own)" {
	run_engine -- cat /proc/self/cgroup
	assert_success
	[ "${#lines[@]}" -gt 0 ] || fail "no /proc/self/cgroup"
	for line in "${lines[@]}"; do
		[[ $line == *:/ ]] || fail "a cgroup other than /: '$line'"
	done
}

# Nothing left behind.
@test "step08: no container-* cgroup is left after COMMAND exits, or fails" {
	run_engine --memory 64m --pids-limit 20 --cpus 0.5 -- true
	assert_success
	assert_no_cgroup_left
	run_engine --memory 64m --pids-limit 20 --cpus 0.5 -- sh -c 'exit 7'
	assert_failure 7
	assert_no_cgroup_left
}

@test "step08: no container-* cgroup is left after a failed start (127, 126, missing ROOTFS)" {
	run -127 --separate-stderr engine --memory 64m --pids-limit 20 --cpus 0.5 -- no-such-command
	assert_no_cgroup_left
	run -126 --separate-stderr engine --memory 64m --pids-limit 20 --cpus 0.5 -- /etc/passwd
	assert_no_cgroup_left
	ROOTFS=$WB_TMP/no-such-rootfs
	run_engine --memory 64m --pids-limit 20 --cpus 0.5 -- true
	assert_failure 125
	assert_no_cgroup_left
}

@test "step08: no container-* cgroup is left after COMMAND is SIGKILLed from outside" {
	start_engine --memory 64m --pids-limit 20 --cpus 0.5 -- sleep 100
	wait_for_command sleep
	kill -KILL "$COMMAND_PID"
	wait_engine "$WAIT_LIMIT"
	assert_equal "$ENGINE_STATUS" 137
	assert_no_cgroup_left
	# a SIGKILL from outside is not the OOM killer's
	! grep -q "out of memory" "$ENGINE_ERR" || fail "a kill from outside reported as 'out of memory': $(cat "$ENGINE_ERR")"
}

@test "step08: no container-* cgroup is left after init is SIGKILLed from outside" {
	start_engine --memory 64m --pids-limit 20 --cpus 0.5 -- sleep 100
	wait_for_command sleep
	kill -KILL "$INIT_PID"
	wait_engine "$WAIT_LIMIT"
	assert_equal "$ENGINE_STATUS" 137
	assert_no_cgroup_left
	# a SIGKILL from outside is not the OOM killer's
	! grep -q "out of memory" "$ENGINE_ERR" || fail "a kill from outside reported as 'out of memory': $(cat "$ENGINE_ERR")"
}

@test "step08: a SIGKILLed engine takes its container with it and leaves its cgroup, which the next run removes (--verbose says so)" {
	local engine dir dirs
	start_engine --memory 64m --pids-limit 20 -- sleep 100
	wait_for_command sleep
	engine=$ENGINE_PID
	container_cgroup_of "$INIT_PID"
	dirs=("${CG_DIRS[@]}")
	kill -KILL "$engine"
	wait_engine "$WAIT_LIMIT"
	# PR_SET_PDEATHSIG: init gets SIGKILL when the engine dies, and the PID namespace ends with it.
	wait_until "$WAIT_LIMIT" process_ended "$INIT_PID" || fail "init ($INIT_PID) outlived the engine"
	wait_until "$WAIT_LIMIT" process_ended "$COMMAND_PID" || fail "COMMAND ($COMMAND_PID) outlived the engine"
	for dir in "${dirs[@]}"; do
		[ -d "$dir" ] || fail "$dir is gone: nothing stale for the next run to remove"
		wait_until "$WAIT_LIMIT" test ! -s "$dir/cgroup.procs" || fail "$dir still holds $(cat "$dir/cgroup.procs")"
	done
	run_engine --verbose -- true
	assert_success
	for dir in "${dirs[@]}"; do
		[ ! -d "$dir" ] || fail "the next run left the stale $dir"
	done
	[[ $stderr == *"container-$engine"* ]] || fail "--verbose does not say that container-$engine was removed: $stderr"
	assert_no_cgroup_left
}

@test "step08: ten containers started at once all run, each in its own cgroup, and all clean up" {
	local i names
	for i in 1 2 3 4 5 6 7 8 9 10; do
		start_container "c$i" --memory 64m --pids-limit 20 --cpus 0.5 -- sh -c "$HOLD"
	done
	for i in 1 2 3 4 5 6 7 8 9 10; do
		wait_said "$WB_TMP/c$i.out" ready "${PIDS[c$i]}"
	done
	# All ten run now, each in its container-<pid>.
	names=$(new_container_cgroups | xargs -n 1 basename | sort -u)
	for i in 1 2 3 4 5 6 7 8 9 10; do
		grep -qx "container-${PIDS[c$i]}" <<<"$names" || fail "no cgroup container-${PIDS[c$i]} for container c$i: $(echo $names)"
	done
	release
	for i in 1 2 3 4 5 6 7 8 9 10; do
		wait_until "$WAIT_LIMIT" process_ended "${PIDS[c$i]}" || fail "container c$i did not end"
		wait "${PIDS[c$i]}" || fail "container c$i: status $?: $(cat "$WB_TMP/c$i.err")"
	done
	assert_no_cgroup_left
}


# Hardening: whatever the caller, the terminal or bad luck does.
@test "step08: a directory on stdin, stdout or stderr gives 125 before anything runs" { promise_directory_on_stdio_refused; }
@test "step08: COMMAND not found gives 127 also with stderr closed or full" { promise_not_found_without_stderr; }
@test "step08: signals the caller ignores or blocks change nothing; COMMAND starts with every signal at its default" { promise_caller_signals_change_nothing; }
@test "step08: options are spelled out in full (--verb is unknown); --verbose=1 is bad usage, quoted as typed" { promise_options_spelled_out; }
@test "step08: a closed, full or broken stderr keeps COMMAND's status, and leaves no cgroup" {
	promise_broken_stderr_keeps_status
	assert_no_cgroup_left
}
@test "step08: no process of the container, init included, holds a file or directory of the caller's" { promise_no_caller_fd_in_container; }
@test "step08: SIGINT, SIGHUP and SIGTERM reach COMMAND also when the caller ignored or blocked them" { promise_signals_forwarded_though_caller_ignores; }
@test "step08: Ctrl-C and Ctrl-\\ on the terminal reach COMMAND once each" { promise_terminal_signals_once; }
@test "step08: a hang-up of the terminal reaches COMMAND as SIGHUP" { promise_hangup_reaches_command; }
@test "step08: Ctrl-C typed while the container starts reaches COMMAND" { promise_terminal_signal_during_start; }
@test "step08: init does not spin when its write to a terminal set to tostop would stop it (a background engine)" { promise_init_writes_from_the_background; }
@test "step08: a SIGKILLed engine takes its container with it" { promise_engine_killed_container_ends; }
@test "step08: an engine SIGKILLed before init's prctl still takes its container with it" { promise_engine_killed_before_init_is_ready; }
@test "step08: COMMAND starts with docker run's environment: PATH, HOSTNAME, HOME, TERM, nothing else" { promise_docker_environment; }
@test "step08: COMMAND is looked up with the container's PATH, not the caller's" { promise_command_looked_up_in_container_path; }
@test "step08: a read-only ROOTFS works" { promise_read_only_rootfs; }
@test "step08: ROOTFS is left as it was, also when init is killed half-way" { promise_rootfs_unchanged; }

# Hardening: cgroups that pids, sub-cgroups, option values or a missing
# controller would leave behind or get wrong.
@test "step08: sub-cgroups made inside (x/y) are removed with the container's cgroup, deepest first" {
	run_engine -- sh -c "$(subcgroups_made)"
	[ "$status" -eq 0 ] || problem "status $status: $stderr"
	[[ $output == *made* ]] || problem "no sub-cgroup made: $output"
	end_cgroup_test
}

# A cgroup filesystem mounted inside the container (its cgroup namespace
# shows the container's cgroup as the top), at /mnt/cg.
cgroup_mounted_inside() {
	if [ "$(cgroup_version)" = 2 ]; then
		echo 'mkdir -p /mnt/cg && mount -t cgroup2 cg /mnt/cg'
	else
		echo 'mkdir -p /mnt/cg && mount -t cgroup -o pids cg /mnt/cg'
	fi
}

@test "step08: sub-cgroups nested past PATH_MAX (4096 bytes of path from the host's root) are removed with the container's cgroup" {
	# 21 levels of 200-byte names: 4221 bytes below the container's cgroup.
	# Inside, the shell's own path stays under PATH_MAX until the last cd fails.
	# shellcheck disable=SC2016
	run_engine -- sh -c "$(cgroup_mounted_inside)"' && cd /mnt/cg && n=$(printf "%0200d" 0) && i=0 &&
		while [ $i -lt 21 ] && mkdir $n; do i=$((i + 1)); cd $n 2>/dev/null || break; done; echo made $i'
	[ "$status" -eq 0 ] || problem "status $status: $stderr"
	[ "$output" = "made 21" ] || problem "the nested sub-cgroups were not made: $output"
	end_cgroup_test
}

# fd_open_by PID PATH: a process of PID's tree holds a descriptor of PATH.
fd_open_by() {
	local p
	for p in "$1" $(descendants "$1"); do
		find "/proc/$p/fd" -lname "$2" 2>/dev/null | grep -q . && return 0
	done
	return 1
}

# live_tree: the cgroups of the container-1 that lives, and what is below them.
live_tree() {
	cgroup_tree | grep '/container-1\(/\|$\)'
}

# An engine whose sweep opened a stale container-1, and is slow to lock it
# (strace delays its flock 3 s); meanwhile a live engine, PID 1 of another
# namespace, removes that stale directory and makes its own container-1,
# with sub-cgroups. The lock the slow sweep then takes is on the removed
# directory: the live one at that path must not be touched.
@test "step08: a sweep that locks a stale cgroup only once another engine has made its own of that name removes nothing of the live one" {
	local dirs dir first before
	dirs=$(expected_container_dirs 1 $$)
	first=$(head -n 1 <<<"$dirs")
	for dir in $dirs; do
		mkdir "$dir" || problem "cannot make a stale $dir"
	done
	engine_argv --verbose -- true
	strace -qq -o /dev/null -P "$first" -e trace=flock -e inject=flock:delay_enter=3000000 \
		"${ENGINE_ARGV[@]}" </dev/null >"$WB_TMP/slow.out" 2>"$WB_TMP/slow.err" 3>&- &
	PIDS[slow]=$!
	STARTED_PIDS+=("$!")
	wait_until "$WAIT_LIMIT" fd_open_by "${PIDS[slow]}" "$first" || problem "the slow sweep never opened $first: $(cat "$WB_TMP/slow.err")"
	start_in_pid_namespace live 1 -- sh -c "$(subcgroups_made) && $HOLD"
	wait_said "$WB_TMP/live.out" ready "${PIDS[live]}"
	before=$(live_tree)
	[[ $before == *"/container-1/x/y"* ]] || problem "no sub-cgroup container-1/x/y to keep: $before"
	wait_until "$WAIT_LIMIT" process_ended "${PIDS[slow]}" || problem "the slow engine did not end"
	wait "${PIDS[slow]}" || problem "the slow engine: status $?: $(cat "$WB_TMP/slow.err")"
	[ "$(live_tree)" = "$before" ] || problem "the live container's cgroups changed: $(diff <(echo "$before") <(live_tree))"
	end_cgroup_test live
}

# In a cgroup namespace made by its caller, with the cgroup filesystems the
# host mounted: on v1 they show the hierarchy's top above the engine's own
# cgroup (mountinfo's root "/.."), and no path there is the engine's cgroup.
# It must not take the top for its own, and put the container out of the
# limits its caller is under. On v2 the container goes under the root as
# always, where the kernel lets no process of a cgroup namespace move another.
@test "step08: run in a cgroup namespace of its caller's, the engine never puts the container outside its own cgroup: 125 and a message, nothing left" {
	local own controller=pids
	[ "$(cgroup_version)" = 1 ] || controller=
	own=$(cgroup_dir $$ "$controller")/wb-cgns-$$
	mkdir "$own" || fail "cannot make $own"
	engine_argv --verbose -- sh -c 'echo COMMAND ran'
	# shellcheck disable=SC2016
	# (a bound on a hang, so that the cgroup below is always removed)
	run --separate-stderr timeout -s KILL "$WAIT_LIMIT" sh -c 'echo $$ >"$1/cgroup.procs" && shift && exec unshare --cgroup "$@"' \
		sh "$own" "${ENGINE_ARGV[@]}"
	if [ "$(cgroup_version)" = 1 ]; then
		[ "$status" -eq 125 ] || problem "status $status, not 125: $stderr"
		[[ $stderr == *"container: "*cgroup* ]] || problem "no message that names the cgroup: $stderr"
		[[ $stderr != *'mkdir("'* ]] || problem "a cgroup was made where the engine's own is not: $stderr"
	elif [ "$status" -ne 0 ]; then
		[ "$status" -eq 125 ] && [[ $stderr == *"container: "* ]] || problem "status $status: $stderr"
	fi
	[ -z "$(find "$own" -mindepth 1 -type d)" ] || problem "left below $own: $(find "$own" -mindepth 1 -type d)"
	remove_cgroup_trees "$own"
	end_cgroup_test
}

@test "step08: a container-1 left by a SIGKILLed engine that was PID 1 does not stop the next engine, also PID 1" {
	local mark=5000$$ engine
	mark_process "sleep $mark"
	start_in_pid_namespace first 1 -- sleep "$mark"
	wait_until "$WAIT_LIMIT" marked_program_runs "sleep $mark" sleep || problem "COMMAND did not start: $(cat "$WB_TMP/first.err")"
	engine=$(children "${PIDS[first]}")
	kill -KILL "$engine"
	wait_until "$WAIT_LIMIT" process_ended "${PIDS[first]}" || problem "the first engine's namespace did not end"
	[[ $(new_container_cgroups) == *"/container-1"* ]] || problem "the SIGKILLed engine left no container-1: $(new_container_cgroups)"
	run_in_pid_namespace --verbose -- true
	[ "$status" -eq 0 ] || problem "the next engine, PID 1 again: status $status: $stderr"
	end_cgroup_test
}

@test "step08: a live engine of another PID namespace keeps its name: the next one with the same pid stops with 125 and a message, and removes nothing" {
	local before
	start_in_pid_namespace live 1 -- sh -c "$(subcgroups_made) && $HOLD"
	wait_said "$WB_TMP/live.out" ready "${PIDS[live]}"
	before=$(cgroup_tree)
	[[ $before == *"/container-1/x/y"* ]] || problem "no sub-cgroup container-1/x/y to keep: $before"
	run_in_pid_namespace --verbose -- sh -c 'echo COMMAND ran'
	[ "$status" -eq 125 ] || problem "a second PID 1 while container-1 lives: status $status, not 125: $stderr"
	[ -z "$output" ] || problem "COMMAND ran: $output"
	[[ $stderr == *container-1* ]] || problem "the message does not name container-1: $stderr"
	grep -Eqi 'live|in use|running|another|held|busy|locked|namespace' <<<"$stderr" ||
		problem "the message does not say a live engine holds container-1: $stderr"
	[ "$(cgroup_tree)" = "$before" ] || problem "the live container's cgroups changed: $(diff <(echo "$before") <(cgroup_tree))"
	end_cgroup_test live
}

@test "step08: a live container's cgroup and its empty sub-cgroups survive the sweep of an engine in another PID namespace" {
	local before
	# the live engine is PID 2 of its namespace: container-2
	start_in_pid_namespace live 2 -- sh -c "$(subcgroups_made) && $HOLD"
	wait_said "$WB_TMP/live.out" ready "${PIDS[live]}"
	before=$(cgroup_tree)
	[[ $before == *"/container-2/x/y"* ]] || problem "no sub-cgroup container-2/x/y to keep: $before"
	# an engine that is PID 1 of another namespace, where no pid 2 lives
	run_in_pid_namespace --verbose -- true
	[ "$status" -eq 0 ] || problem "the other engine: status $status: $stderr"
	[ "$(cgroup_tree)" = "$before" ] || problem "the live container's cgroups changed: $(diff <(echo "$before") <(cgroup_tree))"
	end_cgroup_test live
}

# A container-1 that no engine holds, but with a process in it (moved
# there by someone else): the sweep cannot remove it, and the next engine
# with that name must stop with 125, not wait on it, and leave it as it is.
@test "step08: a stale cgroup container-1 that still holds a process stops the next engine, also PID 1, with 125 and a message, and is left as it is" {
	local dirs dir sleeper mark=7000$$
	mark_process "sleep $mark"
	dirs=$(expected_container_dirs 1 $$)
	sleep "$mark" &
	sleeper=$!
	for dir in $dirs; do
		mkdir "$dir" || problem "cannot make $dir"
		echo "$sleeper" >"$dir/cgroup.procs" || problem "cannot move $sleeper into $dir"
	done
	if [ "${#PROBLEMS[@]}" -eq 0 ]; then
		engine_argv --verbose -- sh -c 'echo COMMAND ran'
		# a bound on a hang, not a measure of speed
		run --separate-stderr timeout -s KILL "$WAIT_LIMIT" env --default-signal unshare --pid --fork "${ENGINE_ARGV[@]}"
		[ "$status" -eq 125 ] || problem "status $status, not 125: $stderr"
		[ -z "$output" ] || problem "COMMAND ran: $output"
		[[ $stderr == *"container-1 is held"*"processes"* ]] || problem "no message naming container-1 and its processes: $stderr"
		for dir in $dirs; do
			grep -qx "$sleeper" "$dir/cgroup.procs" 2>/dev/null || problem "$dir no longer holds $sleeper"
		done
	fi
	kill "$sleeper" 2>/dev/null || true
	wait "$sleeper" 2>/dev/null || true
	for dir in $dirs; do
		[ ! -d "$dir" ] || wait_until "$WAIT_LIMIT" rmdir "$dir" 2>/dev/null || problem "cannot remove $dir"
	done
	end_cgroup_test
}

@test "step08: --cpus that rounds to nothing (0.000001) and --pids-limit above 4194304 give 125 before anything runs" {
	bad_values --cpus 0.000001 0.0000001
	bad_values --pids-limit 4194305 99999999999
}

@test "step08: --pids-limit 4194304, the kernel's most, is taken" {
	run_engine --pids-limit 4194304 -- true
	assert_success
	assert_no_cgroup_left
}

# --- a host that lacks a controller -----------------------------------------
#
# On v1 the test hides the controller's hierarchy from the engine
# (run_without_hierarchy). A v2 host cannot be made to lack a controller, but
# a part of its hierarchy can: a cgroup has only the controllers its parent
# enables in cgroup.subtree_control. The engine puts its container's cgroup
# under the root of the hierarchy as it sees it (v2_parent in main.c: the
# cgroup2 mounted at /sys/fs/cgroup), and in a cgroup namespace, with cgroup2
# mounted anew in a mount namespace of its own, that root is the namespace's.
# So, for each controller C, the test makes cgroups of its own:
#
#   ROOT/wbtest-PID-C                 enables every controller but C
#   ROOT/wbtest-PID-C/inner           the engine's root: every controller but C
#   ROOT/wbtest-PID-C/inner/engine    where the engine runs
#
# ROOT is the root of the host's hierarchy, where the engine's containers go
# too. Not the test's own cgroup: on a systemd host that is a login scope or
# a service, which holds processes and so cannot give controllers to a child
# (no internal processes); the root is the one cgroup exempt from that rule,
# and a systemd host enables there every controller it has. The engine runs
# in a child of its root, not in the root itself: that root is not the
# hierarchy's, so with the engine in it, it could not enable controllers for
# the container's cgroup, and a run with --memory would fail whatever the
# engine did.

# limit_option CONTROLLER: sets OPTION to the option that asks for a limit of CONTROLLER.
limit_option() {
	case $1 in
	memory) OPTION=(--memory 32m) ;;
	pids) OPTION=(--pids-limit 10) ;;
	cpu) OPTION=(--cpus 0.5) ;;
	esac
}

# names_controller CONTROLLER: after run_engine, the engine's message names
# CONTROLLER as a word of its own: not an option (--memory, --cpus), a file
# (memory.max, pids.max) or a directory (/sys/fs/cgroup/memory/...) that
# the engine failed to write to.
names_controller() {
	local re="^container: .*(^|[^-./_[:alnum:]])$1([^./_[:alnum:]]|\$)"
	[[ $stderr =~ $re ]]
}

# host_has_controller CONTROLLER: v1, a hierarchy of it is mounted; v2, the
# root of the hierarchy has it.
host_has_controller() {
	if [ "$(cgroup_version)" = 1 ]; then
		[ -n "$(v1_mount_of "$1")" ]
	else
		grep -qw "$1" "$(v2_root)/cgroup.controllers"
	fi
}

# v2_root: the mount point of the host's cgroup2 hierarchy.
v2_root() {
	cgroup_mounts | awk '$1 == "cgroup2" { print $3; exit }'
}

# lacking_cgroup CONTROLLER: makes the test's cgroups above, for CONTROLLER;
# LACKING is the engine's root. Teardown removes them.
LACKING_TOPS=()
lacking_cgroup() {
	local root top give=() x
	root=$(v2_root)
	top=$root/wbtest-$$-$1
	for x in memory pids cpu; do
		[ "$x" != "$1" ] && grep -qw "$x" "$root/cgroup.subtree_control" && give+=("+$x")
	done
	LACKING_TOPS+=("$top")
	mkdir "$top"
	[ "${#give[@]}" -eq 0 ] || echo "${give[*]}" >"$top/cgroup.subtree_control"
	mkdir "$top/inner" "$top/inner/engine"
	LACKING=$top/inner
	! grep -qw "$1" "$LACKING/cgroup.controllers" || fail "$LACKING still has $1: $(cat "$LACKING/cgroup.controllers")"
}

# run_lacking DIR OPTION... -- COMMAND: run_engine from DIR/engine, in a
# cgroup namespace whose root is DIR, with cgroup2 mounted anew at
# /sys/fs/cgroup in a mount namespace of its own (the host's is unmounted
# there first: the kernel will not stack a mount of a filesystem on its own
# root, whatever the new mount shows). The namespaces are made
# from DIR itself (unshare --cgroup makes the caller's cgroup the root), then
# the shell moves into DIR/engine and becomes the engine. A step that fails
# before the engine runs exits 99, saying which.
run_lacking() {
	local dir=$1
	shift
	engine_argv "$@"
	# shellcheck disable=SC2016 # (the inner shells expand them)
	run --separate-stderr sh -c '
		echo $$ >"$1/cgroup.procs" || { echo "cannot move into $1" >&2; exit 99; }
		shift
		exec unshare --cgroup --mount --propagation private sh -c "
			umount -l /sys/fs/cgroup && mount -t cgroup2 none /sys/fs/cgroup ||
				{ echo \"cannot mount cgroup2 anew\" >&2; exit 99; }
			echo \$\$ >/sys/fs/cgroup/engine/cgroup.procs || { echo \"cannot move into engine\" >&2; exit 99; }
			exec \"\$@\"" sh "$@"' lacking "$dir" "${ENGINE_ARGV[@]}"
}

# remove_tree DIR: removes the cgroup DIR and those below it, deepest first.
remove_tree() {
	find "$1" -depth -type d -exec rmdir {} + 2>/dev/null
	[ ! -d "$1" ]
}

# From teardown: remove the test's own cgroups, deepest first (their
# processes have ended; the kernel may need a moment).
remove_lacking_cgroups() {
	local top status=0
	for top in "${LACKING_TOPS[@]}"; do
		wait_until 5 remove_tree "$top" || { echo "cannot remove $top" >&2; status=1; }
	done
	return $status
}

@test "step08: a limit whose controller the host lacks gives 125 naming it; no limit needs none" {
	local c x root how others missing=()
	if [ "$(cgroup_version)" = 2 ]; then
		# The root gives the test's cgroups the controllers it enables: an
		# engine with their limits enables them there, as in other tests.
		root=$(v2_root)
		for c in memory pids cpu; do
			limit_option "$c"
			host_has_controller "$c" && ! grep -qw "$c" "$root/cgroup.subtree_control" &&
				missing+=("${OPTION[@]}")
		done
		if [ "${#missing[@]}" -gt 0 ]; then
			run_engine "${missing[@]}" -- true
			[ "$status" -eq 0 ] || fail "${missing[*]}, on a host that has these controllers: status $status: $stderr"
		fi
	fi
	for c in memory pids cpu; do
		# how: the way to run the engine on a host without C
		if ! host_has_controller "$c"; then
			how=(run_engine) # this host lacks C already
		elif [ "$(cgroup_version)" = 1 ]; then
			how=(run_without_hierarchy "$(v1_mount_of "$c")")
		else
			lacking_cgroup "$c"
			how=(run_lacking "$LACKING")
		fi
		others=()
		for x in memory pids cpu; do
			[ "$x" != "$c" ] && host_has_controller "$x" && limit_option "$x" && others+=("${OPTION[@]}")
		done
		limit_option "$c"
		"${how[@]}" "${OPTION[@]}" -- sh -c 'echo COMMAND ran'
		[ "$status" -eq 125 ] || fail "${OPTION[*]} without $c: status $status, not 125: $output $stderr"
		assert_equal "$output" ""
		names_controller "$c" || fail "${OPTION[*]} without $c: the message does not name $c: $stderr"
		assert_no_cgroup_left
		"${how[@]}" -- sh -c 'echo COMMAND ran'
		[ "$status" -eq 0 ] || fail "no limit, without $c: status $status: $stderr"
		assert_output "COMMAND ran"
		assert_no_cgroup_left
		# the limits whose controllers are there need nothing of C
		"${how[@]}" "${others[@]}" -- sh -c 'echo COMMAND ran'
		[ "$status" -eq 0 ] || fail "${others[*]}, without $c: status $status: $stderr"
		assert_output "COMMAND ran"
		assert_no_cgroup_left
		[ "${#LACKING_TOPS[@]}" -eq 0 ] || remove_lacking_cgroups || fail "the test's cgroups could not be removed"
		LACKING_TOPS=()
	done
}

@test "step08: a call that fails once the cgroup exists still removes it (strace fails the engine's first wait4)" {
	local mark=wait4-$$
	command -v strace >/dev/null || fail "needs strace (make tools installs it)"
	mark_process "$mark"
	engine_argv --memory 64m --pids-limit 20 -- sh -c 'sleep 0.5' "$mark"
	# without -f: the engine alone is traced, init and COMMAND run as always
	run --separate-stderr timeout -s KILL 30 strace -qq -o /dev/null -e trace=wait4 \
		-e inject=wait4:error=EINVAL:when=1 "${ENGINE_ARGV[@]}"
	[ "$status" -eq 125 ] || fail "a failed waitpid: status $status, not 125: $stderr"
	wait_until "$WAIT_LIMIT" container_gone "$mark" || fail "the container outlived its engine: $(pids_marked "$mark")"
	assert_no_cgroup_left
}

# count_calls CALL: how many times the engine of ENGINE_ARGV calls CALL in a
# plain run (strace, the engine alone), in COUNT.
count_calls() {
	strace -qq -o "$WB_TMP/calls" -e trace="$1" "${ENGINE_ARGV[@]}" >/dev/null 2>&1 || true
	COUNT=$(grep -c "^$1(" "$WB_TMP/calls" || true)
	[ "$COUNT" -gt 0 ] || fail "the engine made no $1 call: $(cat "$WB_TMP/calls")"
}

# The hostile and the unlucky: each call of the engine fails in turn, once
# (strace without -f: init and COMMAND run as always). Whichever it is, the
# engine ends as the contract says and leaves nothing: no cgroup, no process.
@test "step08: whichever call of the engine fails (strace, each in turn), it ends with 125 or COMMAND's status and leaves no cgroup and no process" {
	local call nth left dir siblings mark=inject-$$
	command -v strace >/dev/null || fail "needs strace (make tools installs it)"
	mark_process "$mark"
	# A cgroup beside the container's makes the engine read their directory
	# in its sweep (it skips one that holds its own alone): container-0,
	# which no engine has, and which teardown removes.
	siblings=$(expected_container_dirs 0 $$)
	for dir in $siblings; do
		mkdir "$dir" || fail "cannot make $dir"
	done
	engine_argv --memory 64m --pids-limit 20 --cpus 0.5 -- sh -c 'exit 0' "$mark"
	for call in access rt_sigaction rt_sigprocmask close_range pipe2 clone mkdir openat newfstatat \
		read getdents64 flock write rt_sigtimedwait wait4 rmdir; do
		count_calls "$call"
		for ((nth = 1; nth <= COUNT; nth++)); do
			# (not bats' run, which warns of a 127)
			status=0
			timeout -s KILL 60 strace -qq -o /dev/null -e trace="$call" \
				-e inject="$call:error=EIO:when=$nth" "${ENGINE_ARGV[@]}" >/dev/null 2>"$WB_TMP/err" || status=$?
			stderr=$(cat "$WB_TMP/err")
			case $status in
			0) ;;
			125) [[ $stderr == "container: "* ]] || fail "$call #$nth failed: 125 without a message: $stderr" ;;
			# a dynamically linked program: the call was the loader's, before main
			127) [[ $stderr == *"error while loading shared libraries"* ]] ||
				fail "$call #$nth failed: status 127: $stderr" ;;
			*) fail "$call #$nth failed: status $status, not 0 or 125: $stderr" ;;
			esac
			wait_until "$WAIT_LIMIT" container_gone "$mark" ||
				fail "$call #$nth failed: the container outlived its engine: $(pids_marked "$mark")"
			left=$(new_container_cgroups | grep -vxF "$siblings" || true)
			[ -z "$left" ] || fail "$call #$nth failed: cgroups left behind: $left"
			for dir in $siblings; do
				[ -d "$dir" ] || fail "$call #$nth failed: the engine removed $dir, which was no container's"
			done
		done
	done
}

@test "step08: an engine SIGKILLed at any of its calls (strace, each in turn) takes its container with it, and the next run removes its cgroup" {
	local call nth left mark=killed-$$
	command -v strace >/dev/null || fail "needs strace (make tools installs it)"
	mark_process "$mark"
	engine_argv --memory 64m --pids-limit 20 --cpus 0.5 -- sh -c 'exit 0' "$mark"
	for call in clone mkdir flock write wait4 rmdir; do
		count_calls "$call"
		for ((nth = 1; nth <= COUNT; nth++)); do
			run timeout -s KILL 60 strace -qq -o /dev/null -e trace="$call" \
				-e inject="$call:signal=SIGKILL:when=$nth" "${ENGINE_ARGV[@]}"
			[ "$status" -eq 137 ] || fail "SIGKILL at $call #$nth: status $status, not 137: $output"
			wait_until "$WAIT_LIMIT" container_gone "$mark" ||
				fail "SIGKILL at $call #$nth: the container outlived its engine: $(pids_marked "$mark")"
			run_engine -- true
			[ "$status" -eq 0 ] || fail "the run after a SIGKILL at $call #$nth: status $status: $stderr"
			left=$(new_container_cgroups)
			[ -z "$left" ] || fail "SIGKILL at $call #$nth: the next run left: $left"
		done
	done
}

@test "step08: the chapter's try-it sessions print what they show" { check_transcripts; }
@test "step08: the chapter opens with a diagram, and the functions it names are main.c's" { check_diagrams; }

# Issue 12, item 12: a kernel that does not account swap. Its files cannot be
# removed from a cgroup, so tests/helpers/noswap.c, preloaded into the engine,
# makes memory.memsw.* (v1) and memory.swap.* (v2) look missing to it. A
# preloaded library reaches only a dynamically linked program: where the
# Makefile linked the workbook's step 08 statically, the test builds its
# main.c again as a reader does by hand (cc -o container main.c), which links
# it dynamically, and runs that copy. A program given to grade is run as it
# is: linked statically, it cannot be tested this way.
@test "step08: where the kernel does not account swap, --memory says so once on stderr and the container runs" {
	local so=$WB_TMP/noswap.so
	if ! ldd "$CONTAINER" >/dev/null 2>&1; then
		[ -z "$GRADING" ] || skip "$CONTAINER is linked statically: LD_PRELOAD cannot reach it (link it dynamically to run this test)"
		CONTAINER=$BATS_TEST_TMPDIR/container
		"${CC:-cc}" -std=c11 -O2 -o "$CONTAINER" "$REPO/$STEP/main.c" || fail "cannot build $STEP/main.c by hand"
		ldd "$CONTAINER" >/dev/null 2>&1 || fail "cc -o container main.c made a program that is not linked dynamically"
	fi
	"${CC:-cc}" -shared -fPIC -o "$so" "$REPO/tests/helpers/noswap.c" -ldl || fail "cannot build tests/helpers/noswap.c"
	LD_PRELOAD=$so run_engine --memory 32m -- sh -c 'echo COMMAND ran'
	assert_success
	assert_output "COMMAND ran"
	[ "$(grep -ci swap <<<"$stderr")" -eq 1 ] || fail "not one line about swap on stderr: $stderr"
	[[ $stderr == *--memory* ]] || fail "the warning does not name --memory: $stderr"
	assert_no_cgroup_left
	# without --memory there is nothing for swap to lift
	LD_PRELOAD=$so run_engine -- sh -c 'echo COMMAND ran'
	assert_success
	assert_equal "$stderr" ""
	assert_no_cgroup_left
}

@test "step08: whichever call of the engine or of its processes fails (each in turn, by strace), it ends with 0 or 125 and leaves nothing behind" { promise_any_call_may_fail; }
@test "step08: killed at any call of the engine or of its processes (each in turn, by strace), it leaves nothing behind" { promise_killed_at_any_call; }
