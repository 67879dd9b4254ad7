/*
 * The one entry from the syscall hook into the kernel: look the call up in
 * the generated table, trace it, run its handler or answer -ENOSYS.
 */
#include "syscall.h"
#include "../../abi/linux/mman.h"
#include "../kernel/task.h"
#include "../trace/trace.h"
#include "../trace/syscall_desc.h"
#include "../../abi/linux/errno.h"
#include "syscall_nr.h"

long syscall_dispatch(struct task *t, u64 nr, u64 *a)
{
	const struct syscall_desc *d = nr < syscall_table_size ? &syscall_table[nr] : NULL;
	long ret;

	if (trace_on)
		trace_syscall_enter(t, nr, a);
	ret = d && d->fn ? d->fn(t, a) : -LINUX_ENOSYS;
	if (trace_on)
		trace_syscall_exit(t, nr, a, ret);
	return ret;
}

enum mm_change syscall_changes_mm(u64 nr, const u64 *a)
{
	switch (nr) {
	case LINUX_NR_mmap:
		/* A new mapping takes nothing away: the others fault it in when they need it. */
		return (a[3] & LINUX_MAP_FIXED) ? MM_SHRINKS : MM_GROWS;
	case LINUX_NR_munmap: case LINUX_NR_mprotect: case LINUX_NR_mremap:
	case LINUX_NR_brk: case LINUX_NR_madvise:
	/* Creating an engine must not race with another engine running (uc_open). */
	case LINUX_NR_clone: case LINUX_NR_clone3: case LINUX_NR_fork: case LINUX_NR_vfork:
		return MM_SHRINKS;
	default:
		return MM_NONE;
	}
}
