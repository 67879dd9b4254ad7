/*
 * Path lookup: a guest (dirfd, path) becomes a host (dirfd, name) pair for
 * one host *at() call.  Absolute paths start at the guest root, relative
 * ones at the cwd or the dirfd's directory, and paths through the caller's
 * own /proc/self links (procfs_link.c) at what those name.
 *
 * Under a confined root (--root other than the host's /) the host kernel
 * does the resolving: openat2 with RESOLVE_IN_ROOT from the root, or with
 * RESOLVE_BENEATH from a directory inside it, gives a new O_PATH fd; ".."
 * at the root stays there, absolute symlinks start at it, and the host's
 * /proc magic links are refused.  The host call that follows names only
 * that fd (AT_EMPTY_PATH) or one entry of a directory resolved so, which it
 * does not follow: nothing it sees leads outside the root, even while the
 * guest changes the tree.  With the host's / as root there is nothing to
 * escape to, and the host call resolves the path itself.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include "file.h"
#include "namei.h"
#include "procfs.h"
#include "../kernel/task.h"
#include "../mm/mm.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"

/* openat2 says EAGAIN when a rename raced a "..": the lookup may be tried again. */
#define OPENAT2_TRIES 64

enum start_kind {
	START_ROOT, /* the guest root */
	START_CWD,  /* the cwd */
	START_DIR,  /* a guest fd's directory: dirfd, or /proc/self/fd/N/... */
	START_FILE, /* /proc/self/fd/N itself: the guest's open file */
};

/* Where a lookup starts, and what is left of the path from there. */
struct lookup_start {
	enum start_kind kind;
	int fd;                   /* START_ROOT, _DIR, _FILE: the host fd */
	const char *path;         /* relative to the start; "" names the start */
	char buf[LINUX_PATH_MAX]; /* the path, when /proc/self/exe rewrote it */
};

/* A root other than the host's / (--root, or chroot): the host must not resolve alone. */
static bool root_confined(struct task *t)
{
	return strcmp(fs_root(t->fs)->path, "/") != 0;
}

static const char *skip_slashes(const char *path)
{
	while (*path == '/')
		path++;
	return path;
}

/* A host fd the lookup opened, held in p->dir until path_release closes it. */
static void held_fd_release(struct file *f)
{
	close(f->host_fd);
}

static const struct file_operations held_fd_ops = {
	.release = held_fd_release,
};

static long hold_fd(struct path_ref *p, int fd)
{
	p->dir = alloc_file(&held_fd_ops, fd, LINUX_O_PATH, NULL);
	if (!p->dir) {
		close(fd);
		return -LINUX_ENOMEM;
	}
	p->host_dirfd = fd;
	return 0;
}

static int openat2_retry(int dirfd, const char *path, u64 flags, u64 mode, u64 resolve)
{
	struct open_how how = { .flags = flags, .mode = mode, .resolve = resolve };
	int fd, tries = OPENAT2_TRIES;

	do
		fd = (int)syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
	while (fd < 0 && errno == EAGAIN && --tries);
	return fd;
}

/*
 * From a directory inside the root, the host resolves beneath it.  A path
 * that leaves it (".." above it, an absolute symlink) is resolved again
 * from the root, as the directory's guest path followed by path.
 */
static int open_beneath(struct fs_struct *fs, int dirfd, const char *path, u64 flags, u64 mode)
{
	char full[2 * LINUX_PATH_MAX];
	size_t n;
	int fd = openat2_retry(dirfd, path, flags, mode, RESOLVE_BENEATH);

	if (fd >= 0 || errno != EXDEV)
		return fd;
	/* A directory with no name in the root (removed, or the host's): nowhere to go up to. */
	if (host_fd_guest_path(dirfd, full, LINUX_PATH_MAX)) {
		errno = ENOENT;
		return -1;
	}
	n = strlen(full);
	snprintf(full + n, sizeof(full) - n, "/%s", path);
	return openat2_retry(fs_root(fs)->fd, full, flags, mode, RESOLVE_IN_ROOT);
}

/*
 * A copy of the cwd's fd: a chdir in another task sharing fs may close the
 * original, and fs->lock is not held over lookups (opening a FIFO waits
 * for its other end).  Returns the fd or -1 with errno.
 */
static int get_cwd_fd(struct fs_struct *fs)
{
	int fd;

	pthread_mutex_lock(&fs->lock);
	fd = fcntl(fs->cwd_fd, F_DUPFD_CLOEXEC, 0);
	pthread_mutex_unlock(&fs->lock);
	return fd;
}

/*
 * Confined: opens path from s with host open flags; from the root s took
 * (a chroot meanwhile leaves it open).  Returns a host fd or a negative
 * LINUX_E* value.
 */
static long open_scoped(struct task *t, const struct lookup_start *s, const char *path,
			u64 flags, u64 mode)
{
	struct fs_struct *fs = t->fs;
	int fd, cwd, e;

	if (s->kind == START_ROOT) {
		fd = openat2_retry(s->fd, path, flags, mode, RESOLVE_IN_ROOT);
	} else if (s->kind == START_CWD) {
		if ((cwd = get_cwd_fd(fs)) < 0)
			return host_errno_to_linux(errno);
		fd = open_beneath(fs, cwd, path, flags, mode);
		e = errno;
		close(cwd);
		errno = e;
	} else {
		fd = open_beneath(fs, s->fd, path, flags, mode);
	}
	if (fd >= 0)
		return fd;
	/* The host's own /proc magic links (a /proc mounted in the root) are not followed. */
	return errno == EXDEV ? -LINUX_ELOOP : host_errno_to_linux(errno);
}

/* A path through a /proc link starts at what the link names. */
static long proc_link_start(struct task *t, const struct proc_link *l, struct path_ref *p,
			    struct lookup_start *s)
{
	char target[LINUX_PATH_MAX];
	long err;

	/* "link/" must be a directory: "." from what it names says whether it is. */
	s->path = l->rest[0] && !*skip_slashes(l->rest) ? "." : skip_slashes(l->rest);
	switch (l->kind) {
	case PROC_LINK_ROOT:
		s->kind = START_ROOT;
		s->fd = fs_root(t->fs)->fd;
		return 0;
	case PROC_LINK_CWD:
		if (l->own) {
			s->kind = START_CWD;
			return 0;
		}
		/* another process's cwd is followed as its path, as exe is */
		__attribute__((fallthrough));
	case PROC_LINK_EXE:
		/* Followed as the program's path: the file that was run, if still there. */
		if ((err = proc_link_path(t, l, target, sizeof(target))) < 0)
			return err;
		if (snprintf(s->buf, sizeof(s->buf), "%s%s", target, l->rest) >= (int)sizeof(s->buf))
			return -LINUX_ENAMETOOLONG;
		s->kind = START_ROOT;
		s->fd = fs_root(t->fs)->fd;
		s->path = skip_slashes(s->buf);
		return 0;
	case PROC_LINK_FD:
		if (!(p->dir = proc_link_file(t, l)))
			return -LINUX_ENOENT;
		/* A file of lxemu's own kernel (a pipe, /proc text): no host file to reopen. */
		if (p->dir->host_fd < 0) {
			path_release(p);
			return -LINUX_ENXIO;
		}
		s->kind = s->path[0] ? START_DIR : START_FILE;
		s->fd = p->dir->host_fd;
		return 0;
	}
	return -LINUX_ENOENT;
}

/*
 * Where path starts: the root, the cwd or dirfd's directory, or what a
 * /proc/self link at its start names (when more of the path follows it, or
 * link_last says a final link is followed).  Holds dirfd's file in p->dir.
 */
static long lookup_start(struct task *t, int dirfd, const char *path, bool link_last,
			 struct path_ref *p, struct lookup_start *s)
{
	struct proc_link l;

	p->dir = NULL;
	if (path[0] == '/') {
		long err;
		if (proc_link_parse(t, path, &l) && (l.rest[0] || link_last))
			return proc_link_start(t, &l, p, s);
		s->kind = START_ROOT;
		s->fd = fs_root(t->fs)->fd;
		s->path = skip_slashes(path);
		/* Never the host's processes: /proc/PID is a guest's or none. */
		if ((err = proc_pid_path(t, path, s->buf, sizeof(s->buf))) < 0)
			return err;
		if (err)
			s->path = skip_slashes(s->buf);
		return 0;
	}
	s->path = path;
	if (dirfd == LINUX_AT_FDCWD) {
		s->kind = START_CWD;
		return 0;
	}
	p->dir = fget(t, dirfd);
	if (!p->dir)
		return -LINUX_EBADF;
	if (p->dir->host_fd < 0) {
		path_release(p);
		return -LINUX_ENOTDIR;
	}
	s->kind = START_DIR;
	s->fd = p->dir->host_fd;
	return 0;
}

/* One entry's name: no slash, not "." or "..". */
static bool is_one_name(const char *path)
{
	return path[0] && !strchr(path, '/') && strcmp(path, ".") && strcmp(path, "..");
}

/* Unconfined: the start fd the host call resolves from (the cwd's is borrowed). */
static int start_fd(struct task *t, const struct lookup_start *s)
{
	return s->kind == START_CWD ? t->fs->cwd_fd : s->fd;
}

long path_lookup(struct task *t, int dirfd, const char *path, int at_flags, struct path_ref *p)
{
	bool follow = !(at_flags & LINUX_AT_SYMLINK_NOFOLLOW);
	struct lookup_start s;
	long fd;

	p->dir = NULL;
	if (!path[0] && !(at_flags & LINUX_AT_EMPTY_PATH))
		return -LINUX_ENOENT;
	if ((fd = lookup_start(t, dirfd, path, follow, p, &s)))
		return fd;
	if (!root_confined(t) || (!s.path[0] && s.kind != START_CWD)) {
		p->host_dirfd = start_fd(t, &s);
		snprintf(p->rel, sizeof(p->rel), "%s", s.path);
		return 0;
	}
	/*
	 * One entry not followed (lstat of a name, as find and tar do): the host
	 * call looks it up in the start directory alone, as safe as an fd of it.
	 */
	if (!follow && is_one_name(s.path)) {
		snprintf(p->rel, sizeof(p->rel), "%s", s.path);
		if (s.kind != START_CWD) {
			p->host_dirfd = s.fd;
			return 0;
		}
		fd = get_cwd_fd(t->fs);
		return fd < 0 ? host_errno_to_linux(errno) : hold_fd(p, (int)fd);
	}
	fd = open_scoped(t, &s, s.path[0] ? s.path : ".",
			 O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW), 0);
	path_release(p);
	p->rel[0] = 0;
	return fd < 0 ? fd : hold_fd(p, (int)fd);
}

long path_parent_lookup(struct task *t, int dirfd, const char *path, struct path_ref *p)
{
	char dir[LINUX_PATH_MAX];
	struct lookup_start s;
	size_t end, base;
	long fd;

	p->dir = NULL;
	if (!path[0])
		return -LINUX_ENOENT;
	if ((fd = lookup_start(t, dirfd, path, false, p, &s)))
		return fd;
	if (!root_confined(t)) {
		p->host_dirfd = start_fd(t, &s);
		snprintf(p->rel, sizeof(p->rel), "%s", s.path[0] ? s.path : ".");
		return 0;
	}
	/* The last name keeps its trailing slashes: the host call checks them, follows nothing. */
	for (end = strlen(s.path); end && s.path[end - 1] == '/'; end--)
		;
	for (base = end; base && s.path[base - 1] != '/'; base--)
		;
	snprintf(p->rel, sizeof(p->rel), "%s", end ? s.path + base : ".");
	if (!base && s.kind != START_CWD) {
		p->host_dirfd = s.fd;
		return 0;
	}
	if (!base) {
		fd = get_cwd_fd(t->fs);
		return fd < 0 ? host_errno_to_linux(errno) : hold_fd(p, (int)fd);
	}
	memcpy(dir, s.path, base);
	dir[base] = 0;
	fd = open_scoped(t, &s, dir, O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
	path_release(p);
	return fd < 0 ? fd : hold_fd(p, (int)fd);
}

/* openat2 refuses what openat ignores: flags beside O_PATH's own, a mode when not creating. */
static u64 openat2_flags(int flags)
{
	if (flags & O_PATH)
		flags &= O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	return (u32)flags;
}

static u64 openat2_mode(int flags, u32 mode)
{
	return flags & (O_CREAT | __O_TMPFILE) ? mode & 07777 : 0;
}

/* /proc/self/fd/N opened: the guest's file opened anew, through lxemu's own fd of it. */
static long reopen_file(int host_fd, int flags, u32 mode)
{
	char proc[64];
	int fd;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", host_fd);
	fd = open(proc, flags, mode);
	return fd < 0 ? host_errno_to_linux(errno) : fd;
}

long path_open(struct task *t, int dirfd, const char *path, int flags, u32 mode)
{
	bool excl = (flags & (O_CREAT | O_EXCL)) == (O_CREAT | O_EXCL);
	struct lookup_start s;
	struct path_ref p;
	long fd;

	if (!path[0])
		return -LINUX_ENOENT;
	if ((fd = lookup_start(t, dirfd, path, !(flags & O_NOFOLLOW) && !excl, &p, &s)))
		return fd;
	if (s.kind == START_FILE) {
		fd = reopen_file(s.fd, flags, mode);
	} else if (!root_confined(t)) {
		fd = syscall(SYS_openat, start_fd(t, &s), s.path[0] ? s.path : ".", flags, mode);
		fd = fd < 0 ? host_errno_to_linux(errno) : fd;
	} else {
		fd = open_scoped(t, &s, s.path[0] ? s.path : ".", openat2_flags(flags),
				 openat2_mode(flags, mode));
	}
	path_release(&p);
	return fd;
}

void path_release(struct path_ref *p)
{
	if (p->dir)
		fput(p->dir);
	p->dir = NULL;
}
