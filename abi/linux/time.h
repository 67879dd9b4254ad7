/* Linux x86-64 time structures and clock ids (guest ABI). */
#ifndef LXEMU_ABI_TIME_H
#define LXEMU_ABI_TIME_H

#include "../../emu/types.h"

struct linux_timespec {
	s64 tv_sec;
	s64 tv_nsec;
};

struct linux_timeval {
	s64 tv_sec;
	s64 tv_usec;
};

struct linux_timezone {
	s32 tz_minuteswest;
	s32 tz_dsttime;
};

#define LINUX_CLOCK_REALTIME 0
#define LINUX_CLOCK_MONOTONIC 1
#define LINUX_CLOCK_PROCESS_CPUTIME_ID 2
#define LINUX_CLOCK_THREAD_CPUTIME_ID 3
#define LINUX_CLOCK_MONOTONIC_RAW 4
#define LINUX_CLOCK_REALTIME_COARSE 5
#define LINUX_CLOCK_MONOTONIC_COARSE 6
#define LINUX_CLOCK_BOOTTIME 7
#define LINUX_CLOCK_REALTIME_ALARM 8
#define LINUX_CLOCK_BOOTTIME_ALARM 9
#define LINUX_CLOCK_TAI 11

#define LINUX_TIMER_ABSTIME 1

/* setitimer's timers and their values (struct itimerval, struct itimerspec). */
#define LINUX_ITIMER_REAL 0
#define LINUX_ITIMER_VIRTUAL 1
#define LINUX_ITIMER_PROF 2

struct linux_itimerval {
	struct linux_timeval it_interval;
	struct linux_timeval it_value;
};

struct linux_itimerspec {
	struct linux_timespec it_interval;
	struct linux_timespec it_value;
};

#endif
