/* sig_pipe.c: SIGPIPE and pipes. Without arguments, self-checking: a write
 * to a pipe whose read end is closed fails with EPIPE and raises SIGPIPE;
 * ignored, it is discarded (but stays pending while also blocked); caught,
 * the handler runs once with what Linux sends from pipe_write (si_code
 * SI_USER, si_pid the writer's own pid, si_uid its uid) before write()
 * returns; blocked, it is pending (one, however many writes) and
 * sigwaitinfo takes it; from a side thread it is directed at the writing
 * thread (the handler runs there although main does not block it, and
 * stays pending on the writer when only the writer blocks it); a zero-byte
 * write raises nothing. A reader blocked in read() gets the data, then 0
 * once every write fd (two of them, or a thread's) has been closed.
 * PIPE_BUF writes are atomic: one write returns PIPE_BUF, a non-blocking one
 * with less room fails with EAGAIN and writes nothing, and records from two
 * concurrent writers never interleave.
 * Modes: `default` and `default-thread`: the default action kills the
 * process (141, compared by run-diff.sh), from main or a side thread.
 * `partial`: a blocked writer whose reader goes away returns the bytes it
 * wrote and still gets SIGPIPE. `writev`: a writev of PIPE_BUF bytes in two
 * pieces is as atomic as a write. `fork`: EOF once a child process holding
 * the write end exits. `poll`: POLLERR on a write end without readers,
 * POLLHUP on a read end without writers. `intr`: a handler interrupts a
 * writer waiting for room in the middle of a big write (a short count). */
#include "guest.h"
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>

static long gettid_raw(void)
{
    return syscall(SYS_gettid);
}

/* What the last SIGPIPE handler call saw. */
static volatile int pipe_runs, pipe_code, pipe_signo;
static volatile long pipe_tid, pipe_pid, pipe_uid;

static void on_pipe(int sig, siginfo_t *si, void *uc)
{
    int saved = errno;
    (void)uc;
    pipe_signo = sig;
    pipe_code = si->si_code;
    pipe_pid = si->si_pid;
    pipe_uid = si->si_uid;
    pipe_tid = gettid_raw();
    __atomic_add_fetch(&pipe_runs, 1, __ATOMIC_SEQ_CST);
    errno = saved;
}

static void reset_record(void)
{
    pipe_runs = 0;
    pipe_code = pipe_signo = -1;
    pipe_tid = pipe_pid = pipe_uid = -1;
}

static void set_action(int sig, void (*fn)(int))
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static void set_pipe_handler(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_pipe;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);
}

static void mask(int how, int sig)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    pthread_sigmask(how, &s, NULL);
}

static int pending_has(int sig)
{
    sigset_t p;
    sigemptyset(&p);
    sigpending(&p);
    return sigismember(&p, sig);
}

/* A write end whose read end is already closed. */
static int broken_pipe(void)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC)) {
        printf("FAIL pipe2: %s\n", strerror(errno));
        exit(1);
    }
    close(fds[0]);
    return fds[1];
}

/* write() of one byte; *err gets errno. */
static long write1(int fd, int *err)
{
    errno = 0;
    long r = write(fd, "x", 1);
    *err = errno;
    return r;
}

/* --- (a) the default action: mode `default` and `default-thread` --- */
static void *default_writer(void *p)
{
    int err;
    write1(*(int *)p, &err);
    printf("FAIL side thread survived SIGPIPE: %s\n", errname(err));
    fflush(stdout);
    return NULL;
}

static int mode_default(int threaded)
{
    int fd = broken_pipe();
    set_action(SIGPIPE, SIG_DFL);
    mask(SIG_UNBLOCK, SIGPIPE);
    printf("writing to a broken pipe%s\n", threaded ? " from a side thread" : "");
    fflush(stdout);
    if (threaded) {
        pthread_t th;
        pthread_create(&th, NULL, default_writer, &fd);
        pthread_join(th, NULL);
        sleep_ms(100);
    } else {
        int err;
        write1(fd, &err);
        printf("FAIL survived SIGPIPE: %s\n", errname(err));
    }
    return 1;
}

/* --- (b) ignored --- */
static void test_ignored(void)
{
    int fd = broken_pipe(), err;

    printf("== SIG_IGN: EPIPE, nothing pending\n");
    set_action(SIGPIPE, SIG_IGN);
    mask(SIG_UNBLOCK, SIGPIPE);
    CHECK_EQ(write1(fd, &err), -1);
    CHECK(err == EPIPE);
    CHECK(!pending_has(SIGPIPE));
    errno = 0;
    CHECK_ERR(writev(fd, &(struct iovec){ "ab", 2 }, 1), EPIPE);
    CHECK(!pending_has(SIGPIPE));

    printf("== SIG_IGN and blocked: pending until unblocked, then discarded\n");
    mask(SIG_BLOCK, SIGPIPE);
    CHECK_EQ(write1(fd, &err), -1);
    CHECK(err == EPIPE);
    CHECK(pending_has(SIGPIPE));
    mask(SIG_UNBLOCK, SIGPIPE);
    CHECK(!pending_has(SIGPIPE));
    close(fd);
}

/* --- (c) caught --- */
static void test_handler(void)
{
    int fd = broken_pipe(), err;
    long r;

    printf("== a handler: runs once, SI_USER from this process, then EPIPE\n");
    set_pipe_handler();
    mask(SIG_UNBLOCK, SIGPIPE);
    reset_record();
    r = write1(fd, &err);
    int runs = pipe_runs;          /* before anything else can run */
    CHECK_EQ(r, -1);
    CHECK(err == EPIPE);
    CHECK_EQ(runs, 1);
    CHECK(pipe_signo == SIGPIPE);
    CHECK_EQ(pipe_code, SI_USER);
    CHECK(pipe_pid == getpid());
    CHECK(pipe_uid == (long)getuid());
    CHECK(pipe_tid == gettid_raw());
    CHECK(!pending_has(SIGPIPE));

    printf("== each failed write raises it again; writev too\n");
    reset_record();
    CHECK_EQ(write1(fd, &err), -1);
    CHECK_EQ(write1(fd, &err), -1);
    CHECK_ERR(writev(fd, (struct iovec[]){ { "ab", 2 }, { "cd", 2 } }, 2), EPIPE);
    CHECK_EQ(pipe_runs, 3);

    printf("== a zero-byte write to a broken pipe: 0, no signal\n");
    reset_record();
    CHECK_EQ(write(fd, "", 0), 0);
    CHECK_EQ(pipe_runs, 0);
    close(fd);
}

/* --- (d) blocked --- */
static void test_blocked(void)
{
    int fd = broken_pipe(), err;
    siginfo_t si;
    sigset_t s;

    printf("== blocked: EPIPE, one SIGPIPE pending, sigwaitinfo takes it\n");
    set_pipe_handler();
    mask(SIG_BLOCK, SIGPIPE);
    reset_record();
    CHECK_EQ(write1(fd, &err), -1);
    CHECK(err == EPIPE);
    CHECK(pending_has(SIGPIPE));
    CHECK_EQ(write1(fd, &err), -1);         /* coalesces with the first */
    CHECK_EQ(pipe_runs, 0);
    sigemptyset(&s);
    sigaddset(&s, SIGPIPE);
    memset(&si, 0, sizeof si);
    CHECK_EQ(sigwaitinfo(&s, &si), SIGPIPE);
    CHECK_EQ(si.si_signo, SIGPIPE);
    CHECK_EQ(si.si_code, SI_USER);
    CHECK(si.si_pid == getpid());
    CHECK(si.si_uid == getuid());
    CHECK(!pending_has(SIGPIPE));
    CHECK_ERR(sigtimedwait(&s, &si, &(struct timespec){ 0, 0 }), EAGAIN);

    printf("== blocked and caught, then SIG_IGN: the pending one is discarded\n");
    CHECK_EQ(write1(fd, &err), -1);
    CHECK(pending_has(SIGPIPE));
    set_action(SIGPIPE, SIG_IGN);
    CHECK(!pending_has(SIGPIPE));
    set_pipe_handler();
    mask(SIG_UNBLOCK, SIGPIPE);
    CHECK_EQ(pipe_runs, 0);
    close(fd);
}

/* --- (e) thread-directed --- */
struct writer {
    int fd, block;
    long tid, ret;
    int err, runs_after, pending, pending_other;
    long waited;
    siginfo_t si;
    sem_t wrote, checked;
};

static void *writer_main(void *p)
{
    struct writer *w = p;
    w->tid = gettid_raw();
    if (w->block)
        mask(SIG_BLOCK, SIGPIPE);
    w->ret = write1(w->fd, &w->err);
    w->runs_after = pipe_runs;
    w->pending = pending_has(SIGPIPE);
    if (w->block) {
        sem_post(&w->wrote);          /* main looks at its own pending set */
        while (sem_wait(&w->checked) == -1)
            ;
        sigset_t s;
        sigemptyset(&s);
        sigaddset(&s, SIGPIPE);
        w->waited = sigwaitinfo(&s, &w->si);
        w->pending_other = pending_has(SIGPIPE);
    }
    return NULL;
}

static void test_thread(void)
{
    struct writer w;
    pthread_t th;

    printf("== a side thread's SIGPIPE runs the handler in that thread\n");
    set_pipe_handler();
    mask(SIG_UNBLOCK, SIGPIPE);             /* main could take it too */
    reset_record();
    memset(&w, 0, sizeof w);
    w.fd = broken_pipe();
    CHECK_EQ(pthread_create(&th, NULL, writer_main, &w), 0);
    CHECK_EQ(pthread_join(th, NULL), 0);
    CHECK_EQ(w.ret, -1);
    CHECK(w.err == EPIPE);
    CHECK_EQ(w.runs_after, 1);
    CHECK(w.tid != gettid_raw() && pipe_tid == w.tid);
    CHECK_EQ(pipe_code, SI_USER);
    CHECK(pipe_pid == getpid());
    CHECK(!w.pending);
    close(w.fd);

    printf("== blocked in the writer only: pending there, not in main\n");
    reset_record();
    memset(&w, 0, sizeof w);
    w.fd = broken_pipe();
    w.block = 1;
    sem_init(&w.wrote, 0, 0);
    sem_init(&w.checked, 0, 0);
    CHECK_EQ(pthread_create(&th, NULL, writer_main, &w), 0);
    while (sem_wait(&w.wrote) == -1)
        ;
    sleep_ms(50);                           /* time to (wrongly) reach main */
    CHECK(!pending_has(SIGPIPE));
    CHECK_EQ(pipe_runs, 0);
    sem_post(&w.checked);
    CHECK_EQ(pthread_join(th, NULL), 0);
    CHECK_EQ(w.ret, -1);
    CHECK(w.err == EPIPE);
    CHECK(w.pending);
    CHECK_EQ(w.waited, SIGPIPE);
    CHECK_EQ(w.si.si_code, SI_USER);
    CHECK(w.si.si_pid == getpid());
    CHECK(!w.pending_other);
    CHECK_EQ(pipe_runs, 0);
    sem_destroy(&w.wrote);
    sem_destroy(&w.checked);
    close(w.fd);
}

/* --- (f) EOF once every writer has closed --- */
struct reader {
    int fd;
    long first, second;
    char buf[16];
    int err;
};

static void *reader_main(void *p)
{
    struct reader *r = p;
    r->first = read(r->fd, r->buf, sizeof r->buf);
    errno = 0;
    r->second = read(r->fd, r->buf + 8, sizeof r->buf - 8);   /* blocks */
    r->err = errno;
    return NULL;
}

static void test_eof(void)
{
    struct reader r;
    pthread_t th;
    int fds[2];

    printf("== a blocked reader gets 0 once both write fds are closed\n");
    CHECK_EQ(pipe2(fds, 0), 0);
    int second = dup(fds[1]);
    memset(&r, 0, sizeof r);
    r.fd = fds[0];
    CHECK_EQ(write(fds[1], "data", 4), 4);
    CHECK_EQ(pthread_create(&th, NULL, reader_main, &r), 0);
    sleep_ms(50);
    close(fds[1]);
    sleep_ms(50);                           /* one writer left: still blocked */
    close(second);
    CHECK_EQ(pthread_join(th, NULL), 0);
    CHECK_EQ(r.first, 4);
    CHECK(!memcmp(r.buf, "data", 4));
    CHECK_EQ(r.second, 0);
    CHECK_EQ(r.err, 0);
    CHECK_EQ(read(fds[0], r.buf, 1), 0);
    close(fds[0]);

    printf("== ... and once a writing thread closes its end\n");
    CHECK_EQ(pipe2(fds, 0), 0);
    memset(&r, 0, sizeof r);
    r.fd = fds[0];
    CHECK_EQ(write(fds[1], "more", 4), 4);
    CHECK_EQ(pthread_create(&th, NULL, reader_main, &r), 0);
    sleep_ms(50);
    CHECK_EQ(write(fds[1], "!", 1), 1);     /* wakes the reader with data */
    sleep_ms(20);
    close(fds[1]);
    CHECK_EQ(pthread_join(th, NULL), 0);
    CHECK(r.first == 4 || r.first == 5);
    CHECK_EQ(r.second, r.first == 4 ? 1 : 0);
    close(fds[0]);
}

/* --- (g) PIPE_BUF atomicity --- */
static unsigned char big[2 * PIPE_BUF];

static int pattern_ok(const unsigned char *p, size_t n, unsigned start)
{
    for (size_t i = 0; i < n; i++)
        if (p[i] != (unsigned char)(start + i))
            return 0;
    return 1;
}

#define RECORDS 200
static void *record_writer(void *p)
{
    unsigned char rec[PIPE_BUF];
    int fd = ((int *)p)[0], tag = ((int *)p)[1];
    for (int i = 0; i < RECORDS; i++) {
        memset(rec, tag, sizeof rec);
        rec[0] = (unsigned char)i;
        if (write(fd, rec, sizeof rec) != PIPE_BUF)
            break;
    }
    return NULL;
}

static void test_atomic(void)
{
    int fds[2], flags;
    long total = 0, n;

    printf("== PIPE_BUF is 4096; one write of PIPE_BUF into room writes it all\n");
    CHECK_EQ(PIPE_BUF, 4096);
    CHECK_EQ(pipe2(fds, 0), 0);
    for (size_t i = 0; i < sizeof big; i++)
        big[i] = (unsigned char)i;
    CHECK_EQ(write(fds[1], big, PIPE_BUF), PIPE_BUF);
    int avail = -1;
    CHECK_EQ(ioctl(fds[0], FIONREAD, &avail), 0);
    CHECK_EQ(avail, PIPE_BUF);

    printf("== non-blocking: less room than PIPE_BUF is EAGAIN, not a short write\n");
    flags = fcntl(fds[1], F_GETFL);
    CHECK_EQ(fcntl(fds[1], F_SETFL, flags | O_NONBLOCK), 0);
    while ((n = write(fds[1], big, PIPE_BUF)) == PIPE_BUF)
        total += n;
    CHECK(n == -1 && errno == EAGAIN);
    total += PIPE_BUF;                      /* the first write */
    CHECK(total >= 16 * PIPE_BUF && total % PIPE_BUF == 0);
    CHECK_EQ(read(fds[0], big + PIPE_BUF, PIPE_BUF), PIPE_BUF);   /* frees a page */
    CHECK(pattern_ok(big + PIPE_BUF, PIPE_BUF, 0));
    CHECK_EQ(write(fds[1], big, PIPE_BUF / 2), PIPE_BUF / 2);     /* half of it */
    CHECK_ERR(write(fds[1], big, PIPE_BUF), EAGAIN);
    CHECK_ERR(write(fds[1], big, PIPE_BUF), EAGAIN);
    CHECK_EQ(read(fds[0], big + PIPE_BUF, PIPE_BUF), PIPE_BUF);
    CHECK_EQ(write(fds[1], big, PIPE_BUF), PIPE_BUF);
    /* Left: total less the two pages read, then PIPE_BUF / 2 and PIPE_BUF. */
    long want = total - 2 * PIPE_BUF + PIPE_BUF / 2 + PIPE_BUF, got = 0;
    CHECK_EQ(fcntl(fds[0], F_SETFL, O_NONBLOCK), 0);
    while ((n = read(fds[0], big + PIPE_BUF, PIPE_BUF)) > 0)
        got += n;
    CHECK(n == -1 && errno == EAGAIN);
    CHECK_EQ(got, want);
    close(fds[0]);
    close(fds[1]);

    printf("== records of PIPE_BUF bytes from two writers never interleave\n");
    CHECK_EQ(pipe2(fds, 0), 0);
    pthread_t a, b;
    int arg_a[2] = { fds[1], 0xa5 }, arg_b[2] = { fds[1], 0x5a };
    CHECK_EQ(pthread_create(&a, NULL, record_writer, arg_a), 0);
    CHECK_EQ(pthread_create(&b, NULL, record_writer, arg_b), 0);
    static unsigned char rec[PIPE_BUF];
    int records = 0, intact = 1, next_a = 0, next_b = 0;
    for (int r = 0; r < 2 * RECORDS; r++) {
        size_t have = 0;
        while (have < sizeof rec && (n = read(fds[0], rec + have, sizeof rec - have)) > 0)
            have += n;
        if (have != sizeof rec)
            break;
        int tag = rec[1];
        for (size_t i = 1; i < sizeof rec; i++)
            intact &= rec[i] == tag;
        if (tag == 0xa5)
            intact &= rec[0] == (unsigned char)next_a++;
        else if (tag == 0x5a)
            intact &= rec[0] == (unsigned char)next_b++;
        else
            intact = 0;
        records++;
    }
    CHECK_EQ(pthread_join(a, NULL), 0);
    CHECK_EQ(pthread_join(b, NULL), 0);
    CHECK_EQ(records, 2 * RECORDS);
    CHECK(intact);
    CHECK(next_a == RECORDS && next_b == RECORDS);
    close(fds[0]);
    close(fds[1]);
}

/* --- mode `partial`: the reader goes away while a big write waits --- */
static void *big_writer(void *p)
{
    struct writer *w = p;
    static unsigned char buf[1 << 20];
    mask(SIG_BLOCK, SIGPIPE);
    errno = 0;
    w->ret = write(w->fd, buf, sizeof buf);
    w->err = errno;
    w->pending = pending_has(SIGPIPE);
    return NULL;
}

static int mode_partial(void)
{
    struct writer w;
    pthread_t th;
    int fds[2], avail = 0;

    printf("== a writer blocked in write() returns what it wrote when the reader\n"
           "   closes, and gets SIGPIPE all the same\n");
    set_pipe_handler();
    CHECK_EQ(pipe2(fds, 0), 0);
    memset(&w, 0, sizeof w);
    w.fd = fds[1];
    CHECK_EQ(pthread_create(&th, NULL, big_writer, &w), 0);
    /* Wait until the pipe is full: the writer then waits for room. */
    for (int i = 0; i < 1000; i++) {
        if (ioctl(fds[0], FIONREAD, &avail) == 0 && avail >= 16 * PIPE_BUF)
            break;
        sleep_ms(10);
    }
    int full = avail;
    sleep_ms(50);
    close(fds[0]);
    CHECK_EQ(pthread_join(th, NULL), 0);
    CHECK(full >= 16 * PIPE_BUF);
    CHECK(w.ret == full);
    CHECK(w.err == 0);
    CHECK(w.pending);
    CHECK_EQ(pipe_runs, 0);
    close(fds[1]);
    return guest_done();
}

/* --- mode `writev`: PIPE_BUF bytes in two pieces, non-blocking --- */
static int mode_writev(void)
{
    int fds[2];
    long n;

    printf("== writev of PIPE_BUF bytes in two iovecs is atomic too\n");
    CHECK_EQ(pipe2(fds, O_NONBLOCK), 0);
    memset(big, 'w', sizeof big);
    while ((n = write(fds[1], big, PIPE_BUF)) == PIPE_BUF)
        ;
    CHECK(n == -1 && errno == EAGAIN);
    CHECK_EQ(read(fds[0], big, PIPE_BUF), PIPE_BUF);        /* one page free */
    CHECK_EQ(write(fds[1], big, PIPE_BUF / 2), PIPE_BUF / 2);
    /* Room for PIPE_BUF / 2 bytes only: all or nothing. */
    struct iovec iov[2] = { { big, PIPE_BUF / 2 }, { big + PIPE_BUF / 2, PIPE_BUF / 2 } };
    CHECK_ERR(writev(fds[1], iov, 2), EAGAIN);
    CHECK_ERR(write(fds[1], big, PIPE_BUF), EAGAIN);
    close(fds[0]);
    close(fds[1]);
    return guest_done();
}

/* --- mode `fork`: EOF once a child process holding the only write end exits --- */
static int mode_fork(void)
{
    int fds[2];

    printf("== a blocked reader gets 0 once a child holding the write end exits\n");
    CHECK_EQ(pipe2(fds, 0), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        sleep_ms(50);
        (void)!write(fds[1], "child", 5);
        sleep_ms(50);
        _exit(0);
    }
    CHECK(pid > 0);
    close(fds[1]);                          /* the child holds the only one */
    char buf[16];
    long got = 0, n;
    while ((n = read(fds[0], buf + got, sizeof buf - got)) > 0)
        got += n;
    CHECK_EQ(n, 0);
    CHECK_EQ(got, 5);
    CHECK(!memcmp(buf, "child", 5));
    int status = -1;
    CHECK_EQ(waitpid(pid, &status, 0), pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(fds[0]);
    return guest_done();
}

/* --- mode `poll`: POLLERR without readers, POLLHUP without writers --- */
static int mode_poll(void)
{
    int fds[2];
    struct pollfd p[2];

    printf("== poll on a pipe with one end closed\n");
    set_action(SIGPIPE, SIG_IGN);
    CHECK_EQ(pipe2(fds, 0), 0);
    close(fds[0]);
    p[0] = (struct pollfd){ fds[1], POLLOUT, 0 };
    CHECK_EQ(poll(p, 1, 0), 1);
    CHECK(p[0].revents & POLLERR);
    close(fds[1]);
    CHECK_EQ(pipe2(fds, 0), 0);
    CHECK_EQ(write(fds[1], "z", 1), 1);
    close(fds[1]);
    p[1] = (struct pollfd){ fds[0], POLLIN, 0 };
    CHECK_EQ(poll(p + 1, 1, 0), 1);
    CHECK(p[1].revents == (POLLIN | POLLHUP));
    char c;
    CHECK_EQ(read(fds[0], &c, 1), 1);
    CHECK_EQ(poll(p + 1, 1, 0), 1);
    CHECK(p[1].revents == POLLHUP);
    close(fds[0]);
    return guest_done();
}

/* --- mode `intr`: a signal interrupts a writer blocked in a big write --- */
static volatile int usr1_runs;

static void on_usr1(int sig)
{
    (void)sig;
    usr1_runs++;
}

static void *plain_big_writer(void *p)
{
    struct writer *w = p;
    static unsigned char buf[1 << 20];
    errno = 0;
    w->ret = write(w->fd, buf, sizeof buf);
    w->err = errno;
    return NULL;
}

static int mode_intr(void)
{
    struct writer w;
    pthread_t th;
    int fds[2], avail = 0;

    printf("== a handler interrupts a writer waiting for room: a short write\n");
    set_action(SIGUSR1, on_usr1);           /* no SA_RESTART */
    CHECK_EQ(pipe2(fds, 0), 0);
    memset(&w, 0, sizeof w);
    w.fd = fds[1];
    CHECK_EQ(pthread_create(&th, NULL, plain_big_writer, &w), 0);
    for (int i = 0; i < 1000; i++) {
        if (ioctl(fds[0], FIONREAD, &avail) == 0 && avail >= 16 * PIPE_BUF)
            break;
        sleep_ms(10);
    }
    int full = avail;
    sleep_ms(50);
    CHECK_EQ(pthread_kill(th, SIGUSR1), 0);
    for (int i = 0; i < 200 && !usr1_runs; i++)
        sleep_ms(10);
    CHECK_EQ(usr1_runs, 1);
    if (!usr1_runs) {                       /* still stuck: free it */
        set_action(SIGPIPE, SIG_IGN);
        close(fds[0]);
        fds[0] = -1;
    }
    CHECK_EQ(pthread_join(th, NULL), 0);
    CHECK(full >= 16 * PIPE_BUF);
    CHECK(w.ret == full);
    close(fds[0]);
    close(fds[1]);
    return guest_done();
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc > 1) {
        if (!strcmp(argv[1], "default"))
            return mode_default(0);
        if (!strcmp(argv[1], "default-thread"))
            return mode_default(1);
        if (!strcmp(argv[1], "partial"))
            return mode_partial();
        if (!strcmp(argv[1], "writev"))
            return mode_writev();
        if (!strcmp(argv[1], "fork"))
            return mode_fork();
        if (!strcmp(argv[1], "poll"))
            return mode_poll();
        if (!strcmp(argv[1], "intr"))
            return mode_intr();
        printf("unknown mode %s\n", argv[1]);
        return 2;
    }
    test_ignored();
    test_handler();
    test_blocked();
    test_thread();
    test_eof();
    test_atomic();
    return guest_done();
}
