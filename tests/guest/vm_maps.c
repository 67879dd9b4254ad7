/* vm_maps.c: /proc/self/maps as Linux writes it: the line format (hex widths,
 * perms, offset, dev, inode, the path at column 73), VMA splits and merges after
 * mprotect/munmap, file mappings (offset, dev, inode, path), MAP_SHARED 's',
 * [heap] after brk growth, [stack], the executable, and /proc/PID/maps. */
#include "guest.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <elf.h>

#define PG 4096UL
#define MAXLINES 512

struct line {
    unsigned long start, end, off, ino;
    unsigned maj, min;
    char perms[5];
    const char *path;                   /* "" when there is none */
};

static char text[1 << 16], text2[1 << 16];
static struct line lines[MAXLINES];
static int nlines, format_ok, sorted_ok;

static long slurp(const char *name, char *buf, size_t size)
{
    int fd = open(name, O_RDONLY);
    long n = 0, r;
    if (fd < 0)
        return -1;
    while (n < (long)size - 1 && (r = read(fd, buf + n, size - 1 - n)) > 0)
        n += r;
    close(fd);
    buf[n] = 0;
    return n;
}

/* Count the run of hex digits (lowercase only) at s. */
static int hexrun(const char *s)
{
    int n = 0;
    while ((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f'))
        n++;
    return n;
}

/* Check one line against Linux's format; fill *l. */
static int parse_line(char *s, struct line *l)
{
    char *p = s, *end;
    int n;
    if ((n = hexrun(p)) < 8 || p[n] != '-')
        return 0;
    l->start = strtoul(p, &end, 16);
    p += n + 1;
    if ((n = hexrun(p)) < 8 || p[n] != ' ')
        return 0;
    l->end = strtoul(p, &end, 16);
    p += n + 1;
    if (!strchr("r-", p[0]) || !strchr("w-", p[1]) || !strchr("x-", p[2]) ||
        !strchr("ps", p[3]) || p[4] != ' ' || !p[0] || !p[1] || !p[2] || !p[3])
        return 0;
    memcpy(l->perms, p, 4);
    l->perms[4] = 0;
    p += 5;
    if ((n = hexrun(p)) < 8 || p[n] != ' ')
        return 0;
    l->off = strtoul(p, &end, 16);
    p += n + 1;
    if ((n = hexrun(p)) < 2 || p[n] != ':')
        return 0;
    l->maj = strtoul(p, &end, 16);
    p += n + 1;
    if ((n = hexrun(p)) < 2 || p[n] != ' ')
        return 0;
    l->min = strtoul(p, &end, 16);
    p += n + 1;
    l->ino = strtoul(p, &end, 10);
    if (end == p || *end != ' ')
        return 0;
    p = end + 1;
    l->path = "";
    if (!*p)
        return l->start < l->end && !(l->start % PG) && !(l->end % PG);
    /* the path: padded with spaces so that it starts at column 73 */
    int col = p - s <= 72 ? 73 : (int)(p - s) + 1;
    for (; p - s < col; p++)
        if (*p != ' ')
            return 0;
    if (*p == ' ' || !*p)
        return 0;
    l->path = p;
    return l->start < l->end && !(l->start % PG) && !(l->end % PG);
}

static int special(const struct line *l)
{
    return !strcmp(l->path, "[vdso]") || !strcmp(l->path, "[vvar]") ||
           !strcmp(l->path, "[vvar_vclock]") || !strcmp(l->path, "[vsyscall]");
}

/* Read and parse /proc/self/maps; lxemu has no vdso, so those lines go. */
static void load(void)
{
    nlines = 0;
    format_ok = sorted_ok = 1;
    if (slurp("/proc/self/maps", text, sizeof text) <= 0) {
        format_ok = 0;
        return;
    }
    for (char *s = text, *nl; *s && nlines < MAXLINES; s = nl + 1) {
        nl = strchr(s, '\n');
        if (!nl) {
            format_ok = 0;                      /* last line unterminated */
            break;
        }
        *nl = 0;
        struct line *l = &lines[nlines];
        if (!parse_line(s, l))
            format_ok = 0;
        if (nlines && l->start < lines[nlines - 1].end)
            sorted_ok = 0;
        if (!special(l))
            nlines++;
    }
}

static struct line *find(const void *addr)
{
    for (int i = 0; i < nlines; i++)
        if (lines[i].start <= (uintptr_t)addr && (uintptr_t)addr < lines[i].end)
            return &lines[i];
    return NULL;
}

/* The line starting exactly at addr and ending at addr + len, with perms. */
static int line_is(const void *addr, unsigned long len, const char *perms)
{
    struct line *l = find(addr);
    return l && l->start == (uintptr_t)addr && l->end == (uintptr_t)addr + len &&
           !strcmp(l->perms, perms);
}

static int is_anon(const struct line *l)
{
    return l && l->off == 0 && l->maj == 0 && l->min == 0 && l->ino == 0 && !*l->path;
}

static void test_format(void)
{
    load();
    CHECK(format_ok);
    CHECK(sorted_ok);
    CHECK(nlines > 3);
    /* /proc/PID/maps is the same file */
    char name[64];
    snprintf(name, sizeof name, "/proc/%d/maps", (int)getpid());
    long n1 = slurp("/proc/self/maps", text, sizeof text);
    long n2 = slurp(name, text2, sizeof text2);
    CHECK(n1 > 0 && n1 == n2 && memcmp(text, text2, n1) == 0);
}

static void test_anon(void)
{
    /* a PROT_NONE reservation keeps neighbours from merging with ours */
    char *r = mmap(NULL, 5 * PG, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    char *p = mmap(r + PG, 3 * PG, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
    load();
    CHECK(line_is(p, 3 * PG, "rw-p") && is_anon(find(p)));
    CHECK(line_is(r, PG, "---p") && line_is(r + 4 * PG, PG, "---p"));
    mprotect(p + PG, PG, PROT_READ);
    load();
    CHECK(line_is(p, PG, "rw-p") && line_is(p + PG, PG, "r--p") &&
          line_is(p + 2 * PG, PG, "rw-p"));
    CHECK(is_anon(find(p + PG)));
    mprotect(p + PG, PG, PROT_READ | PROT_WRITE);
    load();
    CHECK(line_is(p, 3 * PG, "rw-p"));                  /* merged again */
    munmap(p + PG, PG);
    load();
    CHECK(line_is(p, PG, "rw-p") && !find(p + PG) && line_is(p + 2 * PG, PG, "rw-p"));
    mprotect(r, 5 * PG, PROT_READ);                     /* over the hole too */
    munmap(r, 5 * PG);
    load();
    CHECK(!find(r) && !find(p) && !find(r + 4 * PG));
}

static void test_file(void)
{
    char cwd[512], path[600];
    struct stat st;
    int fd = open("vm_maps_file", O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK_EQ(ftruncate(fd, 4 * PG), 0);
    CHECK(fstat(fd, &st) == 0 && getcwd(cwd, sizeof cwd) != NULL);
    snprintf(path, sizeof path, "%s/vm_maps_file", cwd);
    char *p = mmap(NULL, 2 * PG, PROT_READ, MAP_PRIVATE, fd, 2 * PG);
    load();
    struct line *l = find(p);
    CHECK(line_is(p, 2 * PG, "r--p"));
    CHECK(l && l->off == 2 * PG);
    CHECK(l && l->maj == major(st.st_dev) && l->min == minor(st.st_dev));
    CHECK(l && l->ino == st.st_ino);
    CHECK(l && !strcmp(l->path, path));
    munmap(p, PG);                                      /* offset follows */
    load();
    l = find(p + PG);
    CHECK(line_is(p + PG, PG, "r--p") && l->off == 3 * PG && l->ino == st.st_ino);
    munmap(p + PG, PG);
    /* a private writable mapping that has been written stays a file line */
    p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
    p[0] = 1;
    load();
    l = find(p);
    CHECK(line_is(p, PG, "rw-p") && l->off == 0 && l->ino == st.st_ino && !strcmp(l->path, path));
    munmap(p, PG);
    /* MAP_SHARED: 's' */
    p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PG);
    load();
    l = find(p);
    CHECK(line_is(p, PG, "rw-s") && l->off == PG && l->ino == st.st_ino && !strcmp(l->path, path));
    munmap(p, PG);
    p = mmap(NULL, PG, PROT_READ, MAP_SHARED, fd, 0);
    load();
    CHECK(line_is(p, PG, "r--s"));
    munmap(p, PG);
    /* shared anonymous memory is a deleted /dev/zero */
    p = mmap(NULL, 2 * PG, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    load();
    l = find(p);
    CHECK(line_is(p, 2 * PG, "rw-s") && l->off == 0 && !strcmp(l->path, "/dev/zero (deleted)"));
    munmap(p, 2 * PG);
    close(fd);
    unlink("vm_maps_file");
}

/* [heap]: grow the break by hand; record, restore, then print. */
static void test_heap(void)
{
    uintptr_t b0 = (uintptr_t)syscall(SYS_brk, 0L), want = b0 + 5 * PG + 123;
    int grown = (uintptr_t)syscall(SYS_brk, (long)want) == want;
    load();
    struct line *l = find((void *)(want - 1));
    int heap = l && !strcmp(l->path, "[heap]") && !strcmp(l->perms, "rw-p");
    int heap_end = l && l->end == ((want + PG - 1) & ~(PG - 1)) && l->start <= b0;
    int heap_anon = l && l->off == 0 && l->maj == 0 && l->min == 0 && l->ino == 0;
    syscall(SYS_brk, (long)b0);
    CHECK(grown);
    CHECK(heap);
    CHECK(heap_end);
    CHECK(heap_anon);
}

static void test_stack_and_exe(const char *argv0)
{
    int local = 0;
    load();
    struct line *l = find(&local);
    CHECK(l && !strcmp(l->path, "[stack]") && !strcmp(l->perms, "rw-p"));
    CHECK(l && l == &lines[nlines - 1]);                /* the highest line */
    /* the text segment: r-xp, the executable's path, the PT_LOAD offset */
    l = find((void *)(uintptr_t)&test_stack_and_exe);
    const char *base = strrchr(argv0, '/') ? strrchr(argv0, '/') + 1 : argv0;
    size_t pl = l ? strlen(l->path) : 0, bl = strlen(base);
    CHECK(l && !strcmp(l->perms, "r-xp"));
    CHECK(l && l->path[0] == '/' && pl > bl && !strcmp(l->path + pl - bl, base) &&
          l->path[pl - bl - 1] == '/');
    const Elf64_Phdr *ph = (const Elf64_Phdr *)getauxval(AT_PHDR);
    unsigned long phnum = getauxval(AT_PHNUM), xoff = 1;
    for (unsigned long i = 0; ph && i < phnum; i++)
        if (ph[i].p_type == PT_LOAD && (ph[i].p_flags & PF_X))
            xoff = ph[i].p_offset & ~(PG - 1);
    CHECK(l && l->off == xoff);
    CHECK(l && l->ino != 0 && (l->maj || l->min));
}

int main(int argc, char **argv)
{
    (void)argc;
    test_format();
    test_anon();
    test_file();
    test_heap();
    test_stack_and_exe(argv[0]);
    return guest_done();
}
