/*
 * /proc/PID/stat, status and cmdline of any guest process, in Linux's
 * formats (fs/proc/array.c, fs/proc/base.c).  What they show of the process
 * is copied under the task list's lock into a proc_info; the mm is read
 * afterwards through a reference taken under that lock, so neither the
 * process nor its memory can go away meanwhile.  Fields lxemu does not
 * keep (CPU times, faults, start time, resident pages) are 0.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "file.h"
#include "procfs.h"
#include "../kernel/task.h"
#include "../mm/mm.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/mman.h"

/* What stat and status show, copied from the process and one of its tasks. */
struct proc_info {
	int pid, tgid, ppid, pgid, sid;
	char comm[16];
	char state;
	bool forked, zombie;
	int nr_threads, exit_signal, exit_code, nr_queued;
	u64 pending, shared_pending, blocked, ignored, caught;
	u64 rlim_rss, rlim_sigpending;
	bool has_fs, has_files;
	u32 umask;
	int fd_size;
	struct mm_struct *mm; /* a reference, or NULL (a zombie) */
};

/* Address-space totals status and stat show (bytes). */
struct proc_vm {
	u64 size, data, stack, exec;
	u64 start_stack, start_data, end_data, start_brk;
	u64 arg_start, arg_end, env_start, env_end;
};

/* Linux's task_state_array letters and names. */
static const char *state_name(char state)
{
	switch (state) {
	case 'R':
		return "R (running)";
	case 'S':
		return "S (sleeping)";
	case 'T':
		return "T (stopped)";
	default:
		return "Z (zombie)";
	}
}

/*
 * The state letter of live task p: R for the reader itself and for a task
 * running guest code, S for one asleep in the kernel, T in a group stop.
 * Caller holds the task list's lock and p's siglock.
 */
static char task_state_locked(struct task *p)
{
	if (p->signal->group_stop && p->stopped)
		return 'T';
	if (p == task_current())
		return 'R';
	if (atomic_load(&p->waiting) || atomic_load(&p->in_host_wait))
		return 'S';
	return 'R';
}

/* Signal state of p and its group. Caller holds the task list's lock. */
static void collect_signals_locked(struct proc_info *pi, struct task *p, bool own)
{
	struct sighand_struct *sh = p->sighand;
	struct signal_struct *sg = p->signal;

	pthread_mutex_lock(&sh->siglock);
	pi->state = own ? task_state_locked(p) : 'Z';
	pi->nr_threads = sg->nr_threads;
	pi->pending = p->sigpending.signal;
	pi->shared_pending = sg->shared_pending.signal;
	pi->blocked = p->blocked;
	pi->nr_queued = sg->nr_queued;
	for (int sig = 1; sig <= LINUX_NSIG; sig++) {
		u64 h = sh->action[sig - 1].handler;
		if (h == LINUX_SIG_IGN)
			pi->ignored |= linux_sigmask(sig);
		else if (h != LINUX_SIG_DFL)
			pi->caught |= linux_sigmask(sig);
	}
	pthread_mutex_unlock(&sh->siglock);
	if (p->fs) {
		pthread_mutex_lock(&p->fs->lock);
		pi->umask = p->fs->umask;
		pthread_mutex_unlock(&p->fs->lock);
		pi->has_fs = true;
	}
	if (p->files) {
		pthread_mutex_lock(&p->files->file_lock);
		pi->fd_size = p->files->max_fds;
		pthread_mutex_unlock(&p->files->file_lock);
		pi->has_files = true;
	}
	pi->mm = p->mm ? mm_get(p->mm) : NULL;
}

/*
 * Fills *pi for task tid of process tgid (tid == tgid: the process; its
 * leader may have gone, leaving its name).  Returns 0 or -LINUX_ESRCH.
 */
static long proc_info_get(int tgid, int tid, struct proc_info *pi)
{
	struct signal_struct *sg;
	struct task *p, *own;
	long err = 0;

	memset(pi, 0, sizeof(*pi));
	tasklist_lock();
	sg = find_proc_locked(tgid);
	own = task_by_tid_locked(tid);
	if (own && own->signal != sg)
		own = NULL;
	p = own ? own : (sg && tid == tgid ? proc_task_locked(sg) : NULL);
	if (!sg || (!p && !sg->zombie)) {
		err = -LINUX_ESRCH;
		goto out;
	}
	pi->pid = tid;
	pi->tgid = tgid;
	pi->ppid = sg->parent ? sg->parent->tgid : 0;
	pi->pgid = sg->pgid;
	pi->sid = sg->sid;
	pi->forked = sg->parent && !sg->did_exec;
	pi->exit_signal = tid == tgid ? sg->exit_signal : -1;
	pi->rlim_rss = sg->rlim[LINUX_RLIMIT_RSS].rlim_cur;
	pi->rlim_sigpending = sg->rlim[LINUX_RLIMIT_SIGPENDING].rlim_cur;
	memcpy(pi->comm, own ? own->comm : sg->comm, sizeof(pi->comm));
	pi->comm[sizeof(pi->comm) - 1] = '\0';
	if (p) {
		collect_signals_locked(pi, p, own != NULL);
	} else { /* a zombie: Linux keeps its leader, one thread */
		pi->zombie = true;
		pi->state = 'Z';
		pi->nr_threads = 1;
		pi->exit_code = sg->wait_status;
	}
out:
	tasklist_unlock();
	return err;
}

bool proc_comm_of(int tgid, int tid, char name[16])
{
	struct signal_struct *sg;
	bool found = false;

	if (tid != tgid)
		return false;
	tasklist_lock();
	if ((sg = find_proc_locked(tgid)) && !task_by_tid_locked(tid)) {
		memcpy(name, sg->comm, 16);
		found = true;
	}
	tasklist_unlock();
	return found;
}

struct mm_struct *proc_mm_get(int tgid)
{
	struct signal_struct *sg;
	struct task *p;
	struct mm_struct *mm = NULL;

	tasklist_lock();
	if ((sg = find_proc_locked(tgid)) && (p = proc_task_locked(sg)) && p->mm)
		mm = mm_get(p->mm);
	tasklist_unlock();
	return mm;
}

/* A reference to the fd table of process tgid (a live thread's), or NULL. */
struct files_struct *proc_files_get(int tgid)
{
	struct signal_struct *sg;
	struct files_struct *files = NULL;
	struct task *p;

	tasklist_lock();
	if ((sg = find_proc_locked(tgid)) && (p = proc_task_locked(sg)) && p->files) {
		files = p->files;
		atomic_fetch_add(&files->count, 1);
	}
	tasklist_unlock();
	return files;
}

long proc_cwd_of(int tgid, char *buf, size_t size)
{
	struct signal_struct *sg;
	struct task *p;
	long err = -LINUX_ENOENT;

	tasklist_lock();
	if ((sg = find_proc_locked(tgid)) && (p = proc_task_locked(sg)) && p->fs) {
		fs_cwd_get(p->fs, buf, size);
		err = 0;
	}
	tasklist_unlock();
	return err;
}

long proc_exe_of(int tgid, char *buf, size_t size)
{
	struct mm_struct *mm = proc_mm_get(tgid);
	long err = -LINUX_ENOENT;

	if (mm && mm->exe_path) {
		snprintf(buf, size, "%s", mm->exe_path);
		err = 0;
	}
	if (mm)
		mmput(mm);
	return err;
}

static void proc_vm_get(struct mm_struct *mm, struct proc_vm *vm)
{
	struct vm_area_struct *v;

	memset(vm, 0, sizeof(*vm));
	if (!mm)
		return;
	mmap_lock(mm);
	for (v = find_vma_locked(mm, 0); v; v = find_vma_locked(mm, v->vm_end)) {
		u64 len = v->vm_end - v->vm_start;
		vm->size += len;
		if (v->vm_flags & VM_STACK)
			vm->stack += len;
		else if ((v->vm_prot & (LINUX_PROT_WRITE | LINUX_PROT_EXEC)) == LINUX_PROT_EXEC)
			vm->exec += len;
		else if (!(v->vm_flags & VM_SHARED) && (v->vm_prot & LINUX_PROT_WRITE))
			vm->data += len;
	}
	vm->start_stack = mm->start_stack;
	vm->start_data = mm->start_data;
	vm->end_data = mm->end_data;
	vm->start_brk = mm->start_brk;
	vm->arg_start = mm->arg_start;
	vm->arg_end = mm->arg_end;
	vm->env_start = mm->env_start;
	vm->env_end = mm->env_end;
	mmap_unlock(mm);
}

/* Linux's PF_* flags a program could see: forked without exec, exiting. */
static unsigned long task_flags(const struct proc_info *pi)
{
	return 0x400000 /* PF_RANDOMIZE */ | (pi->forked ? 0x40 : 0) | (pi->zombie ? 0x4 : 0);
}

/* do_task_stat's 52 fields. */
static void show_stat(struct seq_buf *s, const struct proc_info *pi, const struct proc_vm *vm)
{
	bool mm = pi->mm != NULL;

	seq_printf(s, "%d (%s) %c %d %d %d 0 -1 %lu 0 0 0 0 0 0 0 0 20 0 %d 0 0 %llu 0 %llu",
		   pi->pid, pi->comm, pi->state, pi->ppid, pi->pgid, pi->sid, task_flags(pi),
		   pi->nr_threads, (unsigned long long)vm->size, (unsigned long long)pi->rlim_rss);
	seq_printf(s, " %d %d %llu 0 0", mm, mm, (unsigned long long)vm->start_stack);
	seq_printf(s, " %llu %llu %llu %llu %d 0 0 %d 0 0 0 0 0 0",
		   (unsigned long long)(pi->pending & 0x7fffffff),
		   (unsigned long long)(pi->blocked & 0x7fffffff),
		   (unsigned long long)(pi->ignored & 0x7fffffff),
		   (unsigned long long)(pi->caught & 0x7fffffff),
		   pi->state == 'S' || pi->state == 'T', pi->exit_signal);
	seq_printf(s, " %llu %llu %llu %llu %llu %llu %llu %d\n",
		   (unsigned long long)vm->start_data, (unsigned long long)vm->end_data,
		   (unsigned long long)vm->start_brk, (unsigned long long)vm->arg_start,
		   (unsigned long long)vm->arg_end, (unsigned long long)vm->env_start,
		   (unsigned long long)vm->env_end, pi->exit_code);
}

/* task_mem's lines (there is no mm for a zombie, and no such lines). */
static void show_vm(struct seq_buf *s, const struct proc_vm *vm)
{
	static const char *const names[] = {
		"VmPeak", "VmSize", "VmLck", "VmPin", "VmHWM", "VmRSS", "RssAnon", "RssFile",
		"RssShmem", "VmData", "VmStk", "VmExe", "VmLib", "VmPTE", "VmSwap", "HugetlbPages",
	};
	u64 kb[16] = { vm->size, vm->size, 0, 0, 0, 0, 0, 0, 0, vm->data, vm->stack, vm->exec };

	for (int i = 0; i < 16; i++)
		seq_printf(s, "%s:\t%8llu kB\n", names[i], (unsigned long long)kb[i] >> 10);
	seq_printf(s, "CoreDumping:\t0\nTHP_enabled:\t1\nuntag_mask:\t0xffffffffffffffff\n");
}

/* The task's name as status writes it: "\n" and "\\" escaped. */
static void show_name(struct seq_buf *s, const char *comm)
{
	seq_printf(s, "Name:\t");
	for (; *comm; comm++) {
		if (*comm == '\n')
			seq_printf(s, "\\n");
		else if (*comm == '\\')
			seq_printf(s, "\\\\");
		else
			seq_putc(s, *comm);
	}
	seq_putc(s, '\n');
}

/* The supplementary groups (the guest's are the host's), with Linux's trailing space. */
static void show_groups(struct seq_buf *s)
{
	gid_t groups[64];
	int n = getgroups(64, groups);

	for (int i = 0; i < n; i++)
		seq_printf(s, i ? " %u" : "%u", (unsigned)groups[i]);
	seq_printf(s, " \n");
}

/* proc_pid_status, Linux 6.x, less the lines that describe host CPUs and memory. */
static void show_status(struct seq_buf *s, const struct proc_info *pi, const struct proc_vm *vm)
{
	u64 caps = geteuid() == 0 ? 0x1ffffffffffULL : 0;

	show_name(s, pi->comm);
	if (pi->has_fs)
		seq_printf(s, "Umask:\t%04o\n", pi->umask);
	seq_printf(s, "State:\t%s\nTgid:\t%d\nNgid:\t0\nPid:\t%d\nPPid:\t%d\nTracerPid:\t0\n",
		   state_name(pi->state), pi->tgid, pi->pid, pi->ppid);
	seq_printf(s, "Uid:\t%d\t%d\t%d\t%d\nGid:\t%d\t%d\t%d\t%d\n", (int)getuid(),
		   (int)geteuid(), (int)geteuid(), (int)geteuid(), (int)getgid(), (int)getegid(),
		   (int)getegid(), (int)getegid());
	seq_printf(s, "FDSize:\t%d\nGroups:\t", pi->has_files ? pi->fd_size : 0);
	show_groups(s);
	seq_printf(s, "NStgid:\t%d\nNSpid:\t%d\nNSpgid:\t%d\nNSsid:\t%d\nKthread:\t0\n", pi->tgid,
		   pi->pid, pi->pgid, pi->sid);
	if (pi->mm)
		show_vm(s, vm);
	seq_printf(s, "Threads:\t%d\nSigQ:\t%d/%llu\n", pi->nr_threads, pi->nr_queued,
		   (unsigned long long)pi->rlim_sigpending);
	seq_printf(s, "SigPnd:\t%016llx\nShdPnd:\t%016llx\nSigBlk:\t%016llx\n",
		   (unsigned long long)pi->pending, (unsigned long long)pi->shared_pending,
		   (unsigned long long)pi->blocked);
	seq_printf(s, "SigIgn:\t%016llx\nSigCgt:\t%016llx\n", (unsigned long long)pi->ignored,
		   (unsigned long long)pi->caught);
	seq_printf(s, "CapInh:\t%016llx\nCapPrm:\t%016llx\nCapEff:\t%016llx\n"
		      "CapBnd:\t%016llx\nCapAmb:\t%016llx\n",
		   0ULL, (unsigned long long)caps, (unsigned long long)caps, 0x1ffffffffffULL, 0ULL);
	seq_printf(s, "NoNewPrivs:\t0\nSeccomp:\t0\nSeccomp_filters:\t0\n");
	seq_printf(s, "voluntary_ctxt_switches:\t0\nnonvoluntary_ctxt_switches:\t0\n");
}

/* Runs show twice: once to measure, once into a buffer of the right size. */
static long seq_text(void (*show)(struct seq_buf *, const struct proc_info *,
				  const struct proc_vm *),
		     const struct proc_info *pi, const struct proc_vm *vm, char **textp,
		     size_t *len)
{
	struct seq_buf s = { 0 };

	show(&s, pi, vm);
	if (!(s.buf = malloc(s.len + 1)))
		return -LINUX_ENOMEM;
	s.size = s.len + 1;
	s.len = 0;
	show(&s, pi, vm);
	*textp = s.buf;
	*len = s.len;
	return 0;
}

/*
 * Linux's get_mm_cmdline: the argument area; if the program overwrote its
 * final NUL (setproctitle), the string at arg_start up to its NUL, within
 * a page.  Empty without an mm (a zombie).
 */
static long cmdline_text(struct mm_struct *mm, char **textp, size_t *len)
{
	u64 start = 0, end = 0;
	size_t n = 0, got;
	char *text, last = 0;

	if (mm) {
		mmap_lock(mm);
		start = mm->arg_start;
		end = mm->arg_end;
		mmap_unlock(mm);
	}
	if (start < end && access_remote_vm(mm, end - 1, &last, 1) == 1 && last)
		end = start + PAGE_SIZE; /* setproctitle: up to the NUL */
	if (start < end)
		n = end - start;
	if (!(text = malloc(n + 1)))
		return -LINUX_ENOMEM;
	got = n ? access_remote_vm(mm, start, text, n) : 0;
	if (last) {
		char *nul = memchr(text, 0, got);
		got = nul ? (size_t)(nul - text) + 1 : got;
	}
	*textp = text;
	*len = got;
	return 0;
}

long proc_pid_show(enum proc_kind kind, int tgid, int tid, char **textp, size_t *len)
{
	struct proc_info pi;
	struct proc_vm vm;
	long err = proc_info_get(tgid, tid, &pi);

	if (err)
		return err;
	if (kind == PROC_CMDLINE) {
		err = cmdline_text(pi.mm, textp, len);
	} else {
		proc_vm_get(pi.mm, &vm);
		err = seq_text(kind == PROC_STAT ? show_stat : show_status, &pi, &vm, textp, len);
	}
	if (pi.mm)
		mmput(pi.mm);
	return err;
}
