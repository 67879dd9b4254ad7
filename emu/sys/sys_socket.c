/*
 * The socket calls.  Only AF_UNIX exists (net/af_unix.c): socketpair's
 * connected pairs and socket()'s unconnected sockets; bind, connect,
 * listen and accept by path are not implemented (ENOSYS), and sendto with
 * an address on a datagram socket says EOPNOTSUPP.  Handlers copy the
 * guest's buffers, iovecs and control messages in and out.
 */
#include <stdlib.h>
#include <string.h>
#include "syscall_handlers.h"
#include "../kernel/signal.h"
#include "../fs/file.h"
#include "../mm/uaccess.h"
#include "../net/af_unix.h"
#include "../net/scm.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"
#include "../../abi/linux/misc.h"
#include "../../abi/linux/mman.h"
#include "../../abi/linux/signal.h"

#define MAX_SOCK_COUNT 0x7fffffffULL /* Linux caps a send or receive at INT_MAX */

/* Linux's socket type checks: returns the AF_UNIX type, or -errno; *oflags gets O_NONBLOCK. */
static int unix_type(int family, int type, int protocol, u32 *oflags, bool *cloexec)
{
	int flags = type & ~LINUX_SOCK_TYPE_MASK;

	if (flags & ~(LINUX_SOCK_CLOEXEC | LINUX_SOCK_NONBLOCK))
		return -LINUX_EINVAL;
	*oflags = (flags & LINUX_SOCK_NONBLOCK) ? LINUX_O_NONBLOCK : 0;
	*cloexec = flags & LINUX_SOCK_CLOEXEC;
	type &= LINUX_SOCK_TYPE_MASK;
	if (family < 0 || family >= LINUX_AF_MAX)
		return -LINUX_EAFNOSUPPORT;
	if (type >= LINUX_SOCK_MAX)
		return -LINUX_EINVAL;
	if (family != LINUX_AF_UNIX)
		return -LINUX_EAFNOSUPPORT;
	if (protocol && protocol != LINUX_AF_UNIX)
		return -LINUX_EPROTONOSUPPORT;
	switch (type) {
	case LINUX_SOCK_STREAM:
	case LINUX_SOCK_DGRAM:
	case LINUX_SOCK_SEQPACKET:
		return type;
	case LINUX_SOCK_RAW:
		return LINUX_SOCK_DGRAM; /* as Linux's unix_create */
	default:
		return -LINUX_ESOCKTNOSUPPORT;
	}
}

long sys_socket(struct task *t, int family, int type, int protocol)
{
	struct file *f;
	bool cloexec;
	u32 oflags;
	int fd = unix_type(family, type, protocol, &oflags, &cloexec);

	if (fd < 0)
		return fd;
	if ((fd = (int)unix_socket(t, fd, oflags, &f)))
		return fd;
	fd = fd_install_lowest(t, f, 0, cloexec);
	if (fd < 0)
		fput(f);
	return fd;
}

long sys_socketpair(struct task *t, int family, int type, int protocol, u64 uusockvec)
{
	struct file *f[2];
	int fd[2], stype;
	bool cloexec;
	u32 oflags;
	long err;

	/* Internet families have no pairs (sock_no_socketpair). */
	if ((family == LINUX_AF_INET || family == LINUX_AF_INET6) &&
	    !(type & ~(LINUX_SOCK_TYPE_MASK | LINUX_SOCK_CLOEXEC | LINUX_SOCK_NONBLOCK)) &&
	    (type & LINUX_SOCK_TYPE_MASK) < LINUX_SOCK_MAX)
		return -LINUX_EOPNOTSUPP;
	if ((stype = unix_type(family, type, protocol, &oflags, &cloexec)) < 0)
		return stype;
	if ((err = unix_socketpair(t, stype, oflags, f)))
		return err;
	fd[0] = fd_install_lowest(t, f[0], 0, cloexec);
	if (fd[0] < 0) {
		fput(f[0]);
		fput(f[1]);
		return fd[0];
	}
	fd[1] = fd_install_lowest(t, f[1], 0, cloexec);
	if (fd[1] < 0) {
		close_fd(t, fd[0]);
		fput(f[1]);
		return fd[1];
	}
	if (copy_to_user(t, uusockvec, fd, sizeof(fd))) {
		close_fd(t, fd[0]);
		close_fd(t, fd[1]);
		return -LINUX_EFAULT;
	}
	return 0;
}

/* The socket behind fd, a reference: -EBADF, or -ENOTSOCK for another file. */
static struct file *sockfd_lookup(struct task *t, int fd)
{
	struct file *f = fget(t, fd);

	if (!f)
		return ERR_PTR(-LINUX_EBADF);
	if (!file_is_socket(f)) {
		fput(f);
		return ERR_PTR(-LINUX_ENOTSOCK);
	}
	return f;
}

/* A destination address on a send: a connected stream says EISCONN; a seqpacket ignores it. */
static long check_dest(struct file *f, u64 uaddr, u32 addrlen)
{
	struct unix_sock *sk = unix_sk(f);

	if (!uaddr || !addrlen)
		return 0;
	if (addrlen > 128)
		return -LINUX_EINVAL;
	switch (sk->pair->type) {
	case LINUX_SOCK_SEQPACKET:
		return 0;
	case LINUX_SOCK_STREAM:
		return unix_getname(f, true) ? -LINUX_EOPNOTSUPP : -LINUX_EISCONN;
	default:
		return -LINUX_EOPNOTSUPP; /* no socket has an address to send to */
	}
}

/* One guest iovec array's data, gathered into a kernel buffer. -EFAULT when a byte cannot be read. */
static long gather(struct task *t, const struct linux_iovec *iov, u64 vlen, u64 total, u8 **out)
{
	u8 *buf = malloc(total ? total : 1);
	u64 got = 0;

	if (!buf)
		return -LINUX_ENOMEM;
	for (u64 i = 0; i < vlen; i++) {
		if (!iov[i].iov_len)
			continue;
		if (copy_from_user(t, buf + got, iov[i].iov_base, iov[i].iov_len)) {
			free(buf);
			return -LINUX_EFAULT;
		}
		got += iov[i].iov_len;
	}
	*out = buf;
	return 0;
}

static long do_send(struct task *t, struct file *f, const struct linux_iovec *iov, u64 vlen,
		    u64 total, struct scm_files *scm, u32 flags)
{
	u8 *buf;
	long ret;

	if ((ret = gather(t, iov, vlen, total, &buf))) {
		for (int i = 0; i < scm->nfp; i++)
			fput(scm->fps[i]);
		free(scm->fps);
		return ret;
	}
	ret = unix_sendmsg(f, buf, total, scm->fps, scm->nfp, flags);
	free(buf);
	if (unix_send_sigpipe(f, ret, flags))
		send_sig_simple(t, LINUX_SIGPIPE, LINUX_SI_USER);
	return ret;
}

/* The iovecs' total (capped as Linux's), or -errno: more than UIO_MAXIOV is EMSGSIZE. */
static long import_msg_iov(struct task *t, u64 uvec, u64 vlen, struct linux_iovec **out, u64 *total)
{
	struct linux_iovec *iov;

	*total = 0;
	if (vlen > LINUX_UIO_MAXIOV)
		return -LINUX_EMSGSIZE;
	if (!(iov = malloc(sizeof(*iov) * (vlen ? vlen : 1))))
		return -LINUX_ENOMEM;
	if (vlen && copy_from_user(t, iov, uvec, sizeof(*iov) * vlen)) {
		free(iov);
		return -LINUX_EFAULT;
	}
	for (u64 i = 0; i < vlen; i++) {
		if ((s64)iov[i].iov_len < 0) {
			free(iov);
			return -LINUX_EINVAL;
		}
		if (iov[i].iov_len > MAX_SOCK_COUNT - *total)
			iov[i].iov_len = MAX_SOCK_COUNT - *total;
		*total += iov[i].iov_len;
	}
	*out = iov;
	return 0;
}

long sys_sendto(struct task *t, int fd, u64 ubuff, u64 len, u32 flags, u64 uaddr, int addr_len)
{
	struct linux_iovec iov = { ubuff, MIN(len, MAX_SOCK_COUNT) };
	struct scm_files none = { NULL, 0 };
	struct file *f = sockfd_lookup(t, fd);
	long ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	if (!(ret = check_dest(f, uaddr, (u32)addr_len)))
		ret = do_send(t, f, &iov, 1, iov.iov_len, &none, flags);
	fput(f);
	return ret;
}

long sys_sendmsg(struct task *t, int fd, u64 umsg, u32 flags)
{
	struct file *f = sockfd_lookup(t, fd);
	struct scm_files scm = { NULL, 0 };
	struct linux_iovec *iov = NULL;
	struct linux_msghdr m;
	u8 *ctl = NULL;
	u64 total;
	long ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = -LINUX_EFAULT;
	if (copy_from_user(t, &m, umsg, sizeof(m)))
		goto out;
	if ((ret = import_msg_iov(t, m.msg_iov, m.msg_iovlen, &iov, &total)))
		goto out;
	ret = -LINUX_ENOBUFS;
	if (m.msg_controllen > 0x7fffffff)
		goto out;
	if (m.msg_controllen >= sizeof(struct linux_cmsghdr)) {
		ret = -LINUX_ENOMEM;
		if (!(ctl = malloc(m.msg_controllen)))
			goto out;
		ret = -LINUX_EFAULT;
		if (copy_from_user(t, ctl, m.msg_control, m.msg_controllen))
			goto out;
		if ((ret = scm_send(t, ctl, m.msg_controllen, &scm)))
			goto out;
	}
	if ((ret = check_dest(f, m.msg_name, m.msg_namelen))) {
		for (int i = 0; i < scm.nfp; i++)
			fput(scm.fps[i]);
		free(scm.fps);
		goto out;
	}
	ret = do_send(t, f, iov, m.msg_iovlen, total, &scm, flags);
out:
	free(ctl);
	free(iov);
	fput(f);
	return ret;
}

/*
 * Receives into the iovecs (the accessible prefix of them) and scatters;
 * returns what unix_recvmsg does, out holding the files and flags.
 */
static long do_recv(struct task *t, struct file *f, const struct linux_iovec *iov, u64 vlen,
		    u64 total, u32 flags, struct unix_recv *out)
{
	u64 room = 0;
	long ret;
	u8 *buf;

	for (u64 i = 0; i < vlen; i++) {
		u64 r = user_access_len(t, iov[i].iov_base, iov[i].iov_len, LINUX_PROT_WRITE);
		room += r;
		if (r < iov[i].iov_len)
			break;
	}
	out->fps = NULL;
	out->nfp = 0;
	out->msg_flags = 0;
	if (total && !room)
		return -LINUX_EFAULT;
	if (!(buf = malloc(room ? room : 1)))
		return -LINUX_ENOMEM;
	ret = unix_recvmsg(f, buf, room, flags, out);
	u64 copied = ret > 0 ? MIN((u64)ret, room) : 0;
	for (u64 i = 0, done = 0; done < copied; i++) {
		u64 n = MIN(iov[i].iov_len, copied - done);
		copy_to_user(t, iov[i].iov_base, buf + done, n);
		done += n;
	}
	free(buf);
	return ret;
}

/* An unnamed AF_UNIX peer: a received address is empty. */
static long put_empty_addrlen(struct task *t, u64 ulen)
{
	int zero = 0;

	return copy_to_user(t, ulen, &zero, sizeof(zero)) ? -LINUX_EFAULT : 0;
}

long sys_recvfrom(struct task *t, int fd, u64 ubuf, u64 size, u32 flags, u64 uaddr, u64 uaddr_len)
{
	struct linux_iovec iov = { ubuf, MIN(size, MAX_SOCK_COUNT) };
	struct file *f = sockfd_lookup(t, fd);
	struct unix_recv out;
	long ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = do_recv(t, f, &iov, 1, iov.iov_len, flags, &out);
	unix_recv_release(&out); /* recv has nowhere to put files: they are closed */
	if (ret >= 0 && uaddr && uaddr_len) {
		long err = put_empty_addrlen(t, uaddr_len);
		if (err)
			ret = err;
	}
	fput(f);
	return ret;
}

long sys_recvmsg(struct task *t, int fd, u64 umsg, u32 flags)
{
	struct file *f = sockfd_lookup(t, fd);
	struct linux_iovec *iov = NULL;
	struct linux_msghdr m;
	struct unix_recv out;
	u64 total, used = 0;
	long ret, err;

	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = -LINUX_EFAULT;
	if (copy_from_user(t, &m, umsg, sizeof(m)))
		goto out;
	if ((ret = import_msg_iov(t, m.msg_iov, m.msg_iovlen, &iov, &total)))
		goto out;
	ret = do_recv(t, f, iov, m.msg_iovlen, total, flags, &out);
	if (ret < 0)
		goto out;
	if ((err = scm_detach_fds(t, m.msg_control, m.msg_control ? m.msg_controllen : 0, &out,
				  flags, &used, &out.msg_flags))) {
		ret = err;
		goto out;
	}
	m.msg_controllen = used;
	/* MSG_CMSG_CLOEXEC comes back in msg_flags, as from Linux. */
	m.msg_flags = (s32)(out.msg_flags | (flags & LINUX_MSG_CMSG_CLOEXEC));
	m.msg_namelen = 0;
	if ((m.msg_name && copy_to_user(t, umsg + offsetof(struct linux_msghdr, msg_namelen),
					&m.msg_namelen, sizeof(m.msg_namelen))) ||
	    copy_to_user(t, umsg + offsetof(struct linux_msghdr, msg_controllen), &m.msg_controllen,
			 sizeof(m.msg_controllen)) ||
	    copy_to_user(t, umsg + offsetof(struct linux_msghdr, msg_flags), &m.msg_flags,
			 sizeof(m.msg_flags)))
		ret = -LINUX_EFAULT;
out:
	free(iov);
	fput(f);
	return ret;
}

long sys_shutdown(struct task *t, int fd, int how)
{
	struct file *f = sockfd_lookup(t, fd);
	long ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = unix_shutdown(f, how);
	fput(f);
	return ret;
}

long sys_getsockopt(struct task *t, int fd, int level, int optname, u64 uoptval, u64 uoptlen)
{
	struct file *f = sockfd_lookup(t, fd);
	u8 val[16];
	int len, klen;
	long ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = -LINUX_EOPNOTSUPP;
	if (level != LINUX_SOL_SOCKET)
		goto out;
	ret = -LINUX_EFAULT;
	if (copy_from_user(t, &len, uoptlen, sizeof(len)))
		goto out;
	ret = -LINUX_EINVAL;
	if (len < 0)
		goto out;
	if ((ret = unix_getsockopt(f, optname, val, &klen)))
		goto out;
	len = MIN(len, klen);
	if (copy_to_user(t, uoptval, val, (size_t)len) ||
	    copy_to_user(t, uoptlen, &len, sizeof(len)))
		ret = -LINUX_EFAULT;
out:
	fput(f);
	return ret;
}

long sys_setsockopt(struct task *t, int fd, int level, int optname, u64 uoptval, int optlen)
{
	struct file *f = sockfd_lookup(t, fd);
	int val;
	long ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	ret = -LINUX_EOPNOTSUPP;
	if (level != LINUX_SOL_SOCKET)
		goto out;
	ret = -LINUX_EINVAL;
	if (optlen < (int)sizeof(int))
		goto out;
	ret = -LINUX_EFAULT;
	if (copy_from_user(t, &val, uoptval, sizeof(val)))
		goto out;
	ret = unix_setsockopt(f, optname, &val, optlen);
out:
	fput(f);
	return ret;
}

/* getsockname and getpeername: an unnamed AF_UNIX address, just its family (length 2). */
static long get_name(struct task *t, int fd, u64 uaddr, u64 ulen, bool peer)
{
	struct linux_sockaddr_unnamed a = { LINUX_AF_UNIX };
	struct file *f = sockfd_lookup(t, fd);
	int len, klen = sizeof(a);
	long ret;

	if (IS_ERR(f))
		return PTR_ERR(f);
	if ((ret = unix_getname(f, peer)))
		goto out;
	ret = -LINUX_EFAULT;
	if (copy_from_user(t, &len, ulen, sizeof(len)))
		goto out;
	ret = -LINUX_EINVAL;
	if (len < 0)
		goto out;
	ret = 0;
	if ((len && copy_to_user(t, uaddr, &a, (size_t)MIN(len, klen))) ||
	    copy_to_user(t, ulen, &klen, sizeof(klen)))
		ret = -LINUX_EFAULT;
out:
	fput(f);
	return ret;
}

long sys_getsockname(struct task *t, int fd, u64 uusockaddr, u64 uusockaddr_len)
{
	return get_name(t, fd, uusockaddr, uusockaddr_len, false);
}

long sys_getpeername(struct task *t, int fd, u64 uusockaddr, u64 uusockaddr_len)
{
	return get_name(t, fd, uusockaddr, uusockaddr_len, true);
}
