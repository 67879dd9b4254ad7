/* ident.c: process identity and system queries: uname, pid/ppid/tid, user
 * and group ids, umask, getrandom, sysinfo, sched_getaffinity, rlimits
 * (getrlimit vs prlimit64, setting a lower soft limit), prctl PR_GET_NAME,
 * and ioctl(TCGETS) on non-terminals failing with ENOTTY. */
#include "guest.h"
#include <fcntl.h>
#include <sched.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include <termios.h>

static void test_uname(void)
{
    struct utsname u;
    CHECK_EQ(uname(&u), 0);
    printf("sysname %s machine %s\n", u.sysname, u.machine);
    CHECK(strcmp(u.sysname, "Linux") == 0 && strcmp(u.machine, "x86_64") == 0);
    CHECK(u.release[0] >= '1' && u.release[0] <= '9');
    CHECK(strlen(u.nodename) > 0);
}

static void test_ids(void)
{
    CHECK(getpid() > 0);
    CHECK(getppid() >= 0 && getppid() != getpid());
    CHECK(syscall(SYS_gettid) == getpid());
    /* Under a container the session leader may sit outside our pid
     * namespace, where getsid reports 0; only success is portable. */
    CHECK(getpgid(0) >= 0 && getsid(0) >= 0);
    CHECK(getpgid(0) == getpgrp());
    printf("uid %d euid %d gid %d egid %d\n", (int)getuid(), (int)geteuid(),
           (int)getgid(), (int)getegid());
    uid_t r, e, s;
    CHECK(getresuid(&r, &e, &s) == 0 && r == getuid() && e == geteuid() && s == e);
}

static void test_umask(void)
{
    mode_t old = umask(027);
    printf("initial umask %03o\n", (unsigned)old);
    CHECK_EQ(umask(old), 027);
    CHECK_EQ(umask(old), old);
    CHECK_EQ(syscall(SYS_umask, 0777 | 01000), old);   /* extra bits dropped */
    CHECK_EQ(umask(old), 0777);
}

static void test_random(void)
{
    unsigned char a[64], b[64];
    CHECK_EQ(getrandom(a, sizeof a, 0), 64);
    CHECK_EQ(getrandom(b, sizeof b, GRND_NONBLOCK), 64);
    CHECK(memcmp(a, b, sizeof a) != 0);
    CHECK_EQ(getrandom(a, 0, 0), 0);
    CHECK_ERR(syscall(SYS_getrandom, a, 8, 0x1000), EINVAL);
}

static void test_sysinfo_cpus(void)
{
    struct sysinfo si;
    CHECK_EQ(sysinfo(&si), 0);
    CHECK(si.mem_unit > 0 && si.totalram > 0 && si.freeram <= si.totalram);
    CHECK(si.procs > 0);
    cpu_set_t set;
    CPU_ZERO(&set);
    CHECK_EQ(sched_getaffinity(0, sizeof set, &set), 0);
    CHECK(CPU_COUNT(&set) >= 1);
    long bytes = syscall(SYS_sched_getaffinity, 0, sizeof set, &set);
    CHECK(bytes >= 8 && bytes <= (long)sizeof set && bytes % 8 == 0);
    CHECK_ERR(syscall(SYS_sched_getaffinity, 0, 3, &set), EINVAL);
    CHECK(sysconf(_SC_NPROCESSORS_ONLN) >= 1);
}

static void test_rlimits(void)
{
    struct rlimit rl, p;
    CHECK_EQ(getrlimit(RLIMIT_STACK, &rl), 0);
    CHECK(rl.rlim_max == RLIM_INFINITY || rl.rlim_cur <= rl.rlim_max);
    CHECK_EQ(syscall(SYS_prlimit64, 0, RLIMIT_STACK, NULL, &p), 0);
    CHECK(p.rlim_cur == rl.rlim_cur && p.rlim_max == rl.rlim_max);
    CHECK_EQ(getrlimit(RLIMIT_NOFILE, &rl), 0);
    printf("nofile soft %llu\n", (unsigned long long)rl.rlim_cur);
    CHECK(rl.rlim_cur <= rl.rlim_max && rl.rlim_cur >= 64);
    struct rlimit lower = {64, rl.rlim_max};
    CHECK_EQ(setrlimit(RLIMIT_NOFILE, &lower), 0);
    CHECK(getrlimit(RLIMIT_NOFILE, &p) == 0 && p.rlim_cur == 64);
    CHECK_ERR(dup2(0, 64), EBADF);                     /* now beyond the limit */
    struct rlimit bad = {rl.rlim_max, 1};
    CHECK_ERR(setrlimit(RLIMIT_NOFILE, &bad), EINVAL); /* soft > hard */
    CHECK_EQ(setrlimit(RLIMIT_NOFILE, &rl), 0);
}

static void test_name_tty(const char *argv0)
{
    char name[17] = {0}, want[16] = {0};
    const char *base = strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0;
    strncpy(want, base, 15);
    CHECK_EQ(prctl(PR_GET_NAME, name), 0);
    printf("comm %s\n", name);
    CHECK(strcmp(name, want) == 0);
    struct termios t;
    int fd = open("/dev/null", O_RDWR);
    CHECK_ERR(ioctl(fd, TCGETS, &t), ENOTTY);
    CHECK(!isatty(fd) && errno == ENOTTY);
    close(fd);
    fd = open("identfile", O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK_ERR(ioctl(fd, TCGETS, &t), ENOTTY);
    close(fd);
    unlink("identfile");
}

int main(int argc, char **argv)
{
    (void)argc;
    test_uname();
    test_ids();
    test_umask();
    test_random();
    test_sysinfo_cpus();
    test_rlimits();
    test_name_tty(argv[0]);
    return guest_done();
}
