/* Sockets: families, types, message flags, socket options and the x86-64 layouts of msghdr, cmsghdr, ucred. */
#ifndef LXEMU_ABI_LINUX_SOCKET_H
#define LXEMU_ABI_LINUX_SOCKET_H

#include "../../emu/types.h"

#define LINUX_AF_UNSPEC 0
#define LINUX_AF_UNIX 1
#define LINUX_AF_INET 2
#define LINUX_AF_INET6 10
#define LINUX_AF_NETLINK 16
#define LINUX_AF_MAX 46

#define LINUX_SOCK_STREAM 1
#define LINUX_SOCK_DGRAM 2
#define LINUX_SOCK_RAW 3
#define LINUX_SOCK_SEQPACKET 5
#define LINUX_SOCK_MAX 11
#define LINUX_SOCK_TYPE_MASK 0xf
#define LINUX_SOCK_CLOEXEC 02000000
#define LINUX_SOCK_NONBLOCK 04000

#define LINUX_SHUT_RD 0
#define LINUX_SHUT_WR 1
#define LINUX_SHUT_RDWR 2

#define LINUX_MSG_OOB 0x1
#define LINUX_MSG_PEEK 0x2
#define LINUX_MSG_CTRUNC 0x8
#define LINUX_MSG_TRUNC 0x20
#define LINUX_MSG_DONTWAIT 0x40
#define LINUX_MSG_EOR 0x80
#define LINUX_MSG_WAITALL 0x100
#define LINUX_MSG_NOSIGNAL 0x4000
#define LINUX_MSG_CMSG_CLOEXEC 0x40000000

#define LINUX_SOL_SOCKET 1
#define LINUX_SO_REUSEADDR 2
#define LINUX_SO_TYPE 3
#define LINUX_SO_ERROR 4
#define LINUX_SO_SNDBUF 7
#define LINUX_SO_RCVBUF 8
#define LINUX_SO_KEEPALIVE 9
#define LINUX_SO_PASSCRED 16
#define LINUX_SO_PEERCRED 17
#define LINUX_SO_RCVLOWAT 18
#define LINUX_SO_SNDLOWAT 19
#define LINUX_SO_ACCEPTCONN 30
#define LINUX_SO_SNDBUFFORCE 32
#define LINUX_SO_RCVBUFFORCE 33
#define LINUX_SO_PROTOCOL 38
#define LINUX_SO_DOMAIN 39

#define LINUX_SCM_RIGHTS 1
#define LINUX_SCM_CREDENTIALS 2
#define LINUX_SCM_MAX_FD 253

struct linux_msghdr {
	u64 msg_name;
	u32 msg_namelen;
	u32 pad0;
	u64 msg_iov;
	u64 msg_iovlen;
	u64 msg_control;
	u64 msg_controllen;
	s32 msg_flags;
	u32 pad1;
};

struct linux_cmsghdr {
	u64 cmsg_len;
	s32 cmsg_level;
	s32 cmsg_type;
};

#define LINUX_CMSG_ALIGN(len) (((len) + 7) & ~(u64)7)
#define LINUX_CMSG_LEN(len) (sizeof(struct linux_cmsghdr) + (len))
#define LINUX_CMSG_SPACE(len) (sizeof(struct linux_cmsghdr) + LINUX_CMSG_ALIGN(len))

struct linux_ucred {
	s32 pid;
	u32 uid;
	u32 gid;
};

/* struct sockaddr_un's family: an unnamed AF_UNIX socket's whole address. */
struct linux_sockaddr_unnamed {
	u16 sun_family;
};

#endif
