/* sig_default.c: default signal actions. `sig_default NAME` sets SIG_DFL for
 * the signal NAME, unblocks it and raise()s it (SEGV: kill(getpid()), a
 * process-directed one): for terminating signals (HUP INT QUIT ABRT SEGV
 * PIPE ALRM TERM USR1 USR2 SYS XCPU VTALRM RTMIN RTMAX) the process dies of it
 * and run-diff.sh compares the status (128+N; QUIT, ABRT, SEGV, SYS and XCPU
 * dump core where allowed); for those whose default is to ignore (CHLD URG
 * WINCH CONT) it prints "survived" and exits 0. `TERM-pending`: SIGTERM stays
 * pending while blocked (the process prints it is alive), then kills when
 * unblocked. `KILL-blocked`: every signal blocked, SIGKILL still kills.
 * Without arguments: SIGKILL and SIGSTOP cannot be caught, ignored or given
 * any action (EINVAL; reading their action works) and sigprocmask silently
 * leaves them out of the mask. */
#include "guest.h"
#include <signal.h>

static const struct { const char *name; int sig, dies; } sigs[] = {
    { "HUP", SIGHUP, 1 },     { "INT", SIGINT, 1 },     { "QUIT", SIGQUIT, 1 },
    { "ABRT", SIGABRT, 1 },   { "SEGV", SIGSEGV, 1 },   { "PIPE", SIGPIPE, 1 },
    { "ALRM", SIGALRM, 1 },   { "TERM", SIGTERM, 1 },   { "USR1", SIGUSR1, 1 },
    { "USR2", SIGUSR2, 1 },   { "SYS", SIGSYS, 1 },     { "XCPU", SIGXCPU, 1 },
    { "VTALRM", SIGVTALRM, 1 }, { "RTMIN", 0, 1 },      { "RTMAX", 0, 1 },
    { "CHLD", SIGCHLD, 0 },   { "URG", SIGURG, 0 },     { "WINCH", SIGWINCH, 0 },
    { "CONT", SIGCONT, 0 },
};

/* Give sig its default action and unblock it. */
static void make_default(int sig)
{
    struct sigaction sa;
    sigset_t s;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
    sigemptyset(&s);
    sigaddset(&s, sig);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
}

static int raise_mode(const char *mode)
{
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        if (strcmp(mode, sigs[i].name))
            continue;
        int sig = sigs[i].sig;
        if (!strcmp(mode, "RTMIN"))
            sig = SIGRTMIN;
        else if (!strcmp(mode, "RTMAX"))
            sig = SIGRTMAX;
        make_default(sig);
        printf("raising SIG%s\n", mode);
        fflush(stdout);
        if (sig == SIGSEGV)
            kill(getpid(), sig);
        else
            raise(sig);
        if (sigs[i].dies) {
            printf("FAIL survived SIG%s\n", mode);
            return 1;
        }
        printf("survived SIG%s\n", mode);
        return 0;
    }
    printf("unknown mode %s\n", mode);
    return 2;
}

static int special_mode(const char *mode)
{
    sigset_t s;

    if (!strcmp(mode, "TERM-pending")) {
        make_default(SIGTERM);
        sigemptyset(&s);
        sigaddset(&s, SIGTERM);
        sigprocmask(SIG_BLOCK, &s, NULL);
        kill(getpid(), SIGTERM);
        sigemptyset(&s);
        sigpending(&s);
        printf("alive, SIGTERM pending: %d\n", sigismember(&s, SIGTERM));
        fflush(stdout);
        sigaddset(&s, SIGTERM);
        sigprocmask(SIG_UNBLOCK, &s, NULL);
        printf("FAIL survived the unblock\n");
        return 1;
    }
    /* KILL-blocked */
    sigfillset(&s);
    sigprocmask(SIG_BLOCK, &s, NULL);
    syscall(SYS_rt_sigprocmask, SIG_BLOCK, &(unsigned long){ ~0UL }, NULL, 8);
    printf("everything blocked; raising SIGKILL\n");
    fflush(stdout);
    raise(SIGKILL);
    printf("FAIL survived SIGKILL\n");
    return 1;
}

static void handler(int sig)
{
    (void)sig;
}

static void test_uncatchable(void)
{
    struct sigaction sa, old;
    int uncatchable[] = { SIGKILL, SIGSTOP };

    printf("== SIGKILL and SIGSTOP take no action\n");
    for (int i = 0; i < 2; i++) {
        int sig = uncatchable[i];
        memset(&sa, 0, sizeof sa);
        sigemptyset(&sa.sa_mask);
        sa.sa_handler = handler;
        CHECK_ERR(sigaction(sig, &sa, NULL), EINVAL);
        sa.sa_handler = SIG_IGN;
        CHECK_ERR(sigaction(sig, &sa, NULL), EINVAL);
        sa.sa_handler = SIG_DFL;
        CHECK_ERR(sigaction(sig, &sa, &old), EINVAL);
        CHECK(signal(sig, SIG_IGN) == SIG_ERR);
        memset(&old, 0xff, sizeof old);
        CHECK_EQ(sigaction(sig, NULL, &old), 0);
        CHECK(old.sa_handler == SIG_DFL);
    }

    printf("== sigprocmask leaves them out\n");
    sigset_t s, got;
    sigemptyset(&s);
    sigaddset(&s, SIGKILL);
    sigaddset(&s, SIGSTOP);
    sigaddset(&s, SIGUSR1);
    CHECK_EQ(sigprocmask(SIG_BLOCK, &s, NULL), 0);
    CHECK_EQ(sigprocmask(SIG_BLOCK, NULL, &got), 0);
    CHECK(sigismember(&got, SIGUSR1) && !sigismember(&got, SIGKILL));
    CHECK(!sigismember(&got, SIGSTOP));
    unsigned long all = ~0UL, kmask = 0;
    CHECK_EQ(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &all, NULL, 8), 0);
    CHECK_EQ(syscall(SYS_rt_sigprocmask, SIG_SETMASK, NULL, &kmask, 8), 0);
    CHECK(kmask == ~((1UL << (SIGKILL - 1)) | (1UL << (SIGSTOP - 1))));
    kmask = 0;
    CHECK_EQ(syscall(SYS_rt_sigprocmask, SIG_SETMASK, &kmask, NULL, 8), 0);
    CHECK_EQ(syscall(SYS_rt_sigprocmask, SIG_BLOCK, NULL, &kmask, 8), 0);
    CHECK(kmask == 0);
    CHECK_ERR(syscall(SYS_rt_sigprocmask, 3, &all, NULL, 8), EINVAL);
    CHECK_ERR(syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, NULL, 4), EINVAL);

    printf("== ignoring signals whose default is to ignore\n");
    for (size_t i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        if (sigs[i].dies)
            continue;
        make_default(sigs[i].sig);
        CHECK_EQ(raise(sigs[i].sig), 0);
    }
    CHECK_EQ(kill(getpid(), 0), 0);
}

int main(int argc, char **argv)
{
    if (argc > 1) {
        if (!strcmp(argv[1], "TERM-pending") || !strcmp(argv[1], "KILL-blocked"))
            return special_mode(argv[1]);
        return raise_mode(argv[1]);
    }
    test_uncatchable();
    return guest_done();
}
