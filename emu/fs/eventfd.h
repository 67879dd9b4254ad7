/* eventfd files (eventfd.c). */
#ifndef LXEMU_EVENTFD_H
#define LXEMU_EVENTFD_H

#include "file.h"

struct file *eventfd_file_alloc(u32 count, bool semaphore, bool nonblock);
/* fstat of a file on Linux's anonymous inode (eventfd, epoll, signalfd, pidfd). */
long anon_inode_fstat(struct file *f, struct linux_stat *st);
/* lseek on such a file: 0, whatever is asked (Linux's noop_llseek). */
s64 noop_llseek(struct file *f, s64 off, int whence);

#endif
