/*
 * Guest for the trace differential test of signal delivery: the
 * "--- SIG... {...} ---" lines, rt_sigreturn({mask=...}) and the end by a
 * signal, through musl's own wrappers (sigaction passes SA_RESTORER and
 * musl's restorer; raise is tgkill between two rt_sigprocmask).  Steps:
 *   1. raise(SIGUSR1) with an SA_SIGINFO handler: SI_TKILL;
 *   2. SIGUSR1 blocked, raised (pending, rt_sigpending shows it), then
 *      unblocked: delivered after the unblocking rt_sigprocmask;
 *   3. kill(getpid(), SIGUSR2): SI_USER, a handler with SA_RESETHAND and
 *      SA_NODEFER (musl passes sa_flags through a signed int);
 *   4. sigqueue(getpid(), SIGUSR1, 42): SI_QUEUE with its value;
 *   5. a store through NULL: SIGSEGV, SEGV_MAPERR at address 0, caught on
 *      an alternate stack (sigaltstack, SA_ONSTACK) by a handler that
 *      siglongjmps back;
 *   6. sigsuspend with SIGUSR1 pending but blocked: the call ends with
 *      ERESTARTNOHAND, the handler runs and rt_sigreturn returns EINTR;
 *   7. sigwaitinfo and sigtimedwait for a blocked SIGUSR2: one pending
 *      (the siginfo and the signal as result), then none (EAGAIN);
 *   8. raise(SIGTERM) with the default action: killed by SIGTERM.
 * Every handler writes one line to stdout, so the output is compared too.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static sigjmp_buf segv_env;
static char altstack[4 * 8192] __attribute__((aligned(16)));

static void say(const char *s)
{
	write(1, s, strlen(s));
}

static void on_usr1(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	if (sig != SIGUSR1)
		say("usr1: wrong signal\n");
	else if (si->si_code == SI_TKILL)
		say("usr1: SI_TKILL\n");
	else if (si->si_code == SI_QUEUE && si->si_value.sival_int == 42)
		say("usr1: SI_QUEUE 42\n");
	else
		say("usr1: other code\n");
}

static void on_usr2(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	say(sig == SIGUSR2 && si->si_code == SI_USER ? "usr2: SI_USER\n" : "usr2: wrong\n");
}

static void on_segv(int sig, siginfo_t *si, void *uc)
{
	(void)uc;
	say(sig == SIGSEGV && si->si_code == SEGV_MAPERR && !si->si_addr ?
		    "segv: SEGV_MAPERR at NULL\n" : "segv: wrong\n");
	siglongjmp(segv_env, 1);
}

static void handle(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = fn;
	sa.sa_flags = SA_SIGINFO | flags;
	sigemptyset(&sa.sa_mask);
	if (sig == SIGUSR1)
		sigaddset(&sa.sa_mask, SIGUSR2);
	sigaction(sig, &sa, NULL);
}

int main(void)
{
	sigset_t set, pending;
	stack_t ss;

	/* 1. a handled raise */
	handle(SIGUSR1, on_usr1, 0);
	raise(SIGUSR1);

	/* 2. blocked, pending, unblocked */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR1);
	sigpending(&pending);
	say(sigismember(&pending, SIGUSR1) ? "usr1 pending\n" : "usr1 not pending\n");
	sigprocmask(SIG_UNBLOCK, &set, NULL);

	/* 3. kill: SI_USER, a one-shot handler */
	handle(SIGUSR2, on_usr2, SA_RESETHAND | SA_NODEFER);
	kill(getpid(), SIGUSR2);
	sigaction(SIGUSR2, NULL, NULL);

	/* 4. sigqueue: SI_QUEUE with a value */
	sigqueue(getpid(), SIGUSR1, (union sigval){ .sival_int = 42 });

	/* 5. a fault on an alternate stack, left by siglongjmp */
	ss.ss_sp = altstack;
	ss.ss_size = sizeof(altstack);
	ss.ss_flags = 0;
	sigaltstack(&ss, NULL);
	handle(SIGSEGV, on_segv, SA_ONSTACK);
	if (!sigsetjmp(segv_env, 1))
		*(volatile int *)0 = 1;
	say("back from SIGSEGV\n");

	/* 6. sigsuspend: the pending signal ends it at once */
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	raise(SIGUSR1);
	sigemptyset(&pending);
	sigsuspend(&pending);
	say("back from sigsuspend\n");

	/* 7. synchronous acceptance */
	{
		siginfo_t si;
		struct timespec ts = { 0, 1000 };

		sigemptyset(&set);
		sigaddset(&set, SIGUSR2);
		sigprocmask(SIG_BLOCK, &set, NULL);
		raise(SIGUSR2);
		say(sigwaitinfo(&set, &si) == SIGUSR2 && si.si_code == SI_TKILL ?
			    "sigwaitinfo: SIGUSR2\n" : "sigwaitinfo: wrong\n");
		say(sigtimedwait(&set, &si, &ts) < 0 ? "sigtimedwait: none\n" :
			    "sigtimedwait: wrong\n");
	}

	/* 8. death by a signal with the default action */
	raise(SIGTERM);
	say("not killed\n");
	return 1;
}
