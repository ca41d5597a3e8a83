#!/usr/bin/env bash
# What isolation costs: time "start a container that runs /bin/true and wait
# for it" for plain fork+exec, each step's engine, and the tools a user would
# pick instead (unshare, bwrap, crun, runc), side by side in one run; then
# break step08's start down into its kernel operations (primitives.c).
#
# Writes tests/bench/results.md and tests/bench/results.svg, prints the tables.
# Raw hyperfine JSON, logs and the OCI bundle go to tests/bench/out/.
set -euo pipefail

usage() {
	cat <<'EOF'
Usage: tests/bench/bench.sh [OPTIONS]

Times every step's engine against fork+exec, unshare, bwrap, crun and runc
with hyperfine, then times step08's kernel operations one by one.

  --runs N       timed runs per row (default 100)
  --rounds N     split the runs into N rounds in which the rows take turns
                 (default 4)
  --warmup N     untimed runs before each round of a row (default 5)
  --loops N      iterations per kernel operation in the second table (default 200)
  --rootfs DIR   the container's root filesystem (default ./rootfs)
  --no-install   never apt-get install a missing tool, skip its row
  --help         this text

Run it as root (make bench): namespaces, cgroups and installing the peers
need it. Missing peers (hyperfine, bubblewrap, crun, runc, gnuplot) are
installed with apt-get when root.
EOF
}

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
top=$(cd "$here/../.." && pwd)
out=$here/out
runs=100
warmup=5
rounds=4
loops=200
rootfs=$top/rootfs
install=1

say() { printf 'bench: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

while [ $# -gt 0 ]; do
	case $1 in
	--runs) runs=${2:?}; shift 2 ;;
	--runs=*) runs=${1#*=}; shift ;;
	--warmup) warmup=${2:?}; shift 2 ;;
	--warmup=*) warmup=${1#*=}; shift ;;
	--rounds) rounds=${2:?}; shift 2 ;;
	--rounds=*) rounds=${1#*=}; shift ;;
	--loops) loops=${2:?}; shift 2 ;;
	--loops=*) loops=${1#*=}; shift ;;
	--rootfs) rootfs=${2:?}; shift 2 ;;
	--rootfs=*) rootfs=${1#*=}; shift ;;
	--no-install) install=0; shift ;;
	--help) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
for n in "$runs" "$warmup" "$loops" "$rounds"; do
	case $n in '' | *[!0-9]*) die "not a number: '$n'" ;; esac
done
[ "$runs" -ge 2 ] || die "--runs must be at least 2 (hyperfine needs two runs for its statistics)"
[ "$rounds" -ge 1 ] || die "--rounds must be at least 1"
[ -d "$rootfs" ] || die "no rootfs at $rootfs: run 'make rootfs' first"
rootfs=$(cd "$rootfs" && pwd)
[ -x "$rootfs/bin/true" ] || die "$rootfs/bin/true is missing: not a rootfs made by 'make rootfs'?"

# ---- the peers: install what is missing, when we may ------------------------
# command:package
tools="hyperfine:hyperfine bwrap:bubblewrap crun:crun runc:runc gnuplot:gnuplot-nox"
declare -A missing_why=()

install_missing() {
	local t cmd pkg want=()
	for t in $tools; do
		cmd=${t%%:*} pkg=${t#*:}
		command -v "$cmd" >/dev/null 2>&1 || want+=("$pkg")
	done
	[ ${#want[@]} -gt 0 ] || return 0
	if [ "$(id -u)" -ne 0 ] || [ "$install" -eq 0 ] || ! command -v apt-get >/dev/null 2>&1; then
		say "not installing ${want[*]} (needs root and apt-get, and no --no-install)"
		return 0
	fi
	say "installing with apt-get: ${want[*]}"
	export DEBIAN_FRONTEND=noninteractive
	apt-get -o DPkg::Lock::Timeout=300 update -qq >"$out/apt.log" 2>&1 ||
		say "apt-get update failed (see $out/apt.log); trying the install anyway"
	# One package at a time, so that one that cannot be had skips only its row.
	for pkg in "${want[@]}"; do
		if apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends \
			"$pkg" >>"$out/apt.log" 2>&1; then
			say "installed $pkg"
		else
			say "could not install $pkg (see $out/apt.log): its row is skipped"
		fi
	done
}

mkdir -p "$out"
if [ -z "${BENCH_IN_PRIVATE_NS:-}" ]; then
	install_missing
fi
for t in $tools; do
	cmd=${t%%:*} pkg=${t#*:}
	command -v "$cmd" >/dev/null 2>&1 || missing_why[$cmd]="not installed (package $pkg)"
done
[ -z "${missing_why[hyperfine]:-}" ] || die "hyperfine is needed: apt-get install hyperfine"

# ---- the breakdown program ---------------------------------------------------
primitives=$out/primitives
${CC:-cc} -std=c11 -O2 -Wall -Wextra -o "$primitives" "$here/primitives.c" ||
	die "cannot build primitives.c"

# ---- an OCI bundle of the same rootfs for crun and runc ------------------------
bundle=$out/bundle
make_bundle() {
	local spec_tool=
	command -v crun >/dev/null 2>&1 && spec_tool=crun
	[ -n "$spec_tool" ] || { command -v runc >/dev/null 2>&1 && spec_tool=runc; } || return 0
	rm -rf "$bundle"
	mkdir -p "$bundle"
	(cd "$bundle" && "$spec_tool" spec)
	# The default spec runs an interactive "sh" on a terminal from ./rootfs:
	# make it run /bin/true, without a terminal, from our rootfs.
	sed -i -e 's/"terminal": true/"terminal": false/' \
		-e 's|^\(\s*\)"sh"$|\1"/bin/true"|' \
		-e "s|\"path\": \"rootfs\"|\"path\": \"$rootfs\"|" "$bundle/config.json"
	if ! grep -q '"terminal": false' "$bundle/config.json" ||
		! grep -q '"/bin/true"' "$bundle/config.json" ||
		! grep -q "\"path\": \"$rootfs\"" "$bundle/config.json"; then
		die "could not edit $bundle/config.json made by '$spec_tool spec'"
	fi
}
make_bundle

# On a hybrid host, crun refuses the host's own mounts: say so in the results.
crun_on_host() {
	local err
	command -v crun >/dev/null 2>&1 && [ -f "$bundle/config.json" ] || return 0
	[ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] || return 0
	mountpoint -q /sys/fs/cgroup/unified 2>/dev/null || return 0
	if err=$(crun --root "$out/state-probe" run --bundle "$bundle" "wbbench-$$-probe" 2>&1 </dev/null); then
		echo "runs"
	else
		echo "refuses: $(printf '%s\n' "$err" | grep -v '^\s*$' | tail -n 1)"
	fi
}
if [ -z "${BENCH_IN_PRIVATE_NS:-}" ]; then
	BENCH_CRUN_ON_HOST=$(crun_on_host)
	export BENCH_CRUN_ON_HOST
fi

# ---- one mount namespace for every row ---------------------------------------
# crun refuses "hybrid" hosts (cgroup v1 controllers with a cgroup2 mount at
# /sys/fs/cgroup/unified beside them). Run the whole bench in a private mount
# namespace without that mount, so that every row sees the same mounts and the
# host's own table is never touched.
ns_note="the host's mount namespace"
if [ "$(id -u)" -eq 0 ] && [ -z "${BENCH_IN_PRIVATE_NS:-}" ]; then
	export BENCH_IN_PRIVATE_NS=1
	exec unshare --mount --propagation private -- bash "${BASH_SOURCE[0]}" --runs "$runs" \
		--warmup "$warmup" --rounds "$rounds" --loops "$loops" --rootfs "$rootfs" --no-install
fi
if [ -n "${BENCH_IN_PRIVATE_NS:-}" ]; then
	ns_note="a private mount namespace"
	if [ "$(stat -f -c %T /sys/fs/cgroup)" != cgroup2fs ] &&
		mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then
		umount /sys/fs/cgroup/unified
		ns_note="a private mount namespace without /sys/fs/cgroup/unified (hybrid cgroup host)"
	fi
fi
say "running in $ns_note"

cgroup_mode() {
	if [ "$(stat -f -c %T /sys/fs/cgroup)" = cgroup2fs ]; then
		echo "v2 (unified)"
	elif [ -n "${BENCH_IN_PRIVATE_NS:-}" ] && [ "$ns_note" != "a private mount namespace" ]; then
		echo "hybrid (v1 controllers, cgroup2 at /sys/fs/cgroup/unified; unmounted for the bench)"
	elif mountpoint -q /sys/fs/cgroup/unified 2>/dev/null; then
		echo "hybrid (v1 controllers, cgroup2 at /sys/fs/cgroup/unified)"
	else
		echo "v1"
	fi
}


# ---- the rows ----------------------------------------------------------------
# Each row: a label, and the command hyperfine runs (-N: no shell between).
labels=()
cmds=()
row() { labels+=("$1"); cmds+=("$2"); }

id=wbbench-$$
row "fork+exec" "$rootfs/bin/true"
row "step01-fork" "$top/step01-fork/container"
for s in step02-exec step03-clone step04-uts step05-pid; do
	row "$s" "$top/$s/container true"
done
for s in step06-mount step07-pivot-root; do
	row "$s" "$top/$s/container $rootfs /bin/true"
done
row "step08-cgroups" "$top/step08-cgroups/container --memory 64m --pids-limit 64 --cpus 1 $rootfs /bin/true"
row "unshare" "unshare --fork --pid --mount --uts --ipc --net --root=$rootfs --mount-proc /bin/true"
row "bwrap" "bwrap --unshare-pid --unshare-uts --unshare-ipc --unshare-net --bind $rootfs / --proc /proc --dev /dev /bin/true"
# A container id that no other run uses (the pid of this bench), and state
# directories of our own, so nothing collides with the host's containers.
row "crun" "crun --root $out/state-crun run --bundle $bundle $id-crun"
row "runc" "runc --root $out/state-runc run --bundle $bundle $id-runc"

# Why a row cannot be measured, or "" when it can.
why_not() {
	local cmd=$1 prog err
	prog=${cmd%% *}
	case $prog in
	/*) [ -x "$prog" ] || { echo "not built (${prog#"$top"/})"; return; } ;;
	*) [ -z "${missing_why[$prog]:-}" ] || { echo "${missing_why[$prog]}"; return; } ;;
	esac
	# One try first: a tool that refuses this machine is shown with its reason.
	# shellcheck disable=SC2086 # the command is a list of words, as hyperfine splits it
	if ! err=$(timeout 20 $cmd 2>&1 >/dev/null </dev/null); then
		err=$(printf '%s\n' "$err" | grep -v '^\s*$' | tail -n 1)
		echo "cannot run here: ${err:-exit status non-zero}"
	fi
}

# The run times (seconds, one a line) of a hyperfine JSON export.
json_times() {
	awk '/"times": \[/ { on = 1; next } on && /\]/ { exit } on { gsub(/[ ,]/, ""); print }' "$1"
}

# Median, min and max of the numbers in FILE, one a line.
stats() {
	sort -g "$1" | awk '{ v[NR] = $1 } END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		print m, v[1], v[NR] }'
}

n=${#labels[@]}
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
reasons=()
for ((i = 0; i < n; i++)); do
	reasons+=("$(why_not "${cmds[i]}")")
	if [ -n "${reasons[i]}" ]; then
		say "${labels[i]}: skipped: ${reasons[i]}"
	fi
	: >"$out/row$i.times"
done

# The rows take turns, a round of runs each, so that a change in the
# machine's load while the bench runs spreads over every row alike.
per_round=$(((runs + rounds - 1) / rounds))
[ "$per_round" -ge 2 ] || per_round=2
for ((r = 1; r <= rounds; r++)); do
	say "round $r of $rounds: $warmup warmup + $per_round timed runs of each row"
	for ((i = 0; i < n; i++)); do
		[ -z "${reasons[i]}" ] || continue
		json=$out/row$i-round$r.json
		if ! hyperfine -N --warmup "$warmup" --runs "$per_round" --style basic \
			--export-json "$json" --command-name "${labels[i]}" "${cmds[i]}" \
			>"$out/row$i-round$r.log" 2>&1; then
			reasons[i]="failed during the timed runs: $(tail -n 1 "$out/row$i-round$r.log")"
			say "${labels[i]}: ${reasons[i]}"
			continue
		fi
		json_times "$json" >>"$out/row$i.times"
	done
done

medians=()
mins=()
maxs=()
counts=()
for ((i = 0; i < n; i++)); do
	if [ -n "${reasons[i]}" ]; then
		medians+=("") mins+=("") maxs+=("") counts+=(0)
		continue
	fi
	read -r med lo hi < <(stats "$out/row$i.times")
	medians+=("$med") mins+=("$lo") maxs+=("$hi") counts+=("$(wc -l <"$out/row$i.times")")
	say "$(printf '%-18s median %7.2f ms over %d runs' "${labels[i]}" \
		"$(awk -v s="$med" 'BEGIN { print s * 1000 }')" "${counts[i]}")"
done

# ---- the second table: step08's kernel operations ------------------------------
say "timing step08's kernel operations ($loops loops each)"
if ! breakdown=$("$primitives" -n "$loops" "$rootfs" 2>"$out/primitives.err"); then
	breakdown="Not measured: $(tail -n 1 "$out/primitives.err") (it needs root)."
	say "primitives failed: $breakdown"
fi
# The last row holds the sum of the medians of step08's parts, in microseconds.
sum_us=$(printf '%s\n' "$breakdown" | awk -F'|' '/summed/ { gsub(/[ *]/, "", $3); print $3; exit }')

# ---- the report --------------------------------------------------------------
ms() { awk -v s="$1" 'BEGIN { printf "%.2f", s * 1000 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b > 0) printf "%.1f×", a / b; else printf "–" }'; }
index_of() {
	local j
	for ((j = 0; j < n; j++)); do [ "${labels[j]}" != "$1" ] || { echo "$j"; return; }; done
}
base=${medians[$(index_of fork+exec)]}
s08=${medians[$(index_of step08-cgroups)]}

table() {
	echo "| what runs \`/bin/true\` | median ms | min ms | max ms | × fork+exec | × step08 |"
	echo "| --- | ---: | ---: | ---: | ---: | ---: |"
	for ((i = 0; i < n; i++)); do
		if [ -z "${medians[i]}" ]; then
			echo "| ${labels[i]} | – | – | – | | ${reasons[i]} |"
			continue
		fi
		printf '| %s | %s | %s | %s | %s | %s |\n' "${labels[i]}" \
			"$(ms "${medians[i]}")" "$(ms "${mins[i]}")" "$(ms "${maxs[i]}")" \
			"$(ratio "${medians[i]}" "$base")" "$(ratio "${medians[i]}" "$s08")"
	done
}

# The speed goal: step08 no slower than unshare, at most a quarter of crun,
# within 1.5x of the sum of its kernel operations.
goal() {
	local u b c prev=${medians[$(index_of fork+exec)]} i
	u=${medians[$(index_of unshare)]} b=${medians[$(index_of bwrap)]} c=${medians[$(index_of crun)]}
	if [ -z "$s08" ]; then
		echo "- step08 was not measured: nothing to say."
		return
	fi
	echo "What each step's idea costs, over the step before it (medians):"
	echo
	for ((i = 0; i < n; i++)); do
		case ${labels[i]} in step*) ;; *) continue ;; esac
		[ -n "${medians[i]}" ] && [ -n "$prev" ] || continue
		awk -v l="${labels[i]}" -v m="${medians[i]}" -v p="$prev" \
			'BEGIN { printf "- %s: %+.2f ms (%.2f ms in all)\n", l, (m - p) * 1000, m * 1000 }'
		prev=${medians[i]}
	done
	echo
	echo "Where step08 stands:"
	echo
	awk -v s="$s08" -v u="$u" -v b="$b" -v c="$c" -v p="$sum_us" 'BEGIN {
		s *= 1000; u *= 1000; b *= 1000; c *= 1000; p /= 1000
		if (p > 0) printf "- against the sum of its kernel operations, %.2f ms: %.2f× (what is left is the engine'"'"'s own code and the waits between its processes)\n", p, s / p
		if (u > 0) printf "- against unshare(1), %.2f ms, which makes the namespaces and /proc but no pivot_root, /dev, lo, init or cgroup: %.2f×\n", u, s / u
		if (b > 0) printf "- against bubblewrap, %.2f ms, which does the closest work (namespaces, pivot_root, /proc, /dev; no cgroup): %.2f×\n", b, s / b
		if (c > 0) printf "- against crun, %.2f ms, an OCI runtime (a bundle, its JSON, seccomp, capabilities, cgroups): %.2f×\n", c, s / c
	}'
}

versions() {
	local v
	printf -- '- hyperfine: %s\n' "$(hyperfine --version)"
	for t in unshare bwrap crun runc gnuplot; do
		if command -v "$t" >/dev/null 2>&1; then
			v=$("$t" --version 2>&1 | head -n 1)
			printf -- '- %s: %s\n' "$t" "$v"
		fi
	done
	printf -- '- busybox (rootfs): %s\n' "$("$rootfs/bin/busybox" 2>&1 | head -n 1 || true)"
	printf -- '- cc: %s\n' "$(${CC:-cc} --version | head -n 1)"
}

machine() {
	local cpu virt
	cpu=$(awk -F': ' '/^model name/ { print $2; exit }' /proc/cpuinfo)
	# The kernel's own word on the hypervisor, else systemd's guess.
	virt=$(dmesg 2>/dev/null | sed -n 's/.*Hypervisor detected: //p' | head -n 1)
	[ -n "$virt" ] || virt=$(systemd-detect-virt --vm 2>/dev/null || true)
	[ "$virt" != none ] || virt=
	printf -- '- date: %s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
	printf -- '- machine: %s, %s CPUs, %s MiB memory%s\n' "${cpu:-unknown CPU}" "$(nproc)" \
		"$(awk '/^MemTotal/ { printf "%d", $2 / 1024 }' /proc/meminfo)" \
		"${virt:+, a virtual machine ($virt)}"
	printf -- '- kernel: %s %s\n' "$(uname -sr)" "$(uname -v)"
	if [ -r /etc/os-release ]; then
		# shellcheck disable=SC1091 # the host's own file
		printf -- '- system: %s\n' "$(. /etc/os-release && echo "$PRETTY_NAME")"
	fi
	printf -- '- cgroups: %s\n' "$(cgroup_mode)"
	# The VM tests' accelerator (tests/vm/accel.sh), as make doctor says it.
	# shellcheck source=../vm/accel.sh
	. "$here/../vm/accel.sh"
	vm_choose_accel
	printf -- '- VM tests: %s, %s\n' "$VM_ACCEL" "$VM_ACCEL_WHY"
	if [ -n "${BENCH_CRUN_ON_HOST:-}" ]; then
		printf -- '- crun with the host'"'"'s own mounts: %s\n' "$BENCH_CRUN_ON_HOST"
	fi
	printf -- '- every row ran in %s: %s rounds of %s warmup + %s timed runs (hyperfine -N), the rows taking turns\n' \
		"$ns_note" "$rounds" "$warmup" "$per_round"
	printf -- '- load average (1, 5, 15 min) before: %s; after: %s\n' "$load_before" "$(cut -d' ' -f1-3 /proc/loadavg)"
}

results=$here/results.md
{
	echo "# Benchmark results"
	echo
	echo "Made by \`make bench\` (tests/bench/bench.sh). Times are wall-clock, from"
	echo "starting the program to its end, for a container that runs \`/bin/true\`."
	echo
	table
	echo
	echo "![medians, with min..max](results.svg)"
	echo
	echo "## What each idea costs, and where step08 stands"
	echo
	goal
	echo
	echo "## Step08's start, one kernel operation at a time"
	echo
	printf '%s\n' "$breakdown"
	echo
	echo "## Machine"
	echo
	machine
	versions
} >"$results"

# ---- the chart ---------------------------------------------------------------
chart() {
	local dat=$out/chart.dat colour
	: >"$dat"
	for ((i = 0; i < n; i++)); do
		[ -n "${medians[i]}" ] || continue
		# grey: no isolation; blue: the workbook's steps; orange: the other tools
		case ${labels[i]} in
		fork+exec) colour=0x999999 ;;
		step*) colour=0x4a7ebb ;;
		*) colour=0xe08a2c ;;
		esac
		printf '"%s" %s %s %s %d\n' "${labels[i]}" "$(ms "${medians[i]}")" \
			"$(ms "${mins[i]}")" "$(ms "${maxs[i]}")" "$colour" >>"$dat"
	done
	# (run where the data is, so that the SVG names only "chart.dat", no path of this machine)
	(cd "$out" && gnuplot) <<EOF
set terminal svg size 900,520 font "sans,12" background rgb "white"
set output "$here/results.svg"
set title "Start a container that runs /bin/true, and wait for it: median (bar), min..max (line)"
set ylabel "milliseconds (log scale)"
set logscale y
set grid ytics
set xtics rotate by -35 nomirror
set style fill solid 0.8 border -1
set boxwidth 0.7
set key off
plot "chart.dat" using 0:2:5:xtic(1) with boxes lc rgb variable, \
     "" using 0:2:3:4 with yerrorbars lc rgb "black" pt 0, \
     "" using 0:4:(sprintf("%.1f", \$2)) with labels offset 0,0.8 font "sans,10"
EOF
}
if command -v gnuplot >/dev/null 2>&1; then
	chart || say "gnuplot failed: no chart"
else
	say "no gnuplot: no chart"
fi

cat "$results"
say "wrote $results${missing_why[gnuplot]:+}$([ -s "$here/results.svg" ] && echo " and $here/results.svg")"
