/* dupfd.c: fd table semantics: dup takes the lowest free fd, duplicates share
 * one open file (offset, status flags), dup2/dup3 edge cases, close-on-exec
 * (F_GETFD/F_SETFD, O_CLOEXEC, dup3), F_GETFL/F_SETFL, F_DUPFD minimum. Fd
 * numbers are only compared, never printed: inherited fds may differ. */
#include "guest.h"
#include <fcntl.h>

/* Lowest fd number not open in this process, at or above MIN. */
static int lowest_free(int min)
{
    int fd = min;
    while (fcntl(fd, F_GETFD) != -1)
        fd++;
    return fd;
}

static void test_dup_shares_offset(int fd)
{
    int want = lowest_free(0);
    int d = dup(fd);
    CHECK(d == want);
    CHECK_EQ(write(fd, "0123456789", 10), 10);
    CHECK_EQ(lseek(d, 0, SEEK_CUR), 10);
    CHECK_EQ(lseek(d, 4, SEEK_SET), 4);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 4);
    CHECK_EQ(fcntl(d, F_GETFD), 0);                    /* dup clears cloexec */
    CHECK_EQ(close(d), 0);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 4);               /* original still works */
}

static void test_dup2(int fd)
{
    CHECK_EQ(dup2(fd, 50), 50);
    CHECK_EQ(lseek(50, 7, SEEK_SET), 7);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 7);
    int other = open("dupfile", O_RDONLY);
    CHECK_EQ(dup2(other, 50), 50);                     /* closes the old 50 */
    CHECK_EQ(lseek(50, 0, SEEK_CUR), 0);
    CHECK_EQ(dup2(fd, fd), fd);
    CHECK_ERR(dup2(999, 51), EBADF);
    CHECK_ERR(dup2(-1, 51), EBADF);
    CHECK_ERR(fcntl(51, F_GETFD), EBADF);
    CHECK_ERR(dup2(fd, -1), EBADF);
    CHECK_ERR(dup2(fd, 1 << 30), EBADF);
    close(other);
    close(50);
}

static void test_dup3_cloexec(int fd)
{
    /* raw calls: musl's dup3() checks arguments itself */
    CHECK_ERR(syscall(SYS_dup3, fd, fd, 0), EINVAL);
    CHECK_ERR(syscall(SYS_dup3, fd, 52, 0x12345), EINVAL);
    CHECK_ERR(fcntl(52, F_GETFD), EBADF);
    CHECK_EQ(dup3(fd, 52, O_CLOEXEC), 52);
    CHECK_EQ(fcntl(52, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(dup2(fd, 52), 52);
    CHECK_EQ(fcntl(52, F_GETFD), 0);
    CHECK_EQ(fcntl(52, F_SETFD, FD_CLOEXEC), 0);
    CHECK_EQ(fcntl(52, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(fd, F_GETFD), 0);                   /* per-fd, not per-file */
    close(52);
    int c = open("dupfile", O_RDONLY | O_CLOEXEC);
    CHECK_EQ(fcntl(c, F_GETFD), FD_CLOEXEC);
    close(c);
}

static void test_getfl_setfl(int fd)
{
    CHECK_EQ(fcntl(fd, F_GETFL) & O_ACCMODE, O_RDWR);
    CHECK_EQ(fcntl(fd, F_GETFL) & O_APPEND, 0);
    int d = dup(fd);
    CHECK_EQ(fcntl(fd, F_SETFL, O_APPEND | O_NONBLOCK), 0);
    CHECK_EQ(fcntl(d, F_GETFL) & (O_APPEND | O_NONBLOCK), O_APPEND | O_NONBLOCK);
    CHECK_EQ(fcntl(fd, F_SETFL, O_RDONLY), 0);         /* access mode unchanged */
    CHECK_EQ(fcntl(d, F_GETFL) & (O_ACCMODE | O_APPEND), O_RDWR);
    close(d);
    int r = open("dupfile", O_RDONLY);
    CHECK_EQ(fcntl(r, F_GETFL) & O_ACCMODE, O_RDONLY);
    close(r);
    CHECK_ERR(fcntl(fd, 12345), EINVAL);
}

static void test_dupfd_min(int fd)
{
    int want = lowest_free(20);
    int first = fcntl(fd, F_DUPFD, 20);
    CHECK(first == want);
    int next_free = lowest_free(20);
    int second = fcntl(fd, F_DUPFD, 20);
    CHECK(second == next_free && second > first);
    int c = fcntl(fd, F_DUPFD_CLOEXEC, 30);
    CHECK(c >= 30);
    CHECK_EQ(fcntl(c, F_GETFD), FD_CLOEXEC);
    CHECK_ERR(fcntl(fd, F_DUPFD, -1), EINVAL);
    CHECK_ERR(fcntl(fd, F_DUPFD, 1 << 30), EINVAL);
    close(first);
    close(second);
    close(c);
}

int main(void)
{
    unlink("dupfile");
    int fd = open("dupfile", O_CREAT | O_RDWR | O_TRUNC, 0600);
    CHECK(fd >= 0);
    test_dup_shares_offset(fd);
    test_dup2(fd);
    test_dup3_cloexec(fd);
    test_getfl_setfl(fd);
    test_dupfd_min(fd);
    close(fd);
    CHECK(lowest_free(0) == fd);
    unlink("dupfile");
    return guest_done();
}
