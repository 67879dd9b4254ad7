/* args.c: argv and envp as the kernel lays them out: argc/argv/envp contents,
 * the NULL terminators, envp right after argv, the strings packed back to back,
 * the 16-byte stack alignment at entry (argv == entry rsp + 8), and one
 * variable (LXEMU_TEST_VAR) passed in by ctest. */
#include "guest.h"
#include <stdint.h>

extern char **environ;

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

static void print_args(int argc, char **argv)
{
    printf("argc=%d\n", argc);
    printf("argv[0] basename=%s\n", base_name(argv[0]));
    for (int i = 1; i < argc; i++)
        printf("argv[%d]=<%s> len %zu\n", i, argv[i], strlen(argv[i]));
}

static int count_env(char **envp)
{
    int n = 0;
    while (envp[n])
        n++;
    return n;
}

/* Linux copies the argv strings and then the envp strings contiguously. */
static int strings_packed(int argc, char **argv, char **envp)
{
    char *next = argv[0];
    for (int i = 0; i < argc; i++) {
        if (argv[i] != next)
            return 0;
        next += strlen(argv[i]) + 1;
    }
    for (int i = 0; envp[i]; i++) {
        if (envp[i] != next)
            return 0;
        next += strlen(envp[i]) + 1;
    }
    return 1;
}

static int all_have_equals(char **envp)
{
    for (int i = 0; envp[i]; i++)
        if (!strchr(envp[i], '='))
            return 0;
    return 1;
}

int main(int argc, char **argv, char **envp)
{
    print_args(argc, argv);
    CHECK(argv[argc] == NULL);
    CHECK(envp == argv + argc + 1);
    CHECK(environ == envp);
    CHECK(((uintptr_t)argv & 15) == 8);
    CHECK(strings_packed(argc, argv, envp));
    CHECK(all_have_equals(envp));
    printf("envc=%d\n", count_env(envp));
    const char *v = getenv("LXEMU_TEST_VAR");
    printf("LXEMU_TEST_VAR=<%s>\n", v ? v : "(unset)");
    CHECK(v != NULL);
    CHECK(getenv("LXEMU_SURELY_NOT_SET_VAR") == NULL);
    return guest_done();
}
