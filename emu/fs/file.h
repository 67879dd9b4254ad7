/*
 * Open file descriptions (struct file), fd tables (files_struct) and the
 * file-system context (fs_struct).  A file is shared by dup, fork and
 * CLONE_FILES; its offset lives in it (for host files: in its host fd).
 */
#ifndef LXEMU_FILE_H
#define LXEMU_FILE_H

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include "../types.h"
#include "../../abi/linux/stat.h"
#include "../../abi/linux/fcntl.h"

struct task;
struct file;
struct poll_table;
struct epitem;

struct file_operations {
	/* Kernel buffers in and out; the sys_ layer does the user copies. */
	long (*read)(struct file *f, void *buf, u64 n);
	long (*write)(struct file *f, const void *buf, u64 n);
	long (*pread)(struct file *f, void *buf, u64 n, s64 pos);
	long (*pwrite)(struct file *f, const void *buf, u64 n, s64 pos);
	s64 (*llseek)(struct file *f, s64 off, int whence);
	long (*ioctl)(struct task *t, struct file *f, u32 cmd, u64 arg);
	long (*getdents64)(struct file *f, void *buf, u64 n);
	long (*fstat)(struct file *f, struct linux_stat *st);
	/*
	 * The POLL* events ready now, watching the file's wait queues through
	 * pt (poll_wait; pt may be NULL).  Files without it are polled in the
	 * host through their host fd.
	 */
	unsigned (*poll)(struct file *f, struct poll_table *pt);
	void (*release)(struct file *f);
};

struct file {
	atomic_int f_count;
	const struct file_operations *f_op;
	int host_fd;      /* -1 when the file has no host side */
	bool host_may_block; /* a pipe, terminal or socket: reads and writes wait interruptibly */
	char *path;       /* guest path it was opened by, for maps and /proc */
	void *private_data;
	pthread_mutex_t f_lock;
	/* guarded by f_lock */
	u32 f_flags;      /* access mode and status flags (LINUX_O_*) */
	struct epitem *f_ep; /* the epoll items watching it, removed at release (eventpoll.c) */
};

#define NR_OPEN_DEFAULT 1024

struct files_struct {
	atomic_int count;
	pthread_mutex_t file_lock;
	/* guarded by file_lock */
	int max_fds;
	struct file **fd;
	u8 *cloexec;
};

/*
 * A root of the file tree: a host O_PATH directory fd and its host path.
 * Never changed once set: chroot puts a new one in front, and the old ones
 * stay open until the fs_struct goes, so a lookup that began at one ends
 * at it, and fs_root() needs no lock.
 */
struct fs_root {
	int fd;
	char *path;       /* real host path; "/" is the host's own tree */
	struct fs_root *prev;
};

struct fs_struct {
	atomic_int users;
	pthread_mutex_t lock;
	struct fs_root *_Atomic root; /* set under lock, read with fs_root() */
	/* guarded by lock */
	int cwd_fd;       /* host O_PATH fd of the cwd */
	char *cwd;        /* guest path of the cwd */
	u32 umask;
};

/* O_NONBLOCK now (F_SETFL may change it while a call runs). */
static inline bool file_nonblocking(struct file *f)
{
	return __atomic_load_n(&f->f_flags, __ATOMIC_RELAXED) & LINUX_O_NONBLOCK;
}

/* struct file */
struct file *alloc_file(const struct file_operations *ops, int host_fd, u32 flags,
			const char *path);
struct file *get_file(struct file *f);
/*
 * f's name, as /proc/PID/fd and maps show it, in a new string (NULL: none):
 * a host file's host path now (its guest path under --root), else the name
 * a kernel file was made with (pipe:[N], anon_inode:[eventfd]).
 */
char *file_name_dup(struct file *f);
void fput(struct file *f);

/* files_struct */
struct files_struct *files_alloc(void);
void put_files(struct files_struct *files);
/* A reference to the file at fd of files, or NULL. */
struct file *files_fget(struct files_struct *files, int fd);
struct file *fget(struct task *t, int fd);
/* A copy of the table for a new process: every file get()-ed (clone without CLONE_FILES). */
struct files_struct *dup_fd(struct files_struct *old);
/* execve: closes every descriptor marked close-on-exec. */
void do_close_on_exec(struct files_struct *files);
/* Installs f at the lowest free fd >= minfd. Consumes the reference on success. */
int fd_install_lowest(struct task *t, struct file *f, int minfd, bool cloexec);
/* Installs f at exactly fd, closing what was there. Consumes the reference. */
int fd_install_at(struct task *t, int fd, struct file *f, bool cloexec);
int close_fd(struct task *t, int fd);
/* close_range: closes, or marks close-on-exec, every open fd in [lo, hi]. */
void close_fd_range(struct files_struct *files, u32 lo, u32 hi, bool cloexec);
int get_close_on_exec(struct task *t, int fd);
int set_close_on_exec(struct task *t, int fd, bool on);
long task_rlimit_nofile(struct task *t);

/* fs_struct */
struct fs_struct *fs_alloc(const char *root);
void put_fs(struct fs_struct *fs);
/* A copy for clone without CLONE_FS. */
struct fs_struct *copy_fs_struct(struct fs_struct *old);
/* The cwd's guest path, copied into buf under fs->lock (getcwd, /proc/PID/cwd). */
void fs_cwd_get(struct fs_struct *fs, char *buf, size_t size);
/* The root paths resolve from now; valid while fs is. */
static inline struct fs_root *fs_root(struct fs_struct *fs)
{
	return atomic_load_explicit(&fs->root, memory_order_acquire);
}
/* chroot: makes the directory host_fd (an O_PATH fd, consumed) fs's root. */
long set_fs_root(struct fs_struct *fs, int host_fd);

/* Host pass-through files (host.c). */
extern const struct file_operations host_file_ops;
struct file *host_file_wrap(int host_fd, u32 flags, const char *path);
/* Replaces buf with the absolute path of host_fd (the guest root is "/"); leaves it on failure. */
void host_fd_path(int host_fd, char *buf, size_t size);
long host_fstat_to_linux(int host_fd, struct linux_stat *st);
void stat_to_linux(const void *host_stat, struct linux_stat *st);

/* Errno and flag translation at the host boundary. */
long host_errno_to_linux(int host_errno);
int linux_open_flags_to_host(u32 flags);
u32 host_open_flags_to_linux(int flags);

/*
 * Path resolution (namei.c): turns a guest (dirfd, path) into a host
 * (dirfd, relative path) pair under the guest root.  Returns 0 or -errno.
 */
struct path_ref {
	int host_dirfd;
	char rel[4096 + 2];
	struct file *dir; /* holds the dirfd's file while in use, or NULL */
};
long path_lookup(struct task *t, int dirfd, const char *path, int at_flags, struct path_ref *p);
void path_release(struct path_ref *p);

#endif
