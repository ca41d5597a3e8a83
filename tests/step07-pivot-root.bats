#!/usr/bin/env bats
# step07-pivot-root: as step06-mount, but ROOTFS becomes the root with
# pivot_root(2) instead of chroot(2), and the host's old root is detached:
# the container's mount namespace no longer holds the host's tree at all.
# Each test runs in a fresh copy of the root filesystem.

load helpers
load transcript
load mount_helpers

setup_file() { mount_setup_file; }
setup() { mount_setup; }
teardown() { mount_teardown; }

# What steps 02-05 promise still holds.
@test "step07: COMMAND's exit status becomes the engine's" { promise_exit_status; }
@test "step07: COMMAND killed by signal N gives 128+N" { promise_signal_status; }
@test "step07: COMMAND not found gives 127" { promise_not_found; }
@test "step07: COMMAND not executable gives 126" { promise_not_executable; }
@test "step07: a script without #! runs with 140000 arguments (execvp copies them onto the stack)" { promise_script_with_many_arguments; }
@test "step07: an unknown option gives 125 and a message" { promise_unknown_option; }
@test "step07: no COMMAND gives 125 and a message" { promise_missing_command; }
@test "step07: --help prints usage on stdout and exits 0" { promise_help; }
@test "step07: --name=value and --name value both work; --verbose=1 is bad usage" { promise_option_forms; }
@test "step07: options stop at ROOTFS: COMMAND's own flags are its own" { promise_options_stop_at_command; }
@test "step07: stdout is COMMAND's alone, also with --verbose" { promise_stdout_is_commands; }
@test "step07: stdin reaches COMMAND" { promise_stdin_reaches_command; }
@test "step07: --verbose shows each call that makes the container as NAME(ARGS) = RESULT on stderr" { promise_verbose; }
@test "step07: --verbose shows the kill that passes a signal on" { promise_verbose_kill; }
@test "step07: no descriptor but 0, 1, 2 reaches COMMAND" { promise_no_fd_leak; }
@test "step07: the hostname inside is 'container' by default" { promise_default_hostname; }
@test "step07: --hostname sets the hostname inside" { promise_hostname_option; }
@test "step07: the host's hostname never changes" { promise_host_hostname_unchanged; }
@test "step07: UTS, IPC and network namespaces are new" { promise_new_namespaces; }
@test "step07: the only network interface is lo" { promise_only_lo; }
@test "step07: lo is up" { promise_lo_up; }
@test "step07: TCP over 127.0.0.1 works inside" { promise_loopback_tcp; }
@test "step07: a bad --hostname gives 125" { promise_bad_hostname; }
@test "step07: without root: a message that root is needed, and 125" { promise_needs_root; }
@test "step07: COMMAND's parent is init, PID 1" { promise_parent_is_init; }
@test "step07: SIGTERM to the engine reaches COMMAND" { promise_sigterm_forwarded; }
@test "step07: SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 reach COMMAND" { promise_signals_forwarded; }
@test "step07: a SIGTERM sent while the container starts is not lost" { promise_early_signal_not_lost; }
@test "step07: the container ends when COMMAND ends" { promise_ends_with_command; }
@test "step07: init reaps orphans (seen from the host)" { promise_orphans_reaped; }

# A root of its own.
@test "step07: the root filesystem's marker /etc/workbook-rootfs is at /" { promise_rootfs_marker_at_root; }
@test "step07: a file of the host outside ROOTFS cannot be reached by its path" { promise_host_files_unreachable; }
@test "step07: ROOTFS may have spaces in its path" { promise_rootfs_path_with_spaces; }
@test "step07: ROOTFS may be a relative path, . too" { promise_relative_rootfs_path; }
@test "step07: a mount point in ROOTFS that is a link (/dev -> /) gives 125, and nothing is made in ROOTFS" { promise_mount_point_link_refused; }
@test "step07: a mount the host has below ROOTFS (a procfs on ROOTFS/proc) stays out of the container" { promise_mounts_below_rootfs_stay_out; }
@test "step07: a missing ROOTFS gives 125 and a message with the path and the reason" { promise_missing_rootfs; }
@test "step07: a ROOTFS that is a file gives 125 and 'Not a directory'" { promise_rootfs_not_a_directory; }
@test "step07: mount points missing in ROOTFS (/proc, /dev) are created" { promise_missing_mount_points_made; }
@test "step07: several containers can run at once in the same ROOTFS" { promise_containers_share_rootfs; }

# /proc and /dev of its own.
@test "step07: ps inside shows the container's processes alone" { promise_ps_shows_container_alone; }
@test "step07: /proc inside lists the container's processes alone" { promise_proc_lists_container_alone; }
@test "step07: an orphan that exits inside leaves no zombie (seen from inside)" { promise_no_zombie_inside; }
@test "step07: /dev holds exactly null zero full random urandom tty fd stdin stdout stderr" { promise_dev_holds_promised_entries; }
@test "step07: /dev/null is the character device 1:3, and every node and link is the right one" { promise_dev_nodes_are_right_devices; }
@test "step07: /dev/null, /dev/zero and /dev/stderr work" { promise_dev_nodes_work; }
@test "step07: the device nodes are for every user (0666): one that is not root writes /dev/null and reads /dev/zero" { promise_dev_nodes_open_to_all; }

# Private mounts: nothing reaches the host. ROOTFS sits on a shared tmpfs,
# where a mount that is not private would propagate to the host.
@test "step07: the host's mount table is the same after the container exits" { promise_mounts_restored_after_exit; }
@test "step07: the host's mount table is the same after COMMAND fails" { promise_mounts_restored_after_failure; }
@test "step07: the host's mount table is the same after COMMAND is SIGKILLed from the host" { promise_mounts_restored_after_kill; }
@test "step07: mounts made inside (/proc, /dev, COMMAND's tmpfs) never appear on the host" { promise_inside_mounts_stay_inside; }

# pivot_root: the host's tree is gone from the container's mount namespace.
@test "step07: the classic chroot escape finds only the container's own files" { promise_chroot_escape_finds_only_container; }
@test "step07: /proc/self/mountinfo inside names no mount of the host" { promise_mountinfo_names_no_host_mount; }


# Hardening: whatever the caller, the terminal or bad luck does.
@test "step07: a directory on stdin, stdout or stderr gives 125 before anything runs" { promise_directory_on_stdio_refused; }
@test "step07: a closed, full or broken stderr keeps COMMAND's status" { promise_broken_stderr_keeps_status; }
@test "step07: COMMAND not found gives 127 also with stderr closed or full" { promise_not_found_without_stderr; }
@test "step07: signals the caller ignores or blocks change nothing; COMMAND starts with every signal at its default" { promise_caller_signals_change_nothing; }
@test "step07: options are spelled out in full (--verb is unknown); --verbose=1 is bad usage, quoted as typed" { promise_options_spelled_out; }
@test "step07: no process of the container, init included, holds a file or directory of the caller's" { promise_no_caller_fd_in_container; }
@test "step07: SIGINT, SIGHUP and SIGTERM reach COMMAND also when the caller ignored or blocked them" { promise_signals_forwarded_though_caller_ignores; }
@test "step07: Ctrl-C and Ctrl-\\ on the terminal reach COMMAND once each" { promise_terminal_signals_once; }
@test "step07: a hang-up of the terminal reaches COMMAND as SIGHUP" { promise_hangup_reaches_command; }
@test "step07: Ctrl-C typed while the container starts reaches COMMAND" { promise_terminal_signal_during_start; }
@test "step07: init does not spin when its write to a terminal set to tostop would stop it (a background engine)" { promise_init_writes_from_the_background; }
@test "step07: a SIGKILLed engine takes its container with it" { promise_engine_killed_container_ends; }
@test "step07: an engine SIGKILLed before init's prctl still takes its container with it" { promise_engine_killed_before_init_is_ready; }
@test "step07: COMMAND starts with docker run's environment: PATH, HOSTNAME, HOME, TERM, nothing else" { promise_docker_environment; }
@test "step07: COMMAND is looked up with the container's PATH, not the caller's" { promise_command_looked_up_in_container_path; }
@test "step07: a read-only ROOTFS works" { promise_read_only_rootfs; }
@test "step07: ROOTFS is left as it was, also when init is killed half-way" { promise_rootfs_unchanged; }

@test "step07: the chapter's try-it sessions print what they show" { check_transcripts; }
@test "step07: the chapter opens with a diagram, and the functions it names are main.c's" { check_diagrams; }

@test "step07: whichever call of the engine or of its processes fails (each in turn, by strace), it ends with 0 or 125 and leaves nothing behind" { promise_any_call_may_fail; }
@test "step07: killed at any call of the engine or of its processes (each in turn, by strace), it leaves nothing behind" { promise_killed_at_any_call; }
