/*
 * Pipe throughput between two processes: the parent forks a child, then
 * writes MIB MiB into a pipe in 64 KiB write()s; the child reads the pipe
 * until end of file and counts the bytes. This measures moving data through
 * a pipe from one process to another: the copies in and out, and the two
 * processes waiting for each other whenever the pipe is full or empty.
 *
 * So that the child can check what it got without spending much time on it,
 * only one byte per 4 KiB of the stream is checked: the byte at stream
 * offset k * 4096 is the low byte of a hash of k (the parent sets these 16
 * bytes of its buffer before each write; the other bytes are left as they
 * are). Reads may return any amount, so the child follows the stream offset.
 *
 * The child prints its byte count and the number of bad samples, then exits;
 * the parent prints its line after waitpid(), so the output is always in the
 * same order.
 *
 * usage: pipe_bw [MIB]   (default 1024)
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define CHUNK (64 * 1024)
#define PAGE 4096

static unsigned char buf[CHUNK];

/* The byte expected at stream offset k * PAGE. */
static unsigned char sample(uint64_t k)
{
	return (unsigned char)((k * 0x9E3779B97F4A7C15ull) >> 56);
}

static int child(int fd, uint64_t want)
{
	uint64_t off = 0, bad = 0;
	ssize_t n;

	for (;;) {
		n = read(fd, buf, sizeof buf);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			perror("child: read");
			return 1;
		}
		if (n == 0)
			break;
		/* The first PAGE-aligned stream offset in [off, off + n). */
		uint64_t p = (off + PAGE - 1) / PAGE * PAGE;
		for (; p < off + (uint64_t)n; p += PAGE)
			if (buf[p - off] != sample(p / PAGE))
				bad++;
		off += (uint64_t)n;
	}
	printf("pipe_bw: child read %llu bytes, %llu bad samples\n",
	       (unsigned long long)off, (unsigned long long)bad);
	return off == want && bad == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	long mib = argc > 1 ? atol(argv[1]) : 1024;
	uint64_t total = (uint64_t)mib << 20;
	int fds[2], st;
	pid_t pid;

	if (mib < 0) {
		fprintf(stderr, "usage: pipe_bw [MIB]\n");
		return 2;
	}
	if (pipe(fds)) {
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
		close(fds[1]);
		int rc = child(fds[0], total);
		fflush(stdout);
		_exit(rc);
	}
	close(fds[0]);
	for (uint64_t off = 0; off < total; off += CHUNK) {
		size_t len = total - off < CHUNK ? (size_t)(total - off) : CHUNK;

		for (size_t p = 0; p < len; p += PAGE)
			buf[p] = sample((off + p) / PAGE);
		for (size_t done = 0; done < len;) {
			ssize_t n = write(fds[1], buf + done, len - done);

			if (n < 0) {
				if (errno == EINTR)
					continue;
				perror("parent: write");
				return 1;
			}
			done += (size_t)n;
		}
	}
	close(fds[1]);
	if (waitpid(pid, &st, 0) != pid) {
		perror("waitpid");
		return 1;
	}
	int ok = WIFEXITED(st) && WEXITSTATUS(st) == 0;
	printf("pipe_bw: parent wrote %ld MiB in %d KiB writes, child %s\n",
	       mib, CHUNK / 1024, ok ? "ok" : "FAILED");
	return ok ? 0 : 1;
}
