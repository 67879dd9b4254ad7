/* pipe_ring.c: what a pipe's buffer is, seen from the guest. Linux keeps a
 * ring of page-sized buffers: small writes merge into the last page while
 * they fit, a page freed only when read to its end, so a full pipe stays
 * full after a 1-byte read; packet mode (O_DIRECT) keeps each write as one
 * packet and a short read drops the packet's rest; readv takes what the pipe
 * has instead of blocking for its next piece; poll reports POLLIN/POLLOUT/
 * POLLHUP/POLLERR, waits for a writer in another process and times out;
 * fstat says FIFO, both ends share an inode;
 * FIONBIO sets O_NONBLOCK; F_GETPIPE_SZ is EBADF on a file. */
#include "guest.h"
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

static char page[8192];

/* Nonblocking writes of n bytes until EAGAIN: how many went in. */
static long fill(int fd, size_t n)
{
    long count = 0;
    while (write(fd, page, n) == (ssize_t)n)
        count++;
    return errno == EAGAIN ? count : -1;
}

static int queued(int fd)
{
    int n = -1;
    ioctl(fd, FIONREAD, &n);
    return n;
}

static void test_pages(void)
{
    int fds[2];

    printf("== the ring of pages\n");
    CHECK_EQ(pipe2(fds, O_NONBLOCK), 0);
    CHECK_EQ(fill(fds[1], 100), 640);              /* 40 writes of 100 per page, 16 pages */
    CHECK_EQ(queued(fds[0]), 64000);
    CHECK_ERR(write(fds[1], page, 100), EAGAIN);
    CHECK_EQ(write(fds[1], page, 96), 96);         /* merges: the last page held 4000 */
    CHECK_ERR(write(fds[1], page, 1), EAGAIN);     /* full */
    CHECK_EQ(read(fds[0], page, 4000), 4000);      /* one page free */
    CHECK_EQ(fill(fds[1], 3000), 1);
    CHECK_EQ(write(fds[1], page, 1096), 1096);     /* merges: 3000 + 1096 = 4096 */
    CHECK_ERR(write(fds[1], page, 1), EAGAIN);
    close(fds[0]);
    close(fds[1]);

    CHECK_EQ(pipe2(fds, O_NONBLOCK), 0);
    CHECK_EQ(fill(fds[1], 4096), 16);
    CHECK_EQ(read(fds[0], page, 1), 1);            /* the page is not free yet */
    CHECK_ERR(write(fds[1], page, 1), EAGAIN);
    CHECK_EQ(read(fds[0], page, 4095), 4095);      /* now it is */
    CHECK_EQ(write(fds[1], page, 5000), 4096);     /* a nonblocking write takes what fits */
    CHECK_ERR(write(fds[1], page, 10), EAGAIN);
    CHECK_EQ(queued(fds[0]), 65536);
    close(fds[0]);
    close(fds[1]);

    CHECK_EQ(pipe2(fds, O_NONBLOCK), 0);
    CHECK_EQ(write(fds[1], page, 10), 10);
    CHECK_EQ(write(fds[1], page, 5000), 5000);     /* 904 merge, then a page */
    CHECK_EQ(fill(fds[1], 4096), 14);
    CHECK_EQ(queued(fds[0]), 10 + 5000 + 14 * 4096);
    close(fds[0]);
    close(fds[1]);
}

static void test_packets(void)
{
    int fds[2];
    char buf[8192];

    printf("== packet mode (O_DIRECT)\n");
    CHECK_EQ(pipe2(fds, O_DIRECT | O_NONBLOCK), 0);
    CHECK((fcntl(fds[1], F_GETFL) & O_DIRECT) != 0);
    CHECK_EQ(fcntl(fds[0], F_GETFL) & O_DIRECT, 0);  /* the write end's only */
    CHECK_EQ(write(fds[1], "abc", 3), 3);
    CHECK_EQ(write(fds[1], "defgh", 5), 5);
    memset(page, 'p', sizeof page);
    CHECK_EQ(write(fds[1], page, 5000), 5000);     /* two packets: 4096 and 904 */
    CHECK_EQ(queued(fds[0]), 5008);
    CHECK_EQ(read(fds[0], buf, sizeof buf), 3);    /* one packet per read */
    CHECK_EQ(read(fds[0], buf, 2), 2);             /* "de": "fgh" dropped */
    CHECK(memcmp(buf, "de", 2) == 0);
    CHECK_EQ(read(fds[0], buf, sizeof buf), 4096);
    CHECK_EQ(read(fds[0], buf, sizeof buf), 904);
    CHECK_ERR(read(fds[0], buf, sizeof buf), EAGAIN);
    CHECK_EQ(fill(fds[1], 1), 16);                 /* a packet a page */
    close(fds[0]);
    close(fds[1]);

    /* Packet mode is the writer's: set on the write end only, by F_SETFL. */
    CHECK_EQ(pipe2(fds, O_NONBLOCK), 0);
    CHECK_EQ(write(fds[1], "12", 2), 2);
    CHECK_EQ(fcntl(fds[1], F_SETFL, O_DIRECT | O_NONBLOCK), 0);
    CHECK_EQ(write(fds[1], "34", 2), 2);           /* merges into the byte page */
    CHECK_EQ(write(fds[1], "56", 2), 2);           /* the 2-byte write merges too: it is that page's */
    CHECK_EQ(read(fds[0], buf, sizeof buf), 6);
    CHECK_EQ(write(fds[1], "78", 2), 2);           /* empty pipe: a packet of its own */
    CHECK_EQ(write(fds[1], "9", 1), 1);
    CHECK_EQ(read(fds[0], buf, sizeof buf), 2);
    CHECK_EQ(read(fds[0], buf, sizeof buf), 1);
    close(fds[0]);
    close(fds[1]);
}

static void test_readv(void)
{
    int fds[2];
    char a[3], b[10];
    struct iovec iov[2] = { { a, sizeof a }, { b, sizeof b } };

    printf("== readv takes what the pipe has\n");
    CHECK_EQ(pipe(fds), 0);
    CHECK_EQ(write(fds[1], "xyz", 3), 3);
    CHECK_EQ(readv(fds[0], iov, 2), 3);            /* does not wait for b's bytes */
    CHECK_EQ(write(fds[1], "0123456", 7), 7);
    CHECK_EQ(readv(fds[0], iov, 2), 7);
    CHECK(memcmp(a, "012", 3) == 0 && memcmp(b, "3456", 4) == 0);
    struct iovec w[3] = { { "ab", 2 }, { "", 0 }, { "cd", 2 } };
    CHECK_EQ(writev(fds[1], w, 3), 4);
    CHECK_EQ(read(fds[0], b, sizeof b), 4);
    CHECK(memcmp(b, "abcd", 4) == 0);
    close(fds[0]);
    close(fds[1]);
}

static void test_poll(void)
{
    int fds[2], other[2];
    struct pollfd p[3];
    struct timespec t0;

    printf("== poll\n");
    CHECK_EQ(pipe(fds), 0);
    CHECK_EQ(pipe(other), 0);
    p[0] = (struct pollfd){ fds[0], POLLIN, 0 };
    p[1] = (struct pollfd){ fds[1], POLLOUT, 0 };
    CHECK_EQ(poll(p, 2, 0), 1);
    CHECK_EQ(p[0].revents, 0);
    CHECK_EQ(p[1].revents, POLLOUT);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_EQ(poll(p, 1, 100), 0);                  /* times out */
    CHECK(ms_since(&t0) >= 90);

    /* A child writes after a while: the parent's poll wakes for it. */
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        struct timespec d = { 0, 50 * 1000000 };
        nanosleep(&d, NULL);
        _exit(write(fds[1], "!", 1) == 1 ? 0 : 1);
    }
    p[0] = (struct pollfd){ other[0], POLLIN, 0 };
    p[1] = (struct pollfd){ fds[0], POLLIN, 0 };
    p[2] = (struct pollfd){ -1, POLLIN, 7 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_EQ(poll(p, 3, 10000), 1);
    CHECK(ms_since(&t0) < 5000);
    CHECK_EQ(p[0].revents, 0);
    CHECK_EQ(p[1].revents, POLLIN);
    CHECK_EQ(p[2].revents, 0);
    int status = -1;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    char c;
    CHECK_EQ(read(fds[0], &c, 1), 1);

    /* Hang-up and error: the other end closed, in this process or the child's. */
    close(fds[1]);
    p[0] = (struct pollfd){ fds[0], POLLIN, 0 };
    CHECK_EQ(poll(p, 1, 1000), 1);
    CHECK_EQ(p[0].revents, POLLHUP);
    close(fds[0]);
    close(other[1]);
    p[0] = (struct pollfd){ other[0], 0, 0 };      /* POLLHUP even when not asked */
    CHECK_EQ(poll(p, 1, 1000), 1);
    CHECK_EQ(p[0].revents, POLLHUP);
    close(other[0]);

    CHECK_EQ(pipe(fds), 0);
    close(fds[0]);
    p[0] = (struct pollfd){ fds[1], POLLOUT, 0 };
    CHECK_EQ(poll(p, 1, 1000), 1);
    CHECK_EQ(p[0].revents, POLLOUT | POLLERR);
    close(fds[1]);

    /* A full pipe polls not writable until a reader makes a page free. */
    CHECK_EQ(pipe2(fds, O_NONBLOCK), 0);
    CHECK_EQ(fill(fds[1], 4096), 16);
    p[0] = (struct pollfd){ fds[1], POLLOUT, 0 };
    p[1] = (struct pollfd){ 1000, POLLIN, 0 };      /* not open */
    CHECK_EQ(poll(p, 2, 0), 1);
    CHECK_EQ(p[0].revents, 0);
    CHECK_EQ(p[1].revents, POLLNVAL);
    CHECK_EQ(read(fds[0], page, 100), 100);
    CHECK_EQ(poll(p, 1, 0), 0);
    CHECK_EQ(read(fds[0], page, 3996), 3996);
    CHECK_EQ(poll(p, 1, 0), 1);
    CHECK_EQ(p[0].revents, POLLOUT);
    close(fds[0]);
    close(fds[1]);
}

static void test_fstat(void)
{
    int fds[2], file;
    struct stat st0, st1;
    char link[64];

    printf("== fstat, FIONBIO\n");
    CHECK_EQ(pipe(fds), 0);
    CHECK_EQ(fstat(fds[0], &st0), 0);
    CHECK_EQ(fstat(fds[1], &st1), 0);
    CHECK(S_ISFIFO(st0.st_mode));
    CHECK_EQ(st0.st_mode & 0777, 0600);
    CHECK_EQ(st0.st_nlink, 1);
    CHECK_EQ(st0.st_size, 0);
    CHECK_EQ(st0.st_blksize, 4096);
    CHECK(st0.st_ino == st1.st_ino);
    CHECK(st0.st_dev == st1.st_dev);
    CHECK_EQ(st0.st_uid, geteuid());
    CHECK_ERR(lseek(fds[0], 0, SEEK_SET), ESPIPE);
    CHECK_ERR(pread(fds[0], link, 1, 0), ESPIPE);

    int on = 1;
    CHECK_EQ(ioctl(fds[0], FIONBIO, &on), 0);
    CHECK((fcntl(fds[0], F_GETFL) & O_NONBLOCK) != 0);
    CHECK_ERR(read(fds[0], link, 1), EAGAIN);
    on = 0;
    CHECK_EQ(ioctl(fds[0], FIONBIO, &on), 0);
    CHECK_EQ(fcntl(fds[0], F_GETFL) & O_NONBLOCK, 0);
    CHECK_ERR(ioctl(fds[0], TCGETS, link), ENOTTY);
    CHECK_ERR(ioctl(fds[0], FIONREAD, (int *)8), EFAULT);
    close(fds[0]);
    close(fds[1]);

    file = open("/proc/self/exe", O_RDONLY);
    CHECK(file >= 0);
    CHECK_ERR(fcntl(file, F_GETPIPE_SZ), EBADF);
    close(file);
    CHECK_ERR(pipe2(fds, O_APPEND), EINVAL);
    int *volatile bad = (int *)8;
    CHECK_ERR(pipe(bad), EFAULT);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    signal(SIGPIPE, SIG_IGN);
    alarm(60);                      /* a hang fails rather than blocks */
    test_pages();
    test_packets();
    test_readv();
    test_poll();
    test_fstat();
    return guest_done();
}
