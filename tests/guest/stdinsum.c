/* stdinsum.c: reading all of stdin (a redirected regular file or /dev/null)
 * with read(2) in odd-sized chunks until EOF; prints the byte count, line
 * count, an FNV-1a hash and the first and last bytes, then checks that a
 * further read still returns 0 (EOF is sticky for files). */
#include "guest.h"
#include <stdint.h>

int main(void)
{
    unsigned char buf[4093];                            /* odd size on purpose */
    uint64_t hash = 0xcbf29ce484222325ULL;
    long long total = 0, lines = 0;
    int first = -1, last = -1;
    ssize_t n;
    while ((n = read(0, buf, sizeof buf)) > 0) {
        for (ssize_t i = 0; i < n; i++) {
            hash = (hash ^ buf[i]) * 0x100000001b3ULL;
            lines += buf[i] == '\n';
        }
        if (first < 0)
            first = buf[0];
        last = buf[n - 1];
        total += n;
    }
    CHECK_EQ(n, 0);
    printf("bytes %lld lines %lld fnv1a %016llx first %d last %d\n", total, lines,
           (unsigned long long)hash, first, last);
    CHECK_EQ(read(0, buf, sizeof buf), 0);
    return guest_done();
}
