/* brk.c: the raw brk syscall: query, grow, write, shrink, regrow (fresh pages
 * read as zero); requests below the start or in kernel space change nothing.
 * Results are recorded and printed only after the break is restored, since
 * libc's malloc (used by stdio) owns the break too. */
#include "guest.h"
#include <stdint.h>

#define PAGE 4096UL
#define MAXREC 32

static struct { const char *what; int ok; } rec[MAXREC];
static int nrec;

/* Record a check without calling into stdio or malloc. */
#define REC(cond)                                                            \
    do {                                                                     \
        if (nrec < MAXREC) {                                                 \
            rec[nrec].what = #cond;                                          \
            rec[nrec++].ok = !!(cond);                                       \
        }                                                                    \
    } while (0)

static uintptr_t sys_brk(uintptr_t addr)
{
    return (uintptr_t)syscall(SYS_brk, addr);
}

static uintptr_t page_up(uintptr_t a)
{
    return (a + PAGE - 1) & ~(PAGE - 1);
}

static int all_zero(uintptr_t from, uintptr_t to)
{
    for (const char *p = (const char *)from; p < (const char *)to; p++)
        if (*p)
            return 0;
    return 1;
}

static int fill_and_verify(uintptr_t from, uintptr_t to)
{
    for (char *p = (char *)from; p < (char *)to; p++)
        *p = (char)((uintptr_t)p * 7 >> 3);
    for (const char *p = (const char *)from; p < (const char *)to; p++)
        if (*p != (char)((uintptr_t)p * 7 >> 3))
            return 0;
    return 1;
}

static void exercise_brk(void)
{
    uintptr_t b0 = sys_brk(0), big = b0 + 64 * 1024, small = b0 + PAGE;
    REC(b0 != 0 && b0 != (uintptr_t)-1);
    REC(sys_brk(big) == big);
    REC(sys_brk(0) == big);
    REC(all_zero(page_up(b0), big));
    REC(fill_and_verify(b0, big));
    REC(sys_brk(small) == small);
    REC(sys_brk(0) == small);
    REC(sys_brk(big) == big);
    REC(all_zero(page_up(small), big));                 /* old data gone */
    REC(fill_and_verify(b0, big));
    REC(sys_brk(1) == big);                             /* below start: refused */
    REC(sys_brk(0xffff800000000000UL) == big);          /* kernel half: refused */
    REC(sys_brk(b0 + 3) == b0 + 3);                     /* unaligned is kept */
    REC(sys_brk(0) == b0 + 3);
    REC(sys_brk(b0) == b0);
}

int main(void)
{
    exercise_brk();
    for (int i = 0; i < nrec; i++)
        check_at(rec[i].ok, rec[i].what, 0);
    CHECK(sbrk(0) == (void *)syscall(SYS_brk, 0));
    char *p = malloc(100000);                           /* libc still happy */
    CHECK(p != NULL && fill_and_verify((uintptr_t)p, (uintptr_t)p + 100000));
    free(p);
    return guest_done();
}
