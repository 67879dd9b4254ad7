/* proc_fork.c: fork basics. The child gets 0 and the parent the child's pid;
 * the child's getppid() is the parent and its tid its pid. Memory is copied:
 * a heap buffer, a global, a stack variable and a MAP_PRIVATE region written
 * by one side after the fork are unchanged in the other, both ways, while a
 * MAP_SHARED|MAP_ANONYMOUS region is shared both ways. File descriptors name
 * the same open file descriptions: the offset moves for both after the child
 * reads and writes, O_APPEND writes from both land at the end, status flags
 * (O_NONBLOCK) set in the child show in the parent, FD_CLOEXEC is inherited,
 * a close in the child leaves the parent's fd open; a pipe carries the
 * child's data to the parent, which gets EAGAIN (nonblocking) while the
 * child lives and EOF once it has exited and the parent closed its own write
 * end. Signal handlers, SIG_IGN, the blocked mask and the sigaltstack are
 * inherited (a raise in the child runs the inherited handler, on the
 * inherited alternate stack with SA_ONSTACK); pending signals and alarms are
 * not. Children print their own check lines (stdout is line buffered; the
 * parent prints nothing while a child may) and report their counts through
 * a MAP_SHARED page. */
#include "guest_proc.h"
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>

static void set_handler(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static int pending_has(int sig)
{
    sigset_t p;
    sigemptyset(&p);
    sigpending(&p);
    return sigismember(&p, sig);
}

static int blocked_has(int sig)
{
    sigset_t m;
    sigemptyset(&m);
    sigprocmask(SIG_BLOCK, NULL, &m);
    return sigismember(&m, sig);
}

/* --- return values and identity --- */
static void test_identity(void)
{
    int fds[2];
    pid_t parent = getpid();

    printf("== fork returns 0 in the child and the child's pid in the parent\n");
    CHECK_EQ(pipe(fds), 0);
    pid_t pid = xfork();
    if (pid == 0) {
        child_begin();
        close(fds[0]);
        long me = getpid();
        CHECK(me != parent);
        CHECK(getppid() == parent);
        CHECK(syscall(SYS_gettid) == me);
        (void)!write(fds[1], &me, sizeof me);
        child_end();
    }
    close(fds[1]);
    if (forked(pid)) {
        long child = 0;
        CHECK_EQ(read_full(fds[0], &child, sizeof child), sizeof child);
        CHECK(child == pid);
        child_collect(pid);
        CHECK(getpid() == parent);
    }
    close(fds[0]);
}

/* --- memory is copied, MAP_SHARED is shared --- */
static int global_var = 100;

static void test_memory(void)
{
    int p2c[2], c2p[2];
    volatile int stack_var = 200;
    char *heap = malloc(64 * 1024);
    char *priv = mmap(NULL, 3 * 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *shared = mmap(NULL, 2 * 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

    printf("== memory: private copies, MAP_SHARED shared\n");
    CHECK(heap != NULL && priv != MAP_FAILED && shared != MAP_FAILED);
    memset(heap, 'h', 64 * 1024);
    memset(priv, 'p', 3 * 4096);
    memset(shared, 's', 2 * 4096);
    CHECK_EQ(pipe(p2c), 0);
    CHECK_EQ(pipe(c2p), 0);
    pid_t pid = xfork();
    if (pid == 0) {
        child_begin();
        close(p2c[1]);
        close(c2p[0]);
        /* The child sees the values from before the fork... */
        CHECK(heap[0] == 'h' && heap[64 * 1024 - 1] == 'h');
        CHECK(global_var == 100);
        CHECK(stack_var == 200);
        CHECK(priv[0] == 'p' && priv[3 * 4096 - 1] == 'p');
        CHECK(shared[0] == 's' && shared[4096] == 's');
        /* ...and writes its own. */
        heap[0] = heap[40000] = 'C';
        global_var = 101;
        stack_var = 201;
        priv[0] = priv[2 * 4096] = 'C';
        shared[0] = shared[4096] = 'C';
        put_byte(c2p[1], 'w');
        /* The parent's writes: only the shared ones show here. */
        CHECK(get_byte(p2c[0]) == 'w');
        CHECK(heap[0] == 'C' && heap[40000] == 'C' && heap[1] == 'h');
        CHECK(global_var == 101);
        CHECK(stack_var == 201);
        CHECK(priv[0] == 'C' && priv[2 * 4096] == 'C' && priv[4096] == 'p');
        CHECK(shared[0] == 'P' && shared[4096] == 'P' && shared[1] == 's');
        child_end();
    }
    close(p2c[0]);
    close(c2p[1]);
    if (forked(pid)) {
        CHECK(get_byte(c2p[0]) == 'w');
        /* The child's writes: only the shared ones show here. */
        CHECK(heap[0] == 'h' && heap[40000] == 'h');
        CHECK(global_var == 100);
        CHECK(stack_var == 200);
        CHECK(priv[0] == 'p' && priv[2 * 4096] == 'p');
        CHECK(shared[0] == 'C' && shared[4096] == 'C' && shared[1] == 's');
        heap[0] = 'P';
        global_var = 102;
        stack_var = 202;
        priv[0] = priv[4096] = 'P';
        shared[0] = shared[4096] = 'P';
        fflush(stdout);
        put_byte(p2c[1], 'w');
        child_collect(pid);
        CHECK(heap[0] == 'P' && global_var == 102 && stack_var == 202 && priv[4096] == 'P');
        CHECK(shared[0] == 'P' && shared[4096] == 'P');
    }
    close(p2c[1]);
    close(c2p[0]);
    free(heap);
    munmap(priv, 3 * 4096);
    munmap(shared, 2 * 4096);
}

/* A MAP_PRIVATE file mapping: the child's writes stay in the child; a
 * MAP_SHARED one: they reach the file and the parent's mapping. */
static void test_file_maps(void)
{
    const char *path = "proc_fork.map";
    char buf[8192];

    printf("== file mappings: MAP_PRIVATE copied, MAP_SHARED shared\n");
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0);
    memset(buf, 'f', sizeof buf);
    CHECK_EQ(write(fd, buf, sizeof buf), sizeof buf);
    char *priv = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    char *shr = mmap(NULL, 8192, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    CHECK(priv != MAP_FAILED && shr != MAP_FAILED);
    priv[1] = 'q';          /* a private page the parent already copied */
    pid_t pid = xfork();
    if (pid == 0) {
        child_begin();
        CHECK(priv[0] == 'f' && priv[1] == 'q' && shr[0] == 'f');
        priv[0] = priv[4096] = 'C';
        shr[100] = shr[5000] = 'C';
        child_end();
    }
    if (forked(pid)) {
        child_collect(pid);
        CHECK(priv[0] == 'f' && priv[4096] == 'f' && priv[1] == 'q');
        CHECK(shr[100] == 'C' && shr[5000] == 'C' && shr[101] == 'f');
        char c = 0;
        CHECK_EQ(pread(fd, &c, 1, 5000), 1);
        CHECK(c == 'C');
    }
    munmap(priv, 8192);
    munmap(shr, 8192);
    close(fd);
    unlink(path);
}

/* --- file descriptors --- */
static void test_fds(void)
{
    const char *path = "proc_fork.tmp", *apath = "proc_fork.app";
    char buf[32];

    printf("== fds: shared offsets and status flags, FD_CLOEXEC, close\n");
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "0123456789", 10), 10);
    CHECK_EQ(lseek(fd, 2, SEEK_SET), 2);
    int cfd = fcntl(fd, F_DUPFD_CLOEXEC, 20);
    CHECK(cfd >= 20);
    pid_t pid = xfork();
    if (pid == 0) {
        child_begin();
        CHECK_EQ(lseek(fd, 0, SEEK_CUR), 2);
        CHECK_EQ(read(fd, buf, 3), 3);
        CHECK(!memcmp(buf, "234", 3));
        CHECK_EQ(write(fd, "AB", 2), 2);
        CHECK_EQ(fcntl(cfd, F_GETFD), FD_CLOEXEC);
        CHECK_EQ(fcntl(fd, F_GETFD), 0);
        CHECK_EQ(close(cfd), 0);
        child_end();
    }
    if (forked(pid)) {
        child_collect(pid);
        CHECK_EQ(lseek(fd, 0, SEEK_CUR), 7);
        CHECK_EQ(pread(fd, buf, 10, 0), 10);
        CHECK(!memcmp(buf, "01234AB789", 10));
        CHECK_EQ(fcntl(cfd, F_GETFD), FD_CLOEXEC);  /* still open here */
        /* The parent moves the offset; the next child starts from there. */
        CHECK_EQ(lseek(fd, 8, SEEK_SET), 8);
        pid = xfork();
        if (pid == 0) {
            child_begin();
            CHECK_EQ(lseek(fd, 0, SEEK_CUR), 8);
            CHECK_EQ(lseek(fd, 1, SEEK_SET), 1);
            child_end();
        }
        if (forked(pid)) {
            child_collect(pid);
            CHECK_EQ(lseek(fd, 0, SEEK_CUR), 1);
        }
    }
    close(cfd);
    close(fd);
    unlink(path);

    printf("== fds: O_APPEND from both processes\n");
    fd = open(apath, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0600);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "P1", 2), 2);
    pid = xfork();
    if (pid == 0) {
        child_begin();
        CHECK_EQ(write(fd, "C1", 2), 2);
        CHECK_EQ(lseek(fd, 0, SEEK_CUR), 4);
        child_end();
    }
    if (forked(pid))
        child_collect(pid);
    CHECK_EQ(write(fd, "P2", 2), 2);
    close(fd);
    fd = open(apath, O_RDONLY);
    memset(buf, 0, sizeof buf);
    CHECK_EQ(read(fd, buf, sizeof buf), 6);
    CHECK(!strcmp(buf, "P1C1P2"));
    close(fd);
    unlink(apath);
}

static void test_pipe(void)
{
    int data[2], go[2];
    char buf[64];

    printf("== a pipe from the child to the parent; EOF after the child exits\n");
    CHECK_EQ(pipe(data), 0);
    CHECK_EQ(pipe(go), 0);
    pid_t pid = xfork();
    if (pid == 0) {
        child_begin();
        close(data[0]);
        close(go[1]);
        long w = write(data[1], "hello from the child", 20);
        /* Check only once the parent is done printing: it closes go[1]. */
        CHECK(get_byte(go[0]) == -1);
        CHECK_EQ(w, 20);
        child_end();
    }
    close(go[0]);
    if (forked(pid)) {
        CHECK_EQ(read_full(data[0], buf, 20), 20);
        CHECK(!memcmp(buf, "hello from the child", 20));
        close(data[1]);
        /* The child still holds a write end: no EOF yet. */
        CHECK_EQ(fcntl(data[0], F_SETFL, O_NONBLOCK), 0);
        CHECK_ERR(read(data[0], buf, sizeof buf), EAGAIN);
        CHECK_EQ(fcntl(data[0], F_SETFL, 0), 0);
        fflush(stdout);
        close(go[1]);                        /* let the child exit */
        CHECK_EQ(read(data[0], buf, sizeof buf), 0);
        child_collect(pid);
        CHECK_EQ(read(data[0], buf, sizeof buf), 0);
    } else {
        close(data[1]);
        close(go[1]);
    }
    close(data[0]);

    printf("== O_NONBLOCK set by the child shows in the parent\n");
    CHECK_EQ(pipe(data), 0);
    pid = xfork();
    if (pid == 0) {
        child_begin();
        CHECK_EQ(fcntl(data[0], F_SETFL, O_NONBLOCK), 0);
        child_end();
    }
    if (forked(pid)) {
        child_collect(pid);
        CHECK((fcntl(data[0], F_GETFL) & O_NONBLOCK) != 0);
        CHECK_ERR(read(data[0], buf, sizeof buf), EAGAIN);
    }
    close(data[0]);
    close(data[1]);
}

/* --- signals --- */
static volatile int usr2_runs, onstack_ok;
static char *alt_base;
static size_t alt_size;

static void on_usr2(int sig)
{
    char here;
    (void)sig;
    usr2_runs++;
    onstack_ok = alt_base && &here >= alt_base && &here < alt_base + alt_size;
}

static volatile int alarm_runs;
static void on_alarm(int sig)
{
    (void)sig;
    alarm_runs++;
}

static void test_signals(void)
{
    sigset_t set;
    struct sigaction old;
    stack_t ss, got;

    printf("== handlers, SIG_IGN, mask and sigaltstack are inherited; pending signals are not\n");
    alt_size = 64 * 1024;
    alt_base = malloc(alt_size);
    ss.ss_sp = alt_base;
    ss.ss_size = alt_size;
    ss.ss_flags = 0;
    CHECK_EQ(sigaltstack(&ss, NULL), 0);
    set_handler(SIGUSR2, on_usr2, SA_ONSTACK);
    set_handler(SIGHUP, SIG_IGN, 0);
    set_handler(SIGALRM, on_alarm, 0);
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    sigaddset(&set, SIGINT);
    CHECK_EQ(sigprocmask(SIG_BLOCK, &set, NULL), 0);
    CHECK_EQ(raise(SIGUSR1), 0);
    CHECK(pending_has(SIGUSR1));
    alarm(1000);
    usr2_runs = onstack_ok = 0;
    pid_t pid = xfork();
    if (pid == 0) {
        child_begin();
        CHECK(!pending_has(SIGUSR1));
        CHECK(blocked_has(SIGUSR1) && blocked_has(SIGINT) && !blocked_has(SIGUSR2));
        CHECK_EQ(alarm(0), 0);                    /* alarms are not inherited */
        CHECK_EQ(sigaction(SIGUSR2, NULL, &old), 0);
        CHECK(old.sa_handler == on_usr2 && (old.sa_flags & SA_ONSTACK));
        CHECK_EQ(sigaction(SIGHUP, NULL, &old), 0);
        CHECK(old.sa_handler == SIG_IGN);
        CHECK_EQ(sigaltstack(NULL, &got), 0);
        CHECK(got.ss_sp == alt_base && got.ss_size == alt_size && got.ss_flags == 0);
        CHECK_EQ(raise(SIGUSR2), 0);
        CHECK_EQ(usr2_runs, 1);
        CHECK_EQ(onstack_ok, 1);
        CHECK_EQ(raise(SIGHUP), 0);               /* ignored: nothing happens */
        CHECK_EQ(kill(getpid(), SIGUSR2), 0);
        CHECK_EQ(usr2_runs, 2);
        /* A new pending signal in the child stays the child's. */
        CHECK_EQ(raise(SIGINT), 0);
        CHECK(pending_has(SIGINT));
        child_end();
    }
    if (forked(pid)) {
        child_collect(pid);
        CHECK(pending_has(SIGUSR1));
        CHECK(!pending_has(SIGINT));
        CHECK_EQ(usr2_runs, 0);
        CHECK(alarm(0) > 0);                      /* the parent's is still set */
        CHECK_EQ(alarm_runs, 0);
    }
    /* Take the pending SIGUSR1, then restore. */
    struct timespec zero = { 0, 0 };
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    CHECK_EQ(sigtimedwait(&set, NULL, &zero), SIGUSR1);
    sigaddset(&set, SIGINT);
    CHECK_EQ(sigprocmask(SIG_UNBLOCK, &set, NULL), 0);
    ss.ss_flags = SS_DISABLE;
    CHECK_EQ(sigaltstack(&ss, NULL), 0);
    set_handler(SIGUSR2, SIG_DFL, 0);
    set_handler(SIGHUP, SIG_DFL, 0);
    set_handler(SIGALRM, SIG_DFL, 0);
    free(alt_base);
    alt_base = NULL;
}

/* --- a child that forks: grandchildren see their own parent --- */
static void test_nested(void)
{
    pid_t top = getpid();

    printf("== a child forks a grandchild\n");
    pid_t pid = xfork();
    if (pid == 0) {
        child_begin();
        pid_t mid = getpid();
        pid_t gc = xfork();
        if (gc == 0) {
            CHECK(getppid() == mid);
            CHECK(getpid() != mid && getpid() != top);
            child_end();
        }
        if (forked(gc)) {
            /* The grandchild's counts come through the same shared page;
             * take them here and pass them on with this child's. */
            int status = reap(gc);
            guest_checks += child_counts->checks;
            guest_failures += child_counts->failures;
            child_counts->checks = child_counts->failures = 0;
            CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
        CHECK_ERR(waitpid(-1, NULL, WNOHANG), ECHILD);
        child_end();
    }
    if (forked(pid))
        child_collect(pid);
    CHECK_ERR(waitpid(-1, NULL, WNOHANG), ECHILD);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGCHLD, SIG_DFL);
    child_counts = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (child_counts == MAP_FAILED)
        return 2;
    alarm(60);                      /* a hang fails rather than blocks */
    test_identity();
    test_memory();
    test_file_maps();
    test_fds();
    test_pipe();
    test_signals();
    alarm(60);
    test_nested();
    alarm(0);
    return guest_done();
}
