#define _GNU_SOURCE
/*
 * hog: take MIB mebibytes of memory and write to every page of it.
 *
 *   hog MIB
 *
 * Memory counts against a cgroup's limit only once it is touched: an
 * untouched mapping is just a promise. Prints "hog: touched MIB MiB" and
 * exits 0 when it got them all; exits 1 if the mapping was refused. Under a
 * lower memory limit it never gets there: the OOM killer sends SIGKILL.
 * Built statically, so that it runs in any root filesystem.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MIB (1024UL * 1024UL)

int main(int argc, char **argv)
{
	char *end;
	unsigned long mib;
	long page = sysconf(_SC_PAGESIZE);
	char *mem;

	if (argc != 2) {
		fputs("usage: hog MIB\n", stderr);
		return 2;
	}
	errno = 0;
	mib = strtoul(argv[1], &end, 10);
	if (errno || end == argv[1] || *end || mib == 0) {
		fprintf(stderr, "hog: invalid size '%s'\n", argv[1]);
		return 2;
	}
	mem = mmap(NULL, mib * MIB, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		fprintf(stderr, "hog: mmap %lu MiB: %s\n", mib, strerror(errno));
		return 1;
	}
	for (unsigned long off = 0; off < mib * MIB; off += (unsigned long)page)
		mem[off] = 1;
	printf("hog: touched %lu MiB\n", mib);
	return 0;
}
