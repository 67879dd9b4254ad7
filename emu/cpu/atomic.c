/*
 * Guest atomics on host atomics (--smp=atomic, DESIGN.md "Atomicity
 * domains").  Unicorn 2.0.1 runs LOCK-prefixed instructions, XCHG with
 * memory and MFENCE as plain loads and stores (docs/unicorn-2.0.1.md,
 * section 1), so threads of one mm may only run at the same time if lxemu
 * executes those instructions itself.  Executable code is scanned when it
 * is mapped; each such instruction found is decoded once (Capstone) into a
 * site, and every engine of the mm gets a code hook on its exact address.
 * The hook replays the instruction on the host: the same instruction, with
 * the guest's register values and arithmetic flags loaded and the memory
 * operand rewritten to the host address of the guest operand, so results
 * and flags are the hardware's own; then it skips the guest instruction.
 * An operand that is not writable memory is left to the engine, which then
 * faults exactly as the instruction would.
 */
#include <capstone/capstone.h>
#include <stdlib.h>
#include <string.h>
#include "cpu.h"
#include "../kernel/task.h"
#include "../mm/mm.h"
#include "../../abi/linux/mman.h"

enum atomic_op {
	A_ADD, A_OR, A_ADC, A_SBB, A_AND, A_SUB, A_XOR, A_INC, A_DEC, A_NEG, A_NOT,
	A_BTS, A_BTR, A_BTC, A_XADD, A_XCHG, A_CMPXCHG, A_CMPXCHG8B, A_CMPXCHG16B, A_MFENCE,
};

#define NO_REG 0xff
#define REG_RIP 16
#define HIGH_BYTE 0x80 /* with a register number: ah, ch, dh or bh */

/* x86 register numbers 0-15 (rax, rcx, ..., r15) as Unicorn names them. */
static const int gpr_uc[16] = {
	UC_X86_REG_RAX, UC_X86_REG_RCX, UC_X86_REG_RDX, UC_X86_REG_RBX,
	UC_X86_REG_RSP, UC_X86_REG_RBP, UC_X86_REG_RSI, UC_X86_REG_RDI,
	UC_X86_REG_R8, UC_X86_REG_R9, UC_X86_REG_R10, UC_X86_REG_R11,
	UC_X86_REG_R12, UC_X86_REG_R13, UC_X86_REG_R14, UC_X86_REG_R15,
};

/* Capstone's name of a general register -> x86 number (| HIGH_BYTE), or NO_REG. */
static u8 cs_gpr(unsigned r)
{
	static const unsigned names[16][4] = {
		{ X86_REG_AL, X86_REG_AX, X86_REG_EAX, X86_REG_RAX },
		{ X86_REG_CL, X86_REG_CX, X86_REG_ECX, X86_REG_RCX },
		{ X86_REG_DL, X86_REG_DX, X86_REG_EDX, X86_REG_RDX },
		{ X86_REG_BL, X86_REG_BX, X86_REG_EBX, X86_REG_RBX },
		{ X86_REG_SPL, X86_REG_SP, X86_REG_ESP, X86_REG_RSP },
		{ X86_REG_BPL, X86_REG_BP, X86_REG_EBP, X86_REG_RBP },
		{ X86_REG_SIL, X86_REG_SI, X86_REG_ESI, X86_REG_RSI },
		{ X86_REG_DIL, X86_REG_DI, X86_REG_EDI, X86_REG_RDI },
		{ X86_REG_R8B, X86_REG_R8W, X86_REG_R8D, X86_REG_R8 },
		{ X86_REG_R9B, X86_REG_R9W, X86_REG_R9D, X86_REG_R9 },
		{ X86_REG_R10B, X86_REG_R10W, X86_REG_R10D, X86_REG_R10 },
		{ X86_REG_R11B, X86_REG_R11W, X86_REG_R11D, X86_REG_R11 },
		{ X86_REG_R12B, X86_REG_R12W, X86_REG_R12D, X86_REG_R12 },
		{ X86_REG_R13B, X86_REG_R13W, X86_REG_R13D, X86_REG_R13 },
		{ X86_REG_R14B, X86_REG_R14W, X86_REG_R14D, X86_REG_R14 },
		{ X86_REG_R15B, X86_REG_R15W, X86_REG_R15D, X86_REG_R15 },
	};
	static const unsigned high[4] = { X86_REG_AH, X86_REG_CH, X86_REG_DH, X86_REG_BH };

	for (int i = 0; i < 16; i++)
		for (int s = 0; s < 4; s++)
			if (names[i][s] == r)
				return (u8)i;
	for (int i = 0; i < 4; i++)
		if (high[i] == r)
			return (u8)(i | HIGH_BYTE);
	if (r == X86_REG_RIP)
		return REG_RIP;
	return NO_REG;
}

static int op_of(unsigned id)
{
	switch (id) {
	case X86_INS_ADD: return A_ADD;
	case X86_INS_OR: return A_OR;
	case X86_INS_ADC: return A_ADC;
	case X86_INS_SBB: return A_SBB;
	case X86_INS_AND: return A_AND;
	case X86_INS_SUB: return A_SUB;
	case X86_INS_XOR: return A_XOR;
	case X86_INS_INC: return A_INC;
	case X86_INS_DEC: return A_DEC;
	case X86_INS_NEG: return A_NEG;
	case X86_INS_NOT: return A_NOT;
	case X86_INS_BTS: return A_BTS;
	case X86_INS_BTR: return A_BTR;
	case X86_INS_BTC: return A_BTC;
	case X86_INS_XADD: return A_XADD;
	case X86_INS_XCHG: return A_XCHG;
	case X86_INS_CMPXCHG: return A_CMPXCHG;
	case X86_INS_CMPXCHG8B: return A_CMPXCHG8B;
	case X86_INS_CMPXCHG16B: return A_CMPXCHG16B;
	default: return -1;
	}
}

/* Fills s from a decoded instruction; false if it is not one lxemu must run itself. */
static bool site_from_insn(const cs_insn *in, struct atomic_site *s)
{
	const cs_x86 *x = &in->detail->x86;
	const cs_x86_op *mem = NULL, *other = NULL;
	int op;

	memset(s, 0, sizeof(*s));
	s->addr = in->address;
	s->len = (u8)in->size;
	s->reg = s->dst_reg = NO_REG;
	s->base = s->index = NO_REG;
	if (in->id == X86_INS_MFENCE) {
		s->op = A_MFENCE;
		return true;
	}
	op = op_of(in->id);
	if (op < 0)
		return false;
	for (int i = 0; i < x->op_count; i++) {
		if (x->operands[i].type == X86_OP_MEM && !mem)
			mem = &x->operands[i];
		else
			other = &x->operands[i];
	}
	/*
	 * A 32-bit CMPXCHG, locked or not, even on a register: Unicorn 2.0.1
	 * zero-extends RAX when the compare succeeds, the hardware leaves it.
	 */
	if (op == A_CMPXCHG && x->op_count == 2 && x->operands[0].type == X86_OP_REG &&
	    x->operands[1].type == X86_OP_REG && x->operands[0].size == 4) {
		s->op = A_CMPXCHG;
		s->size = 4;
		s->dst_reg = cs_gpr(x->operands[0].reg);
		s->reg = cs_gpr(x->operands[1].reg);
		s->fixup = true;
		return s->dst_reg < 16 && s->reg < 16;
	}
	s->fixup = (op == A_CMPXCHG && mem && mem->size == 4) ||
		   (op == A_NEG && x->prefix[0] == X86_PREFIX_LOCK);
	/* Locked, or XCHG with memory (locked without the prefix), or a fix-up. */
	if (!mem || (x->prefix[0] != X86_PREFIX_LOCK && op != A_XCHG && !s->fixup))
		return false;
	s->op = (u8)op;
	s->size = mem->size;
	if (op == A_CMPXCHG8B)
		s->size = 8;
	if (op == A_CMPXCHG16B)
		s->size = 16;
	if (s->size != 1 && s->size != 2 && s->size != 4 && s->size != 8 && s->size != 16)
		return false;
	if (mem->mem.segment == X86_REG_FS)
		s->seg = 1;
	else if (mem->mem.segment == X86_REG_GS)
		s->seg = 2;
	if (mem->mem.base != X86_REG_INVALID && (s->base = cs_gpr(mem->mem.base)) == NO_REG)
		return false;
	if (mem->mem.index != X86_REG_INVALID && (s->index = cs_gpr(mem->mem.index)) == NO_REG)
		return false;
	if ((s->base & HIGH_BYTE && s->base != NO_REG) || (s->index & HIGH_BYTE && s->index != NO_REG))
		return false;
	s->scale = (u8)mem->mem.scale;
	s->disp = mem->mem.disp;
	if (other && other->type == X86_OP_REG) {
		if ((s->reg = cs_gpr(other->reg)) == NO_REG || s->reg == REG_RIP)
			return false;
	} else if (other && other->type == X86_OP_IMM) {
		s->has_imm = true;
		s->imm = other->imm;
	}
	switch (op) {
	case A_INC: case A_DEC: case A_NEG: case A_NOT: case A_CMPXCHG8B: case A_CMPXCHG16B:
		return !other;
	case A_XADD: case A_XCHG: case A_CMPXCHG:
		return s->reg != NO_REG;
	case A_BTS: case A_BTR: case A_BTC:
		return s->size >= 2 && (s->reg != NO_REG || s->has_imm);
	default:
		return s->reg != NO_REG || s->has_imm;
	}
}

/* Could an instruction that matters start at p[i]?  A cheap filter before decoding. */
static bool maybe_site(const u8 *p, u64 i, u64 len)
{
	u8 b = p[i];

	if (b == 0xf0 || b == 0x86 || b == 0x87)
		return true;
	if (b == 0x0f && i + 1 < len && p[i + 1] == 0xb1)
		return true; /* cmpxchg, for the fix-up */
	return b == 0x0f && i + 2 < len && p[i + 1] == 0xae && p[i + 2] == 0xf0; /* mfence */
}

static bool site_known(struct mm_struct *mm, u64 addr)
{
	for (int i = 0; i < mm->nr_atomic_sites; i++)
		if (mm->atomic_sites[i].addr == addr && !mm->atomic_sites[i].dead)
			return true;
	return false;
}

/*
 * Records the sites in code at guest addr.  The scan is of bytes: a site
 * is tried at each byte that may be its opcode or lock prefix and at the
 * few bytes before it (other prefixes, REX); a decode that starts inside
 * another instruction only costs a hook that never fires, and no real
 * site is missed.  Caller holds mmap_lock.
 */
void atomic_scan_code(struct mm_struct *mm, u64 addr, const u8 *code, u64 len)
{
	struct atomic_site found[64];
	int nfound = 0;
	csh cs;
	cs_insn *in;

	if (cs_open(CS_ARCH_X86, CS_MODE_64, &cs) != CS_ERR_OK)
		return;
	cs_option(cs, CS_OPT_DETAIL, CS_OPT_ON);
	in = cs_malloc(cs);
	for (u64 i = 0; i < len; i++) {
		if (!maybe_site(code, i, len))
			continue;
		for (u64 back = 0; back <= 4 && back <= i; back++) {
			const u8 *p = code + i - back;
			size_t n = MIN(15, len - (i - back));
			u64 a = addr + i - back;
			struct atomic_site s;
			if (!cs_disasm_iter(cs, &p, &n, &a, in) || in->size <= back)
				continue;
			if (!site_from_insn(in, &s) || (!mm->atomic_all && !s.fixup) ||
			    site_known(mm, s.addr))
				continue;
			found[nfound++] = s;
			if (nfound == (int)ARRAY_SIZE(found)) {
				atomic_add_sites(mm, found, nfound);
				nfound = 0;
			}
		}
	}
	atomic_add_sites(mm, found, nfound);
	cs_free(in, 1);
	cs_close(&cs);
}

void atomic_add_sites(struct mm_struct *mm, const struct atomic_site *s, int n)
{
	if (n <= 0)
		return;
	if (mm->nr_atomic_sites + n > mm->cap_atomic_sites) {
		int cap = MAX(mm->cap_atomic_sites * 2, mm->nr_atomic_sites + n + 64);
		struct atomic_site *ns = realloc(mm->atomic_sites, cap * sizeof(*ns));
		if (!ns)
			return; /* those sites stay non-atomic: the mm must take turns */
		mm->atomic_sites = ns;
		mm->cap_atomic_sites = cap;
	}
	memcpy(mm->atomic_sites + mm->nr_atomic_sites, s, n * sizeof(*s));
	mm->nr_atomic_sites += n;
}

/* ---- the hook ---- */

#define ARITH_FLAGS 0x8d5ull /* CF PF AF ZF SF OF */

/*
 * Runs "lock INSN" on the host with the flags loaded first and read back
 * after.  Below the red zone: the compiler may keep locals there.
 */
#define FLAGS_IN "lea -128(%%rsp), %%rsp\n\tpush %[f]\n\tpopf\n\t"
#define FLAGS_OUT "\n\tpushf\n\tpop %[f]\n\tlea 128(%%rsp), %%rsp"

#define RMW_REG(insn, sfx, mod, type, r)                                             \
	__asm__ volatile(FLAGS_IN "lock " insn sfx " %" mod "[v], %[m]" FLAGS_OUT        \
			 : [m] "+m"(*(volatile type *)host), [v] "+r"(r), [f] "+r"(f) \
			 :                                                            \
			 : "cc", "memory")

#define RMW_ONE(insn, sfx, type)                                                     \
	__asm__ volatile(FLAGS_IN "lock " insn sfx " %[m]" FLAGS_OUT                    \
			 : [m] "+m"(*(volatile type *)host), [f] "+r"(f)              \
			 :                                                            \
			 : "cc", "memory")

#define BY_SIZE_REG(insn, r)                                    \
	do {                                                    \
		switch (size) {                                 \
		case 1: RMW_REG(insn, "b", "b", u8, r); break;  \
		case 2: RMW_REG(insn, "w", "w", u16, r); break; \
		case 4: RMW_REG(insn, "l", "k", u32, r); break; \
		default: RMW_REG(insn, "q", "q", u64, r); break; \
		}                                               \
	} while (0)

/* Bit tests have no byte form (site_from_insn refuses one). */
#define BY_SIZE_BT(insn, r)                                     \
	do {                                                    \
		switch (size) {                                 \
		case 2: RMW_REG(insn, "w", "w", u16, r); break; \
		case 4: RMW_REG(insn, "l", "k", u32, r); break; \
		default: RMW_REG(insn, "q", "q", u64, r); break; \
		}                                               \
	} while (0)

#define BY_SIZE_ONE(insn)                                \
	do {                                             \
		switch (size) {                          \
		case 1: RMW_ONE(insn, "b", u8); break;   \
		case 2: RMW_ONE(insn, "w", u16); break;  \
		case 4: RMW_ONE(insn, "l", u32); break;  \
		default: RMW_ONE(insn, "q", u64); break; \
		}                                        \
	} while (0)

/* The host address of the guest operand [ea, ea+size) if it is writable memory, else NULL. */
static u8 *operand_host(struct task *t, u64 ea, int size)
{
	struct atomic_tlb *e = &t->cpu.atlb[(ea >> PAGE_SHIFT) % ATLB_SIZE];
	u64 page = ea & PAGE_MASK;
	struct mm_struct *mm = t->mm;
	struct vm_area_struct *v;
	u8 *host = NULL;

	if (((ea + size - 1) & PAGE_MASK) == page && e->page == page && e->host)
		return e->host + (ea - page);
	mmap_lock(mm);
	v = vma_lookup_locked(mm, ea);
	if (v && ea + size <= v->vm_end && ea + size > ea &&
	    (vma_effective_prot(v) & LINUX_PROT_WRITE)) {
		host = v->host + (ea - v->vm_start);
		if (((ea + size - 1) & PAGE_MASK) == page) {
			e->page = page;
			e->host = v->host + (page - v->vm_start);
		}
	}
	mmap_unlock(mm);
	return host;
}

void atomic_tlb_flush(struct task *t)
{
	memset(t->cpu.atlb, 0, sizeof(t->cpu.atlb));
}

static u64 reg_read(uc_engine *uc, u8 r)
{
	u64 v = 0;

	uc_reg_read(uc, gpr_uc[r & 15], &v);
	return v;
}

static void reg_write(uc_engine *uc, u8 r, u64 v)
{
	uc_reg_write(uc, gpr_uc[r & 15], &v);
}

/* The register operand's value as the instruction sees it (ah..bh shifted down). */
static u64 operand_reg(uc_engine *uc, u8 r)
{
	u64 v = reg_read(uc, r);

	return (r & HIGH_BYTE) ? v >> 8 : v;
}

/* Writes back a register operand the instruction changed (size bytes of it, as the host did). */
static void operand_reg_write(uc_engine *uc, u8 r, u64 v)
{
	if (r & HIGH_BYTE) {
		u64 full = reg_read(uc, r);
		v = (full & ~0xff00ull) | ((v & 0xff) << 8);
	}
	reg_write(uc, r, v);
}

static u64 effective_address(struct task *t, const struct atomic_site *s)
{
	uc_engine *uc = t->cpu.uc;
	u64 ea = (u64)s->disp;

	if (s->base == REG_RIP)
		ea += s->addr + s->len;
	else if (s->base != NO_REG)
		ea += reg_read(uc, s->base);
	if (s->index != NO_REG)
		ea += reg_read(uc, s->index) * s->scale;
	if (s->seg == 1)
		ea += cpu_get(t, CPU_FS_BASE);
	else if (s->seg == 2)
		ea += cpu_get(t, CPU_GS_BASE);
	return ea;
}

/* Runs site s on the host. False: leave the instruction to the engine. */
static bool atomic_run(struct task *t, const struct atomic_site *s)
{
	uc_engine *uc = t->cpu.uc;
	int size = s->size;
	u64 ea, eflags, f, v, src, rax, rdx, rbx, rcx;
	bool flags_out;
	u8 *host;

	if (s->op == A_MFENCE) {
		__atomic_thread_fence(__ATOMIC_SEQ_CST);
		return true;
	}
	if (s->dst_reg != NO_REG) { /* cmpxchg %r32, %r32 */
		rax = reg_read(uc, 0);
		v = reg_read(uc, s->dst_reg);
		src = reg_read(uc, s->reg);
		f = 0x2;
		__asm__ volatile(FLAGS_IN "cmpxchgl %k[n], %k[d]" FLAGS_OUT
				 : [d] "+r"(v), "+a"(rax), [f] "+r"(f)
				 : [n] "r"(src)
				 : "cc");
		eflags = cpu_get(t, CPU_EFLAGS);
		reg_write(uc, s->dst_reg, v);
		reg_write(uc, 0, rax); /* after: the destination may be rax itself */
		cpu_set(t, CPU_EFLAGS, (eflags & ~ARITH_FLAGS) | (f & ARITH_FLAGS));
		return true;
	}
	ea = effective_address(t, s);
	src = s->has_imm ? (u64)s->imm : s->reg != NO_REG ? operand_reg(uc, s->reg) : 0;
	if (s->op == A_BTS || s->op == A_BTR || s->op == A_BTC) {
		int bits = size * 8;
		if (!s->has_imm) {
			/* A register bit offset is signed and may address other words. */
			s64 off = size == 2 ? (s16)src : size == 4 ? (s32)src : (s64)src;
			ea += (u64)((off >> (size == 2 ? 4 : size == 4 ? 5 : 6)) * size);
		}
		src &= bits - 1;
	}
	if (s->op == A_CMPXCHG16B && (ea & 15))
		return false; /* #GP on hardware: the engine's fault path reports it */
	host = operand_host(t, ea, size);
	if (!host)
		return false;
	/* XCHG and NOT change no flags: leave them alone (see the note at the end). */
	flags_out = s->op != A_XCHG && s->op != A_NOT;
	eflags = flags_out ? cpu_get(t, CPU_EFLAGS) : 0;
	f = 0x2 | (eflags & ARITH_FLAGS);
	switch (s->op) {
	case A_ADD: BY_SIZE_REG("add", src); break;
	case A_OR: BY_SIZE_REG("or", src); break;
	case A_ADC: BY_SIZE_REG("adc", src); break;
	case A_SBB: BY_SIZE_REG("sbb", src); break;
	case A_AND: BY_SIZE_REG("and", src); break;
	case A_SUB: BY_SIZE_REG("sub", src); break;
	case A_XOR: BY_SIZE_REG("xor", src); break;
	case A_BTS: BY_SIZE_BT("bts", src); break;
	case A_BTR: BY_SIZE_BT("btr", src); break;
	case A_BTC: BY_SIZE_BT("btc", src); break;
	case A_INC: BY_SIZE_ONE("inc"); break;
	case A_DEC: BY_SIZE_ONE("dec"); break;
	case A_NEG: BY_SIZE_ONE("neg"); break;
	case A_NOT: BY_SIZE_ONE("not"); break;
	case A_XADD:
		v = src;
		BY_SIZE_REG("xadd", v);
		operand_reg_write(uc, s->reg, v);
		break;
	case A_XCHG:
		v = src;
		BY_SIZE_REG("xchg", v);
		operand_reg_write(uc, s->reg, v);
		break;
	case A_CMPXCHG:
		rax = reg_read(uc, 0);
		v = src;
#define CMPXCHG(sfx, mod, type)                                                             \
	__asm__ volatile(FLAGS_IN "lock cmpxchg" sfx " %" mod "[v], %[m]" FLAGS_OUT         \
			 : [m] "+m"(*(volatile type *)host), "+a"(rax), [f] "+r"(f)           \
			 : [v] "r"(v)                                                         \
			 : "cc", "memory")
		switch (size) {
		case 1: CMPXCHG("b", "b", u8); break;
		case 2: CMPXCHG("w", "w", u16); break;
		case 4: CMPXCHG("l", "k", u32); break;
		default: CMPXCHG("q", "q", u64); break;
		}
#undef CMPXCHG
		reg_write(uc, 0, rax);
		break;
	case A_CMPXCHG8B:
	case A_CMPXCHG16B:
		rax = reg_read(uc, 0);
		rdx = reg_read(uc, 2);
		rbx = reg_read(uc, 3);
		rcx = reg_read(uc, 1);
		if (s->op == A_CMPXCHG8B)
			__asm__ volatile(FLAGS_IN "lock cmpxchg8b %[m]" FLAGS_OUT
					 : [m] "+m"(*(volatile u64 *)host), "+a"(rax), "+d"(rdx),
					   [f] "+r"(f)
					 : "b"(rbx), "c"(rcx)
					 : "cc", "memory");
		else
			__asm__ volatile(FLAGS_IN "lock cmpxchg16b %[m]" FLAGS_OUT
					 : [m] "+m"(*(volatile unsigned __int128 *)host), "+a"(rax),
					   "+d"(rdx), [f] "+r"(f)
					 : "b"(rbx), "c"(rcx)
					 : "cc", "memory");
		reg_write(uc, 0, rax);
		reg_write(uc, 2, rdx);
		break;
	}
	if (flags_out)
		cpu_set(t, CPU_EFLAGS, (eflags & ~ARITH_FLAGS) | (f & ARITH_FLAGS));
	return true;
}

/*
 * One hook's data: the engine's task, the site's index in its mm (whose
 * array changes only while no engine of the mm runs in parallel), and how
 * often it ran.
 *
 * Measured: Unicorn walks an engine's code hooks in the order they were
 * added, for every hooked instruction it runs, and stops at the first one
 * that writes RIP; with 2,000 hooks, a hot site added last cost ~3 us per
 * execution.  So each engine reorders its hooks by use now and then.
 */
struct atomic_hook {
	struct task *t;
	int idx;
	u64 hits;
	uc_hook uh;
};

#define REORDER_FIRST (1u << 12)

static void hook_atomic(uc_engine *uc, u64 addr, u32 size, void *user)
{
	struct atomic_hook *h = user;
	struct task *t = h->t;
	const struct atomic_site *s = &t->mm->atomic_sites[h->idx];
	u64 next = addr + s->len;

	(void)size;
	if (s->dead || !atomic_run(t, s))
		return;
	h->hits++;
	if (++t->cpu.atomic_hits == t->cpu.atomic_reorder_at)
		task_set_pending(t, TIF_MM_SYNC); /* reorder at the next block boundary */
	uc_reg_write(uc, UC_X86_REG_RIP, &next);
	/* A RIP write can swallow a stop requested in the same run (section 2): ask again. */
	if (atomic_load_explicit(&t->pending, memory_order_relaxed))
		uc_emu_stop(uc);
}

static int by_hits(const void *a, const void *b)
{
	const struct atomic_hook *x = *(struct atomic_hook *const *)a;
	const struct atomic_hook *y = *(struct atomic_hook *const *)b;
	u64 hx = x ? x->hits : 0, hy = y ? y->hits : 0;

	return hx > hy ? -1 : hx < hy;
}

/* Re-adds this engine's hooks, the most used first (its own thread, not running). */
static void reorder_hooks(struct task *t)
{
	struct cpu *c = &t->cpu;

	qsort(c->atomic_hooks, c->nr_atomic_hooks, sizeof(*c->atomic_hooks), by_hits);
	for (int i = 0; i < c->nr_atomic_hooks; i++)
		if (c->atomic_hooks[i])
			uc_hook_del(c->uc, c->atomic_hooks[i]->uh);
	for (int i = 0; i < c->nr_atomic_hooks; i++) {
		struct atomic_hook *h = c->atomic_hooks[i];
		const struct atomic_site *s;
		if (!h)
			continue;
		s = &t->mm->atomic_sites[h->idx];
		if (uc_hook_add(c->uc, &h->uh, UC_HOOK_CODE, hook_atomic, h, s->addr, s->addr) !=
		    UC_ERR_OK) {
			/* Without its hook the site would run non-atomically: drop it to be seen. */
			uc_ctl_remove_cache(c->uc, s->addr, s->addr + s->len);
		}
		h->hits /= 2; /* older use counts less */
	}
	/* Again after 16 times as many: a program's hot sites settle early. */
	c->atomic_reorder_at = c->atomic_hits * 16;
	/*
	 * Deleted hooks stay in the walk until uc_emu_start returns: make the
	 * next run return at its first block so the list is clean after it.
	 */
	task_set_pending(t, TIF_MM_SYNC);
}

void atomic_install_hooks(struct task *t)
{
	struct mm_struct *mm = t->mm;
	struct cpu *c = &t->cpu;

	if (c->atomic_reorder_at && c->atomic_hits >= c->atomic_reorder_at)
		reorder_hooks(t);
	if (!c->atomic_reorder_at)
		c->atomic_reorder_at = REORDER_FIRST;
	u64 lo = ~0ull, hi = 0;

	mmap_lock(mm);
	if (mm->nr_atomic_sites > c->nr_atomic_hooks) {
		struct atomic_hook **nh = realloc(c->atomic_hooks, mm->nr_atomic_sites * sizeof(*nh));
		if (nh)
			c->atomic_hooks = nh;
		for (int i = c->nr_atomic_hooks; nh && i < mm->nr_atomic_sites; i++) {
			struct atomic_hook *h = calloc(1, sizeof(*h));
			const struct atomic_site *s = &mm->atomic_sites[i];
			if (!h)
				break;
			h->t = t;
			h->idx = i;
			if (s->dead ||
			    uc_hook_add(c->uc, &h->uh, UC_HOOK_CODE, hook_atomic, h, s->addr, s->addr) !=
				    UC_ERR_OK) {
				free(h);
				h = NULL;
			} else {
				lo = MIN(lo, s->addr);
				hi = MAX(hi, s->addr + s->len);
			}
			nh[c->nr_atomic_hooks++] = h;
		}
	}
	mmap_unlock(mm);
	/*
	 * Code translated before its hooks existed would run without them.
	 * uc_ctl_remove_cache alone is not enough (README): drop the engine's
	 * mappings of that code, so it is mapped and translated anew.
	 */
	if (c->has_run && lo < hi)
		cpu_flush_code(t, lo, hi);
}

void atomic_free_hooks(struct task *t)
{
	for (int i = 0; i < t->cpu.nr_atomic_hooks; i++)
		free(t->cpu.atomic_hooks[i]);
	free(t->cpu.atomic_hooks);
	t->cpu.atomic_hooks = NULL;
	t->cpu.nr_atomic_hooks = 0;
}

bool atomic_code_changed_locked(struct mm_struct *mm, u64 start, u64 end)
{
	int before = mm->nr_atomic_sites;

	for (int i = 0; i < mm->nr_atomic_sites; i++)
		if (mm->atomic_sites[i].addr < end && mm->atomic_sites[i].addr + 16 > start)
			mm->atomic_sites[i].dead = true;
	for (struct vm_area_struct *v = find_vma_locked(mm, start); v && v->vm_start < end;
	     v = find_vma_locked(mm, v->vm_end)) {
		u64 a = MAX(start, v->vm_start), e = MIN(end, v->vm_end);
		if (v->vm_prot & LINUX_PROT_EXEC)
			atomic_scan_code(mm, a, v->host + (a - v->vm_start), e - a);
	}
	return mm->nr_atomic_sites != before;
}
