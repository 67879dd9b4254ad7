/*
 * Hand-off benchmark: two threads pass a token back and forth COUNT times
 * (round trips) through one pthread mutex and two condition variables.
 *
 * Every hand-off wakes a sleeping thread (a futex wake, then the woken
 * thread's futex wait returns and it takes the mutex), so with two threads
 * this measures the kernel's futex wait/wake path and the cost of switching
 * between threads, which on one CPU per process is a turn hand-over.
 *
 * usage: thr_pingpong [COUNT]   (default 100000)
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t to_ping = PTHREAD_COND_INITIALIZER;
static pthread_cond_t to_pong = PTHREAD_COND_INITIALIZER;
static int turn;            /* 0: ping's turn, 1: pong's turn; under lock */
static long count;
static long pongs;          /* hand-offs seen by pong; under lock */

static void *pong(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&lock);
    for (long i = 0; i < count; i++) {
        while (turn != 1)
            pthread_cond_wait(&to_pong, &lock);
        pongs++;
        turn = 0;
        pthread_cond_signal(&to_ping);
    }
    pthread_mutex_unlock(&lock);
    return NULL;
}

int main(int argc, char **argv)
{
    count = argc > 1 ? atol(argv[1]) : 100000;
    pthread_t t;
    long pings = 0;

    if (pthread_create(&t, NULL, pong, NULL)) {
        fprintf(stderr, "pthread_create failed\n");
        return 1;
    }
    pthread_mutex_lock(&lock);
    for (long i = 0; i < count; i++) {
        turn = 1;
        pings++;
        pthread_cond_signal(&to_pong);
        while (turn != 0)
            pthread_cond_wait(&to_ping, &lock);
    }
    pthread_mutex_unlock(&lock);
    pthread_join(t, NULL);

    printf("thr_pingpong: %ld round trips (mutex + 2 condvars), ping %ld pong %ld\n",
           count, pings, pongs);
    return pings == count && pongs == count ? 0 : 1;
}
