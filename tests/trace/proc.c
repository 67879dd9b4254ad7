/*
 * Guest for the trace differential test: identity, limits, signals, sleeps
 * and memory calls lxemu implements, made directly with syscall() on fixed
 * inputs.  Calls whose results differ between runs by nature (clocks,
 * random bytes, parent and group ids) are left out; pids and addresses are
 * normalised by run-trace-diff.sh.  Ends with exit(), the thread exit.
 */
#include <signal.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define ARCH_GET_FS_CODE 0x1003
#define TCGETS_CMD 0x5401
#define TIOCGWINSZ_CMD 0x5413

/* struct sigaction as the kernel takes it on x86-64. */
struct ksigaction {
	void (*handler)(int);
	unsigned long flags;
	void (*restorer)(void);
	unsigned long mask;
};

static void on_usr1(int sig)
{
	(void)sig;
}

static void identity(void)
{
	unsigned ids[3];
	struct utsname u;

	syscall(SYS_getpid);
	syscall(SYS_gettid);
	syscall(SYS_getuid);
	syscall(SYS_geteuid);
	syscall(SYS_getgid);
	syscall(SYS_getegid);
	syscall(SYS_getresuid, &ids[0], &ids[1], &ids[2]);
	syscall(SYS_getresgid, &ids[0], &ids[1], &ids[2]);
	syscall(SYS_uname, &u);
}

static void limits(void)
{
	struct rlimit rl;

	syscall(SYS_getrlimit, (long)RLIMIT_NOFILE, &rl);
	syscall(SYS_getrlimit, (long)RLIMIT_STACK, &rl);
	syscall(SYS_prlimit64, 0L, (long)RLIMIT_CORE, 0L, &rl);
	syscall(SYS_getrlimit, 99L, &rl);
}

static void signals(void)
{
	struct ksigaction sa = { on_usr1, 0, 0, 1UL << (SIGINT - 1) | 1UL << (SIGTERM - 1) };
	unsigned long set = 1UL << (SIGUSR1 - 1), old;

	syscall(SYS_rt_sigaction, (long)SIGUSR1, &sa, 0L, 8L);
	syscall(SYS_rt_sigaction, (long)SIGUSR1, 0L, &sa, 8L);
	syscall(SYS_rt_sigaction, (long)SIGSEGV, 0L, &sa, 8L);
	syscall(SYS_rt_sigaction, (long)SIGKILL, &sa, 0L, 8L);
	syscall(SYS_rt_sigprocmask, (long)SIG_BLOCK, &set, &old, 8L);
	set = ~0UL;
	syscall(SYS_rt_sigprocmask, (long)SIG_SETMASK, &set, &old, 8L);
	syscall(SYS_rt_sigprocmask, (long)SIG_SETMASK, &old, 0L, 8L);
	syscall(SYS_rt_sigprocmask, (long)SIG_UNBLOCK, 0L, &old, 8L);
	syscall(SYS_rt_sigprocmask, 7L, &set, 0L, 8L);
}

static void sleeps(void)
{
	struct timespec ts = { 0, 1000000 }, res;

	syscall(SYS_nanosleep, &ts, 0L);
	syscall(SYS_nanosleep, &ts, &res);
	syscall(SYS_clock_nanosleep, (long)CLOCK_MONOTONIC, 0L, &ts, 0L);
	syscall(SYS_clock_getres, (long)CLOCK_MONOTONIC, &res);
	ts.tv_nsec = -1;
	syscall(SYS_nanosleep, &ts, 0L);
}

static void memory(void)
{
	void *p = (void *)syscall(SYS_mmap, 0L, 8192L, (long)(PROT_READ | PROT_WRITE),
				  (long)(MAP_PRIVATE | MAP_ANONYMOUS), -1L, 0L);

	syscall(SYS_mprotect, p, 4096L, (long)PROT_READ);
	syscall(SYS_munmap, p, 8192L);
	syscall(SYS_mmap, 0L, 0L, (long)PROT_READ, (long)(MAP_PRIVATE | MAP_ANONYMOUS), -1L, 0L);
	syscall(SYS_mprotect, 1L, 4096L, (long)PROT_READ);
}

static void misc(void)
{
	unsigned long fs;
	char term[64];

	syscall(SYS_arch_prctl, (long)ARCH_GET_FS_CODE, &fs);
	syscall(SYS_set_robust_list, 0L, 24L);
	syscall(SYS_ioctl, 1L, (long)TCGETS_CMD, term);
	syscall(SYS_ioctl, 1L, (long)TIOCGWINSZ_CMD, term);
	syscall(SYS_write, 1L, "done\n", 5L);
}

int main(void)
{
	identity();
	limits();
	signals();
	sleeps();
	memory();
	misc();
	syscall(SYS_exit, 3L);
	return 0;
}
