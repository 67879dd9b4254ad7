/*
 * lxemu's command line: run a static x86-64 Linux program on lxemu's own
 * kernel and leave the way it did (its exit code, or death by its signal).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include "kernel/task.h"
#include "fs/file.h"
#include "fs/namei.h"
#include "mm/mm.h"
#include "trace/trace.h"
#include "../loader/loader.h"
#include "../abi/linux/errno.h"
#include "../abi/linux/fcntl.h"

#define EXIT_LXEMU_ERROR 125 /* lxemu itself failed, as env(1) reports it */
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND 127

extern char **environ;
void syscall_print_coverage(FILE *out);

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: lxemu [OPTIONS] PROGRAM [ARGS...]\n"
		"Run a static x86-64 Linux program on lxemu's software kernel.\n\n"
		"  --trace[=FILE]   print every system call in strace's format (default: stderr)\n"
		"  --fault-report   on a guest fault, print registers and the faulting code\n"
		"  --cpus=N         number of CPUs the guest is told it has (default: host's)\n"
		"  --smp=MODE       how threads of one process share the CPUs: turns (one runs\n"
		"                   at a time) or atomic (in parallel, atomic instructions run\n"
		"                   with host atomics); default: atomic\n"
		"  --syscalls       list every x86-64 system call and how well lxemu supports it\n"
		"  --stats          at exit, print each task's engine region and VMA counts\n"
		"  --stop-storm=US  testing: stop and restart the engine every US microseconds\n"
		"  --pid-base=N     the first guest process's pid (default 1: the guest is its own\n"
		"                   pid namespace; its parent pid reads 0)\n"
		"  --max-tasks=N    at most N guest threads and processes at once (default 1024;\n"
		"                   fork and clone then fail with EAGAIN)\n"
		"  --root=DIR       the guest's file tree: DIR is its /, and no path leads out\n"
		"                   of it (default /); PROGRAM is a path inside it\n"
		"  --help           show this help\n\n"
		"lxemu exits with the program's exit status; if the program dies of a signal,\n"
		"lxemu dies of the same signal. Its own errors exit with 125 (usage, internal),\n"
		"126 (the program cannot be run) or 127 (the program was not found).\n");
}

struct options {
	const char *trace_file;
	bool trace;
};

/* --root: the real path of a directory, so guest paths are the host's with it cut off. */
static void set_root(const char *dir)
{
	char *root = realpath(dir, NULL);
	struct stat st;

	if (!root || stat(root, &st) || !S_ISDIR(st.st_mode)) {
		fprintf(stderr, "lxemu: --root: %s: %s\n", dir,
			root ? "Not a directory" : strerror(errno));
		exit(EXIT_LXEMU_ERROR);
	}
	kconfig.root = root;
}

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "trace", optional_argument, NULL, 't' },
		{ "fault-report", no_argument, NULL, 'f' },
		{ "cpus", required_argument, NULL, 'c' },
		{ "syscalls", no_argument, NULL, 's' },
		{ "smp", required_argument, NULL, 'm' },
		{ "stats", no_argument, NULL, 'S' },
		{ "stop-storm", required_argument, NULL, 'T' },
		{ "max-tasks", required_argument, NULL, 'M' },
		{ "pid-base", required_argument, NULL, 'P' },
		{ "root", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (c) {
		case 't':
			o->trace = true;
			o->trace_file = optarg;
			break;
		case 'f':
			kconfig.fault_report = true;
			break;
		case 'c':
			kconfig.cpus = atoi(optarg);
			if (kconfig.cpus < 1 || kconfig.cpus > 1024) {
				fprintf(stderr, "lxemu: --cpus: expected a number from 1 to 1024\n");
				exit(EXIT_LXEMU_ERROR);
			}
			break;
		case 'm':
			if (!strcmp(optarg, "atomic") || !strcmp(optarg, "turns")) {
				kconfig.smp_atomic = !strcmp(optarg, "atomic");
				break;
			}
			fprintf(stderr, "lxemu: --smp: expected turns or atomic\n");
			exit(EXIT_LXEMU_ERROR);
		case 'S':
			kconfig.stats = true;
			break;
		case 'T':
			kconfig.stop_storm_us = atoi(optarg);
			break;
		case 'P':
			kconfig.pid_base = atoi(optarg);
			if (kconfig.pid_base < 1 || kconfig.pid_base > 4000000) {
				fprintf(stderr, "lxemu: --pid-base: expected a number from 1 to 4000000\n");
				exit(EXIT_LXEMU_ERROR);
			}
			break;
		case 'M':
			kconfig.max_tasks = atoi(optarg);
			if (kconfig.max_tasks < 1 || kconfig.max_tasks > 65536) {
				fprintf(stderr, "lxemu: --max-tasks: expected a number from 1 to 65536\n");
				exit(EXIT_LXEMU_ERROR);
			}
			break;
		case 'r':
			set_root(optarg);
			break;
		case 's':
			syscall_print_coverage(stdout);
			exit(0);
		case 'h':
			usage(stdout);
			exit(0);
		default:
			usage(stderr);
			exit(EXIT_LXEMU_ERROR);
		}
	}
	if (optind >= argc) {
		usage(stderr);
		exit(EXIT_LXEMU_ERROR);
	}
	return optind;
}

static int host_cpus(void)
{
	cpu_set_t set;

	if (sched_getaffinity(0, sizeof(set), &set))
		return 1;
	return CPU_COUNT(&set) > 0 ? CPU_COUNT(&set) : 1;
}

/*
 * Opens the first program, a guest path (inside the root, relative to the
 * guest's cwd), with execve's own checks: it exists (else 127) and is a
 * regular executable file (else 126).  Returns the host fd.
 */
static int open_program(struct task *t, const char *path)
{
	struct stat st;
	long fd = path_open(t, LINUX_AT_FDCWD, path, O_RDONLY | O_CLOEXEC, 0);

	if (fd < 0) {
		fprintf(stderr, "lxemu: %s: %s\n", path, strerror((int)-fd));
		exit(fd == -LINUX_ENOENT || fd == -LINUX_ENOTDIR ? EXIT_NOT_FOUND
								 : EXIT_CANNOT_EXEC);
	}
	st.st_mode = 0;
	if (fstat((int)fd, &st) || !S_ISREG(st.st_mode) ||
	    faccessat((int)fd, "", X_OK, AT_EMPTY_PATH)) {
		fprintf(stderr, "lxemu: %s: %s\n", path,
			S_ISDIR(st.st_mode) ? "Is a directory" : "Permission denied");
		exit(EXIT_CANNOT_EXEC);
	}
	return (int)fd;
}

/* strace's first line is the execve that started the program. */
static void trace_initial_exec(struct task *t, const char *path, char *const argv[], int argc)
{
	u64 uenvp = cpu_get(t, CPU_RSP) + 8 * (argc + 2); /* past argc, argv[] and its NULL */
	int envc = 0;

	while (environ[envc])
		envc++;
	trace_execve_initial(t, path, argv, uenvp, envc);
}

/*
 * --stop-storm: asks the first task to stop at its next block boundary and
 * go on, over and over, so tests can check that stops are exact (threads
 * and signals stop engines at arbitrary points).
 */
static void *stop_storm(void *arg)
{
	int tid = (int)(intptr_t)arg;

	/* By tid, under the task list's lock: the task may be gone by now. */
	do
		usleep(kconfig.stop_storm_us);
	while (task_set_pending_tid(tid, TIF_YIELD));
	return NULL;
}

/* Leaves the way the guest's first process did. */
static void exit_like(int status)
{
	int sig = status & 0x7f;

	fflush(stdout);
	fflush(stderr);
	if (sig) {
		sigset_t set;
		signal(sig, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, sig);
		pthread_sigmask(SIG_UNBLOCK, &set, NULL);
		raise(sig);
		_exit(128 + sig);
	}
	_exit((status >> 8) & 0xff);
}

int main(int argc, char **argv)
{
	struct options o = { 0 };
	struct task *t;
	const char *why = NULL;
	char exe_path[LINUX_PATH_MAX] = "";
	int first, status, prog;
	mode_t umask_orig;
	long err;

	kernel_collect_inherited_fds();
	kernel_collect_inherited_signals();
	kconfig.cpus = host_cpus();
	kconfig.root = "/";
	first = parse_options(argc, argv, &o);
	if (o.trace && (err = trace_open(o.trace_file))) {
		fprintf(stderr, "lxemu: --trace=%s: %s\n", o.trace_file, strerror((int)-err));
		return EXIT_LXEMU_ERROR;
	}
	signal(SIGPIPE, SIG_IGN); /* the guest gets EPIPE and its own SIGPIPE */
	mm_install_sigbus_handler();
	kernel_install_interrupt_handler();
	umask_orig = umask(0);    /* the guest's umask is applied by lxemu's kernel */
	t = create_init_task(kconfig.root);
	if (IS_ERR(t)) {
		fprintf(stderr, "lxemu: cannot create the first process: %s\n",
			strerror((int)-PTR_ERR(t)));
		return EXIT_LXEMU_ERROR;
	}
	t->fs->umask = umask_orig;
	prog = open_program(t, argv[first]);
	/* /proc/self/exe: the program's guest path, its symlinks resolved. */
	host_fd_path(prog, exe_path, sizeof(exe_path));
	err = load_elf_fd(t, prog, argv[first], exe_path, argv + first, environ, &why);
	if (err) {
		fprintf(stderr, "lxemu: %s: %s\n", argv[first], why ? why : "cannot load program");
		return err == -LINUX_ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC;
	}
	if (o.trace)
		trace_initial_exec(t, argv[first], argv + first, argc - first);
	kernel_forward_host_signals();
	if (wake_up_new_task(t)) {
		fprintf(stderr, "lxemu: cannot start the guest thread\n");
		return EXIT_LXEMU_ERROR;
	}
	pthread_t storm;
	bool storming = kconfig.stop_storm_us > 0 &&
			!pthread_create(&storm, NULL, stop_storm, (void *)(intptr_t)t->tid);
	status = kernel_wait_all();
	if (storming) /* it ends once the first task is gone */
		pthread_join(storm, NULL);
	trace_close();
	exit_like(status);
}
