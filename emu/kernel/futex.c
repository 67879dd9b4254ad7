/*
 * Futexes.  Waiters queue in a hash bucket by key, keyed as Linux keys them:
 * a private futex by (mm, address); a shared one in private memory by
 * (mm, address) too but as a different key, so private and shared
 * operations on one word never meet; a shared one in MAP_SHARED memory by
 * (file, offset), so every mapping of the page, in any process, is one
 * futex.  The value check and the queueing happen under the bucket lock, so
 * a wake after the guest changed the value is never lost.  A waiter sleeps
 * on its bucket's condition variable (buckets live for ever, so exit and
 * signals can wake a task through task->waiting without use-after-free).
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
#define FUTEX_LOCK_PI 6
#define FUTEX_UNLOCK_PI 7
#define FUTEX_TRYLOCK_PI 8
#define FUTEX_LOCK_PI2 13
#define FUTEX_PRIVATE_FLAG 128
#define FUTEX_CLOCK_REALTIME 256
#define FUTEX_CMD_MASK (~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME))
#define FUTEX_BITSET_MATCH_ANY 0xffffffffu

#define NR_BUCKETS 256

enum futex_key_type { KEY_PRIVATE, KEY_MM_SHARED, KEY_INODE };

struct futex_key {
	u64 type;
	u64 id1, id2; /* the mm (id2 0), or the file's device and inode */
	u64 off;      /* the address, or the offset in the file */
};

struct futex_bucket;

struct futex_q {
	struct futex_q *next;
	struct futex_bucket *bucket; /* where it queues now (requeue moves it) */
	struct task *task;
	struct futex_key key;
	u32 bitset;
	bool woken;
};

/*
 * q->woken and q->bucket change under the lock of the bucket q is on; its
 * sleeper reads them holding the lock of the bucket it last saw, which a
 * requeue may have made the wrong one, so the reads are atomic.  A waker
 * sets woken last: after it, nobody but the sleeper touches q.
 */
static bool q_woken(struct futex_q *q)
{
	return __atomic_load_n(&q->woken, __ATOMIC_ACQUIRE);
}

static struct futex_bucket *q_bucket(struct futex_q *q)
{
	return __atomic_load_n(&q->bucket, __ATOMIC_ACQUIRE);
}

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

/*
 * The key of the futex word at uaddr.  A shared futex is looked up in the
 * address space (unmapped: EFAULT); a private one is not.
 */
static long get_futex_key(struct task *t, u64 uaddr, bool shared, struct futex_key *key)
{
	struct vm_area_struct *v;

	*key = (struct futex_key){ KEY_PRIVATE, (uintptr_t)t->mm, 0, uaddr };
	if (!shared)
		return 0;
	mmap_lock(t->mm);
	v = vma_lookup_locked(t->mm, uaddr);
	if (v && (v->vm_flags & VM_SHARED) && v->vm_file)
		*key = (struct futex_key){ KEY_INODE, v->dev, v->ino,
					   v->vm_pgoff * PAGE_SIZE + (uaddr - v->vm_start) };
	else if (v)
		key->type = KEY_MM_SHARED;
	mmap_unlock(t->mm);
	return v ? 0 : -LINUX_EFAULT;
}

static bool key_eq(const struct futex_key *a, const struct futex_key *b)
{
	return a->type == b->type && a->id1 == b->id1 && a->id2 == b->id2 && a->off == b->off;
}

static struct futex_bucket *bucket_of(const struct futex_key *key)
{
	u64 h = (key->id1 >> 4) ^ key->id2 ^ key->type ^ (key->off >> 2);

	h *= 0x9e3779b97f4a7c15ULL;
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

/*
 * Sleeps until woken, the deadline passes, or the task must exit; follows q
 * when a requeue moves it to another bucket.  Called with q->bucket's lock
 * held; returns with it released.  (q may have been moved and then woken
 * on its new bucket while this thread waited for the old one's lock, so
 * the lock held at the end is not necessarily q->bucket's.)
 */
static long futex_sleep_locked(struct task *t, struct futex_q *q, const struct timespec *deadline,
			       clockid_t clk)
{
	struct futex_bucket *b = q->bucket;
	struct timespec rt;
	bool interrupted = false, timed_out = false;
	long ret = 0;

	while (!q_woken(q)) {
		if (q_bucket(q) != b) { /* requeued: sleep where it queues now */
			pthread_mutex_unlock(&b->slot.lock);
			b = q_bucket(q);
			pthread_mutex_lock(&b->slot.lock);
			continue;
		}
		/* Published before the check: a signal sent after it wakes this slot. */
		atomic_store(&t->waiting, &b->slot);
		if (signal_pending(t)) {
			interrupted = true;
			break;
		}
		if (!deadline)
			pthread_cond_wait(&b->slot.cond, &b->slot.lock);
		else if (!deadline_to_realtime(deadline, clk, &rt)) {
			timed_out = true;
			break;
		} else
			pthread_cond_timedwait(&b->slot.cond, &b->slot.lock, &rt);
	}
	atomic_store(&t->waiting, NULL);
	/* Timed out or interrupted: leave the queue q is on now, unless a wake came first. */
	while (!q_woken(q) && q_bucket(q) != b) {
		pthread_mutex_unlock(&b->slot.lock);
		b = q_bucket(q);
		pthread_mutex_lock(&b->slot.lock);
	}
	if (!q_woken(q)) {
		unqueue_locked(b, q);
		ret = interrupted || !timed_out ? -LINUX_EINTR : -LINUX_ETIMEDOUT;
	}
	pthread_mutex_unlock(&b->slot.lock);
	return ret;
}

/* FUTEX_WAIT until the absolute deadline on clk (NULL: none); -EINTR when a signal came. */
static long futex_wait_until(struct task *t, u64 uaddr, u32 val, const struct timespec *deadline,
			     clockid_t clk, u32 bitset, int op)
{
	struct futex_q q = { .task = t, .bitset = bitset };
	struct futex_bucket *b;
	u32 cur;
	long ret;

	if ((ret = get_futex_key(t, uaddr, !(op & FUTEX_PRIVATE_FLAG), &q.key)))
		return ret;
	b = q.bucket = bucket_of(&q.key);
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
	return futex_sleep_locked(t, &q, deadline, clk);
}

/* Linux's futex_wait_restart: the same wait, to the same deadline. */
static long futex_wait_restart(struct task *t)
{
	long ret = futex_wait_until(t, t->restart_block.uaddr, t->restart_block.val,
				    &t->restart_block.deadline, t->restart_block.clk,
				    t->restart_block.bitset, t->restart_block.flags);

	if (ret != -LINUX_EINTR)
		return ret;
	t->restart_fn = futex_wait_restart;
	return -LINUX_ERESTART_RESTARTBLOCK;
}

/*
 * Interrupted by a signal, an untimed wait is restarted under SA_RESTART
 * (-ERESTARTSYS); a timed one fails with EINTR if a handler ran and is
 * otherwise resumed to the same deadline (restart_syscall), as Linux does.
 */
static long futex_wait(struct task *t, u64 uaddr, u32 val, u64 utime, u32 bitset, int op)
{
	struct timespec deadline;
	clockid_t clk = CLOCK_MONOTONIC;
	bool cmd_bitset = (op & FUTEX_CMD_MASK) == FUTEX_WAIT_BITSET;
	long ret;

	if (!bitset)
		return -LINUX_EINVAL;
	if (utime && (ret = futex_deadline(t, utime, cmd_bitset, op & FUTEX_CLOCK_REALTIME,
					   &deadline, &clk)))
		return ret;
	ret = futex_wait_until(t, uaddr, val, utime ? &deadline : NULL, clk, bitset, op);
	if (ret != -LINUX_EINTR)
		return ret;
	if (!utime)
		return -LINUX_ERESTARTSYS;
	t->restart_block.uaddr = uaddr;
	t->restart_block.val = val;
	t->restart_block.deadline = deadline;
	t->restart_block.clk = clk;
	t->restart_block.bitset = bitset;
	t->restart_block.flags = op;
	t->restart_fn = futex_wait_restart;
	return -LINUX_ERESTART_RESTARTBLOCK;
}

/* Wakes up to n matching waiters and moves up to n2 more to uaddr2 (requeue). Bucket locks held. */
static long wake_requeue_locked(struct futex_bucket *b, struct futex_bucket *b2,
				const struct futex_key *key, int n, u32 bitset,
				const struct futex_key *key2, int n2)
{
	struct futex_q **pp = &b->head;
	long woken = 0, moved = 0;

	while (*pp) {
		struct futex_q *q = *pp;
		if (!key_eq(&q->key, key) || !(q->bitset & bitset)) {
			pp = &q->next;
			continue;
		}
		if (woken < n) {
			*pp = q->next;
			__atomic_store_n(&q->woken, true, __ATOMIC_RELEASE);
			woken++;
		} else if (b2 && moved < n2) {
			*pp = q->next;
			q->key = *key2;
			__atomic_store_n(&q->bucket, b2, __ATOMIC_RELEASE);
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
	struct futex_key key;
	struct futex_bucket *b;
	long ret;

	if (!bitset)
		return -LINUX_EINVAL;
	if ((ret = get_futex_key(t, uaddr, shared, &key)))
		return ret;
	b = bucket_of(&key);
	pthread_mutex_lock(&b->slot.lock);
	ret = wake_requeue_locked(b, NULL, &key, n, bitset, NULL, 0);
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
			  u32 val3, bool shared)
{
	struct futex_key key, key2;
	struct futex_bucket *b, *b2;
	u32 cur;
	long ret;

	if (n < 0 || n2 < 0)
		return -LINUX_EINVAL;
	if ((ret = get_futex_key(t, uaddr, shared, &key)) ||
	    (ret = get_futex_key(t, uaddr2, shared, &key2)))
		return ret;
	b = bucket_of(&key);
	b2 = bucket_of(&key2);
	lock_pair(b, b2);
	if (cmp && copy_from_user(t, &cur, uaddr, 4))
		ret = -LINUX_EFAULT;
	else if (cmp && cur != val3)
		ret = -LINUX_EAGAIN;
	else
		ret = wake_requeue_locked(b, b2, &key, n, FUTEX_BITSET_MATCH_ANY, &key2, n2);
	unlock_pair(b, b2);
	return ret;
}

/* FUTEX_WAKE_OP's encoded operation: op and oparg, then cmp and cmparg (12-bit signed). */
struct wake_op {
	u32 op, cmp;
	s32 oparg, cmparg;
};

static void wake_op_decode(u32 encoded, struct wake_op *w)
{
	w->op = (encoded >> 28) & 7;
	w->cmp = (encoded >> 24) & 15;
	w->oparg = (s32)(encoded << 8) >> 20;
	w->cmparg = (s32)(encoded << 20) >> 20;
	if (encoded & (8u << 28))
		w->oparg = 1 << (w->oparg & 31);
}

static u32 wake_op_apply(u32 old, void *arg)
{
	const struct wake_op *w = arg;

	switch (w->op) {
	case 0: return w->oparg;
	case 1: return old + w->oparg;
	case 2: return old | w->oparg;
	case 3: return old & ~w->oparg;
	default: return old ^ w->oparg;
	}
}

/* The comparison of the old value, or -ENOSYS for an unknown one (the write has happened). */
static int wake_op_cmp(const struct wake_op *w, s32 old)
{
	switch (w->cmp) {
	case 0: return old == w->cmparg;
	case 1: return old != w->cmparg;
	case 2: return old < w->cmparg;
	case 3: return old <= w->cmparg;
	case 4: return old > w->cmparg;
	case 5: return old >= w->cmparg;
	default: return -LINUX_ENOSYS;
	}
}

static long futex_wake_op(struct task *t, u64 uaddr, int n, u64 uaddr2, int n2, u32 val3,
			  bool shared)
{
	struct futex_key key, key2;
	struct futex_bucket *b, *b2;
	struct wake_op w;
	u32 old;
	bool held;
	long ret;

	if ((ret = get_futex_key(t, uaddr, shared, &key)) ||
	    (ret = get_futex_key(t, uaddr2, shared, &key2)))
		return ret;
	wake_op_decode(val3, &w);
	if (w.op > 4)
		return -LINUX_ENOSYS;
	b = bucket_of(&key);
	b2 = bucket_of(&key2);
	mm_atomic_begin(t, &held);
	lock_pair(b, b2);
	ret = futex_atomic_update_user(t, uaddr2, wake_op_apply, &w, &old);
	if (!ret)
		ret = wake_op_cmp(&w, (s32)old);
	if (ret >= 0) {
		int cond = (int)ret;
		ret = wake_requeue_locked(b, NULL, &key, n, FUTEX_BITSET_MATCH_ANY, NULL, 0);
		if (cond)
			ret += wake_requeue_locked(b2, NULL, &key2, n2, FUTEX_BITSET_MATCH_ANY, NULL, 0);
	}
	unlock_pair(b, b2);
	mm_atomic_end(t, held);
	return ret;
}

/*
 * Priority-inheritance futexes (glibc's PTHREAD_PRIO_INHERIT mutexes).  The
 * word holds the owner's tid, FUTEX_WAITERS while the kernel queues
 * waiters, FUTEX_OWNER_DIED after a robust owner died.  lxemu has no
 * priorities to lend, so only ownership is modelled: a waiter queues in
 * the kernel and UNLOCK_PI hands the lock straight to the first one.
 */
struct pi_lock {
	u32 tid;
};

/* Free (no owner tid): take it, keeping OWNER_DIED; held: mark a waiter. */
static u32 pi_try_take(u32 old, void *arg)
{
	const struct pi_lock *l = arg;

	if (!(old & FUTEX_TID_MASK))
		return (old & FUTEX_OWNER_DIED) | l->tid;
	if ((old & FUTEX_TID_MASK) == l->tid)
		return old; /* EDEADLK: leave it */
	return old | FUTEX_WAITERS;
}

static u32 pi_try_only(u32 old, void *arg)
{
	const struct pi_lock *l = arg;

	return (old & FUTEX_TID_MASK) ? old : (old & FUTEX_OWNER_DIED) | l->tid;
}

long futex_update_word(struct task *t, u64 uaddr, u32 (*fn)(u32 old, void *arg), void *arg,
		       u32 *oldp)
{
	bool held;
	long err;

	mm_atomic_begin(t, &held);
	err = futex_atomic_update_user(t, uaddr, fn, arg, oldp);
	mm_atomic_end(t, held);
	return err;
}

static long futex_lock_pi(struct task *t, u64 uaddr, u64 utime, int op, bool trylock)
{
	struct pi_lock l = { (u32)task_tid(t) };
	struct futex_q q = { .task = t, .bitset = FUTEX_BITSET_MATCH_ANY };
	struct futex_bucket *b;
	struct timespec deadline;
	clockid_t clk = CLOCK_MONOTONIC;
	bool realtime = (op & FUTEX_CMD_MASK) == FUTEX_LOCK_PI || (op & FUTEX_CLOCK_REALTIME);
	bool held;
	u32 old;
	long ret;

	if (!trylock && utime && (ret = futex_deadline(t, utime, true, realtime, &deadline, &clk)))
		return ret;
	if ((ret = get_futex_key(t, uaddr, !(op & FUTEX_PRIVATE_FLAG), &q.key)))
		return ret;
	b = q.bucket = bucket_of(&q.key);
	/* The mm's turn before the bucket, as FUTEX_WAKE_OP takes them (locking.h). */
	mm_atomic_begin(t, &held);
	pthread_mutex_lock(&b->slot.lock);
	ret = futex_atomic_update_user(t, uaddr, trylock ? pi_try_only : pi_try_take, &l, &old);
	if (ret || !(old & FUTEX_TID_MASK) || (old & FUTEX_TID_MASK) == l.tid || trylock) {
		pthread_mutex_unlock(&b->slot.lock);
		mm_atomic_end(t, held);
		if (ret)
			return ret;
		if ((old & FUTEX_TID_MASK) == l.tid)
			return -LINUX_EDEADLK;
		return (old & FUTEX_TID_MASK) ? -LINUX_EAGAIN : 0;
	}
	/* Held by another: queue; UNLOCK_PI makes us the owner and wakes us. */
	q.next = b->head;
	b->head = &q;
	mm_atomic_end(t, held);
	ret = futex_sleep_locked(t, &q, utime ? &deadline : NULL, clk);
	/* Interrupted: the handler runs, then the lock is tried again (Linux: -ERESTARTNOINTR). */
	return ret == -LINUX_EINTR ? -LINUX_ERESTARTNOINTR : ret;
}

/* Hands the lock to the next waiter: its tid, FUTEX_WAITERS if others still wait. */
struct pi_handoff {
	u32 owner, next;
};

static u32 pi_release(u32 old, void *arg)
{
	const struct pi_handoff *h = arg;

	return (old & FUTEX_TID_MASK) == h->owner ? h->next : old;
}

static long futex_unlock_pi(struct task *t, u64 uaddr, int op)
{
	struct pi_handoff h = { (u32)task_tid(t), 0 };
	struct futex_key key;
	struct futex_bucket *b;
	struct futex_q **pp, *first = NULL;
	bool more = false, held;
	u32 old;
	long ret;

	if ((ret = get_futex_key(t, uaddr, !(op & FUTEX_PRIVATE_FLAG), &key)))
		return ret;
	b = bucket_of(&key);
	mm_atomic_begin(t, &held);
	pthread_mutex_lock(&b->slot.lock);
	/* The waiter queued longest: the list is newest first, so the last match. */
	for (pp = &b->head; *pp; pp = &(*pp)->next) {
		if (!key_eq(&(*pp)->key, &key))
			continue;
		if (first)
			more = true;
		first = *pp;
	}
	if (first)
		h.next = (u32)task_tid(first->task) | (more ? FUTEX_WAITERS : 0);
	ret = futex_atomic_update_user(t, uaddr, pi_release, &h, &old);
	if (!ret && (old & FUTEX_TID_MASK) != h.owner)
		ret = -LINUX_EPERM;
	if (!ret && first) {
		unqueue_locked(b, first);
		__atomic_store_n(&first->woken, true, __ATOMIC_RELEASE);
		pthread_cond_broadcast(&b->slot.cond);
	}
	pthread_mutex_unlock(&b->slot.lock);
	mm_atomic_end(t, held);
	return ret;
}

long sys_futex(struct task *t, u64 uaddr, int op, u32 val, u64 utime, u64 uaddr2, u32 val3)
{
	int cmd = op & FUTEX_CMD_MASK;
	bool shared = !(op & FUTEX_PRIVATE_FLAG);

	if (uaddr & 3)
		return -LINUX_EINVAL;
	if ((op & FUTEX_CLOCK_REALTIME) && cmd != FUTEX_WAIT_BITSET && cmd != FUTEX_WAIT &&
	    cmd != FUTEX_LOCK_PI2)
		return -LINUX_ENOSYS;
	switch (cmd) {
	case FUTEX_WAIT:
		return futex_wait(t, uaddr, val, utime, FUTEX_BITSET_MATCH_ANY, op);
	case FUTEX_WAIT_BITSET:
		return futex_wait(t, uaddr, val, utime, val3, op);
	case FUTEX_WAKE:
		return futex_wake(t, uaddr, (int)val, FUTEX_BITSET_MATCH_ANY, shared);
	case FUTEX_WAKE_BITSET:
		return futex_wake(t, uaddr, (int)val, val3, shared);
	case FUTEX_REQUEUE:
		return futex_requeue(t, uaddr, (int)val, uaddr2, (int)utime, false, 0, shared);
	case FUTEX_CMP_REQUEUE:
		return futex_requeue(t, uaddr, (int)val, uaddr2, (int)utime, true, val3, shared);
	case FUTEX_WAKE_OP:
		return futex_wake_op(t, uaddr, (int)val, uaddr2, (int)utime, val3, shared);
	case FUTEX_LOCK_PI:
	case FUTEX_LOCK_PI2:
		return futex_lock_pi(t, uaddr, utime, op, false);
	case FUTEX_TRYLOCK_PI:
		return futex_lock_pi(t, uaddr, 0, op, true);
	case FUTEX_UNLOCK_PI:
		return futex_unlock_pi(t, uaddr, op);
	default:
		/* WAIT_REQUEUE_PI / CMP_REQUEUE_PI: condvars on PI mutexes (not yet). */
		return -LINUX_ENOSYS;
	}
}
