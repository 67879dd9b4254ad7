/* vm_stack.c: the main thread's stack grows on demand: deep recursion with
 * big frames, an untouched page far below being filled by the kernel (read
 * into it) before the program ever touches it, growth after raising the soft
 * RLIMIT_STACK, and getrlimit/prlimit64 agreeing. (Overflow deaths: crash.c.) */
#include "guest.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/resource.h>

#define KiB 1024L
#define MiB (1024 * KiB)

/* Recursion: each level has a 16 KiB frame it fills, then checks on the way
 * back, so every page of the grown stack is written and read again. */
static unsigned long deep(int level, unsigned long seed)
{
    volatile unsigned char frame[16 * KiB];
    for (long i = 0; i < (long)sizeof frame; i += 512)
        frame[i] = (unsigned char)(seed + i);
    unsigned long sum = level > 0 ? deep(level - 1, seed * 31 + 7) : 0;
    for (long i = 0; i < (long)sizeof frame; i += 512)
        if (frame[i] != (unsigned char)(seed + i))
            return 0xbad;
    return sum + frame[512] + level;
}

/* The same sum computed without the stack. */
static unsigned long deep_expected(int level, unsigned long seed)
{
    unsigned long sum = 0;
    for (int l = level; l >= 0; l--) {
        sum += (unsigned char)(seed + 512) + l;
        seed = seed * 31 + 7;
    }
    return sum;
}

/* Let the kernel write to stack pages no instruction has touched yet:
 * a read(2) into a buffer 'depth' bytes below the current frame. */
static int kernel_grows(long depth, int fd)
{
    char here;
    char *buf = (char *)(((uintptr_t)&here - depth) & ~4095UL);
    if (pread(fd, buf, 4096, 0) != 4096)
        return 0;
    for (int i = 0; i < 4096; i++)
        if (buf[i] != (char)(i * 7))
            return 0;
    return 1;
}

int main(void)
{
    struct rlimit rl, rl2;
    CHECK_EQ(getrlimit(RLIMIT_STACK, &rl), 0);
    CHECK_EQ(syscall(SYS_prlimit64, 0L, (long)RLIMIT_STACK, 0L, (long)&rl2), 0);
    CHECK(rl.rlim_cur == rl2.rlim_cur && rl.rlim_max == rl2.rlim_max);
    CHECK(rl.rlim_cur <= rl.rlim_max);
    int big = rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= 8 * MiB;
    CHECK(big);                                     /* the tests need 8 MiB */

    /* 4 MiB + of recursion: 300 frames of 16 KiB */
    CHECK(deep(300, 1) == deep_expected(300, 1));
    /* again: the grown stack stays usable */
    CHECK(deep(300, 5) == deep_expected(300, 5));

    char data[4096];
    for (int i = 0; i < 4096; i++)
        data[i] = (char)(i * 7);
    unlink("vm_stack_data");
    int fd = open("vm_stack_data", O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK_EQ(write(fd, data, 4096), 4096);
    CHECK(kernel_grows(6 * MiB, fd));               /* below the 4.7 MiB reached */

    /* a larger soft limit lets the stack grow further */
    if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= 32 * MiB) {
        struct rlimit nl = {32 * MiB, rl.rlim_max};
        if (rl.rlim_cur == RLIM_INFINITY)
            nl.rlim_cur = RLIM_INFINITY;
        CHECK_EQ(setrlimit(RLIMIT_STACK, &nl), 0);
        CHECK(getrlimit(RLIMIT_STACK, &rl2) == 0 && rl2.rlim_cur == nl.rlim_cur);
        CHECK(deep(1000, 3) == deep_expected(1000, 3));   /* ~16 MiB */
        CHECK(kernel_grows(24 * MiB, fd));
    } else {
        CHECK(!"hard RLIMIT_STACK below 32 MiB");
    }
    close(fd);
    unlink("vm_stack_data");
    return guest_done();
}
