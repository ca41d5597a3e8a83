#!/usr/bin/env bats
# step05-pid: a PID namespace; the engine's child is the container's init
# (PID 1), COMMAND is init's child; init reaps orphans and passes signals on.

load helpers
load transcript

@test "step05: COMMAND's parent is init, PID 1" { promise_parent_is_init; }
@test "step05: SIGTERM sent to the engine reaches COMMAND" { promise_sigterm_forwarded; }
@test "step05: SIGINT, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 reach COMMAND too" { promise_signals_forwarded; }
@test "step05: a SIGTERM sent while the container starts is not lost" { promise_early_signal_not_lost; }
@test "step05: the engine exits with COMMAND's status as soon as COMMAND ends" { promise_ends_with_command; }
@test "step05: init reaps an orphan that ends: no zombie is left" { promise_orphans_reaped; }
@test "step05: --verbose shows clone(...CLONE_NEWPID...)" {
	requires root
	run_engine --verbose -- true
	assert_equal "$status" 0
	stderr_has '^container: clone\(.*CLONE_NEWPID.*\) = [0-9]+$'
}

# what steps 02 to 04 promise still holds
@test "step05: the hostname inside is 'container' by default" { promise_default_hostname; }
@test "step05: the hostname inside is --hostname's" { promise_hostname_option; }
@test "step05: the host's hostname never changes, even when COMMAND sets its own" { promise_host_hostname_unchanged; }
@test "step05: UTS, IPC and network namespaces differ from the host's" { promise_new_namespaces; }
@test "step05: lo is the only network interface inside" { promise_only_lo; }
@test "step05: lo is up inside" { promise_lo_up; }
@test "step05: a TCP connection over 127.0.0.1 works inside" { promise_loopback_tcp; }
@test "step05: an empty or too long --hostname gives 125" { promise_bad_hostname; }
@test "step05: an ordinary user gets 125 and a message that root is needed" { promise_needs_root; }
@test "step05: COMMAND's exit status becomes the engine's" { promise_exit_status; }
@test "step05: COMMAND killed by signal N gives 128+N" { promise_signal_status; }
@test "step05: COMMAND not found gives 127" { promise_not_found; }
@test "step05: COMMAND not executable gives 126" { promise_not_executable; }
@test "step05: a script without #! runs with 140000 arguments (execvp copies them onto the stack)" { promise_script_with_many_arguments; }
@test "step05: an unknown option gives 125 and a message" { promise_unknown_option; }
@test "step05: no COMMAND gives 125 and a message" { promise_missing_command; }
@test "step05: --help prints usage on stdout and exits 0" { promise_help; }
@test "step05: --name=value and --name value both work; --verbose=1 is bad usage" { promise_option_forms; }
@test "step05: options stop at COMMAND: its own flags are its own" { promise_options_stop_at_command; }
@test "step05: stdout is COMMAND's alone, also with --verbose" { promise_stdout_is_commands; }
@test "step05: stdin reaches COMMAND" { promise_stdin_reaches_command; }
@test "step05: --verbose shows each call that makes the container as NAME(ARGS) = RESULT on stderr" { promise_verbose; }
@test "step05: --verbose shows the kill that passes a signal on" { promise_verbose_kill; }
@test "step05: no descriptor but 0, 1, 2 reaches COMMAND" { promise_no_fd_leak; }

# Hardening: whatever the caller, the terminal or bad luck does.
@test "step05: a directory on stdin, stdout or stderr gives 125 before anything runs" { promise_directory_on_stdio_refused; }
@test "step05: a closed, full or broken stderr keeps COMMAND's status" { promise_broken_stderr_keeps_status; }
@test "step05: COMMAND not found gives 127 also with stderr closed or full" { promise_not_found_without_stderr; }
@test "step05: signals the caller ignores or blocks change nothing; COMMAND starts with every signal at its default" { promise_caller_signals_change_nothing; }
@test "step05: options are spelled out in full (--verb is unknown); --verbose=1 is bad usage, quoted as typed" { promise_options_spelled_out; }
@test "step05: no process of the container, init included, holds a file or directory of the caller's" { promise_no_caller_fd_in_container; }
@test "step05: SIGINT, SIGHUP and SIGTERM reach COMMAND also when the caller ignored or blocked them" { promise_signals_forwarded_though_caller_ignores; }
@test "step05: Ctrl-C and Ctrl-\\ on the terminal reach COMMAND once each" { promise_terminal_signals_once; }
@test "step05: a hang-up of the terminal reaches COMMAND as SIGHUP" { promise_hangup_reaches_command; }
@test "step05: Ctrl-C typed while the container starts reaches COMMAND" { promise_terminal_signal_during_start; }
@test "step05: init does not spin when its write to a terminal set to tostop would stop it (a background engine)" { promise_init_writes_from_the_background; }
@test "step05: a SIGKILLed engine takes its container with it" { promise_engine_killed_container_ends; }
@test "step05: an engine SIGKILLed before init's prctl still takes its container with it" { promise_engine_killed_before_init_is_ready; }

@test "step05: the chapter's try-it sessions print what they show" { check_transcripts; }
@test "step05: the chapter opens with a diagram, and the functions it names are main.c's" { check_diagrams; }

@test "step05: whichever call of the engine or of its processes fails (each in turn, by strace), it ends with 0 or 125 and leaves nothing behind" { promise_any_call_may_fail; }
@test "step05: killed at any call of the engine or of its processes (each in turn, by strace), it leaves nothing behind" { promise_killed_at_any_call; }
