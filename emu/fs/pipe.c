/*
 * Pipes in the kernel.  The buffer is Linux's: a ring of page-sized
 * buffers (16 by default, F_SETPIPE_SZ changes the count), so a write of
 * up to PIPE_BUF bytes lands in one buffer whole (merged into the last one
 * when it fits, else a fresh one), packet mode (O_DIRECT) keeps one write
 * per buffer, and a pipe is full, for writers and poll, exactly when
 * Linux's would be.  Readers and writers sleep on the pipe's slot; poll
 * watches its wait queue.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "pipe.h"
#include "../kernel/task.h"
#include "../kernel/signal.h"
#include "../kernel/wait.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"
#include "../../abi/linux/misc.h"
#include "../../abi/linux/poll.h"
#include "../../abi/linux/signal.h"

#define PIPE_PAGE 4096u
#define PIPE_DEF_BUFFERS 16u
#define PIPE_MAX_SIZE_DEFAULT (1024u * 1024u) /* /proc/sys/fs/pipe-max-size */
#define PIPEFS_DEV 0xeu                        /* pipefs's anonymous device, 0:14 */


struct pipe_buffer {
	u8 *page;      /* allocated on first use, kept for the next round */
	u32 offset, len;
	bool packet;   /* written in packet mode: read whole or its rest dropped */
};

struct pipe {
	struct wait_slot wait;       /* lock guards all below; readers and writers sleep on cond */
	struct wait_queue_head pollq;
	struct pipe_buffer *bufs;
	unsigned ring_size;          /* slots, a power of two */
	unsigned head, tail;         /* free-running; slot i is bufs[i & (ring_size - 1)] */
	int readers, writers;        /* open files of each end */
	u64 ino;
	u32 uid, gid;
	struct timespec atime, mtime, ctime;
};

static atomic_ullong next_ino = 1u << 20;

static struct pipe_buffer *slot(struct pipe *p, unsigned i)
{
	return &p->bufs[i & (p->ring_size - 1)];
}

static unsigned occupancy(struct pipe *p) { return p->head - p->tail; }
static bool pipe_full(struct pipe *p) { return occupancy(p) >= p->ring_size; }
static bool pipe_empty(struct pipe *p) { return p->head == p->tail; }

/*
 * Wakes sleeping readers and writers and every poller: the pipe changed in
 * the POLL* events of key (0: any), which edge-triggered epoll items watch.
 */
static void pipe_wake_locked(struct pipe *p, unsigned key)
{
	pthread_cond_broadcast(&p->wait.cond);
	wake_up_poll(&p->pollq, key);
}

/*
 * The same after the change, with the lock dropped, so a woken task does not
 * wake only to wait for the lock the waker still holds.  Sleepers test the
 * pipe under the lock before they wait, so none misses the change.  The
 * caller's file keeps p alive.
 */
static void pipe_wake(struct pipe *p, unsigned key)
{
	pipe_wake_locked(p, key);
}

/* A reader or writer waits for the pipe to change, unless nonblock (EAGAIN). Lock held. */
static long pipe_wait_locked(struct file *f, struct pipe *p, bool nonblock)
{
	return nonblock ? -LINUX_EAGAIN : file_wait_locked(f, &p->wait);
}

long pipe_read_nb(struct file *f, void *buf, u64 n, bool nonblock)
{
	struct pipe *p = f->private_data;
	bool freed = false;
	long ret = 0;

	if (!n)
		return 0;
	pthread_mutex_lock(&p->wait.lock);
	for (;;) {
		if (!pipe_empty(p)) {
			struct pipe_buffer *b = slot(p, p->tail);
			u32 chars = (u32)MIN((u64)b->len, n - (u64)ret);
			memcpy((u8 *)buf + ret, b->page + b->offset, chars);
			ret += chars;
			b->offset += chars;
			b->len -= chars;
			if (b->packet) {
				b->len = 0;  /* the packet's rest is dropped */
				n = (u64)ret; /* and the read ends with it */
			}
			if (!b->len) {
				p->tail++;
				freed = true;
			}
			if ((u64)ret == n)
				break;
			if (!pipe_empty(p))
				continue;
		}
		if (!p->writers || ret)
			break;
		/* Writers may wait for room we made before the buffer ran dry. */
		if (freed) {
			pipe_wake_locked(p, LINUX_POLLOUT | LINUX_POLLWRNORM);
			freed = false;
		}
		long err = pipe_wait_locked(f, p, nonblock);
		if (err) {
			ret = err;
			break;
		}
	}
	if (ret > 0)
		clock_gettime(CLOCK_REALTIME_COARSE, &p->atime);
	pthread_mutex_unlock(&p->wait.lock);
	if (freed)
		pipe_wake(p, LINUX_POLLOUT | LINUX_POLLWRNORM);
	return ret;
}

/* A fresh buffer at head holding len bytes of buf. */
static bool pipe_push_locked(struct pipe *p, const void *buf, u32 len, bool packet)
{
	struct pipe_buffer *b = slot(p, p->head);

	if (!b->page && !(b->page = malloc(PIPE_PAGE)))
		return false;
	memcpy(b->page, buf, len);
	b->offset = 0;
	b->len = len;
	b->packet = packet;
	p->head++;
	return true;
}

static long pipe_read(struct file *f, void *buf, u64 n)
{
	return pipe_read_nb(f, buf, n, file_nonblocking(f));
}

long pipe_write_nb(struct file *f, const void *buf, u64 n, bool nonblock)
{
	struct pipe *p = f->private_data;
	struct task *t = task_current();
	bool packet = __atomic_load_n(&f->f_flags, __ATOMIC_RELAXED) & LINUX_O_DIRECT;
	bool added = false, sigpipe = false;
	long ret = 0;

	if (!n)
		return 0;
	pthread_mutex_lock(&p->wait.lock);
	if (!p->readers) {
		ret = -LINUX_EPIPE; /* the caller sends SIGPIPE (read_write.c) */
		goto out;
	}
	/* The part past the last whole page merges into the last buffer if it fits there whole. */
	u32 chars = (u32)(n & (PIPE_PAGE - 1));
	if (chars && !pipe_empty(p)) {
		struct pipe_buffer *b = slot(p, p->head - 1);
		if (!b->packet && b->offset + b->len + chars <= PIPE_PAGE) {
			memcpy(b->page + b->offset + b->len, buf, chars);
			b->len += chars;
			ret = chars;
			added = true;
			if ((u64)ret == n)
				goto out;
		}
	}
	for (;;) {
		if (!p->readers) {
			sigpipe = ret > 0;
			if (!ret)
				ret = -LINUX_EPIPE;
			break;
		}
		if (!pipe_full(p)) {
			u32 len = (u32)MIN((u64)PIPE_PAGE, n - (u64)ret);
			if (!pipe_push_locked(p, (const u8 *)buf + ret, len, packet)) {
				if (!ret)
					ret = -LINUX_ENOMEM;
				break;
			}
			ret += len;
			added = true;
			if ((u64)ret == n)
				break;
			if (!pipe_full(p))
				continue;
		}
		/* Readers may wait for what we wrote so far. */
		if (added) {
			pipe_wake_locked(p, LINUX_POLLIN | LINUX_POLLRDNORM);
			added = false;
		}
		long err = pipe_wait_locked(f, p, nonblock);
		if (err) {
			if (!ret)
				ret = err;
			break;
		}
	}
out:
	if (ret > 0) {
		clock_gettime(CLOCK_REALTIME_COARSE, &p->mtime);
		p->ctime = p->mtime;
	}
	pthread_mutex_unlock(&p->wait.lock);
	if (added)
		pipe_wake(p, LINUX_POLLIN | LINUX_POLLRDNORM);
	/* Readers gone after part of it went in: that part is the result, and SIGPIPE all the same. */
	if (sigpipe && t)
		send_sig_simple(t, LINUX_SIGPIPE, LINUX_SI_USER);
	return ret;
}

static long pipe_write(struct file *f, const void *buf, u64 n)
{
	return pipe_write_nb(f, buf, n, file_nonblocking(f));
}

static unsigned pipe_poll(struct file *f, struct poll_table *pt)
{
	struct pipe *p = f->private_data;
	u32 acc = f->f_flags & LINUX_O_ACCMODE;
	unsigned mask = 0;

	poll_wait(&p->pollq, pt);
	pthread_mutex_lock(&p->wait.lock);
	if (acc == LINUX_O_RDONLY || acc == LINUX_O_RDWR) {
		if (!pipe_empty(p))
			mask |= LINUX_POLLIN | LINUX_POLLRDNORM;
		if (!p->writers)
			mask |= LINUX_POLLHUP;
	}
	if (acc == LINUX_O_WRONLY || acc == LINUX_O_RDWR) {
		if (!pipe_full(p))
			mask |= LINUX_POLLOUT | LINUX_POLLWRNORM;
		if (!p->readers)
			mask |= LINUX_POLLERR;
	}
	pthread_mutex_unlock(&p->wait.lock);
	return mask;
}

static long pipe_ioctl(struct task *t, struct file *f, u32 cmd, u64 arg)
{
	struct pipe *p = f->private_data;
	int count = 0;

	if (cmd != LINUX_FIONREAD)
		return -LINUX_ENOTTY;
	pthread_mutex_lock(&p->wait.lock);
	for (unsigned i = p->tail; i != p->head; i++)
		count += (int)slot(p, i)->len;
	pthread_mutex_unlock(&p->wait.lock);
	return copy_to_user(t, arg, &count, sizeof(count)) ? -LINUX_EFAULT : 0;
}

static long pipe_fstat(struct file *f, struct linux_stat *st)
{
	struct pipe *p = f->private_data;

	memset(st, 0, sizeof(*st));
	pthread_mutex_lock(&p->wait.lock);
	st->st_dev = PIPEFS_DEV;
	st->st_ino = p->ino;
	st->st_nlink = 1;
	st->st_mode = LINUX_S_IFIFO | 0600;
	st->st_uid = p->uid;
	st->st_gid = p->gid;
	st->st_blksize = PIPE_PAGE;
	st->st_atime_sec = (u64)p->atime.tv_sec;
	st->st_atime_nsec = (u64)p->atime.tv_nsec;
	st->st_mtime_sec = (u64)p->mtime.tv_sec;
	st->st_mtime_nsec = (u64)p->mtime.tv_nsec;
	st->st_ctime_sec = (u64)p->ctime.tv_sec;
	st->st_ctime_nsec = (u64)p->ctime.tv_nsec;
	pthread_mutex_unlock(&p->wait.lock);
	return 0;
}

static void pipe_free(struct pipe *p)
{
	for (unsigned i = 0; i < p->ring_size; i++)
		free(p->bufs[i].page);
	free(p->bufs);
	wait_queue_destroy(&p->pollq);
	pthread_cond_destroy(&p->wait.cond);
	pthread_mutex_destroy(&p->wait.lock);
	free(p);
}

static void pipe_release(struct file *f)
{
	struct pipe *p = f->private_data;
	u32 acc = f->f_flags & LINUX_O_ACCMODE;
	bool last;

	pthread_mutex_lock(&p->wait.lock);
	if (acc == LINUX_O_RDONLY || acc == LINUX_O_RDWR)
		p->readers--;
	if (acc == LINUX_O_WRONLY || acc == LINUX_O_RDWR)
		p->writers--;
	last = !p->readers && !p->writers;
	/* EOF for readers, EPIPE for writers, LINUX_POLLHUP/LINUX_POLLERR for pollers. */
	pipe_wake_locked(p, 0);
	pthread_mutex_unlock(&p->wait.lock);
	if (last)
		pipe_free(p);
}

static const struct file_operations pipe_fops = {
	.read = pipe_read,
	.write = pipe_write,
	.ioctl = pipe_ioctl,
	.fstat = pipe_fstat,
	.poll = pipe_poll,
	.release = pipe_release,
};

bool file_is_pipe(struct file *f)
{
	return f->f_op == &pipe_fops;
}

static struct pipe *pipe_alloc(void)
{
	struct pipe *p = calloc(1, sizeof(*p));

	if (!p || !(p->bufs = calloc(PIPE_DEF_BUFFERS, sizeof(*p->bufs)))) {
		free(p);
		return NULL;
	}
	p->ring_size = PIPE_DEF_BUFFERS;
	pthread_mutex_init(&p->wait.lock, NULL);
	pthread_cond_init(&p->wait.cond, NULL);
	wait_queue_init(&p->pollq);
	p->readers = p->writers = 1;
	p->ino = atomic_fetch_add(&next_ino, 1);
	p->uid = (u32)geteuid(); /* the guest's ids are the host's */
	p->gid = (u32)getegid();
	clock_gettime(CLOCK_REALTIME_COARSE, &p->atime);
	p->mtime = p->ctime = p->atime;
	return p;
}

long pipe_create(struct task *t, struct file *f[2], u32 flags)
{
	struct pipe *p = pipe_alloc();
	char name[32];

	(void)t;
	if (!p)
		return -LINUX_ENFILE;
	snprintf(name, sizeof(name), "pipe:[%llu]", (unsigned long long)p->ino);
	/* Packet mode is the writer's: the read end never shows O_DIRECT. */
	f[0] = alloc_file(&pipe_fops, -1, LINUX_O_RDONLY | (flags & LINUX_O_NONBLOCK), name);
	f[1] = alloc_file(&pipe_fops, -1, LINUX_O_WRONLY | flags, name);
	if (!f[0] || !f[1]) {
		free(f[0] ? f[0]->path : NULL);
		free(f[0]);
		free(f[1] ? f[1]->path : NULL);
		free(f[1]);
		pipe_free(p);
		return -LINUX_ENFILE;
	}
	f[0]->private_data = f[1]->private_data = p;
	return 0;
}

/* Bytes in the pipe from its tail, as far as the first packet's end. Lock held. */
static u64 pipe_avail_locked(struct pipe *p)
{
	u64 n = 0;

	for (unsigned i = p->tail; i != p->head; i++) {
		n += slot(p, i)->len;
		if (slot(p, i)->packet)
			break;
	}
	return n;
}

/* Copies n bytes from the tail without taking them. Lock held, n <= avail. */
static void pipe_peek_locked(struct pipe *p, u8 *buf, u64 n)
{
	for (unsigned i = p->tail; n; i++) {
		struct pipe_buffer *b = slot(p, i);
		u32 c = (u32)MIN((u64)b->len, n);
		memcpy(buf, b->page + b->offset, c);
		buf += c;
		n -= c;
	}
}

/* Takes n bytes from the tail (a packet whole). Lock held. True if a buffer was freed. */
static bool pipe_consume_locked(struct pipe *p, u64 n)
{
	bool freed = false;

	while (n && !pipe_empty(p)) {
		struct pipe_buffer *b = slot(p, p->tail);
		u32 c = (u32)MIN((u64)b->len, n);
		b->offset += c;
		b->len -= c;
		n -= c;
		if (b->packet)
			b->len = 0;
		if (!b->len) {
			p->tail++;
			freed = true;
		}
	}
	return freed;
}

long pipe_splice_out(struct file *f, u64 n, bool nonblock, unsigned how,
		     long (*sink)(void *arg, const void *buf, u64 len), void *arg)
{
	struct pipe *p = f->private_data;
	bool freed = false;
	u8 *buf = NULL;
	long ret;

	pthread_mutex_lock(&p->wait.lock);
	for (;;) {
		if (!pipe_empty(p)) {
			ret = 0;
			break;
		}
		if (!p->writers) {
			pthread_mutex_unlock(&p->wait.lock);
			return 0; /* end of file */
		}
		if ((ret = pipe_wait_locked(f, p, nonblock)))
			break;
	}
	if (!ret) {
		n = MIN(n, pipe_avail_locked(p));
		if (!(buf = malloc(n)))
			ret = -LINUX_ENOMEM;
	}
	if (ret) {
		pthread_mutex_unlock(&p->wait.lock);
		return ret;
	}
	pipe_peek_locked(p, buf, n);
	if (how & PIPE_SPLICE_LOCKED) {
		/* Linux's pipe_lock across the write: no other reader takes these bytes meanwhile. */
		ret = sink(arg, buf, n);
	} else {
		pthread_mutex_unlock(&p->wait.lock);
		ret = sink(arg, buf, n);
		pthread_mutex_lock(&p->wait.lock);
	}
	if (ret > 0 && !(how & PIPE_SPLICE_PEEK)) {
		freed = pipe_consume_locked(p, (u64)ret);
		clock_gettime(CLOCK_REALTIME_COARSE, &p->atime);
	}
	pthread_mutex_unlock(&p->wait.lock);
	if (freed)
		pipe_wake(p, LINUX_POLLOUT | LINUX_POLLWRNORM);
	free(buf);
	return ret;
}

long pipe_splice_room(struct file *f, bool nonblock)
{
	struct pipe *p = f->private_data;
	long ret;

	pthread_mutex_lock(&p->wait.lock);
	for (;;) {
		if (!p->readers) {
			ret = -LINUX_EPIPE;
			break;
		}
		if (!pipe_full(p)) {
			ret = (long)(p->ring_size - occupancy(p)) * PIPE_PAGE;
			break;
		}
		if ((ret = pipe_wait_locked(f, p, nonblock)))
			break;
	}
	pthread_mutex_unlock(&p->wait.lock);
	return ret;
}

bool files_same_pipe(struct file *a, struct file *b)
{
	return file_is_pipe(a) && file_is_pipe(b) && a->private_data == b->private_data;
}

/*
 * Opening /proc/PID/fd/N of a pipe opens the pipe itself again, at any
 * end whatever end N was.  Linux's fifo_open waits for a partner and gives
 * a nonblocking writer without readers ENXIO only for a named FIFO, never
 * for a pipe: neither happens here.
 */
struct file *pipe_reopen(struct file *of, u32 flags)
{
	struct pipe *p = of->private_data;
	u32 acc = flags & LINUX_O_ACCMODE;
	struct file *f;

	if (acc == 3)
		return ERR_PTR(-LINUX_EINVAL);
	f = alloc_file(&pipe_fops, -1, acc | (flags & LINUX_O_NONBLOCK), of->path);
	if (!f)
		return ERR_PTR(-LINUX_ENFILE);
	f->private_data = p;
	pthread_mutex_lock(&p->wait.lock);
	if (acc != LINUX_O_WRONLY)
		p->readers++;
	if (acc != LINUX_O_RDONLY)
		p->writers++;
	pthread_mutex_unlock(&p->wait.lock);
	return f;
}

/* /proc/sys/fs/pipe-max-size: the most an unprivileged F_SETPIPE_SZ may ask. */
static unsigned pipe_max_size(void)
{
	static unsigned max;
	FILE *fp;

	if (!__atomic_load_n(&max, __ATOMIC_RELAXED)) {
		unsigned v = PIPE_MAX_SIZE_DEFAULT;
		if ((fp = fopen("/proc/sys/fs/pipe-max-size", "r"))) {
			if (fscanf(fp, "%u", &v) != 1)
				v = PIPE_MAX_SIZE_DEFAULT;
			fclose(fp);
		}
		__atomic_store_n(&max, v, __ATOMIC_RELAXED);
	}
	return __atomic_load_n(&max, __ATOMIC_RELAXED);
}

/* Moves the buffers in use to a ring of nr_slots slots (Linux's pipe_resize_ring). */
static long pipe_resize_locked(struct pipe *p, unsigned nr_slots)
{
	struct pipe_buffer *bufs;
	unsigned n = occupancy(p), i;

	if (nr_slots < n)
		return -LINUX_EBUSY;
	if (!(bufs = calloc(nr_slots, sizeof(*bufs))))
		return -LINUX_ENOMEM;
	for (i = 0; i < n; i++) {
		bufs[i] = *slot(p, p->tail + i);
		slot(p, p->tail + i)->page = NULL;
	}
	/* Spare pages go with the old ring. */
	for (unsigned j = 0; j < p->ring_size; j++)
		free(p->bufs[j].page);
	free(p->bufs);
	p->bufs = bufs;
	p->ring_size = nr_slots;
	p->tail = 0;
	p->head = n;
	return 0;
}

long pipe_fcntl(struct task *t, struct file *f, int cmd, u64 arg)
{
	struct pipe *p = f->private_data;
	long ret;

	(void)t;
	if (!file_is_pipe(f)) {
		/* A host FIFO the guest opened: its size is the host's. */
		if (!f->host_may_block || f->host_fd < 0)
			return -LINUX_EBADF;
		ret = cmd == LINUX_F_GETPIPE_SZ ? fcntl(f->host_fd, F_GETPIPE_SZ)
						: fcntl(f->host_fd, F_SETPIPE_SZ, (int)arg);
		return ret < 0 ? host_errno_to_linux(errno) : ret;
	}
	if (cmd == LINUX_F_GETPIPE_SZ) {
		pthread_mutex_lock(&p->wait.lock);
		ret = (long)p->ring_size * PIPE_PAGE;
		pthread_mutex_unlock(&p->wait.lock);
		return ret;
	}
	/* Linux's round_pipe_size: a page at least, else the next power of two. */
	u64 size = (u32)arg; /* the argument is an unsigned int */
	if (size > (1ull << 31))
		return -LINUX_EINVAL;
	if (size < PIPE_PAGE)
		size = PIPE_PAGE;
	while (size & (size - 1))
		size += size & -size;
	if (size > pipe_max_size() && geteuid() != 0) /* CAP_SYS_RESOURCE may go past it */
		return -LINUX_EPERM;
	pthread_mutex_lock(&p->wait.lock);
	ret = pipe_resize_locked(p, (unsigned)(size / PIPE_PAGE));
	if (!ret) {
		ret = (long)size;
		/* more room: writers and pollers look again */
		pipe_wake_locked(p, LINUX_POLLOUT | LINUX_POLLWRNORM);
	}
	pthread_mutex_unlock(&p->wait.lock);
	return ret;
}
