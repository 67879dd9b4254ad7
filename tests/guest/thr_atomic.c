/* thr_atomic.c: atomic read-modify-write instructions shared by threads that
 * all start together (a barrier) to maximise contention. Every result is an
 * exact count, so a lost update anywhere shows up:
 *   lock xadd            4 x 1,000,000 __atomic_fetch_add        = 4,000,000
 *                        (and the old values returned sum to 0+1+...)
 *   lock add/sub         __atomic_add_fetch / sub_fetch, result unused
 *   xadd tickets         every value returned by fetch_add is unique
 *   xchg spinlock        protects a plain counter, 4 x 200,000    = 800,000
 *   lock cmpxchg         CAS-loop increment, 4 x 200,000          = 800,000
 *   lock cmpxchg8b       CAS-loop on a 64-bit word (inline asm)
 *   lock cmpxchg16b      CAS-loop on a 16-byte pair; __atomic on 16 bytes
 *                        would need libatomic, so this uses the __sync
 *                        builtin in a target("cx16") function, which GCC
 *                        inlines as lock cmpxchg16b without -mcx16
 *   lock bts             each bit of a bitmap claimed by exactly one thread
 *   mfence               Peterson's lock (plain stores, then mfence),
 *                        2 threads x 20,000 on a plain counter
 * Only the main thread prints, after joining. */
#include "guest.h"
#include <pthread.h>
#include <sched.h>
#include <stdint.h>

#define NT 4
#define XADD_ITERS 1000000
#define LOCK_ITERS 200000
#define TICKETS 100000
#define BITS (NT * 65536)
#define PETERSON_ITERS 20000

static pthread_barrier_t start;

static void run_threads(void *(*fn)(void *), int n)
{
    pthread_t th[NT];
    int ok = 1;
    if (pthread_barrier_init(&start, NULL, n) != 0)
        ok = 0;
    for (long i = 0; i < n; i++)
        if (pthread_create(&th[i], NULL, fn, (void *)i) != 0)
            ok = 0;
    for (int i = 0; i < n; i++)
        if (pthread_join(th[i], NULL) != 0)
            ok = 0;
    pthread_barrier_destroy(&start);
    if (!ok)
        printf("FAIL thread creation/join\n");
}

static inline void cpu_relax(unsigned *spins)
{
    __builtin_ia32_pause();
    if (++*spins % 64 == 0)
        sched_yield();   /* the holder may be preempted: do not burn a slice */
}

/* ---- lock xadd / lock add / lock sub ---- */
static long xadd_counter;
static long xadd_sums[NT];
static long add_counter;
static int sub_counter = NT * XADD_ITERS / 4;

static void *xadd_worker(void *p)
{
    long id = (long)p, sum = 0;
    pthread_barrier_wait(&start);
    /* the old values are used, so this is lock xadd rather than lock add */
    for (int i = 0; i < XADD_ITERS; i++)
        sum += __atomic_fetch_add(&xadd_counter, 1, __ATOMIC_SEQ_CST);
    xadd_sums[id] = sum;
    return NULL;
}

static void *addsub_worker(void *p)
{
    (void)p;
    pthread_barrier_wait(&start);
    for (int i = 0; i < XADD_ITERS / 4; i++) {
        __atomic_add_fetch(&add_counter, 3, __ATOMIC_RELAXED);
        __atomic_sub_fetch(&sub_counter, 1, __ATOMIC_RELAXED);
    }
    return NULL;
}

/* ---- xadd tickets ---- */
static long ticket_next;
static long tickets[NT][TICKETS];

static void *ticket_worker(void *p)
{
    long id = (long)p;
    pthread_barrier_wait(&start);
    for (int i = 0; i < TICKETS; i++)
        tickets[id][i] = __atomic_fetch_add(&ticket_next, 1, __ATOMIC_RELAXED);
    return NULL;
}

/* ---- xchg spinlock ---- */
static int spin;
static long spin_counter;     /* plain: only the spinlock protects it */

static void *spin_worker(void *p)
{
    (void)p;
    pthread_barrier_wait(&start);
    for (int i = 0; i < LOCK_ITERS; i++) {
        unsigned spins = 0;
        while (__atomic_exchange_n(&spin, 1, __ATOMIC_ACQUIRE))
            while (__atomic_load_n(&spin, __ATOMIC_RELAXED))
                cpu_relax(&spins);
        spin_counter++;
        __atomic_store_n(&spin, 0, __ATOMIC_RELEASE);
    }
    return NULL;
}

/* ---- lock cmpxchg loop ---- */
static long cas_counter;

static void *cas_worker(void *p)
{
    (void)p;
    pthread_barrier_wait(&start);
    for (int i = 0; i < LOCK_ITERS; i++) {
        long old = __atomic_load_n(&cas_counter, __ATOMIC_RELAXED);
        while (!__atomic_compare_exchange_n(&cas_counter, &old, old + 1, 0,
                                            __ATOMIC_SEQ_CST, __ATOMIC_RELAXED))
            ;
    }
    return NULL;
}

/* ---- lock cmpxchg8b (in 64-bit mode: edx:eax vs m64, stores ecx:ebx) ---- */
static uint64_t cas8b_word;

static int cmpxchg8b(uint64_t *p, uint64_t *old, uint64_t new)
{
    uint32_t lo = (uint32_t)*old, hi = (uint32_t)(*old >> 32);
    unsigned char ok;
    __asm__ volatile("lock cmpxchg8b %1\n\tsete %0"
                     : "=q"(ok), "+m"(*p), "+a"(lo), "+d"(hi)
                     : "b"((uint32_t)new), "c"((uint32_t)(new >> 32))
                     : "memory", "cc");
    *old = (uint64_t)hi << 32 | lo;
    return ok;
}

static void *cas8b_worker(void *p)
{
    (void)p;
    pthread_barrier_wait(&start);
    uint64_t old = 0;
    for (int i = 0; i < LOCK_ITERS; i++) {
        /* low half +1, high half +3: both change together or not at all */
        while (!cmpxchg8b(&cas8b_word, &old, old + 1 + (3ull << 32)))
            ;
    }
    return NULL;
}

/* ---- lock cmpxchg16b ---- */
typedef unsigned __int128 u128;
static u128 cas16_word __attribute__((aligned(16)));

__attribute__((target("cx16"))) static int cmpxchg16b(u128 *p, u128 old, u128 new)
{
    return __sync_bool_compare_and_swap(p, old, new);
}

__attribute__((target("cx16"))) static u128 load16(u128 *p)
{
    return __sync_val_compare_and_swap(p, 0, 0);   /* atomic 16-byte read */
}

static void *cas16_worker(void *p)
{
    (void)p;
    pthread_barrier_wait(&start);
    for (int i = 0; i < LOCK_ITERS; i++) {
        u128 old = load16(&cas16_word);
        for (;;) {
            /* low qword +1, high qword +2 */
            u128 new = old + 1 + ((u128)2 << 64);
            if (cmpxchg16b(&cas16_word, old, new))
                break;
            old = load16(&cas16_word);
        }
    }
    return NULL;
}

/* ---- lock bts: claim bits ---- */
static unsigned long bitmap[BITS / 64];
static long claims[NT];

static void *bts_worker(void *p)
{
    long id = (long)p;
    pthread_barrier_wait(&start);
    long n = 0;
    /* every thread tries every bit, starting at a different place */
    for (long k = 0; k < BITS; k++) {
        long b = (k + id * (BITS / NT)) % BITS;
        unsigned long mask = 1ul << (b % 64);
        if (!(__atomic_fetch_or(&bitmap[b / 64], mask, __ATOMIC_RELAXED) & mask))
            n++;
    }
    claims[id] = n;
    return NULL;
}

/* ---- Peterson's lock: needs store->load ordering (mfence) ---- */
static inline void mfence(void)
{
    /* GCC's __atomic_thread_fence is lock or $0,(%rsp): ask for mfence */
    __asm__ volatile("mfence" ::: "memory");
}

static int pflag[2], pturn;
static long peterson_counter;

static void *peterson_worker(void *p)
{
    int me = (int)(long)p, other = 1 - me;
    pthread_barrier_wait(&start);
    for (int i = 0; i < PETERSON_ITERS; i++) {
        unsigned spins = 0;
        __atomic_store_n(&pflag[me], 1, __ATOMIC_RELAXED);
        __atomic_store_n(&pturn, other, __ATOMIC_RELAXED);
        mfence();
        while (__atomic_load_n(&pflag[other], __ATOMIC_ACQUIRE) &&
               __atomic_load_n(&pturn, __ATOMIC_RELAXED) == other) {
            cpu_relax(&spins);
            mfence();
        }
        peterson_counter++;
        __atomic_store_n(&pflag[me], 0, __ATOMIC_RELEASE);
    }
    return NULL;
}

int main(void)
{
    printf("== lock xadd: %d x %d\n", NT, XADD_ITERS);
    run_threads(xadd_worker, NT);
    CHECK_EQ(xadd_counter, (long)NT * XADD_ITERS);
    {
        long total = 0, n = (long)NT * XADD_ITERS;
        for (int t = 0; t < NT; t++)
            total += xadd_sums[t];
        CHECK_EQ(total, n * (n - 1) / 2);   /* each old value 0..n-1 once */
    }

    printf("== lock add / lock sub\n");
    run_threads(addsub_worker, NT);
    CHECK_EQ(add_counter, 3L * NT * (XADD_ITERS / 4));
    CHECK_EQ(sub_counter, 0);

    printf("== xadd tickets: %d x %d, each value once\n", NT, TICKETS);
    {
        run_threads(ticket_worker, NT);
        static unsigned char seen[NT * TICKETS];
        int in_range = 1, once = 1, ordered = 1;
        for (int t = 0; t < NT; t++)
            for (int i = 0; i < TICKETS; i++) {
                long v = tickets[t][i];
                if (v < 0 || v >= NT * TICKETS) {
                    in_range = 0;
                    continue;
                }
                if (seen[v]++)
                    once = 0;
                if (i && v <= tickets[t][i - 1])
                    ordered = 0;   /* one thread's tickets only increase */
            }
        CHECK(in_range);
        CHECK(once);
        CHECK(ordered);
        CHECK_EQ(ticket_next, (long)NT * TICKETS);
    }

    printf("== xchg spinlock: %d x %d\n", NT, LOCK_ITERS);
    run_threads(spin_worker, NT);
    CHECK_EQ(spin_counter, (long)NT * LOCK_ITERS);
    CHECK_EQ(spin, 0);

    printf("== lock cmpxchg loop: %d x %d\n", NT, LOCK_ITERS);
    run_threads(cas_worker, NT);
    CHECK_EQ(cas_counter, (long)NT * LOCK_ITERS);

    printf("== lock cmpxchg8b loop: %d x %d\n", NT, LOCK_ITERS);
    run_threads(cas8b_worker, NT);
    CHECK_EQ((long)(uint32_t)cas8b_word, (long)NT * LOCK_ITERS);
    CHECK_EQ((long)(cas8b_word >> 32), 3L * NT * LOCK_ITERS);

    printf("== lock cmpxchg16b loop: %d x %d\n", NT, LOCK_ITERS);
    run_threads(cas16_worker, NT);
    CHECK_EQ((long)(uint64_t)cas16_word, (long)NT * LOCK_ITERS);
    CHECK_EQ((long)(uint64_t)(cas16_word >> 64), 2L * NT * LOCK_ITERS);

    printf("== lock bts: %d bits, %d threads\n", BITS, NT);
    {
        run_threads(bts_worker, NT);
        long total = 0;
        int all_set = 1;
        for (int t = 0; t < NT; t++)
            total += claims[t];
        for (int i = 0; i < BITS / 64; i++)
            if (bitmap[i] != ~0ul)
                all_set = 0;
        CHECK_EQ(total, BITS);
        CHECK(all_set);
    }

    printf("== Peterson's lock (mfence): 2 x %d\n", PETERSON_ITERS);
    run_threads(peterson_worker, 2);
    CHECK_EQ(peterson_counter, 2L * PETERSON_ITERS);

    return guest_done();
}
