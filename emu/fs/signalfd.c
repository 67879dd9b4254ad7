/*
 * signalfd files: a read takes pending signals of the file's mask from the
 * reading thread's queue, then its process's, and returns them as struct
 * signalfd_siginfo records.  The mask belongs to the file (signalfd4 on the
 * fd replaces it); the queues are always the reader's own.
 *
 * Pollers (poll, epoll) wait on one queue for all signalfd files, woken on
 * every signal queued anywhere (signalfd_notify), and look again with the
 * polling thread's pending sets, as Linux's signalfd_poll.  One static
 * queue instead of Linux's per-sighand one: an epoll item may outlive the
 * sighand it was added under, and a static queue never goes away.
 */
#include <stdlib.h>
#include <string.h>
#include "file.h"
#include "signalfd.h"
#include "../kernel/task.h"
#include "../kernel/wait.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"
#include "../../abi/linux/signalfd.h"
#include "../../abi/linux/poll.h"

static struct wait_queue_head signalfd_wqh = {
	.lock = PTHREAD_MUTEX_INITIALIZER,
};

void signalfd_notify(void)
{
	wake_up_all(&signalfd_wqh);
}

struct signalfd_ctx {
	/* atomic: read by sleeping readers under the signal wait slot's lock */
	_Atomic linux_sigset_t sigmask;
};

/* Which union member of a siginfo holds data, as Linux's siginfo_layout() decides. */
enum si_layout { SIL_KILL, SIL_TIMER, SIL_POLL, SIL_FAULT, SIL_FAULT_MCEERR, SIL_CHLD, SIL_RT, SIL_SYS };

#define LINUX_SI_SIGIO (-5)
#define LINUX_BUS_MCEERR_AR 4
#define LINUX_BUS_MCEERR_AO 5
#define NSIGPOLL 6

/*
 * Kernel codes (1..0x7f) are signal-specific up to the last one defined for
 * that signal; past it, low codes are taken for POLL_* (F_SETSIG sends them
 * with any signal).
 */
static enum si_layout kernel_code_layout(int sig, int code)
{
	static const struct { int sig, last; enum si_layout layout; } codes[] = {
		{ LINUX_SIGILL, 11, SIL_FAULT }, { LINUX_SIGFPE, 15, SIL_FAULT },
		{ LINUX_SIGSEGV, 10, SIL_FAULT }, { LINUX_SIGBUS, 5, SIL_FAULT },
		{ LINUX_SIGTRAP, 6, SIL_FAULT }, { LINUX_SIGCHLD, 6, SIL_CHLD },
		{ LINUX_SIGIO, NSIGPOLL, SIL_POLL }, { LINUX_SIGSYS, 2, SIL_SYS },
	};

	for (size_t i = 0; i < ARRAY_SIZE(codes); i++) {
		if (codes[i].sig != sig || code > codes[i].last)
			continue;
		if (sig == LINUX_SIGBUS && (code == LINUX_BUS_MCEERR_AR || code == LINUX_BUS_MCEERR_AO))
			return SIL_FAULT_MCEERR;
		return codes[i].layout;
	}
	return code <= NSIGPOLL ? SIL_POLL : SIL_KILL;
}

static enum si_layout siginfo_layout(int sig, int code)
{
	if (code > LINUX_SI_USER && code < LINUX_SI_KERNEL)
		return kernel_code_layout(sig, code);
	if (code == LINUX_SI_TIMER)
		return SIL_TIMER;
	if (code == LINUX_SI_SIGIO)
		return SIL_POLL;
	return code < 0 ? SIL_RT : SIL_KILL;
}

static u32 raw32(const struct linux_siginfo *info, size_t off)
{
	u32 v;

	memcpy(&v, info->raw + off, sizeof(v));
	return v;
}

/* The record for one dequeued signal: only the fields its layout carries, the rest zero. */
static void signalfd_copyinfo(struct linux_signalfd_siginfo *ss, const struct linux_siginfo *info)
{
	memset(ss, 0, sizeof(*ss));
	ss->ssi_signo = info->si_signo;
	ss->ssi_errno = info->si_errno;
	ss->ssi_code = info->si_code;
	switch (siginfo_layout(info->si_signo, info->si_code)) {
	case SIL_KILL:
		ss->ssi_pid = info->rt.pid;
		ss->ssi_uid = info->rt.uid;
		break;
	case SIL_TIMER:
		ss->ssi_tid = info->timer.tid;
		ss->ssi_overrun = info->timer.overrun;
		ss->ssi_ptr = info->timer.value.sival_ptr;
		ss->ssi_int = info->timer.value.sival_int;
		break;
	case SIL_POLL:
		ss->ssi_band = info->poll.band;
		ss->ssi_fd = info->poll.fd;
		break;
	case SIL_FAULT_MCEERR:
		ss->ssi_addr_lsb = (u16)raw32(info, 8);
		/* fall through */
	case SIL_FAULT:
		ss->ssi_addr = info->fault.addr; /* x86 siginfo carries no trap number */
		break;
	case SIL_CHLD:
		ss->ssi_pid = info->chld.pid;
		ss->ssi_uid = info->chld.uid;
		ss->ssi_status = info->chld.status;
		ss->ssi_utime = info->chld.utime;
		ss->ssi_stime = info->chld.stime;
		break;
	case SIL_RT:
		/* sigqueue, tkill and the sigqueueinfo calls: the sender and its value. */
		ss->ssi_pid = info->rt.pid;
		ss->ssi_uid = info->rt.uid;
		ss->ssi_ptr = info->rt.value.sival_ptr;
		ss->ssi_int = info->rt.value.sival_int;
		break;
	case SIL_SYS:
		memcpy(&ss->ssi_call_addr, info->raw, sizeof(ss->ssi_call_addr));
		ss->ssi_syscall = (s32)raw32(info, 8);
		ss->ssi_arch = raw32(info, 12);
		break;
	}
}

/*
 * Takes one signal of f's mask for t into info.  Unless nonblock, sleeps
 * until one is queued; a signal t does not block ends the wait with
 * -ERESTARTSYS (its handler runs, then read restarts or fails with EINTR).
 */
static long signalfd_dequeue(struct task *t, struct signalfd_ctx *ctx, struct linux_siginfo *info,
			     bool nonblock)
{
	struct wait_slot *w = signal_wait_slot(t);
	long ret = 0;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		if (dequeue_signal(t, atomic_load(&ctx->sigmask), info))
			break;
		if (nonblock) {
			ret = -LINUX_EAGAIN;
			break;
		}
		if (task_sleep(t, w, NULL) == -LINUX_EINTR) {
			ret = -LINUX_ERESTARTSYS;
			break;
		}
	}
	pthread_mutex_unlock(&w->lock);
	return ret;
}

/* As many records as fit; only the first may wait. */
static long signalfd_read(struct file *f, void *buf, u64 n)
{
	struct signalfd_ctx *ctx = f->private_data;
	struct linux_signalfd_siginfo *out = buf;
	struct task *t = task_current();
	u64 max = n / sizeof(*out), got = 0;
	bool nonblock = __atomic_load_n(&f->f_flags, __ATOMIC_RELAXED) & LINUX_O_NONBLOCK;
	struct linux_siginfo info;

	if (!max)
		return -LINUX_EINVAL;
	for (; got < max; got++) {
		long err = signalfd_dequeue(t, ctx, &info, nonblock || got > 0);
		if (err)
			return got ? (long)(got * sizeof(*out)) : err;
		signalfd_copyinfo(&out[got], &info);
	}
	return (long)(got * sizeof(*out));
}

/* An anonymous inode as Linux shows one: no file type, mode 0600. */
static long signalfd_fstat(struct file *f, struct linux_stat *st)
{
	(void)f;
	memset(st, 0, sizeof(*st));
	st->st_mode = 0600;
	st->st_nlink = 1;
	st->st_blksize = 4096;
	return 0;
}

static void signalfd_release(struct file *f)
{
	free(f->private_data);
}

/* Readable while a signal of the mask is pending for the polling thread or its process. */
static unsigned signalfd_poll(struct file *f, struct poll_table *pt)
{
	struct signalfd_ctx *ctx = f->private_data;
	struct task *t = task_current();
	linux_sigset_t pending;

	poll_wait(&signalfd_wqh, pt);
	if (!t)
		return 0;
	pthread_mutex_lock(&t->sighand->siglock);
	pending = t->sigpending.signal | t->signal->shared_pending.signal;
	pthread_mutex_unlock(&t->sighand->siglock);
	return pending & atomic_load(&ctx->sigmask) ? LINUX_POLLIN : 0;
}

static const struct file_operations signalfd_ops = {
	.read = signalfd_read,
	.poll = signalfd_poll,
	.fstat = signalfd_fstat,
	.release = signalfd_release,
};

struct file *signalfd_file_alloc(linux_sigset_t mask, u32 flags)
{
	struct signalfd_ctx *ctx = malloc(sizeof(*ctx));
	struct file *f;

	if (!ctx)
		return NULL;
	atomic_init(&ctx->sigmask, mask);
	f = alloc_file(&signalfd_ops, -1, LINUX_O_RDWR | (flags & LINUX_O_NONBLOCK),
		       "anon_inode:[signalfd]");
	if (!f) {
		free(ctx);
		return NULL;
	}
	f->private_data = ctx;
	return f;
}

bool is_signalfd(struct file *f)
{
	return f->f_op == &signalfd_ops;
}

void signalfd_set_mask(struct task *t, struct file *f, linux_sigset_t mask)
{
	struct signalfd_ctx *ctx = f->private_data;
	struct wait_slot *w = signal_wait_slot(t);

	atomic_store(&ctx->sigmask, mask);
	/* A reader asleep on the old mask may now have a signal to take. */
	pthread_mutex_lock(&w->lock);
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
	signalfd_notify(); /* and pollers look again with it */
}
