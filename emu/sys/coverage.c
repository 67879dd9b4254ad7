/*
 * `lxemu --syscalls`: how much of Linux's system-call table lxemu implements,
 * one line per call and a summary, from the status column of abi/syscalls.tbl.
 */
#include <stdio.h>
#include "../trace/syscall_desc.h"

void syscall_print_coverage(FILE *out);

static const char *const status_text[] = {
	[SYSCALL_NONE] = "ENOSYS",
	[SYSCALL_PARTIAL] = "partial",
	[SYSCALL_FULL] = "implemented",
};

void syscall_print_coverage(FILE *out)
{
	unsigned count[3] = { 0 }, total = 0;

	for (unsigned nr = 0; nr < syscall_table_size; nr++) {
		const struct syscall_desc *d = &syscall_table[nr];

		if (!d->name)
			continue;
		fprintf(out, "%3u  %-24s %s\n", nr, d->name, status_text[d->status]);
		count[d->status]++;
		total++;
	}
	fprintf(out, "%u system calls: %u implemented, %u partial, %u ENOSYS\n", total,
		count[SYSCALL_FULL], count[SYSCALL_PARTIAL], count[SYSCALL_NONE]);
}
