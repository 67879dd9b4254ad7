/*
 * Process and identity calls: exit, exit_group, the pid and id calls,
 * uname, arch_prctl, set_tid_address, robust lists, resource limits,
 * sysinfo, getrandom and prctl.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>
#include "syscall_handlers.h"
#include "../kernel/task.h"
#include "../fs/file.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/misc.h"
#include "../../abi/linux/mman.h"

long sys_exit(struct task *t, int code)
{
	do_exit(t, code);
	return 0;
}

long sys_exit_group(struct task *t, int code)
{
	do_group_exit(t, (code & 0xff) << 8);
	return 0;
}

long sys_getpid(struct task *t) { return task_tgid(t); }
long sys_gettid(struct task *t) { return task_tid(t); }

long sys_getpgrp(struct task *t) { return t->signal->pgid; }

/* Credentials pass through: the guest runs as the user who runs lxemu. */
long sys_getuid(struct task *t) { (void)t; return getuid(); }
long sys_geteuid(struct task *t) { (void)t; return geteuid(); }
long sys_getgid(struct task *t) { (void)t; return getgid(); }
long sys_getegid(struct task *t) { (void)t; return getegid(); }

static long put_ids(struct task *t, u64 ua, u64 ub, u64 uc, u32 a, u32 b, u32 c)
{
	if (copy_to_user(t, ua, &a, 4) || copy_to_user(t, ub, &b, 4) || copy_to_user(t, uc, &c, 4))
		return -LINUX_EFAULT;
	return 0;
}

long sys_getresuid(struct task *t, u64 uruid, u64 ueuid, u64 usuid)
{
	uid_t r, e, s;

	getresuid(&r, &e, &s);
	return put_ids(t, uruid, ueuid, usuid, r, e, s);
}

long sys_getresgid(struct task *t, u64 urgid, u64 uegid, u64 usgid)
{
	gid_t r, e, s;

	getresgid(&r, &e, &s);
	return put_ids(t, urgid, uegid, usgid, r, e, s);
}

long sys_uname(struct task *t, u64 ubuf)
{
	struct linux_utsname u;
	struct utsname h;

	memset(&u, 0, sizeof(u));
	uname(&h);
	snprintf(u.sysname, sizeof(u.sysname), "Linux");
	snprintf(u.nodename, sizeof(u.nodename), "%s", h.nodename);
	snprintf(u.release, sizeof(u.release), "%s", h.release);
	snprintf(u.version, sizeof(u.version), "%s", h.version);
	snprintf(u.machine, sizeof(u.machine), "x86_64");
	snprintf(u.domainname, sizeof(u.domainname), "%s", h.domainname);
	return copy_to_user(t, ubuf, &u, sizeof(u));
}

long sys_arch_prctl(struct task *t, int code, u64 addr)
{
	u64 v;

	switch (code) {
	case LINUX_ARCH_SET_FS:
	case LINUX_ARCH_SET_GS:
		if (addr >= 0x800000000000ULL)
			return -LINUX_EPERM;
		cpu_set(t, code == LINUX_ARCH_SET_FS ? CPU_FS_BASE : CPU_GS_BASE, addr);
		return 0;
	case LINUX_ARCH_GET_FS:
	case LINUX_ARCH_GET_GS:
		v = cpu_get(t, code == LINUX_ARCH_GET_FS ? CPU_FS_BASE : CPU_GS_BASE);
		return copy_to_user(t, addr, &v, sizeof(v));
	default:
		return -LINUX_EINVAL;
	}
}

long sys_set_tid_address(struct task *t, u64 utidptr)
{
	t->clear_child_tid = utidptr;
	return task_tid(t);
}

long sys_set_robust_list(struct task *t, u64 uhead, u64 len)
{
	if (len != 24) /* sizeof(struct robust_list_head) */
		return -LINUX_EINVAL;
	__atomic_store_n(&t->robust_list, uhead, __ATOMIC_RELAXED);
	t->robust_len = len;
	return 0;
}

long sys_get_robust_list(struct task *t, int pid, u64 uhead_ptr, u64 ulen_ptr)
{
	u64 head, len = 24;

	if (pid == 0)
		head = t->robust_list;
	else if (pid < 0 || !task_robust_list_of(pid, &head))
		return -LINUX_ESRCH;
	/* Every task runs as lxemu's user: the ptrace read check always passes. */
	if (copy_to_user(t, ulen_ptr, &len, sizeof(len)) ||
	    copy_to_user(t, uhead_ptr, &head, sizeof(head)))
		return -LINUX_EFAULT;
	return 0;
}

long sys_prlimit64(struct task *t, int pid, u32 resource, u64 unew, u64 uold)
{
	struct linux_rlimit nr, *lim;
	long err = 0;

	if (pid != 0 && pid != task_tgid(t))
		return -LINUX_ESRCH;
	if (resource >= LINUX_RLIM_NLIMITS)
		return -LINUX_EINVAL;
	if (unew && copy_from_user(t, &nr, unew, sizeof(nr)))
		return -LINUX_EFAULT;
	if (unew && nr.rlim_cur > nr.rlim_max)
		return -LINUX_EINVAL;
	pthread_mutex_lock(&t->sighand->siglock);
	lim = &t->signal->rlim[resource];
	if (unew && nr.rlim_max > lim->rlim_max && geteuid() != 0)
		err = -LINUX_EPERM;
	struct linux_rlimit old = *lim;
	if (!err && unew)
		*lim = nr;
	pthread_mutex_unlock(&t->sighand->siglock);
	if (!err && uold && copy_to_user(t, uold, &old, sizeof(old)))
		err = -LINUX_EFAULT;
	return err;
}

long sys_getrlimit(struct task *t, u32 resource, u64 urlim)
{
	return sys_prlimit64(t, 0, resource, 0, urlim);
}

long sys_sysinfo(struct task *t, u64 uinfo)
{
	struct linux_sysinfo li;
	struct sysinfo hi;

	memset(&li, 0, sizeof(li));
	sysinfo(&hi);
	li.uptime = hi.uptime;
	for (int i = 0; i < 3; i++)
		li.loads[i] = hi.loads[i];
	li.totalram = hi.totalram;
	li.freeram = hi.freeram;
	li.sharedram = hi.sharedram;
	li.bufferram = hi.bufferram;
	li.totalswap = hi.totalswap;
	li.freeswap = hi.freeswap;
	li.procs = (u16)kernel_nr_tasks();
	li.totalhigh = hi.totalhigh;
	li.freehigh = hi.freehigh;
	li.mem_unit = hi.mem_unit;
	return copy_to_user(t, uinfo, &li, sizeof(li));
}

long sys_getrandom(struct task *t, u64 ubuf, u64 count, u32 flags)
{
	u8 buf[256];
	u64 done = 0;

	if (flags & ~(LINUX_GRND_NONBLOCK | LINUX_GRND_RANDOM | LINUX_GRND_INSECURE))
		return -LINUX_EINVAL;
	if ((flags & LINUX_GRND_INSECURE) && (flags & LINUX_GRND_RANDOM))
		return -LINUX_EINVAL;
	if (count > 0x1ffffff)
		count = 0x1ffffff;
	/* A buffer that runs into unmapped memory gets what fits, as on Linux. */
	if (count && !(count = user_access_len(t, ubuf, count, LINUX_PROT_WRITE)))
		return -LINUX_EFAULT;
	while (done < count) {
		ssize_t n = getrandom(buf, MIN(sizeof(buf), count - done), 0);
		if (n <= 0)
			return done ? (long)done : host_errno_to_linux(errno);
		if (copy_to_user(t, ubuf + done, buf, n))
			return done ? (long)done : -LINUX_EFAULT;
		done += n;
	}
	return (long)done;
}

long sys_getgroups(struct task *t, int size, u64 ulist)
{
	gid_t groups[1024];
	u32 out[1024];
	int n = getgroups(ARRAY_SIZE(groups), groups);

	if (size < 0)
		return -LINUX_EINVAL;
	if (n < 0)
		return host_errno_to_linux(errno);
	if (size == 0)
		return n;
	if (size < n)
		return -LINUX_EINVAL;
	for (int i = 0; i < n; i++)
		out[i] = groups[i];
	return copy_to_user(t, ulist, out, n * sizeof(u32)) ? -LINUX_EFAULT : n;
}

#define LINUX_PR_SET_PDEATHSIG 1
#define LINUX_PR_GET_PDEATHSIG 2
#define LINUX_PR_GET_DUMPABLE 3
#define LINUX_PR_SET_DUMPABLE 4
#define LINUX_PR_SET_NAME 15
#define LINUX_PR_GET_NAME 16

long sys_prctl(struct task *t, int option, u64 arg2, u64 arg3, u64 arg4, u64 arg5)
{
	char name[sizeof(t->comm)];

	switch (option) {
	case LINUX_PR_SET_NAME:
		memset(name, 0, sizeof(name));
		if (strncpy_from_user(t, name, arg2, sizeof(name) - 1) < 0)
			return -LINUX_EFAULT;
		task_comm_set(task_tid(t), name);
		return 0;
	case LINUX_PR_GET_NAME:
		task_comm_get(task_tid(t), name);
		return copy_to_user(t, arg2, name, sizeof(name));
	default:
		return prctl_process(t, option, arg2);
	}
}
