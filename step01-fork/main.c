#define _GNU_SOURCE
/*
 * step01-fork: a process makes a copy of itself.
 *
 * fork(2) returns twice: 0 in the child, the child's pid in the parent.
 * The parent waits for the child with waitpid(2) and reports how it ended.
 *
 *   ./container
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

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
	exit(125);
}

static void child_main(void)
{
	printf("child: pid=%d ppid=%d\n", (int)getpid(), (int)getppid());
	exit(0);
}

static pid_t start_container(void)
{
	pid_t pid;

	/*
	 * The child gets a copy of stdout's buffer too. Flush it first, or a
	 * line still waiting there (stdout to a file or a pipe is fully
	 * buffered) would be printed twice, once by each process.
	 */
	fflush(stdout);
	pid = fork();
	if (pid == 0)
		child_main();
	if (pid == -1)
		die("fork");
	return pid;
}

/* Turn a wait status into an exit status: 128+N for a signal N, as a shell does. */
static int exit_status(int status)
{
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

static int wait_for(pid_t pid)
{
	int status;

	if (waitpid(pid, &status, 0) == -1)
		die("waitpid");
	return exit_status(status);
}

int main(void)
{
	pid_t pid;

	printf("parent: pid=%d\n", (int)getpid());
	pid = start_container();
	printf("parent: child %d exited with status %d\n", (int)pid, wait_for(pid));
	return 0;
}
