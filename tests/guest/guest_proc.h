/* guest_proc.h: helpers the process tests (proc_*.c) share: fork with the
 * output flushed, reaping, byte hand-offs over pipes, and children whose
 * checks count in the parent's total (child_begin/child_end in the child,
 * child_collect in the parent; child_counts must point at memory the
 * processes share, e.g. a MAP_SHARED page set up in main). */
#ifndef LXEMU_TESTS_GUEST_PROC_H
#define LXEMU_TESTS_GUEST_PROC_H

#include "guest.h"
#include <sys/wait.h>

#define GUEST_UNUSED __attribute__((unused))

/* fork, with stdio flushed first so nothing buffered is printed twice. */
static GUEST_UNUSED pid_t xfork(void)
{
    fflush(stdout);
    fflush(stderr);
    return fork();
}

/* In the parent, right after a fork: false (and a FAIL line) if it failed.
 * Nothing is printed on success: the child may be printing. */
static GUEST_UNUSED int forked(pid_t pid)
{
    if (pid < 0)
        CHECK(pid > 0);
    return pid > 0;
}

/* waitpid, restarted after EINTR; the status, or -1 if it did not return pid. */
static GUEST_UNUSED int reap(pid_t pid)
{
    int status = -1;
    pid_t r;
    while ((r = waitpid(pid, &status, 0)) == -1 && errno == EINTR)
        ;
    return r == pid ? status : -1;
}

/* read until n bytes, EOF or an error (EINTR retried): what it got, or the error. */
static GUEST_UNUSED long read_full(int fd, void *buf, long n)
{
    long got = 0, r;
    while (got < n) {
        r = read(fd, (char *)buf + got, n - got);
        if (r == -1 && errno == EINTR)
            continue;
        if (r <= 0)
            return got ? got : r;
        got += r;
    }
    return got;
}

static GUEST_UNUSED void put_byte(int fd, char c)
{
    while (write(fd, &c, 1) == -1 && errno == EINTR)
        ;
}

/* The next byte, or -1 at EOF or on an error. */
static GUEST_UNUSED int get_byte(int fd)
{
    unsigned char c;
    return read_full(fd, &c, 1) == 1 ? c : -1;
}

/* A child's check totals, added to the parent's when it is reaped. */
struct counts {
    int checks, failures;
};
static GUEST_UNUSED struct counts *child_counts;

/* In a fresh child: count its own checks from zero. */
static GUEST_UNUSED void child_begin(void)
{
    guest_checks = guest_failures = 0;
}

/* In a child: hand the counts to the parent and exit (1 if a check failed). */
static GUEST_UNUSED __attribute__((noreturn)) void child_end(void)
{
    fflush(stdout);
    __atomic_add_fetch(&child_counts->checks, guest_checks, __ATOMIC_SEQ_CST);
    __atomic_add_fetch(&child_counts->failures, guest_failures, __ATOMIC_SEQ_CST);
    _exit(guest_failures ? 1 : 0);
}

/* In the parent: reap a child that ran child_begin/child_end and check it. */
static GUEST_UNUSED void child_collect(pid_t pid)
{
    int status = reap(pid);
    guest_checks += __atomic_exchange_n(&child_counts->checks, 0, __ATOMIC_SEQ_CST);
    guest_failures += __atomic_exchange_n(&child_counts->failures, 0, __ATOMIC_SEQ_CST);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

#endif
