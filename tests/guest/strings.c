/* strings.c: libc code paths that lean on the CPU's vector and string
 * instructions: qsort of 10000 ints, memcpy/memmove (overlapping)/memset/
 * memchr/strlen at many alignments, strstr/strtok/snprintf/strtol edge cases,
 * and setjmp/longjmp (nested, volatile locals kept, return value 0 -> 1). */
#include "guest.h"
#include <limits.h>
#include <setjmp.h>
#include <stdint.h>

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

static void test_qsort(void)
{
    enum { N = 10000 };
    static int v[N];
    uint32_t seed = 12345;
    long long sum = 0;
    for (int i = 0; i < N; i++) {
        seed = seed * 1103515245 + 12345;
        v[i] = (int)(seed >> 8) - (1 << 22);
        sum += v[i];
    }
    qsort(v, N, sizeof v[0], cmp_int);
    int sorted = 1;
    long long after = 0, weighted = 0;
    for (int i = 0; i < N; i++) {
        sorted &= i == 0 || v[i - 1] <= v[i];
        after += v[i];
        weighted += (long long)v[i] * (i % 97);
    }
    CHECK(sorted && after == sum);
    printf("qsort min %d median %d max %d weighted %lld\n", v[0], v[N / 2], v[N - 1], weighted);
}

/* memcpy/memmove/strlen/memchr at every small alignment and length. */
static void test_mem_alignments(void)
{
    static char src[300], dst[300];
    int bad = 0;
    for (int i = 0; i < 300; i++)
        src[i] = (char)(i * 13 + 1);
    for (int off = 0; off < 16; off++)
        for (int len = 0; len < 200; len += 7) {
            memset(dst, 0, sizeof dst);
            memcpy(dst + off, src + (15 - off), len);
            bad += memcmp(dst + off, src + (15 - off), len) != 0 || dst[off + len] != 0;
            bad += strlen(dst + off) != strnlen(src + 15 - off, len);
            bad += memchr(dst + off, 0, len + 1) != memchr(dst + off, 0, sizeof dst - off);
        }
    CHECK_EQ(bad, 0);
    char buf[32] = "0123456789abcdefghij";
    memmove(buf + 3, buf, 15);                         /* overlap forwards */
    memmove(buf + 20, buf + 22, 0);
    printf("memmove fwd %s\n", buf);
    memmove(buf, buf + 5, 10);                         /* overlap backwards */
    printf("memmove back %s\n", buf);
}

static void test_str_funcs(void)
{
    char text[] = "alpha,beta,,gamma;delta", *save, out[64];
    CHECK(strstr("haystack with needle inside", "needle") - "haystack with needle inside" == 14);
    CHECK(strstr("aaaaaaaaab", "aaab") != NULL && strstr("abc", "abd") == NULL);
    for (char *t = strtok_r(text, ",;", &save); t; t = strtok_r(NULL, ",;", &save))
        printf("token <%s>\n", t);
    volatile size_t cap = 8;
    CHECK_EQ(snprintf(out, cap, "%s-%d", "truncated", 12345), 15);
    printf("snprintf <%s> <%5.2s|%-6d|%+d|%#o|%llu>\n", out, "xyz", -42, 255, 8, ULLONG_MAX);
    errno = 0;
    printf("strtol %ld %ld %ld\n", strtol("-0x7fffffffffffffff", NULL, 16), strtol("0777", NULL, 0),
           strtol("z", NULL, 36));
    CHECK(strtol("99999999999999999999", NULL, 10) == LONG_MAX && errno == ERANGE);
    CHECK(strcmp("abc", "abd") < 0 && strncmp("abcX", "abcY", 3) == 0 && strcasecmp("HeLLo", "hello") == 0);
    printf("strrchr %s strspn %zu strcspn %zu\n", strrchr("a/b/c", '/'), strspn("aabbc", "ab"),
           strcspn("hello world", " "));
}

static jmp_buf outer, inner;

static void deep(int level)
{
    if (level < 0)
        return;
    if (level == 0)
        longjmp(inner, 0);                              /* delivers 1 */
    deep(level - 1);
}

static void test_setjmp(void)
{
    volatile int counter = 0;
    int r = setjmp(outer);
    counter++;
    if (r == 0) {
        int r2 = setjmp(inner);
        if (r2 == 0)
            deep(50);
        printf("inner setjmp returned %d\n", r2);
        longjmp(outer, 7);
    }
    printf("outer setjmp returned %d, counter %d\n", r, counter);
    CHECK(r == 7 && counter == 2);
}

int main(void)
{
    test_qsort();
    test_mem_alignments();
    test_str_funcs();
    test_setjmp();
    return guest_done();
}
