/* sig_frame.c: the rt_sigframe a handler gets, and what rt_sigreturn restores.
 * Handlers are entered through `frame_entry` (assembly), which records the
 * registers exactly as the kernel set them: rsp 16-byte aligned minus 8 (as
 * after a call) with the return address the libc's sa_restorer, rdi/rsi/rdx
 * the signal, &siginfo and &ucontext at Linux's offsets, rax 0, DF clear, and
 * a fresh FPU state (xmm zero, MXCSR 0x1f80, x87 control word 0x37f).
 * Signals are raised with a raw tgkill syscall from assembly probes that hold
 * distinctive values in the registers: the handler finds them in uc_mcontext
 * (gregs, and fpregs: xmm6-15, MXCSR, x87 control word), the interrupted code
 * finds its own values again after the handler clobbered them, and sees the
 * edits a handler made to the saved context (general registers, rax, DF,
 * xmm7, uc_sigmask). Then uc_stack and sigaltstack: SA_ONSTACK handlers,
 * nesting on the alternate stack, SS_AUTODISARM, a stack overflow caught on
 * the alternate stack, and sigaltstack's errors. */
#include "guest.h"
#include <setjmp.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <ucontext.h>

#ifndef SS_AUTODISARM
#define SS_AUTODISARM (1U << 31)
#endif

/* What frame_entry saw; offsets are used by the assembly below. */
struct entry {
    uint64_t rsp, rdi, rsi, rdx, rax, rflags;   /* 0..40 */
    uint32_t xmm6[4];                           /* 48 */
    uint32_t mxcsr;                             /* 64 */
    uint16_t fcw;                               /* 68 */
    uint64_t ret;                               /* 72: the return address at (%rsp) */
};
__attribute__((used, aligned(16))) struct entry ent;
__attribute__((used)) void (*volatile frame_target)(int, siginfo_t *, void *);
/* regs_probe's values after the syscall (and rsp before it). */
__attribute__((used)) uint64_t after[16];
/* xmm_probe's inputs and outputs. */
__attribute__((used, aligned(16))) uint32_t xin[10][4], xout[10][4];
__attribute__((used)) uint32_t mx_in, mx_out, mx_default = 0x1f80;
__attribute__((used)) uint16_t fcw_in, fcw_out, fcw_default = 0x37f;

void frame_entry(int, siginfo_t *, void *);
void regs_probe(long pid, long tid, long sig);
void xmm_probe(long pid, long tid, long sig);
extern char regs_probe_after[], xmm_probe_after[];

#define V(n) "movabs $0x" n ", "
__asm__(".text\n"
        ".globl frame_entry\n"
        "frame_entry:\n"
        " mov %rsp, ent+0(%rip)\n mov %rdi, ent+8(%rip)\n"
        " mov %rsi, ent+16(%rip)\n mov %rdx, ent+24(%rip)\n mov %rax, ent+32(%rip)\n"
        " pushfq\n pop ent+40(%rip)\n"
        " movdqu %xmm6, ent+48(%rip)\n stmxcsr ent+64(%rip)\n fnstcw ent+68(%rip)\n"
        " mov (%rsp), %rax\n mov %rax, ent+72(%rip)\n"
        " jmp *frame_target(%rip)\n"

        ".globl regs_probe, regs_probe_after\n"
        "regs_probe:\n"
        " push %rbx\n push %rbp\n push %r12\n push %r13\n push %r14\n push %r15\n"
        V("1111111111111111") "%rbx\n" V("2222222222222222") "%rbp\n"
        V("8888888888888888") "%r8\n"  V("9999999999999999") "%r9\n"
        V("1010101010101010") "%r10\n" V("1212121212121212") "%r12\n"
        V("1313131313131313") "%r13\n" V("1414141414141414") "%r14\n"
        V("1515151515151515") "%r15\n"
        " mov %rsp, after+120(%rip)\n"
        " mov $234, %eax\n"                          /* SYS_tgkill(rdi, rsi, rdx) */
        " std\n"
        " syscall\n"
        "regs_probe_after:\n"
        " mov %rax, after+72(%rip)\n"
        " pushfq\n pop %rax\n cld\n mov %rax, after+112(%rip)\n"
        " mov %rbx, after+0(%rip)\n mov %rbp, after+8(%rip)\n"
        " mov %r8, after+16(%rip)\n mov %r9, after+24(%rip)\n mov %r10, after+32(%rip)\n"
        " mov %r12, after+40(%rip)\n mov %r13, after+48(%rip)\n"
        " mov %r14, after+56(%rip)\n mov %r15, after+64(%rip)\n"
        " mov %rdi, after+80(%rip)\n mov %rsi, after+88(%rip)\n mov %rdx, after+96(%rip)\n"
        " pop %r15\n pop %r14\n pop %r13\n pop %r12\n pop %rbp\n pop %rbx\n"
        " ret\n"

        ".globl xmm_probe, xmm_probe_after\n"
        "xmm_probe:\n"
        " movdqu xin+0(%rip), %xmm6\n movdqu xin+16(%rip), %xmm7\n"
        " movdqu xin+32(%rip), %xmm8\n movdqu xin+48(%rip), %xmm9\n"
        " movdqu xin+64(%rip), %xmm10\n movdqu xin+80(%rip), %xmm11\n"
        " movdqu xin+96(%rip), %xmm12\n movdqu xin+112(%rip), %xmm13\n"
        " movdqu xin+128(%rip), %xmm14\n movdqu xin+144(%rip), %xmm15\n"
        " ldmxcsr mx_in(%rip)\n fldcw fcw_in(%rip)\n"
        " mov $234, %eax\n"
        " syscall\n"
        "xmm_probe_after:\n"
        " movdqu %xmm6, xout+0(%rip)\n movdqu %xmm7, xout+16(%rip)\n"
        " movdqu %xmm8, xout+32(%rip)\n movdqu %xmm9, xout+48(%rip)\n"
        " movdqu %xmm10, xout+64(%rip)\n movdqu %xmm11, xout+80(%rip)\n"
        " movdqu %xmm12, xout+96(%rip)\n movdqu %xmm13, xout+112(%rip)\n"
        " movdqu %xmm14, xout+128(%rip)\n movdqu %xmm15, xout+144(%rip)\n"
        " stmxcsr mx_out(%rip)\n fnstcw fcw_out(%rip)\n"
        " ldmxcsr mx_default(%rip)\n fldcw fcw_default(%rip)\n"
        " ret\n");

static volatile int runs;
static ucontext_t seen_uc;       /* a copy of the handler's ucontext (gregs, masks, stack) */
static struct { uint16_t cwd; uint32_t mxcsr; uint32_t xmm[16][4]; } seen_fp;
static int aligned_ok;

static void install(int sig, void (*fn)(int, siginfo_t *, void *), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    frame_target = fn;
    sa.sa_sigaction = frame_entry;
    sa.sa_flags = SA_SIGINFO | flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void fire(void (*probe)(long, long, long), int sig)
{
    probe(getpid(), syscall(SYS_gettid), sig);
}

static void copy_uc(void *ucv)
{
    ucontext_t *uc = ucv;
    seen_uc.uc_flags = uc->uc_flags;
    seen_uc.uc_link = uc->uc_link;
    seen_uc.uc_stack = uc->uc_stack;
    memcpy(seen_uc.uc_mcontext.gregs, uc->uc_mcontext.gregs, sizeof(gregset_t));
    seen_uc.uc_mcontext.fpregs = uc->uc_mcontext.fpregs;
    seen_uc.uc_sigmask = uc->uc_sigmask;
    if (uc->uc_mcontext.fpregs) {
        seen_fp.cwd = uc->uc_mcontext.fpregs->cwd;
        seen_fp.mxcsr = uc->uc_mcontext.fpregs->mxcsr;
        memcpy(seen_fp.xmm, uc->uc_mcontext.fpregs->_xmm, sizeof seen_fp.xmm);
    }
}

/* Handler: copies the context, then edits it when `edit` is set. */
static volatile int edit;
static void on_regs(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    float v[4] __attribute__((aligned(16)));
    (void)sig;
    (void)si;
    runs++;
    __asm__ volatile("xorps %%xmm0, %%xmm0\n movaps %%xmm0, %0" : "=m"(v) : : "xmm0");
    aligned_ok = ((uintptr_t)v % 16 == 0) && v[0] == 0;
    copy_uc(ucv);
    if (edit) {
        greg_t *g = uc->uc_mcontext.gregs;
        g[REG_R12] = 0x1234;
        g[REG_RBX] = 0x5678;
        g[REG_RAX] = 0x9abc;         /* rt_sigreturn must not clobber it */
        g[REG_RDI] = 0x42;
        g[REG_EFL] &= ~0x400L;       /* clear DF */
        sigaddset(&uc->uc_sigmask, SIGUSR2);
        sigdelset(&uc->uc_sigmask, SIGWINCH);
    }
}

static void test_entry_and_gregs(void)
{
    long pid = getpid(), tid = syscall(SYS_gettid);
    struct { void *handler; unsigned long flags; void *restorer; uint64_t mask; } ksa;
    sigset_t m;

    printf("== handler entry\n");
    install(SIGUSR1, on_regs, 0);
    sigemptyset(&m);
    sigaddset(&m, SIGWINCH);
    sigprocmask(SIG_BLOCK, &m, NULL);
    edit = 0;
    fire(regs_probe, SIGUSR1);
    CHECK(runs == 1);
    CHECK(ent.rsp % 16 == 8 && aligned_ok);
    CHECK(ent.rdi == SIGUSR1 && ent.rax == 0 && (ent.rflags & 0x400) == 0);
    CHECK(ent.rdx == ent.rsp + 8);               /* &uc right above the return address */
    CHECK(ent.rsi == ent.rdx + 304);             /* &info after Linux's 304-byte ucontext */
    CHECK(ent.rsp + 128 + 304 + 128 <= after[15]); /* below the red zone */
    CHECK_EQ(syscall(SYS_rt_sigaction, SIGUSR1, NULL, &ksa, 8), 0);
    CHECK((ksa.flags & 0x04000000) && (void *)ent.ret == ksa.restorer);
    CHECK(ent.xmm6[0] == 0 && ent.mxcsr == 0x1f80 && ent.fcw == 0x37f);

    printf("== saved general registers\n");
    greg_t *g = seen_uc.uc_mcontext.gregs;
    CHECK((uint64_t)g[REG_RBX] == 0x1111111111111111 && (uint64_t)g[REG_RBP] == 0x2222222222222222);
    CHECK((uint64_t)g[REG_R8] == 0x8888888888888888 && (uint64_t)g[REG_R9] == 0x9999999999999999);
    CHECK((uint64_t)g[REG_R10] == 0x1010101010101010 && (uint64_t)g[REG_R12] == 0x1212121212121212);
    CHECK((uint64_t)g[REG_R13] == 0x1313131313131313 && (uint64_t)g[REG_R14] == 0x1414141414141414);
    CHECK((uint64_t)g[REG_R15] == 0x1515151515151515);
    CHECK(g[REG_RDI] == pid && g[REG_RSI] == tid && g[REG_RDX] == SIGUSR1);
    CHECK(g[REG_RAX] == 0);                      /* tgkill's return value */
    CHECK((uintptr_t)g[REG_RIP] == (uintptr_t)regs_probe_after);
    CHECK(g[REG_RCX] == g[REG_RIP]);             /* as the syscall instruction left it */
    CHECK((uint64_t)g[REG_RSP] == after[15]);
    CHECK((g[REG_EFL] & 0x400) && (g[REG_EFL] & 0x200));  /* DF as interrupted; IF */
    CHECK((g[REG_CSGSFS] & 0xffff) == 0x33);
    CHECK(after[0] == 0x1111111111111111 && after[5] == 0x1212121212121212);
    CHECK(after[72 / 8] == 0 && (after[14] & 0x400));

    printf("== uc_sigmask, uc_link, uc_stack\n");
    CHECK(sigismember(&seen_uc.uc_sigmask, SIGWINCH));
    CHECK(!sigismember(&seen_uc.uc_sigmask, SIGUSR1));
    CHECK(seen_uc.uc_link == NULL);
    /* (ss_flags here is inherited from the ancestors: 0 or SS_DISABLE.) */
    CHECK(seen_uc.uc_stack.ss_sp == NULL && seen_uc.uc_stack.ss_size == 0);

    printf("== edits to the saved context\n");
    edit = 1;
    fire(regs_probe, SIGUSR1);
    CHECK(after[5] == 0x1234 && after[0] == 0x5678);
    CHECK(after[9] == 0x9abc && after[10] == 0x42);
    CHECK(after[1] == 0x2222222222222222 && after[6] == 0x1313131313131313);
    CHECK((after[14] & 0x400) == 0);
    sigprocmask(SIG_BLOCK, NULL, &m);
    CHECK(sigismember(&m, SIGUSR2) && !sigismember(&m, SIGWINCH));
    sigemptyset(&m);
    sigprocmask(SIG_SETMASK, &m, NULL);
}

static void on_xmm(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    (void)sig;
    (void)si;
    runs++;
    copy_uc(ucv);
    /* Clobber what the interrupted code holds. */
    __asm__ volatile("pcmpeqd %%xmm6, %%xmm6\n pcmpeqd %%xmm7, %%xmm7\n pcmpeqd %%xmm8, %%xmm8\n"
                     "pcmpeqd %%xmm12, %%xmm12\n pcmpeqd %%xmm15, %%xmm15\n"
                     : : : "xmm6", "xmm7", "xmm8", "xmm12", "xmm15");
    unsigned mx = 0x1f80 | 0x6000;
    __asm__ volatile("ldmxcsr %0" : : "m"(mx));
    uc->uc_mcontext.fpregs->_xmm[7].element[0] = 0xfeedface;
}

static void test_fpu(void)
{
    printf("== FPU state: saved, restored, editable\n");
    for (int i = 0; i < 10; i++)
        for (int j = 0; j < 4; j++)
            xin[i][j] = 0x10000000u * (i + 1) + j;
    mx_in = 0x1f80 | 0x2000;        /* round down */
    fcw_in = 0x27f;                 /* double precision */
    runs = 0;
    install(SIGUSR1, on_xmm, 0);
    fire(xmm_probe, SIGUSR1);
    CHECK(runs == 1 && seen_uc.uc_mcontext.fpregs != NULL);
    CHECK((uintptr_t)seen_uc.uc_mcontext.fpregs % 64 == 0);
    CHECK((uintptr_t)seen_uc.uc_mcontext.fpregs > ent.rsp);
    CHECK(ent.xmm6[0] == 0 && ent.xmm6[3] == 0 && ent.mxcsr == 0x1f80 && ent.fcw == 0x37f);
    CHECK(!memcmp(seen_fp.xmm[6], xin[0], 16) && !memcmp(seen_fp.xmm[15], xin[9], 16));
    CHECK(!memcmp(seen_fp.xmm[10], xin[4], 16));
    CHECK(seen_fp.mxcsr == mx_in && seen_fp.cwd == 0x27f);
    CHECK(mx_out == mx_in && fcw_out == 0x27f);
    CHECK(!memcmp(xout[0], xin[0], 16) && !memcmp(xout[1] + 1, xin[1] + 1, 12));
    CHECK(xout[1][0] == 0xfeedface);
    int same = 1;
    for (int i = 2; i < 10; i++)
        same &= !memcmp(xout[i], xin[i], 16);
    CHECK(same);
}

/* --- sigaltstack --- */
static char *alt;
static size_t alt_size = 64 * 1024;
static struct {
    uintptr_t local;
    stack_t now, uc;
    int eperm1, eperm2;
} on_alt[2];
static volatile int alt_depth, alt_nest, try_eperm = 1;
static sigjmp_buf jb;

static void on_altsig(int sig, siginfo_t *si, void *ucv)
{
    ucontext_t *uc = ucv;
    volatile int local;
    int d = alt_depth++;
    stack_t st = { .ss_sp = alt, .ss_size = alt_size, .ss_flags = 0 };
    (void)si;
    if (d < 2) {
        on_alt[d].local = (uintptr_t)&local;
        sigaltstack(NULL, &on_alt[d].now);
        on_alt[d].uc = uc->uc_stack;
    }
    if (d < 2 && try_eperm) {
        errno = 0;
        on_alt[d].eperm1 = sigaltstack(&st, NULL) == -1 && errno == EPERM;
        st.ss_flags = SS_DISABLE;
        errno = 0;
        on_alt[d].eperm2 = sigaltstack(&st, NULL) == -1 && errno == EPERM;
    }
    if (d == 0 && alt_nest)
        raise(SIGUSR2);
    if (sig == SIGSEGV)
        siglongjmp(jb, 1);
    alt_depth--;
}

static int in_alt(uintptr_t p)
{
    return p >= (uintptr_t)alt && p < (uintptr_t)alt + alt_size;
}

static volatile int stop_depth = -1;
static int recurse(int depth)
{
    volatile char frame[1024];
    frame[0] = (char)depth;
    if (depth == stop_depth)
        return 0;
    return recurse(depth + 1) + frame[0];
}

static void test_altstack(void)
{
    stack_t st, old;
    struct sigaction sa;

    printf("== sigaltstack errors\n");
    alt = mmap(NULL, alt_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK_EQ(sigaltstack(NULL, &old), 0);
    CHECK(old.ss_flags == SS_DISABLE && old.ss_sp == NULL && old.ss_size == 0);
    st = (stack_t){ .ss_sp = alt, .ss_size = alt_size, .ss_flags = 0x1234 };
    CHECK_ERR(sigaltstack(&st, NULL), EINVAL);
    st = (stack_t){ .ss_sp = alt, .ss_size = 1024, .ss_flags = 0 };
    CHECK_ERR(sigaltstack(&st, NULL), ENOMEM);
    /* The kernel accepts SS_ONSTACK (musl's wrapper does not) and keeps it
     * as the stack's flags: uc_stack reports it, sigaltstack does not. */
    st = (stack_t){ .ss_sp = alt, .ss_size = alt_size, .ss_flags = SS_ONSTACK };
    CHECK_EQ(syscall(SYS_sigaltstack, &st, NULL), 0);
    CHECK_EQ(sigaltstack(NULL, &old), 0);
    CHECK(old.ss_flags == 0 && old.ss_sp == alt && old.ss_size == alt_size);

    printf("== a handler without SA_ONSTACK\n");
    install(SIGUSR1, on_regs, 0);
    edit = 0;
    fire(regs_probe, SIGUSR1);
    CHECK(!in_alt(ent.rsp));
    CHECK(seen_uc.uc_stack.ss_flags == SS_ONSTACK && seen_uc.uc_stack.ss_sp == alt);
    CHECK(seen_uc.uc_stack.ss_size == alt_size);
    st.ss_flags = 0;
    CHECK_EQ(sigaltstack(&st, NULL), 0);
    fire(regs_probe, SIGUSR1);
    CHECK(!in_alt(ent.rsp) && seen_uc.uc_stack.ss_flags == 0);

    printf("== SA_ONSTACK, nested\n");
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_altsig;
    sa.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGUSR2, &sa, NULL);
    sigaction(SIGSEGV, &sa, NULL);
    alt_depth = 0;
    alt_nest = 1;
    raise(SIGUSR1);
    CHECK(in_alt(on_alt[0].local) && in_alt(on_alt[1].local));
    CHECK(on_alt[1].local < on_alt[0].local);      /* nested below, not at the top */
    CHECK(on_alt[0].now.ss_flags == SS_ONSTACK && on_alt[1].now.ss_flags == SS_ONSTACK);
    CHECK(on_alt[0].now.ss_sp == alt && on_alt[0].now.ss_size == alt_size);
    CHECK(on_alt[0].uc.ss_flags == 0 && on_alt[0].uc.ss_sp == alt);
    CHECK(on_alt[1].uc.ss_flags == 0 && on_alt[1].uc.ss_sp == alt);
    CHECK(on_alt[0].eperm1 && on_alt[0].eperm2 && on_alt[1].eperm1);
    CHECK_EQ(sigaltstack(NULL, &old), 0);
    CHECK(old.ss_flags == 0);

    printf("== SS_AUTODISARM\n");
    st = (stack_t){ .ss_sp = alt, .ss_size = alt_size, .ss_flags = SS_AUTODISARM };
    CHECK_EQ(sigaltstack(&st, NULL), 0);
    memset(on_alt, 0, sizeof on_alt);
    alt_depth = 0;
    alt_nest = 1;
    try_eperm = 0;
    raise(SIGUSR1);
    /* Disarmed inside the handler; the nested one stays where it is. */
    CHECK(in_alt(on_alt[0].local) && in_alt(on_alt[1].local));
    CHECK(on_alt[0].now.ss_flags == SS_DISABLE && on_alt[0].now.ss_sp == NULL);
    CHECK(on_alt[0].uc.ss_flags == (int)SS_AUTODISARM && on_alt[0].uc.ss_sp == alt);
    CHECK(on_alt[1].uc.ss_flags == SS_DISABLE && on_alt[1].uc.ss_sp == NULL);
    CHECK_EQ(sigaltstack(NULL, &old), 0);          /* restored from uc_stack */
    CHECK(old.ss_flags == (int)SS_AUTODISARM && old.ss_sp == alt && old.ss_size == alt_size);
    try_eperm = 1;

    printf("== stack overflow caught on the alternate stack\n");
    st = (stack_t){ .ss_sp = alt, .ss_size = alt_size, .ss_flags = 0 };
    CHECK_EQ(sigaltstack(&st, NULL), 0);
    struct rlimit rl;
    getrlimit(RLIMIT_STACK, &rl);
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (8u << 20)) {
        rl.rlim_cur = 8u << 20;
        setrlimit(RLIMIT_STACK, &rl);
    }
    memset(on_alt, 0, sizeof on_alt);
    alt_depth = 0;
    alt_nest = 0;
    int caught = 0;
    if (sigsetjmp(jb, 1))
        caught = 1;
    else
        recurse(0);
    CHECK(caught && in_alt(on_alt[0].local));
    CHECK(on_alt[0].now.ss_flags == SS_ONSTACK);
    CHECK_EQ(sigaltstack(NULL, &old), 0);          /* off it again after siglongjmp */
    CHECK(old.ss_flags == 0);
    st.ss_flags = SS_DISABLE;
    CHECK_EQ(sigaltstack(&st, NULL), 0);
    CHECK_EQ(sigaltstack(NULL, &old), 0);
    CHECK(old.ss_flags == SS_DISABLE && old.ss_sp == NULL && old.ss_size == 0);
}

int main(void)
{
    test_entry_and_gregs();
    test_fpu();
    test_altstack();
    return guest_done();
}
