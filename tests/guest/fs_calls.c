/* fs_calls.c: the file-system calls busybox and coreutils lean on beside
 * open/read/stat: chown, fchown, lchown, fchownat; mknod and mknodat (FIFOs,
 * regular files, device nodes as the caller's privilege allows); utime,
 * utimes, futimesat; statfs and fstatfs (relations only: no figures);
 * fallocate, fadvise64, readahead, flock (also blocking, across processes),
 * copy_file_range, sendfile between kinds, preadv2/pwritev2 with RWF_*
 * flags, close_range (CLOEXEC, UNSHARE), sync, syncfs, the old getdents;
 * and chroot: a new root for later lookups of the process, its threads
 * (CLONE_FS) and its children, getcwd outside it, nested chroots.  Each
 * on host files and on pipes/eventfds, with Linux's EFAULT/EBADF/EINVAL.
 * Works in a subdirectory "fsc" of the cwd.  Privileged operations (chown
 * to other ids, device nodes, chroot) print what happened: the same for
 * native and lxemu runs as one user. */
#include "guest.h"
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/eventfd.h>
#include <sys/file.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <utime.h>

#define BAD_PTR ((void *)1)

#ifndef SYS_close_range
#define SYS_close_range 436
#endif
#define X_CLOSE_RANGE_UNSHARE 2
#define X_CLOSE_RANGE_CLOEXEC 4
#define X_RWF_HIPRI 1
#define X_RWF_DSYNC 2
#define X_RWF_NOWAIT 8
#define X_RWF_APPEND 0x10
#define PIPEFS_MAGIC_ 0x50495045
#define ANON_INODE_FS_MAGIC_ 0x09041934

static void put(const char *path, const char *text)
{
    int fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0644);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, text, strlen(text)), (long)strlen(text));
    close(fd);
}

static long file_size(const char *path)
{
    struct stat st;
    return stat(path, &st) ? -1 : (long)st.st_size;
}

/* What reading path gives, up to 63 bytes, or "" */
static const char *slurp(const char *path)
{
    static char buf[64];
    int fd = open(path, O_RDONLY);
    long n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);
    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n : 0] = 0;
    return buf;
}

/* How a privileged call went, for the output: "ok" or its errno name. */
static const char *how(long r)
{
    return r == 0 ? "ok" : errname(errno);
}

static void test_chown(void)
{
    struct stat st;
    uid_t u = geteuid();
    gid_t g = getegid();
    int fd;

    put("fsc/own", "x");
    CHECK(symlink("own", "fsc/ownlink") == 0);
    CHECK_EQ(chown("fsc/own", -1, -1), 0);
    CHECK_EQ(chown("fsc/own", u, g), 0);
    CHECK_EQ(lchown("fsc/ownlink", u, g), 0);
    CHECK_EQ(fchownat(AT_FDCWD, "fsc/ownlink", -1, g, AT_SYMLINK_NOFOLLOW), 0);
    fd = open("fsc/own", O_RDONLY);
    CHECK_EQ(fchown(fd, u, -1), 0);
    CHECK_EQ(fchownat(fd, "", u, g, AT_EMPTY_PATH), 0);
    CHECK_ERR(fchownat(fd, "", u, g, 0), ENOENT);
    CHECK_ERR(fchownat(AT_FDCWD, "fsc/own", u, g, 0x4), EINVAL);
    CHECK_ERR(chown("fsc/none", u, g), ENOENT);
    CHECK_ERR(chown(BAD_PTR, u, g), EFAULT);
    CHECK_ERR(fchown(-1, u, g), EBADF);
    CHECK_ERR(fchown(999, u, g), EBADF);
    /* Other ids: root may, others get EPERM; lchown leaves the target alone. */
    long r = lchown("fsc/ownlink", 1234, 5678);
    printf("lchown to other ids: %s\n", how(r));
    if (r == 0) {
        CHECK(lstat("fsc/ownlink", &st) == 0 && st.st_uid == 1234 && st.st_gid == 5678);
        CHECK(stat("fsc/ownlink", &st) == 0 && st.st_uid == u && st.st_gid == g);
        CHECK_EQ(chown("fsc/ownlink", 4321, -1), 0);
        CHECK(stat("fsc/own", &st) == 0 && st.st_uid == 4321 && st.st_gid == g);
        CHECK_EQ(fchown(fd, u, 99), 0);
        CHECK(fstat(fd, &st) == 0 && st.st_uid == u && st.st_gid == 99);
    }
    close(fd);
    int p[2];
    CHECK(pipe(p) == 0);
    CHECK_EQ(fchown(p[0], -1, -1), 0);
    CHECK_EQ(fchown(p[1], u, g), 0);
    close(p[0]);
    close(p[1]);
    fd = open("fsc/own", O_PATH); /* raw: musl's fchown retries through /proc */
    CHECK_ERR(syscall(SYS_fchown, fd, u, g), EBADF);
    close(fd);
}

static void test_mknod(void)
{
    struct stat st;
    int dfd = open("fsc", O_RDONLY | O_DIRECTORY);

    umask(022);
    CHECK_EQ(mknod("fsc/fifo", S_IFIFO | 0666, 0), 0);
    CHECK(stat("fsc/fifo", &st) == 0 && S_ISFIFO(st.st_mode) && (st.st_mode & 07777) == 0644);
    CHECK_EQ(mknod("fsc/reg", 0600, 0), 0);
    CHECK(stat("fsc/reg", &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0600 &&
          st.st_size == 0);
    CHECK_EQ(mknodat(dfd, "reg2", S_IFREG | 0640, 0), 0);
    CHECK(stat("fsc/reg2", &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 07777) == 0640);
    CHECK_EQ(mknodat(dfd, "fifo2", S_IFIFO | 0600, 0), 0);
    CHECK(stat("fsc/fifo2", &st) == 0 && S_ISFIFO(st.st_mode));
    CHECK_ERR(mknod("fsc/fifo", S_IFIFO | 0600, 0), EEXIST);
    CHECK_ERR(mknod("fsc/dir", S_IFDIR | 0700, 0), EPERM);
    CHECK_ERR(mknod("fsc/bad", 0170000 | 0600, 0), EINVAL);
    CHECK_ERR(mknod("fsc/none/x", S_IFIFO | 0600, 0), ENOENT);
    CHECK_ERR(mknod(BAD_PTR, S_IFIFO | 0600, 0), EFAULT);
    CHECK_ERR(mknodat(-1, "x", S_IFIFO | 0600, 0), EBADF);
    /* A FIFO made so carries data between two opens of it. */
    int r = open("fsc/fifo", O_RDONLY | O_NONBLOCK), w = open("fsc/fifo", O_WRONLY);
    CHECK(r >= 0 && w >= 0);
    CHECK_EQ(write(w, "fifo!", 5), 5);
    char buf[8] = "";
    CHECK_EQ(read(r, buf, sizeof buf), 5);
    CHECK(!memcmp(buf, "fifo!", 5));
    close(r);
    close(w);
    /* Device nodes need CAP_MKNOD: the major and minor survive where made. */
    long d = mknod("fsc/null", S_IFCHR | 0600, makedev(1, 3));
    printf("mknod of a character device: %s\n", how(d));
    if (d == 0)
        CHECK(stat("fsc/null", &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 &&
              minor(st.st_rdev) == 3);
    d = mknod("fsc/blk", S_IFBLK | 0600, makedev(259, 70000));
    printf("mknod of a block device: %s\n", how(d));
    if (d == 0)
        CHECK(stat("fsc/blk", &st) == 0 && S_ISBLK(st.st_mode) && major(st.st_rdev) == 259 &&
              minor(st.st_rdev) == 70000);
    close(dfd);
}

static void test_utime(void)
{
    struct stat st;
    struct utimbuf ub = { .actime = 1000000000, .modtime = 1100000000 };
    struct timeval tv[2] = { { 1200000000, 250000 }, { 1300000000, 500000 } };
    int dfd = open("fsc", O_RDONLY | O_DIRECTORY), fd;

    put("fsc/times", "t");
    CHECK_EQ(utime("fsc/times", &ub), 0);
    CHECK(stat("fsc/times", &st) == 0 && st.st_atime == 1000000000 && st.st_mtime == 1100000000 &&
          st.st_mtim.tv_nsec == 0);
    CHECK_EQ(utimes("fsc/times", tv), 0);
    CHECK(stat("fsc/times", &st) == 0 && st.st_atime == 1200000000 &&
          st.st_atim.tv_nsec == 250000000 && st.st_mtime == 1300000000 &&
          st.st_mtim.tv_nsec == 500000000);
    tv[1].tv_sec = 1400000000;
    CHECK_EQ(syscall(SYS_futimesat, dfd, "times", tv), 0);
    CHECK(stat("fsc/times", &st) == 0 && st.st_mtime == 1400000000);
    /* futimesat with no path: the fd itself. */
    fd = open("fsc/times", O_RDONLY);
    tv[1].tv_sec = 1500000000;
    CHECK_EQ(syscall(SYS_futimesat, fd, NULL, tv), 0);
    CHECK(fstat(fd, &st) == 0 && st.st_mtime == 1500000000);
    close(fd);
    /* NULL times: now. */
    time_t before = time(NULL);
    CHECK_EQ(utime("fsc/times", NULL), 0);
    CHECK(stat("fsc/times", &st) == 0 && st.st_mtime >= before - 1);
    CHECK_EQ(syscall(SYS_utimes, "fsc/times", NULL), 0);
    tv[0].tv_usec = 1000000;
    CHECK_ERR(syscall(SYS_utimes, "fsc/times", tv), EINVAL);
    tv[0].tv_usec = -1;
    CHECK_ERR(syscall(SYS_futimesat, dfd, "times", tv), EINVAL);
    CHECK_ERR(syscall(SYS_utime, "fsc/times", BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_utimes, "fsc/times", BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_utime, BAD_PTR, NULL), EFAULT);
    CHECK_ERR(syscall(SYS_utime, "fsc/none", NULL), ENOENT);
    CHECK_ERR(syscall(SYS_futimesat, -1, "times", NULL), EBADF);
    close(dfd);
}

static void test_statfs(void)
{
    struct statfs a, b, c;
    int fd = open("fsc", O_RDONLY | O_DIRECTORY), p[2], e = eventfd(0, 0);

    CHECK_EQ(statfs("fsc", &a), 0);
    CHECK_EQ(fstatfs(fd, &b), 0);
    CHECK(a.f_type == b.f_type && a.f_bsize == b.f_bsize && a.f_namelen == b.f_namelen);
    CHECK(a.f_bsize > 0 && a.f_namelen > 0 && a.f_blocks > 0 && a.f_bfree <= a.f_blocks);
    CHECK(a.f_bavail <= a.f_bfree && a.f_frsize > 0);
    CHECK(!memcmp(&a.f_fsid, &b.f_fsid, sizeof(a.f_fsid)));
    put("fsc/sfile", "s");
    CHECK_EQ(symlink("sfile", "fsc/slink"), 0);
    CHECK_EQ(statfs("fsc/slink", &c), 0);
    CHECK(c.f_type == a.f_type);
    int o = open("fsc/sfile", O_PATH);
    CHECK_EQ(fstatfs(o, &c), 0);
    CHECK(c.f_type == a.f_type);
    close(o);
    CHECK_ERR(statfs("fsc/none", &c), ENOENT);
    CHECK_ERR(statfs("fsc/sfile/x", &c), ENOTDIR);
    /* Raw: musl's statfs goes through a buffer of its own. */
    CHECK_ERR(syscall(SYS_statfs, "fsc", BAD_PTR), EFAULT);
    CHECK_ERR(syscall(SYS_statfs, BAD_PTR, &c), EFAULT);
    CHECK_ERR(fstatfs(-1, &c), EBADF);
    CHECK_ERR(syscall(SYS_fstatfs, fd, BAD_PTR), EFAULT);
    CHECK(pipe(p) == 0);
    CHECK_EQ(fstatfs(p[0], &c), 0);
    CHECK(c.f_type == PIPEFS_MAGIC_ && c.f_bsize == 4096 && c.f_namelen == 255 &&
          c.f_blocks == 0);
    CHECK_EQ(fstatfs(e, &c), 0);
    CHECK(c.f_type == ANON_INODE_FS_MAGIC_ && c.f_bsize == 4096);
    close(p[0]);
    close(p[1]);
    close(e);
    close(fd);
}

static void test_space(void)
{
    int fd = open("fsc/space", O_CREAT | O_RDWR | O_TRUNC, 0644), ro, p[2];
    int e = eventfd(0, 0);

    CHECK(pipe(p) == 0);
    CHECK_EQ(fallocate(fd, 0, 0, 8192), 0);
    CHECK_EQ(file_size("fsc/space"), 8192);
    CHECK_EQ(fallocate(fd, FALLOC_FL_KEEP_SIZE, 8192, 8192), 0);
    CHECK_EQ(file_size("fsc/space"), 8192);
    CHECK_ERR(fallocate(fd, 0, 0, 0), EINVAL);
    CHECK_ERR(fallocate(fd, 0, -1, 10), EINVAL);
    CHECK_ERR(fallocate(-1, 0, 0, 10), EBADF);
    ro = open("fsc/space", O_RDONLY);
    CHECK_ERR(fallocate(ro, 0, 0, 10), EBADF);
    CHECK_ERR(fallocate(p[1], 0, 0, 10), ESPIPE);
    CHECK_ERR(fallocate(p[0], 0, 0, 10), EBADF);
    CHECK_ERR(fallocate(e, 0, 0, 10), ENODEV);
    /* fadvise: the advice is checked, a FIFO is ESPIPE. */
    CHECK_EQ(posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL), 0);
    CHECK_EQ(posix_fadvise(ro, 0, 4096, POSIX_FADV_DONTNEED), 0);
    CHECK_EQ(posix_fadvise(fd, 0, 0, 99), EINVAL);
    CHECK_EQ(posix_fadvise(p[0], 0, 0, POSIX_FADV_NORMAL), ESPIPE);
    CHECK_EQ(posix_fadvise(e, 0, 0, POSIX_FADV_NORMAL), 0);
    CHECK_EQ(posix_fadvise(e, 0, 0, 99), EINVAL);
    CHECK_EQ(posix_fadvise(-1, 0, 0, POSIX_FADV_NORMAL), EBADF);
    /* readahead: regular files only, opened for reading. */
    CHECK_EQ(readahead(ro, 0, 4096), 0);
    CHECK_ERR(readahead(p[0], 0, 10), EINVAL);
    CHECK_ERR(readahead(e, 0, 10), EINVAL);
    CHECK_ERR(readahead(p[1], 0, 10), EBADF);
    CHECK_ERR(readahead(-1, 0, 10), EBADF);
    int wo = open("fsc/space", O_WRONLY);
    CHECK_ERR(readahead(wo, 0, 10), EBADF);
    /* sync and syncfs. */
    sync();
    CHECK_EQ(syncfs(fd), 0);
    CHECK_EQ(syncfs(p[0]), 0);
    CHECK_EQ(syncfs(e), 0);
    CHECK_ERR(syncfs(-1), EBADF);
    CHECK_ERR(fsync(p[0]), EINVAL);
    close(wo);
    close(ro);
    close(fd);
    close(p[0]);
    close(p[1]);
    close(e);
}

static void test_flock(void)
{
    int a = open("fsc/lock", O_CREAT | O_RDWR, 0644), b = open("fsc/lock", O_RDONLY), p[2];
    int sync_pipe[2], status;
    char c;

    CHECK_EQ(flock(a, LOCK_EX), 0);
    CHECK_ERR(flock(b, LOCK_SH | LOCK_NB), EWOULDBLOCK);
    CHECK_EQ(flock(a, LOCK_SH), 0); /* a conversion of its own lock */
    CHECK_EQ(flock(b, LOCK_SH | LOCK_NB), 0);
    CHECK_ERR(flock(a, LOCK_EX | LOCK_NB), EWOULDBLOCK);
    CHECK_EQ(flock(b, LOCK_UN), 0);
    CHECK_EQ(flock(a, LOCK_EX | LOCK_NB), 0);
    CHECK_ERR(flock(a, 0), EINVAL);
    CHECK_ERR(flock(a, LOCK_NB), EINVAL);
    CHECK_ERR(flock(a, 16), EINVAL);
    CHECK_ERR(flock(-1, LOCK_EX), EBADF);
    int o = open("fsc/lock", O_PATH);
    CHECK_ERR(flock(o, LOCK_EX), EBADF);
    close(o);
    /* A dup shares the lock: its LOCK_UN frees it. */
    int d = dup(a);
    CHECK_EQ(flock(d, LOCK_UN), 0);
    CHECK_EQ(flock(b, LOCK_EX | LOCK_NB), 0);
    CHECK_EQ(flock(b, LOCK_UN), 0);
    close(d);
    /* A child waits in a blocking flock until the parent lets go. */
    CHECK_EQ(flock(a, LOCK_EX), 0);
    CHECK(pipe(sync_pipe) == 0);
    pid_t pid = fork();
    if (pid == 0) {
        int fd = open("fsc/lock", O_RDONLY);
        if (write(sync_pipe[1], "w", 1) != 1)
            _exit(3);
        if (flock(fd, LOCK_EX))
            _exit(2);
        if (write(sync_pipe[1], "g", 1) != 1)
            _exit(3);
        _exit(0);
    }
    CHECK_EQ(read(sync_pipe[0], &c, 1), 1);
    usleep(100 * 1000);
    CHECK_EQ(flock(a, LOCK_UN), 0);
    CHECK_EQ(read(sync_pipe[0], &c, 1), 1);
    CHECK(c == 'g');
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(sync_pipe[0]);
    close(sync_pipe[1]);
    /* Any file takes a lock, pipes too. */
    CHECK(pipe(p) == 0);
    CHECK_EQ(flock(p[0], LOCK_EX | LOCK_NB), 0);
    CHECK_EQ(flock(p[0], LOCK_UN), 0);
    close(p[0]);
    close(p[1]);
    close(a);
    close(b);
}

static void test_copy(void)
{
    char buf[64] = "";
    int in, out, p[2];
    loff_t oi = 2, oo = 4;
    int e = eventfd(0, 0);

    put("fsc/src", "0123456789abcdefghij");
    in = open("fsc/src", O_RDONLY);
    out = open("fsc/dst", O_CREAT | O_RDWR | O_TRUNC, 0644);
    CHECK_EQ(copy_file_range(in, &oi, out, &oo, 5, 0), 5);
    CHECK(oi == 7 && oo == 9);
    CHECK_EQ(lseek(in, 0, SEEK_CUR), 0);
    CHECK_EQ(file_size("fsc/dst"), 9);
    CHECK_EQ(pread(out, buf, sizeof buf, 0), 9);
    CHECK(!memcmp(buf, "\0\0\0\0" "23456", 9));
    /* No offsets: the files' own, which move. */
    CHECK_EQ(lseek(in, 10, SEEK_SET), 10);
    CHECK_EQ(lseek(out, 0, SEEK_END), 9);
    CHECK_EQ(copy_file_range(in, NULL, out, NULL, 100, 0), 10);
    CHECK_EQ(lseek(in, 0, SEEK_CUR), 20);
    CHECK_EQ(lseek(out, 0, SEEK_CUR), 19);
    CHECK_EQ(copy_file_range(in, NULL, out, NULL, 100, 0), 0); /* at the end */
    CHECK_ERR(copy_file_range(in, NULL, out, NULL, 1, 1), EINVAL);
    CHECK_ERR(copy_file_range(-1, NULL, out, NULL, 1, 0), EBADF);
    CHECK_ERR(copy_file_range(in, NULL, -1, NULL, 1, 0), EBADF);
    CHECK_ERR(copy_file_range(in, BAD_PTR, out, NULL, 1, 0), EFAULT);
    CHECK_ERR(copy_file_range(out, NULL, in, NULL, 1, 0), EBADF); /* in is read-only */
    CHECK(pipe(p) == 0);
    CHECK_ERR(copy_file_range(p[0], NULL, out, NULL, 1, 0), EINVAL);
    CHECK_ERR(copy_file_range(in, NULL, p[1], NULL, 1, 0), EINVAL);
    CHECK_ERR(copy_file_range(e, NULL, out, NULL, 1, 0), EINVAL);
    int dir = open("fsc", O_RDONLY | O_DIRECTORY);
    CHECK_ERR(copy_file_range(dir, NULL, out, NULL, 1, 0), EISDIR);
    close(dir);
    /* sendfile: file to pipe and file to file; a pipe is no source. */
    off_t so = 3;
    CHECK_EQ(sendfile(p[1], in, &so, 4), 4);
    CHECK(so == 7);
    CHECK_EQ(read(p[0], buf, sizeof buf), 4);
    CHECK(!memcmp(buf, "3456", 4));
    CHECK_EQ(lseek(in, 0, SEEK_SET), 0);
    CHECK_EQ(sendfile(out, in, NULL, 3), 3);
    CHECK_EQ(lseek(in, 0, SEEK_CUR), 3);
    CHECK_EQ(write(p[1], "xyz", 3), 3);
    CHECK_ERR(sendfile(out, p[0], NULL, 3), EINVAL);
    CHECK_ERR(sendfile(out, p[0], &so, 3), ESPIPE);
    CHECK_ERR(sendfile(out, e, NULL, 3), EINVAL);
    CHECK_ERR(sendfile(out, in, BAD_PTR, 3), EFAULT);
    CHECK_ERR(sendfile(-1, in, NULL, 3), EBADF);
    CHECK_ERR(sendfile(out, -1, NULL, 3), EBADF);
    CHECK_ERR(sendfile(in, out, NULL, 3), EBADF); /* out is read-only */
    so = -1;
    CHECK_ERR(sendfile(out, in, &so, 3), EINVAL);
    close(p[0]);
    close(p[1]);
    close(in);
    close(out);
    close(e);
}

static void test_rwv2(void)
{
    char a[8], b[8];
    struct iovec iov[2] = { { a, 3 }, { b, 4 } };
    int fd = open("fsc/v2", O_CREAT | O_RDWR | O_TRUNC, 0644), p[2];

    memcpy(a, "abc", 3);
    memcpy(b, "defg", 4);
    CHECK_EQ(syscall(SYS_pwritev2, fd, iov, 2, (long)0, 0, 0), 7);
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 0);
    CHECK_EQ(syscall(SYS_pwritev2, fd, iov, 1, (long)-1, 0, 0), 3); /* at the offset */
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 3);
    CHECK_EQ(syscall(SYS_pwritev2, fd, iov, 1, (long)1, 0, X_RWF_APPEND), 3); /* at the end */
    CHECK_EQ(file_size("fsc/v2"), 10);
    CHECK_EQ(syscall(SYS_pwritev2, fd, iov, 2, (long)20, 0, X_RWF_DSYNC | X_RWF_HIPRI), 7);
    CHECK_EQ(file_size("fsc/v2"), 27);
    memset(a, 0, sizeof a);
    memset(b, 0, sizeof b);
    CHECK_EQ(syscall(SYS_preadv2, fd, iov, 2, (long)0, 0, 0), 7);
    CHECK(!memcmp(a, "abc", 3) && !memcmp(b, "defg", 4));
    CHECK_EQ(lseek(fd, 7, SEEK_SET), 7);
    memset(a, 0, sizeof a);
    CHECK_EQ(syscall(SYS_preadv2, fd, iov, 1, (long)-1, 0, X_RWF_HIPRI), 3);
    CHECK(!memcmp(a, "abc", 3));
    CHECK_EQ(lseek(fd, 0, SEEK_CUR), 10);
    CHECK_EQ(syscall(SYS_preadv2, fd, iov, 2, (long)20, 0, X_RWF_NOWAIT), 7);
    CHECK_ERR(syscall(SYS_preadv2, fd, iov, 2, (long)0, 0, 0x10000), EOPNOTSUPP);
    CHECK_ERR(syscall(SYS_pwritev2, fd, iov, 2, (long)0, 0, 0x10000), EOPNOTSUPP);
    CHECK_ERR(syscall(SYS_preadv2, fd, iov, 2, (long)-2, 0, 0), EINVAL);
    CHECK_ERR(syscall(SYS_preadv2, -1, iov, 2, (long)0, 0, 0), EBADF);
    CHECK_ERR(syscall(SYS_preadv2, fd, BAD_PTR, 2, (long)0, 0, 0), EFAULT);
    CHECK(pipe(p) == 0);
    CHECK_EQ(syscall(SYS_pwritev2, p[1], iov, 2, (long)-1, 0, 0), 7);
    CHECK_EQ(syscall(SYS_preadv2, p[0], iov, 2, (long)-1, 0, 0), 7);
    CHECK_ERR(syscall(SYS_preadv2, p[0], iov, 2, (long)0, 0, 0), ESPIPE);
    CHECK_ERR(syscall(SYS_pwritev2, p[0], iov, 2, (long)-1, 0, 0), EBADF);
    close(p[0]);
    close(p[1]);
    close(fd);
}

static int fd_state(int fd)
{
    int r = fcntl(fd, F_GETFD);
    return r < 0 ? -errno : r;
}

static void *files_thread(void *arg)
{
    (void)arg;
    /* Unshared: closing here leaves the process's table alone. */
    long r = syscall(SYS_close_range, 40, 40, X_CLOSE_RANGE_UNSHARE);
    return (void *)r;
}

static void test_close_range(void)
{
    void *res;
    pthread_t th;

    for (int fd = 40; fd <= 46; fd++)
        CHECK_EQ(dup2(1, fd), fd);
    CHECK_EQ(syscall(SYS_close_range, 41, 43, 0), 0);
    CHECK(fd_state(40) == 0 && fd_state(41) == -EBADF && fd_state(43) == -EBADF &&
          fd_state(44) == 0);
    CHECK_EQ(syscall(SYS_close_range, 44, 45, X_CLOSE_RANGE_CLOEXEC), 0);
    CHECK(fd_state(44) == FD_CLOEXEC && fd_state(45) == FD_CLOEXEC && fd_state(46) == 0);
    CHECK(fd_state(41) == -EBADF); /* CLOEXEC opens nothing */
    CHECK_ERR(syscall(SYS_close_range, 46, 45, 0), EINVAL);
    CHECK_ERR(syscall(SYS_close_range, 40, 41, 1), EINVAL);
    CHECK_ERR(syscall(SYS_close_range, 40, 41, 8), EINVAL);
    CHECK_EQ(syscall(SYS_close_range, 1000, ~0U, 0), 0);
    CHECK_EQ(pthread_create(&th, NULL, files_thread, NULL), 0);
    pthread_join(th, &res);
    CHECK(res == NULL);
    CHECK(fd_state(40) == 0);
    CHECK_EQ(syscall(SYS_close_range, 46, ~0U, 0), 0);
    CHECK(fd_state(46) == -EBADF && fd_state(40) == 0);
    CHECK_EQ(syscall(SYS_close_range, 40, 45, X_CLOSE_RANGE_UNSHARE), 0);
    CHECK(fd_state(40) == -EBADF && fd_state(44) == -EBADF && fd_state(1) == 0);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The old getdents, read with a small buffer: names and d_type (the last byte). */
static void test_getdents(void)
{
    char buf[128], *names[16];
    int fd, n = 0;
    long got;

    CHECK_EQ(mkdir("fsc/gd", 0755), 0);
    put("fsc/gd/a-file", "");
    CHECK_EQ(mkdir("fsc/gd/b-dir", 0755), 0);
    CHECK_EQ(symlink("x", "fsc/gd/c-link-with-a-long-name-for-padding"), 0);
    fd = open("fsc/gd", O_RDONLY | O_DIRECTORY);
    while ((got = syscall(SYS_getdents, fd, buf, 64)) > 0)
        for (long off = 0; off < got && n < 16;) {
            unsigned short reclen;
            memcpy(&reclen, buf + off + 16, 2);
            if (asprintf(&names[n], "%s:%d", buf + off + 18, buf[off + reclen - 1]) > 0)
                n++;
            off += reclen;
        }
    CHECK_EQ(got, 0);
    qsort(names, n, sizeof names[0], by_name);
    printf("getdents:");
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");
    lseek(fd, 0, SEEK_SET);
    CHECK_ERR(syscall(SYS_getdents, fd, buf, 8), EINVAL);
    CHECK_ERR(syscall(SYS_getdents, -1, buf, sizeof buf), EBADF);
    lseek(fd, 0, SEEK_SET);
    CHECK_ERR(syscall(SYS_getdents, fd, BAD_PTR, sizeof buf), EFAULT);
    close(fd);
    fd = open("fsc/gd/a-file", O_RDONLY);
    CHECK_ERR(syscall(SYS_getdents, fd, buf, sizeof buf), ENOTDIR);
    close(fd);
}

static void *chroot_thread(void *arg)
{
    return (void *)(long)(chroot((const char *)arg) ? errno : 0);
}

/* The chrooted child: what it sees, one line each, then its exit status. */
static int chrooted(void)
{
    char cwd[256];
    void *res;
    pthread_t th;

    /* A thread chroots: threads share the fs_struct (CLONE_FS). */
    if (pthread_create(&th, NULL, chroot_thread, "fsc/croot") || pthread_join(th, &res))
        return 10;
    printf("chroot: %s\n", res ? errname((int)(long)res) : "ok");
    if (res)
        return 0;
    printf("/inside.txt: %s\n", slurp("/inside.txt"));
    printf("/../../inside.txt: %s\n", slurp("/../../inside.txt"));
    printf("/abs (-> /inside.txt): %s\n", slurp("/abs"));
    printf("/sub/up (-> ../../..): %s\n", slurp("/sub/up/inside.txt"));
    /* The cwd is outside the new root: relative paths go on from it. */
    printf("getcwd outside the root: %s\n", getcwd(cwd, sizeof cwd) ? cwd : errname(errno));
    printf("relative fsc/outside.txt: %s\n", slurp("fsc/outside.txt"));
    printf("/fsc/outside.txt: %s\n", slurp("/fsc/outside.txt"));
    CHECK_EQ(chdir("/"), 0);
    printf("getcwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd : errname(errno));
    CHECK_EQ(chdir("sub"), 0);
    printf("getcwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd : errname(errno));
    CHECK_EQ(chdir(".."), 0);
    CHECK_ERR(open("/outside.txt", O_RDONLY), ENOENT);
    put("/made-inside", "m");
    /* A child inherits the root. */
    pid_t pid = fork();
    if (pid == 0)
        _exit(strcmp(slurp("/inside.txt"), "inside\n") ? 1 : 0);
    int status;
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0);
    /* A chroot inside the chroot, by a relative path. */
    CHECK_EQ(chroot("sub"), 0);
    printf("nested /deeper.txt: %s\n", slurp("/deeper.txt"));
    printf("nested getcwd: %s\n", getcwd(cwd, sizeof cwd) ? cwd : errname(errno));
    printf("nested /inside.txt: %s\n", slurp("/inside.txt"));
    printf("nested ../inside.txt from the cwd: %s\n", slurp("../inside.txt"));
    CHECK_EQ(chdir("/"), 0);
    printf("nested /../inside.txt: %s\n", slurp("/../inside.txt"));
    CHECK_EQ(chroot("/"), 0);
    printf("chroot(\"/\") /deeper.txt: %s\n", slurp("/deeper.txt"));
    return guest_done();
}

static void test_chroot(void)
{
    char cwd_before[256], cwd_after[256];
    int status;

    CHECK_EQ(mkdir("fsc/croot", 0755), 0);
    CHECK_EQ(mkdir("fsc/croot/sub", 0755), 0);
    put("fsc/croot/inside.txt", "inside\n");
    put("fsc/croot/sub/deeper.txt", "deeper\n");
    put("fsc/outside.txt", "outside\n");
    CHECK_EQ(symlink("/inside.txt", "fsc/croot/abs"), 0);
    CHECK_EQ(symlink("../../..", "fsc/croot/sub/up"), 0);
    CHECK_ERR(chroot("fsc/none"), ENOENT);
    CHECK_ERR(chroot("fsc/outside.txt"), ENOTDIR);
    CHECK_ERR(chroot(BAD_PTR), EFAULT);
    CHECK_ERR(chroot(""), ENOENT);
    CHECK(getcwd(cwd_before, sizeof cwd_before) != NULL);
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        int r = chrooted();
        fflush(stdout);
        _exit(r);
    }
    CHECK(waitpid(pid, &status, 0) == pid && WIFEXITED(status));
    printf("chrooted child: exit %d\n", WEXITSTATUS(status));
    /* The parent's root and cwd are its own. */
    CHECK(getcwd(cwd_after, sizeof cwd_after) && !strcmp(cwd_before, cwd_after));
    CHECK(!strcmp(slurp("fsc/outside.txt"), "outside\n"));
    CHECK_ERR(open("/inside.txt", O_RDONLY), ENOENT);
}

/* rm -r of what dirfd/name holds (no shell: under --root there is none). */
static void remove_tree(int at, const char *name)
{
    int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW);
    DIR *d = fd < 0 ? NULL : fdopendir(fd);

    if (!d) {
        if (fd >= 0)
            close(fd);
        unlinkat(at, name, 0);
        return;
    }
    for (struct dirent *e; (e = readdir(d));)
        if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
            remove_tree(dirfd(d), e->d_name);
    closedir(d);
    unlinkat(at, name, AT_REMOVEDIR);
}

static void cleanup(void)
{
    remove_tree(AT_FDCWD, "fsc");
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    cleanup();
    CHECK_EQ(mkdir("fsc", 0755), 0);
    test_chown();
    test_mknod();
    test_utime();
    test_statfs();
    test_space();
    test_flock();
    test_copy();
    test_rwv2();
    test_close_range();
    test_getdents();
    test_chroot();
    cleanup();
    return guest_done();
}
