/* thr_sync.c: pthread synchronisation objects under contention. A mutex-
 * protected counter (4 x 100,000), mutex types (trylock, errorcheck,
 * recursive), a condvar bounded buffer (2 producers, 2 consumers, 10,000
 * items with a checksum), condvar broadcast and timed wait, a rwlock with
 * readers checking an invariant that writers keep, a barrier (4 threads x 100
 * rounds) and POSIX semaphores (counting, trywait, timedwait, ping-pong).
 * Results are collected and checked by the main thread in a fixed order. */
#include "guest.h"
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>
#include <time.h>

#define NTHREADS 4

static int start_all(pthread_t *th, int n, void *(*fn)(void *))
{
    int ok = 1;
    for (int i = 0; i < n; i++)
        if (pthread_create(&th[i], NULL, fn, NULL) != 0)
            ok = 0;
    return ok;
}

static int join_all(pthread_t *th, int n)
{
    int ok = 1;
    for (int i = 0; i < n; i++)
        if (pthread_join(th[i], NULL) != 0)
            ok = 0;
    return ok;
}

static struct timespec deadline_ms(clockid_t clk, long ms)
{
    struct timespec ts;
    clock_gettime(clk, &ts);
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

static long elapsed_ms(const struct timespec *a, const struct timespec *b)
{
    return (b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

/* ---- mutex counter ---- */
#define MUTEX_ITERS 100000
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;          /* plain: only the mutex protects it */
static long lock_fail;

static void *mutex_worker(void *p)
{
    (void)p;
    for (int i = 0; i < MUTEX_ITERS; i++) {
        if (pthread_mutex_lock(&count_lock) != 0)
            __atomic_fetch_add(&lock_fail, 1, __ATOMIC_RELAXED);
        long v = counter;
        __asm__ volatile("" ::: "memory");
        counter = v + 1;
        pthread_mutex_unlock(&count_lock);
    }
    return NULL;
}

/* trylock from another thread (unlocking again when it got the mutex) */
static void *trylock_thread(void *p)
{
    int r = pthread_mutex_trylock((pthread_mutex_t *)p);
    if (r == 0 && pthread_mutex_unlock((pthread_mutex_t *)p) != 0)
        r = -1;
    return (void *)(intptr_t)r;
}

/* ---- condvar bounded buffer ---- */
#define ITEMS 10000
#define NPROD 2
#define NCONS 2
#define QSIZE 16
static pthread_mutex_t q_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_not_empty = PTHREAD_COND_INITIALIZER;
static pthread_cond_t q_not_full = PTHREAD_COND_INITIALIZER;
static long queue[QSIZE];
static int q_head, q_count, producers_left = NPROD;

struct cons_res {
    long n, sum, xsum;
};

static void *producer(void *p)
{
    long base = (long)(intptr_t)p;
    for (long i = 0; i < ITEMS / NPROD; i++) {
        long item = base * (ITEMS / NPROD) + i + 1;   /* 1..ITEMS, each once */
        pthread_mutex_lock(&q_lock);
        while (q_count == QSIZE)
            pthread_cond_wait(&q_not_full, &q_lock);
        queue[(q_head + q_count) % QSIZE] = item;
        q_count++;
        pthread_cond_signal(&q_not_empty);
        pthread_mutex_unlock(&q_lock);
    }
    pthread_mutex_lock(&q_lock);
    producers_left--;
    pthread_cond_broadcast(&q_not_empty);
    pthread_mutex_unlock(&q_lock);
    return NULL;
}

static void *consumer(void *p)
{
    struct cons_res *r = p;
    for (;;) {
        pthread_mutex_lock(&q_lock);
        while (q_count == 0 && producers_left > 0)
            pthread_cond_wait(&q_not_empty, &q_lock);
        if (q_count == 0) {
            pthread_mutex_unlock(&q_lock);
            return NULL;
        }
        long item = queue[q_head];
        q_head = (q_head + 1) % QSIZE;
        q_count--;
        pthread_cond_signal(&q_not_full);
        pthread_mutex_unlock(&q_lock);
        r->n++;
        r->sum += item;
        r->xsum ^= item * 2654435761L;
    }
}

/* ---- condvar broadcast ---- */
static pthread_mutex_t bc_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t bc_cond = PTHREAD_COND_INITIALIZER;
static int bc_go, bc_waiting, bc_woken;

static void *bc_waiter(void *p)
{
    (void)p;
    pthread_mutex_lock(&bc_lock);
    bc_waiting++;
    while (!bc_go)
        pthread_cond_wait(&bc_cond, &bc_lock);
    bc_woken++;
    pthread_mutex_unlock(&bc_lock);
    return NULL;
}

/* ---- rwlock ---- */
#define RW_READERS 4
#define RW_WRITERS 2
#define RW_WRITES 5000
#define RW_READS 20000
static pthread_rwlock_t rw = PTHREAD_RWLOCK_INITIALIZER;
static long rw_a, rw_b;           /* writers keep rw_a == rw_b */
static long rw_bad_reads, rw_reads_done;

static void *rw_reader(void *p)
{
    (void)p;
    for (int i = 0; i < RW_READS; i++) {
        pthread_rwlock_rdlock(&rw);
        long a = rw_a;
        __asm__ volatile("" ::: "memory");
        long b = rw_b;
        pthread_rwlock_unlock(&rw);
        if (a != b)
            __atomic_fetch_add(&rw_bad_reads, 1, __ATOMIC_RELAXED);
    }
    __atomic_fetch_add(&rw_reads_done, RW_READS, __ATOMIC_RELAXED);
    return NULL;
}

static void *rw_writer(void *p)
{
    (void)p;
    for (int i = 0; i < RW_WRITES; i++) {
        pthread_rwlock_wrlock(&rw);
        rw_a++;
        for (volatile int k = 0; k < 20; k++)
            ;
        rw_b++;
        pthread_rwlock_unlock(&rw);
    }
    return NULL;
}

static void *rw_try_thread(void *p)
{
    (void)p;
    long res = 0;
    /* with main holding a read lock another reader gets in, a writer not */
    if (pthread_rwlock_tryrdlock(&rw) == 0) {
        res |= 1;
        pthread_rwlock_unlock(&rw);
    }
    if (pthread_rwlock_trywrlock(&rw) == EBUSY)
        res |= 2;
    return (void *)(intptr_t)res;
}

/* ---- barrier ---- */
#define BAR_ROUNDS 100
static pthread_barrier_t bar;
static long bar_slots[2][NTHREADS];
static long bar_serial, bar_errors;

static void *bar_worker(void *p)
{
    long id = (long)(intptr_t)p;
    for (long r = 0; r < BAR_ROUNDS; r++) {
        bar_slots[r & 1][id] = r * 1000 + id;
        int s = pthread_barrier_wait(&bar);
        if (s == PTHREAD_BARRIER_SERIAL_THREAD)
            __atomic_fetch_add(&bar_serial, 1, __ATOMIC_RELAXED);
        else if (s != 0)
            __atomic_fetch_add(&bar_errors, 1000, __ATOMIC_RELAXED);
        /* everyone has written this round's slot; nobody writes the slots
         * of this parity again before the next barrier */
        for (int j = 0; j < NTHREADS; j++)
            if (bar_slots[r & 1][j] != r * 1000 + j)
                __atomic_fetch_add(&bar_errors, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

/* ---- semaphores ---- */
#define PINGPONG 10000
static sem_t ping, pong;
static long pp_count;

static void *ponger(void *p)
{
    (void)p;
    for (int i = 0; i < PINGPONG; i++) {
        sem_wait(&ping);
        pp_count++;      /* ordered by the semaphores */
        sem_post(&pong);
    }
    return NULL;
}

static sem_t count_sem;
static long sem_taken;

static void *sem_taker(void *p)
{
    (void)p;
    while (sem_trywait(&count_sem) == 0)
        __atomic_fetch_add(&sem_taken, 1, __ATOMIC_RELAXED);
    return NULL;
}

int main(void)
{
    pthread_t th[8];

    printf("== mutex counter (%d x %d)\n", NTHREADS, MUTEX_ITERS);
    CHECK(start_all(th, NTHREADS, mutex_worker));
    CHECK(join_all(th, NTHREADS));
    CHECK_EQ(counter, NTHREADS * MUTEX_ITERS);
    CHECK_EQ(lock_fail, 0);

    printf("== mutex types\n");
    {
        void *r;
        CHECK_EQ(pthread_mutex_lock(&count_lock), 0);
        CHECK_EQ(pthread_create(&th[0], NULL, trylock_thread, &count_lock), 0);
        CHECK_EQ(pthread_join(th[0], &r), 0);
        CHECK_EQ((intptr_t)r, EBUSY);
        CHECK_EQ(pthread_mutex_unlock(&count_lock), 0);
        CHECK_EQ(pthread_create(&th[0], NULL, trylock_thread, &count_lock), 0);
        CHECK_EQ(pthread_join(th[0], &r), 0);
        CHECK_EQ((intptr_t)r, 0);        /* taken and released by the thread */

        pthread_mutexattr_t ma;
        pthread_mutex_t m;
        CHECK_EQ(pthread_mutexattr_init(&ma), 0);
        CHECK_EQ(pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_ERRORCHECK), 0);
        CHECK_EQ(pthread_mutex_init(&m, &ma), 0);
        CHECK_EQ(pthread_mutex_lock(&m), 0);
        CHECK_EQ(pthread_mutex_lock(&m), EDEADLK);
        CHECK_EQ(pthread_create(&th[0], NULL, trylock_thread, &m), 0);
        CHECK_EQ(pthread_join(th[0], &r), 0);
        CHECK_EQ((intptr_t)r, EBUSY);
        CHECK_EQ(pthread_mutex_unlock(&m), 0);
        CHECK_EQ(pthread_mutex_unlock(&m), EPERM);
        CHECK_EQ(pthread_mutex_destroy(&m), 0);

        CHECK_EQ(pthread_mutexattr_settype(&ma, PTHREAD_MUTEX_RECURSIVE), 0);
        CHECK_EQ(pthread_mutex_init(&m, &ma), 0);
        CHECK_EQ(pthread_mutex_lock(&m), 0);
        CHECK_EQ(pthread_mutex_lock(&m), 0);
        CHECK_EQ(pthread_mutex_trylock(&m), 0);
        CHECK_EQ(pthread_create(&th[0], NULL, trylock_thread, &m), 0);
        CHECK_EQ(pthread_join(th[0], &r), 0);
        CHECK_EQ((intptr_t)r, EBUSY);
        CHECK_EQ(pthread_mutex_unlock(&m), 0);
        CHECK_EQ(pthread_mutex_unlock(&m), 0);
        CHECK_EQ(pthread_mutex_unlock(&m), 0);
        CHECK_EQ(pthread_mutex_unlock(&m), EPERM);
        CHECK_EQ(pthread_mutex_destroy(&m), 0);
        CHECK_EQ(pthread_mutexattr_destroy(&ma), 0);
    }

    printf("== condvar bounded buffer (%d items, %d producers, %d consumers)\n",
           ITEMS, NPROD, NCONS);
    {
        struct cons_res res[NCONS];
        memset(res, 0, sizeof res);
        int ok = 1;
        for (int i = 0; i < NPROD; i++)
            if (pthread_create(&th[i], NULL, producer, (void *)(intptr_t)i) != 0)
                ok = 0;
        for (int i = 0; i < NCONS; i++)
            if (pthread_create(&th[NPROD + i], NULL, consumer, &res[i]) != 0)
                ok = 0;
        CHECK(ok);
        CHECK(join_all(th, NPROD + NCONS));
        long n = 0, sum = 0, xsum = 0, want_x = 0;
        for (int i = 0; i < NCONS; i++) {
            n += res[i].n;
            sum += res[i].sum;
            xsum ^= res[i].xsum;
        }
        for (long i = 1; i <= ITEMS; i++)
            want_x ^= i * 2654435761L;
        CHECK_EQ(n, ITEMS);
        CHECK_EQ(sum, (long)ITEMS * (ITEMS + 1) / 2);
        CHECK(xsum == want_x);
        CHECK_EQ(q_count, 0);
    }

    printf("== condvar broadcast and timed wait\n");
    {
        CHECK(start_all(th, NTHREADS, bc_waiter));
        /* wait until all four are inside pthread_cond_wait (each holds the
         * mutex from its increment until the wait releases it) */
        for (;;) {
            pthread_mutex_lock(&bc_lock);
            int w = bc_waiting;
            pthread_mutex_unlock(&bc_lock);
            if (w == NTHREADS)
                break;
            sched_yield();
        }
        pthread_mutex_lock(&bc_lock);
        bc_go = 1;
        CHECK_EQ(pthread_cond_broadcast(&bc_cond), 0);
        pthread_mutex_unlock(&bc_lock);
        CHECK(join_all(th, NTHREADS));
        CHECK_EQ(bc_woken, NTHREADS);

        pthread_mutex_lock(&bc_lock);
        struct timespec t0, t1, dl;
        clock_gettime(CLOCK_MONOTONIC, &t0);   /* before the deadline is set */
        dl = deadline_ms(CLOCK_REALTIME, 30);
        int r;
        do
            r = pthread_cond_timedwait(&bc_cond, &bc_lock, &dl);
        while (r == 0);     /* a spurious wakeup is not the timeout */
        clock_gettime(CLOCK_MONOTONIC, &t1);
        pthread_mutex_unlock(&bc_lock);
        CHECK_EQ(r, ETIMEDOUT);
        CHECK(elapsed_ms(&t0, &t1) >= 25);

        /* the same on a CLOCK_MONOTONIC condvar */
        pthread_condattr_t ca;
        pthread_cond_t mc;
        CHECK_EQ(pthread_condattr_init(&ca), 0);
        CHECK_EQ(pthread_condattr_setclock(&ca, CLOCK_MONOTONIC), 0);
        CHECK_EQ(pthread_cond_init(&mc, &ca), 0);
        pthread_mutex_lock(&bc_lock);
        dl = deadline_ms(CLOCK_MONOTONIC, 30);
        do
            r = pthread_cond_timedwait(&mc, &bc_lock, &dl);
        while (r == 0);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        pthread_mutex_unlock(&bc_lock);
        CHECK_EQ(r, ETIMEDOUT);
        CHECK(t1.tv_sec > dl.tv_sec || (t1.tv_sec == dl.tv_sec && t1.tv_nsec >= dl.tv_nsec));
        CHECK_EQ(pthread_cond_destroy(&mc), 0);
        CHECK_EQ(pthread_condattr_destroy(&ca), 0);
    }

    printf("== rwlock (%d readers, %d writers)\n", RW_READERS, RW_WRITERS);
    {
        int ok = 1;
        for (int i = 0; i < RW_READERS; i++)
            if (pthread_create(&th[i], NULL, rw_reader, NULL) != 0)
                ok = 0;
        for (int i = 0; i < RW_WRITERS; i++)
            if (pthread_create(&th[RW_READERS + i], NULL, rw_writer, NULL) != 0)
                ok = 0;
        CHECK(ok);
        CHECK(join_all(th, RW_READERS + RW_WRITERS));
        CHECK_EQ(rw_bad_reads, 0);
        CHECK_EQ(rw_reads_done, (long)RW_READERS * RW_READS);
        CHECK_EQ(rw_a, (long)RW_WRITERS * RW_WRITES);
        CHECK_EQ(rw_b, (long)RW_WRITERS * RW_WRITES);

        void *r;
        CHECK_EQ(pthread_rwlock_rdlock(&rw), 0);
        CHECK_EQ(pthread_create(&th[0], NULL, rw_try_thread, NULL), 0);
        CHECK_EQ(pthread_join(th[0], &r), 0);
        CHECK_EQ((intptr_t)r, 3);
        CHECK_EQ(pthread_rwlock_unlock(&rw), 0);
        CHECK_EQ(pthread_rwlock_wrlock(&rw), 0);
        CHECK_EQ(pthread_create(&th[0], NULL, rw_try_thread, NULL), 0);
        CHECK_EQ(pthread_join(th[0], &r), 0);
        CHECK_EQ((intptr_t)r, 2);        /* neither a reader nor a writer */
        CHECK_EQ(pthread_rwlock_unlock(&rw), 0);
    }

    printf("== barrier (%d threads x %d rounds)\n", NTHREADS, BAR_ROUNDS);
    {
        CHECK_EQ(pthread_barrier_init(&bar, NULL, NTHREADS), 0);
        int ok = 1;
        for (int i = 0; i < NTHREADS; i++)
            if (pthread_create(&th[i], NULL, bar_worker, (void *)(intptr_t)i) != 0)
                ok = 0;
        CHECK(ok);
        CHECK(join_all(th, NTHREADS));
        CHECK_EQ(bar_serial, BAR_ROUNDS);
        CHECK_EQ(bar_errors, 0);
        CHECK_EQ(pthread_barrier_destroy(&bar), 0);
    }

    printf("== semaphores\n");
    {
        sem_t s;
        int v = -1;
        CHECK_EQ(sem_init(&s, 0, 2), 0);
        CHECK_EQ(sem_getvalue(&s, &v), 0);
        CHECK_EQ(v, 2);
        CHECK_EQ(sem_trywait(&s), 0);
        CHECK_EQ(sem_trywait(&s), 0);
        CHECK_ERR(sem_trywait(&s), EAGAIN);
        struct timespec t0, t1, dl;
        clock_gettime(CLOCK_MONOTONIC, &t0);   /* before the deadline is set */
        dl = deadline_ms(CLOCK_REALTIME, 30);
        int r, e;
        do {
            r = sem_timedwait(&s, &dl);
            e = errno;
        } while (r == -1 && e == EINTR);
        clock_gettime(CLOCK_MONOTONIC, &t1);
        CHECK(r == -1 && e == ETIMEDOUT);
        CHECK(elapsed_ms(&t0, &t1) >= 25);
        CHECK_EQ(sem_post(&s), 0);
        CHECK_EQ(sem_getvalue(&s, &v), 0);
        CHECK_EQ(v, 1);
        CHECK_EQ(sem_destroy(&s), 0);

        /* ping-pong: each post wakes the other side */
        CHECK_EQ(sem_init(&ping, 0, 0), 0);
        CHECK_EQ(sem_init(&pong, 0, 0), 0);
        CHECK_EQ(pthread_create(&th[0], NULL, ponger, NULL), 0);
        int ok = 1;
        for (int i = 0; i < PINGPONG; i++) {
            if (sem_post(&ping) != 0 || sem_wait(&pong) != 0)
                ok = 0;
            if (pp_count != i + 1)
                ok = 0;
        }
        CHECK(ok);
        CHECK_EQ(pthread_join(th[0], NULL), 0);
        CHECK_EQ(pp_count, PINGPONG);

        /* a counting semaphore drained by 4 threads: each unit taken once */
        CHECK_EQ(sem_init(&count_sem, 0, 50000), 0);
        CHECK(start_all(th, NTHREADS, sem_taker));
        CHECK(join_all(th, NTHREADS));
        CHECK_EQ(sem_taken, 50000);
        CHECK_EQ(sem_getvalue(&count_sem, &v), 0);
        CHECK_EQ(v, 0);
    }

    return guest_done();
}
