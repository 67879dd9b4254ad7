/*
 * Calls that change or walk the name space: mkdir, unlink, rmdir, rename,
 * symlink, getdents and getdents64, getcwd, chdir, fchdir, chroot and umask.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include "syscall_handlers.h"
#include "../kernel/task.h"
#include "../fs/file.h"
#include "../fs/namei.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"
#include "../../abi/linux/mman.h"

long sys_mkdirat(struct task *t, int dirfd, u64 upath, u32 mode)
{
	struct path_ref p;

	mode &= 07777 & ~t->fs->umask;
	return WITH_PARENT(t, dirfd, upath, p, mkdirat(p.host_dirfd, p.rel, mode));
}

long sys_mkdir(struct task *t, u64 upath, u32 mode)
{
	return sys_mkdirat(t, LINUX_AT_FDCWD, upath, mode);
}

long sys_unlinkat(struct task *t, int dirfd, u64 upath, int flags)
{
	int host_flags = flags & LINUX_AT_REMOVEDIR ? AT_REMOVEDIR : 0;
	struct path_ref p;

	if (flags & ~LINUX_AT_REMOVEDIR)
		return -LINUX_EINVAL;
	return WITH_PARENT(t, dirfd, upath, p, unlinkat(p.host_dirfd, p.rel, host_flags));
}

long sys_unlink(struct task *t, u64 upath)
{
	return sys_unlinkat(t, LINUX_AT_FDCWD, upath, 0);
}

long sys_rmdir(struct task *t, u64 upath)
{
	return sys_unlinkat(t, LINUX_AT_FDCWD, upath, LINUX_AT_REMOVEDIR);
}

long sys_symlinkat(struct task *t, u64 utarget, int dirfd, u64 upath)
{
	char target[LINUX_PATH_MAX];
	struct path_ref p;
	long err = getname(t, target, utarget);

	if (err < 0)
		return err;
	/* The target is only text: it is resolved in the root when followed. */
	return WITH_PARENT(t, dirfd, upath, p, symlinkat(target, p.host_dirfd, p.rel));
}

long sys_symlink(struct task *t, u64 utarget, u64 upath)
{
	return sys_symlinkat(t, utarget, LINUX_AT_FDCWD, upath);
}

long sys_renameat2(struct task *t, int olddirfd, u64 uold, int newdirfd, u64 unew, u32 flags)
{
	struct path_ref po, pn;
	long err;

	if (flags & ~(LINUX_RENAME_NOREPLACE | LINUX_RENAME_EXCHANGE | LINUX_RENAME_WHITEOUT))
		return -LINUX_EINVAL;
	/* Resolve the new name first; the old one is resolved around the host call. */
	char newpath[LINUX_PATH_MAX];
	if ((err = getname(t, newpath, unew)) < 0)
		return err;
	if ((err = path_parent_lookup(t, newdirfd, newpath, &pn)))
		return err;
	err = WITH_PARENT(t, olddirfd, uold, po,
			  syscall(SYS_renameat2, po.host_dirfd, po.rel, pn.host_dirfd, pn.rel,
				  flags));
	path_release(&pn);
	return err;
}

long sys_renameat(struct task *t, int olddirfd, u64 uold, int newdirfd, u64 unew)
{
	return sys_renameat2(t, olddirfd, uold, newdirfd, unew, 0);
}

long sys_rename(struct task *t, u64 uold, u64 unew)
{
	return sys_renameat2(t, LINUX_AT_FDCWD, uold, LINUX_AT_FDCWD, unew, 0);
}

/*
 * getdents's records are getdents64's with d_type moved to the last byte:
 * the same size (19 + name + NUL, rounded to 8), so they convert in place.
 */
static void dirents64_to_old(u8 *buf, long n)
{
	for (long off = 0; off < n;) {
		u8 *rec = buf + off;
		u16 reclen;
		u8 type = rec[18];
		memcpy(&reclen, rec + 16, sizeof(reclen));
		memmove(rec + 18, rec + 19, strlen((char *)rec + 19) + 1);
		rec[reclen - 1] = type;
		off += reclen;
	}
}

static long do_getdents(struct task *t, int fd, u64 udirent, u32 count, bool old)
{
	struct file *f = fget(t, fd);
	long n;
	void *buf;

	if (!f)
		return -LINUX_EBADF;
	if (!f->f_op->getdents64) {
		fput(f);
		return -LINUX_ENOTDIR;
	}
	/* Only what fits in the writable part: no entry is consumed that cannot be copied. */
	count = (u32)user_access_len(t, udirent, MIN(count, 1u << 20), LINUX_PROT_WRITE);
	if (!count) {
		fput(f);
		return -LINUX_EFAULT;
	}
	buf = malloc(count);
	n = buf ? f->f_op->getdents64(f, buf, count) : -LINUX_ENOMEM;
	if (n > 0 && old)
		dirents64_to_old(buf, n);
	if (n > 0 && copy_to_user(t, udirent, buf, n))
		n = -LINUX_EFAULT;
	free(buf);
	fput(f);
	return n;
}

long sys_getdents64(struct task *t, int fd, u64 udirent, u32 count)
{
	return do_getdents(t, fd, udirent, count, false);
}

long sys_getdents(struct task *t, int fd, u64 udirent, u32 count)
{
	return do_getdents(t, fd, udirent, count, true);
}

/*
 * The guest path of a host directory fd (host_fd_path: the root is "/");
 * one outside the caller's root (a chroot left it behind) is
 * "(unreachable)" and its path from --root, as Linux's getcwd says.
 */
static char *dir_guest_path(int host_fd)
{
	char buf[LINUX_PATH_MAX] = "", out[LINUX_PATH_MAX + 16];

	if (!host_fd_guest_path(host_fd, buf, sizeof(buf)))
		return strdup(buf);
	host_fd_path(host_fd, buf, sizeof(buf));
	if (!buf[0])
		return NULL;
	snprintf(out, sizeof(out), "%s%s", buf[0] == '/' ? "(unreachable)" : "", buf);
	return strdup(out);
}

/* Makes host_fd (an O_PATH directory fd, consumed) the cwd. */
static long set_cwd(struct task *t, int host_fd)
{
	struct fs_struct *fs = t->fs;
	char *path = dir_guest_path(host_fd);
	int old_fd;
	char *old_path;

	if (!path) {
		close(host_fd);
		return -LINUX_ENOMEM;
	}
	pthread_mutex_lock(&fs->lock);
	old_fd = fs->cwd_fd;
	old_path = fs->cwd;
	fs->cwd_fd = host_fd;
	fs->cwd = path;
	pthread_mutex_unlock(&fs->lock);
	close(old_fd);
	free(old_path);
	return 0;
}

long sys_chdir(struct task *t, u64 upath)
{
	char path[LINUX_PATH_MAX];
	long fd = getname(t, path, upath);

	if (fd < 0)
		return fd;
	fd = path_open(t, LINUX_AT_FDCWD, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	/* chdir needs search permission, which O_PATH does not check. */
	if (faccessat((int)fd, ".", X_OK, 0)) {
		long err = host_errno_to_linux(errno);
		close((int)fd);
		return err;
	}
	return set_cwd(t, (int)fd);
}

long sys_fchdir(struct task *t, int fd)
{
	struct file *f = fget(t, fd);
	int hfd;

	if (!f)
		return -LINUX_EBADF;
	hfd = f->host_fd >= 0 ? openat(f->host_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	fput(f);
	if (hfd < 0)
		return -LINUX_ENOTDIR;
	return set_cwd(t, hfd);
}

/* CAP_SYS_CHROOT in lxemu's own effective set: what Linux asks of the caller. */
static bool capable_sys_chroot(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return geteuid() == 0;
	return data[CAP_TO_INDEX(CAP_SYS_CHROOT)].effective & CAP_TO_MASK(CAP_SYS_CHROOT);
}

/*
 * chroot: the directory becomes the root of every later lookup through
 * this fs_struct (tasks sharing it by CLONE_FS too).  It is found in the
 * current root, so it never leads out of --root.  Linux's order: the
 * lookup, search permission, then the capability.  The cwd stays; its
 * name is now from the new root, or "(unreachable)".
 */
long sys_chroot(struct task *t, u64 ufilename)
{
	char path[LINUX_PATH_MAX];
	long fd = getname(t, path, ufilename), cwd, err;

	if (fd < 0)
		return fd;
	fd = path_open(t, LINUX_AT_FDCWD, path, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	err = faccessat((int)fd, ".", X_OK, 0) ? host_errno_to_linux(errno) : 0;
	if (!err && !capable_sys_chroot())
		err = -LINUX_EPERM;
	if (err) {
		close((int)fd);
		return err;
	}
	if ((err = set_fs_root(t->fs, (int)fd)))
		return err;
	pthread_mutex_lock(&t->fs->lock);
	cwd = fcntl(t->fs->cwd_fd, F_DUPFD_CLOEXEC, 0);
	pthread_mutex_unlock(&t->fs->lock);
	return cwd < 0 ? 0 : set_cwd(t, (int)cwd);
}

long sys_getcwd(struct task *t, u64 ubuf, u64 size)
{
	char path[LINUX_PATH_MAX];
	size_t len;

	fs_cwd_get(t->fs, path, sizeof(path));
	len = strlen(path) + 1;
	if (size < len)
		return -LINUX_ERANGE;
	return copy_to_user(t, ubuf, path, len) ? -LINUX_EFAULT : (long)len;
}

long sys_umask(struct task *t, u32 mask)
{
	struct fs_struct *fs = t->fs;
	u32 old;

	pthread_mutex_lock(&fs->lock);
	old = fs->umask;
	fs->umask = mask & 0777;
	pthread_mutex_unlock(&fs->lock);
	return old;
}

/*
 * link(2) of the object po names to pn's name.  An object the lookup left
 * in an fd is linked through lxemu's own /proc/self/fd link, which needs no
 * capability where AT_EMPTY_PATH does (the link it names is not followed
 * further: a symlink is linked as itself).
 */
static int host_link(struct path_ref *po, struct path_ref *pn, bool follow)
{
	char proc[32];
	int dirfd;
	const char *name = path_host_name(po, proc, &dirfd);

	return linkat(dirfd, name, pn->host_dirfd, pn->rel,
		      follow || !po->rel[0] ? AT_SYMLINK_FOLLOW : 0);
}

long sys_linkat(struct task *t, int olddirfd, u64 uold, int newdirfd, u64 unew, int flags)
{
	char newpath[LINUX_PATH_MAX];
	struct path_ref po, pn;
	long err;

	if (flags & ~(LINUX_AT_SYMLINK_FOLLOW | LINUX_AT_EMPTY_PATH))
		return -LINUX_EINVAL;
	if ((err = getname(t, newpath, unew)) < 0)
		return err;
	if ((err = path_parent_lookup(t, newdirfd, newpath, &pn)))
		return err;
	/* The old name is followed only with AT_SYMLINK_FOLLOW, as Linux does. */
	err = WITH_PATH(t, olddirfd, uold,
			(flags & LINUX_AT_EMPTY_PATH) |
			(flags & LINUX_AT_SYMLINK_FOLLOW ? 0 : LINUX_AT_SYMLINK_NOFOLLOW), po,
			host_link(&po, &pn, flags & LINUX_AT_SYMLINK_FOLLOW));
	path_release(&pn);
	return err;
}

long sys_link(struct task *t, u64 uold, u64 unew)
{
	return sys_linkat(t, LINUX_AT_FDCWD, uold, LINUX_AT_FDCWD, unew, 0);
}

/* chmod(2) of the object p names: fchmodat takes no AT_EMPTY_PATH. */
static int host_chmod(struct path_ref *p, u32 mode)
{
	char proc[32];
	int dirfd;
	const char *name = path_host_name(p, proc, &dirfd);

	return fchmodat(dirfd, name, mode, 0);
}

long sys_fchmodat(struct task *t, int dirfd, u64 upath, u32 mode)
{
	struct path_ref p;

	return WITH_PATH(t, dirfd, upath, 0, p, host_chmod(&p, mode & 07777));
}

long sys_chmod(struct task *t, u64 upath, u32 mode)
{
	return sys_fchmodat(t, LINUX_AT_FDCWD, upath, mode);
}

/* truncate(2) of the object p names, through an O_PATH fd of it. */
static int host_truncate_at(struct path_ref *p, s64 length)
{
	char proc[64];
	int fd, r, e;

	if (!p->rel[0]) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", p->host_dirfd);
		return truncate(proc, length);
	}
	if ((fd = openat(p->host_dirfd, p->rel, O_PATH | O_CLOEXEC)) < 0)
		return -1;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	r = truncate(proc, length);
	e = errno;
	close(fd);
	errno = e;
	return r;
}

long sys_truncate(struct task *t, u64 upath, s64 length)
{
	struct path_ref p;

	if (length < 0)
		return -LINUX_EINVAL;
	return WITH_PATH(t, LINUX_AT_FDCWD, upath, 0, p,
			 host_truncate_at(&p, length));
}
