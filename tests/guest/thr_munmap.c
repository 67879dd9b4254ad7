/* thr_munmap.c: address-space changes in one thread while others run.
 *   1. A reader thread checksums its own 64 KiB mapping over and over while
 *      main maps, writes, mprotects, splits, MAP_FIXED-replaces, mremaps
 *      and munmaps other memory 2,000 times, and toggles the reader's
 *      mapping between read-only and read-write (the reader only reads).
 *      Every call succeeds and the reader never sees a wrong byte.
 *   2. Three adjacent pages: a thread waits on a semaphore, then keeps
 *      writing and checking the outer two while main unmaps the middle
 *      one: munmap returns 0, the hole behaves as unmapped (ENOMEM from
 *      mprotect/msync/mincore, MAP_FIXED_NOREPLACE can fill it) and the
 *      outer pages keep what the thread wrote.
 *   3. Four threads check patterns on their own stacks while main churns
 *      through 1,000 mmap/munmap pairs (new mappings land next to thread
 *      stacks).
 *   4. A thread blocked in read() on a pipe while main unmaps memory; the
 *      data then arrives in the thread's buffer.
 * `thr_munmap segv`: a thread keeps reading a page; once it has read it,
 * main unmaps it; the thread's next read faults and the whole process dies
 * of SIGSEGV (until signal handlers exist, nothing else can happen).
 * All output comes from the main thread. */
#include "guest.h"
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>
#include <sys/mman.h>

#define PAGE 4096
#define RSIZE (64 * 1024)
#define CHURN 2000

static volatile int stop;

static unsigned long sum_bytes(const unsigned char *p, size_t n)
{
    unsigned long s = 0;
    for (size_t i = 0; i < n; i++)
        s = s * 31 + p[i];
    return s;
}

/* ---- 1. reader vs churn ---- */
static unsigned char *rmap;
static unsigned long rsum_want;
static long reader_passes, reader_errors;

static void *reader(void *p)
{
    (void)p;
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        if (sum_bytes(rmap, RSIZE) != rsum_want)
            reader_errors++;
        __atomic_fetch_add(&reader_passes, 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

static void wait_passes(long *counter, long more)
{
    long start = __atomic_load_n(counter, __ATOMIC_ACQUIRE);
    while (__atomic_load_n(counter, __ATOMIC_ACQUIRE) < start + more)
        sched_yield();
}

static void test_churn(void)
{
    printf("== a reader thread while main changes other mappings %d times\n", CHURN);
    rmap = mmap(NULL, RSIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(rmap != MAP_FAILED);
    if (rmap == MAP_FAILED)
        return;
    for (int i = 0; i < RSIZE; i++)
        rmap[i] = (unsigned char)(i * 7 + i / 251);
    rsum_want = sum_bytes(rmap, RSIZE);

    pthread_t t;
    stop = 0;
    CHECK_EQ(pthread_create(&t, NULL, reader, NULL), 0);
    wait_passes(&reader_passes, 1);

    long fails = 0, bad_data = 0;
    for (int i = 0; i < CHURN; i++) {
        unsigned char *m = mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            fails++;
            continue;
        }
        memset(m, i & 0xff, 4 * PAGE);
        fails += mprotect(m, 4 * PAGE, PROT_READ) != 0;
        bad_data += m[3 * PAGE + 5] != (i & 0xff);
        fails += mprotect(m + PAGE, PAGE, PROT_NONE) != 0;    /* split in three */
        fails += mprotect(m, 4 * PAGE, PROT_READ | PROT_WRITE) != 0;
        m[PAGE] ^= 0xff;
        bad_data += m[PAGE] != (unsigned char)~(i & 0xff);
        fails += munmap(m + 2 * PAGE, PAGE) != 0;             /* punch a hole */
        /* fill the hole again with MAP_FIXED, then replace page 0 too */
        fails += mmap(m + 2 * PAGE, PAGE, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != m + 2 * PAGE;
        bad_data += m[2 * PAGE] != 0;
        fails += mmap(m, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0) != m;
        bad_data += m[0] != 0;
        fails += munmap(m, 4 * PAGE) != 0;
        /* grow (maybe moving) and shrink a fresh mapping */
        m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            fails++;
            continue;
        }
        m[PAGE + 5] = (unsigned char)i;
        unsigned char *g = mremap(m, 2 * PAGE, 8 * PAGE, MREMAP_MAYMOVE);
        if (g == MAP_FAILED) {
            fails++;
            munmap(m, 2 * PAGE);
            continue;
        }
        bad_data += g[PAGE + 5] != (unsigned char)i;
        g[7 * PAGE] = 1;
        fails += mremap(g, 8 * PAGE, 2 * PAGE, 0) != g;
        bad_data += g[PAGE + 5] != (unsigned char)i;
        fails += munmap(g, 2 * PAGE) != 0;
        if (i % 4 == 0) {
            /* the reader's own mapping: read-only and back, under its feet */
            fails += mprotect(rmap, RSIZE, PROT_READ) != 0;
            fails += mprotect(rmap + RSIZE / 2, PAGE, PROT_READ | PROT_WRITE) != 0;
            fails += mprotect(rmap, RSIZE, PROT_READ | PROT_WRITE) != 0;
        }
    }
    wait_passes(&reader_passes, 2);     /* it ran after the churn, too */
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    CHECK_EQ(pthread_join(t, NULL), 0);
    CHECK_EQ(fails, 0);
    CHECK_EQ(bad_data, 0);
    CHECK_EQ(reader_errors, 0);
    CHECK(reader_passes >= 3);
    CHECK(sum_bytes(rmap, RSIZE) == rsum_want);
    CHECK_EQ(munmap(rmap, RSIZE), 0);
}

/* ---- 2. unmapping the page between a thread's two pages ---- */
static unsigned char *three;
static sem_t go;
static long neigh_rounds, neigh_errors;
static unsigned char neigh_last;

static void *neighbour(void *p)
{
    (void)p;
    sem_wait(&go);
    unsigned char v = 0;
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        v++;
        memset(three, v, PAGE);
        memset(three + 2 * PAGE, v ^ 0x5a, PAGE);
        for (int i = 0; i < PAGE; i += 64)
            if (three[i] != v || three[2 * PAGE + i] != (v ^ 0x5a))
                neigh_errors++;
        neigh_last = v;
        __atomic_fetch_add(&neigh_rounds, 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

static void test_neighbour(void)
{
    printf("== munmap of the page between another thread's two pages\n");
    three = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(three != MAP_FAILED);
    if (three == MAP_FAILED)
        return;
    memset(three + PAGE, 0x77, PAGE);
    CHECK_EQ(sem_init(&go, 0, 0), 0);
    pthread_t t;
    stop = 0;
    CHECK_EQ(pthread_create(&t, NULL, neighbour, NULL), 0);
    CHECK_EQ(sem_post(&go), 0);
    wait_passes(&neigh_rounds, 10);

    CHECK_EQ(munmap(three + PAGE, PAGE), 0);
    wait_passes(&neigh_rounds, 10);
    unsigned char vec[1];
    CHECK_ERR(mprotect(three + PAGE, PAGE, PROT_READ), ENOMEM);
    CHECK_ERR(msync(three + PAGE, PAGE, MS_ASYNC), ENOMEM);
    CHECK_ERR(mincore(three + PAGE, PAGE, vec), ENOMEM);
    CHECK_EQ(mincore(three, PAGE, vec), 0);
    CHECK_EQ(munmap(three + PAGE, PAGE), 0);          /* unmapping a hole is fine */
    /* the hole can be filled exactly, and unmapped again */
    void *fill = mmap(three + PAGE, PAGE, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    CHECK(fill == three + PAGE);
    if (fill == three + PAGE) {
        CHECK_EQ(three[PAGE + 100], 0);               /* fresh zero page */
        CHECK_EQ(munmap(fill, PAGE), 0);
    }
    /* the neighbours are still mapped: NOREPLACE over them fails */
    CHECK(mmap(three, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0)
          == MAP_FAILED);
    wait_passes(&neigh_rounds, 10);

    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    CHECK_EQ(pthread_join(t, NULL), 0);
    CHECK_EQ(neigh_errors, 0);
    int ok0 = 1, ok2 = 1;
    for (int i = 0; i < PAGE; i++) {
        if (three[i] != neigh_last)
            ok0 = 0;
        if (three[2 * PAGE + i] != (neigh_last ^ 0x5a))
            ok2 = 0;
    }
    CHECK(ok0);
    CHECK(ok2);
    CHECK_EQ(munmap(three, 3 * PAGE), 0);    /* the whole range, hole and all */
    CHECK_EQ(sem_destroy(&go), 0);
}

/* ---- 3. thread stacks vs mmap churn ---- */
#define NSTACK 4
static long stack_rounds[NSTACK], stack_errors;

static void *stack_checker(void *p)
{
    long id = (long)p;
    unsigned char buf[16384];
    for (size_t i = 0; i < sizeof buf; i++)
        buf[i] = (unsigned char)(i * 13 + id);
    while (!__atomic_load_n(&stop, __ATOMIC_ACQUIRE)) {
        __asm__ volatile("" ::: "memory");
        for (size_t i = 0; i < sizeof buf; i += 61)
            if (buf[i] != (unsigned char)(i * 13 + id))
                __atomic_fetch_add(&stack_errors, 1, __ATOMIC_RELAXED);
        __atomic_fetch_add(&stack_rounds[id], 1, __ATOMIC_RELEASE);
        sched_yield();
    }
    return NULL;
}

static void test_stacks(void)
{
    printf("== %d threads check their stacks while main maps and unmaps\n", NSTACK);
    pthread_t t[NSTACK];
    int ok = 1;
    stop = 0;
    for (long i = 0; i < NSTACK; i++)
        if (pthread_create(&t[i], NULL, stack_checker, (void *)i) != 0)
            ok = 0;
    CHECK(ok);
    for (int i = 0; i < NSTACK; i++)
        wait_passes(&stack_rounds[i], 1);
    long fails = 0;
    void *keep[16] = {0};
    for (int i = 0; i < 1000; i++) {
        size_t len = (size_t)(1 + i % 7) * PAGE;
        void *m = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            fails++;
            continue;
        }
        memset(m, 0xee, len);
        /* keep a few alive for a while so the layout keeps changing */
        int slot = i % 16;
        if (keep[slot])
            fails += munmap(keep[slot], (size_t)(1 + (i - 16) % 7) * PAGE) != 0;
        keep[slot] = m;
    }
    for (int i = 1000 - 16; i < 1000; i++)
        fails += munmap(keep[i % 16], (size_t)(1 + i % 7) * PAGE) != 0;
    for (int i = 0; i < NSTACK; i++)
        wait_passes(&stack_rounds[i], 1);
    __atomic_store_n(&stop, 1, __ATOMIC_RELEASE);
    for (int i = 0; i < NSTACK; i++)
        CHECK_EQ(pthread_join(t[i], NULL), 0);
    CHECK_EQ(fails, 0);
    CHECK_EQ(stack_errors, 0);
}

/* ---- 4. a thread blocked in read() while main unmaps ---- */
static int pipefd[2];
static char rbuf[64];
static long rlen;

static void *pipe_reader(void *p)
{
    (void)p;
    rlen = read(pipefd[0], rbuf, sizeof rbuf - 1);
    return NULL;
}

static void test_blocked_read(void)
{
    printf("== a thread blocked in read() while main unmaps memory\n");
    CHECK_EQ(pipe(pipefd), 0);
    pthread_t t;
    CHECK_EQ(pthread_create(&t, NULL, pipe_reader, NULL), 0);
    long fails = 0;
    for (int i = 0; i < 200; i++) {
        void *m = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (m == MAP_FAILED) {
            fails++;
            continue;
        }
        memset(m, 1, 2 * PAGE);
        fails += munmap(m, 2 * PAGE) != 0;
    }
    CHECK_EQ(fails, 0);
    const char msg[] = "through the pipe";
    CHECK_EQ(write(pipefd[1], msg, sizeof msg - 1), (long)sizeof msg - 1);
    CHECK_EQ(pthread_join(t, NULL), 0);
    CHECK_EQ(rlen, (long)sizeof msg - 1);
    CHECK(memcmp(rbuf, msg, sizeof msg - 1) == 0);
    CHECK_EQ(close(pipefd[0]), 0);
    CHECK_EQ(close(pipefd[1]), 0);
}

/* ---- segv: a thread reading memory main unmaps ---- */
static volatile unsigned char *doomed;
static long doomed_reads;

static void *doomed_reader(void *p)
{
    (void)p;
    for (;;) {
        (void)doomed[100];
        __atomic_fetch_add(&doomed_reads, 1, __ATOMIC_RELEASE);
    }
    return NULL;
}

static int test_segv(void)
{
    printf("== a thread reads a page main then unmaps: SIGSEGV\n");
    fflush(stdout);
    doomed = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (doomed == MAP_FAILED)
        return 1;
    pthread_t t;
    if (pthread_create(&t, NULL, doomed_reader, NULL) != 0)
        return 1;
    wait_passes(&doomed_reads, 1000);
    munmap((void *)doomed, PAGE);
    pthread_join(t, NULL);    /* never returns: the reader's fault ends the process */
    printf("FAIL the process outlived the fault\n");
    return 1;
}

int main(int argc, char **argv)
{
    if (argc > 1 && !strcmp(argv[1], "segv"))
        return test_segv();
    test_churn();
    test_neighbour();
    test_stacks();
    test_blocked_read();
    return guest_done();
}
