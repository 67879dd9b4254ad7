/* thr_many.c: many threads. 200 threads alive at the same time, each on a
 * 64 KiB stack, parked on a barrier until all 200 exist (each counts itself
 * in first, and after the barrier checks that it saw all 200), then each does
 * a little work on its stack and returns a value main recomputes; then 1,000
 * short-lived threads in 10 waves of 100 (created together, then joined),
 * alternating default and 64 KiB stacks. All output comes from main after the
 * joins, so it does not depend on scheduling.
 *
 * usage: thr_many                  the test
 *        thr_many park SECS [N]    footprint probe: N (default 200) threads
 *                                  parked for SECS seconds, then the test's
 *                                  checks on them; prints "parked N" first */
#include "guest.h"
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <time.h>

#define NALIVE 200
#define MAX_ALIVE 4096
#define NWAVES 10
#define WAVE 100
#define SMALL_STACK (64 * 1024)
#define WORK_WORDS 2048         /* 16 KiB of the thread's 64 KiB stack */

static long gettid_raw(void)
{
    return syscall(SYS_gettid);
}

/* The thread's work: fill a stack array from idx, then hash it. */
static uint64_t stack_work(int idx)
{
    volatile uint64_t buf[WORK_WORDS];
    uint64_t x = 0x9e3779b97f4a7c15ull * (uint64_t)(idx + 1), h = 0;
    for (int i = 0; i < WORK_WORDS; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        buf[i] = x;
    }
    for (int i = 0; i < WORK_WORDS; i++)
        h = (h ^ buf[i]) * 0x100000001b3ull;
    return h;
}

/* ---- 200 threads alive together ---- */
static pthread_barrier_t all_here;
static int arrived;             /* atomic: threads that reached the barrier */
static int nalive;

struct alive_arg {
    int idx;
    long tid;
    int saw_all;                /* arrived == nalive after the barrier */
};

static void *alive_thread(void *p)
{
    struct alive_arg *a = p;
    a->tid = gettid_raw();
    __atomic_fetch_add(&arrived, 1, __ATOMIC_SEQ_CST);
    pthread_barrier_wait(&all_here);
    a->saw_all = __atomic_load_n(&arrived, __ATOMIC_SEQ_CST) == nalive;
    return (void *)(uintptr_t)(stack_work(a->idx) >> 1);
}

static void many_alive(int n, int park_secs)
{
    static struct alive_arg args[MAX_ALIVE];
    static pthread_t th[MAX_ALIVE];
    pthread_attr_t attr;

    printf("== %d threads alive together (64 KiB stacks)\n", n);
    nalive = n;
    CHECK_EQ(pthread_attr_init(&attr), 0);
    CHECK_EQ(pthread_attr_setstacksize(&attr, SMALL_STACK), 0);
    CHECK_EQ(pthread_barrier_init(&all_here, NULL, (unsigned)n + 1), 0);
    int created = 0;
    for (int i = 0; i < n; i++) {
        args[i].idx = i;
        if (pthread_create(&th[i], &attr, alive_thread, &args[i]) != 0)
            break;
        created++;
    }
    CHECK_EQ(created, n);
    if (created != n)
        exit(guest_done());     /* the barrier would never open */
    if (park_secs > 0) {
        while (__atomic_load_n(&arrived, __ATOMIC_SEQ_CST) != n)
            sleep_ms(1);
        printf("parked %d\n", n);
        fflush(stdout);
        sleep_ms(park_secs * 1000L);
    }
    pthread_barrier_wait(&all_here);

    int join_ok = 1, ret_ok = 1, saw_all = 1, tids_ok = 1;
    for (int i = 0; i < n; i++) {
        void *ret = NULL;
        if (pthread_join(th[i], &ret) != 0)
            join_ok = 0;
        if ((uintptr_t)ret != (uintptr_t)(stack_work(i) >> 1))
            ret_ok = 0;
        if (!args[i].saw_all)
            saw_all = 0;
        if (args[i].tid <= 0 || args[i].tid == getpid())
            tids_ok = 0;
        for (int j = 0; j < i; j++)
            if (args[j].tid == args[i].tid)
                tids_ok = 0;
    }
    CHECK(join_ok);
    CHECK(ret_ok);
    CHECK(saw_all);
    CHECK(tids_ok);
    CHECK_EQ(arrived, n);
    CHECK_EQ(pthread_barrier_destroy(&all_here), 0);
    CHECK_EQ(pthread_attr_destroy(&attr), 0);
}

/* ---- 1,000 short-lived threads in waves ---- */
static long wave_runs;          /* atomic */

static void *wave_thread(void *p)
{
    __atomic_fetch_add(&wave_runs, 1, __ATOMIC_SEQ_CST);
    return (void *)((uintptr_t)p * 2 + 1);
}

static void waves(void)
{
    pthread_attr_t small;
    pthread_t th[WAVE];

    printf("== %d short-lived threads in %d waves of %d\n", NWAVES * WAVE,
           NWAVES, WAVE);
    CHECK_EQ(pthread_attr_init(&small), 0);
    CHECK_EQ(pthread_attr_setstacksize(&small, SMALL_STACK), 0);
    int create_ok = 1, join_ok = 1, ret_ok = 1;
    for (int w = 0; w < NWAVES && create_ok; w++) {
        int made = 0;
        for (int i = 0; i < WAVE; i++) {
            uintptr_t v = (uintptr_t)(w * WAVE + i);
            if (pthread_create(&th[i], w % 2 ? &small : NULL, wave_thread,
                               (void *)v) != 0) {
                create_ok = 0;
                break;
            }
            made++;
        }
        for (int i = 0; i < made; i++) {
            void *ret = NULL;
            if (pthread_join(th[i], &ret) != 0)
                join_ok = 0;
            if ((uintptr_t)ret != (uintptr_t)(w * WAVE + i) * 2 + 1)
                ret_ok = 0;
        }
    }
    CHECK(create_ok);
    CHECK(join_ok);
    CHECK(ret_ok);
    CHECK_EQ(wave_runs, NWAVES * WAVE);
    CHECK_EQ(pthread_attr_destroy(&small), 0);
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "park") == 0) {
        int n = argc > 3 ? atoi(argv[3]) : NALIVE;
        if (n < 1 || n > MAX_ALIVE) {
            fprintf(stderr, "thr_many: N must be 1..%d\n", MAX_ALIVE);
            return 2;
        }
        many_alive(n, atoi(argv[2]));
        return guest_done();
    }
    many_alive(NALIVE, 0);
    waves();
    return guest_done();
}
