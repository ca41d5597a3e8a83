# tests/vm/vm.mk: the step08 suite in a VM booted on the distribution's own
# kernel with purely v2 or purely v1 cgroups (tests/vm/README.md).
#   make test-cgroup2       cgroup2 at /sys/fs/cgroup (nsdelegate), engine in
#                           the root cgroup, then in a session scope
#   make test-cgroup1       each v1 controller under a tmpfs at /sys/fs/cgroup

.PHONY: test-cgroup1 test-cgroup2

test-cgroup1 test-cgroup2: tools all rootfs
	@tests/vm/run.sh $(patsubst test-cgroup%,%,$@)
