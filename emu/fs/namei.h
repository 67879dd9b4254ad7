/*
 * Path lookup under the guest root (namei.c): the host (dirfd, name) pairs
 * that handlers hand to one host *at() call, and the helpers around them.
 */
#ifndef LXEMU_NAMEI_H
#define LXEMU_NAMEI_H

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include "file.h"
#include "../mm/uaccess.h"

/*
 * path_lookup (file.h) names the object itself: follows a final symlink
 * unless LINUX_AT_SYMLINK_NOFOLLOW; "" with LINUX_AT_EMPTY_PATH names dirfd.
 * p->rel is "" when p->host_dirfd is the object: the host call then needs
 * AT_EMPTY_PATH (path_empty_flag), or a name it follows (path_host_name).
 */

/*
 * The parent directory and last name of a path, for the calls that create,
 * remove or rename that name (mkdir, unlink, rename, symlink, link's new
 * name): the host call must not follow the name, which none of them does.
 * Returns 0 or -errno; path_release undoes it.
 */
long path_parent_lookup(struct task *t, int dirfd, const char *path, struct path_ref *p);

/*
 * Opens a guest path as a new host fd with host open(2) flags and mode.
 * Returns the fd or a negative LINUX_E* value.
 */
long path_open(struct task *t, int dirfd, const char *path, int flags, u32 mode);

/*
 * The guest path of a host fd: its host path with the root's part cut off.
 * Returns 0, or -LINUX_ENOENT when the file has no name inside the root.
 */
long host_fd_guest_path(int host_fd, char *buf, size_t size);

/* AT_EMPTY_PATH when the lookup left the object itself in p->host_dirfd. */
static inline int path_empty_flag(const struct path_ref *p)
{
	return p->rel[0] ? 0 : AT_EMPTY_PATH;
}

/*
 * For host calls that take no AT_EMPTY_PATH (chmod, truncate, link): a name
 * that leads to the object, relative to *dirfd.
 */
static inline const char *path_host_name(const struct path_ref *p, char buf[32], int *dirfd)
{
	if (p->rel[0]) {
		*dirfd = p->host_dirfd;
		return p->rel;
	}
	snprintf(buf, 32, "/proc/self/fd/%d", p->host_dirfd);
	*dirfd = AT_FDCWD;
	return buf;
}

/*
 * Copies the guest path upath in (as path_), evaluates the lookup call on
 * it and then expr with p set; expr is a host call returning < 0 with errno
 * on failure.  Yields 0 / the call's value or a negative LINUX_E* value.
 */
#define WITH_LOOKUP(t, upath, p, lookup, expr)                                 \
	({                                                                     \
		char path_[LINUX_PATH_MAX];                                    \
		long r_ = getname((t), path_, (upath));                        \
		if (r_ >= 0)                                                   \
			r_ = (lookup);                                         \
		if (r_ >= 0) {                                                 \
			r_ = (expr);                                           \
			r_ = r_ < 0 ? host_errno_to_linux(errno) : r_;         \
			path_release(&(p));                                    \
		}                                                              \
		r_;                                                            \
	})

/* The object upath names (path_lookup with at_flags). */
#define WITH_PATH(t, dirfd, upath, at_flags, p, expr) \
	WITH_LOOKUP(t, upath, p, path_lookup((t), (dirfd), path_, (at_flags), &(p)), expr)

/* The parent directory and last name of upath (path_parent_lookup). */
#define WITH_PARENT(t, dirfd, upath, p, expr) \
	WITH_LOOKUP(t, upath, p, path_parent_lookup((t), (dirfd), path_, &(p)), expr)

#endif
