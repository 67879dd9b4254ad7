/*
 * Linux x86-64 file-system call constants and structs (guest ABI): flock,
 * fallocate, fadvise, preadv2 flags, close_range, statfs, the old dirent
 * and utimbuf.
 */
#ifndef LXEMU_ABI_FS_H
#define LXEMU_ABI_FS_H

#include "../../emu/types.h"

#define LINUX_LOCK_SH 1
#define LINUX_LOCK_EX 2
#define LINUX_LOCK_NB 4
#define LINUX_LOCK_UN 8

#define LINUX_FALLOC_FL_KEEP_SIZE 0x01
#define LINUX_FALLOC_FL_PUNCH_HOLE 0x02

#define LINUX_POSIX_FADV_NORMAL 0
#define LINUX_POSIX_FADV_NOREUSE 5 /* the highest advice on x86-64 */

#define LINUX_RWF_HIPRI 0x01
#define LINUX_RWF_DSYNC 0x02
#define LINUX_RWF_SYNC 0x04
#define LINUX_RWF_NOWAIT 0x08
#define LINUX_RWF_APPEND 0x10
#define LINUX_RWF_NOAPPEND 0x20

#define LINUX_CLOSE_RANGE_UNSHARE 0x2
#define LINUX_CLOSE_RANGE_CLOEXEC 0x4

/* Magic numbers of the kernel's own file systems (statfs f_type). */
#define LINUX_PIPEFS_MAGIC 0x50495045
#define LINUX_ANON_INODE_FS_MAGIC 0x09041934
#define LINUX_NAME_MAX 255
#define LINUX_ST_VALID 0x0020

struct linux_statfs {
	s64 f_type;
	s64 f_bsize;
	u64 f_blocks;
	u64 f_bfree;
	u64 f_bavail;
	u64 f_files;
	u64 f_ffree;
	s32 f_fsid[2];
	s64 f_namelen;
	s64 f_frsize;
	s64 f_flags;
	s64 f_spare[4];
};

struct linux_utimbuf {
	s64 actime;
	s64 modtime;
};

/* getdents(2)'s record: d_type is the last byte of d_reclen. */
struct linux_dirent {
	u64 d_ino;
	u64 d_off;
	u16 d_reclen;
	char d_name[];
};

/* splice, tee and vmsplice flags */
#define LINUX_SPLICE_F_MOVE 0x01
#define LINUX_SPLICE_F_NONBLOCK 0x02
#define LINUX_SPLICE_F_MORE 0x04
#define LINUX_SPLICE_F_GIFT 0x08
#define LINUX_SPLICE_F_ALL 0x0f

#endif
