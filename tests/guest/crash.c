/* crash.c: death by a synchronous fault or a signal, for the exit status a
 * shell sees (128+N): `crash MODE` with MODE one of segv-null, segv-kernel,
 * segv-prot, segv-exec, segv-stack, fpe-div0, fpe-intmin, fpe-longmin,
 * ill-ud2, trap-int3, abort, kill, bus-truncated, bus-beyond-eof. Prints (and flushes) one
 * line first. */
#include "guest.h"
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>

static volatile int zero = 0, seven = 7, minus_one = -1, int_min = INT_MIN;
static volatile long long_min = LONG_MIN, long_minus_one = -1;
static volatile int stop_depth = -1;

static int recurse(int depth)
{
    volatile char frame[1024];
    frame[0] = (char)depth;
    if (depth == stop_depth)
        return 0;
    return recurse(depth + 1) + frame[0];
}

static void *page(int prot)
{
    return mmap(NULL, 4096, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
}

static void overflow_stack(void)
{
    struct rlimit rl;
    getrlimit(RLIMIT_STACK, &rl);
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (8u << 20)) {
        rl.rlim_cur = 8u << 20;                        /* keep the crash quick */
        setrlimit(RLIMIT_STACK, &rl);
    }
    recurse(0);
}

static void exec_data(void)
{
    unsigned char *p = page(PROT_READ | PROT_WRITE);
    p[0] = 0xc3;                                       /* ret, but not executable */
    ((void (*)(void))p)();
}

/* Reads a page of a file mapping after the file shrank below it: SIGBUS. */
static void bus_truncated(void)
{
    int fd = open("bus.tmp", O_RDWR | O_CREAT | O_TRUNC, 0600);
    char *p;

    if (fd < 0 || ftruncate(fd, 2 * 4096))
        return;
    p = mmap(NULL, 2 * 4096, PROT_READ, MAP_SHARED, fd, 0);
    unlink("bus.tmp");
    if (p == MAP_FAILED || ftruncate(fd, 0))
        return;
    (void)*(volatile char *)(p + 4096);
}

/* Reads the second page of a mapping of a one-page file: past its end, SIGBUS. */
static void bus_beyond_eof(void)
{
    int fd = open("bus2.tmp", O_RDWR | O_CREAT | O_TRUNC, 0600);
    char *p;

    if (fd < 0 || ftruncate(fd, 4096))
        return;
    p = mmap(NULL, 2 * 4096, PROT_READ, MAP_PRIVATE, fd, 0);
    unlink("bus2.tmp");
    if (p == MAP_FAILED)
        return;
    (void)*(volatile char *)(p + 4096);
}

/* Do what MODE says; returns only for an unknown mode. */
static void crash(const char *mode)
{
    if (!strcmp(mode, "bus-truncated"))
        bus_truncated();
    else if (!strcmp(mode, "bus-beyond-eof"))
        bus_beyond_eof();
    else if (!strcmp(mode, "segv-null"))
        *(volatile int *)0 = 1;
    else if (!strcmp(mode, "segv-kernel"))
        (void)*(volatile int *)0xffff800000001000UL;
    else if (!strcmp(mode, "segv-prot"))
        *(volatile char *)page(PROT_READ) = 1;
    else if (!strcmp(mode, "segv-exec"))
        exec_data();
    else if (!strcmp(mode, "segv-stack"))
        overflow_stack();
    else if (!strcmp(mode, "fpe-div0"))
        printf("%d\n", seven / zero);
    else if (!strcmp(mode, "fpe-intmin"))
        printf("%d\n", int_min / minus_one);
    else if (!strcmp(mode, "fpe-longmin"))
        printf("%ld\n", long_min % long_minus_one);
    else if (!strcmp(mode, "ill-ud2"))
        __asm__ volatile("ud2");
    else if (!strcmp(mode, "trap-int3"))
        __asm__ volatile("int3");
    else if (!strcmp(mode, "abort"))
        abort();
    else if (!strcmp(mode, "kill"))
        kill(getpid(), SIGKILL);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: crash MODE\n");
        return 2;
    }
    printf("about to %s\n", argv[1]);
    fflush(stdout);
    crash(argv[1]);
    printf("still alive after %s\n", argv[1]);
    return 1;
}
