/*
 * mremap on the VMAs: shrink in place, grow in place into free pages, move
 * when the next pages are taken (contents follow, the old range is gone),
 * MREMAP_FIXED, and Linux's EINVAL/EFAULT/ENOMEM cases.
 */
#include <string.h>
#include "unit.h"
#include "emu/kernel/task.h"
#include "emu/mm/mm.h"
#include "abi/linux/mman.h"
#include "abi/linux/errno.h"

#define RW (LINUX_PROT_READ | LINUX_PROT_WRITE)
#define K4 4096ULL
#define A 0x10000000ULL

static struct task task; /* no engine: the mm alone */
static struct signal_struct sig;

static int setup(void)
{
	task.mm = mm_alloc();
	task.signal = &sig;
	return task.mm ? 0 : 1;
}
static int teardown(void) { mmput(task.mm); return 0; }

static void reset_with(u64 start, u64 len, const char *text)
{
	mm_unmap_locked(task.mm, 0, TASK_SIZE);
	mm_insert_anon_locked(task.mm, start, len, RW, 0);
	strcpy((char *)mm_host_locked(task.mm, start), text);
}

static const char *text_at(u64 addr)
{
	struct vm_area_struct *v = vma_lookup_locked(task.mm, addr);

	return v ? (const char *)mm_host_locked(task.mm, addr) : NULL;
}

static void test_shrink_in_place_unmaps_the_tail(void)
{
	reset_with(A, 4 * K4, "keep");
	CU_ASSERT_EQUAL(do_mremap(&task, A, 4 * K4, K4, 0, 0), (long)A);
	CU_ASSERT_PTR_NULL(vma_lookup_locked(task.mm, A + K4));
	CU_ASSERT_STRING_EQUAL(text_at(A), "keep");
}

static void test_grow_in_place_when_the_next_pages_are_free(void)
{
	reset_with(A, K4, "grow");
	CU_ASSERT_EQUAL(do_mremap(&task, A, K4, 8 * K4, 0, 0), (long)A);
	CU_ASSERT_EQUAL(vma_lookup_locked(task.mm, A)->vm_end, A + 8 * K4);
	CU_ASSERT_STRING_EQUAL(text_at(A), "grow");
	CU_ASSERT_EQUAL(text_at(A + 7 * K4)[0], 0);
}

static void test_move_when_blocked_keeps_contents(void)
{
	long r;

	reset_with(A, K4, "move me");
	mm_insert_anon_locked(task.mm, A + K4, K4, LINUX_PROT_READ, 0);
	CU_ASSERT_EQUAL(do_mremap(&task, A, K4, 2 * K4, 0, 0), -LINUX_ENOMEM);
	r = do_mremap(&task, A, K4, 2 * K4, LINUX_MREMAP_MAYMOVE, 0);
	CU_ASSERT_TRUE(r > 0 && (u64)r != A);
	CU_ASSERT_PTR_NULL(vma_lookup_locked(task.mm, A));
	CU_ASSERT_STRING_EQUAL(text_at(r), "move me");
	CU_ASSERT_EQUAL(vma_lookup_locked(task.mm, r)->vm_end, (u64)r + 2 * K4);
}

static void test_fixed_moves_to_the_given_address(void)
{
	u64 to = A + 0x100000;

	reset_with(A, 2 * K4, "fixed");
	mm_insert_anon_locked(task.mm, to, K4, RW, 0); /* replaced */
	CU_ASSERT_EQUAL(do_mremap(&task, A, 2 * K4, 2 * K4, LINUX_MREMAP_MAYMOVE | LINUX_MREMAP_FIXED, to),
			(long)to);
	CU_ASSERT_STRING_EQUAL(text_at(to), "fixed");
	CU_ASSERT_PTR_NULL(vma_lookup_locked(task.mm, A));
}

static void test_linux_errors(void)
{
	reset_with(A, 2 * K4, "x");
	CU_ASSERT_EQUAL(do_mremap(&task, A + 1, K4, 2 * K4, 0, 0), -LINUX_EINVAL);
	CU_ASSERT_EQUAL(do_mremap(&task, A, K4, 0, 0, 0), -LINUX_EINVAL);
	CU_ASSERT_EQUAL(do_mremap(&task, A, K4, 2 * K4, LINUX_MREMAP_FIXED, A + 0x100000),
			-LINUX_EINVAL);
	CU_ASSERT_EQUAL(do_mremap(&task, A, K4, 2 * K4, 8, 0), -LINUX_EINVAL);
	/* overlapping old and new ranges */
	CU_ASSERT_EQUAL(do_mremap(&task, A, 2 * K4, 2 * K4, LINUX_MREMAP_MAYMOVE | LINUX_MREMAP_FIXED,
				  A + K4), -LINUX_EINVAL);
	/* an old range that is not (all) mapped */
	CU_ASSERT_EQUAL(do_mremap(&task, A + 0x200000, K4, 2 * K4, 0, 0), -LINUX_EFAULT);
	CU_ASSERT_EQUAL(do_mremap(&task, A, 3 * K4, 4 * K4, 0, 0), -LINUX_EFAULT);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "shrink in place unmaps the tail", test_shrink_in_place_unmaps_the_tail },
		{ "grow in place when the next pages are free", test_grow_in_place_when_the_next_pages_are_free },
		{ "move when blocked keeps contents", test_move_when_blocked_keeps_contents },
		{ "MREMAP_FIXED moves to the given address", test_fixed_moves_to_the_given_address },
		{ "Linux's errors", test_linux_errors },
	};

	return RUN_UNIT_TESTS("mremap", setup, teardown, tests);
}
