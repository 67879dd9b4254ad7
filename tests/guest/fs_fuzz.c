/* fs_fuzz.c: path resolution against a model, thousands of random paths.
 * Builds a random tree of directories, files and symlinks (targets: random
 * paths full of "..", absolute ones, "/", loops) under /fz of its root, and
 * a model of it; then resolves random paths (absolute or relative, "." and
 * "..", repeated and trailing slashes) from the cwd and from dirfds with
 * open (O_PATH, with and without O_NOFOLLOW), fstatat (with and without
 * AT_SYMLINK_NOFOLLOW), readlinkat, and mkdirat + unlinkat of a new name
 * under the path.  Each must give what Linux's walk over the model gives:
 * the same object or the same errno.  An object that is no object of the
 * tree, or of the root, counts as an escape.
 *
 * Usage: fs_fuzz SEED CASES (as the root's /: lxemu --root DIR, or chroot).
 * Prints one summary line with a digest of every outcome, identical for
 * any correct Linux; exits 0 when nothing mismatched or escaped. */
#include "guest.h"
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <sys/stat.h>

#define MAX_NODES 256
#define MAX_LINKS 40 /* Linux's MAXSYMLINKS: links followed in one lookup */

enum { DIR_NODE, FILE_NODE, LINK_NODE };

struct node {
    int type, parent;
    char name[16];
    char target[256]; /* LINK_NODE */
    dev_t dev;
    ino_t ino;
};

static struct node nodes[MAX_NODES];
static int nr_nodes;
static uint64_t rng;
static uint64_t digest = 1469598103934665603ull;
static long cases, mismatches, escapes;

static const char *const names[] = { "a", "b", "c", "d", "s1", "s2", "s3", "f1", "f2", "marker",
                                     "fz" };
#define NR_NAMES (int)(sizeof names / sizeof names[0])

static uint32_t rnd(uint32_t n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng % n);
}

static void mix(long v)
{
    digest = (digest ^ (uint64_t)v) * 1099511628211ull;
}

static int child(int dir, const char *name, int len)
{
    for (int i = 1; i < nr_nodes; i++)
        if (nodes[i].parent == dir && (int)strlen(nodes[i].name) == len &&
            !memcmp(nodes[i].name, name, len))
            return i;
    return -1;
}

/* The node's path from the root. */
static void node_path(int n, char *buf, size_t size)
{
    char tmp[PATH_MAX];

    if (n == 0) {
        snprintf(buf, size, "/");
        return;
    }
    buf[0] = 0;
    for (; n; n = nodes[n].parent) {
        snprintf(tmp, sizeof tmp, "/%s%s", nodes[n].name, buf);
        snprintf(buf, size, "%s", tmp);
    }
}

/*
 * Linux's path walk over the model: from dir, following a final symlink if
 * follow (or a trailing slash asks for a directory).  Returns the node or
 * -errno; *links counts the symlinks followed in the whole lookup.
 */
static int walk(int dir, const char *path, int follow, int *links)
{
    const char *p = path;
    int cur = path[0] == '/' ? 0 : dir;

    if (!*path)
        return -ENOENT;
    for (;;) {
        const char *name;
        int len, last, slash, next;

        while (*p == '/')
            p++;
        if (!*p)
            return cur;
        name = p;
        while (*p && *p != '/')
            p++;
        len = (int)(p - name);
        slash = *p == '/';
        {
            const char *q = p;
            while (*q == '/')
                q++;
            last = !*q;
        }
        if (nodes[cur].type != DIR_NODE)
            return -ENOTDIR;
        if (len == 1 && name[0] == '.')
            continue;
        if (len == 2 && name[0] == '.' && name[1] == '.') {
            cur = nodes[cur].parent;
            continue;
        }
        next = child(cur, name, len);
        if (next < 0)
            return -ENOENT;
        if (nodes[next].type == LINK_NODE && (!last || follow || slash)) {
            if (++*links > MAX_LINKS)
                return -ELOOP;
            next = walk(cur, nodes[next].target, 1, links);
            if (next < 0)
                return next;
        }
        if ((!last || slash) && nodes[next].type != DIR_NODE)
            return -ENOTDIR;
        cur = next;
    }
}

static int resolve(int dir, const char *path, int follow)
{
    int links = 0;

    return walk(dir, path, follow, &links);
}

static void random_path(char *buf, size_t size, int max_comps)
{
    int n = 1 + rnd(max_comps);
    size_t len = 0;

    buf[0] = 0;
    if (rnd(10) < 3)
        len += snprintf(buf + len, size - len, "/");
    for (int i = 0; i < n && len < size - 32; i++) {
        uint32_t r = rnd(100);
        const char *c = r < 25 ? ".." : r < 30 ? "." : names[rnd(NR_NAMES)];
        len += snprintf(buf + len, size - len, "%s%s%s", i ? "/" : "", rnd(20) ? "" : "/", c);
    }
    if (!rnd(10))
        snprintf(buf + len, size - len, "/");
}

static int add_node(int type, int parent, const char *name, const char *target)
{
    char path[PATH_MAX];
    struct stat st;
    struct node *nd = &nodes[nr_nodes];

    if (nr_nodes == MAX_NODES || nodes[parent].type != DIR_NODE ||
        child(parent, name, (int)strlen(name)) >= 0)
        return -1;
    nd->type = type;
    nd->parent = parent;
    snprintf(nd->name, sizeof nd->name, "%s", name);
    snprintf(nd->target, sizeof nd->target, "%s", target ? target : "");
    node_path(parent, path, sizeof path);
    snprintf(path + strlen(path), sizeof path - strlen(path), "%s%s", parent ? "/" : "", name);
    if (type == DIR_NODE ? mkdir(path, 0755) :
        type == FILE_NODE ? close(open(path, O_CREAT | O_EXCL | O_WRONLY, 0644)) :
                            symlink(target, path)) {
        printf("cannot make %s: %s\n", path, strerror(errno));
        exit(2);
    }
    if (lstat(path, &st))
        exit(2);
    nd->dev = st.st_dev;
    nd->ino = st.st_ino;
    return nr_nodes++;
}

static int random_dir(void)
{
    for (;;) {
        int n = 1 + rnd(nr_nodes - 1);
        if (nodes[n].type == DIR_NODE)
            return n;
    }
}

static void build_tree(void)
{
    char target[256];
    struct stat st;

    if (lstat("/", &st))
        exit(2);
    nodes[0] = (struct node){ .type = DIR_NODE, .parent = 0, .dev = st.st_dev, .ino = st.st_ino };
    nr_nodes = 1;
    add_node(DIR_NODE, 0, "fz", NULL);
    for (int i = 0; i < 30; i++)
        add_node(DIR_NODE, random_dir(), names[rnd(NR_NAMES)], NULL);
    for (int i = 0; i < 15; i++)
        add_node(FILE_NODE, random_dir(), names[rnd(NR_NAMES)], NULL);
    for (int i = 0; i < 50; i++) {
        uint32_t r = rnd(10);
        if (r == 0)
            snprintf(target, sizeof target, "/");
        else if (r == 1)
            snprintf(target, sizeof target, "../../../../../../..");
        else
            random_path(target, sizeof target, 5);
        add_node(LINK_NODE, random_dir(), names[rnd(NR_NAMES)], target);
    }
}

/* The node an fd or a stat names: its index, or -1 (no node: an escape). */
static int node_of(const struct stat *st)
{
    for (int i = 0; i < nr_nodes; i++)
        if (nodes[i].dev == st->st_dev && nodes[i].ino == st->st_ino)
            return i;
    return -1;
}

static void report(const char *op, int start, const char *path, long want, long got)
{
    mix(got);
    cases++;
    if (got == want)
        return;
    if (got == -1000)
        escapes++;
    else
        mismatches++;
    if (mismatches + escapes <= 20) {
        char sp[PATH_MAX];
        node_path(start, sp, sizeof sp);
        printf("MISMATCH %s from %s: \"%s\": want %ld got %ld\n", op, sp, path, want, got);
    }
}

/* What an fd or a call came to: a node, -errno, or -1000 for an object outside the tree. */
static long outcome_fd(int fd)
{
    struct stat st;
    long r;

    if (fd < 0)
        return -errno;
    r = fstat(fd, &st) ? -1001 : node_of(&st) < 0 ? -1000 : node_of(&st);
    close(fd);
    return r;
}

static long outcome_stat(int ret, const struct stat *st)
{
    if (ret)
        return -errno;
    return node_of(st) < 0 ? -1000 : node_of(st);
}

static void one_case(int start, int dirfd)
{
    char path[PATH_MAX], sub[PATH_MAX + 8], buf[PATH_MAX];
    struct stat st;
    long want, got;
    int n;

    random_path(path, sizeof path, 8);
    want = resolve(start, path, 1);
    report("open", start, path, want, outcome_fd(openat(dirfd, path, O_PATH | O_CLOEXEC)));
    report("stat", start, path, want, outcome_stat(fstatat(dirfd, path, &st, 0), &st));
    want = resolve(start, path, 0);
    report("open-nofollow", start, path, want,
           outcome_fd(openat(dirfd, path, O_PATH | O_NOFOLLOW | O_CLOEXEC)));
    report("lstat", start, path, want,
           outcome_stat(fstatat(dirfd, path, &st, AT_SYMLINK_NOFOLLOW), &st));
    /* readlink: the text of a final link (-2000 stands for it), else EINVAL. */
    n = (int)readlinkat(dirfd, path, buf, sizeof buf - 1);
    got = n < 0 ? -errno : -2001;
    if (n >= 0 && want >= 0 && (buf[n] = 0, !strcmp(buf, nodes[want].target)))
        got = -2000;
    if (want >= 0)
        want = nodes[want].type == LINK_NODE ? -2000 : -EINVAL;
    report("readlink", start, path, want, got);
    /* A new directory under the path: made where the path leads, then removed. */
    want = resolve(start, path, 1);
    snprintf(sub, sizeof sub, "%s/new", path);
    if (want >= 0 && nodes[want].type != DIR_NODE)
        want = -ENOTDIR;
    got = mkdirat(dirfd, sub, 0755) ? -errno : 0;
    if (!got) {
        snprintf(sub, sizeof sub, "%s/new/..", path);
        got = outcome_stat(fstatat(dirfd, sub, &st, 0), &st);
        snprintf(sub, sizeof sub, "%s/new", path);
        if (unlinkat(dirfd, sub, AT_REMOVEDIR))
            got = -3000;
    }
    report("mkdir", start, path, want, got);
}

int main(int argc, char **argv)
{
    int dirfds[MAX_NODES], nr_cases;
    char path[PATH_MAX];

    if (argc < 3)
        return 2;
    rng = strtoull(argv[1], NULL, 0) * 2654435761u + 1;
    nr_cases = atoi(argv[2]);
    build_tree();
    for (int i = 0; i < nr_nodes; i++) {
        node_path(i, path, sizeof path);
        dirfds[i] = nodes[i].type == DIR_NODE ? open(path, O_RDONLY | O_DIRECTORY) : -1;
    }
    for (int i = 0; i < nr_cases; i++) {
        int start = random_dir();
        if (rnd(2)) {
            one_case(start, dirfds[start]);
        } else {
            node_path(start, path, sizeof path);
            if (chdir(path))
                return 2;
            one_case(start, AT_FDCWD);
        }
    }
    printf("fs_fuzz: %d nodes, %ld cases, %ld mismatches, %ld escapes, digest %016llx\n",
           nr_nodes, cases, mismatches, escapes, (unsigned long long)digest);
    return mismatches || escapes;
}
