/*
 * AF_UNIX send and receive.  Each socket's receive queue holds what its
 * peer sent, one unix_skb per send (a stream send is cut into pieces as
 * Linux's skbs).  A sender may add a message while what it has queued
 * costs less than its SO_SNDBUF, else it waits; a reader frees and wakes.
 * Files sent with SCM_RIGHTS ride with their message's first piece, and a
 * stream read never goes past the piece that carried files.  Files are
 * put only after the pair's lock is dropped: their release may take
 * another pair's lock.
 */
#include <stdlib.h>
#include <string.h>
#include "af_unix.h"
#include "../kernel/signal.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/signal.h"

#define UNIX_SKB_OVERHEAD 512u   /* charged per message, as Linux's skb truesize */
#define UNIX_STREAM_PIECE 36864u /* the most one stream skb holds */

static void put_file_list(struct file **fps, int nfp)
{
	for (int i = 0; i < nfp; i++)
		fput(fps[i]);
	free(fps);
}

void unix_skb_free(struct unix_skb *skb)
{
	if (skb->fps)
		put_file_list(skb->fps, skb->nfp);
	free(skb);
}

static struct unix_skb *skb_alloc(const void *buf, u32 len)
{
	struct unix_skb *skb = malloc(sizeof(*skb) + len);

	if (!skb)
		return NULL;
	memset(skb, 0, sizeof(*skb));
	memcpy(skb->data, buf, len);
	skb->len = len;
	skb->charge = len + UNIX_SKB_OVERHEAD;
	return skb;
}

static void queue_tail_locked(struct unix_sock *sk, struct unix_skb *skb)
{
	if (sk->tail)
		sk->tail->next = skb;
	else
		sk->head = skb;
	sk->tail = skb;
	sk->rq_charge += skb->charge;
}

static struct unix_skb *dequeue_locked(struct unix_sock *sk)
{
	struct unix_skb *skb = sk->head;

	sk->head = skb->next;
	if (!sk->head)
		sk->tail = NULL;
	sk->rq_charge -= skb->charge;
	skb->next = NULL;
	return skb;
}

static long sock_error_locked(struct unix_sock *sk)
{
	int err = sk->err;

	sk->err = 0;
	return -err;
}

/* Waits for a change of the pair: -EAGAIN without blocking, -ERESTARTSYS on a signal. */
static long unix_wait_locked(struct file *f, u32 flags)
{
	struct unix_sock *sk = unix_sk(f);

	if (flags & LINUX_MSG_DONTWAIT)
		return -LINUX_EAGAIN;
	return file_wait_locked(f, &sk->pair->wait);
}

/*
 * Room for one more message from sk (Linux's sock_alloc_send_pskb):
 * 0, or the error that ends the send.
 */
static long wait_for_room_locked(struct file *f, u32 flags)
{
	struct unix_sock *sk = unix_sk(f);
	long err;

	for (;;) {
		if (sk->err)
			return sock_error_locked(sk);
		if (sk->shutdown & UNIX_SEND_SHUTDOWN)
			return -LINUX_EPIPE;
		struct unix_sock *peer = unix_peer_locked(sk);
		if (!peer || peer->rq_charge < (u64)sk->sndbuf)
			return 0;
		if ((err = unix_wait_locked(f, flags)))
			return err;
	}
}

static long stream_sendmsg(struct file *f, const u8 *buf, u64 len, struct file **fps, int nfp,
			   u32 flags)
{
	struct unix_sock *sk = unix_sk(f);
	struct unix_pair *p = sk->pair;
	u64 sent = 0;
	long err = 0;

	pthread_mutex_lock(&p->wait.lock);
	if (!sk->connected) {
		err = -LINUX_ENOTCONN;
		goto out;
	}
	if (sk->shutdown & UNIX_SEND_SHUTDOWN) {
		err = -LINUX_EPIPE;
		goto out;
	}
	while (sent < len) {
		u32 piece = (u32)MIN(len - sent, (u64)MIN(UNIX_STREAM_PIECE, (u32)sk->sndbuf / 2 - 64));
		if ((err = wait_for_room_locked(f, flags)))
			break;
		struct unix_sock *peer = unix_peer_locked(sk);
		if (peer->dead || (peer->shutdown & UNIX_RCV_SHUTDOWN)) {
			err = -LINUX_EPIPE;
			break;
		}
		struct unix_skb *skb = skb_alloc(buf + sent, piece);
		if (!skb) {
			err = -LINUX_ENOMEM;
			break;
		}
		if (fps) {
			skb->fps = fps;
			skb->nfp = nfp;
			fps = NULL;
		}
		queue_tail_locked(peer, skb);
		unix_wake_locked(p);
		sent += piece;
	}
out:
	pthread_mutex_unlock(&p->wait.lock);
	if (fps)
		put_file_list(fps, nfp);
	return sent ? (long)sent : err;
}

static long dgram_sendmsg(struct file *f, const u8 *buf, u64 len, struct file **fps, int nfp,
			  u32 flags)
{
	struct unix_sock *sk = unix_sk(f);
	struct unix_pair *p = sk->pair;
	struct unix_skb *lost = NULL;
	struct unix_sock *peer;
	long err;

	pthread_mutex_lock(&p->wait.lock);
	err = -LINUX_ENOTCONN;
	if (!(peer = unix_peer_locked(sk)))
		goto out;
	if (peer->dead && p->type == LINUX_SOCK_DGRAM) {
		/*
		 * The peer is gone: refused once, then not connected, and what
		 * it had sent is lost (Linux's unix_dgram_disconnected).
		 */
		sk->connected = false;
		lost = sk->head;
		sk->head = sk->tail = NULL;
		sk->rq_charge = 0;
		err = -LINUX_ECONNREFUSED;
		goto out;
	}
	err = -LINUX_EMSGSIZE;
	if (len > (u64)sk->sndbuf - 32)
		goto out;
	if ((err = wait_for_room_locked(f, flags)))
		goto out;
	peer = unix_peer_locked(sk);
	err = -LINUX_EPIPE;
	if (!peer || peer->dead || (peer->shutdown & UNIX_RCV_SHUTDOWN))
		goto out;
	struct unix_skb *skb = skb_alloc(buf, (u32)len);
	err = -LINUX_ENOMEM;
	if (!skb)
		goto out;
	skb->fps = fps;
	skb->nfp = nfp;
	fps = NULL;
	queue_tail_locked(peer, skb);
	unix_wake_locked(p);
	err = (long)len;
out:
	pthread_mutex_unlock(&p->wait.lock);
	if (fps)
		put_file_list(fps, nfp);
	while (lost) {
		struct unix_skb *skb = lost;
		lost = skb->next;
		unix_skb_free(skb);
	}
	return err;
}

long unix_sendmsg(struct file *f, const void *buf, u64 len, struct file **fps, int nfp,
		  u32 flags)
{
	struct unix_pair *p = unix_sk(f)->pair;

	if (flags & LINUX_MSG_OOB) {
		put_file_list(fps, nfp);
		return -LINUX_EOPNOTSUPP;
	}
	if (file_nonblocking(f))
		flags |= LINUX_MSG_DONTWAIT;
	if (p->type == LINUX_SOCK_STREAM)
		return stream_sendmsg(f, buf, len, fps, nfp, flags);
	return dgram_sendmsg(f, buf, len, fps, nfp, flags);
}

/* Only a stream says SIGPIPE; a seqpacket or datagram socket's EPIPE comes alone. */
bool unix_send_sigpipe(struct file *f, long ret, u32 flags)
{
	return ret == -LINUX_EPIPE && unix_sk(f)->pair->type == LINUX_SOCK_STREAM &&
	       !(flags & LINUX_MSG_NOSIGNAL);
}

/* The files skb carries, to out: taken, or new references for a peek. */
static bool take_files_locked(struct unix_skb *skb, bool peek, struct unix_recv *out)
{
	if (!skb->fps)
		return false;
	if (peek) {
		out->fps = malloc(sizeof(*out->fps) * skb->nfp);
		if (out->fps) {
			for (int i = 0; i < skb->nfp; i++)
				out->fps[i] = get_file(skb->fps[i]);
			out->nfp = skb->nfp;
		}
		return true;
	}
	out->fps = skb->fps;
	out->nfp = skb->nfp;
	skb->fps = NULL;
	return true;
}

static long stream_recvmsg(struct file *f, u8 *buf, u64 len, u32 flags, struct unix_recv *out)
{
	struct unix_sock *sk = unix_sk(f);
	struct unix_pair *p = sk->pair;
	bool peek = flags & LINUX_MSG_PEEK, freed = false;
	u64 target = (flags & LINUX_MSG_WAITALL) ? len : 1, copied = 0;
	struct unix_skb *skb, *cursor = NULL, *done = NULL;
	long err = 0;

	pthread_mutex_lock(&p->wait.lock);
	if (!sk->connected) {
		err = -LINUX_EINVAL;
		goto out;
	}
	for (;;) {
		skb = peek ? (cursor ? cursor->next : sk->head) : sk->head;
		if (!skb) {
			if (copied >= target || (peek && cursor))
				break;
			if (sk->err) {
				err = sock_error_locked(sk);
				break;
			}
			if (sk->shutdown & UNIX_RCV_SHUTDOWN)
				break;
			if (freed) {
				unix_wake_locked(p);
				freed = false;
			}
			if ((err = unix_wait_locked(f, flags)))
				break;
			continue;
		}
		u32 from = skb->off; /* only the head may be partly read */
		u32 chunk = (u32)MIN((u64)(skb->len - from), len - copied);
		memcpy(buf + copied, skb->data + from, chunk);
		copied += chunk;
		bool files = take_files_locked(skb, peek, out);
		if (peek) {
			cursor = skb;
			if (files)
				break;
		} else {
			skb->off += chunk;
			if (skb->off < skb->len)
				break;
			skb = dequeue_locked(sk);
			skb->next = done;
			done = skb;
			freed = true;
			if (files)
				break;
		}
		if (copied == len)
			break;
	}
out:
	if (freed)
		unix_wake_locked(p);
	pthread_mutex_unlock(&p->wait.lock);
	while (done) {
		skb = done;
		done = skb->next;
		unix_skb_free(skb);
	}
	return copied ? (long)copied : err;
}

static long dgram_recvmsg(struct file *f, u8 *buf, u64 len, u32 flags, struct unix_recv *out)
{
	struct unix_sock *sk = unix_sk(f);
	struct unix_pair *p = sk->pair;
	struct unix_skb *skb = NULL;
	long ret;

	pthread_mutex_lock(&p->wait.lock);
	if (p->type == LINUX_SOCK_SEQPACKET && !sk->connected) {
		ret = -LINUX_ENOTCONN;
		goto out;
	}
	while (!sk->head) {
		if (sk->err) {
			ret = sock_error_locked(sk);
			goto out;
		}
		bool eof = sk->shutdown & UNIX_RCV_SHUTDOWN;
		if (eof && !(flags & LINUX_MSG_DONTWAIT)) {
			ret = 0;
			goto out;
		}
		ret = unix_wait_locked(f, flags);
		if (ret == -LINUX_EAGAIN && eof && p->type == LINUX_SOCK_SEQPACKET) {
			ret = 0; /* EOF on a disconnected nonblocking seqpacket socket */
			goto out;
		}
		if (ret)
			goto out;
	}
	skb = sk->head;
	u32 chunk = (u32)MIN((u64)skb->len, len);
	memcpy(buf, skb->data, chunk);
	if (skb->len > chunk)
		out->msg_flags |= LINUX_MSG_TRUNC;
	take_files_locked(skb, flags & LINUX_MSG_PEEK, out);
	ret = (flags & LINUX_MSG_TRUNC) ? (long)skb->len : (long)chunk;
	if (flags & LINUX_MSG_PEEK) {
		skb = NULL;
	} else {
		dequeue_locked(sk);
		unix_wake_locked(p);
	}
out:
	pthread_mutex_unlock(&p->wait.lock);
	if (skb)
		unix_skb_free(skb);
	return ret;
}

long unix_recvmsg(struct file *f, void *buf, u64 len, u32 flags, struct unix_recv *out)
{
	struct unix_pair *p = unix_sk(f)->pair;

	out->fps = NULL;
	out->nfp = 0;
	out->msg_flags = 0;
	if (flags & LINUX_MSG_OOB)
		return -LINUX_EOPNOTSUPP;
	if (file_nonblocking(f))
		flags |= LINUX_MSG_DONTWAIT;
	if (p->type == LINUX_SOCK_STREAM)
		return stream_recvmsg(f, buf, len, flags, out);
	return dgram_recvmsg(f, buf, len, flags, out);
}

void unix_recv_release(struct unix_recv *out)
{
	if (out->fps)
		put_file_list(out->fps, out->nfp);
	out->fps = NULL;
	out->nfp = 0;
}
