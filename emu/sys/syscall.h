/* System-call dispatch: the table generated from abi/syscalls.tbl, with tracing. */
#ifndef LXEMU_SYSCALL_H
#define LXEMU_SYSCALL_H

#include "../types.h"

struct task;

/* Services system call nr with the six argument registers in a[]. Returns rax. */
long syscall_dispatch(struct task *t, u64 nr, u64 *a);

/* True for calls that keep the mm's run token: address-space changes and engine creation. */
bool syscall_changes_mm(u64 nr);

#endif
