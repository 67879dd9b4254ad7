/*
 * Futexes.  Waiters queue in a hash bucket keyed by (mm, address); the
 * value check and the queueing happen under the bucket lock, so a wake
 * after the guest changed the value is never lost.  A waiter sleeps on its
 * bucket's condition variable (buckets live for ever, so exit and signals
 * can wake a task through task->waiting without use-after-free).
 */
#include <errno.h>
#include <time.h>
#include "task.h"
#include "futex.h"
#include "ktime.h"
#include "sched.h"
#include "../mm/mm.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/time.h"

#define FUTEX_WAIT 0
#define FUTEX_WAKE 1
#define FUTEX_REQUEUE 3
#define FUTEX_CMP_REQUEUE 4
#define FUTEX_WAKE_OP 5
#define FUTEX_WAIT_BITSET 9
#define FUTEX_WAKE_BITSET 10
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

#define NR_BUCKETS 256

struct futex_bucket;

struct futex_q {
	struct futex_q *next;
	struct futex_bucket *bucket; /* where it queues now (requeue moves it) */
	struct task *task;
	struct mm_struct *mm;
	u64 uaddr;
	u32 bitset;
	bool woken;
};

static struct futex_bucket {
	struct wait_slot slot;
	struct futex_q *head; /* guarded by slot.lock */
} buckets[NR_BUCKETS];

static pthread_once_t buckets_once = PTHREAD_ONCE_INIT;

static void init_buckets(void)
{
	for (int i = 0; i < NR_BUCKETS; i++) {
		pthread_mutex_init(&buckets[i].slot.lock, NULL);
		pthread_cond_init(&buckets[i].slot.cond, NULL);
	}
}

static struct futex_bucket *bucket_of(struct mm_struct *mm, u64 uaddr)
{
	u64 h = ((uintptr_t)mm >> 4) ^ (uaddr >> 2) * 0x9e3779b97f4a7c15ULL;

	pthread_once(&buckets_once, init_buckets);
	return &buckets[(h >> 32) % NR_BUCKETS];
}

static void unqueue_locked(struct futex_bucket *b, struct futex_q *q)
{
	struct futex_q **pp = &b->head;

	while (*pp && *pp != q)
		pp = &(*pp)->next;
	if (*pp)
		*pp = q->next;
}

/* Reads the absolute deadline (on the host's clock) from a guest timespec. */
static long futex_deadline(struct task *t, u64 utime, bool absolute, bool realtime,
			   struct timespec *deadline, clockid_t *clk)
{
	long err = get_user_timespec(t, utime, deadline);

	if (err)
		return err;
	*clk = realtime ? CLOCK_REALTIME : CLOCK_MONOTONIC;
	if (!absolute) {
		struct timespec now;
		clock_gettime(CLOCK_MONOTONIC, &now);
		*clk = CLOCK_MONOTONIC;
		deadline->tv_sec += now.tv_sec;
		deadline->tv_nsec += now.tv_nsec;
		if (deadline->tv_nsec >= 1000000000) {
			deadline->tv_sec++;
			deadline->tv_nsec -= 1000000000;
		}
	}
	return 0;
}

/* The remaining time to deadline on clk, as an absolute CLOCK_REALTIME time (condvars' clock). */
static bool realtime_deadline(const struct timespec *deadline, clockid_t clk, struct timespec *rt)
{
	struct timespec now;

	clock_gettime(clk, &now);
	if (now.tv_sec > deadline->tv_sec ||
	    (now.tv_sec == deadline->tv_sec && now.tv_nsec >= deadline->tv_nsec))
		return false;
	clock_gettime(CLOCK_REALTIME, rt);
	rt->tv_sec += deadline->tv_sec - now.tv_sec;
	rt->tv_nsec += deadline->tv_nsec - now.tv_nsec;
	if (rt->tv_nsec < 0) {
		rt->tv_sec--;
		rt->tv_nsec += 1000000000;
	} else if (rt->tv_nsec >= 1000000000) {
		rt->tv_sec++;
		rt->tv_nsec -= 1000000000;
	}
	return true;
}

/*
 * Sleeps until woken, the deadline passes, or the task must exit; follows q
 * when a requeue moves it to another bucket.  Called and returns with
 * q->bucket's lock held.
 */
static long futex_sleep_locked(struct task *t, struct futex_q *q, const struct timespec *deadline,
			       clockid_t clk)
{
	struct futex_bucket *b = q->bucket;
	struct timespec rt;

	while (!q->woken && !(atomic_load(&t->pending) & TIF_EXIT)) {
		if (q->bucket != b) { /* requeued: sleep where it queues now */
			pthread_mutex_unlock(&b->slot.lock);
			b = q->bucket;
			pthread_mutex_lock(&b->slot.lock);
			continue;
		}
		atomic_store(&t->waiting, &b->slot);
		if (!deadline)
			pthread_cond_wait(&b->slot.cond, &b->slot.lock);
		else if (!realtime_deadline(deadline, clk, &rt))
			break;
		else
			pthread_cond_timedwait(&b->slot.cond, &b->slot.lock, &rt);
	}
	atomic_store(&t->waiting, NULL);
	if (q->woken)
		return 0;
	unqueue_locked(b, q);
	return (atomic_load(&t->pending) & TIF_EXIT) ? -LINUX_EINTR : -LINUX_ETIMEDOUT;
}

static long futex_wait(struct task *t, u64 uaddr, u32 val, u64 utime, u32 bitset, int op)
{
	struct futex_bucket *b = bucket_of(t->mm, uaddr);
	struct futex_q q = { .bucket = b, .task = t, .mm = t->mm, .uaddr = uaddr, .bitset = bitset };
	struct timespec deadline;
	clockid_t clk = CLOCK_MONOTONIC;
	bool cmd_bitset = (op & FUTEX_CMD_MASK) == FUTEX_WAIT_BITSET;
	u32 cur;
	long ret;

	if (!bitset)
		return -LINUX_EINVAL;
	if (utime && (ret = futex_deadline(t, utime, cmd_bitset, op & FUTEX_CLOCK_REALTIME,
					   &deadline, &clk)))
		return ret;
	pthread_mutex_lock(&b->slot.lock);
	if (copy_from_user(t, &cur, uaddr, 4)) {
		pthread_mutex_unlock(&b->slot.lock);
		return -LINUX_EFAULT;
	}
	if (cur != val) {
		pthread_mutex_unlock(&b->slot.lock);
		return -LINUX_EAGAIN;
	}
	q.next = b->head;
	b->head = &q;
	ret = futex_sleep_locked(t, &q, utime ? &deadline : NULL, clk);
	pthread_mutex_unlock(&q.bucket->slot.lock);
	return ret;
}

/* Wakes up to n matching waiters and moves up to n2 more to uaddr2 (requeue). Bucket locks held. */
static long wake_requeue_locked(struct futex_bucket *b, struct futex_bucket *b2,
				struct mm_struct *mm, u64 uaddr, int n, u32 bitset, u64 uaddr2,
				int n2)
{
	struct futex_q **pp = &b->head;
	long woken = 0, moved = 0;

	while (*pp) {
		struct futex_q *q = *pp;
		if (q->mm != mm || q->uaddr != uaddr || !(q->bitset & bitset)) {
			pp = &q->next;
			continue;
		}
		if (woken < n) {
			*pp = q->next;
			q->woken = true;
			woken++;
		} else if (b2 && moved < n2) {
			*pp = q->next;
			q->uaddr = uaddr2;
			q->bucket = b2;
			q->next = b2->head;
			b2->head = q;
			moved++;
		} else {
			break;
		}
	}
	/* The woken, and the moved that must follow their queue to the other bucket. */
	if (woken || (moved && b2 != b))
		pthread_cond_broadcast(&b->slot.cond);
	return woken + moved;
}

long futex_wake(struct task *t, u64 uaddr, int n, u32 bitset, bool shared)
{
	struct futex_bucket *b = bucket_of(t->mm, uaddr);
	u32 probe;
	long ret;

	if (!bitset)
		return -LINUX_EINVAL;
	/* A shared futex is looked up in the address space first: unmapped is EFAULT. */
	if (shared && copy_from_user(t, &probe, uaddr, 4))
		return -LINUX_EFAULT;
	pthread_mutex_lock(&b->slot.lock);
	ret = wake_requeue_locked(b, NULL, t->mm, uaddr, n, bitset, 0, 0);
	pthread_mutex_unlock(&b->slot.lock);
	return ret;
}

/* Locks two buckets in a fixed order. */
static void lock_pair(struct futex_bucket *a, struct futex_bucket *b)
{
	if (a == b) {
		pthread_mutex_lock(&a->slot.lock);
	} else if (a < b) {
		pthread_mutex_lock(&a->slot.lock);
		pthread_mutex_lock(&b->slot.lock);
	} else {
		pthread_mutex_lock(&b->slot.lock);
		pthread_mutex_lock(&a->slot.lock);
	}
}

static void unlock_pair(struct futex_bucket *a, struct futex_bucket *b)
{
	pthread_mutex_unlock(&a->slot.lock);
	if (a != b)
		pthread_mutex_unlock(&b->slot.lock);
}

static long futex_requeue(struct task *t, u64 uaddr, int n, u64 uaddr2, int n2, bool cmp,
			  u32 val3)
{
	struct futex_bucket *b = bucket_of(t->mm, uaddr), *b2 = bucket_of(t->mm, uaddr2);
	u32 cur;
	long ret;

	if (n < 0 || n2 < 0)
		return -LINUX_EINVAL;
	lock_pair(b, b2);
	if (cmp && copy_from_user(t, &cur, uaddr, 4))
		ret = -LINUX_EFAULT;
	else if (cmp && cur != val3)
		ret = -LINUX_EAGAIN;
	else
		ret = wake_requeue_locked(b, b2, t->mm, uaddr, n, FUTEX_BITSET_MATCH_ANY, uaddr2, n2);
	unlock_pair(b, b2);
	return ret;
}

/*
 * FUTEX_WAKE_OP's operation on the old value and its comparison, decoded as
 * Linux does (12-bit signed oparg and cmparg).  False when op or cmp is
 * unknown (-ENOSYS).
 */
static bool wake_op_decode(u32 encoded, u32 old, u32 *new_val, bool *cond)
{
	u32 op = (encoded >> 28) & 7, cmp = (encoded >> 24) & 15;
	s32 oparg = (s32)(encoded << 8) >> 20, cmparg = (s32)(encoded << 20) >> 20;

	if (encoded & (8u << 28))
		oparg = 1 << (oparg & 31);
	switch (op) {
	case 0: *new_val = oparg; break;
	case 1: *new_val = old + oparg; break;
	case 2: *new_val = old | oparg; break;
	case 3: *new_val = old & ~oparg; break;
	case 4: *new_val = old ^ oparg; break;
	default: return false;
	}
	switch (cmp) {
	case 0: *cond = (s32)old == cmparg; break;
	case 1: *cond = (s32)old != cmparg; break;
	case 2: *cond = (s32)old < cmparg; break;
	case 3: *cond = (s32)old <= cmparg; break;
	case 4: *cond = (s32)old > cmparg; break;
	case 5: *cond = (s32)old >= cmparg; break;
	default: return false;
	}
	return true;
}

static long futex_wake_op(struct task *t, u64 uaddr, int n, u64 uaddr2, int n2, u32 val3)
{
	struct futex_bucket *b = bucket_of(t->mm, uaddr), *b2 = bucket_of(t->mm, uaddr2);
	u32 old, nval;
	bool cond, held;
	long ret;

	/* The read-modify-write must be atomic for guest code: hold the mm's turn. */
	held = mm_run_held(t);
	if (!held)
		mm_run_acquire(t);
	lock_pair(b, b2);
	if (copy_from_user(t, &old, uaddr2, 4)) {
		unlock_pair(b, b2);
		if (!held)
			mm_run_release(t);
		return -LINUX_EFAULT;
	}
	if (!wake_op_decode(val3, old, &nval, &cond))
		ret = -LINUX_ENOSYS;
	else
		ret = copy_to_user(t, uaddr2, &nval, 4);
	if (!ret) {
		ret = wake_requeue_locked(b, NULL, t->mm, uaddr, n, FUTEX_BITSET_MATCH_ANY, 0, 0);
		if (cond)
			ret += wake_requeue_locked(b2, NULL, t->mm, uaddr2, n2, FUTEX_BITSET_MATCH_ANY, 0, 0);
	}
	unlock_pair(b, b2);
	if (!held)
		mm_run_release(t);
	return ret;
}

long sys_futex(struct task *t, u64 uaddr, int op, u32 val, u64 utime, u64 uaddr2, u32 val3)
{
	int cmd = op & FUTEX_CMD_MASK;

	if (uaddr & 3)
		return -LINUX_EINVAL;
	if ((op & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT)
		return -LINUX_ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
		return futex_wait(t, uaddr, val, utime, FUTEX_BITSET_MATCH_ANY, op);
	case FUTEX_WAIT_BITSET:
		return futex_wait(t, uaddr, val, utime, val3, op);
	case FUTEX_WAKE:
		return futex_wake(t, uaddr, (int)val, FUTEX_BITSET_MATCH_ANY, !(op & FUTEX_PRIVATE_FLAG));
	case FUTEX_WAKE_BITSET:
		return futex_wake(t, uaddr, (int)val, val3, !(op & FUTEX_PRIVATE_FLAG));
	case FUTEX_REQUEUE:
		return futex_requeue(t, uaddr, (int)val, uaddr2, (int)utime, false, 0);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(t, uaddr, (int)val, uaddr2, (int)utime, true, val3);
	case FUTEX_WAKE_OP:
		return futex_wake_op(t, uaddr, (int)val, uaddr2, (int)utime, val3);
	default:
		/* The PI operations: neither musl nor glibc's default mutexes use them. */
		return -LINUX_ENOSYS;
	}
}
