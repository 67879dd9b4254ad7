/*
 * /proc/cpuinfo as the guest's CPUs: --cpus N blocks, numbered 0..N-1, each
 * the host's description of a CPU (the host's blocks in turn when N is more
 * than the host has), with the topology fields (core and APIC ids, sibling
 * and core counts) of one package of N cores.  What sched_getaffinity and
 * sysconf(_SC_NPROCESSORS_*) report agrees with it.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "procfs.h"
#include "../kernel/task.h"
#include "../../abi/linux/errno.h"

#define CPUINFO_MAX (4u << 20)

/* The host's /proc/cpuinfo in a new NUL-terminated buffer, or NULL. */
static char *host_cpuinfo(void)
{
	FILE *in = fopen("/proc/cpuinfo", "re");
	size_t size = 1 << 16, len = 0, n;
	char *buf = malloc(size), *p;

	if (!in || !buf) {
		if (in)
			fclose(in);
		free(buf);
		return NULL;
	}
	while ((n = fread(buf + len, 1, size - len - 1, in)) > 0) {
		len += n;
		if (len + 1 == size) {
			if (size >= CPUINFO_MAX || !(p = realloc(buf, size * 2)))
				break;
			buf = p;
			size *= 2;
		}
	}
	fclose(in);
	buf[len] = '\0';
	return buf;
}

/* Whether a "name\t: value" line of len bytes is field name's. */
static bool field_is(const char *line, size_t len, const char *name)
{
	size_t n = strlen(name);

	if (len < n || memcmp(line, name, n))
		return false;
	for (line += n, len -= n; len && (*line == '\t' || *line == ' '); line++, len--)
		;
	return len && *line == ':';
}

/* Writes one block (lines up to a blank one) as CPU cpu of ncpus. */
static void put_block(struct seq_buf *s, const char *block, int cpu, int ncpus)
{
	const char *line = block, *end;

	for (; *line && *line != '\n'; line = *end ? end + 1 : end) {
		end = strchr(line, '\n');
		if (!end)
			end = line + strlen(line);
		size_t len = (size_t)(end - line);
		const char *colon = memchr(line, ':', len);
		int keep = colon ? (int)(colon - line) : 0; /* "name\t" up to the colon */
		if (field_is(line, len, "processor") || field_is(line, len, "core id") ||
		    field_is(line, len, "apicid") || field_is(line, len, "initial apicid"))
			seq_printf(s, "%.*s: %d\n", keep, line, cpu);
		else if (field_is(line, len, "siblings") || field_is(line, len, "cpu cores"))
			seq_printf(s, "%.*s: %d\n", keep, line, ncpus);
		else if (field_is(line, len, "physical id"))
			seq_printf(s, "%.*s: 0\n", keep, line);
		else
			seq_printf(s, "%.*s\n", (int)len, line);
	}
	seq_putc(s, '\n');
}

long proc_cpuinfo_show(char **textp, size_t *lenp)
{
	char *host = host_cpuinfo(), **blocks = NULL;
	int nblocks = 0, ncpus = kconfig.cpus;
	struct seq_buf s = { 0 };

	if (!host)
		return -LINUX_ENOENT;
	/* The host's blocks, each starting at a "processor" line. */
	for (char *p = host; *p; ) {
		char *next = strstr(p, "\n\n");
		if (field_is(p, strcspn(p, "\n"), "processor")) {
			char **nb = realloc(blocks, (nblocks + 1) * sizeof(*blocks));
			if (!nb)
				break;
			blocks = nb;
			blocks[nblocks++] = p;
		}
		if (!next)
			break;
		p = next + 2;
	}
	for (int pass = 0; pass < 2 && nblocks; pass++) {
		/* The first pass measures, the second writes into a buffer that size. */
		for (int cpu = 0; cpu < ncpus; cpu++)
			put_block(&s, blocks[cpu % nblocks], cpu, ncpus);
		if (pass == 0) {
			s.size = s.len + 1;
			s.len = 0;
			if (!(s.buf = malloc(s.size)))
				break;
		}
	}
	free(blocks);
	free(host);
	if (!s.buf)
		return nblocks ? -LINUX_ENOMEM : -LINUX_ENOENT;
	*textp = s.buf;
	*lenp = s.len;
	return 0;
}
