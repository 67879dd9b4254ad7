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
/* read(2) and write(2) of a pipe, blocking or not as nonblock says (splice's flag). */
long pipe_read_nb(struct file *f, void *buf, u64 n, bool nonblock);
long pipe_write_nb(struct file *f, const void *buf, u64 n, bool nonblock);

/*
 * splice and tee out of pipe f: waits (unless nonblock) for data, then hands
 * up to n of the bytes at its tail to sink, which returns how many it took
 * (or -errno), and takes that many from the pipe unless PIPE_SPLICE_PEEK
 * (tee).  PIPE_SPLICE_LOCKED holds the pipe's lock across sink, as Linux's
 * pipe_lock (for a sink that is no pipe).  0 at end of file.
 */
#define PIPE_SPLICE_PEEK 1u
#define PIPE_SPLICE_LOCKED 2u
long pipe_splice_out(struct file *f, u64 n, bool nonblock, unsigned how,
		     long (*sink)(void *arg, const void *buf, u64 len), void *arg);
/* The bytes pipe f can take now, waiting (unless nonblock) while it is full; -EPIPE without readers. */
long pipe_splice_room(struct file *f, bool nonblock);
/* Whether a and b are ends of one pipe. */
bool files_same_pipe(struct file *a, struct file *b);

/* A new file on of's pipe, open as flags say (O_ACCMODE, O_NONBLOCK): /proc/PID/fd/N. */
struct file *pipe_reopen(struct file *of, u32 flags);

#endif
