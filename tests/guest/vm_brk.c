/* vm_brk.c: brk edge cases beyond brk.c: exact unaligned results, the last
 * page usable up to its end, refused shrinks below the start, refusal to grow
 * into (or within a page of) a mapping placed after the break, regrown pages
 * reading zero, a large growth, and RLIMIT_DATA. Results are recorded while
 * the break is moved and printed once it is restored (malloc owns it too). */
#include "guest.h"
#include <stdint.h>
#include <sys/mman.h>
#include <sys/resource.h>

#define PG 4096UL
#define MAXREC 64

static struct { const char *what; int ok, line; } rec[MAXREC];
static int nrec;

/* Record a check without calling into stdio or malloc. */
#define REC(cond)                                                            \
    do {                                                                     \
        if (nrec < MAXREC) {                                                 \
            rec[nrec].what = #cond;                                          \
            rec[nrec].line = __LINE__;                                       \
            rec[nrec++].ok = !!(cond);                                       \
        }                                                                    \
    } while (0)

static uintptr_t brk_(uintptr_t addr)
{
    return (uintptr_t)syscall(SYS_brk, (long)addr);
}

static int all_zero(uintptr_t from, uintptr_t to)
{
    for (const char *p = (const char *)from; p < (const char *)to; p++)
        if (*p)
            return 0;
    return 1;
}

static void fill(uintptr_t from, uintptr_t to, char c)
{
    memset((void *)from, c, to - from);
}

static void exercise(void)
{
    uintptr_t b0 = brk_(0), top = (b0 + PG - 1) & ~(PG - 1);
    REC(brk_(0) == b0);                                  /* queries are stable */
    /* unaligned requests are returned exactly; the whole last page is usable */
    REC(brk_(b0 + 1) == b0 + 1);
    REC(brk_(top + PG + 17) == top + PG + 17);
    REC(brk_(0) == top + PG + 17);
    fill(b0, top + 2 * PG, 'u');                         /* up to the page end */
    REC(brk_(top + 2 * PG) == top + 2 * PG);            /* same page count */
    /* shrinking below the start of the heap is refused */
    REC(brk_(1) == top + 2 * PG);
    REC(brk_(b0 - (1UL << 30)) == top + 2 * PG);
    REC(brk_(0) == top + 2 * PG);
    /* shrink, regrow: the pages given back come back zeroed */
    REC(brk_(top + 8 * PG) == top + 8 * PG);
    fill(top, top + 8 * PG, 'g');
    REC(brk_(top + 2 * PG) == top + 2 * PG);
    REC(brk_(top + 8 * PG) == top + 8 * PG);
    REC(all_zero(top + 2 * PG, top + 8 * PG));
    REC(*(char *)(top + 2 * PG - 1) == 'g');            /* kept below */
    REC(brk_(top) == top);
    /* a mapping 4 pages past the break: brk may come to one page short */
    char *m = mmap((void *)(top + 4 * PG), PG, PROT_READ,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
    REC(m == (char *)(top + 4 * PG));
    REC(brk_(top + 3 * PG) == top + 3 * PG);
    REC(brk_(top + 3 * PG + 1) == top + 3 * PG);
    REC(brk_(top + 4 * PG) == top + 3 * PG);
    REC(brk_(top + 16 * PG) == top + 3 * PG);           /* past it */
    REC(brk_(0) == top + 3 * PG);
    REC(*(volatile char *)m == 0);                      /* mapping untouched */
    munmap(m, PG);
    REC(brk_(top + 16 * PG) == top + 16 * PG);          /* free again */
    REC(all_zero(top + 3 * PG, top + 16 * PG));
    /* a large growth, touched at both ends */
    uintptr_t big = top + (256UL << 20);
    REC(brk_(big) == big);
    *(volatile char *)(big - 1) = 1;
    *(volatile char *)(top + 20 * PG) = 1;
    REC(*(volatile char *)(big - 1) == 1);
    REC(brk_(top) == top);
    /* RLIMIT_DATA bounds the heap */
    struct rlimit old, lim;
    getrlimit(RLIMIT_DATA, &old);
    lim.rlim_cur = 64UL << 20;
    lim.rlim_max = old.rlim_max;
    REC(setrlimit(RLIMIT_DATA, &lim) == 0);
    REC(brk_(top + (128UL << 20)) == top);
    REC(brk_(top + PG) == top + PG);
    REC(setrlimit(RLIMIT_DATA, &old) == 0);
    REC(brk_(top + (128UL << 20)) == top + (128UL << 20));
    REC(brk_(b0) == b0);                                 /* restore */
}

int main(void)
{
    printf("vm_brk\n");                                  /* stdio set up first */
    fflush(stdout);
    exercise();
    for (int i = 0; i < nrec; i++)
        check_at(rec[i].ok, rec[i].what, rec[i].line);
    char *p = malloc(200000);                            /* libc still happy */
    CHECK(p != NULL);
    if (p)
        memset(p, 1, 200000);
    free(p);
    return guest_done();
}
