/* clocks.c: time: clock_gettime for the common clocks (sane, normalized,
 * MONOTONIC never going back), gettimeofday/time/CLOCK_REALTIME agreeing
 * within 2 s, nanosleep and clock_nanosleep (relative and TIMER_ABSTIME)
 * sleeping at least as asked, clock_getres, and the EINVAL cases. */
#include "guest.h"
#include <sys/time.h>
#include <time.h>

static long long ns_of(struct timespec t)
{
    return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static long long now_ns(clockid_t clk)
{
    struct timespec t;
    clock_gettime(clk, &t);
    return ns_of(t);
}

static void test_gettime(void)
{
    static const clockid_t clocks[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW,
                                       CLOCK_BOOTTIME, CLOCK_PROCESS_CPUTIME_ID,
                                       CLOCK_THREAD_CPUTIME_ID, CLOCK_REALTIME_COARSE,
                                       CLOCK_MONOTONIC_COARSE};
    for (size_t i = 0; i < sizeof clocks / sizeof clocks[0]; i++) {
        struct timespec t = {-1, -1};
        int r = (int)syscall(SYS_clock_gettime, clocks[i], &t);
        printf("clock %d: ", (int)clocks[i]);
        CHECK(r == 0 && t.tv_sec >= 0 && t.tv_nsec >= 0 && t.tv_nsec < 1000000000);
    }
    CHECK(now_ns(CLOCK_REALTIME) / 1000000000 > 1600000000);   /* after 2020 */
    struct timespec t;
    CHECK_ERR(syscall(SYS_clock_gettime, 1234, &t), EINVAL);
}

static void test_monotonic(void)
{
    long long prev = now_ns(CLOCK_MONOTONIC);
    int backwards = 0;
    for (int i = 0; i < 2000; i++) {
        long long t = now_ns(CLOCK_MONOTONIC);
        backwards += t < prev;
        prev = t;
    }
    CHECK_EQ(backwards, 0);
}

static void test_agree(void)
{
    struct timeval tv;
    CHECK_EQ(gettimeofday(&tv, NULL), 0);
    time_t t = time(NULL);
    long long rt = now_ns(CLOCK_REALTIME) / 1000000000;
    CHECK(tv.tv_usec >= 0 && tv.tv_usec < 1000000);
    CHECK(t - tv.tv_sec <= 2 && tv.tv_sec - t <= 2);
    CHECK(rt - t <= 2 && t - rt <= 2);
    time_t raw = 0;
    CHECK(syscall(SYS_time, &raw) >= t && raw - t <= 2);
}

static void test_sleep(void)
{
    struct timespec ten_ms = {0, 10000000}, rem = {7, 7};
    long long t0 = now_ns(CLOCK_MONOTONIC);
    CHECK_EQ(nanosleep(&ten_ms, &rem), 0);
    CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 10000000);
    t0 = now_ns(CLOCK_MONOTONIC);
    CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &ten_ms, NULL), 0);
    CHECK(now_ns(CLOCK_MONOTONIC) - t0 >= 10000000);
    long long target = now_ns(CLOCK_MONOTONIC) + 15000000;
    struct timespec abs = {target / 1000000000, target % 1000000000};
    CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &abs, NULL), 0);
    CHECK(now_ns(CLOCK_MONOTONIC) >= target);
    struct timespec past = {0, 1};
    CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL), 0);
    struct timespec zero = {0, 0};
    CHECK_EQ(nanosleep(&zero, NULL), 0);
}

static void test_sleep_errors(void)
{
    struct timespec bad_ns = {0, 1000000000}, neg = {-1, 0};
    CHECK_ERR(syscall(SYS_nanosleep, &bad_ns, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_nanosleep, &neg, NULL), EINVAL);
    /* clock_nanosleep returns the error number itself */
    CHECK_EQ(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad_ns, NULL), EINVAL);
    CHECK_ERR(syscall(SYS_clock_nanosleep, 1234, 0, &bad_ns, NULL), EINVAL);
}

static void test_getres(void)
{
    struct timespec r;
    CHECK_EQ(clock_getres(CLOCK_REALTIME, &r), 0);
    printf("res REALTIME %ld.%09ld\n", (long)r.tv_sec, r.tv_nsec);
    CHECK_EQ(clock_getres(CLOCK_MONOTONIC, &r), 0);
    printf("res MONOTONIC %ld.%09ld\n", (long)r.tv_sec, r.tv_nsec);
    CHECK(r.tv_sec == 0 && r.tv_nsec > 0 && r.tv_nsec <= 1000000);
    CHECK_EQ(syscall(SYS_clock_getres, CLOCK_MONOTONIC, NULL), 0);
    CHECK_ERR(syscall(SYS_clock_getres, 1234, &r), EINVAL);
}

int main(void)
{
    test_gettime();
    test_monotonic();
    test_agree();
    test_sleep();
    test_sleep_errors();
    test_getres();
    return guest_done();
}
