/*
 * Moving data between files and guest memory through bounce buffers, so no
 * lock is held across a host call that may block.  A transfer stops at the
 * first short read or write, and at the end of the accessible guest buffer
 * (a short count, or -EFAULT when nothing could be moved), as Linux does.
 */
#include <stdlib.h>
#include "file.h"
#include "rw.h"
#include "../net/af_unix.h"
#include "../kernel/task.h"
#include "../mm/uaccess.h"
#include "../mm/mm.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"
#include "../../abi/linux/mman.h"
#include "../../abi/linux/misc.h"

#define RW_CHUNK (256 * 1024)

bool file_readable(struct file *f)
{
	u32 acc = f->f_flags & LINUX_O_ACCMODE;

	return !(f->f_flags & LINUX_O_PATH) && (acc == LINUX_O_RDONLY || acc == LINUX_O_RDWR);
}

bool file_writable(struct file *f)
{
	u32 acc = f->f_flags & LINUX_O_ACCMODE;

	return !(f->f_flags & LINUX_O_PATH) && (acc == LINUX_O_WRONLY || acc == LINUX_O_RDWR);
}

/* One chunk into the file; pos < 0 means the file's own offset. */
static long read_chunk(struct file *f, void *buf, u64 n, s64 pos)
{
	if (pos < 0)
		return f->f_op->read ? f->f_op->read(f, buf, n) : -LINUX_EINVAL;
	return f->f_op->pread ? f->f_op->pread(f, buf, n, pos) : -LINUX_ESPIPE;
}

static long write_chunk(struct file *f, const void *buf, u64 n, s64 pos)
{
	if (pos < 0)
		return f->f_op->write ? f->f_op->write(f, buf, n) : -LINUX_EINVAL;
	return f->f_op->pwrite ? f->f_op->pwrite(f, buf, n, pos) : -LINUX_ESPIPE;
}

/*
 * The guest side of a transfer: the accessible prefix of [ubuf, ubuf+count)
 * moves in RW_CHUNK pieces through a kernel buffer.  Stops at a short
 * transfer; returns the bytes moved, or the first piece's error.
 */
static long transfer_user(struct task *t, struct file *f, u64 ubuf, u64 count, s64 pos,
			  bool write)
{
	u64 room = user_access_len(t, ubuf, count, write ? LINUX_PROT_READ : LINUX_PROT_WRITE);
	u64 done = 0;
	u8 *buf;

	if (room == 0)
		return -LINUX_EFAULT;
	buf = malloc(MIN(room, RW_CHUNK));
	if (!buf)
		return -LINUX_ENOMEM;
	while (done < room) {
		u64 want = MIN(room - done, RW_CHUNK);
		s64 at = pos < 0 ? pos : pos + (s64)done;
		long n;
		if (write) {
			copy_from_user(t, buf, ubuf + done, want);
			n = write_chunk(f, buf, want, at);
		} else {
			n = read_chunk(f, buf, want, at);
			if (n > 0 && copy_to_user(t, ubuf + done, buf, n))
				n = -LINUX_EFAULT;
		}
		if (n <= 0) {
			if (done == 0)
				done = n;
			break;
		}
		done += n;
		if ((u64)n < want)
			break;
	}
	free(buf);
	return (long)done;
}

long file_read_user(struct task *t, struct file *f, u64 ubuf, u64 count, s64 pos)
{
	if (!file_readable(f))
		return -LINUX_EBADF;
	if (count == 0)
		return read_chunk(f, NULL, 0, pos);
	return transfer_user(t, f, ubuf, count, pos, false);
}

long file_write_done(struct task *t, struct file *f, long ret)
{
	if (ret > 0)
		mm_file_written(t, f);
	if (ret == -LINUX_EPIPE && !file_is_socket(f))
		send_sig_simple(t, LINUX_SIGPIPE, LINUX_SI_USER);
	return ret;
}

/*
 * The iovecs' total length, and in *room the accessible prefix, as the
 * pieces would go (only looked up when the total fits one transfer).
 */
static u64 iov_lengths(struct task *t, const struct linux_iovec *iov, u64 vlen, int prot,
		       u64 *room)
{
	u64 total = 0;
	bool cut = false;

	*room = 0;
	for (u64 i = 0; i < vlen; i++) {
		total += iov[i].iov_len;
		if (cut || total > RW_CHUNK)
			continue; /* past the end, or too big for one transfer: not needed */
		u64 r = user_access_len(t, iov[i].iov_base, iov[i].iov_len, prot);
		*room += r;
		cut = r < iov[i].iov_len;
	}
	return total;
}

long file_writev_user(struct task *t, struct file *f, const struct linux_iovec *iov, u64 vlen,
		      s64 pos)
{
	u64 total, room;
	long ret;
	u8 *buf;

	if (!file_writable(f))
		return -LINUX_EBADF;
	total = iov_lengths(t, iov, vlen, LINUX_PROT_READ, &room);
	if (total > RW_CHUNK)
		return -LINUX_E2BIG;
	if (!total)
		return write_chunk(f, NULL, 0, pos);
	if (!room)
		return -LINUX_EFAULT;
	if (!(buf = malloc(room)))
		return -LINUX_ENOMEM;
	/* Up to the first byte that cannot be read. */
	for (u64 i = 0, got = 0; got < room; i++) {
		u64 n = MIN(iov[i].iov_len, room - got);
		copy_from_user(t, buf + got, iov[i].iov_base, n);
		got += n;
	}
	ret = file_write_done(t, f, write_chunk(f, buf, room, pos));
	free(buf);
	return ret;
}

long file_readv_user(struct task *t, struct file *f, const struct linux_iovec *iov, u64 vlen,
		     s64 pos)
{
	u64 total, room;
	long ret;
	u8 *buf;

	if (!file_readable(f))
		return -LINUX_EBADF;
	total = iov_lengths(t, iov, vlen, LINUX_PROT_WRITE, &room);
	if (total > RW_CHUNK)
		return -LINUX_E2BIG;
	if (!total)
		return read_chunk(f, NULL, 0, pos);
	/* Up to the first byte that cannot be written. */
	if (!room)
		return -LINUX_EFAULT;
	if (!(buf = malloc(room)))
		return -LINUX_ENOMEM;
	ret = read_chunk(f, buf, room, pos);
	for (u64 i = 0, done = 0; ret > 0 && done < (u64)ret; i++) {
		u64 n = MIN(iov[i].iov_len, (u64)ret - done);
		copy_to_user(t, iov[i].iov_base, buf + done, n);
		done += n;
	}
	free(buf);
	return ret;
}

long file_write_user(struct task *t, struct file *f, u64 ubuf, u64 count, s64 pos)
{
	if (!file_writable(f))
		return -LINUX_EBADF;
	if (count == 0)
		return write_chunk(f, NULL, 0, pos);
	return file_write_done(t, f, transfer_user(t, f, ubuf, count, pos, true));
}
