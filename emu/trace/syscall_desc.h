/*
 * One row of the system-call table that tools/gensyscalls.py generates from
 * abi/syscalls.tbl, and the argument and return kinds the table may use.
 * The kinds are listed once here; the generator refuses a .tbl whose `kind`
 * and `ret` lines do not match these lists name for name and type for type.
 */
#ifndef LXEMU_SYSCALL_DESC_H
#define LXEMU_SYSCALL_DESC_H

#include "../types.h"

struct task;

/* How well lxemu implements a call (the .tbl status column). */
enum syscall_status {
	SYSCALL_NONE,    /* no handler: the call answers -ENOSYS */
	SYSCALL_PARTIAL, /* a handler that covers the common cases */
	SYSCALL_FULL,    /* a handler that covers what Linux does */
};

/*
 * Argument kinds: X(name, C type of the handler parameter).  Kinds named
 * *_out are printed when the call returns; every other kind when it starts.
 * Pointer kinds are u64 guest addresses whose names begin with 'u'.
 */
#define SYSCALL_ARG_KINDS(X)                                                  \
	/* plain numbers */                                                   \
	X(int, int) X(uint, u32) X(long, s64) X(ulong, u64) X(hex, u64)       \
	X(xint, u32) X(size, u64) X(off, s64) X(xoff, s64) X(hidden, u64)     \
	/* numbers with a meaning */                                          \
	X(fd, int) X(dirfd, int) X(pid, int) X(uid, u32) X(gid, u32)          \
	X(mode, u32) X(omode, u32) X(fmode, u32) X(dev, u32) X(signo, int)    \
	X(clockid, int) X(whence, int) X(sighow, int) X(itimerwhich, int)     \
	X(idtype, int)                                                        \
	X(rlimres, u32)                                                       \
	/* flags and commands */                                              \
	X(oflags, int) X(oflags_noacc, int) X(atflags, int)                   \
	X(accessflags, int) X(statxflags, u32) X(statxmask, u32) X(amode, int) \
	X(prot, u64) X(mmapflags, u64) X(mremapflags, u64) X(msflags, int)    \
	X(madvice, int) X(cloneflags, u64) X(futexop, int) X(fcntlcmd, int)   \
	X(ioctlcmd, u32) X(archcode, int) X(renameflags, u32)                 \
	X(grndflags, u32) X(waitopts, int) X(timerflags, int)                 \
	X(fdflags, u64) X(prctlop, int) X(sockfamily, int) X(socktype, int)   \
	X(sockproto, int) X(msgflags, u32) X(fadvice, int) X(futexbitset, u32) \
	X(sfdflags, int) X(efdflags, int) X(epollflags, int) X(epollop, int)  \
	X(shuthow, int) X(spliceflags, u32) X(sockoptlevel, int)              \
	X(sockoptname, int)                                                   \
	/* guest memory read when the call starts */                          \
	X(ptr, u64) X(path, u64) X(str, u64) X(strarray, u64) X(envp, u64)    \
	X(buf_in, u64) X(timespec_in, u64) X(timeval_in, u64)                 \
	X(itimerval_in, u64) X(itimerspec_in, u64) X(sigevent_in, u64)        \
	X(sigset_in, u64) X(sigaction_in, u64)                                \
	X(stack_in, u64) X(iovec_in, u64) X(rlimit_in, u64) X(cpuset_in, u64) \
	X(int_in, u64) X(loff_in, u64) X(pollfd_in, u64) X(fdset_in, u64)     \
	X(termios_in, u64) X(winsize_in, u64) X(sigframe, u64)                \
	X(sockaddr_in, u64) X(clone_args, u64) X(siginfo_in, u64)             \
	X(epoll_event_in, u64)                                                \
	X(msghdr_in, u64)                                                     \
	/* guest memory read when the call returns */                         \
	X(buf_out, u64) X(buf_out_hex, u64) X(str_out, u64) X(stat_out, u64)  \
	X(statx_out, u64) X(timespec_out, u64) X(timespec_rem, u64)           \
	X(timeval_out, u64) X(timezone_out, u64) X(itimerval_out, u64)        \
	X(itimerspec_out, u64)                                                \
	X(sigset_out, u64) X(sigaction_out, u64) X(stack_out, u64)            \
	X(iovec_out, u64) X(utsname_out, u64) X(rlimit_out, u64)              \
	X(sysinfo_out, u64) X(time_out, u64) X(cpuset_out, u64)               \
	X(int_out, u64) X(id_out, u64) X(hexlong_out, u64) X(fdpair_out, u64) \
	X(dirents_out, u64) X(wstatus_out, u64) X(rusage_out, u64)            \
	X(termios_out, u64) X(winsize_out, u64) X(clone_args_out, u64)        \
	X(siginfo_out, u64) X(epoll_events_out, u64)                          \
	X(msghdr_out, u64)

/* Return kinds: how the result after " = " is printed. */
#define SYSCALL_RET_KINDS(X)                                                  \
	X(int) X(hex) X(octal) X(time) X(noreturn) X(getfl) X(getfd) X(poll) \
	X(signo)

enum syscall_arg_kind {
#define SYSCALL_ARG_ENUM(name, ctype) ARG_##name,
	SYSCALL_ARG_KINDS(SYSCALL_ARG_ENUM)
#undef SYSCALL_ARG_ENUM
	ARG_NR_KINDS
};

enum syscall_ret_kind {
#define SYSCALL_RET_ENUM(name) RET_##name,
	SYSCALL_RET_KINDS(SYSCALL_RET_ENUM)
#undef SYSCALL_RET_ENUM
	RET_NR_KINDS
};

/* One system call; a number Linux leaves unused has name == NULL. */
struct syscall_desc {
	const char *name;
	u8 nargs;
	u8 status;   /* enum syscall_status */
	u8 ret_kind; /* enum syscall_ret_kind */
	u8 arg_kind[6];
	const char *arg_name[6];
	/* The handler behind a thunk that unpacks the six raw registers; NULL for SYSCALL_NONE. */
	long (*fn)(struct task *, const u64 *);
};

/* Indexed by system-call number; syscall_table_size == LINUX_NR_SYSCALLS. */
extern const struct syscall_desc syscall_table[];
extern const unsigned syscall_table_size;

/* The row for nr, or NULL when Linux defines no such call. */
static inline const struct syscall_desc *syscall_desc_of(u64 nr)
{
	if (nr >= syscall_table_size || !syscall_table[nr].name)
		return NULL;
	return &syscall_table[nr];
}

#endif
