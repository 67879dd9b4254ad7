/*
 * x87 instructions Unicorn 2.0.1 computes in host double precision instead
 * of the x87's 64-bit mantissa: fprem, fprem1, f2xm1, fyl2x, fyl2xp1,
 * fpatan, fptan, fsincos, fsin, fcos and fxtract (D9 F0..FF).  musl's
 * strtod calls fmodl (fprem) on most conversions, so the error is visible
 * in ordinary programs.  Each such instruction in executable code gets a
 * code hook on its exact address that runs it on the host's own x87 with
 * the guest's control word and writes the results back.
 */
#include <stdlib.h>
#include <string.h>
#include "cpu.h"
#include "../kernel/task.h"
#include "../mm/mm.h"

struct f80 {
	u64 mant;
	u16 exp;
} __attribute__((packed));

static bool x87_op_needs_fix(u8 modrm)
{
	switch (modrm) {
	case 0xf0: case 0xf1: case 0xf2: case 0xf3: case 0xf4: case 0xf5:
	case 0xf8: case 0xf9: case 0xfb: case 0xfe: case 0xff:
		return true;
	default:
		return false;
	}
}

void x87_scan_code(struct mm_struct *mm, u64 addr, const u8 *code, u64 len)
{
	for (u64 i = 0; i + 1 < len; i++) {
		if (code[i] != 0xd9 || !x87_op_needs_fix(code[i + 1]))
			continue;
		if (mm->nr_x87_sites == mm->cap_x87_sites) {
			int cap = mm->cap_x87_sites ? mm->cap_x87_sites * 2 : 16;
			u64 *s = realloc(mm->x87_sites, cap * sizeof(*s));
			if (!s)
				return; /* no fix-up: the instruction runs with Unicorn's precision */
			mm->x87_sites = s;
			mm->cap_x87_sites = cap;
		}
		mm->x87_sites[mm->nr_x87_sites++] = addr + i;
	}
}

/* Runs op on the host x87 with st0/st1 loaded; returns the host stack depth after it (1-3). */
static int host_x87_op(u8 op, u16 cw, struct f80 *st0, struct f80 *st1, struct f80 *out2, u16 *sw)
{
	u16 saved_cw, host_cw = cw | 0x3f; /* exceptions masked: flags only */
	int depth;

	__asm__ volatile("fnstcw %0" : "=m"(saved_cw));
	__asm__ volatile("fldcw %0; fnclex; fldt %1; fldt %2" :: "m"(host_cw), "m"(*st1), "m"(*st0));
	switch (op) {
	case 0xf0: __asm__ volatile("f2xm1"); break;
	case 0xf1: __asm__ volatile("fyl2x"); break;
	case 0xf2: __asm__ volatile("fptan"); break;
	case 0xf3: __asm__ volatile("fpatan"); break;
	case 0xf4: __asm__ volatile("fxtract"); break;
	case 0xf5: __asm__ volatile("fprem1"); break;
	case 0xf8: __asm__ volatile("fprem"); break;
	case 0xf9: __asm__ volatile("fyl2xp1"); break;
	case 0xfb: __asm__ volatile("fsincos"); break;
	case 0xfe: __asm__ volatile("fsin"); break;
	case 0xff: __asm__ volatile("fcos"); break;
	}
	__asm__ volatile("fnstsw %0" : "=m"(*sw));
	depth = (8 - ((*sw >> 11) & 7)) & 7; /* two loaded: 1 popped, 2 same, 3 pushed */
	__asm__ volatile("fstpt %0" : "=m"(*st0));
	if (depth >= 2)
		__asm__ volatile("fstpt %0" : "=m"(*st1));
	if (depth >= 3)
		__asm__ volatile("fstpt %0" : "=m"(*out2));
	__asm__ volatile("fldcw %0" :: "m"(saved_cw));
	return depth;
}

static void write_st(uc_engine *uc, int slot, const struct f80 *v)
{
	u8 raw[16] = { 0 };

	memcpy(raw, v, sizeof(*v));
	uc_reg_write(uc, UC_X86_REG_FP0 + (slot & 7), raw);
}

static void read_st(uc_engine *uc, int slot, struct f80 *v)
{
	u8 raw[16] = { 0 };

	uc_reg_read(uc, UC_X86_REG_FP0 + (slot & 7), raw);
	memcpy(v, raw, sizeof(*v));
}

static void hook_x87(uc_engine *uc, u64 addr, u32 size, void *user)
{
	struct task *t = user;
	u8 insn[2];
	u16 sw, cw, tag, hsw;
	struct f80 st0, st1, extra;
	int top, ntop, depth;
	u64 next = addr + 2;

	(void)size;
	/* The scan was of bytes, not instructions: act only on a real D9 Fx here. */
	if (uc_mem_read(uc, addr, insn, 2) || insn[0] != 0xd9 || !x87_op_needs_fix(insn[1]))
		return;
	uc_reg_read(uc, UC_X86_REG_FPSW, &sw);
	uc_reg_read(uc, UC_X86_REG_FPCW, &cw);
	uc_reg_read(uc, UC_X86_REG_FPTAG, &tag);
	top = (sw >> 11) & 7;
	read_st(uc, top, &st0);
	read_st(uc, top + 1, &st1);
	depth = host_x87_op(insn[1], cw, &st0, &st1, &extra, &hsw);
	ntop = (top + 2 - depth) & 7; /* a pop moves TOP up, a push down */
	write_st(uc, ntop, &st0);
	if (depth >= 2)
		write_st(uc, ntop + 1, &st1);
	if (depth == 1)
		tag |= 3u << (2 * top);     /* the popped slot is empty */
	if (depth == 3)
		tag &= ~(3u << (2 * ntop)); /* the pushed slot is valid */
	uc_reg_write(uc, UC_X86_REG_FPTAG, &tag);
	sw = (sw & ~0x7f3f) | (hsw & 0x473f) | (ntop << 11);
	uc_reg_write(uc, UC_X86_REG_FPSW, &sw);
	uc_reg_write(uc, UC_X86_REG_RIP, &next);
	/* A RIP write can swallow a stop requested in the same run (section 2): ask again. */
	if (atomic_load_explicit(&t->pending, memory_order_relaxed))
		uc_emu_stop(uc);
}

int x87_install_hooks(struct task *t)
{
	struct mm_struct *mm = t->mm;
	uc_hook h;

	mmap_lock(mm);
	for (int i = 0; i < mm->nr_x87_sites; i++) {
		u64 a = mm->x87_sites[i];
		if (uc_hook_add(t->cpu.uc, &h, UC_HOOK_CODE, hook_x87, t, a, a) != UC_ERR_OK) {
			mmap_unlock(mm);
			return -1;
		}
	}
	mmap_unlock(mm);
	return 0;
}
