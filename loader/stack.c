/*
 * The initial process stack, as Linux's create_elf_tables builds it: from
 * the top, a NULL word, the AT_EXECFN string, the environment and argument
 * strings, the platform string and 16 random bytes, then (16-byte aligned)
 * argc, argv[], NULL, envp[], NULL and the auxiliary vector.
 */
#include <stdlib.h>
#include <string.h>
#include "loader.h"
#include "../abi/linux/auxv.h"

struct stack_writer {
	u8 *buf;
	u64 base; /* guest address of buf[0] */
	u64 p;    /* guest address of the lowest byte written so far */
	bool overflow;
};

/* Pushes n bytes below p and returns their guest address. */
static u64 push_bytes(struct stack_writer *w, const void *src, u64 n)
{
	if (w->overflow || w->p - w->base < n) {
		w->overflow = true;
		return 0;
	}
	w->p -= n;
	memcpy(w->buf + (w->p - w->base), src, n);
	return w->p;
}

static u64 push_string(struct stack_writer *w, const char *s)
{
	return push_bytes(w, s, strlen(s) + 1);
}

static void put_word(struct stack_writer *w, u64 addr, u64 v)
{
	memcpy(w->buf + (addr - w->base), &v, sizeof(v));
}

static int count_strings(char *const v[])
{
	int n = 0;

	while (v && v[n])
		n++;
	return n;
}

/* Fills the auxv pairs in Linux's order; returns the number of pairs including AT_NULL. */
static int fill_auxv(u64 *av, const struct stack_params *sp, u64 u_random, u64 u_platform,
		     u64 u_execfn)
{
	int n = 0;
#define AUX(tag, val) do { av[n++] = (tag); av[n++] = (val); } while (0)
	AUX(LINUX_AT_HWCAP, sp->hwcap);
	AUX(LINUX_AT_PAGESZ, 4096);
	AUX(LINUX_AT_CLKTCK, 100);
	AUX(LINUX_AT_PHDR, sp->phdr);
	AUX(LINUX_AT_PHENT, sp->phent);
	AUX(LINUX_AT_PHNUM, sp->phnum);
	AUX(LINUX_AT_BASE, sp->base);
	AUX(LINUX_AT_FLAGS, 0);
	AUX(LINUX_AT_ENTRY, sp->entry);
	AUX(LINUX_AT_UID, sp->uid);
	AUX(LINUX_AT_EUID, sp->euid);
	AUX(LINUX_AT_GID, sp->gid);
	AUX(LINUX_AT_EGID, sp->egid);
	AUX(LINUX_AT_SECURE, sp->secure);
	AUX(LINUX_AT_RANDOM, u_random);
	if (sp->hwcap2)
		AUX(LINUX_AT_HWCAP2, sp->hwcap2);
	AUX(LINUX_AT_EXECFN, u_execfn);
	AUX(LINUX_AT_PLATFORM, u_platform);
	AUX(LINUX_AT_NULL, 0);
#undef AUX
	return n / 2;
}

/* Pushes strings in reverse so they end up in order, returning each address. */
static void push_strings(struct stack_writer *w, char *const v[], int n, u64 *addrs)
{
	for (int i = n - 1; i >= 0; i--)
		addrs[i] = push_string(w, v[i]);
}

u64 build_initial_stack(u8 *buf, u64 size, const struct stack_params *sp,
			char *const argv[], char *const envp[], struct stack_strings *strs)
{
	struct stack_strings where;
	struct stack_writer w = { buf, sp->stack_top - size, sp->stack_top - 8, false };
	int argc = count_strings(argv), envc = count_strings(envp);
	u64 *ptrs = malloc(sizeof(u64) * (argc + envc + 1)), av[2 * 24];
	u64 u_execfn, u_platform, u_random, sp_addr, items;
	int nav;

	memset(buf + size - 8, 0, 8);
	u_execfn = push_string(&w, sp->execfn);
	where.env_end = w.p;
	push_strings(&w, envp, envc, ptrs + argc);
	where.env_start = where.arg_end = w.p;
	push_strings(&w, argv, argc, ptrs);
	where.arg_start = w.p;
	w.p &= ~15ULL;
	u_platform = push_string(&w, sp->platform);
	u_random = push_bytes(&w, sp->random, 16);
	if (w.overflow || !ptrs) {
		free(ptrs);
		return 0;
	}
	nav = fill_auxv(av, sp, u_random, u_platform, u_execfn);
	items = 1 + (argc + 1) + (envc + 1) + 2 * nav;
	if (w.p - w.base < items * 8 + 16) {
		free(ptrs);
		return 0;
	}
	sp_addr = (w.p - items * 8) & ~15ULL;
	put_word(&w, sp_addr, argc);
	for (int i = 0; i < argc; i++)
		put_word(&w, sp_addr + 8 * (1 + i), ptrs[i]);
	put_word(&w, sp_addr + 8 * (1 + argc), 0);
	for (int i = 0; i < envc; i++)
		put_word(&w, sp_addr + 8 * (2 + argc + i), ptrs[argc + i]);
	put_word(&w, sp_addr + 8 * (2 + argc + envc), 0);
	for (int i = 0; i < 2 * nav; i++)
		put_word(&w, sp_addr + 8 * (3 + argc + envc + i), av[i]);
	free(ptrs);
	if (strs)
		*strs = where;
	return sp_addr;
}
