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
step "lxemu --syscalls | tail -1"
"$lxemu" --syscalls | tail -1
