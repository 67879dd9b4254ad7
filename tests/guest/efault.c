/* efault.c: bad user pointers must give -1/EFAULT, never a crash: read/write
 * buffers, stat/fstat/statx result pointers, path pointers, iovecs, the time
 * calls, uname, getcwd, and kernel-half addresses. Raw syscall() throughout
 * so libc cannot check (or touch) the pointers first. */
#include "guest.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>

#define BAD1 ((void *)1)
#define BAD8 ((void *)8)
#define KERNEL_ADDR ((void *)0xffff880000000000UL)
#define NONCANONICAL ((void *)0x0000900000000000UL)

static int make_file(void)
{
    unlink("ef");
    int fd = open("ef", O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK_EQ(write(fd, "0123456789abcdef", 16), 16);
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    return fd;
}

static void test_rw(int fd)
{
    CHECK_ERR(syscall(SYS_write, fd, BAD1, 10), EFAULT);
    CHECK_ERR(syscall(SYS_read, fd, BAD8, 10), EFAULT);
    CHECK_ERR(syscall(SYS_read, fd, KERNEL_ADDR, 10), EFAULT);
    CHECK_ERR(syscall(SYS_pread64, fd, NULL, 4, 0), EFAULT);
    CHECK_ERR(syscall(SYS_pwrite64, fd, KERNEL_ADDR, 4, 0), EFAULT);
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && st.st_size == 16);    /* nothing written */
    struct iovec bad_base = {BAD1, 4};
    CHECK_ERR(syscall(SYS_readv, fd, BAD8, 1), EFAULT);
    CHECK_ERR(syscall(SYS_writev, fd, &bad_base, 1), EFAULT);
    CHECK_ERR(syscall(SYS_readv, fd, &bad_base, 1), EFAULT);
}

static void test_paths_and_stat(int fd)
{
    CHECK_ERR(syscall(SYS_open, BAD1, O_RDONLY), EFAULT);
    CHECK_ERR(syscall(SYS_openat, AT_FDCWD, KERNEL_ADDR, O_RDONLY), EFAULT);
    CHECK_ERR(syscall(SYS_stat, "ef", BAD8), EFAULT);
    CHECK_ERR(syscall(SYS_stat, NULL, BAD8), EFAULT);
    CHECK_ERR(syscall(SYS_lstat, "ef", KERNEL_ADDR), EFAULT);
    CHECK_ERR(syscall(SYS_fstat, fd, BAD1), EFAULT);
    CHECK_ERR(syscall(SYS_newfstatat, AT_FDCWD, "ef", BAD1, 0), EFAULT);
    CHECK_ERR(syscall(SYS_statx, AT_FDCWD, "ef", 0, 0x7ff, BAD1), EFAULT);
    CHECK_ERR(syscall(SYS_mkdir, BAD1, 0755), EFAULT);
    CHECK_ERR(syscall(SYS_unlink, NONCANONICAL), EFAULT);
    CHECK_ERR(syscall(SYS_chdir, BAD8), EFAULT);
    CHECK_ERR(syscall(SYS_readlink, "ef", BAD1, 10), EINVAL); /* not a link: first */
    CHECK_ERR(syscall(SYS_getcwd, BAD1, 4096), EFAULT);
}

static void test_misc(void)
{
    CHECK_ERR(syscall(SYS_clock_gettime, CLOCK_REALTIME, BAD1), EFAULT);
    CHECK_ERR(syscall(SYS_clock_gettime, CLOCK_MONOTONIC, KERNEL_ADDR), EFAULT);
    CHECK_ERR(syscall(SYS_clock_getres, CLOCK_MONOTONIC, BAD8), EFAULT);
    CHECK_ERR(syscall(SYS_gettimeofday, BAD1, NULL), EFAULT);
    CHECK_ERR(syscall(SYS_nanosleep, BAD1, NULL), EFAULT);
    CHECK_ERR(syscall(SYS_uname, BAD1), EFAULT);
    CHECK_ERR(syscall(SYS_uname, KERNEL_ADDR), EFAULT);
    CHECK_ERR(syscall(SYS_sysinfo, BAD8), EFAULT);
    CHECK_ERR(syscall(SYS_getrandom, BAD1, 16, 0), EFAULT);
    CHECK_ERR(syscall(SYS_time, BAD1), EFAULT);
}

int main(void)
{
    int fd = make_file();
    test_rw(fd);
    test_paths_and_stat(fd);
    test_misc();
    close(fd);
    unlink("ef");
    return guest_done();
}
