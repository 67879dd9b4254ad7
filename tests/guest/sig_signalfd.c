/* sig_signalfd.c: signalfd4 and signalfd, and the pidfd pair. Checks that a
 * read takes the pending signals of the fd's mask, several per read, the
 * reader's own queue first (lowest number first) and then the process's;
 * the ssi_code of raise/tgkill (SI_TKILL), kill (SI_USER) and sigqueue
 * (SI_QUEUE with ssi_int); O_NONBLOCK (EAGAIN); a blocking read woken by
 * another thread's kill; a thread reading only its own and its process's
 * signals; changing the mask through signalfd4(fd, ...); EINVAL and EBADF
 * cases; SFD_CLOEXEC; a signal outside the mask interrupting a blocking
 * read (EINTR without SA_RESTART, restarted with it). Then pidfd_open of
 * the caller's own pid and pidfd_send_signal (kill-like, with a siginfo,
 * EPERM and EINVAL cases), read back through the signalfd. */
#include "guest.h"
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <time.h>
#include <sys/signalfd.h>
#include <sys/stat.h>

#define REC sizeof(struct signalfd_siginfo)

static pid_t gettid_(void) { return (pid_t)syscall(SYS_gettid); }

/* Kernel-sized sigset (8 bytes) for the raw calls. */
static unsigned long kmask(int a, int b)
{
    unsigned long m = 0;
    if (a)
        m |= 1UL << (a - 1);
    if (b)
        m |= 1UL << (b - 1);
    return m;
}

static long sfd4(int fd, unsigned long mask, size_t size, int flags)
{
    return syscall(SYS_signalfd4, fd, &mask, size, flags);
}

static const char *code_name(int code)
{
    switch (code) {
    case SI_USER: return "SI_USER";
    case SI_TKILL: return "SI_TKILL";
    case SI_QUEUE: return "SI_QUEUE";
    default: return "?";
    }
}

static const char *sig_name(int sig)
{
    static char buf[16];
    if (sig == SIGUSR1) return "USR1";
    if (sig == SIGUSR2) return "USR2";
    if (sig == SIGALRM) return "ALRM";
    if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
        snprintf(buf, sizeof buf, "RTMIN+%d", sig - SIGRTMIN);
        return buf;
    }
    snprintf(buf, sizeof buf, "sig%d", sig);
    return buf;
}

/* Prints one record; the sender must be this process with our uid. */
static void show(const struct signalfd_siginfo *s)
{
    printf("  %s %s", sig_name((int)s->ssi_signo), code_name(s->ssi_code));
    if (s->ssi_code == SI_QUEUE)
        printf(" int=%d", s->ssi_int);
    printf("%s\n", s->ssi_pid == (unsigned)getpid() && s->ssi_uid == (unsigned)getuid()
                       ? "" : " (wrong sender)");
}

/* Reads up to n records; prints them; returns how many. */
static int read_show(int fd, int n)
{
    struct signalfd_siginfo s[8];
    ssize_t r = read(fd, s, n * REC);
    if (r < 0) {
        printf("  read: -1 %s\n", errname(errno));
        return -1;
    }
    if (r % REC)
        printf("  read: odd size %zd\n", r);
    for (int i = 0; i < r / (ssize_t)REC; i++)
        show(&s[i]);
    return (int)(r / REC);
}

static void sleep_ms_once(int ms)
{
    struct timespec ts = { 0, ms * 1000000L };
    nanosleep(&ts, NULL);
}

static int sigval_queue(int sig, int v)
{
    union sigval sv = { .sival_int = v };
    return sigqueue(getpid(), sig, sv);
}

/* ---- threads ---- */

static volatile int stop_sending, alarms;
static pid_t main_tid;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

/* Sends SIGALRM to main until told to stop: one lands while main is blocked in read. */
static void *alarm_sender(void *arg)
{
    (void)arg;
    while (!stop_sending) {
        syscall(SYS_tgkill, getpid(), main_tid, SIGALRM);
        sleep_ms_once(20);
    }
    return NULL;
}

/* A few SIGALRMs that main takes (restarting its read), then the signal it reads. */
static void *alarm_then_usr1(void *arg)
{
    (void)arg;
    while (!alarms) {
        syscall(SYS_tgkill, getpid(), main_tid, SIGALRM);
        sleep_ms_once(20);
    }
    sleep_ms_once(20);
    kill(getpid(), SIGUSR1);
    return NULL;
}

static void *late_kill(void *arg)
{
    (void)arg;
    sleep_ms_once(50);
    kill(getpid(), SIGUSR1);
    return NULL;
}

/* Another thread sees the signals sent to it, not those of main. */
static int sfd_shared;
static void *own_queue_reader(void *arg)
{
    struct signalfd_siginfo s;
    (void)arg;
    syscall(SYS_tgkill, getpid(), gettid_(), SIGUSR2);
    ssize_t r = read(sfd_shared, &s, sizeof s);
    return (void *)(long)(r == (ssize_t)REC && s.ssi_signo == SIGUSR2 && s.ssi_code == SI_TKILL);
}

static struct { long r; int err; } pidfd_from_thread;
static int pidfd_shared;
static void *pidfd_sender(void *arg)
{
    siginfo_t si;
    (void)arg;
    memset(&si, 0, sizeof si);
    si.si_signo = SIGUSR1;
    si.si_code = SI_USER;
    errno = 0;
    pidfd_from_thread.r = syscall(SYS_pidfd_send_signal, pidfd_shared, SIGUSR1, &si, 0);
    pidfd_from_thread.err = errno;
    return NULL;
}

/* ---- sections ---- */

static void test_basic(void)
{
    sigset_t m;
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigaddset(&m, SIGUSR2);
    sigaddset(&m, SIGRTMIN);
    int fd = signalfd(-1, &m, SFD_CLOEXEC | SFD_NONBLOCK);
    CHECK(fd >= 0);
    CHECK_EQ(fcntl(fd, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR | O_NONBLOCK);
    struct stat st;
    CHECK(fstat(fd, &st) == 0 && (st.st_mode & 0777) == 0600);

    struct signalfd_siginfo s[8];
    CHECK_ERR(read(fd, s, sizeof s), EAGAIN);
    CHECK_ERR(read(fd, s, REC - 1), EINVAL);
    CHECK_ERR(read(fd, s, 0), EINVAL);
    CHECK_ERR(write(fd, s, REC), EINVAL);

    /* Process queue: USR1 (kill), RTMIN twice (sigqueue). Thread queue: USR2, USR1. */
    kill(getpid(), SIGUSR1);
    sigval_queue(SIGRTMIN, 42);
    sigval_queue(SIGRTMIN, 43);
    raise(SIGUSR2);
    syscall(SYS_tgkill, getpid(), gettid_(), SIGUSR1);
    sigset_t p;
    sigpending(&p);
    CHECK(sigismember(&p, SIGUSR1) && sigismember(&p, SIGUSR2) && sigismember(&p, SIGRTMIN));

    printf("one record (room for 1.5):\n");
    CHECK_EQ(read(fd, s, REC + REC / 2), (long)REC);
    show(&s[0]);
    printf("the rest in one read:\n");
    CHECK_EQ(read_show(fd, 8), 4);
    sigpending(&p);
    CHECK(!sigismember(&p, SIGUSR1) && !sigismember(&p, SIGUSR2) && !sigismember(&p, SIGRTMIN));
    CHECK_ERR(read(fd, s, sizeof s), EAGAIN);

    /* Unused fields stay zero. */
    raise(SIGUSR2);
    CHECK_EQ(read(fd, s, REC), (long)REC);
    CHECK(s[0].ssi_errno == 0 && s[0].ssi_fd == 0 && s[0].ssi_tid == 0 && s[0].ssi_band == 0 &&
          s[0].ssi_overrun == 0 && s[0].ssi_status == 0 && s[0].ssi_int == 0 && s[0].ssi_ptr == 0 &&
          s[0].ssi_addr == 0);
    close(fd);
}

static void test_calls(void)
{
    int fd = (int)sfd4(-1, kmask(SIGUSR1, 0), 8, 0);
    CHECK(fd >= 0);
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    CHECK_EQ(fcntl(fd, F_GETFL) & (O_ACCMODE | O_NONBLOCK), O_RDWR);
    CHECK_ERR(sfd4(-1, kmask(SIGUSR1, 0), 4, 0), EINVAL);
    CHECK_ERR(sfd4(-1, kmask(SIGUSR1, 0), 16, 0), EINVAL);
    CHECK_ERR(sfd4(-1, kmask(SIGUSR1, 0), 8, O_APPEND), EINVAL);
    CHECK_ERR(sfd4(-1, kmask(SIGUSR1, 0), 8, 1), EINVAL);
    CHECK_ERR(syscall(SYS_signalfd4, -1, (void *)8, 8, 0), EFAULT);
    CHECK_ERR(sfd4(0, kmask(SIGUSR1, 0), 8, 0), EINVAL);       /* not a signalfd */
    CHECK_ERR(sfd4(1000, kmask(SIGUSR1, 0), 8, 0), EBADF);
    CHECK_ERR(sfd4(-2, kmask(SIGUSR1, 0), 8, 0), EBADF);
    CHECK_EQ(sfd4(fd, kmask(SIGUSR1, SIGUSR2), 8, 0), fd);    /* mask update returns fd */
    close(fd);

    /* SIGKILL and SIGSTOP are dropped from the mask, not refused. */
    fd = (int)sfd4(-1, kmask(SIGKILL, SIGSTOP), 8, SFD_NONBLOCK);
    CHECK(fd >= 0);
    close(fd);

    /* The old call: no flags. */
    unsigned long km = kmask(SIGUSR2, 0);
    fd = (int)syscall(SYS_signalfd, -1, &km, 8);
    CHECK(fd >= 0);
    CHECK_EQ(fcntl(fd, F_GETFD), 0);
    CHECK_ERR(syscall(SYS_signalfd, -1, &km, 4), EINVAL);
    raise(SIGUSR2);
    printf("signalfd(2):\n");
    CHECK_EQ(read_show(fd, 1), 1);
    close(fd);
}

static void test_mask_update(void)
{
    int fd = (int)sfd4(-1, kmask(SIGUSR1, 0), 8, SFD_NONBLOCK);
    struct signalfd_siginfo s;
    raise(SIGUSR2);
    CHECK_ERR(read(fd, &s, sizeof s), EAGAIN);      /* USR2 is not in the mask */
    CHECK_EQ(sfd4(fd, kmask(SIGUSR2, 0), 8, SFD_CLOEXEC), fd);
    CHECK_EQ(fcntl(fd, F_GETFD), 0);                /* flags only matter on creation */
    printf("after the mask update:\n");
    CHECK_EQ(read_show(fd, 1), 1);
    close(fd);
}

static void test_blocking(void)
{
    pthread_t th;
    int fd = (int)sfd4(-1, kmask(SIGUSR1, SIGUSR2), 8, 0);

    /* Woken by another thread's kill. */
    pthread_create(&th, NULL, late_kill, NULL);
    printf("blocking read, woken by kill:\n");
    CHECK_EQ(read_show(fd, 4), 1);
    pthread_join(th, NULL);

    /* A thread reads what was sent to it and to the process, not to main. */
    void *ok;
    syscall(SYS_tgkill, getpid(), gettid_(), SIGUSR1);
    sfd_shared = fd;
    pthread_create(&th, NULL, own_queue_reader, NULL);
    pthread_join(th, &ok);
    CHECK(ok);
    printf("main's own, left by the other thread:\n");
    CHECK_EQ(read_show(fd, 4), 1);
    close(fd);
}

static void test_interrupt(void)
{
    struct sigaction sa;
    sigset_t alrm;
    pthread_t th;
    int fd = (int)sfd4(-1, kmask(SIGUSR1, 0), 8, 0);
    struct signalfd_siginfo s;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sigaction(SIGALRM, &sa, NULL);
    sigemptyset(&alrm);
    sigaddset(&alrm, SIGALRM);
    main_tid = gettid_();

    /* No SA_RESTART: the handler runs and read fails with EINTR. */
    pthread_sigmask(SIG_UNBLOCK, &alrm, NULL);
    stop_sending = 0;
    alarms = 0;
    pthread_create(&th, NULL, alarm_sender, NULL);
    CHECK_ERR(read(fd, &s, sizeof s), EINTR);
    stop_sending = 1;
    pthread_join(th, NULL);
    CHECK(alarms > 0);

    /* SA_RESTART: the read goes on after the handler, and gets USR1. */
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    alarms = 0;
    pthread_create(&th, NULL, alarm_then_usr1, NULL);
    printf("restarted read:\n");
    CHECK_EQ(read_show(fd, 1), 1);
    pthread_join(th, NULL);
    CHECK(alarms > 0);
    pthread_sigmask(SIG_BLOCK, &alrm, NULL);
    close(fd);
}

static void test_pidfd(void)
{
    int sfd = (int)sfd4(-1, kmask(SIGUSR1, SIGUSR2) | kmask(SIGRTMIN, 0), 8, SFD_NONBLOCK);
    int pfd = (int)syscall(SYS_pidfd_open, getpid(), 0);
    siginfo_t si;
    char buf[64];
    pthread_t th;

    CHECK(pfd >= 0);
    CHECK_EQ(fcntl(pfd, F_GETFD), FD_CLOEXEC);      /* always close-on-exec */
    CHECK_EQ(fcntl(pfd, F_GETFL) & O_ACCMODE, O_RDWR);
    CHECK_ERR(read(pfd, buf, sizeof buf), EINVAL);
    CHECK_ERR(syscall(SYS_pidfd_open, getpid(), 1), EINVAL);
    CHECK_ERR(syscall(SYS_pidfd_open, 0, 0), EINVAL);
    CHECK_ERR(syscall(SYS_pidfd_open, -5, 0), EINVAL);
    CHECK_ERR(syscall(SYS_pidfd_open, INT_MAX, 0), ESRCH);
    int nb = (int)syscall(SYS_pidfd_open, getpid(), O_NONBLOCK);
    CHECK(nb >= 0);
    CHECK_EQ(fcntl(nb, F_GETFL) & O_NONBLOCK, O_NONBLOCK);
    close(nb);

    CHECK_EQ(syscall(SYS_pidfd_send_signal, pfd, 0, NULL, 0), 0);
    CHECK_EQ(syscall(SYS_pidfd_send_signal, pfd, SIGUSR1, NULL, 0), 0);
    memset(&si, 0, sizeof si);
    si.si_signo = SIGRTMIN;
    si.si_code = SI_QUEUE;
    si.si_pid = getpid();
    si.si_uid = getuid();
    si.si_value.sival_int = 7;
    CHECK_EQ(syscall(SYS_pidfd_send_signal, pfd, SIGRTMIN, &si, 0), 0);
    /* si_code >= 0 is allowed to oneself (the thread the pidfd names). */
    si.si_signo = SIGUSR2;
    si.si_code = SI_USER;
    CHECK_EQ(syscall(SYS_pidfd_send_signal, pfd, SIGUSR2, &si, 0), 0);
    printf("pidfd_send_signal:\n");
    CHECK_EQ(read_show(sfd, 8), 3);

    CHECK_ERR(syscall(SYS_pidfd_send_signal, pfd, SIGUSR1, &si, 0), EINVAL); /* si_signo differs */
    CHECK_ERR(syscall(SYS_pidfd_send_signal, pfd, SIGUSR1, NULL, 8), EINVAL);
    CHECK_ERR(syscall(SYS_pidfd_send_signal, pfd, 65, NULL, 0), EINVAL);
    CHECK_ERR(syscall(SYS_pidfd_send_signal, pfd, -1, NULL, 0), EINVAL);
    CHECK_ERR(syscall(SYS_pidfd_send_signal, pfd, SIGUSR1, (void *)8, 0), EFAULT);
    CHECK_ERR(syscall(SYS_pidfd_send_signal, sfd, SIGUSR1, NULL, 0), EBADF);
    CHECK_ERR(syscall(SYS_pidfd_send_signal, 1000, SIGUSR1, NULL, 0), EBADF);

    /* Another thread is not the pidfd's task: a si_code >= 0 siginfo is refused. */
    pidfd_shared = pfd;
    pthread_create(&th, NULL, pidfd_sender, NULL);
    pthread_join(th, NULL);
    CHECK(pidfd_from_thread.r == -1 && pidfd_from_thread.err == EPERM);
    struct signalfd_siginfo s;
    CHECK_ERR(read(sfd, &s, sizeof s), EAGAIN);
    close(pfd);
    close(sfd);
}

int main(void)
{
    sigset_t m;
    setvbuf(stdout, NULL, _IONBF, 0);
    sigemptyset(&m);
    sigaddset(&m, SIGUSR1);
    sigaddset(&m, SIGUSR2);
    sigaddset(&m, SIGRTMIN);
    sigaddset(&m, SIGALRM);
    sigprocmask(SIG_BLOCK, &m, NULL);

    test_basic();
    test_calls();
    test_mask_update();
    test_blocking();
    test_interrupt();
    test_pidfd();
    return guest_done();
}
