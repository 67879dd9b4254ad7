/* errnos.c: the errno values Linux returns for common mistakes: ENOENT,
 * ENOTDIR, EISDIR, EEXIST, ENOTEMPTY, EBADF on fds -1 and 999 for
 * read/write/close/fstat/lseek, EINVAL for a bad lseek whence, ENAMETOOLONG,
 * and ENOSYS for an unknown syscall number. Raw syscall() throughout. */
#include "guest.h"
#include <fcntl.h>
#include <sys/stat.h>

static void cleanup(void)
{
    unlink("edir/file");
    rmdir("edir");
    unlink("efile");
}

static void setup(void)
{
    CHECK_EQ(mkdir("edir", 0755), 0);
    int fd = open("edir/file", O_CREAT | O_WRONLY, 0644);
    CHECK(fd >= 0);
    close(fd);
    fd = open("efile", O_CREAT | O_WRONLY, 0644);
    close(fd);
}

static void test_paths(void)
{
    CHECK_ERR(syscall(SYS_open, "no-such-file", O_RDONLY), ENOENT);
    CHECK_ERR(syscall(SYS_open, "no-such-dir/file", O_RDONLY | O_CREAT, 0644), ENOENT);
    CHECK_ERR(syscall(SYS_open, "", O_RDONLY), ENOENT);
    CHECK_ERR(syscall(SYS_open, "efile/x", O_RDONLY), ENOTDIR);
    CHECK_ERR(syscall(SYS_open, "efile", O_RDONLY | O_DIRECTORY), ENOTDIR);
    CHECK_ERR(syscall(SYS_open, "edir", O_WRONLY), EISDIR);
    CHECK_ERR(syscall(SYS_open, "edir", O_RDWR), EISDIR);
    CHECK_ERR(syscall(SYS_open, "efile", O_CREAT | O_EXCL | O_RDWR, 0644), EEXIST);
    CHECK_ERR(syscall(SYS_mkdir, "edir", 0755), EEXIST);
    CHECK_ERR(syscall(SYS_mkdir, "efile", 0755), EEXIST);
    CHECK_ERR(syscall(SYS_rmdir, "edir"), ENOTEMPTY);
    CHECK_ERR(syscall(SYS_rmdir, "efile"), ENOTDIR);
    CHECK_ERR(syscall(SYS_unlink, "edir"), EISDIR);
    CHECK_ERR(syscall(SYS_unlink, "no-such-file"), ENOENT);
    CHECK_ERR(syscall(SYS_chdir, "efile"), ENOTDIR);
}

static void test_badfd(int fd)
{
    char buf[4];
    struct stat st;
    printf("bad fd %d:\n", fd);
    CHECK_ERR(syscall(SYS_read, fd, buf, 1), EBADF);
    CHECK_ERR(syscall(SYS_write, fd, "x", 1), EBADF);
    CHECK_ERR(syscall(SYS_close, fd), EBADF);
    CHECK_ERR(syscall(SYS_fstat, fd, &st), EBADF);
    CHECK_ERR(syscall(SYS_lseek, fd, 0L, SEEK_SET), EBADF);
    CHECK_ERR(syscall(SYS_dup, fd), EBADF);
    CHECK_ERR(syscall(SYS_fcntl, fd, F_GETFL), EBADF);
    CHECK_ERR(syscall(SYS_fchdir, fd), EBADF);
    CHECK_ERR(syscall(SYS_openat, fd, "efile", O_RDONLY), EBADF);
}

static void test_einval(void)
{
    int fd = open("efile", O_RDWR);
    CHECK_ERR(syscall(SYS_lseek, fd, 0L, 99), EINVAL);
    CHECK_ERR(syscall(SYS_lseek, fd, -1L, SEEK_SET), EINVAL);
    CHECK_ERR(syscall(SYS_open, "efile", O_RDONLY | O_TMPFILE), EINVAL);
    CHECK_ERR(syscall(SYS_fcntl, fd, F_SETFD + 1000), EINVAL);
    close(fd);
    CHECK_ERR(syscall(SYS_read, 1 << 20, NULL, 0), EBADF);
    CHECK_ERR(syscall(1000), ENOSYS);
    CHECK_ERR(syscall(-1L), ENOSYS);
}

static void test_nametoolong(void)
{
    char comp[300], path[5000];
    memset(comp, 'n', sizeof comp - 1);
    comp[sizeof comp - 1] = 0;                          /* one 299-byte name */
    CHECK_ERR(syscall(SYS_open, comp, O_RDONLY), ENAMETOOLONG);
    CHECK_ERR(syscall(SYS_mkdir, comp, 0755), ENAMETOOLONG);
    for (size_t i = 0; i + 2 < sizeof path; i += 2)
        memcpy(path + i, "./", 2);                       /* "././././..." */
    path[sizeof path - 1] = 0;
    CHECK_ERR(syscall(SYS_open, path, O_RDONLY), ENAMETOOLONG);
    CHECK_ERR(syscall(SYS_stat, path, NULL), ENAMETOOLONG);
}

int main(void)
{
    cleanup();
    setup();
    test_paths();
    test_badfd(-1);
    test_badfd(999);
    test_einval();
    test_nametoolong();
    cleanup();
    return guest_done();
}
