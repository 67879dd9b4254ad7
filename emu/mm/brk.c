/*
 * The program break.  The heap is an anonymous VMA right after the image
 * that grows and shrinks with brk; a growth that would run into another
 * mapping is refused and brk answers the old break, as Linux does.
 */
#include "mm.h"
#include "../kernel/task.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/mman.h"

void mm_init_brk(struct mm_struct *mm, u64 start_brk)
{
	mm->start_brk = mm->brk = start_brk;
}

/* Grows the heap from old_end to new_end (both page-aligned). */
static long brk_grow_locked(struct mm_struct *mm, u64 old_end, u64 new_end)
{
	struct vm_area_struct *next = find_vma_locked(mm, old_end);
	struct vm_area_struct *heap;
	u64 next_start;

	if (new_end > TASK_SIZE)
		return -LINUX_ENOMEM;
	/* Linux keeps a page free between the break and the next mapping (and a stack's gap). */
	if (next) {
		next_start = next->vm_start;
		if (next->vm_flags & VM_GROWSDOWN)
			next_start = next_start > STACK_GUARD_GAP ? next_start - STACK_GUARD_GAP : 0;
		if (new_end + PAGE_SIZE > next_start)
			return -LINUX_ENOMEM;
	}
	heap = mm_insert_anon_locked(mm, old_end, new_end - old_end,
				     LINUX_PROT_READ | LINUX_PROT_WRITE, VM_HEAP);
	if (IS_ERR(heap))
		return PTR_ERR(heap);
	vma_merge_range_locked(mm, old_end, new_end);
	return 0;
}

/* Linux's check_data_rlimit: the heap and the data segment together. */
static bool over_data_limit(struct task *t, struct mm_struct *mm, u64 newbrk)
{
	u64 lim = t->signal->rlim[LINUX_RLIMIT_DATA].rlim_cur;

	return lim != LINUX_RLIM_INFINITY &&
	       (newbrk - mm->start_brk) + (mm->end_data - mm->start_data) > lim;
}

u64 do_brk(struct task *t, u64 newbrk)
{
	struct mm_struct *mm = t->mm;
	u64 old_end = 0, new_end = 0, ret;
	long err = -LINUX_ENOMEM;

	mmap_lock(mm);
	if (newbrk >= mm->start_brk && !over_data_limit(t, mm, newbrk)) {
		old_end = PAGE_ALIGN(mm->brk);
		new_end = PAGE_ALIGN(newbrk);
		err = 0;
		if (new_end > old_end)
			err = brk_grow_locked(mm, old_end, new_end);
		else if (new_end < old_end)
			err = mm_unmap_locked(mm, new_end, old_end);
		if (!err)
			mm->brk = newbrk;
	}
	ret = mm->brk;
	mmap_unlock(mm);
	/* Growth: drop the old heap region so the next fault maps the heap as one. */
	if (!err && new_end != old_end)
		mm_sync_engines(t, PAGE_ALIGN_DOWN(mm->start_brk), MAX(old_end, new_end));
	return ret;
}
