/*
 * copy_from_user and friends: the kernel's only door into guest memory.
 * Each walks the VMAs covering the guest range under mmap_lock, checks the
 * protection every piece needs, and only then copies through host memory.
 */
#include <string.h>
#include "uaccess.h"
#include "mm.h"
#include "../kernel/task.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/mman.h"

/*
 * The VMA holding guest address a, growing the stack down to it as Linux's
 * fault handler does for the kernel's own accesses too. Caller holds mmap_lock.
 */
static struct vm_area_struct *uaccess_vma_locked(struct task *t, u64 a)
{
	struct vm_area_struct *v = vma_lookup_locked(t->mm, a);

	if (!v && a < TASK_SIZE &&
	    expand_stack_locked(t->mm, a, t->signal->rlim[LINUX_RLIMIT_STACK].rlim_cur))
		v = vma_lookup_locked(t->mm, a);
	return v;
}

/* Calls fn on each host piece of [uaddr, uaddr+n) once all pieces allow prot. */
static long uaccess_walk(struct task *t, u64 uaddr, size_t n, u32 prot,
			 void (*fn)(u8 *host, size_t len, size_t done, void *arg), void *arg)
{
	struct mm_struct *mm = t->mm;
	u64 end = uaddr + n;
	long ret = 0;

	if (end < uaddr || end > TASK_SIZE)
		return -LINUX_EFAULT;
	if (n == 0)
		return 0;
	mmap_lock(mm);
	for (int pass = 0; pass < 2 && !ret; pass++) {
		for (u64 a = uaddr; a < end;) {
			struct vm_area_struct *v = uaccess_vma_locked(t, a);
			u64 piece_end;
			if (!v || (vma_effective_prot(v) & prot) != prot) {
				ret = -LINUX_EFAULT;
				break;
			}
			piece_end = MIN(end, v->vm_end);
			if (pass == 1)
				fn(v->host + (a - v->vm_start), piece_end - a, a - uaddr, arg);
			a = piece_end;
		}
	}
	mmap_unlock(mm);
	return ret;
}

static void copy_out_piece(u8 *host, size_t len, size_t done, void *arg)
{
	memcpy((u8 *)arg + done, host, len);
}

static void copy_in_piece(u8 *host, size_t len, size_t done, void *arg)
{
	memcpy(host, (const u8 *)arg + done, len);
}

static void clear_piece(u8 *host, size_t len, size_t done, void *arg)
{
	(void)done;
	(void)arg;
	memset(host, 0, len);
}

long copy_from_user(struct task *t, void *dst, u64 usrc, size_t n)
{
	return uaccess_walk(t, usrc, n, LINUX_PROT_READ, copy_out_piece, dst);
}

/* True if part of [uaddr, uaddr+n) is executable: engines may hold translations of it. */
static bool range_has_code(struct mm_struct *mm, u64 uaddr, size_t n)
{
	bool code = false;

	mmap_lock(mm);
	for (struct vm_area_struct *v = find_vma_locked(mm, uaddr); v && v->vm_start < uaddr + n;
	     v = find_vma_locked(mm, v->vm_end))
		code |= (v->vm_prot & LINUX_PROT_EXEC) != 0;
	mmap_unlock(mm);
	return code;
}

/* A kernel write into guest code (read(2) into a JIT buffer) must reach the engines. */
static long written(struct task *t, u64 uaddr, size_t n, long ret)
{
	if (!ret && n && range_has_code(t->mm, uaddr, n))
		mm_code_written(t, uaddr, uaddr + n);
	return ret;
}

long copy_to_user(struct task *t, u64 udst, const void *src, size_t n)
{
	return written(t, udst, n,
		       uaccess_walk(t, udst, n, LINUX_PROT_WRITE, copy_in_piece, (void *)src));
}

long clear_user(struct task *t, u64 udst, size_t n)
{
	return written(t, udst, n, uaccess_walk(t, udst, n, LINUX_PROT_WRITE, clear_piece, NULL));
}

long futex_atomic_update_user(struct task *t, u64 uaddr, u32 (*fn)(u32 old, void *arg),
			      void *arg, u32 *oldp)
{
	struct mm_struct *mm = t->mm;
	struct vm_area_struct *v;
	long ret = -LINUX_EFAULT;

	if ((uaddr & 3) || uaddr >= TASK_SIZE)
		return -LINUX_EFAULT;
	mmap_lock(mm);
	v = uaccess_vma_locked(t, uaddr);
	if (v && (vma_effective_prot(v) & LINUX_PROT_WRITE)) {
		u32 *w = (u32 *)(v->host + (uaddr - v->vm_start));
		u32 old = __atomic_load_n(w, __ATOMIC_RELAXED);
		while (!__atomic_compare_exchange_n(w, &old, fn(old, arg), false, __ATOMIC_SEQ_CST,
						    __ATOMIC_RELAXED))
			;
		*oldp = old;
		ret = 0;
	}
	mmap_unlock(mm);
	return ret;
}

long strncpy_from_user(struct task *t, char *dst, u64 usrc, size_t n)
{
	struct mm_struct *mm = t->mm;
	size_t done = 0;
	long ret = -LINUX_EFAULT;

	mmap_lock(mm);
	while (done < n) {
		struct vm_area_struct *v = uaccess_vma_locked(t, usrc + done);
		if (usrc + done >= TASK_SIZE || !v || !(vma_effective_prot(v) & LINUX_PROT_READ))
			break;
		const u8 *src = v->host + (usrc + done - v->vm_start);
		size_t avail = MIN(n - done, v->vm_end - (usrc + done));
		const u8 *nul = memchr(src, 0, avail);
		size_t len = nul ? (size_t)(nul - src) + 1 : avail;
		memcpy(dst + done, src, len);
		done += len;
		if (nul) {
			ret = (long)done - 1;
			break;
		}
	}
	if (done == n && ret < 0)
		ret = (long)n;
	mmap_unlock(mm);
	return ret;
}

size_t access_remote_vm(struct mm_struct *mm, u64 uaddr, void *dst, size_t n)
{
	size_t done = 0;

	if (uaddr >= TASK_SIZE)
		return 0;
	n = MIN(n, TASK_SIZE - uaddr);
	mmap_lock(mm);
	while (done < n) {
		struct vm_area_struct *v = vma_lookup_locked(mm, uaddr + done);
		size_t len;
		if (!v || !(vma_effective_prot(v) & LINUX_PROT_READ))
			break;
		len = MIN(n - done, v->vm_end - (uaddr + done));
		memcpy((u8 *)dst + done, v->host + (uaddr + done - v->vm_start), len);
		done += len;
	}
	mmap_unlock(mm);
	return done;
}

long getname(struct task *t, char *dst, u64 upath)
{
	long len = strncpy_from_user(t, dst, upath, LINUX_PATH_MAX);

	if (len == LINUX_PATH_MAX)
		return -LINUX_ENAMETOOLONG;
	return len;
}

u64 user_access_len(struct task *t, u64 uaddr, u64 n, u32 prot)
{
	struct mm_struct *mm = t->mm;
	u64 end = uaddr + n, a = uaddr;

	if (end < uaddr || end > TASK_SIZE)
		end = TASK_SIZE;
	mmap_lock(mm);
	while (a < end) {
		struct vm_area_struct *v = uaccess_vma_locked(t, a);
		if (!v || (vma_effective_prot(v) & prot) != prot)
			break;
		a = MIN(end, v->vm_end);
	}
	mmap_unlock(mm);
	return a > uaddr ? a - uaddr : 0;
}
