/* mmap.c: anonymous and private file mappings: zero fill, page alignment,
 * MAP_FIXED replacement inside a reservation, partial munmap, mprotect
 * (read-only then writable), mremap grow/move keeping contents, a
 * MAP_PRIVATE file mapping (copy on write: the file is unchanged), EINVALs. */
#include "guest.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>

#define PG 4096UL

static int is_zero(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (p[i])
            return 0;
    return 1;
}

static void *anon(void *hint, size_t len, int prot, int extra)
{
    return mmap(hint, len, prot, MAP_PRIVATE | MAP_ANONYMOUS | extra, -1, 0);
}

static void test_anon(void)
{
    char *p = anon(NULL, 1 << 20, PROT_READ | PROT_WRITE, 0);
    CHECK(p != MAP_FAILED);
    CHECK(((uintptr_t)p & (PG - 1)) == 0);
    CHECK(is_zero(p, 1 << 20));
    memset(p, 0x5a, 1 << 20);
    CHECK(p[0] == 0x5a && p[(1 << 20) - 1] == 0x5a);
    CHECK_EQ(munmap(p + PG, PG), 0);                   /* punch a hole */
    CHECK(p[0] == 0x5a && p[2 * PG] == 0x5a);
    CHECK_EQ(munmap(p, 1 << 20), 0);                   /* hole inside is fine */
    CHECK_EQ(munmap(p, 1 << 20), 0);                   /* already unmapped: ok */
}

static void test_fixed(void)
{
    char *r = anon(NULL, 16 * PG, PROT_READ | PROT_WRITE, 0);
    memset(r, 1, 16 * PG);
    char *f = anon(r + 4 * PG, 2 * PG, PROT_READ | PROT_WRITE, MAP_FIXED);
    CHECK(f == r + 4 * PG);
    CHECK(is_zero(f, 2 * PG));                         /* fresh pages */
    CHECK(r[4 * PG - 1] == 1 && r[6 * PG] == 1);       /* neighbours kept */
    munmap(r, 16 * PG);
}

static void test_mprotect(void)
{
    char *p = anon(NULL, 4 * PG, PROT_READ, 0);
    CHECK(p != MAP_FAILED && is_zero(p, 4 * PG));
    CHECK_EQ(mprotect(p + PG, 2 * PG, PROT_READ | PROT_WRITE), 0);
    p[PG] = 'a';
    p[3 * PG - 1] = 'b';
    CHECK(p[PG] == 'a' && p[3 * PG - 1] == 'b');
    CHECK_EQ(mprotect(p, 4 * PG, PROT_READ), 0);
    CHECK(p[PG] == 'a');                               /* data survives */
    /* raw: musl's mprotect() rounds the address down itself */
    CHECK_ERR(syscall(SYS_mprotect, p + 1, PG, PROT_READ), EINVAL);
    CHECK_ERR(syscall(SYS_mprotect, p, PG, 0x1000), EINVAL);
    munmap(p, 4 * PG);
}

static void test_mremap(void)
{
    char *p = anon(NULL, 2 * PG, PROT_READ | PROT_WRITE, 0);
    memset(p, 'm', 2 * PG);
    char *q = mremap(p, 2 * PG, 64 * PG, MREMAP_MAYMOVE);
    CHECK(q != MAP_FAILED);
    CHECK(q != MAP_FAILED && q[0] == 'm' && q[2 * PG - 1] == 'm' && is_zero(q + 2 * PG, 62 * PG));
    q = mremap(q, 64 * PG, PG, 0);                    /* shrink in place */
    CHECK(q != MAP_FAILED && q[0] == 'm');
    /* old_size 0 duplicates shared memory only; without MAYMOVE it cannot grow */
    CHECK_ERR(syscall(SYS_mremap, q, 0, PG, MREMAP_MAYMOVE), EINVAL);
    munmap(q, PG);
    char *s = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(s != MAP_FAILED);
    CHECK_ERR(syscall(SYS_mremap, s, 0, PG, 0), ENOMEM);
    CHECK_ERR(syscall(SYS_mremap, s, 0, 0, MREMAP_MAYMOVE), EINVAL);
    s[PG + 1] = 'd';
    char *d = (char *)syscall(SYS_mremap, s + PG, 0, PG, MREMAP_MAYMOVE);
    CHECK(d != MAP_FAILED && d != s + PG && d[1] == 'd');
    if (d != MAP_FAILED) {
        d[2] = 'e';                                   /* one page, two views */
        CHECK(s[PG + 2] == 'e');
        CHECK_EQ(munmap(d, PG), 0);
    }
    CHECK_EQ(munmap(s, 2 * PG), 0);
}

static void test_file_private(void)
{
    char buf[8];
    int fd = open("mapfile", O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK_EQ(write(fd, "file contents here", 18), 18);
    char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK(p != MAP_FAILED);
    CHECK(memcmp(p, "file contents here", 18) == 0 && is_zero(p + 18, PG - 18));
    p[0] = 'F';                                        /* private copy only */
    CHECK(pread(fd, buf, 4, 0) == 4 && memcmp(buf, "file", 4) == 0);
    munmap(p, PG);
    CHECK(mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 1) == MAP_FAILED && errno == EINVAL);
    close(fd);
    unlink("mapfile");
}

static void test_errors(void)
{
    CHECK_ERR(syscall(SYS_mmap, 0, 0, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
    CHECK_ERR(syscall(SYS_mmap, 0, PG, PROT_READ, MAP_ANONYMOUS, -1, 0), EINVAL);
    CHECK_ERR(syscall(SYS_mmap, 0, PG, PROT_READ, MAP_PRIVATE, 999, 0), EBADF);
    CHECK_ERR(syscall(SYS_munmap, 1, PG), EINVAL);
    CHECK_ERR(syscall(SYS_munmap, 0, 0), EINVAL);
}

int main(void)
{
    test_anon();
    test_fixed();
    test_mprotect();
    test_mremap();
    test_file_private();
    test_errors();
    return guest_done();
}
