/*
 * Run from an interactive job-control shell on a terminal: reports whether
 * this process is the terminal's foreground (tcgetpgrp(0) == getpgrp())
 * and leads its own process group, as a shell puts a job.  With an argument
 * it first sleeps that many tenths of a second (a job to stop with Ctrl-Z).
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc > 1) {
		struct timespec ts = { 0, 100 * 1000 * 1000 };
		for (int i = 0; i < atoi(argv[1]); i++)
			nanosleep(&ts, NULL);
	}
	printf("%s, %s\n", tcgetpgrp(0) == getpgrp() ? "foreground" : "background",
	       getpgrp() == getpid() ? "own group" : "shell's group");
	return 0;
}
