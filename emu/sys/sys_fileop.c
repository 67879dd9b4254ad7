/*
 * Calls on an open file's data and locks: fallocate, fadvise64, readahead,
 * flock and copy_file_range.  Host files pass to the host; lxemu's own
 * files (pipes, anonymous inodes) answer as Linux does for a FIFO or an
 * anonymous inode, found by their st_mode.
 */
#include <errno.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "syscall_handlers.h"
#include "../kernel/signal.h"
#include "../kernel/task.h"
#include "../fs/file.h"
#include "../fs/rw.h"
#include "../mm/mm.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"
#include "../../abi/linux/fs.h"
#include "../../abi/linux/stat.h"

/* How often a blocking flock tries again while the lock is held elsewhere. */
#define FLOCK_RETRY_NS (10 * 1000 * 1000)

/* A kernel file is a FIFO (a pipe end) or an anonymous inode. */
static bool kernel_file_is_fifo(struct file *f)
{
	struct linux_stat st;

	return f->f_op->fstat && !f->f_op->fstat(f, &st) &&
	       (st.st_mode & LINUX_S_IFMT) == LINUX_S_IFIFO;
}

static long host_ret(long r)
{
	return r < 0 ? host_errno_to_linux(errno) : r;
}

long sys_fallocate(struct task *t, int fd, int mode, s64 offset, s64 len)
{
	struct file *f = fget(t, fd);
	long ret;

	if (!f)
		return -LINUX_EBADF;
	if (f->f_flags & LINUX_O_PATH)
		ret = -LINUX_EBADF;
	else if (f->host_fd >= 0)
		ret = host_ret(fallocate(f->host_fd, mode, offset, len));
	else if (offset < 0 || len <= 0)
		ret = -LINUX_EINVAL;
	else if (!file_writable(f))
		ret = -LINUX_EBADF;
	else /* vfs_fallocate: a FIFO is ESPIPE, anything else not regular ENODEV */
		ret = kernel_file_is_fifo(f) ? -LINUX_ESPIPE : -LINUX_ENODEV;
	fput(f);
	return ret;
}

long sys_fadvise64(struct task *t, int fd, s64 offset, u64 len, int advice)
{
	struct file *f = fget(t, fd);
	long ret;

	if (!f)
		return -LINUX_EBADF;
	if (f->f_flags & LINUX_O_PATH)
		ret = -LINUX_EBADF;
	else if (f->host_fd >= 0)
		ret = host_ret(syscall(SYS_fadvise64, f->host_fd, offset, len, advice));
	else if (kernel_file_is_fifo(f))
		ret = -LINUX_ESPIPE;
	else /* generic_fadvise on an anonymous inode: nothing to do for good advice */
		ret = (s64)len < 0 || advice < LINUX_POSIX_FADV_NORMAL ||
		      advice > LINUX_POSIX_FADV_NOREUSE ? -LINUX_EINVAL : 0;
	fput(f);
	return ret;
}

long sys_readahead(struct task *t, int fd, s64 offset, u64 count)
{
	struct file *f = fget(t, fd);
	long ret;

	if (!f)
		return -LINUX_EBADF;
	if (!file_readable(f))
		ret = -LINUX_EBADF;
	else if (f->host_fd >= 0)
		ret = host_ret(syscall(SYS_readahead, f->host_fd, offset, count));
	else /* only regular files and block devices have pages to read ahead */
		ret = -LINUX_EINVAL;
	fput(f);
	return ret;
}

/*
 * flock on a host file is the host's lock on its open file description,
 * so guest processes exclude each other as on Linux.  A blocking lock is
 * taken by retrying LOCK_NB, so that a signal can interrupt the wait.
 * lxemu's own files take any lock at once: their locks conflict with
 * nothing (Linux would make a pipe's two ends exclude each other).
 */
static long host_flock(struct task *t, int host_fd, u32 cmd)
{
	struct timespec retry = { 0, FLOCK_RETRY_NS };

	for (;;) {
		if (!flock(host_fd, (int)(cmd | LOCK_NB)))
			return 0;
		if (errno != EWOULDBLOCK || (cmd & LOCK_NB))
			return host_errno_to_linux(errno);
		task_ppoll_timeout(t, NULL, 0, &retry, NULL);
		if (signal_pending(t))
			return -LINUX_ERESTARTSYS;
	}
}

long sys_flock(struct task *t, int fd, u32 cmd)
{
	struct file *f = fget(t, fd);
	u32 op = cmd & ~LINUX_LOCK_NB;
	long ret;

	if (!f)
		return -LINUX_EBADF;
	if (f->f_flags & LINUX_O_PATH)
		ret = -LINUX_EBADF;
	else if (op != LINUX_LOCK_SH && op != LINUX_LOCK_EX && op != LINUX_LOCK_UN)
		ret = -LINUX_EINVAL;
	else if (f->host_fd >= 0)
		ret = host_flock(t, f->host_fd, (op == LINUX_LOCK_SH ? LOCK_SH :
						 op == LINUX_LOCK_EX ? LOCK_EX : LOCK_UN) |
						(cmd & LINUX_LOCK_NB ? LOCK_NB : 0));
	else
		ret = 0;
	fput(f);
	return ret;
}

/* The file's st_mode, host or kernel. */
static u32 file_mode(struct file *f)
{
	struct linux_stat st;

	if (f->host_fd >= 0)
		return host_fstat_to_linux(f->host_fd, &st) ? 0 : st.st_mode;
	return f->f_op->fstat && !f->f_op->fstat(f, &st) ? st.st_mode : 0;
}

/* Linux's generic_file_rw_checks where one side is lxemu's own file. */
static long copy_range_kernel_check(struct file *in, struct file *out)
{
	if ((file_mode(in) & LINUX_S_IFMT) == LINUX_S_IFDIR ||
	    (file_mode(out) & LINUX_S_IFMT) == LINUX_S_IFDIR)
		return -LINUX_EISDIR;
	return -LINUX_EINVAL;
}

long sys_copy_file_range(struct task *t, int fd_in, u64 uoff_in, int fd_out, u64 uoff_out,
			 u64 len, u32 flags)
{
	struct file *in = fget(t, fd_in), *out = fget(t, fd_out);
	s64 pos_in = 0, pos_out = 0;
	long ret = -LINUX_EBADF;

	if (!in || !out || (in->f_flags & LINUX_O_PATH) || (out->f_flags & LINUX_O_PATH))
		goto out_put;
	ret = -LINUX_EFAULT;
	if ((uoff_in && copy_from_user(t, &pos_in, uoff_in, sizeof(pos_in))) ||
	    (uoff_out && copy_from_user(t, &pos_out, uoff_out, sizeof(pos_out))))
		goto out_put;
	ret = -LINUX_EINVAL;
	if (flags)
		goto out_put;
	if (in->host_fd < 0 || out->host_fd < 0) {
		ret = copy_range_kernel_check(in, out);
		goto out_put;
	}
	ret = host_ret(syscall(SYS_copy_file_range, in->host_fd, uoff_in ? &pos_in : NULL,
			       out->host_fd, uoff_out ? &pos_out : NULL, len, 0));
	if (ret > 0) {
		mm_file_written(t, out);
		if ((uoff_in && copy_to_user(t, uoff_in, &pos_in, sizeof(pos_in))) ||
		    (uoff_out && copy_to_user(t, uoff_out, &pos_out, sizeof(pos_out))))
			ret = -LINUX_EFAULT;
	}
out_put:
	if (in)
		fput(in);
	if (out)
		fput(out);
	return ret;
}
