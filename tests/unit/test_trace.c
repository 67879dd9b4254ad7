/*
 * The tracer against strace 6.1's output: quoting, flags, errno, struct
 * decoders and whole lines, with a fake guest memory and fake tasks.
 *
 * The test defines the kernel functions the tracer calls (task_*,
 * kernel_nr_tasks, copy_from_user, strncpy_from_user) and compiles the
 * generated table in without handlers, so that linking against lxemu_core
 * pulls in only emu/trace and never the kernel objects these stubs replace.
 */
#include "unit.h"
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "emu/trace/trace.h"
#include "emu/trace/trace_internal.h"
#include "abi/linux/errno.h"
#include "abi/linux/fcntl.h"
#include "abi/linux/mman.h"
#include "abi/linux/stat.h"
#include "abi/linux/signal.h"
#include "abi/linux/misc.h"

#define SYSCALL_TABLE_NO_HANDLERS
#include "syscall_table.c"

/* A fake task: the tracer only ever reaches it through the functions below. */
struct task {
	int tid;
	u64 sp;
	struct trace_task_state trace;
};

static int nr_tasks = 1;

struct trace_task_state *task_trace_state(struct task *t) { return &t->trace; }
int task_tid(const struct task *t) { return t->tid; }
int task_tgid(const struct task *t) { return t->tid; }
int kernel_nr_tasks(void) { return nr_tasks; }
u64 task_user_sp(struct task *t) { return t->sp; }

/* Fake guest memory: one region at GUEST_BASE; anything else faults. */
#define GUEST_BASE 0x10000ULL
static u8 guest[8192];

static bool guest_range(u64 uaddr, size_t n)
{
	return uaddr >= GUEST_BASE && uaddr - GUEST_BASE <= sizeof(guest) &&
	       n <= sizeof(guest) - (uaddr - GUEST_BASE);
}

long copy_from_user(struct task *t, void *dst, u64 usrc, size_t n)
{
	(void)t;
	if (!guest_range(usrc, n))
		return -LINUX_EFAULT;
	memcpy(dst, guest + (usrc - GUEST_BASE), n);
	return 0;
}

long strncpy_from_user(struct task *t, char *dst, u64 usrc, size_t n)
{
	(void)t;
	for (size_t i = 0; i < n; i++) {
		if (!guest_range(usrc + i, 1))
			return -LINUX_EFAULT;
		dst[i] = (char)guest[usrc + i - GUEST_BASE];
		if (!dst[i])
			return (long)i;
	}
	return (long)n;
}

/* Places bytes in guest memory at offset off; returns their guest address. */
static u64 put(size_t off, const void *data, size_t n)
{
	memcpy(guest + off, data, n);
	return GUEST_BASE + off;
}

static u64 put_str(size_t off, const char *s)
{
	return put(off, s, strlen(s) + 1);
}

/* Formatting helpers into a static buffer. */
static char text[4096];
static struct tbuf tb;

static struct tbuf *fresh(void)
{
	tb_init(&tb, text, sizeof(text));
	return &tb;
}

static void test_quote_escapes_like_strace(void)
{
	static const u8 s[] = "a\0" "1\n\r\v\f\a\b\x1b\x7f\x80 \xc3\xa9z\"\\\t";

	tb_quote(fresh(), s, sizeof(s) - 1, 0);
	CU_ASSERT_STRING_EQUAL(text, "\"a\\0001\\n\\r\\v\\f\\7\\10\\33\\177\\200 \\303\\251z\\\"\\\\\\t\"");
	tb_quote(fresh(), (const u8 *)"\x01" "8\x01" "7", 4, 0);
	CU_ASSERT_STRING_EQUAL(text, "\"\\18\\0017\"");
	tb_quote(fresh(), (const u8 *)"\xe9\x65", 2, QUOTE_HEX);
	CU_ASSERT_STRING_EQUAL(text, "\"\\xe9\\x65\"");
}

static struct targ ctx(struct task *t, struct trace_call *call)
{
	struct targ c = { .t = t, .b = fresh(), .call = call };

	return c;
}

static void test_buffers_truncate_at_32_bytes(void)
{
	struct task t = { .tid = 1 };
	struct trace_call call = { 0 };
	struct targ c = ctx(&t, &call);
	const char *s = "0123456789012345678901234567890123456789";
	u64 u = put(0, s, 40);

	trace_print_buf(&c, u, 32, 0);
	CU_ASSERT_STRING_EQUAL(text, "\"01234567890123456789012345678901\"");
	c.b = fresh();
	trace_print_buf(&c, u, 33, 0);
	CU_ASSERT_STRING_EQUAL(text, "\"01234567890123456789012345678901\"...");
	c.b = fresh();
	trace_print_buf(&c, 0, 33, 0);
	CU_ASSERT_STRING_EQUAL(text, "NULL");
	c.b = fresh();
	trace_print_buf(&c, 0x10, 3, 0);
	CU_ASSERT_STRING_EQUAL(text, "0x10");
	u = put_str(100, s);
	c.b = fresh();
	trace_print_str(&c, u);
	CU_ASSERT_STRING_EQUAL(text, "\"01234567890123456789012345678901\"...");
	c.b = fresh();
	trace_print_path(&c, u);
	CU_ASSERT_STRING_EQUAL(text, "\"0123456789012345678901234567890123456789\"");
}

static void test_open_flags_decode_by_name(void)
{
	print_open_flags(fresh(), LINUX_O_RDONLY | LINUX_O_CLOEXEC);
	CU_ASSERT_STRING_EQUAL(text, "O_RDONLY|O_CLOEXEC");
	print_open_flags(fresh(), LINUX_O_RDONLY | LINUX_O_CLOEXEC | LINUX_O_DIRECTORY);
	CU_ASSERT_STRING_EQUAL(text, "O_RDONLY|O_CLOEXEC|O_DIRECTORY");
	print_open_flags(fresh(), LINUX_O_RDWR | LINUX_O_TMPFILE);
	CU_ASSERT_STRING_EQUAL(text, "O_RDWR|O_TMPFILE");
	print_open_flags(fresh(), 0x80000000u);
	CU_ASSERT_STRING_EQUAL(text, "O_RDONLY|0x80000000");
	print_open_flags(fresh(), 0xffffffffu);
	CU_ASSERT_STRING_EQUAL(text, "O_ACCMODE|O_CREAT|O_EXCL|O_NOCTTY|O_TRUNC|O_APPEND|"
				     "O_NONBLOCK|O_SYNC|O_DIRECT|O_LARGEFILE|O_NOFOLLOW|"
				     "O_NOATIME|O_CLOEXEC|O_PATH|O_TMPFILE|FASYNC|0xff80003c");
}

static void test_unknown_flags_print_as_hex(void)
{
	print_flags(fresh(), &xt_prot, 0x10);
	CU_ASSERT_STRING_EQUAL(text, "0x10 /* PROT_??? */");
	print_flags(fresh(), &xt_prot, 0);
	CU_ASSERT_STRING_EQUAL(text, "PROT_NONE");
	print_flags(fresh(), &xt_prot, LINUX_PROT_READ | LINUX_PROT_EXEC | 0x100);
	CU_ASSERT_STRING_EQUAL(text, "PROT_READ|PROT_EXEC|0x100");
	print_flags(fresh(), &xt_open_flags, 5);
	CU_ASSERT_STRING_EQUAL(text, "0x5 /* O_??? */");
	print_flags(fresh(), &xt_rename_flags, 8);
	CU_ASSERT_STRING_EQUAL(text, "0x8 /* RENAME_?? */");
	print_xval(fresh(), &xt_whence, 5);
	CU_ASSERT_STRING_EQUAL(text, "0x5 /* SEEK_??? */");
	print_xval(fresh(), &xt_clocks, (u32)-10);
	CU_ASSERT_STRING_EQUAL(text, "0xfffffff6 /* CLOCK_??? */");
}

static void test_mmap_flags_type_then_flags(void)
{
	print_mmap_flags(fresh(), LINUX_MAP_PRIVATE | LINUX_MAP_ANONYMOUS);
	CU_ASSERT_STRING_EQUAL(text, "MAP_PRIVATE|MAP_ANONYMOUS");
	print_mmap_flags(fresh(), LINUX_MAP_FIXED);
	CU_ASSERT_STRING_EQUAL(text, "MAP_FILE|MAP_FIXED");
	print_mmap_flags(fresh(), 4);
	CU_ASSERT_STRING_EQUAL(text, "0x4 /* MAP_??? */");
	print_mmap_flags(fresh(), 0x80 | (21ULL << 26));
	CU_ASSERT_STRING_EQUAL(text, "MAP_FILE|0x80|21<<MAP_HUGE_SHIFT");
}

static void test_mode_and_statx_flags(void)
{
	print_mode_symbolic(fresh(), LINUX_S_IFDIR | 01777);
	CU_ASSERT_STRING_EQUAL(text, "S_IFDIR|S_ISVTX|0777");
	print_mode_symbolic(fresh(), LINUX_S_IFREG);
	CU_ASSERT_STRING_EQUAL(text, "S_IFREG|000");
	print_statx_flags(fresh(), 0);
	CU_ASSERT_STRING_EQUAL(text, "AT_STATX_SYNC_AS_STAT");
	print_statx_flags(fresh(), 0x6000 | LINUX_AT_SYMLINK_NOFOLLOW);
	CU_ASSERT_STRING_EQUAL(text, "AT_STATX_FORCE_SYNC|AT_STATX_DONT_SYNC|AT_SYMLINK_NOFOLLOW");
}

static void test_signals_and_sets(void)
{
	print_signame(fresh(), LINUX_SIGSEGV);
	CU_ASSERT_STRING_EQUAL(text, "SIGSEGV");
	print_signame(fresh(), 40);
	CU_ASSERT_STRING_EQUAL(text, "SIGRT_8");
	print_signame(fresh(), 65);
	CU_ASSERT_STRING_EQUAL(text, "65");
	print_sigset(fresh(), linux_sigmask(LINUX_SIGINT) | linux_sigmask(LINUX_SIGTERM));
	CU_ASSERT_STRING_EQUAL(text, "[INT TERM]");
	print_sigset(fresh(), ~(linux_sigmask(32) | linux_sigmask(33)));
	CU_ASSERT_STRING_EQUAL(text, "~[RTMIN RT_1]");
	print_sigset(fresh(), ~0ULL);
	CU_ASSERT_STRING_EQUAL(text, "~[]");
	print_sigset(fresh(), 0);
	CU_ASSERT_STRING_EQUAL(text, "[]");
}

static void test_errno_names_and_texts(void)
{
	tb_errno(fresh(), LINUX_ENOENT);
	CU_ASSERT_STRING_EQUAL(text, "ENOENT (No such file or directory)");
	tb_errno(fresh(), LINUX_ERESTARTSYS);
	CU_ASSERT_STRING_EQUAL(text, "ERESTARTSYS (To be restarted if SA_RESTART is set)");
	tb_errno(fresh(), 600);
	CU_ASSERT_STRING_EQUAL(text, "ERRNO_600 (Unknown error 600)");
}

/* Whole lines: trace to a temporary file and read it back. */
static char trace_path[64];
static char trace_out[1 << 20];

static void start_trace(void)
{
	int fd;

	strcpy(trace_path, "/tmp/test_trace.XXXXXX");
	fd = mkstemp(trace_path);
	CU_ASSERT_FATAL(fd >= 0);
	close(fd);
	CU_ASSERT_EQUAL_FATAL(trace_open(trace_path), 0);
}

/* Stops tracing and returns what was written (static storage). */
static const char *stop_trace(void)
{
	FILE *f;
	size_t n;

	trace_close();
	f = fopen(trace_path, "r");
	CU_ASSERT_FATAL(f != NULL);
	n = fread(trace_out, 1, sizeof(trace_out) - 1, f);
	trace_out[n] = '\0';
	fclose(f);
	unlink(trace_path);
	return trace_out;
}

static void call(struct task *t, u64 nr, u64 a0, u64 a1, u64 a2, u64 a3, long ret)
{
	u64 a[6] = { a0, a1, a2, a3, 0, 0 };

	trace_syscall_enter(t, nr, a);
	trace_syscall_exit(t, nr, a, ret);
}

static void test_lines_for_open_read_write_fstat(void)
{
	struct task t = { .tid = 4992 };
	struct linux_stat st = { .st_mode = LINUX_S_IFREG | 0644, .st_size = 123 };
	u64 path = put_str(0, "/etc/hostname");
	u64 data = put(64, "vm\n", 3);
	u64 ust = put(256, &st, sizeof(st));

	start_trace();
	call(&t, 2, path, LINUX_O_RDONLY | LINUX_O_CLOEXEC, 0, 0, 3);
	call(&t, 2, path, LINUX_O_WRONLY | LINUX_O_CREAT, 0644, 0, -LINUX_ENOENT);
	call(&t, 0, 3, data, 100, 0, 3);
	call(&t, 1, 1, data, 3, 0, 3);
	call(&t, 5, 3, ust, 0, 0, 0);
	call(&t, 5, 3, ust, 0, 0, -LINUX_EBADF);
	call(&t, 9, 0, 8192, 3, 0x22, 0x7f6fde4d6000);
	CU_ASSERT_STRING_EQUAL(stop_trace(),
		"4992  open(\"/etc/hostname\", O_RDONLY|O_CLOEXEC) = 3\n"
		"4992  open(\"/etc/hostname\", O_WRONLY|O_CREAT, 0644) = -1 ENOENT (No such file or directory)\n"
		"4992  read(3, \"vm\\n\", 100)              = 3\n"
		"4992  write(1, \"vm\\n\", 3)               = 3\n"
		"4992  fstat(3, {st_mode=S_IFREG|0644, st_size=123, ...}) = 0\n"
		"4992  fstat(3, 0x10100)                 = -1 EBADF (Bad file descriptor)\n"
		"4992  mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, 0, 0) = 0x7f6fde4d6000\n");
}

static void test_lines_for_special_decoders(void)
{
	struct task t = { .tid = 7 };
	u64 fsbase = 0x405158;
	u64 ufs = put(512, &fsbase, sizeof(fsbase));

	start_trace();
	call(&t, 158, LINUX_ARCH_SET_FS, 0x405138, 0, 0, 0);
	call(&t, 158, LINUX_ARCH_GET_FS, ufs, 0, 0, 0);
	call(&t, 72, 1, LINUX_F_GETFL, 0, 0, 0x8001);
	call(&t, 72, 1, LINUX_F_GETFD, 0, 0, 1);
	call(&t, 72, 1, LINUX_F_SETFD, LINUX_FD_CLOEXEC, 0, 0);
	call(&t, 16, 1, LINUX_TCGETS, 0x7ffd0000, 0, -LINUX_ENOTTY);
	call(&t, 16, 1, 0x1234, 0, 0, -LINUX_ENOTTY);
	call(&t, 95, 022, 0, 0, 0, 0777);
	call(&t, 0x190, 1, 2, 3, 0, -LINUX_ENOSYS);
	CU_ASSERT_STRING_EQUAL(stop_trace(),
		"7     arch_prctl(ARCH_SET_FS, 0x405138) = 0\n"
		"7     arch_prctl(ARCH_GET_FS, [0x405158]) = 0\n"
		"7     fcntl(1, F_GETFL)                 = 0x8001 (flags O_WRONLY|O_LARGEFILE)\n"
		"7     fcntl(1, F_GETFD)                 = 0x1 (flags FD_CLOEXEC)\n"
		"7     fcntl(1, F_SETFD, FD_CLOEXEC)     = 0\n"
		"7     ioctl(1, TCGETS, 0x7ffd0000)      = -1 ENOTTY (Inappropriate ioctl for device)\n"
		"7     ioctl(1, _IOC(_IOC_NONE, 0x12, 0x34, 0), 0) = -1 ENOTTY (Inappropriate ioctl for device)\n"
		"7     umask(022)                        = 0777\n"
		"7     syscall_0x190(0x1, 0x2, 0x3, 0, 0, 0) = -1 ENOSYS (Function not implemented)\n");
}

static void test_lines_for_threads(void)
{
	struct task t = { .tid = 300 };
	u64 args[11] = { 0x3d0f00, 0, 0x7f0000000990, GUEST_BASE + 512, 0, 0x7f0000001000,
			 0x800300, 0x7f00000006c0 };
	u64 futex[6] = { 0x7f0000000990, 9 | 256, 301, 0, 0, 0xffffffff };
	s32 child = 301;
	u64 uargs = put(0, args, sizeof(args));

	put(512, &child, sizeof(child));
	start_trace();
	call(&t, 435, uargs, 88, 0, 0, 301);
	trace_syscall_enter(&t, 202, futex);
	trace_syscall_exit(&t, 202, futex, 0);
	call(&t, 56, 0x1200011, 0, 0, 0, 302);
	CU_ASSERT_STRING_EQUAL(stop_trace(),
		"300   clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|"
		"CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, "
		"child_tid=0x7f0000000990, parent_tid=0x10200, exit_signal=0, stack=0x7f0000001000, "
		"stack_size=0x800300, tls=0x7f00000006c0} => {parent_tid=[301]}, 88) = 301\n"
		"300   futex(0x7f0000000990, FUTEX_WAIT_BITSET|FUTEX_CLOCK_REALTIME, 301, NULL, "
		"FUTEX_BITSET_MATCH_ANY) = 0\n"
		"300   clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
		"child_tidptr=NULL) = 302\n");
}

static void test_sigaction_and_rlimit_structs(void)
{
	struct task t = { .tid = 5 };
	struct linux_sigaction sa = {
		.handler = 0x401139, .flags = LINUX_SA_RESTORER | LINUX_SA_RESTART,
		.restorer = 0x402609,
		.mask = linux_sigmask(LINUX_SIGINT) | linux_sigmask(LINUX_SIGTERM),
	};
	struct linux_rlimit rl = { 8192 * 1024, LINUX_RLIM_INFINITY };
	u64 usa = put(0, &sa, sizeof(sa)), url = put(64, &rl, sizeof(rl));

	start_trace();
	call(&t, 13, LINUX_SIGUSR1, usa, 0, 8, 0);
	call(&t, 97, LINUX_RLIMIT_STACK, url, 0, 0, 0);
	CU_ASSERT_STRING_EQUAL(stop_trace(),
		"5     rt_sigaction(SIGUSR1, {sa_handler=0x401139, sa_mask=[INT TERM], "
		"sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x402609}, NULL, 8) = 0\n"
		"5     getrlimit(RLIMIT_STACK, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0\n");
}

static void test_two_tasks_unfinished_and_resumed(void)
{
	struct task a = { .tid = 100 }, b = { .tid = 101 };
	u64 ua[6] = { 0, GUEST_BASE, 10, 0, 0, 0 }, ub[6] = { 1, 0, 0, 0, 0, 0 };

	put(0, "hello", 5);
	nr_tasks = 2;
	start_trace();
	trace_syscall_enter(&a, 0, ua);  /* read(0, ... blocks */
	trace_syscall_enter(&b, 39, ub); /* getpid() */
	trace_syscall_exit(&b, 39, ub, 101);
	trace_syscall_exit(&a, 0, ua, 5);
	trace_syscall_enter(&b, 231, ub);
	trace_exit_group(&b, 1);
	nr_tasks = 1;
	trace_syscall_enter(&a, 60, ua);
	trace_exit_group(&a, 0);
	CU_ASSERT_STRING_EQUAL(stop_trace(),
		"100   read(0,  <unfinished ...>\n"
		"101   getpid()                          = 101\n"
		"100   <... read resumed>\"hello\", 10)    = 5\n"
		"101   exit_group(1)                     = ?\n"
		"101   +++ exited with 1 +++\n"
		"100   exit(0)                           = ?\n"
		"100   +++ exited with 0 +++\n");
}

static void test_signal_lines(void)
{
	struct task t = { .tid = 9 };

	start_trace();
	trace_signal_exit(&t, LINUX_SIGSEGV, LINUX_SEGV_MAPERR, 0x10, true);
	CU_ASSERT_STRING_EQUAL(stop_trace(),
		"9     --- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR, si_addr=0x10} ---\n"
		"9     +++ killed by SIGSEGV (core dumped) +++\n");
}

/* siginfo_t as strace 6.1 prints it, by code and signal (outputs taken from strace). */
static struct linux_siginfo mk_si(int sig, int code)
{
	struct linux_siginfo si;

	memset(&si, 0, sizeof(si));
	si.si_signo = sig;
	si.si_code = code;
	return si;
}

static void test_siginfo_fields_by_code(void)
{
	struct linux_siginfo si = mk_si(LINUX_SIGUSR1, -1); /* SI_QUEUE */

	si.rt.pid = 27014;
	print_linux_siginfo(fresh(), &si);
	CU_ASSERT_STRING_EQUAL(text, "{si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=27014, si_uid=0}");
	si.rt.value.sival_ptr = 0xfffffffd;
	print_linux_siginfo(fresh(), &si);
	CU_ASSERT_STRING_EQUAL(text, "{si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=27014, si_uid=0, "
				     "si_int=-3, si_ptr=0xfffffffd}");
	si.si_code = 0; /* SI_USER: never the value */
	print_linux_siginfo(fresh(), &si);
	CU_ASSERT_STRING_EQUAL(text, "{si_signo=SIGUSR1, si_code=SI_USER, si_pid=27014, si_uid=0}");
	si.si_code = -9;
	print_linux_siginfo(fresh(), &si);
	CU_ASSERT_STRING_EQUAL(text, "{si_signo=SIGUSR1, si_code=0xfffffff7, si_pid=27014, si_uid=0, "
				     "si_int=-3, si_ptr=0xfffffffd}");

	si = mk_si(LINUX_SIGUSR1, -2); /* SI_TIMER: the value always */
	si.timer.tid = 0x6986;
	print_linux_siginfo(fresh(), &si);
	CU_ASSERT_STRING_EQUAL(text, "{si_signo=SIGUSR1, si_code=SI_TIMER, si_timerid=0x6986, "
				     "si_overrun=0, si_int=0, si_ptr=NULL}");
	si = mk_si(LINUX_SIGUSR1, -5); /* SI_SIGIO */
	si.poll.band = 27014;
	si.poll.fd = 5;
	print_linux_siginfo(fresh(), &si);
	CU_ASSERT_STRING_EQUAL(text, "{si_signo=SIGUSR1, si_code=SI_SIGIO, si_band=27014, si_fd=5}");

	si = mk_si(LINUX_SIGSEGV, 0x80); /* SI_KERNEL faults show the address */
	print_linux_siginfo(fresh(), &si);
	CU_ASSERT_STRING_EQUAL(text, "{si_signo=SIGSEGV, si_code=SI_KERNEL, si_addr=NULL}");
	si.si_code = 0x63;
	si.fault.addr = 0x69a0;
	print_linux_siginfo(fresh(), &si);
	CU_ASSERT_STRING_EQUAL(text, "{si_signo=SIGSEGV, si_code=0x63, si_addr=0x69a0}");
	si = mk_si(LINUX_SIGCHLD, 0x80);
	si.chld.pid = 27040;
	si.chld.status = 16;
	print_linux_siginfo(fresh(), &si);
	CU_ASSERT_STRING_EQUAL(text, "{si_signo=SIGCHLD, si_code=SI_KERNEL, si_pid=27040, si_uid=0, "
				     "si_status=SIGSTKFLT, si_utime=0, si_stime=0}");
	si = mk_si(LINUX_SIGIO, 1);
	si.poll.band = 27040;
	si.poll.fd = 4096;
	print_linux_siginfo(fresh(), &si);
	CU_ASSERT_STRING_EQUAL(text, "{si_signo=SIGIO, si_code=POLL_IN, si_band=27040, si_fd=4096}");
	si.si_code = 0x80;
	print_linux_siginfo(fresh(), &si);
	CU_ASSERT_STRING_EQUAL(text, "{si_signo=SIGIO, si_code=SI_KERNEL}");
	si = mk_si(LINUX_SIGSYS, 1);
	si.fault.addr = 0x69a0;
	print_linux_siginfo(fresh(), &si);
	CU_ASSERT_STRING_EQUAL(text, "{si_signo=SIGSYS, si_code=SYS_SECCOMP, si_call_addr=0x69a0, "
				     "si_syscall=0, si_arch=0 /* AUDIT_ARCH_??? */}");
	si = mk_si(LINUX_SIGUSR1, 1); /* a code > 0 on another signal: the sender */
	si.rt.pid = 27040;
	si.rt.value.sival_ptr = 0x55;
	print_linux_siginfo(fresh(), &si);
	CU_ASSERT_STRING_EQUAL(text, "{si_signo=SIGUSR1, si_code=0x1, si_pid=27040, si_uid=0, "
				     "si_int=85, si_ptr=0x55}");
}

static void test_lines_for_siginfo_calls(void)
{
	struct task t = { .tid = 7 };
	struct linux_siginfo si = mk_si(LINUX_SIGUSR1, -1);
	struct linux_sigaction sa = {
		.handler = 0x401201, .restorer = 0x401cb7,
		/* musl's SA_RESETHAND through a signed int */
		.flags = 0xffffffff00000000ULL | LINUX_SA_RESTORER | LINUX_SA_NODEFER |
			 LINUX_SA_RESETHAND | LINUX_SA_SIGINFO,
	};
	u64 usi, usa, uset;
	u64 set = linux_sigmask(LINUX_SIGUSR2);

	si.rt.pid = 7;
	si.rt.value.sival_int = 42;
	usi = put(0, &si, sizeof(si));
	usa = put(256, &sa, sizeof(sa));
	uset = put(512, &set, sizeof(set));
	start_trace();
	call(&t, 129, 7, LINUX_SIGUSR1, usi, 0, 0);             /* rt_sigqueueinfo */
	call(&t, 129, 7, LINUX_SIGUSR1, 8, 0, -LINUX_EFAULT);
	call(&t, 128, uset, usi, 0, 8, LINUX_SIGUSR1);          /* rt_sigtimedwait */
	call(&t, 128, uset, usi, 0, 8, -LINUX_EAGAIN);
	call(&t, 13, LINUX_SIGUSR2, usa, 0, 8, 0);
	CU_ASSERT_STRING_EQUAL(stop_trace(),
		"7     rt_sigqueueinfo(7, SIGUSR1, {si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=7, "
		"si_uid=0, si_int=42, si_ptr=0x2a}) = 0\n"
		"7     rt_sigqueueinfo(7, SIGUSR1, 0x8)  = -1 EFAULT (Bad address)\n"
		"7     rt_sigtimedwait([USR2], {si_signo=SIGUSR1, si_code=SI_QUEUE, si_pid=7, si_uid=0, "
		"si_int=42, si_ptr=0x2a}, NULL, 8) = 10 (SIGUSR1)\n"
		"7     rt_sigtimedwait([USR2], 0x10000, NULL, 8) = -1 EAGAIN (Resource temporarily "
		"unavailable)\n"
		"7     rt_sigaction(SIGUSR2, {sa_handler=0x401201, sa_mask=[], sa_flags=SA_RESTORER|"
		"SA_NODEFER|SA_RESETHAND|SA_SIGINFO|0xffffffff00000000, sa_restorer=0x401cb7}, "
		"NULL, 8) = 0\n");
}

static void test_execve_line(void)
{
	struct task t = { .tid = 42 };
	char *argv[] = { "./prog", "0123456789012345678901234567890123456789", NULL };

	start_trace();
	trace_execve_initial(&t, "./prog", argv, 0x7ffd57025d78, 37);
	CU_ASSERT_STRING_EQUAL(stop_trace(),
		"42    execve(\"./prog\", [\"./prog\", \"01234567890123456789012345678901\"...], "
		"0x7ffd57025d78 /* 37 vars */) = 0\n");
}

/* On stderr the pid prefix appears only while several tasks live. */
static void test_stderr_prefix_only_with_several_tasks(void)
{
	struct task t = { .tid = 77 };
	int saved = dup(2), fd;

	strcpy(trace_path, "/tmp/test_trace.XXXXXX");
	fd = mkstemp(trace_path);
	CU_ASSERT_FATAL(fd >= 0 && saved >= 0);
	dup2(fd, 2);
	close(fd);
	CU_ASSERT_EQUAL(trace_open(NULL), 0);
	call(&t, 39, 0, 0, 0, 0, 77);
	nr_tasks = 2;
	call(&t, 39, 0, 0, 0, 0, 77);
	nr_tasks = 1;
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	CU_ASSERT_STRING_EQUAL(stop_trace(),
		"getpid()                                = 77\n"
		"[pid    77] getpid()                    = 77\n");
}

/* Tasks tracing at once: every call ends up as exactly one line with its result. */
#define RACE_TASKS 4
#define RACE_CALLS 300

static void *race_task(void *arg)
{
	struct task *t = arg;
	u64 a[6] = { 1, GUEST_BASE, 1, 0, 0, 0 };

	for (int i = 0; i < RACE_CALLS; i++) {
		u64 nr = i % 2 ? 39 : 1; /* getpid, write(1, "x", 1) */

		trace_syscall_enter(t, nr, a);
		trace_syscall_exit(t, nr, a, 1);
	}
	return NULL;
}

static void test_concurrent_tasks_write_whole_lines(void)
{
	static struct task tasks[RACE_TASKS];
	pthread_t threads[RACE_TASKS];
	int results[RACE_TASKS] = { 0 };
	const char *out;

	put(0, "x", 1);
	nr_tasks = RACE_TASKS;
	start_trace();
	for (int i = 0; i < RACE_TASKS; i++) {
		tasks[i].tid = 200 + i;
		pthread_create(&threads[i], NULL, race_task, &tasks[i]);
	}
	for (int i = 0; i < RACE_TASKS; i++)
		pthread_join(threads[i], NULL);
	nr_tasks = 1;
	out = stop_trace();
	for (const char *line = out; *line; line = strchr(line, '\n') + 1) {
		const char *end = strchr(line, '\n'), *unfinished = strstr(line, " <unfinished ...>\n");
		int tid = atoi(line);

		CU_ASSERT_FATAL(tid >= 200 && tid < 200 + RACE_TASKS && end);
		if (unfinished != end - strlen(" <unfinished ...>"))
			results[tid - 200]++; /* a whole line or a resumed half */
	}
	for (int i = 0; i < RACE_TASKS; i++)
		CU_ASSERT_EQUAL(results[i], RACE_CALLS);
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "quote_escapes_like_strace", test_quote_escapes_like_strace },
		{ "buffers_truncate_at_32_bytes", test_buffers_truncate_at_32_bytes },
		{ "open_flags_decode_by_name", test_open_flags_decode_by_name },
		{ "unknown_flags_print_as_hex", test_unknown_flags_print_as_hex },
		{ "mmap_flags_type_then_flags", test_mmap_flags_type_then_flags },
		{ "mode_and_statx_flags", test_mode_and_statx_flags },
		{ "signals_and_sets", test_signals_and_sets },
		{ "errno_names_and_texts", test_errno_names_and_texts },
		{ "lines_for_open_read_write_fstat", test_lines_for_open_read_write_fstat },
		{ "lines_for_special_decoders", test_lines_for_special_decoders },
		{ "lines_for_threads", test_lines_for_threads },
		{ "sigaction_and_rlimit_structs", test_sigaction_and_rlimit_structs },
		{ "two_tasks_unfinished_and_resumed", test_two_tasks_unfinished_and_resumed },
		{ "signal_lines", test_signal_lines },
		{ "siginfo_fields_by_code", test_siginfo_fields_by_code },
		{ "lines_for_siginfo_calls", test_lines_for_siginfo_calls },
		{ "execve_line", test_execve_line },
		{ "stderr_prefix_only_with_several_tasks", test_stderr_prefix_only_with_several_tasks },
		{ "concurrent_tasks_write_whole_lines", test_concurrent_tasks_write_whole_lines },
	};

	return RUN_UNIT_TESTS("trace", NULL, NULL, tests);
}
