/*
 * The program break.  The heap VMA sits right after the image; its host
 * memory is one reservation (HEAP_RESERVE) made accessible as brk grows, so
 * the heap stays one VMA and one engine region however often it grows.
 */
#include <sys/mman.h>
#include "mm.h"
#include "../kernel/task.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/mman.h"

long mm_init_brk(struct mm_struct *mm, u64 start_brk)
{
	mm->brk_host = mmap(NULL, HEAP_RESERVE, PROT_NONE,
			    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (mm->brk_host == MAP_FAILED) {
		mm->brk_host = NULL;
		return -LINUX_ENOMEM;
	}
	mm->start_brk = mm->brk = start_brk;
	return 0;
}

/* Makes the heap's host memory usable up to len bytes. */
static long brk_commit(struct mm_struct *mm, u64 len)
{
	if (len <= mm->brk_committed)
		return 0;
	if (mprotect(mm->brk_host + mm->brk_committed, len - mm->brk_committed,
		     PROT_READ | PROT_WRITE))
		return -LINUX_ENOMEM;
	mm->brk_committed = len;
	return 0;
}

/* Grows the heap VMA from old_end to new_end (both page-aligned). */
static long brk_grow_locked(struct mm_struct *mm, u64 old_end, u64 new_end)
{
	struct vm_area_struct *v = find_vma_locked(mm, old_end);
	struct vm_area_struct *heap;

	if (new_end - mm->start_brk > HEAP_RESERVE || (v && v->vm_start < new_end))
		return -LINUX_ENOMEM;
	if (brk_commit(mm, PAGE_ALIGN(new_end - PAGE_ALIGN_DOWN(mm->start_brk))))
		return -LINUX_ENOMEM;
	struct vm_area_struct proto = {
		.vm_start = old_end, .vm_end = new_end,
		.vm_prot = LINUX_PROT_READ | LINUX_PROT_WRITE, .vm_flags = VM_HEAP,
		.host = mm->brk_host + (old_end - PAGE_ALIGN_DOWN(mm->start_brk)),
	};
	/* Host memory from the one reservation keeps the heap one mergeable area. */
	heap = vma_insert_locked(mm, &proto);
	if (IS_ERR(heap))
		return PTR_ERR(heap);
	vma_merge_range_locked(mm, old_end, new_end);
	return 0;
}

u64 do_brk(struct task *t, u64 newbrk)
{
	struct mm_struct *mm = t->mm;
	u64 old_end = 0, new_end = 0;
	long err = -LINUX_ENOMEM;

	mmap_lock(mm);
	if (newbrk < mm->start_brk || !mm->brk_host)
		goto out;
	old_end = PAGE_ALIGN(mm->brk);
	new_end = PAGE_ALIGN(newbrk);
	err = 0;
	if (new_end > old_end)
		err = brk_grow_locked(mm, old_end, new_end);
	else if (new_end < old_end)
		err = mm_unmap_locked(mm, new_end, old_end);
	if (!err)
		mm->brk = newbrk;
out:
	newbrk = mm->brk;
	mmap_unlock(mm);
	/* Growth: drop the old heap region so the next fault maps the heap as one. */
	if (!err && new_end != old_end)
		mm_sync_engines(t, PAGE_ALIGN_DOWN(mm->start_brk), MAX(old_end, new_end));
	return newbrk;
}
