/*
 * Flag and constant names, as data: each table lists values in the order
 * strace prints them (a multi-bit value before the bits it contains).  The
 * values are Linux x86-64's; those without a LINUX_ constant in abi/linux
 * are written out here.
 */
#include "trace_internal.h"
#include "../../abi/linux/fcntl.h"
#include "../../abi/linux/fs.h"
#include "../../abi/linux/mman.h"
#include "../../abi/linux/stat.h"
#include "../../abi/linux/time.h"
#include "../../abi/linux/sched.h"
#include "../../abi/linux/misc.h"
#include "../../abi/linux/signal.h"
#include "../../abi/linux/signalfd.h"
#include "../../abi/linux/eventfd.h"
#include "../../abi/linux/eventpoll.h"

/* { LINUX_NAME, "NAME" } */
#define XL(name) { LINUX_##name, #name }

static const struct xlat open_flags[] = {
	XL(O_CREAT), XL(O_EXCL), XL(O_NOCTTY), XL(O_TRUNC), XL(O_APPEND), XL(O_NONBLOCK),
	XL(O_SYNC), XL(O_DSYNC), XL(O_DIRECT), XL(O_LARGEFILE), XL(O_NOFOLLOW),
	XL(O_NOATIME), XL(O_CLOEXEC), XL(O_PATH), XL(O_TMPFILE), XL(O_DIRECTORY),
	{ 04000000, "__O_SYNC" }, { 020000000, "__O_TMPFILE" }, { 020000, "FASYNC" },
};
const struct xlat_table xt_open_flags = XLAT_TABLE(open_flags, "O_???");

static const struct xlat access_modes[] = {
	XL(O_RDONLY), XL(O_WRONLY), XL(O_RDWR), XL(O_ACCMODE),
};
static const struct xlat_table xt_access_modes = XLAT_TABLE(access_modes, "O_???");

static const struct xlat fd_flags[] = { XL(FD_CLOEXEC) };
const struct xlat_table xt_fd_flags = XLAT_TABLE(fd_flags, "FD_???");

static const struct xlat at_flags[] = {
	XL(AT_SYMLINK_NOFOLLOW), XL(AT_REMOVEDIR), XL(AT_SYMLINK_FOLLOW),
	XL(AT_NO_AUTOMOUNT), XL(AT_EMPTY_PATH), XL(AT_RECURSIVE),
};
const struct xlat_table xt_at_flags = XLAT_TABLE(at_flags, "AT_???");

static const struct xlat access_flags[] = {
	XL(AT_SYMLINK_NOFOLLOW), XL(AT_EACCESS), XL(AT_EMPTY_PATH),
};
const struct xlat_table xt_access_flags = XLAT_TABLE(access_flags, "AT_???");

static const struct xlat statx_sync[] = {
	{ 0, "AT_STATX_SYNC_AS_STAT" }, XL(AT_STATX_FORCE_SYNC), XL(AT_STATX_DONT_SYNC),
};
static const struct xlat_table xt_statx_sync = XLAT_TABLE(statx_sync, "AT_STATX_???");

static const struct xlat statx_mask[] = {
	XL(STATX_ALL), XL(STATX_BASIC_STATS), XL(STATX_TYPE), XL(STATX_MODE), XL(STATX_NLINK),
	XL(STATX_UID), XL(STATX_GID), XL(STATX_ATIME), XL(STATX_MTIME), XL(STATX_CTIME),
	XL(STATX_INO), XL(STATX_SIZE), XL(STATX_BLOCKS), XL(STATX_BTIME), XL(STATX_MNT_ID),
	{ 0x2000, "STATX_DIOALIGN" },
};
const struct xlat_table xt_statx_mask = XLAT_TABLE(statx_mask, "STATX_???");

static const struct xlat statx_attrs[] = {
	{ 0x4, "STATX_ATTR_COMPRESSED" }, { 0x10, "STATX_ATTR_IMMUTABLE" },
	{ 0x20, "STATX_ATTR_APPEND" }, { 0x40, "STATX_ATTR_NODUMP" },
	{ 0x800, "STATX_ATTR_ENCRYPTED" }, { 0x1000, "STATX_ATTR_AUTOMOUNT" },
	{ 0x2000, "STATX_ATTR_MOUNT_ROOT" }, { 0x100000, "STATX_ATTR_VERITY" },
	{ 0x200000, "STATX_ATTR_DAX" },
};
const struct xlat_table xt_statx_attrs = XLAT_TABLE(statx_attrs, "STATX_ATTR_???");

static const struct xlat amode[] = { XL(F_OK), XL(R_OK), XL(W_OK), XL(X_OK) };
const struct xlat_table xt_amode = XLAT_TABLE(amode, "?_OK");

static const struct xlat prot[] = {
	XL(PROT_NONE), XL(PROT_READ), XL(PROT_WRITE), XL(PROT_EXEC), XL(PROT_SEM),
	XL(PROT_GROWSDOWN), XL(PROT_GROWSUP),
};
const struct xlat_table xt_prot = XLAT_TABLE(prot, "PROT_???");

static const struct xlat map_types[] = {
	{ 0, "MAP_FILE" }, XL(MAP_SHARED), XL(MAP_PRIVATE), XL(MAP_SHARED_VALIDATE),
};
static const struct xlat_table xt_map_types = XLAT_TABLE(map_types, "MAP_???");

static const struct xlat map_flags[] = {
	XL(MAP_FIXED), XL(MAP_ANONYMOUS), XL(MAP_32BIT), XL(MAP_NORESERVE), XL(MAP_POPULATE),
	XL(MAP_NONBLOCK), XL(MAP_GROWSDOWN), XL(MAP_DENYWRITE), XL(MAP_EXECUTABLE),
	XL(MAP_LOCKED), XL(MAP_STACK), XL(MAP_HUGETLB), XL(MAP_SYNC), XL(MAP_FIXED_NOREPLACE),
};
static const struct xlat_table xt_map_flags = XLAT_TABLE(map_flags, "MAP_???");

static const struct xlat mremap_flags[] = {
	XL(MREMAP_MAYMOVE), XL(MREMAP_FIXED), XL(MREMAP_DONTUNMAP),
};
const struct xlat_table xt_mremap_flags = XLAT_TABLE(mremap_flags, "MREMAP_???");

static const struct xlat msync_flags[] = { XL(MS_ASYNC), XL(MS_INVALIDATE), XL(MS_SYNC) };
const struct xlat_table xt_msync_flags = XLAT_TABLE(msync_flags, "MS_???");

static const struct xlat madvise[] = {
	XL(MADV_NORMAL), XL(MADV_RANDOM), XL(MADV_SEQUENTIAL), XL(MADV_WILLNEED),
	XL(MADV_DONTNEED), XL(MADV_FREE), { 9, "MADV_REMOVE" }, { 10, "MADV_DONTFORK" },
	{ 11, "MADV_DOFORK" }, { 12, "MADV_MERGEABLE" }, { 13, "MADV_UNMERGEABLE" },
	{ 14, "MADV_HUGEPAGE" }, { 15, "MADV_NOHUGEPAGE" }, { 16, "MADV_DONTDUMP" },
	{ 17, "MADV_DODUMP" }, { 18, "MADV_WIPEONFORK" }, { 19, "MADV_KEEPONFORK" },
	{ 20, "MADV_COLD" }, { 21, "MADV_PAGEOUT" }, { 22, "MADV_POPULATE_READ" },
	{ 23, "MADV_POPULATE_WRITE" }, { 24, "MADV_DONTNEED_LOCKED" }, { 100, "MADV_HWPOISON" },
	{ 101, "MADV_SOFT_OFFLINE" },
};
const struct xlat_table xt_madvise = XLAT_TABLE(madvise, "MADV_???");

/* Without CLONE_DETACHED, which strace leaves as a number. */
static const struct xlat clone_flags[] = {
	XL(CLONE_VM), XL(CLONE_FS), XL(CLONE_FILES), XL(CLONE_SIGHAND), XL(CLONE_PIDFD),
	XL(CLONE_PTRACE), XL(CLONE_VFORK), XL(CLONE_PARENT), XL(CLONE_THREAD),
	XL(CLONE_NEWNS), XL(CLONE_SYSVSEM), XL(CLONE_SETTLS), XL(CLONE_PARENT_SETTID),
	XL(CLONE_CHILD_CLEARTID), XL(CLONE_UNTRACED), XL(CLONE_CHILD_SETTID),
	XL(CLONE_NEWCGROUP), XL(CLONE_NEWUTS), XL(CLONE_NEWIPC), XL(CLONE_NEWUSER),
	XL(CLONE_NEWPID), XL(CLONE_NEWNET), XL(CLONE_IO),
	{ 0x100000000ULL, "CLONE_CLEAR_SIGHAND" }, { 0x200000000ULL, "CLONE_INTO_CGROUP" },
};
const struct xlat_table xt_clone_flags = XLAT_TABLE(clone_flags, "CLONE_???");

static const struct xlat whence[] = {
	XL(SEEK_SET), XL(SEEK_CUR), XL(SEEK_END), XL(SEEK_DATA), XL(SEEK_HOLE),
};
const struct xlat_table xt_whence = XLAT_TABLE(whence, "SEEK_???");

static const struct xlat clocks[] = {
	XL(CLOCK_REALTIME), XL(CLOCK_MONOTONIC), XL(CLOCK_PROCESS_CPUTIME_ID),
	XL(CLOCK_THREAD_CPUTIME_ID), XL(CLOCK_MONOTONIC_RAW), XL(CLOCK_REALTIME_COARSE),
	XL(CLOCK_MONOTONIC_COARSE), XL(CLOCK_BOOTTIME), XL(CLOCK_REALTIME_ALARM),
	XL(CLOCK_BOOTTIME_ALARM), { 10, "CLOCK_SGI_CYCLE" }, XL(CLOCK_TAI),
};
const struct xlat_table xt_clocks = XLAT_TABLE(clocks, "CLOCK_???");

static const struct xlat sighow[] = { XL(SIG_BLOCK), XL(SIG_UNBLOCK), XL(SIG_SETMASK) };
const struct xlat_table xt_sighow = XLAT_TABLE(sighow, "SIG_???");

static const struct xlat itimer_which[] = {
	{ 0, "ITIMER_REAL" }, { 1, "ITIMER_VIRTUAL" }, { 2, "ITIMER_PROF" },
};
const struct xlat_table xt_itimer_which = XLAT_TABLE(itimer_which, "ITIMER_???");

static const struct xlat idtypes[] = {
	{ 0, "P_ALL" }, { 1, "P_PID" }, { 2, "P_PGID" }, { 3, "P_PIDFD" },
};
const struct xlat_table xt_idtypes = XLAT_TABLE(idtypes, "P_???");

static const struct xlat rlimits[] = {
	XL(RLIMIT_CPU), XL(RLIMIT_FSIZE), XL(RLIMIT_DATA), XL(RLIMIT_STACK), XL(RLIMIT_CORE),
	XL(RLIMIT_RSS), XL(RLIMIT_NPROC), XL(RLIMIT_NOFILE), XL(RLIMIT_MEMLOCK), XL(RLIMIT_AS),
	XL(RLIMIT_LOCKS), XL(RLIMIT_SIGPENDING), XL(RLIMIT_MSGQUEUE), XL(RLIMIT_NICE),
	XL(RLIMIT_RTPRIO), XL(RLIMIT_RTTIME),
};
const struct xlat_table xt_rlimits = XLAT_TABLE(rlimits, "RLIMIT_???");

/* strace 6.1 really writes "RENAME_??" here. */
static const struct xlat rename_flags[] = {
	XL(RENAME_NOREPLACE), XL(RENAME_EXCHANGE), XL(RENAME_WHITEOUT),
};
const struct xlat_table xt_rename_flags = XLAT_TABLE(rename_flags, "RENAME_??");

static const struct xlat grnd_flags[] = {
	XL(GRND_NONBLOCK), XL(GRND_RANDOM), XL(GRND_INSECURE),
};
const struct xlat_table xt_grnd_flags = XLAT_TABLE(grnd_flags, "GRND_???");

static const struct xlat sfd_flags[] = { XL(SFD_CLOEXEC), XL(SFD_NONBLOCK) };
const struct xlat_table xt_sfd_flags = XLAT_TABLE(sfd_flags, "SFD_???");

static const struct xlat efd_flags[] = { XL(EFD_SEMAPHORE), XL(EFD_CLOEXEC), XL(EFD_NONBLOCK) };
const struct xlat_table xt_efd_flags = XLAT_TABLE(efd_flags, "EFD_???");

static const struct xlat splice_flags[] = {
	XL(SPLICE_F_MOVE), XL(SPLICE_F_NONBLOCK), XL(SPLICE_F_MORE), XL(SPLICE_F_GIFT),
};
const struct xlat_table xt_splice_flags = XLAT_TABLE(splice_flags, "SPLICE_F_???");

static const struct xlat wait_opts[] = {
	{ 1, "WNOHANG" }, { 2, "WSTOPPED" }, { 4, "WEXITED" }, { 8, "WCONTINUED" },
	{ 0x01000000, "WNOWAIT" }, { 0x20000000, "__WNOTHREAD" }, { 0x40000000, "__WALL" },
	{ 0x80000000, "__WCLONE" },
};
const struct xlat_table xt_wait_opts = XLAT_TABLE(wait_opts, "W???");

static const struct xlat timer_flags[] = { XL(TIMER_ABSTIME) };
const struct xlat_table xt_timer_flags = XLAT_TABLE(timer_flags, "TIMER_???");

static const struct xlat fcntl_cmds[] = {
	XL(F_DUPFD), XL(F_GETFD), XL(F_SETFD), XL(F_GETFL), XL(F_SETFL), XL(F_GETLK),
	XL(F_SETLK), XL(F_SETLKW), XL(F_SETOWN), XL(F_GETOWN), XL(F_SETSIG), XL(F_GETSIG),
	XL(F_SETOWN_EX), XL(F_GETOWN_EX), XL(F_OFD_GETLK), XL(F_OFD_SETLK),
	XL(F_OFD_SETLKW), XL(F_SETLEASE), XL(F_GETLEASE), XL(F_NOTIFY), XL(F_DUPFD_CLOEXEC),
	XL(F_SETPIPE_SZ), XL(F_GETPIPE_SZ), XL(F_ADD_SEALS), XL(F_GET_SEALS),
};
const struct xlat_table xt_fcntl_cmds = XLAT_TABLE(fcntl_cmds, "F_???");

static const struct xlat arch_codes[] = {
	XL(ARCH_SET_GS), XL(ARCH_SET_FS), XL(ARCH_GET_FS), XL(ARCH_GET_GS),
	XL(ARCH_GET_CPUID), XL(ARCH_SET_CPUID), { 0x1021, "ARCH_GET_XCOMP_SUPP" },
	{ 0x1022, "ARCH_GET_XCOMP_PERM" }, { 0x1023, "ARCH_REQ_XCOMP_PERM" },
	{ 0x1024, "ARCH_GET_XCOMP_GUEST_PERM" }, { 0x1025, "ARCH_REQ_XCOMP_GUEST_PERM" },
	{ 0x2001, "ARCH_MAP_VDSO_X32" }, { 0x2002, "ARCH_MAP_VDSO_32" },
	{ 0x2003, "ARCH_MAP_VDSO_64" },
};
const struct xlat_table xt_arch_codes = XLAT_TABLE(arch_codes, "ARCH_???");

static const struct xlat prctl_ops[] = {
	{ 1, "PR_SET_PDEATHSIG" }, { 2, "PR_GET_PDEATHSIG" }, { 3, "PR_GET_DUMPABLE" },
	{ 4, "PR_SET_DUMPABLE" }, { 15, "PR_SET_NAME" }, { 16, "PR_GET_NAME" },
	{ 21, "PR_GET_SECCOMP" }, { 22, "PR_SET_SECCOMP" }, { 23, "PR_CAPBSET_READ" },
	{ 36, "PR_SET_CHILD_SUBREAPER" }, { 37, "PR_GET_CHILD_SUBREAPER" },
	{ 38, "PR_SET_NO_NEW_PRIVS" }, { 39, "PR_GET_NO_NEW_PRIVS" },
	{ 0x53564d41, "PR_SET_VMA" },
};
const struct xlat_table xt_prctl_ops = XLAT_TABLE(prctl_ops, "PR_???");

static const struct xlat poll_events[] = {
	{ 0x1, "POLLIN" }, { 0x2, "POLLPRI" }, { 0x4, "POLLOUT" }, { 0x8, "POLLERR" },
	{ 0x10, "POLLHUP" }, { 0x20, "POLLNVAL" }, { 0x40, "POLLRDNORM" },
	{ 0x80, "POLLRDBAND" }, { 0x100, "POLLWRNORM" }, { 0x200, "POLLWRBAND" },
	{ 0x400, "POLLMSG" }, { 0x2000, "POLLRDHUP" },
};
const struct xlat_table xt_poll_events = XLAT_TABLE(poll_events, "POLL???");

static const struct xlat epoll_events[] = {
	XL(EPOLLIN), XL(EPOLLPRI), XL(EPOLLOUT), XL(EPOLLERR), XL(EPOLLHUP), { 0x20, "EPOLLNVAL" },
	XL(EPOLLRDNORM), XL(EPOLLRDBAND), XL(EPOLLWRNORM), XL(EPOLLWRBAND), XL(EPOLLMSG),
	XL(EPOLLRDHUP), XL(EPOLLEXCLUSIVE), XL(EPOLLWAKEUP), XL(EPOLLONESHOT), XL(EPOLLET),
};
const struct xlat_table xt_epoll_events = XLAT_TABLE(epoll_events, "EPOLL???");

static const struct xlat epoll_flags[] = { XL(EPOLL_CLOEXEC) };
const struct xlat_table xt_epoll_flags = XLAT_TABLE(epoll_flags, "EPOLL_???");

static const struct xlat epoll_ops[] = {
	XL(EPOLL_CTL_ADD), XL(EPOLL_CTL_DEL), XL(EPOLL_CTL_MOD),
};
const struct xlat_table xt_epoll_ops = XLAT_TABLE(epoll_ops, "EPOLL_CTL_???");

const char *xlat_name(const struct xlat_table *t, u64 v)
{
	for (unsigned i = 0; i < t->n; i++)
		if (t->e[i].val == v)
			return t->e[i].name;
	return NULL;
}

/* Prints the names of v's flags; returns the bits no name covered. */
static u64 print_known_flags(struct tbuf *b, const struct xlat_table *t, u64 v, bool *any)
{
	for (unsigned i = 0; i < t->n && v; i++) {
		u64 f = t->e[i].val;

		if (!f || (v & f) != f)
			continue;
		tb_puts(b, *any ? "|" : "");
		tb_puts(b, t->e[i].name);
		*any = true;
		v &= ~f;
	}
	return v;
}

void print_flags(struct tbuf *b, const struct xlat_table *t, u64 v)
{
	bool any = false;
	const char *zero;
	u64 rest;

	if (!v) {
		zero = xlat_name(t, 0);
		tb_puts(b, zero ? zero : "0");
		return;
	}
	rest = print_known_flags(b, t, v, &any);
	if (!rest)
		return;
	if (any)
		tb_printf(b, "|%#llx", (unsigned long long)rest);
	else
		tb_printf(b, "%#llx /* %s */", (unsigned long long)rest, t->unknown);
}

void print_flags_bare(struct tbuf *b, const struct xlat_table *t, u64 v)
{
	bool any = false;
	u64 rest = print_known_flags(b, t, v, &any);

	if (rest)
		tb_printf(b, "%s%#llx", any ? "|" : "", (unsigned long long)rest);
}

void print_xval(struct tbuf *b, const struct xlat_table *t, u64 v)
{
	const char *name = xlat_name(t, v);

	if (name)
		tb_puts(b, name);
	else
		tb_printf(b, "%#llx /* %s */", (unsigned long long)v, t->unknown);
}

/* The access mode always, then the other flags: O_RDONLY|O_CLOEXEC. */
void print_open_flags(struct tbuf *b, u64 v)
{
	bool any = true;
	u64 rest;

	tb_puts(b, xlat_name(&xt_access_modes, v & LINUX_O_ACCMODE));
	rest = print_known_flags(b, &xt_open_flags, v & ~(u64)LINUX_O_ACCMODE, &any);
	if (rest)
		tb_printf(b, "|%#llx", (unsigned long long)rest);
}

/* The map type, the flags, unknown bits, then the huge page size field. */
void print_mmap_flags(struct tbuf *b, u64 v)
{
	u64 huge = (v >> 26) & 0x3f, rest;
	bool any = true;

	print_xval(b, &xt_map_types, v & LINUX_MAP_TYPE);
	rest = print_known_flags(b, &xt_map_flags, v & ~(u64)LINUX_MAP_TYPE & ~(0x3fULL << 26),
				 &any);
	if (rest)
		tb_printf(b, "|%#llx", (unsigned long long)rest);
	if (huge)
		tb_printf(b, "|%llu<<MAP_HUGE_SHIFT", (unsigned long long)huge);
}

/* The sync type (AT_STATX_SYNC_AS_STAT for 0), then the *at() flags. */
void print_statx_flags(struct tbuf *b, u32 v)
{
	u32 sync = v & LINUX_AT_STATX_SYNC_TYPE;
	bool any;
	u64 rest;

	if (sync == LINUX_AT_STATX_SYNC_TYPE)
		tb_puts(b, "AT_STATX_FORCE_SYNC|AT_STATX_DONT_SYNC");
	else
		tb_puts(b, xlat_name(&xt_statx_sync, sync));
	any = true;
	rest = print_known_flags(b, &xt_at_flags, v & ~LINUX_AT_STATX_SYNC_TYPE, &any);
	if (rest)
		tb_printf(b, "|%#llx", (unsigned long long)rest);
}

static const struct xlat file_types[] = {
	XL(S_IFREG), XL(S_IFSOCK), XL(S_IFIFO), XL(S_IFLNK), XL(S_IFDIR), XL(S_IFBLK),
	XL(S_IFCHR),
};
static const struct xlat_table xt_file_types = XLAT_TABLE(file_types, "S_IF???");

static const struct xlat mode_bits[] = {
	{ 04000, "S_ISUID" }, { 02000, "S_ISGID" }, { 01000, "S_ISVTX" },
};
static const struct xlat_table xt_mode_bits = XLAT_TABLE(mode_bits, "S_???");

void print_mode_symbolic(struct tbuf *b, u32 mode)
{
	const char *type = xlat_name(&xt_file_types, mode & LINUX_S_IFMT);
	bool any = false;

	if (type)
		tb_printf(b, "%s|", type);
	else if (mode & LINUX_S_IFMT)
		tb_printf(b, "%#o|", mode & LINUX_S_IFMT);
	print_known_flags(b, &xt_mode_bits, mode & 07000, &any);
	if (any)
		tb_putc(b, '|');
	tb_octal(b, mode & 0777);
}
