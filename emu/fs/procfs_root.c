/*
 * The listing of /proc: the host's own entries (cpuinfo, self, sys, ...)
 * less its pids, then every guest process (zombies too), ascending, as
 * Linux's proc_root_readdir lists them.  The directory itself stays the
 * host's (fstat, fchdir and lookups relative to it go to the host); only
 * getdents64 and lseek are this file's, working from a snapshot taken when
 * a reader starts at offset 0, as procfs_task.c does.
 */
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include "file.h"
#include "procfs.h"
#include "../kernel/task.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"
#include "../../abi/linux/misc.h"

#define PROC_SUPER_MAGIC 0x9fa0

struct proc_root {
	/* guarded by the file's f_lock */
	u8 *ents;      /* the snapshot: linux_dirent64 records, d_off still unset */
	size_t *at;    /* where record i starts in ents */
	int nr;
	s64 pos;       /* the next record */
};

/* A growing list of dirent64 records. */
struct dirent_list {
	u8 *ents;
	size_t *at;
	size_t used, cap;
	int nr, cap_nr;
};

static bool list_add(struct dirent_list *l, const char *name, u64 ino, u8 type)
{
	size_t namelen = strlen(name);
	u16 reclen = (offsetof(struct linux_dirent64, d_name) + namelen + 1 + 7) & ~7u;
	struct linux_dirent64 *de;

	if (l->used + reclen > l->cap) {
		size_t cap = MAX(2 * l->cap, l->used + reclen + 4096);
		u8 *p = realloc(l->ents, cap);
		if (!p)
			return false;
		l->ents = p;
		l->cap = cap;
	}
	if (l->nr == l->cap_nr) {
		int cap_nr = MAX(2 * l->cap_nr, 64);
		size_t *p = realloc(l->at, cap_nr * sizeof(*p));
		if (!p)
			return false;
		l->at = p;
		l->cap_nr = cap_nr;
	}
	de = (struct linux_dirent64 *)(l->ents + l->used);
	memset(de, 0, reclen);
	de->d_ino = ino;
	de->d_reclen = reclen;
	de->d_type = type;
	memcpy(de->d_name, name, namelen);
	l->at[l->nr++] = l->used;
	l->used += reclen;
	return true;
}

static bool is_pid_name(const char *name)
{
	if (!*name)
		return false;
	for (; *name; name++)
		if (*name < '0' || *name > '9')
			return false;
	return true;
}

/* The host's entries of the directory open at host_fd, its pids left out. */
static long list_host(int host_fd, struct dirent_list *l)
{
	int fd = openat(host_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	u8 buf[8192];
	long n, err = 0;

	if (fd < 0)
		return host_errno_to_linux(errno);
	while (!err && (n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long off = 0; off < n;) {
			struct linux_dirent64 *de = (struct linux_dirent64 *)(buf + off);
			if (!is_pid_name(de->d_name) && !list_add(l, de->d_name, de->d_ino, de->d_type))
				err = -LINUX_ENOMEM;
			off += de->d_reclen;
		}
	}
	if (!err && n < 0)
		err = host_errno_to_linux(errno);
	close(fd);
	return err;
}

static int cmp_int(const void *a, const void *b)
{
	return *(const int *)a - *(const int *)b;
}

/* Every guest process's tgid, ascending, in a new array. */
static long list_tgids(int **tgidsp, int *nrp)
{
	struct signal_struct *sg;
	int n = 0, max = 0, *tgids = NULL;

	for (;;) {
		tasklist_lock();
		n = 0;
		for (sg = procs_locked(); sg; sg = sg->next_proc) {
			if (n < max)
				tgids[n] = sg->tgid;
			n++;
		}
		tasklist_unlock();
		if (n <= max)
			break;
		max = n + 16;
		int *p = realloc(tgids, max * sizeof(*p));
		if (!p) {
			free(tgids);
			return -LINUX_ENOMEM;
		}
		tgids = p;
	}
	if (n)
		qsort(tgids, n, sizeof(*tgids), cmp_int);
	*tgidsp = tgids;
	*nrp = n;
	return 0;
}

static long root_snapshot(struct file *f, struct dirent_list *l)
{
	int *tgids = NULL, nr = 0;
	char name[16];
	long err;

	memset(l, 0, sizeof(*l));
	if ((err = list_host(f->host_fd, l)) || (err = list_tgids(&tgids, &nr)))
		goto fail;
	for (int i = 0; i < nr; i++) {
		snprintf(name, sizeof(name), "%d", tgids[i]);
		if (!list_add(l, name, proc_ino(tgids[i], PROC_NONE), LINUX_DT_DIR)) {
			err = -LINUX_ENOMEM;
			goto fail;
		}
	}
	free(tgids);
	return 0;
fail:
	free(tgids);
	free(l->ents);
	free(l->at);
	return err;
}

/* Takes a fresh snapshot when the reader starts over (or has none). */
static long root_refresh(struct file *f)
{
	struct proc_root *r = f->private_data;
	struct dirent_list l;
	bool stale;
	long err;

	pthread_mutex_lock(&f->f_lock);
	stale = !r->ents || r->pos == 0;
	pthread_mutex_unlock(&f->f_lock);
	if (!stale)
		return 0;
	/* Not under f_lock: the task list's lock comes first. */
	if ((err = root_snapshot(f, &l)))
		return err;
	pthread_mutex_lock(&f->f_lock);
	free(r->ents);
	free(r->at);
	r->ents = l.ents;
	r->at = l.at;
	r->nr = l.nr;
	pthread_mutex_unlock(&f->f_lock);
	return 0;
}

static long root_getdents64(struct file *f, void *buf, u64 n)
{
	struct proc_root *r = f->private_data;
	u64 used = 0;
	long err;

	if ((err = root_refresh(f)))
		return err;
	pthread_mutex_lock(&f->f_lock);
	for (; r->pos < r->nr; r->pos++) {
		struct linux_dirent64 *de = (struct linux_dirent64 *)(r->ents + r->at[r->pos]);
		if (used + de->d_reclen > n)
			break;
		memcpy((u8 *)buf + used, de, de->d_reclen);
		((struct linux_dirent64 *)((u8 *)buf + used))->d_off = r->pos + 1;
		used += de->d_reclen;
	}
	/* A buffer too small for even one entry is EINVAL. */
	if (!used && r->pos < r->nr)
		err = -LINUX_EINVAL;
	pthread_mutex_unlock(&f->f_lock);
	return err ? err : (long)used;
}

/* Positions are record numbers; SEEK_END is the host's answer for a directory (EINVAL). */
static s64 root_llseek(struct file *f, s64 off, int whence)
{
	struct proc_root *r = f->private_data;
	s64 ret;

	if (whence != LINUX_SEEK_SET && whence != LINUX_SEEK_CUR)
		return -LINUX_EINVAL;
	pthread_mutex_lock(&f->f_lock);
	if (whence == LINUX_SEEK_CUR && __builtin_add_overflow(off, r->pos, &off))
		off = -1;
	ret = off < 0 ? -LINUX_EINVAL : (r->pos = off);
	pthread_mutex_unlock(&f->f_lock);
	return ret;
}

static void root_release(struct file *f)
{
	struct proc_root *r = f->private_data;

	free(r->ents);
	free(r->at);
	free(r);
	host_file_ops.release(f);
}

/* The rest is the host directory's. */
static long root_read(struct file *f, void *buf, u64 n)
{
	return host_file_ops.read(f, buf, n);
}

static long root_pread(struct file *f, void *buf, u64 n, s64 pos)
{
	return host_file_ops.pread(f, buf, n, pos);
}

static long root_write(struct file *f, const void *buf, u64 n)
{
	return host_file_ops.write(f, buf, n);
}

static long root_pwrite(struct file *f, const void *buf, u64 n, s64 pos)
{
	return host_file_ops.pwrite(f, buf, n, pos);
}

static long root_ioctl(struct task *t, struct file *f, u32 cmd, u64 arg)
{
	return host_file_ops.ioctl(t, f, cmd, arg);
}

static long root_fstat(struct file *f, struct linux_stat *st)
{
	return host_file_ops.fstat(f, st);
}

static const struct file_operations proc_root_ops = {
	.read = root_read,
	.write = root_write,
	.pread = root_pread,
	.pwrite = root_pwrite,
	.llseek = root_llseek,
	.ioctl = root_ioctl,
	.getdents64 = root_getdents64,
	.fstat = root_fstat,
	.release = root_release,
};

/* The host's procfs root: a procfs directory with inode 1. */
static bool is_host_proc_root(int host_fd)
{
	struct statfs sfs;
	struct stat st;

	return !fstat(host_fd, &st) && S_ISDIR(st.st_mode) && st.st_ino == 1 &&
	       !fstatfs(host_fd, &sfs) && sfs.f_type == PROC_SUPER_MAGIC;
}

long procfs_wrap_host_dir(struct file *f)
{
	struct proc_root *r;

	if (f->f_op != &host_file_ops || !is_host_proc_root(f->host_fd))
		return 0;
	if (!(r = calloc(1, sizeof(*r))))
		return -LINUX_ENOMEM;
	f->private_data = r;
	f->f_op = &proc_root_ops;
	return 0;
}
