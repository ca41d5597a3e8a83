#!/bin/sh
# tests/vm/init.sh: /init of the VM's initramfs (run by busybox sh as PID 1).
#
# Loads the modules listed in /modules.load (in that order), mounts the host's
# root (virtio-9p tag "hostroot", read-only) under a tmpfs overlay, mounts the
# job directory (tag "vmout", read-write) and switches root into the overlay,
# so that the guest's / is a real root (pivot_root works there) holding the
# host's programs and the project.  The job directory's job.env names the
# program that runs next (VM_STAGE2).
PATH=/bin
export PATH

fail() {
    echo "vm-init: $*"
    echo "VM-EXIT-STATUS=125"
    # With qemu -no-reboot, a reboot ends qemu.
    reboot -f
    sleep 10
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

while read -r m; do
    insmod "/lib/modules/$m" || fail "insmod $m failed"
done </modules.load

mkdir -p /lower /upper /job
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=${MSIZE:-262144} hostroot /lower ||
    fail "cannot mount the host's root over 9p"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=${MSIZE:-262144} vmout /job ||
    fail "cannot mount the job directory over 9p"
[ -r /job/job.env ] || fail "no job.env in the job directory"
. /job/job.env


mount -t tmpfs -o mode=755 tmpfs /upper || fail "cannot mount tmpfs"
mkdir -p /upper/data /upper/work
mount -t overlay -o lowerdir=/lower,upperdir=/upper/data,workdir=/upper/work overlay /newroot ||
    fail "cannot mount the overlay"
mkdir -p /newroot/.vm/job
mount --move /job /newroot/.vm/job
mount --move /dev /newroot/dev
umount /proc /sys

exec switch_root /newroot /bin/bash "$VM_STAGE2"
