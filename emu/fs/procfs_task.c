/*
 * /proc/PID/task: ".", ".." and one directory entry per live thread of the
 * process, as Linux's proc_task_readdir lists them; /proc/PID/fd: one link
 * per open fd, as proc_readfd.  Like the generated files they work from a
 * snapshot, taken when a getdents64 starts at offset 0, so a reader that
 * rewinds sees the threads (fds) created and gone since.
 */
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "file.h"
#include "procfs.h"
#include "../kernel/task.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"
#include "../../abi/linux/misc.h"
#include "../../abi/linux/stat.h"

struct proc_dir {
	enum proc_kind kind; /* PROC_TASK or PROC_FD */
	int tgid;
	u64 dev;
	struct timespec ctime;
	/* guarded by the file's f_lock */
	int *tids;   /* the snapshot, ascending: tids or fds */
	int nr;
	s64 pos;     /* the next entry: 0 ".", 1 "..", 2 + i tids[i] */
};

/* The live tids of thread group tgid in a new array. */
static long snapshot_tids(int tgid, int **tidsp, int *nrp)
{
	int max = 64, n;
	int *tids = NULL, *p;

	for (;;) {
		if (!(p = realloc(tids, max * sizeof(*tids)))) {
			free(tids);
			return -LINUX_ENOMEM;
		}
		tids = p;
		n = thread_group_tids(tgid, tids, max);
		if (n <= max)
			break;
		max = n + 16; /* threads were created meanwhile */
	}
	*tidsp = tids;
	*nrp = n;
	return 0;
}

/* The open fds of process tgid in a new array, ascending. */
static long snapshot_fds(int tgid, int **fdsp, int *nrp)
{
	struct files_struct *files = proc_files_get(tgid);
	int *fds = NULL, n = 0;

	if (files) {
		pthread_mutex_lock(&files->file_lock);
		fds = malloc((files->max_fds ? files->max_fds : 1) * sizeof(*fds));
		for (int fd = 0; fds && fd < files->max_fds; fd++)
			if (files->fd[fd])
				fds[n++] = fd;
		pthread_mutex_unlock(&files->file_lock);
		put_files(files);
		if (!fds)
			return -LINUX_ENOMEM;
	}
	*fdsp = fds;
	*nrp = n;
	return 0;
}

/* Takes a fresh snapshot when the reader starts over (or has none). */
static long proc_dir_refresh(struct file *f)
{
	struct proc_dir *d = f->private_data;
	bool stale;
	int *tids, nr;
	long err;

	pthread_mutex_lock(&f->f_lock);
	stale = !d->tids || d->pos == 0;
	pthread_mutex_unlock(&f->f_lock);
	if (!stale)
		return 0;
	/* Not under f_lock: the task list's lock comes first. */
	err = d->kind == PROC_FD ? snapshot_fds(d->tgid, &tids, &nr) :
				   snapshot_tids(d->tgid, &tids, &nr);
	if (err)
		return err;
	pthread_mutex_lock(&f->f_lock);
	free(d->tids);
	d->tids = tids;
	d->nr = nr;
	pthread_mutex_unlock(&f->f_lock);
	return 0;
}

/* Appends one entry to buf as Linux's filldir64 does; false if it does not fit. */
static bool put_dirent(u8 *buf, u64 size, u64 *used, const char *name, u64 ino, s64 next,
		       u8 type)
{
	size_t namelen = strlen(name);
	u16 reclen = (offsetof(struct linux_dirent64, d_name) + namelen + 1 + 7) & ~7u;
	struct linux_dirent64 *de = (struct linux_dirent64 *)(buf + *used);

	if (*used + reclen > size)
		return false;
	memset(de, 0, reclen);
	de->d_ino = ino;
	de->d_off = next;
	de->d_reclen = reclen;
	de->d_type = type;
	memcpy(de->d_name, name, namelen);
	*used += reclen;
	return true;
}

/* The name and inode of entry pos of the snapshot. Caller holds f_lock. */
static void dir_entry_locked(struct proc_dir *d, s64 pos, char *name, size_t size, u64 *ino)
{
	if (pos < 2) {
		snprintf(name, size, pos ? ".." : ".");
		*ino = proc_ino(d->tgid, pos ? PROC_NONE : d->kind);
		return;
	}
	snprintf(name, size, "%d", d->tids[pos - 2]);
	*ino = d->kind == PROC_FD ? proc_link_ino(d->tgid, d->tids[pos - 2])
				  : proc_ino(d->tids[pos - 2], PROC_NONE);
}

static long proc_dir_getdents64(struct file *f, void *buf, u64 n)
{
	struct proc_dir *d = f->private_data;
	char name[16];
	u64 used = 0, ino;
	long err;

	if ((err = proc_dir_refresh(f)))
		return err;
	pthread_mutex_lock(&f->f_lock);
	for (; d->pos < 2 + d->nr; d->pos++) {
		dir_entry_locked(d, d->pos, name, sizeof(name), &ino);
		u8 type = d->kind == PROC_FD && d->pos >= 2 ? LINUX_DT_LNK : LINUX_DT_DIR;
		if (!put_dirent(buf, n, &used, name, ino, d->pos + 1, type))
			break;
	}
	/* A buffer too small for even one entry is EINVAL. */
	if (!used && d->pos < 2 + d->nr)
		err = -LINUX_EINVAL;
	pthread_mutex_unlock(&f->f_lock);
	return err ? err : (long)used;
}

static long proc_dir_read(struct file *f, void *buf, u64 n)
{
	(void)f;
	(void)buf;
	(void)n;
	return -LINUX_EISDIR;
}

static long proc_dir_pread(struct file *f, void *buf, u64 n, s64 pos)
{
	(void)pos;
	return proc_dir_read(f, buf, n);
}

/* Linux's generic_file_llseek on a directory of size 0. */
static s64 proc_dir_llseek(struct file *f, s64 off, int whence)
{
	struct proc_dir *d = f->private_data;
	s64 ret;

	if (whence == LINUX_SEEK_DATA || whence == LINUX_SEEK_HOLE)
		return -LINUX_ENXIO; /* every offset is at or past the end */
	if (whence != LINUX_SEEK_SET && whence != LINUX_SEEK_CUR && whence != LINUX_SEEK_END)
		return -LINUX_EINVAL;
	pthread_mutex_lock(&f->f_lock);
	if (whence == LINUX_SEEK_CUR && __builtin_add_overflow(off, d->pos, &off))
		off = -1;
	ret = off < 0 ? -LINUX_EINVAL : (d->pos = off);
	pthread_mutex_unlock(&f->f_lock);
	return ret;
}

/*
 * task: a dr-xr-xr-x directory whose link count counts the threads, as
 * Linux's proc_task_getattr; fd: dr-x------ with 2 links.
 */
static long proc_dir_fstat(struct file *f, struct linux_stat *st)
{
	struct proc_dir *d = f->private_data;

	if (d->kind == PROC_FD) {
		proc_fill_stat(st, d->dev, proc_ino(d->tgid, PROC_FD), 2, LINUX_S_IFDIR | 0500,
			       &d->ctime);
		return 0;
	}
	proc_fill_stat(st, d->dev, proc_ino(d->tgid, PROC_TASK),
		       2 + thread_group_tids(d->tgid, NULL, 0), LINUX_S_IFDIR | 0555, &d->ctime);
	return 0;
}

static void proc_dir_release(struct file *f)
{
	struct proc_dir *d = f->private_data;

	free(d->tids);
	free(d);
}

static const struct file_operations proc_dir_ops = {
	.read = proc_dir_read,
	.pread = proc_dir_pread,
	.llseek = proc_dir_llseek,
	.getdents64 = proc_dir_getdents64,
	.fstat = proc_dir_fstat,
	.release = proc_dir_release,
};

/* Linux's open checks on an existing directory. */
static long proc_dir_may_open(u32 flags)
{
	if ((flags & (LINUX_O_CREAT | LINUX_O_EXCL)) == (LINUX_O_CREAT | LINUX_O_EXCL))
		return -LINUX_EEXIST;
	if (flags & LINUX_O_PATH)
		return 0;
	if ((flags & (LINUX_O_CREAT | LINUX_O_TRUNC)) ||
	    (flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY)
		return -LINUX_EISDIR;
	return 0;
}

static struct file *proc_dir_open(enum proc_kind kind, int tgid, const char *path, u32 flags)
{
	struct proc_dir *d;
	struct file *f;
	long err;

	if ((err = proc_dir_may_open(flags)))
		return ERR_PTR(err);
	if (!(d = calloc(1, sizeof(*d))))
		return ERR_PTR(-LINUX_ENOMEM);
	d->kind = kind;
	d->tgid = tgid;
	d->dev = proc_dev();
	clock_gettime(CLOCK_REALTIME, &d->ctime);
	flags &= ~(LINUX_O_CREAT | LINUX_O_NOCTTY | LINUX_O_CLOEXEC);
	f = alloc_file(&proc_dir_ops, -1, flags | LINUX_O_LARGEFILE, path);
	if (!f) {
		free(d);
		return ERR_PTR(-LINUX_ENOMEM);
	}
	f->private_data = d;
	return f;
}

struct file *proc_task_dir_open(int tgid, const char *path, u32 flags)
{
	return proc_dir_open(PROC_TASK, tgid, path, flags);
}

struct file *proc_fd_dir_open(int tgid, const char *path, u32 flags)
{
	return proc_dir_open(PROC_FD, tgid, path, flags);
}
