#!/usr/bin/env bats
# The benchmark (make bench) is too slow and too machine-dependent for the
# suite: here we check only that its programs build and run one short round.

load helpers

BENCH=$REPO/tests/bench
BUILD=$REPO/tests/build/bench

build_primitives() {
	mkdir -p "$BUILD"
	${CC:-cc} -std=c11 -Wall -Wextra -Wpedantic -Werror -O2 \
		-o "$BUILD/primitives" "$BENCH/primitives.c"
}

@test "bench: primitives.c builds without a warning" {
	run build_primitives
	assert_success
	assert_output ""
}

@test "bench: primitives times every kernel operation once and leaves no cgroup behind" {
	requires root rootfs
	build_primitives
	run --separate-stderr "$BUILD/primitives" -n 1 "$ROOTFS"
	assert_success
	assert_equal "$stderr" ""
	assert_line --partial "| clone(all five: UTS IPC NET PID NS) + waitpid |"
	assert_line --partial "| pivot_root"
	assert_line --partial "| cgroup: the whole life above |"
	assert_line --regexp "^\| \*\*step08's parts, summed\*\* \| \*\*[0-9]+\.[0-9]\*\* \|"
	run find /sys/fs/cgroup -maxdepth 8 -name 'primitives-*'
	assert_output ""
}

@test "bench: primitives refuses a bad loop count" {
	build_primitives
	run --separate-stderr "$BUILD/primitives" -n 0 "$ROOTFS"
	assert_equal "$status" 2
	assert_equal "$stderr" "primitives: invalid -n value '0'"
}

@test "bench: bench.sh is valid bash and prints its usage" {
	run bash -n "$BENCH/bench.sh"
	assert_success
	run bash "$BENCH/bench.sh" --help
	assert_success
	assert_line --index 0 "Usage: tests/bench/bench.sh [OPTIONS]"
}
