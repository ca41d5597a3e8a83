#define _GNU_SOURCE
/*
 * spin: keep one CPU busy for SECONDS of wall-clock time.
 *
 *   spin SECONDS
 *
 * Without a CPU limit it uses about SECONDS of CPU time; under a CFS quota
 * (cgroup v1 cpu.cfs_quota_us, v2 cpu.max) the scheduler throttles it, and
 * it gets only the quota's share. Prints the CPU time it was given, from
 * getrusage(2), and exits 0. Built statically, so that it runs in any root
 * filesystem.
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char *end;
	double seconds, start, cpu;
	struct rusage ru;

	if (argc != 2 || (seconds = strtod(argv[1], &end)) <= 0 || *end) {
		fputs("usage: spin SECONDS\n", stderr);
		return 2;
	}
	start = now();
	while (now() - start < seconds)
		;
	getrusage(RUSAGE_SELF, &ru);
	cpu = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
	      (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	printf("spin: %.2f s of CPU in %.2f s\n", cpu, now() - start);
	return 0;
}
