/* fd_poll.c: eventfd, select, pselect6 and ppoll. eventfd: the counter read
 * whole or one at a time (EFD_SEMAPHORE), EAGAIN when empty or full, EINVAL
 * for short buffers and 2^64-1, a reader blocked in another thread woken by
 * a write, a writer blocked at the top woken by a read, poll's POLLIN/POLLOUT,
 * fstat of an anonymous inode. select and pselect6 over pipes and eventfds:
 * readiness per set, a closed write end readable (EOF), the sets written
 * back, EBADF for a closed fd in a set, fds past n ignored, timeouts (the
 * time left written back), a signal interrupting the wait (EINTR), pselect6's
 * mask letting a blocked signal in. ppoll writes back the time left. */
#include "guest.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/stat.h>
#include <sys/epoll.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

static int efd;

static void *late_writer(void *arg)
{
    uint64_t v = (uintptr_t)arg;
    sleep_ms(50);
    write(efd, &v, sizeof v);
    return NULL;
}

static void *late_reader(void *arg)
{
    uint64_t v;
    (void)arg;
    sleep_ms(50);
    read(efd, &v, sizeof v);
    return NULL;
}

static void test_eventfd(void)
{
    uint64_t v;
    pthread_t th;
    struct stat st;

    printf("== eventfd\n");
    efd = eventfd(3, EFD_NONBLOCK | EFD_CLOEXEC);
    CHECK(efd >= 0);
    CHECK_EQ(fcntl(efd, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(efd, F_GETFL), O_RDWR | O_NONBLOCK);
    CHECK_EQ(read(efd, &v, sizeof v), 8);
    CHECK_EQ(v, 3);
    CHECK_ERR(read(efd, &v, sizeof v), EAGAIN);
    v = 5;
    CHECK_EQ(write(efd, &v, sizeof v), 8);
    CHECK_EQ(write(efd, &v, sizeof v), 8);
    char big[16];
    CHECK_EQ(read(efd, big, sizeof big), 8);       /* 8 bytes whatever is asked */
    memcpy(&v, big, sizeof v);
    CHECK_EQ(v, 10);
    CHECK_ERR(read(efd, big, 4), EINVAL);
    CHECK_ERR(write(efd, big, 7), EINVAL);
    v = UINT64_MAX;
    CHECK_ERR(write(efd, &v, sizeof v), EINVAL);
    v = UINT64_MAX - 1;
    CHECK_EQ(write(efd, &v, sizeof v), 8);         /* the most it holds */
    v = 1;
    CHECK_ERR(write(efd, &v, sizeof v), EAGAIN);
    v = 0;
    CHECK_EQ(write(efd, &v, sizeof v), 8);         /* adding 0 always fits */
    struct pollfd p = { efd, POLLIN | POLLOUT, 0 };
    CHECK_EQ(poll(&p, 1, 0), 1);
    CHECK_EQ(p.revents, POLLIN);
    CHECK_EQ(read(efd, &v, sizeof v), 8);
    CHECK(v == UINT64_MAX - 1);
    CHECK_EQ(poll(&p, 1, 0), 1);
    CHECK_EQ(p.revents, POLLOUT);
    CHECK_EQ(lseek(efd, 100, SEEK_SET), 0);        /* Linux's noop_llseek */
    CHECK_EQ(fstat(efd, &st), 0);
    CHECK_EQ(st.st_mode, 0600);                    /* an anonymous inode: no file type */
    close(efd);

    efd = eventfd(2, EFD_SEMAPHORE);
    CHECK_EQ(read(efd, &v, sizeof v), 8);
    CHECK_EQ(v, 1);
    CHECK_EQ(read(efd, &v, sizeof v), 8);
    CHECK_EQ(v, 1);
    /* Empty and blocking: a write from another thread wakes the reader. */
    pthread_create(&th, NULL, late_writer, (void *)(uintptr_t)4);
    CHECK_EQ(read(efd, &v, sizeof v), 8);
    CHECK_EQ(v, 1);
    pthread_join(th, NULL);
    close(efd);

    /* Full and blocking: a read from another thread wakes the writer. */
    efd = eventfd(0, 0);
    v = UINT64_MAX - 1;
    CHECK_EQ(write(efd, &v, sizeof v), 8);
    pthread_create(&th, NULL, late_reader, NULL);
    v = 7;
    CHECK_EQ(write(efd, &v, sizeof v), 8);
    pthread_join(th, NULL);
    CHECK_EQ(read(efd, &v, sizeof v), 8);
    CHECK_EQ(v, 7);
    close(efd);
    CHECK_ERR(eventfd(0, 0x10), EINVAL);
}

static volatile sig_atomic_t got;
static void on_usr1(int sig) { (void)sig; got = 1; }

static void *poke(void *arg)
{
    sleep_ms(50);
    pthread_kill(*(pthread_t *)arg, SIGUSR1);
    return NULL;
}

static void test_select(void)
{
    int a[2], b[2], e;
    fd_set rd, wr;
    struct timeval tv;
    struct timespec t0, ts;
    pthread_t th, self = pthread_self();

    printf("== select and pselect6\n");
    CHECK_EQ(pipe(a), 0);
    CHECK_EQ(pipe(b), 0);
    e = eventfd(0, 0);
    int maxfd = e > b[1] ? e : b[1];
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(a[0], &rd);
    FD_SET(b[0], &rd);
    FD_SET(e, &rd);
    FD_SET(a[1], &wr);
    tv = (struct timeval){ 0, 0 };
    CHECK_EQ(select(maxfd + 1, &rd, &wr, NULL, &tv), 1);   /* only a[1] writable */
    CHECK(!FD_ISSET(a[0], &rd) && !FD_ISSET(b[0], &rd) && !FD_ISSET(e, &rd));
    CHECK(FD_ISSET(a[1], &wr));

    write(b[1], "x", 1);
    uint64_t one = 1;
    write(e, &one, sizeof one);
    FD_ZERO(&rd);
    FD_SET(a[0], &rd);
    FD_SET(b[0], &rd);
    FD_SET(e, &rd);
    tv = (struct timeval){ 5, 0 };
    CHECK_EQ(syscall(SYS_select, maxfd + 1, &rd, NULL, NULL, &tv), 2);
    CHECK(!FD_ISSET(a[0], &rd) && FD_ISSET(b[0], &rd) && FD_ISSET(e, &rd));
    CHECK(tv.tv_sec >= 4);                                 /* the time left */

    /* The same fd in both sets counts twice. */
    FD_ZERO(&rd);
    FD_ZERO(&wr);
    FD_SET(e, &rd);
    FD_SET(e, &wr);
    CHECK_EQ(select(e + 1, &rd, &wr, NULL, NULL), 2);

    /* A pipe whose writers are gone reads as ready (EOF). */
    close(a[1]);
    FD_ZERO(&rd);
    FD_SET(a[0], &rd);
    CHECK_EQ(select(a[0] + 1, &rd, NULL, NULL, NULL), 1);
    CHECK(FD_ISSET(a[0], &rd));
    close(a[0]);

    /* A closed fd in a set is EBADF; past n nothing is looked at. */
    FD_ZERO(&rd);
    FD_SET(a[0], &rd);
    tv = (struct timeval){ 0, 0 };
    CHECK_ERR(select(a[0] + 1, &rd, NULL, NULL, &tv), EBADF);
    FD_ZERO(&rd);
    FD_SET(b[0], &rd);
    tv = (struct timeval){ 0, 0 };
    CHECK_EQ(select(b[0], &rd, NULL, NULL, &tv), 0);       /* b[0] itself is past n */
    tv = (struct timeval){ 0, -1 };
    CHECK_ERR(select(1, NULL, NULL, NULL, &tv), EINVAL);
    CHECK_ERR(select(-1, NULL, NULL, NULL, NULL), EINVAL);

    /* A timeout: nothing ready, the time used up. */
    char c;
    read(b[0], &c, 1);
    read(e, &one, sizeof one);
    FD_ZERO(&rd);
    FD_SET(b[0], &rd);
    FD_SET(e, &rd);
    tv = (struct timeval){ 0, 100000 };
    clock_gettime(CLOCK_MONOTONIC, &t0);
    /* The raw call: musl's select passes a copy of tv. */
    CHECK_EQ(syscall(SYS_select, maxfd + 1, &rd, NULL, NULL, &tv), 0);
    CHECK(ms_since(&t0) >= 90);
    CHECK(tv.tv_sec == 0 && tv.tv_usec == 0);
    CHECK(!FD_ISSET(b[0], &rd) && !FD_ISSET(e, &rd));

    /* A write from another thread ends an untimed wait. */
    efd = e;
    pthread_create(&th, NULL, late_writer, (void *)(uintptr_t)1);
    FD_ZERO(&rd);
    FD_SET(b[0], &rd);
    FD_SET(e, &rd);
    CHECK_EQ(select(maxfd + 1, &rd, NULL, NULL, NULL), 1);
    CHECK(FD_ISSET(e, &rd));
    pthread_join(th, NULL);
    read(e, &one, sizeof one);

    /* A signal ends it: EINTR, the handler ran. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_usr1;
    sigaction(SIGUSR1, &sa, NULL);
    pthread_create(&th, NULL, poke, &self);
    FD_ZERO(&rd);
    FD_SET(b[0], &rd);
    got = 0;
    CHECK_ERR(select(b[0] + 1, &rd, NULL, NULL, NULL), EINTR);
    CHECK(got);
    pthread_join(th, NULL);

    /* pselect6: SIGUSR1 blocked outside, let in only while it waits. */
    sigset_t block, during;
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigprocmask(SIG_BLOCK, &block, NULL);
    sigemptyset(&during);
    pthread_create(&th, NULL, poke, &self);
    FD_ZERO(&rd);
    FD_SET(b[0], &rd);
    got = 0;
    ts = (struct timespec){ 10, 0 };
    CHECK_ERR(pselect(b[0] + 1, &rd, NULL, NULL, &ts, &during), EINTR);
    CHECK(got);
    pthread_join(th, NULL);
    sigset_t now;
    sigprocmask(SIG_SETMASK, NULL, &now);
    CHECK(sigismember(&now, SIGUSR1));                     /* the old mask is back */
    ts = (struct timespec){ 0, 1000000 };
    FD_ZERO(&rd);
    FD_SET(b[0], &rd);
    CHECK_EQ(pselect(b[0] + 1, &rd, NULL, NULL, &ts, &during), 0);
    sigprocmask(SIG_UNBLOCK, &block, NULL);

    /* ppoll writes back what is left of its timeout (the raw call; glibc copies it). */
    struct pollfd p = { b[0], POLLIN, 0 };
    write(b[1], "y", 1);
    ts = (struct timespec){ 7, 0 };
    CHECK_EQ(syscall(SYS_ppoll, &p, 1, &ts, NULL, 8), 1);
    CHECK(ts.tv_sec == 6 || ts.tv_sec == 7);
    ts = (struct timespec){ 0, 20000000 };
    read(b[0], &c, 1);
    CHECK_EQ(syscall(SYS_ppoll, &p, 1, &ts, NULL, 8), 0);
    CHECK(ts.tv_sec == 0 && ts.tv_nsec == 0);
    close(b[0]);
    close(b[1]);
    close(e);
}

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif

/* A pidfd polls readable once its process is a zombie, and hung up once reaped. */
static void test_pidfd(void)
{
    int gate[2], status;
    struct pollfd p;

    printf("== poll and epoll on a pidfd\n");
    CHECK_EQ(pipe(gate), 0);
    pid_t pid = fork();
    if (pid == 0) {
        char c;
        close(gate[1]);
        if (read(gate[0], &c, 1) < 0)
            _exit(2);
        _exit(7);
    }
    close(gate[0]);
    int pfd = (int)syscall(SYS_pidfd_open, pid, 0);
    CHECK(pfd >= 0);
    p.fd = pfd;
    p.events = POLLIN;
    CHECK_EQ(poll(&p, 1, 0), 0);                    /* alive */
    int ep = epoll_create1(0);
    struct epoll_event ev = { .events = EPOLLIN, .data.u64 = 42 }, out[2];
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, pfd, &ev), 0);
    CHECK_EQ(epoll_wait(ep, out, 2, 0), 0);
    close(gate[1]);                                 /* the child exits */
    CHECK_EQ(epoll_wait(ep, out, 2, 5000), 1);      /* woken by its end */
    CHECK(out[0].events == EPOLLIN && out[0].data.u64 == 42);
    p.revents = 0;
    CHECK_EQ(poll(&p, 1, -1), 1);
    CHECK_EQ(p.revents, POLLIN);                     /* a zombie: readable */
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 7);
    p.events = POLLIN;
    CHECK_EQ(poll(&p, 1, 0), 1);
    CHECK_EQ(p.revents, POLLIN | POLLHUP);           /* reaped: hung up too */
    close(ep);
    close(pfd);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    alarm(60);                      /* a hang fails rather than blocks */
    test_eventfd();
    test_select();
    test_pidfd();
    return guest_done();
}
