/*
 * VMA bookkeeping: insert, lookup, split on unmap and mprotect, merge of
 * neighbours that agree, and the top-down search for free ranges.
 */
#include "unit.h"
#include "emu/mm/mm.h"
#include "abi/linux/mman.h"
#include "abi/linux/errno.h"

#define RW (LINUX_PROT_READ | LINUX_PROT_WRITE)
#define K4 4096ULL

static struct mm_struct *mm;

static int setup(void) { mm = mm_alloc(); return mm ? 0 : 1; }
static int teardown(void) { mmput(mm); return 0; }

static void reset(void)
{
	mm_unmap_locked(mm, 0, TASK_SIZE);
}

static void test_vma_lookup_finds_containing_area(void)
{
	reset();
	CU_ASSERT_FALSE(IS_ERR(mm_insert_anon_locked(mm, 0x10000, 4 * K4, RW, 0)));
	CU_ASSERT_PTR_NOT_NULL(vma_lookup_locked(mm, 0x10000));
	CU_ASSERT_PTR_NOT_NULL(vma_lookup_locked(mm, 0x13fff));
	CU_ASSERT_PTR_NULL(vma_lookup_locked(mm, 0x14000));
	CU_ASSERT_PTR_NULL(vma_lookup_locked(mm, 0xffff));
	CU_ASSERT_EQUAL(find_vma_locked(mm, 0x1000)->vm_start, 0x10000);
	CU_ASSERT_PTR_NULL(find_vma_locked(mm, 0x14000));
}

static void test_vma_unmap_middle_splits_in_two(void)
{
	struct vm_area_struct *v;

	reset();
	v = mm_insert_anon_locked(mm, 0x10000, 4 * K4, RW, 0);
	u8 *host = v->host;
	host[3 * K4] = 0x5a;
	CU_ASSERT_EQUAL(mm_unmap_locked(mm, 0x11000, 0x13000), 0);
	CU_ASSERT_EQUAL(mm->nr_vmas, 2);
	CU_ASSERT_EQUAL(mm->vmas[0].vm_end, 0x11000);
	CU_ASSERT_EQUAL(mm->vmas[1].vm_start, 0x13000);
	CU_ASSERT_EQUAL(mm->vmas[1].vm_end, 0x14000);
	/* the tail keeps its host memory and contents */
	CU_ASSERT_EQUAL(mm->vmas[1].host[0], 0x5a);
}

static void test_vma_split_at_end_keeps_prefix(void)
{
	reset();
	mm_insert_anon_locked(mm, 0x20000, 4 * K4, RW, 0);
	CU_ASSERT_EQUAL(mm_unmap_locked(mm, 0x22000, 0x30000), 0);
	CU_ASSERT_EQUAL(mm->nr_vmas, 1);
	CU_ASSERT_EQUAL(mm->vmas[0].vm_start, 0x20000);
	CU_ASSERT_EQUAL(mm->vmas[0].vm_end, 0x22000);
}

static void test_vma_protect_splits_then_merges_back(void)
{
	reset();
	mm_insert_anon_locked(mm, 0x40000, 4 * K4, RW, 0);
	CU_ASSERT_EQUAL(mm_protect_locked(mm, 0x41000, 0x42000, LINUX_PROT_READ), 0);
	CU_ASSERT_EQUAL(mm->nr_vmas, 3);
	CU_ASSERT_EQUAL(mm->vmas[1].vm_prot, LINUX_PROT_READ);
	CU_ASSERT_EQUAL(mm_protect_locked(mm, 0x41000, 0x42000, RW), 0);
	CU_ASSERT_EQUAL(mm->nr_vmas, 1);
	CU_ASSERT_EQUAL(mm->vmas[0].vm_end, 0x44000);
}

static void test_vma_protect_of_hole_is_enomem(void)
{
	reset();
	mm_insert_anon_locked(mm, 0x40000, K4, RW, 0);
	mm_insert_anon_locked(mm, 0x42000, K4, RW, 0);
	CU_ASSERT_EQUAL(mm_protect_locked(mm, 0x40000, 0x43000, LINUX_PROT_READ), -LINUX_ENOMEM);
	CU_ASSERT_EQUAL(mm->vmas[0].vm_prot, RW);
}

static void test_vma_neighbours_merge_but_not_across_a_chunk(void)
{
	u64 boundary = 4 * CHUNK_SIZE;

	reset();
	mm_insert_anon_locked(mm, 0x50000, K4, RW, 0);
	mm_insert_anon_locked(mm, 0x51000, K4, RW, 0);
	vma_merge_range_locked(mm, 0x50000, 0x52000);
	/* Neighbours in one chunk are neighbours on the host: one area, as on Linux. */
	CU_ASSERT_EQUAL(mm->nr_vmas, 1);
	CU_ASSERT_PTR_EQUAL(mm->vmas[0].host + K4, mm_host_locked(mm, 0x51000));
	/* A mapping across a chunk boundary is two areas, one per chunk. */
	mm_insert_anon_locked(mm, boundary - K4, 2 * K4, RW, 0);
	vma_merge_range_locked(mm, boundary - K4, boundary + K4);
	CU_ASSERT_EQUAL(mm->nr_vmas, 3);
	CU_ASSERT_EQUAL(mm->vmas[1].vm_end, boundary);
	CU_ASSERT_EQUAL(mm->vmas[2].vm_start, boundary);
}

static void test_stack_grows_down_to_the_limit_and_keeps_a_guard_gap(void)
{
	u64 top = 0x7ff000000000ULL;

	reset();
	mm_insert_anon_locked(mm, top - 16 * K4, 16 * K4, RW, VM_GROWSDOWN);
	CU_ASSERT_TRUE(expand_stack_locked(mm, top - 20 * K4 + 8, 64 * K4));
	CU_ASSERT_EQUAL(find_vma_locked(mm, top - K4)->vm_start, top - 20 * K4);
	/* beyond the stack limit */
	CU_ASSERT_FALSE(expand_stack_locked(mm, top - 65 * K4, 64 * K4));
	/* a mapping within the guard gap below stops it */
	mm_insert_anon_locked(mm, top - 20 * K4 - STACK_GUARD_GAP - K4, K4, RW, 0);
	CU_ASSERT_FALSE(expand_stack_locked(mm, top - 21 * K4, 1 << 30));
	/* an area that does not grow down never grows */
	CU_ASSERT_FALSE(expand_stack_locked(mm, 0x4ff000, 1 << 30));
}

static void test_unmapped_area_is_top_down_below_mmap_base(void)
{
	u64 a, b;

	reset();
	a = get_unmapped_area_locked(mm, 0, 2 * K4);
	CU_ASSERT_EQUAL(a, MMAP_BASE - 2 * K4);
	mm_insert_anon_locked(mm, a, 2 * K4, RW, 0);
	b = get_unmapped_area_locked(mm, 0, K4);
	CU_ASSERT_EQUAL(b, a - K4);
	/* a free hint is honoured, a taken one is not */
	CU_ASSERT_EQUAL(get_unmapped_area_locked(mm, 0x100000, K4), 0x100000);
	CU_ASSERT_EQUAL(get_unmapped_area_locked(mm, a, K4), b);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "lookup finds containing area", test_vma_lookup_finds_containing_area },
		{ "unmap middle splits in two", test_vma_unmap_middle_splits_in_two },
		{ "split at end keeps prefix", test_vma_split_at_end_keeps_prefix },
		{ "protect splits then merges back", test_vma_protect_splits_then_merges_back },
		{ "protect of a hole is ENOMEM", test_vma_protect_of_hole_is_enomem },
		{ "neighbours merge, not across a chunk", test_vma_neighbours_merge_but_not_across_a_chunk },
		{ "stack grows to the limit, keeps a guard gap", test_stack_grows_down_to_the_limit_and_keeps_a_guard_gap },
		{ "unmapped area is top-down", test_unmapped_area_is_top_down_below_mmap_base },
	};

	return RUN_UNIT_TESTS("vma", setup, teardown, tests);
}
