/*
 * The x86-64 signal frame, Linux's rt_sigframe: the restorer's address
 * (the handler's return address), the ucontext (flags, link, the
 * sigaltstack, the general registers as struct sigcontext, the mask) and
 * the siginfo, below it the fxsave image of the x87 and SSE state, 64-byte
 * aligned.  The emulated CPU has no XSAVE (docs/unicorn-2.0.1.md section
 * 6), so the FP state is the 512-byte fxsave image, as Linux writes it on
 * such a CPU.  rt_sigreturn reads everything back, changes included.
 */
#include <string.h>
#include "task.h"
#include "signal.h"
#include "../mm/uaccess.h"
#include "../trace/trace.h"
#include "../../abi/linux/errno.h"

/* struct sigcontext (64-bit): the general registers in this order, then the rest. */
struct sigcontext64 {
	u64 r8, r9, r10, r11, r12, r13, r14, r15;
	u64 rdi, rsi, rbp, rbx, rdx, rax, rcx, rsp, rip, eflags;
	u16 cs, gs, fs, ss;
	u64 err, trapno, oldmask, cr2;
	u64 fpstate;
	u64 reserved1[8];
};

struct ucontext64 {
	u64 uc_flags;
	u64 uc_link;
	struct linux_stack uc_stack;
	struct sigcontext64 uc_mcontext;
	linux_sigset_t uc_sigmask;
};

struct rt_sigframe {
	u64 pretcode;
	struct ucontext64 uc;
	struct linux_siginfo info;
};

/* fxsave's 512-byte image. */
struct fxstate {
	u16 cwd, swd, twd, fop;
	u64 rip, rdp;
	u32 mxcsr, mxcsr_mask;
	u8 st[8][16];
	u8 xmm[16][16];
	u8 padding[48];
	u8 sw_reserved[48];
};

_Static_assert(sizeof(struct sigcontext64) == 256, "sigcontext");
_Static_assert(sizeof(struct ucontext64) == 304, "ucontext");
_Static_assert(sizeof(struct linux_siginfo) == 128, "siginfo");
_Static_assert(sizeof(struct fxstate) == 512, "fxsave");

#define UC_SIGCONTEXT_SS 0x2
#define UC_STRICT_RESTORE_SS 0x4
#define USER_CS 0x33
#define USER_DS 0x2b
#define RED_ZONE 128
#define FPSTATE_ALIGN 64
#define MXCSR_MASK 0xffff /* what the host CPUs report for fxsave (DAZ included) */

/* EFLAGS bits a handler may change in the frame (Linux's FIX_EFLAGS). */
#define FIX_EFLAGS 0x50dd5ULL
#define EFLAGS_TF 0x100ULL
#define EFLAGS_DF 0x400ULL
#define EFLAGS_RF 0x10000ULL

static const int gpr_regs[] = {
	UC_X86_REG_R8, UC_X86_REG_R9, UC_X86_REG_R10, UC_X86_REG_R11, UC_X86_REG_R12,
	UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15, UC_X86_REG_RDI, UC_X86_REG_RSI,
	UC_X86_REG_RBP, UC_X86_REG_RBX, UC_X86_REG_RDX, UC_X86_REG_RAX, UC_X86_REG_RCX,
	UC_X86_REG_RSP, UC_X86_REG_RIP, UC_X86_REG_EFLAGS,
};

static void read_gprs(struct task *t, struct sigcontext64 *sc)
{
	u64 *v = &sc->r8;

	for (size_t i = 0; i < ARRAY_SIZE(gpr_regs); i++) {
		v[i] = 0;
		uc_reg_read(t->cpu.uc, gpr_regs[i], &v[i]);
	}
}

static void write_gprs(struct task *t, const struct sigcontext64 *sc)
{
	const u64 *v = &sc->r8;

	for (size_t i = 0; i < ARRAY_SIZE(gpr_regs); i++)
		uc_reg_write(t->cpu.uc, gpr_regs[i], &v[i]);
}

/* The engine's x87 and SSE state as fxsave stores it (ST(i) in stack order, abridged tags). */
static void save_fxstate(struct task *t, struct fxstate *fx)
{
	uc_engine *uc = t->cpu.uc;
	u64 cw = 0, sw = 0, tag = 0, mxcsr = 0;
	int top;

	memset(fx, 0, sizeof(*fx));
	uc_reg_read(uc, UC_X86_REG_FPCW, &cw);
	uc_reg_read(uc, UC_X86_REG_FPSW, &sw);
	uc_reg_read(uc, UC_X86_REG_FPTAG, &tag);
	uc_reg_read(uc, UC_X86_REG_MXCSR, &mxcsr);
	fx->cwd = (u16)cw;
	fx->swd = (u16)sw;
	top = (sw >> 11) & 7;
	for (int r = 0; r < 8; r++)
		if (((tag >> (2 * r)) & 3) != 3)
			fx->twd |= 1u << r;
	fx->mxcsr = (u32)mxcsr;
	fx->mxcsr_mask = MXCSR_MASK;
	for (int i = 0; i < 8; i++) {
		u8 buf[16] = { 0 };
		uc_reg_read(uc, UC_X86_REG_FP0 + ((top + i) & 7), buf);
		memcpy(fx->st[i], buf, 10);
	}
	for (int i = 0; i < 16; i++)
		uc_reg_read(uc, UC_X86_REG_XMM0 + i, fx->xmm[i]);
}

static void restore_fxstate(struct task *t, const struct fxstate *fx)
{
	uc_engine *uc = t->cpu.uc;
	u64 cw = fx->cwd, sw = fx->swd, tag = 0, mxcsr = fx->mxcsr & MXCSR_MASK;
	int top = (fx->swd >> 11) & 7;

	for (int r = 0; r < 8; r++)
		if (!(fx->twd & (1u << r)))
			tag |= 3ULL << (2 * r);
	uc_reg_write(uc, UC_X86_REG_FPCW, &cw);
	uc_reg_write(uc, UC_X86_REG_FPSW, &sw);
	for (int i = 0; i < 8; i++) {
		u8 buf[16] = { 0 };
		memcpy(buf, fx->st[i], 10);
		uc_reg_write(uc, UC_X86_REG_FP0 + ((top + i) & 7), buf);
	}
	uc_reg_write(uc, UC_X86_REG_FPTAG, &tag);
	uc_reg_write(uc, UC_X86_REG_MXCSR, &mxcsr);
	for (int i = 0; i < 16; i++)
		uc_reg_write(uc, UC_X86_REG_XMM0 + i, fx->xmm[i]);
}

/* A handler starts with the FPU as a new process has it (Linux's fpu__clear_user_states). */
static void init_fxstate(struct task *t)
{
	struct fxstate fx;

	memset(&fx, 0, sizeof(fx));
	fx.cwd = 0x37f;
	fx.mxcsr = 0x1f80;
	restore_fxstate(t, &fx);
}

static bool on_sig_stack(struct task *t, u64 sp)
{
	if (t->sas.ss_flags & LINUX_SS_AUTODISARM)
		return false;
	return sp > t->sas.ss_sp && sp - t->sas.ss_sp <= t->sas.ss_size;
}

int sas_ss_flags(struct task *t, u64 sp)
{
	if (!t->sas.ss_size)
		return LINUX_SS_DISABLE;
	return on_sig_stack(t, sp) ? LINUX_SS_ONSTACK : 0;
}

/* Linux's get_sigframe: below the red zone, or at the top of the alternate stack. */
static u64 get_sigframe(struct task *t, const struct linux_sigaction *ka, u64 sp, u64 *fpstate)
{
	bool onsigstack = on_sig_stack(t, sp), entering = false;

	sp -= RED_ZONE;
	if ((ka->flags & LINUX_SA_ONSTACK) && sas_ss_flags(t, sp) == 0) {
		sp = t->sas.ss_sp + t->sas.ss_size;
		entering = true;
	}
	sp = (sp - sizeof(struct fxstate)) & ~(u64)(FPSTATE_ALIGN - 1);
	*fpstate = sp;
	sp -= sizeof(struct rt_sigframe);
	sp = (sp & ~15ULL) - 8;
	/* Overflowing the alternate stack: an address that always faults, as Linux does. */
	if ((onsigstack && !on_sig_stack(t, sp)) || (entering && sp < t->sas.ss_sp))
		return (u64)-1;
	return sp;
}

int setup_rt_frame(struct task *t, int sig, const struct linux_siginfo *info,
		   const struct linux_sigaction *ka)
{
	struct rt_sigframe f;
	struct fxstate fx;
	u64 sp = cpu_get(t, CPU_RSP), fpstate, frame;
	linux_sigset_t blocked;

	if (!(ka->flags & LINUX_SA_RESTORER))
		return -LINUX_EFAULT;
	frame = get_sigframe(t, ka, sp, &fpstate);
	memset(&f, 0, sizeof(f));
	f.pretcode = ka->restorer;
	f.uc.uc_flags = UC_SIGCONTEXT_SS | UC_STRICT_RESTORE_SS;
	f.uc.uc_stack.ss_sp = t->sas.ss_sp;
	f.uc.uc_stack.ss_flags = t->sas.ss_flags; /* as stored, as Linux's __save_altstack */
	f.uc.uc_stack.ss_size = t->sas.ss_size;
	read_gprs(t, &f.uc.uc_mcontext);
	f.uc.uc_mcontext.cs = USER_CS;
	f.uc.uc_mcontext.ss = USER_DS;
	f.uc.uc_mcontext.trapno = t->fault_trapno;
	f.uc.uc_mcontext.err = t->fault_err;
	f.uc.uc_mcontext.cr2 = t->fault_cr2;
	f.uc.uc_mcontext.fpstate = fpstate;
	pthread_mutex_lock(&t->sighand->siglock);
	blocked = t->blocked;
	pthread_mutex_unlock(&t->sighand->siglock);
	/* After rt_sigsuspend, the frame restores the caller's own mask. */
	f.uc.uc_sigmask = t->restore_sigmask ? t->saved_sigmask : blocked;
	f.uc.uc_mcontext.oldmask = f.uc.uc_sigmask;
	if (ka->flags & LINUX_SA_SIGINFO)
		f.info = *info;
	save_fxstate(t, &fx);
	if (frame == (u64)-1 || copy_to_user(t, fpstate, &fx, sizeof(fx)) ||
	    copy_to_user(t, frame, &f, sizeof(f)))
		return -LINUX_EFAULT;
	t->restore_sigmask = false;
	if (t->sas.ss_flags & LINUX_SS_AUTODISARM) {
		t->sas.ss_sp = 0;
		t->sas.ss_size = 0;
		t->sas.ss_flags = LINUX_SS_DISABLE;
	}

	/* Into the handler: sig, &info, &uc; rax 0 for unprototyped handlers. */
	cpu_set(t, CPU_RSP, frame);
	cpu_set(t, CPU_RIP, ka->handler);
	cpu_set(t, CPU_RDI, (u64)sig);
	cpu_set(t, CPU_RSI, frame + offsetof(struct rt_sigframe, info));
	cpu_set(t, CPU_RDX, frame + offsetof(struct rt_sigframe, uc));
	cpu_set(t, CPU_RAX, 0);
	cpu_set(t, CPU_EFLAGS, cpu_get(t, CPU_EFLAGS) & ~(EFLAGS_DF | EFLAGS_RF | EFLAGS_TF));
	init_fxstate(t);

	/* The handler's mask: its sa_mask, and sig itself unless SA_NODEFER. */
	pthread_mutex_lock(&t->sighand->siglock);
	t->blocked |= ka->mask;
	if (!(ka->flags & LINUX_SA_NODEFER))
		t->blocked |= linux_sigmask(sig);
	t->blocked &= ~LINUX_UNBLOCKABLE;
	pthread_mutex_unlock(&t->sighand->siglock);
	return 0;
}

/* The restorer's ret popped pretcode: the frame starts 8 bytes below rsp. */
void do_rt_sigreturn(struct task *t)
{
	u64 frame = cpu_get(t, CPU_RSP) - 8, eflags = cpu_get(t, CPU_EFLAGS);
	u64 args[6] = { 0 };
	struct rt_sigframe f;
	struct fxstate fx;

	if (trace_on)
		trace_syscall_enter(t, 15, args);
	if (copy_from_user(t, &f, frame, sizeof(f)) ||
	    (f.uc.uc_mcontext.fpstate &&
	     copy_from_user(t, &fx, f.uc.uc_mcontext.fpstate, sizeof(fx)))) {
		if (trace_on)
			trace_syscall_exit(t, 15, args, -LINUX_EFAULT);
		force_sig_fault(t, LINUX_SIGSEGV, LINUX_SI_KERNEL, 0);
		return;
	}
	pthread_mutex_lock(&t->sighand->siglock);
	t->blocked = f.uc.uc_sigmask & ~LINUX_UNBLOCKABLE;
	pthread_mutex_unlock(&t->sighand->siglock);
	f.uc.uc_mcontext.eflags = (eflags & ~FIX_EFLAGS) | (f.uc.uc_mcontext.eflags & FIX_EFLAGS);
	write_gprs(t, &f.uc.uc_mcontext);
	if (f.uc.uc_mcontext.fpstate)
		restore_fxstate(t, &fx);
	else
		init_fxstate(t);
	/* As Linux's restore_altstack: only a fault in reading it matters. */
	do_sigaltstack(t, &f.uc.uc_stack, NULL, f.uc.uc_mcontext.rsp);
	if (trace_on)
		trace_syscall_exit(t, 15, args, (long)f.uc.uc_mcontext.rax);
	recalc_sigpending(t);
}

long do_sigaltstack(struct task *t, const struct linux_stack *ss, struct linux_stack *oss, u64 sp)
{
	if (oss) {
		oss->ss_sp = t->sas.ss_sp;
		oss->ss_size = t->sas.ss_size;
		oss->ss_flags = sas_ss_flags(t, sp) | (t->sas.ss_flags & LINUX_SS_AUTODISARM);
		oss->_pad = 0;
	}
	if (ss) {
		int mode = ss->ss_flags & ~LINUX_SS_AUTODISARM;
		if (on_sig_stack(t, sp))
			return -LINUX_EPERM;
		if (mode != LINUX_SS_DISABLE && mode != LINUX_SS_ONSTACK && mode != 0)
			return -LINUX_EINVAL;
		if (mode == LINUX_SS_DISABLE) {
			t->sas.ss_sp = 0;
			t->sas.ss_size = 0;
			t->sas.ss_flags = ss->ss_flags;
		} else {
			if (ss->ss_size < LINUX_MINSIGSTKSZ)
				return -LINUX_ENOMEM;
			t->sas.ss_sp = ss->ss_sp;
			t->sas.ss_size = ss->ss_size;
			t->sas.ss_flags = ss->ss_flags; /* kept as given (uc_stack shows them) */
		}
	}
	return 0;
}
