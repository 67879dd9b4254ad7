/*
 * The mmap family: mmap, munmap, mprotect.  Each checks its arguments the
 * way Linux does, changes the VMAs under mmap_lock, then makes every engine
 * of the mm drop the changed range so it remaps it lazily.
 */
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "mm.h"
#include "../kernel/task.h"
#include "../fs/file.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"
#include "../../abi/linux/mman.h"

#define PROT_ALL (LINUX_PROT_READ | LINUX_PROT_WRITE | LINUX_PROT_EXEC)

void mm_sync_engines(struct task *t, u64 start, u64 end)
{
	/*
	 * One engine per mm until threads exist; the shootdown of other
	 * engines (issue 4) will queue the range on each and wait.
	 */
	cpu_unmap_range(t, start, end);
}

/* Fills a private file mapping from the file, as a copy (MAP_PRIVATE). */
static long fill_from_file(struct vm_area_struct *v, struct file *f, s64 off)
{
	u64 len = v->vm_end - v->vm_start;
	u64 done = 0;

	while (done < len) {
		ssize_t n = pread(f->host_fd, v->host + done, len - done, off + done);
		if (n < 0)
			return host_errno_to_linux(errno);
		if (n == 0)
			break;
		done += n;
	}
	return 0;
}

/* Replaces the part of a fresh VMA's host memory that the file covers with a shared host mapping. */
static long map_shared_file(struct vm_area_struct *v, struct file *f, s64 off)
{
	struct stat st;
	u64 len = v->vm_end - v->vm_start, file_len;
	int hprot = PROT_READ;

	if (fstat(f->host_fd, &st))
		return host_errno_to_linux(errno);
	if ((f->f_flags & LINUX_O_ACCMODE) == LINUX_O_RDWR)
		hprot |= PROT_WRITE;
	if (st.st_size <= off)
		return 0;
	file_len = PAGE_ALIGN(MIN(len, (u64)(st.st_size - off)));
	if (mmap(v->host, file_len, hprot, MAP_SHARED | MAP_FIXED, f->host_fd, off) == MAP_FAILED)
		return host_errno_to_linux(errno);
	v->vm_flags |= VM_SHARED;
	return 0;
}

/* Checks that file f may back a mapping with these flags and protections. */
static long check_file_mapping(struct file *f, u32 prot, u32 flags)
{
	u32 acc = f->f_flags & LINUX_O_ACCMODE;
	struct stat st;

	if (f->host_fd < 0 || fstat(f->host_fd, &st) || !S_ISREG(st.st_mode))
		return -LINUX_ENODEV;
	if (acc == LINUX_O_WRONLY)
		return -LINUX_EACCES;
	if ((flags & LINUX_MAP_TYPE) != LINUX_MAP_PRIVATE && (prot & LINUX_PROT_WRITE) &&
	    acc != LINUX_O_RDWR)
		return -LINUX_EACCES;
	return 0;
}

static long mmap_file_locked(struct mm_struct *mm, struct vm_area_struct *v, struct file *f,
			     u32 flags, s64 off)
{
	struct stat st;
	long err;

	if ((flags & LINUX_MAP_TYPE) == LINUX_MAP_PRIVATE)
		err = fill_from_file(v, f, off);
	else
		err = map_shared_file(v, f, off);
	if (err)
		return err;
	if (!fstat(f->host_fd, &st)) {
		v->dev = st.st_dev;
		v->ino = st.st_ino;
	}
	v->vm_pgoff = off / PAGE_SIZE;
	v->path = f->path ? strdup(f->path) : NULL;
	(void)mm;
	return 0;
}

/* Picks the address: fixed, hinted or top-down. Returns it or a negative errno. */
static s64 mmap_pick_addr_locked(struct mm_struct *mm, u64 addr, u64 len, u32 flags)
{
	if (flags & (LINUX_MAP_FIXED | LINUX_MAP_FIXED_NOREPLACE)) {
		if (addr & ~PAGE_MASK)
			return -LINUX_EINVAL;
		if (addr + len > TASK_SIZE || addr + len < addr)
			return -LINUX_ENOMEM;
		if (flags & LINUX_MAP_FIXED_NOREPLACE) {
			struct vm_area_struct *v = find_vma_locked(mm, addr);
			if (v && v->vm_start < addr + len)
				return -LINUX_EEXIST;
		}
		return (s64)addr;
	}
	addr = get_unmapped_area_locked(mm, addr, len);
	return addr ? (s64)addr : -LINUX_ENOMEM;
}

static long mmap_region(struct task *t, u64 addr, u64 len, u32 prot, u32 flags,
			struct file *f, s64 off)
{
	struct mm_struct *mm = t->mm;
	struct vm_area_struct *v;
	s64 start;
	long err = 0;

	mmap_lock(mm);
	start = mmap_pick_addr_locked(mm, addr, len, flags);
	if (start < 0) {
		mmap_unlock(mm);
		return start;
	}
	mm_unmap_locked(mm, start, start + len);
	v = mm_insert_anon_locked(mm, start, len, prot,
				  (flags & LINUX_MAP_GROWSDOWN) ? VM_GROWSDOWN : 0);
	if (IS_ERR(v))
		err = PTR_ERR(v);
	else if (f)
		err = mmap_file_locked(mm, v, f, flags, off);
	if (err && !IS_ERR(v))
		mm_unmap_locked(mm, start, start + len);
	else if (!err && !f && !(flags & LINUX_MAP_SHARED))
		vma_merge_range_locked(mm, start, start + len);
	mmap_unlock(mm);
	mm_sync_engines(t, start, start + len);
	return err ? err : start;
}

long do_mmap(struct task *t, u64 addr, u64 len, u32 prot, u32 flags, int fd, s64 off)
{
	u32 type = flags & LINUX_MAP_TYPE;
	struct file *f = NULL;
	long ret;

	if (len == 0 || (off & ~PAGE_MASK) || off < 0)
		return -LINUX_EINVAL;
	if (type != LINUX_MAP_SHARED && type != LINUX_MAP_PRIVATE && type != LINUX_MAP_SHARED_VALIDATE)
		return -LINUX_EINVAL;
	if (prot & ~(PROT_ALL | LINUX_PROT_SEM | LINUX_PROT_GROWSDOWN | LINUX_PROT_GROWSUP))
		return -LINUX_EINVAL;
	len = PAGE_ALIGN(len);
	if (len == 0 || len > TASK_SIZE)
		return -LINUX_ENOMEM;
	if (!(flags & LINUX_MAP_ANONYMOUS)) {
		f = fget(t, fd);
		if (!f)
			return -LINUX_EBADF;
		ret = check_file_mapping(f, prot, flags);
		if (ret) {
			fput(f);
			return ret;
		}
	} else if (type != LINUX_MAP_PRIVATE) {
		return -LINUX_EINVAL; /* shared anonymous memory comes with fork */
	}
	ret = mmap_region(t, addr, len, prot & PROT_ALL, flags, f, off);
	if (f)
		fput(f);
	return ret;
}

long do_munmap(struct task *t, u64 addr, u64 len)
{
	struct mm_struct *mm = t->mm;
	long ret;

	if ((addr & ~PAGE_MASK) || addr > TASK_SIZE)
		return -LINUX_EINVAL;
	len = PAGE_ALIGN(len);
	if (len == 0 || addr + len > TASK_SIZE || addr + len < addr)
		return -LINUX_EINVAL;
	mmap_lock(mm);
	ret = mm_unmap_locked(mm, addr, addr + len);
	mmap_unlock(mm);
	mm_sync_engines(t, addr, addr + len);
	return ret;
}

long do_mprotect(struct task *t, u64 addr, u64 len, u32 prot)
{
	struct mm_struct *mm = t->mm;
	u64 end;
	long ret;

	if (addr & ~PAGE_MASK)
		return -LINUX_EINVAL;
	if (prot & ~(PROT_ALL | LINUX_PROT_SEM | LINUX_PROT_GROWSDOWN | LINUX_PROT_GROWSUP))
		return -LINUX_EINVAL;
	end = addr + PAGE_ALIGN(len);
	if (end < addr)
		return -LINUX_ENOMEM;
	if (end == addr)
		return 0;
	mmap_lock(mm);
	ret = mm_protect_locked(mm, addr, end, prot & PROT_ALL);
	mmap_unlock(mm);
	mm_sync_engines(t, addr, end);
	return ret;
}
