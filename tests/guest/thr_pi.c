/* thr_pi.c: priority-inheritance mutexes (PTHREAD_PRIO_INHERIT), which both
 * libcs build on FUTEX_LOCK_PI / FUTEX_UNLOCK_PI / FUTEX_TRYLOCK_PI:
 *   - 4 threads x 20,000 locked increments of a shared counter: exact;
 *   - trylock of a mutex another thread holds: EBUSY;
 *   - timedlock of a held mutex: ETIMEDOUT after the deadline;
 *   - an error-checking PI mutex: relock EDEADLK, unlock by another thread EPERM;
 *   - the raw calls: LOCK_PI on a word we own is EDEADLK, UNLOCK_PI of a word
 *     we do not own EPERM, TRYLOCK_PI of a held word EAGAIN, LOCK_PI of a
 *     free word takes it, UNLOCK_PI frees it.
 * All output comes from the main thread. */
#include "guest.h"
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <time.h>

#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_PRIVATE_FLAG 128

#define NT 4
#define ITERS 20000

static pthread_mutex_t m;
static long counter;

static int init_pi(pthread_mutex_t *mx, int type)
{
    pthread_mutexattr_t a;
    int r = pthread_mutexattr_init(&a);
    if (!r)
        r = pthread_mutexattr_setprotocol(&a, PTHREAD_PRIO_INHERIT);
    if (!r)
        r = pthread_mutexattr_settype(&a, type);
    if (!r)
        r = pthread_mutex_init(mx, &a);
    pthread_mutexattr_destroy(&a);
    return r;
}

static void *adder(void *p)
{
    (void)p;
    for (int i = 0; i < ITERS; i++) {
        if (pthread_mutex_lock(&m))
            return (void *)1;
        counter++;
        if (pthread_mutex_unlock(&m))
            return (void *)1;
    }
    return NULL;
}

static sem_t held, release;

static void *holder(void *p)
{
    pthread_mutex_t *mx = p;
    pthread_mutex_lock(mx);
    sem_post(&held);
    sem_wait(&release);
    pthread_mutex_unlock(mx);
    return NULL;
}

static void *foreign_unlock(void *p)
{
    return (void *)(intptr_t)pthread_mutex_unlock(p);
}

static int word2;

static long futex(int *uaddr, int op, int val);

/* Takes word2 with the raw call, holds it until told, frees it. */
static void *raw_holder(void *p)
{
    (void)p;
    if (futex(&word2, FUTEX_LOCK_PI | FUTEX_PRIVATE_FLAG, 0))
        return (void *)1;
    sem_post(&held);
    sem_wait(&release);
    return futex(&word2, FUTEX_UNLOCK_PI | FUTEX_PRIVATE_FLAG, 0) ? (void *)1 : NULL;
}

static long elapsed_ms(const struct timespec *a, const struct timespec *b)
{
    return (b->tv_sec - a->tv_sec) * 1000 + (b->tv_nsec - a->tv_nsec) / 1000000;
}

static long futex(int *uaddr, int op, int val)
{
    return syscall(SYS_futex, uaddr, op, val, NULL, NULL, 0);
}

int main(void)
{
    printf("== %d threads x %d increments under a PI mutex\n", NT, ITERS);
    CHECK_EQ(init_pi(&m, PTHREAD_MUTEX_NORMAL), 0);
    pthread_t t[NT];
    for (int i = 0; i < NT; i++)
        CHECK_EQ(pthread_create(&t[i], NULL, adder, NULL), 0);
    int bad = 0;
    for (int i = 0; i < NT; i++) {
        void *r;
        CHECK_EQ(pthread_join(t[i], &r), 0);
        bad += r != NULL;
    }
    CHECK_EQ(bad, 0);
    CHECK_EQ(counter, (long)NT * ITERS);

    printf("== trylock and timedlock of a held PI mutex\n");
    CHECK_EQ(sem_init(&held, 0, 0), 0);
    CHECK_EQ(sem_init(&release, 0, 0), 0);
    pthread_t h;
    CHECK_EQ(pthread_create(&h, NULL, holder, &m), 0);
    CHECK_EQ(sem_wait(&held), 0);
    CHECK_EQ(pthread_mutex_trylock(&m), EBUSY);
    struct timespec t0, t1, dl;
    clock_gettime(CLOCK_REALTIME, &t0);
    dl = t0;
    dl.tv_nsec += 30 * 1000000;
    if (dl.tv_nsec >= 1000000000) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000;
    }
    CHECK_EQ(pthread_mutex_timedlock(&m, &dl), ETIMEDOUT);
    clock_gettime(CLOCK_REALTIME, &t1);
    CHECK(elapsed_ms(&t0, &t1) >= 25);
    CHECK_EQ(sem_post(&release), 0);
    CHECK_EQ(pthread_join(h, NULL), 0);
    CHECK_EQ(pthread_mutex_lock(&m), 0);     /* free again */
    CHECK_EQ(pthread_mutex_unlock(&m), 0);
    CHECK_EQ(pthread_mutex_destroy(&m), 0);

    printf("== error-checking PI mutex\n");
    pthread_mutex_t e;
    CHECK_EQ(init_pi(&e, PTHREAD_MUTEX_ERRORCHECK), 0);
    CHECK_EQ(pthread_mutex_lock(&e), 0);
    CHECK_EQ(pthread_mutex_lock(&e), EDEADLK);
    void *r;
    CHECK_EQ(pthread_create(&h, NULL, foreign_unlock, &e), 0);
    CHECK_EQ(pthread_join(h, &r), 0);
    CHECK_EQ((int)(intptr_t)r, EPERM);
    CHECK_EQ(pthread_mutex_unlock(&e), 0);
    CHECK_EQ(pthread_mutex_destroy(&e), 0);

    printf("== the raw calls\n");
    static int word;
    int tid = (int)syscall(SYS_gettid);
    CHECK_EQ(futex(&word, FUTEX_LOCK_PI | FUTEX_PRIVATE_FLAG, 0), 0);
    CHECK(word == tid);
    CHECK_ERR(futex(&word, FUTEX_LOCK_PI | FUTEX_PRIVATE_FLAG, 0), EDEADLK);
    CHECK_EQ(futex(&word, FUTEX_UNLOCK_PI | FUTEX_PRIVATE_FLAG, 0), 0);
    CHECK_EQ(word, 0);
    CHECK_ERR(futex(&word, FUTEX_UNLOCK_PI | FUTEX_PRIVATE_FLAG, 0), EPERM);
    CHECK_EQ(futex(&word, FUTEX_TRYLOCK_PI | FUTEX_PRIVATE_FLAG, 0), 0);
    CHECK(word == tid);
    CHECK_EQ(futex(&word, FUTEX_UNLOCK_PI | FUTEX_PRIVATE_FLAG, 0), 0);
    CHECK_EQ(pthread_create(&h, NULL, raw_holder, NULL), 0);
    CHECK_EQ(sem_wait(&held), 0);
    CHECK_ERR(futex(&word2, FUTEX_TRYLOCK_PI | FUTEX_PRIVATE_FLAG, 0), EAGAIN);
    CHECK_ERR(futex(&word2, FUTEX_UNLOCK_PI | FUTEX_PRIVATE_FLAG, 0), EPERM);
    CHECK_EQ(sem_post(&release), 0);
    CHECK_EQ(pthread_join(h, &r), 0);
    CHECK(r == NULL);
    CHECK_EQ(word2, 0);
    return guest_done();
}
