#define _GNU_SOURCE
/*
 * primitives: what each kernel operation of step08's start costs.
 *
 * step08 starts a container with a handful of kernel calls: clone(2) with
 * five new namespaces, a few mounts, pivot_root(2), three cgroup directories,
 * and a fork+exec of COMMAND. This program times each of them alone, in a
 * loop, and prints one markdown table row per operation (median, min and max
 * in microseconds), then the sum of the medians of the operations that
 * step08's start is made of, to hold against step08's own time.
 *
 * Everything runs in throwaway children: mounts happen in a mount namespace
 * that ends with its child, and the cgroup directories are this program's own
 * (primitives-PID, beside nothing of anyone else's) and are removed each time.
 *
 * Build and run (as root):
 *     cc -std=c11 -O2 -o primitives primitives.c && ./primitives -n 200 ./rootfs
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define STACK_SIZE (256 * 1024)
#define ALL_NAMESPACES (CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS)

/* The operations done inside the new namespaces, timed by the child itself. */
enum inner_op {
	OP_PRIVATE, OP_BIND, OP_PUT_OLD, OP_PIVOT, OP_UMOUNT_OLD, OP_PROC, OP_DEV,
	OP_HOSTNAME, OP_LO_UP, OP_CGROUPNS, N_INNER
};

static const char *const inner_names[N_INNER] = {
	[OP_PRIVATE] = "mount(\"/\", MS_REC\\|MS_PRIVATE)",
	[OP_BIND] = "bind-mount ROOTFS onto itself",
	[OP_PUT_OLD] = "mkdir + rmdir of a put_old directory in ROOTFS (the classic form, not step 08's)",
	[OP_PIVOT] = "pivot_root(\".\", \".\")",
	[OP_UMOUNT_OLD] = "umount2(old root, MNT_DETACH)",
	[OP_PROC] = "mount procfs on /proc",
	[OP_DEV] = "tmpfs on /dev + 6 mknod + 4 symlinks",
	[OP_HOSTNAME] = "sethostname",
	[OP_LO_UP] = "socket + ioctl: lo up",
	[OP_CGROUPNS] = "unshare(CLONE_NEWCGROUP)",
};

/* The steps of a cgroup's life, timed by the parent. */
enum cgroup_op { CG_LOCATE, CG_MKDIR, CG_LIMITS, CG_ATTACH, CG_RMDIR, N_CGROUP };

static const char *const cgroup_names[N_CGROUP] = {
	[CG_LOCATE] = "find our cgroup (/proc/self/cgroup, mountinfo, readdir)",
	[CG_MKDIR] = "mkdir",
	[CG_LIMITS] = "write the limits",
	[CG_ATTACH] = "attach a process (cgroup.procs)",
	[CG_RMDIR] = "rmdir (after the process ended)",
};

static long loops = 200;
static long warmup;	/* untimed rounds before the timed ones: loops / 10 */
static const char *rootfs;
static char stack[STACK_SIZE] __attribute__((aligned(16)));
/* Samples in nanoseconds: loops of them per operation, shared with children. */
static double (*inner)[N_INNER];
static double *samples;
static double sum_us;

/* Report a failed call as "primitives: WHAT: reason" and give up. */
static void die(const char *what)
{
	fprintf(stderr, "primitives: %s: %s\n", what, strerror(errno));
	exit(1);
}

static double now_ns(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		die("clock_gettime");
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Print one table row from n samples (nanoseconds); add it to the sum if asked. */
static void report(const char *name, double *v, long n, int in_step08)
{
	double median;

	qsort(v, n, sizeof(*v), by_value);
	median = n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
	printf("| %s | %.1f | %.1f | %.1f | %s |\n", name, median / 1e3, v[0] / 1e3,
	       v[n - 1] / 1e3, in_step08 ? "yes" : "");
	fflush(stdout);
	if (in_step08)
		sum_us += median / 1e3;
}

/* Wait for a child that must exit with status 0. */
static void reap(pid_t pid, const char *what)
{
	int status;

	if (waitpid(pid, &status, 0) == -1)
		die("waitpid");
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		fprintf(stderr, "primitives: %s: child failed (status 0x%x)\n", what, status);
		exit(1);
	}
}

static int child_exit(void *arg)
{
	(void)arg;
	return 0;
}

static void time_fork(const char *name)
{
	for (long i = -warmup; i < loops; i++) {
		double t0 = now_ns();
		pid_t pid = fork();

		if (pid == -1)
			die("fork");
		if (pid == 0)
			_exit(0);
		reap(pid, "fork");
		if (i >= 0)
			samples[i] = now_ns() - t0;
	}
	report(name, samples, loops, 0);
}

/* fork, exec FILE (looked up in PATH when it has no slash), wait. */
static void time_fork_exec(const char *name, const char *file, int in_step08)
{
	for (long i = -warmup; i < loops; i++) {
		double t0 = now_ns();
		pid_t pid = fork();

		if (pid == -1)
			die("fork");
		if (pid == 0) {
			execlp(file, file, (char *)NULL);
			_exit(127);
		}
		reap(pid, file);
		if (i >= 0)
			samples[i] = now_ns() - t0;
	}
	report(name, samples, loops, in_step08);
}

/* posix_spawn: the child borrows the parent's memory until it execs, no copy of it is made. */
static void time_spawn(const char *name, const char *path)
{
	char *const argv[] = { (char *)path, NULL };
	extern char **environ;

	for (long i = -warmup; i < loops; i++) {
		double t0 = now_ns();
		pid_t pid;
		int err = posix_spawn(&pid, path, NULL, NULL, argv, environ);

		if (err != 0) {
			errno = err;
			die("posix_spawn");
		}
		reap(pid, path);
		if (i >= 0)
			samples[i] = now_ns() - t0;
	}
	report(name, samples, loops, 0);
}

/* clone with FLAGS, the child returns at once, wait: the namespaces' set-up and teardown. */
static void time_clone(const char *name, int flags, int in_step08)
{
	for (long i = -warmup; i < loops; i++) {
		double t0 = now_ns();
		pid_t pid = clone(child_exit, stack + STACK_SIZE, flags | SIGCHLD, NULL);

		if (pid == -1)
			die("clone");
		reap(pid, name);
		if (i >= 0)
			samples[i] = now_ns() - t0;
	}
	report(name, samples, loops, in_step08);
}

/* In the child, a failure is reported and ends the child; the parent sees the status. */
static int fail(const char *what)
{
	fprintf(stderr, "primitives: %s: %s\n", what, strerror(errno));
	return 1;
}

/* Make a minimal /dev, as step06 does: a tmpfs with six devices and four links. */
static int make_dev(void)
{
	static const struct { const char *path; unsigned major, minor; } nodes[] = {
		{ "/dev/null", 1, 3 }, { "/dev/zero", 1, 5 }, { "/dev/full", 1, 7 },
		{ "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
	};
	static const char *const links[][2] = {
		{ "/proc/self/fd", "/dev/fd" }, { "/proc/self/fd/0", "/dev/stdin" },
		{ "/proc/self/fd/1", "/dev/stdout" }, { "/proc/self/fd/2", "/dev/stderr" },
	};

	if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=64k") == -1)
		return fail("mount tmpfs /dev");
	for (size_t i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++)
		if (mknod(nodes[i].path, S_IFCHR | 0666, makedev(nodes[i].major, nodes[i].minor)) == -1)
			return fail("mknod");
	for (size_t i = 0; i < sizeof(links) / sizeof(links[0]); i++)
		if (symlink(links[i][0], links[i][1]) == -1)
			return fail("symlink");
	return 0;
}

static int lo_up(void)
{
	struct ifreq ifr = { 0 };
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd == -1)
		return fail("socket");
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) == -1)
		return fail("ioctl SIOCGIFFLAGS");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) == -1)
		return fail("ioctl SIOCSIFFLAGS");
	if (close(fd) == -1)
		return fail("close");
	return 0;
}

/* The container's side of step08's start, each call timed into ARG, a row of inner. */
static int container_side(void *arg)
{
	double *t = arg;
	double t0 = now_ns();

	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == -1)
		return fail("mount MS_PRIVATE");
	t[OP_PRIVATE] = now_ns() - t0;
	t0 = now_ns();
	if (mount(rootfs, rootfs, NULL, MS_BIND, NULL) == -1)
		return fail("bind-mount rootfs");
	t[OP_BIND] = now_ns() - t0;
	if (chdir(rootfs) == -1)
		return fail("chdir rootfs");
	/*
	 * pivot_root(".", PUT_OLD) needs a directory for the old root, made in
	 * ROOTFS and removed after: a write to ROOTFS's file system at each start.
	 */
	t0 = now_ns();
	if (mkdir(".primitives-put-old", 0700) == -1)
		return fail("mkdir put_old");
	if (rmdir(".primitives-put-old") == -1)
		return fail("rmdir put_old");
	t[OP_PUT_OLD] = now_ns() - t0;
	/* pivot_root(".", ".") stacks the old root under the new one: no put_old directory needed. */
	t0 = now_ns();
	if (syscall(SYS_pivot_root, ".", ".") == -1)
		return fail("pivot_root");
	t[OP_PIVOT] = now_ns() - t0;
	t0 = now_ns();
	if (umount2(".", MNT_DETACH) == -1)
		return fail("umount2 old root");
	t[OP_UMOUNT_OLD] = now_ns() - t0;
	if (chdir("/") == -1)
		return fail("chdir /");
	t0 = now_ns();
	if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == -1)
		return fail("mount proc");
	t[OP_PROC] = now_ns() - t0;
	t0 = now_ns();
	if (make_dev() != 0)
		return 1;
	t[OP_DEV] = now_ns() - t0;
	t0 = now_ns();
	if (sethostname("container", strlen("container")) == -1)
		return fail("sethostname");
	t[OP_HOSTNAME] = now_ns() - t0;
	t0 = now_ns();
	if (lo_up() != 0)
		return 1;
	t[OP_LO_UP] = now_ns() - t0;
	t0 = now_ns();
	if (unshare(CLONE_NEWCGROUP) == -1)
		return fail("unshare CLONE_NEWCGROUP");
	t[OP_CGROUPNS] = now_ns() - t0;
	return 0;
}

static void time_container_side(void)
{
	/* Warm-up rounds write their times into the first slot, which the timed rounds overwrite. */
	for (long i = -warmup; i < loops; i++) {
		long slot = i < 0 ? 0 : i;
		pid_t pid = clone(container_side, stack + STACK_SIZE, ALL_NAMESPACES | SIGCHLD, inner[slot]);

		if (pid == -1)
			die("clone");
		reap(pid, "container side");
	}
	for (int op = 0; op < N_INNER; op++) {
		for (long i = 0; i < loops; i++)
			samples[i] = inner[i][op];
		/* step 08 stacks the old root (pivot_root(".", ".")): no put_old to make */
		report(inner_names[op], samples, loops, op != OP_PUT_OLD);
	}
}

/* ---- cgroups ---- */

/* What step08 writes for --memory 64m --pids-limit 64 --cpus 1. */
struct limits {
	const char *controller;	/* "" for v2 */
	const char *file[2], *value[2];
};

static const struct limits v1_limits[] = {
	{ "memory", { "memory.limit_in_bytes", "memory.memsw.limit_in_bytes" }, { "67108864", "67108864" } },
	{ "pids", { "pids.max", NULL }, { "64", NULL } },
	{ "cpu", { "cpu.cfs_period_us", "cpu.cfs_quota_us" }, { "100000", "100000" } },
};

static const struct limits v2_limits[] = {
	{ "", { "memory.max", "memory.swap.max" }, { "67108864", "0" } },
	{ "", { "pids.max", "cpu.max" }, { "64", "100000 100000" } },
};

struct hierarchy {
	char own[PATH_MAX];		/* the cgroup we are in */
	char dir[PATH_MAX + 64];	/* ours, primitives-PID, made in it */
	const struct limits *limits;
	int made;
};

/*
 * Where this process's cgroup of CONTROLLER ("" for v2) lives: the mount of
 * that hierarchy (from /proc/self/mountinfo) joined with our path in it (from
 * /proc/self/cgroup), minus the mount's own root. 0 when not mounted.
 */
static int own_cgroup(const char *controller, char *path, size_t size)
{
	char line[4096], cg[PATH_MAX] = "", mnt[PATH_MAX] = "", root[PATH_MAX] = "";
	FILE *f = fopen("/proc/self/cgroup", "re");
	size_t rootlen;

	if (!f)
		die("open /proc/self/cgroup");
	/* Lines are "ID:CONTROLLERS:PATH"; the v2 line has no controllers. */
	while (fgets(line, sizeof(line), f) && !*cg) {
		char *ctrls = strchr(line, ':'), *p, *save;
		int found;

		if (!ctrls || !(p = strchr(++ctrls, ':')))
			continue;
		*p++ = '\0';
		p[strcspn(p, "\n")] = '\0';
		found = !*controller && !*ctrls;
		for (char *c = strtok_r(ctrls, ",", &save); c && *controller; c = strtok_r(NULL, ",", &save))
			found |= strcmp(c, controller) == 0;
		if (found)
			snprintf(cg, sizeof(cg), "%s", p);
	}
	fclose(f);
	if (!*cg)
		return 0;

	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		die("open /proc/self/mountinfo");
	while (fgets(line, sizeof(line), f)) {
		char r[PATH_MAX], m[PATH_MAX], fstype[64], opts[1024];
		char *dash = strstr(line, " - ");

		if (!dash || sscanf(line, "%*s %*s %*s %4095s %4095s", r, m) != 2 ||
		    sscanf(dash + 3, "%63s %*s %1023s", fstype, opts) != 2)
			continue;
		if (*controller) {
			int found = 0;

			if (strcmp(fstype, "cgroup") != 0)
				continue;
			for (char *save, *o = strtok_r(opts, ",", &save); o; o = strtok_r(NULL, ",", &save))
				found |= strcmp(o, controller) == 0;
			if (!found)
				continue;
		} else if (strcmp(fstype, "cgroup2") != 0) {
			continue;
		}
		snprintf(mnt, sizeof(mnt), "%s", m);
		snprintf(root, sizeof(root), "%s", r);
		break;
	}
	fclose(f);
	if (!*mnt)
		return 0;
	rootlen = strcmp(root, "/") == 0 ? 0 : strlen(root);
	if (strncmp(cg, root, rootlen) != 0)
		rootlen = 0;
	snprintf(path, size, "%s%s", mnt, cg + rootlen);
	return 1;
}

static int write_file(const char *dir, const char *file, const char *value)
{
	char path[PATH_MAX + 64];
	int fd;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	n = write(fd, value, strlen(value));
	if (close(fd) == -1 || n != (ssize_t)strlen(value))
		return -1;
	return 0;
}

/*
 * What step08 does before it makes its directories: find its cgroup in each
 * hierarchy again, and read the parent for stale container-PID directories.
 */
static void locate(const struct hierarchy *h, int n)
{
	for (int k = 0; k < n; k++) {
		char own[PATH_MAX];
		DIR *dir;
		int entries = 0;

		if (!own_cgroup(h[k].limits->controller, own, sizeof(own)) || strcmp(own, h[k].own) != 0) {
			fprintf(stderr, "primitives: our cgroup moved while timing\n");
			exit(1);
		}
		dir = opendir(own);
		if (!dir)
			die(own);
		while (readdir(dir))
			entries++;
		if (closedir(dir) == -1 || entries < 2)
			die("readdir");
	}
}

/* The limits of one hierarchy (both lists on v2); a file the kernel lacks is skipped. */
static int write_limits(const struct hierarchy *h, int v2)
{
	for (const struct limits *l = h->limits; l < h->limits + (v2 ? 2 : 1); l++)
		for (int j = 0; j < 2 && l->file[j]; j++)
			if (write_file(h->dir, l->file[j], l->value[j]) == -1 && errno != ENOENT)
				return -1;
	return 0;
}

/* Remove what we made; report the first failure of a cgroup's life and give up. */
static void cgroup_fail(struct hierarchy *h, int n, const char *what, pid_t child, int release)
{
	int saved = errno;

	if (child > 0) {
		if (release != -1)
			close(release);
		kill(child, SIGKILL);
		waitpid(child, NULL, 0);
	}
	for (int k = 0; k < n; k++)
		if (h[k].made)
			rmdir(h[k].dir);
	errno = saved;
	die(what);
}

/*
 * One cgroup's whole life, as step08 lives it: make the directories, write a
 * limit in each, put a process in, and once it ended remove them.
 */
static void time_cgroups(void)
{
	struct hierarchy h[3];
	double *t = samples;
	int n = 0;
	char name[64];

	snprintf(name, sizeof(name), "primitives-%d", (int)getpid());
	for (int k = 0; k < 3; k++)
		if (own_cgroup(v1_limits[k].controller, h[n].own, sizeof(h[n].own)))
			h[n++].limits = &v1_limits[k];
	if (n == 0) {
		if (!own_cgroup("", h[0].own, sizeof(h[0].own))) {
			printf("| cgroups | no cgroup hierarchy found: not timed | | | |\n");
			return;
		}
		/* One directory; its limits come from two controller lists. */
		h[n++].limits = &v2_limits[0];
	}
	for (int k = 0; k < n; k++) {
		int len = snprintf(h[k].dir, sizeof(h[k].dir), "%s/%s", h[k].own, name);

		if (len < 0 || (size_t)len >= sizeof(h[k].dir)) {
			errno = ENAMETOOLONG;
			die(h[k].own);
		}
		h[k].made = 0;
	}

	double *whole = calloc(loops, sizeof(double));
	double (*part)[N_CGROUP] = calloc(loops, sizeof(*part));

	if (!whole || !part)
		die("calloc");
	for (long round = -warmup; round < loops; round++) {
		long i = round < 0 ? 0 : round;
		int go[2];
		pid_t child;
		char pid_text[32];
		double t0 = now_ns();

		locate(h, n);
		part[i][CG_LOCATE] = now_ns() - t0;
		t0 = now_ns();
		for (int k = 0; k < n; k++) {
			if (mkdir(h[k].dir, 0755) == -1)
				cgroup_fail(h, n, h[k].dir, 0, -1);
			h[k].made = 1;
		}
		part[i][CG_MKDIR] = now_ns() - t0;
		t0 = now_ns();
		/* On v2 a controller may not be enabled here: then its file is missing, and not timed. */
		for (int k = 0; k < n; k++)
			if (write_limits(&h[k], n == 1) == -1)
				cgroup_fail(h, n, "write a limit", 0, -1);
		part[i][CG_LIMITS] = now_ns() - t0;

		/* A child that waits until it is in the cgroups, then ends (its fork is not timed). */
		if (pipe2(go, O_CLOEXEC) == -1)
			cgroup_fail(h, n, "pipe2", 0, -1);
		child = fork();
		if (child == -1)
			cgroup_fail(h, n, "fork", 0, go[1]);
		if (child == 0) {
			char c;

			close(go[1]);
			_exit(read(go[0], &c, 1) == -1);
		}
		close(go[0]);
		snprintf(pid_text, sizeof(pid_text), "%d", (int)child);
		t0 = now_ns();
		for (int k = 0; k < n; k++)
			if (write_file(h[k].dir, "cgroup.procs", pid_text) == -1)
				cgroup_fail(h, n, "cgroup.procs", child, go[1]);
		part[i][CG_ATTACH] = now_ns() - t0;
		if (close(go[1]) == -1)
			cgroup_fail(h, n, "close", child, -1);
		reap(child, "cgroup child");

		t0 = now_ns();
		for (int k = 0; k < n; k++) {
			if (rmdir(h[k].dir) == -1)
				cgroup_fail(h, n, h[k].dir, 0, -1);
			h[k].made = 0;
		}
		part[i][CG_RMDIR] = now_ns() - t0;
		whole[i] = 0;
		for (int op = 0; op < N_CGROUP; op++)
			whole[i] += part[i][op];
	}
	for (int op = 0; op < N_CGROUP; op++) {
		char label[128];

		snprintf(label, sizeof(label), "cgroup (%s): %s", n == 3 ? "v1, 3 hierarchies" : "v2", cgroup_names[op]);
		for (long i = 0; i < loops; i++)
			t[i] = part[i][op];
		report(label, t, loops, 0);
	}
	report("cgroup: the whole life above", whole, loops, 1);
	free(whole);
	free(part);
}

static void usage(FILE *to)
{
	fprintf(to, "Usage: primitives [-n LOOPS] ROOTFS\n"
		    "Times each kernel operation of step08's start LOOPS times (default 200),\n"
		    "prints a markdown table of medians, minimums and maximums in microseconds.\n"
		    "Needs root and a rootfs with /bin/true.\n");
}

int main(int argc, char *argv[])
{
	char true_path[PATH_MAX], *end;
	int opt;

	while ((opt = getopt(argc, argv, "hn:")) != -1) {
		switch (opt) {
		case 'n':
			errno = 0;
			loops = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || loops < 1 || loops > 1000000) {
				fprintf(stderr, "primitives: invalid -n value '%s'\n", optarg);
				return 2;
			}
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind + 1 != argc) {
		usage(stderr);
		return 2;
	}
	warmup = loops / 10;
	rootfs = realpath(argv[optind], NULL);
	if (!rootfs)
		die(argv[optind]);
	snprintf(true_path, sizeof(true_path), "%s/bin/true", rootfs);
	/* Mount points the container side needs, made once, as the steps make them. */
	for (int k = 0; k < 2; k++) {
		char dir[PATH_MAX];

		snprintf(dir, sizeof(dir), "%s/%s", rootfs, k ? "dev" : "proc");
		if (mkdir(dir, 0755) == -1 && errno != EEXIST)
			die(dir);
	}

	samples = calloc(loops, sizeof(*samples));
	inner = mmap(NULL, loops * sizeof(*inner), PROT_READ | PROT_WRITE,
		     MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (!samples || inner == MAP_FAILED)
		die("memory");

	printf("| kernel operation | median µs | min µs | max µs | in step08's start |\n");
	printf("| --- | ---: | ---: | ---: | :---: |\n");
	time_fork("fork + waitpid");
	time_fork_exec("fork + exec + waitpid: ROOTFS's static /bin/true (init starts COMMAND)", true_path, 1);
	time_fork_exec("fork + exec + waitpid: host's dynamic `true` (the engine's own start)", "true", 1);
	time_spawn("posix_spawn + waitpid: ROOTFS's static /bin/true (no copy of the parent)", true_path);
	time_clone("clone, no new namespace + waitpid", 0, 0);
	time_clone("clone(CLONE_NEWUTS) + waitpid", CLONE_NEWUTS, 0);
	time_clone("clone(CLONE_NEWIPC) + waitpid", CLONE_NEWIPC, 0);
	time_clone("clone(CLONE_NEWNET) + waitpid", CLONE_NEWNET, 0);
	time_clone("clone(CLONE_NEWPID) + waitpid", CLONE_NEWPID, 0);
	time_clone("clone(CLONE_NEWNS) + waitpid", CLONE_NEWNS, 0);
	time_clone("clone(CLONE_NEWCGROUP) + waitpid", CLONE_NEWCGROUP, 0);
	time_clone("clone(all five: UTS IPC NET PID NS) + waitpid", ALL_NAMESPACES, 1);
	time_container_side();
	time_cgroups();
	printf("| **step08's parts, summed** | **%.1f** | | | |\n", sum_us);
	return 0;
}
