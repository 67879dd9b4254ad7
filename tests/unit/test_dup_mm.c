/*
 * dup_mm, the copy fork makes: private pages are copied (later stores on
 * either side stay private), shared mappings stay shared, untouched pages
 * stay untouched, and the layout (brk, stack, VMAs) comes along.
 */
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include "unit.h"
#include "emu/mm/mm.h"
#include "emu/fs/file.h"
#include "abi/linux/mman.h"
#include "abi/linux/fcntl.h"

#define RW (LINUX_PROT_READ | LINUX_PROT_WRITE)
#define K4 4096ULL

static u8 *host(struct mm_struct *mm, u64 addr)
{
	return mm_host_locked(mm, addr);
}

/* A shared mapping of a fresh memfd at [start, start+len), as MAP_SHARED|MAP_ANONYMOUS makes. */
static void insert_shared(struct mm_struct *mm, u64 start, u64 len)
{
	int fd = memfd_create("test", MFD_CLOEXEC);
	struct file *f;

	CU_ASSERT_EQUAL_FATAL(ftruncate(fd, len), 0);
	f = host_file_wrap(fd, LINUX_O_RDWR, NULL);
	CU_ASSERT_FALSE(IS_ERR(mm_insert_anon_locked(mm, start, len, RW, 0)));
	CU_ASSERT_EQUAL(mm_attach_file_locked(mm, start, start + len, f, 0, true, true), 0);
	fput(f);
}

static void test_private_pages_are_copied_and_stay_private(void)
{
	struct mm_struct *mm = mm_alloc(), *child;

	mm_insert_anon_locked(mm, 0x100000, 4 * K4, RW, 0);
	memcpy(host(mm, 0x101000), "parent", 7);
	mm->start_brk = 0x200000;
	mm->brk = 0x200123;
	child = dup_mm(mm);
	CU_ASSERT_FALSE_FATAL(IS_ERR(child));
	CU_ASSERT_EQUAL(child->nr_vmas, 1);
	CU_ASSERT_EQUAL(child->brk, 0x200123);
	CU_ASSERT_STRING_EQUAL((char *)host(child, 0x101000), "parent");
	CU_ASSERT_PTR_NOT_EQUAL(host(child, 0x101000), host(mm, 0x101000));
	memcpy(host(mm, 0x101000), "PARENT", 7);
	memcpy(host(child, 0x102000), "child", 6);
	CU_ASSERT_STRING_EQUAL((char *)host(child, 0x101000), "parent");
	CU_ASSERT_EQUAL(host(mm, 0x102000)[0], 0);
	mmput(child);
	mmput(mm);
}

static void test_shared_mappings_stay_shared(void)
{
	struct mm_struct *mm = mm_alloc(), *child;

	insert_shared(mm, 0x300000, 2 * K4);
	memcpy(host(mm, 0x300000), "before", 7);
	child = dup_mm(mm);
	CU_ASSERT_FALSE_FATAL(IS_ERR(child));
	CU_ASSERT_TRUE(child->vmas[0].vm_flags & VM_SHARED);
	CU_ASSERT_STRING_EQUAL((char *)host(child, 0x300000), "before");
	memcpy(host(mm, 0x300000), "after", 6);
	CU_ASSERT_STRING_EQUAL((char *)host(child, 0x300000), "after");
	memcpy(host(child, 0x301000), "back", 5);
	CU_ASSERT_STRING_EQUAL((char *)host(mm, 0x301000), "back");
	mmput(mm);
	/* the child's mapping outlives the parent's */
	CU_ASSERT_STRING_EQUAL((char *)host(child, 0x300000), "after");
	mmput(child);
}

static void test_untouched_pages_are_not_copied(void)
{
	struct mm_struct *mm = mm_alloc(), *child;
	unsigned char vec[256];
	u64 len = 256 * K4;

	mm_insert_anon_locked(mm, 0x400000, len, RW, 0);
	host(mm, 0x400000)[0] = 1;
	child = dup_mm(mm);
	CU_ASSERT_FALSE_FATAL(IS_ERR(child));
	CU_ASSERT_EQUAL(host(child, 0x400000)[0], 1);
	CU_ASSERT_EQUAL(mincore(host(child, 0x400000), len, vec), 0);
	int resident = 0;
	for (int i = 0; i < 256; i++)
		resident += vec[i] & 1;
	CU_ASSERT_EQUAL(resident, 1);
	mmput(child);
	mmput(mm);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "private pages are copied and stay private", test_private_pages_are_copied_and_stay_private },
		{ "shared mappings stay shared", test_shared_mappings_stay_shared },
		{ "untouched pages are not copied", test_untouched_pages_are_not_copied },
	};

	return RUN_UNIT_TESTS("dup_mm", NULL, NULL, tests);
}
