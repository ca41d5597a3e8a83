#define _GNU_SOURCE
/*
 * doors: from inside a container, probe one of the doors to the host that
 * step 08 leaves open (tests/doors/README.md).
 *
 *   doors DOOR
 *
 * DOOR is caps, no-new-privs, seccomp, disk, core-pattern, release-agent,
 * modules-clock or tiocsti. The probe prints one line on stdout and exits:
 *
 *   open: REASON     0  the door is open: what the probe did or saw
 *   closed: REASON   1  the kernel refused, and how
 *   absent: REASON   2  this host has no such door (a cgroup v2 host has
 *                       no release_agent, a host with no disk no disk)
 *   unsure: REASON   3  the probe cannot tell (an unexpected error, or a
 *                       seccomp filter it will not test by making the call)
 *
 * No probe does harm. A probe reads; it never writes a setting of the host.
 * core_pattern, release_agent and notify_on_release are opened for writing
 * and closed again, not a byte written. The disk is read, 16 bytes of its
 * first sector, through a node made in the container's /dev and removed at
 * once. Loading a module and setting the clock are judged from the
 * capabilities in /proc/self/status and the seccomp state: init_module and
 * settimeofday are never called. TIOCSTI types one comment line into the
 * terminal on COMMAND's stdin: in the tests, a pseudo-terminal the test made.
 * release-agent mounts cgroup hierarchies that exist already, and disk makes
 * a device node: run the probes inside a container only, where both stay in
 * the container's own mount namespace and /dev. Built statically.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

enum verdict { OPEN, CLOSED, ABSENT, UNSURE };

/* statfs(2): the f_type of procfs */
#define PROC_SUPER_MAGIC 0x9fa0

/* capability numbers, capability(7) */
#define CAP_SYS_MODULE 16
#define CAP_SYS_ADMIN 21
#define CAP_SYS_TIME 25
#define CAP(n) (1ULL << (n))

/* docker's default set, 14: CHOWN DAC_OVERRIDE FOWNER FSETID KILL SETGID
 * SETUID SETPCAP NET_BIND_SERVICE NET_RAW SYS_CHROOT MKNOD AUDIT_WRITE SETFCAP */
#define DOCKER_CAPS (CAP(0) | CAP(1) | CAP(3) | CAP(4) | CAP(5) | CAP(6) | \
	CAP(7) | CAP(8) | CAP(10) | CAP(13) | CAP(18) | CAP(27) | CAP(29) | CAP(31))

/* a few of those docker takes away, named when held */
static const struct { int cap; const char *name; } notable[] = {
	{ 21, "cap_sys_admin" }, { 16, "cap_sys_module" }, { 17, "cap_sys_rawio" },
	{ 19, "cap_sys_ptrace" }, { 25, "cap_sys_time" }, { 2, "cap_dac_read_search" },
	{ 12, "cap_net_admin" }, { 39, "cap_bpf" },
};

static int say(enum verdict v, const char *fmt, ...)
{
	static const char *const word[] = { "open", "closed", "absent", "unsure" };
	va_list ap;

	printf("%s: ", word[v]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	return v;
}

/* The value of the line NAME of /proc/self/status, or NULL. */
static const char *status_line(const char *name)
{
	static char line[256];
	size_t n = strlen(name);
	const char *value = NULL;
	FILE *f = fopen("/proc/self/status", "re");

	if (!f)
		return NULL;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, name, n) == 0 && line[n] == ':') {
			line[strcspn(line, "\n")] = '\0';
			value = line + n + 1 + strspn(line + n + 1, " \t");
			break;
		}
	fclose(f);
	return value;
}

/* A number from /proc/self/status (base 16 for the Cap lines), or -1. */
static long long status_number(const char *name, int base)
{
	const char *value = status_line(name);

	return value ? (long long)strtoull(value, NULL, base) : -1;
}

static int count_bits(unsigned long long mask)
{
	int n = 0;

	for (; mask; mask &= mask - 1)
		n++;
	return n;
}

/* In the initial user namespace uid_map maps every uid to itself: 0 then.
 * In another, 1, and *outside is the host's uid that its first line maps
 * to (0 when the host's root is mapped in). -1 if unread. */
static int user_namespace(unsigned long *outside)
{
	unsigned long in, out, count;
	FILE *f = fopen("/proc/self/uid_map", "re");
	int n;

	if (!f)
		return -1;
	n = fscanf(f, "%lu %lu %lu", &in, &out, &count);
	fclose(f);
	if (n != 3)
		return -1;
	*outside = out;
	return !(in == 0 && out == 0 && count == 4294967295UL);
}

/* Opens PATH for writing and closes it, never writing: 0 or an errno. */
static int opens_for_writing(const char *path)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);

	if (fd == -1)
		return errno;
	close(fd);
	return 0;
}

/* Every capability in any of the five sets. */
static unsigned long long caps_held(void)
{
	static const char *const sets[] = { "CapInh", "CapPrm", "CapEff", "CapBnd", "CapAmb" };
	unsigned long long held = 0;
	size_t i;

	for (i = 0; i < sizeof sets / sizeof sets[0]; i++)
		if (status_number(sets[i], 16) > 0)
			held |= (unsigned long long)status_number(sets[i], 16);
	return held;
}

static int probe_caps(void)
{
	unsigned long long held = caps_held(), beyond = held & ~DOCKER_CAPS;
	long long eff = status_number("CapEff", 16), bnd = status_number("CapBnd", 16);
	unsigned long outside;
	int userns = user_namespace(&outside);
	char names[256] = "";
	size_t i;

	if (eff < 0 || bnd < 0 || userns < 0)
		return say(UNSURE, "cannot read /proc/self/status or uid_map");
	if (userns)
		return say(CLOSED, "CapEff holds %d capabilities, but in a user namespace "
			   "(its uids are the host's from %lu on): they count only for what "
			   "it owns%s", count_bits((unsigned long long)eff), outside,
			   outside == 0 ? "; yet the host's root is mapped in, and its files "
			   "are still COMMAND's own" : "");
	if (beyond == 0)
		return say(CLOSED, "no capability beyond docker's 14 in any set "
			   "(CapEff holds %d, CapBnd %d)", count_bits((unsigned long long)eff),
			   count_bits((unsigned long long)bnd));
	for (i = 0; i < sizeof notable / sizeof notable[0]; i++)
		if (beyond & CAP(notable[i].cap))
			snprintf(names + strlen(names), sizeof names - strlen(names), "%s%s",
				 names[0] ? ", " : "", notable[i].name);
	return say(OPEN, "CapEff holds %d capabilities and CapBnd %d, %d of them beyond "
		   "docker's 14 (%s): the host's root's own privilege",
		   count_bits((unsigned long long)eff), count_bits((unsigned long long)bnd),
		   count_bits(beyond), names[0] ? names : "none of the best known");
}

static int probe_no_new_privs(void)
{
	long long nnp = status_number("NoNewPrivs", 10);

	if (nnp < 0)
		return say(UNSURE, "no NoNewPrivs line in /proc/self/status");
	if (nnp)
		return say(CLOSED, "NoNewPrivs: 1: no execve can raise privilege again");
	return say(OPEN, "NoNewPrivs: 0: a setuid or file-capability program "
		   "still raises whoever runs it");
}

static int probe_seccomp(void)
{
	long long mode = status_number("Seccomp", 10);
	int status;
	pid_t pid;

	if (mode < 0)
		return say(UNSURE, "no Seccomp line in /proc/self/status");
	if (mode == 0)
		return say(OPEN, "Seccomp: 0: no filter, every system call reaches the "
			   "kernel (mount, umount2, keyctl, bpf, kexec_load...)");
	/* umount2 with flags the kernel rejects (EINVAL) before it looks at
	 * anything: harmless, and a filter that refuses umount2 answers first.
	 * In a child, for a filter that kills the caller. */
	pid = fork();
	if (pid == -1)
		return say(UNSURE, "fork: %s", strerror(errno));
	if (pid == 0)
		_exit(umount2("/", -1) == -1 ? errno : 0);
	if (waitpid(pid, &status, 0) != pid)
		return say(UNSURE, "waitpid: %s", strerror(errno));
	if (WIFSIGNALED(status))
		return say(CLOSED, "Seccomp: %lld: a filter kills a caller of umount2 (%s)",
			   mode, strsignal(WTERMSIG(status)));
	if (WEXITSTATUS(status) == EINVAL)
		return say(OPEN, "Seccomp: %lld, but the filter let umount2 reach the kernel "
			   "(EINVAL): it refuses none of what docker's profile refuses", mode);
	return say(CLOSED, "Seccomp: %lld: a filter refuses umount2 before the kernel "
		   "sees it (%s)", mode, strerror(WEXITSTATUS(status)));
}

/* The device of the topmost mount on "/" (mountinfo's third field), and its
 * source (after the " - " and the type). */
static int root_device(unsigned *maj, unsigned *min, char *source, size_t size)
{
	char line[1024], point[512], *dash;
	FILE *f = fopen("/proc/self/mountinfo", "re");
	int found = 0;

	if (!f)
		return -1;
	while (fgets(line, sizeof line, f)) {
		unsigned a, b;
		char type[64], src[512];

		if (sscanf(line, "%*s %*s %u:%u %*s %511s", &a, &b, point) != 3 ||
		    strcmp(point, "/") != 0)
			continue;
		dash = strstr(line, " - ");
		if (!dash || sscanf(dash, " - %63s %511s", type, src) != 2)
			continue;
		*maj = a;
		*min = b;
		snprintf(source, size, "%s", src);
		found = 1;
	}
	fclose(f);
	return found ? 0 : -1;
}

/* The line of /proc/partitions (not namespaced: the host's disks) whose name
 * is NAME, or the first one when NAME is NULL. */
static int partition(const char *name, unsigned *maj, unsigned *min, char *found, size_t size)
{
	char line[256], part[64];
	unsigned a, b;
	unsigned long long blocks;
	FILE *f = fopen("/proc/partitions", "re");
	int ok = -1;

	if (!f)
		return -1;
	while (ok != 0 && fgets(line, sizeof line, f))
		if (sscanf(line, "%u %u %llu %63s", &a, &b, &blocks, part) == 4 &&
		    (!name || strcmp(name, part) == 0)) {
			*maj = a;
			*min = b;
			snprintf(found, size, "%s", part);
			ok = 0;
		}
	fclose(f);
	return ok;
}

static int probe_disk(void)
{
	static const char *const dirs[] = { "/dev", "/tmp" };
	char source[512], name[64] = "?", what[640], node[64];
	const char *base;
	unsigned maj, min;
	unsigned char sector[16];
	ssize_t n;
	size_t i;
	int fd, e;

	if (root_device(&maj, &min, source, sizeof source) == -1)
		return say(UNSURE, "no mount on / in /proc/self/mountinfo");
	base = strrchr(source, '/') ? strrchr(source, '/') + 1 : source;
	if (maj != 0) {
		partition(base, &maj, &min, name, sizeof name);
		snprintf(what, sizeof what, "%s, the disk ROOTFS is on", name);
	} else if (partition(base, &maj, &min, name, sizeof name) == 0) {
		snprintf(what, sizeof what, "%s, ROOTFS's source", name);
	} else if (partition(NULL, &maj, &min, name, sizeof name) == 0) {
		snprintf(what, sizeof what, "%s, the host's first disk: ROOTFS is on %s, "
			 "which has no block device", name, source);
	} else {
		return say(ABSENT, "no disk: ROOTFS is on %s, and /proc/partitions lists "
			   "no block device", source);
	}
	/* the node goes in the container's own /dev (a tmpfs), else /tmp */
	for (i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		snprintf(node, sizeof node, "%s/doors-disk-%d", dirs[i], (int)getpid());
		if (mknod(node, S_IFBLK | 0400, makedev(maj, min)) == 0)
			break;
		e = errno;
		if (e == EPERM)
			return say(CLOSED, "mknod %s b %u %u (%s): %s", node, maj, min, what,
				   strerror(e));
		if (e != EROFS && e != EACCES)
			return say(UNSURE, "mknod %s: %s", node, strerror(e));
	}
	if (i == sizeof dirs / sizeof dirs[0])
		return say(UNSURE, "no writable /dev or /tmp for a device node");
	fd = open(node, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	e = errno;
	unlink(node);
	if (fd == -1)
		return say(e == EPERM || e == EACCES ? CLOSED : UNSURE,
			   "mknod %s b %u %u (%s) made a node, but opening it failed: %s",
			   node, maj, min, what, strerror(e));
	n = pread(fd, sector, sizeof sector, 0);
	e = errno;
	close(fd);
	if (n != (ssize_t)sizeof sector)
		return say(n == -1 && (e == EPERM || e == EACCES) ? CLOSED : UNSURE,
			   "opened %s (%s), but reading it failed: %s", node, what,
			   n == -1 ? strerror(e) : "a short read");
	return say(OPEN, "mknod %s b %u %u (%s) and read %zu bytes of its first sector: "
		   "the whole disk, past every file's permissions", node, maj, min, what,
		   sizeof sector);
}

static int probe_core_pattern(void)
{
	static const char path[] = "/proc/sys/kernel/core_pattern";
	struct statfs fs;
	int fd, e;

	/* opened for writing, and closed without a byte written */
	fd = open(path, O_WRONLY | O_CLOEXEC | O_NOCTTY);
	if (fd == -1) {
		e = errno;
		return say(e == EROFS || e == EACCES || e == EPERM ? CLOSED : UNSURE,
			   "%s does not open for writing: %s", path, strerror(e));
	}
	if (fstatfs(fd, &fs) == -1) {
		e = errno;
		close(fd);
		return say(UNSURE, "fstatfs %s: %s", path, strerror(e));
	}
	close(fd);
	if (fs.f_type != PROC_SUPER_MAGIC)
		return say(CLOSED, "%s is masked: what opens there is not procfs's file", path);
	return say(OPEN, "%s opens for writing (nothing written): a \"|program\" there "
		   "runs as root on the host at the next core dump", path);
}

/* Mounts each v1 hierarchy the host has, in this mount namespace, and looks
 * for release_agent, which only a hierarchy's root has. */
static int probe_release_agent(void)
{
	char line[512], dir[64], data[512], file[128], roots[512] = "", shown[512] = "";
	char why[512] = "";
	int v1 = 0, mounted = 0, refused = 0, writable = 0, e, userns;
	unsigned long outside;
	long long eff = status_number("CapEff", 16);
	FILE *f;

	userns = user_namespace(&outside);
	f = fopen("/proc/self/cgroup", "re");
	if (!f || eff < 0 || userns < 0) {
		if (f)
			fclose(f);
		return say(UNSURE, "cannot read /proc/self/cgroup, status or uid_map");
	}
	snprintf(dir, sizeof dir, "/dev/doors-cgroup-XXXXXX");
	if (!mkdtemp(dir)) {
		snprintf(dir, sizeof dir, "/tmp/doors-cgroup-XXXXXX");
		if (!mkdtemp(dir)) {
			e = errno;
			fclose(f);
			return say(UNSURE, "mkdtemp in /dev and /tmp: %s", strerror(e));
		}
	}
	while (fgets(line, sizeof line, f)) {
		/* "ID:CONTROLLERS:PATH"; v2's line has no controllers */
		char *ctrl = strchr(line, ':'), *end;

		if (!ctrl || !(end = strchr(++ctrl, ':')) || end == ctrl)
			continue;
		*end = '\0';
		v1++;
		/* a named hierarchy (name=systemd) has no controller: "none,name=..." */
		snprintf(data, sizeof data, "%s%s", strncmp(ctrl, "name=", 5) == 0 ? "none," : "", ctrl);
		if (mount("none", dir, "cgroup", MS_NOSUID | MS_NODEV | MS_NOEXEC, data) == -1) {
			e = errno;
			refused += e == EPERM;
			if (e != EPERM)
				snprintf(why + strlen(why), sizeof why - strlen(why), " %s: %s;", ctrl, strerror(e));
			continue;
		}
		mounted++;
		snprintf(file, sizeof file, "%s/release_agent", dir);
		if (access(file, F_OK) == 0) {
			snprintf(shown + strlen(shown), sizeof shown - strlen(shown), "%s%s", shown[0] ? " " : "", ctrl);
			e = opens_for_writing(file);
			snprintf(file, sizeof file, "%s/notify_on_release", dir);
			if (e == 0)
				e = opens_for_writing(file);
			if (e == 0) {
				writable++;
				snprintf(roots + strlen(roots), sizeof roots - strlen(roots), "%s%s", roots[0] ? " " : "", ctrl);
			} else {
				snprintf(why + strlen(why), sizeof why - strlen(why), " %s: %s;", ctrl, strerror(e));
			}
		}
		umount2(dir, MNT_DETACH);
	}
	fclose(f);
	rmdir(dir);
	if (v1 == 0)
		return say(ABSENT, "no cgroup v1 hierarchy here (/proc/self/cgroup has only "
			   "v2's line): release_agent exists only in v1");
	if (writable && userns)
		return say(CLOSED, "release_agent shows at the root of %s, but COMMAND is in a "
			   "user namespace: the kernel takes a write only from CAP_SYS_ADMIN in "
			   "the initial one", roots);
	if (writable && (eff & (long long)CAP(CAP_SYS_ADMIN)))
		return say(OPEN, "release_agent and notify_on_release open for writing (nothing "
			   "written) at the root of %d hierarchies (%s), with CAP_SYS_ADMIN "
			   "in the initial user namespace: a program named there runs as root "
			   "on the host when a group with notify_on_release empties", writable, roots);
	if (writable)
		return say(CLOSED, "release_agent opens at the root of %s, but without "
			   "CAP_SYS_ADMIN the kernel refuses a write", roots);
	if (shown[0])
		return say(CLOSED, "release_agent shows at the root of %s, but does not open "
			   "for writing:%s", shown, why);
	if (mounted)
		return say(CLOSED, "%d of %d v1 hierarchies mounted, none at its root: each is "
			   "rooted at a group of the container's%s%s", mounted, v1,
			   why[0] ? "; the rest failed:" : "", why);
	if (refused == v1)
		return say(CLOSED, "mounting each of the %d v1 hierarchies was refused (EPERM)", v1);
	return say(UNSURE, "no v1 hierarchy would mount:%s", why);
}

static int probe_modules_clock(void)
{
	unsigned long long held = caps_held() & (CAP(CAP_SYS_MODULE) | CAP(CAP_SYS_TIME));
	long long seccomp = status_number("Seccomp", 10);
	unsigned long outside;
	int userns = user_namespace(&outside);
	const char *names = held == (CAP(CAP_SYS_MODULE) | CAP(CAP_SYS_TIME)) ?
		"cap_sys_module and cap_sys_time" :
		held & CAP(CAP_SYS_MODULE) ? "cap_sys_module" : "cap_sys_time";

	if (seccomp < 0 || userns < 0)
		return say(UNSURE, "cannot read /proc/self/status or uid_map");
	if (!held)
		return say(CLOSED, "neither cap_sys_module nor cap_sys_time in any capability "
			   "set: init_module and settimeofday would refuse (EPERM)");
	if (userns)
		return say(CLOSED, "%s held, but in a user namespace: loading a module and "
			   "setting the clock need them in the initial one", names);
	if (seccomp == 0)
		return say(OPEN, "%s held, and no seccomp filter: insmod would load code into "
			   "the host's kernel, date -s set the host's clock (neither was called)",
			   names);
	return say(UNSURE, "%s held, and a seccomp filter (Seccomp: %lld) may refuse "
		   "init_module and settimeofday: the probe makes neither call; drop the "
		   "capabilities to close this door for sure", names, seccomp);
}

static int probe_tiocsti(void)
{
	static const char typed[] = "# typed into this terminal from inside the container\n";
	char legacy[16] = "absent";
	const char *p;
	FILE *f;
	int fd = -1, i, e;

	for (i = 0; i < 3 && fd == -1; i++)
		if (isatty(i))
			fd = i;
	if (fd == -1) {
		fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
		if (fd == -1)
			return say(CLOSED, "no terminal: none of descriptors 0-2 is one, and "
				   "/dev/tty opens none (%s)", strerror(errno));
	}
	f = fopen("/proc/sys/dev/tty/legacy_tiocsti", "re");
	if (f) {
		if (fscanf(f, "%15s", legacy) != 1)
			snprintf(legacy, sizeof legacy, "?");
		fclose(f);
	}
	for (p = typed; *p; p++)
		if (ioctl(fd, TIOCSTI, p) == -1) {
			e = errno;
			if (p != typed || (e != EPERM && e != EIO))
				return say(UNSURE, "TIOCSTI failed after %d characters: %s",
					   (int)(p - typed), strerror(e));
			return say(CLOSED, "TIOCSTI refused (%s; dev.tty.legacy_tiocsti=%s): %s",
				   strerror(e), legacy, e == EIO ?
				   "the kernel allows it only to CAP_SYS_ADMIN" :
				   "not COMMAND's controlling terminal, and no CAP_SYS_ADMIN, "
				   "or a seccomp filter");
		}
	return say(OPEN, "TIOCSTI typed a line into the terminal on descriptor %d "
		   "(dev.tty.legacy_tiocsti=%s%s): whoever reads that terminal next reads "
		   "it as typed", fd, legacy,
		   status_number("CapEff", 16) & (long long)CAP(CAP_SYS_ADMIN) ?
		   ", and CAP_SYS_ADMIN, which would pass even 0" : "");
}

int main(int argc, char **argv)
{
	static const struct { const char *name; int (*probe)(void); } doors[] = {
		{ "caps", probe_caps },
		{ "no-new-privs", probe_no_new_privs },
		{ "seccomp", probe_seccomp },
		{ "disk", probe_disk },
		{ "core-pattern", probe_core_pattern },
		{ "release-agent", probe_release_agent },
		{ "modules-clock", probe_modules_clock },
		{ "tiocsti", probe_tiocsti },
	};
	size_t i;

	for (i = 0; argc == 2 && i < sizeof doors / sizeof doors[0]; i++)
		if (strcmp(argv[1], doors[i].name) == 0)
			return doors[i].probe();
	fputs("usage: doors caps|no-new-privs|seccomp|disk|core-pattern|release-agent|"
	      "modules-clock|tiocsti\n", stderr);
	return 4;
}
