/*
 * The walk over a call's slots: those due when the call starts (up to the
 * first output argument) and the rest when it returns, then the result.
 */
#include <string.h>
#include "trace_internal.h"

u64 targ_next_reg(const struct targ *c)
{
	u8 i = c->call->idx[c->slot];

	return i < 5 ? c->a[i + 1] : 0;
}

u64 targ_prev_reg(const struct targ *c)
{
	u8 i = c->call->idx[c->slot];

	return i >= 1 && i < 6 ? c->a[i - 1] : 0;
}

u64 targ_reg_named(const struct targ *c, const char *name)
{
	for (int i = 0; i < c->call->nargs; i++) {
		const char *n = NULL;
		u8 idx = c->call->idx[i];

		if (c->desc && idx < 6)
			n = c->desc->arg_name[idx];
		if (n && !strcmp(n, name))
			return c->call->val[i];
	}
	return 0;
}

void print_syscall_name(struct tbuf *b, u64 nr)
{
	const struct syscall_desc *d = syscall_desc_of(nr);

	if (d)
		tb_puts(b, d->name);
	else
		tb_printf(b, "syscall_%#llx", (unsigned long long)nr);
}

static bool slot_glued(const struct trace_call *call, int slot)
{
	return slot < call->nargs && (call->glued & (1u << slot));
}

/*
 * Prints slot c->slot, after ", " when *sep unless the slot is glued to the
 * one before; leaves the buffer as it was if the formatter omits the slot.
 */
static void print_slot(struct targ *c, bool *sep)
{
	const struct trace_kind_info *k = &trace_kinds[c->call->kind[c->slot]];
	size_t start = c->b->len;
	u64 v = c->call->val[c->slot];

	if (*sep && !slot_glued(c->call, c->slot))
		tb_puts(c->b, ", ");
	if (c->call->label[c->slot])
		tb_printf(c->b, "%s=", c->call->label[c->slot]);
	if (k->out && targ_failed(c) && !k->on_error)
		tb_addr(c->b, v);
	else if (!k->fmt(c, v)) {
		c->b->len = start;
		c->b->p[start] = '\0';
		return;
	}
	*sep = true;
}

bool trace_format_entry(struct task *t, u64 nr, const u64 a[6], struct trace_task_state *s,
			struct tbuf *b)
{
	struct targ c = { .t = t, .b = b, .call = &s->call, .a = a, .desc = syscall_desc_of(nr) };
	bool sep = false;

	print_syscall_name(b, nr);
	tb_putc(b, '(');
	for (c.slot = 0; c.slot < s->call.nargs; c.slot++) {
		if (trace_kinds[s->call.kind[c.slot]].out)
			break;
		print_slot(&c, &sep);
	}
	s->next_slot = (u8)c.slot;
	s->sep = false;
	if (slot_glued(&s->call, c.slot))
		s->sep = sep; /* clone3's " => {...}" follows without a comma */
	else if (c.slot < s->call.nargs && sep)
		tb_puts(b, ", "); /* strace's "read(3, " */
	return c.slot == s->call.nargs;
}

void trace_format_exit(struct task *t, const u64 a[6], long ret, struct trace_task_state *s,
		       struct tbuf *b)
{
	struct targ c = { .t = t, .b = b, .call = &s->call, .a = a, .exiting = true,
			  .ret = ret, .desc = syscall_desc_of(s->nr) };
	bool sep = s->sep;

	for (c.slot = s->next_slot; c.slot < s->call.nargs; c.slot++)
		print_slot(&c, &sep);
}

/* fcntl's F_GETFL and F_GETFD results: 0x8002 (flags O_RDWR|O_LARGEFILE). */
static void print_ret_flags(struct tbuf *b, long ret, bool open_flags)
{
	tb_hex(b, (u64)ret);
	if (open_flags) {
		tb_puts(b, " (flags ");
		print_open_flags(b, (u64)ret);
		tb_putc(b, ')');
	} else if (ret) {
		tb_puts(b, " (flags ");
		print_flags(b, &xt_fd_flags, (u64)ret);
		tb_putc(b, ')');
	}
}

void trace_format_ret(struct task *t, const u64 a[6], long ret, const struct trace_call *call,
		      struct tbuf *b)
{
	struct targ c = { .t = t, .b = b, .call = call, .a = a, .exiting = true, .ret = ret };

	if (targ_failed(&c)) {
		tb_puts(b, trace_is_restart((int)-ret) ? "? " : "-1 ");
		tb_errno(b, (int)-ret);
		return;
	}
	switch (call->ret_kind) {
	case RET_hex: tb_hex(b, (u64)ret); break;
	case RET_octal: tb_octal(b, (u64)ret); break;
	case RET_noreturn: tb_putc(b, '?'); break;
	case RET_getfl: print_ret_flags(b, ret, true); break;
	case RET_getfd: print_ret_flags(b, ret, false); break;
	case RET_time:
		tb_printf(b, "%ld (", ret);
		print_date(b, ret);
		tb_putc(b, ')');
		break;
	case RET_poll:
		tb_printf(b, "%ld", ret);
		print_poll_result(&c);
		break;
	case RET_signo:
		tb_printf(b, "%ld (", ret);
		print_signame(b, (int)ret);
		tb_putc(b, ')');
		break;
	default: tb_printf(b, "%ld", ret); break;
	}
}
