/* exitcode.c: process exit paths and the status a parent sees: `exitcode HOW N`
 * with HOW = ret (return from main), exit (atexit handlers and stdio flush
 * run), _exit (neither runs), group (raw exit_group), thread (raw exit of
 * the only thread). Only the low 8 bits of N survive (256 -> 0). */
#include "guest.h"

static void at_exit_handler(void)
{
    printf("atexit handler ran\n");
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: exitcode ret|exit|_exit|group|thread N\n");
        return 2;
    }
    const char *how = argv[1];
    int code = atoi(argv[2]);
    atexit(at_exit_handler);
    printf("exiting via %s with %d", how, code);       /* no newline: buffered */
    if (!strcmp(how, "exit"))
        exit(code);
    if (!strcmp(how, "_exit"))
        _exit(code);                                   /* buffered text is lost */
    if (!strcmp(how, "group"))
        syscall(SYS_exit_group, code);
    if (!strcmp(how, "thread"))
        syscall(SYS_exit, code);
    if (!strcmp(how, "ret"))
        return code;
    fprintf(stderr, "unknown HOW '%s'\n", how);
    return 3;
}
