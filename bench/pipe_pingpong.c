/*
 * Pipe ping-pong latency between two processes: the parent forks a child and
 * the two exchange COUNT round trips over two pipes, one byte each way. The
 * parent writes a byte to the first pipe and blocks reading the second; the
 * child blocks reading the first pipe and answers each byte, plus one, on
 * the second. When the parent closes its end of the first pipe the child
 * sees end of file and exits.
 *
 * This measures the latency of a small pipe write waking a process asleep in
 * read() on the other end, and the switch between processes, twice per round
 * trip.
 *
 * The child prints how many bytes it answered, then exits; the parent prints
 * its line after waitpid(), so the output is always in the same order.
 *
 * usage: pipe_pingpong [COUNT]   (default 100000)
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

/* One byte through fd; returns 1, 0 at end of file, -1 on error. */
static int get(int fd, unsigned char *c)
{
	ssize_t n;

	while ((n = read(fd, c, 1)) < 0 && errno == EINTR)
		;
	return (int)n;
}

static int put(int fd, unsigned char c)
{
	ssize_t n;

	while ((n = write(fd, &c, 1)) < 0 && errno == EINTR)
		;
	return (int)n;
}

int main(int argc, char **argv)
{
	long count = argc > 1 ? atol(argv[1]) : 100000;
	int ping[2], pong[2], st;
	long bad = 0;
	pid_t pid;

	if (pipe(ping) || pipe(pong)) {
		perror("pipe");
		return 1;
	}
	fflush(stdout);
	pid = fork();
	if (pid < 0) {
		perror("fork");
		return 1;
	}
	if (pid == 0) {
		unsigned char c;
		long answered = 0;
		int r;

		close(ping[1]);
		close(pong[0]);
		while ((r = get(ping[0], &c)) == 1) {
			if (put(pong[1], (unsigned char)(c + 1)) != 1) {
				perror("child: write");
				_exit(1);
			}
			answered++;
		}
		if (r < 0) {
			perror("child: read");
			_exit(1);
		}
		printf("pipe_pingpong: child answered %ld bytes\n", answered);
		fflush(stdout);
		_exit(0);
	}
	close(ping[0]);
	close(pong[1]);
	for (long i = 0; i < count; i++) {
		unsigned char c;

		if (put(ping[1], (unsigned char)i) != 1) {
			perror("parent: write");
			return 1;
		}
		if (get(pong[0], &c) != 1) {
			fprintf(stderr, "parent: read failed or end of file\n");
			return 1;
		}
		if (c != (unsigned char)(i + 1))
			bad++;
	}
	close(ping[1]);
	if (waitpid(pid, &st, 0) != pid) {
		perror("waitpid");
		return 1;
	}
	int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	printf("pipe_pingpong: %ld round trips (1 byte each way), %ld bad answers, child %s\n",
	       count, bad, ok ? "ok" : "FAILED");
	return ok && bad == 0 ? 0 : 1;
}
