/*
 * Allocator benchmark: COUNT malloc/free operations on a pool of POOL live
 * blocks with sizes from 16 B to 64 KiB (log-uniform, so small blocks are
 * common and large ones regular).
 *
 * Each step frees a random slot's block (checking the pattern written into
 * it) and allocates a new one in its place, writing its first and last bytes
 * and one byte per 4 KiB. With musl the allocator takes memory from the
 * kernel with brk/mmap and returns it with munmap/madvise, so this mixes
 * allocator CPU work with address-space churn. The printed checksum depends
 * only on the sizes and patterns, never on addresses.
 *
 * usage: malloc_churn [COUNT [POOL]]   (default 2000000 1024)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static uint64_t rng = 0x2545f4914f6cdd1dull;

static uint32_t next_rand(void)   /* xorshift64 */
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

/* 16 B .. 64 KiB: a random power of two 2^4..2^15, times 1..2. */
static size_t random_size(void)
{
    uint32_t r = next_rand();
    size_t base = (size_t)16 << (r % 12);
    return base + (r >> 8) % base;
}

struct block {
    unsigned char *p;
    size_t size;
    unsigned char tag;
};

static unsigned long touch(struct block *b)
{
    unsigned long sum = 0;
    for (size_t off = 0; off + 1 < b->size; off += 4096) {
        b->p[off] = (unsigned char)(b->tag + off / 4096);
        sum += b->p[off];
    }
    b->p[b->size - 1] = b->tag;
    return sum + b->tag;
}

static int intact(const struct block *b)
{
    for (size_t off = 0; off + 1 < b->size; off += 4096)
        if (b->p[off] != (unsigned char)(b->tag + off / 4096))
            return 0;
    return b->p[b->size - 1] == b->tag;
}

int main(int argc, char **argv)
{
    long count = argc > 1 ? atol(argv[1]) : 2000000;
    long pool = argc > 2 ? atol(argv[2]) : 1024;
    struct block *blocks = calloc((size_t)pool, sizeof *blocks);
    unsigned long sum = 0, bytes = 0;

    if (!blocks || pool < 1)
        return 1;
    for (long i = 0; i < count; i++) {
        struct block *b = &blocks[next_rand() % pool];
        if (b->p) {
            if (!intact(b)) {
                fprintf(stderr, "step %ld: block corrupted\n", i);
                return 1;
            }
            free(b->p);
        }
        b->size = random_size();
        b->tag = (unsigned char)i;
        b->p = malloc(b->size);
        if (!b->p) {
            fprintf(stderr, "step %ld: malloc(%zu) failed\n", i, b->size);
            return 1;
        }
        bytes += b->size;
        sum += touch(b);
    }
    for (long k = 0; k < pool; k++) {
        if (blocks[k].p && !intact(&blocks[k])) {
            fprintf(stderr, "final check: block corrupted\n");
            return 1;
        }
        free(blocks[k].p);
    }
    free(blocks);

    printf("malloc_churn: %ld mallocs, %lu MiB total, checksum %lu\n", count,
           bytes >> 20, sum);
    return 0;
}
