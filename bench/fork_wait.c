/*
 * Process life-cycle benchmark: COUNT times fork, the child _exit(0)s at
 * once, the parent waitpid()s for it. Before the loop the parent allocates
 * and touches MIB MiB of heap (one write per 4 KiB page), so each fork has
 * that much private memory to copy or share copy-on-write: MIB = 1 measures
 * the fixed cost of fork/exit/wait, MIB = 64 the part that grows with the
 * address space.
 *
 * The output is the count and a checksum of the exit statuses only (no pids:
 * under lxemu the first process is pid 1).
 *
 * usage: fork_wait [COUNT [MIB]]   (default 2000 1)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long count = argc > 1 ? atol(argv[1]) : 2000;
	long mib = argc > 2 ? atol(argv[2]) : 1;
	size_t size = (size_t)mib << 20;
	volatile unsigned char *heap = NULL;
	long ok = 0;

	if (size) {
		heap = malloc(size);
		if (!heap) {
			perror("malloc");
			return 1;
		}
		for (size_t off = 0; off < size; off += 4096)
			heap[off] = (unsigned char)(off >> 12);
	}
	for (long i = 0; i < count; i++) {
		int st;
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0)
			_exit(0);
		if (waitpid(pid, &st, 0) != pid) {
			perror("waitpid");
			return 1;
		}
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
	}
	/* The parent's heap is still its own. */
	unsigned long sum = 0;
	for (size_t off = 0; off < size; off += 4096)
		sum += heap[off];
	printf("fork_wait: %ld forks with %ld MiB touched, %ld exited 0, heap sum %lu\n",
	       count, mib, ok, sum);
	return ok == count ? 0 : 1;
}
