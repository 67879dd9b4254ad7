/*
 * Generated /proc files: /proc/PID/maps from the mm's VMAs, in Linux's exact
 * format, /proc/PID/comm, and stat, status and cmdline (procfs_pid.c);
 * /proc/PID/task/TID/ holds the same for each thread, /proc/PID/task lists
 * the threads and /proc/PID/fd the open fds (procfs_task.c); /proc/cpuinfo
 * and /sys/devices/system/cpu/{online,possible,present} describe --cpus
 * CPUs (procfs_cpuinfo.c).  Every guest process is served, zombies
 * included; other pids are ENOENT so the guest never sees the host's
 * processes.  Everything else in /proc still passes through to the host,
 * whose /proc listing shows the guest's pids instead of its own (procfs_root.c).
 */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include "file.h"
#include "pipe.h"
#include "procfs.h"
#include "../kernel/task.h"
#include "../mm/mm.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"
#include "../../abi/linux/mman.h"
#include "../../abi/linux/stat.h"

/*
 * Linux pads a maps line to seq_setwidth(25 + 6 * sizeof(void *) - 1)
 * columns, then seq_pad adds one space: names start at column 73 (0-based).
 */
#define MAPS_NAME_WIDTH 72

void seq_printf(struct seq_buf *s, const char *fmt, ...)
{
	size_t room = s->len < s->size ? s->size - s->len : 0;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(room ? s->buf + s->len : NULL, room, fmt, ap);
	va_end(ap);
	if (n > 0)
		s->len += n;
}

void seq_putc(struct seq_buf *s, char c)
{
	if (s->len + 1 < s->size) {
		s->buf[s->len] = c;
		s->buf[s->len + 1] = '\0';
	}
	s->len++;
}

/* A path as Linux's seq_file_path(m, file, "\n") writes it. */
static void seq_put_path(struct seq_buf *s, const char *path)
{
	for (; *path; path++) {
		if (*path == '\n')
			seq_printf(s, "\\%03o", *path);
		else
			seq_putc(s, *path);
	}
}

/* The name Linux's show_map_vma gives vma, or NULL for a nameless area. */
static const char *vma_name(const struct mm_struct *mm, const struct vm_area_struct *vma)
{
	if (vma->vm_file || vma->path)
		return vma->path;
	/* vma_is_initial_heap and vma_is_initial_stack, as of Linux 6.7 */
	if (vma->vm_start < mm->brk && vma->vm_end > mm->start_brk)
		return "[heap]";
	if (vma->vm_start <= mm->start_stack && vma->vm_end >= mm->start_stack)
		return "[stack]";
	return NULL;
}

/* One maps line.  Offset, device and inode describe file VMAs only, as in Linux. */
static void show_map_vma(struct seq_buf *s, const struct mm_struct *mm,
			 const struct vm_area_struct *vma)
{
	const char *name = vma_name(mm, vma);
	bool file = vma->vm_file || vma->path;
	size_t line = s->len;

	seq_printf(s, "%08llx-%08llx %c%c%c%c %08llx %02x:%02x %llu ",
		   (unsigned long long)vma->vm_start, (unsigned long long)vma->vm_end,
		   vma->vm_prot & LINUX_PROT_READ ? 'r' : '-',
		   vma->vm_prot & LINUX_PROT_WRITE ? 'w' : '-',
		   vma->vm_prot & LINUX_PROT_EXEC ? 'x' : '-',
		   vma->vm_flags & VM_SHARED ? 's' : 'p',
		   file ? (unsigned long long)vma->vm_pgoff * PAGE_SIZE : 0ULL,
		   file ? major(vma->dev) : 0, file ? minor(vma->dev) : 0,
		   file ? (unsigned long long)vma->ino : 0ULL);
	if (name) {
		if (s->len - line < MAPS_NAME_WIDTH)
			seq_printf(s, "%*s", (int)(MAPS_NAME_WIDTH - (s->len - line)), "");
		seq_putc(s, ' ');
		seq_put_path(s, name);
	}
	seq_putc(s, '\n');
}

long mm_format_maps_locked(struct mm_struct *mm, char *buf, size_t size)
{
	struct seq_buf s = { .buf = buf, .size = size };
	struct vm_area_struct *vma;

	if (size)
		buf[0] = '\0';
	for (vma = find_vma_locked(mm, 0); vma; vma = find_vma_locked(mm, vma->vm_end))
		show_map_vma(&s, mm, vma);
	return (long)s.len;
}

/*
 * A generated file.  Linux regenerates maps on every read; this keeps a
 * snapshot, taken by the first read and again by every read or pread at
 * offset 0, so a reader that rewinds sees the mappings made since.
 */
struct proc_file {
	/* The whole text in a new buffer, or -errno. */
	long (*show)(struct proc_file *pf, char **text, size_t *len);
	/* A write of n bytes (NULL: the file is not writable). */
	long (*store)(struct proc_file *pf, const void *buf, u64 n);
	struct mm_struct *mm; /* held (mm_get) while the file is open */
	int tgid, tid;        /* the process and task the file describes */
	enum proc_kind kind;
	u32 mode;
	u64 dev, ino;
	struct timespec ctime;
	/* guarded by the file's f_lock */
	char *text;
	size_t len;
	s64 pos;
};

/* The whole maps text of pf->mm. */
static long maps_show(struct proc_file *pf, char **textp, size_t *len)
{
	size_t size = 4096;
	char *text = NULL, *p;
	long n;

	if (!pf->mm) {
		*textp = calloc(1, 1);
		return *textp ? 0 : -LINUX_ENOMEM;
	}
	mmap_lock(pf->mm);
	for (;;) {
		p = realloc(text, size);
		if (!p) {
			free(text);
			text = NULL;
			break;
		}
		text = p;
		n = mm_format_maps_locked(pf->mm, text, size);
		if ((size_t)n < size) {
			*len = n;
			break;
		}
		size = n + 1;
	}
	mmap_unlock(pf->mm);
	*textp = text;
	return text ? 0 : -LINUX_ENOMEM;
}

/* The task's name and a newline, as Linux's proc_pid_comm; ESRCH once it is gone. */
static long comm_show(struct proc_file *pf, char **textp, size_t *len)
{
	char comm[16];

	if (!task_comm_get(pf->tid, comm) && !proc_comm_of(pf->tgid, pf->tid, comm))
		return -LINUX_ESRCH;
	comm[sizeof(comm) - 1] = '\0';
	*len = strlen(comm) + 1;
	if (!(*textp = malloc(*len + 1)))
		return -LINUX_ENOMEM;
	snprintf(*textp, *len + 1, "%s\n", comm);
	return 0;
}

/* Linux's comm_write: the first 15 bytes name the task, whatever they hold; all n count. */
static long comm_store(struct proc_file *pf, const void *buf, u64 n)
{
	char comm[16] = { 0 };

	if (n)
		memcpy(comm, buf, MIN(n, sizeof(comm) - 1));
	return task_comm_set(pf->tid, comm) ? (long)n : -LINUX_ESRCH;
}

/* stat, status and cmdline: made from the process each time (procfs_pid.c). */
static long pid_show(struct proc_file *pf, char **textp, size_t *len)
{
	return proc_pid_show(pf->kind, pf->tgid, pf->tid, textp, len);
}

static long cpuinfo_show(struct proc_file *pf, char **textp, size_t *len)
{
	(void)pf;
	return proc_cpuinfo_show(textp, len);
}

/* A cpulist of the guest's CPUs: "0-N" ("0" for one), as the sysfs files read. */
static long cpulist_show(struct proc_file *pf, char **textp, size_t *len)
{
	(void)pf;
	if (!(*textp = malloc(32)))
		return -LINUX_ENOMEM;
	*len = kconfig.cpus > 1 ? (size_t)snprintf(*textp, 32, "0-%d\n", kconfig.cpus - 1)
				: (size_t)snprintf(*textp, 32, "0\n");
	return 0;
}

/* Takes a fresh snapshot.  Not under f_lock: show takes mmap_lock. */
static long proc_refresh(struct file *f)
{
	struct proc_file *pf = f->private_data;
	size_t len = 0;
	char *text = NULL;
	long err = pf->show(pf, &text, &len);

	if (err)
		return err;
	pthread_mutex_lock(&f->f_lock);
	free(pf->text);
	pf->text = text;
	pf->len = len;
	pthread_mutex_unlock(&f->f_lock);
	return 0;
}

/* Whether a read at pos (< 0: the file's offset) must take a fresh snapshot. */
static bool proc_stale(struct file *f, s64 pos)
{
	struct proc_file *pf = f->private_data;
	bool stale;

	pthread_mutex_lock(&f->f_lock);
	stale = !pf->text || (pos < 0 ? pf->pos : pos) == 0;
	pthread_mutex_unlock(&f->f_lock);
	return stale;
}

/* Copies the snapshot from pos. Caller holds f_lock. */
static long proc_copy_locked(struct proc_file *pf, void *buf, u64 n, s64 pos)
{
	if (!pf->text || (u64)pos >= pf->len)
		return 0;
	n = MIN(n, pf->len - (u64)pos);
	memcpy(buf, pf->text + pos, n);
	return (long)n;
}

static long proc_read(struct file *f, void *buf, u64 n)
{
	struct proc_file *pf = f->private_data;
	long ret;

	if (proc_stale(f, -1) && (ret = proc_refresh(f)))
		return ret;
	pthread_mutex_lock(&f->f_lock);
	ret = proc_copy_locked(pf, buf, n, pf->pos);
	pf->pos += ret;
	pthread_mutex_unlock(&f->f_lock);
	return ret;
}

static long proc_pread(struct file *f, void *buf, u64 n, s64 pos)
{
	struct proc_file *pf = f->private_data;
	long ret;

	if (pos < 0)
		return -LINUX_EINVAL;
	if (proc_stale(f, pos) && (ret = proc_refresh(f)))
		return ret;
	pthread_mutex_lock(&f->f_lock);
	ret = proc_copy_locked(pf, buf, n, pos);
	pthread_mutex_unlock(&f->f_lock);
	return ret;
}

static long proc_write(struct file *f, const void *buf, u64 n)
{
	struct proc_file *pf = f->private_data;

	return pf->store ? pf->store(pf, buf, n) : -LINUX_EINVAL;
}

/* The files that take writes ignore the position, as Linux's comm does. */
static long proc_pwrite(struct file *f, const void *buf, u64 n, s64 pos)
{
	return pos < 0 ? -LINUX_EINVAL : proc_write(f, buf, n);
}

/* Linux's seq_lseek: SEEK_SET and SEEK_CUR only, to any offset >= 0. */
static s64 proc_llseek(struct file *f, s64 off, int whence)
{
	struct proc_file *pf = f->private_data;
	s64 ret = -LINUX_EINVAL;

	pthread_mutex_lock(&f->f_lock);
	if (whence == LINUX_SEEK_CUR && __builtin_add_overflow(off, pf->pos, &off))
		off = -1;
	if ((whence == LINUX_SEEK_SET || whence == LINUX_SEEK_CUR) && off >= 0)
		ret = pf->pos = off;
	pthread_mutex_unlock(&f->f_lock);
	return ret;
}

void proc_fill_stat(struct linux_stat *st, u64 dev, u64 ino, u32 nlink, u32 mode,
		    const struct timespec *ctime)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = dev;
	st->st_ino = ino;
	st->st_nlink = nlink;
	st->st_mode = mode;
	st->st_uid = geteuid(); /* the guest's ids are the host's */
	st->st_gid = getegid();
	st->st_blksize = 1024;
	st->st_atime_sec = st->st_mtime_sec = st->st_ctime_sec = ctime->tv_sec;
	st->st_atime_nsec = st->st_mtime_nsec = st->st_ctime_nsec = ctime->tv_nsec;
}

/* What Linux reports for a proc file: empty, owned by the caller. */
static long proc_fstat(struct file *f, struct linux_stat *st)
{
	struct proc_file *pf = f->private_data;

	proc_fill_stat(st, pf->dev, pf->ino, 1, LINUX_S_IFREG | pf->mode, &pf->ctime);
	return 0;
}

static void proc_file_free(struct proc_file *pf)
{
	if (pf->mm)
		mmput(pf->mm);
	free(pf->text);
	free(pf);
}

static void proc_release(struct file *f)
{
	proc_file_free(f->private_data);
}

/* No getdents64 (ENOTDIR); writes only where there is a store. */
static const struct file_operations proc_file_ops = {
	.read = proc_read,
	.pread = proc_pread,
	.write = proc_write,
	.pwrite = proc_pwrite,
	.llseek = proc_llseek,
	.fstat = proc_fstat,
	.release = proc_release,
};

/* A path split into components, "." and ".." resolved lexically. */
#define PROC_MAX_DEPTH 8

struct proc_path {
	const char *name[PROC_MAX_DEPTH];
	int len[PROC_MAX_DEPTH];
	int depth;
	bool dir; /* ends in "/", "." or "..": must name a directory */
};

/* What a path names: which entry, of which task of which process. */
struct proc_target {
	enum proc_kind kind;
	int tgid, tid;
};

/* Returns false for relative or deeper paths: those are not procfs's. */
static bool proc_split(const char *path, struct proc_path *pp)
{
	const char *p = path;

	pp->depth = 0;
	pp->dir = false;
	if (*p != '/')
		return false;
	while (*p) {
		const char *start;
		while (*p == '/')
			p++;
		if (!*p)
			break;
		for (start = p; *p && *p != '/'; p++)
			;
		pp->dir = *p == '/';
		if (p - start == 1 && start[0] == '.') {
			pp->dir = true;
		} else if (p - start == 2 && start[0] == '.' && start[1] == '.') {
			pp->dir = true;
			pp->depth -= pp->depth > 0;
		} else if (pp->depth == PROC_MAX_DEPTH) {
			return false;
		} else {
			pp->name[pp->depth] = start;
			pp->len[pp->depth++] = (int)(p - start);
		}
	}
	return true;
}

static bool proc_name_is(const struct proc_path *pp, int i, const char *s)
{
	return pp->len[i] == (int)strlen(s) && !memcmp(pp->name[i], s, pp->len[i]);
}

/* Linux's name_to_int: a canonical decimal number, else -1. */
static long proc_number(const struct proc_path *pp, int i)
{
	long n = 0;

	if (pp->len[i] > 1 && pp->name[i][0] == '0')
		return -1;
	for (int k = 0; k < pp->len[i]; k++) {
		char c = pp->name[i][k];
		if (c < '0' || c > '9' || n >= INT_MAX / 10)
			return -1;
		n = n * 10 + (c - '0');
	}
	return n;
}

static void note_tgid(struct task *p, void *tgid)
{
	*(int *)tgid = task_tgid(p);
}

/* The process /proc/PID names: a process (zombies too) or a live thread's; 0 if none. */
int proc_tgid_of(long pid)
{
	struct signal_struct *sg;
	struct task *p;
	int tgid = 0;

	if (pid <= 0)
		return 0;
	tasklist_lock();
	if ((sg = find_proc_locked((int)pid)))
		tgid = sg->tgid;
	else if ((p = task_by_tid_locked((int)pid)))
		tgid = task_tgid(p);
	tasklist_unlock();
	return tgid;
}

/* Whether tid is a live thread of t's process (t and the process's own pid always are). */
static bool proc_own_tid(struct task *t, long tid)
{
	int tgid = 0;

	if (tid == task_tid(t) || tid == task_tgid(t))
		return true;
	return tid > 0 && task_with_tid((int)tid, note_tgid, &tgid) && tgid == task_tgid(t);
}

/* Whether tid is a live thread of process tgid (t's own process: as proc_own_tid). */
static bool proc_has_tid(struct task *t, int tgid, long tid)
{
	int of = 0;

	if (tgid == task_tgid(t))
		return proc_own_tid(t, tid);
	return tid > 0 && task_with_tid((int)tid, note_tgid, &of) && of == tgid;
}

/*
 * Whether component i names a pid directory: 1 (with pt's tgid and tid
 * set) for "self", a guest process (zombies too) or a live thread of one;
 * -LINUX_ENOENT for any other number; 0 for a name that is no pid.
 */
static int proc_pid(struct task *t, const struct proc_path *pp, int i, struct proc_target *pt)
{
	long pid;

	if (proc_name_is(pp, i, "self")) {
		pt->tid = pt->tgid = task_tgid(t);
		return 1;
	}
	if (!pp->len[i] || pp->name[i][0] < '0' || pp->name[i][0] > '9')
		return 0;
	pid = proc_number(pp, i);
	if (proc_own_tid(t, pid))
		pt->tgid = task_tgid(t);
	else if (!(pt->tgid = proc_tgid_of(pid)))
		return -LINUX_ENOENT;
	pt->tid = (int)pid;
	return 1;
}

static enum proc_kind proc_entry(const struct proc_path *pp, int i)
{
	if (proc_name_is(pp, i, "maps"))
		return PROC_MAPS;
	if (proc_name_is(pp, i, "comm"))
		return PROC_COMM;
	if (proc_name_is(pp, i, "task"))
		return PROC_TASK;
	if (proc_name_is(pp, i, "fd"))
		return PROC_FD;
	if (proc_name_is(pp, i, "stat"))
		return PROC_STAT;
	if (proc_name_is(pp, i, "status"))
		return PROC_STATUS;
	if (proc_name_is(pp, i, "cmdline"))
		return PROC_CMDLINE;
	return PROC_NONE;
}

/* /proc/{self,thread-self,PID}/ENTRY, where thread-self has no task directory. */
static int proc_lookup_pid(struct task *t, const struct proc_path *pp, struct proc_target *pt)
{
	if (!proc_name_is(pp, 1, "thread-self"))
		return proc_pid(t, pp, 1, pt);
	if (pt->kind == PROC_TASK)
		return -LINUX_ENOENT;
	pt->tgid = task_tgid(t);
	pt->tid = task_tid(t);
	return 1;
}

/* /proc/{self,PID}/task/TID/ENTRY: only the tids of the process are there. */
static int proc_lookup_thread(struct task *t, const struct proc_path *pp, struct proc_target *pt)
{
	int err = proc_pid(t, pp, 1, pt);
	long tid;

	if (err <= 0)
		return err;
	if (pt->kind == PROC_TASK)
		return -LINUX_ENOENT;
	tid = proc_number(pp, 3);
	if (!proc_has_tid(t, pt->tgid, tid))
		return -LINUX_ENOENT;
	pt->tid = (int)tid;
	return 1;
}

/*
 * What path names among the entries generated here.  Returns 1 with *pt
 * filled in, 0 for a path that is not one of them, or -LINUX_ENOENT.
 */
static int proc_lookup(struct task *t, const struct proc_path *pp, struct proc_target *pt)
{
	/* /sys/devices/system/cpu/{online,possible,present}: glibc counts CPUs there. */
	if (pp->depth == 5 && proc_name_is(pp, 0, "sys") && proc_name_is(pp, 1, "devices") &&
	    proc_name_is(pp, 2, "system") && proc_name_is(pp, 3, "cpu") &&
	    (proc_name_is(pp, 4, "online") || proc_name_is(pp, 4, "possible") ||
	     proc_name_is(pp, 4, "present"))) {
		pt->kind = PROC_CPULIST;
		pt->tgid = pt->tid = 0;
		return 1;
	}
	if (pp->depth < 2 || !proc_name_is(pp, 0, "proc"))
		return 0;
	if (pp->depth == 2) {
		if (!proc_name_is(pp, 1, "cpuinfo"))
			return 0;
		pt->kind = PROC_CPUINFO;
		pt->tgid = pt->tid = 0;
		return 1;
	}
	/* /proc/PID/task/X: no host entry may stand in for a thread that is not ours. */
	if (pp->depth == 4 && proc_name_is(pp, 2, "task") && proc_pid(t, pp, 1, pt) > 0 &&
	    !proc_has_tid(t, pt->tgid, proc_number(pp, 3)))
		return -LINUX_ENOENT;
	pt->kind = proc_entry(pp, pp->depth - 1);
	if (pt->kind == PROC_NONE)
		return 0;
	if (pp->depth == 3)
		return proc_lookup_pid(t, pp, pt);
	if (pp->depth == 5 && proc_name_is(pp, 2, "task"))
		return proc_lookup_thread(t, pp, pt);
	return 0;
}

/* Linux's open checks on an existing regular file of the caller's, mode 0444 or 0644. */
static long proc_may_open(const struct proc_path *pp, u32 mode, u32 flags)
{
	if ((flags & (LINUX_O_CREAT | LINUX_O_EXCL)) == (LINUX_O_CREAT | LINUX_O_EXCL))
		return -LINUX_EEXIST;
	if (pp->dir || (flags & LINUX_O_DIRECTORY))
		return -LINUX_ENOTDIR;
	/* Write access to 0444 needs CAP_DAC_OVERRIDE; root then gets EINVAL from write. */
	if (!(flags & LINUX_O_PATH) && (flags & LINUX_O_ACCMODE) != LINUX_O_RDONLY &&
	    !(mode & 0200) && geteuid() != 0)
		return -LINUX_EACCES;
	return 0;
}

u64 proc_dev(void)
{
	struct stat hs;

	if (stat("/proc", &hs))
		return 0;
	return linux_makedev(major(hs.st_dev), minor(hs.st_dev));
}

static struct proc_file *proc_file_alloc(struct task *t, const struct proc_target *pt)
{
	struct proc_file *pf = calloc(1, sizeof(*pf));

	if (!pf)
		return NULL;
	if (pt->kind == PROC_MAPS) {
		pf->show = maps_show;
		/* the threads share it */
		pf->mm = pt->tgid == task_tgid(t) ? (t->mm ? mm_get(t->mm) : NULL) : proc_mm_get(pt->tgid);
		pf->mode = 0444;
	} else if (pt->kind == PROC_COMM) {
		pf->show = comm_show;
		pf->store = comm_store;
		pf->mode = 0644;
	} else if (pt->kind == PROC_CPUINFO || pt->kind == PROC_CPULIST) {
		pf->show = pt->kind == PROC_CPUINFO ? cpuinfo_show : cpulist_show;
		pf->mode = 0444;
	} else {
		pf->show = pid_show;
		pf->mode = 0444;
	}
	pf->kind = pt->kind;
	pf->tgid = pt->tgid;
	pf->tid = pt->tid;
	pf->dev = proc_dev();
	pf->ino = proc_ino(pt->tid, pt->kind);
	clock_gettime(CLOCK_REALTIME, &pf->ctime);
	return pf;
}

static struct file *proc_file_open(struct task *t, const struct proc_path *pp,
				   const struct proc_target *pt, const char *path, u32 flags)
{
	struct proc_file *pf;
	struct file *f;
	long err;

	if ((err = proc_may_open(pp, pt->kind == PROC_COMM ? 0644 : 0444, flags)))
		return ERR_PTR(err);
	pf = proc_file_alloc(t, pt);
	if (!pf)
		return ERR_PTR(-LINUX_ENOMEM);
	flags &= ~(LINUX_O_CREAT | LINUX_O_EXCL | LINUX_O_NOCTTY | LINUX_O_TRUNC |
		   LINUX_O_CLOEXEC);
	f = alloc_file(&proc_file_ops, -1, flags | LINUX_O_LARGEFILE, path);
	if (!f) {
		proc_file_free(pf);
		return ERR_PTR(-LINUX_ENOMEM);
	}
	f->private_data = pf;
	return f;
}

/*
 * Opening /proc/PID/fd/N of a file of lxemu's own kernel, which the host
 * cannot reopen: a pipe opens again (any end); anything else is ENXIO, as
 * for a socket.  NULL: a host file, which path lookup reopens.
 */
static struct file *proc_fd_reopen(struct task *t, const struct proc_link *l, u32 flags)
{
	struct file *of = proc_link_file(t, l), *f;

	if (!of)
		return ERR_PTR(-LINUX_ENOENT);
	if (of->host_fd >= 0)
		f = NULL;
	else if (file_is_pipe(of))
		f = pipe_reopen(of, flags);
	else
		f = ERR_PTR(-LINUX_ENXIO);
	fput(of);
	return f;
}

struct file *procfs_open(struct task *t, const char *path, u32 flags)
{
	struct proc_path pp;
	struct proc_target pt;
	struct proc_link l;
	long err;

	if (!(flags & (LINUX_O_NOFOLLOW | LINUX_O_PATH)) && proc_link_parse(t, path, &l) &&
	    l.kind == PROC_LINK_FD && !l.rest[0])
		return proc_fd_reopen(t, &l, flags);

	if (!proc_split(path, &pp) || (err = proc_lookup(t, &pp, &pt)) == 0)
		return NULL;
	if (err < 0)
		return ERR_PTR(err);
	if (pt.kind == PROC_TASK)
		return proc_task_dir_open(pt.tgid, path, flags);
	if (pt.kind == PROC_FD)
		return proc_fd_dir_open(pt.tgid, path, flags);
	return proc_file_open(t, &pp, &pt, path, flags);
}
