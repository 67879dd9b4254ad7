/*
 * The tracer: one line per system call in the format of `strace -f`
 * (`--trace`) or `strace -f -o FILE` (`--trace=FILE`), so that the two can
 * be diffed.  A call's arguments are decoded when it starts (strings are read
 * then) and when it returns (output buffers, structs, the result).  The line
 * is written once the call returns; if another task writes a line first, the
 * started half is written as "name(args <unfinished ...>" and the rest later
 * as "<... name resumed>rest) = ret", exactly as strace does.
 */
#ifndef LXEMU_TRACE_H
#define LXEMU_TRACE_H

#include <stdbool.h>
#include "../types.h"

struct task;

#define TRACE_ENTRY_MAX 2048 /* bytes of a call's started half */
#define TRACE_SIGLINE_MAX 256

/* The argument list one call prints, decided when the call starts. */
struct trace_call {
	u8 nargs;            /* slots to print */
	u8 ret_kind;         /* enum syscall_ret_kind */
	u8 glued;            /* bit n: slot n follows slot n-1 without ", " */
	u8 kind[6];          /* enum syscall_arg_kind of each slot */
	u8 idx[6];           /* the register a slot shows (TRACE_NO_REG for none) */
	const char *label[6]; /* "label=" before the value (clone), or NULL */
	u64 val[6];          /* the value a slot shows */
};
#define TRACE_NO_REG 0xff

/*
 * Per-task tracer state, embedded in struct task as t->trace and all zero
 * when the task is created (never copied from a parent).
 */
struct trace_task_state {
	/* this task's own: written only by its host thread */
	char buf[TRACE_ENTRY_MAX]; /* the started half: "read(3, " */
	u16 len;
	u8 next_slot;              /* the first slot the exit prints */
	bool sep;                  /* that slot needs ", " before it */
	bool entry_complete;       /* every slot was printed at entry */
	bool in_syscall;           /* started, line not yet written */
	struct trace_call call;
	char sigline[TRACE_SIGLINE_MAX]; /* a "--- SIG" line held until the call ends */
	u16 siglen;

	/* set before the state joins the pending list; read under trace_lock */
	u64 nr;
	int tid;
	/* guarded by trace_lock */
	bool flushed;              /* started half written as <unfinished ...> */
	bool pending;              /* on the pending list */
	struct trace_task_state *pend_prev, *pend_next;
};

/*
 * The kernel calls the hooks below only while trace_on.  trace_open sets it
 * before any task runs and nothing clears it, so tasks read it unlocked.
 */
extern bool trace_on;

/* Starts tracing to path (NULL or "": stderr). Returns 0 or -errno (host). */
int trace_open(const char *path);
/* Flushes and closes the trace; hooks still called write nothing.  Runs at exit too. */
void trace_close(void);

/*
 * The hooks for task t run on t's own host thread, never under trace_lock
 * (they read guest memory).  The kernel's part of the bargain:
 *  - every call gets trace_syscall_enter before its handler and, if it
 *    returns to the guest, trace_syscall_exit with the value rax gets
 *    (rt_sigreturn: the restored rax; execve: 0); a clone child does not
 *    report the exit of the clone that made it;
 *  - a task that dies gets trace_exit_group or trace_killed instead, which
 *    finish a call it was in as "= ?";
 *  - a signal is reported (trace_signal) when it is delivered, after the
 *    line of the call it interrupted.
 */

/* The syscall hook, around the handler: a[] are rdi rsi rdx r10 r8 r9. */
void trace_syscall_enter(struct task *t, u64 nr, const u64 a[6]);
void trace_syscall_exit(struct task *t, u64 nr, const u64 a[6], long ret);

/*
 * The first line, for the program lxemu starts (strace prints the execve
 * it made itself): execve("path", ["argv0", ...], ENVP) = 0, where ENVP is
 * uenvp, the guest address of the initial envp array, and a comment giving
 * envc, the number of variables.
 */
void trace_execve_initial(struct task *t, const char *path, char *const argv[], u64 uenvp,
			  int envc);

/* The subset of siginfo the "--- SIG... {...} ---" line shows. */
struct trace_siginfo {
	int signo, code, err;
	int pid;      /* si_pid for SI_USER, SI_TKILL, SI_QUEUE and SIGCHLD */
	u32 uid;
	int status;   /* SIGCHLD: exit code or signal */
	u64 addr;     /* SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP */
	s64 utime, stime;
};

/*
 * A signal reaches t: "--- SIGSEGV {si_signo=SIGSEGV, si_code=SEGV_MAPERR,
 * si_addr=0x10} ---".  For SI_USER, SI_TKILL and SI_QUEUE the sender is
 * taken to be t's own process; use trace_signal_info for any other sender.
 * Called during one of t's calls, the line follows that call's line.
 */
void trace_signal(struct task *t, int sig, int code, u64 addr);
void trace_signal_info(struct task *t, const struct trace_siginfo *si);
/*
 * The same from the siginfo the signal carries (struct linux_siginfo,
 * abi/linux/signal.h), every field strace shows included: the value of
 * SI_QUEUE and SI_TIMER, the timer id, SIGIO's band and fd, SIGSYS's.
 */
struct linux_siginfo;
void trace_signal_siginfo(struct task *t, const struct linux_siginfo *info);
/* Task t dies of sig: "+++ killed by SIGSEGV (core dumped) +++". */
void trace_killed(struct task *t, int sig, bool core);
/* trace_signal and then trace_killed: a fatal fault. */
void trace_signal_exit(struct task *t, int sig, int code, u64 addr, bool core);
/*
 * Task t ends by exit or exit_group: "+++ exited with N +++" (N = code & 0xff).
 * Call it for every task that ends this way, while it still counts in
 * kernel_nr_tasks().  A call t was in is finished as "= ?".
 */
void trace_exit_group(struct task *t, int code);
/* Forget t: call before its memory is freed if neither of the above ran. */
void trace_task_free(struct task *t);

/* Provided by the kernel (emu/kernel), and by stubs in the tracer's unit tests. */
struct trace_task_state *task_trace_state(struct task *t);
int task_tid(const struct task *t);
int task_tgid(const struct task *t);
/* The number of live tasks; called without trace_lock held. */
int kernel_nr_tasks(void);
/* The guest rsp when t made its current system call (rt_sigreturn's frame). */
u64 task_user_sp(struct task *t);

#endif
