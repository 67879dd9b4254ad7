/*
 * lxemu's own host signals and the guest: what a program inherits from
 * whoever started it (ignored dispositions, the blocked mask), and the
 * signals sent to lxemu (Ctrl-C, Ctrl-Z, kill, a resize) forwarded to the
 * guest's first process as if they had been sent to it.  A guest that
 * stops (SIGSTOP, SIGTSTP) stops lxemu too, so the shell sees the job
 * stopped; the SIGCONT that resumes lxemu resumes the guest.
 */
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>
#include "task.h"
#include "signal.h"

/*
 * Signals a terminal, a shell or a user sends to a running program.  Not
 * SIGTTIN and SIGTTOU: the host terminal sends them to lxemu itself when it
 * reads or writes the terminal from the background, and blocking them would
 * turn that stop into EIO; lxemu keeps the guest's choice between stopping
 * (default) and ignoring them as its own (kernel_host_disposition).
 */
static const int forwarded[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGALRM, SIGWINCH, SIGABRT,
	SIGTSTP, SIGCONT, SIGXCPU, SIGXFSZ, SIGVTALRM, SIGPROF, SIGIO, SIGPWR, SIGURG,
};

static struct {
	linux_sigset_t ignored; /* SIG_IGN when lxemu started */
	linux_sigset_t blocked; /* lxemu's mask when it started */
	sigset_t set;           /* the forwarded signals */
} inherited;

void kernel_collect_inherited_signals(void)
{
	sigset_t cur;

	pthread_sigmask(SIG_BLOCK, NULL, &cur);
	for (int sig = 1; sig < 32; sig++) {
		struct sigaction sa;
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		/* Host and guest numbers agree: both are x86-64 Linux. */
		if (!sigaction(sig, NULL, &sa) && sa.sa_handler == SIG_IGN)
			inherited.ignored |= linux_sigmask(sig);
		if (sigismember(&cur, sig))
			inherited.blocked |= linux_sigmask(sig);
	}
}

void kernel_apply_inherited_signals(struct task *t)
{
	for (int sig = 1; sig < 32; sig++)
		if (inherited.ignored & linux_sigmask(sig))
			t->sighand->action[sig - 1].handler = LINUX_SIG_IGN;
	t->blocked = inherited.blocked;
}

/* The first process's group, or 0 once it is gone. */
static int guest_init_pgrp(void)
{
	struct signal_struct *sg;
	int pgrp;

	tasklist_lock();
	sg = find_proc_locked(kconfig.pid_base);
	pgrp = sg && !sg->zombie ? sg->pgid : 0;
	tasklist_unlock();
	return pgrp;
}

static void *forwarder(void *arg)
{
	(void)arg;
	for (;;) {
		struct linux_siginfo info;
		siginfo_t si;
		int sig = sigwaitinfo(&inherited.set, &si);
		if (sig < 0)
			continue;
		/* From outside the guest's pid space: si_pid 0, as across a pid namespace. */
		siginfo_user(&info, sig, LINUX_SI_USER, NULL);
		info.rt.uid = si.si_uid;
		/*
		 * What the terminal sends (Ctrl-C, Ctrl-\, Ctrl-Z, a resize) goes to
		 * its foreground process group, which holds lxemu: every guest
		 * process still in the first one's group.  A signal sent to lxemu's
		 * pid goes to the first process.
		 */
		if (si.si_code == SI_KERNEL || sig == SIGWINCH) {
			int pgrp = tty_foreground_pgrp();
			if (pgrp > 0 && !kill_pgrp_info(pgrp, &info))
				continue;
			pgrp = guest_init_pgrp();
			if (pgrp > 0 && !kill_pgrp_info(pgrp, &info))
				continue;
		}
		send_signal_tid(kconfig.pid_base, &info, SIG_TO_GROUP);
	}
	return NULL;
}

void kernel_forward_host_signals(void)
{
	pthread_t th;
	pthread_attr_t attr;

	sigemptyset(&inherited.set);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded); i++)
		sigaddset(&inherited.set, forwarded[i]);
	/* Blocked in every thread lxemu makes from now on: only the forwarder takes them. */
	pthread_sigmask(SIG_BLOCK, &inherited.set, NULL);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_create(&th, &attr, forwarder, NULL);
	pthread_attr_destroy(&attr);
}

void kernel_host_disposition(struct task *t, int sig, u64 handler)
{
	if (task_tgid(t) != kconfig.pid_base || (sig != SIGTTIN && sig != SIGTTOU))
		return;
	signal(sig, handler == LINUX_SIG_IGN ? SIG_IGN : SIG_DFL);
}

void kernel_host_stop(struct task *t)
{
	/* The first process stopped: so does lxemu, where its parent can see it. */
	if (task_tgid(t) == kconfig.pid_base)
		kill(getpid(), SIGSTOP);
}
