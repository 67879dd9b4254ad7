/*
 * Ownership and special files: chown, fchown, lchown, fchownat, mknod and
 * mknodat, passed to the host on the object the guest path names in its
 * root.  The guest's ids are the host's, so the host decides EPERM.
 */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "syscall_handlers.h"
#include "../kernel/task.h"
#include "../fs/file.h"
#include "../fs/namei.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"
#include "../../abi/linux/stat.h"

/* chown of what p names: the object itself when the lookup left it in an fd. */
static int host_chown(struct path_ref *p, u32 user, u32 group, int flags)
{
	int host_flags = flags & LINUX_AT_SYMLINK_NOFOLLOW ? AT_SYMLINK_NOFOLLOW : 0;

	return fchownat(p->host_dirfd, p->rel, (uid_t)user, (gid_t)group,
			host_flags | path_empty_flag(p));
}

long sys_fchownat(struct task *t, int dfd, u64 ufilename, u32 user, u32 group, int flag)
{
	struct path_ref p;

	if (flag & ~(LINUX_AT_SYMLINK_NOFOLLOW | LINUX_AT_EMPTY_PATH))
		return -LINUX_EINVAL;
	return WITH_PATH(t, dfd, ufilename, flag, p, host_chown(&p, user, group, flag));
}

long sys_chown(struct task *t, u64 ufilename, u32 user, u32 group)
{
	return sys_fchownat(t, LINUX_AT_FDCWD, ufilename, user, group, 0);
}

long sys_lchown(struct task *t, u64 ufilename, u32 user, u32 group)
{
	return sys_fchownat(t, LINUX_AT_FDCWD, ufilename, user, group, LINUX_AT_SYMLINK_NOFOLLOW);
}

/* An id change that needs no privilege: none (-1), or to the caller's own. */
static bool chown_is_noop(u32 user, u32 group)
{
	return (user == (u32)-1 || user == geteuid()) && (group == (u32)-1 || group == getegid());
}

long sys_fchown(struct task *t, int fd, u32 user, u32 group)
{
	struct file *f = fget(t, fd);
	long ret;

	if (!f)
		return -LINUX_EBADF;
	if (f->f_flags & LINUX_O_PATH)
		ret = -LINUX_EBADF;
	else if (f->host_fd >= 0)
		ret = fchown(f->host_fd, (uid_t)user, (gid_t)group) ? host_errno_to_linux(errno) : 0;
	else /* a pipe or anonymous inode of lxemu's own: owned by the caller */
		ret = chown_is_noop(user, group) || geteuid() == 0 ? 0 : -LINUX_EPERM;
	fput(f);
	return ret;
}

/* Linux's may_mknod: the file types mknod makes. */
static long mknod_type_check(u32 mode)
{
	switch (mode & LINUX_S_IFMT) {
	case 0:
	case LINUX_S_IFREG:
	case LINUX_S_IFCHR:
	case LINUX_S_IFBLK:
	case LINUX_S_IFIFO:
	case LINUX_S_IFSOCK:
		return 0;
	case LINUX_S_IFDIR:
		return -LINUX_EPERM;
	default:
		return -LINUX_EINVAL;
	}
}

long sys_mknodat(struct task *t, int dfd, u64 ufilename, u32 mode, u32 dev)
{
	/* new_decode_dev: 12 bits of major, 20 of minor, split around it. */
	dev_t hdev = makedev((dev & 0xfff00) >> 8, (dev & 0xff) | ((dev >> 12) & 0xfff00));
	struct path_ref p;
	long err = mknod_type_check(mode);

	if (err)
		return err;
	mode = (mode & LINUX_S_IFMT) | (mode & 07777 & ~t->fs->umask);
	if (!(mode & LINUX_S_IFMT))
		mode |= LINUX_S_IFREG;
	/* The file type bits are the host's (x86-64 Linux). */
	return WITH_PARENT(t, dfd, ufilename, p, mknodat(p.host_dirfd, p.rel, mode, hdev));
}

long sys_mknod(struct task *t, u64 ufilename, u32 mode, u32 dev)
{
	return sys_mknodat(t, LINUX_AT_FDCWD, ufilename, mode, dev);
}
