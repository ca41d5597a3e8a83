/*
 * noswap.so: a library for LD_PRELOAD that makes the engine see a kernel
 * that does not account swap. The files of swap accounting in a cgroup,
 * memory.memsw.* (v1) and memory.swap.* (v2), appear missing (ENOENT) to
 * whatever opens, stats or tests them by path; nothing else changes. The
 * kernel's own files cannot be removed, and kernels that do not account
 * swap are rare: this is how the tests see what the engine does on one.
 *
 *   cc -shared -fPIC -o noswap.so noswap.c
 *   LD_PRELOAD=$PWD/noswap.so ./container --memory 32m ROOTFS true
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int hidden(const char *path)
{
	if (path && (strstr(path, "/memory.memsw.") || strstr(path, "/memory.swap."))) {
		errno = ENOENT;
		return 1;
	}
	return 0;
}

/* Set *FN to libc's own NAME (ISO C has no cast from dlsym's void * to a function pointer). */
static void next(const char *name, void *fn)
{
	void *sym = dlsym(RTLD_NEXT, name);

	memcpy(fn, &sym, sizeof(sym));
}

/* The open family takes a mode only when it creates a file. */
int open(const char *path, int flags, ...)
{
	int (*real)(const char *, int, ...);
	mode_t mode = 0;
	va_list ap;

	next("open", &real);
	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	return hidden(path) ? -1 : real(path, flags, mode);
}

int open64(const char *path, int flags, ...)
{
	int (*real)(const char *, int, ...);
	mode_t mode = 0;
	va_list ap;

	next("open64", &real);
	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	return hidden(path) ? -1 : real(path, flags, mode);
}

int openat(int dirfd, const char *path, int flags, ...)
{
	int (*real)(int, const char *, int, ...);
	mode_t mode = 0;
	va_list ap;

	next("openat", &real);
	va_start(ap, flags);
	if (flags & (O_CREAT | O_TMPFILE))
		mode = va_arg(ap, mode_t);
	va_end(ap);
	return hidden(path) ? -1 : real(dirfd, path, flags, mode);
}

FILE *fopen(const char *path, const char *how)
{
	FILE *(*real)(const char *, const char *);

	next("fopen", &real);
	return hidden(path) ? NULL : real(path, how);
}

FILE *fopen64(const char *path, const char *how)
{
	FILE *(*real)(const char *, const char *);

	next("fopen64", &real);
	return hidden(path) ? NULL : real(path, how);
}

int access(const char *path, int how)
{
	int (*real)(const char *, int);

	next("access", &real);
	return hidden(path) ? -1 : real(path, how);
}

int stat(const char *path, struct stat *st)
{
	int (*real)(const char *, struct stat *);

	next("stat", &real);
	return hidden(path) ? -1 : real(path, st);
}
