/* vm_efault.c: user pointers next to real VMA boundaries (efault.c covers
 * NULL, tiny and kernel addresses): a munmapped hole, read-only and PROT_NONE
 * pages, and buffers that straddle from a mapped page into them, for every
 * pointer-taking syscall lxemu implements; buffers spanning two different
 * mapped VMAs must work. Raw syscalls throughout, so libc cannot intervene. */
#include "guest.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>

#define PG 4096L
#define ARCH_GET_FS 0x1003

/* syscall() is variadic: pass every argument as a long. */
static long sc(long n, long a, long b, long c, long d, long e)
{
    return syscall(n, a, b, c, d, e);
}
#define S1(n, a) sc(n, (long)(a), 0, 0, 0, 0)
#define S2(n, a, b) sc(n, (long)(a), (long)(b), 0, 0, 0)
#define S3(n, a, b, c) sc(n, (long)(a), (long)(b), (long)(c), 0, 0)
#define S4(n, a, b, c, d) sc(n, (long)(a), (long)(b), (long)(c), (long)(d), 0)
#define S5(n, a, b, c, d, e) sc(n, (long)(a), (long)(b), (long)(c), (long)(d), (long)(e))

/* The arena: page 0 rw, page 1 a hole, page 2 read-only, page 3 PROT_NONE. */
static char *arena, *hole, *ro, *none;
/* Two different rw VMAs side by side (private, then shared). */
static char *twin;

/* A pointer to the last n bytes of page 0: what follows is the hole. */
static char *tail(long n)
{
    return arena + PG - n;
}

static void setup(void)
{
    arena = mmap(NULL, 4 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    hole = arena + PG;
    ro = arena + 2 * PG;
    none = arena + 3 * PG;
    munmap(hole, PG);
    memset(ro, 'p', PG);                                /* no NUL: paths run on */
    mprotect(ro, PG, PROT_READ);
    mprotect(none, PG, PROT_NONE);
    twin = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    mmap(twin + PG, PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

    char data[2 * PG];
    for (long i = 0; i < 2 * PG; i++)
        data[i] = (char)('a' + i % 26);
    unlink("vef");
    int fd = open("vef", O_CREAT | O_WRONLY | O_TRUNC, 0644);
    CHECK_EQ(write(fd, data, sizeof data), sizeof data);
    close(fd);
    unlink("vef_link");
    CHECK_EQ(symlink("vef", "vef_link"), 0);
    mkdir("vef_dir", 0755);
    for (int i = 0; i < 4; i++) {
        char name[32];
        snprintf(name, sizeof name, "vef_dir/f%d", i);   /* equal-size entries */
        close(open(name, O_CREAT | O_WRONLY, 0644));
    }
}

static void cleanup(void)
{
    for (int i = 0; i < 4; i++) {
        char name[32];
        snprintf(name, sizeof name, "vef_dir/f%d", i);
        unlink(name);
    }
    rmdir("vef_dir");
    unlink("vef_link");
    unlink("vef");
    unlink("vef_out");
}

static void test_read_write(void)
{
    int fd = open("vef", O_RDWR);
    int out = open("vef_out", O_CREAT | O_RDWR | O_TRUNC, 0644);
    printf("-- read/write\n");
    CHECK_ERR(S3(SYS_read, fd, hole, 10), EFAULT);
    CHECK_ERR(S3(SYS_read, fd, ro, 10), EFAULT);
    CHECK_ERR(S3(SYS_read, fd, none, 10), EFAULT);
    CHECK_EQ(S3(SYS_read, fd, hole, 0), 0);             /* nothing to copy */
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    CHECK_EQ(S3(SYS_read, fd, tail(100), 300), 100);    /* short, not EFAULT */
    CHECK(memcmp(tail(100), "abcdef", 6) == 0);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 100);              /* offset moved by 100 */
    CHECK_ERR(S4(SYS_pread64, fd, ro, 10, 0), EFAULT);
    CHECK_EQ(S4(SYS_pread64, fd, tail(50), 300, 26), 50);
    CHECK(memcmp(tail(50), "abc", 3) == 0);
    CHECK_ERR(S3(SYS_write, out, hole, 10), EFAULT);
    CHECK_ERR(S3(SYS_write, out, none, 10), EFAULT);
    CHECK_EQ(S3(SYS_write, out, hole, 0), 0);
    memset(tail(64), 'w', 64);
    CHECK_EQ(S3(SYS_write, out, tail(64), 200), 64);    /* short write */
    CHECK_ERR(S4(SYS_pwrite64, out, none, 10, 0), EFAULT);
    CHECK_EQ(S4(SYS_pwrite64, out, tail(10), 100, 64), 10);
    CHECK_EQ(lseek(out, 0, SEEK_END), 74);              /* nothing more written */
    /* a buffer across two different mapped VMAs is fine */
    CHECK_EQ(S4(SYS_pread64, fd, twin + PG - 100, 300, 0), 300);
    CHECK(memcmp(twin + PG - 100, "abcdefghijklmnopqrstuvwxyz", 26) == 0 &&
          twin[PG + 4] == 'a' + 104 % 26);
    CHECK_EQ(S4(SYS_pwrite64, out, twin + PG - 100, 300, 0), 300);

    printf("-- vectors\n");
    struct iovec *iov = (struct iovec *)tail(sizeof(struct iovec));
    iov[0].iov_base = arena;
    iov[0].iov_len = 10;                               /* iov[1] is in the hole */
    CHECK_ERR(S3(SYS_readv, fd, hole, 1), EFAULT);
    CHECK_ERR(S3(SYS_writev, out, hole, 1), EFAULT);
    CHECK_ERR(S3(SYS_readv, fd, iov, 2), EFAULT);       /* array straddles */
    CHECK_ERR(S3(SYS_writev, out, iov, 2), EFAULT);
    CHECK_ERR(S5(SYS_preadv, fd, iov, 2, 0, 0), EFAULT);
    CHECK_ERR(S5(SYS_pwritev, out, iov, 2, 0, 0), EFAULT);
    struct iovec v[2] = {{arena, 10}, {hole, 10}};
    CHECK_EQ(S3(SYS_readv, fd, v, 2), 10);              /* first one done */
    CHECK_EQ(S3(SYS_writev, out, v, 2), 10);
    CHECK_EQ(S5(SYS_preadv, fd, v, 2, 0, 0), 10);
    CHECK_EQ(S5(SYS_pwritev, out, v, 2, 0, 0), 10);
    struct iovec w[2] = {{hole, 10}, {arena, 10}};
    CHECK_ERR(S3(SYS_readv, fd, w, 2), EFAULT);
    CHECK_ERR(S3(SYS_writev, out, w, 2), EFAULT);
    struct iovec r[1] = {{ro, 10}};
    CHECK_ERR(S3(SYS_readv, fd, r, 1), EFAULT);
    CHECK_ERR(S5(SYS_preadv, fd, r, 1, 0, 0), EFAULT);

    printf("-- sendfile, ioctl\n");
    CHECK_ERR(S4(SYS_sendfile, out, fd, hole, 10), EFAULT);
    CHECK_ERR(S4(SYS_sendfile, out, fd, tail(4), 10), EFAULT);
    int fion;
    CHECK_EQ(S3(SYS_ioctl, fd, FIONREAD, &fion), 0);
    CHECK_ERR(S3(SYS_ioctl, fd, FIONREAD, hole), EFAULT);
    CHECK_ERR(S3(SYS_ioctl, fd, FIONREAD, ro), EFAULT);
    close(out);
    close(fd);
}

/* Every path-taking call with the path at p: all must fail with EFAULT. */
static void test_paths(const char *what, const char *p)
{
    printf("-- paths: %s\n", what);
    CHECK_ERR(S2(SYS_open, p, O_RDONLY), EFAULT);
    CHECK_ERR(S3(SYS_openat, AT_FDCWD, p, O_RDONLY), EFAULT);
    CHECK_ERR(S2(SYS_creat, p, 0644), EFAULT);
    CHECK_ERR(S2(SYS_stat, p, arena), EFAULT);
    CHECK_ERR(S2(SYS_lstat, p, arena), EFAULT);
    CHECK_ERR(S4(SYS_newfstatat, AT_FDCWD, p, arena, 0), EFAULT);
    CHECK_ERR(S5(SYS_statx, AT_FDCWD, p, 0, 0x7ff, arena), EFAULT);
    CHECK_ERR(S2(SYS_access, p, F_OK), EFAULT);
    CHECK_ERR(S3(SYS_faccessat, AT_FDCWD, p, F_OK), EFAULT);
    CHECK_ERR(S4(SYS_faccessat2, AT_FDCWD, p, F_OK, 0), EFAULT);
    CHECK_ERR(S3(SYS_readlink, p, arena, 100), EFAULT);
    CHECK_ERR(S4(SYS_readlinkat, AT_FDCWD, p, arena, 100), EFAULT);
    CHECK_ERR(S2(SYS_mkdir, p, 0755), EFAULT);
    CHECK_ERR(S3(SYS_mkdirat, AT_FDCWD, p, 0755), EFAULT);
    CHECK_ERR(S1(SYS_rmdir, p), EFAULT);
    CHECK_ERR(S1(SYS_unlink, p), EFAULT);
    CHECK_ERR(S3(SYS_unlinkat, AT_FDCWD, p, 0), EFAULT);
    CHECK_ERR(S2(SYS_rename, p, "vef_x"), EFAULT);
    CHECK_ERR(S2(SYS_rename, "vef", p), EFAULT);
    CHECK_ERR(S4(SYS_renameat, AT_FDCWD, "vef", AT_FDCWD, p), EFAULT);
    CHECK_ERR(S5(SYS_renameat2, AT_FDCWD, p, AT_FDCWD, "vef_x", 0), EFAULT);
    CHECK_ERR(S2(SYS_link, p, "vef_x"), EFAULT);
    CHECK_ERR(S2(SYS_link, "vef", p), EFAULT);
    CHECK_ERR(S5(SYS_linkat, AT_FDCWD, "vef", AT_FDCWD, p, 0), EFAULT);
    CHECK_ERR(S2(SYS_symlink, p, "vef_x"), EFAULT);
    CHECK_ERR(S2(SYS_symlink, "vef", p), EFAULT);
    CHECK_ERR(S3(SYS_symlinkat, p, AT_FDCWD, "vef_x"), EFAULT);
    CHECK_ERR(S1(SYS_chdir, p), EFAULT);
    CHECK_ERR(S2(SYS_chmod, p, 0644), EFAULT);
    CHECK_ERR(S4(SYS_fchmodat, AT_FDCWD, p, 0644, 0), EFAULT);
    CHECK_ERR(S2(SYS_truncate, p, 0), EFAULT);
    CHECK_ERR(S4(SYS_utimensat, AT_FDCWD, p, 0, 0), EFAULT);
}

static void test_path_edges(void)
{
    printf("-- path edges\n");
    /* a path that ends exactly at the end of its page is fine */
    memcpy(tail(4), "vef", 4);
    CHECK_EQ(S2(SYS_access, tail(4), F_OK), 0);
    memcpy(tail(9), "vef_link", 9);
    CHECK_EQ(S3(SYS_readlink, tail(9), twin, 100), 3);
    /* ... and one across two mapped VMAs */
    memcpy(twin + PG - 2, "vef", 4);
    CHECK_EQ(S2(SYS_access, twin + PG - 2, F_OK), 0);
    /* readlink's buffer: only the link's length (3) matters */
    CHECK_EQ(S3(SYS_readlink, "vef_link", tail(3), 100), 3);
    CHECK(memcmp(tail(3), "vef", 3) == 0);
    CHECK_ERR(S3(SYS_readlink, "vef_link", tail(2), 100), EFAULT);
    CHECK_ERR(S3(SYS_readlink, "vef_link", ro, 100), EFAULT);
    CHECK_ERR(S4(SYS_readlinkat, AT_FDCWD, "vef_link", hole, 100), EFAULT);
    CHECK_EQ(access("vef_x", F_OK), -1);                /* nothing was created */
    CHECK_EQ(access("vef", F_OK), 0);
}

static void test_out_structs(void)
{
    int fd = open("vef", O_RDONLY);
    printf("-- result structs\n");
    CHECK_ERR(S2(SYS_fstat, fd, hole), EFAULT);
    CHECK_ERR(S2(SYS_fstat, fd, ro), EFAULT);
    CHECK_ERR(S2(SYS_fstat, fd, tail(16)), EFAULT);     /* 144 bytes needed */
    CHECK_ERR(S2(SYS_stat, "vef", tail(100)), EFAULT);
    CHECK_ERR(S2(SYS_lstat, "vef", ro), EFAULT);
    CHECK_ERR(S4(SYS_newfstatat, AT_FDCWD, "vef", tail(8), 0), EFAULT);
    CHECK_ERR(S5(SYS_statx, AT_FDCWD, "vef", 0, 0x7ff, tail(200)), EFAULT);
    CHECK_EQ(S2(SYS_fstat, fd, twin + PG - 50), 0);     /* across two VMAs */
    CHECK_EQ(S5(SYS_statx, AT_FDCWD, "vef", 0, 0x7ff, twin + PG - 100), 0);
    CHECK_ERR(S1(SYS_uname, hole), EFAULT);
    CHECK_ERR(S1(SYS_uname, ro), EFAULT);
    CHECK_ERR(S1(SYS_uname, tail(100)), EFAULT);
    CHECK_EQ(S1(SYS_uname, twin + PG - 100), 0);
    CHECK_ERR(S2(SYS_getcwd, hole, 4096), EFAULT);
    CHECK_ERR(S2(SYS_getcwd, ro, 4096), EFAULT);
    CHECK_ERR(S1(SYS_sysinfo, tail(8)), EFAULT);
    CHECK_ERR(S1(SYS_sysinfo, ro), EFAULT);
    CHECK_ERR(S2(SYS_getrlimit, RLIMIT_NOFILE, tail(8)), EFAULT);
    CHECK_ERR(S4(SYS_prlimit64, 0, RLIMIT_NOFILE, 0, tail(8)), EFAULT);
    CHECK_ERR(S4(SYS_prlimit64, 0, RLIMIT_NOFILE, hole, 0), EFAULT);
    CHECK_ERR(S4(SYS_prlimit64, 0, RLIMIT_NOFILE, none, 0), EFAULT);
    CHECK_ERR(S3(SYS_getresuid, hole, hole, hole), EFAULT);
    CHECK_ERR(S3(SYS_getresgid, ro, ro, ro), EFAULT);
    CHECK_ERR(S2(SYS_arch_prctl, ARCH_GET_FS, hole), EFAULT);
    CHECK_ERR(S2(SYS_arch_prctl, ARCH_GET_FS, ro), EFAULT);
    CHECK_ERR(S2(SYS_prctl, 16 /* PR_GET_NAME */, hole), EFAULT);
    CHECK_ERR(S2(SYS_prctl, 16 /* PR_GET_NAME */, tail(8)), EFAULT);
    CHECK_ERR(S2(SYS_prctl, 15 /* PR_SET_NAME */, hole), EFAULT);
    CHECK_ERR(S3(SYS_sched_getaffinity, 0, 128, hole), EFAULT);
    CHECK_ERR(S3(SYS_sched_getaffinity, 0, 128, ro), EFAULT);
    long ng = S2(SYS_getgroups, 0, 0);
    if (ng > 0)
        CHECK_ERR(S2(SYS_getgroups, 64, hole), EFAULT);
    else
        CHECK_EQ(S2(SYS_getgroups, 64, hole), 0);
    close(fd);
}

static void test_time_and_signals(void)
{
    printf("-- time\n");
    CHECK_ERR(S2(SYS_clock_gettime, CLOCK_REALTIME, hole), EFAULT);
    CHECK_ERR(S2(SYS_clock_gettime, CLOCK_MONOTONIC, tail(8)), EFAULT);
    CHECK_ERR(S2(SYS_clock_gettime, CLOCK_MONOTONIC, ro), EFAULT);
    CHECK_ERR(S2(SYS_clock_getres, CLOCK_MONOTONIC, tail(8)), EFAULT);
    CHECK_EQ(S2(SYS_clock_gettime, CLOCK_MONOTONIC, twin + PG - 8), 0);
    CHECK_ERR(S2(SYS_gettimeofday, tail(8), 0), EFAULT);
    CHECK_ERR(S2(SYS_gettimeofday, ro, 0), EFAULT);
    CHECK_ERR(S1(SYS_time, ro), EFAULT);
    CHECK_ERR(S2(SYS_nanosleep, hole, 0), EFAULT);
    CHECK_ERR(S2(SYS_nanosleep, none, 0), EFAULT);
    CHECK_ERR(S2(SYS_nanosleep, tail(8), 0), EFAULT);
    CHECK_ERR(S4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, hole, 0), EFAULT);
    CHECK_ERR(S4(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, tail(8), 0), EFAULT);

    printf("-- signals\n");
    CHECK_ERR(S4(SYS_rt_sigaction, SIGUSR1, hole, 0, 8), EFAULT);
    CHECK_ERR(S4(SYS_rt_sigaction, SIGUSR1, tail(16), 0, 8), EFAULT);
    CHECK_ERR(S4(SYS_rt_sigaction, SIGUSR1, 0, hole, 8), EFAULT);
    CHECK_ERR(S4(SYS_rt_sigaction, SIGUSR1, 0, ro, 8), EFAULT);
    CHECK_ERR(S4(SYS_rt_sigprocmask, SIG_BLOCK, hole, 0, 8), EFAULT);
    CHECK_ERR(S4(SYS_rt_sigprocmask, SIG_BLOCK, tail(4), 0, 8), EFAULT);
    CHECK_ERR(S4(SYS_rt_sigprocmask, SIG_BLOCK, 0, hole, 8), EFAULT);
    CHECK_ERR(S4(SYS_rt_sigprocmask, SIG_BLOCK, 0, ro, 8), EFAULT);

    printf("-- random, dirents, mincore\n");
    CHECK_ERR(S3(SYS_getrandom, hole, 16, 0), EFAULT);
    CHECK_ERR(S3(SYS_getrandom, ro, 16, 0), EFAULT);
    CHECK_EQ(S3(SYS_getrandom, tail(100), 300, 0), 100);
    /* six 24-byte entries (., .., f0..f3); a failed copy consumes none */
    int dfd = open("vef_dir", O_RDONLY | O_DIRECTORY);
    CHECK_ERR(S3(SYS_getdents64, dfd, hole, 4096), EFAULT);
    CHECK_ERR(S3(SYS_getdents64, dfd, ro, 4096), EFAULT);
    CHECK_EQ(S3(SYS_getdents64, dfd, twin, 4096), 144);
    close(dfd);
    dfd = open("vef_dir", O_RDONLY | O_DIRECTORY);
    CHECK_EQ(S3(SYS_getdents64, dfd, tail(100), 4096), 96);   /* room for four */
    CHECK_EQ(S3(SYS_getdents64, dfd, twin, 4096), 48);        /* the other two */
    close(dfd);
    CHECK_ERR(S3(SYS_mincore, arena, PG, hole), EFAULT);
    CHECK_ERR(S3(SYS_mincore, arena, PG, ro), EFAULT);
    CHECK_ERR(S3(SYS_mincore, twin, 2 * PG, tail(1)), EFAULT);
    CHECK_ERR(S4(SYS_utimensat, AT_FDCWD, "vef", hole, 0), EFAULT);
    CHECK_ERR(S4(SYS_utimensat, AT_FDCWD, "vef", tail(16), 0), EFAULT);
}

int main(void)
{
    setup();
    test_read_write();
    test_paths("in a hole", hole);
    test_paths("in a PROT_NONE page", none);
    memset(tail(8), 'p', 8);
    test_paths("running into a hole", tail(8));
    test_paths("running into a PROT_NONE page", ro + PG - 8);
    test_path_edges();
    test_out_structs();
    test_time_and_signals();
    cleanup();
    return guest_done();
}
