/* epoll's ABI (include/uapi/linux/eventpoll.h), x86-64. */
#ifndef LXEMU_ABI_LINUX_EVENTPOLL_H
#define LXEMU_ABI_LINUX_EVENTPOLL_H

#include "../../emu/types.h"

#define LINUX_EPOLL_CLOEXEC 02000000

#define LINUX_EPOLL_CTL_ADD 1
#define LINUX_EPOLL_CTL_DEL 2
#define LINUX_EPOLL_CTL_MOD 3

/* The poll bits keep their values; these are epoll's own. */
#define LINUX_EPOLLIN 0x001u
#define LINUX_EPOLLPRI 0x002u
#define LINUX_EPOLLOUT 0x004u
#define LINUX_EPOLLERR 0x008u
#define LINUX_EPOLLHUP 0x010u
#define LINUX_EPOLLRDNORM 0x040u
#define LINUX_EPOLLRDBAND 0x080u
#define LINUX_EPOLLWRNORM 0x100u
#define LINUX_EPOLLWRBAND 0x200u
#define LINUX_EPOLLMSG 0x400u
#define LINUX_EPOLLRDHUP 0x2000u
#define LINUX_EPOLLEXCLUSIVE (1u << 28)
#define LINUX_EPOLLWAKEUP (1u << 29)
#define LINUX_EPOLLONESHOT (1u << 30)
#define LINUX_EPOLLET (1u << 31)

/* x86-64 packs it: 12 bytes, data at offset 4. */
struct linux_epoll_event {
	u32 events;
	u64 data;
} __attribute__((packed));

#endif
