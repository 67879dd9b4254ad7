/*
 * Loading a static x86-64 ELF program into a fresh mm: validation of the
 * headers (elf.c), the segments and brk (exec.c) and the initial stack with
 * argv, envp and the auxiliary vector exactly as Linux lays it out (stack.c).
 */
#ifndef LXEMU_LOADER_H
#define LXEMU_LOADER_H

#include <elf.h>
#include "../emu/types.h"

struct task;

/* What validation learned about an ELF file. */
struct elf_info {
	Elf64_Ehdr ehdr;
	Elf64_Phdr *phdrs; /* malloc'ed, ehdr.e_phnum entries */
	u64 file_size;
	u64 bias;          /* load bias: 0 for ET_EXEC */
	u64 phdr_addr;     /* where the program headers are in guest memory, or 0 */
	u64 lo, hi;        /* page-aligned extent of the PT_LOAD segments (before bias) */
	u64 brk;           /* end of the highest segment, after bias */
};

/*
 * Validates the ELF image in fd.  On failure returns a negative LINUX_E*
 * value and points *why at a one-line reason.
 */
long elf_read_info(int fd, struct elf_info *info, const char **why);
void elf_info_free(struct elf_info *info);

/* The auxiliary-vector values the stack builder needs. */
struct stack_params {
	u64 stack_top;      /* guest address one past the stack */
	u64 phdr, phent, phnum, entry, base, hwcap, hwcap2;
	u64 uid, euid, gid, egid, secure;
	const u8 *random;   /* 16 bytes for AT_RANDOM */
	const char *execfn;
	const char *platform;
};

/* Where build_initial_stack put the strings (the mm's arg_start.. for /proc/PID/cmdline). */
struct stack_strings {
	u64 arg_start, arg_end, env_start, env_end;
};

/*
 * Lays out strings, argv, envp and auxv into buf, which mirrors the guest
 * range [stack_top - size, stack_top).  Returns the initial RSP, or 0 when
 * it does not fit (E2BIG).  Fills *strs unless it is NULL.
 */
u64 build_initial_stack(u8 *buf, u64 size, const struct stack_params *sp,
			char *const argv[], char *const envp[], struct stack_strings *strs);

/*
 * Loads the program open on host fd into t (which has an empty mm), builds
 * its stack and sets its registers.  The fd is taken over: closed on
 * failure, else kept by the mappings.  path is what the program was run as
 * (AT_EXECFN, comm), file_path the absolute guest path of the file (maps,
 * /proc/PID/exe).  On failure returns a negative LINUX_E* value and sets
 * *why.
 */
long load_elf_fd(struct task *t, int fd, const char *path, const char *file_path,
		 char *const argv[], char *const envp[], const char **why);

#endif
