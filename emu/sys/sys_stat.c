/*
 * The stat family (stat, lstat, fstat, newfstatat, statx), access and
 * faccessat, readlink and readlinkat, and the utime family.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include "syscall_handlers.h"
#include "../kernel/task.h"
#include "../fs/file.h"
#include "../fs/namei.h"
#include "../fs/procfs.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"
#include "../../abi/linux/fs.h"
#include "../../abi/linux/stat.h"
#include "../../abi/linux/time.h"

static int host_at_flags(int flags)
{
	int h = 0;

	if (flags & LINUX_AT_SYMLINK_NOFOLLOW)
		h |= AT_SYMLINK_NOFOLLOW;
	if (flags & LINUX_AT_EMPTY_PATH)
		h |= AT_EMPTY_PATH;
	if (flags & LINUX_AT_NO_AUTOMOUNT)
		h |= AT_NO_AUTOMOUNT;
	if (flags & LINUX_AT_EACCESS)
		h |= AT_EACCESS;
	return h;
}

/* fstat through the file's own operation: an empty path with AT_EMPTY_PATH names dirfd. */
static long fstat_fd(struct task *t, int fd, struct linux_stat *st)
{
	struct file *f = fget(t, fd);
	long err;

	if (!f)
		return -LINUX_EBADF;
	err = f->f_op->fstat ? f->f_op->fstat(f, st) : -LINUX_EINVAL;
	fput(f);
	return err;
}

/* True when (upath, flags) names dirfd itself: AT_EMPTY_PATH and "". */
static bool empty_path(struct task *t, u64 upath, int flags)
{
	char c;

	return (flags & LINUX_AT_EMPTY_PATH) && upath && !copy_from_user(t, &c, upath, 1) && !c;
}

static long do_fstatat(struct task *t, int dirfd, u64 upath, u64 ubuf, int flags)
{
	struct linux_stat st;
	struct stat hs;
	struct path_ref p;
	long err;

	if (flags & ~(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH | LINUX_AT_NO_AUTOMOUNT))
		return -LINUX_EINVAL;
	if (empty_path(t, upath, flags) && dirfd != LINUX_AT_FDCWD) {
		err = fstat_fd(t, dirfd, &st);
		return err ? err : copy_to_user(t, ubuf, &st, sizeof(st));
	}
	if (flags & LINUX_AT_SYMLINK_NOFOLLOW) {
		/* A /proc link itself: the guest's, not the one lxemu's pid would show. */
		char path[LINUX_PATH_MAX];
		if ((err = getname(t, path, upath)) < 0)
			return err;
		if ((err = proc_link_lstat(t, path, &st)))
			return err < 0 ? err : copy_to_user(t, ubuf, &st, sizeof(st));
	}
	err = WITH_PATH(t, dirfd, upath, flags, p,
			fstatat(p.host_dirfd, p.rel, &hs,
				host_at_flags(flags) | path_empty_flag(&p)));
	if (err)
		return err;
	stat_to_linux(&hs, &st);
	return copy_to_user(t, ubuf, &st, sizeof(st));
}

long sys_stat(struct task *t, u64 upath, u64 ubuf)
{
	return do_fstatat(t, LINUX_AT_FDCWD, upath, ubuf, 0);
}

long sys_lstat(struct task *t, u64 upath, u64 ubuf)
{
	return do_fstatat(t, LINUX_AT_FDCWD, upath, ubuf, LINUX_AT_SYMLINK_NOFOLLOW);
}

long sys_newfstatat(struct task *t, int dirfd, u64 upath, u64 ubuf, int flags)
{
	return do_fstatat(t, dirfd, upath, ubuf, flags);
}

long sys_fstat(struct task *t, int fd, u64 ubuf)
{
	struct linux_stat st;
	long err = fstat_fd(t, fd, &st);

	return err ? err : copy_to_user(t, ubuf, &st, sizeof(st));
}

static void statx_ts(struct linux_statx_timestamp *d, const struct statx_timestamp *s)
{
	d->tv_sec = s->tv_sec;
	d->tv_nsec = s->tv_nsec;
	d->reserved = 0;
}

static void statx_to_linux(const struct statx *h, struct linux_statx *x)
{
	memset(x, 0, sizeof(*x));
	x->stx_mask = h->stx_mask;
	x->stx_blksize = h->stx_blksize;
	x->stx_attributes = h->stx_attributes;
	x->stx_nlink = h->stx_nlink;
	x->stx_uid = h->stx_uid;
	x->stx_gid = h->stx_gid;
	x->stx_mode = h->stx_mode;
	x->stx_ino = h->stx_ino;
	x->stx_size = h->stx_size;
	x->stx_blocks = h->stx_blocks;
	x->stx_attributes_mask = h->stx_attributes_mask;
	statx_ts(&x->stx_atime, &h->stx_atime);
	statx_ts(&x->stx_btime, &h->stx_btime);
	statx_ts(&x->stx_ctime, &h->stx_ctime);
	statx_ts(&x->stx_mtime, &h->stx_mtime);
	x->stx_rdev_major = h->stx_rdev_major;
	x->stx_rdev_minor = h->stx_rdev_minor;
	x->stx_dev_major = h->stx_dev_major;
	x->stx_dev_minor = h->stx_dev_minor;
}

long sys_statx(struct task *t, int dirfd, u64 upath, u32 flags, u32 mask, u64 ubuf)
{
	struct linux_statx x;
	struct statx hx;
	struct path_ref p;
	long err;

	if (flags & ~(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH | LINUX_AT_NO_AUTOMOUNT |
		      LINUX_AT_STATX_SYNC_TYPE))
		return -LINUX_EINVAL;
	if ((flags & LINUX_AT_STATX_SYNC_TYPE) == LINUX_AT_STATX_SYNC_TYPE)
		return -LINUX_EINVAL;
	err = WITH_PATH(t, dirfd, upath, flags, p,
			syscall(SYS_statx, p.host_dirfd, p.rel,
				host_at_flags(flags) | path_empty_flag(&p) |
				(flags & LINUX_AT_STATX_SYNC_TYPE), mask, &hx));
	if (err)
		return err;
	statx_to_linux(&hx, &x);
	return copy_to_user(t, ubuf, &x, sizeof(x));
}

long sys_faccessat2(struct task *t, int dirfd, u64 upath, int mode, int flags)
{
	struct path_ref p;

	if (mode & ~(LINUX_R_OK | LINUX_W_OK | LINUX_X_OK))
		return -LINUX_EINVAL;
	if (flags & ~(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EACCESS | LINUX_AT_EMPTY_PATH))
		return -LINUX_EINVAL;
	return WITH_PATH(t, dirfd, upath, flags, p,
			 faccessat(p.host_dirfd, p.rel, mode,
				   host_at_flags(flags) | path_empty_flag(&p)));
}

long sys_faccessat(struct task *t, int dirfd, u64 upath, int mode)
{
	return sys_faccessat2(t, dirfd, upath, mode, 0);
}

long sys_access(struct task *t, u64 upath, int mode)
{
	return sys_faccessat2(t, LINUX_AT_FDCWD, upath, mode, 0);
}

long sys_readlinkat(struct task *t, int dirfd, u64 upath, u64 ubuf, int bufsiz)
{
	char path[LINUX_PATH_MAX], target[LINUX_PATH_MAX];
	struct path_ref p;
	long n = getname(t, path, upath);

	if (n < 0)
		return n;
	if (bufsiz <= 0)
		return -LINUX_EINVAL;
	/* The guest's own /proc/self links name its objects, not lxemu's. */
	n = proc_readlink(t, path, target, sizeof(target));
	if (n < 0)
		return n;
	if (!n) {
		if ((n = path_lookup(t, dirfd, path,
				     LINUX_AT_EMPTY_PATH | LINUX_AT_SYMLINK_NOFOLLOW, &p)))
			return n;
		n = readlinkat(p.host_dirfd, p.rel, target, sizeof(target));
		n = n < 0 ? host_errno_to_linux(errno) : n;
		/* Of an object the lookup holds, ENOENT only says it is no symlink. */
		if (n == -LINUX_ENOENT && path[0] && !p.rel[0])
			n = -LINUX_EINVAL;
		path_release(&p);
		if (n < 0)
			return n;
	}
	n = MIN(n, bufsiz);
	return copy_to_user(t, ubuf, target, n) ? -LINUX_EFAULT : n;
}

long sys_readlink(struct task *t, u64 upath, u64 ubuf, int bufsiz)
{
	return sys_readlinkat(t, LINUX_AT_FDCWD, upath, ubuf, bufsiz);
}

#define LINUX_UTIME_NOW ((1L << 30) - 1)
#define LINUX_UTIME_OMIT ((1L << 30) - 2)

/* Copies in utimensat's two timespecs, checking them as Linux does. */
static long get_utimes(struct task *t, u64 utimes, struct timespec ts[2])
{
	struct linux_timespec lt[2];

	if (copy_from_user(t, lt, utimes, sizeof(lt)))
		return -LINUX_EFAULT;
	for (int i = 0; i < 2; i++) {
		bool special = lt[i].tv_nsec == LINUX_UTIME_NOW || lt[i].tv_nsec == LINUX_UTIME_OMIT;
		if (!special && (lt[i].tv_nsec < 0 || lt[i].tv_nsec >= 1000000000))
			return -LINUX_EINVAL;
		ts[i].tv_sec = lt[i].tv_sec;
		ts[i].tv_nsec = lt[i].tv_nsec == LINUX_UTIME_NOW ? UTIME_NOW :
				lt[i].tv_nsec == LINUX_UTIME_OMIT ? UTIME_OMIT : lt[i].tv_nsec;
	}
	return 0;
}

/* utimes on the object (dirfd, upath) names, or on dirfd itself when upath is NULL. */
static long do_utimes(struct task *t, int dirfd, u64 upath, const struct timespec *ts, int flags)
{
	struct path_ref p;
	long err;

	if (!upath && dirfd == LINUX_AT_FDCWD)
		return -LINUX_EFAULT;
	if (!upath) { /* futimens: the fd itself */
		struct file *f = fget(t, dirfd);
		if (!f)
			return -LINUX_EBADF;
		if (flags)
			err = -LINUX_EINVAL;
		else if (f->host_fd < 0)
			err = 0; /* a pipe or anonymous inode of lxemu's own: no times kept */
		else
			err = futimens(f->host_fd, ts) ? host_errno_to_linux(errno) : 0;
		fput(f);
		return err;
	}
	return WITH_PATH(t, dirfd, upath, flags, p,
			 utimensat(p.host_dirfd, p.rel, ts,
				   host_at_flags(flags) | path_empty_flag(&p)));
}

long sys_utimensat(struct task *t, int dirfd, u64 upath, u64 utimes, int flags)
{
	struct timespec ts[2];
	long err;

	if (flags & ~(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
		return -LINUX_EINVAL;
	if (utimes && (err = get_utimes(t, utimes, ts)))
		return err;
	return do_utimes(t, dirfd, upath, utimes ? ts : NULL, flags);
}

/* futimesat and utimes: two timevals, microseconds checked as Linux does. */
long sys_futimesat(struct task *t, int dfd, u64 ufilename, u64 uutimes)
{
	struct linux_timeval tv[2];
	struct timespec ts[2];

	if (uutimes) {
		if (copy_from_user(t, tv, uutimes, sizeof(tv)))
			return -LINUX_EFAULT;
		for (int i = 0; i < 2; i++) {
			if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000)
				return -LINUX_EINVAL;
			ts[i].tv_sec = tv[i].tv_sec;
			ts[i].tv_nsec = tv[i].tv_usec * 1000;
		}
	}
	return do_utimes(t, dfd, ufilename, uutimes ? ts : NULL, 0);
}

long sys_utimes(struct task *t, u64 ufilename, u64 uutimes)
{
	return sys_futimesat(t, LINUX_AT_FDCWD, ufilename, uutimes);
}

long sys_utime(struct task *t, u64 ufilename, u64 utimes)
{
	struct linux_utimbuf b;
	struct timespec ts[2];

	if (utimes) {
		if (copy_from_user(t, &b, utimes, sizeof(b)))
			return -LINUX_EFAULT;
		ts[0] = (struct timespec){ .tv_sec = b.actime };
		ts[1] = (struct timespec){ .tv_sec = b.modtime };
	}
	return do_utimes(t, LINUX_AT_FDCWD, ufilename, utimes ? ts : NULL, 0);
}
