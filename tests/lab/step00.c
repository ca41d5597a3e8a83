#define _GNU_SOURCE
/*
 * step01-fork: a process makes a copy of itself.
 *
 * fork(2) returns twice: 0 in the child, the child's pid in the parent.
 * The parent waits for the child with waitpid(2) and reports how it ended.
 *
 *   ./container
 */
#include <stdio.h>

int main(void)
{
	return 0;
}
