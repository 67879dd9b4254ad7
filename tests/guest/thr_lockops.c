/* thr_lockops.c: every locked read-modify-write form the atomic mode of lxemu
 * runs itself (lock add/or/adc/sbb/and/sub/xor/inc/dec/neg/not/bts/btr/btc/
 * xadd/cmpxchg/cmpxchg8b/cmpxchg16b, xchg with memory, mfence), in every
 * operand size, with register and immediate sources, a high-byte register,
 * rip-relative, indexed and %fs-relative operands, and register bit offsets
 * that address other words.  Part 1 prints the memory result, the register
 * results and the arithmetic flags of each, single-threaded (the values must
 * be the hardware's).  Part 2 has 4 threads hammer one word with each kind
 * of operation and checks the totals are exact; part 3 runs a Dekker-style
 * store/mfence/load test that fails if mfence is not a full fence.
 * All output comes from the main thread. */
#include "guest.h"
#include <pthread.h>
#include <sched.h>
#include <stdint.h>

#define FLAGS_MASK 0x8d5ul /* CF PF AF ZF SF OF */

static unsigned long flags_of(unsigned long f) { return f & FLAGS_MASK; }

/* ---- part 1: results and flags ---- */

#define LOCKED2(insn, sfx, type, init, srcval, cf_in) LOCKED2M(insn, sfx, MOD_##sfx, type, init, srcval, cf_in)
#define STR_(x) #x
#define LOCKED2M(insn, sfx_, mod, type, init, srcval, cf_in) LOCKED2S(insn, STR_(sfx_), mod, type, init, srcval, cf_in)
#define LOCKED2S(insn, sfx, mod, type, init, srcval, cf_in)                                        \
    do {                                                                                     \
        type m = (type)(init);                                                               \
        unsigned long f, s = (unsigned long)(srcval);                                        \
        __asm__ volatile("cmp $1, %[c]\n\t" /* CF = cf_in */                          \
                         "lock " insn sfx " %" mod "[s], %[m]\n\t"                     \
                         "pushf\n\tpop %[f]"                                                 \
                         : [m] "+m"(m), [f] "=r"(f)                                          \
                         : [s] "r"(s), [c] "r"((unsigned long)!(cf_in))                      \
                         : "cc", "memory");                                                  \
        printf("%-8s %s init %#llx src %#lx cf %d -> %#llx flags %#lx\n", insn, sfx,         \
               (unsigned long long)(type)(init), s, (int)(cf_in), (unsigned long long)m,     \
               flags_of(f));                                                                 \
    } while (0)

#define MOD_b "b"
#define MOD_w "w"
#define MOD_l "k"
#define MOD_q "q"

#define LOCKED1(insn, sfx, type, init)                                                       \
    do {                                                                                     \
        type m = (type)(init);                                                               \
        unsigned long f;                                                                     \
        for (unsigned long fin = 0x2; fin <= 0x8d7; fin += 0x8d5) {                          \
            m = (type)(init);                                                                \
            __asm__ volatile("push %[i]\n\tpopf\n\tlock " insn sfx " %[m]\n\tpushf\n\tpop %[f]" \
                             : [m] "+m"(m), [f] "=r"(f)                                      \
                             : [i] "r"(fin)                                                  \
                             : "cc", "memory");                                              \
            printf("%-8s %s init %#llx flags in %#lx -> %#llx flags %#lx\n", insn, sfx,      \
                   (unsigned long long)(type)(init), fin, (unsigned long long)m,             \
                   flags_of(f));                                                             \
        }                                                                                    \
    } while (0)

static const unsigned long long vals[] = {0, 1, 0x7f, 0x80, 0xff, 0x7fff, 0x8000, 0xffff,
                                          0x7fffffff, 0x80000000, 0xffffffff,
                                          0x7fffffffffffffffull, 0x8000000000000000ull,
                                          0xffffffffffffffffull, 0x123456789abcdef0ull};
#define NVALS (sizeof vals / sizeof vals[0])

static void part1_alu(void)
{
    printf("== two-operand forms\n");
    for (size_t i = 0; i < NVALS; i += 2)
        for (size_t j = 1; j < NVALS; j += 3)
            for (int cf = 0; cf < 2; cf++) {
                unsigned long long a = vals[i], b = vals[j];
                LOCKED2("add", b, uint8_t, a, b, cf);
                LOCKED2("adc", w, uint16_t, a, b, cf);
                LOCKED2("sbb", l, uint32_t, a, b, cf);
                LOCKED2("sub", q, uint64_t, a, b, cf);
                LOCKED2("and", l, uint32_t, a, b, cf);
                LOCKED2("or", b, uint8_t, a, b, cf);
                LOCKED2("xor", q, uint64_t, a, b, cf);
                LOCKED2("adc", q, uint64_t, a, b, cf);
                LOCKED2("sbb", b, uint8_t, a, b, cf);
                LOCKED2("add", w, uint16_t, a, b, cf);
            }
    printf("== one-operand forms, all arithmetic flags clear and set before\n");
    for (size_t i = 0; i < NVALS; i++) {
        LOCKED1("inc", "b", uint8_t, vals[i]);
        LOCKED1("inc", "q", uint64_t, vals[i]);
        LOCKED1("dec", "w", uint16_t, vals[i]);
        LOCKED1("dec", "l", uint32_t, vals[i]);
        LOCKED1("neg", "l", uint32_t, vals[i]);
        LOCKED1("neg", "b", uint8_t, vals[i]);
        LOCKED1("not", "q", uint64_t, vals[i]);
        LOCKED1("not", "w", uint16_t, vals[i]);
    }
}

static void part1_imm(void)
{
    printf("== immediate sources\n");
    for (size_t i = 0; i < NVALS; i++) {
        uint64_t q = vals[i];
        uint32_t l = (uint32_t)vals[i];
        uint16_t w = (uint16_t)vals[i];
        uint8_t b = (uint8_t)vals[i];
        unsigned long f1, f2, f3, f4;
        __asm__ volatile("lock addq $-5, %[m]\n\tpushf\n\tpop %[f]" : [m] "+m"(q), [f] "=r"(f1) :: "cc");
        __asm__ volatile("lock subl $0x12345, %[m]\n\tpushf\n\tpop %[f]" : [m] "+m"(l), [f] "=r"(f2) :: "cc");
        __asm__ volatile("lock orw $0x8001, %[m]\n\tpushf\n\tpop %[f]" : [m] "+m"(w), [f] "=r"(f3) :: "cc");
        __asm__ volatile("lock andb $0x5a, %[m]\n\tpushf\n\tpop %[f]" : [m] "+m"(b), [f] "=r"(f4) :: "cc");
        printf("imm %#llx: addq %#llx/%#lx subl %#x/%#lx orw %#x/%#lx andb %#x/%#lx\n", vals[i],
               (unsigned long long)q, flags_of(f1), l, flags_of(f2), w, flags_of(f3), b,
               flags_of(f4));
    }
}

/* Flags that enter an instruction after two flag-setting instructions in a row. */
static void part1_flags_in(void)
{
    printf("== flags coming in: cmp; cmp; then adc/sbb (CF), inc/dec (keep CF), bts (keep ZF)\n");
    static const unsigned long pairs[][2] = {{1, 2}, {2, 1}, {5, 5}, {0, 0x80}, {~0ul, 1}};
    for (size_t i = 0; i < 5; i++)
        for (size_t j = 0; j < 5; j++) {
            unsigned long m1 = 10, m2 = 10, m3 = 10, m4 = 0x10, f1, f2, f3, f4;
            unsigned long a = pairs[i][0], b = pairs[i][1], c = pairs[j][0], d = pairs[j][1];
            __asm__ volatile("cmp %[b], %[a]\n\tcmp %[d], %[c]\n\tlock adcq $1, %[m]\n\tpushf\n\tpop %[f]"
                             : [m] "+m"(m1), [f] "=r"(f1) : [a] "r"(a), [b] "r"(b), [c] "r"(c), [d] "r"(d) : "cc");
            __asm__ volatile("cmp %[b], %[a]\n\tcmp %[d], %[c]\n\tlock sbbq $1, %[m]\n\tpushf\n\tpop %[f]"
                             : [m] "+m"(m2), [f] "=r"(f2) : [a] "r"(a), [b] "r"(b), [c] "r"(c), [d] "r"(d) : "cc");
            __asm__ volatile("cmp %[b], %[a]\n\tcmp %[d], %[c]\n\tlock incq %[m]\n\tpushf\n\tpop %[f]"
                             : [m] "+m"(m3), [f] "=r"(f3) : [a] "r"(a), [b] "r"(b), [c] "r"(c), [d] "r"(d) : "cc");
            __asm__ volatile("cmp %[b], %[a]\n\tcmp %[d], %[c]\n\tlock btsq $2, %[m]\n\tpushf\n\tpop %[f]"
                             : [m] "+m"(m4), [f] "=r"(f4) : [a] "r"(a), [b] "r"(b), [c] "r"(c), [d] "r"(d) : "cc");
            printf("%zu%zu: adc %lu/%#lx sbb %lu/%#lx inc %lu/%#lx bts %#lx cf %lu zf %lu\n", i, j,
                   m1, flags_of(f1), m2, flags_of(f2), m3, flags_of(f3), m4, f4 & 1, (f4 >> 6) & 1);
            unsigned long x = 0x55, f5, f6;
            __asm__ volatile("cmp %[b], %[a]\n\tcmp %[d], %[c]\n\txchgq %[x], %[m]\n\tpushf\n\tpop %[f]"
                             : [m] "+m"(m4), [x] "+r"(x), [f] "=r"(f5) : [a] "r"(a), [b] "r"(b), [c] "r"(c), [d] "r"(d) : "cc");
            __asm__ volatile("cmp %[b], %[a]\n\tcmp %[d], %[c]\n\tlock notq %[m]\n\tpushf\n\tpop %[f]"
                             : [m] "+m"(m4), [f] "=r"(f6) : [a] "r"(a), [b] "r"(b), [c] "r"(c), [d] "r"(d) : "cc");
            printf("    xchg keeps %#lx, not keeps %#lx\n", flags_of(f5), flags_of(f6));
        }
}

static void part1_bits(void)
{
    printf("== bit tests, immediate and register offsets (negative and past the word)\n");
    static const long offs[] = {0, 3, 31, 32, 63, 64, 100, -1, -33, -64, -65};
    for (size_t i = 0; i < sizeof offs / sizeof offs[0]; i++) {
        uint64_t arr[8] = {0x0123456789abcdefull, 0xfedcba9876543210ull, 0, ~0ull,
                           0x5555555555555555ull, 0xaaaaaaaaaaaaaaaaull, 1, 0x8000000000000000ull};
        uint32_t *a32 = (uint32_t *)&arr[4];
        uint16_t *a16 = (uint16_t *)&arr[4];
        long off = offs[i];
        unsigned long f1, f2, f3;
        __asm__ volatile("lock btsq %[o], %[m]\n\tpushf\n\tpop %[f]"
                         : [m] "+m"(arr[4]), [f] "=r"(f1) : [o] "r"(off) : "cc", "memory");
        __asm__ volatile("lock btrl %k[o], %[m]\n\tpushf\n\tpop %[f]"
                         : [m] "+m"(*a32), [f] "=r"(f2) : [o] "r"(off) : "cc", "memory");
        __asm__ volatile("lock btcw %w[o], %[m]\n\tpushf\n\tpop %[f]"
                         : [m] "+m"(*a16), [f] "=r"(f3) : [o] "r"(off) : "cc", "memory");
        printf("off %ld: cf %lu %lu %lu words", off, f1 & 1, f2 & 1, f3 & 1);
        for (int k = 0; k < 8; k++)
            printf(" %llx", (unsigned long long)arr[k]);
        printf("\n");
    }
    uint32_t w = 0x10;
    unsigned long f;
    __asm__ volatile("lock btsl $4, %[m]\n\tpushf\n\tpop %[f]" : [m] "+m"(w), [f] "=r"(f) :: "cc");
    printf("btsl $4 on 0x10: cf %lu -> %#x\n", f & 1, w);
    __asm__ volatile("lock btrl $36, %[m]\n\tpushf\n\tpop %[f]" : [m] "+m"(w), [f] "=r"(f) :: "cc");
    printf("btrl $36 (mod 32) -> cf %lu %#x\n", f & 1, w);
}

uint64_t ripword = 0x1111;

static void part1_exchange(void)
{
    printf("== xadd, xchg, cmpxchg (register results)\n");
    for (size_t i = 0; i < NVALS; i += 3) {
        uint64_t m = vals[i], r = 0xa5a5a5a5a5a5a5a5ull;
        unsigned long f;
        __asm__ volatile("lock xaddl %k[r], %[m]\n\tpushf\n\tpop %[f]"
                         : [m] "+m"(*(uint32_t *)&m), [r] "+r"(r), [f] "=r"(f) :: "cc", "memory");
        printf("xaddl %#llx: m %#llx r %#llx flags %#lx\n", vals[i], (unsigned long long)m,
               (unsigned long long)r, flags_of(f));
        m = vals[i];
        r = 0x0102030405060708ull;
        __asm__ volatile("xchgw %w[r], %[m]" : [m] "+m"(*(uint16_t *)&m), [r] "+r"(r) :: "memory");
        printf("xchgw: m %#llx r %#llx\n", (unsigned long long)m, (unsigned long long)r);
        m = vals[i];
        r = 0x0102030405060708ull;
        __asm__ volatile("lock xaddb %b[r], %[m]\n\tpushf\n\tpop %[f]"
                         : [m] "+m"(*(uint8_t *)&m), [r] "+r"(r), [f] "=r"(f) :: "cc", "memory");
        printf("xaddb: m %#llx r %#llx flags %#lx\n", (unsigned long long)m,
               (unsigned long long)r, flags_of(f));
    }
    /* a high-byte register: xchg %ah with memory */
    uint64_t m = 0x77, rax = 0x1122334455667788ull;
    __asm__ volatile("xchg %%ah, %[m]" : [m] "+m"(*(uint8_t *)&m), "+a"(rax) :: "memory");
    printf("xchg ah: m %#llx rax %#llx\n", (unsigned long long)m, (unsigned long long)rax);
    /* cmpxchg: success and failure in each size; rax's upper half on each */
    for (int ok = 0; ok < 2; ok++) {
        uint64_t mem = 0x1000000020000030ull, acc = ok ? mem : 0xdeadbeefcafef00dull;
        unsigned long f;
        __asm__ volatile("lock cmpxchgq %[n], %[m]\n\tpushf\n\tpop %[f]"
                         : [m] "+m"(mem), "+a"(acc), [f] "=r"(f) : [n] "r"(0x42ull) : "cc", "memory");
        printf("cmpxchgq ok=%d: m %#llx rax %#llx flags %#lx\n", ok, (unsigned long long)mem,
               (unsigned long long)acc, flags_of(f));
        mem = 0x1000000020000030ull;
        acc = ok ? 0xffffffff20000030ull : 0xffffffff12345678ull;
        __asm__ volatile("lock cmpxchgl %k[n], %[m]\n\tpushf\n\tpop %[f]"
                         : [m] "+m"(*(uint32_t *)&mem), "+a"(acc), [f] "=r"(f)
                         : [n] "r"(0x99ull) : "cc", "memory");
        printf("cmpxchgl ok=%d: m %#llx rax %#llx flags %#lx\n", ok, (unsigned long long)mem,
               (unsigned long long)acc, flags_of(f));
        mem = 0x1000000020000030ull;
        acc = ok ? 0x5555555555550030ull : 0x5555555555550031ull;
        __asm__ volatile("lock cmpxchgw %w[n], %[m]\n\tpushf\n\tpop %[f]"
                         : [m] "+m"(*(uint16_t *)&mem), "+a"(acc), [f] "=r"(f)
                         : [n] "r"(0xbeefull) : "cc", "memory");
        printf("cmpxchgw ok=%d: m %#llx rax %#llx flags %#lx\n", ok, (unsigned long long)mem,
               (unsigned long long)acc, flags_of(f));
        mem = 0x1000000020000030ull;
        acc = ok ? 0x30 : 0x31;
        __asm__ volatile("lock cmpxchgb %b[n], %[m]\n\tpushf\n\tpop %[f]"
                         : [m] "+m"(*(uint8_t *)&mem), "+a"(acc), [f] "=r"(f)
                         : [n] "r"(0xeeull) : "cc", "memory");
        printf("cmpxchgb ok=%d: m %#llx rax %#llx flags %#lx\n", ok, (unsigned long long)mem,
               (unsigned long long)acc, flags_of(f));
    }
    /* cmpxchg8b / cmpxchg16b, success and failure */
    for (int ok = 0; ok < 2; ok++) {
        uint64_t m8 = 0x1111111122222222ull;
        uint64_t rax = ok ? 0xaaaaaaaa22222222ull : 0xaaaaaaaa22222223ull, rdx = 0xbbbbbbbb11111111ull;
        unsigned long f;
        __asm__ volatile("lock cmpxchg8b %[m]\n\tpushf\n\tpop %[f]"
                         : [m] "+m"(m8), "+a"(rax), "+d"(rdx), [f] "=r"(f)
                         : "b"(0x33333333ull), "c"(0x44444444ull) : "cc", "memory");
        printf("cmpxchg8b ok=%d: m %#llx rax %#llx rdx %#llx zf %lu\n", ok,
               (unsigned long long)m8, (unsigned long long)rax, (unsigned long long)rdx,
               (f >> 6) & 1);
        static __attribute__((aligned(16))) uint64_t m16[2];
        m16[0] = 1;
        m16[1] = 2;
        rax = ok ? 1 : 3;
        rdx = 2;
        __asm__ volatile("lock cmpxchg16b %[m]\n\tpushf\n\tpop %[f]"
                         : [m] "+m"(m16), "+a"(rax), "+d"(rdx), [f] "=r"(f)
                         : "b"(5ull), "c"(6ull) : "cc", "memory");
        printf("cmpxchg16b ok=%d: m %llu %llu rax %llu rdx %llu zf %lu\n", ok,
               (unsigned long long)m16[0], (unsigned long long)m16[1], (unsigned long long)rax,
               (unsigned long long)rdx, (f >> 6) & 1);
    }
    /* rip-relative, indexed with scale, and %fs-relative operands */
    uint64_t arr[4] = {10, 20, 30, 40};
    long idx = 2;
    __asm__ volatile("lock addq $7, ripword(%%rip)" ::: "cc", "memory");
    __asm__ volatile("lock incq 8(%[b],%[i],8)" :: [b] "r"(arr), [i] "r"(idx) : "cc", "memory");
    printf("rip-relative %#llx indexed %llu %llu %llu %llu\n", (unsigned long long)ripword,
           (unsigned long long)arr[0], (unsigned long long)arr[1], (unsigned long long)arr[2],
           (unsigned long long)arr[3]);
    uint64_t fs0, old;
    __asm__ volatile("mov %%fs:0, %[v]" : [v] "=r"(fs0));
    old = *(uint64_t *)fs0; /* the TCB's self pointer */
    uint64_t zero = 0;
    __asm__ volatile("lock xaddq %[r], %%fs:0" : [r] "+r"(zero) :: "cc", "memory");
    CHECK(zero == old && *(uint64_t *)fs0 == old);
}

/* ---- part 2: contention ---- */

#define NT 4
#define ITERS 100000
static volatile uint64_t w64;
static volatile uint32_t w32;
static volatile uint16_t w16;
static volatile uint8_t spin;
static volatile uint64_t bits;
static __attribute__((aligned(16))) volatile uint64_t pair[2];
static volatile uint64_t plain_in_lock;
static pthread_barrier_t bar;

static void *hammer(void *p)
{
    long id = (long)p;
    pthread_barrier_wait(&bar);
    for (int i = 0; i < ITERS; i++) {
        __asm__ volatile("lock incq %0" : "+m"(w64) :: "cc");
        __asm__ volatile("lock addl $3, %0" : "+m"(w32) :: "cc");
        uint16_t one = 1;
        __asm__ volatile("lock xaddw %1, %0" : "+m"(w16), "+r"(one) :: "cc");
        /* xchg spinlock around a plain increment */
        uint8_t v;
        for (;;) {
            v = 1;
            __asm__ volatile("xchgb %1, %0" : "+m"(spin), "+q"(v) :: "memory");
            if (!v)
                break;
            sched_yield(); /* the holder may not be running (4 threads, fewer CPUs) */
        }
        plain_in_lock++;
        __asm__ volatile("movb $0, %0" : "=m"(spin) :: "memory");
        /* each thread flips its own bit twice with bts/btr: other bits must survive */
        unsigned long f;
        __asm__ volatile("lock btsq %2, %0\n\tpushf\n\tpop %1" : "+m"(bits), "=r"(f) : "r"(id) : "cc");
        if (f & 1)
            __atomic_fetch_add(&w64, 1000000000ull, __ATOMIC_RELAXED); /* bit was already set */
        __asm__ volatile("lock btrq %1, %0" : "+m"(bits) : "r"(id) : "cc");
        /* a 128-bit counter pair with cmpxchg16b */
        uint64_t lo = pair[0], hi = pair[1];
        for (;;) {
            uint64_t nlo = lo + 1, nhi = hi + 2;
            uint8_t ok;
            __asm__ volatile("lock cmpxchg16b %[m]\n\tsetz %[ok]"
                             : [m] "+m"(*(volatile unsigned __int128 *)pair), "+a"(lo), "+d"(hi),
                               [ok] "=r"(ok)
                             : "b"(nlo), "c"(nhi) : "cc", "memory");
            if (ok)
                break;
        }
    }
    return NULL;
}

static void part2(void)
{
    printf("== %d threads x %d of each operation on shared words\n", NT, ITERS);
    pthread_t t[NT];
    CHECK_EQ(pthread_barrier_init(&bar, NULL, NT), 0);
    for (long i = 0; i < NT; i++)
        CHECK_EQ(pthread_create(&t[i], NULL, hammer, (void *)i), 0);
    for (int i = 0; i < NT; i++)
        CHECK_EQ(pthread_join(t[i], NULL), 0);
    CHECK(w64 == (uint64_t)NT * ITERS);
    CHECK(w32 == (uint32_t)(3u * NT * ITERS));
    CHECK(w16 == (uint16_t)(NT * ITERS));
    CHECK(plain_in_lock == (uint64_t)NT * ITERS);
    CHECK(bits == 0);
    CHECK(pair[0] == (uint64_t)NT * ITERS && pair[1] == 2ull * NT * ITERS);
    pthread_barrier_destroy(&bar);
}

/* ---- part 3: store; mfence; load (Dekker) ---- */

#define ROUNDS 5000
static volatile int flag[2], go_round[2], seen[2][ROUNDS];

static void *dekker(void *p)
{
    long me = (long)p, other = 1 - me;
    for (int r = 0; r < ROUNDS; r++) {
        while (__atomic_load_n(&go_round[me], __ATOMIC_ACQUIRE) <= r)
            sched_yield(); /* three threads may share fewer CPUs */
        flag[me] = r + 1;
        __asm__ volatile("mfence" ::: "memory");
        seen[me][r] = flag[other] >= r + 1;
    }
    return NULL;
}

static void part3(void)
{
    printf("== store, mfence, load in two threads %d times: never both miss\n", ROUNDS);
    pthread_t t[2];
    for (long i = 0; i < 2; i++)
        CHECK_EQ(pthread_create(&t[i], NULL, dekker, (void *)i), 0);
    for (int r = 0; r < ROUNDS; r++) {
        __atomic_store_n(&go_round[0], r + 1, __ATOMIC_RELEASE);
        __atomic_store_n(&go_round[1], r + 1, __ATOMIC_RELEASE);
        while (__atomic_load_n(&flag[0], __ATOMIC_ACQUIRE) <= r ||
               __atomic_load_n(&flag[1], __ATOMIC_ACQUIRE) <= r)
            sched_yield();
    }
    for (int i = 0; i < 2; i++)
        CHECK_EQ(pthread_join(t[i], NULL), 0);
    int both_missed = 0;
    for (int r = 0; r < ROUNDS; r++)
        both_missed += !seen[0][r] && !seen[1][r];
    CHECK_EQ(both_missed, 0);
}

int main(void)
{
    part1_alu();
    part1_imm();
    part1_flags_in();
    part1_bits();
    part1_exchange();
    part2();
    part3();
    return guest_done();
}
