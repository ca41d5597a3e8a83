#!/usr/bin/env bash
# Usage: tests/make-rootfs.sh [--host-programs] DIR
#
# Make DIR a small root filesystem for steps 06-08: a static busybox and its
# applets (sh, ls, ps, mount, hostname, nc, ...), /etc/passwd, /etc/group and
# /etc/hostname with root, the marker /etc/workbook-rootfs, and the empty
# mount points proc, dev, sys, tmp. Without busybox-static it falls back to
# copying a few of the host's programs with the libraries ldd names
# (--host-programs does that even when busybox-static is there).
# Works offline. DIR is made anew.
set -eu

host_programs=
if [ "${1:-}" = --host-programs ]; then
	host_programs=1
	shift
fi
dir=${1:?usage: tests/make-rootfs.sh [--host-programs] DIR}
tmp="$dir.tmp.$$"
trap 'rm -rf --one-file-system "$tmp"' EXIT

static_busybox() {
	local bb
	for bb in /bin/busybox /usr/bin/busybox "$(command -v busybox 2>/dev/null)"; do
		[ -x "$bb" ] || continue
		# ldd fails on a static executable
		if ! ldd "$bb" >/dev/null 2>&1; then
			echo "$bb"
			return 0
		fi
	done
	return 1
}

# Copy host program $1 into $tmp/bin with every library it needs.
copy_program() {
	local prog lib
	prog=$(type -P "$1") || return 0
	prog=$(readlink -f "$prog")
	cp "$prog" "$tmp/bin/$1"
	for lib in $(ldd "$prog" 2>/dev/null | grep -o '/[^ ]*'); do
		[ -e "$tmp$lib" ] && continue
		mkdir -p "$tmp$(dirname "$lib")"
		cp -L "$lib" "$tmp$lib"
	done
}

rm -rf --one-file-system "$tmp"
mkdir -p "$tmp"/{bin,sbin,usr/bin,usr/sbin,etc,root}

if [ -z "$host_programs" ] && bb=$(static_busybox); then
	echo "make-rootfs: $dir: static busybox from $bb"
	cp "$bb" "$tmp/bin/busybox"
	# one link per applet, where busybox itself would install it
	for applet in $("$bb" --list-full 2>/dev/null || "$bb" --list | sed 's|^|bin/|'); do
		[ -e "$tmp/$applet" ] || [ -L "$tmp/$applet" ] || ln -s /bin/busybox "$tmp/$applet"
	done
else
	echo "make-rootfs: $dir: no static busybox; copying host programs and their libraries"
	for p in sh cat echo ls ps sleep true false hostname id env kill mkdir rm \
		grep sed head tail wc readlink uname mount umount chroot touch stat; do
		copy_program "$p"
	done
fi

echo "root:x:0:0:root:/root:/bin/sh" >"$tmp/etc/passwd"
echo "nobody:x:65534:65534:nobody:/nonexistent:/bin/false" >>"$tmp/etc/passwd"
echo "root:x:0:" >"$tmp/etc/group"
echo "nogroup:x:65534:" >>"$tmp/etc/group"
echo "container" >"$tmp/etc/hostname"
echo "workbook rootfs" >"$tmp/etc/workbook-rootfs"
mkdir -m 0555 "$tmp/proc" "$tmp/sys"
mkdir -m 0755 "$tmp/dev" "$tmp/mnt"
mkdir -m 1777 "$tmp/tmp"
chmod 0700 "$tmp/root"

rm -rf --one-file-system "$dir"
mv "$tmp" "$dir"
trap - EXIT
