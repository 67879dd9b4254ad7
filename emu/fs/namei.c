/*
 * Path lookup: a guest (dirfd, path) becomes a host (dirfd, relative path).
 * Absolute paths start at the guest root, relative ones at the cwd or the
 * dirfd's directory.  Confinement against ".." and symlinks that leave the
 * root is the file-tree issue's work; with the default root "/" the host
 * tree is the guest tree.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "file.h"
#include "../kernel/task.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"

long path_lookup(struct task *t, int dirfd, const char *path, int at_flags, struct path_ref *p)
{
	struct fs_struct *fs = t->fs;
	bool empty = !path[0];

	p->dir = NULL;
	if (empty && !(at_flags & LINUX_AT_EMPTY_PATH))
		return -LINUX_ENOENT;
	if (path[0] == '/') {
		while (*path == '/')
			path++;
		p->host_dirfd = fs->root_fd;
	} else if (dirfd == LINUX_AT_FDCWD) {
		p->host_dirfd = fs->cwd_fd;
	} else {
		p->dir = fget(t, dirfd);
		if (!p->dir)
			return -LINUX_EBADF;
		if (p->dir->host_fd < 0) {
			path_release(p);
			return -LINUX_ENOTDIR;
		}
		p->host_dirfd = p->dir->host_fd;
	}
	/* An empty path (AT_EMPTY_PATH) names the dirfd itself: the host call gets "" too. */
	snprintf(p->rel, sizeof(p->rel), "%s", path[0] || empty ? path : ".");
	return 0;
}

void path_release(struct path_ref *p)
{
	if (p->dir)
		fput(p->dir);
	p->dir = NULL;
}
