/*
 * fs_struct: the guest root, cwd and umask, shared by CLONE_FS.  Root and
 * cwd are held as host O_PATH fds that lookups start from (namei.c).
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "file.h"
#include "namei.h"

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
	fs->root_fd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC);
	fs->cwd_fd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fs->root_fd < 0 || fs->cwd_fd < 0) {
		put_fs(fs);
		return NULL;
	}
	if (host_fd_guest_path(fs->cwd_fd, buf, sizeof(buf))) {
		close(fs->cwd_fd);
		fs->cwd_fd = fcntl(fs->root_fd, F_DUPFD_CLOEXEC, 0);
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
	if (fs->root_fd >= 0)
		close(fs->root_fd);
	if (fs->cwd_fd >= 0)
		close(fs->cwd_fd);
	free(fs->cwd);
	pthread_mutex_destroy(&fs->lock);
	free(fs);
}

struct fs_struct *copy_fs_struct(struct fs_struct *old)
{
	struct fs_struct *fs = calloc(1, sizeof(*fs));

	if (!fs)
		return NULL;
	atomic_init(&fs->users, 1);
	pthread_mutex_init(&fs->lock, NULL);
	pthread_mutex_lock(&old->lock);
	fs->root_fd = fcntl(old->root_fd, F_DUPFD_CLOEXEC, 0);
	fs->cwd_fd = fcntl(old->cwd_fd, F_DUPFD_CLOEXEC, 0);
	fs->cwd = strdup(old->cwd);
	fs->umask = old->umask;
	pthread_mutex_unlock(&old->lock);
	if (fs->root_fd < 0 || fs->cwd_fd < 0 || !fs->cwd) {
		put_fs(fs);
		return NULL;
	}
	return fs;
}
