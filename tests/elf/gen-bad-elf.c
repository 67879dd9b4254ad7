/* gen-bad-elf.c: writes the ELF test inputs into DIR (argv[1]): a minimal
 * valid static executable ("minimal": prints "ok", exits 42) and broken
 * variants of it (truncated, wrong class/machine/byte order, bad headers,
 * absurd segments, bad entry or type, dynamic) that lxemu must refuse. */
#define _POSIX_C_SOURCE 200809L
#include <elf.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BASE 0x400000UL
#define PHOFF sizeof(Elf64_Ehdr)
#define CODE_OFF (PHOFF + 2 * sizeof(Elf64_Phdr))
#define INTERP_OFF 256
#define FILE_LEN 512

struct image {
    unsigned char b[FILE_LEN];
    size_t len;
};

static const char *outdir;

static Elf64_Ehdr *ehdr(struct image *im)
{
    return (Elf64_Ehdr *)im->b;
}

static Elf64_Phdr *phdr(struct image *im, int i)
{
    return (Elf64_Phdr *)(im->b + PHOFF) + i;
}

/* write(1, "ok\n", 3); exit_group(42); then the message. */
static const unsigned char code[] = {
    0xb8, 0x01, 0x00, 0x00, 0x00,             /* mov eax, 1 (write) */
    0xbf, 0x01, 0x00, 0x00, 0x00,             /* mov edi, 1 */
    0x48, 0x8d, 0x35, 0x13, 0x00, 0x00, 0x00, /* lea rsi, [rip + 19] */
    0xba, 0x03, 0x00, 0x00, 0x00,             /* mov edx, 3 */
    0x0f, 0x05,                               /* syscall */
    0xb8, 0xe7, 0x00, 0x00, 0x00,             /* mov eax, 231 (exit_group) */
    0xbf, 0x2a, 0x00, 0x00, 0x00,             /* mov edi, 42 */
    0x0f, 0x05,                               /* syscall */
    'o', 'k', '\n',
};

static void fill_ehdr(Elf64_Ehdr *e)
{
    memcpy(e->e_ident, ELFMAG, SELFMAG);
    e->e_ident[EI_CLASS] = ELFCLASS64;
    e->e_ident[EI_DATA] = ELFDATA2LSB;
    e->e_ident[EI_VERSION] = EV_CURRENT;
    e->e_ident[EI_OSABI] = ELFOSABI_SYSV;
    e->e_type = ET_EXEC;
    e->e_machine = EM_X86_64;
    e->e_version = EV_CURRENT;
    e->e_entry = BASE + CODE_OFF;
    e->e_phoff = PHOFF;
    e->e_ehsize = sizeof(Elf64_Ehdr);
    e->e_phentsize = sizeof(Elf64_Phdr);
    e->e_phnum = 2;
}

/* The valid baseline: one R+X PT_LOAD mapping the whole file, a GNU_STACK. */
static void minimal(struct image *im)
{
    memset(im, 0, sizeof *im);
    im->len = FILE_LEN;
    fill_ehdr(ehdr(im));
    Elf64_Phdr *load = phdr(im, 0), *stack = phdr(im, 1);
    load->p_type = PT_LOAD;
    load->p_flags = PF_R | PF_X;
    load->p_vaddr = load->p_paddr = BASE;
    load->p_filesz = load->p_memsz = FILE_LEN;
    load->p_align = 0x1000;
    stack->p_type = PT_GNU_STACK;
    stack->p_flags = PF_R | PF_W;
    stack->p_align = 16;
    memcpy(im->b + CODE_OFF, code, sizeof code);
}

static void emit_bytes(const char *name, const void *data, size_t len, mode_t mode)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/%s", outdir, name);
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || write(fd, data, len) != (ssize_t)len || fchmod(fd, mode) || close(fd)) {
        fprintf(stderr, "gen-bad-elf: %s: %s\n", path, strerror(errno));
        exit(1);
    }
}

static void emit(const char *name, struct image *im)
{
    emit_bytes(name, im->b, im->len, 0755);
}

/* ---- cases that cut the file short ---- */

static void cut_files(void)
{
    struct image im;
    minimal(&im);
    emit_bytes("empty", "", 0, 0755);
    emit_bytes("text", "this is not an ELF file\n", 24, 0755);
    emit_bytes("short-ident", im.b, 10, 0755);
    emit_bytes("trunc-ehdr", im.b, 40, 0755);
    emit_bytes("header-only", im.b, sizeof(Elf64_Ehdr), 0755);
    emit_bytes("trunc-phdrs", im.b, PHOFF + sizeof(Elf64_Phdr) + 20, 0755);
}

/* ---- cases that break the ELF header ---- */

static void bad_ident_and_machine(void)
{
    struct image im;
    minimal(&im);
    ehdr(&im)->e_ident[EI_CLASS] = 7;
    emit("bad-class", &im);
    minimal(&im);
    ehdr(&im)->e_machine = EM_AARCH64;
    emit("aarch64", &im);
    minimal(&im);
    ehdr(&im)->e_phentsize = 32;
    emit("bad-phentsize", &im);
    minimal(&im);
    ehdr(&im)->e_phnum = 0xffff;
    emit("phnum-huge", &im);
    minimal(&im);
    ehdr(&im)->e_phoff = 1 << 20;
    emit("phoff-beyond-eof", &im);
}

static void bad_types(void)
{
    struct image im;
    minimal(&im);
    ehdr(&im)->e_type = ET_REL;
    ehdr(&im)->e_entry = 0;
    ehdr(&im)->e_phoff = 0;
    ehdr(&im)->e_phnum = 0;
    emit("et-rel", &im);
    minimal(&im);
    ehdr(&im)->e_type = ET_CORE;
    emit("et-core", &im);
    minimal(&im);
    ehdr(&im)->e_entry = 0;
    emit("entry-zero", &im);
}

/* A library-like image: ET_DYN at address 0 with no entry point. */
static void shared_library(void)
{
    struct image im;
    minimal(&im);
    ehdr(&im)->e_type = ET_DYN;
    ehdr(&im)->e_entry = 0;
    phdr(&im, 0)->p_vaddr = phdr(&im, 0)->p_paddr = 0;
    emit("shared-lib", &im);
}

/* A dynamic executable: ET_DYN with a PT_INTERP naming the system ld.so. */
static void dynamic_executable(void)
{
    static const char interp[] = "/lib64/ld-linux-x86-64.so.2";
    struct image im;
    minimal(&im);
    ehdr(&im)->e_type = ET_DYN;
    ehdr(&im)->e_entry = CODE_OFF;
    Elf64_Phdr *load = phdr(&im, 0), *in = phdr(&im, 1);
    load->p_vaddr = load->p_paddr = 0;
    memset(in, 0, sizeof *in);
    in->p_type = PT_INTERP;
    in->p_flags = PF_R;
    in->p_offset = in->p_vaddr = in->p_paddr = INTERP_OFF;
    in->p_filesz = in->p_memsz = sizeof interp;
    in->p_align = 1;
    memcpy(im.b + INTERP_OFF, interp, sizeof interp);
    emit("dynamic", &im);
}

/* ---- cases that break the program headers ---- */

static void bad_segments(void)
{
    struct image im;
    minimal(&im);
    phdr(&im, 0)->p_type = PT_NOTE;
    emit("no-load", &im);
    minimal(&im);
    *phdr(&im, 1) = *phdr(&im, 0);                      /* same range twice */
    phdr(&im, 1)->p_flags = PF_R | PF_W;
    emit("overlap", &im);
    minimal(&im);
    phdr(&im, 0)->p_memsz = 100;
    emit("filesz-gt-memsz", &im);
    minimal(&im);
    phdr(&im, 0)->p_offset = 0x100000;
    ehdr(&im)->e_entry = BASE + 0x10;
    emit("offset-beyond-eof", &im);
    minimal(&im);
    phdr(&im, 0)->p_vaddr = BASE + 0x10;               /* offset 0: misaligned */
    emit("misaligned", &im);
}

static void absurd_addresses(void)
{
    struct image im;
    minimal(&im);
    phdr(&im, 0)->p_vaddr = 0xfffffffffffff000UL;
    ehdr(&im)->e_entry = 0xfffffffffffff000UL + CODE_OFF;
    emit("vaddr-top", &im);
    minimal(&im);
    phdr(&im, 0)->p_vaddr = 0xffffffffffff0000UL;
    phdr(&im, 0)->p_memsz = 0x20000;                   /* wraps past 2^64 */
    ehdr(&im)->e_entry = 0xffffffffffff0000UL + CODE_OFF;
    emit("vaddr-wrap", &im);
    minimal(&im);
    phdr(&im, 0)->p_vaddr = 0x800000000000UL;           /* first non-user address */
    ehdr(&im)->e_entry = 0x800000000000UL + CODE_OFF;
    emit("vaddr-kernel", &im);
    minimal(&im);
    phdr(&im, 0)->p_memsz = 1UL << 62;
    emit("memsz-huge", &im);
}

/* Byte-swap the header and program headers to big-endian. */
static void to_big_endian(struct image *im)
{
    Elf64_Ehdr *e = ehdr(im);
    for (int i = 0; i < 2; i++) {
        Elf64_Phdr *p = phdr(im, i);
        p->p_type = __builtin_bswap32(p->p_type);
        p->p_flags = __builtin_bswap32(p->p_flags);
        p->p_offset = __builtin_bswap64(p->p_offset);
        p->p_vaddr = __builtin_bswap64(p->p_vaddr);
        p->p_paddr = __builtin_bswap64(p->p_paddr);
        p->p_filesz = __builtin_bswap64(p->p_filesz);
        p->p_memsz = __builtin_bswap64(p->p_memsz);
        p->p_align = __builtin_bswap64(p->p_align);
    }
    e->e_ident[EI_DATA] = ELFDATA2MSB;
    e->e_type = __builtin_bswap16(e->e_type);
    e->e_machine = __builtin_bswap16(e->e_machine);
    e->e_version = __builtin_bswap32(e->e_version);
    e->e_entry = __builtin_bswap64(e->e_entry);
    e->e_phoff = __builtin_bswap64(e->e_phoff);
    e->e_ehsize = __builtin_bswap16(e->e_ehsize);
    e->e_phentsize = __builtin_bswap16(e->e_phentsize);
    e->e_phnum = __builtin_bswap16(e->e_phnum);
}

/* A complete 32-bit i386 executable: exit(42) through int 0x80. */
static void class32(void)
{
    static const unsigned char code32[] = {0xb8, 1, 0, 0, 0, 0xbb, 42, 0, 0, 0, 0xcd, 0x80};
    unsigned char b[256] = {0};
    Elf32_Ehdr *e = (Elf32_Ehdr *)b;
    Elf32_Phdr *p = (Elf32_Phdr *)(b + sizeof *e);
    memcpy(e->e_ident, ELFMAG, SELFMAG);
    e->e_ident[EI_CLASS] = ELFCLASS32;
    e->e_ident[EI_DATA] = ELFDATA2LSB;
    e->e_ident[EI_VERSION] = EV_CURRENT;
    e->e_type = ET_EXEC;
    e->e_machine = EM_386;
    e->e_version = EV_CURRENT;
    e->e_entry = 0x08048000 + 128;
    e->e_phoff = sizeof *e;
    e->e_ehsize = sizeof *e;
    e->e_phentsize = sizeof *p;
    e->e_phnum = 1;
    p->p_type = PT_LOAD;
    p->p_flags = PF_R | PF_X;
    p->p_vaddr = p->p_paddr = 0x08048000;
    p->p_filesz = p->p_memsz = sizeof b;
    p->p_align = 0x1000;
    memcpy(b + 128, code32, sizeof code32);
    emit_bytes("class32", b, sizeof b, 0755);
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: gen-bad-elf OUTDIR\n");
        return 2;
    }
    outdir = argv[1];
    mkdir(outdir, 0755);
    struct image im;
    minimal(&im);
    emit("minimal", &im);
    emit_bytes("noexec", im.b, im.len, 0644);           /* valid but not executable */
    to_big_endian(&im);
    emit("bigendian", &im);
    cut_files();
    bad_ident_and_machine();
    bad_types();
    shared_library();
    dynamic_executable();
    bad_segments();
    absurd_addresses();
    class32();
    return 0;
}
