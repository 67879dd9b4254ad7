/* thr_sched.c: per-thread CPU affinity (sched_setaffinity, sched_getaffinity),
 * getcpu, and /proc/self/task while threads live and after they are joined.
 * lxemu reports --cpus N CPUs and the native side has the host's, so every
 * check is phrased in terms of the initial mask (its CPUs, its lowest and
 * highest CPU), never the CPU count or a tid. Threads act on request, one step
 * at a time; all output comes from the main thread. */
#include "guest.h"
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <semaphore.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>

#define NPROC_THREADS 4

static cpu_set_t set0;      /* main's mask at start */
static int lowest, highest; /* its lowest and highest CPU */

static long getaff(long pid, unsigned long len, void *mask)
{
    return syscall(SYS_sched_getaffinity, pid, len, mask);
}

static long setaff(long pid, unsigned long len, const void *mask)
{
    return syscall(SYS_sched_setaffinity, pid, len, mask);
}

static long getcpu_raw(unsigned *cpu, unsigned *node, void *cache)
{
    return syscall(SYS_getcpu, cpu, node, cache);
}

static long gettid_raw(void)
{
    return syscall(SYS_gettid);
}

static cpu_set_t one_cpu(int cpu)
{
    cpu_set_t s;
    CPU_ZERO(&s);
    CPU_SET(cpu, &s);
    return s;
}

/* The affinity of pid, or an empty set when the call fails. */
static cpu_set_t mask_of(long pid)
{
    cpu_set_t s;
    CPU_ZERO(&s);
    if (getaff(pid, sizeof s, &s) < 0)
        CPU_ZERO(&s);
    return s;
}

static int mask_is(long pid, const cpu_set_t *want)
{
    cpu_set_t s = mask_of(pid);
    return CPU_EQUAL(&s, want);
}

/* Waits up to 5 s for an exited thread's tid to disappear (it is reaped just after the join). */
static int wait_gone(long tid)
{
    for (int i = 0; i < 5000; i++) {
        if (syscall(SYS_tgkill, getpid(), tid, 0) == -1 && errno == ESRCH)
            return 1;
        usleep(1000);
    }
    return 0;
}

/* A thread that does one operation per request. */
enum op { OP_NONE, OP_GETSELF, OP_SETSELF, OP_GETPID, OP_GETCPU, OP_SPAWN, OP_SETNAME,
          OP_GETNAME, OP_EXIT };

struct worker {
    pthread_t th;
    sem_t go, done;
    long tid;
    enum op op;
    cpu_set_t mask;     /* in for OP_SETSELF, out for the gets */
    char name[32];      /* in for OP_SETNAME, out for OP_GETNAME */
    long ret;
    unsigned cpu, node;
};

static void *spawned(void *p)
{
    cpu_set_t *out = p;
    if (getaff(0, sizeof *out, out) < 0)
        CPU_ZERO(out);
    return NULL;
}

static void worker_do(struct worker *w)
{
    pthread_t th;

    switch (w->op) {
    case OP_GETSELF:
        w->ret = getaff(0, sizeof w->mask, &w->mask);
        break;
    case OP_SETSELF:
        w->ret = setaff(0, sizeof w->mask, &w->mask);
        break;
    case OP_GETPID:
        w->ret = getaff(getpid(), sizeof w->mask, &w->mask);
        break;
    case OP_GETCPU:
        w->ret = getcpu_raw(&w->cpu, &w->node, NULL);
        break;
    case OP_SPAWN:  /* a thread created by this one reports its own mask */
        CPU_ZERO(&w->mask);
        w->ret = pthread_create(&th, NULL, spawned, &w->mask);
        if (w->ret == 0)
            w->ret = pthread_join(th, NULL);
        break;
    case OP_SETNAME:
        w->ret = prctl(PR_SET_NAME, w->name);
        break;
    case OP_GETNAME:
        memset(w->name, 0, sizeof w->name);
        w->ret = prctl(PR_GET_NAME, w->name);
        break;
    default:
        break;
    }
}

static void *worker_main(void *p)
{
    struct worker *w = p;

    w->tid = gettid_raw();
    sem_post(&w->done);
    for (;;) {
        sem_wait(&w->go);
        if (w->op == OP_EXIT)
            return NULL;
        worker_do(w);
        sem_post(&w->done);
    }
}

static int worker_start(struct worker *w)
{
    memset(w, 0, sizeof *w);
    sem_init(&w->go, 0, 0);
    sem_init(&w->done, 0, 0);
    if (pthread_create(&w->th, NULL, worker_main, w) != 0)
        return -1;
    sem_wait(&w->done);
    return 0;
}

static long worker_run(struct worker *w, enum op op)
{
    w->op = op;
    sem_post(&w->go);
    sem_wait(&w->done);
    return w->ret;
}

static void worker_stop(struct worker *w)
{
    w->op = OP_EXIT;
    sem_post(&w->go);
    pthread_join(w->th, NULL);
}

static void test_getaffinity(void)
{
    unsigned char buf[1024];
    cpu_set_t s;

    printf("== sched_getaffinity\n");
    CPU_ZERO(&set0);
    long n = getaff(0, sizeof set0, &set0);
    CHECK(n >= 8 && n % 8 == 0 && n <= (long)sizeof set0);
    CHECK(CPU_COUNT(&set0) >= 1);
    lowest = highest = -1;
    for (int c = 0; c < CPU_SETSIZE; c++)
        if (CPU_ISSET(c, &set0)) {
            if (lowest < 0)
                lowest = c;
            highest = c;
        }
    CHECK(lowest >= 0 && highest >= lowest);
    CHECK(mask_is(getpid(), &set0));
    CHECK(mask_is(gettid_raw(), &set0));

    /* Only the returned bytes are written. */
    memset(buf, 0xaa, sizeof buf);
    CHECK(getaff(0, sizeof set0, buf) == n);
    int untouched = 1;
    for (size_t i = n; i < sizeof buf; i++)
        if (buf[i] != 0xaa)
            untouched = 0;
    CHECK(untouched);
    long nbig = getaff(0, sizeof buf, buf);
    CHECK(nbig >= n && nbig % 8 == 0 && nbig <= (long)sizeof buf);

    CHECK_ERR(getaff(0, 0, &s), EINVAL);
    CHECK_ERR(getaff(0, 4, &s), EINVAL);
    CHECK_ERR(getaff(0, n + 4, &s), EINVAL);
    CHECK_ERR(getaff(INT_MAX, sizeof s, &s), ESRCH);
    CHECK_ERR(getaff(-1, sizeof s, &s), ESRCH);
    CHECK_ERR(getaff(INT_MAX, 4, &s), EINVAL);      /* the length is checked first */
    CHECK_ERR(getaff(0, sizeof s, NULL), EFAULT);
    CHECK_ERR(getaff(INT_MAX, sizeof s, NULL), ESRCH);
}

static void test_setaffinity(void)
{
    unsigned char big[256];
    cpu_set_t s, one = one_cpu(lowest);

    printf("== sched_setaffinity\n");
    CHECK_EQ(setaff(0, sizeof one, &one), 0);
    CHECK(mask_is(0, &one));
    CHECK_EQ(setaff(0, sizeof set0, &set0), 0);
    CHECK(mask_is(0, &set0));

    /* A shorter mask: the missing bits are zero. */
    CHECK(lowest >= 64 || setaff(0, 8, &one) == 0);
    CHECK(lowest >= 64 || mask_is(0, &one));
    CHECK(lowest >= 8 || setaff(0, 1, &one) == 0);
    CHECK(lowest >= 8 || mask_is(0, &one));
    CHECK_EQ(setaff(0, sizeof set0, &set0), 0);

    /* Bits beyond the CPUs there are ignored; a mask of only those is empty. */
    memset(big, 0, sizeof big);
    big[sizeof big - 1] = 0x80;                     /* CPU 2047 */
    CHECK_ERR(setaff(0, sizeof big, big), EINVAL);
    big[lowest / 8] |= 1 << (lowest % 8);
    CHECK_EQ(setaff(0, sizeof big, big), 0);
    CHECK(mask_is(0, &one));
    memset(&s, 0xff, sizeof s);
    CHECK_EQ(setaff(0, sizeof s, &s), 0);
    s = mask_of(0);
    cpu_set_t both;
    CPU_AND(&both, &s, &set0);
    CHECK(CPU_EQUAL(&both, &set0));                 /* every CPU of set0 is back */
    CHECK_EQ(setaff(0, sizeof set0, &set0), 0);

    CPU_ZERO(&s);
    CHECK_ERR(setaff(0, sizeof s, &s), EINVAL);
    CHECK_ERR(setaff(0, 0, &one), EINVAL);
    CHECK_ERR(setaff(0, 0, NULL), EINVAL);
    CHECK_ERR(setaff(INT_MAX, sizeof one, &one), ESRCH);
    CHECK_ERR(setaff(-1, sizeof one, &one), ESRCH);
    CHECK_ERR(setaff(INT_MAX, 0, &one), ESRCH);     /* no such task before an empty mask */
    CHECK_ERR(setaff(0, sizeof one, NULL), EFAULT);
    CHECK_ERR(setaff(INT_MAX, sizeof one, NULL), EFAULT); /* the mask is read first */
    void *gone = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    CHECK(gone != MAP_FAILED);
    CHECK_EQ(munmap(gone, 4096), 0);
    CHECK_ERR(setaff(0, sizeof one, gone), EFAULT);
    CHECK_ERR(getaff(0, sizeof one, gone), EFAULT);
    CHECK(mask_is(0, &set0));
}

static void test_getcpu(void)
{
    unsigned cpu = 12345, node = 12345;
    cpu_set_t one = one_cpu(lowest);

    printf("== getcpu\n");
    CHECK_EQ(getcpu_raw(&cpu, &node, NULL), 0);
    CHECK(cpu < CPU_SETSIZE && CPU_ISSET(cpu, &set0));
    CHECK(node != 12345);
    CHECK_EQ(getcpu_raw(NULL, NULL, NULL), 0);
    CHECK_EQ(getcpu_raw(&cpu, NULL, (void *)1), 0);   /* the cache is unused */
    CHECK(cpu < CPU_SETSIZE && CPU_ISSET(cpu, &set0));

    /* Pinned to one CPU, that is the CPU. */
    CHECK_EQ(setaff(0, sizeof one, &one), 0);
    cpu = node = 12345;
    CHECK_EQ(getcpu_raw(&cpu, &node, NULL), 0);
    CHECK_EQ(cpu, lowest);
    CHECK_EQ(node, 0);
    CHECK_EQ(sched_getcpu(), lowest);

    /* A bad pointer is EFAULT, and the other value is still written. */
    node = 12345;
    CHECK_ERR(getcpu_raw((void *)1, &node, NULL), EFAULT);
    CHECK_EQ(node, 0);
    cpu = 12345;
    CHECK_ERR(getcpu_raw(&cpu, (void *)1, NULL), EFAULT);
    CHECK_EQ(cpu, lowest);
    CHECK_EQ(setaff(0, sizeof set0, &set0), 0);
}

static void test_per_thread(void)
{
    struct worker a, b;
    cpu_set_t one = one_cpu(lowest), top = one_cpu(highest);

    printf("== per-thread masks\n");
    CHECK_EQ(worker_start(&a), 0);
    CHECK_EQ(worker_run(&a, OP_GETSELF) > 0, 1);
    CHECK(CPU_EQUAL(&a.mask, &set0));               /* inherited from main */

    /* A thread sets its own mask: only its own changes. */
    a.mask = one;
    CHECK_EQ(worker_run(&a, OP_SETSELF), 0);
    CHECK(mask_is(0, &set0));
    CHECK(mask_is(getpid(), &set0));
    CHECK(mask_is(a.tid, &one));
    CHECK_EQ(worker_run(&a, OP_GETSELF) > 0, 1);
    CHECK(CPU_EQUAL(&a.mask, &one));
    CHECK_EQ(worker_run(&a, OP_GETCPU), 0);
    CHECK_EQ(a.cpu, lowest);

    /* A new thread starts with its creator's mask, and keeps it after the creator's changes. */
    CHECK_EQ(setaff(0, sizeof top, &top), 0);
    CHECK_EQ(worker_start(&b), 0);
    CHECK_EQ(setaff(0, sizeof set0, &set0), 0);
    CHECK_EQ(worker_run(&b, OP_GETSELF) > 0, 1);
    CHECK(CPU_EQUAL(&b.mask, &top));
    CHECK(mask_is(b.tid, &top));
    CHECK_EQ(worker_run(&b, OP_GETPID) > 0, 1);     /* pid = the main thread's tid */
    CHECK(CPU_EQUAL(&b.mask, &set0));
    CHECK_EQ(worker_run(&b, OP_SPAWN), 0);          /* b's own thread inherits b's mask */
    CHECK(CPU_EQUAL(&b.mask, &top));

    /* Setting another thread's mask by tid. */
    CHECK_EQ(setaff(a.tid, sizeof set0, &set0), 0);
    CHECK_EQ(worker_run(&a, OP_GETSELF) > 0, 1);
    CHECK(CPU_EQUAL(&a.mask, &set0));
    CHECK(mask_is(b.tid, &top));
    CHECK(mask_is(0, &set0));

    /* An exited thread is no longer there. */
    long atid = a.tid;
    worker_stop(&a);
    CHECK(wait_gone(atid));
    cpu_set_t s;
    CHECK_ERR(getaff(atid, sizeof s, &s), ESRCH);
    CHECK_ERR(setaff(atid, sizeof set0, &set0), ESRCH);
    worker_stop(&b);
}

/* The entries of a /proc task directory. */
struct listing {
    int dots_first;     /* "." then ".." before any tid */
    int all_dirs;       /* every d_type is DT_DIR */
    int nr;             /* tids */
    long tid[64];
};

static int list_dir(const char *path, struct listing *l)
{
    DIR *d = opendir(path);
    struct dirent *e;
    int i = 0;

    memset(l, 0, sizeof *l);
    l->dots_first = l->all_dirs = 1;
    if (!d)
        return -1;
    while ((e = readdir(d))) {
        if (i == 0 && strcmp(e->d_name, "."))
            l->dots_first = 0;
        if (i == 1 && strcmp(e->d_name, ".."))
            l->dots_first = 0;
        if (e->d_type != DT_DIR)
            l->all_dirs = 0;
        if (i >= 2 && l->nr < 64)
            l->tid[l->nr++] = atol(e->d_name);
        i++;
    }
    closedir(d);
    return 0;
}

static int listed(const struct listing *l, long tid)
{
    for (int i = 0; i < l->nr; i++)
        if (l->tid[i] == tid)
            return 1;
    return 0;
}

/* The listing holds exactly the given tids. */
static int listing_is(const struct listing *l, const long *tids, int n)
{
    if (l->nr != n || !l->dots_first || !l->all_dirs)
        return 0;
    for (int i = 0; i < n; i++)
        if (!listed(l, tids[i]))
            return 0;
    return 1;
}

/* The whole contents of a small file, NUL-terminated; "" if it cannot be read. */
static const char *slurp(const char *path)
{
    static char buf[128];
    int fd = open(path, O_RDONLY);
    long n = fd < 0 ? -1 : read(fd, buf, sizeof buf - 1);

    if (fd >= 0)
        close(fd);
    buf[n > 0 ? n : 0] = '\0';
    return buf;
}

static const char *task_path(long tid, const char *leaf)
{
    static char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%ld/%s", tid, leaf);
    return path;
}

static void test_proc_names(struct worker *w, const char *comm)
{
    char path[64];

    /* Every thread starts with the program's name; PR_SET_NAME renames one thread. */
    CHECK(!strcmp(slurp(task_path(w[0].tid, "comm")), comm));
    CHECK(!strcmp(slurp("/proc/self/comm"), comm));
    CHECK(!strcmp(slurp("/proc/thread-self/comm"), comm));
    snprintf(w[1].name, sizeof w[1].name, "worker-1");
    CHECK_EQ(worker_run(&w[1], OP_SETNAME), 0);
    CHECK(!strcmp(slurp(task_path(w[1].tid, "comm")), "worker-1\n"));
    snprintf(path, sizeof path, "/proc/%ld/comm", w[1].tid);
    CHECK(!strcmp(slurp(path), "worker-1\n"));
    CHECK(!strcmp(slurp("/proc/self/comm"), comm));
    CHECK(!strcmp(slurp(task_path(w[0].tid, "comm")), comm));

    /* Writing a thread's comm renames it, to at most 15 bytes. */
    int fd = open(task_path(w[2].tid, "comm"), O_WRONLY);
    CHECK(fd >= 0);
    CHECK_EQ(write(fd, "a-very-long-thread-name", 23), 23);
    CHECK_EQ(close(fd), 0);
    CHECK_EQ(worker_run(&w[2], OP_GETNAME), 0);
    CHECK(!strcmp(w[2].name, "a-very-long-thr"));
    CHECK(!strcmp(slurp(task_path(w[2].tid, "comm")), "a-very-long-thr\n"));

    struct stat st;
    fd = open(task_path(w[2].tid, "comm"), O_RDONLY);
    CHECK(fd >= 0 && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (st.st_mode & 0777) == 0644);
    close(fd);
    CHECK_ERR(open(task_path(w[2].tid, "comm/"), O_RDONLY), ENOTDIR);
    CHECK_ERR(open("/proc/self/task/comm", O_RDONLY), ENOENT);
}

static void test_proc_task(void)
{
    struct worker w[NPROC_THREADS];
    struct listing l;
    long tids[NPROC_THREADS + 1];
    char path[64], comm[32];
    struct stat st;

    printf("== /proc/self/task with %d threads\n", NPROC_THREADS + 1);
    tids[0] = gettid_raw();
    int started = 1;
    for (int i = 0; i < NPROC_THREADS; i++) {
        if (worker_start(&w[i]))
            started = 0;
        tids[i + 1] = w[i].tid;
    }
    CHECK(started);
    CHECK_EQ(list_dir("/proc/self/task", &l), 0);
    CHECK_EQ(l.nr, NPROC_THREADS + 1);
    CHECK(listing_is(&l, tids, NPROC_THREADS + 1));
    snprintf(path, sizeof path, "/proc/%d/task", getpid());
    CHECK(list_dir(path, &l) == 0 && listing_is(&l, tids, NPROC_THREADS + 1));
    snprintf(path, sizeof path, "/proc/%ld/task", w[3].tid); /* a thread's /proc entry */
    CHECK(list_dir(path, &l) == 0 && listing_is(&l, tids, NPROC_THREADS + 1));

    int fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY);
    CHECK(fd >= 0);
    CHECK(fstat(fd, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0555);
    CHECK_EQ(st.st_nlink, 2 + NPROC_THREADS + 1);
    char buf[256];
    CHECK_ERR(syscall(SYS_getdents64, fd, buf, 10), EINVAL);
    CHECK_EQ(syscall(SYS_getdents64, fd, buf, 24), 24);  /* just "." */
    CHECK(syscall(SYS_getdents64, fd, buf, sizeof buf) > 0);
    CHECK_ERR(read(fd, buf, sizeof buf), EISDIR);
    CHECK_ERR(write(fd, buf, 1), EBADF);
    CHECK_EQ(lseek(fd, 0, SEEK_SET), 0);
    int n = 0;
    long got;
    while ((got = syscall(SYS_getdents64, fd, buf, 32)) > 0)
        n++;
    CHECK_EQ(got, 0);
    CHECK(n >= 2 + NPROC_THREADS + 1);
    CHECK_EQ(close(fd), 0);
    CHECK_ERR(open("/proc/self/task", O_WRONLY), EISDIR);
    CHECK_ERR(open("/proc/self/task", O_RDONLY | O_CREAT | O_EXCL, 0600), EEXIST);
    CHECK_ERR(open("/proc/thread-self/task", O_RDONLY), ENOENT);

    /* comm: the program's basename, at most 15 bytes, and a newline. */
    const char *base = strrchr(program_invocation_name, '/');
    snprintf(comm, sizeof comm, "%.15s\n", base ? base + 1 : program_invocation_name);
    test_proc_names(w, comm);

    printf("== /proc/self/task after the joins\n");
    for (int i = 0; i < NPROC_THREADS; i++)
        worker_stop(&w[i]);
    int gone = 1;
    for (int i = 1; i <= NPROC_THREADS; i++)
        gone &= wait_gone(tids[i]);
    CHECK(gone);
    CHECK_EQ(list_dir("/proc/self/task", &l), 0);
    CHECK(listing_is(&l, tids, 1));
    fd = open("/proc/self/task", O_RDONLY | O_DIRECTORY);
    CHECK(fd >= 0 && fstat(fd, &st) == 0 && st.st_nlink == 3);
    close(fd);
    CHECK_ERR(open(task_path(tids[1], "comm"), O_RDONLY), ENOENT);
}

int main(void)
{
    test_getaffinity();
    test_setaffinity();
    test_getcpu();
    test_per_thread();
    test_proc_task();
    return guest_done();
}
