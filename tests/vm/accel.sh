#!/usr/bin/env bash
# tests/vm/accel.sh: which accelerator qemu will use for the VM tests, and why.
#
#   tests/vm/accel.sh          prints one line: "kvm: WHY" or "tcg: WHY"
#
# Sourced, it defines vm_choose_accel, which sets VM_ACCEL (kvm or tcg) and
# VM_ACCEL_WHY (one line). VM_ACCEL=kvm or VM_ACCEL=tcg in the environment
# decides without looking.
#
# KVM is used only where it really runs a guest. A /dev/kvm that can be
# opened is not enough: a VM whose CPU lacks the vmx (Intel) or svm (AMD)
# flag may still show the device, and qemu then aborts as it creates its
# first vCPU (e.g. "failed to set MSR 0x10a"). So the CPU's flags are read
# first, and then qemu itself is asked to set up a paused machine with KVM
# and quit: a fraction of a second, and the only test that cannot lie.

vm_choose_accel() {
    local qemu=${1:-$(command -v qemu-system-x86_64)} out
    case ${VM_ACCEL:-} in
    kvm | tcg)
        VM_ACCEL_WHY="VM_ACCEL=$VM_ACCEL set in the environment"
        return 0
        ;;
    esac
    VM_ACCEL=tcg
    if [ ! -e /dev/kvm ]; then
        VM_ACCEL_WHY="no /dev/kvm: software emulation (slow: minutes per VM run)"
    elif [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
        VM_ACCEL_WHY="/dev/kvm is not readable and writable by $(id -un): software emulation (slow: minutes per VM run)"
    elif ! grep -qwE 'vmx|svm' /proc/cpuinfo; then
        VM_ACCEL_WHY="/dev/kvm is there but the CPU shows no vmx or svm flag (a VM without nested virtualization): software emulation (slow: minutes per VM run)"
    elif [ -z "$qemu" ]; then
        VM_ACCEL=kvm
        VM_ACCEL_WHY="/dev/kvm is usable and the CPU has $(grep -owE 'vmx|svm' /proc/cpuinfo | head -n 1) (qemu not installed yet to confirm)"
    elif ! out=$(echo quit | timeout 20 "$qemu" -accel kvm -cpu host -machine q35 \
        -nodefaults -no-user-config -display none -S -monitor stdio 2>&1 >/dev/null); then
        VM_ACCEL_WHY="qemu cannot start a guest with KVM here ($(printf '%s' "$out" | grep -m 1 . | cut -c 1-120)): software emulation (slow: minutes per VM run)"
    else
        VM_ACCEL=kvm
        VM_ACCEL_WHY="/dev/kvm is usable, the CPU has $(grep -owE 'vmx|svm' /proc/cpuinfo | head -n 1), and qemu starts a guest with it"
    fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
    vm_choose_accel
    echo "$VM_ACCEL: $VM_ACCEL_WHY"
fi
