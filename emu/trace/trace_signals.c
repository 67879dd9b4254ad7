/*
 * Signals as strace prints them: names, sets ([INT TERM], ~[RTMIN]),
 * struct sigaction, stack_t, rt_sigreturn's frame and siginfo.
 */
#include <string.h>

#include "trace_internal.h"
#include "../../abi/linux/signal.h"

static const char *const signames[32] = {
	NULL, "HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1",
	"SEGV", "USR2", "PIPE", "ALRM", "TERM", "STKFLT", "CHLD", "CONT", "STOP", "TSTP",
	"TTIN", "TTOU", "URG", "XCPU", "XFSZ", "VTALRM", "PROF", "WINCH", "IO", "PWR", "SYS",
};

/* The name without "SIG": TERM, RTMIN, RT_3; false for a non-signal. */
static bool print_short_signame(struct tbuf *b, int sig)
{
	if (sig >= 1 && sig < LINUX_SIGRTMIN)
		tb_puts(b, signames[sig]);
	else if (sig == LINUX_SIGRTMIN)
		tb_puts(b, "RTMIN");
	else if (sig > LINUX_SIGRTMIN && sig <= LINUX_SIGRTMAX)
		tb_printf(b, "RT_%d", sig - LINUX_SIGRTMIN);
	else
		return false;
	return true;
}

void print_signame(struct tbuf *b, int sig)
{
	if (sig >= 1 && sig <= LINUX_SIGRTMAX)
		tb_puts(b, "SIG");
	if (!print_short_signame(b, sig))
		tb_printf(b, "%d", sig);
}

/* Lists the members of set; strace lists the complement when it is shorter. */
void print_sigset(struct tbuf *b, u64 set)
{
	bool first = true;

	if (__builtin_popcountll(set) > LINUX_NSIG / 2) {
		tb_putc(b, '~');
		set = ~set;
	}
	tb_putc(b, '[');
	for (int sig = 1; sig <= LINUX_NSIG; sig++) {
		if (!(set & linux_sigmask(sig)))
			continue;
		if (!first)
			tb_putc(b, ' ');
		print_short_signame(b, sig);
		first = false;
	}
	tb_putc(b, ']');
}

/* A set of sigsetsize bytes; strace shows the address for any size but 8. */
static bool print_sigset_arg(struct targ *c, u64 v)
{
	u64 set;

	if (targ_reg_named(c, "sigsetsize") != sizeof(set)) {
		tb_addr(c->b, v);
		return true;
	}
	if (trace_read(c, &set, v, sizeof(set)))
		print_sigset(c->b, set);
	return true;
}

bool fmt_sigset(struct targ *c, u64 v)
{
	return print_sigset_arg(c, v);
}

static const struct xlat sa_flags[] = {
	{ LINUX_SA_RESTORER, "SA_RESTORER" }, { LINUX_SA_ONSTACK, "SA_ONSTACK" },
	{ LINUX_SA_RESTART, "SA_RESTART" }, { LINUX_SA_NODEFER, "SA_NODEFER" },
	{ LINUX_SA_RESETHAND, "SA_RESETHAND" }, { LINUX_SA_SIGINFO, "SA_SIGINFO" },
	{ LINUX_SA_NOCLDSTOP, "SA_NOCLDSTOP" }, { LINUX_SA_NOCLDWAIT, "SA_NOCLDWAIT" },
};
static const struct xlat_table xt_sa_flags = XLAT_TABLE(sa_flags, "SA_???");

static void print_handler(struct tbuf *b, u64 h)
{
	if (h == LINUX_SIG_DFL)
		tb_puts(b, "SIG_DFL");
	else if (h == LINUX_SIG_IGN)
		tb_puts(b, "SIG_IGN");
	else
		tb_hex(b, h);
}

/* {sa_handler=..., sa_mask=[...], sa_flags=...[, sa_restorer=...]} */
bool fmt_sigaction(struct targ *c, u64 v)
{
	struct linux_sigaction sa;

	if (!trace_read(c, &sa, v, sizeof(sa)))
		return true;
	tb_puts(c->b, "{sa_handler=");
	print_handler(c->b, sa.handler);
	tb_puts(c->b, ", sa_mask=");
	print_sigset(c->b, sa.mask);
	tb_puts(c->b, ", sa_flags=");
	print_flags(c->b, &xt_sa_flags, sa.flags);
	if (sa.flags & LINUX_SA_RESTORER) {
		tb_puts(c->b, ", sa_restorer=");
		tb_addr(c->b, sa.restorer);
	}
	tb_putc(c->b, '}');
	return true;
}

static const struct xlat ss_flags[] = {
	{ 1, "SS_ONSTACK" }, { 2, "SS_DISABLE" }, { 1u << 31, "SS_AUTODISARM" },
};
static const struct xlat_table xt_ss_flags = XLAT_TABLE(ss_flags, "SS_???");

/* stack_t: {ss_sp=0x..., ss_flags=0, ss_size=8192} */
bool fmt_stack(struct targ *c, u64 v)
{
	struct {
		u64 sp;
		s32 flags;
		u32 pad;
		u64 size;
	} ss;

	if (!trace_read(c, &ss, v, sizeof(ss)))
		return true;
	tb_puts(c->b, "{ss_sp=");
	tb_addr(c->b, ss.sp);
	tb_puts(c->b, ", ss_flags=");
	print_flags(c->b, &xt_ss_flags, (u32)ss.flags);
	tb_printf(c->b, ", ss_size=%llu}", (unsigned long long)ss.size);
	return true;
}

/*
 * rt_sigreturn's argument is the frame at the guest's rsp: the restorer's
 * return popped pretcode, so rsp points at the ucontext, whose uc_sigmask
 * follows uc_flags, uc_link, uc_stack (24 bytes) and the 256-byte mcontext.
 */
#define UC_SIGMASK_OFFSET (8 + 8 + 24 + 256)

bool fmt_sigreturn_frame(struct targ *c, u64 sp)
{
	u64 mask;

	if (trace_peek(c, &mask, sp + UC_SIGMASK_OFFSET, sizeof(mask))) {
		tb_puts(c->b, "{mask=");
		print_sigset(c->b, mask);
		tb_putc(c->b, '}');
	} else {
		tb_puts(c->b, "{mask=?}");
	}
	return true;
}

static const struct xlat si_codes[] = {
	{ (u32)0, "SI_USER" }, { 0x80, "SI_KERNEL" }, { (u32)-1, "SI_QUEUE" },
	{ (u32)-2, "SI_TIMER" }, { (u32)-3, "SI_MESGQ" }, { (u32)-4, "SI_ASYNCIO" },
	{ (u32)-5, "SI_SIGIO" }, { (u32)-6, "SI_TKILL" }, { (u32)-7, "SI_DETHREAD" },
	{ (u32)-60, "SI_ASYNCNL" },
};
static const struct xlat_table xt_si_codes = XLAT_TABLE(si_codes, "SI_???");

#define SI_USER_CODE 0
#define SI_KERNEL_CODE 0x80
#define SI_TIMER_CODE (-2)
#define SI_SIGIO_CODE (-5)
#define SI_TKILL_CODE (-6)

/* Codes of kernel-generated signals, by signal: { sig, code, name }. */
static const struct {
	int sig, code;
	const char *name;
} fault_codes[] = {
	{ 4, 1, "ILL_ILLOPC" }, { 4, 2, "ILL_ILLOPN" }, { 4, 3, "ILL_ILLADR" },
	{ 4, 4, "ILL_ILLTRP" }, { 4, 5, "ILL_PRVOPC" }, { 4, 6, "ILL_PRVREG" },
	{ 4, 7, "ILL_COPROC" }, { 4, 8, "ILL_BADSTK" }, { 8, 1, "FPE_INTDIV" },
	{ 8, 2, "FPE_INTOVF" }, { 8, 3, "FPE_FLTDIV" }, { 8, 4, "FPE_FLTOVF" },
	{ 8, 5, "FPE_FLTUND" }, { 8, 6, "FPE_FLTRES" }, { 8, 7, "FPE_FLTINV" },
	{ 8, 8, "FPE_FLTSUB" }, { 11, 1, "SEGV_MAPERR" }, { 11, 2, "SEGV_ACCERR" },
	{ 11, 3, "SEGV_BNDERR" }, { 11, 4, "SEGV_PKUERR" }, { 7, 1, "BUS_ADRALN" },
	{ 7, 2, "BUS_ADRERR" }, { 7, 3, "BUS_OBJERR" }, { 7, 4, "BUS_MCEERR_AR" },
	{ 7, 5, "BUS_MCEERR_AO" }, { 5, 1, "TRAP_BRKPT" }, { 5, 2, "TRAP_TRACE" },
	{ 5, 3, "TRAP_BRANCH" }, { 5, 4, "TRAP_HWBKPT" }, { 17, 1, "CLD_EXITED" },
	{ 17, 2, "CLD_KILLED" }, { 17, 3, "CLD_DUMPED" }, { 17, 4, "CLD_TRAPPED" },
	{ 17, 5, "CLD_STOPPED" }, { 17, 6, "CLD_CONTINUED" }, { 29, 1, "POLL_IN" },
	{ 29, 2, "POLL_OUT" }, { 29, 3, "POLL_MSG" }, { 29, 4, "POLL_ERR" },
	{ 29, 5, "POLL_PRI" }, { 29, 6, "POLL_HUP" }, { 31, 1, "SYS_SECCOMP" },
	{ 31, 2, "SYS_USER_DISPATCH" },
};

static const char *fault_code_name(int sig, int code)
{
	for (size_t i = 0; i < ARRAY_SIZE(fault_codes); i++)
		if (fault_codes[i].sig == sig && fault_codes[i].code == code)
			return fault_codes[i].name;
	return NULL;
}

static bool is_fault_signal(int sig)
{
	return sig == LINUX_SIGSEGV || sig == LINUX_SIGBUS || sig == LINUX_SIGILL ||
	       sig == LINUX_SIGFPE || sig == LINUX_SIGTRAP;
}

/* A code strace has no name for is shown in hexadecimal: 0x63, 0xfffffff7. */
static void print_si_code(struct tbuf *b, int sig, int code)
{
	const char *name = code > 0 && code != SI_KERNEL_CODE ? fault_code_name(sig, code) : NULL;

	if (!name)
		name = xlat_name(&xt_si_codes, (u32)code);
	if (name)
		tb_puts(b, name);
	else
		tb_printf(b, "%#x", (unsigned)code);
}

static void print_sender(struct tbuf *b, const struct linux_siginfo *si)
{
	tb_printf(b, ", si_pid=%d, si_uid=%u", si->rt.pid, si->rt.uid);
}

static void print_sigval(struct tbuf *b, const union linux_sigval *v)
{
	tb_printf(b, ", si_int=%d, si_ptr=", v->sival_int);
	tb_addr(b, v->sival_ptr);
}

/* The sender, then the value where one was given (SI_QUEUE and the like). */
static void print_sender_value(struct tbuf *b, const struct linux_siginfo *si)
{
	print_sender(b, si);
	if (si->rt.value.sival_ptr)
		print_sigval(b, &si->rt.value);
}

/* SIGCHLD's fields; si_status is a signal but for CLD_EXITED. */
static void print_sigchld_fields(struct tbuf *b, const struct linux_siginfo *si)
{
	tb_printf(b, ", si_pid=%d, si_uid=%u, si_status=", si->chld.pid, si->chld.uid);
	if (si->si_code == 1)
		tb_printf(b, "%d", si->chld.status);
	else
		print_signame(b, si->chld.status);
	tb_printf(b, ", si_utime=%lld, si_stime=%lld", (long long)si->chld.utime,
		  (long long)si->chld.stime);
}

/* SIGSYS: {si_call_addr=0x..., si_syscall=N, si_arch=AUDIT_ARCH_X86_64} */
static void print_sigsys_fields(struct tbuf *b, const struct linux_siginfo *si)
{
	u64 call_addr;
	int nr;
	u32 arch;

	memcpy(&call_addr, si->raw, sizeof(call_addr));
	memcpy(&nr, si->raw + 8, sizeof(nr));
	memcpy(&arch, si->raw + 12, sizeof(arch));
	tb_puts(b, ", si_call_addr=");
	tb_addr(b, call_addr);
	tb_printf(b, ", si_syscall=%d, si_arch=", nr);
	if (arch == 0xc000003eu)
		tb_puts(b, "AUDIT_ARCH_X86_64");
	else if (arch == 0x40000003u)
		tb_puts(b, "AUDIT_ARCH_I386");
	else
		tb_printf(b, "%#x /* AUDIT_ARCH_??? */", arch);
}

/*
 * The fields strace shows depend on where the signal came from: a code
 * <= 0 is a process's (kill, tkill, sigqueue, timers), a code > 0 (and
 * SI_KERNEL) the kernel's, with the fields of that signal.
 */
void print_linux_siginfo(struct tbuf *b, const struct linux_siginfo *si)
{
	int sig = si->si_signo, code = si->si_code;

	tb_puts(b, "{si_signo=");
	print_signame(b, sig);
	tb_puts(b, ", si_code=");
	print_si_code(b, sig, code);
	if (si->si_errno && trace_errno_name(si->si_errno))
		tb_printf(b, ", si_errno=%s", trace_errno_name(si->si_errno));
	else if (si->si_errno)
		tb_printf(b, ", si_errno=%d", si->si_errno);
	if (code <= 0) {
		switch (code) {
		case SI_USER_CODE:
		case SI_TKILL_CODE:
			print_sender(b, si);
			break;
		case SI_TIMER_CODE:
			tb_printf(b, ", si_timerid=%#x, si_overrun=%d", (unsigned)si->timer.tid,
				  si->timer.overrun);
			print_sigval(b, &si->timer.value);
			break;
		case SI_SIGIO_CODE:
			tb_printf(b, ", si_band=%lld, si_fd=%d", (long long)si->poll.band,
				  si->poll.fd);
			break;
		default:
			print_sender_value(b, si);
			break;
		}
	} else if (is_fault_signal(sig)) {
		tb_puts(b, ", si_addr=");
		tb_addr(b, si->fault.addr);
	} else if (sig == LINUX_SIGCHLD) {
		print_sigchld_fields(b, si);
	} else if (sig == LINUX_SIGIO) {
		if (fault_code_name(sig, code))
			tb_printf(b, ", si_band=%lld, si_fd=%d", (long long)si->poll.band,
				  si->poll.fd);
	} else if (sig == LINUX_SIGSYS) {
		print_sigsys_fields(b, si);
	} else {
		print_sender_value(b, si);
	}
	tb_putc(b, '}');
}

/* The kernel's summary as a siginfo: the fields its signal and code use. */
void print_siginfo(struct tbuf *b, const struct trace_siginfo *ts)
{
	struct linux_siginfo si;

	memset(&si, 0, sizeof(si));
	si.si_signo = ts->signo;
	si.si_code = ts->code;
	si.si_errno = ts->err;
	if (ts->code <= 0) {
		si.rt.pid = ts->pid;
		si.rt.uid = ts->uid;
	} else if (ts->signo == LINUX_SIGCHLD) {
		si.chld.pid = ts->pid;
		si.chld.uid = ts->uid;
		si.chld.status = ts->status;
		si.chld.utime = ts->utime;
		si.chld.stime = ts->stime;
	} else {
		si.fault.addr = ts->addr;
	}
	print_linux_siginfo(b, &si);
}

/* A siginfo_t in guest memory (rt_sigqueueinfo, rt_sigtimedwait). */
bool fmt_siginfo(struct targ *c, u64 v)
{
	struct linux_siginfo si;

	if (!trace_read(c, &si, v, sizeof(si)))
		return true;
	if (si.si_signo)
		print_linux_siginfo(c->b, &si);
	else
		tb_puts(c->b, "{}"); /* waitid with WNOHANG and nothing to report */
	return true;
}
