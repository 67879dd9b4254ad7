/* poll's event bits (include/uapi/asm-generic/poll.h). */
#ifndef LXEMU_ABI_LINUX_POLL_H
#define LXEMU_ABI_LINUX_POLL_H

#define LINUX_POLLIN 0x001
#define LINUX_POLLPRI 0x002
#define LINUX_POLLOUT 0x004
#define LINUX_POLLERR 0x008
#define LINUX_POLLHUP 0x010
#define LINUX_POLLRDNORM 0x040
#define LINUX_POLLWRNORM 0x100
#define LINUX_POLLWRBAND 0x200
#define LINUX_POLLRDHUP 0x2000

#endif
