/* Reads and writes between files and guest buffers (read_write.c). */
#ifndef LXEMU_RW_H
#define LXEMU_RW_H

#include "file.h"

bool file_readable(struct file *f);
bool file_writable(struct file *f);
/* pos < 0: at and advancing the file's offset. Returns bytes moved or -errno. */
long file_read_user(struct task *t, struct file *f, u64 ubuf, u64 count, s64 pos);
long file_write_user(struct task *t, struct file *f, u64 ubuf, u64 count, s64 pos);
/*
 * writev's data as one write when it fits one transfer (so a pipe gets it
 * atomically up to PIPE_BUF, as from Linux's writev); -E2BIG when it does
 * not (the caller writes the pieces).
 */
/*
 * After any write to f (write, sendfile, splice...): mapped copies see it;
 * a write to a pipe without readers gets SIGPIPE (a socket sends its own:
 * only a stream's EPIPE has one).  Returns ret.
 */
long file_write_done(struct task *t, struct file *f, long ret);
struct linux_iovec;
long file_writev_user(struct task *t, struct file *f, const struct linux_iovec *iov, u64 vlen,
		      s64 pos);
/*
 * readv's counterpart: one read into all the pieces, so a pipe holding less
 * than they ask returns what it has instead of blocking for the next piece.
 */
long file_readv_user(struct task *t, struct file *f, const struct linux_iovec *iov, u64 vlen,
		     s64 pos);

#endif
