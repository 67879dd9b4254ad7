/* proc_wait.c: how a child ends and how its parent learns it. Statuses for
 * exit(0), exit(3), exit(255), exit(256) and exit(-1), _exit from a signal
 * handler, exit() from a second thread, death by SIGTERM and SIGKILL from
 * the parent, by its own SIGUSR1, SIGSEGV and abort() (WCOREDUMP clear:
 * RLIMIT_CORE is 0, and the dying children also make themselves
 * undumpable with PR_SET_DUMPABLE 0, so no core is written natively whatever
 * the limit or core_pattern; then the same with a non-zero soft core limit
 * where the hard limit allows one). waitpid: WNOHANG before the child ends
 * gives 0, -1 takes any child, a pid only that child, ECHILD without
 * children or for a pid that is not a child. A zombie stays until reaped
 * (kill 0 and getpgid work on it, a SIGKILL changes nothing), then ESRCH.
 * waitid: P_PID and P_ALL, WEXITED, WNOWAIT (a later waitpid still reaps),
 * WNOHANG with nothing ready (0, si_pid and si_signo 0), the siginfo fields
 * (si_signo, si_code CLD_EXITED/CLD_KILLED, si_pid, si_uid, si_status),
 * EINVAL without a state flag, rusage through the raw syscall. SIGCHLD with
 * SA_SIGINFO: si_code, si_pid, si_status as waitid gives them, the handler
 * has run when waitpid returns; blocked, it stays pending after the child
 * is reaped. SIGCHLD ignored, or SA_NOCLDWAIT: children are reaped by
 * themselves and waitpid blocks until the last one is gone, then ECHILD
 * (with SA_NOCLDWAIT the handler still runs); a zombie from before SIG_IGN
 * is still there to reap. wait4 with an rusage pointer, getrusage of the
 * children. Mode `stop`: WUNTRACED/WCONTINUED, WIFSTOPPED/WIFCONTINUED,
 * waitid WSTOPPED/WCONTINUED, CLD_STOPPED/CLD_CONTINUED in SIGCHLD and
 * SA_NOCLDSTOP. Children never print; pids are never printed. */
#include "guest_proc.h"
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>

static void set_handler(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static int pending_has(int sig)
{
    sigset_t p;
    sigemptyset(&p);
    sigpending(&p);
    return sigismember(&p, sig);
}

/* A child that waits until the parent closes the write end of `gate`,
 * then exits with code. Returns its pid (the parent keeps gate[1]). */
static pid_t gated_child(int gate[2], int code)
{
    pid_t pid = xfork();
    if (pid == 0) {
        close(gate[1]);
        get_byte(gate[0]);
        _exit(code);
    }
    return pid;
}

/* Wait, without reaping, until pid is a zombie. */
static int wait_zombie(pid_t pid)
{
    siginfo_t si;
    int r;
    memset(&si, 0, sizeof si);
    while ((r = waitid(P_PID, pid, &si, WEXITED | WNOWAIT)) == -1 && errno == EINTR)
        ;
    return r == 0 && si.si_pid == pid;
}

/* --- how children end --- */
static void *exit_thread(void *arg)
{
    (void)arg;
    exit(9);
}

static void on_usr1_exit(int sig)
{
    (void)sig;
    _exit(7);
}

static void test_exit_codes(void)
{
    static const int codes[] = { 0, 3, 255, 256, -1 };
    int status;

    printf("== exit codes\n");
    for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        pid_t pid = xfork();
        if (pid == 0)
            exit(codes[i]);
        if (!forked(pid))
            continue;
        status = reap(pid);
        printf("exit(%d): ", codes[i]);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == (codes[i] & 0xff));
        CHECK(!WIFSIGNALED(status) && !WIFSTOPPED(status));
    }

    printf("== _exit from a signal handler\n");
    pid_t pid = xfork();
    if (pid == 0) {
        set_handler(SIGUSR1, on_usr1_exit, 0);
        kill(getpid(), SIGUSR1);
        _exit(99);
    }
    if (forked(pid)) {
        status = reap(pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
    }

    /* Repeated: the main thread is still leaving while the parent reaps
     * (lxemu once freed the process under it; TSan saw it). */
    printf("== exit() from a second thread ends the child\n");
    int good = 0;
    for (int i = 0; i < 20; i++) {
        pid = xfork();
        if (pid == 0) {
            pthread_t th;
            if (pthread_create(&th, NULL, exit_thread, NULL) == 0)
                for (;;)
                    pause();
            _exit(98);
        }
        if (forked(pid)) {
            status = reap(pid);
            good += WIFEXITED(status) && WEXITSTATUS(status) == 9;
        }
    }
    CHECK_EQ(good, 20);
}

/* How a child dies of its own signal. */
enum death { D_SEGV, D_ABORT, D_USR1 };

static void die(enum death how)
{
    prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);      /* never a core natively */
    signal(SIGSEGV, SIG_DFL);
    signal(SIGABRT, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
    switch (how) {
    case D_SEGV:
        *(volatile int *)16 = 1;
        break;
    case D_ABORT:
        abort();
    case D_USR1:
        kill(getpid(), SIGUSR1);
        break;
    }
    _exit(97);
}

static int death_status(enum death how)
{
    pid_t pid = xfork();
    if (pid == 0)
        die(how);
    if (!forked(pid))
        return -1;
    return reap(pid);
}

static void test_signal_deaths(void)
{
    int ready[2], status;
    struct rlimit rl, saved;

    printf("== killed by the parent\n");
    static const int sigs[] = { SIGTERM, SIGKILL, SIGINT };
    for (unsigned i = 0; i < sizeof sigs / sizeof sigs[0]; i++) {
        CHECK_EQ(pipe(ready), 0);
        pid_t pid = xfork();
        if (pid == 0) {
            signal(sigs[i], SIG_DFL);
            close(ready[0]);
            put_byte(ready[1], 'r');
            for (;;)
                pause();
        }
        close(ready[1]);
        if (forked(pid)) {
            CHECK(get_byte(ready[0]) == 'r');
            CHECK_EQ(kill(pid, sigs[i]), 0);
            status = reap(pid);
            printf("signal %d: ", sigs[i]);
            CHECK(WIFSIGNALED(status) && WTERMSIG(status) == sigs[i] && !WCOREDUMP(status));
            CHECK(!WIFEXITED(status));
        }
        close(ready[0]);
    }

    printf("== dies of its own signal, RLIMIT_CORE 0\n");
    CHECK_EQ(getrlimit(RLIMIT_CORE, &saved), 0);
    rl = saved;
    rl.rlim_cur = 0;
    CHECK_EQ(setrlimit(RLIMIT_CORE, &rl), 0);
    status = death_status(D_SEGV);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
    CHECK_EQ(WCOREDUMP(status), 0);
    status = death_status(D_ABORT);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    CHECK_EQ(WCOREDUMP(status), 0);
    status = death_status(D_USR1);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGUSR1);
    CHECK_EQ(WCOREDUMP(status), 0);

    /* A non-zero soft limit (run-diff.sh runs with a hard limit of 0: then
     * this repeats the case above). Undumpable: still no core. */
    printf("== dies of SIGSEGV and abort, non-zero RLIMIT_CORE if allowed, undumpable\n");
    rl.rlim_cur = saved.rlim_max == RLIM_INFINITY || saved.rlim_max >= (1 << 20) ? (1 << 20)
                                                                                  : saved.rlim_max;
    CHECK_EQ(setrlimit(RLIMIT_CORE, &rl), 0);
    status = death_status(D_SEGV);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV);
    CHECK_EQ(WCOREDUMP(status), 0);
    status = death_status(D_ABORT);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGABRT);
    CHECK_EQ(WCOREDUMP(status), 0);
    rl.rlim_cur = 0;
    CHECK_EQ(setrlimit(RLIMIT_CORE, &rl), 0);
}

/* --- waitpid --- */
static void test_waitpid(void)
{
    int gate[2], status;

    printf("== waitpid: WNOHANG, a given pid, any child, ECHILD\n");
    CHECK_ERR(waitpid(-1, &status, 0), ECHILD);
    CHECK_ERR(waitpid(-1, &status, WNOHANG), ECHILD);
    CHECK_ERR(waitpid(getpid(), &status, 0), ECHILD);
    CHECK_ERR(waitpid(getppid() > 0 ? getppid() : 1, &status, WNOHANG), ECHILD);
    CHECK_EQ(pipe(gate), 0);
    pid_t c1 = gated_child(gate, 11);
    pid_t c2 = xfork();
    if (c2 == 0)
        _exit(12);
    close(gate[0]);
    if (forked(c1) && forked(c2)) {
        CHECK(wait_zombie(c2));
        status = -1;
        CHECK_EQ(waitpid(c1, &status, WNOHANG), 0);    /* c2 is not c1 */
        CHECK_EQ(status, -1);                          /* untouched */
        close(gate[1]);
        status = reap(c1);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 11);
        CHECK_ERR(waitpid(c1, &status, WNOHANG), ECHILD);  /* reaped */
        pid_t r = waitpid(-1, &status, 0);
        CHECK(r == c2);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 12);
    } else {
        close(gate[1]);
        while (wait(NULL) > 0)
            ;
    }
    CHECK_ERR(waitpid(-1, &status, WNOHANG), ECHILD);

    printf("== waitpid(-1) takes every child once\n");
    pid_t kids[4];
    int seen[4] = { 0 }, n = 0;
    for (int i = 0; i < 4; i++) {
        kids[i] = xfork();
        if (kids[i] == 0)
            _exit(20 + i);
        n += forked(kids[i]);
    }
    int good = 0;
    for (int i = 0; i < n; i++) {
        pid_t r = waitpid(-1, &status, 0);
        for (int k = 0; k < 4; k++)
            if (r == kids[k] && !seen[k] && WIFEXITED(status) && WEXITSTATUS(status) == 20 + k) {
                seen[k] = 1;
                good++;
            }
    }
    CHECK_EQ(good, 4);
    CHECK_ERR(waitpid(-1, &status, 0), ECHILD);
    CHECK_ERR(wait(&status), ECHILD);
}

/* --- zombies --- */
static void test_zombie(void)
{
    int status;

    printf("== a zombie stays until it is reaped\n");
    pid_t pid = xfork();
    if (pid == 0)
        _exit(5);
    if (!forked(pid))
        return;
    CHECK(wait_zombie(pid));
    CHECK(wait_zombie(pid));                 /* WNOWAIT leaves it */
    CHECK_EQ(kill(pid, 0), 0);
    CHECK(getpgid(pid) == getpgrp());
    CHECK_EQ(kill(pid, SIGKILL), 0);         /* too late to change anything */
    status = reap(pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 5);
    CHECK_ERR(kill(pid, 0), ESRCH);
    CHECK_ERR(getpgid(pid), ESRCH);
    CHECK_ERR(waitpid(pid, &status, 0), ECHILD);
}

/* --- waitid --- */
static void test_waitid(void)
{
    siginfo_t si;
    int gate[2], status;

    printf("== waitid: siginfo for an exit\n");
    pid_t pid = xfork();
    if (pid == 0)
        _exit(42);
    if (forked(pid)) {
        memset(&si, 0x55, sizeof si);
        CHECK_EQ(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
        CHECK_EQ(si.si_signo, SIGCHLD);
        CHECK_EQ(si.si_code, CLD_EXITED);
        CHECK(si.si_pid == pid);
        CHECK(si.si_uid == getuid());
        CHECK_EQ(si.si_status, 42);
        CHECK_EQ(si.si_errno, 0);
        /* WNOWAIT left it: P_ALL sees it again and reaps it. */
        memset(&si, 0, sizeof si);
        CHECK_EQ(waitid(P_ALL, 0, &si, WEXITED), 0);
        CHECK(si.si_pid == pid);
        CHECK_EQ(si.si_code, CLD_EXITED);
        CHECK_EQ(si.si_status, 42);
        CHECK_ERR(waitid(P_PID, pid, &si, WEXITED), ECHILD);
    }

    printf("== waitid: WNOWAIT, then waitpid reaps\n");
    pid = xfork();
    if (pid == 0)
        _exit(43);
    if (forked(pid)) {
        CHECK_EQ(waitid(P_ALL, 0, &si, WEXITED | WNOWAIT), 0);
        CHECK(si.si_pid == pid);
        status = reap(pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 43);
    }

    printf("== waitid: WNOHANG with nothing ready\n");
    CHECK_EQ(pipe(gate), 0);
    pid = gated_child(gate, 44);
    close(gate[0]);
    if (forked(pid)) {
        memset(&si, 0x55, sizeof si);
        CHECK_EQ(waitid(P_PID, pid, &si, WEXITED | WNOHANG), 0);
        CHECK_EQ(si.si_pid, 0);
        CHECK_EQ(si.si_signo, 0);
        CHECK_EQ(si.si_code, 0);
        CHECK_EQ(si.si_status, 0);
        CHECK_ERR(waitid(P_PID, pid, &si, 0), EINVAL);
        CHECK_ERR(waitid(P_PID, pid, &si, WNOHANG), EINVAL);
        CHECK_ERR(waitid(7, pid, &si, WEXITED), EINVAL);
        close(gate[1]);
        struct rusage ru;
        memset(&si, 0, sizeof si);
        CHECK_EQ(syscall(SYS_waitid, P_PID, pid, &si, WEXITED, &ru), 0);
        CHECK(si.si_pid == pid);
        CHECK_EQ(si.si_status, 44);
    } else {
        close(gate[1]);
    }

    printf("== waitid: siginfo for a death\n");
    CHECK_EQ(pipe(gate), 0);
    pid = gated_child(gate, 45);
    close(gate[0]);
    if (forked(pid)) {
        CHECK_EQ(kill(pid, SIGTERM), 0);
        memset(&si, 0, sizeof si);
        CHECK_EQ(waitid(P_PID, pid, &si, WEXITED), 0);
        CHECK_EQ(si.si_signo, SIGCHLD);
        CHECK_EQ(si.si_code, CLD_KILLED);
        CHECK(si.si_pid == pid);
        CHECK_EQ(si.si_status, SIGTERM);
    }
    close(gate[1]);
    pid = xfork();
    if (pid == 0)
        die(D_SEGV);
    if (forked(pid)) {
        memset(&si, 0, sizeof si);
        CHECK_EQ(waitid(P_PID, pid, &si, WEXITED), 0);
        CHECK_EQ(si.si_code, CLD_KILLED);      /* undumpable: not CLD_DUMPED */
        CHECK_EQ(si.si_status, SIGSEGV);
    }
    CHECK_ERR(waitid(P_ALL, 0, &si, WEXITED | WNOHANG), ECHILD);
}

/* --- SIGCHLD --- */
static volatile int chld_runs, chld_signo, chld_code, chld_status;
static volatile pid_t chld_pid;

static void on_chld(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    chld_signo = sig;
    chld_code = si->si_code;
    chld_pid = si->si_pid;
    chld_status = si->si_status;
    chld_runs++;
}

static void set_chld(int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    chld_runs = chld_signo = chld_code = chld_status = 0;
    chld_pid = 0;
}

static void test_sigchld(void)
{
    int gate[2], status;
    sigset_t set;

    printf("== SIGCHLD with SA_SIGINFO\n");
    set_chld(0);
    pid_t pid = xfork();
    if (pid == 0)
        _exit(42);
    if (forked(pid)) {
        status = reap(pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 42);
        CHECK_EQ(chld_runs, 1);
        CHECK_EQ(chld_signo, SIGCHLD);
        CHECK_EQ(chld_code, CLD_EXITED);
        CHECK(chld_pid == pid);
        CHECK_EQ(chld_status, 42);
    }
    set_chld(0);
    CHECK_EQ(pipe(gate), 0);
    pid = gated_child(gate, 0);
    close(gate[0]);
    if (forked(pid)) {
        CHECK_EQ(kill(pid, SIGTERM), 0);
        status = reap(pid);
        CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM);
        CHECK_EQ(chld_runs, 1);
        CHECK_EQ(chld_code, CLD_KILLED);
        CHECK(chld_pid == pid);
        CHECK_EQ(chld_status, SIGTERM);
    }
    close(gate[1]);

    printf("== SIGCHLD blocked: still pending after the child is reaped\n");
    set_chld(0);
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, NULL);
    pid = xfork();
    if (pid == 0)
        _exit(1);
    if (forked(pid)) {
        status = reap(pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1);
        CHECK(pending_has(SIGCHLD));
        CHECK_EQ(chld_runs, 0);
        siginfo_t si;
        struct timespec zero = { 0, 0 };
        memset(&si, 0, sizeof si);
        CHECK_EQ(sigtimedwait(&set, &si, &zero), SIGCHLD);
        CHECK(si.si_pid == pid);
        CHECK_EQ(si.si_code, CLD_EXITED);
        CHECK_EQ(si.si_status, 1);
    }
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    CHECK_EQ(chld_runs, 0);
    set_handler(SIGCHLD, SIG_DFL, 0);
}

/* Two children, the second slower; with auto-reaping waitpid(-1) returns
 * ECHILD only once both are gone (the slow one sets *done first). */
static void auto_reap(const char *how, int use_handler)
{
    int gate[2], status;
    volatile int *done = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    printf("== %s: children reap themselves\n", how);
    CHECK(done != MAP_FAILED);
    *done = 0;
    CHECK_EQ(pipe(gate), 0);
    pid_t c1 = xfork();
    if (c1 == 0)
        _exit(1);
    pid_t c2 = xfork();
    if (c2 == 0) {
        close(gate[1]);
        get_byte(gate[0]);
        sleep_ms(50);
        *done = 1;
        _exit(2);
    }
    close(gate[0]);
    int ok = forked(c1) & forked(c2);
    close(gate[1]);
    if (ok) {
        pid_t r;
        while ((r = waitpid(-1, &status, 0)) == -1 && errno == EINTR)
            ;
        int err = errno;
        CHECK_EQ(r, -1);
        CHECK_EQ(err, ECHILD);
        CHECK_EQ(*done, 1);
        CHECK_ERR(waitpid(c1, &status, WNOHANG), ECHILD);
        CHECK_ERR(waitpid(c2, &status, 0), ECHILD);
        /* Released right after it is found dead: give it a moment. */
        int gone = 0;
        for (int i = 0; i < 200 && !gone; i++) {
            gone = kill(c2, 0) == -1 && errno == ESRCH;
            if (!gone)
                sleep_ms(10);
        }
        CHECK(gone);
        CHECK_ERR(kill(c1, 0), ESRCH);
        if (use_handler) {
            CHECK(chld_runs >= 1);
            CHECK(chld_code == CLD_EXITED && (chld_pid == c1 || chld_pid == c2));
        }
    }
    munmap((void *)done, 4096);
}

static void test_autoreap(void)
{
    int status;

    set_handler(SIGCHLD, SIG_IGN, 0);
    auto_reap("SIGCHLD ignored", 0);
    set_chld(SA_NOCLDWAIT);
    auto_reap("SA_NOCLDWAIT", 1);
    set_chld(SA_NOCLDWAIT | SA_RESTART);
    auto_reap("SA_NOCLDWAIT|SA_RESTART", 1);

    printf("== a zombie from before SIG_IGN is still reaped by wait\n");
    set_handler(SIGCHLD, SIG_DFL, 0);
    pid_t pid = xfork();
    if (pid == 0)
        _exit(6);
    if (forked(pid)) {
        CHECK(wait_zombie(pid));
        set_handler(SIGCHLD, SIG_IGN, 0);
        CHECK_EQ(kill(pid, 0), 0);
        status = reap(pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 6);
    }
    set_handler(SIGCHLD, SIG_DFL, 0);

    printf("== back to SIG_DFL: zombies again\n");
    pid = xfork();
    if (pid == 0)
        _exit(8);
    if (forked(pid)) {
        CHECK(wait_zombie(pid));
        status = reap(pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 8);
    }
}

/* --- wait4 and rusage --- */
static void test_wait4(void)
{
    struct rusage ru;
    int status;

    printf("== wait4 with rusage\n");
    pid_t pid = xfork();
    if (pid == 0)
        _exit(4);
    if (forked(pid)) {
        memset(&ru, 0, sizeof ru);
        CHECK(wait4(pid, &status, 0, &ru) == pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 4);
    }
    pid = xfork();
    if (pid == 0)
        _exit(0);
    if (forked(pid)) {
        CHECK(wait4(-1, NULL, 0, &ru) == pid);
    }
    CHECK_ERR(wait4(-1, &status, WNOHANG, &ru), ECHILD);
    CHECK_EQ(getrusage(RUSAGE_CHILDREN, &ru), 0);
    CHECK_EQ(getrusage(RUSAGE_SELF, &ru), 0);
}

/* --- mode `stop`: stopped and continued children --- */
static void wait_runs(int n)
{
    sigset_t none;
    sigemptyset(&none);
    while (chld_runs < n)
        sigsuspend(&none);
}

static int mode_stop(void)
{
    int gate[2], status;
    siginfo_t si;
    sigset_t set;

    printf("== a child stops and continues\n");
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, NULL);
    set_chld(SA_RESTART);
    CHECK_EQ(pipe(gate), 0);
    /*
     * The child has a process group of its own, whose parent (this process)
     * is in another group of the session: never orphaned, so SIGTSTP stops
     * it (Linux discards it in an orphaned group, as this test's own group
     * may be when the suite runs detached).
     */
    pid_t pid = xfork();
    if (pid == 0) {
        setpgid(0, 0);
        close(gate[1]);
        raise(SIGSTOP);
        get_byte(gate[0]);
        _exit(3);
    }
    close(gate[0]);
    if (pid > 0)
        setpgid(pid, pid); /* either call makes the group: a shell's way */
    if (forked(pid)) {
        CHECK(waitpid(pid, &status, WUNTRACED) == pid);
        CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
        CHECK(!WIFEXITED(status) && !WIFSIGNALED(status));
        wait_runs(1);
        CHECK_EQ(chld_code, CLD_STOPPED);
        CHECK(chld_pid == pid);
        CHECK_EQ(chld_status, SIGSTOP);
        CHECK_EQ(waitpid(pid, &status, WUNTRACED | WNOHANG), 0);   /* reported once */
        CHECK_EQ(kill(pid, SIGCONT), 0);
        CHECK(waitpid(pid, &status, WCONTINUED) == pid);
        CHECK(WIFCONTINUED(status));
        wait_runs(2);
        CHECK_EQ(chld_code, CLD_CONTINUED);
        CHECK_EQ(chld_status, SIGCONT);

        /* Stopped by the parent; seen through waitid. */
        CHECK_EQ(kill(pid, SIGTSTP), 0);
        memset(&si, 0, sizeof si);
        CHECK_EQ(waitid(P_PID, pid, &si, WSTOPPED | WNOWAIT), 0);
        CHECK_EQ(si.si_code, CLD_STOPPED);
        CHECK_EQ(si.si_status, SIGTSTP);
        CHECK(waitpid(pid, &status, WUNTRACED) == pid);
        CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGTSTP);
        wait_runs(3);
        CHECK_EQ(chld_code, CLD_STOPPED);
        CHECK_EQ(kill(pid, SIGCONT), 0);
        memset(&si, 0, sizeof si);
        CHECK_EQ(waitid(P_PID, pid, &si, WCONTINUED), 0);
        CHECK_EQ(si.si_code, CLD_CONTINUED);
        CHECK_EQ(si.si_status, SIGCONT);
        wait_runs(4);
        CHECK_EQ(chld_code, CLD_CONTINUED);

        /* SA_NOCLDSTOP: no SIGCHLD for stops (nor, on Linux, continues). */
        set_chld(SA_RESTART | SA_NOCLDSTOP);
        CHECK_EQ(kill(pid, SIGSTOP), 0);
        CHECK(waitpid(pid, &status, WUNTRACED) == pid);
        CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP);
        CHECK_EQ(kill(pid, SIGCONT), 0);
        CHECK(waitpid(pid, &status, WCONTINUED) == pid);
        CHECK(WIFCONTINUED(status));
        close(gate[1]);
        wait_runs(1);                        /* the exit's */
        CHECK_EQ(chld_code, CLD_EXITED);
        CHECK_EQ(chld_runs, 1);
        status = reap(pid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 3);
    } else {
        close(gate[1]);
    }
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    set_handler(SIGCHLD, SIG_DFL, 0);
    return guest_done();
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGCHLD, SIG_DFL);
    alarm(60);                      /* a hang fails rather than blocks */
    if (argc > 1 && !strcmp(argv[1], "stop"))
        return mode_stop();
    test_exit_codes();
    test_signal_deaths();
    test_waitpid();
    test_zombie();
    test_waitid();
    test_sigchld();
    test_autoreap();
    test_wait4();
    return guest_done();
}
