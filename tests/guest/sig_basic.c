/* sig_basic.c: rt_sigaction and handler delivery in one thread. Checks that a
 * handler runs for raise, kill, tgkill, tkill and sigqueue with the siginfo
 * each one makes (si_code SI_TKILL / SI_USER / SI_QUEUE, si_pid, si_uid,
 * si_value); the mask during a handler (sa_mask plus the signal itself, not
 * with SA_NODEFER) and its restoration by rt_sigreturn; SA_RESETHAND; SIG_IGN;
 * pending-until-unblocked (delivered before sigprocmask returns); standard
 * signals coalescing and rt signals queueing in order; the order in which
 * several pending signals are delivered (synchronous ones first, then by
 * number; the thread's own queue before the process's), and that unmasked
 * ones are all delivered before returning to user mode (nested frames).
 * Handlers only record into `evs`; main checks and prints.
 * `sig_basic resethand`: a SA_RESETHAND handler runs once, then the second
 * raise kills the process with SIGUSR1. */
#include "guest.h"
#include <signal.h>

#define NEV 32
static struct ev {
    int sig, code, pid, uid, val, depth;
    sigset_t mask;      /* the mask while the handler ran */
    sigset_t ucmask;    /* uc_sigmask: the mask at interruption */
} evs[NEV];
static volatile int nev, depth;
static volatile int raise_in_handler;  /* the first handler run raises this */

static void on_sig(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    int i = nev++;
    struct ev *e = &evs[i % NEV];

    depth++;
    e->sig = sig;
    e->code = si->si_code;
    e->pid = si->si_pid;
    e->uid = si->si_uid;
    e->val = si->si_value.sival_int;
    e->depth = depth;
    sigprocmask(SIG_BLOCK, NULL, &e->mask);
    e->ucmask = uc->uc_sigmask;
    if (i == 0 && raise_in_handler) {
        int s = raise_in_handler;
        raise_in_handler = 0;
        raise(s);
        e->val = nev;   /* how many runs had started when raise returned */
    }
    depth--;
}

static void plain_handler(int sig)
{
    evs[nev++ % NEV].sig = sig;
}

static int install(int sig, int flags, const int *masked)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sig;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    for (; masked && *masked; masked++)
        sigaddset(&sa.sa_mask, *masked);
    return sigaction(sig, &sa, NULL);
}

static void reset_log(void)
{
    nev = 0;
    memset(evs, 0, sizeof evs);
}

static int mask_has(int sig)
{
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    return sigismember(&m, sig);
}

static int pending_has(int sig)
{
    sigset_t p;
    sigemptyset(&p);
    sigpending(&p);
    return sigismember(&p, sig);
}

static void block(int sig, int how)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    sigprocmask(how, &s, NULL);
}

static void test_sources(void)
{
    union sigval v = { .sival_int = 42 };
    long tid = syscall(SYS_gettid);

    printf("== sources and siginfo\n");
    CHECK_EQ(install(SIGUSR1, 0, NULL), 0);
    reset_log();
    CHECK_EQ(raise(SIGUSR1), 0);
    CHECK(nev == 1 && evs[0].sig == SIGUSR1 && evs[0].code == SI_TKILL);
    CHECK(evs[0].pid == getpid() && evs[0].uid == (int)getuid());
    reset_log();
    CHECK_EQ(kill(getpid(), SIGUSR1), 0);
    CHECK(nev == 1 && evs[0].sig == SIGUSR1 && evs[0].code == SI_USER);
    CHECK(evs[0].pid == getpid() && evs[0].uid == (int)getuid());
    reset_log();
    CHECK_EQ(syscall(SYS_tgkill, getpid(), tid, SIGUSR1), 0);
    CHECK(nev == 1 && evs[0].code == SI_TKILL && evs[0].pid == getpid());
    reset_log();
    CHECK_EQ(syscall(SYS_tkill, tid, SIGUSR1), 0);
    CHECK(nev == 1 && evs[0].code == SI_TKILL && evs[0].pid == getpid());
    reset_log();
    CHECK_EQ(sigqueue(getpid(), SIGUSR1, v), 0);
    CHECK(nev == 1 && evs[0].code == SI_QUEUE && evs[0].val == 42);
    CHECK(evs[0].pid == getpid() && evs[0].uid == (int)getuid());

    /* A handler installed without SA_SIGINFO. */
    reset_log();
    CHECK(signal(SIGUSR2, plain_handler) != SIG_ERR);
    CHECK_EQ(raise(SIGUSR2), 0);
    CHECK(nev == 1 && evs[0].sig == SIGUSR2);
    CHECK(signal(SIGUSR2, SIG_DFL) == plain_handler);

    /* Errors and reading an action back. */
    struct sigaction old;
    CHECK_ERR(sigaction(0, NULL, &old), EINVAL);
    CHECK_ERR(sigaction(65, NULL, &old), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &old, 4), EINVAL);
    CHECK_EQ(sigaction(SIGUSR1, NULL, &old), 0);
    CHECK(old.sa_sigaction == on_sig && (old.sa_flags & SA_SIGINFO));
}

static void test_masks(void)
{
    static const int usr2[] = { SIGUSR2, 0 };

    printf("== the mask during a handler\n");
    CHECK_EQ(install(SIGUSR1, 0, usr2), 0);
    block(SIGWINCH, SIG_BLOCK);
    reset_log();
    CHECK_EQ(raise(SIGUSR1), 0);
    CHECK(nev == 1);
    CHECK(sigismember(&evs[0].mask, SIGUSR1) && sigismember(&evs[0].mask, SIGUSR2));
    CHECK(sigismember(&evs[0].mask, SIGWINCH) && !sigismember(&evs[0].mask, SIGTERM));
    CHECK(!sigismember(&evs[0].ucmask, SIGUSR1) && !sigismember(&evs[0].ucmask, SIGUSR2));
    CHECK(sigismember(&evs[0].ucmask, SIGWINCH));
    CHECK(!mask_has(SIGUSR1) && !mask_has(SIGUSR2) && mask_has(SIGWINCH));
    block(SIGWINCH, SIG_UNBLOCK);

    printf("== SA_NODEFER\n");
    CHECK_EQ(install(SIGUSR1, SA_NODEFER, usr2), 0);
    reset_log();
    CHECK_EQ(raise(SIGUSR1), 0);
    CHECK(nev == 1 && !sigismember(&evs[0].mask, SIGUSR1) && sigismember(&evs[0].mask, SIGUSR2));
    /* Raising itself from the handler: nested at once with SA_NODEFER... */
    reset_log();
    raise_in_handler = SIGUSR1;
    CHECK_EQ(raise(SIGUSR1), 0);
    CHECK(nev == 2 && evs[0].val == 2 && evs[1].depth == 2);
    /* ...and only after rt_sigreturn without it. */
    CHECK_EQ(install(SIGUSR1, 0, NULL), 0);
    reset_log();
    raise_in_handler = SIGUSR1;
    CHECK_EQ(raise(SIGUSR1), 0);
    CHECK(nev == 2 && evs[0].val == 1 && evs[1].depth == 1);

    printf("== SA_RESETHAND\n");
    CHECK_EQ(install(SIGUSR1, SA_RESETHAND, NULL), 0);
    reset_log();
    CHECK_EQ(raise(SIGUSR1), 0);
    CHECK(nev == 1 && sigismember(&evs[0].mask, SIGUSR1));
    struct sigaction old;
    CHECK_EQ(sigaction(SIGUSR1, NULL, &old), 0);
    CHECK(old.sa_handler == SIG_DFL);
    CHECK((old.sa_flags & SA_RESETHAND) && (old.sa_flags & SA_SIGINFO));

    printf("== nested handlers\n");
    CHECK_EQ(install(SIGUSR1, 0, NULL), 0);
    CHECK_EQ(install(SIGUSR2, 0, NULL), 0);
    reset_log();
    raise_in_handler = SIGUSR2;
    CHECK_EQ(raise(SIGUSR1), 0);
    CHECK(nev == 2 && evs[0].sig == SIGUSR1 && evs[1].sig == SIGUSR2);
    CHECK(evs[0].val == 2 && evs[1].depth == 2);
    CHECK(sigismember(&evs[1].mask, SIGUSR1) && sigismember(&evs[1].mask, SIGUSR2));
    CHECK(sigismember(&evs[1].ucmask, SIGUSR1) && !sigismember(&evs[1].ucmask, SIGUSR2));
}

static void test_pending(void)
{
    union sigval v;

    printf("== SIG_IGN\n");
    reset_log();
    CHECK(signal(SIGUSR2, SIG_IGN) != SIG_ERR);
    CHECK_EQ(raise(SIGUSR2), 0);
    CHECK_EQ(kill(getpid(), SIGUSR2), 0);
    CHECK(nev == 0 && !pending_has(SIGUSR2));

    printf("== pending until unblocked\n");
    CHECK_EQ(install(SIGUSR1, 0, NULL), 0);
    block(SIGUSR1, SIG_BLOCK);
    reset_log();
    CHECK_EQ(raise(SIGUSR1), 0);
    CHECK(nev == 0 && pending_has(SIGUSR1));
    block(SIGUSR1, SIG_UNBLOCK);
    CHECK(nev == 1 && !pending_has(SIGUSR1));

    printf("== standard signals coalesce\n");
    block(SIGUSR1, SIG_BLOCK);
    reset_log();
    CHECK_EQ(raise(SIGUSR1), 0);
    CHECK_EQ(raise(SIGUSR1), 0);
    block(SIGUSR1, SIG_UNBLOCK);
    CHECK(nev == 1);
    block(SIGUSR1, SIG_BLOCK);
    reset_log();
    v.sival_int = 5;
    CHECK_EQ(sigqueue(getpid(), SIGUSR1, v), 0);
    v.sival_int = 6;
    CHECK_EQ(sigqueue(getpid(), SIGUSR1, v), 0);   /* dropped: the first one stays */
    block(SIGUSR1, SIG_UNBLOCK);
    CHECK(nev == 1 && evs[0].val == 5);

    printf("== rt signals queue\n");
    int rt = SIGRTMIN + 1;
    CHECK_EQ(install(rt, 0, NULL), 0);
    block(rt, SIG_BLOCK);
    reset_log();
    for (int i = 1; i <= 3; i++) {
        v.sival_int = i;
        CHECK_EQ(sigqueue(getpid(), rt, v), 0);
    }
    CHECK(nev == 0 && pending_has(rt));
    block(rt, SIG_UNBLOCK);
    CHECK(nev == 3 && evs[0].val == 1 && evs[1].val == 2 && evs[2].val == 3);
    CHECK(evs[0].sig == rt && evs[2].sig == rt && evs[2].depth == 1);
    CHECK(!pending_has(rt));
}

/* Queue each of sigs[] (blocked) with sigqueue, value = index, then unblock
 * them all at once. The handlers block everything (full_mask) or nothing else. */
static void queue_and_release(const int *sigs, int n, int full_mask)
{
    struct sigaction sa;
    sigset_t set, old;

    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sig;
    sa.sa_flags = SA_SIGINFO;
    if (full_mask)
        sigfillset(&sa.sa_mask);
    else
        sigemptyset(&sa.sa_mask);
    sigemptyset(&set);
    for (int i = 0; i < n; i++) {
        sigaction(sigs[i], &sa, NULL);
        sigaddset(&set, sigs[i]);
    }
    sigprocmask(SIG_BLOCK, &set, &old);
    reset_log();
    for (int i = 0; i < n; i++) {
        union sigval v = { .sival_int = i };
        sigqueue(getpid(), sigs[i], v);
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
}

static void test_order(void)
{
    int rt1 = SIGRTMIN + 1, rt2 = SIGRTMIN + 2, rt3 = SIGRTMIN + 3;

    printf("== delivery order of pending signals\n");
    {   /* Handlers that block everything: one at a time, lowest first. */
        int sigs[] = { rt3, rt1, rt2 };
        queue_and_release(sigs, 3, 1);
        CHECK(nev == 3 && evs[0].sig == rt1 && evs[1].sig == rt2 && evs[2].sig == rt3);
        CHECK(evs[0].depth == 1 && evs[1].depth == 1 && evs[2].depth == 1);
    }
    {   /* Synchronous signals (SIGSEGV) come before lower-numbered ones. */
        int sigs[] = { SIGRTMIN, SIGUSR2, SIGSEGV, SIGUSR1 };
        queue_and_release(sigs, 4, 1);
        CHECK(nev == 4 && evs[0].sig == SIGSEGV && evs[1].sig == SIGUSR1);
        CHECK(evs[2].sig == SIGUSR2 && evs[3].sig == SIGRTMIN);
        signal(SIGSEGV, SIG_DFL);
    }
    {   /* Handlers that block nothing else: every frame is built before the
         * return to user mode, so the last one built (rt2) runs first and
         * the first handler (rt1) runs after its sigreturn. */
        int sigs[] = { rt2, rt1 };
        queue_and_release(sigs, 2, 0);
        CHECK(nev == 2 && evs[0].sig == rt2 && evs[1].sig == rt1);
        CHECK(evs[0].depth == 1 && evs[1].depth == 1);
        CHECK(sigismember(&evs[0].ucmask, rt1) && sigismember(&evs[0].mask, rt1));
        CHECK(!sigismember(&evs[1].ucmask, rt1) && !sigismember(&evs[1].ucmask, rt2));
    }
    {   /* A signal on the thread's own queue (tgkill) is dequeued before the
         * process-wide queue's (sigqueue), whatever their numbers. */
        struct sigaction sa;
        sigset_t set, old;
        memset(&sa, 0, sizeof sa);
        sa.sa_sigaction = on_sig;
        sa.sa_flags = SA_SIGINFO;
        sigfillset(&sa.sa_mask);
        sigaction(rt1, &sa, NULL);
        sigaction(rt3, &sa, NULL);
        sigemptyset(&set);
        sigaddset(&set, rt1);
        sigaddset(&set, rt3);
        sigprocmask(SIG_BLOCK, &set, &old);
        reset_log();
        union sigval v = { .sival_int = 1 };
        sigqueue(getpid(), rt1, v);
        syscall(SYS_tgkill, getpid(), syscall(SYS_gettid), rt3);
        sigprocmask(SIG_SETMASK, &old, NULL);
        CHECK(nev == 2 && evs[0].sig == rt3 && evs[0].code == SI_TKILL);
        CHECK(evs[1].sig == rt1 && evs[1].code == SI_QUEUE);
    }
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";

    if (!strcmp(mode, "resethand")) {
        install(SIGUSR1, SA_RESETHAND, NULL);
        raise(SIGUSR1);
        printf("handler ran %d time(s); raising again\n", nev);
        fflush(stdout);
        raise(SIGUSR1);
        printf("FAIL survived the second raise\n");
        return 1;
    }
    test_sources();
    test_masks();
    test_pending();
    test_order();
    return guest_done();
}
