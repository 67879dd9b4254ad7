/*
 * --fault-report: the registers at a guest fault and the faulting
 * instruction disassembled with Capstone.  For memory faults Unicorn only
 * knows the start of the block (docs/unicorn-2.0.1.md, section 5); the
 * report says so and shows the block's instructions from there.
 */
#include <stdio.h>
#include <capstone/capstone.h>
#include "cpu.h"
#include "../kernel/task.h"
#include "../mm/uaccess.h"

static const char *const reg_names[NR_CPU_REGS] = {
	"rax", "rbx", "rcx", "rdx", "rsi", "rdi", "rbp", "rsp", "r8", "r9", "r10", "r11",
	"r12", "r13", "r14", "r15", "rip", "eflags", "fs_base", "gs_base",
};

static void print_registers(struct task *t, FILE *out)
{
	for (int r = 0; r < NR_CPU_REGS; r++)
		fprintf(out, "  %-7s %016llx%s", reg_names[r], (unsigned long long)cpu_get(t, r),
			r % 3 == 2 ? "\n" : "");
	fputc('\n', out);
}

static void print_code(struct task *t, u64 rip, int count, FILE *out)
{
	u8 code[16 * 8];
	size_t len = sizeof(code);
	csh cs;
	cs_insn *insn;
	size_t n;

	while (len > 0 && copy_from_user(t, code, rip, len))
		len /= 2;
	if (!len || cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK) {
		fprintf(out, "  (code at %#llx is not readable)\n", (unsigned long long)rip);
		return;
	}
	n = cs_disasm(cs, code, len, rip, count, &insn);
	for (size_t i = 0; i < n; i++)
		fprintf(out, "  %s%#llx: %s %s\n", i == 0 ? "=> " : "   ",
			(unsigned long long)insn[i].address, insn[i].mnemonic, insn[i].op_str);
	if (n)
		cs_free(insn, n);
	cs_close(&cs);
}

void cpu_fault_report(struct task *t)
{
	struct cpu_fault *f = &t->cpu.fault;

	fprintf(stderr, "lxemu: guest fault in task %d: signal %d code %d address %#llx\n",
		t->tid, f->sig ? f->sig : 0, f->code, (unsigned long long)f->addr);
	print_registers(t, stderr);
	if (f->rip_exact) {
		fprintf(stderr, " faulting instruction:\n");
		print_code(t, f->rip, 1, stderr);
	} else {
		fprintf(stderr, " faulting block (the fault is in one of these instructions):\n");
		print_code(t, f->rip, 8, stderr);
	}
}
