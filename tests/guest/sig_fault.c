/* sig_fault.c: synchronous faults delivered to a SA_SIGINFO handler. Each
 * fault happens at a labelled instruction of a small assembly function, so
 * the checks are exact: si_signo, si_code, si_addr, si_errno, and in the
 * ucontext REG_RIP, REG_TRAPNO, REG_ERR (and REG_CR2 for page faults), as
 * Linux fills them. Faults: a read of NULL+0x10 and of a kernel address
 * (SEGV_MAPERR), of a non-canonical address (#GP: SI_KERNEL), a write to a
 * read-only page (SEGV_ACCERR), a jump to a non-executable page, a read past
 * the end of a mapped file (SIGBUS BUS_ADRERR), idiv by zero and INT_MIN/-1
 * (FPE_INTDIV), ud2 (ILL_ILLOPN), int3 (SIGTRAP SI_KERNEL, RIP after it).
 * Recovery: siglongjmp (with and without the saved mask), a handler that
 * mprotects the page and returns (the store is retried and succeeds), and
 * handlers that move REG_RIP past the instruction.
 * Modes that die, as on Linux: `blocked-segv` (a fault while SIGSEGV is
 * blocked kills despite the handler), `ignored-fpe` (SIG_IGN for SIGFPE),
 * `blocked-trap`, `segv-in-handler` (the SIGSEGV handler faults again),
 * `resethand-segv` (a SA_RESETHAND handler returns; the retried read kills). */
#include "guest.h"
#include <fcntl.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <ucontext.h>

/* The fault sites: each global label is the address of one instruction. */
int fault_read(const void *p);           /* f_read: movl (%rdi), %eax */
void fault_write(void *p, int v);        /* f_write: movl %esi, (%rdi) */
int fault_div(int n, int d);             /* f_div: idivl %esi */
int fault_ud2(void);                     /* f_ud2: ud2; returns 2 if skipped */
int fault_int3(void);                    /* f_int3: int3; returns 3 */
extern char f_read[], f_write[], f_div[], f_ud2[], f_int3[], f_int3_end[];
__asm__(".text\n"
        ".globl fault_read, f_read\n"
        "fault_read:\n"
        "f_read: movl (%rdi), %eax\n"
        " ret\n"
        ".globl fault_write, f_write\n"
        "fault_write:\n"
        "f_write: movl %esi, (%rdi)\n"
        " ret\n"
        ".globl fault_div, f_div\n"
        "fault_div: movl %edi, %eax\n"
        " cltd\n"
        "f_div: idivl %esi\n"          /* 2 bytes: f7 fe */
        " ret\n"
        ".globl fault_ud2, f_ud2\n"
        "fault_ud2: movl $1, %eax\n"
        "f_ud2: ud2\n"
        " movl $2, %eax\n"
        " ret\n"
        ".globl fault_int3, f_int3, f_int3_end\n"
        "fault_int3: movl $1, %eax\n"
        "f_int3: int3\n"
        "f_int3_end: movl $3, %eax\n"
        " ret\n");

enum action { JUMP, SKIP, FIX, RETURN };
static volatile enum action action;
static volatile int skip_len, runs;
static void *volatile fix_page;
static sigjmp_buf env;
static struct {
    int signo, code, errno_;
    uintptr_t addr, rip;
    long trapno, err, cr2;
    int segv_blocked;     /* SIGSEGV in the mask inside the handler */
} got;

static void on_fault(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    greg_t *g = uc->uc_mcontext.gregs;
    sigset_t m;

    runs++;
    got.signo = si->si_signo;
    got.code = si->si_code;
    got.errno_ = si->si_errno;
    got.addr = (uintptr_t)si->si_addr;
    got.rip = g[REG_RIP];
    got.trapno = g[REG_TRAPNO];
    got.err = g[REG_ERR];
    got.cr2 = g[REG_CR2];
    sigprocmask(SIG_BLOCK, NULL, &m);
    got.segv_blocked = sigismember(&m, sig);
    switch (action) {
    case JUMP:
        siglongjmp(env, 1);
    case SKIP:
        g[REG_RIP] += skip_len;
        break;
    case FIX:
        mprotect(fix_page, 4096, PROT_READ | PROT_WRITE);
        break;
    case RETURN:
        break;
    }
}

static void handle(int sig, int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fault;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void reset(enum action a)
{
    memset(&got, 0, sizeof got);
    runs = 0;
    action = a;
}

static volatile uintptr_t bad_addr;
static volatile int num, den;

/* Run fault_read(bad_addr) under a sigsetjmp; returns whether it faulted. */
static int faults_reading(uintptr_t addr)
{
    reset(JUMP);
    bad_addr = addr;
    if (sigsetjmp(env, 1))
        return 1;
    fault_read((const void *)bad_addr);
    return 0;
}

static int faults_dividing(int n, int d)
{
    reset(JUMP);
    num = n;
    den = d;
    if (sigsetjmp(env, 1))
        return 1;
    fault_div(num, den);
    return 0;
}

static void *page(int prot)
{
    return mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static int segv_blocked_now(void)
{
    sigset_t m;
    sigprocmask(SIG_BLOCK, NULL, &m);
    return sigismember(&m, SIGSEGV);
}

static void test_segv(void)
{
    printf("== SIGSEGV\n");
    handle(SIGSEGV, 0);
    CHECK(faults_reading(0x10));
    CHECK(got.signo == SIGSEGV && got.code == SEGV_MAPERR && got.errno_ == 0);
    CHECK(got.addr == 0x10 && got.rip == (uintptr_t)f_read);
    CHECK(got.trapno == 14 && got.err == 4 && got.cr2 == 0x10);
    CHECK(got.segv_blocked && !segv_blocked_now());

    CHECK(faults_reading(0xffff800000001000UL));       /* kernel half: MAPERR, PROT bit */
    CHECK(got.code == SEGV_MAPERR && got.addr == 0xffff800000001000UL);
    CHECK(got.trapno == 14 && got.err == 5);
    CHECK(faults_reading(0x8000000000000000UL));       /* non-canonical: #GP */
    CHECK(got.signo == SIGSEGV && got.code == SI_KERNEL && got.addr == 0);
    CHECK(got.trapno == 13 && got.rip == (uintptr_t)f_read);

    /* Write to a read-only page: ACCERR at the exact address. */
    char *ro = page(PROT_READ);
    reset(JUMP);
    if (!sigsetjmp(env, 1))
        fault_write(ro + 0x123, 1);
    CHECK(runs == 1 && got.code == SEGV_ACCERR && got.addr == (uintptr_t)(ro + 0x123));
    CHECK(got.rip == (uintptr_t)f_write && got.trapno == 14);
    CHECK(got.err == 6);                                /* write|user: not present yet */
    CHECK(!faults_reading((uintptr_t)ro));              /* maps the zero page */
    reset(JUMP);
    if (!sigsetjmp(env, 1))
        fault_write(ro + 0x123, 1);
    CHECK(runs == 1 && got.code == SEGV_ACCERR && got.err == 7); /* now present */

    /* The handler makes the page writable and returns: the store is retried. */
    reset(FIX);
    fix_page = ro;
    fault_write(ro + 0x124, 77);
    CHECK(runs == 1 && got.code == SEGV_ACCERR && ro[0x124] == 77);

    /* Executing a page without PROT_EXEC. */
    unsigned char *nx = page(PROT_READ | PROT_WRITE);
    nx[0] = 0xc3;
    reset(JUMP);
    if (!sigsetjmp(env, 1))
        ((void (*)(void))(uintptr_t)nx)();
    CHECK(runs == 1 && got.code == SEGV_ACCERR && got.addr == (uintptr_t)nx);
    CHECK(got.rip == (uintptr_t)nx && got.err == 0x15);

    /* siglongjmp without the saved mask: SIGSEGV stays blocked, as the
     * kernel set it for the handler. */
    reset(JUMP);
    if (!sigsetjmp(env, 0))
        fault_read((const void *)0x10);
    CHECK(runs == 1 && segv_blocked_now());
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, SIGSEGV);
    sigprocmask(SIG_UNBLOCK, &s, NULL);
    CHECK(faults_reading(0x20) && got.addr == 0x20);   /* caught again */
    munmap(ro, 4096);
    munmap(nx, 4096);
}

static void test_bus(void)
{
    printf("== SIGBUS\n");
    int fd = open("sig_fault.tmp", O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0);
    CHECK_EQ(ftruncate(fd, 4096), 0);
    char *p = mmap(NULL, 2 * 4096, PROT_READ, MAP_SHARED, fd, 0);
    unlink("sig_fault.tmp");
    CHECK(p != MAP_FAILED);
    handle(SIGBUS, 0);
    CHECK(faults_reading((uintptr_t)p + 4096 + 8));
    CHECK(got.signo == SIGBUS && got.code == BUS_ADRERR);
    CHECK(got.addr == (uintptr_t)p + 4096 + 8 && got.rip == (uintptr_t)f_read);
    CHECK(!faults_reading((uintptr_t)p + 8));           /* the first page reads */
    munmap(p, 2 * 4096);
    close(fd);
}

static void test_fpe_ill_trap(void)
{
    printf("== SIGFPE\n");
    handle(SIGFPE, 0);
    CHECK(faults_dividing(7, 0));
    CHECK(got.signo == SIGFPE && got.code == FPE_INTDIV && got.errno_ == 0);
    CHECK(got.addr == (uintptr_t)f_div && got.rip == (uintptr_t)f_div);
    CHECK(got.trapno == 0 && got.err == 0);
    CHECK(faults_dividing(INT_MIN, -1));
    CHECK(got.code == FPE_INTDIV && got.rip == (uintptr_t)f_div);
    CHECK(!faults_dividing(INT_MIN, 1));
    CHECK_EQ(fault_div(-7, 2), -3);
    /* Skipping the 2-byte idiv: eax keeps the dividend. */
    reset(SKIP);
    skip_len = 2;
    num = 9;
    den = 0;
    CHECK_EQ(fault_div(num, den), 9);
    CHECK(runs == 1);

    printf("== SIGILL\n");
    handle(SIGILL, 0);
    reset(JUMP);
    if (!sigsetjmp(env, 1))
        fault_ud2();
    CHECK(runs == 1 && got.signo == SIGILL && got.code == ILL_ILLOPN);
    CHECK(got.addr == (uintptr_t)f_ud2 && got.rip == (uintptr_t)f_ud2);
    CHECK(got.trapno == 6 && got.err == 0);
    reset(SKIP);
    skip_len = 2;
    CHECK_EQ(fault_ud2(), 2);
    CHECK(runs == 1);

    printf("== SIGTRAP\n");
    handle(SIGTRAP, 0);
    reset(RETURN);
    CHECK_EQ(fault_int3(), 3);                          /* a trap: resumes after */
    CHECK(runs == 1 && got.signo == SIGTRAP && got.code == SI_KERNEL);
    CHECK(got.addr == 0 && got.rip == (uintptr_t)f_int3_end);
    CHECK(got.trapno == 3 && got.err == 0);
    CHECK(f_int3_end == f_int3 + 1);
}

static void on_segv_again(int sig)
{
    (void)sig;
    fault_read((const void *)0x30);
}

/* The dying modes: print one line, then fault. */
static int die(const char *mode)
{
    sigset_t s;

    printf("about to %s\n", mode);
    fflush(stdout);
    sigemptyset(&s);
    if (!strcmp(mode, "blocked-segv")) {
        handle(SIGSEGV, 0);
        sigaddset(&s, SIGSEGV);
        sigprocmask(SIG_BLOCK, &s, NULL);
        fault_read((const void *)0x10);
    } else if (!strcmp(mode, "ignored-fpe")) {
        signal(SIGFPE, SIG_IGN);
        num = 1;
        den = 0;
        fault_div(num, den);
    } else if (!strcmp(mode, "blocked-trap")) {
        handle(SIGTRAP, 0);
        sigaddset(&s, SIGTRAP);
        sigprocmask(SIG_BLOCK, &s, NULL);
        fault_int3();
    } else if (!strcmp(mode, "segv-in-handler")) {
        signal(SIGSEGV, on_segv_again);
        fault_read((const void *)0x10);
    } else if (!strcmp(mode, "resethand-segv")) {
        handle(SIGSEGV, SA_RESETHAND);
        reset(RETURN);
        fault_read((const void *)0x10);
    } else {
        printf("unknown mode\n");
        return 2;
    }
    printf("FAIL survived %s\n", mode);
    return 1;
}

int main(int argc, char **argv)
{
    if (argc > 1)
        return die(argv[1]);
    test_segv();
    test_bus();
    test_fpe_ill_trap();
    return guest_done();
}
