/*
 * fs_struct: the guest root, cwd and umask, shared by CLONE_FS.  Root and
 * cwd are held as host O_PATH fds that lookups start from (namei.c); the
 * root also by its host path, which guest paths of host files are cut from
 * (host.c).  chroot changes the root; --root is the first one.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "file.h"
#include "namei.h"
#include "../../abi/linux/errno.h"

/* A root of fd (consumed) at host path path. */
static struct fs_root *fs_root_alloc(int fd, const char *path)
{
	struct fs_root *r = malloc(sizeof(*r));

	if (fd < 0 || !r || !(r->path = strdup(path))) {
		free(r);
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	r->fd = fd;
	r->prev = NULL;
	return r;
}

static void free_fs_roots(struct fs_root *r)
{
	while (r) {
		struct fs_root *prev = r->prev;
		close(r->fd);
		free(r->path);
		free(r);
		r = prev;
	}
}

/*
 * The first fs_struct: root is the host directory that is the guest's "/".
 * The cwd is lxemu's own when that is inside the root, else the root.
 */
struct fs_struct *fs_alloc(const char *root)
{
	struct fs_struct *fs = calloc(1, sizeof(*fs));
	char buf[LINUX_PATH_MAX];

	if (!fs)
		return NULL;
	atomic_init(&fs->users, 1);
	pthread_mutex_init(&fs->lock, NULL);
	atomic_init(&fs->root, fs_root_alloc(open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), root));
	fs->cwd_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (!fs->root || fs->cwd_fd < 0) {
		put_fs(fs);
		return NULL;
	}
	if (host_fd_guest_path(fs->cwd_fd, buf, sizeof(buf))) {
		close(fs->cwd_fd);
		fs->cwd_fd = fcntl(fs_root(fs)->fd, F_DUPFD_CLOEXEC, 0);
		strcpy(buf, "/");
	}
	fs->cwd = strdup(buf);
	fs->umask = 022;
	if (fs->cwd_fd < 0 || !fs->cwd) {
		put_fs(fs);
		return NULL;
	}
	return fs;
}

void put_fs(struct fs_struct *fs)
{
	if (atomic_fetch_sub(&fs->users, 1) != 1)
		return;
	free_fs_roots(fs->root);
	if (fs->cwd_fd >= 0)
		close(fs->cwd_fd);
	free(fs->cwd);
	pthread_mutex_destroy(&fs->lock);
	free(fs);
}

struct fs_struct *copy_fs_struct(struct fs_struct *old)
{
	struct fs_struct *fs = calloc(1, sizeof(*fs));
	struct fs_root *root;

	if (!fs)
		return NULL;
	atomic_init(&fs->users, 1);
	pthread_mutex_init(&fs->lock, NULL);
	pthread_mutex_lock(&old->lock);
	root = fs_root(old);
	atomic_init(&fs->root, fs_root_alloc(fcntl(root->fd, F_DUPFD_CLOEXEC, 0), root->path));
	fs->cwd_fd = fcntl(old->cwd_fd, F_DUPFD_CLOEXEC, 0);
	fs->cwd = strdup(old->cwd);
	fs->umask = old->umask;
	pthread_mutex_unlock(&old->lock);
	if (!fs->root || fs->cwd_fd < 0 || !fs->cwd) {
		put_fs(fs);
		return NULL;
	}
	return fs;
}

void fs_cwd_get(struct fs_struct *fs, char *buf, size_t size)
{
	pthread_mutex_lock(&fs->lock);
	snprintf(buf, size, "%s", fs->cwd);
	pthread_mutex_unlock(&fs->lock);
}

long set_fs_root(struct fs_struct *fs, int host_fd)
{
	char link[64], path[LINUX_PATH_MAX];
	struct fs_root *r;
	ssize_t n;

	snprintf(link, sizeof(link), "/proc/self/fd/%d", host_fd);
	n = readlink(link, path, sizeof(path) - 1);
	if (n <= 0 || path[0] != '/') {
		close(host_fd);
		return -LINUX_ENOENT;
	}
	path[n] = 0;
	if (!(r = fs_root_alloc(host_fd, path)))
		return -LINUX_ENOMEM;
	pthread_mutex_lock(&fs->lock);
	r->prev = fs_root(fs);
	atomic_store_explicit(&fs->root, r, memory_order_release);
	pthread_mutex_unlock(&fs->lock);
	return 0;
}
