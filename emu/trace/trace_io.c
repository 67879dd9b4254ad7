/*
 * Arrays and terminal structures: iovecs, cpu masks, directory entries,
 * pollfds, fd_sets, termios and winsize.
 */
#include "trace_internal.h"
#include "../../abi/linux/eventpoll.h"
#include "../../abi/linux/misc.h"

/* Starts the next element of an array; false once TRACE_STRSIZE were shown. */
static bool array_next(struct tbuf *b, unsigned i)
{
	if (i)
		tb_puts(b, ", ");
	if (i >= TRACE_STRSIZE) {
		tb_puts(b, "...");
		return false;
	}
	return true;
}

/*
 * writev's vectors show their contents; readv's show the return value's
 * worth of bytes spread over them, or only addresses when the call failed.
 */
bool fmt_iovec(struct targ *c, u64 v)
{
	bool out = c->call->kind[c->slot] == ARG_iovec_out;
	u64 count = targ_next_reg(c), left = out && c->ret > 0 ? (u64)c->ret : 0;
	struct linux_iovec iov;

	if (!v) {
		tb_puts(c->b, "NULL");
		return true;
	}
	tb_putc(c->b, '[');
	for (u64 i = 0; i < count; i++) {
		if (!array_next(c->b, (unsigned)MIN(i, (u64)TRACE_STRSIZE)))
			break;
		if (!trace_read(c, &iov, v + i * sizeof(iov), sizeof(iov)))
			break;
		tb_puts(c->b, "{iov_base=");
		if (out && targ_failed(c)) {
			tb_addr(c->b, iov.iov_base);
		} else {
			u64 n = out ? MIN(left, iov.iov_len) : iov.iov_len;

			trace_print_buf(c, iov.iov_base, n, 0);
			left -= out ? n : 0;
		}
		tb_printf(c->b, ", iov_len=%llu}", (unsigned long long)iov.iov_len);
	}
	tb_putc(c->b, ']');
	return true;
}

/* [0 1]: the CPUs set in the mask's first bytes (the return value's, or the size argument's). */
bool fmt_cpuset(struct targ *c, u64 v)
{
	u8 mask[128];
	u64 size = c->exiting && trace_kinds[c->call->kind[c->slot]].out ? (u64)c->ret
									  : targ_prev_reg(c);
	size_t n = (size_t)MIN(size, (u64)sizeof(mask));
	bool first = true;

	if (!trace_read(c, mask, v, n))
		return true;
	tb_putc(c->b, '[');
	for (size_t cpu = 0; cpu < n * 8; cpu++) {
		if (!(mask[cpu / 8] & (1u << (cpu % 8))))
			continue;
		tb_printf(c->b, first ? "%zu" : " %zu", cpu);
		first = false;
	}
	tb_putc(c->b, ']');
	return true;
}

/* The address and the number of entries the call returned. */
bool fmt_dirents(struct targ *c, u64 v)
{
	u64 off = 0, size = c->ret > 0 ? (u64)c->ret : 0;
	unsigned entries = 0;
	u16 reclen;

	/* d_reclen sits at offset 16 in both linux_dirent and linux_dirent64. */
	while (off + 18 <= size && trace_peek(c, &reclen, v + off + 16, sizeof(reclen)) &&
	       reclen) {
		entries++;
		off += reclen;
	}
	tb_addr(c->b, v);
	tb_printf(c->b, " /* %u entries */", entries);
	return true;
}

struct linux_pollfd {
	s32 fd;
	s16 events, revents;
};

bool fmt_pollfd(struct targ *c, u64 v)
{
	u64 count = targ_next_reg(c);
	struct linux_pollfd p;

	if (!v) {
		tb_puts(c->b, "NULL");
		return true;
	}
	tb_putc(c->b, '[');
	for (u64 i = 0; i < count; i++) {
		if (!array_next(c->b, (unsigned)MIN(i, (u64)TRACE_STRSIZE)))
			break;
		if (!trace_read(c, &p, v + i * sizeof(p), sizeof(p)))
			break;
		tb_printf(c->b, "{fd=%d, events=", p.fd);
		print_flags(c->b, &xt_poll_events, (u16)p.events);
		tb_putc(c->b, '}');
	}
	tb_putc(c->b, ']');
	return true;
}

/* The pollfds with events: " ([{fd=3, revents=POLLIN}])", or " (Timeout)". */
#define MAX_POLLFDS 65536ULL
void print_poll_result(struct targ *c)
{
	u64 v = c->call->val[0], count = c->call->val[1];
	struct linux_pollfd p;
	unsigned shown = 0;

	if (c->ret == 0) {
		tb_puts(c->b, " (Timeout)");
		return;
	}
	tb_puts(c->b, " ([");
	for (u64 i = 0; i < MIN(count, MAX_POLLFDS) && shown < (u64)c->ret; i++) {
		if (!trace_peek(c, &p, v + i * sizeof(p), sizeof(p)))
			break;
		if (!p.revents)
			continue;
		tb_printf(c->b, "%s{fd=%d, revents=", shown ? ", " : "", p.fd);
		print_flags(c->b, &xt_poll_events, (u16)p.revents);
		tb_putc(c->b, '}');
		shown++;
	}
	tb_puts(c->b, "])");
}

/* strace's epoll_event: {events=EPOLLIN, data={u32=5, u64=5}}. */
static void print_epoll_event(struct targ *c, const struct linux_epoll_event *ev)
{
	u64 data = ev->data;

	tb_puts(c->b, "{events=");
	print_flags(c->b, &xt_epoll_events, ev->events);
	tb_printf(c->b, ", data={u32=%u, u64=%llu}}", (u32)data, (unsigned long long)data);
}

bool fmt_epoll_event(struct targ *c, u64 v)
{
	struct linux_epoll_event ev;

	if (!v) {
		tb_puts(c->b, "NULL");
		return true;
	}
	if (trace_read(c, &ev, v, sizeof(ev)))
		print_epoll_event(c, &ev);
	return true;
}

/* The events epoll_wait filled: the return value's worth. */
bool fmt_epoll_events(struct targ *c, u64 v)
{
	struct linux_epoll_event ev;

	tb_putc(c->b, '[');
	for (s64 i = 0; i < c->ret; i++) {
		if (!array_next(c->b, (unsigned)MIN(i, (s64)TRACE_STRSIZE)))
			break;
		if (!trace_read(c, &ev, v + (u64)i * sizeof(ev), sizeof(ev)))
			break;
		print_epoll_event(c, &ev);
	}
	tb_putc(c->b, ']');
	return true;
}

/* select's sets: [1 7], the descriptors below the first argument. */
bool fmt_fdset(struct targ *c, u64 v)
{
	u64 bits[16];
	s64 n = (s64)(s32)c->a[0];
	size_t nfds = (size_t)(n < 0 ? 0 : MIN(n, (s64)(sizeof(bits) * 8)));
	bool first = true;

	if (!v || nfds == 0) {
		tb_addr(c->b, v);
		return true;
	}
	if (!trace_read(c, bits, v, (nfds + 63) / 64 * 8))
		return true;
	tb_putc(c->b, '[');
	for (size_t fd = 0; fd < nfds; fd++) {
		if (!(bits[fd / 64] & (1ULL << (fd % 64))))
			continue;
		tb_printf(c->b, first ? "%zu" : " %zu", fd);
		first = false;
	}
	tb_putc(c->b, ']');
	return true;
}

static const struct xlat iflags[] = {
	{ 01, "IGNBRK" }, { 02, "BRKINT" }, { 04, "IGNPAR" }, { 010, "PARMRK" },
	{ 020, "INPCK" }, { 040, "ISTRIP" }, { 0100, "INLCR" }, { 0200, "IGNCR" },
	{ 0400, "ICRNL" }, { 01000, "IUCLC" }, { 02000, "IXON" }, { 04000, "IXANY" },
	{ 010000, "IXOFF" }, { 020000, "IMAXBEL" }, { 040000, "IUTF8" },
};
static const struct xlat_table xt_iflags = XLAT_TABLE(iflags, "I???");

static const struct xlat oflags[] = {
	{ 01, "OPOST" }, { 02, "OLCUC" }, { 04, "ONLCR" }, { 010, "OCRNL" }, { 020, "ONOCR" },
	{ 040, "ONLRET" }, { 0100, "OFILL" }, { 0200, "OFDEL" },
};
static const struct xlat_table xt_oflags = XLAT_TABLE(oflags, "O???");

static const struct xlat cflags[] = {
	{ 0100, "CSTOPB" }, { 0200, "CREAD" }, { 0400, "PARENB" }, { 01000, "PARODD" },
	{ 02000, "HUPCL" }, { 04000, "CLOCAL" }, { 010000000000, "CMSPAR" },
	{ 020000000000, "CRTSCTS" },
};
static const struct xlat_table xt_cflags = XLAT_TABLE(cflags, "C???");

static const struct xlat lflags[] = {
	{ 01, "ISIG" }, { 02, "ICANON" }, { 04, "XCASE" }, { 010, "ECHO" }, { 020, "ECHOE" },
	{ 040, "ECHOK" }, { 0100, "ECHONL" }, { 0200, "NOFLSH" }, { 0400, "TOSTOP" },
	{ 01000, "ECHOCTL" }, { 02000, "ECHOPRT" }, { 04000, "ECHOKE" }, { 010000, "FLUSHO" },
	{ 040000, "PENDIN" }, { 0100000, "IEXTEN" }, { 0200000, "EXTPROC" },
};
static const struct xlat_table xt_lflags = XLAT_TABLE(lflags, "L???");

/* CBAUD values: B0..B38400, then BOTHER and B57600..B4000000. */
static const char *const bauds[32] = {
	"B0", "B50", "B75", "B110", "B134", "B150", "B200", "B300", "B600", "B1200", "B1800",
	"B2400", "B4800", "B9600", "B19200", "B38400", "BOTHER", "B57600", "B115200",
	"B230400", "B460800", "B500000", "B576000", "B921600", "B1000000", "B1152000",
	"B1500000", "B2000000", "B2500000", "B3000000", "B3500000", "B4000000",
};

static const char *baud_name(u32 cbaud)
{
	return bauds[(cbaud & 017) | ((cbaud & 010000) ? 16 : 0)];
}

/* The delay fields (NL0|CR0|TAB0|BS0|VT0|FF0|), then the flags. */
static void print_termios_oflag(struct tbuf *b, u32 v)
{
	tb_printf(b, "NL%u|CR%u|TAB%u|BS%u|VT%u|FF%u|", (v >> 8) & 1, (v >> 9) & 3,
		  (v >> 11) & 3, (v >> 13) & 1, (v >> 14) & 1, (v >> 15) & 1);
	print_flags_bare(b, &xt_oflags, v & 0377);
}

/* The baud rate, the input rate if set, the character size and "|", the flags. */
static void print_termios_cflag(struct tbuf *b, u32 v)
{
	u32 ibaud = (v >> 16) & 010017;

	tb_puts(b, baud_name(v & 010017));
	if (ibaud)
		tb_printf(b, "|%s<<IBSHIFT", baud_name(ibaud));
	tb_printf(b, "|CS%u|", 5 + ((v >> 4) & 3));
	print_flags_bare(b, &xt_cflags, v & ~(010017u | (010017u << 16) | 060u));
}

bool fmt_termios(struct targ *c, u64 v)
{
	struct linux_termios tio;

	if (!trace_read(c, &tio, v, sizeof(tio)))
		return true;
	tb_puts(c->b, "{c_iflag=");
	print_flags_bare(c->b, &xt_iflags, tio.c_iflag);
	tb_puts(c->b, ", c_oflag=");
	print_termios_oflag(c->b, tio.c_oflag);
	tb_puts(c->b, ", c_cflag=");
	print_termios_cflag(c->b, tio.c_cflag);
	tb_puts(c->b, ", c_lflag=");
	print_flags_bare(c->b, &xt_lflags, tio.c_lflag);
	tb_puts(c->b, ", ...}");
	return true;
}

bool fmt_winsize(struct targ *c, u64 v)
{
	struct linux_winsize ws;

	if (trace_read(c, &ws, v, sizeof(ws)))
		tb_printf(c->b, "{ws_row=%u, ws_col=%u, ws_xpixel=%u, ws_ypixel=%u}", ws.ws_row,
			  ws.ws_col, ws.ws_xpixel, ws.ws_ypixel);
	return true;
}
