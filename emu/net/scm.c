/*
 * Control messages (Linux's scm): a sendmsg's SCM_RIGHTS become file
 * references that travel with the message; a recvmsg turns the references
 * it got into new descriptors written into its control buffer.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "scm.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"

static void put_all(struct file **fps, int nfp)
{
	for (int i = 0; i < nfp; i++)
		fput(fps[i]);
	free(fps);
}

/* SCM_CREDENTIALS a sender may claim: its own (root could claim others; lxemu does not). */
static long check_creds(struct task *t, const u8 *data)
{
	struct linux_ucred c;

	memcpy(&c, data, sizeof(c));
	if (c.pid != task_tgid(t) || c.uid != (u32)geteuid() || c.gid != (u32)getegid())
		return -LINUX_EPERM;
	return 0;
}

static long add_rights(struct task *t, const u8 *data, u64 n, struct scm_files *s)
{
	struct file **grown;

	if (!n)
		return 0;
	if ((u64)s->nfp + n > LINUX_SCM_MAX_FD)
		return -LINUX_EINVAL;
	grown = realloc(s->fps, sizeof(*grown) * (s->nfp + n));
	if (!grown)
		return -LINUX_ENOMEM;
	s->fps = grown;
	for (u64 i = 0; i < n; i++) {
		int fd;
		memcpy(&fd, data + 4 * i, sizeof(fd));
		struct file *f = fget(t, fd);
		if (!f)
			return -LINUX_EBADF;
		s->fps[s->nfp++] = f;
	}
	return 0;
}

long scm_send(struct task *t, const u8 *ctl, u64 len, struct scm_files *s)
{
	const u64 hdr = sizeof(struct linux_cmsghdr);
	long err = 0;

	s->fps = NULL;
	s->nfp = 0;
	for (u64 off = 0; off + hdr <= len && !err;) {
		struct linux_cmsghdr c;
		memcpy(&c, ctl + off, hdr);
		if (c.cmsg_len < hdr || c.cmsg_len > len - off) {
			err = -LINUX_EINVAL;
			break;
		}
		const u8 *data = ctl + off + hdr;
		if (c.cmsg_level == LINUX_SOL_SOCKET) {
			if (c.cmsg_type == LINUX_SCM_RIGHTS)
				err = add_rights(t, data, (c.cmsg_len - hdr) / 4, s);
			else if (c.cmsg_type == LINUX_SCM_CREDENTIALS)
				err = c.cmsg_len != LINUX_CMSG_LEN(sizeof(struct linux_ucred))
					      ? -LINUX_EINVAL : check_creds(t, data);
			else
				err = -LINUX_EINVAL;
		}
		off += LINUX_CMSG_ALIGN(c.cmsg_len);
	}
	if (err) {
		put_all(s->fps, s->nfp);
		s->fps = NULL;
		s->nfp = 0;
	}
	return err;
}

long scm_detach_fds(struct task *t, u64 uctl, u64 ctllen, struct unix_recv *r, u32 flags,
		    u64 *used, u32 *msg_flags)
{
	const u64 hdr = sizeof(struct linux_cmsghdr);
	u64 fdmax = ctllen > hdr ? (ctllen - hdr) / 4 : 0;
	int n = 0, *fds;

	*used = 0;
	if (!r->nfp)
		return 0;
	fds = malloc(sizeof(int) * r->nfp);
	if (!fds) {
		unix_recv_release(r);
		*msg_flags |= LINUX_MSG_CTRUNC;
		return 0;
	}
	for (; n < r->nfp && (u64)n < fdmax; n++) {
		int fd = fd_install_lowest(t, r->fps[n], 0, flags & LINUX_MSG_CMSG_CLOEXEC);
		if (fd < 0)
			break;
		fds[n] = fd;
	}
	/* The rest do not fit (or no descriptor is free): they are closed. */
	for (int i = n; i < r->nfp; i++)
		fput(r->fps[i]);
	if (n < r->nfp)
		*msg_flags |= LINUX_MSG_CTRUNC;
	free(r->fps);
	r->fps = NULL;
	r->nfp = 0;
	if (n) {
		struct linux_cmsghdr c = { LINUX_CMSG_LEN(4 * (u64)n), LINUX_SOL_SOCKET, LINUX_SCM_RIGHTS };
		if (copy_to_user(t, uctl, &c, hdr) || copy_to_user(t, uctl + hdr, fds, 4 * (u64)n)) {
			for (int i = 0; i < n; i++)
				close_fd(t, fds[i]);
			free(fds);
			return -LINUX_EFAULT;
		}
		*used = MIN(LINUX_CMSG_SPACE(4 * (u64)n), ctllen);
	}
	free(fds);
	return 0;
}
