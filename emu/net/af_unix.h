/*
 * AF_UNIX sockets in the kernel (af_unix.c, af_unix_sock.c): socketpair's
 * connected pairs of SOCK_STREAM, SOCK_DGRAM and SOCK_SEQPACKET sockets,
 * and socket()'s unconnected ones.  Messages carry open files (SCM_RIGHTS)
 * as references to the same open file descriptions.  No addresses: bind,
 * connect, listen and accept by path are not implemented, SO_PASSCRED is
 * kept but no SCM_CREDENTIALS are delivered, SO_RCVTIMEO/SO_SNDTIMEO are
 * refused (ENOPROTOOPT) and MSG_OOB says EOPNOTSUPP.  A socket in flight in
 * its own receive queue (or a cycle of sockets in flight in each other's)
 * is never released: there is no garbage collector as Linux's, so such a
 * cycle leaks its sockets and the files they hold until lxemu exits.
 */
#ifndef LXEMU_AF_UNIX_H
#define LXEMU_AF_UNIX_H

#include "../fs/file.h"
#include "../kernel/task.h"
#include "../kernel/wait.h"
#include "../../abi/linux/socket.h"

#define UNIX_RCV_SHUTDOWN 1u
#define UNIX_SEND_SHUTDOWN 2u

/* One send: its bytes and the files it carries. */
struct unix_skb {
	struct unix_skb *next;
	u32 len, off;          /* off: bytes a stream reader already took */
	u32 charge;            /* what it costs the sender's send buffer */
	int nfp;
	struct file **fps;     /* SCM_RIGHTS, NULL once taken */
	u8 data[];
};

struct unix_pair;

struct unix_sock {
	struct unix_pair *pair;
	u64 ino;
	struct linux_ucred peercred; /* the socketpair caller's, as Linux's init_peercred */
	/* guarded by pair->wait.lock */
	struct unix_skb *head, *tail; /* receive queue: what the peer sent */
	u64 rq_charge;                /* the queue's charge to the peer's send buffer */
	u32 shutdown;                 /* UNIX_RCV_SHUTDOWN | UNIX_SEND_SHUTDOWN */
	int err;                      /* SO_ERROR: ECONNRESET */
	bool connected;               /* has a peer (a socketpair end) */
	bool dead;                    /* its file is released */
	bool passcred;
	int sndbuf, rcvbuf;
};

/* Both ends of a socketpair, or one unconnected socket, under one lock. */
struct unix_pair {
	struct wait_slot wait;         /* lock guards both socks; blocked callers sleep on cond */
	struct wait_queue_head pollq;
	int type;                      /* LINUX_SOCK_STREAM, _DGRAM or _SEQPACKET */
	int refs;                      /* files alive, guarded by wait.lock */
	struct unix_sock sk[2];
};

/* What a receive hands back besides the bytes. */
struct unix_recv {
	struct file **fps; /* malloc'ed, each a reference the caller owns */
	int nfp;
	u32 msg_flags;     /* MSG_TRUNC */
};

bool file_is_socket(struct file *f);
static inline struct unix_sock *unix_sk(struct file *f) { return f->private_data; }
static inline struct unix_sock *unix_peer_locked(struct unix_sock *sk)
{
	return sk->connected ? &sk->pair->sk[sk == &sk->pair->sk[0]] : NULL;
}

/* type: a SOCK_* type without flags; flags: O_NONBLOCK. Returns 0 or -errno. */
long unix_socketpair(struct task *t, int type, u32 flags, struct file *f[2]);
long unix_socket(struct task *t, int type, u32 flags, struct file **f);

/*
 * Sends len bytes of buf and nfp files (always consumed: kept with the
 * message, or put).  Returns bytes sent or -errno; the caller sends SIGPIPE
 * where unix_send_sigpipe says so.
 */
long unix_sendmsg(struct file *f, const void *buf, u64 len, struct file **fps, int nfp,
		  u32 flags);
bool unix_send_sigpipe(struct file *f, long ret, u32 flags);
/* Receives up to len bytes; MSG_TRUNC on a datagram returns its whole length. */
long unix_recvmsg(struct file *f, void *buf, u64 len, u32 flags, struct unix_recv *out);
void unix_recv_release(struct unix_recv *out);

long unix_shutdown(struct file *f, int how);
long unix_getsockopt(struct file *f, int optname, void *val, int *len);
long unix_setsockopt(struct file *f, int optname, const void *val, int len);
/* -ENOTCONN from getpeername on an unconnected socket. */
long unix_getname(struct file *f, bool peer);

/* af_unix_sock.c's helpers for af_unix.c: caller holds pair->wait.lock. */
void unix_wake_locked(struct unix_pair *p);
void unix_skb_free(struct unix_skb *skb);

#endif
