/* Clocks and sleeping: clock_gettime, clock_getres, gettimeofday, time, nanosleep. */
#include <errno.h>
#include <time.h>
#include <sys/time.h>
#include "syscall_handlers.h"
#include "../kernel/task.h"
#include "../kernel/ktime.h"
#include "../fs/file.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/time.h"

/* Guest clock id to host clock id, or -1 for an invalid one. */
static clockid_t host_clock(int clk)
{
	static const clockid_t map[] = {
		[LINUX_CLOCK_REALTIME] = CLOCK_REALTIME,
		[LINUX_CLOCK_MONOTONIC] = CLOCK_MONOTONIC,
		[LINUX_CLOCK_PROCESS_CPUTIME_ID] = CLOCK_PROCESS_CPUTIME_ID,
		[LINUX_CLOCK_THREAD_CPUTIME_ID] = CLOCK_THREAD_CPUTIME_ID,
		[LINUX_CLOCK_MONOTONIC_RAW] = CLOCK_MONOTONIC_RAW,
		[LINUX_CLOCK_REALTIME_COARSE] = CLOCK_REALTIME_COARSE,
		[LINUX_CLOCK_MONOTONIC_COARSE] = CLOCK_MONOTONIC_COARSE,
		[LINUX_CLOCK_BOOTTIME] = CLOCK_BOOTTIME,
		[LINUX_CLOCK_REALTIME_ALARM] = CLOCK_REALTIME_ALARM,
		[LINUX_CLOCK_BOOTTIME_ALARM] = CLOCK_BOOTTIME_ALARM,
		[10] = -1,
		[LINUX_CLOCK_TAI] = CLOCK_TAI,
	};

	if (clk < 0 || clk >= (int)ARRAY_SIZE(map))
		return -1;
	return map[clk];
}

static long put_timespec(struct task *t, u64 uts, const struct timespec *ts)
{
	struct linux_timespec lt = { ts->tv_sec, ts->tv_nsec };

	return copy_to_user(t, uts, &lt, sizeof(lt));
}

long get_user_timespec(struct task *t, u64 uts, struct timespec *ts)
{
	struct linux_timespec lt;

	if (copy_from_user(t, &lt, uts, sizeof(lt)))
		return -LINUX_EFAULT;
	if (lt.tv_sec < 0 || lt.tv_nsec < 0 || lt.tv_nsec >= 1000000000)
		return -LINUX_EINVAL;
	ts->tv_sec = lt.tv_sec;
	ts->tv_nsec = lt.tv_nsec;
	return 0;
}

long sys_clock_gettime(struct task *t, int clk, u64 uts)
{
	clockid_t hc = host_clock(clk);
	struct timespec ts;

	if (hc == (clockid_t)-1 || clock_gettime(hc, &ts))
		return -LINUX_EINVAL;
	return put_timespec(t, uts, &ts);
}

long sys_clock_getres(struct task *t, int clk, u64 uts)
{
	clockid_t hc = host_clock(clk);
	struct timespec ts;

	if (hc == (clockid_t)-1 || clock_getres(hc, &ts))
		return -LINUX_EINVAL;
	return uts ? put_timespec(t, uts, &ts) : 0;
}

long sys_gettimeofday(struct task *t, u64 utv, u64 utz)
{
	struct timespec ts;
	struct linux_timeval tv;
	struct linux_timezone tz = { 0, 0 };

	clock_gettime(CLOCK_REALTIME, &ts);
	tv.tv_sec = ts.tv_sec;
	tv.tv_usec = ts.tv_nsec / 1000;
	if (utv && copy_to_user(t, utv, &tv, sizeof(tv)))
		return -LINUX_EFAULT;
	if (utz && copy_to_user(t, utz, &tz, sizeof(tz)))
		return -LINUX_EFAULT;
	return 0;
}

long sys_time(struct task *t, u64 utloc)
{
	s64 now = time(NULL);

	if (utloc && copy_to_user(t, utloc, &now, sizeof(now)))
		return -LINUX_EFAULT;
	return now;
}

static struct timespec ts_sub(const struct timespec *a, const struct timespec *b)
{
	struct timespec d = { a->tv_sec - b->tv_sec, a->tv_nsec - b->tv_nsec };

	if (d.tv_nsec < 0) {
		d.tv_sec--;
		d.tv_nsec += 1000000000;
	}
	if (d.tv_sec < 0)
		d.tv_sec = d.tv_nsec = 0;
	return d;
}

/*
 * Sleeps until the absolute time deadline on host clock hc, or until a
 * signal.  The task sleeps on CLOCK_MONOTONIC: the deadline is converted
 * once (a CLOCK_REALTIME step during the sleep is not followed).
 * Returns 0 at the deadline, -EINTR on a signal (*left: the time left).
 */
static long sleep_until(struct task *t, clockid_t hc, const struct timespec *deadline,
			struct timespec *left)
{
	struct timespec now, mono;
	long r;

	clock_gettime(hc, &now);
	*left = ts_sub(deadline, &now);
	clock_gettime(CLOCK_MONOTONIC, &mono);
	timespec_add(&mono, left);
	pthread_mutex_lock(&t->sigwait.lock);
	while ((r = task_sleep(t, &t->sigwait, &mono)) == 0)
		;
	pthread_mutex_unlock(&t->sigwait.lock);
	if (r == -LINUX_ETIMEDOUT)
		return 0;
	clock_gettime(hc, &now);
	*left = ts_sub(deadline, &now);
	return -LINUX_EINTR;
}

/* restart_syscall after a relative sleep that no handler interrupted: on to the same deadline. */
static long nanosleep_restart(struct task *t)
{
	struct timespec left;
	long r = sleep_until(t, t->restart_block.clk, &t->restart_block.deadline, &left);

	if (r != -LINUX_EINTR)
		return r;
	t->restart_fn = nanosleep_restart;
	if (t->restart_block.urem && put_timespec(t, t->restart_block.urem, &left))
		return -LINUX_EFAULT;
	return -LINUX_ERESTART_RESTARTBLOCK;
}

/*
 * Linux's hrtimer_nanosleep: interrupted, a relative sleep stores the time
 * left in rem and is restarted (restart_syscall) only when no handler ran,
 * so a handler always makes it fail with EINTR; an absolute one restarts
 * with the same arguments unless a handler ran.
 */
static long do_sleep(struct task *t, clockid_t hc, int flags, u64 ureq, u64 urem)
{
	struct timespec req, deadline, left;
	long err = get_user_timespec(t, ureq, &req);

	if (err)
		return err;
	if (flags & TIMER_ABSTIME) {
		deadline = req;
	} else {
		clock_gettime(hc, &deadline);
		timespec_add(&deadline, &req);
	}
	if (sleep_until(t, hc, &deadline, &left) != -LINUX_EINTR)
		return 0;
	if (flags & TIMER_ABSTIME)
		return -LINUX_ERESTARTNOHAND;
	t->restart_block.clk = hc;
	t->restart_block.deadline = deadline;
	t->restart_block.urem = urem;
	t->restart_fn = nanosleep_restart;
	if (urem && put_timespec(t, urem, &left))
		return -LINUX_EFAULT;
	return -LINUX_ERESTART_RESTARTBLOCK;
}

long sys_nanosleep(struct task *t, u64 ureq, u64 urem)
{
	return do_sleep(t, CLOCK_MONOTONIC, 0, ureq, urem);
}

long sys_clock_nanosleep(struct task *t, int clk, int flags, u64 ureq, u64 urem)
{
	clockid_t hc = host_clock(clk);

	if (clk == LINUX_CLOCK_THREAD_CPUTIME_ID)
		return -LINUX_EINVAL;
	if (hc == (clockid_t)-1)
		return -LINUX_EINVAL;
	return do_sleep(t, hc, flags & LINUX_TIMER_ABSTIME ? TIMER_ABSTIME : 0, ureq, urem);
}
