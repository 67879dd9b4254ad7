/*
 * The guest address space: a sorted array of VMAs, each backed by host memory
 * that is never at the guest address.  Engines map VMAs lazily on fault and
 * are told to drop ranges that change (cpu_unmap_range on each engine).
 */
#ifndef LXEMU_MM_H
#define LXEMU_MM_H

#include <pthread.h>
#include <stdatomic.h>
#include "../types.h"

struct task;
struct file;

/* vm_flags */
#define VM_SHARED 0x1
#define VM_GROWSDOWN 0x2
#define VM_HEAP 0x4
#define VM_STACK 0x8
#define VM_HOST_OWNED 0x10 /* host memory is released when the VMA goes */

struct vm_area_struct {
	u64 vm_start, vm_end;
	u32 vm_prot;  /* LINUX_PROT_* */
	u32 vm_flags; /* VM_* */
	u8 *host;     /* host address of vm_start */
	u64 vm_pgoff; /* file offset in pages */
	u64 dev, ino; /* file identity for /proc/PID/maps */
	char *path;   /* file path for maps, or NULL */
};

/* Guest layout, as Linux lays it out without randomization. */
#define TASK_SIZE 0x7ffffffff000ULL
#define STACK_TOP TASK_SIZE
#define STACK_SIZE_MAX (8ULL << 20)
#define MMAP_BASE 0x7ffff7fff000ULL
#define ET_DYN_BASE 0x555555554000ULL
#define HEAP_RESERVE (1ULL << 32)

struct mm_struct {
	atomic_int users;
	pthread_mutex_t mmap_lock;
	/* guarded by mmap_lock */
	struct vm_area_struct *vmas;
	int nr_vmas, cap_vmas;
	u64 start_brk, brk;
	u8 *brk_host;      /* HEAP_RESERVE bytes of host address space */
	u64 brk_committed; /* bytes of brk_host made accessible */
	u64 mmap_base;
	u64 start_stack;
	u64 arg_start, arg_end, env_start, env_end;
	/* x87 instructions the engines must run on the host FPU (cpu/x87.c) */
	u64 *x87_sites;
	int nr_x87_sites, cap_x87_sites;
};

struct mm_struct *mm_alloc(void);
void mmput(struct mm_struct *mm);
struct mm_struct *mm_get(struct mm_struct *mm);

void mmap_lock(struct mm_struct *mm);
void mmap_unlock(struct mm_struct *mm);

/* First VMA with vm_end > addr, or NULL. Caller holds mmap_lock. */
struct vm_area_struct *find_vma_locked(struct mm_struct *mm, u64 addr);
/* The VMA containing addr, or NULL. Caller holds mmap_lock. */
struct vm_area_struct *vma_lookup_locked(struct mm_struct *mm, u64 addr);
/* Effective x86 protection: write or exec imply read. */
u32 vma_effective_prot(const struct vm_area_struct *vma);

/* Inserts a copy of *proto, keeping the array sorted. The range must be free. */
struct vm_area_struct *vma_insert_locked(struct mm_struct *mm, const struct vm_area_struct *proto);
/*
 * Inserts a VMA for [start, start+len) with fresh zeroed host memory.
 * The range must be free.  Returns the VMA or an ERR_PTR.
 */
struct vm_area_struct *mm_insert_anon_locked(struct mm_struct *mm, u64 start, u64 len,
					     u32 prot, u32 flags);
/* Removes [start, end) from the VMAs, splitting as needed; frees host memory. */
long mm_unmap_locked(struct mm_struct *mm, u64 start, u64 end);
/* Changes protection of [start, end); every page must be mapped (else -ENOMEM). */
long mm_protect_locked(struct mm_struct *mm, u64 start, u64 end, u32 prot);
/* A free range of len bytes, top-down below mmap_base, near hint if free. 0 if none. */
u64 get_unmapped_area_locked(struct mm_struct *mm, u64 hint, u64 len);

/* The mmap family, brk (mmap.c, brk.c). */
long do_mmap(struct task *t, u64 addr, u64 len, u32 prot, u32 flags, int fd, s64 off);
long do_munmap(struct task *t, u64 addr, u64 len);
long do_mprotect(struct task *t, u64 addr, u64 len, u32 prot);
u64 do_brk(struct task *t, u64 newbrk);
long do_mremap(struct task *t, u64 addr, u64 old_len, u64 new_len, u32 flags, u64 new_addr);
long do_madvise(struct task *t, u64 addr, u64 len, int advice);
/* Sets up the heap reservation after the image (loader). */
long mm_init_brk(struct mm_struct *mm, u64 start_brk);

/* Splits VMAs so that one starts at start and one at end. */
long vma_split_range_locked(struct mm_struct *mm, u64 start, u64 end);
/* Merges VMAs touching [start, end) with mergeable neighbours. */
void vma_merge_range_locked(struct mm_struct *mm, u64 start, u64 end);

/* Tells every engine of the mm that [start, end) changed. */
void mm_sync_engines(struct task *t, u64 start, u64 end);

#endif
