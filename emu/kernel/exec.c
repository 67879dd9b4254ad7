/*
 * execve and execveat.  The call itself does everything that can fail
 * with an error the caller sees: the path (in the guest's root), the
 * permission, `#!` interpreters, the ELF headers, copying argv and envp.
 * It then returns 0 and leaves the rest to the run loop (exec_commit),
 * because the engine the task runs on must be replaced, and an engine is
 * never closed from inside its own hooks: the other threads go, a new mm
 * and engine come, the program is loaded, close-on-exec descriptors close,
 * caught signals return to their default action.  A failure past that
 * point kills the process with SIGSEGV, as Linux's does.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "task.h"
#include "sched.h"
#include "timer.h"
#include "../mm/mm.h"
#include "../mm/uaccess.h"
#include "../fs/file.h"
#include "../fs/namei.h"
#include "../../loader/loader.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"

#define MAX_ARG_STRLEN (32 * 4096)  /* one argument or variable (Linux) */
#define MAX_ARG_STRINGS 0x7fffffff
#define BINPRM_BUF_SIZE 256         /* what `#!` may take */
#define MAX_INTERP_DEPTH 5          /* nested `#!` scripts Linux runs; one more is ELOOP */
#define LINUX_AT_EMPTY_PATH 0x1000
#define LINUX_AT_SYMLINK_NOFOLLOW 0x100

struct linux_binprm {
	int fd;             /* the ELF file to load (host) */
	char *path;         /* as run: AT_EXECFN, comm (/dev/fd/N/... for execveat) */
	char *interp;       /* what the next `#!` passes as the script: the path, then each interpreter */
	char *file_path;    /* the file's absolute guest path (maps) */
	char **argv, **envp;
	int argc, envc;
};

static void strv_free(char **v, int n)
{
	for (int i = 0; i < n && v; i++)
		free(v[i]);
	free(v);
}

static void binprm_free(struct linux_binprm *b)
{
	if (b->fd >= 0)
		close(b->fd);
	free(b->path);
	free(b->interp);
	free(b->file_path);
	strv_free(b->argv, b->argc);
	strv_free(b->envp, b->envc);
	free(b);
}

/* A guest string of at most MAX_ARG_STRLEN bytes, or NULL with *err set. */
static char *copy_arg(struct task *t, u64 ustr, long *err)
{
	char *s = malloc(MAX_ARG_STRLEN);
	u64 n = 0;

	if (!s) {
		*err = -LINUX_ENOMEM;
		return NULL;
	}
	/* Page by page: a string may end just before an unmapped page. */
	for (;;) {
		u64 chunk = PAGE_SIZE - ((ustr + n) & (PAGE_SIZE - 1));
		chunk = MIN(chunk, MAX_ARG_STRLEN - n);
		if (!chunk) {
			free(s);
			*err = -LINUX_E2BIG;
			return NULL;
		}
		if (copy_from_user(t, s + n, ustr + n, chunk)) {
			free(s);
			*err = -LINUX_EFAULT;
			return NULL;
		}
		char *z = memchr(s + n, 0, chunk);
		if (z)
			return realloc(s, (size_t)(z - s) + 1) ?: s;
		n += chunk;
	}
}

/* A NULL-terminated guest array of strings; *total adds their sizes (E2BIG). */
static char **copy_strings(struct task *t, u64 uarr, int *count, u64 *total, long *err)
{
	char **v = NULL;
	int n = 0;

	*count = 0;
	for (;; n++) {
		u64 p;
		if (!uarr) /* Linux takes a NULL argv or envp as empty */
			break;
		if (copy_from_user(t, &p, uarr + (u64)n * 8, 8)) {
			*err = -LINUX_EFAULT;
			goto fail;
		}
		if (!p)
			break;
		char **nv = realloc(v, sizeof(*v) * (n + 2));
		if (!nv) {
			*err = -LINUX_ENOMEM;
			goto fail;
		}
		v = nv;
		if (!(v[n] = copy_arg(t, p, err)))
			goto fail;
		*total += strlen(v[n]) + 1 + sizeof(u64);
	}
	if (!v && !(v = malloc(sizeof(*v)))) {
		*err = -LINUX_ENOMEM;
		return NULL;
	}
	v[n] = NULL;
	*count = n;
	return v;
fail:
	strv_free(v, n);
	return NULL;
}

/* Opens the guest path for execution: a regular file the user may execute. */
static long open_exec(struct task *t, int dirfd, const char *path, int flags, int *fd_out,
		      char **abs_path)
{
	struct stat st;
	long err;
	int fd;

	/* fexecve: the file the descriptor is open on. */
	if (!path[0] && (flags & LINUX_AT_EMPTY_PATH)) {
		struct file *f = fget(t, dirfd);
		char proc[64];
		if (!f)
			return -LINUX_EBADF;
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d", f->host_fd);
		fd = f->host_fd >= 0 ? open(proc, O_RDONLY | O_CLOEXEC) : -1;
		err = fd < 0 ? -LINUX_EACCES : 0;
		if (!err && (fstat(fd, &st) || !S_ISREG(st.st_mode) || !(st.st_mode & 0111))) {
			close(fd);
			err = -LINUX_EACCES;
		}
		if (!err) {
			char buf[4096] = "";
			host_fd_path(fd, buf, sizeof(buf));
			*abs_path = strdup(buf);
			*fd_out = fd;
		}
		fput(f);
		return err;
	}
	/* The path, and a `#!` interpreter's, are the guest's: inside its root. */
	err = path_open(t, dirfd, path, O_RDONLY | O_CLOEXEC |
			((flags & LINUX_AT_SYMLINK_NOFOLLOW) ? O_NOFOLLOW : 0), 0);
	if (err < 0)
		return err;
	fd = (int)err;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
	    faccessat(fd, "", X_OK, AT_EACCESS | AT_EMPTY_PATH)) {
		close(fd);
		return -LINUX_EACCES;
	}
	char buf[4096];
	snprintf(buf, sizeof(buf), "%s", path);
	host_fd_path(fd, buf, sizeof(buf));
	*abs_path = strdup(buf);
	*fd_out = fd;
	return 0;
}

/*
 * `#!interpreter [arg]`: the interpreter runs with argv = interpreter,
 * [arg], the script's path, then the original argv without its argv[0].
 */
static long script_argv(struct linux_binprm *b, const char *line, char **interp)
{
	char buf[BINPRM_BUF_SIZE + 1], *p, *arg = NULL;
	char **nv;
	int extra;

	snprintf(buf, sizeof(buf), "%s", line + 2);
	buf[strcspn(buf, "\n")] = 0;
	for (p = buf; *p == ' ' || *p == '\t'; p++)
		;
	if (!*p)
		return -LINUX_ENOEXEC;
	*interp = p;
	p += strcspn(p, " \t");
	if (*p) {
		*p++ = 0;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p) {
			arg = p;
			/* Linux keeps the rest of the line as one argument, trailing blanks cut. */
			for (char *e = arg + strlen(arg); e > arg && (e[-1] == ' ' || e[-1] == '\t'); e--)
				e[-1] = 0;
		}
	}
	extra = arg ? 3 : 2;
	nv = malloc(sizeof(*nv) * (b->argc - 1 + extra + 1 + (b->argc == 0)));
	if (!nv)
		return -LINUX_ENOMEM;
	int n = 0;
	nv[n++] = strdup(*interp);
	if (arg)
		nv[n++] = strdup(arg);
	nv[n++] = strdup(b->interp);
	for (int i = 1; i < b->argc; i++)
		nv[n++] = b->argv[i];
	nv[n] = NULL;
	if (b->argc > 0)
		free(b->argv[0]);
	free(b->argv);
	b->argv = nv;
	b->argc = n;
	*interp = strdup(*interp);
	return 0;
}

static long do_execveat(struct task *t, int dirfd, u64 upath, u64 uargv, u64 uenvp, int flags)
{
	struct linux_binprm *b = calloc(1, sizeof(*b));
	char path[LINUX_PATH_MAX], head[BINPRM_BUF_SIZE + 1];
	u64 total = 0, limit;
	long err = 0;

	if (!b)
		return -LINUX_ENOMEM;
	b->fd = -1;
	if (flags & ~(LINUX_AT_EMPTY_PATH | LINUX_AT_SYMLINK_NOFOLLOW)) {
		err = -LINUX_EINVAL;
		goto out;
	}
	if ((err = getname(t, path, upath)) < 0)
		goto out;
	if (!(b->argv = copy_strings(t, uargv, &b->argc, &total, &err)) ||
	    !(b->envp = copy_strings(t, uenvp, &b->envc, &total, &err)))
		goto out;
	/* Linux's limit: a quarter of the stack limit, at least 32 pages. */
	limit = MAX(t->signal->rlim[LINUX_RLIMIT_STACK].rlim_cur / 4, 32 * PAGE_SIZE);
	if (total > limit) {
		err = -LINUX_E2BIG;
		goto out;
	}
	/* Linux (5.18 on) runs a program given no argv with argv[0] "". */
	if (!b->argc) {
		char **nv = realloc(b->argv, 2 * sizeof(*nv));
		if (!nv || !(nv[0] = strdup(""))) {
			if (nv)
				b->argv = nv;
			err = -LINUX_ENOMEM;
			goto out;
		}
		nv[1] = NULL;
		b->argv = nv;
		b->argc = 1;
	}
	/* execveat names a file found through a descriptor /dev/fd/N[/path], as Linux. */
	if (dirfd != LINUX_AT_FDCWD && path[0] != '/') {
		char name[LINUX_PATH_MAX + 32];
		snprintf(name, sizeof(name), path[0] ? "/dev/fd/%d/%s" : "/dev/fd/%d", dirfd, path);
		b->path = strdup(name);
	} else {
		b->path = strdup(path);
	}
	b->interp = strdup(b->path);
	for (int depth = 0;; depth++) {
		char *interp = NULL;
		ssize_t n;
		if ((err = open_exec(t, dirfd, depth ? b->interp : path, depth ? 0 : flags, &b->fd,
				     &b->file_path)))
			goto out;
		n = pread(b->fd, head, BINPRM_BUF_SIZE, 0);
		head[n > 0 ? n : 0] = 0;
		if (n < 2 || head[0] != '#' || head[1] != '!')
			break;
		if (depth == MAX_INTERP_DEPTH) {
			err = -LINUX_ELOOP;
			goto out;
		}
		/* A script run through a close-on-exec descriptor: its interpreter could not open it. */
		if (!depth && dirfd != LINUX_AT_FDCWD && path[0] != '/' && get_close_on_exec(t, dirfd) > 0 &&
		    !path[0]) {
			err = -LINUX_ENOENT;
			goto out;
		}
		if ((err = script_argv(b, head, &interp)))
			goto out;
		close(b->fd);
		b->fd = -1;
		free(b->file_path);
		b->file_path = NULL;
		free(b->interp);
		b->interp = interp;
		dirfd = LINUX_AT_FDCWD;
	}
	/* The headers now: a bad or dynamic ELF fails here, with the old program still there. */
	struct elf_info info;
	const char *why;
	if ((err = elf_read_info(b->fd, &info, &why)))
		goto out;
	elf_info_free(&info);
	t->exec_pending = b;
	task_set_pending(t, TIF_EXEC);
	return 0;
out:
	binprm_free(b);
	return err;
}

long sys_execve(struct task *t, u64 ufilename, u64 uargv, u64 uenvp)
{
	return do_execveat(t, LINUX_AT_FDCWD, ufilename, uargv, uenvp, 0);
}

long sys_execveat(struct task *t, int fd, u64 ufilename, u64 uargv, u64 uenvp, int flags)
{
	return do_execveat(t, fd, ufilename, uargv, uenvp, flags);
}

/* The other threads of t's process end (Linux's de_thread); t takes the process's id. */
static void de_thread(struct task *t)
{
	struct signal_struct *sg = t->signal;
	bool alone;

	pthread_mutex_lock(&t->sighand->siglock);
	for (struct task *o = sg->threads; o; o = o->next_thread)
		if (o != t)
			task_set_pending(o, TIF_EXIT);
	alone = sg->nr_threads == 1;
	pthread_mutex_unlock(&t->sighand->siglock);
	if (alone)
		return;
	wake_thread_group(t);
	/* The others need the turn to close their engines: exec_commit takes it back. */
	if (t->run_held != RUN_NONE)
		mm_run_release(t);
	for (;;) {
		pthread_mutex_lock(&t->sighand->siglock);
		alone = sg->nr_threads == 1;
		pthread_mutex_unlock(&t->sighand->siglock);
		if (alone)
			break;
		usleep(1000);
	}
	pthread_mutex_lock(&t->sighand->siglock);
	sg->nr_live = 1;
	pthread_mutex_unlock(&t->sighand->siglock);
	tasklist_lock();
	t->tid = sg->tgid; /* the leader is gone: the exec'ing thread is the process now */
	t->group_leader = t;
	tasklist_unlock();
}

/* Caught signals go back to their default action; ignored ones stay ignored. */
static void flush_signal_handlers(struct task *t)
{
	struct sighand_struct *sh = t->sighand;

	/* Shared with another process (CLONE_SIGHAND): this one gets its own now. */
	if (atomic_load(&sh->count) > 1) {
		struct sighand_struct *copy = sighand_alloc();
		if (copy) {
			pthread_mutex_lock(&sh->siglock);
			memcpy(copy->action, sh->action, sizeof(copy->action));
			pthread_mutex_unlock(&sh->siglock);
			t->sighand = copy;
			if (atomic_fetch_sub(&sh->count, 1) == 1)
				free(sh);
			sh = copy;
		}
	}
	pthread_mutex_lock(&sh->siglock);
	for (int i = 0; i < LINUX_NSIG; i++) {
		struct linux_sigaction *ka = &sh->action[i];
		if (ka->handler != LINUX_SIG_IGN)
			ka->handler = LINUX_SIG_DFL;
		ka->flags = 0;
		ka->restorer = 0;
		ka->mask = 0;
	}
	pthread_mutex_unlock(&sh->siglock);
}

void exec_commit(struct task *t)
{
	struct linux_binprm *b = t->exec_pending;
	struct mm_struct *old;
	const char *why;
	long err;

	t->exec_pending = NULL;
	if (!b)
		return;
	de_thread(t);
	/* The old memory goes with the old engine; a vfork parent goes on now. */
	exit_mm_release(t);
	t->clear_child_tid = 0;
	t->robust_list = 0;
	mm_run_exclusive(t);
	cpu_destroy(t);
	mm_run_release(t);
	/* Swapped under the task list's lock: /proc readers take a reference under it. */
	tasklist_lock();
	old = t->mm;
	t->mm = mm_alloc();
	tasklist_unlock();
	mmput(old);
	if (!t->mm || cpu_init(t)) {
		binprm_free(b);
		do_group_exit_signal(t, LINUX_SIGSEGV, false);
		return;
	}
	mm_run_acquire(t);
	/* Descriptors: this process's own table from now on, close-on-exec ones closed. */
	if (atomic_load(&t->files->count) > 1) {
		struct files_struct *copy = dup_fd(t->files), *shared = t->files;
		if (copy) {
			tasklist_lock();
			t->files = copy;
			tasklist_unlock();
			put_files(shared);
		}
	}
	do_close_on_exec(t->files);
	flush_signal_handlers(t);
	exec_posix_timers(t);
	t->sas.ss_sp = 0;
	t->sas.ss_size = 0;
	t->sas.ss_flags = LINUX_SS_DISABLE;
	t->restart_fn = NULL;
	err = load_elf_fd(t, b->fd, b->path, b->file_path, b->argv, b->envp, &why);
	b->fd = -1; /* taken by the loader */
	binprm_free(b);
	if (err) {
		do_group_exit_signal(t, LINUX_SIGSEGV, false);
		return;
	}
	tasklist_lock();
	t->signal->did_exec = true;
	t->signal->dumpable = 1;
	tasklist_unlock();
	x87_install_hooks(t);
	atomic_install_hooks(t);
}
