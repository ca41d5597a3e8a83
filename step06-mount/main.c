#define _GNU_SOURCE
/*
 * step06-mount: a mount namespace, and a root directory of its own.
 *
 * With CLONE_NEWNS the child gets a copy of the host's mount table that it
 * can change alone: once every mount in it is private, nothing mounted
 * inside reaches the host. ROOTFS becomes "/" with chroot(2), and the
 * container gets a /proc of its own PID namespace and a small /dev.
 *
 *   ./container [OPTIONS] ROOTFS COMMAND [ARG...]
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * A main thread's usual 8 MiB: for a script without "#!", glibc's execvp(3)
 * copies COMMAND's arguments (the kernel takes up to 6 MiB) onto the stack.
 */
#define STACK_SIZE (8 * 1024 * 1024)

/* SIGCHLD: the signal the parent gets when the child ends, as with fork(2). */
#define CLONE_FLAGS (CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS | SIGCHLD)
#define CLONE_FLAGS_NAME "CLONE_NEWUTS|CLONE_NEWIPC|CLONE_NEWNET|CLONE_NEWPID|CLONE_NEWNS|SIGCHLD"

enum {
	EXIT_ENGINE = 125,	/* the engine itself failed */
	EXIT_CANNOT_RUN = 126,	/* COMMAND was found but could not be executed */
	EXIT_NOT_FOUND = 127,	/* COMMAND was not found */
};

/* The signals the engine passes on to init, and init to COMMAND. */
static const int forwarded_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2 };

#define N_FORWARDED (sizeof(forwarded_signals) / sizeof(forwarded_signals[0]))

/* The device nodes of the container's /dev: the ones programs expect, no disk. */
static const struct device {
	const char *path;
	unsigned int major, minor;
} devices[] = {
	{ "/dev/null", 1, 3 }, { "/dev/zero", 1, 5 }, { "/dev/full", 1, 7 },
	{ "/dev/random", 1, 8 }, { "/dev/urandom", 1, 9 }, { "/dev/tty", 5, 0 },
};

/* ...and its links to the descriptors of whichever process opens them. */
static const struct link {
	const char *path, *target;
} dev_links[] = {
	{ "/dev/fd", "/proc/self/fd" }, { "/dev/stdin", "/proc/self/fd/0" },
	{ "/dev/stdout", "/proc/self/fd/1" }, { "/dev/stderr", "/proc/self/fd/2" },
};

#define N_DEVICES (sizeof(devices) / sizeof(devices[0]))
#define N_DEV_LINKS (sizeof(dev_links) / sizeof(dev_links[0]))

/* What the command line asks for. */
struct container {
	char **command;
	const char *hostname;
	int lifeline[2];	/* a pipe: the engine holds its write end until it exits */
	const char *rootfs;
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
	puts("Usage: container [OPTIONS] ROOTFS COMMAND [ARG...]\n"
	     "Run COMMAND in a container whose root is the directory ROOTFS,\n"
	     "and exit with its status.\n"
	     "\n"
	     "Options:\n"
	     "  --help                show this help and exit\n"
	     "  --hostname NAME       the container's hostname (default: container)\n"
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

enum { OPT_HELP = 1, OPT_VERBOSE, OPT_HOSTNAME };

static const struct option long_options[] = {
	{ "help", no_argument, NULL, OPT_HELP },
	{ "verbose", no_argument, NULL, OPT_VERBOSE },
	{ "hostname", required_argument, NULL, OPT_HOSTNAME },
	{ NULL, 0, NULL, 0 },
};

/* The kernel takes a hostname of 1 to HOST_NAME_MAX (64) bytes. */
static const char *parse_hostname(const char *value)
{
	size_t len = strlen(value);

	if (len == 0 || len > HOST_NAME_MAX)
		bad_usage("invalid --hostname value", value);
	return value;
}

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

	c->hostname = "container";

	for (i = 1; i < argc && argv[i][0] == '-' && strcmp(argv[i], "-") != 0; i++) {
		const char *word = argv[i];
		size_t len = strcspn(word, "=");	/* "--name=value" */
		bool has_value = word[len] == '=';
		const char *value = has_value ? word + len + 1 : "";
		const struct option *opt = find_option(word, len);

		if (strcmp(word, "--") == 0) {
			i++;
			break;
		}
		if (!opt)
			bad_usage("unknown option", word);
		if (opt->has_arg == no_argument && has_value)
			bad_usage("option takes no value", word);
		if (opt->has_arg == required_argument && !has_value) {
			if (i + 1 == argc)
				bad_usage("missing value for option", word);
			value = argv[++i];
		}
		switch (opt->val) {
		case OPT_HELP:
			usage();
			exit(0);
		case OPT_VERBOSE:
			verbose = true;
			break;
		case OPT_HOSTNAME:
			c->hostname = parse_hostname(value);
			break;
		}
	}
	if (argc - i < 2)
		bad_usage(i == argc ? "missing ROOTFS and COMMAND" : "missing COMMAND", NULL);
	c->rootfs = argv[i];
	c->command = &argv[i + 1];
}

/* COMMAND starts as any program does: nothing blocked, every signal at its default (reset_signals). */
static void restore_signals(void)
{
	sigset_t none;

	sigemptyset(&none);
	if (sigprocmask(SIG_SETMASK, &none, NULL) == -1)
		die("sigprocmask");
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
	restore_signals();
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

static void waited_signals(sigset_t *set)
{
	sigemptyset(set);
	for (size_t i = 0; i < N_FORWARDED; i++)
		sigaddset(set, forwarded_signals[i]);
	sigaddset(set, SIGCHLD);
}

/*
 * Block the signals we pass on, and SIGCHLD, before the container exists,
 * and take them with sigwaitinfo(2) instead of a handler. The kernel never
 * discards a blocked signal: it stays pending until taken. This matters
 * for init, which inherits the mask: the kernel drops a signal sent to a
 * namespace's init that has no handler for it, but not one it has blocked,
 * so no signal is lost while init starts.
 */
static void block_signals(void)
{
	sigset_t set;

	waited_signals(&set);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		die("sigprocmask");
}

/*
 * A terminal sends some signals to its whole foreground process group, the
 * kernel being the sender (SI_KERNEL): SIGINT for Ctrl-C, SIGQUIT for
 * Ctrl-\, and SIGHUP when the leader of its session (a login shell) exits.
 * If PID is in our own process group, it got a copy of its own, and ours
 * passed on would be a second. A hang-up itself is signalled to the
 * session leader alone: an engine that leads its session passes it on.
 */
static bool got_own_copy(pid_t pid, const siginfo_t *info)
{
	bool to_group = info->si_signo == SIGINT || info->si_signo == SIGQUIT ||
			(info->si_signo == SIGHUP && getsid(0) != getpid());

	return to_group && info->si_code == SI_KERNEL && getpgid(pid) == getpgrp();
}

static void forward_signal(pid_t pid, int sig)
{
	int r = kill(pid, sig);

	/* A failure here is shown but not fatal: PID may have just ended. */
	trace(r, "kill(%d, SIG%s)", (int)pid, sigabbrev_np(sig));
}

/*
 * A signal that arrives before the child exists is ours alone: the child
 * gets no copy of it, not even of one that a terminal sent to the whole
 * group, and got_own_copy would hold ours back. So take those pending just
 * before the child is made, and pass them on once it is (pass_on).
 */
static void take_pending(sigset_t *taken)
{
	const struct timespec now = { 0 };
	siginfo_t info;
	sigset_t set;

	waited_signals(&set);
	sigdelset(&set, SIGCHLD);
	sigemptyset(taken);
	while (sigtimedwait(&set, &info, &now) != -1)
		sigaddset(taken, info.si_signo);
	if (errno != EAGAIN)
		die("sigtimedwait");
}

static void pass_on(pid_t pid, const sigset_t *taken)
{
	for (size_t i = 0; i < N_FORWARDED; i++)
		if (sigismember(taken, forwarded_signals[i]) == 1)
			forward_signal(pid, forwarded_signals[i]);
}

/* Reap every child that has ended; return PID's exit status if it is one of them, else -1. */
static int reap_children(pid_t pid)
{
	int status, result = -1;
	pid_t ended;

	while ((ended = waitpid(-1, &status, WNOHANG)) > 0) {
		trace(ended, "waitpid(-1)");
		if (ended == pid)
			result = exit_status(status);
	}
	if (ended == -1 && errno != ECHILD)
		die("waitpid");
	return result;
}

/*
 * Wait until PID ends and return its exit status; meanwhile pass on the
 * signals we receive to it, and reap any other child that ends (init
 * inherits the namespace's orphans). One SIGCHLD may stand for several
 * children, hence the loop in reap_children.
 */
static int supervise(pid_t pid)
{
	sigset_t set;
	siginfo_t info;
	int status;

	waited_signals(&set);
	for (;;) {
		if (sigwaitinfo(&set, &info) == -1) {
			if (errno == EINTR)
				continue;
			die("sigwaitinfo");
		}
		if (info.si_signo != SIGCHLD) {
			if (!got_own_copy(pid, &info))
				forward_signal(pid, info.si_signo);
			continue;
		}
		status = reap_children(pid);
		if (status != -1)
			return status;
	}
}

/* PID 1 of the container: start COMMAND as its child, and supervise it. */
static int run_init(char **command)
{
	sigset_t taken;
	pid_t pid;

	take_pending(&taken);
	pid = fork();
	if (pid == 0)
		run_command(command);
	trace(pid, "fork()");
	if (pid == -1)
		die("fork");
	pass_on(pid, &taken);
	return supervise(pid);
}

/* Only the container's UTS namespace sees this name: the host keeps its own. */
static void set_hostname(const char *hostname)
{
	int r = sethostname(hostname, strlen(hostname));
	char q[4 * HOST_NAME_MAX + 8];

	trace(r, "sethostname(%s)", quoted(hostname, q, sizeof(q)));
	if (r == -1)
		die("sethostname %s", hostname);
}

/*
 * A new network namespace has one interface, lo, and it is down: nothing
 * answers on 127.0.0.1 until it is up. An ioctl(2) on any socket reads and
 * sets an interface's flags (netdevice(7)), as ip(8) does over netlink.
 */
static void bring_up_loopback(void)
{
	struct ifreq ifr = { .ifr_name = "lo" };
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int r;

	if (sock == -1)
		die("socket");
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) == -1)
		die("ioctl SIOCGIFFLAGS lo");
	ifr.ifr_flags |= IFF_UP;
	r = ioctl(sock, SIOCSIFFLAGS, &ifr);
	trace(r, "ioctl(SIOCSIFFLAGS, \"lo\", IFF_UP)");
	if (r == -1)
		die("ioctl SIOCSIFFLAGS lo");
	close(sock);
}

static void do_mount(const char *source, const char *target, const char *type,
		     unsigned long flags, const char *flag_names, const char *data)
{
	int r = mount(source, target, type, flags, data);
	char q1[PATH_MAX], q2[PATH_MAX];

	trace(r, "mount(%s, %s, \"%s\", %s, \"%s\")", quoted(source, q1, sizeof(q1)),
	      quoted(target, q2, sizeof(q2)), type, flag_names, data ? data : "");
	if (r == -1)
		die("mount %s on %s", source, target);
}

/*
 * A mount point missing in ROOTFS is made; one that is there must be a
 * directory. A link (/dev -> /) would have what is mounted and made there
 * land elsewhere, in ROOTFS itself: a lookup never enters a mount on "/".
 */
static void ensure_dir(const char *path, mode_t mode)
{
	struct stat st;

	if (mkdir(path, mode) == -1 && errno != EEXIST)
		die("mkdir %s", path);
	if (lstat(path, &st) == -1)
		die("lstat %s", path);
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		die("%s", path);
	}
}

/*
 * The new mount namespace starts as a copy of the host's, and its mounts
 * keep the host's propagation: on a systemd host "/" is shared, so a mount
 * made below it here would appear on the host too (mount_namespaces(7)).
 * Make every mount private before mounting anything.
 */
static void make_mounts_private(void)
{
	do_mount("none", "/", "none", MS_REC | MS_PRIVATE, "MS_REC|MS_PRIVATE", NULL);
}

/* chroot(2) changes what "/" means for path lookups, and nothing else. */
static void enter_rootfs(const char *rootfs)
{
	int r = chroot(rootfs);
	char q[PATH_MAX];

	trace(r, "chroot(%s)", quoted(rootfs, q, sizeof(q)));
	if (r == -1)
		die("chroot %s", rootfs);
	if (chdir("/") == -1)
		die("chdir /");
}

/*
 * A procfs shows the PID namespace of the process that mounts it: mounted
 * by init, inside the new namespace, /proc lists the container's processes.
 */
static void mount_proc(void)
{
	ensure_dir("/proc", 0555);
	do_mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		 "MS_NOSUID|MS_NODEV|MS_NOEXEC", NULL);
}

/* A /dev on tmpfs with a few device nodes, instead of the host's, with its disks. */
static void mount_dev(void)
{
	ensure_dir("/dev", 0755);
	do_mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "MS_NOSUID|MS_NOEXEC", "mode=755");
	for (size_t i = 0; i < N_DEVICES; i++) {
		const struct device *d = &devices[i];

		if (mknod(d->path, S_IFCHR, makedev(d->major, d->minor)) == -1)
			die("mknod %s", d->path);
		/* mknod(2) applies the umask: set the mode afterwards. */
		if (chmod(d->path, 0666) == -1)
			die("chmod %s", d->path);
	}
	for (size_t i = 0; i < N_DEV_LINKS; i++)
		if (symlink(dev_links[i].target, dev_links[i].path) == -1)
			die("symlink %s", dev_links[i].path);
}

/*
 * COMMAND gets docker run's environment, not the caller's: the caller's
 * PATH and HOME name directories of another root, and the rest (an
 * SSH_AUTH_SOCK, tokens, SUDO_*) is none of the container's business. TERM
 * alone is passed on, since the container shares the caller's terminal.
 * The environment is environ, an array of "NAME=value" strings: pointed at
 * ours, it is what COMMAND inherits, and the PATH execvp(3) searches.
 */
static void set_environment(const char *hostname)
{
	static char hostname_var[sizeof("HOSTNAME=") + HOST_NAME_MAX];
	static char *env[] = {
		"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
		hostname_var,
		"HOME=/root",
		NULL,	/* TERM, when the caller has one */
		NULL,
	};

	snprintf(hostname_var, sizeof(hostname_var), "HOSTNAME=%s", hostname);
	for (char **var = environ; *var; var++)
		if (strncmp(*var, "TERM=", 5) == 0) {
			env[3] = *var;
			break;
		}
	environ = env;
}

/*
 * If the engine dies, even by SIGKILL, nobody is left to wait for the
 * container or to pass it signals: init must die with it. PR_SET_PDEATHSIG
 * has the kernel send init SIGKILL when its parent ends, but only from the
 * call on, and getppid(2) cannot tell whether the engine died before it (in
 * a new PID namespace it is 0 either way). The lifeline can: the kernel
 * closes the descriptors of a process that ends, and once nobody holds the
 * write end, poll(2) says POLLHUP on the read end, without waiting.
 */
static void die_with_engine(const int lifeline[2])
{
	struct pollfd read_end = { .fd = lifeline[0] };	/* POLLHUP needs no events */

	/* Our own copy of the write end would keep the pipe open. */
	close(lifeline[1]);
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1)
		die("prctl PR_SET_PDEATHSIG");
	if (poll(&read_end, 1, 0) == -1)
		die("poll");
	if (read_end.revents & POLLHUP)
		exit(EXIT_ENGINE);
	close(lifeline[0]);
}

/*
 * The kernel never stops a namespace's init. A write from the background
 * to a terminal set to `stty tostop` raises SIGTTOU, which init's kernel
 * drops, and the write, tried again, raises it again: for ever, at 100% of
 * a CPU. Blocked, SIGTTOU and SIGTTIN count as ignored, and the write goes
 * through. COMMAND starts with nothing blocked (restore_signals).
 */
static void allow_background_writes(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTTOU);
	sigaddset(&set, SIGTTIN);
	if (sigprocmask(SIG_BLOCK, &set, NULL) == -1)
		die("sigprocmask");
}

static int child_main(void *arg)
{
	const struct container *c = arg;

	allow_background_writes();
	die_with_engine(c->lifeline);
	set_hostname(c->hostname);
	bring_up_loopback();
	make_mounts_private();
	enter_rootfs(c->rootfs);
	mount_proc();
	mount_dev();
	set_environment(c->hostname);
	return run_init(c->command);
}

/*
 * The child's stack, from mmap(2). Its lowest page is made inaccessible: a
 * stack grows down, and a child that overflows it then faults at once
 * instead of writing over whatever lies below. Return its top, where a
 * stack starts on every architecture Linux runs on but HP PA-RISC.
 */
static void *alloc_stack(void)
{
	char *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);

	if (stack == MAP_FAILED)
		die("mmap");
	if (mprotect(stack, (size_t)sysconf(_SC_PAGESIZE), PROT_NONE) == -1)
		die("mprotect");
	return stack + STACK_SIZE;
}

static pid_t start_container(struct container *c)
{
	sigset_t taken;
	pid_t pid;

	/* Close-on-exec: COMMAND gets neither end. */
	if (pipe2(c->lifeline, O_CLOEXEC) == -1)
		die("pipe2");
	take_pending(&taken);
	pid = clone(child_main, alloc_stack(), CLONE_FLAGS, c);
	trace(pid, "clone(%s)", CLONE_FLAGS_NAME);
	if (pid == -1 && errno == EPERM)
		die("clone (making namespaces needs root: try sudo)");
	if (pid == -1)
		die("clone");
	/* The write end stays open until the engine exits, however it ends. */
	close(c->lifeline[0]);
	pass_on(pid, &taken);
	return pid;
}

/* A ROOTFS that is missing or not a directory is refused before anything starts. */
static void check_rootfs(const char *rootfs)
{
	struct stat st;

	if (stat(rootfs, &st) == -1)
		die("rootfs %s", rootfs);
	if (!S_ISDIR(st.st_mode)) {
		errno = ENOTDIR;
		die("rootfs %s", rootfs);
	}
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
	check_rootfs(c.rootfs);
	block_signals();
	return supervise(start_container(&c));
}
