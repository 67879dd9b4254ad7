/*
 * Sockets as strace prints them: families, types, protocols, message flags,
 * and socket addresses (AF_UNIX, AF_INET, AF_INET6, AF_NETLINK).
 */
#include <arpa/inet.h>
#include <string.h>
#include "trace_internal.h"

#define LINUX_AF_UNIX 1
#define LINUX_AF_INET 2
#define LINUX_AF_INET6 10
#define LINUX_AF_NETLINK 16

static const struct xlat families[] = {
	{ 0, "AF_UNSPEC" }, { LINUX_AF_UNIX, "AF_UNIX" }, { LINUX_AF_INET, "AF_INET" },
	{ 4, "AF_IPX" }, { 5, "AF_APPLETALK" }, { LINUX_AF_INET6, "AF_INET6" },
	{ LINUX_AF_NETLINK, "AF_NETLINK" }, { 17, "AF_PACKET" }, { 38, "AF_ALG" },
	{ 40, "AF_VSOCK" },
};
static const struct xlat_table xt_families = XLAT_TABLE(families, "AF_???");

static const struct xlat sock_types[] = {
	{ 1, "SOCK_STREAM" }, { 2, "SOCK_DGRAM" }, { 3, "SOCK_RAW" }, { 4, "SOCK_RDM" },
	{ 5, "SOCK_SEQPACKET" }, { 6, "SOCK_DCCP" }, { 10, "SOCK_PACKET" },
};
static const struct xlat_table xt_sock_types = XLAT_TABLE(sock_types, "SOCK_???");

static const struct xlat sock_flags[] = {
	{ 02000000, "SOCK_CLOEXEC" }, { 04000, "SOCK_NONBLOCK" },
};
static const struct xlat_table xt_sock_flags = XLAT_TABLE(sock_flags, "SOCK_???");

static const struct xlat ip_protos[] = {
	{ 0, "IPPROTO_IP" }, { 1, "IPPROTO_ICMP" }, { 6, "IPPROTO_TCP" }, { 17, "IPPROTO_UDP" },
	{ 41, "IPPROTO_IPV6" }, { 58, "IPPROTO_ICMPV6" }, { 132, "IPPROTO_SCTP" },
	{ 255, "IPPROTO_RAW" },
};
static const struct xlat_table xt_ip_protos = XLAT_TABLE(ip_protos, "IPPROTO_???");

static const struct xlat netlink_protos[] = {
	{ 0, "NETLINK_ROUTE" }, { 4, "NETLINK_SOCK_DIAG" }, { 9, "NETLINK_AUDIT" },
	{ 15, "NETLINK_KOBJECT_UEVENT" }, { 16, "NETLINK_GENERIC" },
};
static const struct xlat_table xt_netlink_protos = XLAT_TABLE(netlink_protos, "NETLINK_???");

static const struct xlat msg_flags[] = {
	{ 0x1, "MSG_OOB" }, { 0x2, "MSG_PEEK" }, { 0x4, "MSG_DONTROUTE" }, { 0x8, "MSG_CTRUNC" },
	{ 0x10, "MSG_PROXY" }, { 0x20, "MSG_TRUNC" }, { 0x40, "MSG_DONTWAIT" },
	{ 0x80, "MSG_EOR" }, { 0x100, "MSG_WAITALL" }, { 0x200, "MSG_FIN" },
	{ 0x400, "MSG_SYN" }, { 0x800, "MSG_CONFIRM" }, { 0x1000, "MSG_RST" },
	{ 0x2000, "MSG_ERRQUEUE" }, { 0x4000, "MSG_NOSIGNAL" }, { 0x8000, "MSG_MORE" },
	{ 0x10000, "MSG_WAITFORONE" }, { 0x40000, "MSG_BATCH" }, { 0x4000000, "MSG_ZEROCOPY" },
	{ 0x20000000, "MSG_FASTOPEN" }, { 0x40000000, "MSG_CMSG_CLOEXEC" },
};
static const struct xlat_table xt_msg_flags = XLAT_TABLE(msg_flags, "MSG_???");

static const struct xlat fadvice[] = {
	{ 0, "POSIX_FADV_NORMAL" }, { 1, "POSIX_FADV_RANDOM" }, { 2, "POSIX_FADV_SEQUENTIAL" },
	{ 3, "POSIX_FADV_WILLNEED" }, { 4, "POSIX_FADV_DONTNEED" }, { 5, "POSIX_FADV_NOREUSE" },
};
static const struct xlat_table xt_fadvice = XLAT_TABLE(fadvice, "POSIX_FADV_???");

bool fmt_sockfamily(struct targ *c, u64 v)
{
	print_xval(c->b, &xt_families, (u32)v);
	return true;
}

/* SOCK_STREAM|SOCK_CLOEXEC: the type, then the flags; all of it in hex if the type is unknown. */
bool fmt_socktype(struct targ *c, u64 v)
{
	u32 type = (u32)v & 0xf, flags = (u32)v & ~0xfu;
	const char *name = xlat_name(&xt_sock_types, type);

	if (!name) {
		print_xval(c->b, &xt_sock_types, (u32)v);
		return true;
	}
	tb_puts(c->b, name);
	if (flags) {
		tb_putc(c->b, '|');
		print_flags_bare(c->b, &xt_sock_flags, flags);
	}
	return true;
}

/* The protocol's name depends on the family, two arguments before it. */
bool fmt_sockproto(struct targ *c, u64 v)
{
	u8 i = c->call->idx[c->slot];
	int family = i >= 2 ? (int)c->a[i - 2] : -1;

	if (family == LINUX_AF_INET || family == LINUX_AF_INET6)
		print_xval(c->b, &xt_ip_protos, (u32)v);
	else if (family == LINUX_AF_NETLINK)
		print_xval(c->b, &xt_netlink_protos, (u32)v);
	else
		tb_printf(c->b, "%d", (int)v);
	return true;
}

static const struct xlat shut_hows[] = {
	{ 0, "SHUT_RD" }, { 1, "SHUT_WR" }, { 2, "SHUT_RDWR" },
};
static const struct xlat_table xt_shut_hows = XLAT_TABLE(shut_hows, "SHUT_???");

#define LINUX_SOL_SOCKET 1
static const struct xlat sol_levels[] = {
	{ 0, "SOL_IP" }, { LINUX_SOL_SOCKET, "SOL_SOCKET" }, { 6, "SOL_TCP" }, { 17, "SOL_UDP" },
	{ 41, "SOL_IPV6" }, { 58, "SOL_ICMPV6" }, { 255, "SOL_RAW" },
};
static const struct xlat_table xt_sol_levels = XLAT_TABLE(sol_levels, "SOL_???");

static const struct xlat so_names[] = {
	{ 1, "SO_DEBUG" }, { 2, "SO_REUSEADDR" }, { 3, "SO_TYPE" }, { 4, "SO_ERROR" },
	{ 5, "SO_DONTROUTE" }, { 6, "SO_BROADCAST" }, { 7, "SO_SNDBUF" }, { 8, "SO_RCVBUF" },
	{ 9, "SO_KEEPALIVE" }, { 10, "SO_OOBINLINE" }, { 11, "SO_NO_CHECK" },
	{ 12, "SO_PRIORITY" }, { 13, "SO_LINGER" }, { 14, "SO_BSDCOMPAT" },
	{ 15, "SO_REUSEPORT" }, { 16, "SO_PASSCRED" }, { 17, "SO_PEERCRED" },
	{ 18, "SO_RCVLOWAT" }, { 19, "SO_SNDLOWAT" }, { 20, "SO_RCVTIMEO_OLD" },
	{ 21, "SO_SNDTIMEO_OLD" }, { 28, "SO_PEERNAME" }, { 29, "SO_TIMESTAMP_OLD" },
	{ 30, "SO_ACCEPTCONN" }, { 31, "SO_PEERSEC" }, { 32, "SO_SNDBUFFORCE" },
	{ 33, "SO_RCVBUFFORCE" }, { 34, "SO_PASSSEC" }, { 38, "SO_PROTOCOL" },
	{ 39, "SO_DOMAIN" },
};
static const struct xlat_table xt_so_names = XLAT_TABLE(so_names, "SO_???");

bool fmt_shuthow(struct targ *c, u64 v)
{
	print_xval(c->b, &xt_shut_hows, (u32)v);
	return true;
}

bool fmt_sockoptlevel(struct targ *c, u64 v)
{
	print_xval(c->b, &xt_sol_levels, (u32)v);
	return true;
}

/* SO_* names at level SOL_SOCKET, the argument before; a number at other levels. */
bool fmt_sockoptname(struct targ *c, u64 v)
{
	u8 i = c->call->idx[c->slot];

	if (i >= 1 && (int)c->a[i - 1] == LINUX_SOL_SOCKET)
		print_xval(c->b, &xt_so_names, (u32)v);
	else
		tb_printf(c->b, "%d", (int)v);
	return true;
}

bool fmt_msgflags(struct targ *c, u64 v)
{
	print_flags(c->b, &xt_msg_flags, (u32)v);
	return true;
}

bool fmt_fadvice(struct targ *c, u64 v)
{
	print_xval(c->b, &xt_fadvice, (u32)v);
	return true;
}

static void print_sockaddr_unix(struct tbuf *b, const u8 *sa, size_t len)
{
	const u8 *path = sa + 2;
	size_t n = len > 2 ? len - 2 : 0;

	tb_puts(b, ", sun_path=");
	if (n && path[0] == '\0') {
		tb_putc(b, '@'); /* an abstract name: all n - 1 bytes count */
		tb_quote(b, path + 1, n - 1, 0);
	} else {
		tb_quote(b, path, n, QUOTE_NUL_TERM);
	}
}

static void print_sockaddr_inet(struct tbuf *b, const u8 *sa)
{
	char text[INET_ADDRSTRLEN];
	u16 port;

	memcpy(&port, sa + 2, sizeof(port));
	inet_ntop(AF_INET, sa + 4, text, sizeof(text));
	tb_printf(b, ", sin_port=htons(%u), sin_addr=inet_addr(\"%s\")", ntohs(port), text);
}

static void print_sockaddr_inet6(struct tbuf *b, const u8 *sa)
{
	char text[INET6_ADDRSTRLEN];
	u32 flow, scope;
	u16 port;

	memcpy(&port, sa + 2, sizeof(port));
	memcpy(&flow, sa + 4, sizeof(flow));
	memcpy(&scope, sa + 24, sizeof(scope));
	inet_ntop(AF_INET6, sa + 8, text, sizeof(text));
	tb_printf(b, ", sin6_port=htons(%u), sin6_flowinfo=htonl(%u), ", ntohs(port), ntohl(flow));
	tb_printf(b, "inet_pton(AF_INET6, \"%s\", &sin6_addr), sin6_scope_id=%u", text, scope);
}

static void print_sockaddr_netlink(struct tbuf *b, const u8 *sa)
{
	u32 pid, groups;

	memcpy(&pid, sa + 4, sizeof(pid));
	memcpy(&groups, sa + 8, sizeof(groups));
	tb_printf(b, ", nl_pid=%u, nl_groups=%08x", pid, groups);
}

/* A socket address of the length in the next argument. */
bool fmt_sockaddr(struct targ *c, u64 v)
{
	u8 sa[128] = { 0 };
	size_t len = (size_t)MIN(targ_next_reg(c) & 0xffffffff, (u64)sizeof(sa));
	u16 family;

	if (len < 2 || !trace_read(c, sa, v, len)) {
		if (len < 2)
			tb_addr(c->b, v);
		return true;
	}
	memcpy(&family, sa, sizeof(family));
	tb_puts(c->b, "{sa_family=");
	print_xval(c->b, &xt_families, family);
	if (family == LINUX_AF_UNIX)
		print_sockaddr_unix(c->b, sa, len);
	else if (family == LINUX_AF_INET && len >= 16)
		print_sockaddr_inet(c->b, sa);
	else if (family == LINUX_AF_INET6 && len >= 28)
		print_sockaddr_inet6(c->b, sa);
	else if (family == LINUX_AF_NETLINK && len >= 12)
		print_sockaddr_netlink(c->b, sa);
	tb_putc(c->b, '}');
	return true;
}
