/* malloc.c: the C heap on top of brk and mmap: many small blocks with
 * distinct patterns (freed and reallocated in a scattered order), several
 * large (>= 1 MiB, mmap-backed) blocks, realloc growing and shrinking with
 * contents kept, and calloc returning zeroed memory even after reuse. */
#include "guest.h"
#include <stdint.h>

#define NSMALL 10000

static unsigned char pattern(size_t block, size_t i)
{
    return (unsigned char)(block * 31 + i * 7 + 1);
}

static void fill(unsigned char *p, size_t len, size_t block)
{
    for (size_t i = 0; i < len; i++)
        p[i] = pattern(block, i);
}

static int verify(const unsigned char *p, size_t len, size_t block)
{
    for (size_t i = 0; i < len; i++)
        if (p[i] != pattern(block, i))
            return 0;
    return 1;
}

static size_t small_size(size_t i)
{
    return 1 + (i * 37) % 200;
}

static void test_small(void)
{
    static unsigned char *blk[NSMALL];
    int bad = 0, aligned = 1;
    for (size_t i = 0; i < NSMALL; i++) {
        blk[i] = malloc(small_size(i));
        fill(blk[i], small_size(i), i);
        aligned &= ((uintptr_t)blk[i] & 15) == 0;
    }
    for (size_t i = 0; i < NSMALL; i += 3) {           /* scattered frees */
        bad += !verify(blk[i], small_size(i), i);
        free(blk[i]);
        blk[i] = malloc(small_size(i + 1));
        fill(blk[i], small_size(i + 1), i + 1);
    }
    for (size_t i = 0; i < NSMALL; i++) {
        size_t k = i % 3 == 0 ? i + 1 : i;
        bad += !verify(blk[i], small_size(k), k);
        free(blk[i]);
    }
    CHECK(aligned);
    CHECK_EQ(bad, 0);
}

static void test_large(void)
{
    static const size_t sizes[] = {1 << 20, 3 << 20, (8 << 20) + 123, 1500000, 5 << 20};
    unsigned char *blk[5];
    int good = 1;
    for (int i = 0; i < 5; i++) {
        blk[i] = malloc(sizes[i]);
        good &= blk[i] != NULL;
        if (blk[i])
            fill(blk[i], sizes[i], (size_t)i);
    }
    for (int i = 0; i < 5; i++) {
        good &= blk[i] && verify(blk[i], sizes[i], (size_t)i);
        free(blk[i]);
    }
    CHECK(good);
}

static void test_realloc(void)
{
    unsigned char *p = malloc(100);
    fill(p, 100, 5);
    p = realloc(p, 5000);
    CHECK(p && verify(p, 100, 5));
    fill(p, 5000, 6);
    p = realloc(p, 3 << 20);                           /* into mmap territory */
    CHECK(p && verify(p, 5000, 6));
    p = realloc(p, 10);
    CHECK(p && verify(p, 10, 6));
    free(p);
    p = realloc(NULL, 64);
    CHECK(p != NULL);
    free(p);
}

static int zeroed(const unsigned char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i])
            return 0;
    return 1;
}

static void test_calloc(void)
{
    for (int round = 0; round < 3; round++) {
        unsigned char *p = calloc(1000, 10), *q = calloc(1, 2 << 20);
        CHECK(p && q && zeroed(p, 10000) && zeroed(q, 2 << 20));
        memset(p, 0xab, 10000);                         /* dirty for the next round */
        memset(q, 0xcd, 2 << 20);
        free(p);
        free(q);
    }
    volatile size_t tera = (size_t)1 << 40, huge = (size_t)1 << 47;
    errno = 0;
    CHECK(calloc(tera, tera) == NULL && errno == ENOMEM);   /* overflow */
    errno = 0;
    CHECK(malloc(huge) == NULL && errno == ENOMEM);          /* mmap refuses */
}

int main(void)
{
    test_small();
    test_large();
    test_realloc();
    test_calloc();
    return guest_done();
}
