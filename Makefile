# The workbook's build and tests.
#
#   make                    build every step's ./container
#   make step02-exec        build one step
#   make test               install the test tools if missing (as root), build,
#                           make ./rootfs, run the whole suite
#   make test STEP=05       run one step's tests (STEP=05 or STEP=step05-pid)
#   make test FORMAT=junit  also write a JUnit report, ./report.xml
#   CONTAINER=/path/to/container make test STEP=05
#                           grade another program against step 05's promises
#   make diff STEP=03       what step 03 changes in step 02's main.c
#   make rootfs             the busybox root filesystem of steps 06-08
#   make sanitize           the suite again, built with the sanitizers
#   make lint               cppcheck and clang-tidy (.clang-tidy)
#   make clean

CC ?= cc
CFLAGS = -std=c11 -Wall -Wextra -Wpedantic -Werror -O2 -g
SANITIZE_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer
# Steps 03 onwards start their child with clone(2) on a stack the program
# mmaps itself. AddressSanitizer cannot follow a child there: it does not know
# that stack, and says so in the child ("ASan is ignoring requested
# __asan_handle_no_return ... False positive error reports may follow") before
# execvp(3) or exit(3). Those steps are built with UndefinedBehaviorSanitizer
# alone; steps 01 and 02, which fork(2), get both.
SANITIZE_CLONE_FLAGS = -fsanitize=undefined -fno-omit-frame-pointer
SANITIZE_ASAN_STEPS = step01-% step02-%

# Every step directory; a step whose main.c does not exist yet is skipped.
ALL_STEPS := $(patsubst %/,%,$(sort $(wildcard step[0-9][0-9]-*/)))
STEPS := $(patsubst %/main.c,%,$(sort $(wildcard step[0-9][0-9]-*/main.c)))
BINS := $(addsuffix /container,$(STEPS))

# STEP=05 or STEP=step05-pid names one step.
STEP_DIR = $(patsubst %/,%,$(firstword $(wildcard step$(STEP)-*/ $(STEP)/)))

ROOTFS = rootfs
BATS_FLAGS =
FORMAT =

.PHONY: all $(ALL_STEPS) test tools rootfs diff sanitize lint clean shell
.DELETE_ON_ERROR:

all: $(BINS)

# The programs are linked statically where a static C library is installed
# (Debian's libc6-dev has one): a static program starts without the dynamic
# loader, which is a measurable part of a container's start (the cost
# appendix, tests/bench/README.md, has the figures). `cc -o container
# main.c`, by hand, builds the same program dynamically linked.
STATIC := $(shell printf 'int main(void) { return 0; }\n' | $(CC) -static -x c -o /dev/null - 2>/dev/null && echo -static)

%/container: %/main.c
	$(CC) $(CFLAGS) $(STATIC) -o $@ $<

$(ALL_STEPS):
	@if [ -f $@/main.c ]; then $(MAKE) --no-print-directory $@/container; \
	else echo "$@: no main.c yet, skipped"; fi

# The tools the tests use: bats with bats-support and bats-assert, and
# busybox-static for the root filesystem. As root, whatever is missing is
# installed with apt-get; otherwise the script says what to install.
tools:
	@tests/install-tools.sh

rootfs: $(ROOTFS)/etc/workbook-rootfs

# (after tools: busybox-static may be what it installs)
$(ROOTFS)/etc/workbook-rootfs: tests/make-rootfs.sh | tools
	tests/make-rootfs.sh $(ROOTFS)

# Grading: CONTAINER names the program under test, relative to the directory
# make was started in (also with make -C); CONTAINER_DIR, a directory laid
# out as the project. Both are made absolute here and checked by
# tests/run-suite.sh before any test runs.
ifneq ($(CONTAINER),)
override CONTAINER := $(abspath $(if $(filter /%,$(CONTAINER)),$(CONTAINER),$(or $(PWD),$(CURDIR))/$(CONTAINER)))
export CONTAINER
endif
ifneq ($(CONTAINER_DIR),)
override CONTAINER_DIR := $(abspath $(if $(filter /%,$(CONTAINER_DIR)),$(CONTAINER_DIR),$(or $(PWD),$(CURDIR))/$(CONTAINER_DIR)))
export CONTAINER_DIR
endif

# The bats files to run: one step's, or all of them in order.
# (STEP=doors: the probes of the appendix on the doors still open)
TEST_FILES = $(if $(STEP),$(or $(wildcard tests/$(STEP_DIR).bats),$(wildcard tests/$(STEP).bats),$(error no tests for STEP=$(STEP))),$(sort $(wildcard tests/*.bats)))

test: tools all rootfs
	@tests/run-suite.sh $(if $(filter junit,$(FORMAT)),--junit .) --step "$(STEP)" \
	  $(if $(STEP)$(CONTAINER)$(CONTAINER_DIR),,--other-cgroup-version) -- $(BATS_FLAGS) $(TEST_FILES)

diff:
	@test -n "$(STEP)" || { echo "usage: make diff STEP=NN" >&2; exit 2; }
	@cur=$(STEP_DIR); prev=$$(printf '%s\n' $(ALL_STEPS) | grep -B1 -x "$$cur" | head -n 1); \
	if [ -z "$$cur" ] || [ "$$prev" = "$$cur" ]; then echo "no step before STEP=$(STEP)" >&2; exit 2; fi; \
	diff -u "$$prev/main.c" "$$cur/main.c"; test $$? -le 1

# The sanitized programs go to tests/build/sanitize/STEP/container, and the
# steps' tests run against them through CONTAINER_DIR (the chapters'
# transcripts, which show the plain programs, are skipped). A sanitizer's
# report goes to a log file there: any log fails the run.
SANITIZE_DIR = tests/build/sanitize
SANITIZE_BINS = $(patsubst %,$(SANITIZE_DIR)/%/container,$(STEPS))

$(SANITIZE_DIR)/%/container: %/main.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(if $(filter $(SANITIZE_ASAN_STEPS),$*),$(SANITIZE_FLAGS),$(SANITIZE_CLONE_FLAGS)) -o $@ $<

sanitize: tools rootfs $(SANITIZE_BINS)
	@rm -f $(SANITIZE_DIR)/log.*
	@status=0; \
	CONTAINER_DIR=$(CURDIR)/$(SANITIZE_DIR) \
	ASAN_OPTIONS=log_path=$(CURDIR)/$(SANITIZE_DIR)/log \
	UBSAN_OPTIONS=log_path=$(CURDIR)/$(SANITIZE_DIR)/log:print_stacktrace=1:halt_on_error=1 \
	tests/run-suite.sh -- $(BATS_FLAGS) $(filter $(patsubst %,tests/%.bats,$(STEPS)),$(TEST_FILES)) || status=1; \
	if ls $(SANITIZE_DIR)/log.* >/dev/null 2>&1; then \
	  echo "sanitizer reports:"; cat $(SANITIZE_DIR)/log.*; status=1; \
	else echo "no sanitizer report"; fi; \
	exit $$status

LINT_FILES = $(addsuffix /main.c,$(STEPS)) $(sort $(wildcard tests/helpers/*.c))

lint:
	cppcheck --quiet --error-exitcode=1 --std=c11 --enable=warning,style,performance,portability \
	  --inline-suppr --suppress=missingIncludeSystem $(LINT_FILES)
	@echo "clang-tidy $(LINT_FILES)"
	@out=$$(clang-tidy --quiet $(LINT_FILES) -- -std=c11 2>&1); status=$$?; \
	printf '%s\n' "$$out" | grep -v '^[0-9]* warnings\{0,1\} generated\.$$'; exit $$status

# What `sudo make` wrote stays root's (a root filesystem must be root's to be
# the container's "/"): an ordinary user is told to use sudo for it.
CLEAN_FILES = $(addsuffix /container,$(ALL_STEPS)) report.xml tests/build $(ROOTFS) tests/vm/out tests/bench/out

.PHONY: clean-check
clean-check:
	@if [ "$$(id -u)" != 0 ] && [ -n "$$(find $(CLEAN_FILES) -maxdepth 0 ! -user "$$(id -u)" 2>/dev/null)" ]; then \
	  echo "make clean: some files were made by root (sudo make ...): run sudo make clean" >&2; exit 1; fi

clean: clean-check
	rm -f $(addsuffix /container,$(ALL_STEPS)) report.xml
	rm -rf tests/build tests/vm/out
	@if [ -d $(ROOTFS) ]; then echo "rm -rf $(ROOTFS)"; rm -rf --one-file-system $(ROOTFS); fi

# The README's first command: a busybox shell in a container of the last
# step, with limits. Namespaces, mounts and cgroups need root. Ctrl-C at the
# prompt reaches the container's shell (which ignores it) and make (which
# waits for the container before it stops); `exit` ends the container.
BOX_OPTIONS = --memory 256m --pids-limit 128 --cpus 1 --hostname box

shell: tools step08-cgroups/container rootfs
	step08-cgroups/container $(BOX_OPTIONS) $(ROOTFS) /bin/sh

# Classroom labs (tests/lab/README.md):
#   make lab STEP=05        lab/step05-pid/: step 04's program with TODO
#                           comments in words, and a README (no STEP: all)
#   make test-labs          each lab's skeleton fails its step's check, the
#                           step's own main.c in its place passes it (STEP=NN:
#                           one step's); an ordinary user runs a step and the
#                           shell in a VM
#   make test STEP=04 VM=1  make test and make shell inside a VM, for users
#   make shell VM=1         without root (qemu must be installed)
.PHONY: lab test-labs

lab:
	@for s in $(if $(STEP),$(or $(STEP_DIR),$(error no step STEP=$(STEP))),$(STEPS)); do \
	  tests/lab/make-lab.sh $$s || exit 1; done

test-labs: tools all rootfs
	@tests/lab/test-labs.sh $(STEP)
	@bats tests/lab/vm.bats

# VM=1: the recipes of test and shell (not their prerequisites, which are made
# on the host) run in the VM, through tests/lab/vm-shell.sh as their shell.
ifeq ($(VM),1)
test shell: private SHELL := $(CURDIR)/tests/lab/vm-shell.sh
shell: private .SHELLFLAGS := --interactive -c
endif

# More targets (doctor, bench, test-cgroup1, test-cgroup2, the VM
# runs) live in their own makefile fragments under tests/, included here.
-include $(sort $(wildcard tests/*.mk tests/*/*.mk))
