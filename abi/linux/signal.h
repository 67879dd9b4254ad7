/* Linux x86-64 signal numbers and the kernel's struct sigaction (guest ABI). */
#ifndef LXEMU_ABI_SIGNAL_H
#define LXEMU_ABI_SIGNAL_H

#include "../../emu/types.h"

#define LINUX_SIGHUP 1
#define LINUX_SIGINT 2
#define LINUX_SIGQUIT 3
#define LINUX_SIGILL 4
#define LINUX_SIGTRAP 5
#define LINUX_SIGABRT 6
#define LINUX_SIGBUS 7
#define LINUX_SIGFPE 8
#define LINUX_SIGKILL 9
#define LINUX_SIGUSR1 10
#define LINUX_SIGSEGV 11
#define LINUX_SIGUSR2 12
#define LINUX_SIGPIPE 13
#define LINUX_SIGALRM 14
#define LINUX_SIGTERM 15
#define LINUX_SIGSTKFLT 16
#define LINUX_SIGCHLD 17
#define LINUX_SIGCONT 18
#define LINUX_SIGSTOP 19
#define LINUX_SIGTSTP 20
#define LINUX_SIGTTIN 21
#define LINUX_SIGTTOU 22
#define LINUX_SIGURG 23
#define LINUX_SIGXCPU 24
#define LINUX_SIGXFSZ 25
#define LINUX_SIGVTALRM 26
#define LINUX_SIGPROF 27
#define LINUX_SIGWINCH 28
#define LINUX_SIGIO 29
#define LINUX_SIGPWR 30
#define LINUX_SIGSYS 31
#define LINUX_SIGRTMIN 32
#define LINUX_SIGRTMAX 64
#define LINUX_NSIG 64

#define LINUX_SIG_DFL 0ULL
#define LINUX_SIG_IGN 1ULL

#define LINUX_SA_NOCLDSTOP 0x00000001
#define LINUX_SA_NOCLDWAIT 0x00000002
#define LINUX_SA_SIGINFO 0x00000004
#define LINUX_SA_UNSUPPORTED 0x00000400
#define LINUX_SA_EXPOSE_TAGBITS 0x00000800
#define LINUX_SA_RESTORER 0x04000000
#define LINUX_SA_ONSTACK 0x08000000
#define LINUX_SA_RESTART 0x10000000
#define LINUX_SA_NODEFER 0x40000000
#define LINUX_SA_RESETHAND 0x80000000

#define LINUX_SIG_BLOCK 0
#define LINUX_SIG_UNBLOCK 1
#define LINUX_SIG_SETMASK 2

/* si_code values for the faults lxemu raises. */
#define LINUX_SI_USER 0
#define LINUX_SI_KERNEL 0x80
#define LINUX_SI_TKILL (-6)
#define LINUX_SEGV_MAPERR 1
#define LINUX_SEGV_ACCERR 2
#define LINUX_BUS_ADRERR 2
#define LINUX_FPE_INTDIV 1
#define LINUX_ILL_ILLOPN 2
#define LINUX_TRAP_BRKPT 1

#define LINUX_SI_QUEUE (-1)
#define LINUX_SI_TIMER (-2)
#define LINUX_SI_MESGQ (-3)
#define LINUX_SI_ASYNCIO (-4)
#define LINUX_FPE_INTOVF 2
#define LINUX_BUS_ADRALN 1
#define LINUX_TRAP_TRACE 2
#define LINUX_CLD_EXITED 1
#define LINUX_CLD_KILLED 2
#define LINUX_CLD_DUMPED 3
#define LINUX_CLD_STOPPED 5
#define LINUX_CLD_CONTINUED 6

#define LINUX_SS_ONSTACK 1
#define LINUX_SS_DISABLE 2
#define LINUX_SS_AUTODISARM (1U << 31)
#define LINUX_MINSIGSTKSZ 2048

#define LINUX_SIGEV_SIGNAL 0
#define LINUX_SIGEV_NONE 1
#define LINUX_SIGEV_THREAD 2
#define LINUX_SIGEV_THREAD_ID 4

typedef u64 linux_sigset_t;

/*
 * siginfo_t as the guest sees it: 128 bytes; the union starts at offset 16.
 * Field offsets are Linux's x86-64 ones (kill: pid 16, uid 20; rt and timer:
 * value 24; SIGCHLD: status 24, utime 32, stime 40; faults: addr 16).
 */
union linux_sigval {
	int sival_int;
	u64 sival_ptr;
};

struct linux_siginfo {
	int si_signo;
	int si_errno;
	int si_code;
	int _pad0;
	union {
		u8 raw[112];
		struct { int pid; u32 uid; union linux_sigval value; } rt;   /* SI_USER, SI_TKILL, SI_QUEUE */
		struct { int tid; int overrun; union linux_sigval value; } timer; /* SI_TIMER */
		struct { int pid; u32 uid; int status; int _pad; s64 utime, stime; } chld;
		struct { u64 addr; } fault;
		struct { s64 band; int fd; } poll;
	};
};

/* stack_t (sigaltstack). */
struct linux_stack {
	u64 ss_sp;
	int ss_flags;
	int _pad;
	u64 ss_size;
};

/* struct sigevent (timer_create): 64 bytes. */
struct linux_sigevent {
	union linux_sigval sigev_value;
	int sigev_signo;
	int sigev_notify;
	union {
		int tid; /* SIGEV_THREAD_ID */
		u8 pad[48];
	};
};

static inline u64 linux_sigmask(int sig) { return 1ULL << (sig - 1); }
/* What no mask can block and no sigaction can catch (Linux's sig_kernel_only). */
#define LINUX_UNBLOCKABLE (linux_sigmask(LINUX_SIGKILL) | linux_sigmask(LINUX_SIGSTOP))

/* struct sigaction as rt_sigaction(2) passes it on x86-64. */
struct linux_sigaction {
	u64 handler;
	u64 flags;
	u64 restorer;
	linux_sigset_t mask;
};

#endif
