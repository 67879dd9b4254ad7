/*
 * mremap and madvise.  A mapping grows in place when the pages after it are
 * free, otherwise moves (MREMAP_MAYMOVE/MREMAP_FIXED).  Moving hands the host
 * pages to their new place with the host's own mremap, so contents (and file
 * mappings) move without copying, and refills the old place with plain memory.
 */
#include <string.h>
#include <sys/mman.h>
#include "mm.h"
#include "../kernel/task.h"
#include "../fs/file.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/mman.h"

/* Moves the host pages of [old, old+len) to the host address of new. */
static long host_move(struct mm_struct *mm, u64 old, u64 new, u64 len)
{
	u8 *from = mm_host_locked(mm, old), *to = mm_host_reserve_locked(mm, new);

	if (!from || !to)
		return -LINUX_ENOMEM;
	if (mremap(from, len, len, MREMAP_MAYMOVE | MREMAP_FIXED, to) == MAP_FAILED)
		return -LINUX_ENOMEM;
	mm_host_release_hole(from, len);
	return 0;
}

/* Moves the one VMA [addr, addr+len) to new_addr (the target range is free). */
static long move_vma_locked(struct mm_struct *mm, u64 addr, u64 len, u64 new_addr)
{
	struct vm_area_struct copy = *vma_lookup_locked(mm, addr), *nv;
	long err;

	if ((new_addr >> CHUNK_SHIFT) != ((new_addr + len - 1) >> CHUNK_SHIFT))
		return -LINUX_ENOMEM; /* a VMA may not straddle a chunk */
	if ((err = host_move(mm, addr, new_addr, len)))
		return err;
	copy.vm_start = new_addr;
	copy.vm_end = new_addr + len;
	/* Moved pages keep their own anon_vma on Linux: the area merges with no neighbour. */
	if (!(copy.vm_flags & VM_SHARED))
		copy.vm_flags |= VM_ANONVMA;
	copy.host = mm_host_locked(mm, new_addr);
	copy.path = copy.path ? strdup(copy.path) : NULL;
	if (copy.vm_file)
		get_file(copy.vm_file);
	/* The old VMA's host pages are gone already: remove it without releasing them. */
	vma_lookup_locked(mm, addr)->host = NULL;
	mm_unmap_locked(mm, addr, addr + len);
	nv = vma_insert_locked(mm, &copy);
	if (IS_ERR(nv))
		return PTR_ERR(nv);
	vma_merge_range_locked(mm, new_addr, new_addr + len);
	return (long)new_addr;
}

/* Grows the VMA [addr, addr+old_len) in place to new_len; the pages after it are free. */
static long grow_in_place_locked(struct mm_struct *mm, u64 addr, u64 old_len, u64 new_len)
{
	struct vm_area_struct *v = vma_lookup_locked(mm, addr + old_len - 1);
	u64 end = addr + new_len, grown = addr + old_len;
	long err;

	if ((addr >> CHUNK_SHIFT) != ((end - 1) >> CHUNK_SHIFT))
		return -LINUX_ENOMEM; /* chunk crossings move instead */
	if (v->vm_flags & VM_HOSTMAP) { /* more of the same file, right after */
		err = vma_map_file_pages(v->host + (grown - v->vm_start), end - grown, v->vm_file,
					 v->vm_pgoff * PAGE_SIZE + (grown - v->vm_start),
					 v->vm_flags & VM_SHARED);
		if (err)
			return err;
	}
	v->vm_end = end;
	vma_merge_range_locked(mm, addr, end);
	return (long)addr;
}

static long mremap_locked(struct mm_struct *mm, u64 addr, u64 old_len, u64 new_len, u32 flags,
			  u64 new_addr)
{
	struct vm_area_struct *v = vma_lookup_locked(mm, addr), *next;
	long ret;

	if (!v || addr + old_len > v->vm_end)
		return -LINUX_EFAULT;
	if (!(flags & LINUX_MREMAP_FIXED) && new_len <= old_len) {
		if (new_len < old_len)
			mm_unmap_locked(mm, addr + new_len, addr + old_len);
		return (long)addr;
	}
	if (vma_split_range_locked(mm, addr, addr + old_len))
		return -LINUX_ENOMEM;
	if (flags & LINUX_MREMAP_FIXED) {
		mm_unmap_locked(mm, new_addr, new_addr + new_len);
		if (new_len < old_len) {
			mm_unmap_locked(mm, addr + new_len, addr + old_len);
			old_len = new_len;
		}
	} else {
		next = find_vma_locked(mm, addr + old_len);
		if (addr + new_len <= TASK_SIZE && (!next || next->vm_start >= addr + new_len)) {
			ret = grow_in_place_locked(mm, addr, old_len, new_len);
			if (ret >= 0)
				return ret;
		}
		if (!(flags & LINUX_MREMAP_MAYMOVE))
			return -LINUX_ENOMEM;
		new_addr = get_unmapped_area_locked(mm, 0, new_len);
		if (!new_addr)
			return -LINUX_ENOMEM;
	}
	ret = move_vma_locked(mm, addr, old_len, new_addr);
	if (ret >= 0 && new_len > old_len)
		ret = grow_in_place_locked(mm, new_addr, old_len, new_len);
	return ret;
}

/*
 * old_len 0: a second mapping of the shared pages at addr, new_len long
 * (the "duplicate a shared area" case Linux keeps); private memory cannot
 * be duplicated.
 */
static long mremap_dup_locked(struct mm_struct *mm, u64 addr, u64 new_len, u32 flags,
			      u64 new_addr)
{
	struct vm_area_struct *v = vma_lookup_locked(mm, addr), *nv;
	struct file *f;
	u32 prot;
	s64 off;
	bool anon;
	long err;

	if (!v)
		return -LINUX_EFAULT;
	if (!(v->vm_flags & VM_SHARED) || !v->vm_file)
		return -LINUX_EINVAL;
	if (!(flags & LINUX_MREMAP_MAYMOVE))
		return -LINUX_ENOMEM;
	f = get_file(v->vm_file);
	prot = v->vm_prot;
	off = (s64)(v->vm_pgoff * PAGE_SIZE + (addr - v->vm_start));
	anon = v->path && !strcmp(v->path, "/dev/zero (deleted)");
	if (flags & LINUX_MREMAP_FIXED)
		mm_unmap_locked(mm, new_addr, new_addr + new_len);
	else if (!(new_addr = get_unmapped_area_locked(mm, 0, new_len)))
		new_addr = 0;
	err = new_addr ? 0 : -LINUX_ENOMEM;
	if (!err) {
		nv = mm_insert_anon_locked(mm, new_addr, new_len, prot, 0);
		err = IS_ERR(nv) ? PTR_ERR(nv) : 0;
		if (!err && (err = mm_attach_file_locked(mm, new_addr, new_addr + new_len, f, off, true,
							 anon)))
			mm_unmap_locked(mm, new_addr, new_addr + new_len);
	}
	if (!err)
		vma_merge_range_locked(mm, new_addr, new_addr + new_len);
	fput(f);
	return err ? err : (long)new_addr;
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
	if (!new_len)
		return -LINUX_EINVAL;
	if (flags & LINUX_MREMAP_FIXED) {
		if ((new_addr & ~PAGE_MASK) || new_addr + new_len > TASK_SIZE)
			return -LINUX_EINVAL;
		if (new_addr < addr + old_len && addr < new_addr + new_len)
			return -LINUX_EINVAL;
	}
	mmap_lock(mm);
	if (old_len)
		ret = mremap_locked(mm, addr, old_len, new_len, flags, new_addr);
	else
		ret = mremap_dup_locked(mm, addr, new_len, flags, new_addr);
	mmap_unlock(mm);
	mm_sync_engines(t, addr, addr + MAX(old_len, new_len));
	if (ret >= 0 && (u64)ret != addr)
		mm_sync_engines(t, ret, ret + new_len);
	return ret;
}

/* The advice values Linux knows (unprivileged ones; HWPOISON needs CAP_SYS_ADMIN). */
static bool madvise_known(int advice)
{
	return (advice >= LINUX_MADV_NORMAL && advice <= LINUX_MADV_DONTNEED) ||
	       (advice >= LINUX_MADV_FREE && advice <= 25);
}

long do_madvise(struct task *t, u64 addr, u64 len, int advice)
{
	struct mm_struct *mm = t->mm;
	long ret = 0;
	u64 end;

	if (addr & ~PAGE_MASK)
		return -LINUX_EINVAL;
	end = addr + PAGE_ALIGN(len);
	if (end < addr)
		return -LINUX_EINVAL;
	if (!madvise_known(advice))
		return -LINUX_EINVAL;
	mmap_lock(mm);
	for (u64 a = addr; a < end;) {
		struct vm_area_struct *v = find_vma_locked(mm, a);
		u64 e;
		if (!v || v->vm_start >= end) {
			ret = -LINUX_ENOMEM; /* a hole: Linux advises the rest and says so */
			break;
		}
		if (v->vm_start > a)
			ret = -LINUX_ENOMEM;
		a = MAX(a, v->vm_start);
		e = MIN(end, v->vm_end);
		if (advice != LINUX_MADV_DONTNEED && advice != LINUX_MADV_FREE) {
			a = e; /* hints lxemu has no use for */
			continue;
		}
		/*
		 * The host does what Linux does: private anonymous pages read back as
		 * zeroes, private file pages as the file, shared pages stay.
		 */
		if (!(v->vm_flags & VM_SHARED))
			madvise(v->host + (a - v->vm_start), e - a, MADV_DONTNEED);
		a = e;
	}
	mmap_unlock(mm);
	return ret;
}
