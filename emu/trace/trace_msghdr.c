/*
 * sendmsg's and recvmsg's struct msghdr as strace prints it: the name's
 * address, the iovecs with their bytes (recvmsg's: the return value's
 * worth), the control messages (SCM_RIGHTS descriptors, SCM_CREDENTIALS),
 * and msg_flags.
 */
#include "trace_internal.h"
#include "../../abi/linux/misc.h"
#include "../../abi/linux/socket.h"

#define CMSG_MAX_SHOWN 16 /* control messages printed before "..." */

static void print_iovs(struct targ *c, u64 uiov, u64 count, bool out)
{
	u64 left = out && c->ret > 0 ? (u64)c->ret : 0;
	struct linux_iovec iov;

	tb_putc(c->b, '[');
	for (u64 i = 0; i < count; i++) {
		if (i)
			tb_puts(c->b, ", ");
		if (i >= TRACE_STRSIZE) {
			tb_puts(c->b, "...");
			break;
		}
		if (!trace_read(c, &iov, uiov + i * sizeof(iov), sizeof(iov)))
			break;
		u64 n = out ? MIN(left, iov.iov_len) : iov.iov_len;
		tb_puts(c->b, "{iov_base=");
		trace_print_buf(c, iov.iov_base, n, 0);
		left -= out ? n : 0;
		tb_printf(c->b, ", iov_len=%llu}", (unsigned long long)iov.iov_len);
	}
	tb_putc(c->b, ']');
}

static void print_cmsg_data(struct targ *c, const struct linux_cmsghdr *h, u64 udata)
{
	u64 len = h->cmsg_len - sizeof(*h);

	if (h->cmsg_level != LINUX_SOL_SOCKET)
		return;
	if (h->cmsg_type == LINUX_SCM_RIGHTS) {
		tb_puts(c->b, ", cmsg_type=SCM_RIGHTS, cmsg_data=[");
		for (u64 i = 0; i < len / 4; i++) {
			int fd;
			if (i >= TRACE_STRSIZE) {
				tb_puts(c->b, ", ...");
				break;
			}
			if (!trace_peek(c, &fd, udata + 4 * i, sizeof(fd)))
				break;
			tb_printf(c->b, i ? ", %d" : "%d", fd);
		}
		tb_putc(c->b, ']');
	} else if (h->cmsg_type == LINUX_SCM_CREDENTIALS && len >= sizeof(struct linux_ucred)) {
		struct linux_ucred cr;
		if (trace_peek(c, &cr, udata, sizeof(cr)))
			tb_printf(c->b, ", cmsg_type=SCM_CREDENTIALS, cmsg_data={pid=%d, uid=%u, gid=%u}",
				  cr.pid, cr.uid, cr.gid);
	} else {
		tb_printf(c->b, ", cmsg_type=%#x", (unsigned)h->cmsg_type);
	}
}

static void print_control(struct targ *c, u64 uctl, u64 len)
{
	const u64 hdr = sizeof(struct linux_cmsghdr);
	unsigned shown = 0;

	tb_putc(c->b, '[');
	for (u64 off = 0; off + hdr <= len; shown++) {
		struct linux_cmsghdr h;
		if (shown)
			tb_puts(c->b, ", ");
		if (shown == CMSG_MAX_SHOWN) {
			tb_puts(c->b, "...");
			break;
		}
		if (!trace_peek(c, &h, uctl + off, hdr))
			break;
		tb_printf(c->b, "{cmsg_len=%llu, cmsg_level=", (unsigned long long)h.cmsg_len);
		if (h.cmsg_level == LINUX_SOL_SOCKET)
			tb_puts(c->b, "SOL_SOCKET");
		else
			tb_printf(c->b, "%d", h.cmsg_level);
		if (h.cmsg_len >= hdr && h.cmsg_len <= len - off)
			print_cmsg_data(c, &h, uctl + off + hdr);
		tb_putc(c->b, '}');
		if (h.cmsg_len < hdr)
			break;
		off += LINUX_CMSG_ALIGN(h.cmsg_len);
	}
	tb_putc(c->b, ']');
}

bool fmt_msghdr(struct targ *c, u64 v)
{
	bool out = c->call->kind[c->slot] == ARG_msghdr_out;
	struct linux_msghdr m;

	if (!trace_read(c, &m, v, sizeof(m)))
		return true;
	tb_puts(c->b, "{msg_name=");
	tb_addr(c->b, m.msg_name);
	tb_printf(c->b, ", msg_namelen=%u, msg_iov=", m.msg_namelen);
	print_iovs(c, m.msg_iov, MIN(m.msg_iovlen, (u64)LINUX_UIO_MAXIOV), out);
	tb_printf(c->b, ", msg_iovlen=%llu", (unsigned long long)m.msg_iovlen);
	if (m.msg_controllen) {
		tb_puts(c->b, ", msg_control=");
		print_control(c, m.msg_control, m.msg_controllen);
	}
	tb_printf(c->b, ", msg_controllen=%llu, msg_flags=", (unsigned long long)m.msg_controllen);
	fmt_msgflags(c, (u32)m.msg_flags);
	tb_putc(c->b, '}');
	return true;
}
