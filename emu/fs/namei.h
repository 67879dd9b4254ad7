/* Helpers for handlers that run one host *at() call on a resolved guest path. */
#ifndef LXEMU_NAMEI_H
#define LXEMU_NAMEI_H

#include <errno.h>
#include "file.h"
#include "../mm/uaccess.h"

/*
 * Copies the guest path upath in, resolves it against dirfd and evaluates
 * expr with p set; expr is a host call returning < 0 with errno on failure.
 * Yields 0 / the call's value or a negative LINUX_E* value.
 */
#define WITH_PATH(t, dirfd, upath, at_flags, p, expr)                          \
	({                                                                     \
		char path_[LINUX_PATH_MAX];                                    \
		long r_ = getname((t), path_, (upath));                        \
		if (r_ >= 0)                                                   \
			r_ = path_lookup((t), (dirfd), path_, (at_flags), &(p)); \
		if (r_ >= 0) {                                                 \
			r_ = (expr);                                           \
			r_ = r_ < 0 ? host_errno_to_linux(errno) : r_;         \
			path_release(&(p));                                    \
		}                                                              \
		r_;                                                            \
	})

#endif
