/*
 * One Unicorn engine per task.  Only the task's own host thread calls uc_*
 * on it; other threads ask for work through task->pending, which the block
 * hook turns into a self-stop (docs/unicorn-2.0.1.md, section 2).
 */
#ifndef LXEMU_CPU_H
#define LXEMU_CPU_H

#include <unicorn/unicorn.h>
#include "../types.h"

struct task;

/* A fault recorded by a hook, turned into a signal once the engine stopped. */
struct cpu_fault {
	int sig;      /* 0: none */
	int code;     /* si_code */
	u64 addr;     /* si_addr */
	u64 rip;      /* best known RIP of the faulting instruction */
	int access;   /* UC_MEM_* of a memory fault, or -1 */
	bool rip_exact;
};

/* An instruction lxemu runs itself with host atomics (atomic.c). */
struct atomic_site {
	u64 addr;
	u8 len, op, size;
	u8 seg;            /* 0, or 1 for fs:, 2 for gs: */
	u8 base, index;    /* x86 register numbers, 16 for rip, 0xff for none */
	u8 scale;
	u8 reg;            /* the register operand (| 0x80: ah, ch, dh, bh), or 0xff */
	u8 dst_reg;        /* cmpxchg's register destination, or 0xff (memory) */
	bool has_imm;
	bool fixup;        /* run on the host in every mode: Unicorn gets it wrong */
	bool dead;         /* its code was unmapped or replaced: the hook does nothing */
	s64 disp, imm;
};

/* Guest page -> host page of writable memory, for atomic operands; flushed on mm changes. */
#define ATLB_SIZE 64
struct atomic_tlb {
	u64 page;
	u8 *host;
};

struct atomic_hook;

struct cpu {
	uc_engine *uc;
	uc_context *pristine;    /* the state as made: no exception recorded (cpu_clear_exception) */
	uc_hook hooks[8];
	int nr_hooks;
	bool ram_spacer;         /* the RAM spacer after the first code region is mapped */
	bool has_run;            /* it has translated guest code (hooks added now need a flush) */
	u64 stop_at;             /* the block the block hook stopped at, or 0 */
	u64 block_addr;          /* the block running now (the block hook's last) */
	u64 stop_regs[24];       /* the registers when it did (cpu.c) */
	struct cpu_fault fault;
	/* --smp=atomic: the atomic sites hooked on this engine (the mm's first ones) */
	struct atomic_hook **atomic_hooks;
	int nr_atomic_hooks;
	u64 atomic_hits, atomic_reorder_at; /* hooked runs so far; reorder when reached */
	struct atomic_tlb atlb[ATLB_SIZE];
};

/* Registers the kernel reads and writes by name. */
enum cpu_reg {
	CPU_RAX, CPU_RBX, CPU_RCX, CPU_RDX, CPU_RSI, CPU_RDI, CPU_RBP, CPU_RSP,
	CPU_R8, CPU_R9, CPU_R10, CPU_R11, CPU_R12, CPU_R13, CPU_R14, CPU_R15,
	CPU_RIP, CPU_EFLAGS, CPU_FS_BASE, CPU_GS_BASE, NR_CPU_REGS
};

int cpu_init(struct task *t);
void cpu_destroy(struct task *t);
u64 cpu_get(struct task *t, enum cpu_reg r);
void cpu_set(struct task *t, enum cpu_reg r, u64 v);
/* Runs the task's guest code until it exits (run.c). */
void task_run(struct task *t);
/* Drops [start, end) from this task's engine mappings and translations. */
void cpu_unmap_range(struct task *t, u64 start, u64 end);
struct mm_struct;
/* Records the x87 instructions in code at guest addr that Unicorn computes imprecisely. */
void x87_scan_code(struct mm_struct *mm, u64 addr, const u8 *code, u64 len);
/* Hooks every recorded x87 site on t's engine so the host FPU runs it. */
int x87_install_hooks(struct task *t);
/* Records the instructions in code at guest addr that --smp=atomic runs itself. */
void atomic_scan_code(struct mm_struct *mm, u64 addr, const u8 *code, u64 len);
void atomic_add_sites(struct mm_struct *mm, const struct atomic_site *s, int n);
/* Hooks the mm's atomic sites this engine has not hooked yet (its own thread, not running). */
void atomic_install_hooks(struct task *t);
void atomic_free_hooks(struct task *t);
/* Forgets the operand translations (the address space changed). */
void atomic_tlb_flush(struct task *t);
/*
 * The code in [start, end) may have changed: its sites are forgotten and
 * what is executable there now is scanned anew (true if sites were found).
 * Caller holds mmap_lock,
 * and the run token exclusively if other engines run.
 */
bool atomic_code_changed_locked(struct mm_struct *mm, u64 start, u64 end);
/* Forgets the exception the engine just raised, so the next one is not a double fault. */
void cpu_clear_exception(struct task *t);
/* Copies the user-visible registers of src's engine to dst's (clone). */
void cpu_copy_state(struct task *dst, struct task *src);
/* CPUID.1:EDX of the engine, for AT_HWCAP. Call before the program runs. */
u64 cpu_hwcap(struct task *t);
/*
 * The instruction of a memory fault at data address addr in the block that
 * starts at block_start (fault.c), or 0 when it cannot be found.
 */
u64 cpu_find_fault_insn(struct task *t, u64 block_start, u64 addr);
/* Drops this engine's translations of [start, end) (code written by the kernel). */
void cpu_flush_code(struct task *t, u64 start, u64 end);
/* --stats: the engine's region count and the mm's VMA and chunk counts, to stderr. */
void cpu_print_stats(struct task *t);
/* After a stop the block hook asked for: puts RIP where execution really is (cpu.c). */
void cpu_settle_stop(struct task *t);
/* Prints registers and the faulting instruction (Capstone) to stderr. */
void cpu_fault_report(struct task *t);

#endif
