/*
 * copy_from_user/copy_to_user/strncpy_from_user: exact EFAULT bounds,
 * protections, buffers straddling two VMAs, and nothing copied on failure.
 */
#include <string.h>
#include "unit.h"
#include "emu/kernel/task.h"
#include "emu/mm/mm.h"
#include "emu/mm/uaccess.h"
#include "abi/linux/mman.h"
#include "abi/linux/errno.h"

#define K4 4096ULL
static struct task task;
static struct signal_struct sig;
static struct mm_struct *mm;

static int setup(void)
{
	mm = mm_alloc();
	task.mm = mm;
	task.signal = &sig;
	sig.rlim[LINUX_RLIMIT_STACK].rlim_cur = 8 << 20;
	/* [0x10000,0x12000) RW, [0x12000,0x13000) R, hole, [0x14000,0x15000) RW */
	mm_insert_anon_locked(mm, 0x10000, 2 * K4, LINUX_PROT_READ | LINUX_PROT_WRITE, 0);
	mm_insert_anon_locked(mm, 0x12000, K4, LINUX_PROT_READ, 0);
	mm_insert_anon_locked(mm, 0x14000, K4, LINUX_PROT_READ | LINUX_PROT_WRITE, 0);
	return 0;
}

static int teardown(void) { mmput(mm); return 0; }

static void test_copy_roundtrip_across_vma_boundary(void)
{
	char in[64], out[64];

	for (int i = 0; i < 64; i++)
		in[i] = (char)i;
	/* the read straddles the RW area and the read-only one after it */
	CU_ASSERT_EQUAL(copy_to_user(&task, 0x11fe0, in, 32), 0);
	CU_ASSERT_EQUAL(copy_from_user(&task, out, 0x11fe0, 64), 0);
	CU_ASSERT_EQUAL(memcmp(in, out, 32), 0);
}

static void test_write_to_readonly_is_efault_and_writes_nothing(void)
{
	char buf[64] = { 1 }, check[32];

	memset(buf, 0x77, sizeof(buf));
	CU_ASSERT_EQUAL(copy_to_user(&task, 0x11ff0, buf, 32), -LINUX_EFAULT);
	CU_ASSERT_EQUAL(copy_from_user(&task, check, 0x11ff0, 16), 0);
	CU_ASSERT_NOT_EQUAL(check[0], 0x77);
}

static void test_read_into_hole_is_efault(void)
{
	char buf[32];

	CU_ASSERT_EQUAL(copy_from_user(&task, buf, 0x12ff0, 32), -LINUX_EFAULT);
	CU_ASSERT_EQUAL(copy_from_user(&task, buf, 0x12ff0, 16), 0);
	CU_ASSERT_EQUAL(copy_from_user(&task, buf, 0, 1), -LINUX_EFAULT);
	CU_ASSERT_EQUAL(copy_from_user(&task, buf, ~0ULL - 4, 8), -LINUX_EFAULT);
	CU_ASSERT_EQUAL(copy_from_user(&task, buf, 0x14000, 0), 0);
}

static void test_strncpy_stops_at_nul_and_detects_unterminated(void)
{
	char s[16];

	copy_to_user(&task, 0x14000, "hello", 6);
	CU_ASSERT_EQUAL(strncpy_from_user(&task, s, 0x14000, sizeof(s)), 5);
	CU_ASSERT_STRING_EQUAL(s, "hello");
	CU_ASSERT_EQUAL(strncpy_from_user(&task, s, 0x14000, 3), 3);
	/* a string running into the end of the area without a NUL faults */
	char fill[16];
	memset(fill, 'x', sizeof(fill));
	copy_to_user(&task, 0x15000 - 16, fill, 16);
	CU_ASSERT_EQUAL(strncpy_from_user(&task, s, 0x15000 - 8, sizeof(s)), -LINUX_EFAULT);
}

static void test_access_len_stops_at_protection_change(void)
{
	CU_ASSERT_EQUAL(user_access_len(&task, 0x11000, 0x3000, LINUX_PROT_WRITE), 0x1000);
	CU_ASSERT_EQUAL(user_access_len(&task, 0x11000, 0x3000, LINUX_PROT_READ), 0x2000);
	CU_ASSERT_EQUAL(user_access_len(&task, 0x13000, 0x10, LINUX_PROT_READ), 0);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "copy roundtrip across vma boundary", test_copy_roundtrip_across_vma_boundary },
		{ "write to read-only is EFAULT", test_write_to_readonly_is_efault_and_writes_nothing },
		{ "read into hole is EFAULT", test_read_into_hole_is_efault },
		{ "strncpy_from_user", test_strncpy_stops_at_nul_and_detects_unterminated },
		{ "access len", test_access_len_stops_at_protection_change },
	};

	return RUN_UNIT_TESTS("uaccess", setup, teardown, tests);
}
