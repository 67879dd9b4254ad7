/*
 * ELF validation: a well-formed static executable passes, and each kind of
 * malformed file is refused with its own clear reason.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "unit.h"
#include "loader/loader.h"
#include "emu/mm/mm.h"
#include "abi/linux/errno.h"

struct image {
	Elf64_Ehdr eh;
	Elf64_Phdr ph[2];
	u8 code[64];
};

/* A minimal valid ET_EXEC: one R+X segment holding everything, entry inside it. */
static void make_valid(struct image *im)
{
	memset(im, 0, sizeof(*im));
	memcpy(im->eh.e_ident, ELFMAG, SELFMAG);
	im->eh.e_ident[EI_CLASS] = ELFCLASS64;
	im->eh.e_ident[EI_DATA] = ELFDATA2LSB;
	im->eh.e_ident[EI_VERSION] = EV_CURRENT;
	im->eh.e_type = ET_EXEC;
	im->eh.e_machine = EM_X86_64;
	im->eh.e_version = EV_CURRENT;
	im->eh.e_entry = 0x400000 + offsetof(struct image, code);
	im->eh.e_phoff = offsetof(struct image, ph);
	im->eh.e_ehsize = sizeof(Elf64_Ehdr);
	im->eh.e_phentsize = sizeof(Elf64_Phdr);
	im->eh.e_phnum = 1;
	im->ph[0].p_type = PT_LOAD;
	im->ph[0].p_flags = PF_R | PF_X;
	im->ph[0].p_offset = 0;
	im->ph[0].p_vaddr = 0x400000;
	im->ph[0].p_filesz = sizeof(*im);
	im->ph[0].p_memsz = sizeof(*im) + 0x1000;
	im->ph[0].p_align = 0x1000;
}

/* Writes n bytes of im to a temporary file and validates it. */
static long check_bytes(const void *im, size_t n, const char **why)
{
	char path[] = "/tmp/lxemu-test-elf-XXXXXX";
	int fd = mkstemp(path);
	struct elf_info info;
	long err;

	unlink(path);
	if (write(fd, im, n) != (ssize_t)n)
		return 1;
	*why = NULL;
	err = elf_read_info(fd, &info, why);
	if (!err)
		elf_info_free(&info);
	close(fd);
	return err;
}

static void expect_reject(struct image *im, size_t n, const char *reason_part)
{
	const char *why;

	CU_ASSERT_EQUAL(check_bytes(im, n, &why), -LINUX_ENOEXEC);
	CU_ASSERT_PTR_NOT_NULL(why);
	if (why)
		CU_ASSERT_PTR_NOT_NULL(strstr(why, reason_part));
	if (why && !strstr(why, reason_part))
		fprintf(stderr, "want \"%s\" in \"%s\"\n", reason_part, why);
}

static void test_elf_valid_static_exec_passes(void)
{
	struct image im;
	const char *why;

	make_valid(&im);
	CU_ASSERT_EQUAL(check_bytes(&im, sizeof(im), &why), 0);
}

static void test_elf_rejections_name_the_problem(void)
{
	struct image im;

	make_valid(&im);
	expect_reject(&im, 3, "not an ELF");
	expect_reject(&im, 40, "truncated");
	make_valid(&im); im.eh.e_ident[EI_CLASS] = ELFCLASS32;
	expect_reject(&im, sizeof(im), "32-bit");
	make_valid(&im); im.eh.e_ident[EI_DATA] = ELFDATA2MSB;
	expect_reject(&im, sizeof(im), "big-endian");
	make_valid(&im); im.eh.e_machine = EM_AARCH64;
	expect_reject(&im, sizeof(im), "x86-64");
	make_valid(&im); im.eh.e_type = ET_REL;
	expect_reject(&im, sizeof(im), "not an executable");
	make_valid(&im); im.eh.e_entry = 0;
	expect_reject(&im, sizeof(im), "entry point");
	make_valid(&im); im.ph[0].p_filesz = im.ph[0].p_memsz + 1;
	expect_reject(&im, sizeof(im), "file size exceeds");
	make_valid(&im); im.ph[0].p_offset = 0x100000;
	expect_reject(&im, sizeof(im), "past the end");
	make_valid(&im); im.ph[0].p_vaddr = 0xfffffffffffff000ULL;
	expect_reject(&im, sizeof(im), "out of range");
	make_valid(&im); im.eh.e_phnum = 2; im.ph[1] = im.ph[0]; im.ph[1].p_vaddr += 0x1000;
	expect_reject(&im, sizeof(im), "overlap");
	make_valid(&im); im.ph[0].p_type = PT_INTERP;
	expect_reject(&im, sizeof(im), "dynamically linked");
	make_valid(&im); im.eh.e_phoff = sizeof(im) - 8;
	expect_reject(&im, sizeof(im), "truncated");
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "valid static exec passes", test_elf_valid_static_exec_passes },
		{ "rejections name the problem", test_elf_rejections_name_the_problem },
	};

	return RUN_UNIT_TESTS("elf", NULL, NULL, tests);
}
