/*
 * ELF validation with libelf: class, byte order, machine, type, program
 * headers that lie inside the file, sane and non-overlapping PT_LOAD
 * segments, and an entry point inside an executable one.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include <libelf.h>
#include <gelf.h>
#include "loader.h"
#include "../emu/mm/mm.h"
#include "../abi/linux/errno.h"

#define FAIL(err, msg) do { *why = (msg); return -(err); } while (0)

static long check_ident(Elf *e, const char **why)
{
	size_t n;
	const char *ident = elf_getident(e, &n);

	if (elf_kind(e) != ELF_K_ELF || !ident || n < EI_NIDENT)
		FAIL(LINUX_ENOEXEC, "not an ELF file");
	if (ident[EI_CLASS] == ELFCLASS32)
		FAIL(LINUX_ENOEXEC, "32-bit ELF files are not supported (x86-64 only)");
	if (ident[EI_CLASS] != ELFCLASS64)
		FAIL(LINUX_ENOEXEC, "unknown ELF class");
	if (ident[EI_DATA] != ELFDATA2LSB)
		FAIL(LINUX_ENOEXEC, "big-endian ELF files are not supported (x86-64 only)");
	return 0;
}

static long check_ehdr(const Elf64_Ehdr *eh, u64 file_size, const char **why)
{
	if (eh->e_machine != EM_X86_64)
		FAIL(LINUX_ENOEXEC, "not an x86-64 program (wrong ELF machine)");
	if (eh->e_type != ET_EXEC && eh->e_type != ET_DYN)
		FAIL(LINUX_ENOEXEC, "not an executable (ELF type is neither EXEC nor DYN)");
	if (eh->e_phentsize != sizeof(Elf64_Phdr) || eh->e_phnum == 0 || eh->e_phnum > 4096)
		FAIL(LINUX_ENOEXEC, "malformed ELF: bad program header table");
	if (eh->e_phoff > file_size || file_size - eh->e_phoff < (u64)eh->e_phnum * sizeof(Elf64_Phdr))
		FAIL(LINUX_ENOEXEC, "truncated ELF file: program headers lie past the end");
	return 0;
}

static long check_load(const Elf64_Phdr *ph, u64 file_size, const char **why)
{
	if (ph->p_filesz > ph->p_memsz)
		FAIL(LINUX_ENOEXEC, "malformed ELF: segment file size exceeds its memory size");
	if (ph->p_offset > file_size || file_size - ph->p_offset < ph->p_filesz)
		FAIL(LINUX_ENOEXEC, "truncated ELF file: segment data lies past the end");
	if (ph->p_vaddr >= TASK_SIZE || ph->p_memsz >= TASK_SIZE - ph->p_vaddr)
		FAIL(LINUX_ENOEXEC, "malformed ELF: segment address out of range");
	if ((ph->p_vaddr - ph->p_offset) % PAGE_SIZE)
		FAIL(LINUX_ENOEXEC, "malformed ELF: segment address and offset disagree modulo the page size");
	return 0;
}

/* PT_LOAD segments must ascend and not overlap; the entry must be in an executable one. */
static long check_segments(struct elf_info *info, const char **why)
{
	const Elf64_Ehdr *eh = &info->ehdr;
	u64 prev_end = 0;
	bool any = false, entry_ok = false;
	long err;

	info->lo = ~0ULL;
	info->hi = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = &info->phdrs[i];
		if (ph->p_type == PT_INTERP)
			FAIL(LINUX_ENOEXEC, "dynamically linked programs are not supported yet (PT_INTERP)");
		if (ph->p_type != PT_LOAD)
			continue;
		if ((err = check_load(ph, info->file_size, why)))
			return err;
		if (any && ph->p_vaddr < prev_end)
			FAIL(LINUX_ENOEXEC, "malformed ELF: loadable segments overlap or are out of order");
		any = true;
		prev_end = ph->p_vaddr + ph->p_memsz;
		info->lo = MIN(info->lo, PAGE_ALIGN_DOWN(ph->p_vaddr));
		info->hi = MAX(info->hi, PAGE_ALIGN(prev_end));
		if ((ph->p_flags & PF_X) && eh->e_entry >= ph->p_vaddr && eh->e_entry < prev_end)
			entry_ok = true;
	}
	if (!any)
		FAIL(LINUX_ENOEXEC, "malformed ELF: no loadable segments");
	if (!eh->e_entry)
		FAIL(LINUX_ENOEXEC, "malformed ELF: entry point is zero");
	if (!entry_ok)
		FAIL(LINUX_ENOEXEC, "malformed ELF: entry point is not inside an executable segment");
	if (info->hi - info->lo > TASK_SIZE / 2)
		FAIL(LINUX_ENOEXEC, "malformed ELF: segments span an absurd range");
	return 0;
}

/* Where the program headers are once loaded: PT_PHDR, else the PT_LOAD holding e_phoff. */
static void find_phdr_addr(struct elf_info *info)
{
	const Elf64_Ehdr *eh = &info->ehdr;

	info->phdr_addr = 0;
	for (int i = 0; i < eh->e_phnum; i++) {
		const Elf64_Phdr *ph = &info->phdrs[i];
		if (ph->p_type == PT_PHDR) {
			info->phdr_addr = ph->p_vaddr + info->bias;
			return;
		}
		if (ph->p_type == PT_LOAD && eh->e_phoff >= ph->p_offset &&
		    eh->e_phoff < ph->p_offset + ph->p_filesz && !info->phdr_addr)
			info->phdr_addr = ph->p_vaddr + (eh->e_phoff - ph->p_offset) + info->bias;
	}
}

static long read_headers(Elf *e, struct elf_info *info, const char **why)
{
	Elf64_Ehdr *eh;
	Elf64_Phdr *ph;
	long err;

	if ((err = check_ident(e, why)))
		return err;
	if (!(eh = elf64_getehdr(e)))
		FAIL(LINUX_ENOEXEC, "truncated ELF file: incomplete ELF header");
	info->ehdr = *eh;
	if ((err = check_ehdr(eh, info->file_size, why)))
		return err;
	if (!(ph = elf64_getphdr(e)))
		FAIL(LINUX_ENOEXEC, "truncated ELF file: unreadable program headers");
	info->phdrs = malloc(sizeof(*ph) * eh->e_phnum);
	if (!info->phdrs)
		FAIL(LINUX_ENOMEM, "out of memory");
	memcpy(info->phdrs, ph, sizeof(*ph) * eh->e_phnum);
	return 0;
}

long elf_read_info(int fd, struct elf_info *info, const char **why)
{
	struct stat st;
	char magic[SELFMAG];
	Elf *e;
	long err;

	memset(info, 0, sizeof(*info));
	if (fstat(fd, &st) || !S_ISREG(st.st_mode))
		FAIL(LINUX_EACCES, "not a regular file");
	if (pread(fd, magic, sizeof(magic), 0) != sizeof(magic) || memcmp(magic, ELFMAG, SELFMAG))
		FAIL(LINUX_ENOEXEC, "not an ELF file");
	if (st.st_size < (off_t)sizeof(Elf64_Ehdr))
		FAIL(LINUX_ENOEXEC, "truncated ELF file: incomplete ELF header");
	info->file_size = st.st_size;
	elf_version(EV_CURRENT);
	if (!(e = elf_begin(fd, ELF_C_READ, NULL)))
		FAIL(LINUX_ENOEXEC, "not an ELF file");
	err = read_headers(e, info, why);
	elf_end(e);
	if (!err) {
		info->bias = info->ehdr.e_type == ET_DYN ? ET_DYN_BASE : 0;
		err = check_segments(info, why);
	}
	if (!err) {
		if (info->ehdr.e_type == ET_DYN)
			info->bias = ET_DYN_BASE - info->lo;
		find_phdr_addr(info);
	}
	if (err)
		elf_info_free(info);
	return err;
}

void elf_info_free(struct elf_info *info)
{
	free(info->phdrs);
	info->phdrs = NULL;
}
