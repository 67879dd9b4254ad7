/*
 * Parallel CPU benchmark: N threads each run the same fixed amount of
 * integer work on their own data, with no shared writes.
 *
 * Each thread fills its own 16 KiB buffer (xorshift64*) and makes ROUNDS
 * passes of a multiply-rotate hash over it, storing one word back every
 * eight, so the work is mostly loads and ALU with some stores and no system
 * calls. Total work grows with N: on N idle cores the wall time stays that of
 * one thread (speed-up N x t(1) / t(N) = N); threads that take turns on one
 * CPU give a speed-up of 1. Threads start together behind a barrier.
 *
 * usage: thr_cpu [N [ROUNDS]]   (default 4 threads, 150000 rounds: about
 *                                0.5 s per thread natively on a 2020s core)
 * Prints a checksum that depends on N and ROUNDS only.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#define WORDS 2048               /* 16 KiB per thread */
#define MAX_THREADS 1024

struct worker {
    uint64_t seed;
    uint64_t result;
    char pad[48];                /* keep results on separate cache lines */
};

static long rounds;
static pthread_barrier_t start;

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

static uint64_t work(uint64_t seed)
{
    uint64_t *buf = malloc(WORDS * sizeof *buf);
    uint64_t s = seed, h = seed ^ 0xcbf29ce484222325ull;

    if (!buf)
        abort();
    for (int i = 0; i < WORDS; i++) {
        s ^= s >> 12;
        s ^= s << 25;
        s ^= s >> 27;
        buf[i] = s * 0x2545f4914f6cdd1dull;
    }
    for (long r = 0; r < rounds; r++) {
        for (int i = 0; i < WORDS; i++) {
            h = rotl((h ^ buf[i]) * 0x100000001b3ull, 29) + (uint64_t)r;
            if ((i & 7) == 7)
                buf[i] ^= h;
        }
    }
    free(buf);
    return h;
}

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    pthread_barrier_wait(&start);
    w->result = work(w->seed);
    return NULL;
}

int main(int argc, char **argv)
{
    long n = argc > 1 ? atol(argv[1]) : 4;
    rounds = argc > 2 ? atol(argv[2]) : 150000;
    if (n < 1 || n > MAX_THREADS || rounds < 1) {
        fprintf(stderr, "usage: thr_cpu [N (1..%d) [ROUNDS]]\n", MAX_THREADS);
        return 2;
    }

    static struct worker w[MAX_THREADS] __attribute__((aligned(64)));
    static pthread_t th[MAX_THREADS];
    pthread_barrier_init(&start, NULL, (unsigned)n);
    for (long i = 1; i < n; i++) {
        w[i].seed = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1);
        if (pthread_create(&th[i], NULL, worker_main, &w[i])) {
            fprintf(stderr, "pthread_create #%ld failed\n", i);
            return 1;
        }
    }
    w[0].seed = 0x9e3779b97f4a7c15ull;
    worker_main(&w[0]);            /* the main thread is worker 0 */

    uint64_t sum = 0;
    for (long i = 0; i < n; i++) {
        if (i > 0)
            pthread_join(th[i], NULL);
        sum = rotl(sum, 7) ^ w[i].result;
    }
    printf("thr_cpu: %ld threads x %ld rounds of 16 KiB: checksum %016llx\n",
           n, rounds, (unsigned long long)sum);
    return 0;
}
