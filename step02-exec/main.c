#define _GNU_SOURCE
/*
 * step02-exec: the child becomes COMMAND.
 *
 * The child of fork(2) replaces its program with COMMAND by execvp(3);
 * the parent waits for it and exits with its status, as docker run does:
 * COMMAND's own status, 128+N when a signal N killed it, 125 when the
 * engine failed, 126 when COMMAND could not run, 127 when it was not found.
 *
 *   ./container [OPTIONS] COMMAND [ARG...]
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

enum {
	EXIT_ENGINE = 125,	/* the engine itself failed */
	EXIT_CANNOT_RUN = 126,	/* COMMAND was found but could not be executed */
	EXIT_NOT_FOUND = 127,	/* COMMAND was not found */
};

/* What the command line asks for. */
struct container {
	char **command;
};

static bool verbose;

/* Report a failed call as "container: WHAT: reason" and give up. */
__attribute__((format(printf, 1, 2), noreturn))
static void die(const char *fmt, ...)
{
	int saved = errno;
	char what[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	fprintf(stderr, "container: %s: %s\n", what, strerror(saved));
	exit(EXIT_ENGINE);
}

/*
 * With --verbose, show a call that makes or changes the container the way
 * strace(1) would: "container: NAME(ARGS) = RESULT", or for a failure
 * "= -1 ENAME (message)".
 */
__attribute__((format(printf, 2, 3)))
static void trace(long result, const char *fmt, ...)
{
	int saved = errno;
	char call[4096];
	va_list ap;

	if (!verbose)
		return;
	va_start(ap, fmt);
	vsnprintf(call, sizeof(call), fmt, ap);
	va_end(ap);
	/* One fprintf, one write(2): the engine's lines and init's never mix. */
	if (result == -1)
		fprintf(stderr, "container: %s = -1 %s (%s)\n", call,
			strerrorname_np(saved), strerror(saved));
	else
		fprintf(stderr, "container: %s = %ld\n", call, result);
	errno = saved;
}

/*
 * S as strace(1) shows a string, into OUT (SIZE bytes): in quotes, with \n,
 * \t, \", \\ and \ooo for the other bytes that are not printable ASCII, so
 * that a --verbose line stays one line whatever COMMAND's arguments hold.
 * One that does not fit ends in "... as strace's do.
 */
static const char *quoted(const char *s, char *out, size_t size)
{
	size_t n = 0;

	out[n++] = '"';
	for (; *s != '\0' && n + 8 < size; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '\n' || c == '\t' || c == '"' || c == '\\')
			n += (size_t)snprintf(out + n, size - n, "\\%c", c == '\n' ? 'n' : c == '\t' ? 't' : c);
		else if (c >= ' ' && c < 0x7f)
			out[n++] = (char)c;
		else
			n += (size_t)snprintf(out + n, size - n, "\\%03o", c);
	}
	snprintf(out + n, size - n, *s != '\0' ? "\"..." : "\"");
	return out;
}

/* execvp(3) returns only when it fails, so its line is shown before it. */
static void trace_exec(char **command)
{
	char line[4096], arg[1024];
	size_t len = 0;

	if (!verbose || command[0] == NULL)
		return;
	line[0] = '\0';
	for (char **a = command; *a; a++) {
		quoted(*a, arg, sizeof(arg));
		if (len + strlen(arg) + sizeof(", ...") > sizeof(line)) {
			snprintf(line + len, sizeof(line) - len, "%s...", a == command ? "" : ", ");
			break;
		}
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s", a == command ? "" : ", ", arg);
	}
	fprintf(stderr, "container: execvp(%s, [%s])\n", quoted(command[0], arg, sizeof(arg)), line);
}

static void usage(void)
{
	puts("Usage: container [OPTIONS] COMMAND [ARG...]\n"
	     "Run COMMAND in a child process and exit with its status.\n"
	     "\n"
	     "Options:\n"
	     "  --help                show this help and exit\n"
	     "  --verbose             show each call that makes the container, on stderr\n"
	     "\n"
	     "Exit status: COMMAND's, 128+N if signal N killed it, 125 if the engine\n"
	     "failed, 126 if COMMAND could not be executed, 127 if it was not found.");
}

__attribute__((noreturn))
static void bad_usage(const char *problem, const char *word)
{
	if (word)
		fprintf(stderr, "container: %s '%s'\n", problem, word);
	else
		fprintf(stderr, "container: %s\n", problem);
	fputs("Try 'container --help'.\n", stderr);
	exit(EXIT_ENGINE);
}

enum { OPT_HELP = 1, OPT_VERBOSE };

static const struct option long_options[] = {
	{ "help", no_argument, NULL, OPT_HELP },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ NULL, 0, NULL, 0 },
};

/* The option that the first LEN bytes of WORD name, spelled out in full as "--name". */
static const struct option *find_option(const char *word, size_t len)
{
	for (const struct option *opt = long_options; opt->name; opt++)
		if (len == strlen(opt->name) + 2 && strncmp(word, "--", 2) == 0 &&
		    strncmp(word + 2, opt->name, len - 2) == 0)
			return opt;
	return NULL;
}

/*
 * Options come first. They stop at the first word that is not one (a lone
 * "-" is not), so that COMMAND's own flags stay COMMAND's, and at "--".
 */
static void parse_options(int argc, char **argv, struct container *c)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-' && strcmp(argv[i], "-") != 0; i++) {
		const char *word = argv[i];
		size_t len = strcspn(word, "=");	/* "--name=value" */
		bool has_value = word[len] == '=';
		const struct option *opt = find_option(word, len);

		if (strcmp(word, "--") == 0) {
			i++;
			break;
		}
		if (!opt)
			bad_usage("unknown option", word);
		if (opt->has_arg == no_argument && has_value)
			bad_usage("option takes no value", word);
		switch (opt->val) {
		case OPT_HELP:
			usage();
			exit(0);
		case OPT_VERBOSE:
			verbose = true;
			break;
		}
	}
	if (i == argc)
		bad_usage("missing COMMAND", NULL);
	c->command = &argv[i];
}

/* Become COMMAND; on failure exit as docker run does: 127 not found, 126 not runnable. */
__attribute__((noreturn))
static void run_command(char **command)
{
	int err;

	/*
	 * A descriptor survives execvp(3) unless it is close-on-exec: close
	 * every one above stderr that the engine opened itself, so that
	 * COMMAND starts with stdin, stdout and stderr alone.
	 */
	if (close_range(3, ~0U, 0) == -1)
		die("close_range");
	trace_exec(command);
	execvp(command[0], command);
	/* Keep execvp's errno: fprintf(3) may change it (EBADF for a closed stderr). */
	err = errno;
	fprintf(stderr, "container: execvp %s: %s\n", command[0], strerror(err));
	exit(err == ENOENT || err == ENOTDIR || err == ENAMETOOLONG ? EXIT_NOT_FOUND : EXIT_CANNOT_RUN);
}

/* Turn a wait status into an exit status: 128+N for a signal N, as a shell does. */
static int exit_status(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static void child_main(const struct container *c)
{
	run_command(c->command);
}

static pid_t start_container(const struct container *c)
{
	pid_t pid = fork();

	if (pid == 0)
		child_main(c);
	trace(pid, "fork()");
	if (pid == -1)
		die("fork");
	return pid;
}

static int wait_for(pid_t pid)
{
	int status;
	pid_t ended = waitpid(pid, &status, 0);

	trace(ended, "waitpid(%d)", (int)pid);
	if (ended == -1)
		die("waitpid");
	return exit_status(status);
}

/*
 * Whatever the caller left open is the caller's, not the engine's: a file,
 * a socket, a directory of the host that any process of the container could
 * reach through /proc/PID/fd/N. Close it all before anything else runs, so
 * that no process of the engine ever holds one. (What the engine opens
 * later is its own, and stays usable.)
 */
static void close_inherited_fds(void)
{
	if (close_range(3, ~0U, 0) == -1)
		die("close_range");
}

/*
 * stdin, stdout and stderr are COMMAND's, but a directory there is a way
 * out of any root: /proc/self/fd/0/ is the caller's directory. Refuse it.
 */
static void refuse_directories(void)
{
	static const char *const names[] = { "stdin", "stdout", "stderr" };
	struct stat st;

	for (int fd = 0; fd <= 2; fd++) {
		if (fstat(fd, &st) == -1) {
			/* A closed one stays closed, for COMMAND to find so. */
			if (errno != EBADF)
				die("fstat %s", names[fd]);
		} else if (S_ISDIR(st.st_mode)) {
			errno = EISDIR;
			die("%s", names[fd]);
		}
	}
}

/* Does nothing; see reset_signals. */
static void on_sigpipe(int sig)
{
	(void)sig;
}

/*
 * sigfillset(3) leaves out the two signals glibc keeps for its threads (32
 * and 33), and signal(2) refuses them. Yet a caller may leave them ignored
 * (GNU make does), and an ignored signal stays ignored across execve(2).
 * The system call takes them: the kernel's struct sigaction all zero is
 * SIG_DFL, with no flags and an empty mask.
 */
static int reset_reserved(int sig)
{
	unsigned long action[4] = { 0 };

	return (int)syscall(SYS_rt_sigaction, sig, action, NULL, _NSIG / 8);
}

/*
 * Signals the caller ignores or blocks stay so in its children, across
 * fork(2) and execve(2): a script's `cmd &` ignores SIGINT and SIGQUIT,
 * nohup(1) SIGHUP, and with SIGCHLD ignored waitpid(2) finds no child at
 * all. Start from every default and nothing blocked, as COMMAND will,
 * and first of all, so that a message to a broken stderr cannot kill us.
 * But SIGPIPE, sent for a write to a pipe nobody reads (stderr piped to
 * `head -1`), would kill the engine and lose COMMAND's status: catch it
 * with a handler that does nothing, and the write fails with EPIPE
 * instead. Ignoring it would not do: an ignored signal stays ignored in
 * COMMAND, while execve(2) puts a caught one back to its default.
 */
static void reset_signals(void)
{
	sigset_t all, pending, none;

	sigfillset(&all);
	sigemptyset(&none);
	if (sigpending(&pending) == -1)
		die("sigpending");
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		/* Ignoring a signal discards it if pending: once unblocked, it would end the engine. */
		if (sigismember(&all, sig) == 1 && sigismember(&pending, sig) == 1 && signal(sig, SIG_IGN) == SIG_ERR)
			die("signal %d", sig);
		if (sigismember(&all, sig) == 1 ? signal(sig, SIG_DFL) == SIG_ERR : reset_reserved(sig) == -1)
			die("signal %d", sig);
	}
	/* An empty mask, not SIG_UNBLOCK of that full set: it unblocks 32 and 33 too. */
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1)
		die("sigprocmask");
	if (signal(SIGPIPE, on_sigpipe) == SIG_ERR)
		die("signal SIGPIPE");
}

int main(int argc, char **argv)
{
	struct container c = { 0 };

	reset_signals();
	close_inherited_fds();
	refuse_directories();
	parse_options(argc, argv, &c);
	return wait_for(start_container(&c));
}
