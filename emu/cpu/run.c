/*
 * The task's run loop: do pending work, run guest code until the engine
 * stops itself, turn the reason it stopped into kernel action.  No other
 * thread ever calls uc_* on this engine (docs/unicorn-2.0.1.md, section 2).
 */
#include <sys/mman.h>
#include "cpu.h"
#include "../mm/mm.h"
#include "../kernel/task.h"
#include "../kernel/sched.h"
#include "../../abi/linux/signal.h"

#define RUN_UNTIL_NEVER 0xffffffffffffffffULL /* non-canonical: never reached */

/* A stop with no fault recorded and no work pending: translate the engine's error. */
static void fault_from_uc_error(struct task *t, uc_err err)
{
	struct cpu_fault *f = &t->cpu.fault;

	f->rip = cpu_get(t, CPU_RIP);
	f->access = -1;
	switch (err) {
	case UC_ERR_INSN_INVALID:
		f->sig = LINUX_SIGILL;
		f->code = LINUX_ILL_ILLOPN;
		f->addr = f->rip;
		break;
	case UC_ERR_FETCH_UNMAPPED:
	case UC_ERR_FETCH_PROT:
		f->sig = LINUX_SIGSEGV;
		f->code = err == UC_ERR_FETCH_PROT ? LINUX_SEGV_ACCERR : LINUX_SEGV_MAPERR;
		f->addr = f->rip;
		break;
	default:
		/* hlt and anything else that ends emulation: #GP on Linux. */
		f->sig = LINUX_SIGSEGV;
		f->code = LINUX_SI_KERNEL;
		f->addr = 0;
		break;
	}
}

/*
 * The page-fault error code's present bit: kernel addresses are present
 * (just not the user's); a user page is present once touched, which the
 * host's own page tables tell for the guest page's host page (mincore).
 */
static bool page_present(struct task *t, const struct cpu_fault *f)
{
	unsigned char vec = 0;
	void *host;

	if (f->addr >= 0xffff800000000000ULL)
		return true;
	if (f->code != LINUX_SEGV_ACCERR)
		return false;
	if (f->access == UC_MEM_FETCH_PROT)
		return true;
	mmap_lock(t->mm);
	host = mm_host_locked(t->mm, f->addr & ~(u64)(PAGE_SIZE - 1));
	if (host && mincore(host, PAGE_SIZE, &vec))
		vec = 1;
	mmap_unlock(t->mm);
	return host ? vec & 1 : true;
}

/*
 * What the thread's sigcontext reports of its last fault (Linux's
 * thread.trap_nr, error_code, cr2): the vector, the page-fault error code
 * (user 4, write 2, protection 1, fetch 0x10), the address.
 */
static void record_thread_fault(struct task *t, const struct cpu_fault *f)
{
	t->fault_err = 0;
	t->fault_cr2 = 0;
	switch (f->sig) {
	case LINUX_SIGFPE:
		t->fault_trapno = f->code == LINUX_FPE_INTDIV ? 0 : 16;
		break;
	case LINUX_SIGILL:
		t->fault_trapno = 6;
		break;
	case LINUX_SIGTRAP:
		t->fault_trapno = 3;
		break;
	case LINUX_SIGSEGV:
	case LINUX_SIGBUS:
		if (f->code == LINUX_SI_KERNEL) {
			t->fault_trapno = 13;
			break;
		}
		t->fault_trapno = 14;
		t->fault_cr2 = f->addr;
		/* Kernel addresses are present, just not the user's: a protection fault. */
		t->fault_err = 4 | (page_present(t, f) ? 1 : 0);
		if (f->access == UC_MEM_WRITE_UNMAPPED || f->access == UC_MEM_WRITE_PROT)
			t->fault_err |= 2;
		else if (f->access == UC_MEM_FETCH_UNMAPPED || f->access == UC_MEM_FETCH_PROT)
			t->fault_err |= 0x10;
		break;
	}
}

static void handle_exit_reason(struct task *t, uc_err err)
{
	struct cpu_fault *f = &t->cpu.fault;

	if (!f->sig && (err != UC_ERR_OK || !atomic_load(&t->pending)))
		fault_from_uc_error(t, err);
	if (f->sig && !f->rip_exact) {
		u64 rip = cpu_find_fault_insn(t, f->rip, f->addr);
		if (rip) {
			f->rip = rip;
			f->rip_exact = true;
			cpu_set(t, CPU_RIP, rip);
		}
	}
	/* A non-canonical address is #GP on x86-64, not a page fault: SI_KERNEL, no address. */
	if (f->sig == LINUX_SIGSEGV && f->access >= 0 && (s64)(f->addr << 16) >> 16 != (s64)f->addr) {
		f->code = LINUX_SI_KERNEL;
		f->addr = 0;
	}
	if (f->sig) {
		cpu_clear_exception(t);
		record_thread_fault(t, f);
		force_sig_fault(t, f->sig, f->code, f->addr);
		f->sig = 0;
	}
}

void task_run(struct task *t)
{
	x87_install_hooks(t);
	atomic_install_hooks(t);
	mm_run_acquire(t);
	for (;;) {
		/* TIF_RESTART stays until do_signal has settled the interrupted call. */
		unsigned pending = atomic_fetch_and(&t->pending, TIF_EXIT | TIF_RESTART);
		if (pending & TIF_EXIT)
			break;
		if (pending & TIF_MM_SYNC)
			task_apply_mm_sync(t);
		if (pending & TIF_SIGRETURN)
			do_rt_sigreturn(t);
		if (pending & TIF_EXEC) {
			exec_commit(t);
			if (atomic_load(&t->pending) & TIF_EXIT)
				break;
		}
		if (pending & (TIF_SIGPENDING | TIF_RESTART)) {
			do_signal(t);
			if (atomic_load(&t->pending) & TIF_EXIT)
				break; /* the signal's action was to end the group */
		}
		if ((pending & TIF_YIELD) && mm_shared(t)) {
			mm_run_release(t);
			if (!mm_run_acquire(t))
				break;
		}
		/* The mm went parallel (a second thread) while this task held it alone. */
		if (t->run_held == RUN_EXCLUSIVE && mm_shared(t) && mm_run_parallel(t))
			mm_run_share(t);
		t->cpu.has_run = true;
		uc_err err = uc_emu_start(t->cpu.uc, cpu_get(t, CPU_RIP), RUN_UNTIL_NEVER, 0, 0);
		cpu_settle_stop(t);
		handle_exit_reason(t, err);
	}
	if (kconfig.stats)
		cpu_print_stats(t);
	/* Engines are created and closed only while no other engine of the mm runs. */
	mm_run_exclusive(t);
	cpu_destroy(t);
	mm_run_release(t);
	release_task(t);
}
