/*
 * poll and ppoll over the descriptors' host files: the host polls, in an
 * interruptible wait (task_ppoll), so a signal ends it as on Linux.  Files
 * with no host side (signalfd, pidfd) count as ready for what they are
 * asked; select, pselect6 and epoll come with the files issue.
 */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "syscall_handlers.h"
#include "../kernel/task.h"
#include "../kernel/ktime.h"
#include "../fs/file.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"

#define POLL_MAX_FDS 4096 /* RLIMIT_NOFILE-sized, as Linux's check */

static long do_poll(struct task *t, u64 ufds, u32 nfds, const struct timespec *timeout)
{
	struct pollfd *pfd = NULL, *host = NULL;
	struct file **files = NULL;
	long ret;

	if (nfds > POLL_MAX_FDS)
		return -LINUX_EINVAL;
	if (nfds && (!(pfd = calloc(nfds, sizeof(*pfd))) || !(host = calloc(nfds, sizeof(*host))) ||
		     !(files = calloc(nfds, sizeof(*files))))) {
		ret = -LINUX_ENOMEM;
		goto out;
	}
	if (nfds && copy_from_user(t, pfd, ufds, nfds * sizeof(*pfd))) {
		ret = -LINUX_EFAULT;
		goto out;
	}
	int ready = 0;
	for (u32 i = 0; i < nfds; i++) {
		pfd[i].revents = 0;
		host[i].fd = -1;
		host[i].events = pfd[i].events | POLLERR | POLLHUP;
		if (pfd[i].fd < 0)
			continue;
		files[i] = fget(t, pfd[i].fd);
		if (!files[i])
			pfd[i].revents = POLLNVAL;
		else if (files[i]->host_fd >= 0)
			host[i].fd = files[i]->host_fd;
		else
			pfd[i].revents = pfd[i].events & (POLLIN | POLLOUT | POLLRDNORM | POLLWRNORM);
		ready += pfd[i].revents != 0;
	}
	/* Something is ready already: look without waiting. */
	struct timespec zero = { 0, 0 };
	int r = task_ppoll_timeout(t, host, nfds, ready ? &zero : timeout);
	if (r < 0) {
		ret = errno == EINTR ? -LINUX_ERESTARTNOHAND : host_errno_to_linux(errno);
		goto out;
	}
	ret = 0;
	for (u32 i = 0; i < nfds; i++) {
		if (host[i].fd >= 0)
			pfd[i].revents = host[i].revents;
		ret += pfd[i].revents != 0;
	}
	if (nfds && copy_to_user(t, ufds, pfd, nfds * sizeof(*pfd)))
		ret = -LINUX_EFAULT;
out:
	for (u32 i = 0; files && i < nfds; i++)
		if (files[i])
			fput(files[i]);
	free(files);
	free(host);
	free(pfd);
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
