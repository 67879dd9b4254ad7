/*
 * Host pass-through files: regular files, directories, terminals and
 * devices the guest opened in its root.  One host fd per open file
 * description, so the host's offset is the description's offset.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <termios.h>
#include "file.h"
#include "namei.h"
#include "../kernel/task.h"
#include "../kernel/signal.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"
#include "../../abi/linux/misc.h"

static long host_ret(long r)
{
	return r < 0 ? host_errno_to_linux(errno) : r;
}

/*
 * Before a read or write that may block in the host (a pipe, a terminal, a
 * socket, opened without O_NONBLOCK): wait until the fd is ready or a
 * signal is pending for the task.  Task threads block the host interrupt
 * signal except inside this ppoll, so a signal sent after the check still
 * breaks the wait (task_interrupt).  Returns 0 or -ERESTARTSYS.
 */
static long host_wait_ready(struct file *f, short events)
{
	struct task *t = task_current();
	struct pollfd p = { f->host_fd, events, 0 };

	if (!t || !f->host_may_block || file_nonblocking(f))
		return 0;
	for (;;) {
		int r = task_ppoll(t, &p, 1);
		if (r < 0 && errno == EINTR && signal_pending(t))
			return -LINUX_ERESTARTSYS;
		if (r > 0 || (r < 0 && errno != EINTR))
			return 0; /* ready, or an error the call itself reports */
	}
}

static bool may_wait(struct file *f)
{
	return f->host_may_block && !file_nonblocking(f);
}

/* Files that cannot say EAGAIN per call (terminals): the blocking call, once ready. */
static bool nowait_unsupported(int err)
{
	return err == EOPNOTSUPP || err == EINVAL;
}

/*
 * A read that may wait: ready first (interruptibly), then a read that
 * cannot block (RWF_NOWAIT), so another reader taking the data first sends
 * this one back to waiting instead of blocking it in the host.
 */
static long host_read(struct file *f, void *buf, u64 n)
{
	struct iovec v = { buf, n };
	long err;

	if (!n || !may_wait(f))
		return host_ret(read(f->host_fd, buf, n));
	for (;;) {
		if ((err = host_wait_ready(f, POLLIN)))
			return err;
		ssize_t r = preadv2(f->host_fd, &v, 1, -1, RWF_NOWAIT);
		if (r >= 0)
			return r;
		if (nowait_unsupported(errno))
			return host_ret(read(f->host_fd, buf, n));
		if (errno != EAGAIN)
			return host_errno_to_linux(errno);
	}
}

/*
 * A write that may wait moves what fits each time the file is ready, so a
 * signal can interrupt it between pieces: it then returns what was written,
 * as Linux's pipe_write does.  Readers gone after part of it was written:
 * that part is the result, and the writer gets SIGPIPE all the same.
 */
static long host_write(struct file *f, const void *buf, u64 n)
{
	u64 done = 0;
	long err;

	if (!n || !may_wait(f))
		return host_ret(write(f->host_fd, buf, n));
	while (done < n) {
		struct iovec v = { (u8 *)buf + done, n - done };
		if ((err = host_wait_ready(f, POLLOUT)))
			return done ? (long)done : err;
		ssize_t r = pwritev2(f->host_fd, &v, 1, -1, RWF_NOWAIT);
		if (r < 0 && nowait_unsupported(errno))
			r = write(f->host_fd, v.iov_base, v.iov_len);
		if (r >= 0) {
			done += r;
			continue;
		}
		if (errno == EAGAIN)
			continue;
		if (!done)
			return host_errno_to_linux(errno);
		if (errno == EPIPE && task_current())
			send_sig_simple(task_current(), LINUX_SIGPIPE, LINUX_SI_USER);
		break;
	}
	return (long)done;
}

static long host_pread(struct file *f, void *buf, u64 n, s64 pos)
{
	return host_ret(pread(f->host_fd, buf, n, pos));
}

static long host_pwrite(struct file *f, const void *buf, u64 n, s64 pos)
{
	return host_ret(pwrite(f->host_fd, buf, n, pos));
}

static s64 host_llseek(struct file *f, s64 off, int whence)
{
	static const int host_whence[] = { SEEK_SET, SEEK_CUR, SEEK_END, SEEK_DATA, SEEK_HOLE };

	if (whence < 0 || whence > LINUX_SEEK_HOLE)
		return -LINUX_EINVAL;
	return host_ret(lseek(f->host_fd, off, host_whence[whence]));
}

static long host_getdents64(struct file *f, void *buf, u64 n)
{
	/* The host is x86-64 Linux: its linux_dirent64 records are the guest's. */
	return host_ret(syscall(SYS_getdents64, f->host_fd, buf, n));
}

void stat_to_linux(const void *host_stat, struct linux_stat *st)
{
	const struct stat *hs = host_stat;

	memset(st, 0, sizeof(*st));
	st->st_dev = linux_makedev(major(hs->st_dev), minor(hs->st_dev));
	st->st_ino = hs->st_ino;
	st->st_nlink = hs->st_nlink;
	st->st_mode = hs->st_mode;
	st->st_uid = hs->st_uid;
	st->st_gid = hs->st_gid;
	st->st_rdev = linux_makedev(major(hs->st_rdev), minor(hs->st_rdev));
	st->st_size = hs->st_size;
	st->st_blksize = hs->st_blksize;
	st->st_blocks = hs->st_blocks;
	st->st_atime_sec = hs->st_atim.tv_sec;
	st->st_atime_nsec = hs->st_atim.tv_nsec;
	st->st_mtime_sec = hs->st_mtim.tv_sec;
	st->st_mtime_nsec = hs->st_mtim.tv_nsec;
	st->st_ctime_sec = hs->st_ctim.tv_sec;
	st->st_ctime_nsec = hs->st_ctim.tv_nsec;
}

long host_fstat_to_linux(int host_fd, struct linux_stat *st)
{
	struct stat hs;

	if (fstat(host_fd, &hs))
		return host_errno_to_linux(errno);
	stat_to_linux(&hs, st);
	return 0;
}

static long host_fstat(struct file *f, struct linux_stat *st)
{
	return host_fstat_to_linux(f->host_fd, st);
}

/* Terminal ioctls whose argument is a fixed-size struct the kernel copies. */
static long host_ioctl_struct(struct task *t, struct file *f, u32 cmd, u64 arg, size_t size,
			      bool to_guest)
{
	u8 buf[64];

	if (!to_guest && copy_from_user(t, buf, arg, size))
		return -LINUX_EFAULT;
	if (ioctl(f->host_fd, cmd, buf) < 0)
		return host_errno_to_linux(errno);
	if (to_guest && copy_to_user(t, arg, buf, size))
		return -LINUX_EFAULT;
	return 0;
}

/*
 * tcgetpgrp and tcsetpgrp in guest pgids.  While lxemu is the terminal's
 * foreground, the guest's foreground group is what tcsetpgrp last set;
 * while lxemu is in the background, no guest group is (0, as for a group
 * outside a pid namespace), so a job-control shell stops itself with
 * SIGTTIN until it is brought to the foreground.
 */
static long tty_pgrp_ioctl(struct task *t, struct file *f, u32 cmd, u64 arg)
{
	int host_fg = tcgetpgrp(f->host_fd), pgrp;

	if (host_fg < 0)
		return host_errno_to_linux(errno);
	if (cmd == LINUX_TIOCSPGRP) {
		if (copy_from_user(t, &pgrp, arg, sizeof(pgrp)))
			return -LINUX_EFAULT;
		return tty_set_foreground_pgrp(t, pgrp);
	}
	if (!tty_in_session(t))
		return -LINUX_ENOTTY; /* not its controlling terminal */
	pgrp = host_fg == getpgrp() ? tty_foreground_pgrp() : 0;
	return copy_to_user(t, arg, &pgrp, sizeof(pgrp)) ? -LINUX_EFAULT : 0;
}

static long host_ioctl(struct task *t, struct file *f, u32 cmd, u64 arg)
{
	switch (cmd) {
	case LINUX_TCGETS:
		return host_ioctl_struct(t, f, cmd, arg, sizeof(struct linux_termios), true);
	case LINUX_TCSETS:
	case LINUX_TCSETSW:
	case LINUX_TCSETSF:
		return host_ioctl_struct(t, f, cmd, arg, sizeof(struct linux_termios), false);
	case LINUX_TIOCGWINSZ:
		return host_ioctl_struct(t, f, cmd, arg, sizeof(struct linux_winsize), true);
	case LINUX_TIOCSWINSZ:
		return host_ioctl_struct(t, f, cmd, arg, sizeof(struct linux_winsize), false);
	case LINUX_FIONREAD:
		return host_ioctl_struct(t, f, cmd, arg, sizeof(int), true);
	case LINUX_TIOCGPGRP:
	case LINUX_TIOCSPGRP:
		return tty_pgrp_ioctl(t, f, cmd, arg);
	case LINUX_TCSBRK:
	case LINUX_TCSBRKP:
	case LINUX_TCXONC:
	case LINUX_TCFLSH:
		/* tcdrain, tcsendbreak, tcflow, tcflush: the argument is a value. */
		return host_ret(ioctl(f->host_fd, cmd, (unsigned long)arg));
	default:
		return -LINUX_ENOTTY;
	}
}

static void host_release(struct file *f)
{
	if (f->host_fd > 2)
		close(f->host_fd);
}

const struct file_operations host_file_ops = {
	.read = host_read,
	.write = host_write,
	.pread = host_pread,
	.pwrite = host_pwrite,
	.llseek = host_llseek,
	.ioctl = host_ioctl,
	.getdents64 = host_getdents64,
	.fstat = host_fstat,
	.release = host_release,
};

/*
 * Terminals: the host's, with Linux's job control on lxemu's own terminal
 * while lxemu holds its foreground on the host (tcgetpgrp there says
 * lxemu's group; a terminal that is not lxemu's says ENOTTY).  While lxemu
 * is in the background, the host stops lxemu itself, as any program.
 */
static long tty_job_check(struct task *t, struct file *f, int sig)
{
	if (!t || tcgetpgrp(f->host_fd) != getpgrp())
		return 0;
	return tty_check_change(t, sig);
}

static long tty_read(struct file *f, void *buf, u64 n)
{
	long err = tty_job_check(task_current(), f, LINUX_SIGTTIN);

	return err ? err : host_read(f, buf, n);
}

/* A background write is the terminal's business only under TOSTOP (n_tty_write). */
static long tty_write(struct file *f, const void *buf, u64 n)
{
	struct termios tio;
	long err;

	if (!tcgetattr(f->host_fd, &tio) && (tio.c_lflag & TOSTOP) &&
	    (err = tty_job_check(task_current(), f, LINUX_SIGTTOU)))
		return err;
	return host_write(f, buf, n);
}

/* The calls that change the terminal need its foreground (tty_ioctl, set_termios). */
static long tty_ioctl(struct task *t, struct file *f, u32 cmd, u64 arg)
{
	long err = 0;

	switch (cmd) {
	case LINUX_TIOCSPGRP:
		/* Linux's tiocspgrp: an orphaned group is told ENOTTY. */
		err = tty_job_check(t, f, LINUX_SIGTTOU);
		if (err == -LINUX_EIO)
			err = -LINUX_ENOTTY;
		break;
	case LINUX_TCSETS:
	case LINUX_TCSETSW:
	case LINUX_TCSETSF:
	case LINUX_TCSBRK:
	case LINUX_TCSBRKP:
	case LINUX_TCXONC:
	case LINUX_TCFLSH:
		err = tty_job_check(t, f, LINUX_SIGTTOU);
		break;
	}
	return err ? err : host_ioctl(t, f, cmd, arg);
}

static const struct file_operations host_tty_ops = {
	.read = tty_read,
	.write = tty_write,
	.pread = host_pread,
	.pwrite = host_pwrite,
	.llseek = host_llseek,
	.ioctl = tty_ioctl,
	.getdents64 = host_getdents64,
	.fstat = host_fstat,
	.release = host_release,
};

/* name with root (a real host path) cut off, into buf; false when name is not under root. */
static bool cut_root(const char *root, const char *name, char *buf, size_t size)
{
	size_t n = strlen(root);

	if (!strcmp(root, "/")) {
		snprintf(buf, size, "%s", name);
		return name[0] == '/';
	}
	if (strncmp(name, root, n) || (name[n] && name[n] != '/'))
		return false;
	snprintf(buf, size, "%s", name[n] ? name + n : "/");
	return true;
}

/*
 * The host's name of host_fd (its /proc/self/fd link) in buf.  Returns
 * true when it is a path inside the calling task's root, made the guest's
 * path (the root's part cut off).  Otherwise false, with buf: for a file
 * outside a chroot but inside --root, its path from --root (as Linux names
 * it from the real root); else the host's name (pipe:[N], or a path outside
 * every root).
 */
static bool host_fd_name(int host_fd, char *buf, size_t size)
{
	struct task *t = task_current();
	const char *root = kconfig.root ? kconfig.root : "/";
	char link[64], name[LINUX_PATH_MAX];
	ssize_t len;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", host_fd);
	len = readlink(link, name, sizeof(name) - 1);
	if (len <= 0)
		return false;
	name[len] = 0;
	if (cut_root(t && t->fs ? fs_root(t->fs)->path : root, name, buf, size))
		return true;
	if (!cut_root(root, name, buf, size))
		snprintf(buf, size, "%s", name);
	return false;
}

void host_fd_path(int host_fd, char *buf, size_t size)
{
	char name[LINUX_PATH_MAX];

	/* Outside the root, Linux too names a file by its path from the real root. */
	name[0] = 0;
	host_fd_name(host_fd, name, sizeof(name));
	if (name[0])
		snprintf(buf, size, "%s", name);
}

long host_fd_guest_path(int host_fd, char *buf, size_t size)
{
	return host_fd_name(host_fd, buf, size) ? 0 : -LINUX_ENOENT;
}

struct file *host_file_wrap(int host_fd, u32 flags, const char *path)
{
	struct stat st;
	bool known = !fstat(host_fd, &st);
	bool tty = (!known || S_ISCHR(st.st_mode)) && isatty(host_fd);
	struct file *f = alloc_file(tty ? &host_tty_ops : &host_file_ops, host_fd, flags, path);

	/* Pipes, terminals and sockets may make a read or write wait. */
	if (f && known)
		f->host_may_block = S_ISFIFO(st.st_mode) || S_ISCHR(st.st_mode) || S_ISSOCK(st.st_mode);
	return f;
}
