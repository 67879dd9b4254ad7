/*
 * Pipes in the kernel (pipe.c): a ring of page-sized buffers as Linux's,
 * so PIPE_BUF atomicity, packet mode (O_DIRECT), capacity and F_SETPIPE_SZ
 * behave as there.  Readers and writers wait interruptibly on the pipe.
 */
#ifndef LXEMU_PIPE_H
#define LXEMU_PIPE_H

#include "file.h"

/* The read and write ends of a new pipe, f[0] and f[1]; flags: O_NONBLOCK, O_DIRECT. */
long pipe_create(struct task *t, struct file *f[2], u32 flags);
/* F_GETPIPE_SZ and F_SETPIPE_SZ: -EBADF for a file that is not a pipe. */
long pipe_fcntl(struct task *t, struct file *f, int cmd, u64 arg);
bool file_is_pipe(struct file *f);
/* A new file on of's pipe, open as flags say (O_ACCMODE, O_NONBLOCK): /proc/PID/fd/N. */
struct file *pipe_reopen(struct file *of, u32 flags);

#endif
