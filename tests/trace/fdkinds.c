/*
 * Guest for the trace differential test: lxemu's own kinds of file, each
 * call made directly with syscall() on fixed inputs, including failures:
 * pipe2, eventfd2, epoll (create1, ctl, wait, pwait), vmsplice, tee and
 * splice between pipes, and an AF_UNIX
 * socketpair carrying data and an fd (sendmsg/recvmsg with SCM_RIGHTS,
 * sendto/recvfrom, getsockopt, shutdown).  Its strace must match
 * lxemu --trace line for line (see run-trace-diff.sh).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

static char buf[64];

static void pipes_and_eventfd(int ep)
{
	int p[2];
	unsigned long long v = 3;
	struct epoll_event ev = { .events = EPOLLIN | EPOLLET, .data.u64 = 7 }, out[4];

	syscall(SYS_pipe2, p, O_CLOEXEC | O_NONBLOCK);
	long efd = syscall(SYS_eventfd2, 0, O_CLOEXEC | O_NONBLOCK);
	syscall(SYS_write, efd, &v, 8L);
	syscall(SYS_read, efd, &v, 8L);
	syscall(SYS_read, efd, &v, 8L); /* EAGAIN */
	syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &ev);
	syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, p[0], &ev); /* EEXIST */
	ev.events = EPOLLIN;
	ev.data.u64 = 9;
	syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, efd, &ev);
	syscall(SYS_epoll_wait, ep, out, 4, 0);
	syscall(SYS_write, p[1], "x", 1L);
	syscall(SYS_write, efd, &v, 8L);
	syscall(SYS_epoll_wait, ep, out, 4, 0);
	syscall(SYS_epoll_pwait, ep, out, 4, 0, NULL, 8L);
	ev.events = EPOLLOUT;
	syscall(SYS_epoll_ctl, ep, EPOLL_CTL_MOD, p[0], &ev);
	syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], NULL);
	syscall(SYS_epoll_ctl, ep, EPOLL_CTL_DEL, p[0], NULL); /* ENOENT */
	syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, 99, &ev);    /* EBADF */
	syscall(SYS_epoll_ctl, ep, EPOLL_CTL_ADD, ep, &ev);    /* EINVAL */
	syscall(SYS_epoll_wait, ep, out, 0, 0);                /* EINVAL */
	int q[2];
	struct iovec iov = { "spliced", 7 };
	loff_t off = 2;
	syscall(SYS_pipe2, q, 0);
	syscall(SYS_vmsplice, q[1], &iov, 1L, 0);
	syscall(SYS_tee, q[0], p[1], 3L, SPLICE_F_NONBLOCK);
	syscall(SYS_splice, q[0], NULL, p[1], NULL, 64L, SPLICE_F_MOVE | SPLICE_F_MORE);
	syscall(SYS_splice, p[0], &off, q[1], NULL, 64L, 0); /* ESPIPE */
	syscall(SYS_splice, q[0], NULL, q[1], NULL, 64L, 0); /* EINVAL */
	syscall(SYS_close, q[0]);
	syscall(SYS_close, q[1]);
	syscall(SYS_close, efd);
	syscall(SYS_close, p[0]);
	syscall(SYS_close, p[1]);
}

static void socket_pair(void)
{
	int sv[2], type = 0, p[2];
	socklen_t len = sizeof(type);
	char cbuf[CMSG_SPACE(sizeof(int))], rbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { "hello", 5 }, riov = { buf, sizeof(buf) };
	struct msghdr m = { 0 }, r = { 0 };

	syscall(SYS_socketpair, AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv);
	syscall(SYS_socketpair, AF_INET, SOCK_STREAM, 0, p); /* EOPNOTSUPP */
	syscall(SYS_pipe2, p, 0);
	syscall(SYS_getsockopt, sv[0], SOL_SOCKET, SO_TYPE, &type, &len);
	memset(cbuf, 0, sizeof(cbuf));
	m.msg_iov = &iov;
	m.msg_iovlen = 1;
	m.msg_control = cbuf;
	m.msg_controllen = sizeof(cbuf);
	struct cmsghdr *c = CMSG_FIRSTHDR(&m);
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(c), &p[1], sizeof(int));
	syscall(SYS_sendmsg, sv[0], &m, 0);
	r.msg_iov = &riov;
	r.msg_iovlen = 1;
	r.msg_control = rbuf;
	r.msg_controllen = sizeof(rbuf);
	syscall(SYS_recvmsg, sv[1], &r, MSG_CMSG_CLOEXEC);
	syscall(SYS_sendto, sv[1], "back", 4L, 0, NULL, 0);
	syscall(SYS_recvfrom, sv[0], buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL);
	syscall(SYS_recvfrom, sv[0], buf, sizeof(buf), MSG_DONTWAIT, NULL, NULL); /* EAGAIN */
	syscall(SYS_shutdown, sv[0], SHUT_WR);
	syscall(SYS_read, sv[1], buf, sizeof(buf));
	syscall(SYS_sendmsg, p[0], &m, 0); /* ENOTSOCK */
	syscall(SYS_close, sv[0]);
	syscall(SYS_close, sv[1]);
	syscall(SYS_close, p[0]);
	syscall(SYS_close, p[1]);
}

int main(void)
{
	long ep = syscall(SYS_epoll_create1, EPOLL_CLOEXEC);

	syscall(SYS_epoll_create1, 12345); /* EINVAL */
	pipes_and_eventfd((int)ep);
	socket_pair();
	syscall(SYS_close, ep);
	return 0;
}
