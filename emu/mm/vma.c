/*
 * VMA bookkeeping: a sorted array of non-overlapping areas with lookup,
 * split, merge, unmap and protection changes.  Caller holds mmap_lock for
 * everything here; engines are told about changes by the callers (mmap.c).
 * A VMA holds a reference to its vm_file and never crosses a chunk.
 */
#include <stdlib.h>
#include <time.h>
#include <string.h>
#include <sys/mman.h>
#include "mm.h"
#include "../kernel/locking.h"
#include "../fs/file.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/mman.h"

struct mm_struct *mm_alloc(void)
{
	struct mm_struct *mm = calloc(1, sizeof(*mm));

	if (!mm)
		return NULL;
	atomic_init(&mm->users, 1);
	pthread_mutex_init(&mm->mmap_lock, NULL);
	pthread_mutex_init(&mm->cpu.lock, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	/* sched.c's time slices are CLOCK_MONOTONIC deadlines. */
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&mm->cpu.cond, &ca);
	pthread_condattr_destroy(&ca);
	mm->mmap_base = MMAP_BASE;
	return mm;
}

static void vma_remove_index(struct mm_struct *mm, int i);

struct mm_struct *mm_get(struct mm_struct *mm)
{
	atomic_fetch_add(&mm->users, 1);
	return mm;
}

void mmput(struct mm_struct *mm)
{
	if (atomic_fetch_sub(&mm->users, 1) != 1)
		return;
	mmap_lock(mm);
	while (mm->nr_vmas) /* the chunks go whole: no need to give pages back one by one */
		vma_remove_index(mm, mm->nr_vmas - 1);
	mm_free_chunks(mm);
	mmap_unlock(mm);
	free(mm->vmas);
	free(mm->x87_sites);
	free(mm->atomic_sites);
	free(mm->exe_path);
	pthread_mutex_destroy(&mm->mmap_lock);
	free(mm);
}

void mmap_lock(struct mm_struct *mm) { pthread_mutex_lock(&mm->mmap_lock); }
void mmap_unlock(struct mm_struct *mm) { pthread_mutex_unlock(&mm->mmap_lock); }

/* Index of the first VMA with vm_end > addr (nr_vmas if none). */
static int vma_index(struct mm_struct *mm, u64 addr)
{
	int lo = 0, hi = mm->nr_vmas;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (mm->vmas[mid].vm_end > addr)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

struct vm_area_struct *find_vma_locked(struct mm_struct *mm, u64 addr)
{
	int i = vma_index(mm, addr);

	return i < mm->nr_vmas ? &mm->vmas[i] : NULL;
}

struct vm_area_struct *vma_lookup_locked(struct mm_struct *mm, u64 addr)
{
	struct vm_area_struct *vma = find_vma_locked(mm, addr);

	return vma && vma->vm_start <= addr ? vma : NULL;
}

u32 vma_effective_prot(const struct vm_area_struct *vma)
{
	u32 prot = vma->vm_prot & (LINUX_PROT_READ | LINUX_PROT_WRITE | LINUX_PROT_EXEC);

	if (prot & (LINUX_PROT_WRITE | LINUX_PROT_EXEC))
		prot |= LINUX_PROT_READ;
	return prot;
}

/* Opens a hole at index i. Returns 0 or -ENOMEM. */
static int vma_make_room(struct mm_struct *mm, int i)
{
	if (mm->nr_vmas == mm->cap_vmas) {
		int cap = mm->cap_vmas ? mm->cap_vmas * 2 : 16;
		struct vm_area_struct *v = realloc(mm->vmas, cap * sizeof(*v));
		if (!v)
			return -LINUX_ENOMEM;
		mm->vmas = v;
		mm->cap_vmas = cap;
	}
	memmove(&mm->vmas[i + 1], &mm->vmas[i], (mm->nr_vmas - i) * sizeof(mm->vmas[0]));
	mm->nr_vmas++;
	return 0;
}

static void vma_remove_index(struct mm_struct *mm, int i)
{
	if (mm->vmas[i].vm_file)
		fput(mm->vmas[i].vm_file);
	free(mm->vmas[i].path);
	memmove(&mm->vmas[i], &mm->vmas[i + 1], (mm->nr_vmas - i - 1) * sizeof(mm->vmas[0]));
	mm->nr_vmas--;
}

struct vm_area_struct *vma_insert_locked(struct mm_struct *mm,
						const struct vm_area_struct *proto)
{
	int i = vma_index(mm, proto->vm_start);

	if (i < mm->nr_vmas && mm->vmas[i].vm_start < proto->vm_end)
		panic("vma_insert: [%#llx, %#llx) overlaps", (unsigned long long)proto->vm_start,
		      (unsigned long long)proto->vm_end);
	if (vma_make_room(mm, i))
		return ERR_PTR(-LINUX_ENOMEM);
	mm->vmas[i] = *proto;
	return &mm->vmas[i];
}

/* Splits the VMA containing addr so that a VMA starts at addr. */
static int vma_split_at(struct mm_struct *mm, u64 addr)
{
	int i = vma_index(mm, addr);
	struct vm_area_struct *v;
	u64 off;

	if (i == mm->nr_vmas || mm->vmas[i].vm_start >= addr)
		return 0;
	if (vma_make_room(mm, i + 1))
		return -LINUX_ENOMEM;
	v = &mm->vmas[i];
	off = addr - v->vm_start;
	mm->vmas[i + 1] = *v;
	mm->vmas[i + 1].vm_start = addr;
	mm->vmas[i + 1].host = v->host + off;
	mm->vmas[i + 1].vm_pgoff = v->vm_pgoff + off / PAGE_SIZE;
	mm->vmas[i + 1].path = v->path ? strdup(v->path) : NULL;
	if (v->vm_file)
		get_file(v->vm_file);
	v->vm_end = addr;
	return 0;
}

long vma_split_range_locked(struct mm_struct *mm, u64 start, u64 end)
{
	return vma_split_at(mm, start) || vma_split_at(mm, end) ? -LINUX_ENOMEM : 0;
}

static bool vma_can_merge(const struct vm_area_struct *a, const struct vm_area_struct *b)
{
	u64 len = a->vm_end - a->vm_start;

	if (a->vm_end != b->vm_start || a->vm_prot != b->vm_prot || a->vm_flags != b->vm_flags)
		return false;
	if ((a->vm_start >> CHUNK_SHIFT) != (b->vm_start >> CHUNK_SHIFT))
		return false; /* a VMA never crosses a chunk */
	if (a->vm_file != b->vm_file || a->dev != b->dev || a->ino != b->ino)
		return false;
	if (a->vm_file && a->vm_pgoff + len / PAGE_SIZE != b->vm_pgoff)
		return false;
	return (!a->path && !b->path) || (a->path && b->path && !strcmp(a->path, b->path));
}

/* Merges VMAs that touch [start, end) with their neighbours where Linux would. */
void vma_merge_range_locked(struct mm_struct *mm, u64 start, u64 end)
{
	int i = vma_index(mm, start ? start - 1 : 0);

	while (i + 1 < mm->nr_vmas && mm->vmas[i].vm_start < end) {
		if (vma_can_merge(&mm->vmas[i], &mm->vmas[i + 1])) {
			mm->vmas[i].vm_end = mm->vmas[i + 1].vm_end;
			vma_remove_index(mm, i + 1);
		} else {
			i++;
		}
	}
}

struct vm_area_struct *mm_insert_anon_locked(struct mm_struct *mm, u64 start, u64 len,
					     u32 prot, u32 flags)
{
	struct vm_area_struct *first = NULL;
	u64 end = start + len;

	for (u64 a = start; a < end;) {
		u64 e = MIN(end, ((a >> CHUNK_SHIFT) + 1) << CHUNK_SHIFT);
		struct vm_area_struct proto = {
			.vm_start = a, .vm_end = e, .vm_prot = prot, .vm_flags = flags,
			.host = mm_host_reserve_locked(mm, a),
		};
		struct vm_area_struct *v = proto.host ? vma_insert_locked(mm, &proto) : NULL;
		if (IS_ERR_OR_NULL(v)) {
			mm_unmap_locked(mm, start, a);
			return ERR_PTR(-LINUX_ENOMEM);
		}
		if (!first)
			first = v;
		a = e;
	}
	/* Inserting later pieces may have moved the array: look the first one up again. */
	return first ? vma_lookup_locked(mm, start) : ERR_PTR(-LINUX_EINVAL);
}

/* Gives the host memory behind a removed range back, zeroed for the next user. */
static void vma_release_host(struct vm_area_struct *v)
{
	if (v->host)
		mm_host_release(v->host, v->vm_end - v->vm_start, v->vm_flags & VM_HOSTMAP);
}

long mm_unmap_locked(struct mm_struct *mm, u64 start, u64 end)
{
	int i;

	if (vma_split_at(mm, start) || vma_split_at(mm, end))
		return -LINUX_ENOMEM;
	i = vma_index(mm, start);
	while (i < mm->nr_vmas && mm->vmas[i].vm_start < end) {
		vma_release_host(&mm->vmas[i]);
		vma_remove_index(mm, i);
	}
	return 0;
}

/* True when every page of [start, end) belongs to some VMA. */
static bool range_fully_mapped(struct mm_struct *mm, u64 start, u64 end)
{
	u64 addr = start;

	for (int i = vma_index(mm, start); addr < end; i++) {
		if (i == mm->nr_vmas || mm->vmas[i].vm_start > addr)
			return false;
		addr = mm->vmas[i].vm_end;
	}
	return true;
}

long mm_protect_locked(struct mm_struct *mm, u64 start, u64 end, u32 prot)
{
	int i;

	if (!range_fully_mapped(mm, start, end))
		return -LINUX_ENOMEM;
	if (vma_split_at(mm, start) || vma_split_at(mm, end))
		return -LINUX_ENOMEM;
	for (i = vma_index(mm, start); i < mm->nr_vmas && mm->vmas[i].vm_start < end; i++) {
		struct vm_area_struct *v = &mm->vmas[i];
		v->vm_prot = prot;
		if ((prot & LINUX_PROT_WRITE) && v->vm_file && !(v->vm_flags & VM_SHARED))
			v->vm_flags |= VM_ANONVMA;
	}
	vma_merge_range_locked(mm, start, end);
	return 0;
}

/* True if [start, start+len) touches no VMA (and no heap reservation gap rules yet). */
static bool range_free(struct mm_struct *mm, u64 start, u64 len)
{
	struct vm_area_struct *v = find_vma_locked(mm, start);

	return !v || v->vm_start >= start + len;
}

u64 get_unmapped_area_locked(struct mm_struct *mm, u64 hint, u64 len)
{
	u64 top = mm->mmap_base;

	if (len > top)
		return 0;
	hint = PAGE_ALIGN_DOWN(hint);
	if (hint && hint + len <= TASK_SIZE && hint + len > hint && range_free(mm, hint, len))
		return hint;
	/* Walk down from mmap_base through the gaps between VMAs. */
	for (int i = vma_index(mm, top) - 1; ; i--) {
		u64 gap_end = top;
		u64 gap_start = i >= 0 ? mm->vmas[i].vm_end : PAGE_SIZE * 16;
		if (i + 1 < mm->nr_vmas && mm->vmas[i + 1].vm_start < gap_end)
			gap_end = mm->vmas[i + 1].vm_start;
		if (gap_end >= gap_start + len && gap_end - len >= gap_start)
			return gap_end - len;
		if (i < 0)
			return 0;
		top = mm->vmas[i].vm_start;
	}
}

bool expand_stack_locked(struct mm_struct *mm, u64 addr, u64 stack_limit)
{
	int i = vma_index(mm, addr);
	struct vm_area_struct *v = i < mm->nr_vmas ? &mm->vmas[i] : NULL;
	u64 new_start = PAGE_ALIGN_DOWN(addr);

	if (!v || !(v->vm_flags & VM_GROWSDOWN) || addr >= v->vm_start)
		return false;
	if (v->vm_end - new_start > stack_limit)
		return false;
	/* Linux keeps a guard gap between a stack and the mapping below it. */
	if (i > 0 && mm->vmas[i - 1].vm_end + STACK_GUARD_GAP > new_start)
		return false;
	if ((new_start >> CHUNK_SHIFT) != (v->vm_start >> CHUNK_SHIFT))
		return false;
	v->vm_start = new_start;
	v->host = mm_host_locked(mm, new_start);
	return true;
}
