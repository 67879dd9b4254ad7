/* proc_clone.c: clone(2) flags for new processes (no CLONE_THREAD), through
 * the libc clone() wrapper with a stack of their own. CLONE_VM: a process
 * sharing memory (its writes and even its mmaps are seen by the parent) but
 * with its own pid, reaped by waitpid. CLONE_FILES: an fd opened by the child
 * appears in the parent and one it closes is gone (without the flag
 * neither). CLONE_FS: chdir and umask in the child move the parent's (without
 * the flag neither). CLONE_SIGHAND|CLONE_VM: a handler the child installs
 * is the parent's; CLONE_SIGHAND without CLONE_VM, and CLONE_THREAD without
 * CLONE_SIGHAND, are EINVAL. CLONE_PARENT: the child of a middle process is
 * the test's child (getppid, the test reaps it, the middle one gets ECHILD).
 * Exit signal 0: no SIGCHLD, waitpid without __WCLONE/__WALL gives ECHILD.
 * Exit signal SIGUSR1: the parent gets SIGUSR1 (CLD_EXITED, the child's
 * pid) and no SIGCHLD. CLONE_VFORK: the parent sleeps until the child exits
 * (the child sleeps 50 ms, then sets a flag). vfork(): the child's write is
 * seen, the parent resumes after _exit. Children never print and use only
 * system calls (libc state is the parent's: its cached tid, its errno).
 * Pids are never printed. */
#include "guest.h"
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>

#define STACK_SIZE (256 * 1024)

static pid_t xclone(int (*fn)(void *), int flags, void *arg)
{
    fflush(stdout);
    fflush(stderr);
    char *stack = mmap(NULL, STACK_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (stack == MAP_FAILED)
        return -1;
    /* The stack is leaked on purpose: a CLONE_VM child may still be on it
     * until it is reaped; a few of them do not matter. */
    return clone(fn, stack + STACK_SIZE, flags, arg);
}

static int cloned(pid_t pid)
{
    if (pid < 0)
        CHECK(pid > 0);
    return pid > 0;
}

/* waitpid with options, restarted after EINTR; the status, or -1. */
static int reap_opt(pid_t pid, int options)
{
    int status = -1;
    pid_t r;
    while ((r = waitpid(pid, &status, options)) == -1 && errno == EINTR)
        ;
    return r == pid ? status : -1;
}

static int exited(int status, int code)
{
    return status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == code;
}

static void nap(int ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (syscall(SYS_nanosleep, &ts, &ts) == -1 && errno == EINTR)
        ;
}

/* --- CLONE_VM --- */
static volatile int shared_word;
static volatile long child_pid_seen, child_ppid_seen;
static char *volatile child_map;

static int vm_child(void *arg)
{
    (void)arg;
    child_pid_seen = syscall(SYS_getpid);
    child_ppid_seen = syscall(SYS_getppid);
    shared_word = 1234;
    char *m = (char *)syscall(SYS_mmap, NULL, 4096, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (m != MAP_FAILED)
        m[0] = 'v';
    child_map = m;
    return 21;
}

static void test_vm(void)
{
    printf("== CLONE_VM without CLONE_THREAD: shared memory, its own pid\n");
    shared_word = 0;
    child_map = NULL;
    child_pid_seen = child_ppid_seen = 0;
    pid_t pid = xclone(vm_child, CLONE_VM | SIGCHLD, NULL);
    if (!cloned(pid))
        return;
    CHECK(exited(reap_opt(pid, 0), 21));
    CHECK_EQ(shared_word, 1234);
    CHECK(child_pid_seen == pid && pid != getpid());
    CHECK(child_ppid_seen == getpid());
    CHECK(child_map != NULL && child_map != MAP_FAILED);
    if (child_map && child_map != MAP_FAILED) {
        CHECK(child_map[0] == 'v');          /* the child's mapping is ours */
        CHECK_EQ(munmap(child_map, 4096), 0);
    }
    CHECK_ERR(waitpid(pid, NULL, WNOHANG), ECHILD);

    printf("== without CLONE_VM: a copy\n");
    shared_word = 0;
    child_map = NULL;
    pid = xclone(vm_child, SIGCHLD, NULL);
    if (!cloned(pid))
        return;
    CHECK(exited(reap_opt(pid, 0), 21));
    CHECK_EQ(shared_word, 0);
    CHECK(child_map == NULL);
}

/* --- CLONE_FILES --- */
#define VICTIM 50

/* Closes VICTIM, opens the lowest free fd: returns its number. */
static int files_child(void *arg)
{
    (void)arg;
    syscall(SYS_close, VICTIM);
    return (int)syscall(SYS_open, "/dev/null", O_RDONLY, 0);
}

static void test_files(void)
{
    for (int share = 1; share >= 0; share--) {
        printf(share ? "== CLONE_FILES: the fd table is shared\n"
                     : "== without CLONE_FILES: a copy\n");
        int fd = open("/dev/null", O_RDONLY);
        CHECK_EQ(dup2(fd, VICTIM), VICTIM);
        close(fd);
        pid_t pid = xclone(files_child, (share ? CLONE_FILES : 0) | SIGCHLD, NULL);
        if (!cloned(pid))
            continue;
        int status = reap_opt(pid, 0);
        CHECK(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) < VICTIM);
        fd = WEXITSTATUS(status);
        if (share) {
            CHECK_ERR(fcntl(VICTIM, F_GETFD), EBADF);  /* closed by the child */
            CHECK_EQ(fcntl(fd, F_GETFD), 0);           /* opened by the child */
            struct stat a, b;
            CHECK(fstat(fd, &a) == 0 && stat("/dev/null", &b) == 0 && a.st_rdev == b.st_rdev);
            CHECK_EQ(close(fd), 0);
        } else {
            CHECK_EQ(fcntl(VICTIM, F_GETFD), 0);
            CHECK_ERR(fcntl(fd, F_GETFD), EBADF);
            CHECK_EQ(close(VICTIM), 0);
        }
    }
}

/* --- CLONE_FS --- */
static int fs_child(void *arg)
{
    (void)arg;
    if (syscall(SYS_chdir, "proc_clone.d") != 0)
        return 1;
    syscall(SYS_umask, 027);
    return 0;
}

static int cwd_is_subdir(void)
{
    char buf[PATH_MAX];
    if (!getcwd(buf, sizeof buf))
        return 0;
    size_t n = strlen(buf), k = strlen("/proc_clone.d");
    return n >= k && !strcmp(buf + n - k, "/proc_clone.d");
}

static void test_fs(void)
{
    printf("== CLONE_FS: cwd and umask are shared\n");
    rmdir("proc_clone.d");
    CHECK_EQ(mkdir("proc_clone.d", 0755), 0);
    mode_t old = umask(022);
    pid_t pid = xclone(fs_child, CLONE_FS | SIGCHLD, NULL);
    if (cloned(pid)) {
        CHECK(exited(reap_opt(pid, 0), 0));
        CHECK(cwd_is_subdir());
        CHECK_EQ(umask(022), 027);
        CHECK_EQ(chdir(".."), 0);
    }

    printf("== without CLONE_FS: a copy\n");
    pid = xclone(fs_child, SIGCHLD, NULL);
    if (cloned(pid)) {
        CHECK(exited(reap_opt(pid, 0), 0));
        CHECK(!cwd_is_subdir());
        CHECK_EQ(umask(022), 022);
    }
    CHECK_EQ(rmdir("proc_clone.d"), 0);
    umask(old);
}

/* --- CLONE_SIGHAND --- */
static volatile int usr2_runs;
static void on_usr2(int sig)
{
    (void)sig;
    usr2_runs++;
}

static struct sigaction libc_sa;     /* built by the parent, installed by the child */

static int sighand_child(void *arg)
{
    (void)arg;
    /* sigaction() is a thin wrapper: fine to call here (no TLS but errno). */
    return sigaction(SIGUSR2, &libc_sa, NULL) == 0 ? 0 : 1;
}

static void test_sighand(void)
{
    struct sigaction sa;

    printf("== CLONE_SIGHAND|CLONE_VM: handlers are shared\n");
    signal(SIGUSR2, SIG_DFL);
    memset(&libc_sa, 0, sizeof libc_sa);
    libc_sa.sa_handler = on_usr2;
    sigemptyset(&libc_sa.sa_mask);
    usr2_runs = 0;
    pid_t pid = xclone(sighand_child, CLONE_SIGHAND | CLONE_VM | SIGCHLD, NULL);
    if (cloned(pid)) {
        CHECK(exited(reap_opt(pid, 0), 0));
        CHECK_EQ(sigaction(SIGUSR2, NULL, &sa), 0);
        CHECK(sa.sa_handler == on_usr2);
        CHECK_EQ(kill(getpid(), SIGUSR2), 0);
        CHECK_EQ(usr2_runs, 1);
    }
    signal(SIGUSR2, SIG_DFL);

    printf("== without CLONE_SIGHAND: a copy\n");
    pid = xclone(sighand_child, CLONE_VM | SIGCHLD, NULL);
    if (cloned(pid)) {
        CHECK(exited(reap_opt(pid, 0), 0));
        CHECK_EQ(sigaction(SIGUSR2, NULL, &sa), 0);
        CHECK(sa.sa_handler == SIG_DFL);
    }

    printf("== invalid combinations\n");
    CHECK_ERR(xclone(sighand_child, CLONE_SIGHAND | SIGCHLD, NULL), EINVAL);
    CHECK_ERR(xclone(sighand_child, CLONE_THREAD | CLONE_VM | SIGCHLD, NULL), EINVAL);
    CHECK_ERR(xclone(sighand_child, CLONE_FS | CLONE_NEWNS | SIGCHLD, NULL), EINVAL);
}

/* --- CLONE_PARENT --- */
struct parent_args {
    pid_t top;
    int fd;         /* the middle one writes the grandchild's pid here */
};

static int grand_child(void *arg)
{
    struct parent_args *a = arg;
    return syscall(SYS_getppid) == a->top ? 0 : 1;
}

static void test_parent(void)
{
    int p[2];
    struct parent_args a = { getpid(), -1 };

    printf("== CLONE_PARENT: a sibling, not a child\n");
    CHECK_EQ(pipe(p), 0);
    fflush(stdout);
    pid_t mid = fork();
    if (mid == 0) {
        close(p[0]);
        pid_t gc = xclone(grand_child, CLONE_PARENT | SIGCHLD, &a);
        (void)!write(p[1], &gc, sizeof gc);
        int code = 0;
        if (gc < 0)
            code |= 1;
        if (waitpid(-1, NULL, __WALL) != -1 || errno != ECHILD)
            code |= 2;
        if (waitpid(gc, NULL, WNOHANG) != -1 || errno != ECHILD)
            code |= 4;
        _exit(code);
    }
    close(p[1]);
    if (cloned(mid)) {
        pid_t gc = -1;
        CHECK_EQ(read(p[0], &gc, sizeof gc), sizeof gc);
        CHECK(gc > 0);
        CHECK(exited(reap_opt(mid, 0), 0));
        if (gc > 0)
            CHECK(exited(reap_opt(gc, 0), 0));
        CHECK_ERR(waitpid(-1, NULL, __WALL | WNOHANG), ECHILD);
    }
    close(p[0]);
}

/* --- exit signals --- */
static volatile int chld_runs, usr1_runs, usr1_code;
static volatile pid_t usr1_pid;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (sig == SIGCHLD) {
        chld_runs++;
    } else {
        usr1_runs++;
        usr1_code = si->si_code;
        usr1_pid = si->si_pid;
    }
}

static void set_info_handler(int sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sig;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* Waits for EOF on gate[0] (a copy of the fd table: closes gate[1]). */
static int gated_child(void *arg)
{
    int *gate = arg;
    char c;
    if (gate) {
        syscall(SYS_close, gate[1]);
        while (syscall(SYS_read, gate[0], &c, 1) == -1 && errno == EINTR)
            ;
    }
    return 17;
}

static void test_exit_signal(void)
{
    int gate[2];

    set_info_handler(SIGCHLD);
    set_info_handler(SIGUSR1);

    printf("== exit signal 0: no SIGCHLD; only __WCLONE or __WALL wait for it\n");
    for (int opt = 0; opt < 2; opt++) {
        CHECK_EQ(pipe(gate), 0);
        chld_runs = usr1_runs = 0;
        pid_t pid = xclone(gated_child, 0, gate);
        if (cloned(pid)) {
            CHECK_ERR(waitpid(pid, NULL, WNOHANG), ECHILD);
            CHECK_ERR(waitpid(-1, NULL, WNOHANG), ECHILD);
            CHECK_EQ(waitpid(pid, NULL, __WCLONE | WNOHANG), 0);
            close(gate[1]);
            CHECK(exited(reap_opt(pid, opt ? __WALL : __WCLONE), 17));
            CHECK_EQ(chld_runs, 0);
            CHECK_EQ(usr1_runs, 0);
        } else {
            close(gate[1]);
        }
        close(gate[0]);
    }

    printf("== exit signal SIGUSR1 instead of SIGCHLD\n");
    CHECK_EQ(pipe(gate), 0);
    chld_runs = usr1_runs = 0;
    usr1_pid = 0;
    pid_t pid = xclone(gated_child, SIGUSR1, gate);
    if (cloned(pid)) {
        CHECK_ERR(waitpid(pid, NULL, WNOHANG), ECHILD);
        close(gate[1]);
        siginfo_t si;
        memset(&si, 0, sizeof si);
        CHECK_EQ(waitid(P_PID, pid, &si, WEXITED | __WCLONE), 0);
        CHECK_EQ(si.si_code, CLD_EXITED);
        CHECK_EQ(si.si_status, 17);
        CHECK_EQ(si.si_signo, SIGCHLD);      /* waitid's, whatever the exit signal */
        CHECK_EQ(usr1_runs, 1);
        CHECK_EQ(usr1_code, CLD_EXITED);
        CHECK(usr1_pid == pid);
        CHECK_EQ(chld_runs, 0);
    } else {
        close(gate[1]);
    }
    close(gate[0]);

    printf("== exit signal SIGCHLD: the usual\n");
    chld_runs = usr1_runs = 0;
    pid = xclone(gated_child, SIGCHLD, NULL);
    if (cloned(pid)) {
        CHECK_EQ(waitpid(pid, NULL, __WCLONE | WNOHANG), -1);   /* ECHILD */
        CHECK(exited(reap_opt(pid, 0), 17));
        CHECK_EQ(chld_runs, 1);
        CHECK_EQ(usr1_runs, 0);
    }
    signal(SIGCHLD, SIG_DFL);
    signal(SIGUSR1, SIG_DFL);
}

/* --- CLONE_VFORK and vfork --- */
static volatile int vfork_flag;

/* Sleeps, then sets *arg (a MAP_SHARED word) or else vfork_flag. */
static int vfork_child(void *arg)
{
    nap(50);
    if (arg)
        *(volatile int *)arg = 1;
    vfork_flag = 1;
    return 3;
}

static void test_vfork(void)
{
    printf("== CLONE_VFORK: the parent waits for the child to exit\n");
    vfork_flag = 0;
    pid_t pid = xclone(vfork_child, CLONE_VM | CLONE_VFORK | SIGCHLD, NULL);
    if (cloned(pid)) {
        CHECK_EQ(vfork_flag, 1);             /* before any wait */
        CHECK(exited(reap_opt(pid, 0), 3));
    }

    printf("== CLONE_VFORK without CLONE_VM\n");
    int *flag = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    CHECK(flag != MAP_FAILED);
    if (flag != MAP_FAILED) {
        *flag = 0;
        vfork_flag = 0;
        pid = xclone(vfork_child, CLONE_VFORK | SIGCHLD, flag);
        if (cloned(pid)) {
            CHECK_EQ(*(volatile int *)flag, 1);
            CHECK_EQ(vfork_flag, 0);         /* a copy of memory */
            CHECK(exited(reap_opt(pid, 0), 3));
        }
        munmap(flag, 4096);
    }

    printf("== vfork()\n");
    vfork_flag = 0;
    fflush(stdout);
    pid = vfork();
    if (pid == 0) {
        nap(50);
        vfork_flag = 2;
        _exit(4);
    }
    if (cloned(pid)) {
        CHECK_EQ(vfork_flag, 2);
        CHECK(exited(reap_opt(pid, 0), 4));
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGCHLD, SIG_DFL);
    alarm(60);                      /* a hang fails rather than blocks */
    test_vm();
    test_files();
    test_fs();
    test_sighand();
    test_parent();
    test_exit_signal();
    test_vfork();
    return guest_done();
}
