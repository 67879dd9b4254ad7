/*
 * The magic links of the caller's own /proc/{self,thread-self,PID}: root,
 * cwd, exe and fd/N.  They name the guest's own objects, never lxemu's, so
 * they are read here (readlink) and followed by path lookup (namei.c)
 * instead of by the host, whose /proc would show lxemu's root, cwd and fds.
 */
#include <stdio.h>
#include <string.h>
#include "file.h"
#include "namei.h"
#include "procfs.h"
#include "../kernel/task.h"
#include "../mm/mm.h"
#include "../../abi/linux/errno.h"

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

/* "self", "thread-self", or t's own pid or tid: the directory of t's process. */
static bool is_own_pid_dir(struct task *t, const char *name, int len)
{
	long pid;

	if (name_is(name, len, "self") || name_is(name, len, "thread-self"))
		return true;
	pid = name_number(name, len);
	return pid > 0 && (pid == task_tgid(t) || pid == task_tid(t));
}

bool proc_link_parse(struct task *t, const char *path, struct proc_link *l)
{
	const char *p = path, *name;
	int len;

	if (path[0] != '/' || !next_component(&p, &name, &len) || !name_is(name, len, "proc") ||
	    !next_component(&p, &name, &len) || !is_own_pid_dir(t, name, len) ||
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

/* What /proc/self/fd/N reads: the file's guest path now, else the name it was opened by. */
static long fd_link_text(struct task *t, int fd, char *buf, size_t size)
{
	struct file *f = fget(t, fd);

	if (!f)
		return -LINUX_ENOENT;
	snprintf(buf, size, "%s", f->path ? f->path : "");
	if (f->host_fd >= 0)
		host_fd_path(f->host_fd, buf, size);
	fput(f);
	return buf[0] ? (long)strlen(buf) : -LINUX_ENOENT;
}

long proc_readlink(struct task *t, const char *path, char *buf, size_t size)
{
	struct fs_struct *fs = t->fs;
	struct proc_link l;

	/* A slash after the link follows it: not a readlink of the link. */
	if (!proc_link_parse(t, path, &l) || l.rest[0])
		return 0;
	switch (l.kind) {
	case PROC_LINK_ROOT:
		snprintf(buf, size, "/");
		break;
	case PROC_LINK_CWD:
		pthread_mutex_lock(&fs->lock);
		snprintf(buf, size, "%s", fs->cwd);
		pthread_mutex_unlock(&fs->lock);
		break;
	case PROC_LINK_EXE:
		if (!t->mm->exe_path)
			return -LINUX_ENOENT;
		snprintf(buf, size, "%s", t->mm->exe_path);
		break;
	case PROC_LINK_FD:
		return fd_link_text(t, l.fd, buf, size);
	}
	return (long)strlen(buf);
}
