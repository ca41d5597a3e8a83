#!/usr/bin/env bats
# step02-exec: ./container [OPTIONS] COMMAND [ARG...] runs COMMAND in a
# forked child with execvp(3) and exits with its status.

load helpers
load transcript

@test "step02: COMMAND's exit status becomes the engine's" { promise_exit_status; }
@test "step02: COMMAND killed by signal N gives 128+N" { promise_signal_status; }
@test "step02: COMMAND not found gives 127" { promise_not_found; }
@test "step02: COMMAND not executable gives 126" { promise_not_executable; }
@test "step02: a script without #! runs with 140000 arguments (execvp copies them onto the stack)" { promise_script_with_many_arguments; }
@test "step02: an unknown option gives 125 and a message" { promise_unknown_option; }
@test "step02: no COMMAND gives 125 and a message" { promise_missing_command; }
@test "step02: --help prints usage on stdout and exits 0" { promise_help; }
@test "step02: --verbose=1 and --help=x are bad usage, quoted as typed" { promise_option_forms; }
@test "step02: options stop at COMMAND: its own flags are its own" { promise_options_stop_at_command; }
@test "step02: stdout is COMMAND's alone, also with --verbose" { promise_stdout_is_commands; }
@test "step02: stdin reaches COMMAND" { promise_stdin_reaches_command; }
@test "step02: --verbose shows each call that makes the container as NAME(ARGS) = RESULT on stderr" { promise_verbose; }
@test "step02: --verbose shows fork() and its child's pid" {
	run_engine --verbose -- true
	stderr_has '^container: fork\(\) = [0-9]+$'
}
@test "step02: no descriptor but 0, 1, 2 reaches COMMAND" { promise_no_fd_leak; }

# Hardening: whatever the caller, the terminal or bad luck does.
@test "step02: a directory on stdin, stdout or stderr gives 125 before anything runs" { promise_directory_on_stdio_refused; }
@test "step02: a closed, full or broken stderr keeps COMMAND's status" { promise_broken_stderr_keeps_status; }
@test "step02: COMMAND not found gives 127 also with stderr closed or full" { promise_not_found_without_stderr; }
@test "step02: signals the caller ignores or blocks change nothing; COMMAND starts with every signal at its default" { promise_caller_signals_change_nothing; }
@test "step02: options are spelled out in full (--verb is unknown); --verbose=1 is bad usage, quoted as typed" { promise_options_spelled_out; }

@test "step02: the chapter's try-it sessions print what they show" { check_transcripts; }
@test "step02: the chapter opens with a diagram, and the functions it names are main.c's" { check_diagrams; }

@test "step02: whichever call of the engine or of its processes fails (each in turn, by strace), it ends with 0 or 125 and leaves nothing behind" { promise_any_call_may_fail; }
@test "step02: killed at any call of the engine or of its processes (each in turn, by strace), it leaves nothing behind" { promise_killed_at_any_call; }
