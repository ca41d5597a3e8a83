# Control groups, seen from the host, for the tests of step 08: where a
# process's cgroup directory is, which container-* cgroups exist, what the
# limit files hold. Works with cgroup v1 (one hierarchy per controller,
# wherever mounted) and v2 (one hierarchy): every path comes from
# /proc/PID/cgroup and /proc/self/mountinfo, none is assumed.
#
# A test file loads helpers.bash, mount_helpers.bash, then this file; it
# calls cgroup_setup from setup() and cgroup_teardown from teardown(), after
# mount_teardown has ended the test's processes.

# cgroup_version: 2 where cgroup v2 alone is mounted at /sys/fs/cgroup, else 1.
cgroup_version() {
	if [ -e /sys/fs/cgroup/cgroup.controllers ]; then echo 2; else echo 1; fi
}

# cgroup_mounts: every mount of a cgroup or cgroup2 filesystem, one a line:
# "TYPE ROOT MOUNTPOINT OPTIONS" (ROOT: the cgroup the mount shows as its top).
cgroup_mounts() {
	awk '{
		for (i = 7; $i != "-"; i++)
			;
		if ($(i + 1) == "cgroup" || $(i + 1) == "cgroup2")
			print $(i + 1), $4, $5, $(i + 3)
	}' /proc/self/mountinfo
}

# cgroup_dir PID CONTROLLER: the directory of PID's cgroup, for CONTROLLER's
# hierarchy on v1 (memory, pids, cpu), or the one hierarchy on v2.
cgroup_dir() {
	local pid=$1 controller=$2 type=cgroup path
	[ "$(cgroup_version)" = 1 ] || type=cgroup2
	# /proc/PID/cgroup: "ID:CONTROLLERS:PATH" for each v1 hierarchy, "0::PATH" for v2.
	path=$(awk -v type="$type" -v c="$controller" '{
		split($0, f, ":")
		n = split(f[2], names, ",")
		found = type == "cgroup2" && f[1] == "0" && f[2] == ""
		for (i = 1; i <= n && type == "cgroup"; i++)
			if (names[i] == c)
				found = 1
		if (found) {
			sub(/^[^:]*:[^:]*:/, "")
			print
			exit
		}
	}' "/proc/$pid/cgroup") || return 1
	[ -n "$path" ] || return 1
	cgroup_mounts | awk -v type="$type" -v c="$controller" -v path="$path" '
		$1 != type { next }
		type == "cgroup" {
			n = split($4, options, ",")
			found = 0
			for (i = 1; i <= n; i++)
				if (options[i] == c)
					found = 1
			if (!found)
				next
		}
		{
			if ($2 != "/" && index(path, $2) == 1)
				path = substr(path, length($2) + 1)
			if (path == "/")
				path = ""
			print $3 path
			exit
		}'
}

# container_cgroup_dirs PID: PID's cgroup directories for the controllers a
# container is limited by: memory, pids and cpu on v1; the one on v2.
container_cgroup_dirs() {
	local c
	if [ "$(cgroup_version)" = 2 ]; then
		cgroup_dir "$1" ""
	else
		for c in memory pids cpu; do
			cgroup_dir "$1" "$c"
		done
	fi
}

# container_cgroups: every container-* cgroup directory on the host, in every hierarchy.
container_cgroups() {
	local mounts
	mounts=$(cgroup_mounts | awk '{ print $3 }' | sort -u)
	# shellcheck disable=SC2086
	find $mounts -type d -name 'container-*' -prune 2>/dev/null | sort -u
}

# new_container_cgroups: those made since the test began.
# Another engine on the machine (another test run, a user's container) may
# make its own container-* meanwhile: a new one that is not this test's is
# left alone (cgroup_is_foreign).
new_container_cgroups() {
	local dir
	for dir in $(container_cgroups | grep -vxF -f <(echo "$CGROUPS_BEFORE")); do
		cgroup_is_foreign "$dir" || echo "$dir"
	done
}

# cgroup_is_foreign DIR: DIR belongs to an engine that is not this test's:
# a live engine that is not this test's holds a lock on it (the sign of life
# the contract suggests; /proc/locks names the lock's holder), or it holds
# processes of which none is this test's (a descendant of the test's shell);
# either way only while the engine its name gives is alive and not this test's. (A container
# left running by an engine of the test's that has ended is the test's: its
# processes, orphaned, descend from it no longer, but its engine is gone.)
cgroup_is_foreign() {
	local pid procs holders inode engine=${1##*/container-}
	inode=$(stat -c %i "$1" 2>/dev/null) || return 1
	holders=$(awk -v i=":$inode" '$2 == "FLOCK" && substr($6, length($6) - length(i) + 1) == i { print $5 }' /proc/locks)
	for pid in $holders; do
		descends_from_test "$pid" && return 1
	done
	[ -z "$holders" ] || { engine_is_foreign "$engine"; return; }
	procs=$(find "$1" -name cgroup.procs -exec cat {} + 2>/dev/null)
	[ -n "$procs" ] || return 1
	for pid in $procs; do
		descends_from_test "$pid" && return 1
	done
	engine_is_foreign "$engine"
}

# engine_is_foreign PID: the engine PID (from a container-PID name) is alive
# and not this test's.
engine_is_foreign() {
	[[ $1 =~ ^[0-9]+$ ]] && [ -e "/proc/$1" ] && ! descends_from_test "$1"
}

# descends_from_test PID: PID is this test's shell or one of its descendants.
descends_from_test() {
	local p=$1
	while [ -n "$p" ] && [ "$p" -gt 1 ]; do
		[ "$p" != $$ ] || return 0
		p=$(awk '{ print $4 }' "/proc/$p/stat" 2>/dev/null)
	done
	return 1
}

# From setup: note the container-* cgroups that are already there (none,
# normally; a test's engines may remove them, but never leave new ones).
cgroup_setup() {
	CGROUPS_BEFORE=$(container_cgroups)
	[ -n "$CGROUPS_BEFORE" ] || CGROUPS_BEFORE=/none
}

# From teardown: remove any container-* cgroup the test left (it holds no
# process once mount_teardown has ended them; the kernel may need a moment).
# Fails when one cannot be removed.
cgroup_teardown() {
	local dir status=0
	for dir in $(new_container_cgroups); do
		# what a container made inside its cgroup goes first, deepest first
		find "$dir" -mindepth 1 -depth -type d -execdir rmdir {} \; 2>/dev/null
		wait_until 5 removed "$dir" || { echo "cannot remove $dir" >&2; status=1; }
	done
	return $status
}

# removed DIR: DIR is gone now (its own engine may remove it first).
removed() {
	rmdir "$1" 2>/dev/null || [ ! -d "$1" ]
}

# assert_no_cgroup_left: no container-* cgroup was left behind.
assert_no_cgroup_left() {
	local left
	left=$(new_container_cgroups)
	[ -z "$left" ] || fail "cgroups left behind: $left"
}

# expected_container_dirs: where the contract puts the container's cgroup
# of the background engine: container-<engine's pid> under the engine's own
# cgroup in each of the memory, pids and cpu hierarchies on v1; on v2, under
# the root of the hierarchy unless the engine's own cgroup is the root (a
# cgroup that holds a process, the engine, cannot enable controllers for a
# child: the "no internal processes" rule).
# With ENGINE [IN]: the engine's pid ENGINE, its own cgroup the one process
# IN is in (an engine that has ended was in its caller's: IN=$$).
expected_container_dirs() {
	local engine=${1:-$ENGINE_PID} in=${2:-${1:-$ENGINE_PID}} c root
	if [ "$(cgroup_version)" = 2 ]; then
		root=$(cgroup_mounts | awk '$1 == "cgroup2" { print $3; exit }')
		echo "$root/container-$engine"
	else
		for c in memory pids cpu; do
			echo "$(cgroup_dir "$in" "$c")/container-$engine"
		done
	fi
}

# container_cgroup_of PID: PID's cgroup directories, checked to be the
# container's own: container-<engine's pid>, exactly where the contract puts
# it (expected_container_dirs). Sets CG_DIRS (array).
container_cgroup_of() {
	local dir want
	mapfile -t CG_DIRS < <(container_cgroup_dirs "$1")
	[ "${#CG_DIRS[@]}" -gt 0 ] || fail "no cgroup found for pid $1"
	want=$(expected_container_dirs)
	for dir in "${CG_DIRS[@]}"; do
		printf '%s\n' "$want" | grep -qxF "$dir" ||
			fail "pid $1 is in $dir, not where its cgroup belongs: $(echo $want)"
	done
}

# own_cgroup_v2: the test's own cgroup on v2 ("/" at the root), as /proc/self/cgroup says.
own_cgroup_v2() {
	sed -n 's/^0:://p' /proc/self/cgroup
}

# limit_file CONTROLLER FILE: the path of FILE in the cgroup of INIT_PID for CONTROLLER.
limit_file() {
	echo "$(cgroup_dir "$INIT_PID" "$1")/$2"
}

# assert_limit CONTROLLER FILE EXPECTED: FILE holds EXPECTED. On v2, where
# a controller is not enabled for the cgroup its files do not exist: no
# limit, which is right when EXPECTED is "max" (an engine enables only the
# controllers its limits need).
assert_limit() {
	local file value
	file=$(limit_file "$1" "$2")
	if [ "$3" = max ] && [ "$(cgroup_version)" = 2 ] && [ ! -e "$file" ]; then
		return 0
	fi
	value=$(cat "$file") || fail "cannot read $file"
	[ "$value" = "$3" ] || fail "$file holds '$value', not '$3'"
}

# V1_UNLIMITED: what memory.limit_in_bytes holds without a limit (the
# largest count of pages, in bytes: 9223372036854771712 with 4 KiB pages).
v1_unlimited() {
	[ "$1" -ge 9000000000000000000 ] 2>/dev/null
}

# assert_limits MEMORY PIDS CPUS: the container's limit files (of INIT_PID's
# cgroup) say MEMORY bytes, PIDS processes, CPUS CPUs; "max" for no limit.
assert_limits() {
	local memory=$1 pids=$2 cpus=$3 file value quota period
	if [ "$(cgroup_version)" = 2 ]; then
		assert_limit memory memory.max "$memory"
		file=$(limit_file memory memory.swap.max)
		if [ "$memory" != max ] && [ -e "$file" ]; then
			assert_limit memory memory.swap.max 0
		fi
		assert_limit pids pids.max "$pids"
		quota=max period=100000
		file=$(limit_file cpu cpu.max)
		if [ "$cpus" != max ] || [ -e "$file" ]; then
			read -r quota period <"$file"
		fi
	else
		for file in memory.limit_in_bytes memory.memsw.limit_in_bytes; do
			[ -e "$(limit_file memory "$file")" ] || continue
			value=$(cat "$(limit_file memory "$file")")
			if [ "$memory" = max ]; then
				v1_unlimited "$value" || fail "$(limit_file memory "$file") holds $value: a limit"
			else
				assert_limit memory "$file" "$memory"
			fi
		done
		assert_limit pids pids.max "$pids"
		quota=$(cat "$(limit_file cpu cpu.cfs_quota_us)")
		period=$(cat "$(limit_file cpu cpu.cfs_period_us)")
		[ "$quota" != -1 ] || quota=max
	fi
	if [ "$cpus" = max ]; then
		[ "$quota" = max ] || fail "CPU quota $quota of $period us: a limit"
	else
		[ "$quota" != max ] || fail "no CPU quota, $cpus CPUs asked"
		awk -v q="$quota" -v p="$period" -v c="$cpus" 'BEGIN { d = q / p - c; exit !(d < 0.001 && d > -0.001) }' ||
			fail "CPU quota $quota of $period us is not $cpus CPUs"
	fi
}

# cpu_stat KEY: KEY's number in cpu.stat of INIT_PID's cgroup (nr_throttled, ...).
cpu_stat() {
	awk -v k="$1" '$1 == k { print $2 }' "$(limit_file cpu cpu.stat)"
}

# --- hardening: sub-cgroups, pids that repeat, controllers ------------------

# subcgroups_made: COMMAND's part that makes sub-cgroups x/y inside its
# container, through a cgroup filesystem it mounts (its cgroup namespace
# shows the container's cgroup as the top), and says "made" for each.
# shellcheck disable=SC2016
subcgroups_made() {
	if [ "$(cgroup_version)" = 2 ]; then
		echo 'mkdir -p /mnt/cg && mount -t cgroup2 cg /mnt/cg && mkdir -p /mnt/cg/x/y && echo made'
	else
		echo 'for c in memory pids; do mkdir -p /mnt/$c && mount -t cgroup -o $c cg /mnt/$c && mkdir -p /mnt/$c/x/y && echo made; done'
	fi
}

# remove_cgroup_trees DIR...: remove each DIR and every cgroup below it,
# deepest first (for a test that failed, leaving them).
remove_cgroup_trees() {
	local dir
	for dir in "$@"; do
		[ -d "$dir" ] || continue
		find "$dir" -depth -type d -execdir rmdir {} \; 2>/dev/null || true
		wait_until 5 test ! -d "$dir" || echo "cannot remove $dir" >&2
	done
}

# cgroup_tree: every directory of the container-* cgroups made since the
# test began, and what is below them.
cgroup_tree() {
	local left
	mapfile -t left < <(new_container_cgroups)
	[ "${#left[@]}" -eq 0 ] || find "${left[@]}" -type d | sort
}

# start_in_pid_namespace NAME PID OPTION... -- COMMAND: an engine in a fresh
# PID namespace (unshare --pid --fork) where it is PID 1, or PID 2 when PID
# is 2 (a shell, PID 1, runs it). Its stdout and stderr in $WB_TMP/NAME.out
# and .err; PIDS[NAME] is unshare's pid, and ends with the engine.
start_in_pid_namespace() {
	local name=$1 pid=$2
	shift 2
	engine_argv "$@"
	if [ "$pid" = 2 ]; then
		ENGINE_ARGV=(sh -c '"$@"; exit $?' sh "${ENGINE_ARGV[@]}")
	fi
	env --default-signal unshare --pid --fork "${ENGINE_ARGV[@]}" \
		</dev/null >"$WB_TMP/$name.out" 2>"$WB_TMP/$name.err" 3>&- &
	PIDS["$name"]=$!
	STARTED_PIDS+=("$!")
}

# run_in_pid_namespace OPTION... -- COMMAND: run_engine, as PID 1 of a fresh PID namespace.
run_in_pid_namespace() {
	engine_argv "$@"
	run --separate-stderr env --default-signal unshare --pid --fork "${ENGINE_ARGV[@]}"
}

# v1_mount_of CONTROLLER: the mount point of CONTROLLER's v1 hierarchy.
v1_mount_of() {
	cgroup_mounts | awk -v c="$1" '$1 == "cgroup" {
		n = split($4, o, ",")
		for (i = 1; i <= n; i++)
			if (o[i] == c) { print $3; exit }
	}'
}

# run_without_hierarchy DIR OPTION... -- COMMAND: run_engine in a mount
# namespace of the test's own where the hierarchy mounted at DIR is not
# mounted: a host without that controller, to the engine.
run_without_hierarchy() {
	local dir=$1
	shift
	engine_argv "$@"
	# shellcheck disable=SC2016
	run --separate-stderr unshare --mount --propagation private sh -c 'umount -l "$1" && shift && exec "$@"' \
		hide "$dir" "${ENGINE_ARGV[@]}"
}

# problem TEXT: note a failure, reported by end_cgroup_test once what the
# test made is removed (sub-cgroups left behind outlive a plain teardown).
PROBLEMS=()
problem() {
	PROBLEMS+=("$*")
}

# end_cgroup_test [NAME]: let the held containers go (NAME's engine must
# end with 0), remove any container-* cgroup left with what is below it,
# then fail with every problem noted and every cgroup that was left.
end_cgroup_test() {
	local left
	if [ -n "${1:-}" ]; then
		release
		if ! wait_until "$WAIT_LIMIT" process_ended "${PIDS[$1]}"; then
			problem "$1 did not end"
		elif ! wait "${PIDS[$1]}"; then
			problem "$1: status $?: $(cat "$WB_TMP/$1.err")"
		fi
	fi
	left=$(cgroup_tree)
	if [ -n "$left" ]; then
		# shellcheck disable=SC2046
		remove_cgroup_trees $(new_container_cgroups)
		problem "cgroups left behind: $left"
	fi
	[ "${#PROBLEMS[@]}" -eq 0 ] || fail "$(printf '%s\n' "${PROBLEMS[@]}")"
}
