/* fs_root.c: the file tree's root holds against every way up and out.
 * Wherever the root is (the host's / natively, the --root directory under
 * lxemu), the program sees one: ".." chains from "/", from the cwd and from
 * a dirfd, symlinks to "/" and to "../../..", absolute symlinks, trailing
 * slashes, openat with dirfds and "/", /proc/self/root, /proc/self/cwd and
 * /proc/self/fd/N/.., chdir and fchdir upwards, execve of a script whose #!
 * interpreter and of a program whose path go through those links: each
 * ends at the root, or at the same object inside it as the plain path.
 * Also O_NOFOLLOW, AT_SYMLINK_NOFOLLOW and AT_EMPTY_PATH, O_CREAT through
 * a dangling symlink, and guest paths in getcwd, /proc/self/{cwd,fd,exe}
 * and /proc/self/maps.
 *
 * Usage: fs_root [SCRATCH [MARKER]].  SCRATCH (default "fsr" in the cwd) is
 * made and removed again.  MARKER is the name of a file in the directory
 * above the root (under lxemu --root): no path may open it.  Output is the
 * same wherever the root and the scratch directory are. */
#include "guest.h"
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/wait.h>

#ifndef AT_EMPTY_PATH
#define AT_EMPTY_PATH 0x1000
#endif

/* More ".." than any directory here is deep: each chain must stop at "/". */
#define UP40 "../../../../../../../../../../../../../../../../../../../../" \
             "../../../../../../../../../../../../../../../../../../../.."

static struct stat root_st;
static char scratch[PATH_MAX]; /* absolute path of the scratch directory */
static char self[PATH_MAX];    /* this program, as /proc/self/exe says */

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* path (relative to dirfd) is the object that want names. */
static int same_at(int dirfd, const char *path, const char *want, int flags)
{
    struct stat a, b;

    return !fstatat(dirfd, path, &a, flags) && !stat(want, &b) && same_file(&a, &b);
}

static int is_root_at(int dirfd, const char *path)
{
    struct stat st;

    return !fstatat(dirfd, path, &st, 0) && same_file(&st, &root_st);
}
#define IS_ROOT(path) is_root_at(AT_FDCWD, path)

/* An fd opened on path is the root. */
static int opens_root(int dirfd, const char *path, int flags)
{
    struct stat st;
    int fd = openat(dirfd, path, flags);
    int ok = fd >= 0 && !fstat(fd, &st) && same_file(&st, &root_st);

    if (fd >= 0)
        close(fd);
    return ok;
}

static int link_is(const char *path, const char *want)
{
    char buf[PATH_MAX];
    ssize_t n = readlink(path, buf, sizeof buf - 1);

    if (n < 0)
        return 0;
    buf[n] = 0;
    return !strcmp(buf, want);
}

static void setup(void)
{
    char target[PATH_MAX * 2];

    CHECK(mkdir("a", 0755) == 0);
    CHECK(mkdir("a/b", 0755) == 0);
    CHECK(mkdir("a/b/c", 0755) == 0);
    CHECK(symlink("/", "root") == 0);
    CHECK(symlink(UP40, "up") == 0);
    CHECK(symlink(UP40, "a/b/c/upr") == 0);
    CHECK(symlink("..", "a/b/dotdot") == 0);
    CHECK(symlink("a/b", "rel") == 0);
    CHECK(symlink("loop", "loop") == 0);
    snprintf(target, sizeof target, "%s/a", scratch);
    CHECK(symlink(target, "sabs") == 0);
    /* Up past the root, then down again: the root's own path to here. */
    snprintf(target, sizeof target, "%s%s/a/b", UP40, scratch);
    CHECK(symlink(target, "updown") == 0);
    snprintf(target, sizeof target, "%s/created", scratch);
    CHECK(symlink(target, "dangling") == 0);
    CHECK(symlink("/nonexistent-fs-root/x", "nowhere") == 0);
}

static void check_dotdot(void)
{
    CHECK(IS_ROOT("/"));
    CHECK(IS_ROOT("/.."));
    CHECK(IS_ROOT("/../../.."));
    CHECK(IS_ROOT("//..//..//./"));
    CHECK(IS_ROOT(UP40));
    CHECK(IS_ROOT(UP40 "/."));
    CHECK(IS_ROOT("a/b/c/" UP40));
    CHECK(opens_root(AT_FDCWD, "/..", O_RDONLY | O_DIRECTORY));
    CHECK(opens_root(AT_FDCWD, UP40, O_PATH));
}

static void check_symlinks(void)
{
    char path[PATH_MAX * 3];
    struct stat st;

    CHECK(IS_ROOT("root"));
    CHECK(IS_ROOT("root/"));
    CHECK(IS_ROOT("root/.."));
    CHECK(IS_ROOT("root/../../.."));
    CHECK(IS_ROOT("up"));
    CHECK(IS_ROOT("up/.."));
    CHECK(IS_ROOT("a/b/c/upr"));
    CHECK(IS_ROOT("a/b/c/upr/../.."));
    snprintf(path, sizeof path, "sabs/b/c/upr%s/up%s/root/..", scratch, scratch);
    CHECK(IS_ROOT(path));
    CHECK(opens_root(AT_FDCWD, "up", O_RDONLY | O_DIRECTORY));
    CHECK(same_at(AT_FDCWD, "sabs", "a", 0));
    CHECK(same_at(AT_FDCWD, "sabs/b/c", "a/b/c", 0));
    CHECK(same_at(AT_FDCWD, "updown", "a/b", 0));
    snprintf(path, sizeof path, "updown/c/upr%s/updown", scratch);
    CHECK(same_at(AT_FDCWD, path, "a/b", 0));
    CHECK(same_at(AT_FDCWD, "a/b/dotdot", "a", 0));
    CHECK(same_at(AT_FDCWD, "rel/c", "a/b/c", 0));
    CHECK(link_is("root", "/"));
    CHECK(link_is("up", UP40));
    CHECK_ERR(open("loop", O_RDONLY), ELOOP);
    CHECK_ERR(open("nowhere", O_RDONLY), ENOENT);
    CHECK_ERR(stat("up/nonexistent-fs-root", &st), ENOENT);
    CHECK_ERR(stat("/nonexistent-fs-root/..", &st), ENOENT);
}

static void check_nofollow(void)
{
    struct stat st;
    int fd;

    CHECK_ERR(open("root", O_RDONLY | O_NOFOLLOW), ELOOP);
    CHECK_ERR(open("up", O_RDONLY | O_NOFOLLOW), ELOOP);
    CHECK(lstat("root", &st) == 0 && S_ISLNK(st.st_mode));
    CHECK(fstatat(AT_FDCWD, "up", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode));
    CHECK(lstat("root/", &st) == 0 && S_ISDIR(st.st_mode) && same_file(&st, &root_st));
    fd = open("up", O_PATH | O_NOFOLLOW);
    CHECK(fd >= 0 && fstat(fd, &st) == 0 && S_ISLNK(st.st_mode));
    if (fd >= 0)
        close(fd);
    /* Not followed: the link itself goes, never what it names. */
    CHECK(symlink("/", "gone") == 0);
    CHECK(unlink("gone") == 0);
    CHECK(IS_ROOT("/"));
    CHECK_ERR(rmdir("root"), ENOTDIR);
    CHECK_ERR(rmdir("up/"), ENOTDIR);
    CHECK_ERR(mkdir("root", 0755), EEXIST);
    CHECK_ERR(mkdir("/..", 0755), EEXIST);
}

static void check_dirfd(void)
{
    char path[PATH_MAX * 2];
    struct stat st, st2;
    int dfd = open("a/b/c", O_RDONLY | O_DIRECTORY), rfd = open("/", O_PATH);

    CHECK(dfd >= 0 && rfd >= 0);
    CHECK(is_root_at(dfd, UP40));
    CHECK(is_root_at(dfd, "upr"));
    CHECK(is_root_at(dfd, "upr/../.."));
    CHECK(is_root_at(dfd, "/"));
    CHECK(is_root_at(dfd, "../../../" UP40));
    CHECK(is_root_at(rfd, ".."));
    CHECK(is_root_at(rfd, "../.."));
    CHECK(opens_root(dfd, UP40, O_RDONLY | O_DIRECTORY));
    CHECK(opens_root(rfd, "..", O_RDONLY | O_DIRECTORY));
    CHECK(same_at(dfd, "..", "a/b", 0));
    CHECK(same_at(dfd, "../../b/c/../dotdot", "a", 0));
    CHECK(same_at(dfd, "", "a/b/c", AT_EMPTY_PATH));
    CHECK(fstatat(dfd, "", &st, AT_EMPTY_PATH) == 0 && fstat(dfd, &st2) == 0 &&
          same_file(&st, &st2));
    CHECK_ERR(fstatat(dfd, "", &st, 0), ENOENT);
    CHECK(fstatat(dfd, "upr", &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode));
    /* Made through a dirfd and a ".." past the root: inside, where the path says. */
    snprintf(path, sizeof path, UP40 "%s/a/../a/b/c/../c/made", scratch);
    CHECK(mkdirat(dfd, path, 0755) == 0);
    CHECK(access("a/b/c/made", F_OK) == 0);
    CHECK(unlinkat(dfd, "upr/../../made", AT_REMOVEDIR) == -1 && errno == ENOENT);
    snprintf(path, sizeof path, "upr%s/a/b/c/made", scratch);
    CHECK(unlinkat(dfd, path, AT_REMOVEDIR) == 0);
    CHECK_ERR(mkdirat(dfd, "../../../../../../../../nonexistent-fs-root/x", 0755), ENOENT);
    close(dfd);
    close(rfd);
}

static void check_create(void)
{
    char path[PATH_MAX * 2];
    struct stat st, st2;
    int fd;

    /* O_CREAT through a dangling absolute symlink creates its target in the root. */
    fd = open("dangling", O_CREAT | O_WRONLY, 0644);
    CHECK(fd >= 0);
    if (fd >= 0)
        close(fd);
    CHECK(access("created", F_OK) == 0);
    CHECK(unlink("created") == 0);
    CHECK_ERR(open("dangling", O_CREAT | O_EXCL | O_WRONLY, 0644), EEXIST);
    CHECK_ERR(access("created", F_OK), ENOENT);
    /* Made, renamed, linked and removed through links up past the root. */
    snprintf(path, sizeof path, "up%s/a/m", scratch);
    CHECK(mkdir(path, 0755) == 0);
    CHECK(access("a/m", F_OK) == 0);
    snprintf(path, sizeof path, "root%s/a/m", scratch);
    CHECK(rename(path, "sabs/m2") == 0);
    CHECK(access("a/m2", F_OK) == 0);
    snprintf(path, sizeof path, "a/b/c/upr%s/a/m2", scratch);
    CHECK(rmdir(path) == 0);
    fd = open("a/b/c/file", O_CREAT | O_WRONLY, 0644);
    CHECK(fd >= 0);
    if (fd >= 0)
        close(fd);
    CHECK(linkat(AT_FDCWD, "sabs/b/c/file", AT_FDCWD, "hard", AT_SYMLINK_FOLLOW) == 0);
    CHECK(same_at(AT_FDCWD, "hard", "a/b/c/file", 0));
    CHECK(linkat(AT_FDCWD, "root", AT_FDCWD, "hardlink-to-link", 0) == 0);
    CHECK(lstat("hardlink-to-link", &st) == 0 && lstat("root", &st2) == 0 &&
          same_file(&st, &st2));
    CHECK(IS_ROOT("hardlink-to-link"));
    unlink("hard");
    unlink("hardlink-to-link");
}

/* The cwd and its chdir and fchdir: never above the root, named by guest paths. */
static void check_cwd(void)
{
    char cwd[PATH_MAX], buf[PATH_MAX * 2];
    struct stat st, dot;
    int dfd = open("a/b/c", O_RDONLY | O_DIRECTORY);

    CHECK(getcwd(cwd, sizeof cwd) && !strcmp(cwd, scratch));
    CHECK(stat(cwd, &st) == 0 && stat(".", &dot) == 0 && same_file(&st, &dot));
    CHECK(chdir("up") == 0);
    CHECK(getcwd(buf, sizeof buf) && !strcmp(buf, "/"));
    CHECK(chdir("..") == 0 && IS_ROOT("."));
    CHECK(getcwd(buf, sizeof buf) && !strcmp(buf, "/"));
    CHECK(fchdir(dfd) == 0);
    snprintf(buf, sizeof buf, "%s/a/b/c", scratch);
    CHECK(getcwd(cwd, sizeof cwd) && !strcmp(cwd, buf));
    CHECK(IS_ROOT(UP40));
    CHECK(IS_ROOT("upr"));
    CHECK(chdir(UP40) == 0 && IS_ROOT("."));
    CHECK(getcwd(buf, sizeof buf) && !strcmp(buf, "/"));
    CHECK(chdir(scratch) == 0);
    close(dfd);
}

static void check_proc(void)
{
    char buf[PATH_MAX], want[PATH_MAX * 2], line[PATH_MAX + 128];
    int fd, dfd;
    FILE *maps;

    CHECK(link_is("/proc/self/root", "/"));
    CHECK(IS_ROOT("/proc/self/root"));
    CHECK(IS_ROOT("/proc/self/root/"));
    CHECK(IS_ROOT("/proc/self/root/.."));
    CHECK(IS_ROOT("/proc/self/root/" UP40));
    CHECK(link_is("/proc/self/cwd", scratch));
    CHECK(same_at(AT_FDCWD, "/proc/self/cwd", ".", 0));
    CHECK(same_at(AT_FDCWD, "/proc/self/cwd/a/b", "a/b", 0));
    CHECK(IS_ROOT("/proc/self/cwd/" UP40));
    CHECK(IS_ROOT("/proc/self/cwd/up"));
    dfd = open("a/b", O_RDONLY | O_DIRECTORY);
    fd = open("a/b/c/file", O_RDONLY);
    CHECK(dfd >= 0 && fd >= 0);
    snprintf(want, sizeof want, "%s/a/b/c/file", scratch);
    snprintf(buf, sizeof buf, "/proc/self/fd/%d", fd);
    CHECK(link_is(buf, want));
    snprintf(want, sizeof want, "%s/a/b", scratch);
    snprintf(buf, sizeof buf, "/proc/self/fd/%d", dfd);
    CHECK(link_is(buf, want));
    snprintf(buf, sizeof buf, "/proc/self/fd/%d/..", dfd);
    CHECK(same_at(AT_FDCWD, buf, "a", 0));
    snprintf(buf, sizeof buf, "/proc/self/fd/%d/%s", dfd, UP40);
    CHECK(IS_ROOT(buf));
    snprintf(buf, sizeof buf, "/proc/self/fd/%d/c/upr", dfd);
    CHECK(IS_ROOT(buf));
    close(fd);
    close(dfd);
    /* The program's own name: a path inside the root, the same in maps. */
    CHECK(self[0] == '/' && access(self, X_OK) == 0);
    maps = fopen("/proc/self/maps", "r");
    CHECK(maps && fgets(line, sizeof line, maps));
    line[strcspn(line, "\n")] = 0;
    CHECK(strlen(line) > strlen(self) && !strcmp(line + strlen(line) - strlen(self), self));
    if (maps)
        fclose(maps);
}

/* exec of a program by a path through links past the root, and a #! interpreter. */
static void check_exec(void)
{
    char path[PATH_MAX * 2], script[PATH_MAX * 2];
    int status, fd;
    pid_t pid;

    snprintf(path, sizeof path, "up%s", self);
    CHECK(symlink(path, "exe-link") == 0);
    /* One ".." more than the cwd is deep: a #! line holds only 255 bytes. */
    size_t len = snprintf(script, sizeof script, "#!..");
    for (const char *c = scratch; *c; c++)
        if (*c == '/')
            len += snprintf(script + len, sizeof script - len, "/..");
    snprintf(script + len, sizeof script - len, "%s child\n", self);
    fd = open("script", O_CREAT | O_WRONLY | O_TRUNC, 0755);
    CHECK(fd >= 0 && write(fd, script, strlen(script)) == (ssize_t)strlen(script));
    if (fd >= 0)
        close(fd);
    const char *progs[] = { "exe-link", "script" };
    for (int i = 0; i < 2; i++) {
        pid = fork();
        if (pid == 0) {
            execl(progs[i], progs[i], "child", (char *)NULL);
            _exit(99);
        }
        CHECK(pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
              WEXITSTATUS(status) == 42);
    }
    unlink("exe-link");
    unlink("script");
}

/* Under lxemu --root: the marker beside the root is out of reach. */
static void check_marker(const char *name)
{
    char path[PATH_MAX * 2];
    const char *ways[] = { "/../%s", "../%s", UP40 "/%s", "up/%s", "up/../%s", "root/../%s",
                           "a/b/c/upr/%s", "/proc/self/root/../%s", "/proc/self/cwd/" UP40 "/%s",
                           "//..//..//%s" };
    int dfd = open("a/b/c", O_RDONLY | O_DIRECTORY), fd;
    struct stat st, st2;

    for (size_t i = 0; i < sizeof ways / sizeof ways[0]; i++) {
        snprintf(path, sizeof path, ways[i], name);
        CHECK_ERR(open(path, O_RDONLY), ENOENT);
        CHECK_ERR(openat(dfd, path, O_RDONLY), ENOENT);
        CHECK_ERR(open(path, O_RDONLY | O_NOFOLLOW), ENOENT);
    }
    snprintf(path, sizeof path, UP40 "/%s", name);
    CHECK(symlink(path, "to-marker") == 0);
    CHECK_ERR(open("to-marker", O_RDONLY), ENOENT);
    /* Created through the link: in the root, empty, not the marker. */
    fd = open("to-marker", O_CREAT | O_WRONLY, 0644);
    snprintf(path, sizeof path, "/%s", name);
    CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_size == 0 && stat(path, &st2) == 0 &&
          same_file(&st, &st2));
    if (fd >= 0)
        close(fd);
    CHECK(unlink(path) == 0);
    unlink("to-marker");
    CHECK(chdir("/..") == 0);
    CHECK_ERR(open(name, O_RDONLY), ENOENT);
    CHECK(fchdir(dfd) == 0 && chdir(UP40) == 0);
    CHECK_ERR(open(name, O_RDONLY), ENOENT);
    CHECK(chdir(scratch) == 0);
    close(dfd);
}

static void cleanup(void)
{
    static const char *const names[] = {
        "a/b/c/upr", "a/b/c/file", "a/b/dotdot", "root", "up", "rel", "loop", "sabs", "updown",
        "dangling", "nowhere", "created", "exe-link", "script", "to-marker", "hard",
        "hardlink-to-link",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        unlink(names[i]);
    rmdir("a/b/c/made");
    rmdir("a/m");
    rmdir("a/m2");
    rmdir("a/b/c");
    rmdir("a/b");
    rmdir("a");
}

int main(int argc, char **argv)
{
    const char *dir = argc > 1 ? argv[1] : "fsr";
    ssize_t n;

    if (argc > 1 && !strcmp(argv[1], "child"))
        return 42;
    n = readlink("/proc/self/exe", self, sizeof self - 1);
    self[n > 0 ? n : 0] = 0;
    CHECK(stat("/", &root_st) == 0);
    mkdir(dir, 0755);
    CHECK(chdir(dir) == 0 && getcwd(scratch, sizeof scratch));
    cleanup();
    setup();
    check_dotdot();
    check_symlinks();
    check_nofollow();
    check_dirfd();
    check_create();
    check_cwd();
    check_proc();
    check_exec();
    if (argc > 2)
        check_marker(argv[2]);
    cleanup();
    chdir("..");
    rmdir(dir);
    return guest_done();
}
