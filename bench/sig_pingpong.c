/*
 * Cross-thread signal ping-pong: the main thread (A) and a second thread (B)
 * exchange COUNT round trips.  A sends SIGUSR1 to B with pthread_kill (a
 * tkill with musl, a tgkill with glibc) and waits for SIGUSR2 in
 * sigwaitinfo; B waits for SIGUSR1 in sigwaitinfo and answers with SIGUSR2
 * to A the same way.  Both signals stay blocked in
 * both threads, so they are only ever accepted by sigwaitinfo (no handlers,
 * no spinning: each wait sleeps in rt_sigtimedwait until the signal is
 * queued for its thread).
 *
 * Standard signals coalesce, so only one ping is ever outstanding: A sends
 * the next ping only after it has the pong for the previous one, and B
 * answers each ping once.  A signal sent before its receiver waits stays
 * pending on the receiving thread and is taken by its next sigwaitinfo, so
 * there is no lost wake-up and no deadlock.  One more SIGUSR1 after the
 * last round trip tells B to end.
 *
 * This measures a signal sent to another thread, waking a thread asleep in
 * rt_sigtimedwait, and the thread switch, twice per round trip.
 *
 * usage: sig_pingpong [COUNT]   (default 10000)
 */
#define _POSIX_C_SOURCE 200809L
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static long count;
static pthread_t thread_a;
static long pongs_sent;

static void *thread_b(void *arg)
{
	sigset_t usr1;
	siginfo_t si;

	(void)arg;
	sigemptyset(&usr1);
	sigaddset(&usr1, SIGUSR1);
	/* count pings, then one more that says stop. */
	for (long i = 0; i <= count; i++) {
		if (sigwaitinfo(&usr1, &si) != SIGUSR1) {
			perror("B: sigwaitinfo");
			exit(1);
		}
		if (i == count)
			break;
		pongs_sent++;
		if (pthread_kill(thread_a, SIGUSR2)) {
			fprintf(stderr, "B: pthread_kill failed\n");
			exit(1);
		}
	}
	return NULL;
}

int main(int argc, char **argv)
{
	sigset_t both, usr2;
	siginfo_t si;
	pthread_t b;
	long pongs = 0;

	count = argc > 1 ? atol(argv[1]) : 10000;
	thread_a = pthread_self();
	/* Block both before B exists: B inherits the mask, and a signal sent
	 * early waits pending instead of killing the process. */
	sigemptyset(&both);
	sigaddset(&both, SIGUSR1);
	sigaddset(&both, SIGUSR2);
	if (pthread_sigmask(SIG_BLOCK, &both, NULL)) {
		fprintf(stderr, "pthread_sigmask failed\n");
		return 1;
	}
	sigemptyset(&usr2);
	sigaddset(&usr2, SIGUSR2);
	if (pthread_create(&b, NULL, thread_b, NULL)) {
		fprintf(stderr, "pthread_create failed\n");
		return 1;
	}
	for (long i = 0; i < count; i++) {
		if (pthread_kill(b, SIGUSR1)) {
			fprintf(stderr, "A: pthread_kill failed\n");
			return 1;
		}
		if (sigwaitinfo(&usr2, &si) != SIGUSR2) {
			perror("A: sigwaitinfo");
			return 1;
		}
		pongs++;
	}
	pthread_kill(b, SIGUSR1); /* the stop ping */
	pthread_join(b, NULL);

	printf("sig_pingpong: %ld round trips (pthread_kill + sigwaitinfo), pongs %ld/%ld\n",
	       count, pongs, pongs_sent);
	return pongs == count && pongs_sent == count ? 0 : 1;
}
