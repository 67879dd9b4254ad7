/* thr_robust.c: robust mutexes whose owner thread dies holding them.
 *   - owner returns while holding: the next lock gives EOWNERDEAD,
 *     pthread_mutex_consistent makes the mutex usable again;
 *   - not made consistent: after unlock it is ENOTRECOVERABLE for good;
 *   - a thread already blocked in pthread_mutex_lock when the owner dies is
 *     woken with EOWNERDEAD;
 *   - an owner holding three robust mutexes: each reports EOWNERDEAD;
 *   - an owner that ends with the raw exit syscall (no libc cleanup at all)
 *     holding two process-shared robust mutexes: only the kernel's walk of
 *     the robust list (set_robust_list) can release them, and a waiter
 *     blocked on one is woken;
 *   - an error-checking robust mutex, and a process-shared one in a
 *     MAP_SHARED mapping.
 * All checks run in the main thread, after the threads involved are done. */
#include "guest.h"
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <sys/mman.h>
#include <time.h>

static int init_robust(pthread_mutex_t *m, int type, int pshared)
{
    pthread_mutexattr_t a;
    int r = pthread_mutexattr_init(&a);
    if (!r)
        r = pthread_mutexattr_setrobust(&a, PTHREAD_MUTEX_ROBUST);
    if (!r)
        r = pthread_mutexattr_settype(&a, type);
    if (!r && pshared)
        r = pthread_mutexattr_setpshared(&a, PTHREAD_PROCESS_SHARED);
    if (!r)
        r = pthread_mutex_init(m, &a);
    pthread_mutexattr_destroy(&a);
    return r;
}

/* Owner: lock every mutex of a NULL-terminated list and die holding them. */
struct owner_arg {
    pthread_mutex_t **mutexes;
    int lock_results;       /* OR of the lock results: 0 */
    sem_t *locked;          /* posted once all are held (optional) */
    long hold_ms;           /* how long to hold them before dying */
    int raw_exit;           /* end with the raw exit syscall */
    int alive;              /* raw exit: cleared and futex-woken by the kernel */
};

static void *owner(void *p)
{
    struct owner_arg *a = p;
    for (pthread_mutex_t **m = a->mutexes; *m; m++)
        a->lock_results |= pthread_mutex_lock(*m);
    if (a->locked)
        sem_post(a->locked);
    if (a->hold_ms)
        sleep_ms(a->hold_ms);
    if (a->raw_exit) {
        /* The kernel clears the set_tid_address word as the thread dies;
         * musl's is its thread-list lock, which the dying thread does not
         * hold: have it clear a word of ours instead (main waits for it). */
        syscall(SYS_set_tid_address, (long)&a->alive);
        syscall(SYS_exit, 0L);
    }
    return NULL;
}

static int run_owner(struct owner_arg *a)
{
    pthread_t t;
    if (pthread_create(&t, NULL, owner, a) != 0)
        return -1;
    if (pthread_join(t, NULL) != 0)
        return -1;
    return a->lock_results;
}

/* Waiter: block in pthread_mutex_lock, then make the mutex consistent. */
struct waiter_arg {
    pthread_mutex_t *m;
    int lock_result, consistent_result, unlock_result;
};

static void *waiter(void *p)
{
    struct waiter_arg *w = p;
    w->lock_result = pthread_mutex_lock(w->m);
    w->consistent_result = -1;
    if (w->lock_result == EOWNERDEAD)
        w->consistent_result = pthread_mutex_consistent(w->m);
    w->unlock_result = pthread_mutex_unlock(w->m);
    return NULL;
}

/* get_robust_list: the head the libc registered, by pid 0 and by tid, and
 * the errors: no such thread, a bad pointer. */
static void test_get_robust_list(void)
{
    void *h0 = (void *)1, *h1 = (void *)2;
    size_t l0 = 0, l1 = 0;
    printf("== get_robust_list\n");
    CHECK_EQ(syscall(SYS_get_robust_list, 0, &h0, &l0), 0);
    CHECK_EQ(syscall(SYS_get_robust_list, (int)syscall(SYS_gettid), &h1, &l1), 0);
    CHECK(h0 == h1);
    CHECK_EQ(l0, 24);
    CHECK_EQ(l1, 24);
    CHECK_ERR(syscall(SYS_get_robust_list, 0x3ffffff0, &h1, &l1), ESRCH);
    CHECK_ERR(syscall(SYS_get_robust_list, 0, (void *)8, &l1), EFAULT);
    CHECK_ERR(syscall(SYS_set_robust_list, h0, 23), EINVAL);
    CHECK_EQ(syscall(SYS_set_robust_list, h0, 24), 0);
}

int main(void)
{
    pthread_mutex_t m1, m2, m3;

    printf("== owner returns holding the mutex\n");
    {
        pthread_mutex_t *list[] = {&m1, NULL};
        struct owner_arg a = {list, 0, NULL, 0, 0, 0};
        CHECK_EQ(init_robust(&m1, PTHREAD_MUTEX_NORMAL, 0), 0);
        CHECK_EQ(run_owner(&a), 0);
        CHECK_EQ(pthread_mutex_lock(&m1), EOWNERDEAD);
        CHECK_EQ(pthread_mutex_consistent(&m1), 0);
        CHECK_EQ(pthread_mutex_unlock(&m1), 0);
        CHECK_EQ(pthread_mutex_lock(&m1), 0);     /* an ordinary mutex again */
        CHECK_EQ(pthread_mutex_unlock(&m1), 0);
        CHECK_EQ(pthread_mutex_trylock(&m1), 0);
        CHECK_EQ(pthread_mutex_unlock(&m1), 0);
        CHECK_EQ(pthread_mutex_destroy(&m1), 0);
    }

    printf("== trylock sees the dead owner too\n");
    {
        pthread_mutex_t *list[] = {&m1, NULL};
        struct owner_arg a = {list, 0, NULL, 0, 0, 0};
        CHECK_EQ(init_robust(&m1, PTHREAD_MUTEX_NORMAL, 0), 0);
        CHECK_EQ(run_owner(&a), 0);
        CHECK_EQ(pthread_mutex_trylock(&m1), EOWNERDEAD);
        CHECK_EQ(pthread_mutex_consistent(&m1), 0);
        CHECK_EQ(pthread_mutex_unlock(&m1), 0);
        CHECK_EQ(pthread_mutex_destroy(&m1), 0);
    }

    printf("== not made consistent: ENOTRECOVERABLE\n");
    {
        pthread_mutex_t *list[] = {&m1, NULL};
        struct owner_arg a = {list, 0, NULL, 0, 0, 0};
        CHECK_EQ(init_robust(&m1, PTHREAD_MUTEX_NORMAL, 0), 0);
        CHECK_EQ(run_owner(&a), 0);
        CHECK_EQ(pthread_mutex_lock(&m1), EOWNERDEAD);
        CHECK_EQ(pthread_mutex_unlock(&m1), 0);
        CHECK_EQ(pthread_mutex_lock(&m1), ENOTRECOVERABLE);
        CHECK_EQ(pthread_mutex_trylock(&m1), ENOTRECOVERABLE);
        CHECK_EQ(pthread_mutex_destroy(&m1), 0);
    }

    printf("== a waiter blocked in lock when the owner dies\n");
    {
        sem_t locked;
        pthread_mutex_t *list[] = {&m1, NULL};
        struct owner_arg a = {list, 0, &locked, 50, 0, 0};
        struct waiter_arg w = {&m1, -1, -1, -1};
        pthread_t to, tw;
        CHECK_EQ(sem_init(&locked, 0, 0), 0);
        CHECK_EQ(init_robust(&m1, PTHREAD_MUTEX_NORMAL, 0), 0);
        CHECK_EQ(pthread_create(&to, NULL, owner, &a), 0);
        CHECK_EQ(sem_wait(&locked), 0);            /* the owner holds it */
        CHECK_EQ(pthread_create(&tw, NULL, waiter, &w), 0);
        CHECK_EQ(pthread_join(to, NULL), 0);
        CHECK_EQ(pthread_join(tw, NULL), 0);
        CHECK_EQ(a.lock_results, 0);
        CHECK_EQ(w.lock_result, EOWNERDEAD);
        CHECK_EQ(w.consistent_result, 0);
        CHECK_EQ(w.unlock_result, 0);
        CHECK_EQ(pthread_mutex_lock(&m1), 0);
        CHECK_EQ(pthread_mutex_unlock(&m1), 0);
        CHECK_EQ(pthread_mutex_destroy(&m1), 0);
        CHECK_EQ(sem_destroy(&locked), 0);
    }

    printf("== an owner holding three robust mutexes\n");
    {
        pthread_mutex_t *list[] = {&m1, &m2, &m3, NULL};
        struct owner_arg a = {list, 0, NULL, 0, 0, 0};
        CHECK_EQ(init_robust(&m1, PTHREAD_MUTEX_NORMAL, 0), 0);
        CHECK_EQ(init_robust(&m2, PTHREAD_MUTEX_NORMAL, 0), 0);
        CHECK_EQ(init_robust(&m3, PTHREAD_MUTEX_NORMAL, 0), 0);
        CHECK_EQ(run_owner(&a), 0);
        CHECK_EQ(pthread_mutex_lock(&m2), EOWNERDEAD);
        CHECK_EQ(pthread_mutex_lock(&m3), EOWNERDEAD);
        CHECK_EQ(pthread_mutex_lock(&m1), EOWNERDEAD);
        CHECK_EQ(pthread_mutex_consistent(&m1), 0);
        CHECK_EQ(pthread_mutex_consistent(&m2), 0);
        CHECK_EQ(pthread_mutex_consistent(&m3), 0);
        CHECK_EQ(pthread_mutex_unlock(&m3), 0);
        CHECK_EQ(pthread_mutex_unlock(&m2), 0);
        CHECK_EQ(pthread_mutex_unlock(&m1), 0);
        CHECK_EQ(pthread_mutex_destroy(&m1), 0);
        CHECK_EQ(pthread_mutex_destroy(&m2), 0);
        CHECK_EQ(pthread_mutex_destroy(&m3), 0);
    }

    printf("== raw exit syscall: the kernel's robust list walk\n");
    {
        /* The owner ends without any libc code running, so it cannot be
         * joined portably (musl's join does not notice a raw exit) and is
         * never freed; main just blocks in lock until the kernel has
         * released the mutexes and woken it. The mutexes are process-shared
         * because musl registers its robust list with the kernel only for
         * those (private ones it releases itself in pthread_exit). */
        sem_t locked;
        pthread_mutex_t *list[] = {&m1, &m2, NULL};
        struct owner_arg a = {list, 0, &locked, 30, 1, 1};
        pthread_attr_t attr;
        pthread_t to;
        CHECK_EQ(sem_init(&locked, 0, 0), 0);
        CHECK_EQ(init_robust(&m1, PTHREAD_MUTEX_NORMAL, 1), 0);
        CHECK_EQ(init_robust(&m2, PTHREAD_MUTEX_NORMAL, 1), 0);
        CHECK_EQ(pthread_attr_init(&attr), 0);
        CHECK_EQ(pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED), 0);
        CHECK_EQ(pthread_create(&to, &attr, owner, &a), 0);
        CHECK_EQ(sem_wait(&locked), 0);
        CHECK_EQ(a.lock_results, 0);
        CHECK_EQ(pthread_mutex_lock(&m1), EOWNERDEAD);   /* blocks, then woken */
        CHECK_EQ(pthread_mutex_consistent(&m1), 0);
        CHECK_EQ(pthread_mutex_unlock(&m1), 0);
        CHECK_EQ(pthread_mutex_lock(&m2), EOWNERDEAD);
        CHECK_EQ(pthread_mutex_consistent(&m2), 0);
        CHECK_EQ(pthread_mutex_unlock(&m2), 0);
        while (__atomic_load_n(&a.alive, __ATOMIC_ACQUIRE))  /* the owner is gone */
            syscall(SYS_futex, &a.alive, 0 /* FUTEX_WAIT */, 1, NULL, NULL, 0);
        CHECK_EQ(pthread_attr_destroy(&attr), 0);
    }

    printf("== error-checking robust mutex\n");
    {
        pthread_mutex_t *list[] = {&m1, NULL};
        struct owner_arg a = {list, 0, NULL, 0, 0, 0};
        CHECK_EQ(init_robust(&m1, PTHREAD_MUTEX_ERRORCHECK, 0), 0);
        CHECK_EQ(run_owner(&a), 0);
        CHECK_EQ(pthread_mutex_lock(&m1), EOWNERDEAD);
        CHECK_EQ(pthread_mutex_consistent(&m1), 0);
        CHECK_EQ(pthread_mutex_lock(&m1), EDEADLK);      /* we own it now */
        CHECK_EQ(pthread_mutex_unlock(&m1), 0);
        CHECK_EQ(pthread_mutex_unlock(&m1), EPERM);
        CHECK_EQ(pthread_mutex_destroy(&m1), 0);
    }

    printf("== process-shared robust mutex in a MAP_SHARED page\n");
    {
        pthread_mutex_t *sm = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
                                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        CHECK(sm != MAP_FAILED);
        if (sm != MAP_FAILED) {
            pthread_mutex_t *list[] = {sm, NULL};
            struct owner_arg a = {list, 0, NULL, 0, 0, 0};
            CHECK_EQ(init_robust(sm, PTHREAD_MUTEX_NORMAL, 1), 0);
            CHECK_EQ(run_owner(&a), 0);
            CHECK_EQ(pthread_mutex_lock(sm), EOWNERDEAD);
            CHECK_EQ(pthread_mutex_consistent(sm), 0);
            CHECK_EQ(pthread_mutex_unlock(sm), 0);
            CHECK_EQ(pthread_mutex_lock(sm), 0);
            CHECK_EQ(pthread_mutex_unlock(sm), 0);
            CHECK_EQ(pthread_mutex_destroy(sm), 0);
            CHECK_EQ(munmap(sm, 4096), 0);
        }
    }

    test_get_robust_list();
    return guest_done();
}
