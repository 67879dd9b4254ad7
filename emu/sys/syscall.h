/* System-call dispatch: the table generated from abi/syscalls.tbl, with tracing. */
#ifndef LXEMU_SYSCALL_H
#define LXEMU_SYSCALL_H

#include "../types.h"

struct task;

/* Services system call nr with the six argument registers in a[]. Returns rax. */
long syscall_dispatch(struct task *t, u64 nr, u64 *a);

/* How a call changes the address space, for the run token (cpu.c, hook_syscall). */
enum mm_change {
	MM_NONE,    /* not at all: the others run meanwhile */
	MM_GROWS,   /* adds mappings only: taking turns, keep the turn; in parallel, let them run */
	MM_SHRINKS, /* may take memory away, or makes an engine: hold the token alone */
};
enum mm_change syscall_changes_mm(u64 nr, const u64 *a);

#endif
