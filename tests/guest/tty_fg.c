/*
 * Run from an interactive job-control shell on a terminal: reports whether
 * this process is the terminal's foreground (tcgetpgrp(0) == getpgrp())
 * and leads its own process group, as a shell puts a job.  With a number
 * it first sleeps that many tenths of a second (a job to stop with Ctrl-Z).
 *
 * `tty_fg bg`, run as a session leader on its controlling terminal
 * (jobctl.py), checks what Linux does to a background process group that
 * reads its terminal, writes it under TOSTOP or changes it: SIGTTIN or
 * SIGTTOU to the group and the call restarted once continued in the
 * foreground, EIO, or the call going on, case by case; then the same for
 * its own group, orphaned, while a child's group holds the terminal.
 * `tty_fg orphan` only tells whether its own group is orphaned (EIO) or
 * not (EINTR), by a read from the background with SIGTTIN caught.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

static int tty = -1;   /* /dev/tty, non-blocking: a read with nothing typed says EAGAIN */
static int report = -1; /* where a case tells what its calls returned */

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	char line[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (write(report, line, n) != n)
		_exit(3);
}

static const char *result(long r)
{
	static char buf[16];

	if (r >= 0)
		return "ok";
	switch (errno) {
	case EIO: return "EIO";
	case EINTR: return "EINTR";
	case EAGAIN: return "EAGAIN";
	case ENOTTY: return "ENOTTY";
	case EPERM: return "EPERM";
	}
	snprintf(buf, sizeof(buf), "errno %d", errno);
	return buf;
}

static void set_mask(int how, int sig)
{
	sigset_t s;

	sigemptyset(&s);
	sigaddset(&s, sig);
	sigprocmask(how, &s, NULL);
}

static long tty_read(void)
{
	char c;

	return read(tty, &c, 1);
}

static long tty_write(void)
{
	return write(tty, "w\n", 2);
}

static long tty_setattr(int how)
{
	struct termios tio;

	if (tcgetattr(tty, &tio))
		return -1;
	return tcsetattr(tty, how, &tio);
}

static volatile int caught_code = -1, caught_pid = -1, caught_uid = -1;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
	(void)sig, (void)uc;
	caught_code = si->si_code;
	caught_pid = si->si_pid;
	caught_uid = si->si_uid;
}

/* A handler without SA_RESTART: the interrupted call says EINTR. */
static void catch(int sig)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_sig;
	sa.sa_flags = SA_SIGINFO;
	sigaction(sig, &sa, NULL);
}

/* ---- the cases: each runs in a child in its own group, in the background ---- */

static void c_read(void) { note("%s", result(tty_read())); }
static void c_read_ign(void) { signal(SIGTTIN, SIG_IGN); note("%s", result(tty_read())); }
static void c_read_blk(void) { set_mask(SIG_BLOCK, SIGTTIN); note("%s", result(tty_read())); }

static void c_read_caught(void)
{
	catch(SIGTTIN);
	note("%s", result(tty_read()));
	note(", handler si_code %d si_pid %d si_uid %d", caught_code, caught_pid, caught_uid);
}

static int got[2];

static void on_ttin_write(int sig)
{
	(void)sig;
	if (write(got[1], "D", 1) != 1)
		_exit(3);
}

/* The signal goes to the whole group: a second member hears it too. */
static void c_read_group(void)
{
	struct pollfd p;
	pid_t d;
	char c;

	if (pipe(got))
		return;
	d = fork();
	if (d == 0) {
		signal(SIGTTIN, on_ttin_write);
		if (write(got[1], "r", 1) != 1)
			_exit(3);
		for (;;)
			pause();
	}
	if (read(got[0], &c, 1) != 1)
		return;
	catch(SIGTTIN);
	note("%s", result(tty_read()));
	p = (struct pollfd){ got[0], POLLIN, 0 };
	note(", other member %s", poll(&p, 1, 5000) == 1 && read(got[0], &c, 1) == 1 && c == 'D'
					   ? "got SIGTTIN" : "did not");
	kill(d, SIGKILL);
	waitpid(d, NULL, 0);
}

static void c_write(void) { note("%s", result(tty_write())); }
static void c_write_ign(void) { signal(SIGTTOU, SIG_IGN); note("%s", result(tty_write())); }
static void c_write_blk(void) { set_mask(SIG_BLOCK, SIGTTOU); note("%s", result(tty_write())); }
static void c_getattr(void) { struct termios tio; note("%s", result(tcgetattr(tty, &tio))); }
static void c_setattr(void) { note("%s", result(tty_setattr(TCSANOW))); }
static void c_setattr_drain(void) { note("%s", result(tty_setattr(TCSADRAIN))); }
static void c_setattr_flush(void) { note("%s", result(tty_setattr(TCSAFLUSH))); }

static void c_setattr_ign(void)
{
	signal(SIGTTOU, SIG_IGN);
	note("%s", result(tty_setattr(TCSANOW)));
}

static void c_setattr_blk(void)
{
	set_mask(SIG_BLOCK, SIGTTOU);
	note("%s", result(tty_setattr(TCSANOW)));
}

static void c_flush(void) { note("%s", result(tcflush(tty, TCOFLUSH))); }
static void c_drain(void) { note("%s", result(tcdrain(tty))); }
static void c_flow(void) { note("%s", result(tcflow(tty, TCOON))); }
static void c_setpgrp(void) { note("%s", result(tcsetpgrp(tty, getpgrp()))); }

static void c_setpgrp_blk(void)
{
	set_mask(SIG_BLOCK, SIGTTOU);
	note("%s", result(tcsetpgrp(tty, getpgrp())));
	note(", foreground %s", tcgetpgrp(tty) == getpgrp() ? "now" : "not");
}

/* Setting the size needs no foreground on Linux (tiocswinsz). */
static void c_winsize(void)
{
	struct winsize ws;

	if (ioctl(tty, TIOCGWINSZ, &ws))
		return;
	note("%s", result(ioctl(tty, TIOCSWINSZ, &ws)));
}

static void c_getpgrp(void)
{
	pid_t fg = tcgetpgrp(tty);

	note("%s", fg == getpgid(getppid()) ? "the parent's group" : result(fg));
}

/* After setsid the terminal is no longer the process's: no job control, no tcsetpgrp. */
static void c_setsid(void)
{
	pid_t g = fork();

	if (g == 0) {
		if (setsid() < 0)
			_exit(3);
		note("read %s", result(tty_read()));
		note(", tcsetattr %s", result(tty_setattr(TCSANOW)));
		note(", tcgetpgrp %s", result(tcgetpgrp(tty)));
		note(", tcsetpgrp %s", result(tcsetpgrp(tty, getpgrp())));
		_exit(0);
	}
	waitpid(g, NULL, 0);
}

struct jcase {
	const char *name;
	void (*fn)(void);
	bool tostop; /* the terminal has TOSTOP meanwhile */
};

static const struct jcase cases[] = {
	{ "read", c_read, false },
	{ "read, SIGTTIN ignored", c_read_ign, false },
	{ "read, SIGTTIN blocked", c_read_blk, false },
	{ "read, SIGTTIN caught", c_read_caught, false },
	{ "read, a group of two", c_read_group, false },
	{ "write", c_write, false },
	{ "write, TOSTOP", c_write, true },
	{ "write, TOSTOP, SIGTTOU ignored", c_write_ign, true },
	{ "write, TOSTOP, SIGTTOU blocked", c_write_blk, true },
	{ "tcgetattr", c_getattr, false },
	{ "tcsetattr", c_setattr, false },
	{ "tcsetattr TCSADRAIN", c_setattr_drain, false },
	{ "tcsetattr TCSAFLUSH", c_setattr_flush, false },
	{ "tcsetattr, SIGTTOU ignored", c_setattr_ign, false },
	{ "tcsetattr, SIGTTOU blocked", c_setattr_blk, false },
	{ "tcflush", c_flush, false },
	{ "tcdrain", c_drain, false },
	{ "tcflow", c_flow, false },
	{ "tcsetpgrp", c_setpgrp, false },
	{ "tcsetpgrp, SIGTTOU blocked", c_setpgrp_blk, false },
	{ "TIOCSWINSZ", c_winsize, false },
	{ "tcgetpgrp", c_getpgrp, false },
	{ "after setsid", c_setsid, false },
};

static void set_tostop(bool on)
{
	struct termios tio;

	tcgetattr(tty, &tio);
	tio.c_lflag = on ? tio.c_lflag | TOSTOP : tio.c_lflag & ~TOSTOP;
	tcsetattr(tty, TCSANOW, &tio);
}

static void drain(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while (len + 1 < size && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	buf[len] = 0;
}

/*
 * Runs a case in a child of its own group; a child that stops is given the
 * foreground and continued, so its call starts again and goes on.  This
 * process keeps SIGTTOU blocked, to take the terminal back.
 */
static void run_case(const struct jcase *jc)
{
	char said[256], how[64] = "";
	int fds[2], status;
	pid_t pid;

	if (jc->tostop)
		set_tostop(true);
	if (pipe(fds))
		exit(2);
	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		sigset_t none;
		close(fds[0]);
		report = fds[1];
		setpgid(0, 0);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		jc->fn();
		_exit(0);
	}
	close(fds[1]);
	setpgid(pid, pid);
	waitpid(pid, &status, WUNTRACED);
	if (WIFSTOPPED(status)) {
		snprintf(how, sizeof(how), "stopped by %s, then in the foreground: ",
			 WSTOPSIG(status) == SIGTTIN ? "SIGTTIN" :
			 WSTOPSIG(status) == SIGTTOU ? "SIGTTOU" : "another signal");
		tcsetpgrp(tty, pid);
		kill(-pid, SIGCONT);
		waitpid(pid, &status, 0);
	}
	tcsetpgrp(tty, getpgrp());
	drain(fds[0], said, sizeof(said));
	close(fds[0]);
	if (jc->tostop)
		set_tostop(false);
	printf("%s: %s%s%s\n", jc->name, how, said,
	       WIFEXITED(status) && !WEXITSTATUS(status) ? "" : " (child failed)");
}

#define TRY(what, call) \
	len += snprintf(out + len, size - len, "orphaned, %s: %s\n", what, result(call))

/* With another group in the foreground: what this process's own group gets, orphaned. */
static int orphaned_cases(char *out, size_t size)
{
	int len = 0;

	set_mask(SIG_UNBLOCK, SIGTTOU);
	TRY("read", tty_read());
	TRY("write, TOSTOP", tty_write());
	TRY("tcsetattr", tty_setattr(TCSANOW));
	TRY("tcsetpgrp", tcsetpgrp(tty, getpgrp()));
	signal(SIGTTIN, SIG_IGN);
	TRY("read, SIGTTIN ignored", tty_read());
	signal(SIGTTIN, SIG_DFL);
	set_mask(SIG_BLOCK, SIGTTOU);
	TRY("tcsetattr, SIGTTOU blocked", tty_setattr(TCSANOW));
	TRY("tcsetpgrp, SIGTTOU blocked", tcsetpgrp(tty, getpgrp()));
	return len;
}
#undef TRY

/*
 * Gives the terminal to a child's group and reads it with SIGTTIN caught:
 * EINTR if the signal came, EIO if this process's group is orphaned (no
 * member's parent in another group of the session: a session leader's, or
 * a job's of a shell that itself runs as a job's only process).  With all,
 * the orphaned cases follow.
 */
static void own_group_cases(bool all)
{
	char out[512];
	int hold[2], len;
	pid_t k;
	long r;
	char c;

	if (all)
		set_tostop(true);
	if (pipe(hold))
		exit(2);
	k = fork();
	if (k == 0) {
		setpgid(0, 0);
		close(hold[1]);
		_exit(read(hold[0], &c, 1) != 0);
	}
	close(hold[0]);
	setpgid(k, k);
	tcsetpgrp(tty, k);
	catch(SIGTTIN);
	r = tty_read();
	len = snprintf(out, sizeof(out), "own group in the background, SIGTTIN caught: read %s%s\n",
		       result(r), caught_code == SI_KERNEL ? ", SIGTTIN came" : "");
	signal(SIGTTIN, SIG_DFL);
	if (all && r < 0 && errno == EIO)
		len += orphaned_cases(out + len, sizeof(out) - len);
	tcsetpgrp(tty, getpgrp());
	if (all)
		set_tostop(false);
	close(hold[1]);
	waitpid(k, NULL, 0);
	fputs(out, stdout);
}

static int open_tty(void)
{
	tty = open("/dev/tty", O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (tty < 0 || tcgetpgrp(tty) != getpgrp()) {
		printf("tty_fg: not the foreground of a terminal\n");
		return -1;
	}
	/* To take the terminal back from the background. */
	set_mask(SIG_BLOCK, SIGTTOU);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc > 1 && (!strcmp(argv[1], "bg") || !strcmp(argv[1], "orphan"))) {
		if (open_tty())
			return 1;
		for (size_t i = 0; argv[1][0] == 'b' && i < sizeof(cases) / sizeof(cases[0]); i++)
			run_case(&cases[i]);
		own_group_cases(argv[1][0] == 'b');
		printf("foreground at the end: %s\n", tcgetpgrp(tty) == getpgrp() ? "yes" : "no");
		return 0;
	}
	if (argc > 1) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		for (int i = 0; i < atoi(argv[1]); i++)
			nanosleep(&ts, NULL);
	}
	printf("%s, %s\n", tcgetpgrp(0) == getpgrp() ? "foreground" : "background",
	       getpgrp() == getpid() ? "own group" : "shell's group");
	return 0;
}
