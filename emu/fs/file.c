/*
 * struct file references and the fd table (files_struct): lowest free fd,
 * close-on-exec bits, RLIMIT_NOFILE.  A file is released when its last
 * reference goes, which may be long after close() if another task holds it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "file.h"
#include "eventpoll.h"
#include "../kernel/task.h"
#include "../kernel/locking.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"

struct file *alloc_file(const struct file_operations *ops, int host_fd, u32 flags,
			const char *path)
{
	struct file *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	atomic_init(&f->f_count, 1);
	f->f_op = ops;
	f->host_fd = host_fd;
	f->f_flags = flags;
	f->path = path ? strdup(path) : NULL;
	pthread_mutex_init(&f->f_lock, NULL);
	return f;
}

struct file *get_file(struct file *f)
{
	atomic_fetch_add(&f->f_count, 1);
	return f;
}

void fput(struct file *f)
{
	if (atomic_fetch_sub(&f->f_count, 1) != 1)
		return;
	/* No one else can reach f now: no epoll_ctl adds to f_ep meanwhile. */
	if (f->f_ep)
		eventpoll_release(f);
	if (f->f_op->release)
		f->f_op->release(f);
	pthread_mutex_destroy(&f->f_lock);
	free(f->path);
	free(f);
}

struct files_struct *files_alloc(void)
{
	struct files_struct *files = calloc(1, sizeof(*files));

	if (!files)
		return NULL;
	atomic_init(&files->count, 1);
	pthread_mutex_init(&files->file_lock, NULL);
	return files;
}

void put_files(struct files_struct *files)
{
	if (atomic_fetch_sub(&files->count, 1) != 1)
		return;
	for (int fd = 0; fd < files->max_fds; fd++)
		if (files->fd[fd])
			fput(files->fd[fd]);
	free(files->fd);
	free(files->cloexec);
	pthread_mutex_destroy(&files->file_lock);
	free(files);
}

/* Takes fd's file out of the table (its reference is the caller's now). Caller holds file_lock. */
static struct file *fd_detach_locked(struct files_struct *files, int fd)
{
	struct file *f = files->fd[fd];

	files->fd[fd] = NULL;
	files->cloexec[fd] = 0;
	return f;
}

void do_close_on_exec(struct files_struct *files)
{
	for (int fd = 0; fd < files->max_fds; fd++) {
		struct file *f = NULL;
		pthread_mutex_lock(&files->file_lock);
		if (files->cloexec[fd])
			f = fd_detach_locked(files, fd);
		pthread_mutex_unlock(&files->file_lock);
		if (f)
			fput(f);
	}
}

char *file_name_dup(struct file *f)
{
	char name[LINUX_PATH_MAX];

	snprintf(name, sizeof(name), "%s", f->path ? f->path : "");
	if (f->host_fd >= 0)
		host_fd_path(f->host_fd, name, sizeof(name));
	return name[0] ? strdup(name) : NULL;
}

struct file *files_fget(struct files_struct *files, int fd)
{
	struct file *f = NULL;

	pthread_mutex_lock(&files->file_lock);
	if (fd >= 0 && fd < files->max_fds && files->fd[fd])
		f = get_file(files->fd[fd]);
	pthread_mutex_unlock(&files->file_lock);
	return f;
}

struct file *fget(struct task *t, int fd)
{
	return files_fget(t->files, fd);
}

long task_rlimit_nofile(struct task *t)
{
	u64 cur = t->signal->rlim[LINUX_RLIMIT_NOFILE].rlim_cur;

	return cur > (1 << 20) ? (1 << 20) : (long)cur;
}

/* Makes room for fd numbers below n. Caller holds file_lock. */
static int expand_files_locked(struct files_struct *files, int n)
{
	struct file **fd;
	u8 *cloexec;
	int max = files->max_fds ? files->max_fds : 64;

	if (n <= files->max_fds)
		return 0;
	while (max < n)
		max *= 2;
	fd = realloc(files->fd, max * sizeof(*fd));
	if (!fd)
		return -LINUX_ENOMEM;
	files->fd = fd;
	cloexec = realloc(files->cloexec, max);
	if (!cloexec)
		return -LINUX_ENOMEM;
	files->cloexec = cloexec;
	memset(fd + files->max_fds, 0, (max - files->max_fds) * sizeof(*fd));
	memset(cloexec + files->max_fds, 0, max - files->max_fds);
	files->max_fds = max;
	return 0;
}

int fd_install_lowest(struct task *t, struct file *f, int minfd, bool cloexec)
{
	struct files_struct *files = t->files;
	long limit = task_rlimit_nofile(t);
	int fd;

	if (minfd < 0 || minfd >= limit)
		return -LINUX_EINVAL;
	pthread_mutex_lock(&files->file_lock);
	for (fd = minfd; fd < files->max_fds && files->fd[fd]; fd++)
		;
	if (fd >= limit) {
		pthread_mutex_unlock(&files->file_lock);
		return -LINUX_EMFILE;
	}
	if (expand_files_locked(files, fd + 1)) {
		pthread_mutex_unlock(&files->file_lock);
		return -LINUX_ENOMEM;
	}
	files->fd[fd] = f;
	files->cloexec[fd] = cloexec;
	pthread_mutex_unlock(&files->file_lock);
	return fd;
}

int fd_install_at(struct task *t, int fd, struct file *f, bool cloexec)
{
	struct files_struct *files = t->files;
	struct file *old;

	if (fd < 0 || fd >= task_rlimit_nofile(t))
		return -LINUX_EBADF;
	pthread_mutex_lock(&files->file_lock);
	if (expand_files_locked(files, fd + 1)) {
		pthread_mutex_unlock(&files->file_lock);
		return -LINUX_ENOMEM;
	}
	old = files->fd[fd];
	files->fd[fd] = f;
	files->cloexec[fd] = cloexec;
	pthread_mutex_unlock(&files->file_lock);
	if (old)
		fput(old);
	return fd;
}

int close_fd(struct task *t, int fd)
{
	struct files_struct *files = t->files;
	struct file *f = NULL;

	pthread_mutex_lock(&files->file_lock);
	if (fd >= 0 && fd < files->max_fds) {
		f = files->fd[fd];
		files->fd[fd] = NULL;
		files->cloexec[fd] = 0;
	}
	pthread_mutex_unlock(&files->file_lock);
	if (!f)
		return -LINUX_EBADF;
	fput(f);
	return 0;
}

int get_close_on_exec(struct task *t, int fd)
{
	struct files_struct *files = t->files;
	int ret = -LINUX_EBADF;

	pthread_mutex_lock(&files->file_lock);
	if (fd >= 0 && fd < files->max_fds && files->fd[fd])
		ret = files->cloexec[fd];
	pthread_mutex_unlock(&files->file_lock);
	return ret;
}

int set_close_on_exec(struct task *t, int fd, bool on)
{
	struct files_struct *files = t->files;
	int ret = -LINUX_EBADF;

	pthread_mutex_lock(&files->file_lock);
	if (fd >= 0 && fd < files->max_fds && files->fd[fd]) {
		files->cloexec[fd] = on;
		ret = 0;
	}
	pthread_mutex_unlock(&files->file_lock);
	return ret;
}

struct files_struct *dup_fd(struct files_struct *old)
{
	struct files_struct *files = files_alloc();

	if (!files)
		return NULL;
	pthread_mutex_lock(&old->file_lock);
	if (expand_files_locked(files, old->max_fds)) {
		pthread_mutex_unlock(&old->file_lock);
		put_files(files);
		return NULL;
	}
	for (int fd = 0; fd < old->max_fds; fd++) {
		files->fd[fd] = old->fd[fd] ? get_file(old->fd[fd]) : NULL;
		files->cloexec[fd] = old->cloexec[fd];
	}
	pthread_mutex_unlock(&old->file_lock);
	return files;
}

void close_fd_range(struct files_struct *files, u32 lo, u32 hi, bool cloexec)
{
	for (u64 fd = lo; fd <= hi; fd++) {
		struct file *f = NULL;
		pthread_mutex_lock(&files->file_lock);
		if (fd >= (u64)files->max_fds) {
			pthread_mutex_unlock(&files->file_lock);
			break;
		}
		if (cloexec)
			files->cloexec[fd] = files->fd[fd] != NULL;
		else
			f = fd_detach_locked(files, (int)fd);
		pthread_mutex_unlock(&files->file_lock);
		if (f)
			fput(f);
	}
}
