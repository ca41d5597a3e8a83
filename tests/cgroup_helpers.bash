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
new_container_cgroups() {
	container_cgroups | grep -vxF -f <(echo "$CGROUPS_BEFORE") || true
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
		wait_until 5 rmdir "$dir" 2>/dev/null || { echo "cannot remove $dir" >&2; status=1; }
	done
	return $status
}

# assert_no_cgroup_left: no container-* cgroup was left behind.
assert_no_cgroup_left() {
	local left
	left=$(new_container_cgroups)
	[ -z "$left" ] || fail "cgroups left behind: $left"
}

# container_cgroup_of PID: PID's cgroup directories, checked to be the
# container's own: named container-<engine's pid>. Sets CG_DIRS (array).
container_cgroup_of() {
	local dir
	mapfile -t CG_DIRS < <(container_cgroup_dirs "$1")
	[ "${#CG_DIRS[@]}" -gt 0 ] || fail "no cgroup found for pid $1"
	for dir in "${CG_DIRS[@]}"; do
		[ "$(basename "$dir")" = "container-$ENGINE_PID" ] ||
			fail "pid $1 is in $dir, not in a cgroup container-$ENGINE_PID"
	done
}

# limit_file CONTROLLER FILE: the path of FILE in the cgroup of INIT_PID for CONTROLLER.
limit_file() {
	echo "$(cgroup_dir "$INIT_PID" "$1")/$2"
}

# assert_limit CONTROLLER FILE EXPECTED
assert_limit() {
	local file value
	file=$(limit_file "$1" "$2")
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
		read -r quota period <"$(limit_file cpu cpu.max)"
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
