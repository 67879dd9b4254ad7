/*
 * Engine set-up, registers and the hooks that are the kernel's entry points:
 * syscall, block (pending-work self-stop), memory faults (lazy mapping and
 * SIGSEGV), interrupts (#DE, int3, #UD) and invalid instructions.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include "cpu.h"
#include "../kernel/task.h"
#include "../kernel/locking.h"
#include "../mm/mm.h"
#include "../sys/syscall.h"
#include "../kernel/sched.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/mman.h"

static const int uc_regs[NR_CPU_REGS] = {
	[CPU_RAX] = UC_X86_REG_RAX, [CPU_RBX] = UC_X86_REG_RBX, [CPU_RCX] = UC_X86_REG_RCX,
	[CPU_RDX] = UC_X86_REG_RDX, [CPU_RSI] = UC_X86_REG_RSI, [CPU_RDI] = UC_X86_REG_RDI,
	[CPU_RBP] = UC_X86_REG_RBP, [CPU_RSP] = UC_X86_REG_RSP, [CPU_R8] = UC_X86_REG_R8,
	[CPU_R9] = UC_X86_REG_R9, [CPU_R10] = UC_X86_REG_R10, [CPU_R11] = UC_X86_REG_R11,
	[CPU_R12] = UC_X86_REG_R12, [CPU_R13] = UC_X86_REG_R13, [CPU_R14] = UC_X86_REG_R14,
	[CPU_R15] = UC_X86_REG_R15, [CPU_RIP] = UC_X86_REG_RIP, [CPU_EFLAGS] = UC_X86_REG_EFLAGS,
	[CPU_FS_BASE] = UC_X86_REG_FS_BASE, [CPU_GS_BASE] = UC_X86_REG_GS_BASE,
};

u64 cpu_get(struct task *t, enum cpu_reg r)
{
	u64 v = 0;

	uc_reg_read(t->cpu.uc, uc_regs[r], &v);
	return v;
}

void cpu_set(struct task *t, enum cpu_reg r, u64 v)
{
	uc_reg_write(t->cpu.uc, uc_regs[r], &v);
}

static void record_fault(struct task *t, int sig, int code, u64 addr, int access)
{
	struct cpu_fault *f = &t->cpu.fault;

	if (f->sig)
		return;
	f->sig = sig;
	f->code = code;
	f->addr = addr;
	f->access = access;
	f->rip = access < 0 || !t->cpu.block_addr ? cpu_get(t, CPU_RIP) : t->cpu.block_addr;
	f->rip_exact = access < 0;
	/* A fetch faults at the instruction itself. */
	if (access == UC_MEM_FETCH_UNMAPPED || access == UC_MEM_FETCH_PROT) {
		f->rip = addr;
		f->rip_exact = true;
	}
}

/* The syscall instruction: service the call without leaving uc_emu_start. */
static void hook_syscall(uc_engine *uc, void *user)
{
	static const int in[] = { UC_X86_REG_RAX, UC_X86_REG_RDI, UC_X86_REG_RSI,
				  UC_X86_REG_RDX, UC_X86_REG_R10, UC_X86_REG_R8,
				  UC_X86_REG_R9, UC_X86_REG_RIP, UC_X86_REG_EFLAGS };
	static const int out[] = { UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_R11 };
	struct task *t = user;
	u64 v[9], res[3];
	enum mm_change change;
	void *pv[9] = { &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8] };
	void *pres[3] = { &res[0], &res[1], &res[2] };

	uc_reg_read_batch(uc, (int *)in, pv, 9);
	/* rt_sigreturn rewrites every register: the run loop does it, outside the engine. */
	if (v[0] == 15) {
		task_set_pending(t, TIF_SIGRETURN);
		uc_emu_stop(uc);
		return;
	}
	/*
	 * Other tasks of the mm run guest code while this one is in the kernel,
	 * except during calls that change the address space (or make engines):
	 * those hold the token alone, so no engine runs on a stale mapping (the
	 * TLB shootdown).
	 */
	change = mm_shared(t) ? syscall_changes_mm(v[0], &v[1]) : MM_NONE;
	/* Taking turns, a short call that changes the mm keeps the turn it has. */
	if (change == MM_GROWS && t->run_held == RUN_EXCLUSIVE)
		change = MM_SHRINKS;
	if (!mm_shared(t)) {
		res[0] = (u64)syscall_dispatch(t, v[0], &v[1]);
	} else if (change == MM_SHRINKS) {
		mm_run_exclusive(t);
		res[0] = (u64)syscall_dispatch(t, v[0], &v[1]);
		mm_run_share(t);
	} else {
		mm_run_release(t);
		res[0] = (u64)syscall_dispatch(t, v[0], &v[1]);
		mm_run_acquire(t);
	}
	/* Interrupted by a signal: do_signal restarts the call or fails it with EINTR. */
	if ((s64)res[0] >= -LINUX_ERESTART_RESTARTBLOCK && (s64)res[0] <= -LINUX_ERESTARTSYS) {
		t->orig_rax = v[0];
		task_set_pending(t, TIF_RESTART);
	}
	res[1] = v[7] + 2; /* the syscall instruction sets rcx to the next RIP */
	res[2] = v[8];     /* and r11 to RFLAGS */
	uc_reg_write_batch(uc, (int *)out, pres, 3);
	if (atomic_load_explicit(&t->pending, memory_order_relaxed))
		uc_emu_stop(uc);
}

/* What a block's first instruction may change besides memory: compared around a stop. */
static const int stop_regs[] = {
	UC_X86_REG_RAX, UC_X86_REG_RBX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RSI,
	UC_X86_REG_RDI, UC_X86_REG_RBP, UC_X86_REG_RSP, UC_X86_REG_R8, UC_X86_REG_R9,
	UC_X86_REG_R10, UC_X86_REG_R11, UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14,
	UC_X86_REG_R15, UC_X86_REG_EFLAGS, UC_X86_REG_FS_BASE, UC_X86_REG_GS_BASE,
	UC_X86_REG_FPSW, UC_X86_REG_MXCSR,
};

static void read_stop_regs(uc_engine *uc, u64 *vals)
{
	for (size_t i = 0; i < ARRAY_SIZE(stop_regs); i++) {
		vals[i] = 0;
		uc_reg_read(uc, stop_regs[i], &vals[i]);
	}
}

/* Runs before every block: the only place another thread's request stops us. */
static void hook_block(uc_engine *uc, u64 addr, u32 size, void *user)
{
	struct task *t = user;

	(void)size;
	/* Chained blocks do not update RIP: a memory fault reads it stale, this is exact. */
	t->cpu.block_addr = addr;
	if (atomic_load_explicit(&t->pending, memory_order_relaxed) && !t->cpu.stop_at) {
		read_stop_regs(uc, t->cpu.stop_regs);
		t->cpu.stop_at = addr;
		uc_emu_stop(uc);
	}
}

void cpu_settle_stop(struct task *t)
{
	u64 regs[ARRAY_SIZE(stop_regs)], at = t->cpu.stop_at;

	t->cpu.stop_at = 0;
	if (!at)
		return;
	/*
	 * Measured: with a code hook installed anywhere (the x87 fix-ups), the
	 * engine stops before the block the hook saw, but RIP then reads as a
	 * stale earlier address (the start of the run).  The registers show
	 * whether anything ran: unchanged, the engine is exactly at the block.
	 */
	read_stop_regs(t->cpu.uc, regs);
	if (!memcmp(regs, t->cpu.stop_regs, sizeof(regs)))
		cpu_set(t, CPU_RIP, at);
}

static void cpu_limit_regions(struct task *t);

/*
 * Code that changes behind the engine's back.  Translations are cached per
 * guest address, so a store through one mapping of a file never reaches the
 * translations of another, executable, mapping of it (a JIT's dual mapping),
 * nor does a write(2) to the file.  While a file is mapped both writable
 * (shared) and executable, the engine maps the writable side without write
 * permission; the first store traps, drops the executable side (and its
 * translations) and lets stores through until that code runs again.
 */
static bool same_file(const struct vm_area_struct *a, const struct vm_area_struct *b)
{
	return a != b && (a->vm_flags & VM_HOSTMAP) && (b->vm_flags & VM_HOSTMAP) &&
	       a->dev == b->dev && a->ino == b->ino;
}

/*
 * For a writable shared v (want_writer false): is its file mapped executable too?
 * For an executable v (want_writer true): is its file mapped writable and shared too?
 * With act set, drops those other mappings from the engine.
 */
static bool alias_walk_locked(struct task *t, struct mm_struct *mm, struct vm_area_struct *v,
			      bool want_writer, bool act)
{
	bool found = false;

	if (!(v->vm_flags & VM_HOSTMAP))
		return false;
	if (!want_writer && !((v->vm_flags & VM_SHARED) && (v->vm_prot & LINUX_PROT_WRITE)))
		return false;
	for (int i = 0; i < mm->nr_vmas; i++) {
		struct vm_area_struct *o = &mm->vmas[i];
		bool match = want_writer ? (o->vm_flags & VM_SHARED) && (o->vm_prot & LINUX_PROT_WRITE)
					 : (o->vm_prot & LINUX_PROT_EXEC);
		if (!match || !same_file(v, o))
			continue;
		found = true;
		if (act)
			cpu_unmap_range(t, o->vm_start, o->vm_end);
	}
	return found;
}

/*
 * Unicorn 2.0.1 keeps a PageDesc array for each 4 MiB of RAM-block offsets
 * (ram_addr) once a translated block lies in it, and every guest store to a
 * page whose ram_addr falls in such a window takes page_collection_lock's
 * slow path (a malloc'd entry per store), even if the page never held code.
 * RAM-block offsets are handed out in mapping order, best fit, 256 KiB
 * aligned, and the first region an engine maps (the program's text, at the
 * first instruction fetch) gets offset 0.  So right after the first code
 * region, map a 4 MiB region that no guest access can reach: it fills the
 * rest of the code's window, and data regions mapped later start in windows
 * of their own.  It is one extra region per engine and costs no memory.
 */
#define RAM_SPACER_ADDR 0xffffffffff000000ULL /* above any guest address */
#define RAM_SPACER_SIZE (4ULL << 20)

static void map_ram_spacer(struct task *t)
{
	static u8 *host;

	if (t->cpu.ram_spacer)
		return;
	if (!host) {
		void *p = mmap(NULL, RAM_SPACER_SIZE, PROT_READ | PROT_WRITE,
			       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
		if (p == MAP_FAILED)
			return;
		host = p; /* never touched: the region allows no access */
	}
	t->cpu.ram_spacer = uc_mem_map_ptr(t->cpu.uc, RAM_SPACER_ADDR, RAM_SPACER_SIZE,
					   UC_PROT_NONE, host) == UC_ERR_OK;
}

/* Neighbours of v that one engine region may cover with it: same protection and chunk. */
static bool vma_run_joins(const struct vm_area_struct *a, const struct vm_area_struct *b)
{
	return a->vm_end == b->vm_start && vma_effective_prot(a) == vma_effective_prot(b) &&
	       (a->vm_start >> CHUNK_SHIFT) == (b->vm_start >> CHUNK_SHIFT);
}

/*
 * Maps the run of VMAs around v as one region, replacing the regions this
 * engine had for parts of it: neighbouring VMAs are neighbours in host memory
 * (mm.h), so a heap of thousands of mappings stays one region, not thousands
 * (Unicorn's costs grow with the square of the region count, and it aborts
 * past about 4,000).
 */
static bool map_vma_run_locked(struct task *t, struct mm_struct *mm, struct vm_area_struct *v,
			       bool trap_writes)
{
	int i = (int)(v - mm->vmas), lo = i, hi = i;
	u32 prot = vma_effective_prot(v);
	u64 start, end;

	while (lo > 0 && vma_run_joins(&mm->vmas[lo - 1], &mm->vmas[lo]))
		lo--;
	while (hi + 1 < mm->nr_vmas && vma_run_joins(&mm->vmas[hi], &mm->vmas[hi + 1]))
		hi++;
	start = mm->vmas[lo].vm_start;
	end = mm->vmas[hi].vm_end;
	for (int k = lo; k <= hi && trap_writes && (prot & UC_PROT_WRITE); k++)
		if (alias_walk_locked(t, mm, &mm->vmas[k], false, false))
			prot &= ~UC_PROT_WRITE; /* stores must trap: see hook_mem_prot */
	cpu_unmap_range(t, start, end);
	cpu_limit_regions(t);
	if (uc_mem_map_ptr(t->cpu.uc, start, end - start, prot, mm_host_locked(mm, start)) !=
	    UC_ERR_OK)
		return false;
	if (prot & UC_PROT_EXEC)
		map_ram_spacer(t);
	return true;
}

/*
 * Keeps the engine under REGION_CAP regions: thousands of VMAs whose
 * protections alternate cannot share regions, and Unicorn slows with the
 * square of the region count and aborts past about 4,000.  Past the cap,
 * every data region goes (code regions keep their translations); the
 * engine maps back on fault what the guest still uses.
 */
#define REGION_CAP 128

static void cpu_limit_regions(struct task *t)
{
	uc_engine *uc = t->cpu.uc;
	uc_mem_region *regs;
	u32 n;

	if (uc_mem_regions(uc, &regs, &n) != UC_ERR_OK)
		return;
	for (u32 i = 0; n >= REGION_CAP && i < n; i++)
		if (!(regs[i].perms & UC_PROT_EXEC) && regs[i].begin < TASK_SIZE)
			uc_mem_unmap(uc, regs[i].begin, regs[i].end - regs[i].begin + 1);
	uc_free(regs);
}

/* Below a stack that may grow down to addr: grow it, and let the engine map it anew as one. */
static struct vm_area_struct *grow_stack_locked(struct task *t, u64 addr)
{
	struct mm_struct *mm = t->mm;
	struct vm_area_struct *v = find_vma_locked(mm, addr);
	u64 old_start = v ? v->vm_start : 0, end = v ? v->vm_end : 0;

	if (!expand_stack_locked(mm, addr, t->signal->rlim[LINUX_RLIMIT_STACK].rlim_cur))
		return NULL;
	cpu_unmap_range(t, old_start, end);
	return vma_lookup_locked(mm, addr);
}

static bool hook_mem_unmapped(uc_engine *uc, uc_mem_type type, u64 addr, int size, s64 value,
			      void *user)
{
	struct task *t = user;

	(void)uc;
	struct mm_struct *mm = t->mm;
	struct vm_area_struct *v;
	bool mapped = false;

	(void)size;
	(void)value;
	mmap_lock(mm);
	v = vma_lookup_locked(mm, addr);
	if (!v && addr < TASK_SIZE)
		v = grow_stack_locked(t, addr);
	if (v && vma_effective_prot(v)) {
		/* Code about to run again: writes through other mappings must trap again. */
		if ((v->vm_prot & LINUX_PROT_EXEC) && type == UC_MEM_FETCH_UNMAPPED)
			alias_walk_locked(t, mm, v, true, true);
		mapped = map_vma_run_locked(t, mm, v, true);
	}
	mmap_unlock(mm);
	if (!mapped)
		record_fault(t, LINUX_SIGSEGV, v ? LINUX_SEGV_ACCERR : LINUX_SEGV_MAPERR, addr, type);
	return mapped;
}

static bool hook_mem_prot(uc_engine *uc, uc_mem_type type, u64 addr, int size, s64 value,
			  void *user)
{
	struct task *t = user;
	struct mm_struct *mm = t->mm;
	struct vm_area_struct *v;
	bool handled = false;

	(void)uc;
	(void)size;
	(void)value;
	if (type == UC_MEM_WRITE_PROT) {
		mmap_lock(mm);
		v = vma_lookup_locked(mm, addr);
		/* A store the VMA allows: a trapped write to code's other mapping. */
		if (v && (vma_effective_prot(v) & LINUX_PROT_WRITE)) {
			alias_walk_locked(t, mm, v, false, true);
			handled = map_vma_run_locked(t, mm, v, false);
		}
		mmap_unlock(mm);
	}
	/* Beyond TASK_SIZE there is no VMA (only the RAM spacer): Linux says MAPERR. */
	if (!handled)
		record_fault(t, LINUX_SIGSEGV, addr >= TASK_SIZE ? LINUX_SEGV_MAPERR : LINUX_SEGV_ACCERR,
			     addr, type);
	return handled;
}

static void hook_intr(uc_engine *uc, u32 intno, void *user)
{
	struct task *t = user;
	u64 rip = cpu_get(t, CPU_RIP);

	switch (intno) {
	case 0:
		record_fault(t, LINUX_SIGFPE, LINUX_FPE_INTDIV, rip, -1);
		break;
	case 1:
	case 3:
		record_fault(t, LINUX_SIGTRAP, LINUX_SI_KERNEL, 0, -1);
		break;
	case 6:
		record_fault(t, LINUX_SIGILL, LINUX_ILL_ILLOPN, rip, -1);
		break;
	case 16:
	case 19:
		record_fault(t, LINUX_SIGFPE, 0, rip, -1);
		break;
	default:
		/* #GP, int $0x80 and other gates user code may not use. */
		record_fault(t, LINUX_SIGSEGV, LINUX_SI_KERNEL, 0, -1);
		break;
	}
	uc_emu_stop(uc);
}

static bool hook_insn_invalid(uc_engine *uc, void *user)
{
	struct task *t = user;

	(void)uc;
	record_fault(t, LINUX_SIGILL, LINUX_ILL_ILLOPN, cpu_get(t, CPU_RIP), -1);
	return false;
}

static int add_hook(struct task *t, int type, void *cb, u64 begin, u64 end, int insn)
{
	uc_err err;

	if (insn >= 0)
		err = uc_hook_add(t->cpu.uc, &t->cpu.hooks[t->cpu.nr_hooks], type, cb, t, begin, end, insn);
	else
		err = uc_hook_add(t->cpu.uc, &t->cpu.hooks[t->cpu.nr_hooks], type, cb, t, begin, end);
	if (err != UC_ERR_OK)
		return -1;
	t->cpu.nr_hooks++;
	return 0;
}

/* Linux starts a process with the x87 control word 0x37f and MXCSR 0x1f80. */
static void init_fpu(struct task *t)
{
	u64 fpcw = 0x37f, mxcsr = 0x1f80, eflags = 0x202;

	uc_reg_write(t->cpu.uc, UC_X86_REG_FPCW, &fpcw);
	uc_reg_write(t->cpu.uc, UC_X86_REG_MXCSR, &mxcsr);
	uc_reg_write(t->cpu.uc, UC_X86_REG_EFLAGS, &eflags);
}

int cpu_init(struct task *t)
{
	if (uc_open(UC_ARCH_X86, UC_MODE_64, &t->cpu.uc) != UC_ERR_OK)
		return -LINUX_ENOMEM;
	if (add_hook(t, UC_HOOK_INSN, hook_syscall, 1, 0, UC_X86_INS_SYSCALL) ||
	    add_hook(t, UC_HOOK_BLOCK, hook_block, 1, 0, -1) ||
	    add_hook(t, UC_HOOK_MEM_UNMAPPED, hook_mem_unmapped, 1, 0, -1) ||
	    add_hook(t, UC_HOOK_MEM_PROT, hook_mem_prot, 1, 0, -1) ||
	    add_hook(t, UC_HOOK_INTR, hook_intr, 1, 0, -1) ||
	    add_hook(t, UC_HOOK_INSN_INVALID, hook_insn_invalid, 1, 0, -1)) {
		cpu_destroy(t);
		return -LINUX_ENOMEM;
	}
	init_fpu(t);
	/* The CPU state with no exception in flight (cpu_clear_exception). */
	if (uc_context_alloc(t->cpu.uc, &t->cpu.pristine) != UC_ERR_OK ||
	    uc_context_save(t->cpu.uc, t->cpu.pristine) != UC_ERR_OK) {
		cpu_destroy(t);
		return -LINUX_ENOMEM;
	}
	return 0;
}

void cpu_destroy(struct task *t)
{
	uc_engine *uc = t->cpu.uc;

	/* task_interrupt reads it from other threads. */
	__atomic_store_n(&t->cpu.uc, NULL, __ATOMIC_RELAXED);
	if (uc)
		uc_close(uc);
	if (t->cpu.pristine)
		uc_context_free(t->cpu.pristine);
	t->cpu.pristine = NULL;
	atomic_free_hooks(t);
	t->cpu.nr_hooks = 0;
	t->cpu.ram_spacer = false;
	t->cpu.has_run = false;
}

void cpu_unmap_range(struct task *t, u64 start, u64 end)
{
	uc_engine *uc = t->cpu.uc;
	uc_mem_region *regs;
	u32 n;

	if (!uc || uc_mem_regions(uc, &regs, &n) != UC_ERR_OK)
		return;
	for (u32 i = 0; i < n; i++) {
		u64 rb = regs[i].begin, re = regs[i].end + 1;
		if (re <= start || rb >= end)
			continue;
		/*
		 * The whole region goes, not just the changed part: splitting would
		 * multiply regions (an mprotect of every other page makes thousands).
		 * The engine maps back on fault what the guest still uses.  Translated
		 * code goes first, while the range is still mapped.
		 */
		if (regs[i].perms & UC_PROT_EXEC)
			uc_ctl_remove_cache(uc, rb, re);
		uc_mem_unmap(uc, rb, re - rb);
	}
	uc_free(regs);
}

/* CPUID leaf 1 EDX of this engine's CPU: what Linux reports as AT_HWCAP. */
u64 cpu_hwcap(struct task *t)
{
	static const u8 code[] = { 0x0f, 0xa2 }; /* cpuid */
	uc_engine *uc = t->cpu.uc;
	u64 leaf = 1, edx = 0, zero = 0;
	u8 page[PAGE_SIZE] = { 0 };

	memcpy(page, code, sizeof(code));
	if (uc_mem_map_ptr(uc, 0, PAGE_SIZE, UC_PROT_ALL, page) != UC_ERR_OK)
		return 0;
	uc_reg_write(uc, UC_X86_REG_RAX, &leaf);
	/*
	 * Stop at an address, never by instruction count: a counted run makes
	 * the next uncounted uc_emu_start flush the whole translation buffer
	 * (measured: 0.5-2 s, touching its 1 GiB).
	 */
	if (uc_emu_start(uc, 0, sizeof(code), 0, 0) == UC_ERR_OK)
		uc_reg_read(uc, UC_X86_REG_EDX, &edx);
	uc_ctl_remove_cache(uc, 0, PAGE_SIZE);
	uc_mem_unmap(uc, 0, PAGE_SIZE);
	uc_reg_write(uc, UC_X86_REG_RAX, &zero);
	uc_reg_write(uc, UC_X86_REG_RBX, &zero);
	uc_reg_write(uc, UC_X86_REG_RCX, &zero);
	uc_reg_write(uc, UC_X86_REG_RDX, &zero);
	return edx & 0xffffffff;
}

void cpu_flush_code(struct task *t, u64 start, u64 end)
{
	/*
	 * uc_ctl_remove_cache alone, called from the syscall hook, leaves the
	 * stale translation reachable (measured: a pwrite to a file mapped
	 * executable); dropping the mapping too makes the engine translate anew.
	 */
	cpu_unmap_range(t, PAGE_ALIGN_DOWN(start), PAGE_ALIGN(end));
}

void cpu_print_stats(struct task *t)
{
	uc_mem_region *regs;
	u32 n = 0;

	if (uc_mem_regions(t->cpu.uc, &regs, &n) == UC_ERR_OK)
		uc_free(regs);
	mmap_lock(t->mm);
	fprintf(stderr, "lxemu: task %d: %u engine regions, %d VMAs, %d host chunks, %d atomic hooks\n",
		t->tid, n, t->mm->nr_vmas, t->mm->nr_chunks, t->cpu.nr_atomic_hooks);
	mmap_unlock(t->mm);
}

/* The user-visible CPU state: general, segment-base, x87 and SSE registers. */
static const int state_regs[] = {
	UC_X86_REG_RAX, UC_X86_REG_RBX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RSI,
	UC_X86_REG_RDI, UC_X86_REG_RBP, UC_X86_REG_RSP, UC_X86_REG_R8, UC_X86_REG_R9,
	UC_X86_REG_R10, UC_X86_REG_R11, UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14,
	UC_X86_REG_R15, UC_X86_REG_RIP, UC_X86_REG_EFLAGS, UC_X86_REG_FS_BASE,
	UC_X86_REG_GS_BASE, UC_X86_REG_FPCW, UC_X86_REG_FPSW, UC_X86_REG_FPTAG,
	UC_X86_REG_MXCSR,
	UC_X86_REG_FP0, UC_X86_REG_FP0 + 1, UC_X86_REG_FP0 + 2, UC_X86_REG_FP0 + 3,
	UC_X86_REG_FP0 + 4, UC_X86_REG_FP0 + 5, UC_X86_REG_FP0 + 6, UC_X86_REG_FP0 + 7,
	UC_X86_REG_XMM0, UC_X86_REG_XMM0 + 1, UC_X86_REG_XMM0 + 2, UC_X86_REG_XMM0 + 3,
	UC_X86_REG_XMM0 + 4, UC_X86_REG_XMM0 + 5, UC_X86_REG_XMM0 + 6, UC_X86_REG_XMM0 + 7,
	UC_X86_REG_XMM0 + 8, UC_X86_REG_XMM0 + 9, UC_X86_REG_XMM0 + 10, UC_X86_REG_XMM0 + 11,
	UC_X86_REG_XMM0 + 12, UC_X86_REG_XMM0 + 13, UC_X86_REG_XMM0 + 14, UC_X86_REG_XMM0 + 15,
};

/*
 * Measured: Unicorn 2.0.1 never clears the CPU's record of the last
 * exception (QEMU does when it delivers one), so after a #DE the next #DE
 * is taken as a double fault (UC_HOOK_INTR intno 8) and any exception
 * after that as a triple fault: uc_emu_start returns UC_ERR_OK at the
 * faulting instruction, no hook called.  A guest that survives a fault
 * (a handler) would see its next fault go wrong.  Restoring the context
 * saved when the engine was made clears it; the user-visible registers
 * are carried across.
 */
void cpu_clear_exception(struct task *t)
{
	u8 buf[ARRAY_SIZE(state_regs)][32];

	if (!t->cpu.pristine)
		return;
	for (size_t i = 0; i < ARRAY_SIZE(state_regs); i++) {
		memset(buf[i], 0, sizeof(buf[i]));
		uc_reg_read(t->cpu.uc, state_regs[i], buf[i]);
	}
	uc_context_restore(t->cpu.uc, t->cpu.pristine);
	for (size_t i = 0; i < ARRAY_SIZE(state_regs); i++)
		uc_reg_write(t->cpu.uc, state_regs[i], buf[i]);
}

void cpu_copy_state(struct task *dst, struct task *src)
{
	u8 buf[32];

	for (size_t i = 0; i < ARRAY_SIZE(state_regs); i++) {
		memset(buf, 0, sizeof(buf));
		uc_reg_read(src->cpu.uc, state_regs[i], buf);
		uc_reg_write(dst->cpu.uc, state_regs[i], buf);
	}
}
