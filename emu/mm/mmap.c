/*
 * The mmap family: mmap, munmap, mprotect, msync, mincore.  Each checks its
 * arguments in the order Linux does, changes the VMAs under mmap_lock, then
 * makes every engine of the mm drop the changed range (mm_sync_engines), so
 * the engines remap it lazily.  File mappings are host mappings of the file
 * at the VMA's host address: MAP_PRIVATE is then copy-on-write from the file
 * and MAP_SHARED reaches it, exactly as the host kernel does it; shared
 * anonymous memory is a memfd, so that fork can map it again.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include "mm.h"
#include "../kernel/task.h"
#include "../kernel/sched.h"
#include "../cpu/cpu.h"
#include "../fs/file.h"
#include "../mm/uaccess.h"
#include "../../abi/linux/errno.h"
#include "../../abi/linux/fcntl.h"
#include "../../abi/linux/mman.h"

#define PROT_ALL (LINUX_PROT_READ | LINUX_PROT_WRITE | LINUX_PROT_EXEC)
#define PROT_VALID (PROT_ALL | LINUX_PROT_SEM | LINUX_PROT_GROWSDOWN | LINUX_PROT_GROWSUP)
/* Flags MAP_SHARED_VALIDATE accepts (Linux's LEGACY_MAP_MASK plus FIXED_NOREPLACE). */
#define MAP_KNOWN (LINUX_MAP_SHARED | LINUX_MAP_PRIVATE | LINUX_MAP_FIXED | LINUX_MAP_ANONYMOUS | \
		   LINUX_MAP_DENYWRITE | LINUX_MAP_EXECUTABLE | LINUX_MAP_UNINITIALIZED |        \
		   LINUX_MAP_GROWSDOWN | LINUX_MAP_LOCKED | LINUX_MAP_NORESERVE |              \
		   LINUX_MAP_POPULATE | LINUX_MAP_NONBLOCK | LINUX_MAP_STACK |                 \
		   LINUX_MAP_HUGETLB | LINUX_MAP_32BIT | LINUX_MAP_FIXED_NOREPLACE)

void mm_sync_engines(struct task *t, u64 start, u64 end)
{
	/*
	 * A change that takes memory away is made holding the mm's run token
	 * alone (syscall_changes_mm), so no other engine of the mm runs guest
	 * code now: each applies the change before it runs again.  A new
	 * mapping may be made while they run: they only drop ranges they
	 * cannot have mapped.  Host memory is never unmapped under an engine
	 * (chunks only ever give pages back zeroed), so a late engine cannot
	 * crash lxemu.
	 */
	mm_code_changed(t, start, end);
	mm_queue_sync(t, t->mm, start, end);
	cpu_unmap_range(t, start, end);
	atomic_tlb_flush(t);
}

/*
 * Code the engines cannot be told about runs only while the others wait:
 * memory both writable and executable (a store makes new code, maybe new
 * atomics, that no scan saw), or a file mapped executable and writable.
 */
static bool mm_code_stable_locked(struct mm_struct *mm)
{
	for (int i = 0; i < mm->nr_vmas; i++) {
		struct vm_area_struct *v = &mm->vmas[i];
		if (!(v->vm_prot & LINUX_PROT_EXEC))
			continue;
		if (v->vm_prot & LINUX_PROT_WRITE)
			return false;
		for (int j = 0; (v->vm_flags & VM_HOSTMAP) && j < mm->nr_vmas; j++) {
			struct vm_area_struct *o = &mm->vmas[j];
			if ((o->vm_flags & VM_SHARED) && (o->vm_prot & LINUX_PROT_WRITE) &&
			    o->dev == v->dev && o->ino == v->ino)
				return false;
		}
	}
	return true;
}

/* True if [start, end) holds code, or a shared writable file mapping (a code alias). */
static bool range_may_alias_code_locked(struct mm_struct *mm, u64 start, u64 end)
{
	for (struct vm_area_struct *v = find_vma_locked(mm, start); v && v->vm_start < end;
	     v = find_vma_locked(mm, v->vm_end))
		if ((v->vm_prot & LINUX_PROT_EXEC) ||
		    ((v->vm_flags & VM_SHARED) && (v->vm_prot & LINUX_PROT_WRITE)))
			return true;
	return false;
}

void mm_code_changed(struct task *t, u64 start, u64 end)
{
	struct mm_struct *mm = t->mm;
	/* The sites array may move: no engine of the mm may be in a hook now. */
	bool take = mm_shared(t) && t->run_held == RUN_NONE;
	bool added, recheck, parallel = false;

	if (take)
		mm_run_exclusive(t);
	mmap_lock(mm);
	added = atomic_code_changed_locked(mm, start, end);
	/* Parallel stays parallel unless code or a code alias appeared here. */
	recheck = mm->atomic_all &&
		  (!mm_run_parallel(t) || range_may_alias_code_locked(mm, start, end));
	if (recheck)
		parallel = mm_code_stable_locked(mm);
	mmap_unlock(mm);
	if (recheck)
		mm_set_parallel(t, parallel);
	if (take)
		mm_run_release(t);
	/* This engine hooks the new sites at its next block boundary, like the others. */
	if (added)
		task_set_pending(t, TIF_MM_SYNC);
}

void mm_threads_begin(struct task *t)
{
	struct mm_struct *mm = t->mm;
	bool stable;

	if (!kconfig.smp_atomic || mm->atomic_all)
		return;
	mmap_lock(mm);
	mm->atomic_all = true;
	for (int i = 0; i < mm->nr_vmas; i++) {
		struct vm_area_struct *v = &mm->vmas[i];
		if (v->vm_prot & LINUX_PROT_EXEC)
			atomic_scan_code(mm, v->vm_start, v->host, v->vm_end - v->vm_start);
	}
	stable = mm_code_stable_locked(mm);
	mmap_unlock(mm);
	mm_set_parallel(t, stable);
	/* The caller's engine hooks them at its next block boundary; the child's as it starts. */
	task_set_pending(t, TIF_MM_SYNC);
}

void mm_code_written(struct task *t, u64 start, u64 end)
{
	mm_code_changed(t, start, end);
	mm_queue_sync(t, t->mm, start, end);
	cpu_flush_code(t, start, end);
}

void mm_file_written(struct task *t, struct file *f)
{
	struct mm_struct *mm = t->mm;
	struct stat st;

	if (f->host_fd < 0 || fstat(f->host_fd, &st) || !S_ISREG(st.st_mode))
		return;
	mmap_lock(mm);
	for (int i = 0; i < mm->nr_vmas; i++) {
		struct vm_area_struct *v = &mm->vmas[i];
		if ((v->vm_prot & LINUX_PROT_EXEC) && (v->vm_flags & VM_HOSTMAP) &&
		    v->dev == (u64)st.st_dev && v->ino == (u64)st.st_ino)
			cpu_flush_code(t, v->vm_start, v->vm_end);
	}
	mmap_unlock(mm);
}

long vma_map_file_pages(u8 *host, u64 len, struct file *f, s64 off, bool shared)
{
	bool writable = (f->f_flags & LINUX_O_ACCMODE) == LINUX_O_RDWR;
	int prot = PROT_READ | (writable || !shared ? PROT_WRITE : 0);

	/*
	 * The whole range, also pages past the end of the file: touching those
	 * raises a host SIGBUS, which sigbus.c turns into the guest's SIGBUS,
	 * exactly where Linux raises it.
	 */
	if (mmap(host, len, prot, (shared ? MAP_SHARED : MAP_PRIVATE) | MAP_FIXED, f->host_fd,
		 off) == MAP_FAILED)
		return host_errno_to_linux(errno);
	return 0;
}

/* The file behind a shared anonymous mapping: a memfd of len bytes. */
static struct file *shmem_file(u64 len)
{
	int fd = memfd_create("lxemu-shm", MFD_CLOEXEC);
	struct file *f;

	if (fd < 0)
		return ERR_PTR(host_errno_to_linux(errno));
	if (ftruncate(fd, len)) {
		close(fd);
		return ERR_PTR(-LINUX_ENOMEM);
	}
	f = host_file_wrap(fd, LINUX_O_RDWR, NULL);
	if (!f) {
		close(fd);
		return ERR_PTR(-LINUX_ENOMEM);
	}
	return f;
}

/* Checks that file f may back a mapping with these flags and protections. */
static long check_file_mapping(struct file *f, u32 prot, u32 flags)
{
	u32 acc = f->f_flags & LINUX_O_ACCMODE;
	struct stat st;

	/* Access first, then whether the file can be mapped at all, as Linux checks. */
	if ((flags & LINUX_MAP_TYPE) != LINUX_MAP_PRIVATE && (prot & LINUX_PROT_WRITE) &&
	    acc != LINUX_O_RDWR)
		return -LINUX_EACCES;
	if (acc == LINUX_O_WRONLY || (f->f_flags & LINUX_O_PATH))
		return -LINUX_EACCES;
	if (f->host_fd < 0 || fstat(f->host_fd, &st) || !S_ISREG(st.st_mode))
		return -LINUX_ENODEV;
	return 0;
}

long mm_attach_file_locked(struct mm_struct *mm, u64 start, u64 end, struct file *f, s64 off,
			       bool shared, bool anon)
{
	struct stat st;

	fstat(f->host_fd, &st);
	for (u64 a = start; a < end;) {
		struct vm_area_struct *v = vma_lookup_locked(mm, a);
		long err = vma_map_file_pages(v->host, v->vm_end - a, f, off + (a - start), shared);
		if (err)
			return err;
		v->vm_flags |= VM_HOSTMAP | (shared ? VM_SHARED : 0);
		if (!shared && (v->vm_prot & LINUX_PROT_WRITE))
			v->vm_flags |= VM_ANONVMA;
		v->vm_file = get_file(f);
		v->vm_pgoff = (off + (a - start)) / PAGE_SIZE;
		v->dev = st.st_dev;
		v->ino = st.st_ino;
		/* Linux names shared anonymous memory after the shmem file behind it. */
		v->path = anon ? strdup("/dev/zero (deleted)") : file_name_dup(f);
		a = v->vm_end;
	}
	return 0;
}

/* MAP_POPULATE: make every page resident now, as Linux faults them all in. */
static void populate_locked(struct mm_struct *mm, u64 start, u64 end)
{
	for (u64 a = start; a < end;) {
		struct vm_area_struct *v = vma_lookup_locked(mm, a);
		u64 e = MIN(end, v->vm_end);
		u8 *h = v->host + (a - v->vm_start);
		if (madvise(h, e - a, MADV_POPULATE_WRITE))
			for (u64 off = 0; off < e - a; off += PAGE_SIZE)
				((volatile u8 *)h)[off] = h[off];
		a = e;
	}
}

/* Picks the address: fixed, hinted or top-down. Returns it or a negative errno. */
static s64 mmap_pick_addr_locked(struct mm_struct *mm, u64 addr, u64 len, u32 flags)
{
	if (flags & (LINUX_MAP_FIXED | LINUX_MAP_FIXED_NOREPLACE)) {
		if (addr & ~PAGE_MASK)
			return -LINUX_EINVAL;
		if (addr + len > TASK_SIZE || addr + len < addr)
			return -LINUX_ENOMEM;
		if (addr < MMAP_MIN_ADDR)
			return -LINUX_EPERM;
		if (flags & LINUX_MAP_FIXED_NOREPLACE) {
			struct vm_area_struct *v = find_vma_locked(mm, addr);
			if (v && v->vm_start < addr + len)
				return -LINUX_EEXIST;
		}
		return (s64)addr;
	}
	if (addr && addr < MMAP_MIN_ADDR)
		addr = MMAP_MIN_ADDR;
	addr = get_unmapped_area_locked(mm, PAGE_ALIGN_DOWN(addr), len);
	return addr ? (s64)addr : -LINUX_ENOMEM;
}

static long mmap_region(struct task *t, u64 addr, u64 len, u32 prot, u32 flags,
			struct file *f, s64 off)
{
	struct mm_struct *mm = t->mm;
	bool shared = (flags & LINUX_MAP_TYPE) != LINUX_MAP_PRIVATE;
	u32 vm_flags = (flags & LINUX_MAP_GROWSDOWN) ? VM_GROWSDOWN : 0;
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
	v = mm_insert_anon_locked(mm, start, len, prot, vm_flags);
	if (IS_ERR(v))
		err = PTR_ERR(v);
	else if (f)
		err = mm_attach_file_locked(mm, start, start + len, f, off, shared,
					 flags & LINUX_MAP_ANONYMOUS);
	if (err && !IS_ERR(v))
		mm_unmap_locked(mm, start, start + len);
	else if (!err && (flags & LINUX_MAP_POPULATE))
		populate_locked(mm, start, start + len);
	if (!err)
		vma_merge_range_locked(mm, start, start + len);
	mmap_unlock(mm);
	mm_sync_engines(t, start, start + len);
	return err ? err : start;
}

/* Linux's checks, in Linux's order, for everything but the address. */
static long mmap_check(u64 len, u32 prot, u32 flags, s64 off)
{
	u32 type = flags & LINUX_MAP_TYPE;

	if (off & ~PAGE_MASK)
		return -LINUX_EINVAL;
	if (!len)
		return -LINUX_EINVAL;
	if (PAGE_ALIGN(len) == 0 || PAGE_ALIGN(len) > TASK_SIZE)
		return -LINUX_ENOMEM;
	if ((u64)off + PAGE_ALIGN(len) < (u64)off)
		return -LINUX_EOVERFLOW;
	if (type != LINUX_MAP_SHARED && type != LINUX_MAP_PRIVATE && type != LINUX_MAP_SHARED_VALIDATE)
		return -LINUX_EINVAL;
	if (type == LINUX_MAP_SHARED_VALIDATE && (flags & ~MAP_KNOWN))
		return -LINUX_EOPNOTSUPP;
	if (prot & ~PROT_VALID)
		return -LINUX_EINVAL;
	/* Only private mappings may grow down. */
	if (type != LINUX_MAP_PRIVATE && (flags & LINUX_MAP_GROWSDOWN))
		return -LINUX_EINVAL;
	return 0;
}

long do_mmap(struct task *t, u64 addr, u64 len, u32 prot, u32 flags, int fd, s64 off)
{
	struct file *f = NULL;
	long ret;

	if (off & ~PAGE_MASK)
		return -LINUX_EINVAL;
	if (!(flags & LINUX_MAP_ANONYMOUS) && !(f = fget(t, fd)))
		return -LINUX_EBADF;
	ret = mmap_check(len, prot, flags, off);
	if (!ret && f)
		ret = check_file_mapping(f, prot, flags);
	if (!ret && !f && (flags & LINUX_MAP_TYPE) != LINUX_MAP_PRIVATE) {
		f = shmem_file(PAGE_ALIGN(len));
		off = 0;
		if (IS_ERR(f)) {
			ret = PTR_ERR(f);
			f = NULL;
		}
	}
	if (!ret)
		ret = mmap_region(t, addr, PAGE_ALIGN(len), prot & PROT_ALL, flags, f, off);
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

/*
 * PROT_GROWSDOWN needs a stack-like area (and PROT_GROWSUP is never right on
 * x86); a shared mapping of a file opened read-only never becomes writable.
 */
static long protect_check_locked(struct mm_struct *mm, u64 start, u64 end, u32 prot)
{
	struct vm_area_struct *v = find_vma_locked(mm, start);

	if ((prot & LINUX_PROT_GROWSUP) ||
	    ((prot & LINUX_PROT_GROWSDOWN) && !(v && v->vm_start <= start &&
						 (v->vm_flags & VM_GROWSDOWN))))
		return -LINUX_EINVAL;
	for (; v && v->vm_start < end; v = find_vma_locked(mm, v->vm_end)) {
		if ((prot & LINUX_PROT_WRITE) && (v->vm_flags & VM_SHARED) && v->vm_file &&
		    (v->vm_file->f_flags & LINUX_O_ACCMODE) != LINUX_O_RDWR)
			return -LINUX_EACCES;
	}
	return 0;
}

long do_mprotect(struct task *t, u64 addr, u64 len, u32 prot)
{
	struct mm_struct *mm = t->mm;
	u64 end;
	long ret;

	if (addr & ~PAGE_MASK)
		return -LINUX_EINVAL;
	if (prot & ~PROT_VALID)
		return -LINUX_EINVAL;
	end = addr + PAGE_ALIGN(len);
	if (end < addr)
		return -LINUX_ENOMEM;
	if (end == addr)
		return 0;
	mmap_lock(mm);
	ret = protect_check_locked(mm, addr, end, prot);
	if (!ret)
		ret = mm_protect_locked(mm, addr, end, prot & PROT_ALL);
	mmap_unlock(mm);
	mm_sync_engines(t, addr, end);
	return ret;
}

long do_msync(struct task *t, u64 addr, u64 len, int flags)
{
	struct mm_struct *mm = t->mm;
	long ret = 0;
	u64 end;

	if ((addr & ~PAGE_MASK) ||
	    (flags & ~(LINUX_MS_ASYNC | LINUX_MS_INVALIDATE | LINUX_MS_SYNC)) ||
	    ((flags & LINUX_MS_ASYNC) && (flags & LINUX_MS_SYNC)))
		return -LINUX_EINVAL;
	end = addr + PAGE_ALIGN(len);
	if (end < addr)
		return -LINUX_ENOMEM;
	mmap_lock(mm);
	for (u64 a = addr; a < end;) {
		struct vm_area_struct *v = vma_lookup_locked(mm, a);
		u64 e;
		if (!v) {
			ret = -LINUX_ENOMEM;
			break;
		}
		e = MIN(end, v->vm_end);
		if ((v->vm_flags & VM_SHARED) && (flags & LINUX_MS_SYNC))
			msync(v->host + (a - v->vm_start), e - a, MS_SYNC);
		a = e;
	}
	mmap_unlock(mm);
	return ret;
}

long do_mincore(struct task *t, u64 addr, u64 len, u64 uvec)
{
	struct mm_struct *mm = t->mm;
	u64 end, pages;
	u8 vec[256];
	long ret = 0;

	if (addr & ~PAGE_MASK)
		return -LINUX_EINVAL;
	end = addr + PAGE_ALIGN(len);
	if (end < addr || end > TASK_SIZE)
		return -LINUX_ENOMEM;
	for (u64 a = addr; a < end && !ret; a += pages * PAGE_SIZE) {
		struct vm_area_struct *v;
		mmap_lock(mm);
		v = vma_lookup_locked(mm, a);
		pages = v ? MIN(MIN(end, v->vm_end) - a, sizeof(vec) * PAGE_SIZE) / PAGE_SIZE : 0;
		if (!v || mincore(v->host + (a - v->vm_start), pages * PAGE_SIZE, vec))
			ret = -LINUX_ENOMEM;
		mmap_unlock(mm);
		if (!ret && copy_to_user(t, uvec + (a - addr) / PAGE_SIZE, vec, pages))
			ret = -LINUX_EFAULT;
	}
	return ret;
}
