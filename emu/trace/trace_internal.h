/*
 * Shared inside emu/trace: the line buffer, the argument-formatting context,
 * and the formatters each file provides to the others.
 */
#ifndef LXEMU_TRACE_INTERNAL_H
#define LXEMU_TRACE_INTERNAL_H

#include <stddef.h>
#include "../types.h"
#include "trace.h"
#include "syscall_desc.h"

/* strace's default -s: strings and arrays longer than this end in "...". */
#define TRACE_STRSIZE 32

/* A bounded string builder; output past cap is dropped and remembered. */
struct tbuf {
	char *p;
	size_t len, cap;
	bool overflow;
};

void tb_init(struct tbuf *b, char *mem, size_t cap);
void tb_putc(struct tbuf *b, char c);
void tb_puts(struct tbuf *b, const char *s);
void tb_write(struct tbuf *b, const char *s, size_t n);
void tb_printf(struct tbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Numbers as strace prints them. */
void tb_addr(struct tbuf *b, u64 v);    /* NULL or 0x7ffd1234 */
void tb_hex(struct tbuf *b, u64 v);     /* 0 or 0x1f */
void tb_octal(struct tbuf *b, u64 v);   /* 000, 0644, 04755 */
void tb_id(struct tbuf *b, u32 v);      /* uid/gid: 0, 1000, -1 */

/* tb_quote styles. */
#define QUOTE_HEX 1u      /* every byte as \xNN (getrandom) */
#define QUOTE_NUL_TERM 2u /* stop at the first NUL */
/* "..." with strace's escapes for n bytes of s. */
void tb_quote(struct tbuf *b, const u8 *s, size_t n, unsigned style);
/* "ENOENT (No such file or directory)" or ERRNO_600 (Unknown error 600). */
void tb_errno(struct tbuf *b, int err);
/* The name of errno err, or NULL. */
const char *trace_errno_name(int err);
/* True for the kernel-internal restart codes (printed as "= ? ERESTARTSYS"). */
bool trace_is_restart(int err);

/* What a formatter sees: the call, its raw arguments and, at exit, its result. */
struct targ {
	struct task *t;
	struct tbuf *b;
	const struct trace_call *call;
	const struct syscall_desc *desc; /* the table row, or NULL */
	const u64 *a;  /* the six raw argument registers */
	int slot;      /* the slot being printed */
	bool exiting;
	long ret;      /* valid when exiting */
};

/* True when the call failed (ret is -4095..-1). */
static inline bool targ_failed(const struct targ *c)
{
	return c->ret < 0 && c->ret >= -4095;
}
/* The raw register after the current slot's (for lengths and counts). */
u64 targ_next_reg(const struct targ *c);
/* The raw register before the current slot's. */
u64 targ_prev_reg(const struct targ *c);
/* The raw register of the argument named name, or 0. */
u64 targ_reg_named(const struct targ *c, const char *name);

/*
 * A formatter prints one argument value; it returns false to leave the
 * argument out of the line altogether (open's mode without O_CREAT).
 */
typedef bool (*trace_fmt_fn)(struct targ *c, u64 v);

struct trace_kind_info {
	trace_fmt_fn fmt;
	bool out;      /* printed when the call returns */
	bool on_error; /* an out kind still decoded when the call failed */
};
/* Indexed by enum syscall_arg_kind. */
extern const struct trace_kind_info trace_kinds[ARG_NR_KINDS];

/* Guest memory: each prints the address instead when it cannot be read. */
bool trace_read(struct targ *c, void *dst, u64 uaddr, size_t n);
/* Reads guest memory, printing nothing; false if unreadable or NULL. */
bool trace_peek(struct targ *c, void *dst, u64 uaddr, size_t n);
void trace_print_buf(struct targ *c, u64 uaddr, u64 len, unsigned style);
void trace_print_str(struct targ *c, u64 uaddr);
void trace_print_path(struct targ *c, u64 uaddr);

/* Flag tables (trace_flags.c). */
struct xlat {
	u64 val;
	const char *name;
};
struct xlat_table {
	const struct xlat *e;
	unsigned n;
	const char *unknown; /* the comment for an unknown value: "PROT_???" */
};
#define XLAT_TABLE(arr, unknown) { arr, ARRAY_SIZE(arr), unknown }

/* Names of set flags joined by |; strace's printflags. */
void print_flags(struct tbuf *b, const struct xlat_table *t, u64 v);
/* As print_flags, but 0 prints nothing and unknown bits get no comment. */
void print_flags_bare(struct tbuf *b, const struct xlat_table *t, u64 v);
/* The name of one value; strace's printxval. */
void print_xval(struct tbuf *b, const struct xlat_table *t, u64 v);
/* The name of v in t, or NULL. */
const char *xlat_name(const struct xlat_table *t, u64 v);

void print_open_flags(struct tbuf *b, u64 v);
void print_mode_symbolic(struct tbuf *b, u32 mode); /* S_IFREG|S_ISUID|0755 */

extern const struct xlat_table xt_open_flags, xt_fd_flags, xt_at_flags, xt_access_flags;
extern const struct xlat_table xt_statx_mask, xt_statx_attrs, xt_amode, xt_prot;
extern const struct xlat_table xt_mremap_flags, xt_msync_flags, xt_madvise;
extern const struct xlat_table xt_clone_flags, xt_whence, xt_clocks, xt_sighow;
extern const struct xlat_table xt_itimer_which, xt_idtypes, xt_rlimits, xt_rename_flags;
extern const struct xlat_table xt_grnd_flags, xt_wait_opts, xt_timer_flags;
extern const struct xlat_table xt_sfd_flags, xt_efd_flags, xt_splice_flags;
extern const struct xlat_table xt_epoll_events, xt_epoll_flags, xt_epoll_ops;
extern const struct xlat_table xt_fcntl_cmds, xt_arch_codes, xt_prctl_ops, xt_poll_events;
void print_mmap_flags(struct tbuf *b, u64 v);
void print_statx_flags(struct tbuf *b, u32 v);

/* Signals (trace_signals.c). */
void print_signame(struct tbuf *b, int sig);  /* SIGTERM, SIGRT_3, 65 */
void print_sigset(struct tbuf *b, u64 set);    /* [INT TERM], ~[RTMIN] */
bool fmt_sigset(struct targ *c, u64 v);
bool fmt_sigaction(struct targ *c, u64 v);
bool fmt_stack(struct targ *c, u64 v);
bool fmt_sigreturn_frame(struct targ *c, u64 v);
/* "{si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10}" */
void print_siginfo(struct tbuf *b, const struct trace_siginfo *si);
struct linux_siginfo;
void print_linux_siginfo(struct tbuf *b, const struct linux_siginfo *si);
bool fmt_siginfo(struct targ *c, u64 v);

/* Structs (trace_structs.c, trace_io.c). */
bool fmt_stat(struct targ *c, u64 v);
bool fmt_statx(struct targ *c, u64 v);
bool fmt_timespec(struct targ *c, u64 v);
bool fmt_timespec_rem(struct targ *c, u64 v);
bool fmt_timeval(struct targ *c, u64 v);
bool fmt_timezone(struct targ *c, u64 v);
bool fmt_itimerval(struct targ *c, u64 v);
bool fmt_itimerspec(struct targ *c, u64 v);
bool fmt_sigevent(struct targ *c, u64 v);
bool fmt_utsname(struct targ *c, u64 v);
bool fmt_rlimit(struct targ *c, u64 v);
bool fmt_sysinfo(struct targ *c, u64 v);
bool fmt_time_out(struct targ *c, u64 v);
bool fmt_wstatus(struct targ *c, u64 v);
bool fmt_rusage(struct targ *c, u64 v);
void print_date(struct tbuf *b, s64 secs); /* 2023-11-14T22:13:20+0000 */

bool fmt_iovec(struct targ *c, u64 v);
bool fmt_cpuset(struct targ *c, u64 v);
bool fmt_dirents(struct targ *c, u64 v);
bool fmt_pollfd(struct targ *c, u64 v);
bool fmt_epoll_event(struct targ *c, u64 v);
bool fmt_epoll_events(struct targ *c, u64 v);
bool fmt_fdset(struct targ *c, u64 v);
bool fmt_termios(struct targ *c, u64 v);
bool fmt_winsize(struct targ *c, u64 v);
/* poll's result: " ([{fd=3, revents=POLLIN}])" or " (Timeout)". */
void print_poll_result(struct targ *c);

/* Sockets (trace_net.c). */
bool fmt_sockfamily(struct targ *c, u64 v);
bool fmt_socktype(struct targ *c, u64 v);
bool fmt_sockproto(struct targ *c, u64 v);
bool fmt_shuthow(struct targ *c, u64 v);
bool fmt_sockoptlevel(struct targ *c, u64 v);
bool fmt_sockoptname(struct targ *c, u64 v);
bool fmt_msgflags(struct targ *c, u64 v);
bool fmt_fadvice(struct targ *c, u64 v);
bool fmt_sockaddr(struct targ *c, u64 v);
bool fmt_msghdr(struct targ *c, u64 v);

/* Per-call argument lists (trace_special.c). */
/* Fills call for syscall nr from its table row and any special decoder. */
void trace_resolve_call(struct task *t, u64 nr, const u64 a[6], struct trace_call *call);
void print_ioctl_cmd(struct tbuf *b, u32 cmd);
bool fmt_clone_args(struct targ *c, u64 v);
bool fmt_clone_args_out(struct targ *c, u64 v);

/* The generic argument engine (trace_args.c). */
/* Prints the name, "(" and the slots printable at entry; returns entry_complete. */
bool trace_format_entry(struct task *t, u64 nr, const u64 a[6], struct trace_task_state *s,
			struct tbuf *b);
/* Prints the slots left for the exit (without the closing parenthesis). */
void trace_format_exit(struct task *t, const u64 a[6], long ret, struct trace_task_state *s,
		       struct tbuf *b);
/* Prints the result after "= ". */
void trace_format_ret(struct task *t, const u64 a[6], long ret, const struct trace_call *call,
		      struct tbuf *b);
/* "read" or "syscall_0x1b9". */
void print_syscall_name(struct tbuf *b, u64 nr);

#endif
