/* sig_timer.c: timers that send signals. alarm (fires; alarm(0) cancels and
 * returns the seconds left, rounded up as Linux rounds), setitimer and
 * getitimer (ITIMER_REAL one-shot and periodic, old values, the CPU-time
 * timers, EINVAL), POSIX timers through the raw calls (ids, SIGEV_SIGNAL with
 * sival, the NULL sigevent, SIGEV_NONE, SIGEV_THREAD_ID at a side thread,
 * TIMER_ABSTIME on two clocks, a CPU-clock timer, timer_gettime,
 * timer_delete, EINVAL), and a timer breaking a blocked pipe read (EINTR).
 * Timers are 20-50 ms and every wait is a sigsuspend loop, so a loaded
 * machine only makes it slower. */
#include "guest.h"
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <sys/time.h>

#define MS 1000000L

/* struct sigevent as the kernel reads it (libcs name the tid field differently). */
struct ksigevent {
    union sigval value;
    int signo;
    int notify;
    int tid;
    int pad[11];
};

struct kitimerspec {
    struct timespec interval, value;
};

static volatile sig_atomic_t count[65];
static volatile int last_code, last_int, last_timerid, last_overrun;
static volatile long last_tid;

static void handler(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    count[sig]++;
    last_code = si->si_code;
    last_int = si->si_value.sival_int;
    last_timerid = si->si_timerid;
    last_overrun = si->si_overrun;
    last_tid = syscall(SYS_gettid);
}

static void on(int sig, int flags)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_sigaction = handler;
    sa.sa_flags = SA_SIGINFO | flags;
    sigaction(sig, &sa, NULL);
}

static void block(int sig, int how)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(how, &set, NULL);
}

/* Waits until sig has been handled n times in all (sig blocked meanwhile). */
static void wait_for(int sig, int n)
{
    sigset_t empty;

    sigemptyset(&empty);
    block(sig, SIG_BLOCK);
    while (count[sig] < n)
        sigsuspend(&empty);
    block(sig, SIG_UNBLOCK);
}

static long now_ns(clockid_t clk)
{
    struct timespec ts;

    clock_gettime(clk, &ts);
    return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/* Sleeps ns without counting on signals (none should come). */
static void sleep_ns(long ns)
{
    struct timespec ts = { ns / 1000000000L, ns % 1000000000L };

    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* Burns CPU until sig has been handled n times in all, or 5 s pass; true if it came. */
static int spin_for(int sig, int n)
{
    long end = now_ns(CLOCK_MONOTONIC) + 5000 * MS;
    volatile unsigned long x = 0;

    while (count[sig] < n && now_ns(CLOCK_MONOTONIC) < end)
        for (int i = 0; i < 100000; i++)
            x += i;
    return count[sig] >= n;
}

static long itv_ns(const struct timeval *tv)
{
    return tv->tv_sec * 1000000000L + tv->tv_usec * 1000L;
}

static long its_ns(const struct timespec *ts)
{
    return ts->tv_sec * 1000000000L + ts->tv_nsec;
}

static int setitimer_ms(int which, long value_ms, long interval_ms, struct itimerval *old)
{
    struct itimerval it = { { interval_ms / 1000, interval_ms % 1000 * 1000 },
                            { value_ms / 1000, value_ms % 1000 * 1000 } };

    return setitimer(which, &it, old);
}

static long timer_create_raw(clockid_t clk, struct ksigevent *ev, int *id)
{
    return syscall(SYS_timer_create, clk, ev, id);
}

static long timer_settime_raw(int id, int flags, long value_ns, long interval_ns,
                              struct kitimerspec *old)
{
    struct kitimerspec it = { { interval_ns / 1000000000L, interval_ns % 1000000000L },
                              { value_ns / 1000000000L, value_ns % 1000000000L } };

    return syscall(SYS_timer_settime, id, flags, &it, old);
}

static long timer_gettime_raw(int id, struct kitimerspec *cur)
{
    return syscall(SYS_timer_gettime, id, cur);
}

static long timer_delete_raw(int id)
{
    return syscall(SYS_timer_delete, id);
}

static struct ksigevent sigev(int notify, int signo, int val)
{
    struct ksigevent ev;

    memset(&ev, 0, sizeof(ev));
    ev.notify = notify;
    ev.signo = signo;
    ev.value.sival_int = val;
    return ev;
}

/* The call itself: musl's alarm() rounds any fraction up through setitimer. */
static long alarm_raw(unsigned s)
{
    return syscall(SYS_alarm, s);
}

static void test_alarm(void)
{
    struct itimerval it;

    on(SIGALRM, 0);
    CHECK_EQ(alarm_raw(10), 0);
    CHECK_EQ(alarm_raw(0), 10);   /* 9.99 s left: rounded to 10 */
    CHECK_EQ(alarm_raw(0), 0);
    /* Rounding: any fraction under a second is 1, half a second or more rounds up. */
    setitimer_ms(ITIMER_REAL, 1300, 0, NULL);
    CHECK_EQ(alarm_raw(0), 1);
    setitimer_ms(ITIMER_REAL, 2900, 0, NULL);
    CHECK_EQ(alarm_raw(0), 3);
    setitimer_ms(ITIMER_REAL, 400, 0, NULL);
    CHECK_EQ(alarm_raw(0), 1);
    /* alarm's timer is ITIMER_REAL's */
    alarm_raw(20);
    CHECK(getitimer(ITIMER_REAL, &it) == 0 && it.it_value.tv_sec == 19 && it.it_interval.tv_sec == 0);
    alarm_raw(0);
    count[SIGALRM] = 0;
    CHECK_EQ(alarm_raw(1), 0);
    wait_for(SIGALRM, 1);
    CHECK(count[SIGALRM] == 1);
    CHECK(last_code == SI_KERNEL);
    CHECK_EQ(alarm_raw(0), 0);    /* fired: nothing left */
}

static void test_itimer_real(void)
{
    struct itimerval it, old;

    on(SIGALRM, 0);
    count[SIGALRM] = 0;
    CHECK_EQ(setitimer_ms(ITIMER_REAL, 30, 0, NULL), 0);
    CHECK(getitimer(ITIMER_REAL, &it) == 0);
    CHECK(itv_ns(&it.it_value) > 0 && itv_ns(&it.it_value) <= 30 * MS);
    CHECK(itv_ns(&it.it_interval) == 0);
    wait_for(SIGALRM, 1);
    CHECK(last_code == SI_KERNEL);
    CHECK(getitimer(ITIMER_REAL, &it) == 0 && itv_ns(&it.it_value) == 0);

    /* old value, and it_value 0 disarms */
    setitimer_ms(ITIMER_REAL, 5000, 0, NULL);
    CHECK_EQ(setitimer_ms(ITIMER_REAL, 0, 0, &old), 0);
    CHECK(itv_ns(&old.it_value) > 4000 * MS && itv_ns(&old.it_value) <= 5000 * MS);
    CHECK(itv_ns(&old.it_interval) == 0);
    CHECK(getitimer(ITIMER_REAL, &it) == 0 && itv_ns(&it.it_value) == 0);

    /* periodic: three firings, then disarmed (the interval goes too) */
    count[SIGALRM] = 0;
    CHECK_EQ(setitimer_ms(ITIMER_REAL, 20, 20, NULL), 0);
    wait_for(SIGALRM, 3);
    CHECK(count[SIGALRM] >= 3);
    CHECK_EQ(setitimer_ms(ITIMER_REAL, 0, 0, &old), 0);
    CHECK(itv_ns(&old.it_interval) == 20 * MS);
    CHECK(itv_ns(&old.it_value) > 0 && itv_ns(&old.it_value) <= 20 * MS);
    CHECK(getitimer(ITIMER_REAL, &it) == 0 && itv_ns(&it.it_value) == 0 &&
          itv_ns(&it.it_interval) == 0);

    /* errors */
    struct itimerval bad = { { 0, 0 }, { 0, 1000000 } };
    CHECK_ERR(setitimer(3, &it, NULL), EINVAL);
    CHECK_ERR(setitimer(-1, &it, NULL), EINVAL);
    CHECK_ERR(setitimer(ITIMER_REAL, &bad, NULL), EINVAL);
    bad.it_value.tv_usec = -1;
    CHECK_ERR(setitimer(ITIMER_REAL, &bad, NULL), EINVAL);
    bad.it_value.tv_usec = 0;
    bad.it_interval.tv_usec = 1000000;
    CHECK_ERR(setitimer(ITIMER_REAL, &bad, NULL), EINVAL);
    CHECK_ERR(getitimer(3, &it), EINVAL);
    CHECK_ERR(syscall(SYS_getitimer, ITIMER_REAL, (void *)8), EFAULT);
}

/* The CPU-time timers count only while the process runs: spin until they fire. */
static void test_itimer_cpu(void)
{
    struct itimerval it;

    on(SIGVTALRM, 0);
    on(SIGPROF, 0);
    CHECK_EQ(setitimer_ms(ITIMER_VIRTUAL, 30, 0, NULL), 0);
    CHECK(getitimer(ITIMER_VIRTUAL, &it) == 0 && itv_ns(&it.it_value) > 0);
    CHECK(spin_for(SIGVTALRM, 1));
    CHECK(last_code == SI_KERNEL);
    CHECK_EQ(setitimer_ms(ITIMER_PROF, 20, 20, NULL), 0);
    CHECK(spin_for(SIGPROF, 2));
    CHECK(getitimer(ITIMER_PROF, &it) == 0 && itv_ns(&it.it_interval) == 20 * MS);
    CHECK_EQ(setitimer_ms(ITIMER_PROF, 0, 0, NULL), 0);
    CHECK(getitimer(ITIMER_PROF, &it) == 0 && itv_ns(&it.it_value) == 0);
}

static void test_posix_signal(void)
{
    struct ksigevent ev = sigev(SIGEV_SIGNAL, SIGUSR1, 1234);
    struct kitimerspec cur;
    int id = -1, id2 = -1;

    on(SIGUSR1, 0);
    on(SIGALRM, 0);
    /* Ids count from 0 in each process. */
    CHECK_EQ(timer_create_raw(CLOCK_MONOTONIC, &ev, &id), 0);
    CHECK_EQ(id, 0);
    CHECK_EQ(timer_create_raw(CLOCK_REALTIME, NULL, &id2), 0);
    CHECK_EQ(id2, 1);

    /* a fresh timer is disarmed */
    CHECK(timer_gettime_raw(id, &cur) == 0 && its_ns(&cur.value) == 0 && its_ns(&cur.interval) == 0);

    /* one-shot, SIGEV_SIGNAL with sival */
    count[SIGUSR1] = 0;
    CHECK_EQ(timer_settime_raw(id, 0, 30 * MS, 0, NULL), 0);
    CHECK(timer_gettime_raw(id, &cur) == 0);
    CHECK(its_ns(&cur.value) > 0 && its_ns(&cur.value) <= 30 * MS && its_ns(&cur.interval) == 0);
    wait_for(SIGUSR1, 1);
    CHECK(last_code == SI_TIMER);
    CHECK_EQ(last_int, 1234);
    CHECK_EQ(last_timerid, id);
    CHECK_EQ(last_overrun, 0);
    CHECK(timer_gettime_raw(id, &cur) == 0 && its_ns(&cur.value) == 0);
    CHECK_EQ(syscall(SYS_timer_getoverrun, id), 0);

    /* NULL sigevent: SIGALRM carrying the timer's id */
    count[SIGALRM] = 0;
    CHECK_EQ(timer_settime_raw(id2, 0, 20 * MS, 0, NULL), 0);
    wait_for(SIGALRM, 1);
    CHECK(last_code == SI_TIMER);
    CHECK_EQ(last_int, id2);
    CHECK_EQ(last_timerid, id2);

    /* periodic, then deleted: no more signals */
    count[SIGUSR1] = 0;
    CHECK_EQ(timer_settime_raw(id, 0, 20 * MS, 20 * MS, NULL), 0);
    wait_for(SIGUSR1, 3);
    CHECK(timer_gettime_raw(id, &cur) == 0 && its_ns(&cur.interval) == 20 * MS);
    CHECK(its_ns(&cur.value) > 0 && its_ns(&cur.value) <= 20 * MS);
    CHECK(syscall(SYS_timer_getoverrun, id) >= 0);
    block(SIGUSR1, SIG_BLOCK);
    CHECK_EQ(timer_delete_raw(id), 0);
    sigset_t pend;
    int before;
    sigpending(&pend);
    if (sigismember(&pend, SIGUSR1)) { /* one may have come before the delete */
        block(SIGUSR1, SIG_UNBLOCK);
        block(SIGUSR1, SIG_BLOCK);
    }
    before = count[SIGUSR1];
    sleep_ns(100 * MS);
    sigpending(&pend);
    CHECK(!sigismember(&pend, SIGUSR1));
    block(SIGUSR1, SIG_UNBLOCK);
    CHECK(count[SIGUSR1] == before);
    CHECK_ERR(timer_delete_raw(id), EINVAL);
    CHECK_ERR(timer_gettime_raw(id, &cur), EINVAL);

    /* settime with an old value; it_value 0 disarms and clears the interval */
    struct kitimerspec old;
    CHECK_EQ(timer_settime_raw(id2, 0, 5000 * MS, 1000 * MS, NULL), 0);
    CHECK_EQ(timer_settime_raw(id2, 0, 0, 1000 * MS, &old), 0);
    CHECK(its_ns(&old.value) > 4000 * MS && its_ns(&old.value) <= 5000 * MS);
    CHECK(its_ns(&old.interval) == 1000 * MS);
    CHECK(timer_gettime_raw(id2, &cur) == 0 && its_ns(&cur.value) == 0 && its_ns(&cur.interval) == 0);

    /* absolute expiries on CLOCK_REALTIME (id2) and CLOCK_MONOTONIC */
    count[SIGALRM] = 0;
    CHECK_EQ(timer_settime_raw(id2, TIMER_ABSTIME, now_ns(CLOCK_REALTIME) + 30 * MS, 0, NULL), 0);
    wait_for(SIGALRM, 1);
    CHECK_EQ(last_timerid, id2);
    CHECK_EQ(timer_delete_raw(id2), 0);

    ev = sigev(SIGEV_SIGNAL, SIGUSR1, 77);
    CHECK_EQ(timer_create_raw(CLOCK_MONOTONIC, &ev, &id), 0);
    CHECK_EQ(id, 2);          /* deleted ids are not handed out again at once */
    count[SIGUSR1] = 0;
    CHECK_EQ(timer_settime_raw(id, TIMER_ABSTIME, now_ns(CLOCK_MONOTONIC) + 30 * MS, 0, NULL), 0);
    wait_for(SIGUSR1, 1);
    CHECK_EQ(last_int, 77);
    /* an absolute time already past fires at once */
    CHECK_EQ(timer_settime_raw(id, TIMER_ABSTIME, 1, 0, NULL), 0);
    wait_for(SIGUSR1, 2);
    CHECK_EQ(timer_delete_raw(id), 0);

    /* SIGEV_NONE: counts down, sends nothing */
    ev = sigev(SIGEV_NONE, 0, 0);
    CHECK_EQ(timer_create_raw(CLOCK_MONOTONIC, &ev, &id), 0);
    CHECK_EQ(timer_settime_raw(id, 0, 10000 * MS, 0, NULL), 0);
    CHECK(timer_gettime_raw(id, &cur) == 0 && its_ns(&cur.value) > 9000 * MS &&
          its_ns(&cur.value) <= 10000 * MS);
    CHECK_EQ(timer_settime_raw(id, 0, 10 * MS, 0, NULL), 0);
    sleep_ns(50 * MS);
    CHECK(timer_gettime_raw(id, &cur) == 0 && its_ns(&cur.value) == 0);
    CHECK_EQ(timer_delete_raw(id), 0);
}

static void test_posix_cpu(void)
{
    struct ksigevent ev = sigev(SIGEV_SIGNAL, SIGUSR2, 5);
    int id = -1;

    on(SIGUSR2, 0);
    count[SIGUSR2] = 0;
    CHECK_EQ(timer_create_raw(CLOCK_PROCESS_CPUTIME_ID, &ev, &id), 0);
    CHECK_EQ(timer_settime_raw(id, 0, 30 * MS, 0, NULL), 0);
    CHECK(spin_for(SIGUSR2, 1));
    CHECK(last_code == SI_TIMER && last_int == 5);
    CHECK_EQ(timer_delete_raw(id), 0);
}

static void test_posix_errors(void)
{
    struct ksigevent ev = sigev(SIGEV_SIGNAL, SIGUSR1, 0);
    struct kitimerspec cur;
    int id = -1;

    CHECK_ERR(timer_create_raw(10, &ev, &id), EINVAL);
    CHECK_ERR(timer_create_raw(100, &ev, &id), EINVAL);
    CHECK_ERR(timer_create_raw(CLOCK_MONOTONIC_RAW, &ev, &id), EOPNOTSUPP);
    ev.notify = 99;
    CHECK_ERR(timer_create_raw(CLOCK_MONOTONIC, &ev, &id), EINVAL);
    ev = sigev(SIGEV_SIGNAL, 0, 0);
    CHECK_ERR(timer_create_raw(CLOCK_MONOTONIC, &ev, &id), EINVAL);
    ev = sigev(SIGEV_SIGNAL, 65, 0);
    CHECK_ERR(timer_create_raw(CLOCK_MONOTONIC, &ev, &id), EINVAL);
    ev = sigev(SIGEV_THREAD_ID, SIGUSR1, 0);
    ev.tid = 0x3fffffff;
    CHECK_ERR(timer_create_raw(CLOCK_MONOTONIC, &ev, &id), EINVAL);
    CHECK_ERR(timer_create_raw(CLOCK_MONOTONIC, (void *)8, &id), EFAULT);

    CHECK_ERR(timer_settime_raw(12345, 0, MS, 0, NULL), EINVAL);
    CHECK_ERR(timer_gettime_raw(12345, &cur), EINVAL);
    CHECK_ERR(timer_delete_raw(12345), EINVAL);
    CHECK_ERR(timer_delete_raw(-1), EINVAL);
    CHECK_ERR(syscall(SYS_timer_getoverrun, 12345), EINVAL);

    ev = sigev(SIGEV_SIGNAL, SIGUSR1, 0);
    CHECK_EQ(timer_create_raw(CLOCK_MONOTONIC, &ev, &id), 0);
    struct kitimerspec bad = { { 0, 0 }, { 0, 1000000000L } };
    CHECK_ERR(syscall(SYS_timer_settime, id, 0, &bad, NULL), EINVAL);
    bad.value.tv_nsec = -1;
    CHECK_ERR(syscall(SYS_timer_settime, id, 0, &bad, NULL), EINVAL);
    bad.value.tv_nsec = 0;
    bad.interval.tv_nsec = 1000000000L;
    CHECK_ERR(syscall(SYS_timer_settime, id, 0, &bad, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_timer_settime, id, 0, NULL, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_timer_settime, id, 0, (void *)8, NULL), EFAULT);
    CHECK_ERR(timer_gettime_raw(id, (void *)8), EFAULT);
    CHECK_EQ(timer_delete_raw(id), 0);
}

/* SIGEV_THREAD_ID: the side thread, and only it, takes the signal. */
static struct {
    long tid;
    volatile int ready;
} side;

static void *side_main(void *arg)
{
    sigset_t empty;

    (void)arg;
    sigemptyset(&empty);
    block(SIGUSR2, SIG_BLOCK);
    side.tid = syscall(SYS_gettid);
    __atomic_store_n(&side.ready, 1, __ATOMIC_SEQ_CST);
    while (count[SIGUSR2] < 1)
        sigsuspend(&empty);
    return NULL;
}

static void test_thread_id(void)
{
    struct ksigevent ev = sigev(SIGEV_THREAD_ID, SIGUSR2, 9);
    pthread_t th;
    int id = -1;

    on(SIGUSR2, 0);
    count[SIGUSR2] = 0;
    last_tid = 0;
    block(SIGUSR2, SIG_BLOCK); /* main must not be the one that takes it */
    pthread_create(&th, NULL, side_main, NULL);
    while (!__atomic_load_n(&side.ready, __ATOMIC_SEQ_CST))
        sleep_ns(MS);
    ev.tid = side.tid;
    CHECK_EQ(timer_create_raw(CLOCK_MONOTONIC, &ev, &id), 0);
    CHECK_EQ(timer_settime_raw(id, 0, 30 * MS, 0, NULL), 0);
    pthread_join(th, NULL);
    CHECK(last_tid == side.tid);
    CHECK(last_code == SI_TIMER && last_int == 9);
    CHECK_EQ(timer_delete_raw(id), 0);
    block(SIGUSR2, SIG_UNBLOCK);
    /* Once the thread is gone its tid is no target; join may return a little
     * before the kernel lets go of it (natively too), so allow a second. */
    for (int i = 0; i < 1000 && timer_create_raw(CLOCK_MONOTONIC, &ev, &id) == 0; i++) {
        timer_delete_raw(id);
        sleep_ns(MS);
    }
    CHECK_ERR(timer_create_raw(CLOCK_MONOTONIC, &ev, &id), EINVAL);
}

/* A timer's signal ends a read blocked on an empty pipe: EINTR without SA_RESTART. */
static void test_eintr(void)
{
    struct ksigevent ev = sigev(SIGEV_SIGNAL, SIGUSR1, 0);
    int fds[2], id = -1;
    char c;

    on(SIGUSR1, 0);
    count[SIGUSR1] = 0;
    CHECK_EQ(pipe(fds), 0);
    CHECK_EQ(timer_create_raw(CLOCK_MONOTONIC, &ev, &id), 0);
    CHECK_EQ(timer_settime_raw(id, 0, 50 * MS, 0, NULL), 0);
    CHECK_ERR(read(fds[0], &c, 1), EINTR);
    CHECK(count[SIGUSR1] == 1);
    CHECK_EQ(timer_delete_raw(id), 0);
    close(fds[0]);
    close(fds[1]);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    test_posix_signal();  /* first: it checks the ids a fresh process gets */
    test_posix_errors();
    test_alarm();
    test_itimer_real();
    test_itimer_cpu();
    test_posix_cpu();
    test_thread_id();
    test_eintr();
    return guest_done();
}
