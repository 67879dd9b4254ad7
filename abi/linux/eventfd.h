/* eventfd2's flags (include/uapi/linux/eventfd.h). */
#ifndef LXEMU_ABI_LINUX_EVENTFD_H
#define LXEMU_ABI_LINUX_EVENTFD_H

#include "fcntl.h"

#define LINUX_EFD_SEMAPHORE 1
#define LINUX_EFD_CLOEXEC LINUX_O_CLOEXEC
#define LINUX_EFD_NONBLOCK LINUX_O_NONBLOCK

#endif
