#!/usr/bin/env bash
# Sets up and builds lxemu (tools/setup.sh), then shows it running real programs.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/tools/setup.sh" "$root/build"
lxemu="$root/build/lxemu"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

cat >"$work/hello.c" <<'C'
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv)
{
	double sum = 0;
	for (int i = 1; i <= 10; i++)
		sum += 1.0 / i;
	printf("hello from a static %s program: H(10) = %.6f, argc = %d\n",
	       argc > 1 ? argv[1] : "?", sum, argc);
	char *big = malloc(64 << 20);
	big[(64 << 20) - 1] = 1;
	return 3;
}
C
musl-gcc -static -O2 -o "$work/hello.musl" "$work/hello.c"
gcc -static -O2 -o "$work/hello.glibc" "$work/hello.c"
printf 'int main(void) { return *(volatile int *)16; }\n' >"$work/crash.c"
musl-gcc -static -O1 -o "$work/crash" "$work/crash.c"

step lxemu hello.musl musl
"$lxemu" "$work/hello.musl" musl || echo "(exit status $?, as natively)"
step lxemu hello.glibc glibc
"$lxemu" "$work/hello.glibc" glibc || echo "(exit status $?, as natively)"
step "lxemu /usr/bin/busybox ls -l /usr/share/common-licenses | head -4"
"$lxemu" /usr/bin/busybox ls -l /usr/share/common-licenses | head -4
step "seq 1 100000 | lxemu /usr/bin/busybox sha256sum   (native: $(seq 1 100000 | sha256sum | cut -c1-16)...)"
seq 1 100000 | "$lxemu" /usr/bin/busybox sha256sum
step "lxemu --trace /usr/bin/busybox cat /etc/hostname"
"$lxemu" --trace /usr/bin/busybox cat /etc/hostname
step "lxemu --fault-report crash   (a NULL+16 read: the guest dies of SIGSEGV, and so does lxemu)"
set +e
"$lxemu" --fault-report "$work/crash"
echo "exit status $? (native: $("$work/crash" 2>/dev/null; echo $?))"
set -e
cat >"$work/threads.c" <<'C'
#include <pthread.h>
#include <stdio.h>
#define N 4
static long counter, work[N];
static void *run(void *p)
{
	long id = (long)p, h = id;
	for (long i = 0; i < 20000000; i++)
		h = h * 31 + i;
	work[id] = h;
	for (int i = 0; i < 250000; i++)
		__atomic_fetch_add(&counter, 1, __ATOMIC_RELAXED);
	return NULL;
}
int main(void)
{
	pthread_t t[N];
	for (long i = 0; i < N; i++)
		pthread_create(&t[i], NULL, run, (void *)i);
	for (int i = 0; i < N; i++)
		pthread_join(t[i], NULL);
	printf("%d threads: counter %ld (want %d), work %lx\n", N, counter, N * 250000,
	       (unsigned long)(work[0] ^ work[1] ^ work[2] ^ work[3]));
	return 0;
}
C
gcc -static -O1 -pthread -o "$work/threads" "$work/threads.c"
for mode in atomic turns; do
	step "time lxemu --smp=$mode threads   (4 threads: CPU work, then 1,000,000 lock xadd)"
	start=$(date +%s.%N)
	"$lxemu" --smp="$mode" "$work/threads"
	printf '%.2f s on %d host CPUs (native: %s)\n' "$(echo "$(date +%s.%N) - $start" | awk '{print $1 - $3}')" \
	       "$(nproc)" "$("$work/threads")"
done
cat >"$work/signals.c" <<'C'
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <ucontext.h>
#include <unistd.h>
static pthread_t side[3];
static __thread int me; /* 1, 2, 3: which side thread this is */
static volatile int fpe_in, int_in, ready;
static int who(void) { return me; }
static void on_fpe(int sig, siginfo_t *si, void *ucv)
{
	(void)sig;
	fpe_in = si->si_code == FPE_INTDIV ? who() : -1;
	((ucontext_t *)ucv)->uc_mcontext.gregs[REG_RIP] += 2; /* skip the 2-byte idiv */
}
static void on_int(int sig) { (void)sig; int_in = who(); }
static void *run(void *p)
{
	long id = (long)p;
	sigset_t m;
	me = (int)id;
	if (id == 1) { /* divides by zero */
		volatile int zero = 0, n = 7;
		__asm__ volatile("cltd; idivl %1" : "+a"(n) : "r"(zero) : "rdx");
		return NULL;
	}
	if (id == 3) { /* the only thread that lets SIGINT through */
		sigemptyset(&m);
		sigaddset(&m, SIGINT);
		pthread_sigmask(SIG_UNBLOCK, &m, NULL);
	}
	__atomic_add_fetch(&ready, 1, __ATOMIC_SEQ_CST);
	while (!int_in)
		usleep(1000);
	return NULL;
}
int main(void)
{
	struct sigaction sa;
	sigset_t m;
	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = on_fpe;
	sa.sa_flags = SA_SIGINFO;
	sigaction(SIGFPE, &sa, NULL);
	signal(SIGINT, on_int);
	sigemptyset(&m);
	sigaddset(&m, SIGINT);
	pthread_sigmask(SIG_BLOCK, &m, NULL); /* main and thread 2 block SIGINT */
	for (long i = 0; i < 3; i++)
		pthread_create(&side[i], NULL, run, (void *)(i + 1));
	while (ready < 2)
		usleep(1000);
	kill(getpid(), SIGINT); /* process-directed: one thread that does not block it */
	for (int i = 0; i < 3; i++)
		pthread_join(side[i], NULL);
	printf("SIGFPE ran in thread %d (the divider, 1); kill(SIGINT) ran in thread %d (3)\n",
	       fpe_in, int_in);
	return 0;
}
C
gcc -static -O1 -pthread -o "$work/signals" "$work/signals.c"
step "lxemu --trace=signals.trace signals; grep -- --- signals.trace   (signals routed across threads)"
"$lxemu" --trace="$work/signals.trace" "$work/signals"
grep -- '^[0-9]* *---' "$work/signals.trace" || grep -- '---' "$work/signals.trace"
echo "native: $("$work/signals")"
step "lxemu /usr/bin/busybox sh -c 'seq 1 10000 | sort -rn | head -3; (exit 7); echo \$?'   (fork, exec, pipes, wait)"
"$lxemu" /usr/bin/busybox sh -c 'seq 1 10000 | sort -rn | head -3; (exit 7); echo $?'
mkdir -p "$work/root/bin" "$work/root/data/sub"
cp /usr/bin/busybox "$work/root/bin/"
seq 1 3000 > "$work/root/data/nums"
ln -s / "$work/root/data/sub/escape"
step "lxemu --root=ROOT /bin/busybox sh -c '...'   (a guest file tree: a tar round trip; a symlink to / stays inside)"
"$lxemu" --root="$work/root" /bin/busybox sh -c 'cd /data && tar cf /t.tar nums sub && mkdir /x &&
tar xf /t.tar -C /x && cmp nums /x/nums && echo "tar round trip: same"; ls /data/sub/escape/'
step "lxemu /usr/bin/busybox sh -c 'ls -l /proc/self/fd/ 3</etc/hostname 4<>/dev/null'   (the guest's own fd table)"
"$lxemu" /usr/bin/busybox sh -c 'ls -l /proc/self/fd/ 3</etc/hostname 4<>/dev/null 2>/dev/null' | awk '{ print $1, $9, $10, $11 }'
step "lxemu --syscalls | tail -1"
"$lxemu" --syscalls | tail -1
