/*
 * read/write and their positional and vector forms (preadv2 and pwritev2
 * with their flags), sendfile.  Handlers
 * check arguments and hand the transfer to fs/read_write.c.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include "syscall_handlers.h"
#include "../kernel/task.h"
#include "../fs/file.h"
#include "../fs/pipe.h"
#include "../fs/rw.h"
#include "../net/af_unix.h"
#include "../../abi/linux/socket.h"
#include "../mm/mm.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fs.h"
#include "../../abi/linux/mman.h"
#include "../../abi/linux/misc.h"

#define MAX_RW_COUNT 0x7ffff000ULL /* Linux caps one transfer at INT_MAX & PAGE_MASK */

static long rw_fd(struct task *t, int fd, u64 ubuf, u64 count, s64 pos, bool write)
{
	struct file *f = fget(t, fd);
	long ret;

	if (!f)
		return -LINUX_EBADF;
	if (count > MAX_RW_COUNT)
		count = MAX_RW_COUNT;
	ret = write ? file_write_user(t, f, ubuf, count, pos) : file_read_user(t, f, ubuf, count, pos);
	fput(f);
	return ret;
}

long sys_read(struct task *t, int fd, u64 ubuf, u64 count)
{
	return rw_fd(t, fd, ubuf, count, -1, false);
}

long sys_write(struct task *t, int fd, u64 ubuf, u64 count)
{
	return rw_fd(t, fd, ubuf, count, -1, true);
}

long sys_pread64(struct task *t, int fd, u64 ubuf, u64 count, s64 pos)
{
	if (pos < 0)
		return -LINUX_EINVAL;
	return rw_fd(t, fd, ubuf, count, pos, false);
}

long sys_pwrite64(struct task *t, int fd, u64 ubuf, u64 count, s64 pos)
{
	if (pos < 0)
		return -LINUX_EINVAL;
	return rw_fd(t, fd, ubuf, count, pos, true);
}

/* Copies in and checks an iovec array. Returns a malloc'ed copy or ERR_PTR. */
static struct linux_iovec *import_iovec(struct task *t, u64 uvec, u64 vlen)
{
	struct linux_iovec *iov;
	u64 total = 0;

	if (vlen > LINUX_UIO_MAXIOV)
		return ERR_PTR(-LINUX_EINVAL);
	iov = malloc(sizeof(*iov) * (vlen ? vlen : 1));
	if (!iov)
		return ERR_PTR(-LINUX_ENOMEM);
	if (copy_from_user(t, iov, uvec, sizeof(*iov) * vlen)) {
		free(iov);
		return ERR_PTR(-LINUX_EFAULT);
	}
	for (u64 i = 0; i < vlen; i++) {
		total += iov[i].iov_len;
		if ((s64)iov[i].iov_len < 0 || (s64)total < 0) {
			free(iov);
			return ERR_PTR(-LINUX_EINVAL);
		}
	}
	return iov;
}

static long rw_vec(struct task *t, int fd, u64 uvec, u64 vlen, s64 pos, bool write)
{
	struct file *f = fget(t, fd);
	struct linux_iovec *iov;
	long done = 0;

	if (!f)
		return -LINUX_EBADF;
	if (!(write ? file_writable(f) : file_readable(f))) {
		fput(f);
		return -LINUX_EBADF;
	}
	iov = import_iovec(t, uvec, vlen);
	if (IS_ERR(iov)) {
		fput(f);
		return PTR_ERR(iov);
	}
	/*
	 * One transfer where it fits: a write is atomic on a pipe, and a read
	 * takes what a pipe has, as Linux's.
	 */
	done = write ? file_writev_user(t, f, iov, vlen, pos) : file_readv_user(t, f, iov, vlen, pos);
	if (done != -LINUX_E2BIG) {
		free(iov);
		fput(f);
		return done;
	}
	done = 0;
	for (u64 i = 0; i < vlen; i++) {
		if (!iov[i].iov_len)
			continue;
		s64 at = pos < 0 ? -1 : pos + done;
		long n = write ? file_write_user(t, f, iov[i].iov_base, iov[i].iov_len, at)
			       : file_read_user(t, f, iov[i].iov_base, iov[i].iov_len, at);
		if (n < 0) {
			done = done ? done : n;
			break;
		}
		done += n;
		if ((u64)n < iov[i].iov_len)
			break;
	}
	free(iov);
	fput(f);
	return done;
}

long sys_readv(struct task *t, int fd, u64 uvec, u64 vlen)
{
	return rw_vec(t, fd, uvec, vlen, -1, false);
}

long sys_writev(struct task *t, int fd, u64 uvec, u64 vlen)
{
	return rw_vec(t, fd, uvec, vlen, -1, true);
}

long sys_preadv(struct task *t, int fd, u64 uvec, u64 vlen, s64 pos_l, u64 pos_h)
{
	(void)pos_h;
	if ((s64)pos_l < 0)
		return -LINUX_EINVAL;
	return rw_vec(t, fd, uvec, vlen, (s64)pos_l, false);
}

long sys_pwritev(struct task *t, int fd, u64 uvec, u64 vlen, s64 pos_l, u64 pos_h)
{
	(void)pos_h;
	if ((s64)pos_l < 0)
		return -LINUX_EINVAL;
	return rw_vec(t, fd, uvec, vlen, (s64)pos_l, true);
}

#define RWF_SUPPORTED (LINUX_RWF_HIPRI | LINUX_RWF_DSYNC | LINUX_RWF_SYNC | LINUX_RWF_NOWAIT | \
		       LINUX_RWF_APPEND | LINUX_RWF_NOAPPEND)
#define RWV2_MAX (1024 * 1024) /* one bounced transfer at most; a short count beyond */

static int rwf_to_host(int flags)
{
	return (flags & LINUX_RWF_HIPRI ? RWF_HIPRI : 0) | (flags & LINUX_RWF_DSYNC ? RWF_DSYNC : 0) |
	       (flags & LINUX_RWF_SYNC ? RWF_SYNC : 0) | (flags & LINUX_RWF_NOWAIT ? RWF_NOWAIT : 0) |
	       (flags & LINUX_RWF_APPEND ? RWF_APPEND : 0) |
	       (flags & LINUX_RWF_NOAPPEND ? RWF_NOAPPEND : 0);
}

/* The accessible prefix of the iovecs' buffers, up to max bytes. */
static u64 iov_room(struct task *t, const struct linux_iovec *iov, u64 vlen, int prot, u64 max)
{
	u64 room = 0;

	for (u64 i = 0; i < vlen && room < max; i++) {
		u64 want = MIN(iov[i].iov_len, max - room);
		u64 r = user_access_len(t, iov[i].iov_base, want, prot);
		room += r;
		if (r < want)
			break;
	}
	return room;
}

/* preadv2/pwritev2 with flags on a host file: the host's call on a bounce buffer. */
static long host_rwv2(struct task *t, struct file *f, const struct linux_iovec *iov, u64 vlen,
		      s64 pos, int flags, bool write)
{
	u64 room = iov_room(t, iov, vlen, write ? LINUX_PROT_READ : LINUX_PROT_WRITE, RWV2_MAX);
	struct iovec v;
	long n;
	u8 *buf;

	if (!room) {
		for (u64 i = 0; i < vlen; i++)
			if (iov[i].iov_len)
				return -LINUX_EFAULT;
		return 0;
	}
	if (!(buf = malloc(room)))
		return -LINUX_ENOMEM;
	for (u64 i = 0, done = 0; write && done < room; i++) {
		u64 k = MIN(iov[i].iov_len, room - done);
		copy_from_user(t, buf + done, iov[i].iov_base, k);
		done += k;
	}
	v = (struct iovec){ buf, room };
	n = write ? pwritev2(f->host_fd, &v, 1, pos, rwf_to_host(flags))
		  : preadv2(f->host_fd, &v, 1, pos, rwf_to_host(flags));
	n = n < 0 ? host_errno_to_linux(errno) : n;
	for (u64 i = 0, done = 0; !write && n > 0 && done < (u64)n; i++) {
		u64 k = MIN(iov[i].iov_len, (u64)n - done);
		copy_to_user(t, iov[i].iov_base, buf + done, k);
		done += k;
	}
	if (write && n > 0)
		mm_file_written(t, f);
	free(buf);
	return n;
}

/*
 * preadv2/pwritev2: pos -1 is the file's offset.  Flags beyond RWF_HIPRI
 * go to the host for host files that do not block; elsewhere they change
 * nothing, but RWF_NOWAIT, which lxemu's own files do not take.
 */
static long rw_vec2(struct task *t, int fd, u64 uvec, u64 vlen, s64 pos, int flags, bool write)
{
	struct linux_iovec *iov;
	struct file *f;
	long ret;

	if (pos < -1)
		return -LINUX_EINVAL;
	if (!(flags & ~LINUX_RWF_HIPRI))
		return rw_vec(t, fd, uvec, vlen, pos, write);
	if (!(f = fget(t, fd)))
		return -LINUX_EBADF;
	ret = -LINUX_EBADF;
	if (!(write ? file_writable(f) : file_readable(f)))
		goto out_put;
	ret = -LINUX_EOPNOTSUPP;
	if ((flags & ~RWF_SUPPORTED) || (f->host_fd < 0 && (flags & LINUX_RWF_NOWAIT)))
		goto out_put;
	if (f->host_fd < 0 || (f->host_may_block && !(flags & LINUX_RWF_NOWAIT))) {
		fput(f);
		return rw_vec(t, fd, uvec, vlen, pos, write);
	}
	iov = import_iovec(t, uvec, vlen);
	ret = PTR_ERR(iov);
	if (IS_ERR(iov))
		goto out_put;
	ret = host_rwv2(t, f, iov, vlen, pos, flags, write);
	free(iov);
out_put:
	fput(f);
	return ret;
}

long sys_preadv2(struct task *t, int fd, u64 uvec, u64 vlen, s64 pos_l, u64 pos_h, int flags)
{
	(void)pos_h;
	return rw_vec2(t, fd, uvec, vlen, pos_l, flags, false);
}

long sys_pwritev2(struct task *t, int fd, u64 uvec, u64 vlen, s64 pos_l, u64 pos_h, int flags)
{
	(void)pos_h;
	return rw_vec2(t, fd, uvec, vlen, pos_l, flags, true);
}

/* Copies up to count bytes from in to out through a kernel buffer. */
static long do_sendfile(struct file *in, struct file *out, s64 *pos, u64 count)
{
	u8 *buf = malloc(64 * 1024);
	long done = 0;

	if (!buf)
		return -LINUX_ENOMEM;
	while ((u64)done < count) {
		u64 want = MIN(count - done, 64 * 1024);
		long n = pos ? in->f_op->pread(in, buf, want, *pos) : in->f_op->read(in, buf, want);
		if (n <= 0) {
			done = done ? done : n;
			break;
		}
		long w = out->f_op->write(out, buf, n);
		if (w < 0) {
			done = done ? done : w;
			break;
		}
		done += w;
		if (pos)
			*pos += w;
		if (w < n || (u64)n < want)
			break;
	}
	free(buf);
	return done;
}

/* Linux's order: the offset, the input (ESPIPE for an offset it cannot take), the output. */
long sys_sendfile(struct task *t, int out_fd, int in_fd, u64 uoffset, u64 count)
{
	struct file *in = NULL, *out = NULL;
	s64 pos = 0;
	long ret = -LINUX_EFAULT;

	if (uoffset && copy_from_user(t, &pos, uoffset, sizeof(pos)))
		goto out_put;
	ret = -LINUX_EBADF;
	if (!(in = fget(t, in_fd)) || !file_readable(in))
		goto out_put;
	ret = -LINUX_ESPIPE;
	if (uoffset && !in->f_op->pread)
		goto out_put;
	ret = -LINUX_EINVAL;
	if (pos < 0)
		goto out_put;
	ret = -LINUX_EBADF;
	if (!(out = fget(t, out_fd)) || !file_writable(out))
		goto out_put;
	ret = -LINUX_EINVAL;
	if (!in->f_op->read || !in->f_op->pread || !out->f_op->write)
		goto out_put;
	ret = file_write_done(t, out, do_sendfile(in, out, uoffset ? &pos : NULL,
						 MIN(count, MAX_RW_COUNT)));
	if (uoffset && ret >= 0 && copy_to_user(t, uoffset, &pos, sizeof(pos)))
		ret = -LINUX_EFAULT;
out_put:
	if (in)
		fput(in);
	if (out)
		fput(out);
	return ret;
}

long sys_ftruncate(struct task *t, int fd, s64 length)
{
	struct file *f = fget(t, fd);
	long ret;

	if (!f)
		return -LINUX_EBADF;
	if (length < 0 || f->host_fd < 0 || !file_writable(f))
		ret = -LINUX_EINVAL;
	else
		ret = ftruncate(f->host_fd, length) ? host_errno_to_linux(errno) : 0;
	fput(f);
	return ret;
}

/* fsync, fdatasync and fchmod act on the host file behind fd. */
static long host_fd_call(struct task *t, int fd, int (*fn)(int, long), long arg)
{
	struct file *f = fget(t, fd);
	long ret;

	if (!f)
		return -LINUX_EBADF;
	if (f->host_fd < 0)
		ret = -LINUX_EINVAL;
	else
		ret = fn(f->host_fd, arg) ? host_errno_to_linux(errno) : 0;
	fput(f);
	return ret;
}

static int do_fsync(int fd, long arg) { (void)arg; return fsync(fd); }
static int do_fdatasync(int fd, long arg) { (void)arg; return fdatasync(fd); }
static int do_fchmod(int fd, long mode) { return fchmod(fd, (mode_t)mode & 07777); }

long sys_fsync(struct task *t, int fd) { return host_fd_call(t, fd, do_fsync, 0); }
long sys_fdatasync(struct task *t, int fd) { return host_fd_call(t, fd, do_fdatasync, 0); }
long sys_fchmod(struct task *t, int fd, u32 mode) { return host_fd_call(t, fd, do_fchmod, mode); }

/* ---- splice, tee and vmsplice: moving data through lxemu's own pipes ---- */

/* Where spliced bytes go: a file at its offset or at *pos. */
struct splice_sink {
	struct file *out;
	s64 *pos;
	bool nonblock; /* into a pipe */
};

static long sink_write(void *arg, const void *buf, u64 len)
{
	struct splice_sink *s = arg;
	long w;

	if (file_is_pipe(s->out))
		return pipe_write_nb(s->out, buf, len, s->nonblock);
	w = s->pos ? s->out->f_op->pwrite(s->out, buf, len, *s->pos)
		   : s->out->f_op->write(s->out, buf, len);
	if (w > 0 && s->pos)
		*s->pos += w;
	return w;
}

/* File to pipe: what the pipe has room for, read at *pos or the file's offset. */
static long splice_file_to_pipe(struct file *in, s64 *pos, struct file *out, u64 len,
				bool nonblock)
{
	long room = pipe_splice_room(out, nonblock), n, w;
	u8 *buf;

	if (room < 0)
		return room;
	len = MIN(len, (u64)room);
	if (!(buf = malloc(len)))
		return -LINUX_ENOMEM;
	if (file_is_socket(in)) {
		/* Linux's unix_stream_splice_read: SPLICE_F_NONBLOCK reads as MSG_DONTWAIT. */
		struct unix_recv r = { 0 };
		n = unix_recvmsg(in, buf, len, nonblock ? LINUX_MSG_DONTWAIT : 0, &r);
		unix_recv_release(&r); /* files that came along are dropped */
	} else {
		n = pos ? in->f_op->pread(in, buf, len, *pos) : in->f_op->read(in, buf, len);
	}
	w = n > 0 ? pipe_write_nb(out, buf, (u64)n, nonblock) : n;
	if (w > 0 && pos)
		*pos += w;
	free(buf);
	return w;
}

/* Linux's do_splice, after the offsets are read: which way, and its checks. */
static long do_splice(struct file *in, s64 *off_in, struct file *out, s64 *off_out, u64 len,
		      u32 flags)
{
	bool ipipe = file_is_pipe(in), opipe = file_is_pipe(out);
	bool nonblock = flags & LINUX_SPLICE_F_NONBLOCK;
	struct splice_sink s = { out, off_out, false };
	long ret;

	if (!file_readable(in) || !file_writable(out))
		return -LINUX_EBADF;
	len = MIN(len, MAX_RW_COUNT);
	if (ipipe && opipe) {
		if (files_same_pipe(in, out))
			return -LINUX_EINVAL;
		nonblock |= file_nonblocking(in) || file_nonblocking(out);
		if ((ret = pipe_splice_room(out, nonblock)) < 0)
			return ret;
		s.nonblock = nonblock;
		return pipe_splice_out(in, MIN(len, (u64)ret), nonblock, 0, sink_write, &s);
	}
	if (ipipe) {
		if ((off_out && !out->f_op->pwrite) || !out->f_op->write ||
		    (out->f_flags & LINUX_O_APPEND))
			return -LINUX_EINVAL;
		if (off_out && *off_out < 0)
			return -LINUX_EINVAL;
		nonblock |= file_nonblocking(in);
		return pipe_splice_out(in, len, nonblock, PIPE_SPLICE_LOCKED, sink_write, &s);
	}
	if (opipe) {
		/* What can be read into a pipe: host files and sockets (Linux's splice_read). */
		if ((in->host_fd < 0 && !file_is_socket(in)) || !in->f_op->read)
			return -LINUX_EINVAL;
		if (off_in && (!in->f_op->pread || *off_in < 0))
			return -LINUX_EINVAL;
		nonblock |= file_nonblocking(out);
		return splice_file_to_pipe(in, off_in, out, len, nonblock);
	}
	return -LINUX_EINVAL;
}

long sys_splice(struct task *t, int fd_in, u64 uoff_in, int fd_out, u64 uoff_out, u64 len,
		u32 flags)
{
	struct file *in = NULL, *out = NULL;
	s64 off_in = 0, off_out = 0;
	long ret;

	if (!len)
		return 0;
	if (flags & ~LINUX_SPLICE_F_ALL)
		return -LINUX_EINVAL;
	ret = -LINUX_EBADF;
	if (!(in = fget(t, fd_in)) || !(out = fget(t, fd_out)))
		goto out_put;
	ret = -LINUX_ESPIPE;
	if ((uoff_in && file_is_pipe(in)) || (uoff_out && file_is_pipe(out)))
		goto out_put;
	ret = -LINUX_EFAULT;
	if ((uoff_in && copy_from_user(t, &off_in, uoff_in, sizeof(off_in))) ||
	    (uoff_out && copy_from_user(t, &off_out, uoff_out, sizeof(off_out))))
		goto out_put;
	ret = file_write_done(t, out, do_splice(in, uoff_in ? &off_in : NULL, out,
						uoff_out ? &off_out : NULL, len, flags));
	/* The offsets go back only after a success, as Linux's __do_splice. */
	if (ret >= 0 && ((uoff_in && copy_to_user(t, uoff_in, &off_in, sizeof(off_in))) ||
			 (uoff_out && copy_to_user(t, uoff_out, &off_out, sizeof(off_out)))))
		ret = -LINUX_EFAULT;
out_put:
	if (in)
		fput(in);
	if (out)
		fput(out);
	return ret;
}

long sys_tee(struct task *t, int fdin, int fdout, u64 len, u32 flags)
{
	struct file *in = NULL, *out = NULL;
	struct splice_sink s;
	bool nonblock = flags & LINUX_SPLICE_F_NONBLOCK;
	long ret;

	if (flags & ~LINUX_SPLICE_F_ALL)
		return -LINUX_EINVAL;
	if (!len)
		return 0;
	ret = -LINUX_EBADF;
	if (!(in = fget(t, fdin)) || !(out = fget(t, fdout)))
		goto out_put;
	ret = -LINUX_EINVAL;
	if (!file_is_pipe(in) || !file_is_pipe(out))
		goto out_put;
	ret = -LINUX_EBADF;
	if (!file_readable(in) || !file_writable(out))
		goto out_put;
	ret = -LINUX_EINVAL;
	if (files_same_pipe(in, out))
		goto out_put;
	nonblock |= file_nonblocking(in) || file_nonblocking(out);
	if ((ret = pipe_splice_room(out, nonblock)) >= 0) {
		s = (struct splice_sink){ out, NULL, nonblock };
		ret = pipe_splice_out(in, MIN(MIN(len, MAX_RW_COUNT), (u64)ret), nonblock,
				      PIPE_SPLICE_PEEK, sink_write, &s);
	}
	ret = file_write_done(t, out, ret);
out_put:
	if (in)
		fput(in);
	if (out)
		fput(out);
	return ret;
}

/* vmsplice: user memory into a pipe's write end (as writev), or out of its read end (as readv). */
long sys_vmsplice(struct task *t, int fd, u64 uiov, u64 nr_segs, u32 flags)
{
	struct linux_iovec *iov;
	struct file *f;
	bool nonblock = flags & LINUX_SPLICE_F_NONBLOCK, write;
	u64 total = 0, done = 0;
	long ret;
	u8 *buf;

	if (flags & ~LINUX_SPLICE_F_ALL)
		return -LINUX_EINVAL;
	if (!(f = fget(t, fd)))
		return -LINUX_EBADF;
	ret = -LINUX_EBADF;
	if (!file_is_pipe(f) || (!file_writable(f) && !file_readable(f)))
		goto out_put;
	write = file_writable(f);
	nonblock |= file_nonblocking(f);
	iov = import_iovec(t, uiov, nr_segs);
	if (IS_ERR(iov)) {
		ret = PTR_ERR(iov);
		goto out_put;
	}
	for (u64 i = 0; i < nr_segs; i++)
		total += iov[i].iov_len;
	total = MIN(total, MAX_RW_COUNT);
	ret = -LINUX_ENOMEM;
	if (!(buf = malloc(total ? total : 1)))
		goto out_free;
	ret = 0;
	if (write) {
		for (u64 i = 0; i < nr_segs && done < total && !ret; i++) {
			u64 n = MIN(iov[i].iov_len, total - done);
			if (copy_from_user(t, buf + done, iov[i].iov_base, n))
				ret = -LINUX_EFAULT;
			done += n;
		}
		if (!ret)
			ret = file_write_done(t, f, total ? pipe_write_nb(f, buf, total, nonblock) : 0);
	} else {
		ret = total ? pipe_read_nb(f, buf, total, nonblock) : 0;
		for (u64 i = 0; i < nr_segs && ret > 0 && done < (u64)ret; i++) {
			u64 n = MIN(iov[i].iov_len, (u64)ret - done);
			if (copy_to_user(t, iov[i].iov_base, buf + done, n)) {
				ret = done ? (long)done : -LINUX_EFAULT; /* what was read is gone */
				break;
			}
			done += n;
		}
	}
	free(buf);
out_free:
	free(iov);
out_put:
	fput(f);
	return ret;
}
