/* x87.c: the x87 instructions Unicorn 2.0.1 computes in double precision
 * (fprem, fprem1, f2xm1, fyl2x, fyl2xp1, fpatan, fptan, fsincos, fsin, fcos,
 * fxtract) must give the hardware's 64-bit-mantissa results, and so must the
 * libc functions built on them (fmodl, strtod near halfway cases, expl, logl). */
#include "guest.h"
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Prints a long double's exact bits. */
static void show(const char *what, long double v)
{
    unsigned char b[10];
    memcpy(b, &v, sizeof(b));
    printf("%-8s %02x%02x:%02x%02x%02x%02x%02x%02x%02x%02x\n", what, b[9], b[8], b[7], b[6],
           b[5], b[4], b[3], b[2], b[1], b[0]);
}

/* op(st0 = x, st1 = y) for an instruction that leaves one or two results. */
#define X87_BINARY(insn, x, y, r0, r1) \
    __asm__ volatile("fldt %3; fldt %2; " insn "; fstpt %0; fstpt %1" \
                     : "=m"(r0), "=m"(r1) : "m"(x), "m"(y))
#define X87_POPPING(insn, x, y, r0) \
    __asm__ volatile("fldt %2; fldt %1; " insn "; fstpt %0" : "=m"(r0) : "m"(x), "m"(y))
#define X87_PUSHING(insn, x, r0, r1) \
    __asm__ volatile("fldt %2; " insn "; fstpt %0; fstpt %1" : "=m"(r0), "=m"(r1) : "m"(x))
#define X87_UNARY(insn, x, r0) \
    __asm__ volatile("fldt %1; " insn "; fstpt %0" : "=m"(r0) : "m"(x))

static void test_instructions(void)
{
    /* 2^64 - 2347 rem 4096: double rounding gives 2048 instead of 1749 */
    long double big = 18446744073709549269.0L, m = 4096.0L, r0, r1;
    long double x = 0.70710678118654752440L, y = 1.3L, tiny = 0x1p-16445L;

    X87_BINARY("fprem", big, m, r0, r1);
    show("fprem", r0);
    X87_BINARY("fprem1", big, m, r0, r1);
    show("fprem1", r0);
    X87_UNARY("f2xm1", x, r0);
    show("f2xm1", r0);
    X87_POPPING("fyl2x", x, y, r0);
    show("fyl2x", r0);
    X87_POPPING("fyl2xp1", x, y, r0);
    show("fyl2xp1", r0);
    X87_POPPING("fpatan", x, y, r0);
    show("fpatan", r0);
    X87_PUSHING("fptan", x, r0, r1);
    show("fptan", r1);
    X87_PUSHING("fsincos", x, r0, r1);
    show("fsincos", r0);
    show("", r1);
    X87_UNARY("fsin", x, r0);
    show("fsin", r0);
    X87_UNARY("fcos", x, r0);
    show("fcos", r0);
    X87_PUSHING("fxtract", tiny, r0, r1);
    show("fxtract", r0);
    show("", r1);
}

static void test_libc(void)
{
    static const char *halfway[] = {
        "2.2250738585072011e-308", "9007199254740993.0000000001",
        "1.00000000000000011102230246251565404236316680908203125000001",
        "7.3177701707893310e+15", "3.4028235677973366e38",
    };
    volatile long double v = 7e6L, tenth = 0.1L, e = 0.7L;

    for (size_t i = 0; i < sizeof halfway / sizeof halfway[0]; i++)
        printf("strtod %s = %a\n", halfway[i], strtod(halfway[i], NULL));
    printf("strtof 1.00000005960464477539062500001 = %a\n",
           (double)strtof("1.00000005960464477539062500001", NULL));
    show("fmodl", fmodl(v, tenth));
    show("remaindl", remainderl(v, tenth));
    show("expl", expl(e));
    show("logl", logl(e));
    show("atanl", atanl(e));
}

int main(void)
{
    test_instructions();
    test_libc();
    return 0;
}
