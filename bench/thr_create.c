/*
 * Thread life-cycle benchmark: COUNT times, create one thread and join it
 * before creating the next (sequential, so at most two threads exist).
 *
 * Each create is a clone (plus the stack mmap and its guard mprotect in the
 * libc) and each join a futex wait on the exiting thread's tid, so this
 * measures clone/exit/clear_child_tid and the creation of a CPU (engine) per
 * thread. The output is a checksum of the returned values only.
 *
 * usage: thr_create [COUNT]   (default 10000)
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

static void *child(void *arg)
{
    return (void *)((uintptr_t)arg * 3 + 1);
}

int main(int argc, char **argv)
{
    long count = argc > 1 ? atol(argv[1]) : 10000;
    unsigned long sum = 0;

    for (long i = 0; i < count; i++) {
        pthread_t t;
        void *ret;
        int err = pthread_create(&t, NULL, child, (void *)(uintptr_t)i);
        if (err) {
            fprintf(stderr, "pthread_create #%ld: error %d\n", i, err);
            return 1;
        }
        if ((err = pthread_join(t, &ret))) {
            fprintf(stderr, "pthread_join #%ld: error %d\n", i, err);
            return 1;
        }
        sum += (uintptr_t)ret;
    }

    printf("thr_create: %ld threads created and joined, sum %lu\n", count, sum);
    return sum == (unsigned long)(3 * count * (count - 1) / 2 + count) ? 0 : 1;
}
