/*
 * Structures the kernel fills or reads, abbreviated the way strace prints
 * them by default: stat, statx, times, utsname, rlimit, sysinfo, wait
 * status and rusage.
 */
#include <string.h>
#include <time.h>
#include "trace_internal.h"
#include "../../abi/linux/stat.h"
#include "../../abi/linux/time.h"
#include "../../abi/linux/misc.h"
#include "../../abi/linux/signal.h"
#include "../../abi/linux/errno.h"

static void print_makedev(struct tbuf *b, u64 dev)
{
	tb_puts(b, "makedev(");
	tb_hex(b, linux_major(dev));
	tb_puts(b, ", ");
	tb_hex(b, linux_minor(dev));
	tb_putc(b, ')');
}

static bool is_device(u32 mode)
{
	return (mode & LINUX_S_IFMT) == LINUX_S_IFCHR || (mode & LINUX_S_IFMT) == LINUX_S_IFBLK;
}

/* {st_mode=S_IFREG|0644, st_size=123, ...}; devices show st_rdev instead. */
bool fmt_stat(struct targ *c, u64 v)
{
	struct linux_stat st;

	if (!trace_read(c, &st, v, sizeof(st)))
		return true;
	tb_puts(c->b, "{st_mode=");
	print_mode_symbolic(c->b, st.st_mode);
	if (is_device(st.st_mode)) {
		tb_puts(c->b, ", st_rdev=");
		print_makedev(c->b, st.st_rdev);
	} else {
		tb_printf(c->b, ", st_size=%lld", (long long)st.st_size);
	}
	tb_puts(c->b, ", ...}");
	return true;
}

/* {stx_mask=..., stx_attributes=..., stx_mode=S_IFREG|0644, stx_size=123, ...} */
bool fmt_statx(struct targ *c, u64 v)
{
	struct linux_statx stx;

	if (!trace_read(c, &stx, v, sizeof(stx)))
		return true;
	tb_puts(c->b, "{stx_mask=");
	print_flags(c->b, &xt_statx_mask, stx.stx_mask);
	tb_puts(c->b, ", stx_attributes=");
	print_flags(c->b, &xt_statx_attrs, stx.stx_attributes);
	tb_puts(c->b, ", stx_mode=");
	print_mode_symbolic(c->b, stx.stx_mode);
	tb_printf(c->b, ", stx_size=%llu, ...}", (unsigned long long)stx.stx_size);
	return true;
}

/* strace prints the fraction unsigned: tv_nsec=18446744073709551615 for -1. */
static void print_timespec(struct tbuf *b, const struct linux_timespec *ts)
{
	tb_printf(b, "{tv_sec=%lld, tv_nsec=%llu}", (long long)ts->tv_sec,
		  (unsigned long long)ts->tv_nsec);
}

static void print_timeval(struct tbuf *b, const struct linux_timeval *tv)
{
	tb_printf(b, "{tv_sec=%lld, tv_usec=%llu}", (long long)tv->tv_sec,
		  (unsigned long long)tv->tv_usec);
}

bool fmt_timespec(struct targ *c, u64 v)
{
	struct linux_timespec ts;

	if (trace_read(c, &ts, v, sizeof(ts)))
		print_timespec(c->b, &ts);
	return true;
}

/* nanosleep's remainder is written only when a signal ends the sleep. */
bool fmt_timespec_rem(struct targ *c, u64 v)
{
	int err = targ_failed(c) ? (int)-c->ret : 0;

	if (err == LINUX_EINTR || trace_is_restart(err))
		return fmt_timespec(c, v);
	tb_addr(c->b, v);
	return true;
}

bool fmt_timeval(struct targ *c, u64 v)
{
	struct linux_timeval tv;

	if (trace_read(c, &tv, v, sizeof(tv)))
		print_timeval(c->b, &tv);
	return true;
}

bool fmt_timezone(struct targ *c, u64 v)
{
	struct linux_timezone tz;

	if (trace_read(c, &tz, v, sizeof(tz)))
		tb_printf(c->b, "{tz_minuteswest=%d, tz_dsttime=%d}", tz.tz_minuteswest,
			  tz.tz_dsttime);
	return true;
}

bool fmt_itimerval(struct targ *c, u64 v)
{
	struct linux_timeval it[2]; /* it_interval, it_value */

	if (!trace_read(c, it, v, sizeof(it)))
		return true;
	tb_puts(c->b, "{it_interval=");
	print_timeval(c->b, &it[0]);
	tb_puts(c->b, ", it_value=");
	print_timeval(c->b, &it[1]);
	tb_putc(c->b, '}');
	return true;
}

bool fmt_itimerspec(struct targ *c, u64 v)
{
	struct linux_timespec it[2]; /* it_interval, it_value */

	if (!trace_read(c, it, v, sizeof(it)))
		return true;
	tb_puts(c->b, "{it_interval=");
	print_timespec(c->b, &it[0]);
	tb_puts(c->b, ", it_value=");
	print_timespec(c->b, &it[1]);
	tb_putc(c->b, '}');
	return true;
}

static const struct xlat sigev_notify[] = {
	{ LINUX_SIGEV_SIGNAL, "SIGEV_SIGNAL" }, { LINUX_SIGEV_NONE, "SIGEV_NONE" },
	{ LINUX_SIGEV_THREAD, "SIGEV_THREAD" }, { LINUX_SIGEV_THREAD_ID, "SIGEV_THREAD_ID" },
};
static const struct xlat_table xt_sigev_notify = XLAT_TABLE(sigev_notify, "SIGEV_???");

/* As strace: sigev_value only when set, the signal by name only for the kinds that send one. */
bool fmt_sigevent(struct targ *c, u64 v)
{
	struct linux_sigevent ev;
	int n;

	if (!trace_read(c, &ev, v, sizeof(ev)))
		return true;
	n = ev.sigev_notify;
	tb_putc(c->b, '{');
	if (ev.sigev_value.sival_ptr) {
		tb_printf(c->b, "sigev_value={sival_int=%d, sival_ptr=", ev.sigev_value.sival_int);
		tb_addr(c->b, ev.sigev_value.sival_ptr);
		tb_puts(c->b, "}, ");
	}
	tb_puts(c->b, "sigev_signo=");
	if (n == LINUX_SIGEV_SIGNAL || n == LINUX_SIGEV_THREAD || n == LINUX_SIGEV_THREAD_ID)
		print_signame(c->b, ev.sigev_signo);
	else
		tb_printf(c->b, "%u", (unsigned)ev.sigev_signo);
	tb_puts(c->b, ", sigev_notify=");
	print_xval(c->b, &xt_sigev_notify, (u32)n);
	if (n == LINUX_SIGEV_THREAD_ID)
		tb_printf(c->b, ", sigev_notify_thread_id=%d", ev.tid);
	tb_putc(c->b, '}');
	return true;
}

static void print_utsfield(struct tbuf *b, const char *name, const char *val)
{
	size_t n = strnlen(val, 65);

	tb_printf(b, "%s=", name);
	tb_quote(b, (const u8 *)val, MIN(n, (size_t)TRACE_STRSIZE), 0);
	if (n > TRACE_STRSIZE)
		tb_puts(b, "...");
}

bool fmt_utsname(struct targ *c, u64 v)
{
	struct linux_utsname u;

	if (!trace_read(c, &u, v, sizeof(u)))
		return true;
	tb_putc(c->b, '{');
	print_utsfield(c->b, "sysname", u.sysname);
	tb_puts(c->b, ", ");
	print_utsfield(c->b, "nodename", u.nodename);
	tb_puts(c->b, ", ...}");
	return true;
}

/* RLIM64_INFINITY, 8192*1024 or a plain number. */
static void print_rlim(struct tbuf *b, u64 v)
{
	if (v == LINUX_RLIM_INFINITY)
		tb_puts(b, "RLIM64_INFINITY");
	else if (v && v % 1024 == 0)
		tb_printf(b, "%llu*1024", (unsigned long long)(v / 1024));
	else
		tb_printf(b, "%llu", (unsigned long long)v);
}

bool fmt_rlimit(struct targ *c, u64 v)
{
	struct linux_rlimit r;

	if (!trace_read(c, &r, v, sizeof(r)))
		return true;
	tb_puts(c->b, "{rlim_cur=");
	print_rlim(c->b, r.rlim_cur);
	tb_puts(c->b, ", rlim_max=");
	print_rlim(c->b, r.rlim_max);
	tb_putc(c->b, '}');
	return true;
}

bool fmt_sysinfo(struct targ *c, u64 v)
{
	struct linux_sysinfo si;

	if (!trace_read(c, &si, v, sizeof(si)))
		return true;
	tb_printf(c->b, "{uptime=%lld, loads=[%llu, %llu, %llu], totalram=%llu, freeram=%llu, ",
		  (long long)si.uptime, (unsigned long long)si.loads[0],
		  (unsigned long long)si.loads[1], (unsigned long long)si.loads[2],
		  (unsigned long long)si.totalram, (unsigned long long)si.freeram);
	tb_printf(c->b, "sharedram=%llu, bufferram=%llu, totalswap=%llu, freeswap=%llu, ",
		  (unsigned long long)si.sharedram, (unsigned long long)si.bufferram,
		  (unsigned long long)si.totalswap, (unsigned long long)si.freeswap);
	tb_printf(c->b, "procs=%u, totalhigh=%llu, freehigh=%llu, mem_unit=%u}", si.procs,
		  (unsigned long long)si.totalhigh, (unsigned long long)si.freehigh,
		  si.mem_unit);
	return true;
}

/* strace shows times in the host's local time zone, as ISO 8601. */
void print_date(struct tbuf *b, s64 secs)
{
	time_t t = (time_t)secs;
	struct tm tm;
	char text[64];

	if (!localtime_r(&t, &tm) || !strftime(text, sizeof(text), "%Y-%m-%dT%H:%M:%S%z", &tm))
		return;
	tb_puts(b, text);
}

/* time(&t): the seconds and, in a comment, the date. */
bool fmt_time_out(struct targ *c, u64 v)
{
	s64 secs;

	if (!trace_read(c, &secs, v, sizeof(secs)))
		return true;
	tb_printf(c->b, "[%lld /* ", (long long)secs);
	print_date(c->b, secs);
	tb_puts(c->b, " */]");
	return true;
}

/* [{WIFEXITED(s) && WEXITSTATUS(s) == 0}], written only when a child was reaped. */
bool fmt_wstatus(struct targ *c, u64 v)
{
	s32 s;

	if (c->ret <= 0) {
		tb_addr(c->b, v);
		return true;
	}
	if (!trace_read(c, &s, v, sizeof(s)))
		return true;
	if ((s & 0x7f) == 0) {
		tb_printf(c->b, "[{WIFEXITED(s) && WEXITSTATUS(s) == %d}]", (s >> 8) & 0xff);
	} else if ((s & 0xff) == 0x7f) {
		tb_puts(c->b, "[{WIFSTOPPED(s) && WSTOPSIG(s) == ");
		print_signame(c->b, (s >> 8) & 0xff);
		tb_puts(c->b, "}]");
	} else if (s == 0xffff) {
		tb_puts(c->b, "[{WIFCONTINUED(s)}]");
	} else {
		tb_puts(c->b, "[{WIFSIGNALED(s) && WTERMSIG(s) == ");
		print_signame(c->b, s & 0x7f);
		tb_puts(c->b, (s & 0x80) ? " && WCOREDUMP(s)}]" : "}]");
	}
	return true;
}

/* {ru_utime={...}, ru_stime={...}, ...}; wait4 fills it only when it reaped. */
bool fmt_rusage(struct targ *c, u64 v)
{
	struct linux_timeval tv[2]; /* ru_utime, ru_stime lead struct rusage */

	if (c->ret == 0 && c->call->kind[1] == ARG_wstatus_out) {
		tb_addr(c->b, v);
		return true;
	}
	if (!trace_read(c, tv, v, sizeof(tv)))
		return true;
	tb_puts(c->b, "{ru_utime=");
	print_timeval(c->b, &tv[0]);
	tb_puts(c->b, ", ru_stime=");
	print_timeval(c->b, &tv[1]);
	tb_puts(c->b, ", ...}");
	return true;
}
