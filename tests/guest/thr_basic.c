/* thr_basic.c: pthread basics. create/join with return values, detached
 * threads waited for through a semaphore, 1,000 short-lived threads created
 * and joined one after another, thread-local storage (__thread), gettid vs
 * getpid, pthread_self/pthread_equal. All checks run in the main thread after
 * the joins, so the output does not depend on scheduling; no tid or address
 * is printed, only facts about them. */
#include "guest.h"
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>

#define NJOIN 10
#define NDETACH 8
#define NSEQ 1000

static long gettid_raw(void)
{
    return syscall(SYS_gettid);
}

/* Thread-local storage: an initialised and a zero-initialised variable. */
static __thread long tls_counter;
static __thread long tls_init = 1234;
static __thread char tls_buf[256];

struct join_arg {
    int idx;
    long tid;               /* gettid() seen by the thread */
    long pid;               /* getpid() seen by the thread */
    pthread_t self;         /* pthread_self() seen by the thread */
    int self_is_main;       /* pthread_equal(self, main thread) */
    long tls_init_seen;     /* tls_init on entry: the initial value */
    long tls_counter_seen;  /* tls_counter on entry: 0 */
    long tls_after;         /* tls_counter after idx+1 increments */
    void *tls_addr;         /* &tls_counter: distinct per thread */
    int buf_ok;             /* tls_buf was zero, then held our pattern */
};

static pthread_t main_self;

static void *join_thread(void *p)
{
    struct join_arg *a = p;
    a->tid = gettid_raw();
    a->pid = getpid();
    a->self = pthread_self();
    a->self_is_main = pthread_equal(a->self, main_self);
    a->tls_init_seen = tls_init;
    a->tls_counter_seen = tls_counter;
    a->tls_addr = &tls_counter;
    int zero = 1;
    for (size_t i = 0; i < sizeof tls_buf; i++)
        if (tls_buf[i])
            zero = 0;
    memset(tls_buf, 'a' + a->idx, sizeof tls_buf);
    for (int i = 0; i <= a->idx; i++) {
        tls_counter++;
        tls_init++;
        sched_yield();     /* let the others run and touch their own copies */
    }
    a->tls_after = tls_counter;
    int pattern = 1;
    for (size_t i = 0; i < sizeof tls_buf; i++)
        if (tls_buf[i] != 'a' + a->idx)
            pattern = 0;
    a->buf_ok = zero && pattern && tls_init == 1234 + a->idx + 1;
    return (void *)(intptr_t)(a->idx * a->idx + 7);
}

/* Detached threads: each adds its value to a sum and posts the semaphore. */
static sem_t detach_sem;
static pthread_mutex_t detach_lock = PTHREAD_MUTEX_INITIALIZER;
static long detach_sum;
static int detach_self_detached_ok = 1;

static void *detach_thread(void *p)
{
    long v = (long)(intptr_t)p;
    pthread_mutex_lock(&detach_lock);
    detach_sum += v;
    pthread_mutex_unlock(&detach_lock);
    sem_post(&detach_sem);
    return NULL;
}

static void *self_detach_thread(void *p)
{
    if (pthread_detach(pthread_self()) != 0)
        detach_self_detached_ok = 0;
    return detach_thread(p);
}

/* Short-lived threads: return their argument plus one. */
static void *seq_thread(void *p)
{
    return (void *)((intptr_t)p + 1);
}

int main(void)
{
    main_self = pthread_self();
    long main_tid = gettid_raw();
    long main_pid = getpid();
    tls_counter = 99;   /* main's copy; threads must start at 0 */

    printf("== main thread\n");
    CHECK(main_tid == main_pid);
    CHECK(pthread_equal(pthread_self(), main_self));

    printf("== create/join with return values (%d threads)\n", NJOIN);
    struct join_arg args[NJOIN];
    pthread_t th[NJOIN];
    int create_ok = 1;
    memset(args, 0, sizeof args);
    for (int i = 0; i < NJOIN; i++) {
        args[i].idx = i;
        if (pthread_create(&th[i], NULL, join_thread, &args[i]) != 0)
            create_ok = 0;
    }
    CHECK(create_ok);
    int join_ok = 1, ret_ok = 1;
    for (int i = 0; i < NJOIN; i++) {
        void *ret = NULL;
        if (pthread_join(th[i], &ret) != 0)
            join_ok = 0;
        if ((intptr_t)ret != i * i + 7)
            ret_ok = 0;
    }
    CHECK(join_ok);
    CHECK(ret_ok);

    int tid_not_pid = 1, pid_same = 1, tids_distinct = 1, self_eq_handle = 1,
        self_not_main = 1, tls_ok = 1, tls_addr_distinct = 1, buf_ok = 1;
    for (int i = 0; i < NJOIN; i++) {
        if (args[i].tid == main_pid || args[i].tid <= 0)
            tid_not_pid = 0;
        if (args[i].pid != main_pid)
            pid_same = 0;
        if (args[i].tid == main_tid)
            tids_distinct = 0;
        for (int j = 0; j < i; j++) {
            if (args[i].tid == args[j].tid)
                tids_distinct = 0;
            if (args[i].tls_addr == args[j].tls_addr)
                tls_addr_distinct = 0;
        }
        if (args[i].tls_addr == (void *)&tls_counter)
            tls_addr_distinct = 0;
        if (!pthread_equal(args[i].self, th[i]))
            self_eq_handle = 0;
        if (args[i].self_is_main)
            self_not_main = 0;
        if (args[i].tls_init_seen != 1234 || args[i].tls_counter_seen != 0 ||
            args[i].tls_after != i + 1)
            tls_ok = 0;
        if (!args[i].buf_ok)
            buf_ok = 0;
    }
    CHECK(tid_not_pid);
    CHECK(pid_same);
    CHECK(tids_distinct);
    CHECK(self_eq_handle);
    CHECK(self_not_main);
    CHECK(tls_ok);
    CHECK(tls_addr_distinct);
    CHECK(buf_ok);
    CHECK_EQ(tls_counter, 99);          /* main's copy untouched */
    CHECK_EQ(tls_init, 1234);
    CHECK(gettid_raw() == main_tid);
    CHECK(!pthread_equal(th[0], th[1]));

    printf("== detached threads, waited for with a semaphore\n");
    CHECK_EQ(sem_init(&detach_sem, 0, 0), 0);
    pthread_attr_t attr;
    CHECK_EQ(pthread_attr_init(&attr), 0);
    CHECK_EQ(pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED), 0);
    int dcreate_ok = 1;
    long want_sum = 0;
    for (int i = 0; i < NDETACH; i++) {
        pthread_t t;
        long v = 1L << i;
        want_sum += v;
        int r;
        if (i % 2 == 0) {   /* detached at creation */
            r = pthread_create(&t, &attr, detach_thread, (void *)(intptr_t)v);
        } else if (i % 4 == 1) {    /* detached by the creator */
            r = pthread_create(&t, NULL, detach_thread, (void *)(intptr_t)v);
            if (r == 0)
                r = pthread_detach(t);
        } else {            /* detaches itself */
            r = pthread_create(&t, NULL, self_detach_thread, (void *)(intptr_t)v);
        }
        if (r != 0)
            dcreate_ok = 0;
    }
    CHECK(dcreate_ok);
    int waits_ok = 1;
    for (int i = 0; i < NDETACH; i++)
        if (sem_wait(&detach_sem) != 0)
            waits_ok = 0;
    CHECK(waits_ok);
    pthread_mutex_lock(&detach_lock);
    CHECK_EQ(detach_sum, want_sum);
    pthread_mutex_unlock(&detach_lock);
    CHECK(detach_self_detached_ok);
    CHECK_EQ(pthread_attr_destroy(&attr), 0);

    printf("== %d short-lived threads in sequence\n", NSEQ);
    int seq_create_ok = 1, seq_join_ok = 1, seq_ret_ok = 1;
    for (int i = 0; i < NSEQ; i++) {
        pthread_t t;
        void *ret = NULL;
        if (pthread_create(&t, NULL, seq_thread, (void *)(intptr_t)i) != 0) {
            seq_create_ok = 0;
            break;
        }
        if (pthread_join(t, &ret) != 0)
            seq_join_ok = 0;
        if ((intptr_t)ret != i + 1)
            seq_ret_ok = 0;
    }
    CHECK(seq_create_ok);
    CHECK(seq_join_ok);
    CHECK(seq_ret_ok);

    printf("== small explicit stack\n");
    {
        pthread_attr_t sa;
        pthread_t t;
        void *ret = NULL;
        CHECK_EQ(pthread_attr_init(&sa), 0);
        CHECK_EQ(pthread_attr_setstacksize(&sa, 64 * 1024), 0);
        CHECK_EQ(pthread_create(&t, &sa, seq_thread, (void *)(intptr_t)41), 0);
        CHECK_EQ(pthread_join(t, &ret), 0);
        CHECK_EQ((intptr_t)ret, 42);
        CHECK_EQ(pthread_attr_destroy(&sa), 0);
    }

    return guest_done();
}
