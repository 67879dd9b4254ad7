/* fd_proc: /proc/PID/fd and the other /proc links, of this process and of
 * another: the fd directory lists exactly the open fds, each link's lstat
 * mode follows the file's access mode, readlink names the file, a pipe
 * reopened through its link gives any end (a FIFO open, ENXIO for a
 * nonblocking writer without readers), and a child's cwd, exe and fds are
 * seen from its parent.  /proc/cpuinfo and the sysfs CPU lists agree with
 * the CPU count sched_getaffinity gives.  The device files and meminfo. */
#include "guest.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

static char dir[PATH_MAX - 64];

/* The open fds at or above lo listed in path (a /proc/PID/fd), as "a b c";
 * skip: leave out the listing's own fd (path is this process's). */
static void list_fds(const char *path, int lo, int skip, char *out, size_t size)
{
    int fds[64], n = 0;
    DIR *d = opendir(path);
    struct dirent *e;

    out[0] = '\0';
    if (!d) {
        snprintf(out, size, "opendir: %s", errname(errno));
        return;
    }
    while ((e = readdir(d)) && n < 64) {
        if (e->d_name[0] == '.')
            continue;
        int fd = atoi(e->d_name);
        if (e->d_type != DT_LNK)
            snprintf(out, size, "%s is no link ", e->d_name);
        if (fd >= lo && !(skip && fd == dirfd(d)))
            fds[n++] = fd;
    }
    closedir(d);
    for (int i = 0; i < n; i++)           /* ascending */
        for (int j = i + 1; j < n; j++)
            if (fds[j] < fds[i]) {
                int x = fds[i]; fds[i] = fds[j]; fds[j] = x;
            }
    for (int i = 0; i < n; i++)
        snprintf(out + strlen(out), size - strlen(out), "%s%d", i ? " " : "", fds[i]);
}

static int link_mode(const char *fmt, long a, long b)
{
    char path[64];
    struct stat st;

    snprintf(path, sizeof path, fmt, a, b);
    if (lstat(path, &st))
        return -errno;
    return S_ISLNK(st.st_mode) ? (int)(st.st_mode & 07777) : -1000;
}

static void test_own_fds(void)
{
    char got[256], want[PATH_MAX], path[64], buf[PATH_MAX];
    int p[2];

    printf("== /proc/self/fd lists the open fds\n");
    int lo = open("fd_proc.file", O_RDWR | O_CREAT | O_TRUNC, 0644);
    CHECK(lo >= 0);
    CHECK_EQ(pipe(p), 0);
    int ro = open("fd_proc.file", O_RDONLY);
    int wo = open("fd_proc.file", O_WRONLY | O_APPEND);
    int op = open(".", O_PATH);
    int dup_hi = dup2(ro, 40);
    CHECK_EQ(dup_hi, 40);
    snprintf(want, sizeof want, "%d %d %d %d %d %d 40", lo, p[0], p[1], ro, wo, op);
    list_fds("/proc/self/fd", lo, 1, got, sizeof got);
    printf("fds: %s\n", !strcmp(got, want) ? "as opened" : got);
    CHECK_EQ(close(40), 0);
    list_fds("/proc/self/fd/", lo, 1, got, sizeof got);
    CHECK(!strstr(got, "40"));

    /* readdir's d_ino is the link's st_ino, as Linux's proc_fill_cache makes it. */
    DIR *dd = opendir("/proc/self/fd");
    struct dirent *de;
    int same = 0;
    while (dd && (de = readdir(dd))) {
        struct stat ls;
        char lpath[320];
        snprintf(lpath, sizeof lpath, "/proc/self/fd/%s", de->d_name);
        if (atoi(de->d_name) == lo && !lstat(lpath, &ls))
            same = ls.st_ino == de->d_ino;
    }
    if (dd)
        closedir(dd);
    CHECK(same);

    printf("== lstat of a link: the access mode's bits\n");
    CHECK_EQ(link_mode("/proc/self/fd/%ld", lo, 0), 0700);
    CHECK_EQ(link_mode("/proc/self/fd/%ld", ro, 0), 0500);
    CHECK_EQ(link_mode("/proc/self/fd/%ld", wo, 0), 0300);
    CHECK_EQ(link_mode("/proc/self/fd/%ld", p[0], 0), 0500);
    CHECK_EQ(link_mode("/proc/self/fd/%ld", p[1], 0), 0300);
    CHECK_EQ(link_mode("/proc/self/fd/%ld", op, 0), 0);
    CHECK_EQ(link_mode("/proc/%ld/fd/%ld", getpid(), ro), 0500);
    CHECK_EQ(link_mode("/proc/self/cwd", 0, 0), 0777);
    CHECK_EQ(link_mode("/proc/self/exe", 0, 0), 0777);
    CHECK_EQ(link_mode("/proc/self/fd/%ld", 99, 0), -ENOENT);
    struct stat st;
    CHECK_EQ(stat("/proc/self/fd", &st), 0);
    CHECK(S_ISDIR(st.st_mode));

    printf("== readlink\n");
    snprintf(path, sizeof path, "/proc/self/fd/%d", ro);
    ssize_t n = readlink(path, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    snprintf(want, sizeof want, "%s/fd_proc.file", dir);
    CHECK(!strcmp(buf, want));
    char r0[64], r1[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
    n = readlink(path, r0, sizeof r0 - 1);
    r0[n > 0 ? n : 0] = '\0';
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
    n = readlink(path, r1, sizeof r1 - 1);
    r1[n > 0 ? n : 0] = '\0';
    CHECK(!strncmp(r0, "pipe:[", 6) && !strcmp(r0, r1));

    close(lo); close(ro); close(wo); close(op); close(p[0]); close(p[1]);
    unlink("fd_proc.file");
}

static void test_pipe_reopen(void)
{
    char path[64], c = 0;
    int p[2];

    printf("== a pipe reopened through /proc/self/fd\n");
    CHECK_EQ(pipe(p), 0);
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[0]);
    int w = open(path, O_WRONLY);                 /* the read end's link, opened for writing */
    CHECK(w >= 0);
    CHECK_EQ(write(w, "x", 1), 1);
    CHECK_EQ(read(p[0], &c, 1), 1);
    CHECK_EQ(c, 'x');
    snprintf(path, sizeof path, "/proc/self/fd/%d", p[1]);
    int r = open(path, O_RDONLY);                 /* a writer exists: no wait */
    CHECK(r >= 0);
    CHECK_EQ(write(p[1], "y", 1), 1);
    CHECK_EQ(read(r, &c, 1), 1);
    CHECK_EQ(c, 'y');
    CHECK_EQ(fcntl(w, F_GETFL) & O_ACCMODE, O_WRONLY);
    CHECK_EQ(fcntl(r, F_GETFL) & O_ACCMODE, O_RDONLY);
    int rw = open(path, O_RDWR);
    CHECK(rw >= 0);
    CHECK_EQ(write(rw, "z", 1), 1);
    CHECK_EQ(read(rw, &c, 1), 1);
    CHECK_EQ(c, 'z');
    struct stat a, b;
    CHECK(fstat(rw, &a) == 0 && fstat(p[0], &b) == 0 && a.st_ino == b.st_ino && S_ISFIFO(a.st_mode));
    /* Every writer gone but the reopened ones: EOF once they close. */
    close(p[1]); close(w); close(rw);
    CHECK_EQ(read(r, &c, 1), 0);
    /* No reader left: unlike a FIFO's, a pipe's open neither waits nor gives ENXIO. */
    close(p[0]); close(r);
    int p2[2];
    CHECK_EQ(pipe(p2), 0);
    close(p2[0]);
    snprintf(path, sizeof path, "/proc/self/fd/%d", p2[1]);
    int nw = open(path, O_WRONLY | O_NONBLOCK);
    CHECK(nw >= 0);
    CHECK_ERR(write(nw, "w", 1), EPIPE);
    int nr = open(path, O_RDONLY | O_NONBLOCK);
    CHECK(nr >= 0);
    CHECK_EQ(write(nw, "v", 1), 1);
    CHECK_EQ(read(nr, &c, 1), 1);
    CHECK_EQ(c, 'v');
    close(p2[1]); close(nw);
    CHECK_EQ(read(nr, &c, 1), 0);
    close(nr);
}

static void test_child_links(void)
{
    char path[96], buf[PATH_MAX], want[PATH_MAX], got[256];
    int ready[2], done[2];

    printf("== another process's links and fds\n");
    CHECK_EQ(mkdir("fd_proc.d", 0755), 0);
    CHECK_EQ(pipe(ready), 0);
    CHECK_EQ(pipe(done), 0);
    pid_t pid = fork();
    if (pid == 0) {
        close(ready[0]);
        close(done[1]);
        if (chdir("fd_proc.d"))
            _exit(1);
        int fd = open("inside", O_RDWR | O_CREAT | O_TRUNC, 0600);
        if (fd < 0 || dup2(fd, 50) != 50 || write(50, "child data", 10) != 10)
            _exit(2);
        close(fd);
        char c = 'r';
        if (write(ready[1], &c, 1) != 1)
            _exit(3);
        if (read(done[0], &c, 1) < 0)
            _exit(4);
        _exit(0);
    }
    close(ready[1]);
    close(done[0]);
    char c;
    CHECK_EQ(read(ready[0], &c, 1), 1);
    snprintf(path, sizeof path, "/proc/%d/cwd", pid);
    ssize_t n = readlink(path, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    snprintf(want, sizeof want, "%s/fd_proc.d", dir);
    CHECK(!strcmp(buf, want));
    snprintf(path, sizeof path, "/proc/%d/cwd/inside", pid);
    struct stat st;
    CHECK_EQ(stat(path, &st), 0);
    CHECK_EQ(st.st_size, 10);
    snprintf(path, sizeof path, "/proc/%d/fd/50", pid);
    n = readlink(path, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    snprintf(want, sizeof want, "%s/fd_proc.d/inside", dir);
    CHECK(!strcmp(buf, want));
    CHECK_EQ(link_mode("/proc/%ld/fd/%ld", pid, 50), 0700);
    int fd = open(path, O_RDONLY);                /* a new description: offset 0 */
    CHECK(fd >= 0);
    CHECK_EQ(read(fd, buf, 5), 5);
    CHECK(!memcmp(buf, "child", 5));
    close(fd);
    snprintf(path, sizeof path, "/proc/%d/exe", pid);
    char self_exe[PATH_MAX];
    n = readlink(path, buf, sizeof buf - 1);
    buf[n > 0 ? n : 0] = '\0';
    ssize_t m = readlink("/proc/self/exe", self_exe, sizeof self_exe - 1);
    self_exe[m > 0 ? m : 0] = '\0';
    CHECK(n > 0 && !strcmp(buf, self_exe));
    snprintf(path, sizeof path, "/proc/%d/fd", pid);
    list_fds(path, 0, 0, got, sizeof got);
    char word[16];
    snprintf(word, sizeof word, " %d ", ready[1]);
    strcat(strcpy(buf, " "), got);
    strcat(buf, " ");
    CHECK(strstr(buf, word) != NULL);    /* the child kept its end */
    snprintf(word, sizeof word, " %d ", ready[0]);
    CHECK(strstr(buf, word) == NULL);    /* and closed the other */
    CHECK(strstr(buf, " 50 ") != NULL);
    CHECK_ERR(readlink("/proc/self/fd/77", buf, sizeof buf), ENOENT);
    c = 'd';
    CHECK_EQ(write(done[1], &c, 1), 1);
    int status;
    CHECK(waitpid(pid, &status, 0) == pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    CHECK_ERR(readlink(path, buf, sizeof buf), ENOENT); /* reaped: no /proc/PID */
    close(ready[0]);
    close(done[1]);
    unlink("fd_proc.d/inside");
    rmdir("fd_proc.d");
}

static int count_cpulist(const char *path)
{
    FILE *f = fopen(path, "r");
    int a, b, n = 0;
    char sep;

    if (!f)
        return -1;
    while (fscanf(f, "%d", &a) == 1) {
        b = a;
        if (fscanf(f, "%c", &sep) == 1 && sep == '-' && fscanf(f, "%d", &b) == 1)
            fscanf(f, "%c", &sep);
        n += b - a + 1;
    }
    fclose(f);
    return n;
}

static void test_cpus(void)
{
    cpu_set_t set;
    char line[512];
    int procs = 0, next = 0, inorder = 1;

    printf("== /proc/cpuinfo and the sysfs CPU lists\n");
    CHECK_EQ(sched_getaffinity(0, sizeof set, &set), 0);
    int cpus = CPU_COUNT(&set);
    FILE *f = fopen("/proc/cpuinfo", "r");
    CHECK(f != NULL);
    while (f && fgets(line, sizeof line, f)) {
        int n;
        if (sscanf(line, "processor : %d", &n) == 1) {
            inorder &= n == next++;
            procs++;
        }
    }
    if (f)
        fclose(f);
    CHECK(procs == cpus);
    CHECK(inorder);
    CHECK(count_cpulist("/sys/devices/system/cpu/online") == cpus);
    CHECK(count_cpulist("/sys/devices/system/cpu/possible") >= cpus);
    CHECK(sysconf(_SC_NPROCESSORS_ONLN) == cpus);
}

static void test_devices(void)
{
    char buf[64], again[16];
    int fd;

    printf("== /dev/null, zero, urandom, tty and /proc/meminfo\n");
    fd = open("/dev/null", O_RDWR);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "gone", 4), 4);
    CHECK_EQ(read(fd, buf, sizeof buf), 0);
    close(fd);
    fd = open("/dev/zero", O_RDONLY);
    memset(buf, 'x', sizeof buf);
    CHECK_EQ(read(fd, buf, sizeof buf), (long)sizeof buf);
    int zeros = 0;
    for (size_t i = 0; i < sizeof buf; i++)
        zeros += buf[i] == 0;
    CHECK_EQ(zeros, (long)sizeof buf);
    close(fd);
    fd = open("/dev/urandom", O_RDONLY);
    CHECK_EQ(read(fd, buf, 16), 16);
    CHECK_EQ(read(fd, again, 16), 16);
    CHECK(memcmp(buf, again, 16) != 0);
    close(fd);
    struct stat st;
    CHECK(stat("/dev/null", &st) == 0 && S_ISCHR(st.st_mode));
    /* A controlling terminal or none (ENXIO), as the run has. */
    fd = open("/dev/tty", O_RDWR);
    CHECK(fd >= 0 || errno == ENXIO);
    if (fd >= 0)
        close(fd);
    FILE *f = fopen("/proc/meminfo", "r");
    long total = 0;
    CHECK(f != NULL);
    while (f && fgets(buf, sizeof buf, f))
        if (sscanf(buf, "MemTotal: %ld kB", &total) == 1)
            break;
    if (f)
        fclose(f);
    CHECK(total > 0);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    signal(SIGPIPE, SIG_IGN);
    if (!getcwd(dir, sizeof dir))
        return 1;
    test_own_fds();
    test_pipe_reopen();
    test_child_links();
    test_cpus();
    test_devices();
    return guest_done();
}
