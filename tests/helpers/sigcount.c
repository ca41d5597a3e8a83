#define _GNU_SOURCE
/*
 * sigcount: count the SIGINT, SIGQUIT and SIGHUP that arrive.
 *
 *   sigcount READY COUNTS
 *
 * Catches the three signals with a handler each (sigaction(2)), then makes
 * the file READY. Once the first of them arrives it waits 1.5 s more for
 * copies, then writes "INT n QUIT n HUP n" to the file COUNTS (not to
 * stdout, which may be a terminal that hung up) and exits 0. It gives up
 * after 30 s without a signal, and exits 1. A handler counts every delivery,
 * where a shell's trap may run once for several. Built statically, so that
 * it runs in any root filesystem.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t ints, quits, hups;

static void count(int sig)
{
	if (sig == SIGINT)
		ints++;
	else if (sig == SIGQUIT)
		quits++;
	else if (sig == SIGHUP)
		hups++;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	size_t len = strlen(text);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len || close(fd) < 0) {
		fprintf(stderr, "sigcount: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	double start, first = 0;
	char text[64];

	if (argc != 3) {
		fputs("usage: sigcount READY COUNTS\n", stderr);
		return 2;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = count;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGINT, &sa, NULL) < 0 || sigaction(SIGQUIT, &sa, NULL) < 0 ||
	    sigaction(SIGHUP, &sa, NULL) < 0) {
		perror("sigcount: sigaction");
		return 2;
	}
	if (write_file(argv[1], "ready\n") < 0)
		return 2;
	start = now();
	for (;;) {
		nanosleep(&tick, NULL);
		if (first == 0 && ints + quits + hups > 0)
			first = now();
		if (first != 0 && now() - first >= 1.5)
			break;
		if (first == 0 && now() - start >= 30)
			break;
	}
	snprintf(text, sizeof text, "INT %d QUIT %d HUP %d\n", (int)ints, (int)quits, (int)hups);
	if (write_file(argv[2], text) < 0)
		return 2;
	return first != 0 ? 0 : 1;
}
