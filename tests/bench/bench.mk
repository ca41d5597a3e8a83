# make bench: what isolation costs, measured on this machine: every step
# against fork+exec, unshare, bwrap, crun and runc, then step08's start
# broken down into kernel operations (tests/bench/README.md). Run as root.
# Not part of `make test`: it takes minutes and its figures are the machine's.
#   make bench BENCH_FLAGS="--runs 300"     more runs (see tests/bench/bench.sh --help)
BENCH_FLAGS =

.PHONY: bench clean-bench

bench: all rootfs
	tests/bench/bench.sh --rootfs $(ROOTFS) $(BENCH_FLAGS)

clean: clean-bench
clean-bench: clean-check
	rm -rf tests/bench/out
