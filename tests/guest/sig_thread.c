/* sig_thread.c: signals and threads. Checks that a fault in a side thread
 * runs the handler in that thread; that a process-directed signal (kill)
 * runs its handler in the one thread that does not block it; that
 * pthread_kill and tgkill reach their target; that a new thread inherits its
 * creator's mask; that a process-directed signal every thread blocks stays
 * pending (seen by sigpending in each thread) until a thread unblocks it, and
 * that thread runs the handler before pthread_sigmask returns; that
 * sigwaitinfo in one thread takes a signal all threads block; and that a
 * read() on an empty pipe is interrupted (EINTR) by a handler installed
 * without SA_RESTART and restarted with it. Handlers record gettid(); main
 * compares tids and prints only the results. */
#include "guest.h"
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <setjmp.h>
#include <signal.h>
#include <time.h>

static long gettid_raw(void)
{
    return syscall(SYS_gettid);
}

static volatile long handler_tid;
static volatile int handler_runs;
static sem_t handled;

static void on_sig(int sig)
{
    (void)sig;
    handler_tid = gettid_raw();
    __atomic_add_fetch(&handler_runs, 1, __ATOMIC_SEQ_CST);
    sem_post(&handled);
}

static void set_handler(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void mask(int how, int sig)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    pthread_sigmask(how, &s, NULL);
}

static int pending_has(int sig)
{
    sigset_t p;
    sigemptyset(&p);
    sigpending(&p);
    return sigismember(&p, sig);
}

/* --- a fault in a side thread --- */
static __thread sigjmp_buf fpe_env;
static volatile int zero;

static void on_fpe(int sig)
{
    (void)sig;
    handler_tid = gettid_raw();
    siglongjmp(fpe_env, 1);
}

static void *fpe_thread(void *p)
{
    long *tid = p;
    *tid = gettid_raw();
    if (!sigsetjmp(fpe_env, 1))
        *tid += 1000000 * (7 / zero);   /* faults */
    return NULL;
}

static void test_fault(void)
{
    pthread_t th;
    long tid = 0;

    printf("== a fault in a side thread\n");
    set_handler(SIGFPE, on_fpe, 0);
    handler_tid = 0;
    CHECK_EQ(pthread_create(&th, NULL, fpe_thread, &tid), 0);
    CHECK_EQ(pthread_join(th, NULL), 0);
    CHECK(tid != 0 && handler_tid == tid && tid != gettid_raw());
}

/* --- workers that wait on a semaphore and run requests --- */
struct worker {
    pthread_t th;
    long tid;
    sem_t go, done;
    void (*op)(struct worker *);
    int arg, ret, err;
    sigset_t set;
};

static void *worker_main(void *p)
{
    struct worker *w = p;
    w->tid = gettid_raw();
    sem_post(&w->done);
    for (;;) {
        while (sem_wait(&w->go) == -1)
            ;                       /* EINTR: a handler ran in this thread */
        if (!w->op)
            return NULL;
        w->op(w);
        sem_post(&w->done);
    }
}

static void start(struct worker *w)
{
    sem_init(&w->go, 0, 0);
    sem_init(&w->done, 0, 0);
    pthread_create(&w->th, NULL, worker_main, w);
    sem_wait(&w->done);
}

static void run(struct worker *w, void (*op)(struct worker *), int arg)
{
    w->op = op;
    w->arg = arg;
    sem_post(&w->go);
    while (sem_wait(&w->done) == -1)
        ;
}

static void stop(struct worker *w)
{
    w->op = NULL;
    sem_post(&w->go);
    pthread_join(w->th, NULL);
}

static void op_block(struct worker *w) { mask(SIG_BLOCK, w->arg); }
static void op_unblock(struct worker *w) { mask(SIG_UNBLOCK, w->arg); }
static void op_getmask(struct worker *w) { pthread_sigmask(SIG_BLOCK, NULL, &w->set); }
static void op_pending(struct worker *w) { w->ret = pending_has(w->arg); }
static void op_sigwait(struct worker *w)
{
    siginfo_t si;
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, w->arg);
    w->ret = sigwaitinfo(&s, &si);
    w->err = si.si_value.sival_int * 100 + (si.si_code == SI_QUEUE);
}

static void test_routing(void)
{
    struct worker a, b;

    printf("== kill() runs the handler in the one thread that does not block it\n");
    set_handler(SIGINT, on_sig, 0);
    set_handler(SIGUSR1, on_sig, 0);
    sem_init(&handled, 0, 0);
    mask(SIG_BLOCK, SIGINT);                /* main and a (inherited) block it */
    start(&a);
    mask(SIG_UNBLOCK, SIGINT);
    start(&b);
    mask(SIG_BLOCK, SIGINT);
    int all = 1;
    for (int i = 0; i < 8; i++) {
        handler_tid = 0;
        kill(getpid(), SIGINT);
        while (sem_wait(&handled) == -1)
            ;
        all &= handler_tid == b.tid;
    }
    CHECK(all && handler_runs == 8);

    printf("== pthread_kill and tgkill reach their target\n");
    handler_tid = 0;
    CHECK_EQ(pthread_kill(a.th, SIGUSR1), 0);
    while (sem_wait(&handled) == -1)
        ;
    CHECK(handler_tid == a.tid);
    CHECK_EQ(syscall(SYS_tgkill, getpid(), b.tid, SIGUSR1), 0);
    while (sem_wait(&handled) == -1)
        ;
    CHECK(handler_tid == b.tid);
    CHECK_EQ(pthread_kill(pthread_self(), SIGUSR1), 0);   /* runs at once */
    CHECK(handler_tid == gettid_raw());
    while (sem_wait(&handled) == -1)
        ;

    printf("== a new thread inherits its creator's mask\n");
    run(&a, op_getmask, 0);
    CHECK(sigismember(&a.set, SIGINT) && !sigismember(&a.set, SIGUSR2));
    run(&b, op_getmask, 0);
    CHECK(!sigismember(&b.set, SIGINT));

    printf("== a signal every thread blocks stays pending for the process\n");
    set_handler(SIGUSR2, on_sig, 0);
    mask(SIG_BLOCK, SIGUSR2);
    run(&a, op_block, SIGUSR2);
    run(&b, op_block, SIGUSR2);
    handler_runs = 0;
    CHECK_EQ(kill(getpid(), SIGUSR2), 0);
    sleep_ms(20);
    CHECK(handler_runs == 0 && pending_has(SIGUSR2));
    run(&a, op_pending, SIGUSR2);
    CHECK(a.ret == 1);
    run(&b, op_pending, SIGUSR2);
    CHECK(b.ret == 1);
    handler_tid = 0;
    run(&a, op_unblock, SIGUSR2);           /* delivered inside a's pthread_sigmask */
    CHECK(handler_runs == 1 && handler_tid == a.tid);
    CHECK(!pending_has(SIGUSR2));
    while (sem_wait(&handled) == -1)
        ;

    printf("== sigwaitinfo in one thread takes a signal all threads block\n");
    int rt = SIGRTMIN;
    mask(SIG_BLOCK, rt);
    run(&a, op_block, rt);
    run(&b, op_block, rt);
    union sigval v = { .sival_int = 7 };
    CHECK_EQ(sigqueue(getpid(), rt, v), 0);
    run(&b, op_sigwait, rt);
    CHECK(b.ret == rt && b.err == 701);
    CHECK(!pending_has(rt));
    stop(&a);
    stop(&b);
    mask(SIG_UNBLOCK, SIGINT);
    mask(SIG_UNBLOCK, SIGUSR2);
}

/* --- read() on a pipe interrupted in a side thread --- */
static int pipefd[2];
static volatile int reader_done, reader_in_read;
static struct { long ret; int err; char c; } rd;

static void *reader(void *p)
{
    (void)p;
    reader_in_read = 1;
    rd.ret = read(pipefd[0], &rd.c, 1);
    rd.err = errno;
    __atomic_store_n(&reader_done, 1, __ATOMIC_SEQ_CST);
    return NULL;
}

static void test_read(int restart)
{
    pthread_t th;

    printf("== read() in a thread, handler %s SA_RESTART\n", restart ? "with" : "without");
    set_handler(SIGUSR1, on_sig, restart ? SA_RESTART : 0);
    CHECK_EQ(pipe(pipefd), 0);
    reader_done = reader_in_read = 0;
    handler_runs = 0;
    memset(&rd, 0, sizeof rd);
    pthread_create(&th, NULL, reader, NULL);
    while (!reader_in_read)
        sched_yield();
    if (!restart) {
        /* Signal until the read returns (the first may land before it blocks). */
        for (int i = 0; i < 500 && !__atomic_load_n(&reader_done, __ATOMIC_SEQ_CST); i++) {
            sleep_ms(20);
            pthread_kill(th, SIGUSR1);
        }
        pthread_join(th, NULL);
        CHECK(rd.ret == -1 && rd.err == EINTR && handler_runs >= 1);
    } else {
        sleep_ms(50);
        pthread_kill(th, SIGUSR1);
        while (sem_wait(&handled) == -1)
            ;
        sleep_ms(20);
        CHECK(!__atomic_load_n(&reader_done, __ATOMIC_SEQ_CST));  /* still reading */
        CHECK_EQ(write(pipefd[1], "x", 1), 1);
        pthread_join(th, NULL);
        CHECK(rd.ret == 1 && rd.c == 'x' && handler_runs == 1);
    }
    while (sem_trywait(&handled) == 0)
        ;
    close(pipefd[0]);
    close(pipefd[1]);
}

int main(void)
{
    test_fault();
    test_routing();
    test_read(0);
    test_read(1);
    return guest_done();
}
