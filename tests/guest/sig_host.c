/* sig_host.c: the guest side of sig_host.sh, which signals this process from
 * outside (natively, or the lxemu process running it). Every mode prints
 * "ready" (stdout is line-buffered) once it may be signalled, and reports
 * what arrives on stdout, which the script compares:
 *   term     waits forever: a SIGTERM kills it (143)
 *   int      catches SIGINT, prints it and exits 3
 *   stop     raises SIGSTOP; once continued, its SIGCONT handler has run:
 *            prints "continued" and exits 0
 *   bgint    reports whether SIGINT and SIGQUIT start ignored (a background
 *            job of a non-interactive sh), waits for SIGUSR1 (sent after a
 *            SIGINT it must survive), then waits forever (SIGTERM: 143)
 *   forward  catches SIGWINCH, SIGHUP, SIGUSR2 and SIGUSR1, printing each
 *            one as it arrives; exits 0 after SIGUSR1 */
#include "guest.h"
#include <signal.h>

#define MAXSIGS 16
static volatile int got[MAXSIGS], got_code[MAXSIGS], ngot;

static void on_sig(int sig, siginfo_t *si, void *uc)
{
    (void)uc;
    if (ngot < MAXSIGS) {
        got[ngot] = sig;
        got_code[ngot] = si->si_code;
        ngot++;
    }
}

static void catch(int sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_sig;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    sigaction(sig, &sa, NULL);
}

static const char *signame(int sig)
{
    switch (sig) {
    case SIGHUP: return "SIGHUP";
    case SIGINT: return "SIGINT";
    case SIGTERM: return "SIGTERM";
    case SIGUSR1: return "SIGUSR1";
    case SIGUSR2: return "SIGUSR2";
    case SIGWINCH: return "SIGWINCH";
    case SIGCONT: return "SIGCONT";
    default: return "another signal";
    }
}

/* Block sigs (a list ending in 0) and return the mask to wait with. */
static sigset_t block(const int *sigs)
{
    sigset_t s, old;
    sigemptyset(&s);
    for (; *sigs; sigs++)
        sigaddset(&s, *sigs);
    sigprocmask(SIG_BLOCK, &s, &old);
    return old;
}

/* Wait for the next caught signal (blocked outside sigsuspend) and print it. */
static int next_signal(const sigset_t *wait_mask, int *seen)
{
    while (ngot == *seen)
        sigsuspend(wait_mask);
    int sig = got[*seen], code = got_code[*seen];
    (*seen)++;
    printf("got %s, si_code %s\n", signame(sig), code == SI_USER ? "SI_USER" : "other");
    return sig;
}

static int is_ignored(int sig)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    return sigaction(sig, NULL, &sa) == 0 && sa.sa_handler == SIG_IGN;
}

static void forever(void)
{
    for (;;)
        pause();
}

int main(int argc, char **argv)
{
    const char *mode = argc > 1 ? argv[1] : "";
    int seen = 0;

    setvbuf(stdout, NULL, _IOLBF, 0);
    if (!strcmp(mode, "term")) {
        printf("ready\n");
        forever();
    }
    if (!strcmp(mode, "int")) {
        sigset_t w = block((const int[]){ SIGINT, 0 });
        catch(SIGINT);
        printf("ready\n");
        next_signal(&w, &seen);
        return 3;
    }
    if (!strcmp(mode, "stop")) {
        catch(SIGCONT);
        printf("ready\n");
        raise(SIGSTOP);
        printf("continued; SIGCONT handler ran before raise returned: %s\n",
               ngot == 1 && got[0] == SIGCONT ? "yes" : "no");
        return 0;
    }
    if (!strcmp(mode, "bgint")) {
        printf("SIGINT ignored: %s\n", is_ignored(SIGINT) ? "yes" : "no");
        printf("SIGQUIT ignored: %s\n", is_ignored(SIGQUIT) ? "yes" : "no");
        sigset_t w = block((const int[]){ SIGUSR1, 0 });
        catch(SIGUSR1);
        printf("ready\n");
        next_signal(&w, &seen);
        printf("alive after SIGINT\n");
        forever();
    }
    if (!strcmp(mode, "forward")) {
        static const int sigs[] = { SIGWINCH, SIGHUP, SIGUSR2, SIGUSR1, 0 };
        sigset_t w = block(sigs);
        for (int i = 0; sigs[i]; i++)
            catch(sigs[i]);
        printf("ready\n");
        while (next_signal(&w, &seen) != SIGUSR1)
            ;
        return 0;
    }
    printf("usage: sig_host term|int|stop|bgint|forward\n");
    return 2;
}
