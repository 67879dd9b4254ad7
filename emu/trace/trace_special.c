/*
 * A call's argument list: the table row's, or, for the calls whose
 * arguments depend on a command (fcntl, ioctl, arch_prctl, futex, prctl)
 * or that strace prints its own way (clone, clone3, rt_sigreturn), a list
 * decided here from the values the call was made with.
 */
#include <string.h>
#include "trace_internal.h"
#include "../../abi/linux/fcntl.h"
#include "../../abi/linux/misc.h"
#include "../../abi/linux/sched.h"

/* Appends a slot showing register idx (or value v for TRACE_NO_REG). */
static void add_slot(struct trace_call *call, u8 kind, u8 idx, u64 v, const char *label)
{
	u8 s = call->nargs++;

	call->kind[s] = kind;
	call->idx[s] = idx;
	call->val[s] = v;
	call->label[s] = label;
}

static void add_reg(struct trace_call *call, const u64 a[6], u8 kind, u8 idx)
{
	add_slot(call, kind, idx, a[idx], NULL);
}

/* The row's list: every argument but the hidden ones. */
static void resolve_default(const struct syscall_desc *d, const u64 a[6],
			    struct trace_call *call)
{
	call->ret_kind = d->ret_kind;
	for (u8 i = 0; i < d->nargs; i++)
		if (d->arg_kind[i] != ARG_hidden)
			add_reg(call, a, d->arg_kind[i], i);
}

/* A number Linux does not define: syscall_0x1b9(0x1, 0x2, 0, 0, 0, 0). */
static void resolve_unknown(const u64 a[6], struct trace_call *call)
{
	call->ret_kind = RET_int;
	for (u8 i = 0; i < 6; i++)
		add_reg(call, a, ARG_hex, i);
}

/* fcntl's third argument and result, by command. */
static void resolve_fcntl(struct task *t, const u64 a[6], struct trace_call *call)
{
	(void)t;
	add_reg(call, a, ARG_fd, 0);
	add_reg(call, a, ARG_fcntlcmd, 1);
	switch ((int)a[1]) {
	case LINUX_F_GETFD:
		call->ret_kind = RET_getfd;
		return;
	case LINUX_F_GETFL:
		call->ret_kind = RET_getfl;
		return;
	case LINUX_F_GETOWN: case LINUX_F_GETSIG: case LINUX_F_GETLEASE:
	case LINUX_F_GETPIPE_SZ: case LINUX_F_GET_SEALS:
		return;
	case LINUX_F_DUPFD: case LINUX_F_DUPFD_CLOEXEC: case LINUX_F_SETOWN:
	case LINUX_F_SETSIG: case LINUX_F_SETPIPE_SZ: case LINUX_F_SETLEASE:
	case LINUX_F_NOTIFY: case LINUX_F_ADD_SEALS:
		add_reg(call, a, ARG_int, 2);
		return;
	case LINUX_F_SETFD:
		add_reg(call, a, ARG_fdflags, 2);
		return;
	case LINUX_F_SETFL:
		add_reg(call, a, ARG_oflags, 2);
		return;
	case LINUX_F_GETLK: case LINUX_F_SETLK: case LINUX_F_SETLKW: case LINUX_F_OFD_GETLK:
	case LINUX_F_OFD_SETLK: case LINUX_F_OFD_SETLKW: case LINUX_F_SETOWN_EX:
	case LINUX_F_GETOWN_EX:
		add_reg(call, a, ARG_ptr, 2);
		return;
	default:
		add_reg(call, a, ARG_hex, 2);
	}
}

/* The ioctls lxemu's terminals and files answer, with their argument kinds. */
#define IOCTL_NOARG 0xff
static const struct {
	u32 cmd;
	const char *name;
	u8 kind;
} ioctls[] = {
	{ LINUX_TCGETS, "TCGETS", ARG_termios_out },
	{ LINUX_TCSETS, "SNDCTL_TMR_START or TCSETS", ARG_termios_in },
	{ LINUX_TCSETSW, "SNDCTL_TMR_STOP or TCSETSW", ARG_termios_in },
	{ LINUX_TCSETSF, "SNDCTL_TMR_CONTINUE or TCSETSF", ARG_termios_in },
	{ 0x5405, "TCGETA", ARG_ptr }, { 0x5406, "TCSETA", ARG_ptr },
	{ 0x5407, "TCSETAW", ARG_ptr }, { 0x5408, "TCSETAF", ARG_ptr },
	{ 0x5409, "TCSBRK", ARG_int }, { 0x540a, "TCXONC", ARG_hex },
	{ 0x540b, "TCFLSH", ARG_hex }, { 0x540c, "TIOCEXCL", IOCTL_NOARG },
	{ 0x540d, "TIOCNXCL", IOCTL_NOARG }, { 0x540e, "TIOCSCTTY", ARG_int },
	{ LINUX_TIOCGPGRP, "TIOCGPGRP", ARG_int_out },
	{ LINUX_TIOCSPGRP, "TIOCSPGRP", ARG_int_in }, { 0x5411, "TIOCOUTQ", ARG_int_out },
	{ LINUX_TIOCGWINSZ, "TIOCGWINSZ", ARG_winsize_out },
	{ LINUX_TIOCSWINSZ, "TIOCSWINSZ", ARG_winsize_in },
	{ LINUX_FIONREAD, "FIONREAD", ARG_int_out }, { LINUX_FIONBIO, "FIONBIO", ARG_int_in },
	{ 0x5422, "TIOCNOTTY", IOCTL_NOARG }, { 0x5423, "TIOCSETD", ARG_int_in },
	{ 0x5424, "TIOCGETD", ARG_int_out }, { 0x5429, "TIOCGSID", ARG_int_out },
	{ 0x80045430, "TIOCGPTN", ARG_int_out }, { 0x40045431, "TIOCSPTLCK", ARG_int_in },
	{ 0x5441, "TIOCGPTPEER", ARG_hex }, { LINUX_FIONCLEX, "FIONCLEX", IOCTL_NOARG },
	{ LINUX_FIOCLEX, "FIOCLEX", IOCTL_NOARG }, { 0x5452, "FIOASYNC", ARG_int_in },
};

static int find_ioctl(u32 cmd)
{
	for (size_t i = 0; i < ARRAY_SIZE(ioctls); i++)
		if (ioctls[i].cmd == cmd)
			return (int)i;
	return -1;
}

/* A known name, or the request's fields: _IOC(_IOC_READ, 0x54, 0x3, 0x10). */
void print_ioctl_cmd(struct tbuf *b, u32 cmd)
{
	static const char *const dirs[] = {
		"_IOC_NONE", "_IOC_WRITE", "_IOC_READ", "_IOC_READ|_IOC_WRITE",
	};
	int i = find_ioctl(cmd);

	if (i >= 0) {
		tb_puts(b, ioctls[i].name);
		return;
	}
	tb_printf(b, "_IOC(%s, ", dirs[cmd >> 30]);
	tb_hex(b, (cmd >> 8) & 0xff);
	tb_puts(b, ", ");
	tb_hex(b, cmd & 0xff);
	tb_puts(b, ", ");
	tb_hex(b, (cmd >> 16) & 0x3fff);
	tb_putc(b, ')');
}

static void resolve_ioctl(struct task *t, const u64 a[6], struct trace_call *call)
{
	int i = find_ioctl((u32)a[1]);
	u8 kind = i >= 0 ? ioctls[i].kind : ARG_hex;

	(void)t;
	add_reg(call, a, ARG_fd, 0);
	add_reg(call, a, ARG_ioctlcmd, 1);
	if (kind != IOCTL_NOARG)
		add_reg(call, a, kind, 2);
}

static void resolve_arch_prctl(struct task *t, const u64 a[6], struct trace_call *call)
{
	(void)t;
	add_reg(call, a, ARG_archcode, 0);
	switch ((int)a[0]) {
	case LINUX_ARCH_GET_FS: case LINUX_ARCH_GET_GS:
		add_reg(call, a, ARG_hexlong_out, 1);
		return;
	case LINUX_ARCH_GET_CPUID:
		return;
	case LINUX_ARCH_SET_CPUID:
		add_reg(call, a, ARG_int, 1);
		return;
	default:
		add_reg(call, a, ARG_hex, 1);
	}
}

/* futex(uaddr, op, val, timeout or val2, uaddr2, val3): what each op uses. */
enum { FX_VAL = 1, FX_TIMEOUT = 2, FX_VAL2 = 4, FX_UADDR2 = 8, FX_VAL3 = 16 };
static const u8 futex_args[] = {
	[0] = FX_VAL | FX_TIMEOUT,                         /* WAIT */
	[1] = FX_VAL,                                      /* WAKE */
	[2] = FX_VAL,                                      /* FD */
	[3] = FX_VAL | FX_VAL2 | FX_UADDR2,                /* REQUEUE */
	[4] = FX_VAL | FX_VAL2 | FX_UADDR2 | FX_VAL3,      /* CMP_REQUEUE */
	[5] = FX_VAL | FX_VAL2 | FX_UADDR2 | FX_VAL3,      /* WAKE_OP */
	[6] = FX_TIMEOUT,                                  /* LOCK_PI */
	[7] = 0,                                           /* UNLOCK_PI */
	[8] = 0,                                           /* TRYLOCK_PI */
	[9] = FX_VAL | FX_TIMEOUT | FX_VAL3,               /* WAIT_BITSET */
	[10] = FX_VAL | FX_VAL3,                           /* WAKE_BITSET */
	[11] = FX_VAL | FX_TIMEOUT | FX_UADDR2,            /* WAIT_REQUEUE_PI */
	[12] = FX_VAL | FX_VAL2 | FX_UADDR2 | FX_VAL3,     /* CMP_REQUEUE_PI */
	[13] = FX_TIMEOUT,                                 /* LOCK_PI2 */
};

static void resolve_futex(struct task *t, const u64 a[6], struct trace_call *call)
{
	u32 cmd = (u32)a[1] & 127;
	u8 use = cmd < ARRAY_SIZE(futex_args) ? futex_args[cmd] : 0x1f;

	(void)t;
	add_reg(call, a, ARG_ptr, 0);
	add_reg(call, a, ARG_futexop, 1);
	if (use & FX_VAL)
		add_reg(call, a, ARG_uint, 2);
	if (use & FX_TIMEOUT)
		add_reg(call, a, ARG_timespec_in, 3);
	if (use & FX_VAL2)
		add_reg(call, a, ARG_uint, 3);
	if (use & FX_UADDR2)
		add_reg(call, a, ARG_ptr, 4);
	if (use & FX_VAL3)
		add_reg(call, a, cmd == 9 || cmd == 10 ? ARG_futexbitset : ARG_uint, 5);
}

/* clone(child_stack=, flags=, parent_tid=, tls=, child_tidptr=): x86-64 passes
 * flags, stack, parent_tid, child_tid, tls. */
static void resolve_clone(struct task *t, const u64 a[6], struct trace_call *call)
{
	u64 flags = a[0];

	(void)t;
	add_slot(call, ARG_ptr, 1, a[1], "child_stack");
	add_slot(call, ARG_cloneflags, 0, a[0], "flags");
	if (flags & LINUX_CLONE_PARENT_SETTID)
		add_slot(call, ARG_int_out, 2, a[2], "parent_tid");
	if (flags & LINUX_CLONE_SETTLS)
		add_slot(call, ARG_hex, 4, a[4], "tls");
	if (flags & (LINUX_CLONE_CHILD_SETTID | LINUX_CLONE_CHILD_CLEARTID))
		add_slot(call, ARG_ptr, 3, a[3], "child_tidptr");
}

/* struct clone_args (64 bytes in its first version, 88 with cgroup). */
struct linux_clone_args {
	u64 flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	u64 set_tid, set_tid_size, cgroup;
};
#define CLONE_ARGS_SIZE_VER0 64
#define CLONE_INTO_CGROUP 0x200000000ULL

/* Reads clone3's struct of the size in the next argument; false if it cannot. */
static bool read_clone_args(struct targ *c, u64 v, struct linux_clone_args *ca)
{
	u64 size = MIN(c->a[1], (u64)sizeof(*ca));

	memset(ca, 0, sizeof(*ca));
	return c->a[1] >= CLONE_ARGS_SIZE_VER0 && trace_peek(c, ca, v, (size_t)size);
}

static void print_field_hex(struct tbuf *b, const char *name, u64 v)
{
	tb_printf(b, ", %s=", name);
	tb_hex(b, v);
}

/* {flags=..., child_tid=..., parent_tid=..., exit_signal=0, stack=..., stack_size=..., tls=...} */
bool fmt_clone_args(struct targ *c, u64 v)
{
	struct linux_clone_args ca;

	if (!read_clone_args(c, v, &ca)) {
		tb_addr(c->b, v);
		return true;
	}
	tb_puts(c->b, "{flags=");
	print_flags(c->b, &xt_clone_flags, ca.flags);
	if (ca.flags & LINUX_CLONE_PIDFD)
		print_field_hex(c->b, "pidfd", ca.pidfd);
	if (ca.flags & (LINUX_CLONE_CHILD_SETTID | LINUX_CLONE_CHILD_CLEARTID))
		print_field_hex(c->b, "child_tid", ca.child_tid);
	if (ca.flags & LINUX_CLONE_PARENT_SETTID)
		print_field_hex(c->b, "parent_tid", ca.parent_tid);
	tb_puts(c->b, ", exit_signal=");
	if (ca.exit_signal)
		print_signame(c->b, (int)ca.exit_signal);
	else
		tb_putc(c->b, '0');
	print_field_hex(c->b, "stack", ca.stack);
	print_field_hex(c->b, "stack_size", ca.stack_size);
	if (ca.flags & LINUX_CLONE_SETTLS)
		print_field_hex(c->b, "tls", ca.tls);
	if (ca.set_tid_size) {
		print_field_hex(c->b, "set_tid", ca.set_tid);
		tb_printf(c->b, ", set_tid_size=%llu", (unsigned long long)ca.set_tid_size);
	}
	if (ca.flags & CLONE_INTO_CGROUP)
		tb_printf(c->b, ", cgroup=%llu", (unsigned long long)ca.cgroup);
	tb_putc(c->b, '}');
	return true;
}

/* " => {pidfd=[3], parent_tid=[1234]}": what a successful clone3 wrote back. */
bool fmt_clone_args_out(struct targ *c, u64 v)
{
	struct linux_clone_args ca;
	s32 val;
	bool any = false;

	if (targ_failed(c) || !read_clone_args(c, v, &ca) ||
	    !(ca.flags & (LINUX_CLONE_PIDFD | LINUX_CLONE_PARENT_SETTID)))
		return false;
	tb_puts(c->b, " => {");
	if ((ca.flags & LINUX_CLONE_PIDFD) && trace_peek(c, &val, ca.pidfd, sizeof(val))) {
		tb_printf(c->b, "pidfd=[%d]", val);
		any = true;
	}
	if ((ca.flags & LINUX_CLONE_PARENT_SETTID) &&
	    trace_peek(c, &val, ca.parent_tid, sizeof(val)))
		tb_printf(c->b, "%sparent_tid=[%d]", any ? ", " : "", val);
	tb_putc(c->b, '}');
	return true;
}

/* clone3({...} => {parent_tid=[1234]}, 88) */
static void resolve_clone3(struct task *t, const u64 a[6], struct trace_call *call)
{
	(void)t;
	add_reg(call, a, ARG_clone_args, 0);
	add_reg(call, a, ARG_clone_args_out, 0);
	call->glued |= 1u << 1;
	add_reg(call, a, ARG_size, 1);
}

#define PR_SET_PDEATHSIG 1
#define PR_GET_PDEATHSIG 2
#define PR_GET_DUMPABLE 3
#define PR_SET_NAME 15
#define PR_GET_NAME 16

static void resolve_prctl(struct task *t, const u64 a[6], struct trace_call *call)
{
	(void)t;
	add_reg(call, a, ARG_prctlop, 0);
	switch ((int)a[0]) {
	case PR_SET_NAME:
		add_reg(call, a, ARG_str, 1);
		return;
	case PR_GET_NAME:
		add_reg(call, a, ARG_str_out, 1);
		return;
	case PR_SET_PDEATHSIG:
		add_reg(call, a, ARG_signo, 1);
		return;
	case PR_GET_PDEATHSIG:
		add_reg(call, a, ARG_int_out, 1);
		return;
	case PR_GET_DUMPABLE:
		return;
	default:
		for (u8 i = 1; i < 5; i++)
			add_reg(call, a, ARG_hex, i);
	}
}

/* rt_sigreturn({mask=[...]}): the mask of the frame it returns through. */
static void resolve_rt_sigreturn(struct task *t, const u64 a[6], struct trace_call *call)
{
	(void)a;
	add_slot(call, ARG_sigframe, TRACE_NO_REG, task_user_sp(t), NULL);
}

static const struct {
	const char *name;
	void (*resolve)(struct task *t, const u64 a[6], struct trace_call *call);
} special[] = {
	{ "fcntl", resolve_fcntl }, { "ioctl", resolve_ioctl },
	{ "arch_prctl", resolve_arch_prctl }, { "futex", resolve_futex },
	{ "clone", resolve_clone }, { "clone3", resolve_clone3 }, { "prctl", resolve_prctl },
	{ "rt_sigreturn", resolve_rt_sigreturn },
};

void trace_resolve_call(struct task *t, u64 nr, const u64 a[6], struct trace_call *call)
{
	const struct syscall_desc *d = syscall_desc_of(nr);

	memset(call, 0, sizeof(*call));
	if (!d) {
		resolve_unknown(a, call);
		return;
	}
	for (size_t i = 0; i < ARRAY_SIZE(special); i++) {
		if (!strcmp(d->name, special[i].name)) {
			call->ret_kind = d->ret_kind;
			special[i].resolve(t, a, call);
			return;
		}
	}
	resolve_default(d, a, call);
}
