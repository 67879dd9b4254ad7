/* vm_cycles.c: many mappings, quickly: 10,000 mmap/touch/munmap cycles of
 * 64 KiB; 10,000 live 4 KiB mappings (every other one made read-only so they
 * cannot merge), checked, freed in a shuffled order and mapped again into the
 * holes. Prints only counts and checksums. */
#include "guest.h"
#include <stdint.h>
#include <sys/mman.h>

#define PG 4096L
#define N 10000

static char *maps[N];

static uint32_t rng = 12345;
static uint32_t next_rand(void)
{
    rng = rng * 1103515245u + 12345u;
    return rng >> 8;
}

static void cycles(void)
{
    unsigned long sum = 0, zero_ok = 1;
    for (int i = 0; i < N; i++) {
        char *p = mmap(NULL, 16 * PG, PROT_READ | PROT_WRITE,
                       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            break;
        for (int pg = 0; pg < 16; pg++) {
            zero_ok &= p[pg * PG + (i % PG)] == 0;      /* fresh every time */
            p[pg * PG + (i % PG)] = (char)(i + pg);
        }
        for (int pg = 0; pg < 16; pg++)
            sum += (unsigned char)p[pg * PG + (i % PG)];
        if (munmap(p, 16 * PG) != 0)
            break;
    }
    unsigned long want = 0;
    for (int i = 0; i < N; i++)
        for (int pg = 0; pg < 16; pg++)
            want += (unsigned char)(i + pg);
    printf("64 KiB cycles: checksum %lu\n", sum);
    CHECK(sum == want);
    CHECK(zero_ok);
}

static void live(void)
{
    int mapped = 0;
    for (int i = 0; i < N; i++) {
        maps[i] = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (maps[i] == MAP_FAILED)
            break;
        mapped++;
        memset(maps[i], (char)i, 64);
        maps[i][PG - 1] = (char)(i >> 8);
    }
    CHECK_EQ(mapped, N);
    int prot_ok = 1;
    for (int i = 0; i < mapped; i += 2)
        prot_ok &= mprotect(maps[i], PG, PROT_READ) == 0;
    CHECK(prot_ok);
    unsigned long sum = 0;
    int good = 0;
    for (int i = 0; i < mapped; i++) {
        good += maps[i][0] == (char)i && maps[i][63] == (char)i &&
                maps[i][PG - 1] == (char)(i >> 8);
        sum += (unsigned char)maps[i][0] * (unsigned long)(i + 1);
    }
    printf("live mappings: %d intact, checksum %lu\n", good, sum);
    CHECK_EQ(good, N);
    /* unmap in a shuffled order, half at first */
    int order[N];
    for (int i = 0; i < N; i++)
        order[i] = i;
    for (int i = N - 1; i > 0; i--) {
        int j = next_rand() % (i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    int unmapped = 0;
    for (int k = 0; k < N / 2; k++)
        unmapped += munmap(maps[order[k]], PG) == 0;
    /* the survivors are intact; refill the holes */
    good = 0;
    for (int k = N / 2; k < N; k++) {
        int i = order[k];
        good += maps[i][0] == (char)i && maps[i][PG - 1] == (char)(i >> 8);
    }
    int refilled = 0;
    for (int k = 0; k < N / 2; k++) {
        char *p = mmap(NULL, PG, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED)
            break;
        refilled += p[0] == 0 && p[PG - 1] == 0;
        p[0] = 1;
        maps[order[k]] = p;
    }
    for (int i = 0; i < N; i++)
        unmapped += munmap(maps[i], PG) == 0;
    printf("shuffled: %d survivors intact, %d fresh, %d munmaps\n", good, refilled, unmapped);
    CHECK_EQ(good, N / 2);
    CHECK_EQ(refilled, N / 2);
    CHECK_EQ(unmapped, N + N / 2);
}

int main(void)
{
    cycles();
    live();
    return guest_done();
}
