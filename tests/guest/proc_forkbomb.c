/*
 * A fork bomb that lxemu must survive: every child forks too, until fork
 * fails with EAGAIN (RLIMIT_NPROC natively, where it binds; under lxemu
 * also --max-tasks).  A process whose fork fails reports it through a pipe
 * and waits; the first process, on the first report, kills its process
 * group (again, until no child is left), reaps everyone (orphans come to it: it is the guest's init) and
 * exits 0 if the failure was EAGAIN.
 *
 * Not compared with a native run (root is exempt from RLIMIT_NPROC there):
 * ctest runs it under lxemu only, with a small --max-tasks.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <unistd.h>

#define ROUNDS 10 /* at most 1,024 processes if nothing stops it */

int main(void)
{
	int fds[2];
	char c = 0;

	setvbuf(stdout, NULL, _IONBF, 0);
	if (pipe(fds))
		return 2;
	pid_t first = getpid();
	for (int round = 0; round < ROUNDS; round++) {
		pid_t p = fork();
		if (p < 0) {
			c = errno == EAGAIN ? 'A' : 'O';
			if (write(fds[1], &c, 1) != 1)
				_exit(3);
			break;
		}
	}
	if (getpid() != first)
		for (;;)
			pause();
	close(fds[1]);
	if (read(fds[0], &c, 1) != 1)
		c = 0;
	/*
	 * A fork in flight with every signal blocked (libc's fork blocks them)
	 * makes a child the kill misses, natively too: kill until none is left.
	 */
	signal(SIGTERM, SIG_IGN);
	for (;;) {
		pid_t r;
		kill(0, SIGTERM);
		while ((r = waitpid(-1, NULL, WNOHANG)) > 0)
			;
		if (r < 0)
			break; /* ECHILD: every one reaped */
		usleep(10000);
	}
	printf("fork said EAGAIN: %s\n", c == 'A' ? "yes" : "no");
	return c == 'A' ? 0 : 1;
}
