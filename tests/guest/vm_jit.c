/* vm_jit.c: code written at run time must run as written: the W^X pattern
 * (write, mprotect RX, call, rewrite), in-place rewrites in an RWX page, code
 * stored by read(2), a shared file mapped both RW and RX (dual-mapping JIT),
 * and code replaced by munmap + MAP_FIXED, by MAP_FIXED alone, or by mremap. */
#include "guest.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/mman.h>

#define PG 4096L
#define RW (PROT_READ | PROT_WRITE)
#define RX (PROT_READ | PROT_EXEC)
#define RWX (PROT_READ | PROT_WRITE | PROT_EXEC)

typedef int (*fn_t)(void);

/* Store "mov $val, %eax; ret" (6 bytes) at p. */
static void emit(char *p, int32_t val)
{
    unsigned char code[6] = {0xb8, 0, 0, 0, 0, 0xc3};
    memcpy(code + 1, &val, 4);
    memcpy(p, code, sizeof code);
    __builtin___clear_cache(p, p + sizeof code);
}

static int call(const char *p)
{
    return ((fn_t)(uintptr_t)p)();
}

static char *anon(void *hint, int prot, int extra)
{
    return mmap(hint, PG, prot, MAP_PRIVATE | MAP_ANONYMOUS | extra, -1, 0);
}

static void test_wx(void)
{
    char *p = anon(NULL, RW, 0);
    emit(p, 42);
    CHECK_EQ(mprotect(p, PG, RX), 0);
    CHECK_EQ(call(p), 42);
    CHECK_EQ(mprotect(p, PG, RW), 0);
    emit(p, 7);
    CHECK_EQ(mprotect(p, PG, RX), 0);
    CHECK_EQ(call(p), 7);
    munmap(p, PG);
}

static void test_rwx(void)
{
    char *p = anon(NULL, RWX, 0);
    emit(p, 1);
    CHECK_EQ(call(p), 1);
    emit(p, 2);                                     /* same page, same length */
    CHECK_EQ(call(p), 2);
    long sum = 0;
    for (int i = 0; i < 200; i++) {                 /* rewrite between calls */
        p[1] = (char)i;
        sum += call(p);
    }
    CHECK_EQ(sum, 199 * 200 / 2);
    /* two functions in one page: write the second after running the first */
    emit(p + 256, 300);
    CHECK_EQ(call(p + 256), 300);
    emit(p, 11);
    CHECK(call(p) == 11 && call(p + 256) == 300);
    /* a loop that rewrites its own immediate on each pass */
    emit(p + 512, 0);
    for (int i = 1; i <= 50; i++) {
        int got = call(p + 512);
        emit(p + 512, got + i);
    }
    CHECK_EQ(call(p + 512), 50 * 51 / 2);
    munmap(p, PG);
}

static void test_read_into_code(void)
{
    char code[6];
    unlink("vm_jit_code");
    int fd = open("vm_jit_code", O_CREAT | O_RDWR | O_TRUNC, 0644);
    emit(code, 1234);                               /* plain data: not run */
    CHECK_EQ(write(fd, code, 6), 6);
    char *p = anon(NULL, RWX, 0);
    emit(p, 5);
    CHECK_EQ(call(p), 5);                           /* translated once */
    CHECK_EQ(pread(fd, p, 6, 0), 6);                /* the kernel stores code */
    CHECK_EQ(call(p), 1234);
    munmap(p, PG);
    /* into an RW page made RX afterwards */
    p = anon(NULL, RW, 0);
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    CHECK_EQ(read(fd, p + 100, 6), 6);
    CHECK_EQ(mprotect(p, PG, RX), 0);
    CHECK_EQ(call(p + 100), 1234);
    munmap(p, PG);
    close(fd);
    unlink("vm_jit_code");
}

/* One file, mapped MAP_SHARED twice: written through RW, run through RX. */
static void test_dual_mapping(void)
{
    unlink("vm_jit_dual");
    int fd = open("vm_jit_dual", O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK_EQ(ftruncate(fd, PG), 0);
    char *w = mmap(NULL, PG, RW, MAP_SHARED, fd, 0);
    char *x = mmap(NULL, PG, RX, MAP_SHARED, fd, 0);
    CHECK(w != MAP_FAILED && x != MAP_FAILED && w != x);
    emit(w, 77);
    CHECK_EQ(call(x), 77);
    emit(w, 78);                                    /* other view, same page */
    CHECK_EQ(call(x), 78);
    char code[6];
    emit(code, 79);
    CHECK_EQ(pwrite(fd, code, 6, 0), 6);            /* through the file */
    CHECK_EQ(call(x), 79);
    munmap(w, PG);
    munmap(x, PG);
    /* a private executable file mapping: run the file's code */
    x = mmap(NULL, PG, RX, MAP_PRIVATE, fd, 0);
    CHECK(x != MAP_FAILED && call(x) == 79);
    munmap(x, PG);
    close(fd);
    unlink("vm_jit_dual");
}

static void test_replace(void)
{
    char *p = anon(NULL, RWX, 0);
    emit(p, 100);
    CHECK_EQ(call(p), 100);
    /* munmap, then a new mapping at the same address */
    CHECK_EQ(munmap(p, PG), 0);
    char *q = anon(p, RW, MAP_FIXED);
    CHECK(q == p);
    emit(q, 101);
    CHECK_EQ(mprotect(q, PG, RX), 0);
    CHECK_EQ(call(p), 101);
    /* MAP_FIXED straight over the code */
    q = anon(p, RWX, MAP_FIXED);
    CHECK(q == p);
    emit(q, 102);
    CHECK_EQ(call(p), 102);
    /* mremap moves the code; new code then goes in at the old address */
    char *m = mremap(p, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, anon(NULL, PROT_NONE, 0));
    CHECK(m != MAP_FAILED && m != p && call(m) == 102);
    q = anon(p, RWX, MAP_FIXED);
    emit(q, 103);
    CHECK(call(q) == 103 && call(m) == 102);
    munmap(q, PG);
    munmap(m, PG);
}

int main(void)
{
    test_wx();
    test_rwx();
    test_read_into_code();
    test_dual_mapping();
    test_replace();
    return guest_done();
}
