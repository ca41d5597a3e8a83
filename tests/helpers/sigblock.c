#define _GNU_SOURCE
/*
 * sigblock: a caller as hard on the signal mask as can be.
 *
 *   sigblock PROGRAM [ARG...]
 *
 * Blocks every signal, 32 and 33 too (the two glibc keeps for itself, which
 * sigprocmask(3) and env --block-signal leave alone), makes SIGUSR1 and
 * SIGTERM pending (sent while blocked), then runs PROGRAM, which inherits
 * the mask and the pending signals (execve(2)). Built statically.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	unsigned long all = ~0UL;	/* the kernel's set: a bit for each of signals 1 to 64 */

	if (argc < 2) {
		fputs("usage: sigblock PROGRAM [ARG...]\n", stderr);
		return 2;
	}
	if (syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, NULL, sizeof(all)) == -1) {
		perror("sigblock: rt_sigprocmask");
		return 1;
	}
	if (kill(getpid(), SIGUSR1) == -1 || kill(getpid(), SIGTERM) == -1) {
		perror("sigblock: kill");
		return 1;
	}
	execvp(argv[1], argv + 1);
	fprintf(stderr, "sigblock: %s: %s\n", argv[1], strerror(errno));
	return 127;
}
