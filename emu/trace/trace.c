/*
 * The trace file and the assembly of its lines.  A call's started half is
 * formatted into its task's state and held there; the line is written when
 * the call returns.  Tasks whose calls are under way sit on the pending list
 * (in the order they started): before any line is written, the others'
 * started halves are written as "<unfinished ...>", as strace writes them.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "trace_internal.h"
#include "syscall_nr.h"
#include "../../abi/linux/signal.h"

#define RESULT_COLUMN 40 /* strace's -a default: "= ret" starts here */
#define LINE_MAX_BYTES (2 * TRACE_ENTRY_MAX + 512)

bool trace_on;

static struct {
	pthread_mutex_t lock;        /* trace_lock: the file and the pending list */
	FILE *out;
	bool to_file;                /* strace -o FILE: every line starts with the pid */
	struct trace_task_state *pend_head, *pend_tail;
} tr = { .lock = PTHREAD_MUTEX_INITIALIZER };

static void trace_atexit(void)
{
	trace_close();
}

int trace_open(const char *path)
{
	static bool atexit_done;
	FILE *f = stderr;

	if (path && *path) {
		f = fopen(path, "w");
		if (!f)
			return -errno;
		setvbuf(f, NULL, _IOFBF, 1 << 16);
	}
	trace_close();
	tr.out = f;
	tr.to_file = f != stderr;
	trace_on = true;
	if (!atexit_done)
		atexit_done = !atexit(trace_atexit);
	return 0;
}

void trace_close(void)
{
	pthread_mutex_lock(&tr.lock);
	if (tr.out && tr.to_file)
		fclose(tr.out);
	else if (tr.out)
		fflush(tr.out);
	tr.out = NULL; /* trace_on stays: tasks may still be running the hooks */
	pthread_mutex_unlock(&tr.lock);
}

/* Caller holds tr.lock. */
static void pending_del_locked(struct trace_task_state *s)
{
	if (!s->pending)
		return;
	if (s->pend_prev)
		s->pend_prev->pend_next = s->pend_next;
	else
		tr.pend_head = s->pend_next;
	if (s->pend_next)
		s->pend_next->pend_prev = s->pend_prev;
	else
		tr.pend_tail = s->pend_prev;
	s->pend_prev = s->pend_next = NULL;
	s->pending = false;
}

/* Caller holds tr.lock. */
static void pending_add_locked(struct trace_task_state *s)
{
	s->pend_prev = tr.pend_tail;
	s->pend_next = NULL;
	if (tr.pend_tail)
		tr.pend_tail->pend_next = s;
	else
		tr.pend_head = s;
	tr.pend_tail = s;
	s->pending = true;
}

/* "4711  " with -o FILE; "[pid  4711] " on stderr once there are several tasks. */
static void print_prefix(struct tbuf *b, int tid, int nr_tasks)
{
	if (tr.to_file)
		tb_printf(b, "%-5d ", tid);
	else if (nr_tasks > 1)
		tb_printf(b, "[pid %5d] ", tid);
}

static void write_line_locked(struct tbuf *b)
{
	if (b->overflow)
		memcpy(b->p + b->len - 4, "...\n", 4);
	if (tr.out)
		fwrite(b->p, 1, b->len, tr.out);
}

/* Writes every other task's started half as unfinished.  Caller holds tr.lock. */
static void flush_pending_locked(int nr_tasks)
{
	char mem[TRACE_ENTRY_MAX + 64];
	struct tbuf b;

	while (tr.pend_head) {
		struct trace_task_state *p = tr.pend_head;

		tb_init(&b, mem, sizeof(mem));
		print_prefix(&b, p->tid, nr_tasks);
		tb_write(&b, p->buf, p->len);
		tb_puts(&b, " <unfinished ...>\n");
		write_line_locked(&b);
		p->flushed = true;
		pending_del_locked(p);
	}
}

/* The call's started half, or "<... name resumed>" if that was written already. */
static void print_started_half(struct tbuf *b, const struct trace_task_state *s)
{
	if (s->flushed) {
		tb_puts(b, "<... ");
		print_syscall_name(b, s->nr);
		tb_puts(b, " resumed>");
	} else {
		tb_write(b, s->buf, s->len);
	}
}

/* ") " and spaces up to RESULT_COLUMN, then "= result\n". */
static void print_result(struct tbuf *b, const char *result)
{
	tb_puts(b, ") ");
	while (b->len < RESULT_COLUMN)
		tb_putc(b, ' ');
	tb_puts(b, "= ");
	tb_puts(b, result);
	tb_putc(b, '\n');
}

/* Writes the held signal line, if any.  Caller holds tr.lock. */
static void write_sigline_locked(struct trace_task_state *s, int nr_tasks)
{
	char mem[TRACE_SIGLINE_MAX + 32];
	struct tbuf b;

	if (!s->siglen)
		return;
	tb_init(&b, mem, sizeof(mem));
	print_prefix(&b, s->tid, nr_tasks);
	tb_write(&b, s->sigline, s->siglen);
	write_line_locked(&b);
	s->siglen = 0;
}

/* Writes the call under way as "= ?" (its task died in it).  Caller holds tr.lock. */
static void end_call_locked(struct trace_task_state *s, int nr_tasks)
{
	char mem[LINE_MAX_BYTES];
	struct tbuf line;

	if (!s->in_syscall)
		return;
	tb_init(&line, mem, sizeof(mem));
	print_prefix(&line, s->tid, nr_tasks);
	print_started_half(&line, s);
	if (!s->entry_complete)
		tb_puts(&line, " <unfinished ...>");
	print_result(&line, "?");
	write_line_locked(&line);
	s->in_syscall = false;
}

/* end_call_locked for a call whose exit the kernel never reported. */
static void end_call(struct trace_task_state *s, int nr_tasks)
{
	pthread_mutex_lock(&tr.lock);
	pending_del_locked(s);
	flush_pending_locked(nr_tasks);
	end_call_locked(s, nr_tasks);
	write_sigline_locked(s, nr_tasks);
	pthread_mutex_unlock(&tr.lock);
}

void trace_syscall_enter(struct task *t, u64 nr, const u64 a[6])
{
	struct trace_task_state *s = task_trace_state(t);
	struct tbuf b;

	if (s->in_syscall)
		end_call(s, kernel_nr_tasks()); /* the kernel never reported its exit */
	trace_resolve_call(t, nr, a, &s->call);
	tb_init(&b, s->buf, sizeof(s->buf));
	s->nr = nr;
	s->tid = task_tid(t);
	s->entry_complete = trace_format_entry(t, nr, a, s, &b);
	if (b.overflow)
		memcpy(b.p + b.len - 3, "...", 3);
	s->len = (u16)b.len;
	s->siglen = 0;
	s->in_syscall = true;
	bool no_return = nr == LINUX_NR_exit || nr == LINUX_NR_exit_group;
	int nr_tasks = no_return ? kernel_nr_tasks() : 0;
	pthread_mutex_lock(&tr.lock);
	s->flushed = false;
	if (no_return) {
		/* It never returns: whole at once, "= ?", as strace writes it. */
		flush_pending_locked(nr_tasks);
		end_call_locked(s, nr_tasks);
	} else {
		pending_add_locked(s);
	}
	pthread_mutex_unlock(&tr.lock);
}

void trace_syscall_exit(struct task *t, u64 nr, const u64 a[6], long ret)
{
	struct trace_task_state *s = task_trace_state(t);
	char rest[TRACE_ENTRY_MAX], result[512], mem[LINE_MAX_BYTES];
	struct tbuf r, v, line;
	int nr_tasks;

	(void)nr;
	if (!s->in_syscall)
		return;
	tb_init(&r, rest, sizeof(rest));
	trace_format_exit(t, a, ret, s, &r);
	tb_init(&v, result, sizeof(result));
	trace_format_ret(t, a, ret, &s->call, &v);
	nr_tasks = kernel_nr_tasks();

	pthread_mutex_lock(&tr.lock);
	pending_del_locked(s);
	flush_pending_locked(nr_tasks);
	tb_init(&line, mem, sizeof(mem));
	print_prefix(&line, s->tid, nr_tasks);
	print_started_half(&line, s);
	tb_write(&line, r.p, r.len);
	print_result(&line, result);
	write_line_locked(&line);
	write_sigline_locked(s, nr_tasks);
	pthread_mutex_unlock(&tr.lock);
	s->in_syscall = false;
}

/* Ends t's trace: a call under way as "= ?", a held signal line, then tail. */
static void trace_task_end(struct task *t, const char *tail)
{
	struct trace_task_state *s = task_trace_state(t);
	int nr_tasks = kernel_nr_tasks();
	char mem[128];
	struct tbuf line;

	s->tid = task_tid(t);
	pthread_mutex_lock(&tr.lock);
	pending_del_locked(s);
	flush_pending_locked(nr_tasks);
	end_call_locked(s, nr_tasks);
	write_sigline_locked(s, nr_tasks);
	tb_init(&line, mem, sizeof(mem));
	print_prefix(&line, s->tid, nr_tasks);
	tb_puts(&line, tail);
	write_line_locked(&line);
	pthread_mutex_unlock(&tr.lock);
}

void trace_exit_group(struct task *t, int code)
{
	char tail[64];

	snprintf(tail, sizeof(tail), "+++ exited with %d +++\n", code & 0xff);
	trace_task_end(t, tail);
}

void trace_killed(struct task *t, int sig, bool core)
{
	char mem[64];
	struct tbuf b;

	tb_init(&b, mem, sizeof(mem));
	tb_puts(&b, "+++ killed by ");
	print_signame(&b, sig);
	tb_puts(&b, core ? " (core dumped) +++\n" : " +++\n");
	trace_task_end(t, b.p);
}

/* Writes the "--- SIG..." line s->sigline holds now, or after the call t is in. */
static void emit_sigline(struct task *t, struct trace_task_state *s)
{
	int nr_tasks;

	s->tid = task_tid(t);
	if (s->in_syscall)
		return; /* written after the call's line */
	nr_tasks = kernel_nr_tasks();
	pthread_mutex_lock(&tr.lock);
	flush_pending_locked(nr_tasks);
	write_sigline_locked(s, nr_tasks);
	pthread_mutex_unlock(&tr.lock);
}

void trace_signal_info(struct task *t, const struct trace_siginfo *si)
{
	struct trace_task_state *s = task_trace_state(t);
	struct tbuf b;

	tb_init(&b, s->sigline, sizeof(s->sigline));
	tb_puts(&b, "--- ");
	print_signame(&b, si->signo);
	tb_putc(&b, ' ');
	print_siginfo(&b, si);
	tb_puts(&b, " ---\n");
	s->siglen = (u16)b.len;
	emit_sigline(t, s);
}

void trace_signal_siginfo(struct task *t, const struct linux_siginfo *info)
{
	struct trace_task_state *s = task_trace_state(t);
	struct tbuf b;

	tb_init(&b, s->sigline, sizeof(s->sigline));
	tb_puts(&b, "--- ");
	print_signame(&b, info->si_signo);
	tb_putc(&b, ' ');
	print_linux_siginfo(&b, info);
	tb_puts(&b, " ---\n");
	s->siglen = (u16)b.len;
	emit_sigline(t, s);
}

void trace_signal(struct task *t, int sig, int code, u64 addr)
{
	struct trace_siginfo si = { .signo = sig, .code = code, .addr = addr };

	if (code <= 0) {
		si.pid = task_tgid(t);
		si.uid = (u32)getuid(); /* the guest's ids are the host's */
	}
	trace_signal_info(t, &si);
}

void trace_signal_exit(struct task *t, int sig, int code, u64 addr, bool core)
{
	trace_signal(t, sig, code, addr);
	trace_killed(t, sig, core);
}

void trace_task_free(struct task *t)
{
	struct trace_task_state *s = task_trace_state(t);

	pthread_mutex_lock(&tr.lock);
	pending_del_locked(s);
	pthread_mutex_unlock(&tr.lock);
	s->in_syscall = false;
}

/* argv as strace prints it: at most TRACE_STRSIZE strings of TRACE_STRSIZE bytes. */
static void print_host_argv(struct tbuf *b, char *const argv[])
{
	tb_putc(b, '[');
	for (unsigned i = 0; argv && argv[i]; i++) {
		size_t n = strlen(argv[i]);

		if (i)
			tb_puts(b, ", ");
		if (i >= TRACE_STRSIZE) {
			tb_puts(b, "...");
			break;
		}
		tb_quote(b, (const u8 *)argv[i], MIN(n, (size_t)TRACE_STRSIZE), 0);
		if (n > TRACE_STRSIZE)
			tb_puts(b, "...");
	}
	tb_putc(b, ']');
}

void trace_execve_initial(struct task *t, const char *path, char *const argv[], u64 uenvp,
			  int envc)
{
	int nr_tasks = kernel_nr_tasks();
	char mem[LINE_MAX_BYTES];
	struct tbuf line;

	tb_init(&line, mem, sizeof(mem));
	print_prefix(&line, task_tid(t), nr_tasks);
	tb_puts(&line, "execve(");
	tb_quote(&line, (const u8 *)path, strlen(path), 0);
	tb_puts(&line, ", ");
	print_host_argv(&line, argv);
	tb_puts(&line, ", ");
	tb_addr(&line, uenvp);
	tb_printf(&line, " /* %d var%s */", envc, envc == 1 ? "" : "s");
	print_result(&line, "0");
	pthread_mutex_lock(&tr.lock);
	flush_pending_locked(nr_tasks);
	write_line_locked(&line);
	pthread_mutex_unlock(&tr.lock);
}
