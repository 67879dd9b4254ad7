/*
 * eventfd files: a 64-bit counter.  A read takes it whole (or 1, with
 * EFD_SEMAPHORE) and waits while it is 0; a write adds to it and waits
 * while the sum would pass 2^64 - 2.  Readers and writers sleep on the
 * file's slot; poll and epoll watch its wait queue.
 */
#include <stdlib.h>
#include <string.h>
#include "file.h"
#include "eventfd.h"
#include "../kernel/task.h"
#include "../kernel/signal.h"
#include "../kernel/wait.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"
#include "../../abi/linux/poll.h"
#include "../../abi/linux/stat.h"

#define EVENTFD_MAX (~0ull - 1) /* the most the counter holds */
#define ANON_INODE_DEV 0xfu  /* anon_inodefs, 0:15 */
#define ANON_INODE_INO 1u    /* every anon_inode file shares one inode */

struct eventfd_ctx {
	struct wait_slot wait; /* lock guards count; readers and writers sleep on cond */
	struct wait_queue_head pollq;
	u64 count;
	bool semaphore;
};

/* key: the POLL* events that changed (a read makes room, a write brings data). */
static void eventfd_wake_locked(struct eventfd_ctx *ctx, unsigned key)
{
	pthread_cond_broadcast(&ctx->wait.cond);
	wake_up_poll(&ctx->pollq, key);
}

static long eventfd_read(struct file *f, void *buf, u64 n)
{
	struct eventfd_ctx *ctx = f->private_data;
	long err = 0;
	u64 v;

	if (n < sizeof(v))
		return -LINUX_EINVAL;
	pthread_mutex_lock(&ctx->wait.lock);
	while (!ctx->count && !(err = file_wait_locked(f, &ctx->wait)))
		;
	if (!err) {
		v = ctx->semaphore ? 1 : ctx->count;
		ctx->count -= v;
		eventfd_wake_locked(ctx, LINUX_POLLOUT);
	}
	pthread_mutex_unlock(&ctx->wait.lock);
	if (err)
		return err;
	memcpy(buf, &v, sizeof(v));
	return sizeof(v);
}

static long eventfd_write(struct file *f, const void *buf, u64 n)
{
	struct eventfd_ctx *ctx = f->private_data;
	long err = 0;
	u64 v;

	if (n < sizeof(v))
		return -LINUX_EINVAL;
	memcpy(&v, buf, sizeof(v));
	if (v == ~0ull)
		return -LINUX_EINVAL;
	pthread_mutex_lock(&ctx->wait.lock);
	while (EVENTFD_MAX - ctx->count < v && !(err = file_wait_locked(f, &ctx->wait)))
		;
	if (!err) {
		ctx->count += v;
		eventfd_wake_locked(ctx, LINUX_POLLIN);
	}
	pthread_mutex_unlock(&ctx->wait.lock);
	return err ? err : (long)sizeof(v);
}

static unsigned eventfd_poll(struct file *f, struct poll_table *pt)
{
	struct eventfd_ctx *ctx = f->private_data;
	unsigned mask = 0;

	poll_wait(&ctx->pollq, pt);
	pthread_mutex_lock(&ctx->wait.lock);
	if (ctx->count)
		mask |= LINUX_POLLIN;
	if (ctx->count == ~0ull)
		mask |= LINUX_POLLERR;
	if (ctx->count < EVENTFD_MAX)
		mask |= LINUX_POLLOUT;
	pthread_mutex_unlock(&ctx->wait.lock);
	return mask;
}

/* Linux's noop_llseek: the position stays 0, and no error. */
s64 noop_llseek(struct file *f, s64 off, int whence)
{
	(void)f;
	(void)off;
	(void)whence;
	return 0;
}

long anon_inode_fstat(struct file *f, struct linux_stat *st)
{
	(void)f;
	memset(st, 0, sizeof(*st));
	st->st_dev = ANON_INODE_DEV;
	st->st_ino = ANON_INODE_INO;
	st->st_nlink = 1;
	st->st_mode = 0600; /* no file type: Linux's anonymous inode */
	st->st_blksize = 4096;
	return 0;
}

static void eventfd_release(struct file *f)
{
	struct eventfd_ctx *ctx = f->private_data;

	wait_queue_destroy(&ctx->pollq);
	pthread_cond_destroy(&ctx->wait.cond);
	pthread_mutex_destroy(&ctx->wait.lock);
	free(ctx);
}

static const struct file_operations eventfd_fops = {
	.read = eventfd_read,
	.write = eventfd_write,
	.llseek = noop_llseek,
	.fstat = anon_inode_fstat,
	.poll = eventfd_poll,
	.release = eventfd_release,
};

struct file *eventfd_file_alloc(u32 count, bool semaphore, bool nonblock)
{
	struct eventfd_ctx *ctx = calloc(1, sizeof(*ctx));
	struct file *f;

	if (!ctx)
		return NULL;
	pthread_mutex_init(&ctx->wait.lock, NULL);
	pthread_cond_init(&ctx->wait.cond, NULL);
	wait_queue_init(&ctx->pollq);
	ctx->count = count;
	ctx->semaphore = semaphore;
	f = alloc_file(&eventfd_fops, -1, LINUX_O_RDWR | (nonblock ? LINUX_O_NONBLOCK : 0),
		       "anon_inode:[eventfd]");
	if (!f) {
		eventfd_release(&(struct file){ .private_data = ctx });
		return NULL;
	}
	f->private_data = ctx;
	return f;
}
