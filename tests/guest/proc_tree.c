/* proc_tree.c: process groups, sessions and the process tree. A child starts
 * in its parent's group; setpgid(0,0) makes it a group leader (set from both
 * sides, as shells do), another child joins that group; getpgid/getpgrp;
 * setpgid errors (EINVAL, ESRCH, EPERM); setsid in a child makes a session
 * leader (getsid), a second setsid and moving it to another session's group
 * give EPERM. kill(-pgid) and killpg reach every member of a group and not
 * the caller; kill(0) reaches the caller's own group (the caller included);
 * waitpid(0), waitpid(-pgid) and waitid(P_PGID) choose children by group.
 * Orphans: without a subreaper a grandchild leaves its dead parent (to the
 * init of its pid namespace: the test itself when it is pid 1, as under
 * lxemu); with PR_SET_CHILD_SUBREAPER the test adopts grandchildren (getppid
 * becomes the test's pid, polled while the middle process exits; at once
 * once the middle one was reaped), reaps them, gets their SIGCHLD, adopts a
 * grandchild that was already a zombie, and the grandchild's
 * PR_SET_PDEATHSIG fires when its parent dies. Fork in a threaded process
 * copies only the calling thread: a mutex another thread held stays locked
 * in the child (EBUSY), a thread blocked in read() is not in the child (one
 * entry in /proc/self/task) and still gets its data in the parent, the child
 * can start threads of its own; a fork from a side thread: the child's
 * parent is the process (main reaps it), and stays so when that thread
 * exits. Children print their own check lines only while the parent waits
 * for them, and report their counts through a MAP_SHARED page. */
#include "guest_proc.h"
#include <dirent.h>
#include <pthread.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>

static int pending_has(int sig)
{
    sigset_t p;
    sigemptyset(&p);
    sigpending(&p);
    return sigismember(&p, sig);
}

static void mask(int how, int sig)
{
    sigset_t s;
    sigemptyset(&s);
    sigaddset(&s, sig);
    sigprocmask(how, &s, NULL);
}

/* Wait, without reaping, until pid is a zombie. */
static int wait_zombie(pid_t pid)
{
    siginfo_t si;
    int r;
    memset(&si, 0, sizeof si);
    while ((r = waitid(P_PID, pid, &si, WEXITED | WNOWAIT)) == -1 && errno == EINTR)
        ;
    return r == 0 && si.si_pid == pid;
}

/* A pid that names no process: a child that was reaped. */
static pid_t dead_pid(void)
{
    pid_t pid = xfork();
    if (pid == 0)
        _exit(0);
    if (pid > 0)
        reap(pid);
    return pid;
}

static int task_count(void)
{
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    int n = 0;
    if (!d)
        return -1;
    while ((e = readdir(d)))
        n += e->d_name[0] != '.';
    closedir(d);
    return n;
}

/* SIGUSR1 arrivals, counted by a handler. */
static volatile int usr1_runs;
static void on_usr1(int sig)
{
    (void)sig;
    usr1_runs++;
}

static void set_handler(int sig, void (*fn)(int), int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sa.sa_flags = flags;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

/* With SIGUSR1 blocked: wait until the handler has run n times in all. */
static void wait_usr1(int n)
{
    sigset_t none;
    sigemptyset(&none);
    while (usr1_runs < n)
        sigsuspend(&none);
}

/* --- process groups and sessions --- */
static void test_pgid(void)
{
    int ready[2], go[2];
    pid_t top = getpid(), mygrp = getpgrp();

    printf("== setpgid and getpgid\n");
    CHECK(getpgid(0) == mygrp);
    CHECK(getpgid(top) == mygrp);
    CHECK_EQ(pipe(ready), 0);
    CHECK_EQ(pipe(go), 0);
    pid_t pid = xfork();
    if (pid == 0) {
        child_begin();
        close(ready[0]);
        close(go[1]);
        pid_t me = getpid();
        int was_parents = getpgrp() == mygrp;
        int sid_same = getsid(0) == getsid(top);
        int r = setpgid(0, 0);
        put_byte(ready[1], 'r');
        get_byte(go[0]);        /* print only once the parent waits for us */
        CHECK(was_parents);
        CHECK(sid_same);
        CHECK_EQ(r, 0);
        CHECK(getpgrp() == me && getpgid(0) == me);
        CHECK(getpgid(getppid()) == mygrp);
        child_end();
    }
    close(ready[1]);
    close(go[0]);
    if (forked(pid)) {
        CHECK_EQ(get_byte(ready[0]), 'r');
        CHECK(getpgid(pid) == pid);
        CHECK_EQ(setpgid(pid, pid), 0);          /* again, from the parent */
        CHECK(getpgrp() == mygrp);               /* the parent did not move */
        close(go[1]);
        child_collect(pid);
    } else {
        close(go[1]);
    }
    close(ready[0]);

    printf("== setpgid errors\n");
    pid_t gone = dead_pid();
    CHECK_ERR(setpgid(0, -1), EINVAL);
    CHECK_ERR(setpgid(-1, 0), EINVAL);
    CHECK_ERR(setpgid(gone, 0), ESRCH);
    CHECK_ERR(setpgid(0, gone), EPERM);          /* no such group here */
    CHECK_ERR(getpgid(gone), ESRCH);
    CHECK_ERR(getsid(gone), ESRCH);
    CHECK_ERR(kill(-gone, SIGUSR1), ESRCH);
    CHECK_ERR(killpg(gone, SIGUSR1), ESRCH);

    printf("== setsid in a child\n");
    CHECK_EQ(pipe(ready), 0);
    CHECK_EQ(pipe(go), 0);
    pid = xfork();
    if (pid == 0) {
        child_begin();
        close(ready[0]);
        close(go[1]);
        pid_t me = getpid();
        pid_t sid = setsid();
        put_byte(ready[1], 'r');
        get_byte(go[0]);
        CHECK(sid == me);
        CHECK(getsid(0) == me && getpgrp() == me);
        CHECK_ERR(setsid(), EPERM);              /* already a group leader */
        CHECK_ERR(setpgid(0, mygrp), EPERM);     /* another session's group */
        child_end();
    }
    close(ready[1]);
    close(go[0]);
    if (forked(pid)) {
        CHECK_EQ(get_byte(ready[0]), 'r');
        CHECK(getsid(pid) == pid);
        CHECK(getpgid(pid) == pid);
        CHECK(getsid(0) != pid);
        CHECK_ERR(setpgid(pid, mygrp), EPERM);   /* a session leader */
        close(go[1]);
        child_collect(pid);
    } else {
        close(go[1]);
    }
    close(ready[0]);
}

/* --- signals to groups --- */
static void test_group_kill(void)
{
    int ready[2], report[2];
    char got[2];

    printf("== kill(-pgid) and killpg reach every member and not the caller\n");
    set_handler(SIGUSR1, on_usr1, 0);
    mask(SIG_BLOCK, SIGUSR1);
    usr1_runs = 0;
    CHECK_EQ(pipe(ready), 0);
    CHECK_EQ(pipe(report), 0);
    pid_t kids[2];
    pid_t leader = 0;
    for (int i = 0; i < 2; i++) {
        kids[i] = xfork();
        if (kids[i] == 0) {
            close(ready[0]);
            close(report[0]);
            if (setpgid(0, i ? leader : 0) != 0)
                _exit(2);
            put_byte(ready[1], 'r');
            for (int round = 1; round <= 2; round++) {
                wait_usr1(round);
                put_byte(report[1], 'a' + i);
            }
            _exit(usr1_runs == 2 ? 0 : 3);
        }
        if (kids[i] > 0) {
            if (i == 0)
                leader = kids[0];
            setpgid(kids[i], leader);            /* both sides, as a shell */
        }
    }
    close(ready[1]);
    close(report[1]);
    if (forked(kids[0]) && forked(kids[1])) {
        CHECK_EQ(read_full(ready[0], got, 2), 2);
        CHECK(getpgid(kids[1]) == leader && getpgid(kids[0]) == leader);
        CHECK_EQ(kill(-leader, SIGUSR1), 0);
        CHECK_EQ(read_full(report[0], got, 2), 2);
        CHECK((got[0] == 'a' && got[1] == 'b') || (got[0] == 'b' && got[1] == 'a'));
        CHECK_EQ(killpg(leader, SIGUSR1), 0);
        CHECK_EQ(read_full(report[0], got, 2), 2);
        CHECK((got[0] == 'a' && got[1] == 'b') || (got[0] == 'b' && got[1] == 'a'));
        for (int i = 0; i < 2; i++) {
            int status = reap(kids[i]);
            CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        }
        CHECK(!pending_has(SIGUSR1));
        CHECK_EQ(usr1_runs, 0);
        CHECK_ERR(kill(-leader, SIGUSR1), ESRCH);
    } else {
        while (wait(NULL) > 0)
            ;
    }
    close(ready[0]);
    close(report[0]);

    printf("== kill(0) reaches the caller's group, the caller included\n");
    CHECK_EQ(pipe(report), 0);
    pid_t pid = xfork();
    if (pid == 0) {
        int sync[2];
        close(report[0]);
        if (setpgid(0, 0) != 0 || pipe(sync) != 0)
            _exit(2);
        pid_t gc = xfork();
        if (gc == 0) {
            close(sync[0]);
            put_byte(sync[1], 'r');
            wait_usr1(1);
            put_byte(report[1], 'g');
            _exit(0);
        }
        close(sync[1]);
        if (gc < 0 || get_byte(sync[0]) != 'r')
            _exit(3);
        if (getpgid(gc) != getpid())
            _exit(4);
        if (kill(0, SIGUSR1) != 0)
            _exit(5);
        wait_usr1(1);
        put_byte(report[1], 'c');
        int status;
        if (waitpid(0, &status, 0) != gc)      /* by group: the grandchild */
            _exit(6);
        _exit(WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 7);
    }
    close(report[1]);
    if (forked(pid)) {
        memset(got, 0, sizeof got);
        CHECK_EQ(read_full(report[0], got, 2), 2);
        CHECK((got[0] == 'c' && got[1] == 'g') || (got[0] == 'g' && got[1] == 'c'));
        int status = reap(pid);
        CHECK_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : 100 + WTERMSIG(status), 0);
        CHECK(!pending_has(SIGUSR1));
    }
    close(report[0]);
    mask(SIG_UNBLOCK, SIGUSR1);
    CHECK_EQ(usr1_runs, 0);
    set_handler(SIGUSR1, SIG_DFL, 0);
}

/* --- waiting by group --- */
static void test_wait_group(void)
{
    int status;
    siginfo_t si;

    printf("== waitpid(0), waitpid(-pgid), waitid(P_PGID)\n");
    for (int round = 0; round < 2; round++) {
        pid_t other = xfork();                  /* in a group of its own */
        if (other == 0) {
            setpgid(0, 0);
            _exit(31);
        }
        if (other > 0)
            setpgid(other, other);
        pid_t same = xfork();                   /* in ours */
        if (same == 0)
            _exit(32);
        if (!forked(other) || !forked(same)) {
            while (wait(NULL) > 0)
                ;
            return;
        }
        CHECK(wait_zombie(other) && wait_zombie(same));
        if (round == 0) {
            CHECK(waitpid(-other, &status, WNOHANG) == other);
            CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 31);
            CHECK(waitpid(0, &status, WNOHANG) == same);
            CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 32);
        } else {
            memset(&si, 0, sizeof si);
            CHECK_EQ(waitid(P_PGID, getpgrp(), &si, WEXITED), 0);
            CHECK(si.si_pid == same && si.si_status == 32);
            memset(&si, 0, sizeof si);
            CHECK_EQ(waitid(P_PGID, other, &si, WEXITED), 0);
            CHECK(si.si_pid == other && si.si_status == 31);
        }
        CHECK_ERR(waitpid(0, &status, WNOHANG), ECHILD);
        CHECK_ERR(waitpid(-other, &status, WNOHANG), ECHILD);
    }
}

/* --- orphans --- */
static volatile pid_t chld_last;
static volatile int chld_runs;
static void on_chld(int sig, siginfo_t *si, void *uc)
{
    (void)sig;
    (void)uc;
    chld_last = si->si_pid;
    chld_runs++;
}

static volatile int pdeath_runs;
static void on_pdeath(int sig)
{
    (void)sig;
    pdeath_runs++;
}

/* A middle child forks a grandchild and exits; the grandchild runs fn(arg)
 * (its exit code is its result). Returns the grandchild's pid, or -1; the
 * middle one is reaped. ready_first: the middle one exits only after the
 * grandchild wrote a byte to orphan_ready. */
static int orphan_ready = -1;

static pid_t orphan(int (*fn)(pid_t middle, void *), void *arg, int ready_first)
{
    int pids[2], ready[2];
    pid_t gc = -1;

    if (pipe(pids) != 0 || pipe(ready) != 0)
        return -1;
    pid_t mid = xfork();
    if (mid == 0) {
        pid_t me = getpid();
        close(pids[0]);
        pid_t g = xfork();
        if (g == 0) {
            close(pids[1]);
            close(ready[0]);
            orphan_ready = ready[1];
            _exit(fn(me, arg));
        }
        close(ready[1]);
        if (ready_first)
            get_byte(ready[0]);
        (void)!write(pids[1], &g, sizeof g);
        _exit(g > 0 ? 0 : 1);
    }
    close(pids[1]);
    close(ready[0]);
    close(ready[1]);
    if (forked(mid)) {
        if (read_full(pids[0], &gc, sizeof gc) != sizeof gc)
            gc = -1;
        int status = reap(mid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    close(pids[0]);
    return gc;
}

struct orphan_args {
    pid_t top;
    int go, go_w, report;   /* fds: wait on go (closing go_w), report */
};

/* No subreaper: the grandchild leaves its dead parent. */
static int gc_no_reaper(pid_t middle, void *p)
{
    struct orphan_args *a = p;
    close(a->go_w);
    get_byte(a->go);
    pid_t pp = getppid();
    char res = pp != middle && (pp == a->top) == (a->top == 1) ? 'y' : 'n';
    put_byte(a->report, res);
    return 0;
}

/* Subreaper: polled while the middle process exits. */
static int gc_poll(pid_t middle, void *p)
{
    struct orphan_args *a = p;
    int first = getppid() == middle || getppid() == a->top;
    for (int i = 0; i < 200 && getppid() != a->top; i++)
        sleep_ms(10);
    return first && getppid() == a->top ? 0 : 1;
}

/* Subreaper: checked once the middle one was reaped; with a pdeath signal. */
static int gc_after(pid_t middle, void *p)
{
    struct orphan_args *a = p;
    close(a->go_w);
    set_handler(SIGUSR2, on_pdeath, 0);
    pdeath_runs = 0;
    int ok = prctl(PR_SET_PDEATHSIG, SIGUSR2) == 0;
    int sig = 0;
    ok &= prctl(PR_GET_PDEATHSIG, &sig) == 0 && sig == SIGUSR2;
    ok &= getppid() == middle;
    put_byte(orphan_ready, 'r');
    get_byte(a->go);                /* the middle one was reaped */
    ok &= getppid() == a->top;
    ok &= pdeath_runs == 1;
    return ok ? 0 : 1;
}

/* A grandchild that is already a zombie when its parent exits. */
static int gc_zombie(pid_t middle, void *p)
{
    (void)middle;
    (void)p;
    return 5;
}

static void test_orphans(void)
{
    int go[2], report[2], ready[2];
    struct orphan_args a = { getpid(), -1, -1, -1 };
    int status;

    printf("== an orphan without a subreaper leaves its dead parent\n");
    CHECK_EQ(prctl(PR_GET_CHILD_SUBREAPER, &status), 0);
    CHECK_EQ(status, 0);
    CHECK_EQ(pipe(go), 0);
    CHECK_EQ(pipe(report), 0);
    a.go = go[0];
    a.go_w = go[1];
    a.report = report[1];
    pid_t gc = orphan(gc_no_reaper, &a, 0);
    close(go[0]);
    close(report[1]);
    if (gc > 0) {
        close(go[1]);
        CHECK_EQ(get_byte(report[0]), 'y');
        if (getpid() == 1)          /* the init of the namespace adopts it */
            reap(gc);
    } else {
        CHECK(gc > 0);
        close(go[1]);
    }
    close(report[0]);

    printf("== PR_SET_CHILD_SUBREAPER adopts grandchildren\n");
    CHECK_EQ(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0), 0);
    CHECK_EQ(prctl(PR_GET_CHILD_SUBREAPER, &status), 0);
    CHECK_EQ(status, 1);
    gc = orphan(gc_poll, &a, 0);
    CHECK(gc > 0);
    if (gc > 0) {
        status = reap(gc);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    }
    CHECK_ERR(waitpid(-1, &status, WNOHANG), ECHILD);

    printf("== getppid once the dead parent was reaped; PR_SET_PDEATHSIG\n");
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_chld;
    sa.sa_flags = SA_SIGINFO | SA_RESTART;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGCHLD, &sa, NULL);
    CHECK_EQ(pipe(go), 0);
    a.go = go[0];
    a.go_w = go[1];
    gc = orphan(gc_after, &a, 1);      /* after the grandchild's 'r' */
    close(go[0]);
    CHECK(gc > 0);
    if (gc > 0) {
        CHECK(chld_last != gc);
        chld_runs = 0;
        close(go[1]);
        status = reap(gc);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        CHECK_EQ(chld_runs, 1);        /* the adopted child's SIGCHLD */
        CHECK(chld_last == gc);
    } else {
        close(go[1]);
    }
    set_handler(SIGCHLD, SIG_DFL, 0);

    printf("== a zombie grandchild is adopted and reaped\n");
    CHECK_EQ(pipe(ready), 0);
    pid_t mid = xfork();
    if (mid == 0) {
        close(ready[0]);
        pid_t g = xfork();
        if (g == 0)
            _exit(gc_zombie(0, NULL));
        if (g < 0 || !wait_zombie(g))
            _exit(1);
        (void)!write(ready[1], &g, sizeof g);
        _exit(0);
    }
    close(ready[1]);
    gc = -1;
    if (forked(mid)) {
        CHECK_EQ(read_full(ready[0], &gc, sizeof gc), sizeof gc);
        status = reap(mid);
        CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
        if (gc > 0) {
            status = reap(gc);
            CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 5);
        }
    }
    close(ready[0]);
    CHECK_ERR(waitpid(-1, &status, WNOHANG), ECHILD);
    CHECK_EQ(prctl(PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0), 0);
}

/* --- fork in a threaded process --- */
static pthread_mutex_t held = PTHREAD_MUTEX_INITIALIZER;
static int th_ready[2], th_go[2], th_data[2];

static void *hold_mutex(void *arg)
{
    (void)arg;
    pthread_mutex_lock(&held);
    put_byte(th_ready[1], 'r');
    get_byte(th_go[0]);
    pthread_mutex_unlock(&held);
    return NULL;
}

static void *block_in_read(void *arg)
{
    (void)arg;
    put_byte(th_ready[1], 'r');
    return (void *)(long)get_byte(th_data[0]);
}

static void *nothing(void *arg)
{
    return arg;
}

static pid_t side_child;
static int side_gate[2];

/* A fork from a side thread; the child waits on side_gate. */
static void *fork_from_thread(void *arg)
{
    pid_t top = getpid();
    long tid = syscall(SYS_gettid);
    (void)arg;
    pid_t pid = xfork();
    if (pid == 0) {
        child_begin();
        close(side_gate[1]);
        get_byte(side_gate[0]);
        CHECK(getppid() == top);        /* the process, not the thread */
        CHECK(getpid() != tid && syscall(SYS_gettid) == getpid());
        CHECK_EQ(task_count(), 1);
        child_end();
    }
    side_child = pid;
    return NULL;
}

static void test_threads(void)
{
    pthread_t th;
    void *ret;

    printf("== fork while another thread holds a mutex\n");
    CHECK_EQ(pipe(th_ready), 0);
    CHECK_EQ(pipe(th_go), 0);
    CHECK_EQ(pthread_create(&th, NULL, hold_mutex, NULL), 0);
    CHECK_EQ(get_byte(th_ready[0]), 'r');
    CHECK_EQ(task_count(), 2);
    pid_t pid = xfork();
    if (pid == 0) {
        child_begin();
        CHECK_EQ(pthread_mutex_trylock(&held), EBUSY);
        CHECK_EQ(task_count(), 1);
        CHECK(syscall(SYS_gettid) == getpid());
        pthread_t t2;
        CHECK_EQ(pthread_create(&t2, NULL, nothing, (void *)7L), 0);
        CHECK_EQ(pthread_join(t2, &ret), 0);
        CHECK(ret == (void *)7L);
        child_end();
    }
    if (forked(pid))
        child_collect(pid);
    put_byte(th_go[1], 'g');
    CHECK_EQ(pthread_join(th, NULL), 0);
    CHECK_EQ(pthread_mutex_trylock(&held), 0);
    pthread_mutex_unlock(&held);

    printf("== fork while another thread is blocked in read()\n");
    CHECK_EQ(pipe(th_data), 0);
    CHECK_EQ(pthread_create(&th, NULL, block_in_read, NULL), 0);
    CHECK_EQ(get_byte(th_ready[0]), 'r');
    pid = xfork();
    if (pid == 0) {
        child_begin();
        CHECK_EQ(task_count(), 1);
        child_end();
    }
    if (forked(pid))
        child_collect(pid);
    CHECK_EQ(task_count(), 2);
    put_byte(th_data[1], 'x');
    CHECK_EQ(pthread_join(th, &ret), 0);
    CHECK_EQ((long)ret, 'x');

    printf("== fork from a side thread that then exits\n");
    CHECK_EQ(pipe(side_gate), 0);
    side_child = -1;
    CHECK_EQ(pthread_create(&th, NULL, fork_from_thread, NULL), 0);
    CHECK_EQ(pthread_join(th, NULL), 0);
    close(side_gate[0]);
    if (forked(side_child)) {
        close(side_gate[1]);            /* the forking thread is gone */
        child_collect(side_child);
    } else {
        close(side_gate[1]);
    }
    close(th_ready[0]);
    close(th_ready[1]);
    close(th_go[0]);
    close(th_go[1]);
    close(th_data[0]);
    close(th_data[1]);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGCHLD, SIG_DFL);
    child_counts = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (child_counts == MAP_FAILED)
        return 2;
    alarm(60);                      /* a hang fails rather than blocks */
    test_pgid();
    test_group_kill();
    test_wait_group();
    test_orphans();
    test_threads();
    return guest_done();
}
