/*
 * The initial stack: argc, argv, envp, auxv in Linux's order and places,
 * strings at the top in order, 16-byte alignment, E2BIG when it cannot fit.
 */
#include <string.h>
#include "unit.h"
#include "loader/loader.h"
#include "abi/linux/auxv.h"

#define TOP 0x7ffffffff000ULL
#define SIZE 65536ULL
static u8 stack[SIZE];
static const u8 rnd[16] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16 };

static u64 word(u64 addr) { u64 v; memcpy(&v, stack + (addr - (TOP - SIZE)), 8); return v; }
static const char *str(u64 addr) { return (const char *)stack + (addr - (TOP - SIZE)); }

static struct stack_params params(void)
{
	struct stack_params sp = {
		.stack_top = TOP, .phdr = 0x400040, .phent = 56, .phnum = 7, .entry = 0x401000,
		.hwcap = 0x178bfbff, .uid = 1, .euid = 2, .gid = 3, .egid = 4, .random = rnd,
		.execfn = "./prog", .platform = "x86_64",
	};
	return sp;
}

/* The value of auxv tag in the vector starting at av, or ~0 if absent. */
static u64 aux(u64 av, u64 tag)
{
	for (; word(av) != LINUX_AT_NULL; av += 16)
		if (word(av) == tag)
			return word(av + 8);
	return ~0ULL;
}

static void test_stack_layout_matches_linux(void)
{
	char *argv[] = { "./prog", "a b", NULL }, *envp[] = { "X=1", NULL };
	struct stack_params sp = params();
	struct stack_strings strs;
	u64 rsp = build_initial_stack(stack, SIZE, &sp, argv, envp, &strs), av;

	CU_ASSERT_NOT_EQUAL(rsp, 0);
	CU_ASSERT_EQUAL(rsp % 16, 0);
	CU_ASSERT_EQUAL(word(rsp), 2);
	CU_ASSERT_STRING_EQUAL(str(word(rsp + 8)), "./prog");
	CU_ASSERT_STRING_EQUAL(str(word(rsp + 16)), "a b");
	CU_ASSERT_EQUAL(word(rsp + 24), 0);
	CU_ASSERT_STRING_EQUAL(str(word(rsp + 32)), "X=1");
	CU_ASSERT_EQUAL(word(rsp + 40), 0);
	av = rsp + 48;
	CU_ASSERT_EQUAL(aux(av, LINUX_AT_PAGESZ), 4096);
	CU_ASSERT_EQUAL(aux(av, LINUX_AT_PHDR), 0x400040);
	CU_ASSERT_EQUAL(aux(av, LINUX_AT_PHENT), 56);
	CU_ASSERT_EQUAL(aux(av, LINUX_AT_PHNUM), 7);
	CU_ASSERT_EQUAL(aux(av, LINUX_AT_ENTRY), 0x401000);
	CU_ASSERT_EQUAL(aux(av, LINUX_AT_CLKTCK), 100);
	CU_ASSERT_EQUAL(aux(av, LINUX_AT_EGID), 4);
	CU_ASSERT_EQUAL(aux(av, LINUX_AT_SECURE), 0);
	CU_ASSERT_EQUAL(aux(av, LINUX_AT_BASE), 0);
	CU_ASSERT_STRING_EQUAL(str(aux(av, LINUX_AT_PLATFORM)), "x86_64");
	CU_ASSERT_STRING_EQUAL(str(aux(av, LINUX_AT_EXECFN)), "./prog");
	CU_ASSERT_EQUAL(memcmp(str(aux(av, LINUX_AT_RANDOM)), rnd, 16), 0);
	/* Linux puts the execfn string last, just below a NULL word at the top. */
	CU_ASSERT_EQUAL(aux(av, LINUX_AT_EXECFN), TOP - 8 - strlen("./prog") - 1);
	CU_ASSERT_EQUAL(word(TOP - 8), 0);
	/* argument strings sit right below the environment strings */
	CU_ASSERT_EQUAL(word(rsp + 16) + 4, word(rsp + 32));
	/* the ranges /proc/PID/cmdline and environ read */
	CU_ASSERT_EQUAL(strs.arg_start, word(rsp + 8));
	CU_ASSERT_EQUAL(strs.arg_end, word(rsp + 16) + 4);
	CU_ASSERT_EQUAL(strs.env_start, word(rsp + 32));
	CU_ASSERT_EQUAL(strs.env_end, word(rsp + 32) + 4);
}

static void test_stack_too_small_is_refused(void)
{
	char big[4096];
	char *argv[] = { big, big, NULL }, *envp[] = { NULL };
	struct stack_params sp = params();

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = 0;
	sp.stack_top = TOP;
	CU_ASSERT_EQUAL(build_initial_stack(stack + SIZE - 8192, 8192, &sp, argv, envp, NULL), 0);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "layout matches Linux", test_stack_layout_matches_linux },
		{ "too small is refused", test_stack_too_small_is_refused },
	};

	return RUN_UNIT_TESTS("stack", NULL, NULL, tests);
}
