/*
 * fs_struct: the guest root, cwd and umask, shared by CLONE_FS.  Root and
 * cwd are held as host O_PATH fds so relative lookups use openat().
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "file.h"

struct fs_struct *fs_alloc(const char *root)
{
	struct fs_struct *fs = calloc(1, sizeof(*fs));
	char buf[4096];

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
	fs->cwd = strdup(getcwd(buf, sizeof(buf)) ? buf : "/");
	fs->umask = 022;
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
