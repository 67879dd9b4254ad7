/*
 * Guest for the trace differential test: the file-system calls lxemu
 * implements, each made directly with syscall() on fixed inputs in the
 * current directory, including the usual failures.  Its strace must match
 * lxemu --trace line for line (see run-trace-diff.sh).
 */
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define AT_EACCESS_FLAG 0x200
#define RENAME_NOREPLACE_FLAG 1
#define STATX_BASIC_STATS_MASK 0x7ff

static char buf[256];
static char statxbuf[256];

static void write_file(void)
{
	struct iovec iov[2] = { { "ab", 2 }, { "cdef\n", 5 } };
	struct stat st;
	long fd = syscall(SYS_open, "f1", O_WRONLY | O_CREAT | O_TRUNC, 0644);

	syscall(SYS_write, fd, "hello, world\n", 13L);
	syscall(SYS_pwrite64, fd, "HELLO", 5L, 0L);
	syscall(SYS_writev, fd, iov, 2L);
	syscall(SYS_pwritev, fd, iov, 1L, 40L, 0L);
	syscall(SYS_fstat, fd, &st);
	syscall(SYS_close, fd);
}

static void read_file(void)
{
	struct iovec iov[2] = { { buf, 4 }, { buf + 4, 100 } };
	long fd = syscall(SYS_openat, (long)AT_FDCWD, "f1", O_RDONLY | O_CLOEXEC);

	syscall(SYS_read, fd, buf, 5L);
	syscall(SYS_lseek, fd, 0L, (long)SEEK_SET);
	syscall(SYS_lseek, fd, -3L, (long)SEEK_END);
	syscall(SYS_lseek, fd, 1L, (long)SEEK_CUR);
	syscall(SYS_pread64, fd, buf, 100L, 2L);
	syscall(SYS_readv, fd, iov, 2L);
	syscall(SYS_preadv, fd, iov, 2L, 0L, 0L);
	syscall(SYS_read, fd, buf, sizeof(buf));
	syscall(SYS_close, fd);
}

static void descriptors(void)
{
	long fd = syscall(SYS_open, "f1", O_RDWR | O_APPEND);

	syscall(SYS_dup, fd);
	syscall(SYS_dup2, fd, 10L);
	syscall(SYS_dup3, fd, 11L, (long)O_CLOEXEC);
	syscall(SYS_dup3, fd, fd, 0L);
	syscall(SYS_fcntl, fd, (long)F_GETFD);
	syscall(SYS_fcntl, fd, (long)F_SETFD, (long)FD_CLOEXEC);
	syscall(SYS_fcntl, fd, (long)F_GETFD);
	syscall(SYS_fcntl, fd, (long)F_GETFL);
	syscall(SYS_fcntl, fd, (long)F_SETFL, (long)O_NONBLOCK);
	syscall(SYS_fcntl, fd, (long)F_DUPFD, 20L);
	syscall(SYS_fcntl, fd, (long)F_DUPFD_CLOEXEC, 30L);
	for (long i = 3; i <= 30; i++)
		syscall(SYS_close, i);
	syscall(SYS_close, 99L);
	syscall(SYS_read, -1L, buf, 1L);
	syscall(SYS_write, 99L, "x", 1L);
}

static void names(void)
{
	struct stat st;

	syscall(SYS_stat, "f1", &st);
	syscall(SYS_stat, "missing", &st);
	syscall(SYS_lstat, "f1", &st);
	syscall(SYS_newfstatat, (long)AT_FDCWD, "f1", &st, 0L);
	syscall(SYS_newfstatat, (long)AT_FDCWD, "f1", &st, (long)AT_SYMLINK_NOFOLLOW);
	syscall(SYS_access, "f1", (long)(R_OK | W_OK));
	syscall(SYS_access, "missing", (long)F_OK);
	syscall(SYS_faccessat, (long)AT_FDCWD, "f1", (long)X_OK);
	syscall(SYS_faccessat2, (long)AT_FDCWD, "f1", (long)R_OK, (long)AT_EACCESS_FLAG);
	syscall(SYS_statx, (long)AT_FDCWD, "f1", 0L, (long)STATX_BASIC_STATS_MASK, statxbuf);
	syscall(SYS_statx, (long)AT_FDCWD, "missing", 0L, (long)STATX_BASIC_STATS_MASK, statxbuf);
	syscall(SYS_open, "missing", O_RDONLY);
	syscall(SYS_umask, 077L);
	syscall(SYS_umask, 022L);
}

static void directories(void)
{
	long fd;

	syscall(SYS_mkdir, "d1", 0755L);
	syscall(SYS_mkdir, "d1", 0755L);
	syscall(SYS_mkdirat, (long)AT_FDCWD, "d1/d2", 0700L);
	syscall(SYS_chdir, "d1");
	syscall(SYS_getcwd, buf, sizeof(buf));
	syscall(SYS_chdir, "..");
	fd = syscall(SYS_open, "d1", O_RDONLY | O_DIRECTORY);
	syscall(SYS_fchdir, fd);
	syscall(SYS_chdir, "..");
	syscall(SYS_close, fd);
	syscall(SYS_rmdir, "d1");
	syscall(SYS_unlink, "d1");
	syscall(SYS_unlinkat, (long)AT_FDCWD, "d1/d2", (long)AT_REMOVEDIR);
	fd = syscall(SYS_open, "d1", O_RDONLY | O_DIRECTORY);
	while (syscall(SYS_getdents64, fd, buf, sizeof(buf)) > 0)
		;
	syscall(SYS_close, fd);
	syscall(SYS_rmdir, "d1");
}

static void links(void)
{
	syscall(SYS_symlink, "f1", "l1");
	syscall(SYS_symlinkat, "f1", (long)AT_FDCWD, "l2");
	syscall(SYS_readlink, "l1", buf, sizeof(buf));
	syscall(SYS_readlink, "f1", buf, sizeof(buf));
	syscall(SYS_readlinkat, (long)AT_FDCWD, "l2", buf, 1L);
	syscall(SYS_rename, "l1", "l3");
	syscall(SYS_renameat, (long)AT_FDCWD, "l3", (long)AT_FDCWD, "l4");
	syscall(SYS_renameat2, (long)AT_FDCWD, "l4", (long)AT_FDCWD, "l2",
		(long)RENAME_NOREPLACE_FLAG);
	syscall(SYS_rename, "missing", "l5");
	syscall(SYS_unlink, "l2");
	syscall(SYS_unlink, "l4");
	syscall(SYS_unlinkat, (long)AT_FDCWD, "f1", 0L);
	syscall(SYS_unlink, "f1");
}

int main(void)
{
	write_file();
	read_file();
	descriptors();
	names();
	directories();
	links();
	return 0;
}
