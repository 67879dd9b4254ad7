/*
 * The /proc files lxemu generates from its own kernel objects instead of
 * passing them through to the host: /proc/PID/maps, comm, stat, status,
 * cmdline and the /proc/PID/task and fd directories of every guest process,
 * its root, cwd, exe and fd/N links, /proc/cpuinfo, and the guest's pids in
 * the listing of /proc.
 */
#ifndef LXEMU_PROCFS_H
#define LXEMU_PROCFS_H

#include <stddef.h>
#include "../types.h"

struct mm_struct;
struct task;
struct file;

/*
 * Writes /proc/PID/maps text for mm's VMAs into buf, Linux's show_map_vma
 * format, NUL-terminated when size > 0.  Caller holds mmap_lock.  Returns
 * the full length, which is >= size when the text did not fit (snprintf).
 */
long mm_format_maps_locked(struct mm_struct *mm, char *buf, size_t size);

/*
 * Opens path if it is a /proc file this kernel generates for t.  Returns
 * NULL when it is not one (the caller goes on to the host), an ERR_PTR for
 * an entry of a pid that is no guest process or thread (ENOENT, never the
 * host's) or a refused open, else a new file holding one reference.
 */
struct file *procfs_open(struct task *t, const char *path, u32 flags);

/*
 * A host directory the guest just opened: if it is the host's /proc, its
 * listing from now on shows the guest's pids instead of the host's
 * (procfs_root.c).  Returns 0 or -errno (f is left as it was).
 */
long procfs_wrap_host_dir(struct file *f);

/*
 * The magic links of /proc/{self,thread-self,PID} of any guest process:
 * which one an absolute path starts with, and the rest of the path after it
 * (procfs_link.c).
 */
enum proc_link_kind { PROC_LINK_ROOT, PROC_LINK_CWD, PROC_LINK_EXE, PROC_LINK_FD };
struct proc_link {
	enum proc_link_kind kind;
	int tgid;         /* whose link */
	bool own;         /* the caller's own process: its fs, files and mm */
	int fd;           /* PROC_LINK_FD: the guest fd */
	const char *rest; /* in the path: what follows the link ("" or from a "/") */
};
bool proc_link_parse(struct task *t, const char *path, struct proc_link *l);

/*
 * readlink of path if it is one of those links: its length with the text
 * in buf, 0 when path is no such link (the caller goes on), or -errno.
 */
long proc_readlink(struct task *t, const char *path, char *buf, size_t size);

/*
 * An absolute path into /proc/PID of a pid that is no guest pid is ENOENT;
 * one of a guest pid whose entry lxemu does not generate is the host's
 * entry of lxemu's own process (/proc/self): 1 with that path in buf.
 * 0: path is neither.
 */
long proc_pid_path(struct task *t, const char *path, char *buf, size_t size);

/* The open file a PROC_LINK_FD link names (a new reference), or NULL. */
struct file *proc_link_file(struct task *t, const struct proc_link *l);

/*
 * The guest path a ROOT, CWD or EXE link names, as readlink reads it:
 * its length, or -errno.
 */
long proc_link_path(struct task *t, const struct proc_link *l, char *buf, size_t size);

/*
 * lstat of path if it is one of those links itself (not followed): 1 with
 * *st filled in as Linux's proc links (S_IFLNK, the permission bits of the
 * file's access mode for fd/N), 0 when it is no such link, or -errno.
 */
struct linux_stat;
long proc_link_lstat(struct task *t, const char *path, struct linux_stat *st);

/* Inside procfs (procfs.c, procfs_task.c, procfs_pid.c, procfs_root.c). */
enum proc_kind { PROC_NONE, PROC_MAPS, PROC_COMM, PROC_TASK, PROC_STAT, PROC_STATUS,
		 PROC_CMDLINE, PROC_FD, PROC_CPUINFO, PROC_CPULIST };

/* Text built the snprintf way: what does not fit is still counted. */
struct seq_buf {
	char *buf;
	size_t size, len;
};
void seq_printf(struct seq_buf *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void seq_putc(struct seq_buf *s, char c);

/* The text of /proc/PID/{stat,status,cmdline} of task tid of process tgid, in a new buffer. */
long proc_pid_show(enum proc_kind kind, int tgid, int tid, char **text, size_t *len);
/* The name of task tid of process tgid once the task has gone (a zombie's); false if none. */
bool proc_comm_of(int tgid, int tid, char name[16]);
/* A reference (mm_get) to the mm of process tgid, or NULL (a zombie, or none). */
struct mm_struct *proc_mm_get(int tgid);

/* st_dev of every generated entry: the host's /proc, as a native program sees it. */
u64 proc_dev(void);

/* st_ino of entry kind of task tid: stable and distinct, as Linux's are. */
static inline u64 proc_ino(int tid, enum proc_kind kind)
{
	return ((u64)tid << 16) | kind;
}

/*
 * st_ino (and d_ino) of process tgid's fd/N link, or with which =
 * PROC_LINK_WHICH(kind) of its root, cwd or exe link: apart from proc_ino's
 * (bit 44) and from one another (fds stay below RLIMIT_NOFILE's 1 << 20).
 */
#define PROC_LINK_WHICH(kind) ((1 << 20) + (int)(kind))
static inline u64 proc_link_ino(int tgid, int which)
{
	return (1ULL << 44) | ((u64)(u32)tgid << 21) | (u64)(u32)which;
}

struct linux_stat;
struct timespec;
/* The stat of a generated entry: owned by the caller's ids, every time ctime. */
void proc_fill_stat(struct linux_stat *st, u64 dev, u64 ino, u32 nlink, u32 mode,
		    const struct timespec *ctime);

/* Opens /proc/PID/task of thread group tgid: a directory of its live tids. */
struct file *proc_task_dir_open(int tgid, const char *path, u32 flags);
/* Opens /proc/PID/fd of process tgid: a directory of its open fds (links). */
struct file *proc_fd_dir_open(int tgid, const char *path, u32 flags);

/* The text of /proc/cpuinfo for --cpus CPUs (procfs_cpuinfo.c), in a new buffer. */
long proc_cpuinfo_show(char **text, size_t *len);

/* The thread group of guest pid or tid pid, or 0 if there is none. */
int proc_tgid_of(long pid);
/* Process tgid's fd table (a reference: put_files), or NULL. */
struct files_struct *proc_files_get(int tgid);
/* Process tgid's cwd or program path (guest paths) into buf: 0 or -ENOENT. */
long proc_cwd_of(int tgid, char *buf, size_t size);
long proc_exe_of(int tgid, char *buf, size_t size);

#endif
