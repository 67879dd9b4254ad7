/*
 * Translation at the host boundary: host errno values and open flags to and
 * from the guest ABI.  Done once, where the host call is made.
 */
#include <errno.h>
#include <fcntl.h>
#include "file.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"

long host_errno_to_linux(int e)
{
	switch (e) {
#define HOST_ERRNO_CASE(nr, name, text) case name: return -LINUX_##name;
	LINUX_ERRNO_LIST(HOST_ERRNO_CASE)
#undef HOST_ERRNO_CASE
	default:
		return -LINUX_EIO;
	}
}

static const struct {
	u32 linux_flag;
	int host_flag;
} open_flag_map[] = {
	{ LINUX_O_CREAT, O_CREAT }, { LINUX_O_EXCL, O_EXCL }, { LINUX_O_NOCTTY, O_NOCTTY },
	{ LINUX_O_TRUNC, O_TRUNC }, { LINUX_O_APPEND, O_APPEND }, { LINUX_O_NONBLOCK, O_NONBLOCK },
	{ LINUX_O_DSYNC, O_DSYNC }, { LINUX_O_ASYNC, O_ASYNC }, { LINUX_O_DIRECT, O_DIRECT },
	{ LINUX_O_LARGEFILE, O_LARGEFILE }, { LINUX_O_DIRECTORY, O_DIRECTORY },
	{ LINUX_O_NOFOLLOW, O_NOFOLLOW }, { LINUX_O_NOATIME, O_NOATIME },
	{ LINUX_O_CLOEXEC, O_CLOEXEC }, { LINUX_O_SYNC, O_SYNC }, { LINUX_O_PATH, O_PATH },
	{ LINUX_O_TMPFILE, O_TMPFILE },
};

int linux_open_flags_to_host(u32 flags)
{
	int host = 0;

	switch (flags & LINUX_O_ACCMODE) {
	case LINUX_O_WRONLY: host = O_WRONLY; break;
	case LINUX_O_RDWR: host = O_RDWR; break;
	case LINUX_O_ACCMODE: host = O_ACCMODE; break;
	default: host = O_RDONLY; break;
	}
	for (size_t i = 0; i < ARRAY_SIZE(open_flag_map); i++)
		if ((flags & open_flag_map[i].linux_flag) == open_flag_map[i].linux_flag)
			host |= open_flag_map[i].host_flag;
	return host;
}

u32 host_open_flags_to_linux(int flags)
{
	u32 lin = 0;

	switch (flags & O_ACCMODE) {
	case O_WRONLY: lin = LINUX_O_WRONLY; break;
	case O_RDWR: lin = LINUX_O_RDWR; break;
	default: lin = LINUX_O_RDONLY; break;
	}
	for (size_t i = 0; i < ARRAY_SIZE(open_flag_map); i++)
		if ((flags & open_flag_map[i].host_flag) == open_flag_map[i].host_flag)
			lin |= open_flag_map[i].linux_flag;
	return lin;
}
