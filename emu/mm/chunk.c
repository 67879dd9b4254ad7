/*
 * Host memory behind guest memory.  Each 4 GiB-aligned guest range that
 * holds a VMA is backed by one host reservation (read-write, MAP_NORESERVE:
 * untouched pages cost nothing), so the host address of a guest address is
 * a chunk base plus an offset, and neighbouring VMAs are neighbours on the
 * host too.  Guest code reaches host memory only through engine regions and
 * uaccess, both of which go through the VMAs.
 */
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "mm.h"
#include "../kernel/locking.h"

/* Index of the first chunk with index >= idx. */
static int chunk_pos(struct mm_struct *mm, u64 idx)
{
	int lo = 0, hi = mm->nr_chunks;

	while (lo < hi) {
		int mid = lo + (hi - lo) / 2;
		if (mm->chunks[mid].index < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

u8 *mm_host_locked(struct mm_struct *mm, u64 addr)
{
	u64 idx = addr >> CHUNK_SHIFT;
	int i = chunk_pos(mm, idx);

	if (i == mm->nr_chunks || mm->chunks[i].index != idx)
		return NULL;
	return mm->chunks[i].base + (addr & (CHUNK_SIZE - 1));
}

u8 *mm_host_reserve_locked(struct mm_struct *mm, u64 addr)
{
	u64 idx = addr >> CHUNK_SHIFT;
	int i = chunk_pos(mm, idx);
	struct mm_chunk *c;
	u8 *base;

	if (i < mm->nr_chunks && mm->chunks[i].index == idx)
		return mm->chunks[i].base + (addr & (CHUNK_SIZE - 1));
	base = mmap(NULL, CHUNK_SIZE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (base == MAP_FAILED)
		return NULL;
	c = realloc(mm->chunks, (mm->nr_chunks + 1) * sizeof(*c));
	if (!c) {
		munmap(base, CHUNK_SIZE);
		return NULL;
	}
	mm->chunks = c;
	memmove(&c[i + 1], &c[i], (mm->nr_chunks - i) * sizeof(*c));
	c[i].index = idx;
	c[i].base = base;
	mm->nr_chunks++;
	return base + (addr & (CHUNK_SIZE - 1));
}

void mm_host_release(u8 *host, u64 len, bool hostmap)
{
	/* A host mapping of a file goes back to plain zeroed memory; plain memory is zeroed. */
	if (hostmap)
		mmap(host, len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
	else
		madvise(host, len, MADV_DONTNEED);
}

void mm_host_release_hole(u8 *host, u64 len)
{
	/* After a host mremap moved the pages away: plain memory again, in place. */
	mmap(host, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED,
	     -1, 0);
}

void mm_free_chunks(struct mm_struct *mm)
{
	for (int i = 0; i < mm->nr_chunks; i++)
		munmap(mm->chunks[i].base, CHUNK_SIZE);
	free(mm->chunks);
	mm->chunks = NULL;
	mm->nr_chunks = 0;
}
