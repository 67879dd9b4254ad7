/*
 * poll and ppoll.  Kernel files (pipes) answer through their poll op and
 * wake the caller through their wait queues; host files (terminals,
 * sockets, regular files) are polled in the host, in an interruptible wait
 * (task_ppoll_timeout) that a kernel wake-up ends too.  Files with neither
 * (signalfd, pidfd) count as ready for what they are asked; select,
 * pselect6 and epoll come with the files issue.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "syscall_handlers.h"
#include "../kernel/task.h"
#include "../kernel/ktime.h"
#include "../kernel/signal.h"
#include "../kernel/wait.h"
#include "../fs/file.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"

#define POLL_MAX_FDS 4096 /* RLIMIT_NOFILE-sized, as Linux's check */

struct poll_state {
	u32 nfds;
	struct pollfd *pfd;   /* the guest's array */
	struct file **files;
	struct pollfd *host;  /* the host files among them */
	u32 *host_of;         /* host[k] is pfd[host_of[k]] */
	u32 nhost;
};

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
			p->revents = (short)(f->f_op->poll(f, pt) & ((unsigned)(u16)p->events | POLLERR | POLLHUP));
		else
			p->revents = p->events & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
		ready += p->revents != 0;
	}
	return ready;
}

/*
 * Looks until something is ready, the timeout passes or a signal comes.
 * Returns the number of ready entries (revents filled), or -errno.
 */
static long poll_loop(struct task *t, struct poll_state *ps, const struct timespec *timeout)
{
	struct poll_table pt;
	struct timespec deadline, left, zero = { 0, 0 };
	bool timed_out = timeout && !timeout->tv_sec && !timeout->tv_nsec;
	long ret;

	if (timeout)
		deadline_in(timeout, &deadline);
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
				if (timeout)
					time_left(&deadline, &left);
				r = task_ppoll_timeout(t, ps->host, ps->nhost, timeout ? &left : NULL,
						       &pt.triggered);
			}
			if (r > 0 || (r == 0 && look_only)) {
				for (u32 k = 0; k < ps->nhost; k++)
					ps->pfd[ps->host_of[k]].revents = ps->host[k].revents;
				ret = ready + r;
				break;
			}
			if (r == 0) {
				timed_out = true; /* one last look, as Linux's do_poll */
				continue;
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
		long err = poll_table_sleep(&pt, timeout ? &deadline : NULL);
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

static long do_poll(struct task *t, u64 ufds, u32 nfds, const struct timespec *timeout)
{
	struct poll_state ps = { .nfds = nfds };
	long ret;

	if (nfds > POLL_MAX_FDS)
		return -LINUX_EINVAL;
	if (nfds && (!(ps.pfd = calloc(nfds, sizeof(*ps.pfd))) ||
		     !(ps.host = calloc(nfds, sizeof(*ps.host))) ||
		     !(ps.host_of = calloc(nfds, sizeof(*ps.host_of))) ||
		     !(ps.files = calloc(nfds, sizeof(*ps.files))))) {
		ret = -LINUX_ENOMEM;
		goto out;
	}
	if (nfds && copy_from_user(t, ps.pfd, ufds, nfds * sizeof(*ps.pfd))) {
		ret = -LINUX_EFAULT;
		goto out;
	}
	for (u32 i = 0; i < nfds; i++) {
		ps.pfd[i].revents = 0;
		if (ps.pfd[i].fd < 0 || !(ps.files[i] = fget(t, ps.pfd[i].fd)))
			continue;
		if (!ps.files[i]->f_op->poll && ps.files[i]->host_fd >= 0) {
			ps.host[ps.nhost].fd = ps.files[i]->host_fd;
			ps.host[ps.nhost].events = ps.pfd[i].events | POLLERR | POLLHUP;
			ps.host_of[ps.nhost++] = i;
		}
	}
	ret = poll_loop(t, &ps, timeout);
	/* Linux writes revents back even when the wait was interrupted. */
	if (nfds && copy_to_user(t, ufds, ps.pfd, nfds * sizeof(*ps.pfd)))
		ret = -LINUX_EFAULT;
out:
	for (u32 i = 0; ps.files && i < nfds; i++)
		if (ps.files[i])
			fput(ps.files[i]);
	free(ps.files);
	free(ps.host_of);
	free(ps.host);
	free(ps.pfd);
	return ret;
}

long sys_poll(struct task *t, u64 ufds, u32 nfds, int timeout_msecs)
{
	struct timespec ts = { timeout_msecs / 1000, (long)(timeout_msecs % 1000) * 1000000 };

	return do_poll(t, ufds, nfds, timeout_msecs < 0 ? NULL : &ts);
}

long sys_ppoll(struct task *t, u64 ufds, u32 nfds, u64 utsp, u64 usigmask, u64 sigsetsize)
{
	struct timespec ts;
	linux_sigset_t set;
	long err;

	if (utsp && (err = get_user_timespec(t, utsp, &ts)))
		return err;
	if (usigmask) {
		if (sigsetsize != sizeof(set))
			return -LINUX_EINVAL;
		if (copy_from_user(t, &set, usigmask, sizeof(set)))
			return -LINUX_EFAULT;
		/* As rt_sigsuspend: the mask holds while it waits, the old one returns after delivery. */
		set_restore_sigmask(t, set);
	}
	err = do_poll(t, ufds, nfds, utsp ? &ts : NULL);
	/* Not interrupted: the caller's mask is back at once. */
	if (usigmask && err != -LINUX_ERESTARTNOHAND) {
		pthread_mutex_lock(&t->sighand->siglock);
		t->blocked = t->saved_sigmask;
		pthread_mutex_unlock(&t->sighand->siglock);
		t->restore_sigmask = false;
		recalc_sigpending(t);
	}
	return err;
}
