#!/usr/bin/env bash
# tests/vm/prepare.sh: make the kernel and initramfs that the VM tests boot.
#
#   tests/vm/prepare.sh            prints KERNEL=..., INITRD=..., MODULES=...
#
# Everything comes from the distribution's own packages, fetched with
# `apt-get download` and unpacked with `dpkg-deb -x` into tests/vm/cache/
# (never installed: the host's /boot and /lib/modules are left alone):
#   - the kernel that the distribution's kernel metapackage depends on
#     (Debian: linux-image-amd64; Ubuntu: linux-image-virtual);
#   - busybox-static, the only program in the initramfs.
# The uncompressed vmlinux is cut out of the bzImage when the kernel can boot
# it directly (PVH), which saves qemu a few seconds of decompression.
# Work is cached by package version: a second run only checks the version.
#
# Environment: VM_KERNEL_PKG overrides the kernel package (an exact
# linux-image-VERSION name or a metapackage).  Exit status 0, or 2 with one
# line on stderr saying why the VM cannot be prepared here.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache=${VM_CACHE:-$here/cache}
mkdir -p "$cache"

say() { printf 'vm: %s\n' "$*" >&2; }
cannot() { printf 'vm: cannot prepare the VM: %s\n' "$*" >&2; exit 2; }

command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null ||
    cannot "needs apt-get and dpkg-deb (Debian or Ubuntu)"

# The metapackage that names the distribution's current kernel.
kernel_meta() {
    local id=""
    [ -r /etc/os-release ] && id=$(. /etc/os-release; echo "$ID ${ID_LIKE:-}")
    case " $id " in
    *" ubuntu "*) echo linux-image-virtual ;;
    *" debian "*) echo linux-image-amd64 ;;
    *) echo linux-image-amd64 ;;
    esac
}

# First dependency of package $1 whose name matches the extended regex $2.
depends_on() {
    apt-cache depends --important "$1" 2>/dev/null |
        sed -n 's/^ *|\{0,1\}Depends: //p' | grep -E "$2" | head -n 1 || true
}

# Version of package $1 that apt would download.
candidate() {
    apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p' | head -n 1
}

# Download package $1 into $cache/debs (if not already there), unpack it into
# directory $2.
fetch_unpack() {
    local pkg=$1 dest=$2 ver deb
    ver=$(candidate "$pkg")
    [ -n "$ver" ] && [ "$ver" != "(none)" ] ||
        cannot "package $pkg not known to apt (run apt-get update as root)"
    mkdir -p "$cache/debs"
    deb=$(ls "$cache/debs/${pkg}_"*.deb 2>/dev/null | head -n 1 || true)
    if [ -z "$deb" ]; then
        say "downloading $pkg $ver"
        (cd "$cache/debs" && apt-get download -q "$pkg=$ver" >/dev/null 2>&1) ||
            cannot "apt-get download $pkg failed"
        deb=$(ls "$cache/debs/${pkg}_"*.deb | head -n 1)
    fi
    dpkg-deb -x "$deb" "$dest"
}

# Kernel image package: an exact name, or the metapackage's dependency.
kpkg=${VM_KERNEL_PKG:-$(kernel_meta)}
case $kpkg in
linux-image-[0-9]*) ;;
*)
    dep=$(depends_on "$kpkg" '^linux-image-[0-9]')
    [ -n "$dep" ] || cannot "apt-cache knows no kernel behind $kpkg (run apt-get update as root)"
    kpkg=$dep
    ;;
esac
kver=$(candidate "$kpkg")
bbver=$(candidate busybox-static)
[ -n "$bbver" ] && [ "$bbver" != "(none)" ] || cannot "package busybox-static not known to apt"

# One directory per (kernel, busybox) version pair holds the finished files.
key=$(printf '%s_%s_bb%s' "$kpkg" "$kver" "$bbver" | tr -c 'A-Za-z0-9._-' '_')
out=$cache/$key

# The initramfs is remade whenever init.sh changes (it takes a second).
make_initrd() {
    local sum ir
    sum=$(cksum <"$here/init.sh" | cut -d' ' -f1)
    initrd=$out/initrd-$sum.cpio
    [ -s "$initrd" ] && return 0
    ir=$(mktemp -d "$out/initrd.XXXXXX")
    mkdir -p "$ir/bin" "$ir/lib/modules" "$ir/proc" "$ir/sys" "$ir/dev" "$ir/newroot"
    cp "$out/busybox" "$ir/bin/busybox"
    for a in sh mount umount mkdir insmod switch_root cat echo sleep sync poweroff reboot; do
        ln -s busybox "$ir/bin/$a"
    done
    cp "$out/modules.load" "$ir/modules.load"
    cp "$out/modules/"* "$ir/lib/modules/"
    cp "$here/init.sh" "$ir/init"
    chmod 755 "$ir/init"
    (cd "$ir" && find . | "$out/busybox" cpio -o -H newc 2>/dev/null) >"$initrd.tmp"
    mv "$initrd.tmp" "$initrd"
    rm -rf "$ir"
}
report() {
    make_initrd
    printf 'KERNEL=%s\nINITRD=%s\nMODULES=%s\n' "$out/kernel" "$initrd" "$out/root/lib/modules"
}
if [ -s "$out/kernel" ] && [ -s "$out/modules.load" ]; then
    report
    exit 0
fi

rm -rf "$out.tmp" && mkdir -p "$out.tmp/root" "$out.tmp/bb"
trap 'rm -rf "$out.tmp"' EXIT
root=$out.tmp/root
fetch_unpack "$kpkg" "$root"
# Ubuntu ships the modules in a package of their own.
mods=$(depends_on "$kpkg" '^linux-modules-[0-9]')
[ -z "$mods" ] || fetch_unpack "$mods" "$root"
fetch_unpack busybox-static "$out.tmp/bb"
bb=$out.tmp/bb/bin/busybox
[ -x "$bb" ] || cannot "busybox-static has no bin/busybox"

vmlinuz=$(ls "$root"/boot/vmlinuz-* 2>/dev/null | head -n 1)
[ -n "$vmlinuz" ] || cannot "$kpkg holds no /boot/vmlinuz-*"
release=${vmlinuz##*/vmlinuz-}
moddir=$root/lib/modules/$release
[ -d "$moddir" ] || cannot "$kpkg holds no /lib/modules/$release"

# --- the kernel: the ELF vmlinux when the kernel boots as PVH, else bzImage.
# The bzImage's payload is a compressed ELF: find the first magic of a
# compressor we can undo and unpack from there (trailing bytes are ignored).
extract_vmlinux() {
    local img=$1 dst=$2 magic tool off
    for magic in 'xz:\xfd7zXZ\x00' 'zstd:\x28\xb5\x2f\xfd' 'gzip:\x1f\x8b\x08'; do
        tool=${magic%%:*}
        command -v "$tool" >/dev/null || continue
        off=$(LC_ALL=C grep -obUaP "${magic#*:}" "$img" 2>/dev/null | head -n 1 | cut -d: -f1)
        [ -n "$off" ] || continue
        tail -c +"$((off + 1))" "$img" | "$tool" -dc 2>/dev/null >"$dst" || true
        # An ELF file begins with \x7fELF.
        if [ "$(head -c 4 "$dst" | od -An -c | tr -d ' ')" = '177ELF' ]; then
            return 0
        fi
    done
    return 1
}
if grep -qx 'CONFIG_PVH=y' "$root/boot/config-$release" 2>/dev/null &&
    extract_vmlinux "$vmlinuz" "$out.tmp/vmlinux"; then
    kernel=vmlinux
else
    say "booting the compressed bzImage (no PVH vmlinux could be extracted)"
    rm -f "$out.tmp/vmlinux"
    cp "$vmlinuz" "$out.tmp/bzImage"
    kernel=bzImage
fi

# --- module order: modules.dep (made by busybox depmod: the package ships
# none, since its postinst runs depmod at install time).
"$bb" depmod -b "$root" "$release"
path_of() { grep -oE "^([^:]*/)?$1\.ko(\.[a-z]+)?:" "$moddir/modules.dep" | head -n 1 | tr -d :; }
order=()
add_module() {   # depth first: a module's dependencies before the module
    local path=$1 d seen
    for seen in "${order[@]}"; do [ "$seen" != "$path" ] || return 0; done
    for d in $(sed -n "s|^$path: *||p" "$moddir/modules.dep"); do add_module "$d"; done
    order+=("$path")
}
for m in virtio_pci 9pnet_virtio 9p overlay; do
    p=$(path_of "$m")
    # Built into the kernel: nothing to load.
    if [ -z "$p" ]; then
        grep -q "/$m\.ko" "$moddir/modules.builtin" || cannot "$kpkg has no module $m"
        continue
    fi
    add_module "$p"
done

# --- what the initramfs holds: busybox and the modules, in load order.
mkdir -p "$out.tmp/modules"
cp "$bb" "$out.tmp/busybox"
: >"$out.tmp/modules.load"
for p in "${order[@]}"; do
    f=$(basename "$p")
    case $f in
    *.ko.xz) xz -dc "$moddir/$p" >"$out.tmp/modules/${f%.xz}"; f=${f%.xz} ;;
    *.ko.zst) zstd -qdc "$moddir/$p" >"$out.tmp/modules/${f%.zst}"; f=${f%.zst} ;;
    *.ko.gz) gzip -dc "$moddir/$p" >"$out.tmp/modules/${f%.gz}"; f=${f%.gz} ;;
    *) cp "$moddir/$p" "$out.tmp/modules/$f" ;;
    esac
    echo "$f" >>"$out.tmp/modules.load"
done

# Keep the unpacked modules for the guest's /lib/modules; drop the rest.
rm -rf "$out.tmp/bb" "$root/boot/vmlinuz-"*
mv "$out.tmp/$kernel" "$out.tmp/kernel"
echo "$kernel" >"$out.tmp/kernel.kind"
rm -rf "$out"
mv "$out.tmp" "$out"
trap - EXIT
say "prepared $kpkg $kver ($kernel); initramfs modules: $(tr '\n' ' ' <"$out/modules.load")"
report
