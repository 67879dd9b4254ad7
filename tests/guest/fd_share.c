/* fd_share: open file descriptions shared between fds, threads and
 * processes, and the fd table's hard cases, with Linux's answers:
 * - a thread blocked in read() on an fd another thread closes (or dup2s
 *   over) keeps its file: the read completes with the data written later;
 *   the fd number is free at once (EBADF, then reused by the next open);
 * - threads reading one description concurrently each take distinct bytes
 *   (the offset moves atomically with each read), and an lseek racing
 *   with them never makes a read return bytes from two places;
 * - a parent and child writing through one inherited description append
 *   after each other's bytes; O_APPEND writes land at the end, pwrite too;
 * - lseek SEEK_DATA/SEEK_HOLE on a sparse file; EMFILE at RLIMIT_NOFILE. */
#include "guest.h"
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

struct reader {
    int fd;
    char buf[16];
    ssize_t n;
    int err;
    volatile int started;
};

static void *blocked_read(void *arg)
{
    struct reader *r = arg;
    r->started = 1;
    r->n = read(r->fd, r->buf, sizeof r->buf);
    r->err = r->n < 0 ? errno : 0;
    return NULL;
}

/* Waits until the reader is (almost surely) asleep in read. */
static void let_block(struct reader *r)
{
    while (!r->started)
        usleep(1000);
    usleep(100000);
}

static void test_close_during_read(void)
{
    int p[2];
    pthread_t th;
    struct reader r = { 0 };

    printf("== close while another thread is blocked in read\n");
    CHECK_EQ(pipe(p), 0);
    int w = dup(p[1]);
    r.fd = p[0];
    CHECK_EQ(pthread_create(&th, NULL, blocked_read, &r), 0);
    let_block(&r);
    int fd = r.fd;
    CHECK_EQ(close(fd), 0);
    CHECK_ERR(fcntl(fd, F_GETFD), EBADF);         /* the number is free at once */
    CHECK_ERR(read(fd, r.buf, 1), EBADF);
    int again = open("/dev/null", O_RDONLY);      /* and the next open takes it */
    CHECK(again == fd);
    CHECK_EQ(write(w, "late", 4), 4);             /* the read still has its pipe */
    CHECK_EQ(pthread_join(th, NULL), 0);
    CHECK_EQ(r.n, 4);
    CHECK(!memcmp(r.buf, "late", 4));
    close(again);
    close(p[1]);
    close(w);

    printf("== dup2 over an fd another thread is blocked reading\n");
    CHECK_EQ(pipe(p), 0);
    memset(&r, 0, sizeof r);
    r.fd = p[0];
    CHECK_EQ(pthread_create(&th, NULL, blocked_read, &r), 0);
    let_block(&r);
    int null = open("/dev/null", O_RDONLY);
    CHECK_EQ(dup2(null, p[0]), p[0]);
    char c;
    CHECK_EQ(read(p[0], &c, 1), 0);               /* the fd is /dev/null now */
    CHECK_EQ(write(p[1], "old", 3), 3);           /* the read got the old pipe */
    CHECK_EQ(pthread_join(th, NULL), 0);
    CHECK_EQ(r.n, 3);
    close(null);
    close(p[0]);
    close(p[1]);

    printf("== the last writer closed while the reader waits: EOF\n");
    CHECK_EQ(pipe(p), 0);
    memset(&r, 0, sizeof r);
    r.fd = p[0];
    CHECK_EQ(pthread_create(&th, NULL, blocked_read, &r), 0);
    let_block(&r);
    CHECK_EQ(close(p[1]), 0);
    CHECK_EQ(pthread_join(th, NULL), 0);
    CHECK_EQ(r.n, 0);
    close(p[0]);
}

#define NBYTES 20000
static int shared_fd;
static unsigned char seen[NBYTES];
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static int bad_reads;

static void *byte_reader(void *arg)
{
    (void)arg;
    unsigned char b[2];
    for (;;) {
        ssize_t n = read(shared_fd, b, 2);
        if (n <= 0)
            break;
        pthread_mutex_lock(&seen_lock);
        /* The file holds its offsets' low bytes: a read's two bytes are consecutive. */
        if (n == 2 && (unsigned char)(b[0] + 1) != b[1])
            bad_reads++;
        pthread_mutex_unlock(&seen_lock);
    }
    return NULL;
}

static void *counting_reader(void *arg)
{
    (void)arg;
    unsigned short v;
    for (;;) {
        ssize_t n = read(shared_fd, &v, sizeof v);
        if (n != sizeof v)
            break;
        pthread_mutex_lock(&seen_lock);
        if (v < NBYTES / 2)
            seen[v]++;
        pthread_mutex_unlock(&seen_lock);
    }
    return NULL;
}

static void test_shared_offset_threads(void)
{
    pthread_t th[4];

    printf("== threads reading one description take distinct pieces\n");
    int fd = open("fd_share.dat", O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    for (unsigned short i = 0; i < NBYTES / 2; i++)
        if (write(fd, &i, sizeof i) != sizeof i)
            break;
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    shared_fd = fd;
    for (int i = 0; i < 4; i++)
        pthread_create(&th[i], NULL, counting_reader, NULL);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    int once = 0;
    for (int i = 0; i < NBYTES / 2; i++)
        once += seen[i] == 1;
    CHECK_EQ(once, NBYTES / 2);
    close(fd);

    printf("== an lseek racing with reads never splits one\n");
    fd = open("fd_share.dat", O_RDWR | O_TRUNC);
    for (int i = 0; i < NBYTES; i++) {
        unsigned char b = (unsigned char)i;
        if (write(fd, &b, 1) != 1)
            break;
    }
    shared_fd = fd;
    lseek(fd, 0, SEEK_SET);
    pthread_create(&th[0], NULL, byte_reader, NULL);
    pthread_create(&th[1], NULL, byte_reader, NULL);
    for (int i = 0; i < 2000; i++)
        lseek(fd, (i * 7919) % (NBYTES - 2), SEEK_SET);
    lseek(fd, 0, SEEK_END);
    pthread_join(th[0], NULL);
    pthread_join(th[1], NULL);
    CHECK_EQ(bad_reads, 0);
    close(fd);
    unlink("fd_share.dat");
}

static void test_shared_offset_fork(void)
{
    char buf[64];

    printf("== parent and child write through one description\n");
    int fd = open("fd_share.out", O_RDWR | O_CREAT | O_TRUNC, 0644);
    int go[2], back[2];
    CHECK_EQ(pipe(go), 0);
    CHECK_EQ(pipe(back), 0);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        for (int i = 0; i < 3; i++) {
            if (read(go[0], &c, 1) != 1 || write(fd, "child ", 6) != 6 || write(back[1], "k", 1) != 1)
                _exit(1);
        }
        _exit(0);
    }
    char c;
    for (int i = 0; i < 3; i++) {
        CHECK_EQ(write(fd, "parent ", 7), 7);
        CHECK_EQ(write(go[1], "g", 1), 1);
        CHECK_EQ(read(back[0], &c, 1), 1);
    }
    int status;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status));
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 39);
    CHECK_EQ(pread(fd, buf, 39, 0), 39);
    buf[39] = '\0';
    printf("file: %s\n", buf);
    close(go[0]); close(go[1]); close(back[0]); close(back[1]);

    printf("== the child's lseek moves the parent's offset\n");
    pid = fork();
    if (pid == 0)
        _exit(lseek(fd, 5, SEEK_SET) == 5 ? 0 : 1);
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && !WEXITSTATUS(status));
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 5);
    close(fd);

    printf("== O_APPEND: every write at the end, pwrite too\n");
    fd = open("fd_share.out", O_WRONLY | O_APPEND);
    int rd = open("fd_share.out", O_RDONLY);
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    CHECK_EQ(write(fd, "A", 1), 1);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 40);
    CHECK_EQ(pwrite(fd, "B", 1, 0), 1);           /* Linux appends: the offset is ignored */
    struct stat st;
    CHECK_EQ(fstat(fd, &st), 0);
    CHECK_EQ(st.st_size, 41);
    CHECK_EQ(pread(rd, buf, 2, 39), 2);
    CHECK(!memcmp(buf, "AB", 2));
    CHECK_EQ(pread(rd, buf, 1, 0), 1);
    CHECK_EQ(buf[0], 'p');
    int d = dup(rd);
    CHECK_EQ(fcntl(d, F_SETFL, O_APPEND), 0);     /* status flags are the description's */
    CHECK(fcntl(rd, F_GETFL) & O_APPEND);
    close(d);
    close(rd);
    close(fd);
    unlink("fd_share.out");
}

static void test_seek_data_hole(void)
{
    printf("== SEEK_DATA and SEEK_HOLE\n");
    int fd = open("fd_share.sparse", O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(pwrite(fd, "x", 1, 1 << 20), 1);      /* a hole, then one byte */
    off_t data = lseek(fd, 0, SEEK_DATA);
    CHECK(data > 0 && data <= (1 << 20));          /* filesystems round to blocks */
    off_t hole = lseek(fd, 0, SEEK_HOLE);
    CHECK(hole == 0 || hole == (1 << 20) + 1);      /* no hole support: at the end */
    CHECK_EQ(lseek(fd, 1 << 20, SEEK_HOLE), (1 << 20) + 1);  /* the end is a hole */
    CHECK_ERR(lseek(fd, (1 << 20) + 1, SEEK_HOLE), ENXIO);   /* at or past the end */
    CHECK_ERR(lseek(fd, (1 << 20) + 1, SEEK_DATA), ENXIO);
    CHECK_ERR(lseek(fd, (1 << 20) + 5, SEEK_HOLE), ENXIO);
    CHECK_ERR(lseek(fd, -1, SEEK_SET), EINVAL);
    CHECK_ERR(lseek(fd, 0, 7), EINVAL);
    close(fd);
    unlink("fd_share.sparse");
    int p[2];
    CHECK_EQ(pipe(p), 0);
    CHECK_ERR(lseek(p[0], 0, SEEK_CUR), ESPIPE);
    close(p[0]);
    close(p[1]);
}

static void test_nofile(void)
{
    struct rlimit rl, old;

    printf("== RLIMIT_NOFILE\n");
    CHECK_EQ(getrlimit(RLIMIT_NOFILE, &old), 0);
    rl = old;
    rl.rlim_cur = 64;
    CHECK_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
    int last = -1, n = 0;
    for (;;) {
        int fd = open("/dev/null", O_RDONLY);
        if (fd < 0) {
            int e = errno;
            CHECK_EQ(e, EMFILE);
            break;
        }
        last = fd;
        n++;
    }
    CHECK_EQ(last, 63);
    CHECK_ERR(dup(0), EMFILE);
    CHECK_ERR(dup2(0, 64), EBADF);
    CHECK_ERR(fcntl(0, F_DUPFD, 64), EINVAL);
    int p[2];
    CHECK_ERR(pipe(p), EMFILE);
    close(63);
    CHECK_ERR(pipe(p), EMFILE);                    /* needs two */
    CHECK_EQ(dup(0), 63);
    for (int fd = 3; fd < 64; fd++)
        if (fd <= last)
            close(fd);
    CHECK_EQ(setrlimit(RLIMIT_NOFILE, &old), 0);
    (void)n;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGPIPE, SIG_IGN);
    /* Only fds 0-2 open, as both runs may inherit others. */
    for (int fd = 3; fd < 1024; fd++)
        close(fd);
    test_close_during_read();
    test_shared_offset_threads();
    test_shared_offset_fork();
    test_seek_data_hole();
    test_nofile();
    return guest_done();
}
