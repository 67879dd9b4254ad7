/* signalfd files (signalfd.c): the file type behind signalfd4. */
#ifndef LXEMU_SIGNALFD_H
#define LXEMU_SIGNALFD_H

#include "../types.h"
#include "../../abi/linux/signal.h"

struct file;
struct task;

/* A new signalfd file reading the signals in mask; flags: LINUX_O_NONBLOCK or 0. NULL: no memory. */
struct file *signalfd_file_alloc(linux_sigset_t mask, u32 flags);
bool is_signalfd(struct file *f);
/* Replaces f's mask and wakes its readers, which re-check with the new one. */
void signalfd_set_mask(struct task *t, struct file *f, linux_sigset_t mask);
/* A signal was queued (signal.c, no lock held but the task list's): signalfd pollers look again. */
void signalfd_notify(void);

#endif
