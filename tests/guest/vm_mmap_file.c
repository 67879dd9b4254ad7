/* vm_mmap_file.c: file mappings. MAP_PRIVATE is copy-on-write from the file
 * (later file writes show in pages the mapping has not written); MAP_SHARED
 * stores reach the file and other mappings; msync; offsets; the zero tail past
 * EOF; MAP_SHARED|MAP_ANONYMOUS; and mmap's EACCES/EBADF/ENODEV/EINVAL cases. */
#include "guest.h"
#include <fcntl.h>
#include <sys/mman.h>

#define PG 4096L

/* Raw mmap with every argument a long (syscall() is variadic). */
static long raw_mmap(long addr, long len, long prot, long flags, long fd, long off)
{
    return syscall(SYS_mmap, addr, len, prot, flags, fd, off);
}

static long raw_msync(void *addr, long len, long flags)
{
    return syscall(SYS_msync, addr, len, flags);
}

/* CHECK_ERR for errnos guest.h's errname() has no name for. */
static const char *ename(int e)
{
    return e == ENODEV ? "ENODEV" : e == EOVERFLOW ? "EOVERFLOW"
         : e == EOPNOTSUPP ? "EOPNOTSUPP" : errname(e);
}
#define CHECK_ERRX(expr, want)                                               \
    do {                                                                     \
        errno = 0;                                                           \
        long r_ = (long)(expr);                                              \
        int e_ = errno;                                                      \
        char b_[256];                                                        \
        snprintf(b_, sizeof b_, "%s -> %ld %s (want -1 %s)", #expr, r_,      \
                 r_ == -1 ? ename(e_) : "", ename(want));                    \
        check_at(r_ == -1 && e_ == (want), b_, __LINE__);                    \
    } while (0)

static int all_are(const char *p, long len, char c)
{
    for (long i = 0; i < len; i++)
        if (p[i] != c)
            return 0;
    return 1;
}

/* A fresh file of npages pages, page i filled with 'a' + i. */
static int make_file(const char *name, int npages)
{
    char page[PG];
    unlink(name);
    int fd = open(name, O_CREAT | O_RDWR | O_TRUNC, 0644);
    for (int i = 0; i < npages; i++) {
        memset(page, 'a' + i, PG);
        if (write(fd, page, PG) != PG)
            return -1;
    }
    return fd;
}

static void test_private_cow(void)
{
    char buf[PG];
    int fd = make_file("vmf_priv", 3);
    char *p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    CHECK(p != MAP_FAILED);
    CHECK(all_are(p, PG, 'a') && all_are(p + PG, PG, 'b') && all_are(p + 2 * PG, PG, 'c'));
    p[10] = 'X';                                   /* page 0 now private */
    (void)*(volatile char *)(p + PG);              /* page 1 read only */
    memset(buf, 'Y', PG);
    CHECK_EQ(pwrite(fd, buf, PG, 0), PG);
    CHECK_EQ(pwrite(fd, buf, PG, PG), PG);
    CHECK_EQ(pwrite(fd, buf, PG, 2 * PG), PG);
    CHECK(p[10] == 'X' && p[0] == 'a' && p[PG - 1] == 'a');  /* own copy kept */
    CHECK(all_are(p + PG, PG, 'Y'));               /* read page follows file */
    CHECK(all_are(p + 2 * PG, PG, 'Y'));           /* untouched page too */
    memset(p + PG, 'Z', PG);                       /* never reaches the file */
    CHECK_EQ(pread(fd, buf, PG, 0), PG);
    CHECK(all_are(buf, PG, 'Y'));
    CHECK_EQ(pread(fd, buf, PG, PG), PG);
    CHECK(all_are(buf, PG, 'Y'));
    /* MADV_DONTNEED drops the private copy: the file shows through again */
    CHECK_EQ(madvise(p, 2 * PG, MADV_DONTNEED), 0);
    CHECK(all_are(p, 2 * PG, 'Y'));
    CHECK_EQ(munmap(p, 3 * PG), 0);
    /* PROT_WRITE on a read-only fd is fine for MAP_PRIVATE */
    int ro = open("vmf_priv", O_RDONLY);
    p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, ro, 0);
    CHECK(p != MAP_FAILED);
    if (p != MAP_FAILED) {
        p[0] = 'W';
        CHECK(p[0] == 'W' && p[1] == 'Y');
        munmap(p, PG);
    }
    close(ro);
    close(fd);
    unlink("vmf_priv");
}

static void test_shared(void)
{
    char buf[PG];
    int fd = make_file("vmf_shared", 2);
    char *p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    char *q = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 0);
    CHECK(p != MAP_FAILED && q != MAP_FAILED && p != q);
    memcpy(p + 100, "shared store", 12);
    CHECK(memcmp(q + 100, "shared store", 12) == 0);       /* second mapping */
    CHECK_EQ(pread(fd, buf, 12, 100), 12);
    CHECK(memcmp(buf, "shared store", 12) == 0);           /* the file */
    CHECK_EQ(pwrite(fd, "file write", 10, PG + 7), 10);
    CHECK(memcmp(p + PG + 7, "file write", 10) == 0);      /* file -> mapping */
    CHECK(memcmp(q + PG + 7, "file write", 10) == 0);
    CHECK_EQ(msync(p, 2 * PG, MS_SYNC), 0);
    CHECK_EQ(msync(p, PG, MS_ASYNC), 0);
    CHECK_EQ(msync(p, PG, MS_INVALIDATE), 0);
    CHECK_EQ(raw_msync(p, 1, MS_SYNC), 0);        /* length rounds up */
    CHECK_EQ(raw_msync(p, 0, MS_SYNC), 0);
    CHECK_ERR(raw_msync(p, PG, MS_SYNC | MS_ASYNC), EINVAL);
    CHECK_ERR(raw_msync(p, PG, 8), EINVAL);
    CHECK_ERR(raw_msync(p + 1, PG, MS_SYNC), EINVAL);
    CHECK_EQ(munmap(q, 2 * PG), 0);
    /* the store survives unmapping and reopening */
    CHECK_EQ(munmap(p + PG, PG), 0);
    CHECK_ERR(raw_msync(p, 2 * PG, MS_SYNC), ENOMEM);   /* tail gone */
    CHECK_ERR(raw_msync(p + PG, PG, MS_SYNC), ENOMEM);
    CHECK_EQ(munmap(p, PG), 0);
    int fd2 = open("vmf_shared", O_RDONLY);
    CHECK_EQ(pread(fd2, buf, 12, 100), 12);
    CHECK(memcmp(buf, "shared store", 12) == 0);
    close(fd2);
    /* a MAP_SHARED read-only mapping of an O_RDONLY fd is allowed */
    int ro = open("vmf_shared", O_RDONLY);
    p = mmap(NULL, PG, PROT_READ, MAP_SHARED, ro, 0);
    CHECK(p != MAP_FAILED && memcmp(p + 100, "shared store", 12) == 0);
    if (p != MAP_FAILED)
        munmap(p, PG);
    close(ro);
    close(fd);
    unlink("vmf_shared");
}

static void test_offset_and_eof(void)
{
    int fd = make_file("vmf_off", 4);
    char *p = mmap(NULL, PG, PROT_READ, MAP_PRIVATE, fd, 2 * PG);
    CHECK(p != MAP_FAILED && all_are(p, PG, 'c'));
    if (p != MAP_FAILED)
        munmap(p, PG);
    p = mmap(NULL, 2 * PG, PROT_READ, MAP_SHARED, fd, 3 * PG);   /* 1 page left */
    CHECK(p != MAP_FAILED && all_are(p, PG, 'd'));               /* only touch it */
    if (p != MAP_FAILED)
        munmap(p, 2 * PG);
    /* file of 1 page + 100 bytes: the rest of the last page reads as zeros */
    CHECK_EQ(ftruncate(fd, PG + 100), 0);
    p = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 0);
    CHECK(p != MAP_FAILED && all_are(p + PG, 100, 'b') && all_are(p + PG + 100, PG - 100, 0));
    if (p != MAP_FAILED)
        munmap(p, 2 * PG);
    /* the same through a shared mapping: a store past EOF stays out of the file */
    char *s = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(s != MAP_FAILED && all_are(s + PG + 100, PG - 100, 0));
    if (s != MAP_FAILED) {
        s[PG + 200] = 'q';
        munmap(s, 2 * PG);
    }
    CHECK_EQ(lseek(fd, 0, SEEK_END), PG + 100);
    close(fd);
    unlink("vmf_off");
}

static void test_shared_anon(void)
{
    char *p = mmap(NULL, 3 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(p != MAP_FAILED && all_are(p, 3 * PG, 0));
    if (p == MAP_FAILED)
        return;
    memset(p, 's', 3 * PG);
    CHECK(all_are(p, 3 * PG, 's'));
    CHECK_EQ(munmap(p + PG, PG), 0);
    CHECK(p[0] == 's' && p[2 * PG] == 's');
    munmap(p, 3 * PG);
}

static void test_errors(void)
{
    int fd = make_file("vmf_err", 1);
    int ro = open("vmf_err", O_RDONLY), wo = open("vmf_err", O_WRONLY);
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    /* a character device without mmap (pipes come with the processes issue) */
    int dev_r = open("/dev/null", O_RDONLY), dev_w = open("/dev/null", O_WRONLY);
    /* raw syscalls: libc wrappers check some arguments themselves */
    CHECK_ERR(raw_mmap(0, PG, PROT_READ | PROT_WRITE, MAP_SHARED, ro, 0), EACCES);
    CHECK_ERR(raw_mmap(0, PG, PROT_READ, MAP_PRIVATE, wo, 0), EACCES);
    CHECK_ERR(raw_mmap(0, PG, PROT_WRITE, MAP_SHARED, wo, 0), EACCES);
    CHECK_ERR(raw_mmap(0, PG, PROT_READ, MAP_PRIVATE, 999, 0), EBADF);
    CHECK_ERR(raw_mmap(0, PG, PROT_READ, MAP_SHARED, -1, 0), EBADF);
    CHECK_ERRX(raw_mmap(0, PG, PROT_READ, MAP_PRIVATE, dir, 0), ENODEV);
    CHECK_ERRX(raw_mmap(0, PG, PROT_READ, MAP_SHARED, dir, 0), ENODEV);
    CHECK_ERRX(raw_mmap(0, PG, PROT_READ, MAP_PRIVATE, dev_r, 0), ENODEV);
    CHECK_ERR(raw_mmap(0, PG, PROT_READ, MAP_SHARED, dev_w, 0), EACCES);
    CHECK_ERR(raw_mmap(0, PG, PROT_READ, MAP_PRIVATE, fd, 1), EINVAL);
    CHECK_ERR(raw_mmap(0, PG, PROT_READ, MAP_PRIVATE, fd, PG / 2), EINVAL);
    CHECK_ERR(raw_mmap(0, 0, PROT_READ, MAP_PRIVATE, fd, 0), EINVAL);
    CHECK_ERR(raw_mmap(0, PG, PROT_READ, 0, fd, 0), EINVAL);
    CHECK_ERR(raw_mmap(0, PG, PROT_READ, MAP_FIXED, fd, 0), EINVAL);
    CHECK_ERRX(raw_mmap(0, PG, PROT_READ, MAP_PRIVATE, fd, -PG), EOVERFLOW);
    CHECK_ERRX(raw_mmap(0, PG, PROT_READ, MAP_SHARED_VALIDATE | 0x800000, fd, 0), EOPNOTSUPP);
    CHECK_ERR(raw_mmap(0, -PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), ENOMEM);
    CHECK_ERR(raw_mmap(0, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 1), EINVAL);
    /* MAP_ANONYMOUS ignores the fd; MAP_SHARED|MAP_PRIVATE is MAP_SHARED_VALIDATE */
    long r = raw_mmap(0, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, 999, 0);
    CHECK(r != -1);
    if (r != -1)
        munmap((void *)r, PG);
    r = raw_mmap(0, PG, PROT_READ, MAP_SHARED | MAP_PRIVATE, fd, 0);
    CHECK(r != -1 && *(char *)r == 'a');
    if (r != -1)
        munmap((void *)r, PG);
    close(dev_r);
    close(dev_w);
    close(dir);
    close(wo);
    close(ro);
    close(fd);
    unlink("vmf_err");
}

int main(void)
{
    test_private_cow();
    test_shared();
    test_offset_and_eof();
    test_shared_anon();
    test_errors();
    return guest_done();
}
