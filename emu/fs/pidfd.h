/* pidfd files (pidfd.c): a descriptor naming a process, for pidfd_send_signal. */
#ifndef LXEMU_PIDFD_H
#define LXEMU_PIDFD_H

#include "../types.h"

struct file;

/* A new pidfd file for thread group pid; flags: LINUX_O_NONBLOCK or 0. NULL: no memory. */
struct file *pidfd_file_alloc(int pid, u32 flags);
/* The pid f names, or -EBADF when f is not a pidfd. */
int pidfd_pid(struct file *f);

/* A process ended or was reaped: pidfd pollers look again (tasklist_lock may be held). */
void pidfd_notify(void);

#endif
