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
#include "../abi/linux/mman.h"

#define STACK_INITIAL_SIZE STACK_SIZE_MAX

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
		a = e;
	}
}

/* Maps one PT_LOAD segment; pages shared with the previous segment get both protections. */
static long load_segment(struct mm_struct *mm, int fd, const Elf64_Phdr *ph, u64 bias)
{
	u64 start = PAGE_ALIGN_DOWN(ph->p_vaddr + bias), end = PAGE_ALIGN(ph->p_vaddr + bias + ph->p_memsz);
	u32 prot = segment_prot(ph);
	struct vm_area_struct *v = vma_lookup_locked(mm, start);
	u64 off = 0;

	if (v) { /* the first page already holds the previous segment's tail */
		if (mm_protect_locked(mm, start, start + PAGE_SIZE, v->vm_prot | prot))
			return -LINUX_ENOMEM;
		start += PAGE_SIZE;
	}
	if (start < end && IS_ERR(mm_insert_anon_locked(mm, start, end - start, prot, 0)))
		return -LINUX_ENOMEM;
	while (off < ph->p_filesz) {
		u64 addr = ph->p_vaddr + bias + off;
		struct vm_area_struct *dst = vma_lookup_locked(mm, addr);
		u64 n = MIN(ph->p_filesz - off, dst->vm_end - addr);
		ssize_t r = pread(fd, dst->host + (addr - dst->vm_start), n, ph->p_offset + off);
		if (r <= 0)
			return r < 0 ? host_errno_to_linux(errno) : -LINUX_EIO;
		off += r;
	}
	if (ph->p_flags & PF_X)
		scan_code_locked(mm, ph->p_vaddr + bias, ph->p_vaddr + bias + ph->p_filesz);
	return 0;
}

static long load_segments(struct mm_struct *mm, int fd, struct elf_info *info)
{
	long err = 0;

	mmap_lock(mm);
	for (int i = 0; i < info->ehdr.e_phnum && !err; i++) {
		const Elf64_Phdr *ph = &info->phdrs[i];
		if (ph->p_type != PT_LOAD)
			continue;
		err = load_segment(mm, fd, ph, info->bias);
		info->brk = MAX(info->brk, ph->p_vaddr + info->bias + ph->p_memsz);
	}
	mmap_unlock(mm);
	return err;
}

static long setup_stack(struct task *t, struct elf_info *info, const char *path,
			char *const argv[], char *const envp[])
{
	struct mm_struct *mm = t->mm;
	struct vm_area_struct *v;
	u8 random[16];
	u64 rsp;
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
	v = mm_insert_anon_locked(mm, STACK_TOP - STACK_INITIAL_SIZE, STACK_INITIAL_SIZE,
				  LINUX_PROT_READ | LINUX_PROT_WRITE, VM_STACK | VM_GROWSDOWN);
	if (IS_ERR(v)) {
		mmap_unlock(mm);
		return PTR_ERR(v);
	}
	/* Arguments may take at most a quarter of the stack, as Linux allows. */
	rsp = build_initial_stack(v->host + STACK_INITIAL_SIZE * 3 / 4, STACK_INITIAL_SIZE / 4, &sp,
				  argv, envp);
	mm->start_stack = rsp;
	mmap_unlock(mm);
	if (!rsp)
		return -LINUX_E2BIG;
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

long load_elf_binary(struct task *t, const char *path, char *const argv[], char *const envp[],
		     const char **why)
{
	struct elf_info info;
	long err;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	*why = NULL;
	if (fd < 0) {
		*why = strerror(errno);
		return host_errno_to_linux(errno);
	}
	err = elf_read_info(fd, &info, why);
	if (err) {
		close(fd);
		return err;
	}
	err = load_segments(t->mm, fd, &info);
	close(fd);
	if (!err)
		err = mm_init_brk(t->mm, PAGE_ALIGN(info.brk));
	if (!err)
		err = setup_stack(t, &info, path, argv, envp);
	if (!err)
		set_task_comm(t, path);
	if (err && !*why)
		*why = err == -LINUX_E2BIG ? "argument list too long" : "cannot load program";
	elf_info_free(&info);
	return err;
}
