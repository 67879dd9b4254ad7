/*
 * The only way the kernel touches guest memory.  Each call walks the VMAs of
 * the task's mm under the mm lock and checks protections; a bad or partially
 * bad guest range gives -LINUX_EFAULT and copies nothing the guest could see.
 */
#ifndef LXEMU_UACCESS_H
#define LXEMU_UACCESS_H

#include "../types.h"

struct task;

/* Returns 0 or -LINUX_EFAULT. The whole range needs PROT_READ. */
long copy_from_user(struct task *t, void *dst, u64 usrc, size_t n);
/* Returns 0 or -LINUX_EFAULT. The whole range needs PROT_WRITE. */
long copy_to_user(struct task *t, u64 udst, const void *src, size_t n);
/* Writes n zero bytes to guest memory. Returns 0 or -LINUX_EFAULT. */
long clear_user(struct task *t, u64 udst, size_t n);
/*
 * Copies a NUL-terminated string of at most n bytes including the NUL.
 * Returns its length (dst is terminated), n when no NUL was found within n
 * bytes (dst holds n bytes, unterminated), or -LINUX_EFAULT when the string
 * runs into unreadable memory before its NUL.
 */
long strncpy_from_user(struct task *t, char *dst, u64 usrc, size_t n);
/*
 * Atomically replaces the aligned u32 at uaddr (writable memory) with
 * fn(old, arg) and stores old in *oldp: the futex word operations of the
 * kernel (FUTEX_WAKE_OP, robust-list death).  Host-atomic; the caller also
 * holds the mm's run token where guest atomics are not host-atomic.
 * Returns 0 or -LINUX_EFAULT.
 */
long futex_atomic_update_user(struct task *t, u64 uaddr, u32 (*fn)(u32 old, void *arg),
			      void *arg, u32 *oldp);
/* Length of the prefix of [uaddr, uaddr+n) that allows prot (0: none of it). */
u64 user_access_len(struct task *t, u64 uaddr, u64 n, u32 prot);
struct mm_struct;
/*
 * Copies up to n readable bytes at uaddr of another process's mm (the
 * caller holds a reference: mm_get) into dst, as Linux's access_remote_vm
 * for /proc/PID/cmdline.  Returns how many it copied: the readable prefix.
 */
size_t access_remote_vm(struct mm_struct *mm, u64 uaddr, void *dst, size_t n);
/* Copies a path: -LINUX_ENAMETOOLONG past LINUX_PATH_MAX, -LINUX_EFAULT, or its length. */
long getname(struct task *t, char *dst, u64 upath);

#define LINUX_PATH_MAX 4096

#endif
