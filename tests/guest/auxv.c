/* auxv.c: the auxiliary vector the kernel puts after envp: page size, program
 * headers (AT_PHDR/PHENT/PHNUM checked against the executable file and the
 * mapped image), AT_ENTRY == _start, AT_BASE == 0 (no interpreter), AT_RANDOM,
 * AT_EXECFN == argv[0], AT_CLKTCK, AT_PLATFORM, ids, AT_SECURE, AT_HWCAP. */
#include "guest.h"
#include <elf.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/auxv.h>

extern char _start[];

static Elf64_auxv_t *auxv;

/* The raw vector: it starts right after envp's NULL. */
static void find_auxv(char **envp)
{
    while (*envp)
        envp++;
    auxv = (Elf64_auxv_t *)(envp + 1);
}

/* Value of type T in the raw vector; *found says whether it was there. */
static unsigned long aux(unsigned long type, int *found)
{
    for (Elf64_auxv_t *a = auxv; a->a_type != AT_NULL; a++)
        if (a->a_type == type) {
            *found = 1;
            return a->a_un.a_val;
        }
    *found = 0;
    return 0;
}

/* Require TYPE to be present once and to agree with getauxval(). */
static unsigned long need(unsigned long type, const char *name)
{
    int found, dups = 0;
    unsigned long v = aux(type, &found);
    for (Elf64_auxv_t *a = auxv; a->a_type != AT_NULL; a++)
        dups += a->a_type == type;
    printf("%s %s present once\n", dups == 1 ? "ok  " : "FAIL", name);
    guest_checks++;
    guest_failures += dups != 1;
    if (type != AT_HWCAP) /* static glibc reports its own hwcap bits */
        CHECK(getauxval(type) == v);
    return v;
}

/* Read the ELF header and program headers of the executable file itself. */
static int read_file_headers(const char *path, Elf64_Ehdr *eh, Elf64_Phdr *ph, int max)
{
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return -1;
    int ok = pread(fd, eh, sizeof *eh, 0) == sizeof *eh && eh->e_phnum <= max;
    size_t len = (size_t)eh->e_phnum * sizeof *ph;
    ok = ok && pread(fd, ph, len, eh->e_phoff) == (ssize_t)len;
    close(fd);
    return ok ? 0 : -1;
}

/* Compare every read-only PT_LOAD in memory with the file's bytes. */
static int ro_loads_match(const char *path, const Elf64_Phdr *ph, int n, uintptr_t bias)
{
    int fd = open(path, O_RDONLY), good = fd >= 0;
    for (int i = 0; good && i < n; i++) {
        if (ph[i].p_type != PT_LOAD || (ph[i].p_flags & PF_W))
            continue;
        char *buf = malloc(ph[i].p_filesz + 1);
        good = buf && pread(fd, buf, ph[i].p_filesz, ph[i].p_offset) == (ssize_t)ph[i].p_filesz;
        good = good && !memcmp(buf, (char *)(bias + ph[i].p_vaddr), ph[i].p_filesz);
        free(buf);
    }
    if (fd >= 0)
        close(fd);
    return good;
}

/* Virtual address (before load bias) at which file offset OFF is loaded. */
static uintptr_t vaddr_of_offset(const Elf64_Phdr *ph, int n, uintptr_t off)
{
    for (int i = 0; i < n; i++)
        if (ph[i].p_type == PT_LOAD && off >= ph[i].p_offset &&
            off < ph[i].p_offset + ph[i].p_filesz)
            return ph[i].p_vaddr + (off - ph[i].p_offset);
    return 0;
}

static void check_phdrs(const char *path)
{
    Elf64_Ehdr eh;
    Elf64_Phdr ph[64];
    unsigned long phdr = need(AT_PHDR, "AT_PHDR"), entry = need(AT_ENTRY, "AT_ENTRY");
    CHECK(need(AT_PHENT, "AT_PHENT") == sizeof(Elf64_Phdr));
    unsigned long phnum = need(AT_PHNUM, "AT_PHNUM");
    CHECK(read_file_headers(path, &eh, ph, 64) == 0);
    printf("e_type=%s\n", eh.e_type == ET_EXEC ? "ET_EXEC" : eh.e_type == ET_DYN ? "ET_DYN" : "?");
    CHECK(phnum == eh.e_phnum);
    uintptr_t bias = entry - eh.e_entry;
    CHECK(eh.e_type == ET_DYN || bias == 0);
    CHECK(entry == (uintptr_t)_start);
    CHECK(phdr == bias + vaddr_of_offset(ph, eh.e_phnum, eh.e_phoff));
    CHECK(memcmp((void *)phdr, ph, phnum * sizeof(Elf64_Phdr)) == 0);
    CHECK(ro_loads_match(path, ph, eh.e_phnum, bias));
}

static void check_misc(const char *argv0)
{
    unsigned long pagesz = need(AT_PAGESZ, "AT_PAGESZ");
    printf("AT_PAGESZ=%lu\n", pagesz);
    CHECK(pagesz == (unsigned long)sysconf(_SC_PAGESIZE));
    CHECK(need(AT_CLKTCK, "AT_CLKTCK") == 100);
    CHECK(need(AT_BASE, "AT_BASE") == 0);
    CHECK(need(AT_FLAGS, "AT_FLAGS") == 0);
    CHECK(need(AT_SECURE, "AT_SECURE") == 0);
    CHECK(need(AT_HWCAP, "AT_HWCAP") != 0);
    const char *platform = (const char *)need(AT_PLATFORM, "AT_PLATFORM");
    CHECK(platform && strcmp(platform, "x86_64") == 0);
    const char *execfn = (const char *)need(AT_EXECFN, "AT_EXECFN");
    CHECK(execfn && strcmp(execfn, argv0) == 0);
}

static void check_ids_random(void)
{
    CHECK(need(AT_UID, "AT_UID") == getuid());
    CHECK(need(AT_EUID, "AT_EUID") == geteuid());
    CHECK(need(AT_GID, "AT_GID") == getgid());
    CHECK(need(AT_EGID, "AT_EGID") == getegid());
    const unsigned char *rnd = (const unsigned char *)need(AT_RANDOM, "AT_RANDOM");
    int nonzero = 0;
    for (int i = 0; rnd && i < 16; i++)
        nonzero |= rnd[i];
    CHECK(rnd != NULL && nonzero);
}

int main(int argc, char **argv, char **envp)
{
    (void)argc;
    find_auxv(envp);
    check_misc(argv[0]);
    check_ids_random();
    check_phdrs(argv[0]);
    errno = 0;
    CHECK(getauxval(0x7fffffff) == 0 && errno == ENOENT);
    return guest_done();
}
