/* proc_exec.c: execve and execveat. The program re-executes itself (its path
 * is argv[0] made absolute at start: /proc/self/exe is not used) in modes
 * chosen by PEMODE in the new environment (or argv[1] where the environment
 * is empty). Checked: argv and envp arrive exactly, empty strings and an
 * empty envp included; errors (ENOENT for a missing or empty path, ENOTDIR,
 * EACCES for a directory and a file without x bits, ENOEXEC for an
 * executable text or empty file, #! with a missing or empty interpreter);
 * #! scripts (argv = [interp, arg, script path, args after argv[0]...], the
 * argument with inner blanks kept as one, no argument, nesting to Linux's
 * limit and ELOOP past it); AT_EXECFN and the command name; execveat (dirfd
 * and a relative path, AT_EMPTY_PATH, a script by fd gives /dev/fd/N or
 * /dev/fd/N/name, ENOENT for a script by a close-on-exec fd,
 * AT_SYMLINK_NOFOLLOW, bad flags); close-on-exec descriptors closed, others
 * kept and usable; caught handlers reset, ignored ones kept, the blocked
 * mask and pending signals (queued siginfo too) kept, the alternate stack
 * gone, alarm kept; pid, ppid, cwd and umask kept; execve from a second
 * thread (same pid, one thread, tid == pid, that thread's mask); vfork +
 * execve (the parent resumes at the exec, before the child exits), vfork +
 * failed execve + _exit; E2BIG for a string over MAX_ARG_STRLEN (one byte
 * below passes) and for a total over a quarter of RLIMIT_STACK. Output is
 * deterministic: no pids, fds or addresses are printed. */
#include "guest_proc.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <sys/auxv.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

extern char **environ;
static char self[PATH_MAX];
static const char *mode;

/* ---- helpers ---- */

/* reap() with a deadline: a child still running after 30 s is killed. */
static int reap_deadline(pid_t pid)
{
    int status = -1;
    for (int i = 0; i < 3000; i++) {
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid)
            return status;
        if (r == -1 && errno != EINTR)
            return -1;
        usleep(10000);
    }
    printf("FAIL child still running after 30 s: killed\n");
    kill(pid, SIGKILL);
    return reap(pid);
}

static long sys_execveat(int dirfd, const char *path, char *const argv[],
                         char *const envp[], int flags)
{
    return syscall(SYS_execveat, dirfd, path, argv, envp, flags);
}

/* Runs an exec in a fresh child: EXEC(path...) with flags via execveat when
 * dirfd != AT_FDCWD or flags != 0. Checks the child's exit status. */
static void run_exec(const char *what, int dirfd, const char *path, char *const argv[],
                     char *const envp[], int flags, int want_status)
{
    printf("-- %s\n", what);
    pid_t pid = xfork();
    if (pid == 0) {
        if (dirfd == AT_FDCWD && !flags)
            execve(path, argv, envp);
        else
            sys_execveat(dirfd, path, argv, envp, flags);
        printf("FAIL %s: exec failed: %s\n", what, errname(errno));
        fflush(stdout);
        _exit(127);
    }
    int st = reap(pid);
    char buf[256];
    snprintf(buf, sizeof buf, "%s: child exit status %d", what, want_status);
    if (!(WIFEXITED(st) && WEXITSTATUS(st) == want_status))
        snprintf(buf, sizeof buf, "%s: child exit status %d (got raw status %#x)", what,
                 want_status, st);
    check_at(WIFEXITED(st) && WEXITSTATUS(st) == want_status, buf, __LINE__);
}

static void write_file(const char *name, const char *text, mode_t m)
{
    unlink(name);
    int fd = open(name, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)) {
        printf("FAIL cannot write %s\n", name);
        exit(2);
    }
    close(fd);
    chmod(name, m);
}

static void join_argv(char *out, size_t n, char **argv)
{
    size_t len = 0;
    out[0] = 0;
    for (int i = 0; argv[i]; i++)
        len += snprintf(out + len, len < n ? n - len : 0, "%s%s", i ? "|" : "", argv[i]);
}

static int child_done(void)
{
    fflush(stdout);
    return guest_failures ? 1 : 0;
}

/* ---- modes of the new image ---- */

static const char *const exact_argv[] = {"custom-argv0", "", "two words", "",
                                         "tab\there", "--x=y", "last", NULL};
static const char *const exact_envp[] = {"PEMODE=exact", "", "EMPTY=", "B=with space",
                                         "=novar", "A=1", "A=2", "NOEQUALS", NULL};

static int mode_exact(int argc, char **argv)
{
    int n = 0;
    while (exact_argv[n])
        n++;
    CHECK_EQ(argc, n);
    int same = argc == n;
    for (int i = 0; same && i < n; i++)
        same = strcmp(argv[i], exact_argv[i]) == 0;
    CHECK(same && argv[argc] == NULL);
    int m = 0, esame = 1;
    for (; environ[m]; m++)
        if (!exact_envp[m] || strcmp(environ[m], exact_envp[m]) != 0)
            esame = 0;
    CHECK(esame && exact_envp[m] == NULL);
    return child_done();
}

static int mode_noenv(int argc, char **argv)
{
    CHECK_EQ(argc, 3);
    CHECK(argc == 3 && strcmp(argv[1], "noenv") == 0 && strcmp(argv[2], "") == 0);
    CHECK(environ == NULL || environ[0] == NULL);
    CHECK(getenv("PATH") == NULL);
    return child_done();
}

/* EXPECT: argv joined by '|'; optional EXECFN (AT_EXECFN) and COMM. */
static int mode_argv(int argc, char **argv)
{
    const char *label = getenv("LABEL"), *want = getenv("EXPECT");
    char got[4096], buf[4200];
    join_argv(got, sizeof got, argv);
    int ok = want && strcmp(got, want) == 0;
    if (ok)
        snprintf(buf, sizeof buf, "%s: argv as expected", label);
    else
        snprintf(buf, sizeof buf, "%s: argv [%s], want [%s]", label, got, want ? want : "?");
    check_at(ok, buf, __LINE__);
    const char *execfn = getenv("EXECFN");
    if (execfn) {
        const char *fn = (const char *)getauxval(AT_EXECFN);
        ok = fn && strcmp(fn, execfn) == 0;
        snprintf(buf, sizeof buf, "%s: AT_EXECFN as expected", label);
        if (!ok)
            snprintf(buf, sizeof buf, "%s: AT_EXECFN [%s], want [%s]", label,
                     fn ? fn : "(null)", execfn);
        check_at(ok, buf, __LINE__);
    }
    const char *want_argc = getenv("ARGC");
    if (want_argc) {
        snprintf(buf, sizeof buf, "%s: argc %d, want %s", label, argc, want_argc);
        check_at(argc == atoi(want_argc), buf, __LINE__);
    }
    const char *comm = getenv("COMM");
    if (comm) {
        char name[17] = "";
        prctl(PR_GET_NAME, name, 0, 0, 0);
        ok = strcmp(name, comm) == 0;
        snprintf(buf, sizeof buf, "%s: comm [%s]", label, name);
        if (!ok)
            snprintf(buf, sizeof buf, "%s: comm [%s], want [%s]", label, name, comm);
        check_at(ok, buf, __LINE__);
    }
    return child_done();
}

/* argv: self, then "keep:NAME=FD" or "gone:NAME=FD"; PIPEW=fd to write to. */
static int mode_fds(int argc, char **argv)
{
    char buf[128];
    for (int i = 1; i < argc; i++) {
        char name[64];
        int fd = -1, keep = strncmp(argv[i], "keep:", 5) == 0;
        if (sscanf(argv[i] + 5, "%63[^=]=%d", name, &fd) != 2)
            continue;
        errno = 0;
        int r = fcntl(fd, F_GETFD);
        if (keep) {
            snprintf(buf, sizeof buf, "fd %s kept, FD_CLOEXEC clear", name);
            check_at(r == 0, buf, __LINE__);
        } else {
            snprintf(buf, sizeof buf, "fd %s closed (EBADF)", name);
            check_at(r == -1 && errno == EBADF, buf, __LINE__);
        }
    }
    const char *w = getenv("PIPEW");
    if (w) {
        int fd = atoi(w);
        CHECK_EQ(write(fd, "via kept fd", 11), 11);
    }
    return child_done();
}

static volatile sig_atomic_t got_usr1;
static void on_usr1(int sig)
{
    (void)sig;
    got_usr1 = 1;
}

static int disposition(int sig)
{
    struct sigaction sa;
    sigaction(sig, NULL, &sa);
    return sa.sa_handler == SIG_DFL ? 0 : sa.sa_handler == SIG_IGN ? 1 : 2;
}

static int mode_sig(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    CHECK_EQ(disposition(SIGUSR1), 0);   /* caught -> SIG_DFL */
    CHECK_EQ(disposition(SIGHUP), 0);    /* caught, blocked, pending -> SIG_DFL */
    CHECK_EQ(disposition(SIGUSR2), 1);   /* ignored stays ignored */
    CHECK_EQ(disposition(SIGCHLD), 1);
    CHECK_EQ(disposition(SIGTERM), 0);   /* default stays default */
    sigset_t cur, pend;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    CHECK(sigismember(&cur, SIGHUP));
    CHECK(sigismember(&cur, SIGWINCH));
    CHECK(sigismember(&cur, SIGRTMIN));
    CHECK(!sigismember(&cur, SIGUSR1));
    sigpending(&pend);
    CHECK(sigismember(&pend, SIGHUP));
    CHECK(sigismember(&pend, SIGRTMIN));
    CHECK(!sigismember(&pend, SIGWINCH));
    CHECK(!sigismember(&pend, SIGUSR1));
    /* The queued realtime signals keep their values and order. */
    struct timespec zero = {0, 0};
    siginfo_t si;
    sigset_t rt;
    sigemptyset(&rt);
    sigaddset(&rt, SIGRTMIN);
    memset(&si, 0, sizeof si);
    CHECK_EQ(sigtimedwait(&rt, &si, &zero), SIGRTMIN);
    CHECK_EQ(si.si_code, SI_QUEUE);
    CHECK_EQ(si.si_value.sival_int, 7);
    CHECK(si.si_pid == getpid());
    CHECK_EQ(sigtimedwait(&rt, &si, &zero), SIGRTMIN);
    CHECK_EQ(si.si_value.sival_int, 8);
    CHECK_ERR(sigtimedwait(&rt, &si, &zero), EAGAIN);
    stack_t ss;
    CHECK_EQ(sigaltstack(NULL, &ss), 0);
    CHECK(ss.ss_flags == SS_DISABLE);
    unsigned left = alarm(0);
    CHECK(left > 50 && left <= 100);
    /* Take the pending SIGHUP with a new handler. */
    signal(SIGHUP, on_usr1);
    sigprocmask(SIG_UNBLOCK, &cur, NULL);
    CHECK(got_usr1 == 1);
    return child_done();
}

/* argv: self, "pid", pid, ppid */
static int mode_pid(int argc, char **argv)
{
    CHECK_EQ(argc, 4);
    if (argc < 4)
        return child_done();
    CHECK(getpid() == atoi(argv[2]));
    CHECK(getppid() == atoi(argv[3]));
    char cwd[PATH_MAX];
    CHECK(getcwd(cwd, sizeof cwd) && strcmp(strrchr(cwd, '/'), "/cwdtest") == 0);
    mode_t old = umask(0);
    CHECK_EQ(old, 027);
    struct rlimit rl;
    CHECK(getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur == 200);
    return child_done();
}

static int count_tasks(void)
{
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return -1;
    int n = 0;
    struct dirent *de;
    while ((de = readdir(d)))
        if (de->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

/* argv: self, "thread", pid, tid of the thread that called execve */
static int mode_thread(int argc, char **argv)
{
    CHECK_EQ(argc, 4);
    if (argc < 4)
        return child_done();
    CHECK(getpid() == atoi(argv[2]));
    CHECK(atoi(argv[3]) != atoi(argv[2]));         /* it came from a second thread */
    CHECK(syscall(SYS_gettid) == getpid());
    CHECK_EQ(count_tasks(), 1);
    sigset_t cur;
    sigprocmask(SIG_BLOCK, NULL, &cur);
    CHECK(sigismember(&cur, SIGUSR2));              /* the exec'ing thread's mask */
    CHECK(!sigismember(&cur, SIGWINCH));            /* not the main thread's */
    /* A thread can still be made in the new image. */
    return child_done();
}

/* argv: self, "vforkwait", fd: read one byte, exit with it */
static int mode_vforkwait(int argc, char **argv)
{
    if (argc < 3)
        return 100;
    unsigned char c = 0;
    alarm(20);
    if (read(atoi(argv[2]), &c, 1) != 1)
        return 101;
    return c;
}

/* argv: self, "big", count, len: count strings of len bytes follow */
static int mode_big(int argc, char **argv)
{
    int count = atoi(argv[2]), len = atoi(argv[3]);
    CHECK_EQ(argc, 4 + count);
    int ok = argc == 4 + count;
    for (int i = 4; ok && i < argc; i++)
        ok = strlen(argv[i]) == (size_t)len && argv[i][0] == 'a' && argv[i][len - 1] == 'a';
    CHECK(ok);
    return child_done();
}

/* ---- the tests, in the original image ---- */

static void test_exact(void)
{
    run_exec("exact argv and envp", AT_FDCWD, self, (char **)exact_argv, (char **)exact_envp, 0, 0);
    char *argv[] = {self, "noenv", "", NULL}, *envp[] = {NULL};
    run_exec("empty envp", AT_FDCWD, self, argv, envp, 0, 0);
}

/* An exec that must fail, in this process. */
#define EXEC_FAILS(path, want)                                                    \
    do {                                                                          \
        char *a_[] = {self, "unexpected", NULL}, *e_[] = {"PEMODE=unexpected", NULL}; \
        CHECK_ERR(execve(path, a_, e_), want);                                    \
    } while (0)

static void test_errors(void)
{
    printf("-- errors\n");
    write_file("plain.txt", "just text\n", 0644);
    write_file("text.sh", "echo no interpreter line\n", 0755);
    write_file("empty.sh", "", 0755);
    write_file("nointerp.sh", "#!/no/such/interpreter\n", 0755);
    write_file("blank.sh", "#!\n", 0755);
    write_file("blank2.sh", "#!   \t \n", 0755);
    write_file("dirinterp.sh", "#!/\n", 0755);
    EXEC_FAILS("./no-such-program", ENOENT);
    EXEC_FAILS("", ENOENT);
    EXEC_FAILS("./plain.txt/x", ENOTDIR);
    EXEC_FAILS(".", EACCES);
    EXEC_FAILS("/", EACCES);
    EXEC_FAILS("./plain.txt", EACCES);
    EXEC_FAILS("./text.sh", ENOEXEC);
    EXEC_FAILS("./empty.sh", ENOEXEC);
    EXEC_FAILS("./nointerp.sh", ENOENT);
    EXEC_FAILS("./blank.sh", ENOEXEC);
    EXEC_FAILS("./blank2.sh", ENOEXEC);
    EXEC_FAILS("./dirinterp.sh", EACCES);
    char *a[] = {self, NULL};
    CHECK_ERR(syscall(SYS_execve, self, a, 1), EFAULT);
    CHECK_ERR(syscall(SYS_execve, self, 1, a), EFAULT);
    CHECK_ERR(syscall(SYS_execve, 1, a, a), EFAULT);
}

static char expect_env[4200], execfn_env[PATH_MAX + 16], comm_env[64], label_env[128],
    argc_env[32];

/* Runs an exec whose new image (mode argv) checks its argv against EXPECT,
 * and AT_EXECFN, the command name and argc where given (NULL, -1: not). */
static void run_argv(const char *label, int dirfd, const char *path, char *const argv[],
                     const char *expect, const char *execfn, const char *comm, int argc,
                     int flags)
{
    char *envp[8];
    int n = 0;
    envp[n++] = "PEMODE=argv";
    snprintf(label_env, sizeof label_env, "LABEL=%s", label);
    envp[n++] = label_env;
    /* "<self>" in EXPECT stands for the program's path */
    size_t len = snprintf(expect_env, sizeof expect_env, "EXPECT=");
    for (const char *p = expect; *p && len < sizeof expect_env - 1;) {
        if (strncmp(p, "<self>", 6) == 0) {
            len += snprintf(expect_env + len, sizeof expect_env - len, "%s", self);
            p += 6;
        } else {
            expect_env[len++] = *p++;
            expect_env[len] = 0;
        }
    }
    envp[n++] = expect_env;
    if (execfn) {
        snprintf(execfn_env, sizeof execfn_env, "EXECFN=%s", execfn);
        envp[n++] = execfn_env;
    }
    if (comm) {
        snprintf(comm_env, sizeof comm_env, "COMM=%s", comm);
        envp[n++] = comm_env;
    }
    if (argc >= 0) {
        snprintf(argc_env, sizeof argc_env, "ARGC=%d", argc);
        envp[n++] = argc_env;
    }
    envp[n] = NULL;
    run_exec(label, dirfd, path, argv, envp, flags, 0);
}

static void test_scripts(void)
{
    char text[PATH_MAX + 64];
    const char *base = strrchr(self, '/') + 1;
    char comm[16];
    snprintf(comm, sizeof comm, "%s", base);

    {   /* the program itself */
        char *argv[] = {"zeroth", "a", "", "c", NULL};
        run_argv("direct", AT_FDCWD, self, argv, "zeroth|a||c", self, comm, 4, 0);
        char *none[] = {NULL};   /* Linux gives an empty argv one "" */
        run_argv("direct, empty argv", AT_FDCWD, self, none, "", self, NULL, 1, 0);
    }
    snprintf(text, sizeof text, "#!%s\nignored\n", self);
    write_file("s0.sh", text, 0755);
    snprintf(text, sizeof text, "#!  %s \t iarg  with\tblanks \t \nignored\n", self);
    write_file("s1.sh", text, 0755);
    snprintf(text, sizeof text, "#!%s nest\n", self);
    write_file("n1.sh", text, 0755);
    /* n2..n7: each interpreted by the one before, n3 onwards with an arg */
    write_file("n2.sh", "#!./n1.sh\n", 0755);
    write_file("n3.sh", "#!./n2.sh a3\n", 0755);
    write_file("n4.sh", "#!./n3.sh a4\n", 0755);
    write_file("n5.sh", "#!./n4.sh a5\n", 0755);
    write_file("n6.sh", "#!./n5.sh a6\n", 0755);
    write_file("n7.sh", "#!./n6.sh a7\n", 0755);
    {
        char *argv[] = {"zeroth", "x1", "", "x3", NULL};
        run_argv("#! without argument", AT_FDCWD, "./s0.sh", argv, "<self>|./s0.sh|x1||x3",
                 "./s0.sh", "s0.sh", 5, 0);
        run_argv("#! with an argument", AT_FDCWD, "./s1.sh", argv,
                 "<self>|iarg  with\tblanks|./s1.sh|x1||x3", "./s1.sh", "s1.sh", 6, 0);
    }
    {
        char *argv[] = {"zeroth", "only", NULL};
        run_argv("#! nested once", AT_FDCWD, "./n2.sh", argv,
                 "<self>|nest|./n1.sh|./n2.sh|only", "./n2.sh", "n2.sh", -1, 0);
        run_argv("#! nested, 3 scripts", AT_FDCWD, "n4.sh", argv,
                 "<self>|nest|./n1.sh|./n2.sh|a3|./n3.sh|a4|n4.sh|only", "n4.sh", "n4.sh", -1, 0);
        run_argv("#! nested, 5 scripts", AT_FDCWD, "./n5.sh", argv,
                 "<self>|nest|./n1.sh|./n2.sh|a3|./n3.sh|a4|./n4.sh|a5|./n5.sh|only", NULL,
                 NULL, -1, 0);
        printf("-- #! nested too deep\n");
        EXEC_FAILS("./n6.sh", ELOOP);
        EXEC_FAILS("./n7.sh", ELOOP);
    }
    {   /* an empty argv: the script path still follows the interpreter */
        char *argv[] = {NULL};
        run_argv("#! with empty argv", AT_FDCWD, "./s0.sh", argv, "<self>|./s0.sh", NULL, NULL,
                 2, 0);
    }
}

static void test_execveat(void)
{
    char expect[512], execfn[64], dirname[PATH_MAX];
    snprintf(dirname, sizeof dirname, "%s", self);
    *strrchr(dirname, '/') = 0;
    const char *base = strrchr(self, '/') + 1;
    int selfdir = open(dirname[0] ? dirname : "/", O_RDONLY | O_DIRECTORY);
    int dir = open(".", O_RDONLY | O_DIRECTORY);
    int sfd = open("s1.sh", O_RDONLY);
    int cfd = open("s1.sh", O_RDONLY | O_CLOEXEC);
    int self_fd = open(self, O_RDONLY | O_CLOEXEC);
    unlink("link.sh");
    symlink("s0.sh", "link.sh");
    char *argv[] = {"zeroth", "y", NULL};

    snprintf(execfn, sizeof execfn, "/dev/fd/%d/%s", selfdir, base);
    run_argv("execveat dirfd + relative path", selfdir, base, argv, "zeroth|y", execfn, NULL, 2, 0);
    snprintf(expect, sizeof expect, "<self>|/dev/fd/%d/s0.sh|y", dir);
    snprintf(execfn, sizeof execfn, "/dev/fd/%d/s0.sh", dir);
    run_argv("execveat dirfd + relative script", dir, "s0.sh", argv, expect, execfn, "s0.sh",
             -1, 0);
    snprintf(expect, sizeof expect, "<self>|iarg  with\tblanks|/dev/fd/%d|y", sfd);
    snprintf(execfn, sizeof execfn, "/dev/fd/%d", sfd);
    run_argv("execveat AT_EMPTY_PATH script fd", sfd, "", argv, expect, execfn, NULL, -1,
             AT_EMPTY_PATH);
    snprintf(execfn, sizeof execfn, "/dev/fd/%d", self_fd);
    run_argv("execveat AT_EMPTY_PATH self (close-on-exec fd)", self_fd, "", argv, "zeroth|y",
             execfn, NULL, -1, AT_EMPTY_PATH);
    run_argv("execveat absolute path ignores dirfd", 12345, self, argv, "zeroth|y", self, NULL,
             -1, 0);
    run_argv("script by symlink", AT_FDCWD, "link.sh", argv, "<self>|link.sh|y", "link.sh",
             "link.sh", -1, 0);

    printf("-- execveat errors\n");
    char *a[] = {self, "unexpected", NULL}, *e[] = {"PEMODE=unexpected", NULL};
    CHECK_ERR(sys_execveat(cfd, "", a, e, AT_EMPTY_PATH), ENOENT);
    CHECK_ERR(sys_execveat(AT_FDCWD, "link.sh", a, e, AT_SYMLINK_NOFOLLOW), ELOOP);
    CHECK_ERR(sys_execveat(sfd, "", a, e, 0), ENOENT);
    CHECK_ERR(sys_execveat(AT_FDCWD, self, a, e, 0x4), EINVAL);
    CHECK_ERR(sys_execveat(9999, "s0.sh", a, e, 0), EBADF);
    CHECK_ERR(sys_execveat(sfd, "s0.sh", a, e, 0), ENOTDIR);
    close(selfdir);
    close(dir);
    close(sfd);
    close(cfd);
    close(self_fd);
}

static void test_fds(void)
{
    int plain = open("/dev/null", O_RDONLY);
    int ocloexec = open("/dev/null", O_RDONLY | O_CLOEXEC);
    int setfd = open("/dev/null", O_RDONLY);
    fcntl(setfd, F_SETFD, FD_CLOEXEC);
    int cleared = open("/dev/null", O_RDONLY | O_CLOEXEC);
    fcntl(cleared, F_SETFD, 0);
    int dupcl = fcntl(plain, F_DUPFD_CLOEXEC, 20);
    int dup3cl = dup3(plain, 40, O_CLOEXEC);
    int dupped = dup(ocloexec);                 /* dup clears the flag */
    int p[2], q[2];
    pipe2(p, O_CLOEXEC);                        /* both ends close-on-exec */
    pipe(q);
    fcntl(q[0], F_SETFD, FD_CLOEXEC);           /* the read end closes, the write end stays */
    char args[12][48], env[32];
    snprintf(args[0], 48, "keep:plain=%d", plain);
    snprintf(args[1], 48, "gone:O_CLOEXEC=%d", ocloexec);
    snprintf(args[2], 48, "gone:F_SETFD=%d", setfd);
    snprintf(args[3], 48, "keep:F_SETFD-cleared=%d", cleared);
    snprintf(args[4], 48, "gone:F_DUPFD_CLOEXEC=%d", dupcl);
    snprintf(args[5], 48, "gone:dup3-O_CLOEXEC=%d", dup3cl);
    snprintf(args[6], 48, "keep:dup-of-cloexec=%d", dupped);
    snprintf(args[7], 48, "gone:pipe2-read=%d", p[0]);
    snprintf(args[8], 48, "gone:pipe2-write=%d", p[1]);
    snprintf(args[9], 48, "gone:pipe-read-cloexec=%d", q[0]);
    snprintf(args[10], 48, "keep:pipe-write=%d", q[1]);
    snprintf(args[11], 48, "keep:stdout=%d", 1);
    snprintf(env, sizeof env, "PIPEW=%d", q[1]);
    char *argv[] = {self, args[0], args[1], args[2], args[3], args[4], args[5], args[6],
                    args[7], args[8], args[9], args[10], args[11], NULL};
    char *envp[] = {"PEMODE=fds", env, NULL};
    run_exec("close-on-exec", AT_FDCWD, self, argv, envp, 0, 0);
    close(q[1]);
    char buf[32] = "";
    CHECK_EQ(read(q[0], buf, sizeof buf), 11);
    CHECK(memcmp(buf, "via kept fd", 11) == 0);
    CHECK_EQ(read(q[0], buf, sizeof buf), 0);   /* every write end is gone */
    /* Our own descriptors are untouched by the child's exec. */
    CHECK_EQ(fcntl(ocloexec, F_GETFD), FD_CLOEXEC);
    CHECK_EQ(fcntl(plain, F_GETFD), 0);
    int fds[] = {plain, ocloexec, setfd, cleared, dupcl, dup3cl, dupped, p[0], p[1], q[0]};
    for (size_t i = 0; i < sizeof fds / sizeof fds[0]; i++)
        close(fds[i]);
}

static void test_signals(void)
{
    printf("-- signals across execve\n");
    pid_t pid = xfork();
    if (pid == 0) {
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = on_usr1;
        sigaction(SIGUSR1, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        signal(SIGUSR2, SIG_IGN);
        signal(SIGCHLD, SIG_IGN);
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGHUP);
        sigaddset(&set, SIGWINCH);
        sigaddset(&set, SIGRTMIN);
        sigprocmask(SIG_BLOCK, &set, NULL);
        raise(SIGHUP);
        union sigval v;
        v.sival_int = 7;
        sigqueue(getpid(), SIGRTMIN, v);
        v.sival_int = 8;
        sigqueue(getpid(), SIGRTMIN, v);
        static char altstack[65536];
        stack_t ss = {.ss_sp = altstack, .ss_size = sizeof altstack, .ss_flags = 0};
        sigaltstack(&ss, NULL);
        alarm(100);
        char *argv[] = {self, NULL}, *envp[] = {"PEMODE=sig", NULL};
        execve(self, argv, envp);
        printf("FAIL execve: %s\n", errname(errno));
        fflush(stdout);
        _exit(127);
    }
    int st = reap(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_pid(void)
{
    printf("-- pid, ppid, cwd, umask, rlimits across execve\n");
    mkdir("cwdtest", 0755);
    pid_t pid = xfork();
    if (pid == 0) {
        char a2[32], a3[32];
        snprintf(a2, sizeof a2, "%d", (int)getpid());
        snprintf(a3, sizeof a3, "%d", (int)getppid());
        if (chdir("cwdtest") != 0)
            _exit(126);
        umask(027);
        struct rlimit rl;
        getrlimit(RLIMIT_NOFILE, &rl);
        rl.rlim_cur = 200;
        setrlimit(RLIMIT_NOFILE, &rl);
        char *argv[] = {self, "pid", a2, a3, NULL}, *envp[] = {"PEMODE=pid", NULL};
        execve(self, argv, envp);
        _exit(127);
    }
    int st = reap(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void *exec_thread(void *arg)
{
    (void)arg;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR2);
    sigprocmask(SIG_SETMASK, &set, NULL);
    char a2[32], a3[32];
    snprintf(a2, sizeof a2, "%d", (int)getpid());
    snprintf(a3, sizeof a3, "%ld", (long)syscall(SYS_gettid));
    char *argv[] = {self, "thread", a2, a3, NULL}, *envp[] = {"PEMODE=thread", NULL};
    execve(self, argv, envp);
    printf("FAIL execve from a thread: %s\n", errname(errno));
    fflush(stdout);
    _exit(127);
}

static void *sleeper(void *arg)
{
    (void)arg;
    for (;;)
        pause();
    return NULL;
}

static void test_thread(void)
{
    printf("-- execve from a second thread\n");
    pid_t pid = xfork();
    if (pid == 0) {
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, SIGWINCH);
        sigprocmask(SIG_SETMASK, &set, NULL);
        pthread_t t1, t2;
        pthread_create(&t1, NULL, sleeper, NULL);   /* a third thread, blocked */
        pthread_create(&t2, NULL, exec_thread, NULL);
        int p[2];
        pipe(p);
        char c;
        for (;;)
            read(p[0], &c, 1);                      /* main blocks in a read */
    }
    int st = reap_deadline(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0);
}

static void test_vfork(void)
{
    printf("-- vfork + execve\n");
    int p[2];
    pipe(p);
    fcntl(p[1], F_SETFD, FD_CLOEXEC);
    char fdarg[16];
    snprintf(fdarg, sizeof fdarg, "%d", p[0]);
    char *argv[] = {self, "vforkwait", fdarg, NULL}, *envp[] = {"PEMODE=vforkwait", NULL};
    static volatile int shared;
    fflush(stdout);
    alarm(30);    /* if the parent only resumed at the child's exit */
    pid_t pid = vfork();
    if (pid == 0) {
        shared = 1;
        execve(self, argv, envp);
        _exit(127);
    }
    CHECK(pid > 0);
    CHECK(shared == 1);                         /* memory was shared until the exec */
    CHECK_EQ(write(p[1], "\x2a", 1), 1);        /* the child waits for this */
    int st = reap(pid);
    alarm(0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 42);
    close(p[0]);
    close(p[1]);

    static volatile int child_errno;
    fflush(stdout);
    pid = vfork();
    if (pid == 0) {
        char *a[] = {"x", NULL};
        execve("./no-such-program", a, a);
        child_errno = errno;
        _exit(3);
    }
    st = reap(pid);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
    CHECK(child_errno == ENOENT);
}

static void test_e2big(void)
{
    printf("-- E2BIG\n");
    /* Linux's limit: a quarter of RLIMIT_STACK (8 MiB here: 2 MiB). */
    struct rlimit rl;
    getrlimit(RLIMIT_STACK, &rl);
    rl.rlim_cur = 8 << 20;
    if (rl.rlim_max != RLIM_INFINITY && rl.rlim_max < rl.rlim_cur)
        rl.rlim_cur = rl.rlim_max;
    CHECK_EQ(setrlimit(RLIMIT_STACK, &rl), 0);

    size_t big = 300 << 10;
    char *s = malloc(big + 1);
    memset(s, 'a', big);
    s[big] = 0;
    char *argv[110], *envp[4], cnt[16], len[16];

    /* One string of 200 KiB, over MAX_ARG_STRLEN (32 pages with its NUL). */
    s[200 << 10] = 0;
    argv[0] = self; argv[1] = s; argv[2] = NULL;
    envp[0] = "PEMODE=unexpected"; envp[1] = NULL;
    CHECK_ERR(execve(self, argv, envp), E2BIG);
    /* 131072 bytes with the NUL: the most one string may have. */
    s[200 << 10] = 'a';
    s[131072] = 0;
    CHECK_ERR(execve(self, argv, envp), E2BIG);
    s[131072] = 'a';
    s[131071] = 0;
    argv[0] = self; argv[1] = "big"; argv[2] = "1"; argv[3] = "131071"; argv[4] = s; argv[5] = NULL;
    envp[0] = "PEMODE=big";
    run_exec("one string of 131071 bytes", AT_FDCWD, self, argv, envp, 0, 0);
    /* The same string in the environment. */
    s[131071] = 'a';
    s[131072] = 0;
    argv[0] = self; argv[1] = NULL;
    envp[0] = "PEMODE=unexpected"; envp[1] = s; envp[2] = NULL;
    CHECK_ERR(execve(self, argv, envp), E2BIG);
    s[131072] = 'a';

    /* Totals: 10 x 100 KiB pass, 24 x 100 KiB (2.4 MiB) and 100 x 100 KiB do not. */
    s[100 << 10] = 0;
    snprintf(len, sizeof len, "%d", 100 << 10);
    argv[0] = self; argv[1] = "big"; argv[3] = len;
    snprintf(cnt, sizeof cnt, "%d", 10);
    argv[2] = cnt;
    for (int i = 0; i < 10; i++)
        argv[4 + i] = s;
    argv[14] = NULL;
    envp[0] = "PEMODE=big"; envp[1] = NULL;
    run_exec("10 strings of 100 KiB", AT_FDCWD, self, argv, envp, 0, 0);
    envp[0] = "PEMODE=unexpected";
    for (int i = 0; i < 24; i++)
        argv[4 + i] = s;
    argv[28] = NULL;
    CHECK_ERR(execve(self, argv, envp), E2BIG);
    for (int i = 0; i < 100; i++)
        argv[4 + i] = s;
    argv[104] = NULL;
    CHECK_ERR(execve(self, argv, envp), E2BIG);
    /* The same total in the environment. */
    argv[0] = self; argv[1] = NULL;
    for (int i = 0; i < 100; i++)
        argv[4 + i] = s;
    CHECK_ERR(execve(self, argv, argv + 4), E2BIG);
    free(s);
}

int main(int argc, char **argv)
{
    mode = getenv("PEMODE");
    if (!mode && argc > 1)
        mode = argv[1];
    if (mode) {
        if (strcmp(mode, "exact") == 0)
            return mode_exact(argc, argv);
        if (strcmp(mode, "noenv") == 0)
            return mode_noenv(argc, argv);
        if (strcmp(mode, "argv") == 0)
            return mode_argv(argc, argv);
        if (strcmp(mode, "fds") == 0)
            return mode_fds(argc, argv);
        if (strcmp(mode, "sig") == 0)
            return mode_sig(argc, argv);
        if (strcmp(mode, "pid") == 0)
            return mode_pid(argc, argv);
        if (strcmp(mode, "thread") == 0)
            return mode_thread(argc, argv);
        if (strcmp(mode, "vforkwait") == 0)
            return mode_vforkwait(argc, argv);
        if (strcmp(mode, "big") == 0)
            return mode_big(argc, argv);
        printf("FAIL unexpected image: mode %s\n", mode);
        return 99;
    }
    setvbuf(stdout, NULL, _IOFBF, 1 << 16);
    if (!argv[0] || !realpath(argv[0], self)) {
        printf("FAIL realpath(argv[0])\n");
        return 2;
    }
    test_exact();
    test_errors();
    test_scripts();
    test_execveat();
    test_fds();
    test_signals();
    test_pid();
    test_thread();
    test_vfork();
    test_e2big();
    return guest_done();
}
