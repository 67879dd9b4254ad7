/* signalfd's flags and record, and pidfd_open's flag (guest ABI). */
#ifndef LXEMU_ABI_SIGNALFD_H
#define LXEMU_ABI_SIGNALFD_H

#include "../../emu/types.h"
#include "fcntl.h"

#define LINUX_SFD_CLOEXEC LINUX_O_CLOEXEC
#define LINUX_SFD_NONBLOCK LINUX_O_NONBLOCK
#define LINUX_PIDFD_NONBLOCK LINUX_O_NONBLOCK

/* struct signalfd_siginfo: one 128-byte record per signal read. */
struct linux_signalfd_siginfo {
	u32 ssi_signo;
	s32 ssi_errno;
	s32 ssi_code;
	u32 ssi_pid;
	u32 ssi_uid;
	s32 ssi_fd;
	u32 ssi_tid;
	u32 ssi_band;
	u32 ssi_overrun;
	u32 ssi_trapno;
	s32 ssi_status;
	s32 ssi_int;
	u64 ssi_ptr;
	u64 ssi_utime;
	u64 ssi_stime;
	u64 ssi_addr;
	u16 ssi_addr_lsb;
	u16 _pad2;
	s32 ssi_syscall;
	u64 ssi_call_addr;
	u32 ssi_arch;
	u8 _pad[28];
};

_Static_assert(sizeof(struct linux_signalfd_siginfo) == 128, "signalfd_siginfo is 128 bytes");

#endif
