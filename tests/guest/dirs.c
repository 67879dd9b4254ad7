/* dirs.c: directories: mkdir, readdir (sorted names and d_type), raw
 * getdents64 with a small buffer, getcwd/chdir/fchdir, rename of files and
 * directories, unlink/rmdir and their errors (EISDIR, ENOTEMPTY, ENOTDIR).
 * Works in a subdirectory "d" of the current directory. */
#include "guest.h"
#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>

static const char *const leftovers[] = {
    "d/a", "d/a2", "d/b", "d/c", "d/lnk", "d/sub/x", "d/moved/x",
};

static void cleanup(void)
{
    for (size_t i = 0; i < sizeof leftovers / sizeof leftovers[0]; i++)
        unlink(leftovers[i]);
    rmdir("d/sub");
    rmdir("d/moved");
    rmdir("d");
}

static void touch(const char *path, const char *text)
{
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, text, strlen(text)), (long)strlen(text));
    close(fd);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Print the entries of PATH sorted by name, as "name type". */
static void list_dir(const char *path)
{
    char *names[32];
    int n = 0;
    DIR *dir = opendir(path);
    CHECK(dir != NULL);
    for (struct dirent *e; dir && n < 32 && (e = readdir(dir));)
        if (asprintf(&names[n], "%s %d", e->d_name, e->d_type) > 0)
            n++;
    if (dir)
        closedir(dir);
    qsort(names, n, sizeof names[0], by_name);
    printf("listing of %s:", path);
    for (int i = 0; i < n; i++) {
        printf(" [%s]", names[i]);
        free(names[i]);
    }
    printf("\n");
}

/* Count entries with raw getdents64 and a buffer that holds only a few. */
static int count_getdents(const char *path, size_t bufsize)
{
    char buf[512];
    int fd = open(path, O_RDONLY | O_DIRECTORY), n = 0;
    long got;
    while ((got = syscall(SYS_getdents64, fd, buf, bufsize)) > 0)
        for (long off = 0; off < got; n++)
            off += *(uint16_t *)(buf + off + 16);      /* d_reclen */
    close(fd);
    return got == 0 ? n : -1;
}

static void test_create_list(void)
{
    CHECK_EQ(mkdir("d", 0755), 0);
    CHECK_ERR(mkdir("d", 0755), EEXIST);
    CHECK_ERR(mkdir("nonexistent/x", 0755), ENOENT);
    touch("d/b", "bb");
    touch("d/a", "a");
    touch("d/c", "ccc");
    CHECK_EQ(mkdir("d/sub", 0700), 0);
    CHECK_EQ(symlink("a", "d/lnk"), 0);
    list_dir("d");
    CHECK_EQ(count_getdents("d", 64), 7);
    CHECK_EQ(count_getdents("d", 512), 7);
    int fd = open("d", O_RDONLY | O_DIRECTORY);
    char tiny[8];
    CHECK_ERR(syscall(SYS_getdents64, fd, tiny, sizeof tiny), EINVAL);
    close(fd);
    fd = open("d/a", O_RDONLY);
    CHECK_ERR(syscall(SYS_getdents64, fd, tiny, sizeof tiny), ENOTDIR);
    close(fd);
}

static void test_cwd(void)
{
    char start[4096], now[4096];
    CHECK(getcwd(start, sizeof start) == start);
    CHECK(start[0] == '/');
    CHECK_EQ(chdir("d"), 0);
    CHECK(getcwd(now, sizeof now) == now);
    CHECK(strlen(now) == strlen(start) + 2 && strcmp(now + strlen(start), "/d") == 0);
    CHECK_EQ(access("a", F_OK), 0);                    /* relative to new cwd */
    CHECK_EQ(chdir(".."), 0);
    CHECK(getcwd(now, sizeof now) && strcmp(now, start) == 0);
    int fd = open("d/sub", O_RDONLY | O_DIRECTORY);
    CHECK_EQ(fchdir(fd), 0);
    CHECK(getcwd(now, sizeof now) && strcmp(now + strlen(start), "/d/sub") == 0);
    CHECK_EQ(chdir(start), 0);
    close(fd);
    CHECK_ERR(chdir("d/a"), ENOTDIR);
    CHECK_ERR(chdir("d/none"), ENOENT);
    CHECK_ERR(syscall(SYS_getcwd, now, 1), ERANGE);
}

static void test_rename_remove(void)
{
    CHECK_EQ(rename("d/a", "d/a2"), 0);
    CHECK_ERR(access("d/a", F_OK), ENOENT);
    CHECK_EQ(rename("d/b", "d/c"), 0);                 /* replaces d/c */
    struct stat st;
    CHECK(stat("d/c", &st) == 0 && st.st_size == 2);
    CHECK_ERR(rename("d/none", "d/x"), ENOENT);
    touch("d/sub/x", "x");
    CHECK_EQ(rename("d/sub", "d/moved"), 0);
    CHECK_EQ(access("d/moved/x", F_OK), 0);
    CHECK_ERR(rename("d/c", "d/moved"), EISDIR);
    CHECK_ERR(rename("d/moved", "d/c"), ENOTDIR);
    list_dir("d");
    CHECK_ERR(unlink("d/moved"), EISDIR);
    CHECK_ERR(rmdir("d/moved"), ENOTEMPTY);
    CHECK_ERR(rmdir("d/c"), ENOTDIR);
    CHECK_EQ(unlink("d/moved/x"), 0);
    CHECK_EQ(rmdir("d/moved"), 0);
    CHECK_EQ(unlink("d/lnk"), 0);
    CHECK_EQ(unlink("d/a2"), 0);
    CHECK_EQ(unlink("d/c"), 0);
    list_dir("d");
    CHECK_EQ(rmdir("d"), 0);
    CHECK_ERR(rmdir("d"), ENOENT);
}

int main(void)
{
    umask(022);
    cleanup();
    test_create_list();
    test_cwd();
    test_rename_remove();
    return guest_done();
}
