/* System-call dispatch: the table generated from abi/syscalls.tbl, with tracing. */
#ifndef LXEMU_SYSCALL_H
#define LXEMU_SYSCALL_H

#include "../types.h"

struct task;

/* Services system call nr with the six argument registers in a[]. Returns rax. */
long syscall_dispatch(struct task *t, u64 nr, u64 *a);

/*
 * True for calls that take the mm's run token alone: address-space changes
 * that take memory away, and engine creation.  a[]: the argument registers.
 */
bool syscall_changes_mm(u64 nr, const u64 *a);

#endif
