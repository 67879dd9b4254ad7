/* Reads and writes between files and guest buffers (read_write.c). */
#ifndef LXEMU_RW_H
#define LXEMU_RW_H

#include "file.h"

bool file_readable(struct file *f);
bool file_writable(struct file *f);
/* pos < 0: at and advancing the file's offset. Returns bytes moved or -errno. */
long file_read_user(struct task *t, struct file *f, u64 ubuf, u64 count, s64 pos);
long file_write_user(struct task *t, struct file *f, u64 ubuf, u64 count, s64 pos);

#endif
