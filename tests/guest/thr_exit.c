/* thr_exit.c: how a multi-threaded process ends. `thr_exit [MODE]`:
 *   pthread_exit (default)  main calls pthread_exit while 3 threads keep
 *       running; they see main's cleanup handler and thread-specific-data
 *       destructor run, go on working (one creates and joins another
 *       thread), print in a fixed order (a semaphore chain) and finish. The
 *       last one to end makes the process exit with status 0.
 *   exit_group      a side thread calls exit(3) while main is blocked in
 *       pthread_join, one thread is blocked in sem_wait and one spins on the
 *       CPU: the atexit handler runs, stdout is flushed, everything stops,
 *       the status is 3 and nothing else is printed.
 *   exit_group_raw  the same with syscall(SYS_exit_group, 3): no atexit
 *       handler, no flush (the text before it was flushed explicitly).
 *   main_gone_exit  main calls pthread_exit, then a side thread joins
 *       main and calls exit(4): the status is 4.
 *   raw_exit_leader_last  every thread ends with the raw exit syscall
 *       (the thread only, no libc bookkeeping): the side thread with 5, then
 *       main with 7, once the kernel has cleared and futex-woken the side
 *       thread's set_tid_address word. The status is 7.
 *   raw_exit_leader_first  the same, but main exits (7) first and the side
 *       thread (5) 30 ms later. Linux 6.18 reports the last thread's code,
 *       5; kernels that report the group leader's code give 7, so this mode
 *       depends on the host kernel the native run uses.
 *
 * CMake registration (tests/guest/CMakeLists.txt):
 *   guest_test(thr_exit thr_exit)
 *   foreach(mode exit_group exit_group_raw main_gone_exit raw_exit_leader_last
 *                raw_exit_leader_first)
 *     guest_test(thr_exit-${mode} thr_exit ARGS ${mode})
 *   endforeach()
 */
#include "guest.h"
#include <pthread.h>
#include <semaphore.h>
#include <stdint.h>
#include <time.h>

#define FUTEX_WAIT 0   /* <linux/futex.h> is not in musl-gcc's path */

/* ---- pthread_exit from main ---- */
#define NSIDE 3
static pid_t main_pid;
static sem_t main_gone;          /* posted NSIDE times by main's destructor */
static sem_t turn[NSIDE + 1];    /* print order: thread 0, 1, 2 */
static pthread_key_t key;
static int cleanup_ran;

static void main_destructor(void *v)
{
    /* runs in the main thread inside pthread_exit, after the cleanup handler */
    if ((intptr_t)v == 42 && cleanup_ran)
        for (int i = 0; i < NSIDE; i++)
            sem_post(&main_gone);
}

static void main_cleanup(void *v)
{
    (void)v;
    cleanup_ran = 1;
}

static void *grandchild(void *p)
{
    return (void *)((intptr_t)p * 2);
}

static void *side(void *p)
{
    int id = (int)(intptr_t)p;
    sem_wait(&main_gone);
    sleep_ms(20 + 10 * id);   /* main is well gone by now */
    long work = 0;
    for (long i = 0; i < 1000000; i++)
        work += i % 7;
    int ok_pid = getpid() == main_pid;
    int ok_child = 1;
    if (id == NSIDE - 1) {
        /* create and join a thread after the main thread has exited */
        pthread_t t;
        void *r = NULL;
        if (pthread_create(&t, NULL, grandchild, (void *)(intptr_t)21) != 0 ||
            pthread_join(t, &r) != 0 || (intptr_t)r != 42)
            ok_child = 0;
    }
    sem_wait(&turn[id]);
    printf("thread %d: work %ld, same pid %d", id, work, ok_pid);
    if (id == NSIDE - 1)
        printf(", created and joined a thread %d", ok_child);
    printf("\n");
    fflush(stdout);
    sem_post(&turn[id + 1]);
    return NULL;
}

static int mode_pthread_exit(void)
{
    main_pid = getpid();
    sem_init(&main_gone, 0, 0);
    for (int i = 0; i <= NSIDE; i++)
        sem_init(&turn[i], 0, i == 0);
    pthread_key_create(&key, main_destructor);
    pthread_setspecific(key, (void *)(intptr_t)42);
    pthread_t t;
    for (int i = 0; i < NSIDE; i++)
        if (pthread_create(&t, NULL, side, (void *)(intptr_t)i) != 0) {
            printf("FAIL pthread_create\n");
            return 1;
        }
    printf("main: calling pthread_exit\n");
    fflush(stdout);
    pthread_cleanup_push(main_cleanup, NULL);
    pthread_exit(NULL);
    pthread_cleanup_pop(0);
    printf("FAIL main returned from pthread_exit\n");
    return 1;
}

/* ---- exit / exit_group from a side thread ---- */
static sem_t never;
static volatile long spinning;

static void at_exit_handler(void)
{
    printf("atexit handler ran\n");
}

static void *blocked_thread(void *p)
{
    (void)p;
    sem_wait(&never);
    printf("FAIL blocked thread woke up\n");
    return NULL;
}

static void *spinning_thread(void *p)
{
    (void)p;
    for (;;)
        spinning++;
    return NULL;
}

static void *exiting_thread(void *p)
{
    int raw = (int)(intptr_t)p;
    sleep_ms(30);             /* main is in pthread_join by now */
    printf("side thread: calling %s(3)\n", raw ? "exit_group" : "exit");
    if (raw) {
        fflush(stdout);
        syscall(SYS_exit_group, 3L);
    } else {
        exit(3);
    }
    printf("FAIL still running after exit\n");
    return NULL;
}

static int mode_exit_group(int raw)
{
    atexit(at_exit_handler);
    sem_init(&never, 0, 0);
    pthread_t b, s, e;
    if (pthread_create(&b, NULL, blocked_thread, NULL) != 0 ||
        pthread_create(&s, NULL, spinning_thread, NULL) != 0 ||
        pthread_create(&e, NULL, exiting_thread, (void *)(intptr_t)raw) != 0) {
        printf("FAIL pthread_create\n");
        return 1;
    }
    printf("main: joining the exiting thread\n");
    fflush(stdout);
    pthread_join(e, NULL);
    printf("FAIL pthread_join returned\n");
    return 1;
}

/* ---- exit from a side thread after main's pthread_exit ---- */
static void *late_exit_thread(void *p)
{
    /* Wait for main's pthread_exit to be over, not just begun: exit() runs
     * the static binary's destructors, which deregister the unwind tables
     * main's pthread_exit may still be using. */
    pthread_join(*(pthread_t *)p, NULL);
    printf("side thread: calling exit(4) after main's pthread_exit\n");
    exit(4);
}

static int mode_main_gone_exit(void)
{
    atexit(at_exit_handler);
    static pthread_t t, main_thread;
    main_thread = pthread_self();
    if (pthread_create(&t, NULL, late_exit_thread, &main_thread) != 0) {
        printf("FAIL pthread_create\n");
        return 1;
    }
    printf("main: calling pthread_exit\n");
    fflush(stdout);
    pthread_exit(NULL);
}

/* ---- raw exit syscalls of every thread ---- */
static int side_alive = 1;   /* cleared and futex-woken by the kernel */

static void *raw_exit_thread(void *p)
{
    int wait_first = (int)(intptr_t)p;
    /* musl's pthread_join does not notice a raw exit; have the kernel clear
     * and wake a word of our own instead (clear_child_tid) */
    syscall(SYS_set_tid_address, (long)&side_alive);
    if (wait_first)
        sleep_ms(30);   /* main has exited by now */
    printf("side thread: raw exit(5)\n");
    fflush(stdout);
    syscall(SYS_exit, 5L);
    return NULL;
}

static int mode_raw_exit(int leader_first)
{
    pthread_t t;
    if (pthread_create(&t, NULL, raw_exit_thread, (void *)(intptr_t)leader_first) != 0) {
        printf("FAIL pthread_create\n");
        return 1;
    }
    if (!leader_first) {
        int v;
        while ((v = __atomic_load_n(&side_alive, __ATOMIC_ACQUIRE)) != 0)
            syscall(SYS_futex, (long)&side_alive, (long)FUTEX_WAIT, (long)v, 0L, 0L, 0L);
        printf("main: the side thread is gone\n");
    }
    printf("main: raw exit(7)\n");
    fflush(stdout);
    syscall(SYS_exit, 7L);
    printf("FAIL main still running\n");
    return 1;
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "pthread_exit";
    if (!strcmp(mode, "pthread_exit"))
        return mode_pthread_exit();
    if (!strcmp(mode, "exit_group"))
        return mode_exit_group(0);
    if (!strcmp(mode, "exit_group_raw"))
        return mode_exit_group(1);
    if (!strcmp(mode, "main_gone_exit"))
        return mode_main_gone_exit();
    if (!strcmp(mode, "raw_exit_leader_last"))
        return mode_raw_exit(0);
    if (!strcmp(mode, "raw_exit_leader_first"))
        return mode_raw_exit(1);
    fprintf(stderr, "usage: thr_exit [pthread_exit|exit_group|exit_group_raw|"
                    "main_gone_exit|raw_exit_leader_last|raw_exit_leader_first]\n");
    return 2;
}
