/*
 * Putting a validated program into a task: PT_LOAD segments with their
 * protections and zeroed bss, the heap after the image, the stack, and the
 * registers Linux starts a process with.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/random.h>
#include "loader.h"
#include "../emu/kernel/task.h"
#include "../emu/mm/mm.h"
#include "../emu/fs/file.h"
#include "../abi/linux/errno.h"
#include "../abi/linux/fcntl.h"
#include "../abi/linux/mman.h"

/* Linux's stack VMA starts 128 KiB below the arguments and grows on demand. */
#define STACK_INITIAL_EXPAND (128 * 1024ULL)

static u32 segment_prot(const Elf64_Phdr *ph)
{
	return (ph->p_flags & PF_R ? LINUX_PROT_READ : 0) |
	       (ph->p_flags & PF_W ? LINUX_PROT_WRITE : 0) |
	       (ph->p_flags & PF_X ? LINUX_PROT_EXEC : 0);
}

/* Looks for instructions the engines must not run themselves (cpu/x87.c), VMA by VMA. */
static void scan_code_locked(struct mm_struct *mm, u64 start, u64 end)
{
	for (u64 a = start; a < end;) {
		struct vm_area_struct *v = vma_lookup_locked(mm, a);
		u64 e = MIN(end, v->vm_end);
		x87_scan_code(mm, a, v->host + (a - v->vm_start), e - a);
		atomic_scan_code(mm, a, v->host + (a - v->vm_start), e - a);
		a = e;
	}
}

/*
 * Maps one PT_LOAD segment as Linux does: its file pages as a private mapping
 * of the program file (so /proc/self/maps names it), the rest of its last
 * file page zeroed, and anonymous pages for the bss beyond.  A page shared
 * with the previous segment goes to this one, as MAP_FIXED does on Linux.
 */
static long load_segment(struct mm_struct *mm, struct file *f, const Elf64_Phdr *ph, u64 bias)
{
	u64 vaddr = ph->p_vaddr + bias, start = PAGE_ALIGN_DOWN(vaddr);
	u64 file_end = PAGE_ALIGN(vaddr + ph->p_filesz), end = PAGE_ALIGN(vaddr + ph->p_memsz);
	u32 prot = segment_prot(ph);
	long err = 0;

	if (!ph->p_filesz)
		file_end = start;
	mm_unmap_locked(mm, start, end);
	if (file_end > start) {
		if (IS_ERR(mm_insert_anon_locked(mm, start, file_end - start, prot, 0)))
			return -LINUX_ENOMEM;
		err = mm_attach_file_locked(mm, start, file_end, f, PAGE_ALIGN_DOWN(ph->p_offset),
					    false, false);
		if (err)
			return err;
		if (ph->p_memsz > ph->p_filesz)
			memset(mm_host_locked(mm, vaddr + ph->p_filesz), 0,
			       file_end - (vaddr + ph->p_filesz));
	}
	if (end > file_end && IS_ERR(mm_insert_anon_locked(mm, file_end, end - file_end, prot, 0)))
		return -LINUX_ENOMEM;
	vma_merge_range_locked(mm, start, end);
	if (ph->p_flags & PF_X)
		scan_code_locked(mm, vaddr, vaddr + ph->p_filesz);
	return 0;
}

static long load_segments(struct mm_struct *mm, struct file *f, struct elf_info *info)
{
	long err = 0;

	mmap_lock(mm);
	for (int i = 0; i < info->ehdr.e_phnum && !err; i++) {
		const Elf64_Phdr *ph = &info->phdrs[i];
		if (ph->p_type != PT_LOAD)
			continue;
		err = load_segment(mm, f, ph, info->bias);
		info->brk = MAX(info->brk, ph->p_vaddr + info->bias + ph->p_memsz);
		/* Linux's start_data/end_data: the last segment's start, the file data's end. */
		mm->start_data = MAX(mm->start_data, ph->p_vaddr + info->bias);
		mm->end_data = MAX(mm->end_data, ph->p_vaddr + info->bias + ph->p_filesz);
	}
	mmap_unlock(mm);
	return err;
}

static long setup_stack(struct task *t, struct elf_info *info, const char *path,
			char *const argv[], char *const envp[])
{
	struct mm_struct *mm = t->mm;
	struct vm_area_struct *v;
	/* Arguments and environment may take a quarter of the stack limit, as on Linux. */
	u64 arg_max = MAX(MIN(t->signal->rlim[LINUX_RLIMIT_STACK].rlim_cur / 4, 1ULL << 30),
			  STACK_INITIAL_EXPAND);
	struct stack_strings strs = { 0 };
	u8 random[16], *host;
	u64 rsp;
	long err = 0;
	struct stack_params sp = {
		.stack_top = STACK_TOP, .phdr = info->phdr_addr, .phent = sizeof(Elf64_Phdr),
		.phnum = info->ehdr.e_phnum, .entry = info->ehdr.e_entry + info->bias, .base = 0,
		.hwcap = cpu_hwcap(t), .uid = getuid(), .euid = geteuid(), .gid = getgid(),
		.egid = getegid(), .secure = 0, .random = random, .execfn = path,
		.platform = "x86_64",
	};

	if (getrandom(random, sizeof(random), 0) != sizeof(random))
		memset(random, 0x5a, sizeof(random));
	mmap_lock(mm);
	/* Build the stack in the host memory behind its top, then make it a VMA. */
	host = mm_host_reserve_locked(mm, STACK_TOP - arg_max);
	rsp = host ? build_initial_stack(host, arg_max, &sp, argv, envp, &strs) : 0;
	if (rsp) {
		u64 start = PAGE_ALIGN_DOWN(rsp) - STACK_INITIAL_EXPAND;
		v = mm_insert_anon_locked(mm, start, STACK_TOP - start,
					  LINUX_PROT_READ | LINUX_PROT_WRITE, VM_STACK | VM_GROWSDOWN);
		err = IS_ERR(v) ? PTR_ERR(v) : 0;
	} else if (host) {
		mm_host_release(host, arg_max, false);
	}
	mm->start_stack = rsp;
	mm->arg_start = strs.arg_start;
	mm->arg_end = strs.arg_end;
	mm->env_start = strs.env_start;
	mm->env_end = strs.env_end;
	mmap_unlock(mm);
	if (!rsp)
		return host ? -LINUX_E2BIG : -LINUX_ENOMEM;
	if (err)
		return err;
	cpu_set(t, CPU_RSP, rsp);
	cpu_set(t, CPU_RIP, sp.entry);
	return 0;
}

/* The task's name is the program's file name, cut to 15 bytes (PR_GET_NAME). */
static void set_task_comm(struct task *t, const char *path)
{
	const char *base = strrchr(path, '/');

	snprintf(t->comm, sizeof(t->comm), "%s", base ? base + 1 : path);
}

long load_elf_fd(struct task *t, int fd, const char *path, const char *file_path,
		 char *const argv[], char *const envp[], const char **why)
{
	struct elf_info info;
	struct file *prog;
	long err;

	*why = NULL;
	err = elf_read_info(fd, &info, why);
	if (err) {
		close(fd);
		return err;
	}
	/* The VMAs keep references to the program file, as Linux's vm_file does. */
	prog = host_file_wrap(fd, LINUX_O_RDONLY, file_path);
	if (!prog) {
		close(fd);
		elf_info_free(&info);
		return -LINUX_ENOMEM;
	}
	free(t->mm->exe_path);
	t->mm->exe_path = file_path ? strdup(file_path) : NULL;
	err = load_segments(t->mm, prog, &info);
	fput(prog);
	if (!err) {
		mm_init_brk(t->mm, PAGE_ALIGN(info.brk));
		err = setup_stack(t, &info, path, argv, envp);
	}
	if (!err)
		set_task_comm(t, path);
	if (err && !*why)
		*why = err == -LINUX_E2BIG ? "argument list too long" : "cannot load program";
	elf_info_free(&info);
	return err;
}
