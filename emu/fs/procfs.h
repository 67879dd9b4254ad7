/*
 * The /proc files lxemu generates from its own kernel objects instead of
 * passing them through to the host: for now /proc/PID/maps of the caller.
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

#endif
