/*
 * One formatter per argument kind of abi/syscalls.tbl, and the table that
 * says which kinds are printed when a call returns.  Structures, signals
 * and sockets have their formatters in their own files.
 */
#include <string.h>
#include "trace_internal.h"
#include "../../abi/linux/fcntl.h"

/* Plain numbers. */
static bool fmt_int(struct targ *c, u64 v) { tb_printf(c->b, "%d", (int)v); return true; }
static bool fmt_uint(struct targ *c, u64 v) { tb_printf(c->b, "%u", (u32)v); return true; }
static bool fmt_long(struct targ *c, u64 v) { tb_printf(c->b, "%lld", (long long)v); return true; }
static bool fmt_ulong(struct targ *c, u64 v)
{
	tb_printf(c->b, "%llu", (unsigned long long)v);
	return true;
}
static bool fmt_hex(struct targ *c, u64 v) { tb_hex(c->b, v); return true; }
static bool fmt_xint(struct targ *c, u64 v) { tb_hex(c->b, (u32)v); return true; }
static bool fmt_ptr(struct targ *c, u64 v) { tb_addr(c->b, v); return true; }
static bool fmt_mode(struct targ *c, u64 v) { tb_octal(c->b, (u32)v); return true; }
static bool fmt_id(struct targ *c, u64 v) { tb_id(c->b, (u32)v); return true; }

static bool fmt_dirfd(struct targ *c, u64 v)
{
	if ((int)v == LINUX_AT_FDCWD)
		tb_puts(c->b, "AT_FDCWD");
	else
		tb_printf(c->b, "%d", (int)v);
	return true;
}

/* __O_TMPFILE: O_TMPFILE without its O_DIRECTORY bit. */
#define TMPFILE_BIT 020000000

/* open's mode means something only with O_CREAT or O_TMPFILE. */
static bool fmt_omode(struct targ *c, u64 v)
{
	u64 flags = targ_prev_reg(c);

	if (!(flags & (LINUX_O_CREAT | TMPFILE_BIT)))
		return false;
	tb_octal(c->b, (u32)v);
	return true;
}

static bool fmt_fmode(struct targ *c, u64 v) { print_mode_symbolic(c->b, (u32)v); return true; }

static bool fmt_dev(struct targ *c, u64 v)
{
	u32 dev = (u32)v;

	tb_puts(c->b, "makedev(");
	tb_hex(c->b, ((dev >> 8) & 0xfff));
	tb_puts(c->b, ", ");
	tb_hex(c->b, (dev & 0xff) | ((dev >> 12) & 0xfff00));
	tb_putc(c->b, ')');
	return true;
}

static bool fmt_signo(struct targ *c, u64 v) { print_signame(c->b, (int)v); return true; }

/* Names of single values; ints are looked up as their 32-bit pattern. */
#define XVAL_FMT(fn, table) \
	static bool fn(struct targ *c, u64 v) { print_xval(c->b, &table, (u32)v); return true; }
XVAL_FMT(fmt_clockid, xt_clocks)
XVAL_FMT(fmt_whence, xt_whence)
XVAL_FMT(fmt_sighow, xt_sighow)
XVAL_FMT(fmt_itimerwhich, xt_itimer_which)
XVAL_FMT(fmt_idtype, xt_idtypes)
XVAL_FMT(fmt_rlimres, xt_rlimits)
XVAL_FMT(fmt_madvice, xt_madvise)
XVAL_FMT(fmt_fcntlcmd, xt_fcntl_cmds)
XVAL_FMT(fmt_archcode, xt_arch_codes)
XVAL_FMT(fmt_prctlop, xt_prctl_ops)
XVAL_FMT(fmt_epollop, xt_epoll_ops)

#define FLAGS_FMT(fn, table, type) \
	static bool fn(struct targ *c, u64 v) { print_flags(c->b, &table, (type)v); return true; }
FLAGS_FMT(fmt_oflags_noacc, xt_open_flags, u32)
FLAGS_FMT(fmt_atflags, xt_at_flags, u32)
FLAGS_FMT(fmt_accessflags, xt_access_flags, u32)
FLAGS_FMT(fmt_statxmask, xt_statx_mask, u32)
FLAGS_FMT(fmt_amode, xt_amode, u32)
FLAGS_FMT(fmt_prot, xt_prot, u64)
FLAGS_FMT(fmt_mremapflags, xt_mremap_flags, u64)
FLAGS_FMT(fmt_msflags, xt_msync_flags, u32)
FLAGS_FMT(fmt_renameflags, xt_rename_flags, u32)
FLAGS_FMT(fmt_grndflags, xt_grnd_flags, u32)
FLAGS_FMT(fmt_waitopts, xt_wait_opts, u32)
FLAGS_FMT(fmt_timerflags, xt_timer_flags, u32)
FLAGS_FMT(fmt_fdflags, xt_fd_flags, u64)
FLAGS_FMT(fmt_sfdflags, xt_sfd_flags, u32)
FLAGS_FMT(fmt_efdflags, xt_efd_flags, u32)
FLAGS_FMT(fmt_spliceflags, xt_splice_flags, u32)
FLAGS_FMT(fmt_epollflags, xt_epoll_flags, u32)

static bool fmt_oflags(struct targ *c, u64 v) { print_open_flags(c->b, (u32)v); return true; }
static bool fmt_statxflags(struct targ *c, u64 v) { print_statx_flags(c->b, (u32)v); return true; }
static bool fmt_mmapflags(struct targ *c, u64 v) { print_mmap_flags(c->b, v); return true; }

/* CLONE_VM|...|SIGCHLD: the flags, then the exit signal in the low byte. */
static bool fmt_cloneflags(struct targ *c, u64 v)
{
	u64 flags = v & ~0xffULL;
	int sig = (int)(v & 0xff);

	if (flags || !sig)
		print_flags(c->b, &xt_clone_flags, flags);
	if (sig) {
		if (flags)
			tb_putc(c->b, '|');
		print_signame(c->b, sig);
	}
	return true;
}

/* FUTEX_WAIT_PRIVATE|FUTEX_CLOCK_REALTIME */
static bool fmt_futexop(struct targ *c, u64 v)
{
	static const char *const ops[] = {
		"FUTEX_WAIT", "FUTEX_WAKE", "FUTEX_FD", "FUTEX_REQUEUE", "FUTEX_CMP_REQUEUE",
		"FUTEX_WAKE_OP", "FUTEX_LOCK_PI", "FUTEX_UNLOCK_PI", "FUTEX_TRYLOCK_PI",
		"FUTEX_WAIT_BITSET", "FUTEX_WAKE_BITSET", "FUTEX_WAIT_REQUEUE_PI",
		"FUTEX_CMP_REQUEUE_PI", "FUTEX_LOCK_PI2",
	};
	u32 op = (u32)v, cmd = op & 127;

	if (cmd < ARRAY_SIZE(ops))
		tb_printf(c->b, "%s%s", ops[cmd], (op & 128) ? "_PRIVATE" : "");
	else
		tb_hex(c->b, op & ~256u);
	if (op & 256)
		tb_puts(c->b, "|FUTEX_CLOCK_REALTIME");
	return true;
}

/* val3 of the bitset futex operations. */
static bool fmt_futexbitset(struct targ *c, u64 v)
{
	if ((u32)v == 0xffffffffu)
		tb_puts(c->b, "FUTEX_BITSET_MATCH_ANY");
	else
		tb_hex(c->b, (u32)v);
	return true;
}

static bool fmt_ioctlcmd(struct targ *c, u64 v) { print_ioctl_cmd(c->b, (u32)v); return true; }

/* Guest strings and buffers. */
static bool fmt_path(struct targ *c, u64 v) { trace_print_path(c, v); return true; }
static bool fmt_str(struct targ *c, u64 v) { trace_print_str(c, v); return true; }

static bool fmt_buf_in(struct targ *c, u64 v)
{
	trace_print_buf(c, v, targ_next_reg(c), 0);
	return true;
}

static bool fmt_buf_out(struct targ *c, u64 v)
{
	bool hex = c->call->kind[c->slot] == ARG_buf_out_hex;

	trace_print_buf(c, v, (u64)c->ret, hex ? QUOTE_HEX : 0);
	return true;
}

static bool fmt_str_out(struct targ *c, u64 v)
{
	trace_print_path(c, v);
	return true;
}

/* ["ls", "-l"]: at most TRACE_STRSIZE strings. */
static bool fmt_strarray(struct targ *c, u64 v)
{
	u64 p;

	if (!v || !trace_peek(c, &p, v, sizeof(p))) {
		tb_addr(c->b, v);
		return true;
	}
	tb_putc(c->b, '[');
	for (unsigned i = 0; trace_peek(c, &p, v + 8 * i, sizeof(p)) && p; i++) {
		if (i)
			tb_puts(c->b, ", ");
		if (i >= TRACE_STRSIZE) {
			tb_puts(c->b, "...");
			break;
		}
		trace_print_str(c, p);
	}
	tb_putc(c->b, ']');
	return true;
}

/* The address, and the number of variables in a comment. */
#define MAX_ENVP_COUNT 1000000
static bool fmt_envp(struct targ *c, u64 v)
{
	unsigned n = 0;
	u64 p;

	tb_addr(c->b, v);
	if (!v)
		return true;
	while (n < MAX_ENVP_COUNT && trace_peek(c, &p, v + 8 * n, sizeof(p)) && p)
		n++;
	tb_printf(c->b, " /* %u var%s */", n, n == 1 ? "" : "s");
	return true;
}

/* [N] for a pointer to an int or an id. */
static bool fmt_int_ref(struct targ *c, u64 v)
{
	s32 i;

	if (!trace_read(c, &i, v, sizeof(i)))
		return true;
	tb_putc(c->b, '[');
	if (c->call->kind[c->slot] == ARG_id_out)
		tb_id(c->b, (u32)i);
	else
		tb_printf(c->b, "%d", i);
	tb_putc(c->b, ']');
	return true;
}

static bool fmt_loff(struct targ *c, u64 v)
{
	s64 off;

	if (trace_read(c, &off, v, sizeof(off)))
		tb_printf(c->b, "[%lld]", (long long)off);
	return true;
}

static bool fmt_hexlong_out(struct targ *c, u64 v)
{
	u64 x;

	if (trace_read(c, &x, v, sizeof(x))) {
		tb_putc(c->b, '[');
		tb_hex(c->b, x);
		tb_putc(c->b, ']');
	}
	return true;
}

static bool fmt_fdpair(struct targ *c, u64 v)
{
	s32 fds[2];

	if (trace_read(c, fds, v, sizeof(fds)))
		tb_printf(c->b, "[%d, %d]", fds[0], fds[1]);
	return true;
}

static bool fmt_hidden(struct targ *c, u64 v) { (void)c; (void)v; return false; }

#define IN(fn) { fn, false, false }
#define OUT(fn) { fn, true, false }
#define OUT_ANYWAY(fn) { fn, true, true }

const struct trace_kind_info trace_kinds[ARG_NR_KINDS] = {
	[ARG_int] = IN(fmt_int), [ARG_uint] = IN(fmt_uint), [ARG_long] = IN(fmt_long),
	[ARG_ulong] = IN(fmt_ulong), [ARG_hex] = IN(fmt_hex), [ARG_xint] = IN(fmt_xint),
	[ARG_size] = IN(fmt_ulong), [ARG_off] = IN(fmt_long), [ARG_xoff] = IN(fmt_hex),
	[ARG_hidden] = IN(fmt_hidden), [ARG_fd] = IN(fmt_int), [ARG_dirfd] = IN(fmt_dirfd),
	[ARG_pid] = IN(fmt_int), [ARG_uid] = IN(fmt_id), [ARG_gid] = IN(fmt_id),
	[ARG_mode] = IN(fmt_mode), [ARG_omode] = IN(fmt_omode), [ARG_fmode] = IN(fmt_fmode),
	[ARG_dev] = IN(fmt_dev), [ARG_signo] = IN(fmt_signo), [ARG_clockid] = IN(fmt_clockid),
	[ARG_whence] = IN(fmt_whence), [ARG_sighow] = IN(fmt_sighow),
	[ARG_itimerwhich] = IN(fmt_itimerwhich), [ARG_idtype] = IN(fmt_idtype), [ARG_rlimres] = IN(fmt_rlimres),
	[ARG_oflags] = IN(fmt_oflags), [ARG_oflags_noacc] = IN(fmt_oflags_noacc),
	[ARG_atflags] = IN(fmt_atflags), [ARG_accessflags] = IN(fmt_accessflags),
	[ARG_statxflags] = IN(fmt_statxflags), [ARG_statxmask] = IN(fmt_statxmask),
	[ARG_amode] = IN(fmt_amode), [ARG_prot] = IN(fmt_prot),
	[ARG_mmapflags] = IN(fmt_mmapflags), [ARG_mremapflags] = IN(fmt_mremapflags),
	[ARG_msflags] = IN(fmt_msflags), [ARG_madvice] = IN(fmt_madvice),
	[ARG_cloneflags] = IN(fmt_cloneflags), [ARG_futexop] = IN(fmt_futexop),
	[ARG_fcntlcmd] = IN(fmt_fcntlcmd), [ARG_ioctlcmd] = IN(fmt_ioctlcmd),
	[ARG_archcode] = IN(fmt_archcode), [ARG_renameflags] = IN(fmt_renameflags),
	[ARG_grndflags] = IN(fmt_grndflags), [ARG_waitopts] = IN(fmt_waitopts),
	[ARG_timerflags] = IN(fmt_timerflags), [ARG_fdflags] = IN(fmt_fdflags),
	[ARG_prctlop] = IN(fmt_prctlop), [ARG_sockfamily] = IN(fmt_sockfamily),
	[ARG_socktype] = IN(fmt_socktype), [ARG_sockproto] = IN(fmt_sockproto),
	[ARG_shuthow] = IN(fmt_shuthow), [ARG_sockoptlevel] = IN(fmt_sockoptlevel),
	[ARG_sockoptname] = IN(fmt_sockoptname),
	[ARG_msgflags] = IN(fmt_msgflags), [ARG_fadvice] = IN(fmt_fadvice),
	[ARG_futexbitset] = IN(fmt_futexbitset), [ARG_clone_args] = IN(fmt_clone_args),
	[ARG_sfdflags] = IN(fmt_sfdflags), [ARG_efdflags] = IN(fmt_efdflags), [ARG_spliceflags] = IN(fmt_spliceflags),
	[ARG_epollflags] = IN(fmt_epollflags), [ARG_epollop] = IN(fmt_epollop),
	[ARG_epoll_event_in] = IN(fmt_epoll_event), [ARG_epoll_events_out] = OUT(fmt_epoll_events),
	[ARG_ptr] = IN(fmt_ptr), [ARG_path] = IN(fmt_path), [ARG_str] = IN(fmt_str),
	[ARG_strarray] = IN(fmt_strarray), [ARG_envp] = IN(fmt_envp),
	[ARG_buf_in] = IN(fmt_buf_in), [ARG_timespec_in] = IN(fmt_timespec),
	[ARG_timeval_in] = IN(fmt_timeval), [ARG_itimerval_in] = IN(fmt_itimerval),
	[ARG_itimerspec_in] = IN(fmt_itimerspec), [ARG_sigevent_in] = IN(fmt_sigevent),
	[ARG_sigset_in] = IN(fmt_sigset), [ARG_sigaction_in] = IN(fmt_sigaction),
	[ARG_stack_in] = IN(fmt_stack), [ARG_iovec_in] = IN(fmt_iovec),
	[ARG_rlimit_in] = IN(fmt_rlimit), [ARG_cpuset_in] = IN(fmt_cpuset),
	[ARG_int_in] = IN(fmt_int_ref), [ARG_loff_in] = IN(fmt_loff),
	[ARG_pollfd_in] = IN(fmt_pollfd), [ARG_fdset_in] = IN(fmt_fdset),
	[ARG_termios_in] = IN(fmt_termios), [ARG_winsize_in] = IN(fmt_winsize),
	[ARG_sigframe] = IN(fmt_sigreturn_frame), [ARG_sockaddr_in] = IN(fmt_sockaddr),
	[ARG_buf_out] = OUT(fmt_buf_out), [ARG_buf_out_hex] = OUT(fmt_buf_out),
	[ARG_str_out] = OUT(fmt_str_out), [ARG_stat_out] = OUT(fmt_stat),
	[ARG_statx_out] = OUT(fmt_statx), [ARG_timespec_out] = OUT(fmt_timespec),
	[ARG_timespec_rem] = OUT_ANYWAY(fmt_timespec_rem), [ARG_timeval_out] = OUT(fmt_timeval),
	[ARG_timezone_out] = OUT(fmt_timezone), [ARG_itimerval_out] = OUT(fmt_itimerval),
	[ARG_itimerspec_out] = OUT(fmt_itimerspec),
	[ARG_sigset_out] = OUT(fmt_sigset), [ARG_sigaction_out] = OUT(fmt_sigaction),
	[ARG_stack_out] = OUT(fmt_stack), [ARG_iovec_out] = OUT_ANYWAY(fmt_iovec),
	[ARG_utsname_out] = OUT(fmt_utsname), [ARG_rlimit_out] = OUT(fmt_rlimit),
	[ARG_sysinfo_out] = OUT(fmt_sysinfo), [ARG_time_out] = OUT(fmt_time_out),
	[ARG_cpuset_out] = OUT(fmt_cpuset), [ARG_int_out] = OUT(fmt_int_ref),
	[ARG_id_out] = OUT(fmt_int_ref), [ARG_hexlong_out] = OUT(fmt_hexlong_out),
	[ARG_fdpair_out] = OUT(fmt_fdpair), [ARG_dirents_out] = OUT(fmt_dirents),
	[ARG_wstatus_out] = OUT(fmt_wstatus), [ARG_rusage_out] = OUT(fmt_rusage),
	[ARG_termios_out] = OUT(fmt_termios), [ARG_winsize_out] = OUT(fmt_winsize),
	[ARG_clone_args_out] = OUT_ANYWAY(fmt_clone_args_out),
	[ARG_siginfo_in] = IN(fmt_siginfo), [ARG_siginfo_out] = OUT(fmt_siginfo),
	[ARG_msghdr_in] = IN(fmt_msghdr), [ARG_msghdr_out] = OUT(fmt_msghdr),
};
