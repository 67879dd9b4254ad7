/*
 * A host SIGBUS from guest memory: a page of a file mapping that lies past
 * the end of its file (the file shrank after it was mapped).  Linux gives
 * the guest SIGBUS; the host gives it to lxemu, in the middle of engine code
 * or of a uaccess copy.  The handler puts a zeroed page in its place so the
 * access completes, and records the fault for the task, which then dies of
 * SIGBUS at its next block boundary instead of lxemu crashing.
 */
#include <signal.h>
#include <string.h>
#include <sys/mman.h>
#include "mm.h"
#include "../kernel/task.h"
#include "../../abi/linux/signal.h"

/* The guest address behind host address h, or 0. Lock-free: a signal handler. */
static u64 guest_addr_of(struct mm_struct *mm, uintptr_t h)
{
	for (int i = 0; i < mm->nr_chunks; i++) {
		uintptr_t base = (uintptr_t)mm->chunks[i].base;
		if (h >= base && h - base < CHUNK_SIZE)
			return (mm->chunks[i].index << CHUNK_SHIFT) + (h - base);
	}
	return 0;
}

static void host_sigbus(int sig, siginfo_t *si, void *uc)
{
	struct task *t = task_current();
	uintptr_t page = (uintptr_t)si->si_addr & ~(uintptr_t)(PAGE_SIZE - 1);
	u64 guest = t ? guest_addr_of(t->mm, (uintptr_t)si->si_addr) : 0;

	(void)uc;
	if (!guest) { /* not guest memory: a real lxemu bug, die of it */
		signal(sig, SIG_DFL);
		return;
	}
	mmap((void *)page, PAGE_SIZE, PROT_READ | PROT_WRITE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE | MAP_FIXED, -1, 0);
	if (!t->cpu.fault.sig) {
		t->cpu.fault.sig = LINUX_SIGBUS;
		t->cpu.fault.code = LINUX_BUS_ADRERR;
		t->cpu.fault.addr = guest;
		/*
		 * The engine goes on to the end of the block (the load reads the
		 * zero page mapped here): the instruction is looked for in the
		 * block with the registers then, which finds it unless the block
		 * changed its address registers after it.
		 */
		t->cpu.fault.access = UC_MEM_READ;
		t->cpu.fault.rip = t->cpu.block_addr;
		t->cpu.fault.rip_exact = false;
	}
	task_set_pending(t, TIF_SIGPENDING);
}

void mm_install_sigbus_handler(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = host_sigbus;
	sa.sa_flags = SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
}
