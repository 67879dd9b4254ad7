/* float.c: floating point as the CPU and libc compute it: printf %f/%g/%e/%a
 * of doubles, floats and x87 long doubles, strtod/strtold parsing (hex,
 * denormals, inf/nan, overflow ERANGE), SSE rounding modes via fesetround,
 * conversions, NaN/-0.0 behaviour, sqrt. Only correctly rounded operations. */
#include "guest.h"
#include <fenv.h>
#include <float.h>
#include <math.h>
#include <stdint.h>

static volatile double one = 1.0, three = 3.0, tenth = 0.1, neg_zero = -0.0;

static void print_doubles(void)
{
    static const double vals[] = {0.0, 1.0, -2.5, 0.1, 1.0 / 3, 123456789.125, 1e300,
                                  4.9e-324, DBL_MAX, DBL_MIN, 6.02214076e23, -1e-7};
    for (size_t i = 0; i < sizeof vals / sizeof vals[0]; i++)
        printf("%f | %.3g | %e | %.17g | %a\n", vals[i], vals[i], vals[i], vals[i], vals[i]);
    printf("%.20f %.0f %.0f %.0f\n", 0.1, 0.5, 1.5, 2.5);
    printf("%g %g %g %g\n", one / 0.0, -one / 0.0, neg_zero, 0.0 / (one - 1.0));
    printf("float %.9g %a\n", (double)(float)(one / three), (double)(float)(one / three));
}

static void print_long_doubles(void)
{
    volatile long double a = 1.0L, b = 3.0L;
    long double q = a / b;
    printf("ld %.25Lg %La %Le\n", q, q, q);
    printf("ld %.21Lg %.21Lg\n", LDBL_MAX, LDBL_MIN);
    printf("ld sqrt2 %.21Lg\n", sqrtl(a * 2));
    long double big = 1e4000L;
    printf("ld %Lg %Lf\n", big, (long double)tenth);
    CHECK((long double)tenth != 0.1L);                  /* more precise than double */
}

static void test_strtod(void)
{
    static const char *in[] = {"1.5", "  -0x1.8p3", "1e-320", "inf", "-nan", "3.14159265358979323846",
                               "1e400", "0x1p-1074", "2.2250738585072011e-308", "12abc", ""};
    for (size_t i = 0; i < sizeof in / sizeof in[0]; i++) {
        char *end;
        errno = 0;
        double d = strtod(in[i], &end);
        printf("strtod(\"%s\") = %.17g (%a) used %d errno %s\n", in[i], d, d,
               (int)(end - in[i]), errname(errno));
    }
    long double ld = strtold("1.000000000000000001", NULL);
    printf("strtold %.22Lg\n", ld);
    CHECK(strtof("3.4e39", NULL) == HUGE_VALF);
}

static void test_rounding(void)
{
    static const int modes[] = {FE_TONEAREST, FE_DOWNWARD, FE_UPWARD, FE_TOWARDZERO};
    static const char *names[] = {"nearest", "down", "up", "zero"};
    double q[4], n[4];
    for (int i = 0; i < 4; i++) {
        CHECK_EQ(fesetround(modes[i]), 0);
        q[i] = one / three;
        n[i] = -one / three;
    }
    fesetround(FE_TONEAREST);                            /* print in default mode */
    for (int i = 0; i < 4; i++)
        printf("round %s: %a %a\n", names[i], q[i], n[i]);
    CHECK(q[1] < q[2] && q[3] == q[1] && n[3] == n[2]);
}

static void test_conversions(void)
{
    volatile double big = 1e19, frac = -2.75, nan_v = NAN;
    printf("(long)%g = %ld, (int)%g = %d\n", frac, (long)frac, frac, (int)frac);
    printf("(unsigned long)%g = %lu\n", big, (unsigned long)big);
    printf("lrint(2.5)=%ld lrint(3.5)=%ld\n", lrint(2.5), lrint(3.5));
    printf("(double)UINT64_MAX = %a\n", (double)(uint64_t)UINT64_MAX);
    CHECK(nan_v != nan_v && !(nan_v < 1.0) && !(nan_v >= 1.0));
    CHECK(signbit(neg_zero) && neg_zero == 0.0);
    CHECK(sqrt(2.0) * sqrt(2.0) != 2.0 && fabs(sqrt(2.0) * sqrt(2.0) - 2.0) < 1e-15);
    printf("sqrt(2) %.17g fma-free product %.17g\n", sqrt(2.0), tenth * 3.0);
}

int main(void)
{
    print_doubles();
    print_long_doubles();
    test_strtod();
    test_rounding();
    test_conversions();
    return guest_done();
}
