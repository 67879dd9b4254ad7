/*
 * fork + exec benchmark: COUNT times fork, the child execve()s PROGRAM (a
 * small static program that returns 0, bench/true_static.c), the parent
 * waitpid()s for it. Measures fork, loading a new image over the child's
 * address space (exec), process exit and reaping.
 *
 * PROGRAM should be an absolute path (it is passed to execve as is, with an
 * empty environment). The output is the count and how many exited 0.
 *
 * usage: fork_exec PROGRAM [COUNT]   (default 1000)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: fork_exec PROGRAM [COUNT]\n");
		return 2;
	}
	char *prog = argv[1];
	long count = argc > 2 ? atol(argv[2]) : 1000;
	char *child_argv[] = { prog, NULL };
	char *child_envp[] = { NULL };
	long ok = 0;

	for (long i = 0; i < count; i++) {
		int st;
		pid_t pid = fork();

		if (pid < 0) {
			perror("fork");
			return 1;
		}
		if (pid == 0) {
			execve(prog, child_argv, child_envp);
			_exit(127);
		}
		if (waitpid(pid, &st, 0) != pid) {
			perror("waitpid");
			return 1;
		}
		if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
			ok++;
	}
	printf("fork_exec: %ld fork+execve, %ld exited 0\n", count, ok);
	return ok == count ? 0 : 1;
}
