/* proc_procfs.c: /proc/PID of another process. A parent forks a child that
 * blocks reading a pipe; the parent reads /proc/CHILD/stat (pid, comm, state
 * S, ppid, pgrp, session, threads; T while the child is stopped), status
 * (Name, State, Tgid, Pid, PPid, Threads), cmdline (the argv it inherited:
 * the parent's own /proc/self/cmdline), comm, task/ and task/TID/stat, and
 * finds both pids in the /proc listing. Once the child has exited and before
 * it is reaped: stat state Z with its exit status, status State Z, cmdline
 * empty, still listed. After waitpid: /proc/CHILD/... is ENOENT and the
 * listing has no CHILD. The child itself reads /proc/PARENT/stat and
 * cmdline. /proc/self/stat has Linux's 52 fields. Pids are never printed. */
#include "guest.h"
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <time.h>
#include <sys/wait.h>

/* The whole file at path into buf (NUL-terminated); its length or -1. */
static long slurp(const char *path, char *buf, size_t size)
{
    int fd = open(path, O_RDONLY);
    size_t got = 0;
    long n;

    if (fd < 0)
        return -1;
    while (got + 1 < size && (n = read(fd, buf + got, size - 1 - got)) > 0)
        got += n;
    close(fd);
    buf[got] = 0;
    return (long)got;
}

static long slurp_pid(int pid, const char *leaf, char *buf, size_t size)
{
    char path[64];

    snprintf(path, sizeof path, "/proc/%d/%s", pid, leaf);
    return slurp(path, buf, size);
}

static int open_pid(int pid, const char *leaf)
{
    char path[64];
    int fd;

    snprintf(path, sizeof path, "/proc/%d/%s", pid, leaf);
    fd = open(path, O_RDONLY);
    if (fd >= 0)
        close(fd);
    return fd < 0 ? -1 : 0;
}

/* The fields of a stat line: f[0] pid, f[1] comm, f[2] state, ...; how many. */
struct stat_line {
    char text[1024];
    char comm[64];
    char *f[64];
    int n;
};

static int parse_stat(int pid, struct stat_line *s)
{
    char *open_paren, *close_paren, *p;

    s->n = 0;
    if (slurp_pid(pid, "stat", s->text, sizeof s->text) <= 0)
        return -1;
    open_paren = strchr(s->text, '(');
    close_paren = strrchr(s->text, ')');
    if (!open_paren || !close_paren || close_paren < open_paren)
        return -1;
    snprintf(s->comm, sizeof s->comm, "%.*s", (int)(close_paren - open_paren - 1), open_paren + 1);
    s->f[s->n++] = s->text;
    s->f[s->n++] = s->comm;
    open_paren[-1] = 0;
    for (p = strtok(close_paren + 1, " \n"); p && s->n < 64; p = strtok(NULL, " \n"))
        s->f[s->n++] = p;
    return 0;
}

static long field(const struct stat_line *s, int i)
{
    return i < s->n ? atol(s->f[i]) : -12345;
}

static char state_of(int pid)
{
    struct stat_line s;

    return parse_stat(pid, &s) || s.n < 3 ? '?' : s.f[2][0];
}

/* Polls until pid's state is want (up to 5 s): a child gets to its read in its own time. */
static char wait_state(int pid, char want)
{
    struct timespec ms = { 0, 1000000 };
    char st = '?';

    for (int i = 0; i < 5000 && (st = state_of(pid)) != want; i++)
        nanosleep(&ms, NULL);
    return st;
}

/* The value of "Key:\t..." in a status text, or "" (a static buffer). */
static const char *status_value(const char *text, const char *key)
{
    static char val[128];
    size_t klen = strlen(key);
    const char *p = text;

    val[0] = 0;
    while (p && *p) {
        if (!strncmp(p, key, klen) && p[klen] == ':' && p[klen + 1] == '\t') {
            const char *end = strchr(p, '\n');
            snprintf(val, sizeof val, "%.*s", (int)((end ? end : p + strlen(p)) - p - klen - 2),
                     p + klen + 2);
            break;
        }
        p = strchr(p, '\n');
        if (p)
            p++;
    }
    return val;
}

static long status_num(const char *text, const char *key)
{
    const char *v = status_value(text, key);

    return *v ? atol(v) : -12345;
}

/* Whether the /proc listing has an entry for pid. */
static int listed(int pid)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    char name[16];
    int found = 0;

    if (!d)
        return -1;
    snprintf(name, sizeof name, "%d", pid);
    while ((de = readdir(d)))
        if (!strcmp(de->d_name, name))
            found = de->d_type == DT_DIR ? 1 : 2;
    closedir(d);
    return found;
}

static int listed_name(const char *name)
{
    DIR *d = opendir("/proc");
    struct dirent *de;
    int found = 0;

    if (!d)
        return -1;
    while ((de = readdir(d)))
        found |= !strcmp(de->d_name, name);
    closedir(d);
    return found;
}

static char own_cmdline[8192], own_comm[64];
static long own_cmdline_len;

/* The child: checks its parent's entries, says it is ready, then blocks reading. */
static void child(int ready_fd, int go_fd)
{
    struct stat_line s;
    char buf[8192];
    int ppid = getppid();

    printf("== child reads /proc/PARENT\n");
    CHECK_EQ(parse_stat(ppid, &s), 0);
    CHECK(field(&s, 0) == ppid);
    CHECK(!strcmp(s.comm, own_comm));
    CHECK(field(&s, 4) == getpgrp());
    CHECK(field(&s, 5) == getsid(0));
    CHECK_EQ(s.n, 52);
    CHECK_EQ(slurp_pid(ppid, "cmdline", buf, sizeof buf), own_cmdline_len);
    CHECK(!memcmp(buf, own_cmdline, own_cmdline_len));
    CHECK_EQ(slurp_pid(ppid, "status", buf, sizeof buf) > 0, 1);
    CHECK(status_num(buf, "Pid") == ppid);
    fflush(stdout);
    if (write(ready_fd, "r", 1) != 1)
        _exit(99);
    if (read(go_fd, buf, 1) != 1)
        _exit(98);
    _exit(7);
}

static void check_live_child(int pid)
{
    struct stat_line s;
    char buf[8192], path[64];
    DIR *d;
    struct dirent *de;
    int n = 0, self = 0;

    printf("== /proc/CHILD/stat of a child blocked in read\n");
    CHECK_EQ(wait_state(pid, 'S'), 'S');
    CHECK_EQ(parse_stat(pid, &s), 0);
    CHECK_EQ(s.n, 52);
    CHECK(field(&s, 0) == pid);
    CHECK(!strcmp(s.comm, own_comm));
    CHECK(field(&s, 3) == getpid());  /* ppid */
    CHECK(field(&s, 4) == getpgrp()); /* pgrp */
    CHECK(field(&s, 5) == getsid(0)); /* session */
    CHECK_EQ(field(&s, 19), 1);        /* num_threads */
    CHECK_EQ(field(&s, 37), SIGCHLD);  /* exit_signal */
    CHECK_EQ(field(&s, 51), 0);        /* exit_code */

    printf("== /proc/CHILD/status\n");
    CHECK_EQ(slurp_pid(pid, "status", buf, sizeof buf) > 0, 1);
    CHECK(!strcmp(status_value(buf, "Name"), own_comm));
    CHECK(!strcmp(status_value(buf, "State"), "S (sleeping)"));
    CHECK(status_num(buf, "Tgid") == pid);
    CHECK(status_num(buf, "Pid") == pid);
    CHECK(status_num(buf, "PPid") == getpid());
    CHECK_EQ(status_num(buf, "Threads"), 1);
    CHECK(strncmp(buf, "Name:\t", 6) == 0);

    printf("== /proc/CHILD/cmdline and comm\n");
    CHECK_EQ(slurp_pid(pid, "cmdline", buf, sizeof buf), own_cmdline_len);
    CHECK(!memcmp(buf, own_cmdline, own_cmdline_len));
    CHECK_EQ(slurp_pid(pid, "comm", buf, sizeof buf), (long)strlen(own_comm) + 1);
    buf[strcspn(buf, "\n")] = 0;
    CHECK(!strcmp(buf, own_comm));

    printf("== /proc/CHILD/task\n");
    snprintf(path, sizeof path, "/proc/%d/task", pid);
    d = opendir(path);
    CHECK(d != NULL);
    while (d && (de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        n++;
        self += atoi(de->d_name) == pid;
    }
    if (d)
        closedir(d);
    CHECK_EQ(n, 1);
    CHECK_EQ(self, 1);
    snprintf(path, sizeof path, "task/%d/stat", pid);
    CHECK_EQ(slurp_pid(pid, path, buf, sizeof buf) > 0, 1);
    CHECK(atol(buf) == pid);
    CHECK_EQ(open_pid(pid, "task/1/stat"), -1);

    printf("== the /proc listing\n");
    CHECK_EQ(listed(getpid()), 1);
    CHECK_EQ(listed(pid), 1);
    CHECK_EQ(listed_name("self"), 1);
    CHECK_EQ(listed_name("."), 1);

    printf("== a stopped child is T\n");
    CHECK_EQ(kill(pid, SIGSTOP), 0);
    CHECK_EQ(wait_state(pid, 'T'), 'T');
    CHECK_EQ(slurp_pid(pid, "status", buf, sizeof buf) > 0, 1);
    CHECK(!strcmp(status_value(buf, "State"), "T (stopped)"));
    CHECK_EQ(kill(pid, SIGCONT), 0);
    CHECK_EQ(wait_state(pid, 'S'), 'S');
}

static void check_zombie(int pid)
{
    struct stat_line s;
    char buf[8192];
    siginfo_t si;

    printf("== a zombie: before it is reaped\n");
    memset(&si, 0, sizeof si);
    CHECK_EQ(waitid(P_PID, pid, &si, WEXITED | WNOWAIT), 0);
    CHECK_EQ(si.si_status, 7);
    CHECK_EQ(parse_stat(pid, &s), 0);
    CHECK_EQ(s.n, 52);
    CHECK_EQ(s.f[2][0], 'Z');
    CHECK(field(&s, 0) == pid);
    CHECK(!strcmp(s.comm, own_comm));
    CHECK(field(&s, 3) == getpid());
    CHECK(field(&s, 4) == getpgrp());
    CHECK_EQ(field(&s, 19), 1);
    CHECK_EQ(field(&s, 51), 7 << 8); /* exit_code: the wait status */
    CHECK_EQ(slurp_pid(pid, "status", buf, sizeof buf) > 0, 1);
    CHECK(!strcmp(status_value(buf, "State"), "Z (zombie)"));
    CHECK(status_num(buf, "PPid") == getpid());
    CHECK(!strcmp(status_value(buf, "Name"), own_comm));
    CHECK(strstr(buf, "VmSize:") == NULL);
    CHECK_EQ(slurp_pid(pid, "cmdline", buf, sizeof buf), 0);
    CHECK_EQ(listed(pid), 1);

    printf("== reaped: gone\n");
    int status = 0;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7);
    CHECK_EQ(open_pid(pid, "stat"), -1);
    CHECK_ERR(slurp_pid(pid, "stat", buf, sizeof buf), ENOENT);
    CHECK_ERR(slurp_pid(pid, "status", buf, sizeof buf), ENOENT);
    CHECK_ERR(slurp_pid(pid, "cmdline", buf, sizeof buf), ENOENT);
    CHECK_ERR(slurp_pid(pid, "comm", buf, sizeof buf), ENOENT);
    CHECK_EQ(listed(pid), 0);
}

static void check_self(int argc, char **argv)
{
    struct stat_line s;
    char buf[8192];
    long want = 0;

    printf("== /proc/self\n");
    own_cmdline_len = slurp("/proc/self/cmdline", own_cmdline, sizeof own_cmdline);
    for (int i = 0; i < argc; i++) {
        CHECK(!strcmp(own_cmdline + want, argv[i]));
        want += strlen(argv[i]) + 1;
    }
    CHECK_EQ(own_cmdline_len, want);
    CHECK_EQ(slurp("/proc/self/comm", own_comm, sizeof own_comm) > 0, 1);
    own_comm[strcspn(own_comm, "\n")] = 0;
    CHECK_EQ(parse_stat(getpid(), &s), 0);
    CHECK_EQ(s.n, 52);
    CHECK_EQ(s.f[2][0], 'R');
    CHECK(field(&s, 0) == getpid());
    CHECK(field(&s, 3) == getppid());
    CHECK(field(&s, 4) == getpgrp());
    CHECK(field(&s, 5) == getsid(0));
    CHECK(!strcmp(s.comm, own_comm));
    CHECK_EQ(slurp("/proc/self/status", buf, sizeof buf) > 0, 1);
    CHECK(!strcmp(status_value(buf, "State"), "R (running)"));
    CHECK(status_num(buf, "Pid") == getpid());
    CHECK(status_num(buf, "PPid") == getppid());
    CHECK(strstr(buf, "VmSize:") != NULL);
}

int main(int argc, char **argv)
{
    int ready[2], go[2], pid;
    char c;

    check_self(argc, argv);
    if (pipe(ready) || pipe(go))
        return 2;
    fflush(stdout);
    pid = fork();
    if (pid < 0)
        return 3;
    if (pid == 0) {
        close(ready[0]);
        close(go[1]);
        child(ready[1], go[0]);
    }
    close(ready[1]);
    close(go[0]);
    CHECK_EQ(read(ready[0], &c, 1), 1);
    check_live_child(pid);
    CHECK_EQ(write(go[1], "g", 1), 1);
    check_zombie(pid);
    return guest_done();
}
