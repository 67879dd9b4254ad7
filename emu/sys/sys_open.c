/*
 * Opening and closing: open, openat, close, close_range, and the fd-table
 * calls dup, dup2, dup3, fcntl, ioctl and lseek.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include "syscall_handlers.h"
#include "../kernel/task.h"
#include "../fs/file.h"
#include "../fs/namei.h"
#include "../fs/pipe.h"
#include "../fs/procfs.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"
#include "../../abi/linux/fs.h"
#include "../../abi/linux/misc.h"

/* Flags F_GETFL reports and F_SETFL may change. */
#define SETFL_MASK (LINUX_O_APPEND | LINUX_O_NONBLOCK | LINUX_O_ASYNC | LINUX_O_DIRECT | \
		    LINUX_O_NOATIME)
#define CREATION_FLAGS (LINUX_O_CREAT | LINUX_O_EXCL | LINUX_O_NOCTTY | LINUX_O_TRUNC | \
			LINUX_O_CLOEXEC)

long do_sys_openat(struct task *t, int dirfd, u64 upath, u32 flags, u32 mode)
{
	char path[LINUX_PATH_MAX];
	struct file *f;
	long err = getname(t, path, upath);
	int hfd, fd;

	if (err < 0)
		return err;
	f = procfs_open(t, path, flags);
	if (IS_ERR(f))
		return PTR_ERR(f);
	if (f)
		goto install;
	if (flags & (LINUX_O_CREAT | LINUX_O_TMPFILE))
		mode &= 07777 & ~t->fs->umask;
	err = path_open(t, dirfd, path, linux_open_flags_to_host(flags) | O_CLOEXEC, mode);
	if (err < 0)
		return err;
	hfd = (int)err;
	/* Named when asked (/proc/self/fd, maps): by the host's path of the fd then. */
	f = host_file_wrap(hfd, (flags & ~CREATION_FLAGS) | LINUX_O_LARGEFILE, NULL);
	if (!f) {
		close(hfd);
		return -LINUX_ENOMEM;
	}
	/* The host's /proc lists the guest's pids, not its own. */
	if ((err = procfs_wrap_host_dir(f))) {
		fput(f);
		return err;
	}
install:
	fd = fd_install_lowest(t, f, 0, flags & LINUX_O_CLOEXEC);
	if (fd < 0)
		fput(f);
	return fd;
}

long sys_open(struct task *t, u64 upath, int flags, u32 mode)
{
	return do_sys_openat(t, LINUX_AT_FDCWD, upath, flags, mode);
}

long sys_openat(struct task *t, int dirfd, u64 upath, int flags, u32 mode)
{
	return do_sys_openat(t, dirfd, upath, flags, mode);
}

long sys_close(struct task *t, int fd)
{
	return close_fd(t, fd);
}

/* CLOSE_RANGE_UNSHARE: this task's own copy of a table other tasks share (unshare_fd). */
static long unshare_files(struct task *t)
{
	struct files_struct *copy, *shared = t->files;

	if (atomic_load(&shared->count) == 1)
		return 0;
	if (!(copy = dup_fd(shared)))
		return -LINUX_ENOMEM;
	tasklist_lock();
	t->files = copy;
	tasklist_unlock();
	put_files(shared);
	return 0;
}

long sys_close_range(struct task *t, u32 fd, u32 max_fd, u32 flags)
{
	long err;

	if (flags & ~(LINUX_CLOSE_RANGE_UNSHARE | LINUX_CLOSE_RANGE_CLOEXEC))
		return -LINUX_EINVAL;
	if (fd > max_fd)
		return -LINUX_EINVAL;
	if ((flags & LINUX_CLOSE_RANGE_UNSHARE) && (err = unshare_files(t)))
		return err;
	close_fd_range(t->files, fd, max_fd, flags & LINUX_CLOSE_RANGE_CLOEXEC);
	return 0;
}

long sys_lseek(struct task *t, int fd, s64 off, int whence)
{
	struct file *f = fget(t, fd);
	s64 ret;

	if (!f)
		return -LINUX_EBADF;
	ret = f->f_op->llseek ? f->f_op->llseek(f, off, whence) : -LINUX_ESPIPE;
	fput(f);
	return ret;
}

long sys_dup(struct task *t, int oldfd)
{
	struct file *f = fget(t, oldfd);
	int fd;

	if (!f)
		return -LINUX_EBADF;
	fd = fd_install_lowest(t, f, 0, false);
	if (fd < 0)
		fput(f);
	return fd;
}

long sys_dup3(struct task *t, int oldfd, int newfd, int flags)
{
	struct file *f;
	int ret;

	if ((flags & ~LINUX_O_CLOEXEC) || oldfd == newfd)
		return -LINUX_EINVAL;
	if (newfd < 0 || newfd >= task_rlimit_nofile(t))
		return -LINUX_EBADF;
	f = fget(t, oldfd);
	if (!f)
		return -LINUX_EBADF;
	ret = fd_install_at(t, newfd, f, flags & LINUX_O_CLOEXEC);
	if (ret < 0)
		fput(f);
	return ret;
}

long sys_dup2(struct task *t, int oldfd, int newfd)
{
	if (oldfd == newfd) {
		struct file *f = fget(t, oldfd);
		if (!f)
			return -LINUX_EBADF;
		fput(f);
		return newfd;
	}
	return sys_dup3(t, oldfd, newfd, 0);
}

static long fcntl_dupfd(struct task *t, int fd, u64 arg, bool cloexec)
{
	struct file *f;
	int ret;

	if (arg >= (u64)task_rlimit_nofile(t))
		return -LINUX_EINVAL;
	f = fget(t, fd);
	if (!f)
		return -LINUX_EBADF;
	ret = fd_install_lowest(t, f, (int)arg, cloexec);
	if (ret < 0)
		fput(f);
	return ret;
}

static long fcntl_setfl(struct file *f, u32 flags)
{
	int hfl;

	pthread_mutex_lock(&f->f_lock);
	f->f_flags = (f->f_flags & ~SETFL_MASK) | (flags & SETFL_MASK);
	if (f->host_fd >= 0 && (hfl = fcntl(f->host_fd, F_GETFL)) >= 0) {
		hfl &= ~(O_APPEND | O_NONBLOCK | O_ASYNC | O_DIRECT | O_NOATIME);
		fcntl(f->host_fd, F_SETFL, hfl | linux_open_flags_to_host(flags & SETFL_MASK));
	}
	pthread_mutex_unlock(&f->f_lock);
	return 0;
}

static long fcntl_file(struct task *t, int fd, int cmd, u64 arg)
{
	struct file *f = fget(t, fd);
	long ret = -LINUX_EINVAL;

	if (!f)
		return -LINUX_EBADF;
	if (cmd == LINUX_F_GETFL) {
		pthread_mutex_lock(&f->f_lock);
		ret = f->f_flags;
		pthread_mutex_unlock(&f->f_lock);
	} else if (cmd == LINUX_F_SETFL) {
		ret = fcntl_setfl(f, (u32)arg);
	} else if (cmd == LINUX_F_GETPIPE_SZ || cmd == LINUX_F_SETPIPE_SZ) {
		ret = pipe_fcntl(t, f, cmd, arg);
	}
	fput(f);
	return ret;
}

long sys_fcntl(struct task *t, int fd, int cmd, u64 arg)
{
	switch (cmd) {
	case LINUX_F_DUPFD:
		return fcntl_dupfd(t, fd, arg, false);
	case LINUX_F_DUPFD_CLOEXEC:
		return fcntl_dupfd(t, fd, arg, true);
	case LINUX_F_GETFD:
		return get_close_on_exec(t, fd);
	case LINUX_F_SETFD:
		return set_close_on_exec(t, fd, arg & LINUX_FD_CLOEXEC);
	case LINUX_F_GETFL:
	case LINUX_F_SETFL:
		return fcntl_file(t, fd, cmd, arg);
	default:
		/* Locks, leases, owners and seals come with the files issue. */
		return fcntl_file(t, fd, cmd, arg);
	}
}

/* FIONBIO is every file's: O_NONBLOCK on or off, as F_SETFL would. */
static long ioctl_fionbio(struct task *t, struct file *f, u64 arg)
{
	int on;
	u32 flags;

	if (copy_from_user(t, &on, arg, sizeof(on)))
		return -LINUX_EFAULT;
	pthread_mutex_lock(&f->f_lock);
	flags = f->f_flags;
	pthread_mutex_unlock(&f->f_lock);
	return fcntl_setfl(f, on ? flags | LINUX_O_NONBLOCK : flags & ~LINUX_O_NONBLOCK);
}

long sys_ioctl(struct task *t, int fd, u32 cmd, u64 arg)
{
	struct file *f = fget(t, fd);
	long ret;

	if (!f)
		return -LINUX_EBADF;
	if (cmd == LINUX_FIOCLEX || cmd == LINUX_FIONCLEX)
		ret = set_close_on_exec(t, fd, cmd == LINUX_FIOCLEX);
	else if (cmd == LINUX_FIONBIO)
		ret = ioctl_fionbio(t, f, arg);
	else
		ret = f->f_op->ioctl ? f->f_op->ioctl(t, f, cmd, arg) : -LINUX_ENOTTY;
	fput(f);
	return ret;
}

long sys_creat(struct task *t, u64 upath, u32 mode)
{
	return do_sys_openat(t, LINUX_AT_FDCWD, upath,
			     LINUX_O_CREAT | LINUX_O_WRONLY | LINUX_O_TRUNC, mode);
}

/* pipe2: two files on one kernel pipe (fs/pipe.c). */
long sys_pipe2(struct task *t, u64 ufds, int flags)
{
	struct file *f[2];
	int fd[2];
	long err;

	if (flags & ~(LINUX_O_CLOEXEC | LINUX_O_NONBLOCK | LINUX_O_DIRECT))
		return -LINUX_EINVAL;
	if ((err = pipe_create(t, f, (u32)flags & (LINUX_O_NONBLOCK | LINUX_O_DIRECT))))
		return err;
	fd[0] = fd_install_lowest(t, f[0], 0, flags & LINUX_O_CLOEXEC);
	if (fd[0] < 0) {
		fput(f[0]);
		fput(f[1]);
		return fd[0];
	}
	fd[1] = fd_install_lowest(t, f[1], 0, flags & LINUX_O_CLOEXEC);
	if (fd[1] < 0) {
		close_fd(t, fd[0]);
		fput(f[1]);
		return fd[1];
	}
	if (copy_to_user(t, ufds, fd, sizeof(fd))) {
		close_fd(t, fd[0]);
		close_fd(t, fd[1]);
		return -LINUX_EFAULT;
	}
	return 0;
}

long sys_pipe(struct task *t, u64 ufds)
{
	return sys_pipe2(t, ufds, 0);
}
