/*
 * The magic links of /proc/{self,thread-self,PID} of every guest process:
 * root, cwd, exe and fd/N.  They name the guest's objects, never lxemu's, so
 * they are read here (readlink) and followed by path lookup (namei.c)
 * instead of by the host, whose /proc would show lxemu's root, cwd and fds.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "file.h"
#include "namei.h"
#include "procfs.h"
#include "../kernel/task.h"
#include "../mm/mm.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"
#include "../../abi/linux/stat.h"

/* The next component of *p (skipping "/" and "." ones) in *name / *len; false at the end. */
static bool next_component(const char **p, const char **name, int *len)
{
	const char *s = *p;

	for (;;) {
		while (*s == '/')
			s++;
		if (!*s)
			return false;
		*name = s;
		while (*s && *s != '/')
			s++;
		*len = (int)(s - *name);
		*p = s;
		if (*len != 1 || (*name)[0] != '.')
			return true;
	}
}

static bool name_is(const char *name, int len, const char *s)
{
	return len == (int)strlen(s) && !memcmp(name, s, len);
}

/* A canonical decimal number (Linux's name_to_int), else -1. */
static long name_number(const char *name, int len)
{
	long n = 0;

	if (!len || len > 9 || (len > 1 && name[0] == '0'))
		return -1;
	for (int i = 0; i < len; i++) {
		if (name[i] < '0' || name[i] > '9')
			return -1;
		n = n * 10 + (name[i] - '0');
	}
	return n;
}

/*
 * The process whose /proc directory name is: "self" and "thread-self" are
 * t's own, a number is any guest process or thread (its process's).
 * Returns the tgid, or 0 for a name that is none.
 */
static int pid_dir(struct task *t, const char *name, int len, bool *own)
{
	long pid;
	int tgid;

	*own = true;
	if (name_is(name, len, "self") || name_is(name, len, "thread-self"))
		return task_tgid(t);
	pid = name_number(name, len);
	if (pid > 0 && (pid == task_tgid(t) || pid == task_tid(t)))
		return task_tgid(t);
	tgid = proc_tgid_of(pid);
	*own = tgid == task_tgid(t);
	return tgid;
}

bool proc_link_parse(struct task *t, const char *path, struct proc_link *l)
{
	const char *p = path, *name;
	int len;

	if (path[0] != '/' || !next_component(&p, &name, &len) || !name_is(name, len, "proc") ||
	    !next_component(&p, &name, &len) || !(l->tgid = pid_dir(t, name, len, &l->own)) ||
	    !next_component(&p, &name, &len))
		return false;
	if (name_is(name, len, "root"))
		l->kind = PROC_LINK_ROOT;
	else if (name_is(name, len, "cwd"))
		l->kind = PROC_LINK_CWD;
	else if (name_is(name, len, "exe"))
		l->kind = PROC_LINK_EXE;
	else if (name_is(name, len, "fd") && next_component(&p, &name, &len) &&
		 (l->fd = (int)name_number(name, len)) >= 0)
		l->kind = PROC_LINK_FD;
	else
		return false;
	l->rest = p;
	return true;
}

long proc_pid_path(struct task *t, const char *path, char *buf, size_t size)
{
	const char *p = path, *name;
	long pid;
	int len;

	if (path[0] != '/' || !next_component(&p, &name, &len) || !name_is(name, len, "proc") ||
	    !next_component(&p, &name, &len) || (pid = name_number(name, len)) < 0)
		return 0;
	if (!proc_tgid_of(pid) && pid != task_tid(t))
		return -LINUX_ENOENT;
	if (snprintf(buf, size, "/proc/self%s", p) >= (int)size)
		return -LINUX_ENAMETOOLONG;
	return 1;
}

struct file *proc_link_file(struct task *t, const struct proc_link *l)
{
	struct files_struct *files;
	struct file *f;

	if (l->own)
		return fget(t, l->fd);
	if (!(files = proc_files_get(l->tgid)))
		return NULL;
	f = files_fget(files, l->fd);
	put_files(files);
	return f;
}

long proc_link_path(struct task *t, const struct proc_link *l, char *buf, size_t size)
{
	long err = 0;

	switch (l->kind) {
	case PROC_LINK_ROOT:
		snprintf(buf, size, "/");
		break;
	case PROC_LINK_CWD:
		if (l->own)
			fs_cwd_get(t->fs, buf, size);
		else
			err = proc_cwd_of(l->tgid, buf, size);
		break;
	case PROC_LINK_EXE:
		if (!l->own)
			err = proc_exe_of(l->tgid, buf, size);
		else if (t->mm->exe_path)
			snprintf(buf, size, "%s", t->mm->exe_path);
		else
			err = -LINUX_ENOENT;
		break;
	case PROC_LINK_FD:
		return -LINUX_EINVAL;
	}
	return err ? err : (long)strlen(buf);
}

/* What /proc/PID/fd/N reads: the file's name (file_name_dup). */
static long fd_link_text(struct task *t, const struct proc_link *l, char *buf, size_t size)
{
	struct file *f = proc_link_file(t, l);
	char *name;

	if (!f)
		return -LINUX_ENOENT;
	name = file_name_dup(f);
	fput(f);
	if (!name)
		return -LINUX_ENOENT;
	snprintf(buf, size, "%s", name);
	free(name);
	return (long)strlen(buf);
}

long proc_readlink(struct task *t, const char *path, char *buf, size_t size)
{
	struct proc_link l;

	/* A slash after the link follows it: not a readlink of the link. */
	if (!proc_link_parse(t, path, &l) || l.rest[0])
		return 0;
	if (l.kind == PROC_LINK_FD)
		return fd_link_text(t, &l, buf, size);
	return proc_link_path(t, &l, buf, size);
}

/*
 * Linux's proc links: lrwxrwxrwx for root, cwd and exe; fd/N has the
 * owner's r-x for a readable file and -wx for a writable one, nothing for
 * O_PATH (tid_fd_update_inode), size 64, owned by the caller's ids.
 */
long proc_link_lstat(struct task *t, const char *path, struct linux_stat *st)
{
	struct proc_link l;
	struct timespec now;
	u32 mode = 0777;

	if (!proc_link_parse(t, path, &l) || l.rest[0])
		return 0;
	if (l.kind == PROC_LINK_FD) {
		struct file *f = proc_link_file(t, &l);
		if (!f)
			return -LINUX_ENOENT;
		u32 acc = f->f_flags & LINUX_O_ACCMODE;
		mode = 0;
		if (!(f->f_flags & LINUX_O_PATH)) {
			if (acc == LINUX_O_RDONLY || acc == LINUX_O_RDWR)
				mode |= 0500;
			if (acc == LINUX_O_WRONLY || acc == LINUX_O_RDWR)
				mode |= 0300;
		}
		fput(f);
	} else {
		char buf[LINUX_PATH_MAX];
		long err = proc_link_path(t, &l, buf, sizeof(buf));
		if (err < 0)
			return err;
	}
	clock_gettime(CLOCK_REALTIME, &now);
	proc_fill_stat(st, proc_dev(),
		       proc_link_ino(l.tgid, l.kind == PROC_LINK_FD ? l.fd : PROC_LINK_WHICH(l.kind)),
		       1, LINUX_S_IFLNK | mode, &now);
	st->st_size = 64;
	return 1;
}
