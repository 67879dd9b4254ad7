/*
 * Guest for the trace differential test of several processes (strace -f):
 * each task's lines are compared in its own order (procs.awk), so every
 * step is sequenced only where the trace would show a race otherwise.
 * SIGCHLD stays blocked in the parent and is taken by sigwaitinfo, so its
 * siginfo shows in the trace at a fixed place.  Steps:
 *   1. pipe2, fork: the child writes one byte, reads its parent and its
 *      process group (setpgid to its own), exits 3; the parent reads the
 *      byte, reaps the child with wait4 and takes its SIGCHLD;
 *   2. fork: the child kills itself with SIGTERM (killed by SIGTERM);
 *      waitid(P_PID, WEXITED) reaps it (CLD_KILLED);
 *   3. vfork and execve of this program with "exec": the new image writes
 *      a line and exits 7; the parent, resumed at the execve, reaps it;
 *   4. wait4 with no children left: ECHILD; then exit_group(0).
 * The child that runs the new image writes to stdout, so output is compared.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void say(const char *s)
{
	write(1, s, strlen(s));
}

static void take_sigchld(const sigset_t *chld)
{
	siginfo_t si;

	say(sigwaitinfo(chld, &si) == SIGCHLD ? "SIGCHLD\n" : "no SIGCHLD\n");
}

int main(int argc, char **argv)
{
	sigset_t chld;
	siginfo_t si;
	int fds[2], status;
	char c;
	pid_t pid;

	if (argc > 1 && !strcmp(argv[1], "exec")) {
		say("new image\n");
		return 7;
	}
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);

	/* 1. a child that writes into a pipe and exits */
	pipe2(fds, O_CLOEXEC);
	pid = fork();
	if (pid == 0) {
		close(fds[0]);
		write(fds[1], "x", 1);
		getppid();
		setpgid(0, 0);
		getpgid(0);
		_exit(3);
	}
	close(fds[1]);
	read(fds[0], &c, 1);
	read(fds[0], &c, 1); /* EOF: the child's end closed when it exited */
	close(fds[0]);
	wait4(pid, &status, 0, NULL);
	take_sigchld(&chld);

	/* 2. a child killed by a signal */
	pid = fork();
	if (pid == 0) {
		kill(getpid(), SIGTERM);
		_exit(1);
	}
	waitid(P_PID, pid, &si, WEXITED);
	take_sigchld(&chld);

	/* 3. vfork and execve */
	pid = vfork();
	if (pid == 0) {
		char *args[] = { argv[0], "exec", NULL };
		execve(argv[0], args, (char *[]){ NULL });
		_exit(127);
	}
	wait4(pid, &status, 0, NULL);
	take_sigchld(&chld);

	/* 4. nobody left */
	wait4(-1, &status, WNOHANG, NULL);
	return 0;
}
