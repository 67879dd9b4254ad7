/*
 * Address-space benchmark: COUNT cycles of mmap 64 KiB anonymous memory,
 * write one byte in every page, read them back, munmap.
 *
 * Every cycle creates and destroys a VMA and faults in 16 fresh pages, so
 * this measures the mmap/munmap path and page-fault handling, not the CPU.
 * The output (a checksum) is independent of the addresses returned.
 *
 * usage: mmap_cycles [COUNT]   (default 100000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>

#define PAGE 4096
#define PAGES 16

int main(int argc, char **argv)
{
    long count = argc > 1 ? atol(argv[1]) : 100000;
    unsigned long sum = 0;

    for (long i = 0; i < count; i++) {
        unsigned char *p = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE,
                                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (p == MAP_FAILED) {
            perror("mmap");
            return 1;
        }
        for (int pg = 0; pg < PAGES; pg++) {
            if (p[pg * PAGE + i % PAGE] != 0) { /* fresh pages are zero */
                fprintf(stderr, "cycle %ld: page %d not zero\n", i, pg);
                return 1;
            }
            p[pg * PAGE + i % PAGE] = (unsigned char)(i + pg);
        }
        for (int pg = 0; pg < PAGES; pg++)
            sum += p[pg * PAGE + i % PAGE];
        if (munmap(p, PAGES * PAGE) != 0) {
            perror("munmap");
            return 1;
        }
    }

    printf("mmap_cycles: %ld cycles of %d KiB, checksum %lu\n", count,
           PAGES * PAGE / 1024, sum);
    return 0;
}
