/* stat.c: file metadata: stat/lstat/fstat/fstatat (AT_SYMLINK_NOFOLLOW,
 * AT_EMPTY_PATH, a dirfd), raw statx, hard links (st_nlink, same inode),
 * symlinks and readlink (no NUL, truncation, EINVAL), chmod/fchmod,
 * utimensat with fixed times, access/faccessat. Inode numbers never printed. */
#include "guest.h"
#include <fcntl.h>
#include <stdint.h>
#include <sys/stat.h>

/* The kernel's struct statx (musl 1.2.3 has no statx wrapper). */
struct kstatx {
    uint32_t mask, blksize;
    uint64_t attributes;
    uint32_t nlink, uid, gid;
    uint16_t mode, pad1;
    uint64_t ino, size, blocks, attributes_mask;
    struct { int64_t sec; uint32_t nsec; int32_t pad; } atime, btime, ctime, mtime;
    uint32_t rdev_major, rdev_minor, dev_major, dev_minor;
    uint64_t spare[14];
};
#define KSTATX_BASIC_STATS 0x7ffu

static void cleanup(void)
{
    unlink("sf");
    unlink("sf.link");
    unlink("sf.sym");
    unlink("dangling");
    rmdir("sd");
}

static void make_file(void)
{
    int fd = open("sf", O_CREAT | O_WRONLY | O_TRUNC, 0640);
    CHECK_EQ(write(fd, "12345", 5), 5);
    close(fd);
}

static void test_stat_basic(void)
{
    struct stat st, fst;
    CHECK_EQ(stat("sf", &st), 0);
    CHECK(S_ISREG(st.st_mode));
    printf("size %ld mode %o nlink %ld\n", (long)st.st_size,
           (unsigned)(st.st_mode & 07777), (long)st.st_nlink);
    CHECK(st.st_uid == getuid() && st.st_gid == getgid());
    CHECK(st.st_blksize > 0);
    int fd = open("sf", O_RDONLY);
    CHECK_EQ(fstat(fd, &fst), 0);
    CHECK(fst.st_ino == st.st_ino && fst.st_dev == st.st_dev);
    CHECK_EQ(fstatat(fd, "", &fst, AT_EMPTY_PATH), 0);
    CHECK(fst.st_ino == st.st_ino);
    CHECK_ERR(fstatat(fd, "", &fst, 0), ENOENT);
    close(fd);
    CHECK_EQ(mkdir("sd", 0750), 0);
    CHECK(stat("sd", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0750);
    int dfd = open(".", O_RDONLY | O_DIRECTORY);
    CHECK(fstatat(dfd, "sf", &fst, 0) == 0 && fst.st_size == 5);
    CHECK_ERR(fstatat(dfd, "nonexistent", &fst, 0), ENOENT);
    CHECK_ERR(fstatat(dfd, "sf/x", &fst, 0), ENOTDIR);
    close(dfd);
}

static void test_links(void)
{
    struct stat a, b;
    CHECK_EQ(link("sf", "sf.link"), 0);
    CHECK(stat("sf", &a) == 0 && stat("sf.link", &b) == 0);
    CHECK(a.st_ino == b.st_ino && a.st_nlink == 2);
    CHECK_ERR(link("sf", "sf.link"), EEXIST);
    CHECK_EQ(symlink("sf", "sf.sym"), 0);
    CHECK_EQ(lstat("sf.sym", &b), 0);
    CHECK(S_ISLNK(b.st_mode) && b.st_size == 2);
    CHECK(stat("sf.sym", &b) == 0 && S_ISREG(b.st_mode) && b.st_ino == a.st_ino);
    CHECK(fstatat(AT_FDCWD, "sf.sym", &b, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(b.st_mode));
    CHECK_EQ(symlink("no/such/target", "dangling"), 0);
    CHECK_ERR(stat("dangling", &b), ENOENT);
    CHECK_EQ(lstat("dangling", &b), 0);
}

static void test_readlink(void)
{
    char buf[64];
    memset(buf, 'Z', sizeof buf);
    CHECK_EQ(readlink("dangling", buf, sizeof buf), 14);
    CHECK(memcmp(buf, "no/such/target", 14) == 0 && buf[14] == 'Z');
    memset(buf, 'Z', sizeof buf);
    CHECK_EQ(readlink("dangling", buf, 5), 5);         /* silently truncated */
    CHECK(memcmp(buf, "no/suZ", 6) == 0);
    CHECK_EQ(readlinkat(AT_FDCWD, "sf.sym", buf, sizeof buf), 2);
    CHECK_ERR(readlink("sf", buf, sizeof buf), EINVAL);
    CHECK_ERR(readlink("nonexistent", buf, sizeof buf), ENOENT);
    CHECK_ERR(syscall(SYS_readlink, "sf.sym", buf, 0), EINVAL);
}

static void test_statx(void)
{
    struct kstatx sx;
    memset(&sx, 0, sizeof sx);
    CHECK_EQ(syscall(SYS_statx, AT_FDCWD, "sf", 0, KSTATX_BASIC_STATS, &sx), 0);
    CHECK((sx.mask & KSTATX_BASIC_STATS) == KSTATX_BASIC_STATS);
    printf("statx size %llu mode %o nlink %u\n", (unsigned long long)sx.size,
           sx.mode & 07777u, sx.nlink);
    CHECK(sx.uid == getuid());
    CHECK_EQ(syscall(SYS_statx, AT_FDCWD, "sf.sym", AT_SYMLINK_NOFOLLOW, KSTATX_BASIC_STATS, &sx), 0);
    CHECK(S_ISLNK(sx.mode) && sx.size == 2);
    CHECK_ERR(syscall(SYS_statx, AT_FDCWD, "nonexistent", 0, KSTATX_BASIC_STATS, &sx), ENOENT);
    CHECK_ERR(syscall(SYS_statx, AT_FDCWD, "sf", 0x80000000u, KSTATX_BASIC_STATS, &sx), EINVAL);
}

static void test_modes_times(void)
{
    struct stat st;
    CHECK_EQ(chmod("sf", 0604), 0);
    CHECK(stat("sf", &st) == 0 && (st.st_mode & 07777) == 0604);
    int fd = open("sf", O_RDONLY);
    CHECK_EQ(fchmod(fd, 0751), 0);
    CHECK(fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0751);
    close(fd);
    struct timespec ts[2] = {{1000000000, 5}, {1234567890, 123456789}};
    CHECK_EQ(utimensat(AT_FDCWD, "sf", ts, 0), 0);
    CHECK_EQ(stat("sf", &st), 0);
    printf("atime %ld.%09ld mtime %ld.%09ld\n", (long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
           (long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
    CHECK_ERR(chmod("nonexistent", 0600), ENOENT);
}

static void test_access(void)
{
    CHECK_EQ(chmod("sf", 0640), 0);
    CHECK_EQ(access("sf", F_OK), 0);
    CHECK_EQ(access("sf", R_OK | W_OK), 0);
    CHECK_ERR(access("sf", X_OK), EACCES);             /* no x bit: even root */
    CHECK_EQ(access("sd", X_OK), 0);
    CHECK_ERR(access("nonexistent", F_OK), ENOENT);
    CHECK_ERR(access("sf", 0x40), EINVAL);
    CHECK_EQ(faccessat(AT_FDCWD, "sf", R_OK, 0), 0);
    CHECK_ERR(faccessat(AT_FDCWD, "dangling", F_OK, 0), ENOENT);
}

int main(void)
{
    umask(022);
    cleanup();
    make_file();
    test_stat_basic();
    test_links();
    test_readlink();
    test_statx();
    test_modes_times();
    test_access();
    cleanup();
    return guest_done();
}
