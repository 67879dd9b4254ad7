/*
 * Finding the exact faulting instruction of a memory fault.  Unicorn
 * reports the start of the translated block, but the registers are exact:
 * every instruction before the faulting one ran, none after it
 * (docs/unicorn-2.0.1.md, section 5).  So the block is decoded from its
 * start with Capstone and the first instruction whose memory access,
 * evaluated with the current registers, covers the fault address is taken.
 */
#include <capstone/capstone.h>
#include "cpu.h"
#include "../kernel/task.h"
#include "../mm/uaccess.h"

#define BLOCK_MAX_INSNS 512

/* The value of a Capstone register in the task's current state; false if unknown. */
static bool reg_value(struct task *t, x86_reg r, u64 next_rip, u64 *v)
{
	static const struct { x86_reg r64, r32; enum cpu_reg cpu; } gprs[] = {
		{ X86_REG_RAX, X86_REG_EAX, CPU_RAX }, { X86_REG_RBX, X86_REG_EBX, CPU_RBX },
		{ X86_REG_RCX, X86_REG_ECX, CPU_RCX }, { X86_REG_RDX, X86_REG_EDX, CPU_RDX },
		{ X86_REG_RSI, X86_REG_ESI, CPU_RSI }, { X86_REG_RDI, X86_REG_EDI, CPU_RDI },
		{ X86_REG_RBP, X86_REG_EBP, CPU_RBP }, { X86_REG_RSP, X86_REG_ESP, CPU_RSP },
		{ X86_REG_R8, X86_REG_R8D, CPU_R8 }, { X86_REG_R9, X86_REG_R9D, CPU_R9 },
		{ X86_REG_R10, X86_REG_R10D, CPU_R10 }, { X86_REG_R11, X86_REG_R11D, CPU_R11 },
		{ X86_REG_R12, X86_REG_R12D, CPU_R12 }, { X86_REG_R13, X86_REG_R13D, CPU_R13 },
		{ X86_REG_R14, X86_REG_R14D, CPU_R14 }, { X86_REG_R15, X86_REG_R15D, CPU_R15 },
	};

	if (r == X86_REG_INVALID) {
		*v = 0;
		return true;
	}
	if (r == X86_REG_RIP) {
		*v = next_rip;
		return true;
	}
	for (size_t i = 0; i < ARRAY_SIZE(gprs); i++) {
		if (r == gprs[i].r64 || r == gprs[i].r32) {
			*v = cpu_get(t, gprs[i].cpu);
			if (r == gprs[i].r32)
				*v &= 0xffffffff;
			return true;
		}
	}
	return false;
}

static bool covers(u64 start, u64 size, u64 addr)
{
	return addr >= start && addr - start < MAX(size, 1);
}

/* Explicit memory operands of insn. */
static bool explicit_access_covers(struct task *t, const cs_insn *insn, u64 addr)
{
	const cs_x86 *x = &insn->detail->x86;
	u64 next = insn->address + insn->size;

	for (int i = 0; i < x->op_count; i++) {
		const cs_x86_op *op = &x->operands[i];
		u64 base, index, ea;
		if (op->type != X86_OP_MEM || insn->id == X86_INS_LEA || insn->id == X86_INS_NOP)
			continue;
		if (!reg_value(t, op->mem.base, next, &base) || !reg_value(t, op->mem.index, next, &index))
			continue;
		ea = base + index * (u64)op->mem.scale + (u64)op->mem.disp;
		if (op->mem.segment == X86_REG_FS)
			ea += cpu_get(t, CPU_FS_BASE);
		else if (op->mem.segment == X86_REG_GS)
			ea += cpu_get(t, CPU_GS_BASE);
		if (covers(ea, op->size, addr))
			return true;
	}
	return false;
}

/* Implicit accesses: the stack (push, pop, call, ret, enter, leave) and string operations. */
static bool implicit_access_covers(struct task *t, const cs_insn *insn, u64 addr)
{
	u64 rsp = cpu_get(t, CPU_RSP);

	switch (insn->id) {
	case X86_INS_PUSH: case X86_INS_CALL: case X86_INS_PUSHFQ: case X86_INS_ENTER:
		return covers(rsp - 8, 8, addr);
	case X86_INS_POP: case X86_INS_RET: case X86_INS_POPFQ: case X86_INS_LEAVE:
		return covers(insn->id == X86_INS_LEAVE ? cpu_get(t, CPU_RBP) : rsp, 8, addr);
	case X86_INS_MOVSB: case X86_INS_MOVSW: case X86_INS_MOVSD: case X86_INS_MOVSQ:
	case X86_INS_STOSB: case X86_INS_STOSW: case X86_INS_STOSD: case X86_INS_STOSQ:
	case X86_INS_CMPSB: case X86_INS_CMPSW: case X86_INS_CMPSD: case X86_INS_CMPSQ:
	case X86_INS_SCASB: case X86_INS_SCASW: case X86_INS_SCASD: case X86_INS_SCASQ:
	case X86_INS_LODSB: case X86_INS_LODSW: case X86_INS_LODSD: case X86_INS_LODSQ:
		/* rep forms advance rdi/rsi as they go: the current values are the faulting ones */
		return covers(cpu_get(t, CPU_RDI), 8, addr) || covers(cpu_get(t, CPU_RSI), 8, addr);
	default:
		return false;
	}
}

u64 cpu_find_fault_insn(struct task *t, u64 block_start, u64 addr)
{
	u8 code[16 * 64];
	size_t len = sizeof(code), n;
	cs_insn *insn;
	u64 found = 0;
	csh cs;

	while (len > 16 && copy_from_user(t, code, block_start, len))
		len /= 2;
	if (len <= 16 || cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return 0;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	n = cs_disasm(cs, code, len, block_start, BLOCK_MAX_INSNS, &insn);
	for (size_t i = 0; i < n && !found; i++)
		if (explicit_access_covers(t, &insn[i], addr) || implicit_access_covers(t, &insn[i], addr))
			found = insn[i].address;
	if (n)
		cs_free(insn, n);
	cs_close(&cs);
	return found;
}
