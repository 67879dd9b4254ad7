/*
 * File-system wide calls: statfs, fstatfs, sync and syncfs.  Host files ask
 * the host; lxemu's own files (pipes, eventfd and the other anonymous
 * inodes, generated /proc files) answer as Linux's pipefs, anon_inodefs
 * and procfs do.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
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

static void statfs_to_linux(const struct statfs *h, struct linux_statfs *s)
{
	memset(s, 0, sizeof(*s));
	s->f_type = h->f_type;
	s->f_bsize = h->f_bsize;
	s->f_blocks = h->f_blocks;
	s->f_bfree = h->f_bfree;
	s->f_bavail = h->f_bavail;
	s->f_files = h->f_files;
	s->f_ffree = h->f_ffree;
	memcpy(s->f_fsid, &h->f_fsid, sizeof(s->f_fsid));
	s->f_namelen = h->f_namelen;
	s->f_frsize = h->f_frsize;
	s->f_flags = h->f_flags;
}

static long host_fstatfs(int host_fd, struct linux_statfs *s)
{
	struct statfs h;

	if (fstatfs(host_fd, &h))
		return host_errno_to_linux(errno);
	statfs_to_linux(&h, s);
	return 0;
}

/* Linux's simple_statfs for the kernel's pseudo file systems, fsid from the device. */
static long kernel_fstatfs(struct file *f, struct linux_statfs *s)
{
	struct linux_stat st;
	struct statfs h;
	long err = f->f_op->fstat ? f->f_op->fstat(f, &st) : -LINUX_EINVAL;

	if (err)
		return err;
	if (st.st_dev == proc_dev()) {
		if (statfs("/proc", &h))
			return host_errno_to_linux(errno);
		statfs_to_linux(&h, s);
		return 0;
	}
	memset(s, 0, sizeof(*s));
	s->f_type = (st.st_mode & LINUX_S_IFMT) == LINUX_S_IFIFO ? LINUX_PIPEFS_MAGIC
								 : LINUX_ANON_INODE_FS_MAGIC;
	s->f_bsize = s->f_frsize = 4096;
	s->f_namelen = LINUX_NAME_MAX;
	s->f_flags = LINUX_ST_VALID;
	s->f_fsid[0] = (s32)st.st_dev;
	return 0;
}

long sys_fstatfs(struct task *t, int fd, u64 ubuf)
{
	struct linux_statfs s;
	struct file *f = fget(t, fd);
	long err;

	if (!f)
		return -LINUX_EBADF;
	err = f->host_fd >= 0 ? host_fstatfs(f->host_fd, &s) : kernel_fstatfs(f, &s);
	fput(f);
	if (err)
		return err;
	return copy_to_user(t, ubuf, &s, sizeof(s)) ? -LINUX_EFAULT : 0;
}

/* fstatfs of the object p names (statfs follows a final symlink). */
static int host_statfs_at(struct path_ref *p, struct statfs *h)
{
	int fd = p->rel[0] ? openat(p->host_dirfd, p->rel, O_PATH | O_CLOEXEC) : p->host_dirfd;
	int r, e;

	if (fd < 0)
		return -1;
	r = fstatfs(fd, h);
	e = errno;
	if (fd != p->host_dirfd)
		close(fd);
	errno = e;
	return r;
}

long sys_statfs(struct task *t, u64 upathname, u64 ubuf)
{
	struct linux_statfs s;
	struct statfs h;
	struct path_ref p;
	long err = WITH_PATH(t, LINUX_AT_FDCWD, upathname, 0, p, host_statfs_at(&p, &h));

	if (err)
		return err;
	statfs_to_linux(&h, &s);
	return copy_to_user(t, ubuf, &s, sizeof(s)) ? -LINUX_EFAULT : 0;
}

long sys_sync(struct task *t)
{
	(void)t;
	sync();
	return 0;
}

long sys_syncfs(struct task *t, int fd)
{
	struct file *f = fget(t, fd);
	long ret = 0;

	if (!f)
		return -LINUX_EBADF;
	if (f->f_flags & LINUX_O_PATH)
		ret = -LINUX_EBADF;
	else if (f->host_fd >= 0 && syncfs(f->host_fd))
		ret = host_errno_to_linux(errno);
	fput(f);
	return ret;
}
