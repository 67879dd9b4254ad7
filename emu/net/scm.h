/* Control messages of sendmsg and recvmsg (scm.c): SCM_RIGHTS, SCM_CREDENTIALS. */
#ifndef LXEMU_SCM_H
#define LXEMU_SCM_H

#include "af_unix.h"

struct scm_files {
	struct file **fps; /* malloc'ed references */
	int nfp;
};

/*
 * Parses a sendmsg's control buffer (len bytes, in the kernel): SCM_RIGHTS
 * descriptors become references in s.  -EINVAL for a malformed header, an
 * unknown SOL_SOCKET type or more than SCM_MAX_FD files; -EBADF for a bad
 * descriptor; nothing is held on error.
 */
long scm_send(struct task *t, const u8 *ctl, u64 len, struct scm_files *s);
/*
 * Installs r's files at the lowest free descriptors, as many as the guest
 * control buffer [uctl, uctl + ctllen) holds, writes their SCM_RIGHTS
 * message there and sets *used to its size; the rest are closed and
 * MSG_CTRUNC is set in *msg_flags.  Consumes r's references.
 */
long scm_detach_fds(struct task *t, u64 uctl, u64 ctllen, struct unix_recv *r, u32 flags,
		    u64 *used, u32 *msg_flags);

#endif
