#!/usr/bin/env bash
# Make sure the test tools are there: bats, bats-support, bats-assert (the
# suite), procps (ps, which bats needs to stop a test that hangs), strace
# (its fault injection kills or fails the engine at a chosen call),
# e2fsprogs (a disk of its own for the doors' disk probe) and
# busybox-static (the root filesystem of steps 06-08).
#
# Nothing is installed when everything is present. As root on a Debian-like
# system, whatever is missing is installed with apt-get, after saying what.
# Otherwise the script says what to install; it fails only when the suite
# cannot run at all (a static busybox is optional: tests/make-rootfs.sh then
# copies host programs instead).
set -u

# Where bats-support and bats-assert may live (the same list as tests/helpers.bash).
lib_dirs() {
	local IFS=:
	printf '%s\n' ${BATS_LIB_PATH:-} /usr/lib/bats /usr/local/lib/bats \
		/usr/lib /usr/local/lib /usr/share/bats /opt/homebrew/lib
}

have_lib() {
	local d
	while read -r d; do
		[ -f "$d/$1/load.bash" ] && return 0
	done < <(lib_dirs)
	return 1
}

have_static_busybox() {
	local bb
	dpkg -s busybox-static >/dev/null 2>&1 && return 0
	bb=$(command -v busybox) || return 1
	! ldd "$bb" >/dev/null 2>&1
}

missing=()
command -v bats >/dev/null 2>&1 || missing+=(bats)
have_lib bats-support || missing+=(bats-support)
have_lib bats-assert || missing+=(bats-assert)
command -v ps >/dev/null 2>&1 || missing+=(procps)
command -v strace >/dev/null 2>&1 || missing+=(strace)
command -v mkfs.ext2 >/dev/null 2>&1 || missing+=(e2fsprogs)
have_static_busybox || missing+=(busybox-static)

[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
	echo "Installing the test tools that are missing: ${missing[*]}"
	echo "+ apt-get update"
	apt-get update -q || exit 1
	echo "+ apt-get install -y ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -q -y "${missing[@]}" </dev/null || exit 1
	exit 0
fi

echo "Missing test tools: ${missing[*]}" >&2
echo "On Debian or Ubuntu: sudo apt-get install ${missing[*]}" >&2
for m in "${missing[@]}"; do
	case $m in busybox-static | e2fsprogs) ;; *) exit 1 ;; esac
done
echo "(without busybox-static, tests/make-rootfs.sh copies host programs instead)" >&2
exit 0
