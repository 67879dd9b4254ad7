/* Memory calls: mmap, munmap, mprotect, brk; the work is in mm/. */
#include "syscall_handlers.h"
#include "../kernel/task.h"
#include "../mm/mm.h"

long sys_mmap(struct task *t, u64 addr, u64 len, u64 prot, u64 flags, int fd, s64 off)
{
	return do_mmap(t, addr, len, (u32)prot, (u32)flags, fd, off);
}

long sys_munmap(struct task *t, u64 addr, u64 len)
{
	return do_munmap(t, addr, len);
}

long sys_mprotect(struct task *t, u64 addr, u64 len, u64 prot)
{
	return do_mprotect(t, addr, len, (u32)prot);
}

long sys_brk(struct task *t, u64 brk)
{
	return (long)do_brk(t, brk);
}

long sys_mremap(struct task *t, u64 addr, u64 old_len, u64 new_len, u64 flags, u64 unew_addr)
{
	return do_mremap(t, addr, old_len, new_len, (u32)flags, unew_addr);
}

long sys_madvise(struct task *t, u64 start, u64 len, int behavior)
{
	return do_madvise(t, start, len, behavior);
}

long sys_msync(struct task *t, u64 start, u64 len, int flags)
{
	return do_msync(t, start, len, flags);
}

long sys_mincore(struct task *t, u64 start, u64 len, u64 uvec)
{
	return do_mincore(t, start, len, uvec);
}
