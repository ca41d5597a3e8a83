#define _GNU_SOURCE
/*
 * loopback: what the tests ask about the network inside a container.
 *
 *   loopback flags IFACE   print "IFACE up" or "IFACE down" (SIOCGIFFLAGS)
 *   loopback tcp           connect to a listening socket on 127.0.0.1 and
 *                          pass a few bytes through; print "tcp 127.0.0.1 ok"
 *
 * Built statically by the tests, so that it also runs inside a root
 * filesystem that has no C library. Exits 1 with a message when it fails.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

static void fail(const char *what)
{
	fprintf(stderr, "loopback: %s: %s\n", what, strerror(errno));
	exit(1);
}

static int show_flags(const char *name)
{
	struct ifreq ifr;
	int sock = socket(AF_INET, SOCK_DGRAM, 0);

	if (sock == -1)
		fail("socket");
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	if (ioctl(sock, SIOCGIFFLAGS, &ifr) == -1)
		fail(name);
	printf("%s %s\n", name, (ifr.ifr_flags & IFF_UP) ? "up" : "down");
	close(sock);
	return 0;
}

static int tcp_roundtrip(void)
{
	struct sockaddr_in addr;
	socklen_t len = sizeof(addr);
	char buf[8] = "";
	int server, client, conn;

	memset(&addr, 0, sizeof(addr));
	addr.sin_family = AF_INET;
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	addr.sin_port = 0; /* any free port */

	server = socket(AF_INET, SOCK_STREAM, 0);
	if (server == -1)
		fail("socket");
	if (bind(server, (struct sockaddr *)&addr, sizeof(addr)) == -1)
		fail("bind 127.0.0.1");
	if (listen(server, 1) == -1)
		fail("listen");
	if (getsockname(server, (struct sockaddr *)&addr, &len) == -1)
		fail("getsockname");

	/* The connection completes in the kernel's backlog: no second process needed. */
	client = socket(AF_INET, SOCK_STREAM, 0);
	if (client == -1)
		fail("socket");
	if (connect(client, (struct sockaddr *)&addr, sizeof(addr)) == -1)
		fail("connect 127.0.0.1");
	conn = accept(server, NULL, NULL);
	if (conn == -1)
		fail("accept");
	if (write(client, "ping", 4) != 4)
		fail("write");
	if (read(conn, buf, 4) != 4 || memcmp(buf, "ping", 4) != 0)
		fail("read");
	printf("tcp 127.0.0.1 ok\n");
	close(conn);
	close(client);
	close(server);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "flags") == 0)
		return show_flags(argv[2]);
	if (argc == 2 && strcmp(argv[1], "tcp") == 0)
		return tcp_roundtrip();
	fprintf(stderr, "usage: loopback flags IFACE | loopback tcp\n");
	return 2;
}
