/* thr_signal.c: thread-directed signals (tgkill, tkill) with default actions
 * and blocking only, no handlers. `thr_signal` checks the errors, that a
 * signal sent to a thread which blocks it stays pending on that thread (the
 * process lives on), that an ignored one is discarded, and that setting
 * SIG_IGN discards a pending one. `thr_signal unblock`: the thread unblocks
 * its pending SIGUSR1 and the whole process dies of it (`unblock-efault`: the
 * same, though rt_sigprocmask cannot store the old mask). `thr_signal other`:
 * a thread sends SIGUSR1 to the main thread, which does not block it: the
 * process dies. Output comes from the main thread, flushed before any death. */
#include "guest.h"
#include <limits.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>

static long tgkill_raw(long tgid, long tid, int sig)
{
    return syscall(SYS_tgkill, tgid, tid, sig);
}

static long tkill_raw(long tid, int sig)
{
    return syscall(SYS_tkill, tid, sig);
}

static long gettid_raw(void)
{
    return syscall(SYS_gettid);
}

/* The thread under test: each request from main is one step. */
enum op { OP_BLOCK, OP_UNBLOCK, OP_UNBLOCK_EFAULT, OP_PENDING, OP_KILL_MAIN, OP_EXIT };

static struct {
    pthread_t th;
    sem_t go, done;
    long tid, main_tid;
    enum op op;
    int sig;
    sigset_t pending;   /* out for OP_PENDING */
    long ret;
} w;

static void worker_do(void)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, w.sig);
    switch (w.op) {
    case OP_BLOCK:
        w.ret = pthread_sigmask(SIG_BLOCK, &set, NULL);
        break;
    case OP_UNBLOCK:
        w.ret = pthread_sigmask(SIG_UNBLOCK, &set, NULL);
        if (w.sig == SIGUSR1) /* only reached if SIGUSR1 was not pending */
            write(1, "FAIL survived the unblock\n", 26);
        break;
    case OP_UNBLOCK_EFAULT: /* the old mask cannot be stored, the new one still holds */
        w.ret = syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &set, (void *)1, 8);
        write(1, "FAIL survived the unblock\n", 26);
        break;
    case OP_PENDING:
        sigemptyset(&w.pending);
        w.ret = sigpending(&w.pending);
        break;
    case OP_KILL_MAIN:
        w.ret = tgkill_raw(getpid(), w.main_tid, SIGUSR1);
        break;
    default:
        break;
    }
}

static void *worker_main(void *p)
{
    (void)p;
    w.tid = gettid_raw();
    sem_post(&w.done);
    for (;;) {
        sem_wait(&w.go);
        if (w.op == OP_EXIT)
            return NULL;
        worker_do();
        sem_post(&w.done);
    }
}

static long run(enum op op, int sig)
{
    w.op = op;
    w.sig = sig;
    sem_post(&w.go);
    sem_wait(&w.done);
    return w.ret;
}

static void start(void)
{
    w.main_tid = gettid_raw();
    sem_init(&w.go, 0, 0);
    sem_init(&w.done, 0, 0);
    CHECK_EQ(pthread_create(&w.th, NULL, worker_main, NULL), 0);
    sem_wait(&w.done);
}

/* Whether sig is pending for the worker thread. */
static int worker_pending(int sig)
{
    return run(OP_PENDING, 0) == 0 && sigismember(&w.pending, sig);
}

static int main_pending(int sig)
{
    sigset_t set;
    sigemptyset(&set);
    return sigpending(&set) == 0 && sigismember(&set, sig);
}

static void test_errors(void)
{
    long pid = getpid(), me = gettid_raw();

    printf("== errors\n");
    CHECK_EQ(tgkill_raw(pid, me, 0), 0);
    CHECK_EQ(tgkill_raw(pid, w.tid, 0), 0);
    CHECK_EQ(tkill_raw(w.tid, 0), 0);
    CHECK_ERR(tgkill_raw(pid, INT_MAX, SIGUSR1), ESRCH);
    CHECK_ERR(tgkill_raw(pid, INT_MAX, 0), ESRCH);
    CHECK_ERR(tgkill_raw(pid, INT_MAX, 99), ESRCH);  /* no task before a bad signal */
    CHECK_ERR(tgkill_raw(w.tid, w.tid, 0), ESRCH);   /* a tid that is not the tgid */
    CHECK_ERR(tgkill_raw(w.tid, w.tid, 99), ESRCH);
    CHECK_ERR(tgkill_raw(INT_MAX, me, 0), ESRCH);
    CHECK_ERR(tgkill_raw(pid, w.tid, 99), EINVAL);
    CHECK_ERR(tgkill_raw(pid, w.tid, -1), EINVAL);
    CHECK_ERR(tgkill_raw(pid, w.tid, 65), EINVAL);
    CHECK_ERR(tgkill_raw(0, w.tid, 0), EINVAL);
    CHECK_ERR(tgkill_raw(-1, w.tid, 0), EINVAL);
    CHECK_ERR(tgkill_raw(pid, 0, 0), EINVAL);
    CHECK_ERR(tgkill_raw(pid, -1, 0), EINVAL);
    CHECK_ERR(tkill_raw(0, 0), EINVAL);
    CHECK_ERR(tkill_raw(-5, 0), EINVAL);
    CHECK_ERR(tkill_raw(INT_MAX, 0), ESRCH);
    CHECK_ERR(tkill_raw(INT_MAX, 99), ESRCH);
    CHECK_ERR(tkill_raw(w.tid, 99), EINVAL);
    CHECK_EQ(kill(pid, 0), 0);
    CHECK_ERR(kill(INT_MAX, 0), ESRCH);
    CHECK_ERR(kill(pid, 99), EINVAL);
}

static void test_blocked(void)
{
    long pid = getpid();

    printf("== a blocked signal stays pending on its thread\n");
    CHECK_EQ(run(OP_BLOCK, SIGUSR1), 0);
    CHECK_EQ(run(OP_BLOCK, SIGTERM), 0);
    CHECK(!worker_pending(SIGUSR1));
    CHECK_EQ(tgkill_raw(pid, w.tid, SIGUSR1), 0);
    printf("main runs on after tgkill\n");
    CHECK(worker_pending(SIGUSR1));
    CHECK(!main_pending(SIGUSR1));
    CHECK_EQ(tkill_raw(w.tid, SIGUSR1), 0);         /* a second one merges */
    CHECK_EQ(tkill_raw(w.tid, SIGTERM), 0);
    printf("main runs on after tkill\n");
    CHECK(worker_pending(SIGUSR1) && worker_pending(SIGTERM));
    CHECK_EQ(tgkill_raw(pid, w.tid, 0), 0);          /* the thread lives */

    printf("== ignored signals\n");
    CHECK_EQ(tgkill_raw(pid, w.tid, SIGCHLD), 0);    /* not blocked, default ignore: gone */
    CHECK_EQ(tgkill_raw(pid, w.tid, SIGWINCH), 0);
    CHECK(!worker_pending(SIGCHLD) && !worker_pending(SIGWINCH));
    CHECK_EQ(run(OP_BLOCK, SIGCHLD), 0);             /* blocked: kept, though ignored */
    CHECK_EQ(tgkill_raw(pid, w.tid, SIGCHLD), 0);
    CHECK(worker_pending(SIGCHLD));
    CHECK_EQ(run(OP_UNBLOCK, SIGCHLD), 0);           /* unblocked: discarded */
    CHECK(!worker_pending(SIGCHLD));

    /* Setting SIG_IGN discards a pending signal; SIG_DFL then finds none. */
    CHECK_EQ(run(OP_BLOCK, SIGUSR2), 0);
    CHECK_EQ(tgkill_raw(pid, w.tid, SIGUSR2), 0);
    CHECK(worker_pending(SIGUSR2));
    CHECK(signal(SIGUSR2, SIG_IGN) != SIG_ERR);
    CHECK(!worker_pending(SIGUSR2));
    CHECK_EQ(tgkill_raw(pid, w.tid, SIGUSR2), 0);    /* blocked: kept, though ignored */
    CHECK(worker_pending(SIGUSR2));
    CHECK(signal(SIGUSR2, SIG_DFL) != SIG_ERR);
    CHECK(worker_pending(SIGUSR2));                  /* SIG_DFL kills: not discarded */
    CHECK(signal(SIGUSR2, SIG_IGN) != SIG_ERR);
    CHECK(!worker_pending(SIGUSR2));
    CHECK(signal(SIGUSR2, SIG_DFL) != SIG_ERR);
    CHECK_EQ(run(OP_UNBLOCK, SIGUSR2), 0);           /* nothing left to kill us */
    CHECK(worker_pending(SIGUSR1) && worker_pending(SIGTERM));
}

/* Main prints and flushes, then the worker does op and the process dies of SIGUSR1. */
static int die_by(enum op op, int sig)
{
    printf("== the process dies of SIGUSR1\n");
    fflush(stdout);
    w.op = op;
    w.sig = sig;
    sem_post(&w.go);
    pthread_join(w.th, NULL);
    printf("FAIL main survived\n");
    return 1;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";

    start();
    if (!strcmp(mode, "other"))
        return die_by(OP_KILL_MAIN, SIGUSR1);
    test_errors();
    test_blocked();
    if (!strcmp(mode, "unblock"))
        return die_by(OP_UNBLOCK, SIGUSR1);
    if (!strcmp(mode, "unblock-efault"))
        return die_by(OP_UNBLOCK_EFAULT, SIGUSR1);
    /* The pending signals end with the thread. */
    w.op = OP_EXIT;
    sem_post(&w.go);
    CHECK_EQ(pthread_join(w.th, NULL), 0);
    CHECK(!main_pending(SIGUSR1) && !main_pending(SIGTERM));
    return guest_done();
}
