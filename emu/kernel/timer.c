/*
 * Timers that send signals.  Each thread group keeps its timers in a table
 * (signal_struct->timers): the three setitimer timers and timer_create's
 * POSIX timers.  One host thread, started with the first armed timer,
 * sleeps on CLOCK_MONOTONIC until the earliest wall-clock expiry and sends
 * the signals.  CPU-time timers (ITIMER_VIRTUAL, ITIMER_PROF, the CPU
 * clocks) are approximated with the host CPU time of the group's threads,
 * which the timer thread polls every few milliseconds.
 *
 * Differences from Linux: a periodic timer is re-armed when it fires, not
 * when its signal is delivered, so overruns count only expiries the timer
 * thread itself was late for, never those while the signal stays queued;
 * absolute CLOCK_REALTIME expiries are converted once, when armed; CPU
 * time includes lxemu's own work on the guest's threads (translation, the
 * system calls), loses what exited threads used, and setitimer does not add
 * Linux's one tick to a CPU timer's value.
 */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include "timer.h"
#include "task.h"
#include "signal.h"
#include "locking.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/time.h"

#define KTIME_MAX INT64_MAX
/* A CPU-time timer is looked at this often (Linux checks at each tick). */
#define CPU_POLL_NS (4 * 1000 * 1000LL)
/* Linux reports an expired CPU itimer that has not fired as one tick away (HZ 250). */
#define TICK_NSEC (4 * 1000 * 1000LL)
/* A periodic timer fires no more often than this: the timer thread would spin. */
#define MIN_REARM_NS (50 * 1000LL)

enum ktimer_clock {
	KT_WALL,        /* CLOCK_REALTIME, MONOTONIC, BOOTTIME, TAI: expires on CLOCK_MONOTONIC */
	KT_PROCESS_CPU, /* the group's CPU time: ITIMER_VIRTUAL, ITIMER_PROF, CLOCK_PROCESS_CPUTIME_ID */
	KT_THREAD_CPU,  /* one thread's: CLOCK_THREAD_CPUTIME_ID */
};

/* setitimer's timers sit in the same table under negative ids. */
#define ITIMER_ID(which) (-1 - (which))

struct k_itimer {
	/* all guarded by ktimers.lock */
	struct k_itimer *next;       /* the group's timers */
	struct k_itimer *queue_next; /* the timer thread's queue, while armed */
	struct signal_struct *signal;
	int id;
	enum ktimer_clock kind;
	int clock;          /* timer_create's clock id */
	int cpu_tid;        /* KT_THREAD_CPU: whose time */
	bool armed;
	s64 expires;        /* KT_WALL: CLOCK_MONOTONIC ns; CPU kinds: CPU ns left to run */
	s64 interval;
	s64 cpu_seen;       /* CPU kinds: the clock at the last look */
	int overrun_last;   /* timer_getoverrun: the last signal's si_overrun */
	int notify;         /* LINUX_SIGEV_*: NONE sends nothing */
	int target_tid;     /* SIGEV_THREAD_ID: the thread; else the group */
	int signo;
	union linux_sigval value;
};

/* A thread group's timers (signal_struct->timers). */
struct timer_table {
	struct k_itimer *head;
	int next_id; /* timer_create's next id: 0, 1, 2, ... as Linux hands them out */
};

static struct {
	pthread_mutex_t lock;    /* every timer table and timer; taken above tasks_lock */
	pthread_cond_t cond;     /* on CLOCK_MONOTONIC: the timer thread's sleep (set up once) */
	struct k_itimer *queue;  /* armed KT_WALL timers, earliest first */
	struct k_itimer *cpu_queue; /* armed CPU-time timers, unordered */
} ktimers = { .lock = PTHREAD_MUTEX_INITIALIZER };

static pthread_once_t ktimers_once = PTHREAD_ONCE_INIT;

static s64 ts_to_ns(const struct timespec *ts)
{
	if (ts->tv_sec >= KTIME_MAX / NSEC_PER_SEC)
		return KTIME_MAX;
	return ts->tv_sec * NSEC_PER_SEC + ts->tv_nsec;
}

static s64 clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return ts_to_ns(&ts);
}

static s64 add_sat(s64 a, s64 b)
{
	s64 r;

	return __builtin_add_overflow(a, b, &r) ? KTIME_MAX : r;
}

/* --- CPU time: the host CPU time of the guest's threads ------------------ */

static void add_task_cpu(struct task *p, void *arg)
{
	int clk = atomic_load(&p->host_cpu_clock);
	struct timespec ts;

	if (clk && !clock_gettime(clk - 1, &ts))
		*(s64 *)arg += ts_to_ns(&ts);
}

/* Takes tasks_lock (through task_with_tid). */
static s64 thread_cpu_ns(int tid)
{
	s64 ns = 0;

	task_with_tid(tid, add_task_cpu, &ns);
	return ns;
}

/* The CPU time of the group's live threads; what exited threads used is lost. */
static s64 group_cpu_ns(int tgid)
{
	int tids[256], n = MIN(thread_group_tids(tgid, tids, ARRAY_SIZE(tids)), (int)ARRAY_SIZE(tids));
	s64 ns = 0;

	for (int i = 0; i < n; i++)
		ns += thread_cpu_ns(tids[i]);
	return ns;
}

static s64 timer_cpu_clock(struct k_itimer *tm)
{
	return tm->kind == KT_THREAD_CPU ? thread_cpu_ns(tm->cpu_tid) : group_cpu_ns(tm->signal->tgid);
}

/* Charges the CPU time used since the last look; a clock that went back (a thread exited) rebases. */
static void cpu_timer_update_locked(struct k_itimer *tm)
{
	s64 now = timer_cpu_clock(tm);

	if (now > tm->cpu_seen)
		tm->expires -= now - tm->cpu_seen;
	tm->cpu_seen = now;
}

/* --- the timer thread's queues -------------------------------------------- */

static void queue_insert_locked(struct k_itimer *tm)
{
	struct k_itimer **pp;

	if (tm->kind != KT_WALL) {
		if (!ktimers.cpu_queue)
			pthread_cond_signal(&ktimers.cond); /* it may sleep with no deadline */
		tm->queue_next = ktimers.cpu_queue;
		ktimers.cpu_queue = tm;
		return;
	}
	for (pp = &ktimers.queue; *pp && (*pp)->expires <= tm->expires; pp = &(*pp)->queue_next)
		;
	if (pp == &ktimers.queue)
		pthread_cond_signal(&ktimers.cond); /* a new earliest expiry */
	tm->queue_next = *pp;
	*pp = tm;
}

static void timer_disarm_locked(struct k_itimer *tm)
{
	struct k_itimer **pp = tm->kind == KT_WALL ? &ktimers.queue : &ktimers.cpu_queue;

	if (!tm->armed)
		return;
	while (*pp && *pp != tm)
		pp = &(*pp)->queue_next;
	if (*pp)
		*pp = tm->queue_next;
	tm->armed = false;
}

/* Sends the expiry's signal.  Called with ktimers.lock held: the lock order allows it. */
static void timer_send_locked(struct k_itimer *tm, int overrun)
{
	struct linux_siginfo info = { 0 };
	int tgid = tm->signal->tgid, tid;

	info.si_signo = tm->signo;
	if (tm->id < 0) {
		info.si_code = LINUX_SI_KERNEL; /* SEND_SIG_PRIV, as itimers send */
	} else {
		info.si_code = LINUX_SI_TIMER;
		info.timer.tid = tm->id;
		info.timer.overrun = overrun;
		info.timer.value = tm->value;
	}
	if (tm->notify == LINUX_SIGEV_THREAD_ID) {
		send_signal_tid(tm->target_tid, &info, SIG_TO_THREAD);
		return;
	}
	/* The leader may have exited before the others: any live thread names the group. */
	if (send_signal_tid(tgid, &info, SIG_TO_GROUP) == -LINUX_ESRCH &&
	    thread_group_tids(tgid, &tid, 1) > 0)
		send_signal_tid(tid, &info, SIG_TO_GROUP);
}

/*
 * tm has expired (expires <= now; CPU kinds pass now 0 and expires as time
 * left): re-arms a periodic timer past now, counting the expiries it
 * missed as overruns, and sends the signal.  Returns true if still armed.
 */
static bool timer_expire_locked(struct k_itimer *tm, s64 now)
{
	s64 missed = 0;

	if (tm->interval) {
		s64 limit = add_sat(now, tm->interval < MIN_REARM_NS ? MIN_REARM_NS : 0);
		missed = (limit - tm->expires) / tm->interval;
		tm->expires = add_sat(tm->expires, (missed + 1 > KTIME_MAX / tm->interval) ?
					  KTIME_MAX : (missed + 1) * tm->interval);
	}
	tm->armed = tm->interval != 0;
	tm->overrun_last = missed > INT_MAX ? INT_MAX : (int)missed;
	if (tm->notify != LINUX_SIGEV_NONE)
		timer_send_locked(tm, tm->overrun_last);
	return tm->armed;
}

static void poll_cpu_timers_locked(void)
{
	struct k_itimer **pp = &ktimers.cpu_queue, *tm;

	while ((tm = *pp)) {
		cpu_timer_update_locked(tm);
		if (tm->expires <= 0 && !timer_expire_locked(tm, 0)) {
			*pp = tm->queue_next;
			continue;
		}
		pp = &tm->queue_next;
	}
}

static void *timer_thread(void *arg)
{
	pthread_mutex_lock(&ktimers.lock);
	for (;;) {
		s64 now = clock_ns(CLOCK_MONOTONIC), wake = KTIME_MAX;
		struct k_itimer *tm;

		while ((tm = ktimers.queue) && tm->expires <= now) {
			ktimers.queue = tm->queue_next;
			if (timer_expire_locked(tm, now))
				queue_insert_locked(tm);
		}
		if (ktimers.cpu_queue) {
			poll_cpu_timers_locked();
			wake = now + CPU_POLL_NS;
		}
		if (ktimers.queue)
			wake = MIN(wake, ktimers.queue->expires);
		if (wake == KTIME_MAX) {
			pthread_cond_wait(&ktimers.cond, &ktimers.lock);
		} else {
			struct timespec ts = { wake / NSEC_PER_SEC, wake % NSEC_PER_SEC };
			pthread_cond_timedwait(&ktimers.cond, &ktimers.lock, &ts);
		}
	}
	return NULL;
}

/*
 * Starts the timer thread (once) with every host signal blocked: they are
 * for the tasks' threads.
 */
static void timer_thread_start(void)
{
	pthread_condattr_t cattr;
	pthread_attr_t attr;
	pthread_t th;
	sigset_t all, old;

	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&ktimers.cond, &cattr);
	pthread_condattr_destroy(&cattr);
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	if (pthread_create(&th, &attr, timer_thread, NULL))
		panic("cannot start the timer thread");
	pthread_attr_destroy(&attr);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Arms tm to expire after rel ns (wall kinds: at CLOCK_MONOTONIC abs_mono if rel < 0). */
static void timer_arm_locked(struct k_itimer *tm, s64 rel, s64 abs_mono)
{
	pthread_once(&ktimers_once, timer_thread_start);
	if (tm->kind == KT_WALL) {
		tm->expires = rel >= 0 ? add_sat(clock_ns(CLOCK_MONOTONIC), rel) : abs_mono;
	} else {
		tm->cpu_seen = timer_cpu_clock(tm);
		tm->expires = rel;
	}
	tm->armed = true;
	queue_insert_locked(tm);
}

/* What is left until tm expires: 0 disarmed, <= 0 expired and about to fire. */
static s64 timer_remaining_locked(struct k_itimer *tm)
{
	if (!tm->armed)
		return 0;
	if (tm->kind == KT_WALL)
		return tm->expires - clock_ns(CLOCK_MONOTONIC);
	cpu_timer_update_locked(tm);
	return tm->expires;
}

/* --- the group's table ----------------------------------------------------- */

static struct timer_table *table_of_locked(struct signal_struct *sig, bool create)
{
	if (!sig->timers && create)
		sig->timers = calloc(1, sizeof(struct timer_table));
	return sig->timers;
}

static struct k_itimer *find_timer_locked(struct signal_struct *sig, int id)
{
	struct timer_table *tab = table_of_locked(sig, false);

	for (struct k_itimer *tm = tab ? tab->head : NULL; tm; tm = tm->next)
		if (tm->id == id)
			return tm;
	return NULL;
}

static struct k_itimer *timer_alloc_locked(struct signal_struct *sig, int id)
{
	struct timer_table *tab = table_of_locked(sig, true);
	struct k_itimer *tm;

	if (!tab || !(tm = calloc(1, sizeof(*tm))))
		return NULL;
	tm->signal = sig;
	tm->id = id;
	tm->next = tab->head;
	tab->head = tm;
	return tm;
}

static void timer_free_locked(struct k_itimer *tm)
{
	struct timer_table *tab = table_of_locked(tm->signal, false);
	struct k_itimer **pp = &tab->head;

	timer_disarm_locked(tm);
	while (*pp != tm)
		pp = &(*pp)->next;
	*pp = tm->next;
	free(tm);
}

void exit_itimers(struct signal_struct *sig)
{
	struct timer_table *tab;

	if (!sig)
		return;
	pthread_mutex_lock(&ktimers.lock);
	tab = table_of_locked(sig, false);
	while (tab && tab->head)
		timer_free_locked(tab->head);
	free(tab);
	sig->timers = NULL;
	pthread_mutex_unlock(&ktimers.lock);
}

void exec_posix_timers(struct task *t)
{
	struct timer_table *tab;

	pthread_mutex_lock(&ktimers.lock);
	tab = table_of_locked(t->signal, false);
	for (struct k_itimer *tm = tab ? tab->head : NULL, *next; tm; tm = next) {
		next = tm->next;
		if (tm->id >= 0) {
			flush_timer_signal(t, tm->id);
			timer_free_locked(tm);
		}
	}
	pthread_mutex_unlock(&ktimers.lock);
}

/* --- setitimer, getitimer -------------------------------------------------- */

static const int itimer_signo[] = { LINUX_SIGALRM, LINUX_SIGVTALRM, LINUX_SIGPROF };

static void itimer_get_locked(struct k_itimer *tm, int which, struct ktimer_spec *cur)
{
	s64 rem = tm ? timer_remaining_locked(tm) : 0;

	/* Armed but expired: Linux says 1 us for the real timer, a tick for the CPU ones. */
	if (tm && tm->armed && rem <= 0)
		rem = which == LINUX_ITIMER_REAL ? NSEC_PER_USEC : TICK_NSEC;
	cur->value = rem;
	cur->interval = tm ? tm->interval : 0;
}

long do_getitimer(struct task *t, int which, struct ktimer_spec *cur)
{
	if (which < LINUX_ITIMER_REAL || which > LINUX_ITIMER_PROF)
		return -LINUX_EINVAL;
	pthread_mutex_lock(&ktimers.lock);
	itimer_get_locked(find_timer_locked(t->signal, ITIMER_ID(which)), which, cur);
	pthread_mutex_unlock(&ktimers.lock);
	return 0;
}

long do_setitimer(struct task *t, int which, const struct ktimer_spec *val, struct ktimer_spec *old)
{
	struct k_itimer *tm;

	if (which < LINUX_ITIMER_REAL || which > LINUX_ITIMER_PROF)
		return -LINUX_EINVAL;
	pthread_mutex_lock(&ktimers.lock);
	tm = find_timer_locked(t->signal, ITIMER_ID(which));
	if (old)
		itimer_get_locked(tm, which, old);
	if (!tm && val->value) {
		tm = timer_alloc_locked(t->signal, ITIMER_ID(which));
		if (!tm) {
			pthread_mutex_unlock(&ktimers.lock);
			return -LINUX_ENOMEM;
		}
		tm->kind = which == LINUX_ITIMER_REAL ? KT_WALL : KT_PROCESS_CPU;
		tm->notify = LINUX_SIGEV_SIGNAL;
		tm->signo = itimer_signo[which];
	}
	if (tm) {
		timer_disarm_locked(tm);
		tm->interval = val->value ? val->interval : 0;
		if (val->value)
			timer_arm_locked(tm, val->value, 0);
	}
	pthread_mutex_unlock(&ktimers.lock);
	return 0;
}

/* --- POSIX timers ------------------------------------------------------------ */

/* Which kind of timer a clock makes, or -errno as Linux's timer_create answers. */
static int clock_kind(int clock)
{
	switch (clock) {
	case LINUX_CLOCK_REALTIME:
	case LINUX_CLOCK_MONOTONIC:
	case LINUX_CLOCK_BOOTTIME:
	case LINUX_CLOCK_TAI:
		return KT_WALL;
	case LINUX_CLOCK_REALTIME_ALARM:
	case LINUX_CLOCK_BOOTTIME_ALARM:
		return geteuid() ? -LINUX_EPERM : KT_WALL; /* CAP_WAKE_ALARM */
	case LINUX_CLOCK_PROCESS_CPUTIME_ID:
		return KT_PROCESS_CPU;
	case LINUX_CLOCK_THREAD_CPUTIME_ID:
		return KT_THREAD_CPU;
	case LINUX_CLOCK_MONOTONIC_RAW:
	case LINUX_CLOCK_REALTIME_COARSE:
	case LINUX_CLOCK_MONOTONIC_COARSE:
		return -LINUX_EOPNOTSUPP; /* clocks without timers */
	default:
		return -LINUX_EINVAL; /* and the CPU clocks of other processes */
	}
}

/* The host clock a wall-clock timer's absolute time is read on. */
static clockid_t wall_host_clock(int clock)
{
	switch (clock) {
	case LINUX_CLOCK_REALTIME:
	case LINUX_CLOCK_REALTIME_ALARM:
		return CLOCK_REALTIME;
	case LINUX_CLOCK_BOOTTIME:
	case LINUX_CLOCK_BOOTTIME_ALARM:
		return CLOCK_BOOTTIME;
	case LINUX_CLOCK_TAI:
		return CLOCK_TAI;
	default:
		return CLOCK_MONOTONIC;
	}
}

static void same_group(struct task *p, void *arg)
{
	struct signal_struct **sig = arg;

	if (p->signal != *sig)
		*sig = NULL;
}

/* Linux's good_sigevent: 0 or -EINVAL. */
static long check_sigevent(struct task *t, const struct linux_sigevent *ev)
{
	struct signal_struct *sig = t->signal;

	switch (ev->sigev_notify) {
	case LINUX_SIGEV_THREAD_ID:
		if (!task_with_tid(ev->tid, same_group, &sig) || !sig)
			return -LINUX_EINVAL;
		/* fall through */
	case LINUX_SIGEV_SIGNAL:
	case LINUX_SIGEV_THREAD:
		if (ev->sigev_signo <= 0 || ev->sigev_signo > LINUX_SIGRTMAX)
			return -LINUX_EINVAL;
		/* fall through */
	case LINUX_SIGEV_NONE:
		return 0;
	default:
		return -LINUX_EINVAL;
	}
}

/* The next free id: Linux counts up per process and skips ids in use. */
static int next_timer_id_locked(struct signal_struct *sig)
{
	struct timer_table *tab = table_of_locked(sig, true);

	if (!tab)
		return -LINUX_ENOMEM;
	for (long n = 0; n <= INT_MAX; n++) {
		int id = tab->next_id;
		tab->next_id = id == INT_MAX ? 0 : id + 1;
		if (!find_timer_locked(sig, id))
			return id;
	}
	return -LINUX_EAGAIN;
}

long do_timer_create(struct task *t, int clock, const struct linux_sigevent *ev)
{
	int kind = clock_kind(clock);
	long id, err;
	struct k_itimer *tm;

	if (kind < 0)
		return kind;
	/* The id is used up even if the sigevent is refused, as on Linux. */
	pthread_mutex_lock(&ktimers.lock);
	id = next_timer_id_locked(t->signal);
	pthread_mutex_unlock(&ktimers.lock);
	if (id < 0)
		return id;
	if (ev && (err = check_sigevent(t, ev)))
		return err;
	pthread_mutex_lock(&ktimers.lock);
	tm = timer_alloc_locked(t->signal, id);
	if (!tm) {
		pthread_mutex_unlock(&ktimers.lock);
		return -LINUX_EAGAIN;
	}
	tm->kind = kind;
	tm->cpu_tid = t->tid;
	tm->clock = clock;
	if (ev) {
		tm->notify = ev->sigev_notify;
		tm->signo = ev->sigev_signo;
		tm->value = ev->sigev_value;
		tm->target_tid = ev->tid;
	} else {
		tm->notify = LINUX_SIGEV_SIGNAL;
		tm->signo = LINUX_SIGALRM;
		tm->value.sival_ptr = 0;
		tm->value.sival_int = id;
	}
	pthread_mutex_unlock(&ktimers.lock);
	return id;
}

/* Linux's common_timer_get: an armed timer that has expired but not fired reads 1 ns. */
static void posix_timer_get_locked(struct k_itimer *tm, struct ktimer_spec *cur)
{
	s64 rem = timer_remaining_locked(tm);

	if (tm->armed && rem <= 0)
		rem = tm->notify == LINUX_SIGEV_NONE ? 0 : 1;
	cur->value = rem;
	cur->interval = tm->interval;
}

long do_timer_settime(struct task *t, int id, int flags, const struct ktimer_spec *val,
		      struct ktimer_spec *old)
{
	struct k_itimer *tm;
	s64 rel = val->value, abs_mono = 0;

	pthread_mutex_lock(&ktimers.lock);
	tm = id < 0 ? NULL : find_timer_locked(t->signal, id);
	if (!tm) {
		pthread_mutex_unlock(&ktimers.lock);
		return -LINUX_EINVAL;
	}
	if (old)
		posix_timer_get_locked(tm, old);
	timer_disarm_locked(tm);
	/* Linux drops the signal of the old setting if it is still queued (measured on 6.18). */
	flush_timer_signal(t, id);
	tm->interval = 0;
	tm->overrun_last = 0;
	if (val->value) {
		tm->interval = val->interval;
		if (flags & LINUX_TIMER_ABSTIME) {
			if (tm->kind == KT_WALL) {
				/* Converted once: a later clock_settime does not move it. */
				s64 now = clock_ns(wall_host_clock(tm->clock));
				abs_mono = add_sat(clock_ns(CLOCK_MONOTONIC), val->value - now);
				rel = -1;
			} else {
				rel = val->value - timer_cpu_clock(tm);
				rel = rel > 0 ? rel : 0;
			}
		}
		timer_arm_locked(tm, rel, abs_mono);
	}
	pthread_mutex_unlock(&ktimers.lock);
	return 0;
}

long do_timer_gettime(struct task *t, int id, struct ktimer_spec *cur)
{
	struct k_itimer *tm;

	pthread_mutex_lock(&ktimers.lock);
	tm = id < 0 ? NULL : find_timer_locked(t->signal, id);
	if (tm)
		posix_timer_get_locked(tm, cur);
	pthread_mutex_unlock(&ktimers.lock);
	return tm ? 0 : -LINUX_EINVAL;
}

long do_timer_getoverrun(struct task *t, int id)
{
	struct k_itimer *tm;
	long ret = -LINUX_EINVAL;

	pthread_mutex_lock(&ktimers.lock);
	tm = id < 0 ? NULL : find_timer_locked(t->signal, id);
	if (tm)
		ret = tm->overrun_last;
	pthread_mutex_unlock(&ktimers.lock);
	return ret;
}

long do_timer_delete(struct task *t, int id)
{
	struct k_itimer *tm;

	pthread_mutex_lock(&ktimers.lock);
	tm = id < 0 ? NULL : find_timer_locked(t->signal, id);
	if (tm)
		timer_free_locked(tm);
	if (tm)
		flush_timer_signal(t, id);
	pthread_mutex_unlock(&ktimers.lock);
	return tm ? 0 : -LINUX_EINVAL;
}
