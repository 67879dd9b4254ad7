/*
 * mremap and madvise.  A mapping grows in place when the pages after it are
 * free, otherwise moves (MREMAP_MAYMOVE/MREMAP_FIXED); its host memory
 * follows through the host's own mremap, so contents are never copied.
 */
#include <string.h>
#include <sys/mman.h>
#include "mm.h"
#include "../kernel/task.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/mman.h"

/* Resizes the host memory of v (exactly [addr, addr+old_len)) to new_len. */
static u8 *host_resize(struct vm_area_struct *v, u64 old_len, u64 new_len)
{
	void *p = mremap(v->host, old_len, new_len, MREMAP_MAYMOVE);

	return p == MAP_FAILED ? NULL : p;
}

/* Moves or grows the VMA at addr (split to exactly old_len) to new_addr/new_len. */
static long remap_vma_locked(struct mm_struct *mm, u64 addr, u64 old_len, u64 new_addr,
			     u64 new_len)
{
	struct vm_area_struct *v = vma_lookup_locked(mm, addr), copy, *nv;
	u8 *host;

	if (!(v->vm_flags & VM_HOST_OWNED) || (v->vm_flags & VM_SHARED))
		return -LINUX_EINVAL; /* heap reservations and shared files stay put */
	host = host_resize(v, old_len, new_len);
	if (!host)
		return -LINUX_ENOMEM;
	copy = *v;
	copy.path = v->path ? strdup(v->path) : NULL;
	copy.vm_start = new_addr;
	copy.vm_end = new_addr + new_len;
	copy.host = host;
	v->host = NULL; /* the host memory now belongs to the new VMA */
	mm_unmap_locked(mm, addr, addr + old_len);
	mm_unmap_locked(mm, new_addr, new_addr + new_len);
	nv = vma_insert_locked(mm, &copy);
	if (IS_ERR(nv)) {
		munmap(host, new_len);
		return PTR_ERR(nv);
	}
	vma_merge_range_locked(mm, new_addr, new_addr + new_len);
	return (long)new_addr;
}

static long mremap_locked(struct mm_struct *mm, u64 addr, u64 old_len, u64 new_len, u32 flags,
			  u64 new_addr)
{
	struct vm_area_struct *v = vma_lookup_locked(mm, addr), *next;

	if (!v || addr + old_len > v->vm_end)
		return -LINUX_EFAULT;
	if (!(flags & LINUX_MREMAP_FIXED) && new_len <= old_len) {
		if (new_len < old_len)
			mm_unmap_locked(mm, addr + new_len, addr + old_len);
		return (long)addr;
	}
	/* Split off exactly [addr, addr + old_len) so it can move or grow on its own. */
	if (vma_split_range_locked(mm, addr, addr + old_len))
		return -LINUX_ENOMEM;
	if (!(flags & LINUX_MREMAP_FIXED)) {
		next = find_vma_locked(mm, addr + old_len);
		if (addr + new_len <= TASK_SIZE && (!next || next->vm_start >= addr + new_len))
			return remap_vma_locked(mm, addr, old_len, addr, new_len);
		if (!(flags & LINUX_MREMAP_MAYMOVE))
			return -LINUX_ENOMEM;
		new_addr = get_unmapped_area_locked(mm, 0, new_len);
		if (!new_addr)
			return -LINUX_ENOMEM;
	}
	return remap_vma_locked(mm, addr, old_len, new_addr, new_len);
}

long do_mremap(struct task *t, u64 addr, u64 old_len, u64 new_len, u32 flags, u64 new_addr)
{
	struct mm_struct *mm = t->mm;
	long ret;

	if ((addr & ~PAGE_MASK) || (flags & ~(LINUX_MREMAP_MAYMOVE | LINUX_MREMAP_FIXED)))
		return -LINUX_EINVAL;
	if ((flags & LINUX_MREMAP_FIXED) && !(flags & LINUX_MREMAP_MAYMOVE))
		return -LINUX_EINVAL;
	old_len = PAGE_ALIGN(old_len);
	new_len = PAGE_ALIGN(new_len);
	if (!new_len || !old_len)
		return -LINUX_EINVAL;
	if (flags & LINUX_MREMAP_FIXED) {
		if ((new_addr & ~PAGE_MASK) || new_addr + new_len > TASK_SIZE)
			return -LINUX_EINVAL;
		if (new_addr < addr + old_len && addr < new_addr + new_len)
			return -LINUX_EINVAL;
	}
	mmap_lock(mm);
	ret = mremap_locked(mm, addr, old_len, new_len, flags, new_addr);
	mmap_unlock(mm);
	mm_sync_engines(t, addr, addr + MAX(old_len, new_len));
	if (ret >= 0 && (u64)ret != addr)
		mm_sync_engines(t, ret, ret + new_len);
	return ret;
}

long do_madvise(struct task *t, u64 addr, u64 len, int advice)
{
	struct mm_struct *mm = t->mm;
	u64 end;

	if (addr & ~PAGE_MASK)
		return -LINUX_EINVAL;
	end = addr + PAGE_ALIGN(len);
	if (end < addr)
		return -LINUX_EINVAL;
	if (advice != LINUX_MADV_DONTNEED && advice != LINUX_MADV_FREE)
		return 0; /* hints lxemu has no use for */
	mmap_lock(mm);
	for (u64 a = addr; a < end;) {
		struct vm_area_struct *v = vma_lookup_locked(mm, a);
		if (!v) {
			mmap_unlock(mm);
			return -LINUX_ENOMEM;
		}
		u64 e = MIN(end, v->vm_end);
		/* Private anonymous pages read back as zeroes, as on Linux. */
		if (!(v->vm_flags & VM_SHARED) && !v->path)
			madvise(v->host + (a - v->vm_start), e - a, MADV_DONTNEED);
		a = e;
	}
	mmap_unlock(mm);
	return 0;
}
