/*
 * CPU affinity and getcpu.  lxemu's CPUs are --cpus tokens, not host CPUs,
 * so a task's mask only records what the guest asked for and what getcpu
 * reports; each task keeps its own, inherited by clone.  lxemu answers as a
 * kernel whose cpumask_size() covers --cpus CPUs (CONFIG_CPUMASK_OFFSTACK).
 */
#include <string.h>
#include "syscall_handlers.h"
#include "../kernel/task.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"

/* Linux's cpumask_size(): the bytes of whole longs covering nr_cpu_ids. */
static u32 cpumask_size(void)
{
	return (u32)((kconfig.cpus + 63) / 64) * 8;
}

/* Clears the bits of CPUs lxemu does not have; returns whether any is left. */
static bool cpumask_and_online(struct cpumask *m)
{
	u64 any = 0;

	for (int i = 0; i < NR_CPUS / 64; i++) {
		int first = i * 64;
		if (first >= kconfig.cpus)
			m->bits[i] = 0;
		else if (kconfig.cpus - first < 64)
			m->bits[i] &= (1ULL << (kconfig.cpus - first)) - 1;
		any |= m->bits[i];
	}
	return any != 0;
}

static void get_affinity(struct task *p, void *arg)
{
	*(struct cpumask *)arg = p->cpus_mask;
}

static void set_affinity(struct task *p, void *arg)
{
	p->cpus_mask = *(const struct cpumask *)arg;
}

static void no_op(struct task *p, void *arg)
{
	(void)p;
	(void)arg;
}

/* The task a sched_* pid names: 0 is the caller, anything else a tid. */
static int sched_tid(struct task *t, int pid)
{
	return pid ? pid : task_tid(t);
}

/* Linux's get_user_cpu_mask: a shorter mask has zeros beyond, a longer one is cut. */
static long get_user_cpu_mask(struct task *t, u64 umask, u32 len, struct cpumask *m)
{
	memset(m, 0, sizeof(*m));
	len = MIN(len, cpumask_size());
	return copy_from_user(t, m, umask, len) ? -LINUX_EFAULT : 0;
}

long sys_sched_setaffinity(struct task *t, int pid, u32 len, u64 umask)
{
	struct cpumask mask;
	long err = get_user_cpu_mask(t, umask, len, &mask);

	if (err)
		return err;
	/* Linux looks the task up before it finds the mask empty. */
	if (!cpumask_and_online(&mask))
		return task_with_tid(sched_tid(t, pid), no_op, NULL) ? -LINUX_EINVAL : -LINUX_ESRCH;
	return task_with_tid(sched_tid(t, pid), set_affinity, &mask) ? 0 : -LINUX_ESRCH;
}

long sys_sched_getaffinity(struct task *t, int pid, u32 len, u64 umask)
{
	struct cpumask mask;
	u32 size = MIN(len, cpumask_size());

	/* In u32, as Linux computes it. */
	if (len * 8 < (u32)kconfig.cpus || (len & 7))
		return -LINUX_EINVAL;
	if (!task_with_tid(sched_tid(t, pid), get_affinity, &mask))
		return -LINUX_ESRCH;
	return copy_to_user(t, umask, &mask, size) ? -LINUX_EFAULT : (long)size;
}

/* No host CPU stands behind a task: it is on the lowest CPU it may use, NUMA node 0. */
long sys_getcpu(struct task *t, u64 ucpu, u64 unode, u64 ucache)
{
	struct cpumask mask;
	u32 cpu = 0, node = 0;
	long err = 0;

	(void)ucache;
	task_with_tid(task_tid(t), get_affinity, &mask);
	while (cpu < NR_CPUS - 1 && !(mask.bits[cpu / 64] & (1ULL << (cpu % 64))))
		cpu++;
	/* Linux writes both and then reports whether either failed. */
	if (ucpu && copy_to_user(t, ucpu, &cpu, sizeof(cpu)))
		err = -LINUX_EFAULT;
	if (unode && copy_to_user(t, unode, &node, sizeof(node)))
		err = -LINUX_EFAULT;
	return err;
}
