/* guest.h: tiny check/report helpers shared by the guest test programs.
 * Every check prints one deterministic line ("ok   ..." or "FAIL ..."), so a
 * native run and an lxemu run of the same binary can be diffed line by line;
 * guest_done() prints a summary and gives main()'s exit status. */
#ifndef LXEMU_TESTS_GUEST_H
#define LXEMU_TESTS_GUEST_H

#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/syscall.h>

static int guest_checks, guest_failures;

/* Symbolic name of the errno values the tests expect; numbers otherwise. */
static __attribute__((unused)) const char *errname(int e)
{
    static char buf[16];
    static const struct { int e; const char *n; } tab[] = {
        {0, "0"}, {EPERM, "EPERM"}, {ENOENT, "ENOENT"}, {EBADF, "EBADF"},
        {EACCES, "EACCES"}, {EFAULT, "EFAULT"}, {EEXIST, "EEXIST"},
        {ENOTDIR, "ENOTDIR"}, {EISDIR, "EISDIR"}, {EINVAL, "EINVAL"},
        {ENOTTY, "ENOTTY"}, {ESPIPE, "ESPIPE"}, {ENOMEM, "ENOMEM"},
        {ENAMETOOLONG, "ENAMETOOLONG"}, {ENOTEMPTY, "ENOTEMPTY"},
        {ENOSYS, "ENOSYS"}, {ELOOP, "ELOOP"}, {ERANGE, "ERANGE"},
        {EAGAIN, "EAGAIN"}, {EXDEV, "EXDEV"}, {ESRCH, "ESRCH"},
        {EINTR, "EINTR"}, {ECHILD, "ECHILD"}, {EBUSY, "EBUSY"}, {EPIPE, "EPIPE"},
    };
    for (size_t i = 0; i < sizeof tab / sizeof tab[0]; i++)
        if (tab[i].e == e)
            return tab[i].n;
    snprintf(buf, sizeof buf, "errno%d", e);
    return buf;
}

/* Sleeps ms milliseconds in all: a signal's handler runs and the sleep goes on. */
static __attribute__((unused)) void sleep_ms(long ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
    while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
        ;
}

/* Milliseconds on CLOCK_MONOTONIC since *t0. */
static __attribute__((unused)) long ms_since(const struct timespec *t0)
{
    struct timespec t1;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    return (t1.tv_sec - t0->tv_sec) * 1000 + (t1.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Record one boolean check. */
static __attribute__((unused)) void check_at(int ok, const char *what, int line)
{
    guest_checks++;
    if (!ok)
        guest_failures++;
    printf("%s %s", ok ? "ok  " : "FAIL", what);
    if (!ok)
        printf("  [line %d]", line);
    printf("\n");
}
#define CHECK(cond) check_at(!!(cond), #cond, __LINE__)

/* Check that an expression returned -1 with the expected errno. */
static __attribute__((unused)) void check_err_at(long ret, int err, int want, const char *what, int line)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s -> %ld %s (want -1 %s)", what, ret,
             ret == -1 ? errname(err) : "", errname(want));
    check_at(ret == -1 && err == want, buf, line);
}
#define CHECK_ERR(expr, want)                                                \
    do {                                                                     \
        errno = 0;                                                           \
        long r_ = (long)(expr);                                              \
        check_err_at(r_, errno, want, #expr, __LINE__);                      \
    } while (0)

/* Check that an expression returned exactly the expected value. */
static __attribute__((unused)) void check_eq_at(long got, long want, int err, const char *what, int line)
{
    char buf[256];
    if (got == want)
        snprintf(buf, sizeof buf, "%s == %ld", what, want);
    else
        snprintf(buf, sizeof buf, "%s == %ld (got %ld, errno %s)", what, want,
                 got, errname(err));
    check_at(got == want, buf, line);
}
#define CHECK_EQ(expr, want)                                                 \
    do {                                                                     \
        errno = 0;                                                           \
        long g_ = (long)(expr);                                              \
        check_eq_at(g_, (long)(want), errno, #expr, __LINE__);               \
    } while (0)

/* Print the summary; the result is main()'s return value. */
static __attribute__((unused)) int guest_done(void)
{
    printf("%d checks, %d failures\n", guest_checks, guest_failures);
    return guest_failures ? 1 : 0;
}

#endif
