/*
 * Syscall round-trip benchmark: issue N raw getppid system calls.
 *
 * The call is made with inline asm so no libc can cache or elide it.
 * Output is independent of the actual parent pid, so it is identical
 * natively, under qemu-x86_64 and under lxemu.
 *
 * usage: getppid [COUNT]   (default 1000000)
 */
#include <stdio.h>
#include <stdlib.h>

#define NR_getppid 110 /* x86-64 */

static long raw_getppid(void)
{
    long ret;
    __asm__ volatile("syscall"
                     : "=a"(ret)
                     : "0"((long)NR_getppid)
                     : "rcx", "r11", "memory");
    return ret;
}

int main(int argc, char **argv)
{
    long count = argc > 1 ? atol(argv[1]) : 1000000;
    long ok = 0;

    for (long i = 0; i < count; i++) {
        if (raw_getppid() >= 0) /* 0 under a pid namespace (lxemu: the first guest is pid 1) */
            ok++;
    }

    printf("getppid: %ld of %ld calls succeeded\n", ok, count);
    return ok == count ? 0 : 1;
}
