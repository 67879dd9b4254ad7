/*
 * /proc/PID/maps: Linux's exact line format (expected lines copied from a
 * real /proc/self/maps), [heap] and [stack] naming, snprintf-like lengths,
 * and procfs_open's path forms, refusals and read/seek/stat behaviour, for
 * maps, comm, stat, status, cmdline and the /proc/PID/task directory.
 */
#include <string.h>
#include <unistd.h>
#include <sys/sysmacros.h>
#include "unit.h"
#include "emu/kernel/task.h"
#include "emu/mm/mm.h"
#include "emu/fs/file.h"
#include "emu/fs/procfs.h"
#include "abi/linux/errno.h"
#include "abi/linux/fcntl.h"
#include "abi/linux/mman.h"
#include "abi/linux/stat.h"

#define R LINUX_PROT_READ
#define RW (LINUX_PROT_READ | LINUX_PROT_WRITE)
#define RX (LINUX_PROT_READ | LINUX_PROT_EXEC)
#define K4 4096ULL

static struct mm_struct *mm;
static struct signal_struct sig = { .tgid = 100 };
static struct task task = { .tid = 101, .signal = &sig };
static char out[8192];

static void fresh_mm(void)
{
	if (mm)
		mmput(mm);
	mm = mm_alloc();
	task.mm = mm;
}

static int teardown(void)
{
	if (mm)
		mmput(mm);
	return 0;
}

/* A VMA without host memory: maps needs only the bookkeeping. */
static void add_vma(u64 start, u64 end, u32 prot, u32 flags, u64 pgoff, u64 dev, u64 ino,
		    const char *path)
{
	struct vm_area_struct proto = {
		.vm_start = start, .vm_end = end, .vm_prot = prot, .vm_flags = flags,
		.vm_pgoff = pgoff, .dev = dev, .ino = ino, .path = path ? strdup(path) : NULL,
	};

	CU_ASSERT_FALSE(IS_ERR(vma_insert_locked(mm, &proto)));
}

static long format(void)
{
	return mm_format_maps_locked(mm, out, sizeof(out));
}

static void test_maps_anon_private_line(void)
{
	fresh_mm();
	CU_ASSERT_FALSE(IS_ERR(mm_insert_anon_locked(mm, 0x10000, 2 * K4, RW, 0)));
	CU_ASSERT_EQUAL(format(), 41);
	/* Linux ends a nameless line with the space after the inode. */
	CU_ASSERT_STRING_EQUAL(out, "00010000-00012000 rw-p 00000000 00:00 0 \n");
}

static void test_maps_shared_and_prot_none(void)
{
	fresh_mm();
	CU_ASSERT_FALSE(IS_ERR(mm_insert_anon_locked(mm, 0x10000, K4, R, VM_SHARED)));
	CU_ASSERT_FALSE(IS_ERR(mm_insert_anon_locked(mm, 0x20000, K4, LINUX_PROT_NONE, 0)));
	format();
	CU_ASSERT_STRING_EQUAL(out, "00010000-00011000 r--s 00000000 00:00 0 \n"
				    "00020000-00021000 ---p 00000000 00:00 0 \n");
}

static void test_maps_file_line_pads_name_to_column_73(void)
{
	static const char *expect =
		"55e3ce75b000-55e3ce760000 r-xp 00002000 fe:00 247134                     /usr/bin/cat\n"
		"7f4c20280000-7f4c202a6000 r--p 00000000 fe:00 332835                     /usr/lib/x86_64-linux-gnu/libc.so.6\n"
		"7f4c20453000-7f4c20455000 rw-p 001d3000 fe:00 332835                     /usr/lib/x86_64-linux-gnu/libc.so.6\n";

	fresh_mm();
	add_vma(0x55e3ce75b000, 0x55e3ce760000, RX, 0, 2, makedev(0xfe, 0), 247134, "/usr/bin/cat");
	add_vma(0x7f4c20280000, 0x7f4c202a6000, R, 0, 0, makedev(0xfe, 0), 332835,
		"/usr/lib/x86_64-linux-gnu/libc.so.6");
	add_vma(0x7f4c20453000, 0x7f4c20455000, RW, 0, 0x1d3, makedev(0xfe, 0), 332835,
		"/usr/lib/x86_64-linux-gnu/libc.so.6");
	CU_ASSERT_EQUAL(format(), (long)strlen(expect));
	CU_ASSERT_STRING_EQUAL(out, expect);
	CU_ASSERT_EQUAL(strchr(out, '/') - out, 73);
}

static void test_maps_file_short_addresses_and_wide_device(void)
{
	static const char *expect =
		"00400000-00401000 r--s 00003000 103:10005 12345678901                "
		"    /data/a\\012b\n";

	fresh_mm();
	add_vma(0x400000, 0x401000, R, VM_SHARED, 3, makedev(0x103, 0x10005), 12345678901ULL,
		"/data/a\nb");
	format();
	CU_ASSERT_STRING_EQUAL(out, expect);
	CU_ASSERT_EQUAL(strchr(out, '/') - out, 73);
}

static void test_maps_anon_ignores_pgoff_and_identity(void)
{
	fresh_mm();
	add_vma(0x10000, 0x11000, RW, 0, 0x10, makedev(8, 1), 99, NULL);
	format();
	CU_ASSERT_STRING_EQUAL(out, "00010000-00011000 rw-p 00000000 00:00 0 \n");
}

static void test_maps_names_heap_and_stack(void)
{
	static const char *expect =
		"55e3fc6f5000-55e3fc6f7000 rw-p 00000000 00:00 0 \n"
		"55e3fc6f7000-55e3fc718000 rw-p 00000000 00:00 0                          [heap]\n"
		"7ffcf865b000-7ffcf867c000 rw-p 00000000 00:00 0                          [stack]\n";

	fresh_mm();
	mm->start_brk = 0x55e3fc6f7000;
	mm->brk = 0x55e3fc717800;
	mm->start_stack = 0x7ffcf867b5e0;
	/* touching the heap from below is not the heap (Linux 6.7 and later) */
	add_vma(0x55e3fc6f5000, 0x55e3fc6f7000, RW, 0, 0, 0, 0, NULL);
	add_vma(0x55e3fc6f7000, 0x55e3fc718000, RW, VM_HEAP, 0, 0, 0, NULL);
	add_vma(0x7ffcf865b000, 0x7ffcf867c000, RW, VM_GROWSDOWN | VM_STACK, 0, 0, 0, NULL);
	format();
	CU_ASSERT_STRING_EQUAL(out, expect);
}

static void test_maps_empty_heap_names_nothing(void)
{
	fresh_mm();
	mm->start_brk = mm->brk = 0x20000;
	add_vma(0x1e000, 0x20000, RW, 0, 0, 0, 0, NULL);
	add_vma(0x20000, 0x21000, RW, 0, 0, 0, 0, NULL);
	format();
	CU_ASSERT_PTR_NULL(strstr(out, "[heap]"));
	/* but an area straddling start_brk is the heap even so */
	mm_unmap_locked(mm, 0, TASK_SIZE);
	add_vma(0x1f000, 0x21000, RW, 0, 0, 0, 0, NULL);
	format();
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "[heap]"));
}

static void test_maps_file_vma_is_never_heap(void)
{
	fresh_mm();
	mm->start_brk = 0x400000;
	mm->brk = 0x402000;
	add_vma(0x400000, 0x401000, RW, 0, 0, makedev(8, 1), 7, "/bin/x");
	format();
	CU_ASSERT_PTR_NULL(strstr(out, "[heap]"));
}

static void test_maps_returns_needed_length_when_truncated(void)
{
	char small[16];
	long full;

	fresh_mm();
	add_vma(0x10000, 0x11000, RW, 0, 0, 0, 0, NULL);
	add_vma(0x400000, 0x401000, R, 0, 0, makedev(8, 1), 7, "/bin/x");
	full = format();
	CU_ASSERT_EQUAL(full, (long)strlen(out));
	CU_ASSERT_EQUAL(full, 41 + 80);
	memset(small, 'Z', sizeof(small));
	CU_ASSERT_EQUAL(mm_format_maps_locked(mm, small, sizeof(small)), full);
	CU_ASSERT_STRING_EQUAL(small, "00010000-000110");
	CU_ASSERT_EQUAL(mm_format_maps_locked(mm, NULL, 0), full);
	CU_ASSERT_EQUAL(mm_format_maps_locked(mm, out, full), full);
	CU_ASSERT_EQUAL(strlen(out), (size_t)full - 1);
	CU_ASSERT_EQUAL(mm_format_maps_locked(mm, out, full + 1), full);
	CU_ASSERT_EQUAL(strlen(out), (size_t)full);
}

/* Opens path, checks it is served, and releases it. */
static void expect_served(const char *path)
{
	struct file *f = procfs_open(&task, path, LINUX_O_RDONLY);

	CU_ASSERT_FALSE(IS_ERR_OR_NULL(f));
	if (IS_ERR_OR_NULL(f))
		return;
	CU_ASSERT_STRING_EQUAL(f->path, path);
	fput(f);
}

static long open_err(const char *path, u32 flags)
{
	struct file *f = procfs_open(&task, path, flags);

	if (IS_ERR_OR_NULL(f))
		return PTR_ERR(f);
	fput(f);
	return 0;
}

static void test_procfs_open_serves_own_maps_paths(void)
{
	fresh_mm();
	expect_served("/proc/self/maps");
	expect_served("/proc/thread-self/maps");
	expect_served("/proc/100/maps");
	expect_served("/proc/101/maps");
	expect_served("/proc/100/task/101/maps");
	expect_served("/proc/self/task/101/maps");
	expect_served("/proc/self/task/100/maps");
	expect_served("//proc/./self//maps");
	expect_served("/proc/1/../self/maps");
}

static void test_procfs_open_refuses_other_pids(void)
{
	fresh_mm();
	CU_ASSERT_EQUAL(open_err("/proc/1/maps", 0), -LINUX_ENOENT);
	CU_ASSERT_EQUAL(open_err("/proc/0100/maps", 0), -LINUX_ENOENT);
	CU_ASSERT_EQUAL(open_err("/proc/99999999999/maps", 0), -LINUX_ENOENT);
	CU_ASSERT_EQUAL(open_err("/proc/100/task/1/maps", 0), -LINUX_ENOENT);
	CU_ASSERT_EQUAL(open_err("/proc/1/task/101/maps", 0), -LINUX_ENOENT);
	CU_ASSERT_EQUAL(open_err("/proc/self/task/7/maps", 0), -LINUX_ENOENT);
	CU_ASSERT_EQUAL(open_err("/proc/1/status", 0), -LINUX_ENOENT);
	CU_ASSERT_EQUAL(open_err("/proc/1/stat", 0), -LINUX_ENOENT);
	CU_ASSERT_EQUAL(open_err("/proc/1/cmdline", 0), -LINUX_ENOENT);
}

/* stat, status and cmdline: the same pid forms as maps, read-only. */
static void test_procfs_open_stat_status_cmdline_paths(void)
{
	fresh_mm();
	expect_served("/proc/self/stat");
	expect_served("/proc/self/status");
	expect_served("/proc/self/cmdline");
	expect_served("/proc/thread-self/stat");
	expect_served("/proc/100/task/101/status");
	CU_ASSERT_EQUAL(open_err("/proc/self/stat/", 0), -LINUX_ENOTDIR);
	CU_ASSERT_EQUAL(open_err("/proc/self/cmdline", LINUX_O_WRONLY),
			geteuid() ? -LINUX_EACCES : 0);
}

static void test_procfs_open_passes_other_paths_on(void)
{
	fresh_mm();
	CU_ASSERT_PTR_NULL(procfs_open(&task, "/proc/self/environ", 0));
	CU_ASSERT_PTR_NULL(procfs_open(&task, "/proc/meminfo", 0));
	CU_ASSERT_PTR_NULL(procfs_open(&task, "/sys/devices/system/cpu/cpu0", 0));
	CU_ASSERT_PTR_NULL(procfs_open(&task, "/proc/sys/maps", 0));
	CU_ASSERT_PTR_NULL(procfs_open(&task, "/proc/self/maps/..", 0));
	CU_ASSERT_PTR_NULL(procfs_open(&task, "/etc/maps", 0));
	CU_ASSERT_PTR_NULL(procfs_open(&task, "maps", 0));
	CU_ASSERT_PTR_NULL(procfs_open(&task, "/proc/self/a/b/c/d/e/f/g/h/i/maps", 0));
}

static void test_procfs_open_refuses_like_linux(void)
{
	fresh_mm();
	CU_ASSERT_EQUAL(open_err("/proc/self/maps/", 0), -LINUX_ENOTDIR);
	CU_ASSERT_EQUAL(open_err("/proc/self/maps", LINUX_O_DIRECTORY), -LINUX_ENOTDIR);
	CU_ASSERT_EQUAL(open_err("/proc/self/maps", LINUX_O_CREAT | LINUX_O_EXCL), -LINUX_EEXIST);
	/* Root's CAP_DAC_OVERRIDE opens for writing; write then fails with EINVAL. */
	CU_ASSERT_EQUAL(open_err("/proc/self/maps", LINUX_O_WRONLY),
			geteuid() ? -LINUX_EACCES : 0);
	CU_ASSERT_EQUAL(open_err("/proc/self/maps", LINUX_O_RDWR), geteuid() ? -LINUX_EACCES : 0);
	CU_ASSERT_EQUAL(open_err("/proc/self/maps", LINUX_O_RDONLY | LINUX_O_CLOEXEC), 0);
}

static void test_procfs_read_seek_and_stat(void)
{
	struct linux_stat st;
	struct file *f;
	char buf[256];
	long full, n, got = 0;

	fresh_mm();
	add_vma(0x10000, 0x11000, RW, 0, 0, 0, 0, NULL);
	add_vma(0x400000, 0x401000, R, 0, 0, makedev(8, 1), 7, "/bin/x");
	full = format();
	f = procfs_open(&task, "/proc/self/maps", LINUX_O_RDONLY | LINUX_O_CLOEXEC);
	CU_ASSERT_FATAL(!IS_ERR_OR_NULL(f));
	CU_ASSERT_EQUAL(f->f_flags, LINUX_O_RDONLY | LINUX_O_LARGEFILE);
	while ((n = f->f_op->read(f, buf + got, 7)) > 0)
		got += n;
	CU_ASSERT_EQUAL(got, full);
	CU_ASSERT_EQUAL(memcmp(buf, out, full), 0);
	CU_ASSERT_EQUAL(f->f_op->llseek(f, 0, LINUX_SEEK_CUR), full);
	CU_ASSERT_EQUAL(f->f_op->llseek(f, -full - 1, LINUX_SEEK_CUR), -LINUX_EINVAL);
	CU_ASSERT_EQUAL(f->f_op->llseek(f, 0, LINUX_SEEK_END), -LINUX_EINVAL);
	CU_ASSERT_EQUAL(f->f_op->llseek(f, -1, LINUX_SEEK_SET), -LINUX_EINVAL);
	CU_ASSERT_EQUAL(f->f_op->llseek(f, 1 << 20, LINUX_SEEK_SET), 1 << 20);
	CU_ASSERT_EQUAL(f->f_op->read(f, buf, sizeof(buf)), 0);
	CU_ASSERT_EQUAL(f->f_op->llseek(f, 9, LINUX_SEEK_SET), 9);
	CU_ASSERT_EQUAL(f->f_op->read(f, buf, 8), 8);
	CU_ASSERT_EQUAL(memcmp(buf, "00011000", 8), 0);
	CU_ASSERT_EQUAL(f->f_op->pread(f, buf, 4, 41), 4);
	CU_ASSERT_EQUAL(memcmp(buf, "0040", 4), 0);
	CU_ASSERT_EQUAL(f->f_op->llseek(f, 0, LINUX_SEEK_CUR), 17);
	CU_ASSERT_EQUAL(f->f_op->fstat(f, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode, LINUX_S_IFREG | 0444);
	CU_ASSERT_EQUAL(st.st_size, 0);
	CU_ASSERT_EQUAL(st.st_blksize, 1024);
	CU_ASSERT_EQUAL(st.st_nlink, 1);
	CU_ASSERT_EQUAL(f->f_op->write(f, "x", 1), -LINUX_EINVAL);
	CU_ASSERT_EQUAL(f->f_op->pwrite(f, "x", 1, 0), -LINUX_EINVAL);
	CU_ASSERT_PTR_NULL(f->f_op->getdents64);
	fput(f);
}

/* The task directory and comm: the same pid forms; no task directory below a thread. */
static void test_procfs_open_task_dir_and_comm_paths(void)
{
	struct linux_stat st;
	struct file *f;

	fresh_mm();
	expect_served("/proc/self/task");
	expect_served("/proc/101/task/");
	expect_served("/proc/self/comm");
	expect_served("/proc/thread-self/comm");
	expect_served("/proc/self/task/101/comm");
	CU_ASSERT_EQUAL(open_err("/proc/thread-self/task", 0), -LINUX_ENOENT);
	CU_ASSERT_EQUAL(open_err("/proc/self/task/101/task", 0), -LINUX_ENOENT);
	CU_ASSERT_EQUAL(open_err("/proc/self/task/comm", 0), -LINUX_ENOENT);
	CU_ASSERT_EQUAL(open_err("/proc/1/task", 0), -LINUX_ENOENT);
	CU_ASSERT_EQUAL(open_err("/proc/self/task", LINUX_O_WRONLY), -LINUX_EISDIR);
	CU_ASSERT_EQUAL(open_err("/proc/self/task", LINUX_O_CREAT), -LINUX_EISDIR);
	CU_ASSERT_EQUAL(open_err("/proc/self/task", LINUX_O_CREAT | LINUX_O_EXCL), -LINUX_EEXIST);
	CU_ASSERT_EQUAL(open_err("/proc/self/comm/", 0), -LINUX_ENOTDIR);
	CU_ASSERT_EQUAL(open_err("/proc/self/comm", LINUX_O_WRONLY), 0); /* 0644, the caller's */
	f = procfs_open(&task, "/proc/self/task", LINUX_O_RDONLY | LINUX_O_DIRECTORY);
	CU_ASSERT_FATAL(!IS_ERR_OR_NULL(f));
	CU_ASSERT_PTR_NOT_NULL(f->f_op->getdents64);
	CU_ASSERT_EQUAL(f->f_op->read(f, NULL, 0), -LINUX_EISDIR);
	CU_ASSERT_EQUAL(f->f_op->fstat(f, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode, LINUX_S_IFDIR | 0555);
	CU_ASSERT_EQUAL(f->f_op->llseek(f, 0, LINUX_SEEK_END), 0);
	CU_ASSERT_EQUAL(f->f_op->llseek(f, 0, LINUX_SEEK_DATA), -LINUX_ENXIO);
	fput(f);
}

static void test_procfs_read_at_zero_sees_new_mappings(void)
{
	struct file *f;
	char buf[512];
	long n;

	fresh_mm();
	add_vma(0x10000, 0x11000, RW, 0, 0, 0, 0, NULL);
	f = procfs_open(&task, "/proc/self/maps", 0);
	CU_ASSERT_FATAL(!IS_ERR_OR_NULL(f));
	CU_ASSERT_EQUAL(f->f_op->read(f, buf, 10), 10);
	add_vma(0x20000, 0x21000, R, 0, 0, 0, 0, NULL);
	/* a reader in the middle keeps its snapshot */
	CU_ASSERT_EQUAL(f->f_op->read(f, buf, sizeof(buf)), 31);
	CU_ASSERT_EQUAL(f->f_op->llseek(f, 0, LINUX_SEEK_SET), 0);
	n = f->f_op->read(f, buf, sizeof(buf));
	CU_ASSERT_EQUAL(n, 82);
	CU_ASSERT_EQUAL(f->f_op->pread(f, buf, sizeof(buf), 0), 82);
	fput(f);
	/* the file held the mm: it is still ours to use after the close */
	CU_ASSERT_EQUAL(atomic_load(&mm->users), 1);
}

static const struct unit_test tests[] = {
	{ "maps_anon_private_line", test_maps_anon_private_line },
	{ "maps_shared_and_prot_none", test_maps_shared_and_prot_none },
	{ "maps_file_line_pads_name_to_column_73", test_maps_file_line_pads_name_to_column_73 },
	{ "maps_file_short_addresses_and_wide_device",
	  test_maps_file_short_addresses_and_wide_device },
	{ "maps_anon_ignores_pgoff_and_identity", test_maps_anon_ignores_pgoff_and_identity },
	{ "maps_names_heap_and_stack", test_maps_names_heap_and_stack },
	{ "maps_empty_heap_names_nothing", test_maps_empty_heap_names_nothing },
	{ "maps_file_vma_is_never_heap", test_maps_file_vma_is_never_heap },
	{ "maps_returns_needed_length_when_truncated",
	  test_maps_returns_needed_length_when_truncated },
	{ "procfs_open_serves_own_maps_paths", test_procfs_open_serves_own_maps_paths },
	{ "procfs_open_refuses_other_pids", test_procfs_open_refuses_other_pids },
	{ "procfs_open_passes_other_paths_on", test_procfs_open_passes_other_paths_on },
	{ "procfs_open_stat_status_cmdline_paths", test_procfs_open_stat_status_cmdline_paths },
	{ "procfs_open_refuses_like_linux", test_procfs_open_refuses_like_linux },
	{ "procfs_read_seek_and_stat", test_procfs_read_seek_and_stat },
	{ "procfs_open_task_dir_and_comm_paths", test_procfs_open_task_dir_and_comm_paths },
	{ "procfs_read_at_zero_sees_new_mappings", test_procfs_read_at_zero_sees_new_mappings },
};

int main(void)
{
	return RUN_UNIT_TESTS("maps", NULL, teardown, tests);
}
