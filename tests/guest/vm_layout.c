/* vm_layout.c: address-space layout and the range operations: MAP_FIXED and
 * MAP_FIXED_NOREPLACE, hint addresses, top-down placement, the extra mmap
 * flags, munmap/mprotect of page ranges and their errors, mincore, madvise
 * (MADV_DONTNEED zeroes private anonymous pages) and mremap in all its forms. */
#include "guest.h"
#include <sys/mman.h>

#define PG 4096L
#define RW (PROT_READ | PROT_WRITE)

/* Raw calls with every argument a long (syscall() is variadic). */
static long sys5(long nr, long a, long b, long c, long d, long e)
{
    return syscall(nr, a, b, c, d, e);
}
#define L(p) ((long)(p))

static char *anon(void *hint, long len, int prot, int extra)
{
    return mmap(hint, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | extra, -1, 0);
}

static int all_are(const char *p, long len, char c)
{
    for (long i = 0; i < len; i++)
        if (p[i] != c)
            return 0;
    return 1;
}

/* Is [p, p+len) mapped? mincore answers ENOMEM for any hole. */
static int mapped(const char *p, long len)
{
    unsigned char vec[256];
    return len / PG <= 256 && mincore((void *)p, len, vec) == 0;
}

/* A free, page-aligned range of len bytes (mapped, then unmapped). */
static char *free_range(long len)
{
    char *p = anon(NULL, len, PROT_NONE, 0);
    munmap(p, len);
    return p;
}

static void test_fixed(void)
{
    char *r = anon(NULL, 16 * PG, RW, 0);
    memset(r, 'r', 16 * PG);
    CHECK_EQ(munmap(r + 12 * PG, 4 * PG), 0);          /* top 4 pages free */
    char *f = anon(r + 3 * PG, 2 * PG, PROT_READ, MAP_FIXED);
    CHECK(f == r + 3 * PG);
    CHECK(all_are(f, 2 * PG, 0));                       /* fresh zero pages */
    CHECK(all_are(r, 3 * PG, 'r') && all_are(r + 5 * PG, 7 * PG, 'r'));
    /* MAP_FIXED across the end of the mapping into the free pages */
    f = anon(r + 10 * PG, 4 * PG, RW, MAP_FIXED);
    CHECK(f == r + 10 * PG && all_are(f, 4 * PG, 0) && all_are(r + 9 * PG, PG, 'r'));
    CHECK(mapped(r, 14 * PG));
    CHECK_ERR(sys5(SYS_mmap, L(r) + 1, PG, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1), EINVAL);

    /* MAP_FIXED_NOREPLACE: EEXIST on any overlap, success on a free range */
    CHECK_ERR(anon(r, PG, RW, MAP_FIXED_NOREPLACE), EEXIST);
    CHECK_ERR(anon(r + 13 * PG, 4 * PG, RW, MAP_FIXED_NOREPLACE), EEXIST);   /* partial */
    CHECK(all_are(r, 3 * PG, 'r'));                     /* nothing replaced */
    CHECK(anon(r + 14 * PG, 2 * PG, RW, MAP_FIXED_NOREPLACE) == r + 14 * PG);
    CHECK_ERR(sys5(SYS_mmap, L(r) + 1, PG, RW, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1), EINVAL);
    CHECK_EQ(munmap(r, 16 * PG), 0);
}

static void test_hints(void)
{
    char *h = free_range(8 * PG);
    CHECK(anon(h, 8 * PG, RW, 0) == h);                 /* free hint honoured */
    char *t = anon(h, 2 * PG, RW, 0);                   /* taken hint: elsewhere */
    CHECK(t != MAP_FAILED && t != h && (t + 2 * PG <= h || t >= h + 8 * PG));
    munmap(t, 2 * PG);
    munmap(h, 8 * PG);
    /* an unaligned free hint is rounded down to its page */
    CHECK(anon(h + PG + 123, PG, RW, 0) == h + PG);
    munmap(h + PG, PG);
    /* top-down: each new mapping goes right below the previous one */
    char *a = anon(NULL, 16 * PG, RW, 0);
    char *b = anon(NULL, 16 * PG, RW, 0);
    char *c = anon(NULL, 3 * PG, PROT_READ, 0);
    CHECK(b < a && b + 16 * PG == a);
    CHECK(c < b && c + 3 * PG == b);
    munmap(a, 16 * PG);
    munmap(b, 16 * PG);
    munmap(c, 3 * PG);
    /* the freed space is reused */
    CHECK(anon(NULL, 35 * PG, RW, 0) == c);
    munmap(c, 35 * PG);
}

static void test_flags(void)
{
    static const struct { int flag; const char *name; } tab[] = {
        {MAP_GROWSDOWN, "MAP_GROWSDOWN"}, {MAP_STACK, "MAP_STACK"},
        {MAP_NORESERVE, "MAP_NORESERVE"}, {MAP_POPULATE, "MAP_POPULATE"},
    };
    char what[64];
    for (unsigned i = 0; i < sizeof tab / sizeof tab[0]; i++) {
        char *p = anon(NULL, 4 * PG, RW, tab[i].flag);
        int ok = p != MAP_FAILED && all_are(p, 4 * PG, 0);
        if (ok) {
            memset(p, 'f', 4 * PG);
            ok = all_are(p, 4 * PG, 'f');
            munmap(p, 4 * PG);
        }
        snprintf(what, sizeof what, "%s: mapped, zeroed, writable", tab[i].name);
        check_at(ok, what, __LINE__);
    }
    /* MAP_POPULATE makes every page resident at once */
    unsigned char vec[8];
    char *p = anon(NULL, 8 * PG, RW, MAP_POPULATE);
    CHECK(mincore(p, 8 * PG, vec) == 0 && (vec[0] & vec[3] & vec[7] & 1));
    munmap(p, 8 * PG);
    CHECK_ERR(mmap(NULL, PG, RW, MAP_SHARED | MAP_ANONYMOUS | MAP_GROWSDOWN, -1, 0), EINVAL);
}

static void test_munmap(void)
{
    char *p = anon(NULL, 8 * PG, RW, 0);
    memset(p, 'm', 8 * PG);
    CHECK_EQ(munmap(p + 3 * PG, 2 * PG), 0);
    CHECK(!mapped(p + 3 * PG, PG) && !mapped(p + 4 * PG, PG));
    CHECK(all_are(p, 3 * PG, 'm') && all_are(p + 5 * PG, 3 * PG, 'm'));
    p[0] = 'x';
    p[8 * PG - 1] = 'y';
    CHECK(p[0] == 'x' && p[8 * PG - 1] == 'y');
    CHECK_EQ(munmap(p + 3 * PG, 2 * PG), 0);           /* already unmapped */
    CHECK_ERR(sys5(SYS_munmap, L(p) + 1, PG, 0, 0, 0), EINVAL);
    CHECK_ERR(sys5(SYS_munmap, L(p), 0, 0, 0, 0), EINVAL);
    CHECK_ERR(sys5(SYS_munmap, -PG, PG, 0, 0, 0), EINVAL);
    CHECK_ERR(sys5(SYS_munmap, 0x7ffffffff000L, 2 * PG, 0, 0, 0), EINVAL);
    CHECK_EQ(munmap(p, 8 * PG), 0);                     /* spans the hole */
    CHECK(!mapped(p, PG) && !mapped(p + 7 * PG, PG));
}

static void test_mprotect(void)
{
    char *p = anon(NULL, 6 * PG, RW, 0);
    for (int i = 0; i < 6; i++)
        memset(p + i * PG, '0' + i, PG);
    CHECK_EQ(mprotect(p + PG, PG, PROT_READ), 0);
    CHECK_EQ(mprotect(p + 2 * PG, 2 * PG, PROT_NONE), 0);
    CHECK_EQ(mprotect(p + 4 * PG, PG, PROT_READ | PROT_EXEC), 0);
    CHECK(p[0] == '0' && p[PG] == '1' && p[4 * PG] == '4' && p[5 * PG] == '5');
    CHECK(all_are(p + PG, PG, '1') && all_are(p + 4 * PG, PG, '4'));
    CHECK_EQ(mprotect(p + 2 * PG, PG, PROT_READ), 0);   /* part of the NONE range */
    CHECK(all_are(p + 2 * PG, PG, '2'));
    CHECK_EQ(mprotect(p, 6 * PG, RW), 0);               /* merge back */
    CHECK(all_are(p + 3 * PG, PG, '3'));
    memset(p, 'w', 6 * PG);
    CHECK(all_are(p, 6 * PG, 'w'));
    CHECK_EQ(mprotect(p, 0, PROT_READ), 0);
    CHECK_EQ(sys5(SYS_mprotect, L(p), 1, PROT_READ | PROT_WRITE, 0, 0), 0);   /* rounds up */
    CHECK_ERR(sys5(SYS_mprotect, L(p) + 1, PG, PROT_READ, 0, 0), EINVAL);
    CHECK_ERR(sys5(SYS_mprotect, L(p), PG, 0x1000, 0, 0), EINVAL);
    CHECK_ERR(sys5(SYS_mprotect, L(p), PG, PROT_READ | PROT_GROWSDOWN, 0, 0), EINVAL);
    CHECK_EQ(munmap(p + 4 * PG, 2 * PG), 0);
    CHECK_ERR(sys5(SYS_mprotect, L(p) + 4 * PG, PG, PROT_READ, 0, 0), ENOMEM);
    CHECK_ERR(sys5(SYS_mprotect, L(p) + 3 * PG, 2 * PG, PROT_READ, 0, 0), ENOMEM);
    CHECK(all_are(p, 4 * PG, 'w'));
    munmap(p, 4 * PG);
}

static void test_mincore(void)
{
    unsigned char vec[8];
    char *p = anon(NULL, 6 * PG, RW, 0);
    p[0] = 1;
    p[2 * PG + 5] = 1;
    memset(vec, 0xee, sizeof vec);
    CHECK_EQ(mincore(p, 3 * PG + 1, vec), 0);           /* 4 pages: 4 bytes */
    CHECK((vec[0] & 1) && (vec[2] & 1));                 /* touched: resident */
    CHECK(vec[4] == 0xee && vec[5] == 0xee);            /* nothing more written */
    CHECK_EQ(sys5(SYS_mincore, L(p), 0, L(vec), 0, 0), 0);
    CHECK_ERR(sys5(SYS_mincore, L(p) + 1, PG, L(vec), 0, 0), EINVAL);
    CHECK_ERR(sys5(SYS_mincore, L(p), PG, 1, 0, 0), EFAULT);
    munmap(p + 4 * PG, 2 * PG);
    CHECK_ERR(sys5(SYS_mincore, L(p) + 3 * PG, 2 * PG, L(vec), 0, 0), ENOMEM);
    CHECK_ERR(sys5(SYS_mincore, L(p) + 4 * PG, PG, L(vec), 0, 0), ENOMEM);
    munmap(p, 4 * PG);
}

static void test_madvise(void)
{
    char *p = anon(NULL, 4 * PG, RW, 0);
    memset(p, 'd', 4 * PG);
    CHECK_EQ(madvise(p + PG, 2 * PG, MADV_DONTNEED), 0);
    CHECK(all_are(p, PG, 'd') && all_are(p + PG, 2 * PG, 0) && all_are(p + 3 * PG, PG, 'd'));
    p[PG] = 'n';                                        /* still writable */
    CHECK(p[PG] == 'n');
    CHECK_EQ(madvise(p, 4 * PG, MADV_NORMAL), 0);
    CHECK_EQ(madvise(p, 4 * PG, MADV_WILLNEED), 0);
    CHECK_EQ(madvise(p, 4 * PG, MADV_SEQUENTIAL), 0);
    CHECK_EQ(madvise(p, 4 * PG, MADV_RANDOM), 0);
    CHECK(p[0] == 'd' && p[PG] == 'n');                  /* hints change nothing */
    CHECK_ERR(sys5(SYS_madvise, L(p) + 1, PG, MADV_DONTNEED, 0, 0), EINVAL);
    CHECK_ERR(sys5(SYS_madvise, L(p), PG, 12345, 0, 0), EINVAL);
    munmap(p + 3 * PG, PG);
    CHECK_ERR(sys5(SYS_madvise, L(p) + 2 * PG, 2 * PG, MADV_DONTNEED, 0, 0), ENOMEM);
    CHECK_ERR(sys5(SYS_madvise, L(p) + 3 * PG, PG, MADV_NORMAL, 0, 0), ENOMEM);
    munmap(p, 3 * PG);
    /* shared anonymous memory keeps its data: the pages belong to the object */
    char *s = mmap(NULL, 2 * PG, RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    memset(s, 's', 2 * PG);
    CHECK_EQ(madvise(s, 2 * PG, MADV_DONTNEED), 0);
    CHECK(all_are(s, 2 * PG, 's'));
    munmap(s, 2 * PG);
}

static void test_mremap(void)
{
    /* shrink in place: the tail is unmapped */
    char *p = anon(NULL, 8 * PG, RW, 0);
    memset(p, 'a', 8 * PG);
    CHECK(mremap(p, 8 * PG, 3 * PG, 0) == p);
    CHECK(all_are(p, 3 * PG, 'a') && !mapped(p + 3 * PG, PG));
    /* grow in place into the free pages just released */
    CHECK(mremap(p, 3 * PG, 6 * PG, 0) == p);
    CHECK(all_are(p, 3 * PG, 'a') && all_are(p + 3 * PG, 3 * PG, 0));
    /* next page taken: no growth without MREMAP_MAYMOVE */
    char *blk = anon(p + 6 * PG, PG, PROT_READ, MAP_FIXED_NOREPLACE);
    CHECK(blk == p + 6 * PG);
    CHECK_ERR(sys5(SYS_mremap, L(p), 6 * PG, 8 * PG, 0, 0), ENOMEM);
    char *q = mremap(p, 6 * PG, 64 * PG, MREMAP_MAYMOVE);
    CHECK(q != MAP_FAILED && q != p);
    CHECK(q != MAP_FAILED && all_are(q, 3 * PG, 'a') && all_are(q + 3 * PG, 61 * PG, 0));
    CHECK(!mapped(p, PG) && mapped(blk, PG));           /* old range gone */
    memset(q + 63 * PG, 'e', PG);                       /* new tail writable */
    munmap(blk, PG);
    /* MREMAP_FIXED: move to a chosen address, replacing what is there */
    char *dst = anon(NULL, 4 * PG, RW, 0);
    memset(dst, 'z', 4 * PG);
    char *m = mremap(q, 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, dst + PG);
    CHECK(m == dst + PG);
    CHECK(all_are(dst, PG, 'z') && all_are(dst + PG, 2 * PG, 'a') && all_are(dst + 3 * PG, PG, 'z'));
    CHECK(!mapped(q, 2 * PG) && mapped(q + 2 * PG, 62 * PG));
    CHECK(all_are(q + 2 * PG, PG, 'a') && q[63 * PG] == 'e');
    char *fr = free_range(3 * PG);
    CHECK(mremap(q + 2 * PG, PG, 3 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, fr) == fr);
    CHECK(all_are(fr, PG, 'a') && all_are(fr + PG, 2 * PG, 0));
    /* errors */
    CHECK_ERR(sys5(SYS_mremap, L(dst), PG, 2 * PG, MREMAP_FIXED, L(fr)), EINVAL);
    CHECK_ERR(sys5(SYS_mremap, L(dst) + 1, PG, 2 * PG, MREMAP_MAYMOVE, 0), EINVAL);
    CHECK_ERR(sys5(SYS_mremap, L(dst), PG, 0, MREMAP_MAYMOVE, 0), EINVAL);
    CHECK_ERR(sys5(SYS_mremap, L(dst), PG, 2 * PG, 0x10, 0), EINVAL);
    CHECK_ERR(sys5(SYS_mremap, L(dst), 2 * PG, 2 * PG, MREMAP_MAYMOVE | MREMAP_FIXED, L(dst) + PG), EINVAL);
    CHECK_ERR(sys5(SYS_mremap, L(dst), PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, L(fr) + 1), EINVAL);
    CHECK_ERR(sys5(SYS_mremap, L(q), PG, 2 * PG, MREMAP_MAYMOVE, 0), EFAULT);       /* unmapped */
    CHECK_ERR(sys5(SYS_mremap, L(fr) + 2 * PG, 2 * PG, 4 * PG, MREMAP_MAYMOVE, 0), EFAULT); /* runs off */
    munmap(fr, 3 * PG);
    munmap(dst, 4 * PG);
    munmap(q, 64 * PG);
}

int main(void)
{
    test_fixed();
    test_hints();
    test_flags();
    test_munmap();
    test_mprotect();
    test_mincore();
    test_madvise();
    test_mremap();
    return guest_done();
}
