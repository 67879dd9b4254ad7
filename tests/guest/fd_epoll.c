/* fd_epoll.c: epoll. The instance (anon inode, CLOEXEC, bad sizes and
 * flags); level-triggered, edge-triggered and one-shot items on a pipe;
 * EPOLLHUP and EPOLLERR when the other end goes, reported unasked; eventfd
 * and signalfd items (and poll on a signalfd: readable only with a signal
 * pending); nested instances; an epoll fd in poll and select; items keyed
 * by (file, fd) and living until the file's last close; every epoll_ctl
 * error; timeouts; EINTR by a handler (another thread's signal, a timer,
 * SA_RESTART notwithstanding); epoll_pwait's mask letting a blocked signal
 * in; wake-ups from another thread (a pipe write, an epoll_ctl ADD, two
 * waiters on one instance); a forked child sharing the instance; a host
 * file under lxemu (a pty master) with a dup, edge-triggered and one-shot. */
#include "guest.h"
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>

#ifndef SYS_epoll_pwait2
#define SYS_epoll_pwait2 441
#endif

static int add(int ep, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev = { .events = events, .data.u64 = data };
    return epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
}

static int mod(int ep, int fd, uint32_t events, uint64_t data)
{
    struct epoll_event ev = { .events = events, .data.u64 = data };
    return epoll_ctl(ep, EPOLL_CTL_MOD, fd, &ev);
}

/* One event expected: its bits, or -1 when the count is not 1. */
static struct epoll_event last;
static long wait1(int ep, int timeout)
{
    struct epoll_event ev[4];
    int n = epoll_wait(ep, ev, 4, timeout);
    if (n != 1)
        return n == 0 ? 0 : -1;
    last = ev[0];
    return ev[0].events;
}

static void drain(int fd)
{
    char buf[256];
    int fl = fcntl(fd, F_GETFL);
    fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    while (read(fd, buf, sizeof buf) > 0)
        ;
    fcntl(fd, F_SETFL, fl);
}

static void test_create(void)
{
    struct stat st;
    char link[64], path[64];
    int ep, ep2;
    ssize_t n;

    CHECK_ERR(syscall(SYS_epoll_create, 0), EINVAL); /* musl's wrapper skips the size */
    CHECK_ERR(syscall(SYS_epoll_create, -1), EINVAL);
    CHECK_ERR(epoll_create1(1), EINVAL);
    CHECK_ERR(epoll_create1(EPOLL_CLOEXEC | O_NONBLOCK), EINVAL);
    ep = epoll_create(1);
    CHECK(ep >= 0);
    CHECK_EQ(fcntl(ep, F_GETFD), 0);
    CHECK_EQ(fcntl(ep, F_GETFL) & O_ACCMODE, O_RDWR);
    ep2 = epoll_create1(EPOLL_CLOEXEC);
    CHECK_EQ(fcntl(ep2, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fstat(ep, &st), 0);
    CHECK_EQ(st.st_mode, 0600); /* an anonymous inode: no file type */
    snprintf(path, sizeof path, "/proc/self/fd/%d", ep);
    n = readlink(path, link, sizeof link - 1);
    link[n > 0 ? n : 0] = 0;
    CHECK(strcmp(link, "anon_inode:[eventpoll]") == 0);
    close(ep);
    close(ep2);
}

static void test_triggers(void)
{
    int p[2], ep = epoll_create1(0);
    char c;

    CHECK_EQ(pipe(p), 0);
    /* Level-triggered: reported while data is there, data verbatim. */
    CHECK_EQ(add(ep, p[0], EPOLLIN, 0x1122334455667788ull), 0);
    CHECK_EQ(wait1(ep, 0), 0);
    CHECK_EQ(write(p[1], "ab", 2), 2);
    CHECK_EQ(wait1(ep, 0), EPOLLIN);
    CHECK(last.data.u64 == 0x1122334455667788ull);
    CHECK_EQ(wait1(ep, 0), EPOLLIN);
    CHECK_EQ(read(p[0], &c, 1), 1);
    CHECK_EQ(wait1(ep, 0), EPOLLIN);
    CHECK_EQ(read(p[0], &c, 1), 1);
    CHECK_EQ(wait1(ep, 0), 0);

    /* Edge-triggered: once per write, not again for what is left. */
    CHECK_EQ(mod(ep, p[0], EPOLLIN | EPOLLET, 2), 0);
    CHECK_EQ(wait1(ep, 0), 0);
    CHECK_EQ(write(p[1], "ab", 2), 2);
    CHECK_EQ(wait1(ep, 0), EPOLLIN);
    CHECK_EQ(last.data.u64, 2);
    CHECK_EQ(wait1(ep, 0), 0);
    CHECK_EQ(read(p[0], &c, 1), 1);
    CHECK_EQ(wait1(ep, 0), 0);
    CHECK_EQ(write(p[1], "c", 1), 1);
    CHECK_EQ(wait1(ep, 0), EPOLLIN);
    CHECK_EQ(wait1(ep, 0), 0);
    /* MOD looks at the file again: ready now, reported once. */
    CHECK_EQ(mod(ep, p[0], EPOLLIN | EPOLLET, 3), 0);
    CHECK_EQ(wait1(ep, 0), EPOLLIN);
    CHECK_EQ(wait1(ep, 0), 0);
    drain(p[0]);

    /* One-shot: once, then nothing until MOD re-arms it. */
    CHECK_EQ(mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 4), 0);
    CHECK_EQ(write(p[1], "a", 1), 1);
    CHECK_EQ(wait1(ep, 0), EPOLLIN);
    CHECK_EQ(wait1(ep, 0), 0);
    CHECK_EQ(write(p[1], "b", 1), 1);
    CHECK_EQ(wait1(ep, 0), 0);
    CHECK_EQ(mod(ep, p[0], EPOLLIN | EPOLLONESHOT, 5), 0);
    CHECK_EQ(wait1(ep, 0), EPOLLIN);
    CHECK_EQ(last.data.u64, 5);
    CHECK_EQ(wait1(ep, 0), 0);
    drain(p[0]);

    /* The write end: EPOLLOUT; both ends in one wait. */
    CHECK_EQ(mod(ep, p[0], EPOLLIN, 0), 0);
    CHECK_EQ(add(ep, p[1], EPOLLOUT, 1), 0);
    CHECK_EQ(wait1(ep, 0), EPOLLOUT);
    CHECK_EQ(last.data.u64, 1);
    CHECK_EQ(write(p[1], "x", 1), 1);
    struct epoll_event ev[4];
    CHECK_EQ(epoll_wait(ep, ev, 4, 0), 2);
    CHECK_EQ(epoll_wait(ep, ev, 1, 0), 1); /* maxevents caps the count */
    close(p[0]);
    close(p[1]);
    close(ep);
}

static void test_hup_err(void)
{
    int p[2], ep = epoll_create1(0);

    pipe(p);
    CHECK_EQ(add(ep, p[0], 0, 1), 0); /* nothing asked: hang-ups still come */
    CHECK_EQ(wait1(ep, 0), 0);
    close(p[1]);
    CHECK_EQ(wait1(ep, 0), EPOLLHUP);
    close(p[0]);
    CHECK_EQ(wait1(ep, 0), 0); /* the item went with the file */

    pipe(p);
    CHECK_EQ(add(ep, p[0], EPOLLIN | EPOLLRDHUP, 1), 0);
    write(p[1], "a", 1);
    close(p[1]);
    CHECK_EQ(wait1(ep, 0), EPOLLIN | EPOLLHUP);
    close(p[0]);

    pipe(p);
    CHECK_EQ(add(ep, p[1], EPOLLOUT, 2), 0);
    CHECK_EQ(wait1(ep, 0), EPOLLOUT);
    close(p[0]);
    CHECK_EQ(wait1(ep, 0), EPOLLOUT | EPOLLERR);
    close(p[1]);
    close(ep);
}

static void test_eventfd_signalfd(void)
{
    int ep = epoll_create1(0), efd = eventfd(0, EFD_NONBLOCK), sfd;
    uint64_t v = 1;
    sigset_t set, old;
    struct signalfd_siginfo si;
    struct pollfd pfd;

    CHECK_EQ(add(ep, efd, EPOLLIN | EPOLLOUT, 9), 0);
    CHECK_EQ(wait1(ep, 0), EPOLLOUT);
    CHECK_EQ(write(efd, &v, sizeof v), 8);
    CHECK_EQ(wait1(ep, 0), EPOLLIN | EPOLLOUT);
    CHECK_EQ(read(efd, &v, sizeof v), 8);
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_DEL, efd, NULL), 0);
    close(efd);

    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigprocmask(SIG_BLOCK, &set, &old);
    sfd = signalfd(-1, &set, SFD_NONBLOCK);
    pfd = (struct pollfd){ sfd, POLLIN, 0 };
    CHECK_EQ(poll(&pfd, 1, 0), 0); /* nothing pending: not readable */
    CHECK_EQ(add(ep, sfd, EPOLLIN, 10), 0);
    CHECK_EQ(wait1(ep, 0), 0);
    raise(SIGUSR1);
    CHECK_EQ(poll(&pfd, 1, 0), 1);
    CHECK_EQ(pfd.revents, POLLIN);
    CHECK_EQ(wait1(ep, 0), EPOLLIN);
    CHECK_EQ(last.data.u64, 10);
    CHECK_EQ(read(sfd, &si, sizeof si), (long)sizeof si);
    CHECK_EQ(si.ssi_signo, SIGUSR1);
    CHECK_EQ(wait1(ep, 0), 0);
    CHECK_EQ(poll(&pfd, 1, 0), 0);
    close(sfd);
    close(ep);
    sigprocmask(SIG_SETMASK, &old, NULL);
}

static void test_nested(void)
{
    int p[2], in = epoll_create1(0), out = epoll_create1(0);
    struct pollfd pfd = { in, POLLIN, 0 };
    fd_set rs;
    struct timeval tv = { 0, 0 };

    pipe(p);
    CHECK_EQ(add(in, p[0], EPOLLIN, 1), 0);
    CHECK_EQ(add(out, in, EPOLLIN, 2), 0);
    CHECK_EQ(wait1(out, 0), 0);
    CHECK_EQ(poll(&pfd, 1, 0), 0);
    write(p[1], "a", 1);
    CHECK_EQ(wait1(out, 0), EPOLLIN);
    CHECK_EQ(last.data.u64, 2);
    CHECK_EQ(poll(&pfd, 1, 0), 1);
    CHECK_EQ(pfd.revents, POLLIN);
    FD_ZERO(&rs);
    FD_SET(in, &rs);
    CHECK_EQ(select(in + 1, &rs, NULL, NULL, &tv), 1);
    CHECK_EQ(wait1(in, 0), EPOLLIN);
    CHECK_EQ(last.data.u64, 1);
    drain(p[0]);
    CHECK_EQ(wait1(out, 0), 0);
    CHECK_EQ(poll(&pfd, 1, 0), 0);
    /* A loop of instances: ELOOP. */
    CHECK_ERR(add(in, out, EPOLLIN, 3), ELOOP);
    close(p[0]);
    close(p[1]);
    close(in);
    close(out);
}

/* Items are keyed by (file, fd) and live until the file's last close. */
static void test_lifetime(void)
{
    int p[2], ep = epoll_create1(0), d, n;
    struct epoll_event ev[4];

    pipe(p);
    CHECK_EQ(add(ep, p[0], EPOLLIN, 7), 0);
    d = dup(p[0]);
    CHECK_EQ(add(ep, d, EPOLLIN, 8), 0); /* a dup is another item */
    write(p[1], "a", 1);
    n = epoll_wait(ep, ev, 4, 0);
    CHECK_EQ(n, 2);
    CHECK_EQ(ev[0].data.u64 + ev[1].data.u64, 15);
    close(p[0]);
    /* The file lives on in d: both items still report. */
    CHECK_EQ(epoll_wait(ep, ev, 4, 0), 2);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), EBADF);
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_DEL, d, NULL), 0);
    CHECK_EQ(wait1(ep, 0), EPOLLIN);
    CHECK_EQ(last.data.u64, 7); /* the closed fd's item */
    close(d);
    CHECK_EQ(wait1(ep, 0), 0); /* the last close took it */
    close(p[1]);

    /* The fd number again, another file: a new item, no EEXIST. */
    pipe(p);
    CHECK_EQ(add(ep, p[0], EPOLLIN, 1), 0);
    close(p[0]);
    CHECK_EQ(dup2(p[1], p[0]), p[0]);
    CHECK_EQ(add(ep, p[0], EPOLLOUT, 2), 0);
    CHECK_EQ(wait1(ep, 0), EPOLLOUT | EPOLLERR); /* no reader left */
    close(p[0]);
    close(p[1]);
    close(ep);
}

static void test_ctl_errors(const char *self)
{
    int p[2], ep = epoll_create1(0), ep2 = epoll_create1(0);
    int reg = open(self, O_RDONLY), dir = open("/", O_RDONLY | O_DIRECTORY);
    int null = open("/dev/null", O_RDWR);
    struct epoll_event ev = { .events = EPOLLIN };

    pipe(p);
    CHECK_ERR(epoll_ctl(-1, EPOLL_CTL_ADD, p[0], &ev), EBADF);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, 999, &ev), EBADF);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, reg, &ev), EPERM);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, dir, &ev), EPERM);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, null, &ev), EPERM);
    CHECK_ERR(epoll_ctl(p[0], EPOLL_CTL_ADD, reg, &ev), EPERM); /* EPERM comes first */
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, ep, &ev), EINVAL);
    CHECK_ERR(epoll_ctl(p[0], EPOLL_CTL_ADD, p[1], &ev), EINVAL);
    CHECK_ERR(epoll_ctl(ep, 99, p[0], &ev), EINVAL);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], (void *)1), EFAULT);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), ENOENT);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), EEXIST);
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[0], &ev), EINVAL);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, ep2, &ev), EINVAL);
    ev.events = EPOLLIN | EPOLLEXCLUSIVE | EPOLLONESHOT;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev), EINVAL);
    ev.events = EPOLLOUT | EPOLLEXCLUSIVE;
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, p[1], &ev), 0);
    ev.events = EPOLLOUT;
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_MOD, p[1], &ev), EINVAL); /* an exclusive item */
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_DEL, p[1], NULL), 0);
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), 0);
    ev.events = EPOLLIN | EPOLLWAKEUP; /* dropped without CAP_BLOCK_SUSPEND, else kept: no error */
    CHECK_EQ(epoll_ctl(ep, EPOLL_CTL_ADD, p[0], &ev), 0);

    struct epoll_event out[2];
    sigset_t none;
    sigemptyset(&none);
    struct timespec bad = { 0, 1000000000 };
    CHECK_ERR(epoll_wait(ep, out, 0, 0), EINVAL);
    CHECK_ERR(syscall(SYS_epoll_wait, ep, out, -1, 0), EINVAL);
    CHECK_ERR(epoll_wait(p[0], out, 2, 0), EINVAL);
    CHECK_ERR(epoll_wait(999, out, 2, 0), EBADF);
    CHECK_ERR(syscall(SYS_epoll_pwait, ep, out, 2, 0, &none, 7), EINVAL);
    CHECK_ERR(syscall(SYS_epoll_pwait2, ep, out, 2, &bad, NULL, 8), EINVAL);
    CHECK_ERR(syscall(SYS_epoll_pwait2, ep, out, 2, (void *)1, NULL, 8), EFAULT);
    close(p[0]);
    close(p[1]);
    close(reg);
    close(dir);
    close(null);
    close(ep);
    close(ep2);
}

static void test_timeouts(void)
{
    int ep = epoll_create1(0), p[2];
    struct epoll_event ev[2];
    struct timespec t0, ts = { 0, 30000000 };

    pipe(p);
    add(ep, p[0], EPOLLIN, 1);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_EQ(epoll_wait(ep, ev, 2, 0), 0);
    CHECK(ms_since(&t0) < 1000);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_EQ(epoll_wait(ep, ev, 2, 30), 0);
    CHECK(ms_since(&t0) >= 29);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_EQ(syscall(SYS_epoll_pwait2, ep, ev, 2, &ts, NULL, 8), 0);
    CHECK(ms_since(&t0) >= 29);
    clock_gettime(CLOCK_MONOTONIC, &t0);
    CHECK_EQ(epoll_pwait(ep, ev, 2, 30, NULL), 0);
    CHECK(ms_since(&t0) >= 29);
    /* An empty instance waits too. */
    int empty = epoll_create1(0);
    CHECK_EQ(epoll_wait(empty, ev, 2, 20), 0);
    close(empty);
    close(p[0]);
    close(p[1]);
    close(ep);
}

static volatile sig_atomic_t got_sig;
static void on_sig(int sig)
{
    got_sig = sig;
}

static void *kill_later(void *arg)
{
    sleep_ms(50);
    pthread_kill(*(pthread_t *)arg, SIGUSR2);
    return NULL;
}

static void test_eintr(void)
{
    int ep = epoll_create1(0), p[2];
    struct epoll_event ev[2];
    struct sigaction sa = { .sa_handler = on_sig };
    pthread_t self = pthread_self(), th;
    sigset_t set, cur;

    pipe(p);
    add(ep, p[0], EPOLLIN, 1);
    sigaction(SIGUSR2, &sa, NULL);
    got_sig = 0;
    pthread_create(&th, NULL, kill_later, &self);
    CHECK_ERR(epoll_wait(ep, ev, 2, -1), EINTR);
    CHECK_EQ(got_sig, SIGUSR2);
    pthread_join(th, NULL);

    /* SA_RESTART does not restart epoll_wait. */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGUSR2, &sa, NULL);
    got_sig = 0;
    pthread_create(&th, NULL, kill_later, &self);
    CHECK_ERR(epoll_wait(ep, ev, 2, 5000), EINTR);
    CHECK_EQ(got_sig, SIGUSR2);
    pthread_join(th, NULL);

    /* A timer's signal. */
    struct itimerval it = { { 0, 0 }, { 0, 50000 } };
    sigaction(SIGALRM, &sa, NULL);
    got_sig = 0;
    setitimer(ITIMER_REAL, &it, NULL);
    CHECK_ERR(epoll_wait(ep, ev, 2, -1), EINTR);
    CHECK_EQ(got_sig, SIGALRM);
    signal(SIGALRM, SIG_DFL);
    alarm(60);

    /* epoll_pwait: the mask lets the blocked SIGUSR2 in, and comes back after. */
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_BLOCK, &set, NULL);
    got_sig = 0;
    pthread_create(&th, NULL, kill_later, &self);
    sleep_ms(100); /* pending, blocked */
    CHECK_EQ(got_sig, 0);
    sigemptyset(&set);
    CHECK_ERR(epoll_pwait(ep, ev, 2, -1, &set), EINTR);
    CHECK_EQ(got_sig, SIGUSR2);
    sigprocmask(SIG_BLOCK, NULL, &cur);
    CHECK(sigismember(&cur, SIGUSR2));
    pthread_join(th, NULL);
    /* Ready events win over a pending signal the mask lets in. */
    sigset_t usr2;
    sigemptyset(&usr2);
    sigaddset(&usr2, SIGUSR2);
    raise(SIGUSR2);
    write(p[1], "a", 1);
    got_sig = 0;
    CHECK_EQ(epoll_pwait(ep, ev, 2, -1, &set), 1);
    CHECK_EQ(got_sig, 0);
    sigprocmask(SIG_UNBLOCK, &usr2, NULL);
    CHECK_EQ(got_sig, SIGUSR2);
    close(p[0]);
    close(p[1]);
    close(ep);
}

static int tp[2], tep, tefd;

static void *write_later(void *arg)
{
    (void)arg;
    sleep_ms(50);
    write(tp[1], "w", 1);
    return NULL;
}

static void *add_later(void *arg)
{
    (void)arg;
    sleep_ms(50);
    add(tep, tefd, EPOLLIN, 77);
    return NULL;
}

static void *waiter(void *arg)
{
    struct epoll_event ev[2];
    (void)arg;
    return (void *)(intptr_t)epoll_wait(tep, ev, 2, 5000);
}

static void *kill_process_later(void *arg)
{
    (void)arg;
    sleep_ms(50);
    kill(getpid(), SIGUSR1);
    return NULL;
}

static void test_threads(void)
{
    pthread_t th, th2;
    uint64_t one = 1;
    void *r1, *r2;

    tep = epoll_create1(0);
    pipe(tp);
    add(tep, tp[0], EPOLLIN, 5);
    pthread_create(&th, NULL, write_later, NULL);
    CHECK_EQ(wait1(tep, 5000), EPOLLIN);
    CHECK_EQ(last.data.u64, 5);
    pthread_join(th, NULL);
    drain(tp[0]);

    /* Nested: the outer instance's sleeper is woken through the inner one. */
    int outer = epoll_create1(0);
    add(outer, tep, EPOLLIN, 6);
    pthread_create(&th, NULL, write_later, NULL);
    CHECK_EQ(wait1(outer, 5000), EPOLLIN);
    CHECK_EQ(last.data.u64, 6);
    pthread_join(th, NULL);
    drain(tp[0]);
    close(outer);

    /* An item added while the main thread waits, ready at once. */
    tefd = eventfd(1, 0);
    pthread_create(&th, NULL, add_later, NULL);
    CHECK_EQ(wait1(tep, 5000), EPOLLIN);
    CHECK_EQ(last.data.u64, 77);
    pthread_join(th, NULL);
    read(tefd, &one, sizeof one);

    /* Two sleepers on one instance: a level-triggered event reaches both. */
    pthread_create(&th, NULL, waiter, NULL);
    pthread_create(&th2, NULL, waiter, NULL);
    sleep_ms(50);
    one = 1;
    write(tefd, &one, sizeof one);
    pthread_join(th, &r1);
    pthread_join(th2, &r2);
    CHECK_EQ((intptr_t)r1, 1);
    CHECK_EQ((intptr_t)r2, 1);
    close(tefd);

    /* A signalfd item: a process-directed signal sent meanwhile wakes the sleeper. */
    sigset_t set, old;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &set, &old);
    int sfd = signalfd(-1, &set, SFD_NONBLOCK), ep = epoll_create1(0);
    add(ep, sfd, EPOLLIN, 11);
    pthread_create(&th, NULL, kill_process_later, NULL);
    CHECK_EQ(wait1(ep, 5000), EPOLLIN);
    CHECK_EQ(last.data.u64, 11);
    pthread_join(th, NULL);
    struct signalfd_siginfo si;
    CHECK_EQ(read(sfd, &si, sizeof si), (long)sizeof si);
    close(sfd);
    close(ep);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    close(tp[0]);
    close(tp[1]);
    close(tep);
}

/* Items come and go (ADD, the last close) while another thread scans. */
static int churn_ep;
static void *churn(void *arg)
{
    (void)arg;
    for (int i = 0; i < 300; i++) {
        int p[2];
        if (pipe(p))
            return (void *)1;
        add(churn_ep, p[0], EPOLLIN | (i & 1 ? EPOLLET : 0), (uint64_t)i);
        write(p[1], "c", 1);
        if (i % 3 == 0)
            epoll_ctl(churn_ep, EPOLL_CTL_DEL, p[0], NULL);
        close(p[0]);
        close(p[1]);
    }
    return NULL;
}

static void test_churn(void)
{
    pthread_t th[2];
    struct epoll_event ev[8];
    void *r0, *r1;

    churn_ep = epoll_create1(0);
    pthread_create(&th[0], NULL, churn, NULL);
    pthread_create(&th[1], NULL, churn, NULL);
    for (int i = 0; i < 200; i++)
        epoll_wait(churn_ep, ev, 8, 0);
    pthread_join(th[0], &r0);
    pthread_join(th[1], &r1);
    CHECK(r0 == NULL && r1 == NULL);
    CHECK_EQ(epoll_wait(churn_ep, ev, 8, 0), 0); /* every item went with its file */
    close(churn_ep);
}

/* A host file (under lxemu): a pty master, writable at once. */
static void test_host_file(void)
{
    int m = open("/dev/ptmx", O_RDWR | O_NOCTTY), d, ep, out;
    struct epoll_event ev[4];
    struct pollfd pfd;

    if (m < 0) {
        printf("skip host file: no /dev/ptmx\n");
        return;
    }
    ep = epoll_create1(0);
    CHECK_EQ(add(ep, m, EPOLLOUT, 1), 0);
    CHECK_EQ(wait1(ep, 0), EPOLLOUT);
    CHECK_EQ(last.data.u64, 1);
    d = dup(m);
    CHECK_EQ(add(ep, d, EPOLLOUT | EPOLLET, 2), 0); /* the dup: another item */
    CHECK_EQ(epoll_wait(ep, ev, 4, 0), 2);
    CHECK_EQ(wait1(ep, 0), EPOLLOUT); /* the edge-triggered one said it once */
    CHECK_EQ(last.data.u64, 1);
    CHECK_EQ(mod(ep, d, EPOLLOUT | EPOLLONESHOT, 3), 0);
    CHECK_EQ(epoll_wait(ep, ev, 4, 0), 2);
    CHECK_EQ(wait1(ep, 0), EPOLLOUT);
    pfd = (struct pollfd){ ep, POLLIN, 0 };
    CHECK_EQ(poll(&pfd, 1, 0), 1);
    out = epoll_create1(0);
    CHECK_EQ(add(out, ep, EPOLLIN, 4), 0);
    CHECK_EQ(wait1(out, 0), EPOLLIN);
    close(m); /* the file lives on in d */
    CHECK_EQ(wait1(ep, 0), EPOLLOUT);
    CHECK_EQ(mod(ep, d, EPOLLOUT, 5), 0);
    CHECK_EQ(epoll_wait(ep, ev, 4, 0), 2);
    close(d);
    CHECK_EQ(wait1(ep, 0), 0);
    CHECK_EQ(poll(&pfd, 1, 0), 0);
    close(out);
    close(ep);
}

static void test_fork(void)
{
    int ep = epoll_create1(0), p[2], status;
    pid_t pid;

    pipe(p);
    add(ep, p[0], EPOLLIN, 42);
    write(p[1], "f", 1);
    fflush(stdout);
    pid = fork();
    if (pid == 0) {
        struct epoll_event ev[2];
        int ok = epoll_wait(ep, ev, 2, 0) == 1 && ev[0].data.u64 == 42;
        /* The instance is shared: a DEL here is seen by the parent. */
        ok = ok && epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL) == 0;
        _exit(ok ? 0 : 1);
    }
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_EQ(wait1(ep, 0), 0);
    CHECK_ERR(epoll_ctl(ep, EPOLL_CTL_DEL, p[0], NULL), ENOENT);
    close(p[0]);
    close(p[1]);
    close(ep);
}

int main(int argc, char **argv)
{
    (void)argc;
    alarm(60); /* a hang fails rather than blocks */
    test_create();
    test_triggers();
    test_hup_err();
    test_eventfd_signalfd();
    test_nested();
    test_lifetime();
    test_ctl_errors(argv[0]);
    test_timeouts();
    test_eintr();
    test_threads();
    test_churn();
    test_host_file();
    test_fork();
    return guest_done();
}
