/* proc_pipe.c: pipes between processes. Four writer processes each write
 * 1000 tagged records of 512 bytes (PIPE_BUF or less: atomic) into one pipe
 * while the parent reads in odd-sized pieces: no record is torn, each
 * writer's records arrive in order, then EOF once every writer has exited.
 * EOF waits for every write end in every process: with the parent's closed
 * and one child's gone, a second child (holding two duplicates) still keeps
 * the reader at EAGAIN until it exits. A child writing to a pipe without
 * readers dies of SIGPIPE (default action), gets EPIPE when SIGPIPE is
 * ignored (inherited SIG_IGN), runs its handler then gets EPIPE, or gets
 * EPIPE with SIGPIPE left pending when blocked; a parent blocked writing into
 * a full pipe whose only reader (a child) exits returns the bytes it wrote,
 * then EPIPE. An empty pipe read without blocking gives EAGAIN while a writer
 * lives; FIONREAD counts what a child wrote; F_GETPIPE_SZ/F_SETPIPE_SZ
 * (rounding up to a power-of-two number of pages, EBUSY below the content)
 * act on the pipe both processes share, and a child fills exactly that much
 * before EAGAIN. Children never print; pids are never printed. */
#include "guest_proc.h"
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/wait.h>

static int exited(int status, int code)
{
    return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}

static void set_handler(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* --- PIPE_BUF atomicity --- */
#define WRITERS 4
#define RECORDS 1000
#define RECSIZE 512

struct record {
    uint32_t writer, seq;
    unsigned char fill[RECSIZE - 8];
};

static void make_record(struct record *r, unsigned w, unsigned seq)
{
    r->writer = w;
    r->seq = seq;
    for (unsigned i = 0; i < sizeof r->fill; i++)
        r->fill[i] = (unsigned char)(w * 61 + seq * 7 + i);
}

static int record_ok(const struct record *r)
{
    struct record want;
    if (r->writer >= WRITERS || r->seq >= RECORDS)
        return 0;
    make_record(&want, r->writer, r->seq);
    return !memcmp(r, &want, sizeof want);
}

static void test_atomic(void)
{
    int data[2], gate[2];
    pid_t kids[WRITERS];
    int n = 0;

    printf("== %d writer processes, %d records of %d bytes each\n", WRITERS, RECORDS, RECSIZE);
    CHECK(RECSIZE <= PIPE_BUF);
    CHECK_EQ(sizeof(struct record), RECSIZE);
    CHECK_EQ(pipe(data), 0);
    CHECK_EQ(pipe(gate), 0);
    for (int w = 0; w < WRITERS; w++) {
        kids[w] = xfork();
        if (kids[w] == 0) {
            struct record r;
            close(data[0]);
            close(gate[1]);
            get_byte(gate[0]);               /* all start together */
            for (unsigned seq = 0; seq < RECORDS; seq++) {
                make_record(&r, w, seq);
                long got;
                while ((got = write(data[1], &r, sizeof r)) == -1 && errno == EINTR)
                    ;
                if (got != sizeof r)
                    _exit(1);
            }
            _exit(0);
        }
        n += forked(kids[w]);
    }
    close(data[1]);
    close(gate[0]);
    close(gate[1]);                          /* go */

    static unsigned char buf[RECSIZE * 16];
    unsigned next[WRITERS] = { 0 };
    long have = 0, r, total = 0;
    int torn = 0, order = 0;
    static const int sizes[] = { 1000, 7, 4096, 513, 3 * RECSIZE, 100 };
    for (int k = 0;; k++) {
        int want = sizes[k % 6];
        r = read(data[0], buf + have, want);
        if (r == -1 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        have += r;
        long off = 0;
        for (; have - off >= RECSIZE; off += RECSIZE) {
            struct record rec;
            memcpy(&rec, buf + off, sizeof rec);
            if (!record_ok(&rec)) {
                torn++;
                continue;
            }
            if (rec.seq != next[rec.writer])
                order++;
            next[rec.writer] = rec.seq + 1;
            total++;
        }
        memmove(buf, buf + off, have - off);
        have -= off;
    }
    CHECK_EQ(r, 0);
    CHECK_EQ(have, 0);
    CHECK_EQ(torn, 0);
    CHECK_EQ(order, 0);
    CHECK_EQ(total, (long)n * RECORDS);
    int all = 1;
    for (int w = 0; w < WRITERS; w++)
        if (kids[w] > 0)
            all &= exited(reap(kids[w]), 0) && next[w] == RECORDS;
    CHECK(all);
    close(data[0]);
}

/* --- EOF waits for every write end --- */
static void test_eof(void)
{
    int data[2], gate[2];
    char buf[16];

    printf("== EOF only once every write end in every process is closed\n");
    CHECK_EQ(pipe(data), 0);
    CHECK_EQ(pipe(gate), 0);
    pid_t a = xfork();
    if (a == 0) {
        close(data[0]);
        (void)!write(data[1], "a", 1);
        _exit(0);
    }
    pid_t b = xfork();
    if (b == 0) {
        close(data[0]);
        close(gate[1]);
        int extra = dup(data[1]);
        (void)!write(extra, "b", 1);
        get_byte(gate[0]);
        _exit(extra >= 0 ? 0 : 1);
    }
    close(data[1]);
    close(gate[0]);
    if (forked(a) && forked(b)) {
        CHECK(exited(reap(a), 0));
        CHECK_EQ(read(data[0], buf, 1), 1);
        CHECK_EQ(read(data[0], buf + 1, 1), 1);
        buf[2] = 0;
        CHECK(!strcmp(buf, "ab") || !strcmp(buf, "ba"));
        CHECK_EQ(fcntl(data[0], F_SETFL, O_NONBLOCK), 0);
        CHECK_ERR(read(data[0], buf, sizeof buf), EAGAIN);
        close(gate[1]);
        CHECK(exited(reap(b), 0));
        CHECK_EQ(read(data[0], buf, sizeof buf), 0);
    } else {
        close(gate[1]);
        while (wait(NULL) > 0)
            ;
    }
    close(data[0]);
}

/* --- SIGPIPE and EPIPE --- */
static volatile int pipe_runs;
static void on_pipe(int sig)
{
    (void)sig;
    pipe_runs++;
}

enum how { H_DEFAULT, H_IGNORED, H_HANDLER, H_BLOCKED };

/* A child writes into a pipe without readers; 0 if it saw what it should. */
static int sigpipe_status(enum how how)
{
    int fds[2];

    if (pipe(fds) != 0)
        return -1;
    close(fds[0]);                           /* nobody will read */
    if (how == H_IGNORED)
        set_handler(SIGPIPE, SIG_IGN, 0);    /* inherited by the child */
    pid_t pid = xfork();
    if (pid == 0) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGPIPE);
        if (how == H_DEFAULT)
            set_handler(SIGPIPE, SIG_DFL, 0);
        if (how == H_HANDLER)
            set_handler(SIGPIPE, on_pipe, 0);
        if (how == H_BLOCKED) {
            set_handler(SIGPIPE, SIG_DFL, 0);
            sigprocmask(SIG_BLOCK, &set, NULL);
        }
        long r = write(fds[1], "x", 1);
        int err = errno;
        int code = 0;
        if (r != -1 || err != EPIPE)
            code |= 1;
        if (how == H_HANDLER && pipe_runs != 1)
            code |= 2;
        if (how == H_BLOCKED) {
            sigset_t p;
            sigemptyset(&p);
            sigpending(&p);
            if (!sigismember(&p, SIGPIPE))
                code |= 4;
        }
        _exit(code);
    }
    close(fds[1]);
    set_handler(SIGPIPE, SIG_DFL, 0);
    if (!forked(pid))
        return -1;
    return reap(pid);
}

static void test_sigpipe(void)
{
    int status;

    printf("== a child writes to a pipe without readers\n");
    status = sigpipe_status(H_DEFAULT);
    CHECK(status != -1 && WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE);
    status = sigpipe_status(H_IGNORED);
    CHECK(exited(status, 0));
    status = sigpipe_status(H_HANDLER);
    CHECK(exited(status, 0));
    status = sigpipe_status(H_BLOCKED);
    CHECK(exited(status, 0));

    printf("== a writer blocked on a full pipe when its reader exits\n");
    int fds[2], gate[2];
    CHECK_EQ(pipe(fds), 0);
    CHECK_EQ(pipe(gate), 0);
    pid_t pid = xfork();
    if (pid == 0) {
        char c;
        close(fds[1]);
        close(gate[0]);
        (void)!read(fds[0], &c, 1);          /* the first byte */
        put_byte(gate[1], 'r');
        _exit(0);                            /* and goes */
    }
    close(fds[0]);
    close(gate[1]);
    if (forked(pid)) {
        set_handler(SIGPIPE, SIG_IGN, 0);
        static char big[256 * 1024];
        memset(big, 'z', sizeof big);
        long r = write(fds[1], big, sizeof big);   /* fills, blocks, the reader goes */
        CHECK(r >= 65536 - 1 && r < (long)sizeof big);
        CHECK_EQ(get_byte(gate[0]), 'r');
        CHECK(exited(reap(pid), 0));
        CHECK_ERR(write(fds[1], big, 1), EPIPE);
        set_handler(SIGPIPE, SIG_DFL, 0);
    }
    close(fds[1]);
    close(gate[0]);
}

/* --- nonblocking reads, FIONREAD, pipe sizes --- */
static void test_sizes(void)
{
    int fds[2], gate[2], n;
    char buf[64];

    printf("== nonblocking read of an empty pipe; FIONREAD\n");
    CHECK_EQ(pipe2(fds, O_NONBLOCK), 0);
    CHECK_EQ(pipe(gate), 0);
    pid_t pid = xfork();
    if (pid == 0) {
        char rec[100];
        close(fds[0]);
        close(gate[1]);
        get_byte(gate[0]);
        memset(rec, 'w', sizeof rec);
        _exit(write(fds[1], rec, sizeof rec) == sizeof rec ? 0 : 1);
    }
    close(gate[0]);
    if (forked(pid)) {
        CHECK_ERR(read(fds[0], buf, sizeof buf), EAGAIN);   /* a writer lives */
        CHECK_EQ(ioctl(fds[0], FIONREAD, &n), 0);
        CHECK_EQ(n, 0);
        close(gate[1]);
        CHECK(exited(reap(pid), 0));
        CHECK_EQ(ioctl(fds[0], FIONREAD, &n), 0);
        CHECK_EQ(n, 100);
        CHECK_EQ(read(fds[0], buf, 30), 30);
        CHECK_EQ(ioctl(fds[0], FIONREAD, &n), 0);
        CHECK_EQ(n, 70);
        CHECK_EQ(read(fds[0], buf, sizeof buf), sizeof buf);
        CHECK_EQ(read(fds[0], buf, sizeof buf), 6);
        CHECK_ERR(read(fds[0], buf, sizeof buf), EAGAIN);   /* we still write */
        close(fds[1]);
        CHECK_EQ(read(fds[0], buf, sizeof buf), 0);
    } else {
        close(gate[1]);
        close(fds[1]);
    }
    close(fds[0]);

    printf("== F_GETPIPE_SZ and F_SETPIPE_SZ across processes\n");
    CHECK_EQ(pipe(fds), 0);
    CHECK_EQ(fcntl(fds[0], F_GETPIPE_SZ), 65536);
    CHECK_EQ(fcntl(fds[1], F_SETPIPE_SZ, 10000), 16384);
    CHECK_EQ(fcntl(fds[0], F_GETPIPE_SZ), 16384);
    CHECK_EQ(fcntl(fds[1], F_SETPIPE_SZ, 1), 4096);
    CHECK_EQ(fcntl(fds[1], F_SETPIPE_SZ, 0), 4096);
    CHECK_EQ(fcntl(fds[1], F_SETPIPE_SZ, 8192), 8192);
    CHECK_EQ(write(fds[1], buf, sizeof buf), sizeof buf);
    CHECK_EQ(write(fds[1], buf, sizeof buf), sizeof buf);
    CHECK_EQ(read(fds[0], buf, sizeof buf), sizeof buf);
    CHECK_EQ(read(fds[0], buf, sizeof buf), sizeof buf);
    pid = xfork();
    if (pid == 0) {
        /* The child's view of the same pipe; it fills it. */
        int code = 0;
        if (fcntl(fds[0], F_GETPIPE_SZ) != 8192)
            code |= 1;
        if (fcntl(fds[1], F_SETFL, O_NONBLOCK) != 0)
            code |= 2;
        static char page[4096];
        long total = 0, r;
        while ((r = write(fds[1], page, sizeof page)) > 0)
            total += r;
        if (r != -1 || errno != EAGAIN || total != 8192)
            code |= 4;
        if (fcntl(fds[1], F_SETPIPE_SZ, 4096) != -1 || errno != EBUSY)
            code |= 8;
        _exit(code);
    }
    if (forked(pid)) {
        CHECK(exited(reap(pid), 0));
        CHECK_EQ(ioctl(fds[0], FIONREAD, &n), 0);
        CHECK_EQ(n, 8192);
        CHECK_ERR(fcntl(fds[1], F_SETPIPE_SZ, 4096), EBUSY);
        CHECK_EQ(fcntl(fds[1], F_SETPIPE_SZ, 65536), 65536);
        CHECK_EQ(ioctl(fds[0], FIONREAD, &n), 0);
        CHECK_EQ(n, 8192);                                  /* kept */
        CHECK((fcntl(fds[1], F_GETFL) & O_NONBLOCK) != 0);   /* set by the child */
    }
    close(fds[0]);
    close(fds[1]);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGCHLD, SIG_DFL);
    signal(SIGPIPE, SIG_DFL);
    alarm(60);                      /* a hang fails rather than blocks */
    test_atomic();
    test_eof();
    test_sigpipe();
    test_sizes();
    return guest_done();
}
