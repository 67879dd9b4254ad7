/* pipe_splice: splice, tee and vmsplice through pipes.
 * - file -> pipe -> file, at the files' offsets and at given offsets (the
 *   file's own offset untouched then), short at end of file, 0 at EOF;
 * - pipe -> pipe moves bytes, tee copies them and leaves them in place;
 * - vmsplice writes user memory into a pipe and reads it back out;
 * - a stream socket into a pipe and back (SPLICE_F_NONBLOCK: EAGAIN);
 * - SPLICE_F_NONBLOCK and O_NONBLOCK: EAGAIN on an empty or full pipe;
 * - no readers: EPIPE and SIGPIPE;
 * - Linux's errors: EINVAL for no pipe, the same pipe, bad flags, an
 *   O_APPEND target; ESPIPE for an offset on a pipe; EBADF for a wrong end;
 *   EFAULT for a bad offset pointer; len 0 is 0 before anything is checked. */
#include "guest.h"
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>

static volatile sig_atomic_t sigpipes;
static void on_pipe(int sig) { (void)sig; sigpipes++; }

static void fill(const char *name, const char *text)
{
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text))
        printf("cannot write %s\n", name);
    close(fd);
}

static void test_file_pipe_file(void)
{
    int p[2];
    char buf[64];
    loff_t off;

    printf("== file -> pipe -> file\n");
    fill("splice.in", "0123456789abcdefghij");
    int in = open("splice.in", O_RDONLY);
    int out = open("splice.out", O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK_EQ(pipe(p), 0);
    CHECK_EQ(splice(in, NULL, p[1], NULL, 5, 0), 5);          /* at in's offset */
    CHECK_EQ(lseek(in, 0, SEEK_CUR), 5);
    off = 10;
    CHECK_EQ(splice(in, &off, p[1], NULL, 4, SPLICE_F_MOVE), 4); /* at a given one */
    CHECK_EQ(off, 14);
    CHECK_EQ(lseek(in, 0, SEEK_CUR), 5);                         /* untouched */
    CHECK_EQ(splice(p[0], NULL, out, NULL, 100, 0), 9);          /* all the pipe has */
    CHECK_EQ(lseek(out, 0, SEEK_CUR), 9);
    CHECK_EQ(pread(out, buf, 9, 0), 9);
    CHECK(!memcmp(buf, "01234abcd", 9));
    off = 30;
    CHECK_EQ(splice(in, &off, p[1], NULL, 10, 0), 0);            /* past the end */
    off = 16;
    CHECK_EQ(splice(in, &off, p[1], NULL, 10, 0), 4);            /* short at the end */
    loff_t oo = 2;
    CHECK_EQ(splice(p[0], NULL, out, &oo, 2, 0), 2);             /* at out's offset 2 */
    CHECK_EQ(oo, 4);
    CHECK_EQ(lseek(out, 0, SEEK_CUR), 9);
    CHECK_EQ(pread(out, buf, 9, 0), 9);
    CHECK(!memcmp(buf, "01gh4abcd", 9));
    CHECK_EQ(splice(p[0], NULL, out, NULL, 10, 0), 2);
    close(p[1]);
    CHECK_EQ(splice(p[0], NULL, out, NULL, 10, 0), 0);           /* EOF */
    close(p[0]);
    close(in);
    close(out);
}

static void test_pipe_pipe_tee(void)
{
    int a[2], b[2], c[2];
    char buf[64];

    printf("== pipe -> pipe and tee\n");
    CHECK_EQ(pipe(a), 0);
    CHECK_EQ(pipe(b), 0);
    CHECK_EQ(pipe(c), 0);
    CHECK_EQ(write(a[1], "hello world", 11), 11);
    CHECK_EQ(tee(a[0], c[1], 5, 0), 5);                          /* copied, not taken */
    CHECK_EQ(splice(a[0], NULL, b[1], NULL, 100, 0), 11);
    CHECK_EQ(read(b[0], buf, sizeof buf), 11);
    CHECK(!memcmp(buf, "hello world", 11));
    CHECK_EQ(read(c[0], buf, sizeof buf), 5);
    CHECK(!memcmp(buf, "hello", 5));
    CHECK_ERR(splice(a[0], NULL, b[1], NULL, 5, SPLICE_F_NONBLOCK), EAGAIN);
    CHECK_ERR(tee(a[0], b[1], 5, SPLICE_F_NONBLOCK), EAGAIN);
    close(a[1]);
    CHECK_EQ(splice(a[0], NULL, b[1], NULL, 5, 0), 0);           /* EOF */
    CHECK_EQ(tee(a[0], b[1], 5, 0), 0);
    CHECK_ERR(splice(b[0], NULL, b[1], NULL, 5, 0), EINVAL);     /* one pipe */
    CHECK_ERR(tee(b[0], b[1], 5, 0), EINVAL);
    close(a[0]); close(b[0]); close(b[1]); close(c[0]); close(c[1]);
}

static void test_vmsplice(void)
{
    int p[2];
    char x[4] = "abc", y[8] = "defgh", back1[3], back2[16];
    struct iovec in[2] = { { x, 3 }, { y, 5 } }, out[2] = { { back1, 3 }, { back2, 16 } };

    printf("== vmsplice\n");
    CHECK_EQ(pipe(p), 0);
    CHECK_EQ(vmsplice(p[1], in, 2, 0), 8);
    CHECK_EQ(vmsplice(p[0], out, 2, 0), 8);
    CHECK(!memcmp(back1, "abc", 3) && !memcmp(back2, "defgh", 5));
    CHECK_ERR(vmsplice(p[0], out, 2, SPLICE_F_NONBLOCK), EAGAIN);
    CHECK_EQ(vmsplice(p[1], in, 0, 0), 0);
    struct iovec bad = { (void *)16, 4 };
    CHECK_ERR(vmsplice(p[1], &bad, 1, 0), EFAULT);
    int f = open("splice.in", O_RDONLY);
    CHECK_ERR(vmsplice(f, in, 1, 0), EBADF);                     /* no pipe */
    CHECK_ERR(vmsplice(p[1], in, 1, 0x100), EINVAL);
    close(f);
    close(p[0]);
    close(p[1]);
}

static void test_blocking_and_errors(void)
{
    int p[2];
    char big[65536];

    printf("== nonblocking, EPIPE, errors\n");
    int in = open("splice.in", O_RDONLY);
    int out = open("splice.out", O_WRONLY);
    int app = open("splice.out", O_WRONLY | O_APPEND);
    CHECK_EQ(pipe2(p, O_NONBLOCK), 0);
    CHECK_ERR(splice(p[0], NULL, out, NULL, 5, 0), EAGAIN);      /* empty, O_NONBLOCK */
    memset(big, 'z', sizeof big);
    CHECK_EQ(write(p[1], big, sizeof big), (long)sizeof big);   /* full */
    CHECK_ERR(splice(in, NULL, p[1], NULL, 5, 0), EAGAIN);
    CHECK_ERR(write(p[1], "x", 1), EAGAIN);
    close(p[0]);
    close(p[1]);
    CHECK_EQ(pipe(p), 0);
    CHECK_ERR(splice(in, NULL, p[1], NULL, 5, SPLICE_F_NONBLOCK | 0x10), EINVAL);
    CHECK_EQ(splice(in, NULL, p[1], NULL, 0, 0x10), 0);           /* len 0 first */
    CHECK_ERR(splice(in, NULL, out, NULL, 5, 0), EINVAL);         /* no pipe */
    loff_t off = 0;
    CHECK_ERR(splice(p[0], &off, out, NULL, 5, 0), ESPIPE);
    CHECK_ERR(splice(in, NULL, p[1], &off, 5, 0), ESPIPE);
    CHECK_ERR(splice(in, (loff_t *)16, p[1], NULL, 5, 0), EFAULT);
    CHECK_ERR(splice(p[1], NULL, out, NULL, 5, 0), EBADF);        /* the write end */
    CHECK_ERR(splice(in, NULL, p[0], NULL, 5, 0), EBADF);         /* the read end */
    CHECK_ERR(splice(99, NULL, p[1], NULL, 5, 0), EBADF);
    CHECK_EQ(write(p[1], "q", 1), 1);
    CHECK_ERR(splice(p[0], NULL, app, NULL, 5, 0), EINVAL);       /* O_APPEND target */
    CHECK_ERR(tee(in, p[1], 5, 0), EINVAL);
    int d[2];
    CHECK_EQ(pipe(d), 0);
    close(d[0]);
    sigpipes = 0;
    CHECK_ERR(splice(p[0], NULL, d[1], NULL, 5, 0), EPIPE);       /* no readers */
    CHECK_EQ(sigpipes, 1);
    CHECK_ERR(splice(in, NULL, d[1], NULL, 5, 0), EPIPE);
    CHECK_EQ(sigpipes, 2);
    close(d[1]);
    close(p[0]); close(p[1]); close(in); close(out); close(app);
    unlink("splice.in");
    unlink("splice.out");
}

static void test_socket(void)
{
    int sv[2], p[2];
    char buf[16];

    printf("== socket -> pipe -> socket\n");
    CHECK_EQ(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    CHECK_EQ(pipe(p), 0);
    CHECK_ERR(splice(sv[1], NULL, p[1], NULL, 8, SPLICE_F_NONBLOCK), EAGAIN);
    CHECK_EQ(write(sv[0], "stream", 6), 6);
    CHECK_EQ(splice(sv[1], NULL, p[1], NULL, 64, 0), 6);
    CHECK_EQ(splice(p[0], NULL, sv[1], NULL, 64, 0), 6);
    CHECK_EQ(read(sv[0], buf, sizeof buf), 6);
    CHECK(!memcmp(buf, "stream", 6));
    close(sv[0]);
    CHECK_EQ(splice(sv[1], NULL, p[1], NULL, 64, 0), 0);           /* the peer is gone */
    close(sv[1]); close(p[0]); close(p[1]);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGPIPE, on_pipe);
    alarm(60);
    test_file_pipe_file();
    test_pipe_pipe_tee();
    test_vmsplice();
    test_socket();
    test_blocking_and_errors();
    return guest_done();
}
