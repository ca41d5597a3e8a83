#!/usr/bin/env bats
# step04-uts: new UTS, IPC and network namespaces; --hostname; lo up.
# Making namespaces needs root: most tests skip without it.

load helpers
load transcript

@test "step04: the hostname inside is 'container' by default" { promise_default_hostname; }
@test "step04: the hostname inside is --hostname's" { promise_hostname_option; }
@test "step04: the host's hostname never changes, even when COMMAND sets its own" { promise_host_hostname_unchanged; }
@test "step04: UTS, IPC and network namespaces differ from the host's" { promise_new_namespaces; }
@test "step04: lo is the only network interface inside" { promise_only_lo; }
@test "step04: lo is up inside" { promise_lo_up; }
@test "step04: a TCP connection over 127.0.0.1 works inside" { promise_loopback_tcp; }
@test "step04: an empty or too long --hostname gives 125" { promise_bad_hostname; }
@test "step04: an ordinary user gets 125 and a message that root is needed" { promise_needs_root; }
@test "step04: --verbose shows clone(CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWNET|...) and sethostname" {
	requires root
	run_engine --verbose --hostname box -- true
	assert_equal "$status" 0
	stderr_has '^container: clone\(.*CLONE_NEWUTS.*\) = [0-9]+$'
	stderr_has '^container: clone\(.*CLONE_NEWIPC.*\) = [0-9]+$'
	stderr_has '^container: clone\(.*CLONE_NEWNET.*\) = [0-9]+$'
	stderr_has '^container: sethostname\("box"\) = 0$'
}

# what steps 02 and 03 promise still holds
@test "step04: COMMAND's exit status becomes the engine's" { promise_exit_status; }
@test "step04: COMMAND killed by signal N gives 128+N" { promise_signal_status; }
@test "step04: COMMAND not found gives 127" { promise_not_found; }
@test "step04: COMMAND not executable gives 126" { promise_not_executable; }
@test "step04: a script without #! runs with 140000 arguments (execvp copies them onto the stack)" { promise_script_with_many_arguments; }
@test "step04: an unknown option gives 125 and a message" { promise_unknown_option; }
@test "step04: no COMMAND gives 125 and a message" { promise_missing_command; }
@test "step04: --help prints usage on stdout and exits 0" { promise_help; }
@test "step04: --name=value and --name value both work; --verbose=1 is bad usage" { promise_option_forms; }
@test "step04: options stop at COMMAND: its own flags are its own" { promise_options_stop_at_command; }
@test "step04: stdout is COMMAND's alone, also with --verbose" { promise_stdout_is_commands; }
@test "step04: stdin reaches COMMAND" { promise_stdin_reaches_command; }
@test "step04: --verbose shows each call that makes the container as NAME(ARGS) = RESULT on stderr" { promise_verbose; }
@test "step04: no descriptor but 0, 1, 2 reaches COMMAND" { promise_no_fd_leak; }

# Hardening: whatever the caller, the terminal or bad luck does.
@test "step04: a directory on stdin, stdout or stderr gives 125 before anything runs" { promise_directory_on_stdio_refused; }
@test "step04: a closed, full or broken stderr keeps COMMAND's status" { promise_broken_stderr_keeps_status; }
@test "step04: COMMAND not found gives 127 also with stderr closed or full" { promise_not_found_without_stderr; }
@test "step04: signals the caller ignores or blocks change nothing; COMMAND starts with every signal at its default" { promise_caller_signals_change_nothing; }
@test "step04: options are spelled out in full (--verb is unknown); --verbose=1 is bad usage, quoted as typed" { promise_options_spelled_out; }

@test "step04: the chapter's try-it sessions print what they show" { check_transcripts; }
@test "step04: the chapter opens with a diagram, and the functions it names are main.c's" { check_diagrams; }

@test "step04: whichever call of the engine or of its processes fails (each in turn, by strace), it ends with 0 or 125 and leaves nothing behind" { promise_any_call_may_fail; }
@test "step04: killed at any call of the engine or of its processes (each in turn, by strace), it leaves nothing behind" { promise_killed_at_any_call; }
