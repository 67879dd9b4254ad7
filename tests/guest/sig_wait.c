/* sig_wait.c: waiting for signals, and system calls interrupted by handlers.
 * rt_sigsuspend (the handler runs with the temporary mask, uc_sigmask holds
 * the original one, -1 EINTR, the mask restored), pause, sigtimedwait (a
 * timeout gives EAGAIN after the time, a pending signal returns at once
 * with its siginfo), sigwaitinfo taking standard then rt signals in order.
 * Then SA_RESTART against EINTR, as Linux decides per call: read on an
 * empty pipe (EINTR without SA_RESTART, restarted with it), nanosleep and
 * clock_nanosleep (always EINTR with the time left), FUTEX_WAIT (restarted
 * with SA_RESTART unless it has a timeout), rt_sigtimedwait and pause
 * (always EINTR). The signals come from a helper thread (pthread_kill of
 * the main thread); where the first one may arrive before main blocks, the
 * helper repeats it until main's call returns, so results never depend on
 * timing. */
#include "guest.h"
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <time.h>
#include <ucontext.h>

/* <linux/futex.h> is not in musl-gcc's include path */
#define FUTEX_WAIT_PRIVATE 128
#define FUTEX_WAKE_PRIVATE 129

static pthread_t main_th;
static volatile int runs;
static sigset_t h_mask, h_ucmask;
static int h_val, h_code;
static sem_t handled;

static void on_sig(int sig, siginfo_t *si, void *ucv)
{
    (void)sig;
    sigprocmask(SIG_BLOCK, NULL, &h_mask);
    h_ucmask = ((ucontext_t *)ucv)->uc_sigmask;
    h_val = si->si_value.sival_int;
    h_code = si->si_code;
    __atomic_add_fetch(&runs, 1, __ATOMIC_SEQ_CST);
    sem_post(&handled);
}

static void set_handler(int sig, int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sig;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void drain(void)
{
    while (sem_trywait(&handled) == 0)
        ;
    runs = 0;
}

/* The helper: after 50 ms, sends `sig` to main. REPEAT: again every 20 ms
 * until main is done. ONCE_THEN: once, then (after the handler ran and 20 ms
 * more) calls then() repeatedly until main is done. */
static struct {
    pthread_t th;
    int sig;
    void (*then)(void);
    volatile int done;
} helper;

static void *helper_main(void *p)
{
    (void)p;
    sleep_ms(50);
    if (!helper.then) {
        while (!__atomic_load_n(&helper.done, __ATOMIC_SEQ_CST)) {
            pthread_kill(main_th, helper.sig);
            sleep_ms(20);
        }
        return NULL;
    }
    pthread_kill(main_th, helper.sig);
    while (sem_wait(&handled) == -1)
        ;
    sleep_ms(20);
    while (!__atomic_load_n(&helper.done, __ATOMIC_SEQ_CST)) {
        helper.then();
        sleep_ms(20);
    }
    return NULL;
}

static void helper_start(int sig, void (*then)(void))
{
    drain();
    helper.sig = sig;
    helper.then = then;
    helper.done = 0;
    pthread_create(&helper.th, NULL, helper_main, NULL);
}

static void helper_stop(void)
{
    __atomic_store_n(&helper.done, 1, __ATOMIC_SEQ_CST);
    pthread_join(helper.th, NULL);
}

static sigset_t set_of(int a, int b)
{
    sigset_t s;
    sigemptyset(&s);
    if (a)
        sigaddset(&s, a);
    if (b)
        sigaddset(&s, b);
    return s;
}

static void test_suspend(void)
{
    sigset_t s, old, m;

    printf("== sigsuspend\n");
    set_handler(SIGUSR1, 0);
    s = set_of(SIGUSR1, SIGUSR2);
    sigprocmask(SIG_BLOCK, &s, &old);
    drain();
    raise(SIGUSR1);                                   /* pending */
    sigemptyset(&s);
    CHECK_ERR(sigsuspend(&s), EINTR);
    CHECK(runs == 1);
    CHECK(sigismember(&h_mask, SIGUSR1) && !sigismember(&h_mask, SIGUSR2));
    CHECK(sigismember(&h_ucmask, SIGUSR1) && sigismember(&h_ucmask, SIGUSR2));
    sigprocmask(SIG_BLOCK, NULL, &m);
    CHECK(sigismember(&m, SIGUSR1) && sigismember(&m, SIGUSR2));
    helper_start(SIGUSR1, NULL);                      /* from another thread */
    CHECK_ERR(sigsuspend(&s), EINTR);
    helper_stop();
    CHECK(runs >= 1);
    sigprocmask(SIG_SETMASK, &old, NULL);

    printf("== pause\n");
    set_handler(SIGUSR1, SA_RESTART);
    helper_start(SIGUSR1, NULL);
    CHECK_ERR(pause(), EINTR);
    helper_stop();
    CHECK(runs >= 1);
}

static void test_sigwait(void)
{
    sigset_t s, old;
    siginfo_t si;
    struct timespec ts = { 0, 50 * 1000000L }, zero = { 0, 0 };
    union sigval v;
    int rt1 = SIGRTMIN + 1, rt2 = SIGRTMIN + 2;

    printf("== sigtimedwait\n");
    s = set_of(SIGUSR1, 0);
    sigprocmask(SIG_BLOCK, &s, &old);
    CHECK_ERR(sigtimedwait(&s, &si, &zero), EAGAIN);
    double t0 = now_ms();
    CHECK_ERR(sigtimedwait(&s, &si, &ts), EAGAIN);
    double dt = now_ms() - t0;
    CHECK(dt >= 49 && dt < 5000);
    v.sival_int = 9;
    CHECK_EQ(sigqueue(getpid(), SIGUSR1, v), 0);
    memset(&si, 0, sizeof si);
    CHECK_EQ(sigtimedwait(&s, &si, &ts), SIGUSR1);
    CHECK(si.si_signo == SIGUSR1 && si.si_code == SI_QUEUE && si.si_value.sival_int == 9);
    CHECK(si.si_pid == getpid() && si.si_uid == getuid());
    CHECK_ERR(sigtimedwait(&s, &si, &zero), EAGAIN);   /* taken */
    sigprocmask(SIG_SETMASK, &old, NULL);

    printf("== sigwaitinfo: standard signals first, rt ones in order\n");
    s = set_of(rt1, rt2);
    sigaddset(&s, SIGUSR2);
    sigprocmask(SIG_BLOCK, &s, &old);
    v.sival_int = 2;
    sigqueue(getpid(), rt2, v);
    v.sival_int = 10;
    sigqueue(getpid(), rt1, v);
    v.sival_int = 11;
    sigqueue(getpid(), rt1, v);
    kill(getpid(), SIGUSR2);
    int got[4], val[4];
    for (int i = 0; i < 4; i++) {
        memset(&si, 0, sizeof si);
        got[i] = sigwaitinfo(&s, &si);
        val[i] = si.si_value.sival_int;
    }
    CHECK(got[0] == SIGUSR2 && got[1] == rt1 && got[2] == rt1 && got[3] == rt2);
    CHECK(val[1] == 10 && val[2] == 11 && val[3] == 2);
    sigprocmask(SIG_SETMASK, &old, NULL);

    printf("== sigqueue to self\n");
    set_handler(rt1, 0);
    drain();
    v.sival_int = 123;
    CHECK_EQ(sigqueue(getpid(), rt1, v), 0);
    CHECK(runs == 1 && h_val == 123 && h_code == SI_QUEUE);
}

static int pipefd[2];
static void write_byte(void)
{
    write(pipefd[1], "y", 1);
}

static int futex_word;
static void futex_wake(void)
{
    syscall(SYS_futex, &futex_word, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

static void test_restart(void)
{
    char c = 0;

    printf("== read on an empty pipe\n");
    CHECK_EQ(pipe(pipefd), 0);
    set_handler(SIGUSR1, 0);
    helper_start(SIGUSR1, NULL);
    CHECK_ERR(read(pipefd[0], &c, 1), EINTR);
    helper_stop();
    set_handler(SIGUSR1, SA_RESTART);
    helper_start(SIGUSR1, write_byte);
    CHECK_EQ(read(pipefd[0], &c, 1), 1);
    helper_stop();
    CHECK(c == 'y' && runs == 1);
    close(pipefd[0]);
    close(pipefd[1]);

    printf("== nanosleep and clock_nanosleep: EINTR even with SA_RESTART\n");
    struct timespec req = { 5, 0 }, rem = { 0, 0 };
    helper_start(SIGUSR1, NULL);
    CHECK_ERR(nanosleep(&req, &rem), EINTR);
    helper_stop();
    CHECK(rem.tv_sec < 5 && (rem.tv_sec > 0 || rem.tv_nsec > 0));
    helper_start(SIGUSR1, NULL);
    rem = (struct timespec){ 0, 0 };
    CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &req, &rem), EINTR);
    helper_stop();
    CHECK(rem.tv_sec < 5 && (rem.tv_sec > 0 || rem.tv_nsec > 0));
    struct timespec abs;
    clock_gettime(CLOCK_MONOTONIC, &abs);
    abs.tv_sec += 5;
    helper_start(SIGUSR1, NULL);
    CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL), EINTR);
    helper_stop();

    printf("== FUTEX_WAIT\n");
    set_handler(SIGUSR1, 0);
    helper_start(SIGUSR1, NULL);
    CHECK_ERR(syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), EINTR);
    helper_stop();
    set_handler(SIGUSR1, SA_RESTART);                 /* no timeout: restarted */
    helper_start(SIGUSR1, futex_wake);
    CHECK_EQ(syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, NULL, NULL, 0), 0);
    helper_stop();
    CHECK(runs == 1);
    helper_start(SIGUSR1, NULL);                      /* a timeout: EINTR */
    CHECK_ERR(syscall(SYS_futex, &futex_word, FUTEX_WAIT_PRIVATE, 0, &req, NULL, 0), EINTR);
    helper_stop();

    printf("== sigtimedwait interrupted by another signal\n");
    sigset_t s = set_of(SIGUSR2, 0), old;
    sigprocmask(SIG_BLOCK, &s, &old);
    siginfo_t si;
    helper_start(SIGUSR1, NULL);
    /* (raw: musl's sigtimedwait retries on EINTR) */
    CHECK_ERR(syscall(SYS_rt_sigtimedwait, &s, &si, &req, 8), EINTR);
    helper_stop();
    CHECK(runs >= 1);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

int main(void)
{
    main_th = pthread_self();
    sem_init(&handled, 0, 0);
    test_suspend();
    test_sigwait();
    test_restart();
    return guest_done();
}
