/*
 * The /proc files lxemu generates from its own kernel objects instead of
 * passing them through to the host: for now the caller's /proc/PID/maps,
 * /proc/PID/comm and the /proc/PID/task directory.
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
 * an entry of a process other than t's own (ENOENT, never the host's) or a
 * refused open, else a new file holding one reference.
 */
struct file *procfs_open(struct task *t, const char *path, u32 flags);

/* Inside procfs (procfs.c, procfs_task.c). */
enum proc_kind { PROC_NONE, PROC_MAPS, PROC_COMM, PROC_TASK };

/* st_dev of every generated entry: the host's /proc, as a native program sees it. */
u64 proc_dev(void);

/* st_ino of entry kind of task tid: stable and distinct, as Linux's are. */
static inline u64 proc_ino(int tid, enum proc_kind kind)
{
	return ((u64)tid << 16) | kind;
}

struct linux_stat;
struct timespec;
/* The stat of a generated entry: owned by the caller's ids, every time ctime. */
void proc_fill_stat(struct linux_stat *st, u64 dev, u64 ino, u32 nlink, u32 mode,
		    const struct timespec *ctime);

/* Opens /proc/PID/task of thread group tgid: a directory of its live tids. */
struct file *proc_task_dir_open(int tgid, const char *path, u32 flags);

#endif
