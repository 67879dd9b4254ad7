/*
 * The tracer's text primitives: a bounded line buffer, numbers, strace's
 * string quoting, errno names, and strings and buffers read from the guest.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include "trace_internal.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"

void tb_init(struct tbuf *b, char *mem, size_t cap)
{
	b->p = mem;
	b->len = 0;
	b->cap = cap;
	b->overflow = false;
	if (cap)
		mem[0] = '\0';
}

/* Keeps the buffer NUL-terminated; one byte of cap is the terminator's. */
void tb_write(struct tbuf *b, const char *s, size_t n)
{
	size_t room = b->cap - 1 - b->len;

	if (n > room) {
		n = room;
		b->overflow = true;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void tb_putc(struct tbuf *b, char c)
{
	tb_write(b, &c, 1);
}

void tb_puts(struct tbuf *b, const char *s)
{
	tb_write(b, s, strlen(s));
}

void tb_printf(struct tbuf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		tb_write(b, tmp, MIN((size_t)n, sizeof(tmp) - 1));
}

void tb_addr(struct tbuf *b, u64 v)
{
	if (v)
		tb_printf(b, "%#llx", (unsigned long long)v);
	else
		tb_puts(b, "NULL");
}

void tb_hex(struct tbuf *b, u64 v)
{
	tb_printf(b, "%#llx", (unsigned long long)v);
}

/* strace prints modes as %#03o: 000, 022, 0644. */
void tb_octal(struct tbuf *b, u64 v)
{
	tb_printf(b, "%#03llo", (unsigned long long)v);
}

void tb_id(struct tbuf *b, u32 v)
{
	if (v == (u32)-1)
		tb_puts(b, "-1");
	else
		tb_printf(b, "%u", v);
}

/* The one-letter escapes strace uses; everything else unprintable is octal. */
static const char *short_escape(u8 c)
{
	switch (c) {
	case '"': return "\\\"";
	case '\\': return "\\\\";
	case '\f': return "\\f";
	case '\n': return "\\n";
	case '\r': return "\\r";
	case '\t': return "\\t";
	case '\v': return "\\v";
	default: return NULL;
	}
}

static void quote_char(struct tbuf *b, const u8 *s, size_t i, size_t n)
{
	const char *esc = short_escape(s[i]);

	if (esc) {
		tb_puts(b, esc);
	} else if (s[i] >= 0x20 && s[i] < 0x7f) {
		tb_putc(b, (char)s[i]);
	} else if (i + 1 < n && s[i + 1] >= '0' && s[i + 1] <= '7') {
		/* A following octal digit would extend a short escape. */
		tb_printf(b, "\\%03o", s[i]);
	} else {
		tb_printf(b, "\\%o", s[i]);
	}
}

void tb_quote(struct tbuf *b, const u8 *s, size_t n, unsigned style)
{
	if (style & QUOTE_NUL_TERM)
		n = strnlen((const char *)s, n);
	tb_putc(b, '"');
	for (size_t i = 0; i < n; i++) {
		if (style & QUOTE_HEX)
			tb_printf(b, "\\x%02x", s[i]);
		else
			quote_char(b, s, i, n);
	}
	tb_putc(b, '"');
}

static const struct {
	const char *name, *text;
} errnos[] = {
#define ERRNO_ENTRY(nr, name, text) [nr] = { #name, text },
	LINUX_ERRNO_LIST(ERRNO_ENTRY)
#undef ERRNO_ENTRY
};

/* Linux's kernel-internal codes strace names (include/linux/errno.h). */
static const struct {
	int nr;
	const char *name, *text;
} restarts[] = {
	{ LINUX_ERESTARTSYS, "ERESTARTSYS", "To be restarted if SA_RESTART is set" },
	{ LINUX_ERESTARTNOINTR, "ERESTARTNOINTR", "To be restarted" },
	{ LINUX_ERESTARTNOHAND, "ERESTARTNOHAND", "To be restarted if no handler" },
	{ LINUX_ERESTART_RESTARTBLOCK, "ERESTART_RESTARTBLOCK", "Interrupted by signal" },
};

bool trace_is_restart(int err)
{
	for (size_t i = 0; i < ARRAY_SIZE(restarts); i++)
		if (restarts[i].nr == err)
			return true;
	return false;
}

const char *trace_errno_name(int err)
{
	if (err > 0 && (size_t)err < ARRAY_SIZE(errnos))
		return errnos[err].name;
	for (size_t i = 0; i < ARRAY_SIZE(restarts); i++)
		if (restarts[i].nr == err)
			return restarts[i].name;
	return NULL;
}

static const char *errno_text(int err)
{
	if (err > 0 && (size_t)err < ARRAY_SIZE(errnos) && errnos[err].text)
		return errnos[err].text;
	for (size_t i = 0; i < ARRAY_SIZE(restarts); i++)
		if (restarts[i].nr == err)
			return restarts[i].text;
	return NULL;
}

void tb_errno(struct tbuf *b, int err)
{
	const char *name = trace_errno_name(err);

	if (name)
		tb_printf(b, "%s (%s)", name, errno_text(err));
	else
		tb_printf(b, "ERRNO_%d (Unknown error %d)", err, err);
}

bool trace_peek(struct targ *c, void *dst, u64 uaddr, size_t n)
{
	return uaddr && copy_from_user(c->t, dst, uaddr, n) >= 0;
}

bool trace_read(struct targ *c, void *dst, u64 uaddr, size_t n)
{
	if (!trace_peek(c, dst, uaddr, n)) {
		tb_addr(c->b, uaddr);
		return false;
	}
	return true;
}

/* strace's printstrn: len bytes, the first TRACE_STRSIZE of them shown. */
void trace_print_buf(struct targ *c, u64 uaddr, u64 len, unsigned style)
{
	u8 data[TRACE_STRSIZE];
	size_t n = len < TRACE_STRSIZE ? (size_t)len : TRACE_STRSIZE;

	if (!trace_read(c, data, uaddr, n))
		return;
	tb_quote(c->b, data, n, style);
	if (len > n)
		tb_puts(c->b, "...");
}

/* strace's printstr: a NUL-terminated string cut at TRACE_STRSIZE bytes. */
void trace_print_str(struct targ *c, u64 uaddr)
{
	char data[TRACE_STRSIZE + 1];
	long n;

	if (!uaddr) {
		tb_puts(c->b, "NULL");
		return;
	}
	n = strncpy_from_user(c->t, data, uaddr, sizeof(data));
	if (n < 0) {
		tb_addr(c->b, uaddr);
		return;
	}
	tb_quote(c->b, (const u8 *)data, MIN((size_t)n, (size_t)TRACE_STRSIZE), 0);
	if (n > TRACE_STRSIZE)
		tb_puts(c->b, "...");
}

/* strace's printpath: the whole path, up to PATH_MAX bytes. */
void trace_print_path(struct targ *c, u64 uaddr)
{
	char path[LINUX_PATH_MAX];
	long n;

	if (!uaddr) {
		tb_puts(c->b, "NULL");
		return;
	}
	n = strncpy_from_user(c->t, path, uaddr, sizeof(path));
	if (n < 0) {
		tb_addr(c->b, uaddr);
		return;
	}
	tb_quote(c->b, (const u8 *)path, (size_t)n, 0);
	if ((size_t)n == sizeof(path))
		tb_puts(c->b, "...");
}
