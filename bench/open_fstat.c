/*
 * Path lookup and file descriptors: COUNT times open(PATH, O_RDONLY), fstat
 * the new fd, close it. PATH is one existing file (the driver passes a file
 * in its work directory). This measures resolving a path to a host file,
 * allocating and freeing an fd and its open file description, and a stat.
 *
 * The output is the count and the file's size (no inode or times, which
 * differ between runs and runners).
 *
 * usage: open_fstat PATH [COUNT]   (default COUNT 100000)
 */
#define _POSIX_C_SOURCE 200809L
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: open_fstat PATH [COUNT]\n");
		return 2;
	}
	const char *path = argv[1];
	long count = argc > 2 ? atol(argv[2]) : 100000;
	long long size = -1;
	long regular = 0;

	for (long i = 0; i < count; i++) {
		struct stat sb;
		int fd = open(path, O_RDONLY);

		if (fd < 0) {
			perror(path);
			return 1;
		}
		if (fstat(fd, &sb)) {
			perror("fstat");
			return 1;
		}
		if (S_ISREG(sb.st_mode))
			regular++;
		size = (long long)sb.st_size;
		if (close(fd)) {
			perror("close");
			return 1;
		}
	}
	printf("open_fstat: %ld x open+fstat+close, %ld regular, size %lld\n",
	       count, regular, size);
	return regular == count ? 0 : 1;
}
