/* x87_loop.c: 20,000 strtod conversions (musl's go through fmodl, an x87
 * fprem that lxemu runs from a code hook) and printf of their sum: with
 * --stop-storm the engine is stopped and restarted throughout, and the
 * result must still be exact. */
#include "guest.h"
#include <stdlib.h>

int main(void)
{
    char buf[64];
    double sum = 0;

    for (int i = 0; i < 20000; i++) {
        snprintf(buf, sizeof(buf), "%d.%d", i, i * 7);
        sum += strtod(buf, NULL);
    }
    printf("%.3f\n", sum);
    return 0;
}
