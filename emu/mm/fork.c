/*
 * dup_mm: the address space fork gives the child.  Every VMA is recreated in
 * the child's own chunks; private pages are copied (only those the parent
 * ever touched, so sparse reservations stay free) and shared mappings map
 * the same file or memfd again, so both processes see each other's stores.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "mm.h"
#include "../fs/file.h"
#include "../kernel/locking.h"
#include "../cpu/cpu.h"
#include "../../abi/linux/errno.h"

#define PM_PRESENT (1ULL << 63)
#define PM_SWAPPED (1ULL << 62)

/* Copies the pages of [from, from+len) that exist on the host (present or swapped). */
static void copy_touched_pages(int pagemap, const u8 *from, u8 *to, u64 len)
{
	u64 entries[512];

	for (u64 done = 0; done < len;) {
		u64 pages = MIN((len - done) / PAGE_SIZE, ARRAY_SIZE(entries));
		off_t at = (off_t)(((uintptr_t)from + done) / PAGE_SIZE * sizeof(u64));
		bool known = pagemap >= 0 &&
			     pread(pagemap, entries, pages * sizeof(u64), at) == (ssize_t)(pages * sizeof(u64));
		for (u64 p = 0; p < pages; p++)
			if (!known || (entries[p] & (PM_PRESENT | PM_SWAPPED)))
				memcpy(to + done + p * PAGE_SIZE, from + done + p * PAGE_SIZE, PAGE_SIZE);
		done += pages * PAGE_SIZE;
	}
}

/* Recreates VMA v of the parent in mm (the child). Caller holds both mmap_locks. */
static long dup_vma_locked(struct mm_struct *mm, const struct vm_area_struct *v, int pagemap)
{
	struct vm_area_struct copy = *v;
	u64 len = v->vm_end - v->vm_start;
	long err = 0;

	copy.host = mm_host_reserve_locked(mm, v->vm_start);
	if (!copy.host)
		return -LINUX_ENOMEM;
	if (v->vm_flags & VM_HOSTMAP)
		err = vma_map_file_pages(copy.host, len, v->vm_file, v->vm_pgoff * PAGE_SIZE,
					 v->vm_flags & VM_SHARED);
	if (err)
		return err;
	if (!(v->vm_flags & VM_SHARED))
		copy_touched_pages(pagemap, v->host, copy.host, len);
	copy.path = v->path ? strdup(v->path) : NULL;
	if (copy.vm_file)
		get_file(copy.vm_file);
	if (IS_ERR(vma_insert_locked(mm, &copy))) {
		mm_host_release(copy.host, len, v->vm_flags & VM_HOSTMAP);
		if (copy.vm_file)
			fput(copy.vm_file);
		free(copy.path);
		return -LINUX_ENOMEM;
	}
	return 0;
}

static void dup_layout(struct mm_struct *mm, const struct mm_struct *old)
{
	mm->start_brk = old->start_brk;
	mm->brk = old->brk;
	mm->mmap_base = old->mmap_base;
	mm->start_stack = old->start_stack;
	mm->arg_start = old->arg_start;
	mm->arg_end = old->arg_end;
	mm->env_start = old->env_start;
	mm->env_end = old->env_end;
	mm->exe_path = old->exe_path ? strdup(old->exe_path) : NULL;
	if (old->nr_x87_sites && (mm->x87_sites = malloc(old->nr_x87_sites * sizeof(u64)))) {
		memcpy(mm->x87_sites, old->x87_sites, old->nr_x87_sites * sizeof(u64));
		mm->nr_x87_sites = mm->cap_x87_sites = old->nr_x87_sites;
	}
	atomic_add_sites(mm, old->atomic_sites, old->nr_atomic_sites);
}

struct mm_struct *dup_mm(struct mm_struct *old)
{
	struct mm_struct *mm = mm_alloc();
	int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	long err = mm ? 0 : -LINUX_ENOMEM;

	if (mm) {
		mmap_lock(old);
		mmap_lock(mm);
		dup_layout(mm, old);
		for (int i = 0; i < old->nr_vmas && !err; i++)
			err = dup_vma_locked(mm, &old->vmas[i], pagemap);
		mmap_unlock(mm);
		mmap_unlock(old);
	}
	if (pagemap >= 0)
		close(pagemap);
	if (err && mm) {
		mmput(mm);
		return ERR_PTR(err);
	}
	return mm ? mm : ERR_PTR(err);
}
