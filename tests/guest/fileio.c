/* fileio.c: regular-file I/O through the kernel: open/creat flags (O_CREAT,
 * O_EXCL, O_TRUNC, O_APPEND, access modes), read/write/lseek SET/CUR/END,
 * holes, pread/pwrite (offset untouched), readv/writev, ftruncate, fstat size
 * and mode, EOF and zero-length transfers. Works in the current directory. */
#include "guest.h"
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>

static long file_size(int fd)
{
    struct stat st;
    return fstat(fd, &st) == 0 ? (long)st.st_size : -1;
}

/* Read LEN bytes at OFF with pread and compare them with WANT. */
static int contents_at(int fd, off_t off, const char *want, size_t len)
{
    char buf[256];
    return pread(fd, buf, len, off) == (ssize_t)len && memcmp(buf, want, len) == 0;
}

static void test_create_rw(void)
{
    char buf[16] = {0};
    int fd = open("f1", O_CREAT | O_RDWR | O_TRUNC, 0640);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "hello world\n", 12), 12);
    CHECK_EQ(file_size(fd), 12);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 12);
    CHECK_EQ(read(fd, buf, sizeof buf), 0);           /* at EOF */
    CHECK_EQ(lseek(fd, 6, SEEK_SET), 6);
    CHECK_EQ(read(fd, buf, 5), 5);
    CHECK(memcmp(buf, "world", 5) == 0);
    CHECK_EQ(lseek(fd, -2, SEEK_CUR), 9);
    CHECK_EQ(lseek(fd, -1, SEEK_END), 11);
    CHECK_EQ(read(fd, buf, 16), 1);
    CHECK(buf[0] == '\n');
    CHECK_ERR(lseek(fd, -100, SEEK_CUR), EINVAL);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 12);             /* unchanged by the error */
    CHECK_EQ(write(fd, buf, 0), 0);
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && S_ISREG(st.st_mode));
    printf("mode %o\n", (unsigned)(st.st_mode & 07777));
    CHECK_EQ(close(fd), 0);
}

static void test_holes(void)
{
    int fd = open("f1", O_RDWR);
    CHECK_EQ(lseek(fd, 100, SEEK_SET), 100);
    CHECK_EQ(write(fd, "X", 1), 1);
    CHECK_EQ(file_size(fd), 101);
    CHECK(contents_at(fd, 12, "\0\0\0\0\0\0\0\0", 8));
    CHECK(contents_at(fd, 100, "X", 1));
    CHECK_EQ(lseek(fd, 0, SEEK_END), 101);
    CHECK_EQ(lseek(fd, 1000, SEEK_END), 1101);       /* seeking past EOF is fine */
    CHECK_EQ(file_size(fd), 101);
    close(fd);
}

static void test_pread_pwrite(void)
{
    char buf[8];
    int fd = open("f1", O_RDWR);
    CHECK_EQ(lseek(fd, 50, SEEK_SET), 50);
    CHECK_EQ(pread(fd, buf, 5, 0), 5);
    CHECK(memcmp(buf, "hello", 5) == 0);
    CHECK_EQ(pwrite(fd, "HEL", 3, 0), 3);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 50);
    CHECK(contents_at(fd, 0, "HELlo", 5));
    CHECK_EQ(pread(fd, buf, 8, 98), 3);               /* short at EOF */
    CHECK_EQ(pread(fd, buf, 8, 5000), 0);
    CHECK_ERR(pread(fd, buf, 8, -1), EINVAL);
    close(fd);
}

static void test_vectors(void)
{
    char a[4], b[6], c[3];
    int fd = open("f2", O_CREAT | O_RDWR | O_TRUNC, 0600);
    struct iovec out[3] = {{"abc", 3}, {"", 0}, {"defghij", 7}};
    CHECK_EQ(writev(fd, out, 3), 10);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 10);
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    struct iovec in[3] = {{a, 4}, {b, 6}, {c, 3}};
    CHECK_EQ(readv(fd, in, 3), 10);
    CHECK(memcmp(a, "abcd", 4) == 0 && memcmp(b, "efghij", 6) == 0);
    struct iovec bad = {a, 4};
    CHECK_ERR(syscall(SYS_readv, fd, &bad, -1), EINVAL);
    close(fd);
}

static void test_truncate(void)
{
    int fd = open("f2", O_RDWR);
    CHECK_EQ(ftruncate(fd, 5), 0);
    CHECK_EQ(file_size(fd), 5);
    CHECK_EQ(ftruncate(fd, 8), 0);
    CHECK(contents_at(fd, 0, "abcde\0\0\0", 8));
    CHECK_ERR(ftruncate(fd, -1), EINVAL);
    CHECK_EQ(truncate("f2", 2), 0);
    CHECK_EQ(file_size(fd), 2);
    close(fd);
    fd = open("f2", O_RDONLY);
    CHECK_ERR(ftruncate(fd, 0), EINVAL);              /* not open for writing */
    close(fd);
}

static void test_flags(void)
{
    char buf[4];
    CHECK_ERR(open("f1", O_CREAT | O_EXCL | O_WRONLY, 0600), EEXIST);
    int fd = open("f1", O_WRONLY | O_APPEND);
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    CHECK_EQ(write(fd, "END", 3), 3);                 /* append ignores offset */
    CHECK_EQ(file_size(fd), 104);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 104);
    CHECK_ERR(read(fd, buf, 1), EBADF);
    close(fd);
    fd = open("f1", O_RDONLY);
    CHECK_ERR(write(fd, "x", 1), EBADF);
    close(fd);
    fd = open("f1", O_RDWR | O_TRUNC);
    CHECK_EQ(file_size(fd), 0);
    close(fd);
    fd = creat("f3", 0600);
    CHECK_EQ(write(fd, "z", 1), 1);
    CHECK_ERR(read(fd, buf, 1), EBADF);               /* creat is O_WRONLY */
    close(fd);
    CHECK_ERR(close(fd), EBADF);
    fd = openat(AT_FDCWD, "f3", O_RDONLY);
    CHECK_EQ(read(fd, buf, 4), 1);
    close(fd);
}

static void cleanup(void)
{
    unlink("f1");
    unlink("f2");
    unlink("f3");
}

int main(void)
{
    umask(022);
    cleanup();
    test_create_rw();
    test_holes();
    test_pread_pwrite();
    test_vectors();
    test_truncate();
    test_flags();
    cleanup();
    return guest_done();
}
