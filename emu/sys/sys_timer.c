/*
 * Timers that send signals: alarm, getitimer, setitimer and the POSIX timer
 * calls.  The handlers copy and check the guest's values; emu/kernel/timer.c
 * keeps and fires the timers.
 */
#include "syscall_handlers.h"
#include "../kernel/task.h"
#include "../kernel/timer.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/signal.h"
#include "../../abi/linux/time.h"

#define KTIME_SEC_MAX (INT64_MAX / NSEC_PER_SEC)

/* Linux's timespec64_to_ns and friends: a value past KTIME_MAX saturates. */
static s64 sec_ns(s64 sec, s64 ns)
{
	return sec >= KTIME_SEC_MAX ? INT64_MAX : sec * NSEC_PER_SEC + ns;
}

static bool timeval_valid(const struct linux_timeval *tv)
{
	return tv->tv_sec >= 0 && tv->tv_usec >= 0 && tv->tv_usec < 1000000;
}

static bool timespec_valid(const struct linux_timespec *ts)
{
	return ts->tv_sec >= 0 && ts->tv_nsec >= 0 && ts->tv_nsec < NSEC_PER_SEC;
}

static struct linux_timeval ns_to_timeval(s64 ns)
{
	return (struct linux_timeval){ ns / NSEC_PER_SEC, ns % NSEC_PER_SEC / NSEC_PER_USEC };
}

static struct linux_timespec ns_to_timespec(s64 ns)
{
	return (struct linux_timespec){ ns / NSEC_PER_SEC, ns % NSEC_PER_SEC };
}

static long get_itimerval(struct task *t, u64 uvalue, struct ktimer_spec *val)
{
	struct linux_itimerval it;

	if (copy_from_user(t, &it, uvalue, sizeof(it)))
		return -LINUX_EFAULT;
	if (!timeval_valid(&it.it_value) || !timeval_valid(&it.it_interval))
		return -LINUX_EINVAL;
	val->interval = sec_ns(it.it_interval.tv_sec, it.it_interval.tv_usec * NSEC_PER_USEC);
	val->value = sec_ns(it.it_value.tv_sec, it.it_value.tv_usec * NSEC_PER_USEC);
	return 0;
}

static long put_itimerval(struct task *t, u64 uvalue, const struct ktimer_spec *val)
{
	struct linux_itimerval it = { ns_to_timeval(val->interval), ns_to_timeval(val->value) };

	return copy_to_user(t, uvalue, &it, sizeof(it)) ? -LINUX_EFAULT : 0;
}

static long get_itimerspec(struct task *t, u64 uvalue, struct ktimer_spec *val)
{
	struct linux_itimerspec it;

	if (copy_from_user(t, &it, uvalue, sizeof(it)))
		return -LINUX_EFAULT;
	if (!timespec_valid(&it.it_value) || !timespec_valid(&it.it_interval))
		return -LINUX_EINVAL;
	val->interval = sec_ns(it.it_interval.tv_sec, it.it_interval.tv_nsec);
	val->value = sec_ns(it.it_value.tv_sec, it.it_value.tv_nsec);
	return 0;
}

static long put_itimerspec(struct task *t, u64 uvalue, const struct ktimer_spec *val)
{
	struct linux_itimerspec it = { ns_to_timespec(val->interval), ns_to_timespec(val->value) };

	return copy_to_user(t, uvalue, &it, sizeof(it)) ? -LINUX_EFAULT : 0;
}

long sys_getitimer(struct task *t, int which, u64 uvalue)
{
	struct ktimer_spec cur;
	long err = do_getitimer(t, which, &cur);

	return err ? err : put_itimerval(t, uvalue, &cur);
}

/* A NULL new value disarms: the "misfeature" Linux still supports. */
long sys_setitimer(struct task *t, int which, u64 uvalue, u64 uovalue)
{
	struct ktimer_spec val = { 0, 0 }, old;
	long err;

	if (uvalue && (err = get_itimerval(t, uvalue, &val)))
		return err;
	if ((err = do_setitimer(t, which, &val, uovalue ? &old : NULL)))
		return err;
	return uovalue ? put_itimerval(t, uovalue, &old) : 0;
}

/* The seconds left, rounded as Linux does: never 0 while an alarm is pending. */
long sys_alarm(struct task *t, u32 seconds)
{
	struct ktimer_spec val = { 0, (s64)seconds * NSEC_PER_SEC }, old;
	s64 sec, nsec;

	if (do_setitimer(t, LINUX_ITIMER_REAL, &val, &old))
		return 0;
	sec = old.value / NSEC_PER_SEC;
	nsec = old.value % NSEC_PER_SEC;
	if ((!sec && nsec) || nsec >= NSEC_PER_SEC / 2)
		sec++;
	return sec;
}

long sys_timer_create(struct task *t, int which_clock, u64 utimer_event_spec, u64 ucreated_timer_id)
{
	struct linux_sigevent ev;
	long id;
	int kid;

	if (utimer_event_spec && copy_from_user(t, &ev, utimer_event_spec, sizeof(ev)))
		return -LINUX_EFAULT;
	id = do_timer_create(t, which_clock, utimer_event_spec ? &ev : NULL);
	if (id < 0)
		return id;
	kid = (int)id;
	if (copy_to_user(t, ucreated_timer_id, &kid, sizeof(kid))) {
		do_timer_delete(t, kid);
		return -LINUX_EFAULT;
	}
	return 0;
}

long sys_timer_settime(struct task *t, int timer_id, int flags, u64 unew_setting, u64 uold_setting)
{
	struct ktimer_spec val, old;
	long err;

	if (!unew_setting)
		return -LINUX_EINVAL;
	if ((err = get_itimerspec(t, unew_setting, &val)))
		return err;
	if ((err = do_timer_settime(t, timer_id, flags, &val, uold_setting ? &old : NULL)))
		return err;
	return uold_setting ? put_itimerspec(t, uold_setting, &old) : 0;
}

long sys_timer_gettime(struct task *t, int timer_id, u64 usetting)
{
	struct ktimer_spec cur;
	long err = do_timer_gettime(t, timer_id, &cur);

	return err ? err : put_itimerspec(t, usetting, &cur);
}

long sys_timer_getoverrun(struct task *t, int timer_id)
{
	return do_timer_getoverrun(t, timer_id);
}

long sys_timer_delete(struct task *t, int timer_id)
{
	return do_timer_delete(t, timer_id);
}
