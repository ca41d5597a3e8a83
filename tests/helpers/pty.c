#define _GNU_SOURCE
/*
 * pty: run a command on a pseudo-terminal of its own, and play the user at
 * its keyboard.
 *
 *   pty [STEP...] -- COMMAND [ARG...]
 *
 * COMMAND starts as the leader of a new session whose controlling terminal
 * is the pseudo-terminal, on its stdin, stdout and stderr, and in the
 * terminal's foreground process group, as a login shell would be. The
 * terminal sends signals as a real one does (ISIG), echoes nothing and
 * translates no output. What COMMAND writes there is copied to pty's stdout.
 * Then the STEPs, in order:
 *
 *   wait FILE   wait until FILE exists (30 s at most, else exit 2)
 *   intr        type the interrupt character (Ctrl-C): the terminal sends
 *               SIGINT to its foreground process group
 *   quit        type the quit character (Ctrl-\): SIGQUIT, the same way
 *   hangup      hang up: close the terminal's master side; the kernel sends
 *               SIGHUP to the session leader
 *
 * Afterwards pty waits for COMMAND and exits with its status (128+N when
 * signal N killed it), or 2 if a call failed. Built statically.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int master = -1;

static void die(const char *what)
{
	fprintf(stderr, "pty: %s: %s\n", what, strerror(errno));
	exit(2);
}

/* Copy what the terminal printed to stdout, waiting at most ms for it. */
static void pump(int ms)
{
	struct pollfd p = { .fd = master, .events = POLLIN };
	char buf[4096];
	ssize_t n;

	if (master < 0) {
		poll(NULL, 0, ms);
		return;
	}
	if (poll(&p, 1, ms) <= 0)
		return;
	n = read(master, buf, sizeof buf);
	if (n > 0 && write(STDOUT_FILENO, buf, (size_t)n) < 0)
		die("write stdout");
	if (n <= 0 && !(p.revents & POLLIN))
		poll(NULL, 0, ms);
}

static void wait_for_file(const char *path)
{
	int i;

	for (i = 0; i < 30 * 20; i++) {
		if (access(path, F_OK) == 0)
			return;
		pump(50);
	}
	fprintf(stderr, "pty: %s did not appear within 30 s\n", path);
	exit(2);
}

static void type(char c)
{
	if (master < 0 || write(master, &c, 1) != 1)
		die("write to the terminal");
}

static void child(const char *name, char **argv)
{
	struct termios t;
	int fd;

	if (setsid() < 0)
		die("setsid");
	fd = open(name, O_RDWR);
	if (fd < 0)
		die(name);
	if (ioctl(fd, TIOCSCTTY, 0) < 0)
		die("TIOCSCTTY");
	if (tcgetattr(fd, &t) < 0)
		die("tcgetattr");
	t.c_lflag |= ISIG;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	t.c_oflag &= ~(tcflag_t)OPOST;
	t.c_cc[VINTR] = 3;     /* Ctrl-C */
	t.c_cc[VQUIT] = 034;   /* Ctrl-\ */
	if (tcsetattr(fd, TCSANOW, &t) < 0)
		die("tcsetattr");
	if (dup2(fd, 0) < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
		die("dup2");
	if (fd > 2)
		close(fd);
	close(master);
	execvp(argv[0], argv);
	fprintf(stderr, "pty: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

int main(int argc, char **argv)
{
	int i, cmd = 0, status;
	const char *name;
	pid_t pid, done;

	for (i = 1; i < argc; i++)
		if (strcmp(argv[i], "--") == 0) {
			cmd = i + 1;
			break;
		}
	if (cmd == 0 || cmd >= argc) {
		fputs("usage: pty [wait FILE|intr|quit|hangup]... -- COMMAND [ARG...]\n", stderr);
		return 2;
	}
	master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
		die("posix_openpt");
	name = ptsname(master);
	if (!name)
		die("ptsname");
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0)
		child(name, argv + cmd);

	for (i = 1; i < cmd - 1; i++) {
		if (strcmp(argv[i], "wait") == 0 && i + 1 < cmd - 1) {
			wait_for_file(argv[++i]);
		} else if (strcmp(argv[i], "intr") == 0) {
			type(3);
		} else if (strcmp(argv[i], "quit") == 0) {
			type(034);
		} else if (strcmp(argv[i], "hangup") == 0) {
			close(master);
			master = -1;
		} else {
			fprintf(stderr, "pty: unknown step '%s'\n", argv[i]);
			kill(pid, SIGKILL);
			return 2;
		}
	}
	for (;;) {
		done = waitpid(pid, &status, WNOHANG);
		if (done < 0)
			die("waitpid");
		if (done == pid)
			break;
		pump(50);
	}
	/* what is still on its way from the terminal */
	for (i = 0; i < 4 && master >= 0; i++)
		pump(10);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}
