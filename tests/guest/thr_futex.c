/* thr_futex.c: the raw futex system call. Every test runs twice, for shared
 * futexes and with FUTEX_PRIVATE_FLAG: value mismatch (EAGAIN), relative and
 * absolute timeouts on both clocks, invalid arguments, bad addresses, WAKE
 * waking exactly the number asked, WAKE_BITSET, REQUEUE, CMP_REQUEUE,
 * WAKE_OP (its operations and comparisons).
 * `thr_futex keys` checks how futexes are keyed instead: a private wake does
 * not wake a shared waiter on the same address (nor the reverse), and a
 * MAP_SHARED page mapped at two addresses (mremap with old_size 0) is one
 * shared futex.
 *
 * Waiter threads are known to be asleep in the kernel, not just about to
 * call futex, without sleeping and hoping: park() moves them with
 * CMP_REQUEUE onto a scratch futex until all have been moved (the count
 * requeue returns), then moves them all back in one call. Each waiter has
 * a 10 s timeout, so a kernel that loses a wakeup fails instead of hanging.
 * All output comes from the main thread. */
#include "guest.h"
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

/* <linux/futex.h> is not in musl-gcc's include path */
#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_BITSET_MATCH_ANY 0xffffffff
#define FUTEX_OP_SET 0
#define FUTEX_OP_ADD 1
#define FUTEX_OP_OR 2
#define FUTEX_OP_ANDN 3
#define FUTEX_OP_XOR 4
#define FUTEX_OP_OPARG_SHIFT 8
#define FUTEX_OP_CMP_EQ 0
#define FUTEX_OP_CMP_NE 1
#define FUTEX_OP_CMP_LT 2
#define FUTEX_OP_CMP_LE 3
#define FUTEX_OP_CMP_GT 4
#define FUTEX_OP_CMP_GE 5
#define FUTEX_OP(op, oparg, cmp, cmparg)                                     \
    ((((op) & 0xf) << 28) | (((cmp) & 0xf) << 24) | (((oparg) & 0xfff) << 12) | \
     ((cmparg) & 0xfff))

static int pflag;    /* 0 or FUTEX_PRIVATE_FLAG for the current pass */

/* futex(2) with every argument as long; returns -errno on failure so the
 * results of other threads can be handed back without errno. */
static long futex(void *uaddr, long op, long val, long timeout_or_val2, void *uaddr2, long val3)
{
    long r = syscall(SYS_futex, (long)uaddr, op, val, timeout_or_val2, (long)uaddr2, val3);
    return r == -1 ? -errno : r;
}

static const char *res(long r)
{
    static char buf[8][32];
    static int n;
    char *b = buf[n++ % 8];
    if (r >= 0)
        snprintf(b, 32, "%ld", r);
    else if (r == -ETIMEDOUT)
        snprintf(b, 32, "-ETIMEDOUT");
    else
        snprintf(b, 32, "-%s", errname((int)-r));
    return b;
}

/* CHECK_R(expr, want): a futex() result, printed symbolically. */
#define CHECK_R(expr, want)                                                  \
    do {                                                                     \
        long r_ = (expr), w_ = (want);                                       \
        char b_[300];                                                        \
        snprintf(b_, sizeof b_, "%s -> %s (want %s)", #expr, res(r_), res(w_)); \
        check_at(r_ == w_, b_, __LINE__);                                    \
    } while (0)

static struct timespec now(clockid_t c)
{
    struct timespec ts;
    clock_gettime(c, &ts);
    return ts;
}

static struct timespec add_ms(struct timespec ts, long ms)
{
    ts.tv_sec += ms / 1000;
    ts.tv_nsec += (ms % 1000) * 1000000L;
    if (ts.tv_nsec >= 1000000000L) {
        ts.tv_sec++;
        ts.tv_nsec -= 1000000000L;
    }
    return ts;
}

static int ts_ge(struct timespec a, struct timespec b)
{
    return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec >= b.tv_nsec);
}

/* ---- waiter threads ---- */
struct waiter {
    pthread_t th;
    int *addr;
    int op;            /* FUTEX_WAIT or FUTEX_WAIT_BITSET, with flags */
    int val;
    unsigned bitset;
    long result;
    int done;
};

static void *waiter_main(void *p)
{
    struct waiter *w = p;
    long r;
    /* A thread can receive a late wakeup meant for an earlier sleep (Linux
     * wakes through a queue it flushes after dropping its locks); the kernel
     * then puts the futex sleeper back on the address it first waited on,
     * even if it had been requeued. Let such wakeups land in this sleep. */
    sleep_ms(1);
    if ((w->op & 127) == FUTEX_WAIT_BITSET) {
        struct timespec dl = add_ms(now(CLOCK_MONOTONIC), 10000);
        r = futex(w->addr, w->op, w->val, (long)&dl, NULL, w->bitset);
    } else {
        struct timespec rel = {10, 0};
        r = futex(w->addr, w->op, w->val, (long)&rel, NULL, 0);
    }
    w->result = r;
    __atomic_store_n(&w->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static int start_waiter(struct waiter *w, int *addr, int op, unsigned bitset)
{
    memset(w, 0, sizeof *w);
    w->addr = addr;
    w->op = op;
    w->val = __atomic_load_n(addr, __ATOMIC_RELAXED);
    w->bitset = bitset;
    return pthread_create(&w->th, NULL, waiter_main, w) == 0;
}

static int count_done(struct waiter *w, int n)
{
    int d = 0;
    for (int i = 0; i < n; i++)
        d += __atomic_load_n(&w[i].done, __ATOMIC_ACQUIRE);
    return d;
}

/* Wait (up to 5 s) until `want` of the n waiters have returned. */
static int wait_done(struct waiter *w, int n, int want)
{
    struct timespec limit = add_ms(now(CLOCK_MONOTONIC), 5000);
    while (count_done(w, n) < want) {
        if (ts_ge(now(CLOCK_MONOTONIC), limit))
            return 0;
        sleep_ms(1);
    }
    return 1;
}

/* Join n waiters; 1 if all returned 0 (woken, not timed out). */
static int join_waiters(struct waiter *w, int n)
{
    int ok = 1;
    for (int i = 0; i < n; i++) {
        if (pthread_join(w[i].th, NULL) != 0 || w[i].result != 0)
            ok = 0;
    }
    return ok;
}

/* park(addr, n): 1 once n threads are asleep on addr (see the top). Every
 * round moves all waiters from addr to a scratch futex and then all of them
 * back: the second count is how many are asleep. (Counting the first moves
 * instead would be wrong: a sleeper that is woken spuriously goes back to
 * sleep on the address it first waited on, so it can be moved twice.) */
static int scratch;

static int park(int *addr, int n)
{
    struct timespec limit = add_ms(now(CLOCK_MONOTONIC), 5000);
    for (;;) {
        long r = futex(addr, FUTEX_CMP_REQUEUE | pflag, 0, INT_MAX, &scratch,
                       __atomic_load_n(addr, __ATOMIC_RELAXED));
        long back = futex(&scratch, FUTEX_CMP_REQUEUE | pflag, 0, INT_MAX, addr, scratch);
        if (r < 0 || back < 0 || back > n)
            return 0;
        if (back == n)
            return 1;
        if (ts_ge(now(CLOCK_MONOTONIC), limit))
            return 0;
        sched_yield();
    }
}

/* ---- the tests ---- */
static int fa, fb;     /* the futex words used by the tests */

static void test_simple(void)
{
    printf("-- value mismatch, wake without waiters\n");
    fa = 5;
    CHECK_R(futex(&fa, FUTEX_WAIT | pflag, 4, 0, NULL, 0), -EAGAIN);
    CHECK_R(futex(&fa, FUTEX_WAIT_BITSET | pflag, 6, 0, NULL, FUTEX_BITSET_MATCH_ANY), -EAGAIN);
    CHECK_R(futex(&fa, FUTEX_WAKE | pflag, 1, 0, NULL, 0), 0);
    CHECK_R(futex(&fa, FUTEX_WAKE | pflag, INT_MAX, 0, NULL, 0), 0);
    CHECK_R(futex(&fa, FUTEX_WAKE_BITSET | pflag, 1, 0, NULL, 1), 0);
    fa = 0;
}

static void test_timeouts(void)
{
    printf("-- timeouts\n");
    struct timespec t0, t1, rel = {0, 20000000};   /* 20 ms */
    fa = 0;
    t0 = now(CLOCK_MONOTONIC);
    CHECK_R(futex(&fa, FUTEX_WAIT | pflag, 0, (long)&rel, NULL, 0), -ETIMEDOUT);
    t1 = now(CLOCK_MONOTONIC);
    CHECK(ts_ge(t1, add_ms(t0, 20)));     /* relative: at least 20 ms */

    struct timespec dl = add_ms(now(CLOCK_MONOTONIC), 20);
    CHECK_R(futex(&fa, FUTEX_WAIT_BITSET | pflag, 0, (long)&dl, NULL, FUTEX_BITSET_MATCH_ANY),
            -ETIMEDOUT);
    CHECK(ts_ge(now(CLOCK_MONOTONIC), dl));    /* absolute CLOCK_MONOTONIC */

    dl = add_ms(now(CLOCK_REALTIME), 20);
    CHECK_R(futex(&fa, FUTEX_WAIT_BITSET | FUTEX_CLOCK_REALTIME | pflag, 0, (long)&dl, NULL,
                  FUTEX_BITSET_MATCH_ANY),
            -ETIMEDOUT);
    CHECK(ts_ge(now(CLOCK_REALTIME), dl));     /* absolute CLOCK_REALTIME */

    /* already expired: an absolute time in the past, a zero relative one */
    struct timespec past = {1, 0}, zero = {0, 0};
    t0 = now(CLOCK_MONOTONIC);
    CHECK_R(futex(&fa, FUTEX_WAIT_BITSET | pflag, 0, (long)&past, NULL, FUTEX_BITSET_MATCH_ANY),
            -ETIMEDOUT);
    CHECK_R(futex(&fa, FUTEX_WAIT | pflag, 0, (long)&zero, NULL, 0), -ETIMEDOUT);
    t1 = now(CLOCK_MONOTONIC);
    CHECK(!ts_ge(t1, add_ms(t0, 1000)));  /* no waiting to speak of */

    /* the value is compared before the timeout is looked at */
    CHECK_R(futex(&fa, FUTEX_WAIT | pflag, 1, (long)&zero, NULL, 0), -EAGAIN);
}

static void test_invalid(void)
{
    printf("-- invalid arguments\n");
    struct timespec bad_ns = {0, 1000000000L}, neg = {-1, 0};
    fa = 0;
    CHECK_R(futex(&fa, FUTEX_WAIT | pflag, 0, (long)&bad_ns, NULL, 0), -EINVAL);
    CHECK_R(futex(&fa, FUTEX_WAIT | pflag, 0, (long)&neg, NULL, 0), -EINVAL);
    CHECK_R(futex(&fa, FUTEX_WAIT_BITSET | pflag, 0, (long)&bad_ns, NULL, 1), -EINVAL);
    CHECK_R(futex(&fa, FUTEX_WAIT_BITSET | pflag, 0, 0, NULL, 0), -EINVAL);   /* bitset 0 */
    CHECK_R(futex(&fa, FUTEX_WAKE_BITSET | pflag, 1, 0, NULL, 0), -EINVAL);
    CHECK_R(futex((char *)&fa + 1, FUTEX_WAIT | pflag, 0, 0, NULL, 0), -EINVAL); /* unaligned */
    CHECK_R(futex((char *)&fa + 2, FUTEX_WAKE | pflag, 1, 0, NULL, 0), -EINVAL);
    CHECK_R(futex(&fa, 99 | pflag, 0, 0, NULL, 0), -ENOSYS);                  /* no such op */
    CHECK_R(futex(&fa, FUTEX_WAKE | FUTEX_CLOCK_REALTIME | pflag, 1, 0, NULL, 0), -ENOSYS);
    CHECK_R(futex(&fa, FUTEX_CMP_REQUEUE | pflag, 0, -1, &fb, 0), -EINVAL);   /* nr_requeue < 0 */
    CHECK_R(futex(&fa, FUTEX_CMP_REQUEUE | pflag, -1, 1, &fb, 0), -EINVAL);   /* nr_wake < 0 */
    CHECK_R(futex(&fa, FUTEX_WAKE_OP | pflag, 1, 1, &fb, FUTEX_OP(7, 0, 0, 0)), -ENOSYS);
    CHECK_R(futex(&fa, FUTEX_WAKE_OP | pflag, 1, 1, &fb, FUTEX_OP(0, 0, 7, 0)), -ENOSYS);
}

static void test_efault(void)
{
    printf("-- bad addresses\n");
    /* an address that was mapped and is not any more */
    char *page = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(page != MAP_FAILED);
    CHECK_EQ(munmap(page, 4096), 0);
    int *bad = (int *)page;
    struct timespec rel = {0, 1000000};
    fa = 0;
    CHECK_R(futex(bad, FUTEX_WAIT | pflag, 0, (long)&rel, NULL, 0), -EFAULT);
    CHECK_R(futex(bad, FUTEX_WAIT_BITSET | pflag, 0, 0, NULL, 1), -EFAULT);
    CHECK_R(futex((int *)8, FUTEX_WAIT | pflag, 0, (long)&rel, NULL, 0), -EFAULT);
    CHECK_R(futex(&fa, FUTEX_WAKE_OP | pflag, 1, 1, bad, FUTEX_OP(FUTEX_OP_ADD, 1, 0, 0)),
            -EFAULT);
    CHECK_R(futex(bad, FUTEX_CMP_REQUEUE | pflag, 1, 1, &fa, 0), -EFAULT);
    /* the timeout pointer is read too */
    CHECK_R(futex(&fa, FUTEX_WAIT | pflag, 0, (long)bad, NULL, 0), -EFAULT);
    if (pflag) {
        /* a private wake only hashes the address: nobody waits there */
        CHECK_R(futex(bad, FUTEX_WAKE | pflag, 1, 0, NULL, 0), 0);
    } else {
        /* a shared one has to find the page behind it */
        CHECK_R(futex(bad, FUTEX_WAKE | pflag, 1, 0, NULL, 0), -EFAULT);
    }
}

static void test_wake_count(void)
{
    printf("-- FUTEX_WAKE wakes exactly the number asked\n");
    struct waiter w[4];
    int ok = 1;
    fa = 0;
    for (int i = 0; i < 4; i++)
        ok &= start_waiter(&w[i], &fa, FUTEX_WAIT | pflag, 0);
    CHECK(ok);
    CHECK(park(&fa, 4));
    CHECK_R(futex(&fa, FUTEX_WAKE | pflag, 2, 0, NULL, 0), 2);
    CHECK(wait_done(w, 4, 2));
    sleep_ms(20);
    CHECK_EQ(count_done(w, 4), 2);        /* and no more than two */
    CHECK_R(futex(&fa, FUTEX_WAKE | pflag, 1, 0, NULL, 0), 1);
    CHECK(wait_done(w, 4, 3));
    CHECK_R(futex(&fa, FUTEX_WAKE | pflag, INT_MAX, 0, NULL, 0), 1);
    CHECK(join_waiters(w, 4));
    CHECK_R(futex(&fa, FUTEX_WAKE | pflag, INT_MAX, 0, NULL, 0), 0);
}

static void test_bitset(void)
{
    printf("-- FUTEX_WAKE_BITSET\n");
    struct waiter w[3];
    int ok = 1;
    fa = 0;
    ok &= start_waiter(&w[0], &fa, FUTEX_WAIT_BITSET | pflag, 0x1);
    ok &= start_waiter(&w[1], &fa, FUTEX_WAIT_BITSET | pflag, 0x1);
    ok &= start_waiter(&w[2], &fa, FUTEX_WAIT_BITSET | pflag, 0x6);
    CHECK(ok);
    CHECK(park(&fa, 3));
    CHECK_R(futex(&fa, FUTEX_WAKE_BITSET | pflag, INT_MAX, 0, NULL, 0x8), 0);   /* disjoint */
    CHECK_R(futex(&fa, FUTEX_WAKE_BITSET | pflag, INT_MAX, 0, NULL, 0x18), 0);
    CHECK_R(futex(&fa, FUTEX_WAKE_BITSET | pflag, INT_MAX, 0, NULL, 0x2), 1);   /* w[2] */
    CHECK(wait_done(w, 3, 1));
    CHECK(__atomic_load_n(&w[2].done, __ATOMIC_ACQUIRE));
    CHECK_R(futex(&fa, FUTEX_WAKE_BITSET | pflag, 1, 0, NULL, 0x3), 1);         /* w[0] or w[1] */
    CHECK_R(futex(&fa, FUTEX_WAKE | pflag, INT_MAX, 0, NULL, 0), 1);            /* matches any */
    CHECK(join_waiters(w, 3));
}

static void test_requeue(void)
{
    printf("-- FUTEX_REQUEUE\n");
    struct waiter w[4];
    int ok = 1;
    fa = 0;
    fb = 0;
    for (int i = 0; i < 4; i++)
        ok &= start_waiter(&w[i], &fa, FUTEX_WAIT | pflag, 0);
    CHECK(ok);
    CHECK(park(&fa, 4));
    /* wake 1, move 2 to fb, leave 1: the count is woken + moved */
    CHECK_R(futex(&fa, FUTEX_REQUEUE | pflag, 1, 2, &fb, 0), 3);
    CHECK(wait_done(w, 4, 1));
    sleep_ms(10);
    CHECK_EQ(count_done(w, 4), 1);
    CHECK_R(futex(&fb, FUTEX_WAKE | pflag, INT_MAX, 0, NULL, 0), 2);
    CHECK(wait_done(w, 4, 3));
    CHECK_R(futex(&fa, FUTEX_WAKE | pflag, INT_MAX, 0, NULL, 0), 1);
    CHECK(join_waiters(w, 4));

    printf("-- FUTEX_CMP_REQUEUE\n");
    ok = 1;
    fa = 7;
    fb = 0;
    for (int i = 0; i < 3; i++)
        ok &= start_waiter(&w[i], &fa, FUTEX_WAIT | pflag, 0);
    CHECK(ok);
    CHECK(park(&fa, 3));
    CHECK_R(futex(&fa, FUTEX_CMP_REQUEUE | pflag, 1, 1, &fb, 8), -EAGAIN);  /* fa is 7 */
    CHECK_EQ(count_done(w, 3), 0);
    CHECK_R(futex(&fa, FUTEX_CMP_REQUEUE | pflag, 0, 1, &fb, 7), 1);       /* move one */
    CHECK_R(futex(&fa, FUTEX_CMP_REQUEUE | pflag, 1, 0, &fb, 7), 1);       /* wake one */
    CHECK(wait_done(w, 3, 1));
    CHECK_R(futex(&fb, FUTEX_WAKE | pflag, INT_MAX, 0, NULL, 0), 1);
    CHECK_R(futex(&fa, FUTEX_WAKE | pflag, INT_MAX, 0, NULL, 0), 1);
    CHECK(join_waiters(w, 3));
}

static void test_wake_op(void)
{
    printf("-- FUTEX_WAKE_OP\n");
    struct waiter w[4];
    int ok = 1;
    fa = 0;
    fb = 0;
    ok &= start_waiter(&w[0], &fa, FUTEX_WAIT | pflag, 0);
    ok &= start_waiter(&w[1], &fa, FUTEX_WAIT | pflag, 0);
    ok &= start_waiter(&w[2], &fb, FUTEX_WAIT | pflag, 0);
    ok &= start_waiter(&w[3], &fb, FUTEX_WAIT | pflag, 0);
    CHECK(ok);
    CHECK(park(&fa, 2));
    CHECK(park(&fb, 2));
    /* fb += 5; wake 1 on fa; old fb == 0, so wake 1 on fb too */
    CHECK_R(futex(&fa, FUTEX_WAKE_OP | pflag, 1, 1, &fb,
                  FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 0)), 2);
    CHECK_EQ(fb, 5);
    /* again: old fb is 5 now, so only fa's waiter is woken */
    CHECK_R(futex(&fa, FUTEX_WAKE_OP | pflag, 1, 1, &fb,
                  FUTEX_OP(FUTEX_OP_ADD, 5, FUTEX_OP_CMP_EQ, 0)), 1);
    CHECK_EQ(fb, 10);
    CHECK(wait_done(w, 4, 3));
    CHECK_R(futex(&fb, FUTEX_WAKE | pflag, INT_MAX, 0, NULL, 0), 1);
    CHECK(join_waiters(w, 4));

    /* the operations, with nobody waiting */
    static const struct { int op, oparg, before, after; const char *name; } ops[] = {
        {FUTEX_OP_SET, 7, 0xf0, 7, "SET 7"},
        {FUTEX_OP_ADD, 3, 0xf0, 0xf3, "ADD 3"},
        {FUTEX_OP_ADD, -1, 0xf0, 0xef, "ADD -1 (sign-extended)"},
        {FUTEX_OP_OR, 0x0f, 0xf0, 0xff, "OR 0xf"},
        {FUTEX_OP_ANDN, 0x30, 0xf0, 0xc0, "ANDN 0x30"},
        {FUTEX_OP_XOR, 0xff, 0xf0, 0x0f, "XOR 0xff"},
        {FUTEX_OP_SET | FUTEX_OP_OPARG_SHIFT, 4, 0xf0, 16, "SET 1<<4"},
        {FUTEX_OP_OR | FUTEX_OP_OPARG_SHIFT, 31, 0, INT_MIN, "OR 1<<31"},
    };
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++) {
        char what[80];
        fb = ops[i].before;
        long r = futex(&fa, FUTEX_WAKE_OP | pflag, 1, 1, &fb,
                       FUTEX_OP(ops[i].op, ops[i].oparg, FUTEX_OP_CMP_EQ, 0));
        snprintf(what, sizeof what, "WAKE_OP %s: 0x%x -> 0x%x (result %s)", ops[i].name,
                 ops[i].before, fb, res(r));
        check_at(r == 0 && fb == ops[i].after, what, __LINE__);
    }

    /* the comparisons (of the old value), seen through a waiter on fb */
    static const struct { int cmp, cmparg; const char *name; } cmps[] = {
        {FUTEX_OP_CMP_EQ, 10, "EQ"}, {FUTEX_OP_CMP_NE, 10, "NE"},
        {FUTEX_OP_CMP_LT, 10, "LT"}, {FUTEX_OP_CMP_LE, 10, "LE"},
        {FUTEX_OP_CMP_GT, 10, "GT"}, {FUTEX_OP_CMP_GE, 10, "GE"},
        {FUTEX_OP_CMP_LT, -1, "LT -1"}, {FUTEX_OP_CMP_GT, -1, "GT -1"},
    };
    static const int olds[] = {9, 10, 11};
    for (size_t i = 0; i < sizeof cmps / sizeof cmps[0]; i++)
        for (size_t j = 0; j < 3; j++) {
            int old = olds[j];
            int want;
            switch (cmps[i].cmp) {
            case FUTEX_OP_CMP_EQ: want = old == cmps[i].cmparg; break;
            case FUTEX_OP_CMP_NE: want = old != cmps[i].cmparg; break;
            case FUTEX_OP_CMP_LT: want = old < cmps[i].cmparg; break;
            case FUTEX_OP_CMP_LE: want = old <= cmps[i].cmparg; break;
            case FUTEX_OP_CMP_GT: want = old > cmps[i].cmparg; break;
            default: want = old >= cmps[i].cmparg; break;
            }
            fb = old;
            struct waiter one;
            int okw = start_waiter(&one, &fb, FUTEX_WAIT | pflag, 0) && park(&fb, 1);
            long r = futex(&fa, FUTEX_WAKE_OP | pflag, 0, 1, &fb,
                           FUTEX_OP(FUTEX_OP_ADD, 0, cmps[i].cmp, cmps[i].cmparg));
            long rest = futex(&fb, FUTEX_WAKE | pflag, INT_MAX, 0, NULL, 0);
            int joined = join_waiters(&one, 1);
            char what[80];
            snprintf(what, sizeof what, "WAKE_OP CMP_%s %d with old %d wakes %d (got %s)",
                     cmps[i].name, cmps[i].cmparg, old, want, res(r));
            check_at(okw && joined && r == want && r + rest == 1, what, __LINE__);
        }
}

static void test_other_kind(void)
{
    printf("-- a waiter of the other kind (private/shared) is not woken\n");
    int other = pflag ^ FUTEX_PRIVATE_FLAG;
    struct waiter w;
    fa = 0;
    CHECK(start_waiter(&w, &fa, FUTEX_WAIT | pflag, 0));
    CHECK(park(&fa, 1));
    CHECK_R(futex(&fa, FUTEX_WAKE | other, INT_MAX, 0, NULL, 0), 0);
    CHECK_R(futex(&fa, FUTEX_WAKE | pflag, INT_MAX, 0, NULL, 0), 1);
    CHECK(join_waiters(&w, 1));
}

static void test_same_page(void)
{
    printf("-- another address in the same page is another futex\n");
    struct waiter w;
    static int pair[2];
    CHECK(start_waiter(&w, &pair[0], FUTEX_WAIT | pflag, 0));
    CHECK(park(&pair[0], 1));
    CHECK_R(futex(&pair[1], FUTEX_WAKE | pflag, INT_MAX, 0, NULL, 0), 0);
    CHECK_R(futex(&pair[0], FUTEX_WAKE | pflag, INT_MAX, 0, NULL, 0), 1);
    CHECK(join_waiters(&w, 1));
}

static void test_shared_mapping(void)
{
    printf("-- a MAP_SHARED page mapped twice: one futex\n");
    /* shared futexes are keyed by the page, not the address: a waiter on
     * one mapping is woken through the other */
    int *m1 = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(m1 != MAP_FAILED);
    if (m1 == MAP_FAILED)
        return;
    /* a second view of the same page, via mremap of size 0 */
    int *m2 = mremap(m1, 0, 4096, MREMAP_MAYMOVE);
    CHECK(m2 != MAP_FAILED && m2 != m1);
    if (m2 == MAP_FAILED || m2 == m1)
        return;
    m1[5] = 0;
    CHECK_EQ(m2[5], 0);
    m1[5] = 3;
    CHECK_EQ(m2[5], 3);
    struct waiter w;
    CHECK(start_waiter(&w, &m1[5], FUTEX_WAIT, 0));
    CHECK(park(&m1[5], 1));
    CHECK_R(futex(&m2[5], FUTEX_WAKE | FUTEX_PRIVATE_FLAG, INT_MAX, 0, NULL, 0), 0);
    CHECK_R(futex(&m2[5], FUTEX_WAKE, INT_MAX, 0, NULL, 0), 1);
    CHECK(join_waiters(&w, 1));
    CHECK_EQ(munmap(m2, 4096), 0);
    CHECK_EQ(munmap(m1, 4096), 0);
}

int main(int argc, char **argv)
{
    int keys = argc > 1 && !strcmp(argv[1], "keys");
    if (argc > 1 && !keys) {
        fprintf(stderr, "usage: thr_futex [keys]\n");
        return 2;
    }
    for (int pass = 0; pass < 2; pass++) {
        pflag = pass ? FUTEX_PRIVATE_FLAG : 0;
        printf("== %s futexes\n", pass ? "private" : "shared");
        if (keys) {
            test_other_kind();
            continue;
        }
        test_simple();
        test_timeouts();
        test_invalid();
        test_efault();
        test_wake_count();
        test_bitset();
        test_requeue();
        test_wake_op();
        test_same_page();
    }
    if (keys) {
        pflag = 0;
        printf("== shared mapping\n");
        test_shared_mapping();
    }
    return guest_done();
}
