/*
 * The guest address space: a sorted array of VMAs over host memory that is
 * never at the guest address.  Host memory comes in chunks: each 4 GiB-aligned
 * guest range in use is one host reservation, so neighbouring VMAs have
 * neighbouring host memory and an engine maps a run of them as one Unicorn
 * region.  A VMA never crosses a chunk boundary.  Engines map lazily on fault
 * and are told to drop ranges that change (mm_sync_engines).
 */
#ifndef LXEMU_MM_H
#define LXEMU_MM_H

#include <pthread.h>
#include <time.h>
#include <stdatomic.h>
#include "../types.h"

struct task;
struct file;
struct atomic_site;

/* vm_flags */
#define VM_SHARED 0x1
#define VM_GROWSDOWN 0x2
#define VM_HEAP 0x4
#define VM_STACK 0x8
#define VM_HOSTMAP 0x10 /* host pages are a host mapping of vm_file, not plain memory */
/*
 * A private file mapping that could be written, so Linux gives it an
 * anon_vma and never merges it with one that has none (RELRO shows this).
 */
#define VM_ANONVMA 0x20

struct vm_area_struct {
	u64 vm_start, vm_end;
	u32 vm_prot;  /* LINUX_PROT_* */
	u32 vm_flags; /* VM_* */
	u8 *host;     /* host address of vm_start (the VMA lies in one chunk) */
	struct file *vm_file; /* a reference: the mapped file, or a memfd for shared anon */
	u64 vm_pgoff; /* file offset in pages */
	u64 dev, ino; /* file identity for /proc/PID/maps */
	char *path;   /* file path for maps, or NULL */
};

#define CHUNK_SHIFT 32
#define CHUNK_SIZE (1ULL << CHUNK_SHIFT)

/* One host reservation behind the guest range [index << CHUNK_SHIFT, +CHUNK_SIZE). */
struct mm_chunk {
	u64 index;
	u8 *base;
};

/* Guest layout, as Linux lays it out without randomization. */
#define TASK_SIZE 0x7ffffffff000ULL
#define STACK_TOP TASK_SIZE
#define MMAP_BASE 0x7ffff7fff000ULL
#define ET_DYN_BASE 0x555555554000ULL
#define MMAP_MIN_ADDR 0x10000ULL
#define STACK_GUARD_GAP (256 * PAGE_SIZE)

/*
 * The right to run guest code in this mm (sched.c).  Taking turns
 * (--smp=turns, or an mm whose code can change under the engines): one
 * runner at a time, in a fair ticket queue; a waiter that waits past a time
 * slice asks the runner to yield.  In parallel (--smp=atomic): runners share
 * the token and address-space changes take it exclusively (a ticket), after
 * asking every runner to stop at its next block boundary (the TLB shootdown).
 */
struct mm_cpu {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	/* guarded by lock */
	u64 next_ticket, serving;
	struct task *runner;   /* the exclusive holder */
	struct timespec since; /* when runner took its turn (CLOCK_MONOTONIC) */
	int nr_shared;         /* runners sharing the token */
	/* changed only by an exclusive holder; read by acquirers under lock */
	bool parallel;
};

struct mm_struct {
	atomic_int users;
	pthread_mutex_t mmap_lock;
	struct mm_cpu cpu;
	/* guarded by mmap_lock */
	struct vm_area_struct *vmas;
	int nr_vmas, cap_vmas;
	struct mm_chunk *chunks; /* sorted by index */
	int nr_chunks;
	u64 start_brk, brk;
	u64 start_data, end_data; /* for RLIMIT_DATA, as Linux's check_data_rlimit */
	u64 mmap_base;
	u64 start_stack;
	u64 arg_start, arg_end, env_start, env_end;
	char *exe_path; /* the program's guest path (/proc/PID/exe): set at load, then fixed */
	/* x87 instructions the engines must run on the host FPU (cpu/x87.c) */
	u64 *x87_sites;
	int nr_x87_sites, cap_x87_sites;
	/*
	 * Instructions lxemu runs itself (cpu/atomic.c); append-only.  Until
	 * the mm has a second thread, only Unicorn's fix-ups; from then on in
	 * --smp=atomic (atomic_all), every atomic instruction too.
	 */
	struct atomic_site *atomic_sites;
	int nr_atomic_sites, cap_atomic_sites;
	bool atomic_all;
};

struct mm_struct *mm_alloc(void);
/* The code in [start, end) may have changed: rescans it and decides turns or parallel. */
void mm_code_changed(struct task *t, u64 start, u64 end);
/* t's mm gets a second thread (clone, before the child runs): in --smp=atomic, go parallel. */
void mm_threads_begin(struct task *t);
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
 * Inserts VMAs for [start, start+len) over zeroed host memory, one per chunk
 * the range touches.  The range must be free.  Returns the first or an ERR_PTR.
 */
struct vm_area_struct *mm_insert_anon_locked(struct mm_struct *mm, u64 start, u64 len,
					     u32 prot, u32 flags);
/* The host address behind guest addr, reserving its chunk if need be; NULL on failure. */
u8 *mm_host_reserve_locked(struct mm_struct *mm, u64 addr);
/* The host address behind guest addr in an existing chunk, or NULL. */
u8 *mm_host_locked(struct mm_struct *mm, u64 addr);
/* Gives host pages back and leaves them zeroed plain memory (chunk.c). */
void mm_host_release(u8 *host, u64 len, bool hostmap);
void mm_free_chunks(struct mm_struct *mm);
/*
 * Makes the fresh anonymous VMAs of [start, end) host mappings of f from
 * offset off (anon: the memfd behind shared anonymous memory).
 */
long mm_attach_file_locked(struct mm_struct *mm, u64 start, u64 end, struct file *f, s64 off,
			   bool shared, bool anon);
/*
 * Maps len bytes of host file f from offset off over host memory at host,
 * shared or private (pages past the end of the file raise SIGBUS, as on Linux).
 */
long vma_map_file_pages(u8 *host, u64 len, struct file *f, s64 off, bool shared);
/* Refills host pages a host mremap moved away with plain zeroed memory. */
void mm_host_release_hole(u8 *host, u64 len);
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
long do_msync(struct task *t, u64 addr, u64 len, int flags);
long do_mincore(struct task *t, u64 addr, u64 len, u64 uvec);
long do_mremap(struct task *t, u64 addr, u64 old_len, u64 new_len, u32 flags, u64 new_addr);
long do_madvise(struct task *t, u64 addr, u64 len, int advice);
/* Places the (empty) heap after the image (loader). */
void mm_init_brk(struct mm_struct *mm, u64 start_brk);
/* Grows a VM_GROWSDOWN VMA down to cover addr if Linux would. Caller holds mmap_lock. */
bool expand_stack_locked(struct mm_struct *mm, u64 addr, u64 stack_limit);
/* Turns host SIGBUS on guest file pages past EOF into the guest's SIGBUS (sigbus.c). */
void mm_install_sigbus_handler(void);
/* A copy of mm for fork: private pages copied, shared mappings shared. */
struct mm_struct *dup_mm(struct mm_struct *old);

/* Splits VMAs so that one starts at start and one at end. */
long vma_split_range_locked(struct mm_struct *mm, u64 start, u64 end);
/* Merges VMAs touching [start, end) with mergeable neighbours. */
void vma_merge_range_locked(struct mm_struct *mm, u64 start, u64 end);

/* Tells every engine of the mm that the code in [start, end) changed. */
void mm_code_written(struct task *t, u64 start, u64 end);
/* A write(2) to f: code mapped from its file may have changed under the engines. */
void mm_file_written(struct task *t, struct file *f);
/* Tells every engine of the mm that [start, end) changed. */
void mm_sync_engines(struct task *t, u64 start, u64 end);

#endif
