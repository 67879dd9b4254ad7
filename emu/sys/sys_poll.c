/*
 * poll and ppoll.  Kernel files (pipes) answer through their poll op and
 * wake the caller through their wait queues; host files (terminals,
 * sockets, regular files) are polled in the host, in an interruptible wait
 * (task_ppoll_timeout) that a kernel wake-up ends too.  Files with neither
 * (pidfd) count as ready for what they are asked.  epoll is eventpoll.c.
 */
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "syscall_handlers.h"
#include "../kernel/task.h"
#include "../kernel/ktime.h"
#include "../kernel/signal.h"
#include "../kernel/wait.h"
#include "../fs/file.h"
#include "../fs/eventpoll.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"

#define POLL_MAX_FDS 4096 /* RLIMIT_NOFILE-sized, as Linux's check */
/* A host fd watched only to look at a kernel file again: an epoll file's host items. */
#define NOT_PFD UINT32_MAX

struct poll_state {
	u32 nfds;
	struct pollfd *pfd;   /* what is asked; revents the answer */
	struct file **files;
	struct pollfd *host;  /* the host files among them */
	u32 *host_of;         /* host[k] is pfd[host_of[k]], or NOT_PFD */
	u32 nhost;
	bool select;          /* select's rule: only the events asked count, POLLERR/POLLHUP too */
};

static short filter(const struct poll_state *ps, const struct pollfd *p, unsigned mask)
{
	unsigned want = (u16)p->events;

	if (!ps->select)
		want |= POLLERR | POLLHUP;
	return (short)(mask & want);
}

/* One look at every kernel file; counts those ready (host files aside). */
static int poll_kernel_files(struct poll_state *ps, struct poll_table *pt)
{
	int ready = 0;

	for (u32 i = 0; i < ps->nfds; i++) {
		struct pollfd *p = &ps->pfd[i];
		struct file *f = ps->files[i];
		if (p->fd < 0 || (f && !f->f_op->poll && f->host_fd >= 0))
			continue;
		if (!f)
			p->revents = POLLNVAL;
		else if (f->f_op->poll)
			p->revents = filter(ps, p, f->f_op->poll(f, pt));
		else
			p->revents = p->events & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
		ready += p->revents != 0;
	}
	return ready;
}

/* The host files' answers; counts those ready. */
static int take_host_events(struct poll_state *ps)
{
	int ready = 0;

	for (u32 k = 0; k < ps->nhost; k++) {
		if (ps->host_of[k] == NOT_PFD)
			continue;
		struct pollfd *p = &ps->pfd[ps->host_of[k]];
		p->revents = filter(ps, p, (u16)ps->host[k].revents);
		ready += p->revents != 0;
	}
	return ready;
}

/*
 * Looks until something is ready, the CLOCK_MONOTONIC deadline passes or a
 * signal comes.  Returns the number of ready entries (revents filled), or
 * -errno.
 */
static long poll_loop(struct task *t, struct poll_state *ps, const struct timespec *deadline)
{
	struct poll_table pt;
	struct timespec left, zero = { 0, 0 };
	bool timed_out = false;
	long ret;

	if (deadline) {
		time_left(deadline, &left);
		timed_out = !left.tv_sec && !left.tv_nsec;
	}
	poll_table_init(&pt, t, timed_out ? 0 : (int)ps->nfds);
	for (;;) {
		int ready = poll_kernel_files(ps, timed_out ? NULL : &pt);
		bool look_only = ready || timed_out;
		pt.registering = false;
		if (ps->nhost) {
			int r;
			if (look_only) {
				r = ppoll(ps->host, ps->nhost, &zero, NULL);
			} else {
				if (deadline)
					time_left(deadline, &left);
				r = task_ppoll_timeout(t, ps->host, ps->nhost, deadline ? &left : NULL,
						       &pt.triggered);
			}
			if (r >= 0) {
				ready += take_host_events(ps);
				if (ready || look_only) {
					ret = ready;
					break;
				}
				if (r == 0)
					timed_out = true; /* one last look, as Linux's do_poll */
				continue;  /* only events select does not count */
			}
			if (errno != EINTR) {
				ret = host_errno_to_linux(errno);
				break;
			}
			if (signal_pending(t)) {
				ret = -LINUX_ERESTARTNOHAND;
				break;
			}
			atomic_store(&pt.triggered, false); /* a kernel file changed: look again */
			continue;
		}
		if (look_only) {
			ret = ready;
			break;
		}
		long err = poll_table_sleep(&pt, deadline);
		if (err == -LINUX_EINTR) {
			ret = -LINUX_ERESTARTNOHAND;
			break;
		}
		if (err == -LINUX_ETIMEDOUT)
			timed_out = true;
	}
	poll_table_free(&pt);
	return ret;
}

/* Frees what poll_state_init took. */
static void poll_state_free(struct poll_state *ps)
{
	for (u32 i = 0; ps->files && i < ps->nfds; i++)
		if (ps->files[i])
			fput(ps->files[i]);
	free(ps->files);
	free(ps->host_of);
	free(ps->host);
}

/* Takes the files of ps->pfd (filled by the caller). */
static long poll_state_init(struct task *t, struct poll_state *ps)
{
	u32 n = ps->nfds;

	if (n && (!(ps->host = calloc(n, sizeof(*ps->host))) ||
		  !(ps->host_of = calloc(n, sizeof(*ps->host_of))) ||
		  !(ps->files = calloc(n, sizeof(*ps->files)))))
		return -LINUX_ENOMEM;
	for (u32 i = 0; i < n; i++) {
		struct pollfd *p = &ps->pfd[i];
		p->revents = 0;
		if (p->fd < 0 || !(ps->files[i] = fget(t, p->fd)))
			continue;
		struct file *f = ps->files[i];
		int hfd;
		if (!f->f_op->poll && f->host_fd >= 0) {
			ps->host[ps->nhost].fd = f->host_fd;
			ps->host[ps->nhost].events = p->events;
			ps->host_of[ps->nhost++] = i;
		} else if ((p->events & POLLIN) && is_file_epoll(f) &&
			   (hfd = eventpoll_host_fd(f)) >= 0) {
			ps->host[ps->nhost].fd = hfd; /* readable: its host items have events */
			ps->host[ps->nhost].events = POLLIN;
			ps->host_of[ps->nhost++] = NOT_PFD;
		}
	}
	return 0;
}

static long do_poll(struct task *t, u64 ufds, u32 nfds, const struct timespec *deadline)
{
	struct poll_state ps = { .nfds = nfds };
	long ret;

	if (nfds > POLL_MAX_FDS)
		return -LINUX_EINVAL;
	if (nfds && !(ps.pfd = calloc(nfds, sizeof(*ps.pfd))))
		return -LINUX_ENOMEM;
	if (nfds && copy_from_user(t, ps.pfd, ufds, nfds * sizeof(*ps.pfd)))
		ret = -LINUX_EFAULT;
	else if (!(ret = poll_state_init(t, &ps)))
		ret = poll_loop(t, &ps, deadline);
	/* Linux writes revents back even when the wait was interrupted. */
	if (ret != -LINUX_EFAULT && ret != -LINUX_ENOMEM && nfds &&
	    copy_to_user(t, ufds, ps.pfd, nfds * sizeof(*ps.pfd)))
		ret = -LINUX_EFAULT;
	poll_state_free(&ps);
	free(ps.pfd);
	return ret;
}

/* A relative timeout from now: the deadline the wait keeps to. */
static const struct timespec *deadline_of(const struct timespec *rel, struct timespec *deadline)
{
	if (!rel)
		return NULL;
	deadline_in(rel, deadline);
	return deadline;
}

/*
 * ppoll, select and pselect6 write back what is left of the timeout
 * (Linux's poll_select_finish), also when a signal interrupted them.
 */
static long put_time_left(struct task *t, u64 uts, const struct timespec *deadline, bool timeval,
			  long ret)
{
	struct timespec left;

	if (!uts || !deadline || ret == -LINUX_EFAULT)
		return ret;
	time_left(deadline, &left);
	if (timeval) {
		struct { s64 sec, usec; } tv = { left.tv_sec, left.tv_nsec / 1000 };
		if (copy_to_user(t, uts, &tv, sizeof(tv)))
			return ret == -LINUX_ERESTARTNOHAND ? -LINUX_EINTR : ret;
	} else {
		struct { s64 sec, nsec; } ts = { left.tv_sec, left.tv_nsec };
		if (copy_to_user(t, uts, &ts, sizeof(ts)))
			return ret == -LINUX_ERESTARTNOHAND ? -LINUX_EINTR : ret;
	}
	return ret;
}

long sys_poll(struct task *t, u64 ufds, u32 nfds, int timeout_msecs)
{
	struct timespec ts = { timeout_msecs / 1000, (long)(timeout_msecs % 1000) * 1000000 }, d;

	return do_poll(t, ufds, nfds, timeout_msecs < 0 ? NULL : deadline_of(&ts, &d));
}

long sys_ppoll(struct task *t, u64 ufds, u32 nfds, u64 utsp, u64 usigmask, u64 sigsetsize)
{
	struct timespec ts, d;
	const struct timespec *deadline = NULL;
	long err;

	if (utsp && (err = get_user_timespec(t, utsp, &ts)))
		return err;
	if (utsp)
		deadline = deadline_of(&ts, &d);
	if ((err = set_user_sigmask(t, usigmask, sigsetsize)))
		return err;
	err = do_poll(t, ufds, nfds, deadline);
	restore_saved_sigmask_unless(t, err == -LINUX_ERESTARTNOHAND);
	return put_time_left(t, utsp, deadline, false, err);
}

/* ---- select ---- */

#define POLLIN_SET (POLLRDNORM | POLLRDBAND | POLLIN | POLLHUP | POLLERR)
#define POLLOUT_SET (POLLWRBAND | POLLWRNORM | POLLOUT | POLLERR)
#define POLLEX_SET POLLPRI

static bool bit(const u64 *set, int fd)
{
	return set && (set[fd / 64] >> (fd % 64) & 1);
}

static long do_select(struct task *t, int n, u64 uin, u64 uout, u64 uex,
		      const struct timespec *deadline)
{
	struct poll_state ps = { .select = true };
	u64 *sets[3] = { NULL, NULL, NULL }, uset[3] = { uin, uout, uex };
	size_t words;
	long ret = 0;

	if (n < 0)
		return -LINUX_EINVAL;
	pthread_mutex_lock(&t->files->file_lock);
	if (n > t->files->max_fds)
		n = t->files->max_fds; /* past the table nothing is open */
	pthread_mutex_unlock(&t->files->file_lock);
	words = ((size_t)n + 63) / 64;
	for (int s = 0; s < 3; s++) {
		if (!uset[s] || !n)
			continue;
		if (!(sets[s] = calloc(words, sizeof(u64)))) {
			ret = -LINUX_ENOMEM;
			goto out;
		}
		if (copy_from_user(t, sets[s], uset[s], (n + 7) / 8)) {
			ret = -LINUX_EFAULT;
			goto out;
		}
		if (n % 64) /* bits past n are not looked at */
			sets[s][words - 1] &= ~0ull >> (64 - n % 64);
	}
	if (n && !(ps.pfd = calloc((size_t)n, sizeof(*ps.pfd)))) {
		ret = -LINUX_ENOMEM;
		goto out;
	}
	for (int fd = 0; fd < n; fd++) {
		short ev = (bit(sets[0], fd) ? POLLIN_SET : 0) | (bit(sets[1], fd) ? POLLOUT_SET : 0) |
			   (bit(sets[2], fd) ? POLLEX_SET : 0);
		if (!ev)
			continue;
		struct file *f = fget(t, fd);
		if (!f) {
			ret = -LINUX_EBADF;
			goto out;
		}
		fput(f);
		ps.pfd[ps.nfds++] = (struct pollfd){ fd, ev, 0 };
	}
	if (!(ret = poll_state_init(t, &ps)))
		ret = poll_loop(t, &ps, deadline);
	if (ret < 0)
		goto out;
	/* Each set back with the bits of its kind of readiness; the count is of bits. */
	for (int s = 0; s < 3; s++)
		if (sets[s])
			memset(sets[s], 0, words * sizeof(u64));
	ret = 0;
	for (u32 i = 0; i < ps.nfds; i++) {
		static const short kinds[3] = { POLLIN_SET, POLLOUT_SET, POLLEX_SET };
		int fd = ps.pfd[i].fd;
		for (int s = 0; s < 3; s++)
			if (sets[s] && (ps.pfd[i].events & kinds[s]) && (ps.pfd[i].revents & kinds[s])) {
				sets[s][fd / 64] |= 1ull << (fd % 64);
				ret++;
			}
	}
	for (int s = 0; s < 3; s++)
		if (sets[s] && copy_to_user(t, uset[s], sets[s], (n + 7) / 8))
			ret = -LINUX_EFAULT;
out:
	poll_state_free(&ps);
	free(ps.pfd);
	for (int s = 0; s < 3; s++)
		free(sets[s]);
	return ret;
}

long sys_select(struct task *t, int n, u64 uinp, u64 uoutp, u64 uexp, u64 utvp)
{
	struct timespec ts, d;
	const struct timespec *deadline = NULL;

	if (utvp) {
		struct { s64 sec, usec; } tv;
		if (copy_from_user(t, &tv, utvp, sizeof(tv)))
			return -LINUX_EFAULT;
		if (tv.sec < 0 || tv.usec < 0)
			return -LINUX_EINVAL;
		/* Linux's poll_select_set_timeout: microseconds past a second carry over. */
		ts.tv_sec = tv.sec + tv.usec / 1000000;
		ts.tv_nsec = (tv.usec % 1000000) * 1000;
		deadline = deadline_of(&ts, &d);
	}
	return put_time_left(t, utvp, deadline, true, do_select(t, n, uinp, uoutp, uexp, deadline));
}

long sys_pselect6(struct task *t, int n, u64 uinp, u64 uoutp, u64 uexp, u64 utsp, u64 usig)
{
	struct timespec ts, d;
	const struct timespec *deadline = NULL;
	struct { u64 set, size; } sig = { 0, 0 };
	long err;

	if (utsp) {
		if ((err = get_user_timespec(t, utsp, &ts)))
			return err;
		deadline = deadline_of(&ts, &d);
	}
	if (usig && copy_from_user(t, &sig, usig, sizeof(sig)))
		return -LINUX_EFAULT;
	if ((err = set_user_sigmask(t, sig.set, sig.size)))
		return err;
	err = do_select(t, n, uinp, uoutp, uexp, deadline);
	restore_saved_sigmask_unless(t, err == -LINUX_ERESTARTNOHAND);
	return put_time_left(t, utsp, deadline, false, err);
}
