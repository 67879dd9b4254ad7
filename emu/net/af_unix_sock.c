/*
 * AF_UNIX sockets as files: creation (socketpair, socket), release with
 * what it tells the peer, poll, fstat, FIONREAD, plain read and write,
 * shutdown, socket options and names.  The send and receive paths are in
 * af_unix.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "af_unix.h"
#include "../kernel/signal.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"
#include "../../abi/linux/misc.h"
#include "../../abi/linux/poll.h"
#include "../../abi/linux/signal.h"

#define UNIX_SNDBUF_DEFAULT 212992 /* net.core.wmem_default */
#define UNIX_BUF_MAX 212992        /* net.core.wmem_max and rmem_max */
#define UNIX_SNDBUF_MIN 4608
#define UNIX_RCVBUF_MIN 2304
#define SOCKFS_DEV 0x8u            /* sockfs's anonymous device, 0:8 */

static atomic_ullong next_ino = 1u << 24;

void unix_wake_locked(struct unix_pair *p)
{
	pthread_cond_broadcast(&p->wait.cond);
	wake_up_all(&p->pollq);
}

/* Unlinks sk's receive queue for the caller to free after unlocking. */
static struct unix_skb *purge_locked(struct unix_sock *sk)
{
	struct unix_skb *list = sk->head;

	sk->head = sk->tail = NULL;
	sk->rq_charge = 0;
	return list;
}

static void unix_pair_free(struct unix_pair *p)
{
	wait_queue_destroy(&p->pollq);
	pthread_cond_destroy(&p->wait.cond);
	pthread_mutex_destroy(&p->wait.lock);
	free(p);
}

/*
 * Closing one end: its unread messages and their files go; a stream or
 * seqpacket peer sees EOF and EPIPE (and ECONNRESET when this end left
 * data unread), a datagram peer ECONNREFUSED on its next send.
 */
static void unix_release(struct file *f)
{
	struct unix_sock *sk = unix_sk(f), *peer;
	struct unix_pair *p = sk->pair;
	struct unix_skb *list;
	bool last;

	pthread_mutex_lock(&p->wait.lock);
	sk->dead = true;
	sk->shutdown = UNIX_RCV_SHUTDOWN | UNIX_SEND_SHUTDOWN;
	peer = unix_peer_locked(sk);
	if (peer && !peer->dead && p->type != LINUX_SOCK_DGRAM) {
		peer->shutdown = UNIX_RCV_SHUTDOWN | UNIX_SEND_SHUTDOWN;
		if (sk->head)
			peer->err = LINUX_ECONNRESET;
	}
	list = purge_locked(sk);
	last = --p->refs == 0;
	unix_wake_locked(p);
	pthread_mutex_unlock(&p->wait.lock);
	/* Files in flight are put now, with no lock held: one may be another socket. */
	while (list) {
		struct unix_skb *skb = list;
		list = skb->next;
		unix_skb_free(skb);
	}
	if (last)
		unix_pair_free(p);
}

/* Linux's unix_writable: what sk has queued at its peer is at most a quarter of SO_SNDBUF. */
static bool writable_locked(struct unix_sock *sk)
{
	struct unix_sock *peer = unix_peer_locked(sk);

	return !peer || peer->rq_charge * 4 <= (u64)sk->sndbuf;
}

static unsigned unix_poll(struct file *f, struct poll_table *pt)
{
	struct unix_sock *sk = unix_sk(f);
	struct unix_pair *p = sk->pair;
	unsigned mask = 0;

	poll_wait(&p->pollq, pt);
	pthread_mutex_lock(&p->wait.lock);
	if (sk->err)
		mask |= LINUX_POLLERR;
	if (sk->shutdown == (UNIX_RCV_SHUTDOWN | UNIX_SEND_SHUTDOWN))
		mask |= LINUX_POLLHUP;
	if (sk->shutdown & UNIX_RCV_SHUTDOWN)
		mask |= LINUX_POLLRDHUP | LINUX_POLLIN | LINUX_POLLRDNORM;
	if (sk->head)
		mask |= LINUX_POLLIN | LINUX_POLLRDNORM;
	/* A connection-based socket never connected is hung up. */
	if (p->type != LINUX_SOCK_DGRAM && !sk->connected)
		mask |= LINUX_POLLHUP;
	if (writable_locked(sk))
		mask |= LINUX_POLLOUT | LINUX_POLLWRNORM | LINUX_POLLWRBAND;
	pthread_mutex_unlock(&p->wait.lock);
	return mask;
}

static long unix_fstat(struct file *f, struct linux_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = SOCKFS_DEV;
	st->st_ino = unix_sk(f)->ino;
	st->st_nlink = 1;
	st->st_mode = LINUX_S_IFSOCK | 0777;
	st->st_uid = (u32)geteuid(); /* the guest's ids are the host's */
	st->st_gid = (u32)getegid();
	st->st_blksize = 4096;
	return 0;
}

/* FIONREAD (SIOCINQ): a stream's unread bytes, a datagram socket's next message. */
static long unix_ioctl(struct task *t, struct file *f, u32 cmd, u64 arg)
{
	struct unix_sock *sk = unix_sk(f);
	int count = 0;

	if (cmd != LINUX_FIONREAD)
		return -LINUX_ENOTTY;
	pthread_mutex_lock(&sk->pair->wait.lock);
	if (sk->pair->type == LINUX_SOCK_STREAM) {
		for (struct unix_skb *skb = sk->head; skb; skb = skb->next)
			count += (int)(skb->len - skb->off);
	} else if (sk->head) {
		count = (int)sk->head->len;
	}
	pthread_mutex_unlock(&sk->pair->wait.lock);
	return copy_to_user(t, arg, &count, sizeof(count)) ? -LINUX_EFAULT : 0;
}

/* read(2): a receive without flags whose files, if any, are dropped. */
static long unix_read(struct file *f, void *buf, u64 n)
{
	struct unix_recv out;
	long ret;

	if (!n)
		return 0;
	ret = unix_recvmsg(f, buf, n, 0, &out);
	unix_recv_release(&out);
	return ret;
}

/* write(2): read_write.c sends no SIGPIPE for sockets; a stream's comes from here. */
static long unix_write(struct file *f, const void *buf, u64 n)
{
	long ret = unix_sendmsg(f, buf, n, NULL, 0, 0);
	struct task *t = task_current();

	if (unix_send_sigpipe(f, ret, 0) && t)
		send_sig_simple(t, LINUX_SIGPIPE, LINUX_SI_USER);
	return ret;
}

static const struct file_operations unix_fops = {
	.read = unix_read,
	.write = unix_write,
	.ioctl = unix_ioctl,
	.fstat = unix_fstat,
	.poll = unix_poll,
	.release = unix_release,
};

bool file_is_socket(struct file *f)
{
	return f->f_op == &unix_fops;
}

static void sock_init(struct unix_sock *sk, struct unix_pair *p, struct task *t)
{
	sk->pair = p;
	sk->ino = atomic_fetch_add(&next_ino, 1);
	sk->sndbuf = UNIX_SNDBUF_DEFAULT;
	sk->rcvbuf = UNIX_SNDBUF_DEFAULT;
	sk->peercred.pid = 0; /* no peer: Linux's invalid credentials */
	sk->peercred.uid = sk->peercred.gid = ~0u;
	(void)t;
}

static struct unix_pair *pair_alloc(struct task *t, int type, int nsocks)
{
	struct unix_pair *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	pthread_mutex_init(&p->wait.lock, NULL);
	pthread_cond_init(&p->wait.cond, NULL);
	wait_queue_init(&p->pollq);
	p->type = type;
	p->refs = nsocks;
	for (int i = 0; i < nsocks; i++)
		sock_init(&p->sk[i], p, t);
	return p;
}

static struct file *sock_file(struct unix_sock *sk, u32 flags)
{
	char name[40];
	struct file *f;

	snprintf(name, sizeof(name), "socket:[%llu]", (unsigned long long)sk->ino);
	f = alloc_file(&unix_fops, -1, LINUX_O_RDWR | (flags & LINUX_O_NONBLOCK), name);
	if (f)
		f->private_data = sk;
	return f;
}

static void free_unused_file(struct file *f)
{
	if (f) {
		free(f->path);
		free(f);
	}
}

long unix_socketpair(struct task *t, int type, u32 flags, struct file *f[2])
{
	struct unix_pair *p = pair_alloc(t, type, 2);

	if (!p)
		return -LINUX_ENOMEM;
	for (int i = 0; i < 2; i++) {
		p->sk[i].connected = true;
		p->sk[i].peercred.pid = task_tgid(t);
		p->sk[i].peercred.uid = (u32)geteuid();
		p->sk[i].peercred.gid = (u32)getegid();
	}
	f[0] = sock_file(&p->sk[0], flags);
	f[1] = sock_file(&p->sk[1], flags);
	if (!f[0] || !f[1]) {
		free_unused_file(f[0]);
		free_unused_file(f[1]);
		unix_pair_free(p);
		return -LINUX_ENFILE;
	}
	return 0;
}

long unix_socket(struct task *t, int type, u32 flags, struct file **f)
{
	struct unix_pair *p = pair_alloc(t, type, 1);

	if (!p)
		return -LINUX_ENOMEM;
	if (!(*f = sock_file(&p->sk[0], flags))) {
		unix_pair_free(p);
		return -LINUX_ENFILE;
	}
	return 0;
}

long unix_shutdown(struct file *f, int how)
{
	struct unix_sock *sk = unix_sk(f), *peer;
	struct unix_pair *p = sk->pair;
	u32 mode, peer_mode = 0;

	if (how < LINUX_SHUT_RD || how > LINUX_SHUT_RDWR)
		return -LINUX_EINVAL;
	mode = (u32)how + 1; /* SHUT_RD -> RCV, SHUT_WR -> SEND, SHUT_RDWR -> both */
	pthread_mutex_lock(&p->wait.lock);
	sk->shutdown |= mode;
	peer = unix_peer_locked(sk);
	if (peer && !peer->dead && p->type != LINUX_SOCK_DGRAM) {
		if (mode & UNIX_RCV_SHUTDOWN)
			peer_mode |= UNIX_SEND_SHUTDOWN;
		if (mode & UNIX_SEND_SHUTDOWN)
			peer_mode |= UNIX_RCV_SHUTDOWN;
		peer->shutdown |= peer_mode;
	}
	unix_wake_locked(p);
	pthread_mutex_unlock(&p->wait.lock);
	return 0;
}

static int clamp_buf(int v, int min)
{
	if (v > UNIX_BUF_MAX)
		v = UNIX_BUF_MAX;
	v *= 2; /* Linux doubles it for its bookkeeping */
	return v < min ? min : v;
}

/* SOL_SOCKET options a unix socket keeps; others are accepted only where Linux ignores them. */
long unix_setsockopt(struct file *f, int optname, const void *val, int len)
{
	struct unix_sock *sk = unix_sk(f);
	int v;

	if (len < (int)sizeof(int))
		return -LINUX_EINVAL;
	memcpy(&v, val, sizeof(v));
	pthread_mutex_lock(&sk->pair->wait.lock);
	long ret = 0;
	switch (optname) {
	case LINUX_SO_SNDBUF:
	case LINUX_SO_SNDBUFFORCE:
		sk->sndbuf = clamp_buf(v, UNIX_SNDBUF_MIN);
		unix_wake_locked(sk->pair);
		break;
	case LINUX_SO_RCVBUF:
	case LINUX_SO_RCVBUFFORCE:
		sk->rcvbuf = clamp_buf(v, UNIX_RCVBUF_MIN);
		break;
	case LINUX_SO_PASSCRED:
		sk->passcred = v != 0;
		break;
	case LINUX_SO_REUSEADDR:
	case LINUX_SO_KEEPALIVE:
		break;
	default:
		ret = -LINUX_ENOPROTOOPT;
	}
	pthread_mutex_unlock(&sk->pair->wait.lock);
	return ret;
}

/* Fills val (an int, or SO_PEERCRED's ucred) and sets *len to its size. */
long unix_getsockopt(struct file *f, int optname, void *val, int *len)
{
	struct unix_sock *sk = unix_sk(f);
	int v = 0;
	long ret = 0;

	pthread_mutex_lock(&sk->pair->wait.lock);
	switch (optname) {
	case LINUX_SO_TYPE: v = sk->pair->type; break;
	case LINUX_SO_DOMAIN: v = LINUX_AF_UNIX; break;
	case LINUX_SO_PROTOCOL: v = 0; break;
	case LINUX_SO_ERROR: v = sk->err; sk->err = 0; break;
	case LINUX_SO_SNDBUF: v = sk->sndbuf; break;
	case LINUX_SO_RCVBUF: v = sk->rcvbuf; break;
	case LINUX_SO_PASSCRED: v = sk->passcred; break;
	case LINUX_SO_ACCEPTCONN: case LINUX_SO_REUSEADDR: case LINUX_SO_KEEPALIVE: v = 0; break;
	case LINUX_SO_RCVLOWAT: case LINUX_SO_SNDLOWAT: v = 1; break;
	case LINUX_SO_PEERCRED:
		memcpy(val, &sk->peercred, sizeof(sk->peercred));
		*len = sizeof(sk->peercred);
		goto out;
	default:
		ret = -LINUX_ENOPROTOOPT;
		goto out;
	}
	memcpy(val, &v, sizeof(v));
	*len = sizeof(v);
out:
	pthread_mutex_unlock(&sk->pair->wait.lock);
	return ret;
}

long unix_getname(struct file *f, bool peer)
{
	struct unix_sock *sk = unix_sk(f);
	long ret = 0;

	if (peer) {
		pthread_mutex_lock(&sk->pair->wait.lock);
		ret = sk->connected ? 0 : -LINUX_ENOTCONN;
		pthread_mutex_unlock(&sk->pair->wait.lock);
	}
	return ret;
}
