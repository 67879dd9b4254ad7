/*
 * The system-call table generated from abi/syscalls.tbl: known numbers and
 * argument lists, consistent statuses and handlers, the coverage report, and
 * the generator's refusal of malformed tables (it is run on broken copies of
 * the real table; the source tree is found from this file's path, or from
 * $LXEMU_SOURCE_DIR).
 */
#include "unit.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>
#include "emu/trace/syscall_desc.h"
#include "syscall_nr.h"

void syscall_print_coverage(FILE *out);

static const struct syscall_desc *by_name(const char *name)
{
	for (unsigned nr = 0; nr < syscall_table_size; nr++)
		if (syscall_table[nr].name && !strcmp(syscall_table[nr].name, name))
			return &syscall_table[nr];
	return NULL;
}

static void test_known_numbers(void)
{
	CU_ASSERT_EQUAL(LINUX_NR_read, 0);
	CU_ASSERT_EQUAL(LINUX_NR_exit_group, 231);
	CU_ASSERT_EQUAL(LINUX_NR_openat, 257);
	CU_ASSERT_EQUAL(LINUX_NR_statx, 332);
	CU_ASSERT_EQUAL(LINUX_NR_rseq, 334);
	CU_ASSERT_EQUAL(LINUX_NR_clone3, 435);
	CU_ASSERT_EQUAL(LINUX_NR_SYSCALLS, syscall_table_size);
	CU_ASSERT_PTR_EQUAL(by_name("read"), &syscall_table[0]);
	CU_ASSERT_PTR_EQUAL(by_name("exit_group"), &syscall_table[231]);
	CU_ASSERT_PTR_EQUAL(by_name("clone3"), &syscall_table[435]);
}

static void test_known_argument_lists(void)
{
	const struct syscall_desc *d = &syscall_table[LINUX_NR_read];

	CU_ASSERT_EQUAL(d->nargs, 3);
	CU_ASSERT_EQUAL(d->arg_kind[0], ARG_fd);
	CU_ASSERT_EQUAL(d->arg_kind[1], ARG_buf_out);
	CU_ASSERT_STRING_EQUAL(d->arg_name[1], "ubuf");
	CU_ASSERT_EQUAL(d->arg_kind[2], ARG_size);
	CU_ASSERT_EQUAL(syscall_table[LINUX_NR_exit_group].nargs, 1);
	CU_ASSERT_EQUAL(syscall_table[LINUX_NR_exit_group].ret_kind, RET_noreturn);
	CU_ASSERT_EQUAL(syscall_table[LINUX_NR_openat].nargs, 4);
	CU_ASSERT_EQUAL(syscall_table[LINUX_NR_openat].arg_kind[0], ARG_dirfd);
	CU_ASSERT_EQUAL(syscall_table[LINUX_NR_statx].nargs, 5);
	CU_ASSERT_EQUAL(syscall_table[LINUX_NR_statx].arg_kind[4], ARG_statx_out);
	CU_ASSERT_EQUAL(syscall_table[LINUX_NR_clone3].nargs, 2);
	CU_ASSERT_EQUAL(syscall_table[LINUX_NR_mmap].nargs, 6);
	CU_ASSERT_EQUAL(syscall_table[LINUX_NR_mmap].ret_kind, RET_hex);
	CU_ASSERT_EQUAL(syscall_table[LINUX_NR_rt_sigreturn].nargs, 0);
}

/* Linux numbers 0..334 and 424 onwards; nothing in between. */
static void test_numbering_has_only_linux_holes(void)
{
	for (unsigned nr = 0; nr < syscall_table_size; nr++) {
		bool hole = nr > 334 && nr < 424;

		CU_ASSERT_EQUAL(syscall_table[nr].name == NULL, hole);
	}
	CU_ASSERT_PTR_NOT_NULL(syscall_table[syscall_table_size - 1].name);
}

static void test_names_unique_and_rows_well_formed(void)
{
	for (unsigned nr = 0; nr < syscall_table_size; nr++) {
		const struct syscall_desc *d = &syscall_table[nr];

		if (!d->name)
			continue;
		CU_ASSERT_PTR_EQUAL(by_name(d->name), d);
		CU_ASSERT(d->nargs <= 6);
		CU_ASSERT(d->status <= SYSCALL_FULL);
		CU_ASSERT(d->ret_kind < RET_NR_KINDS);
		for (unsigned i = 0; i < d->nargs; i++) {
			CU_ASSERT(d->arg_kind[i] < ARG_NR_KINDS);
			CU_ASSERT_PTR_NOT_NULL(d->arg_name[i]);
		}
	}
}

/* A handler exactly where the status promises one; the counts add up. */
static void test_status_matches_handlers(void)
{
	unsigned count[3] = { 0 }, named = 0;

	for (unsigned nr = 0; nr < syscall_table_size; nr++) {
		const struct syscall_desc *d = &syscall_table[nr];

		if (!d->name)
			continue;
		named++;
		count[d->status]++;
		CU_ASSERT_EQUAL(d->fn != NULL, d->status != SYSCALL_NONE);
	}
	CU_ASSERT_EQUAL(count[0] + count[1] + count[2], named);
	CU_ASSERT(count[SYSCALL_FULL] + count[SYSCALL_PARTIAL] >= 70);
	CU_ASSERT_NOT_EQUAL(syscall_table[LINUX_NR_read].status, SYSCALL_NONE);
	CU_ASSERT_NOT_EQUAL(syscall_table[LINUX_NR_exit_group].status, SYSCALL_NONE);
	CU_ASSERT_EQUAL(syscall_table[LINUX_NR_clone3].status == SYSCALL_NONE,
			syscall_table[LINUX_NR_clone3].fn == NULL);
}

static void test_coverage_report_lines_and_summary(void)
{
	char *text = NULL, last[256] = "";
	size_t size = 0;
	FILE *f = open_memstream(&text, &size);
	unsigned full = 0, partial = 0, none = 0, total = 0;

	syscall_print_coverage(f);
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  0  read "));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "435  clone3 "));
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n"))
		snprintf(last, sizeof(last), "%s", line);
	CU_ASSERT_EQUAL(sscanf(last, "%u system calls: %u implemented, %u partial, %u ENOSYS",
			       &total, &full, &partial, &none), 4);
	CU_ASSERT_EQUAL(total, full + partial + none);
	CU_ASSERT_EQUAL(total, 334 + 1 + syscall_table_size - 424);
	free(text);
}

/* The generator, run on broken copies of the real table. */
static char src_dir[1024], tmp_dir[64];

/* The tree this file is in: __FILE__ less "tests/unit/...", or "." if relative. */
static void find_source_dir(void)
{
	const char *env = getenv("LXEMU_SOURCE_DIR");
	char *tests;

	snprintf(src_dir, sizeof(src_dir), "%s", env ? env : __FILE__);
	if (env)
		return;
	tests = strstr(src_dir, "tests/unit/");
	if (tests)
		*tests = '\0';
	if (!tests || src_dir[0] == '\0')
		snprintf(src_dir, sizeof(src_dir), ".");
}

/* Writes the real table plus extra (after dropping lines starting with drop). */
static void write_table(const char *path, const char *drop, const char *extra)
{
	char in_path[1200], line[512];
	FILE *in, *out;

	snprintf(in_path, sizeof(in_path), "%s/abi/syscalls.tbl", src_dir);
	in = fopen(in_path, "r");
	out = fopen(path, "w");
	CU_ASSERT_FATAL(in && out);
	while (fgets(line, sizeof(line), in))
		if (!drop || strncmp(line, drop, strlen(drop)))
			fputs(line, out);
	fputs(extra, out);
	fclose(in);
	fclose(out);
}

/* Runs the generator; returns its exit status and leaves its stderr in err. */
static int run_generator(const char *drop, const char *extra, char *err, size_t errsize)
{
	char tbl[128], errfile[128], cmd[2048];
	FILE *f;
	size_t n;
	int status;

	snprintf(tbl, sizeof(tbl), "%s/test.tbl", tmp_dir);
	snprintf(errfile, sizeof(errfile), "%s/stderr", tmp_dir);
	write_table(tbl, drop, extra);
	snprintf(cmd, sizeof(cmd), "python3 '%s/tools/gensyscalls.py' '%s' '%s/out' 2>'%s'",
		 src_dir, tbl, tmp_dir, errfile);
	status = system(cmd);
	f = fopen(errfile, "r");
	n = f ? fread(err, 1, errsize - 1, f) : 0;
	err[n] = '\0';
	if (f)
		fclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void expect_refusal(const char *drop, const char *extra, const char *message)
{
	char err[2048];

	CU_ASSERT_EQUAL(run_generator(drop, extra, err, sizeof(err)), 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(err, message));
	if (!strstr(err, message))
		fprintf(stderr, "\nexpected \"%s\" in: %s\n", message, err);
}

static void test_generator_accepts_the_real_table(void)
{
	char err[2048], path[128];

	CU_ASSERT_EQUAL(run_generator(NULL, "", err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/out/syscall_table.c", tmp_dir);
	CU_ASSERT_EQUAL(access(path, R_OK), 0);
}

static void test_generator_refuses_malformed_tables(void)
{
	expect_refusal(NULL, "0 again none int fd:fd\n", "number 0 already used by read");
	expect_refusal(NULL, "999 read none int\n", "name read already used by number 0");
	expect_refusal(NULL, "999 foo none int bogus:x\n", "unknown argument kind 'bogus'");
	expect_refusal(NULL, "999 foo none int int:a int:b int:c int:d int:e int:f int:g\n",
		       "foo has 7 arguments, at most 6");
	expect_refusal(NULL, "999 foo maybe int\n", "status 'maybe' is not full, partial or none");
	expect_refusal(NULL, "999 foo none nope\n", "unknown return kind 'nope'");
	expect_refusal(NULL, "999 foo none int ptr:buf\n", "pointer argument 'buf' must be named u<name>");
	expect_refusal(NULL, "999 foo none int fd:a fd:a\n", "argument name 'a' used twice");
	expect_refusal(NULL, "x12 foo none int\n", "bad number 'x12'");
	expect_refusal(NULL, "999 foo none int fd\n", "argument 'fd' is not KIND:NAME");
	expect_refusal(NULL, "kind int int num again\n", "kind 'int' declared twice");
	expect_refusal(NULL, "kind extra int num not in the header\n", "argument kinds differ from");
	expect_refusal("kind sigframe", "", "argument kinds differ from");
	expect_refusal(NULL, "ret extra not in the header\n", "return kinds");
}

int main(void)
{
	static const struct unit_test tests[] = {
		{ "known_numbers", test_known_numbers },
		{ "known_argument_lists", test_known_argument_lists },
		{ "numbering_has_only_linux_holes", test_numbering_has_only_linux_holes },
		{ "names_unique_and_rows_well_formed", test_names_unique_and_rows_well_formed },
		{ "status_matches_handlers", test_status_matches_handlers },
		{ "coverage_report_lines_and_summary", test_coverage_report_lines_and_summary },
		{ "generator_accepts_the_real_table", test_generator_accepts_the_real_table },
		{ "generator_refuses_malformed_tables", test_generator_refuses_malformed_tables },
	};
	char cmd[128];
	int failed;

	find_source_dir();
	snprintf(tmp_dir, sizeof(tmp_dir), "/tmp/test_syscall_table.XXXXXX");
	if (!mkdtemp(tmp_dir))
		return 2;
	failed = RUN_UNIT_TESTS("syscall_table", NULL, NULL, tests);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp_dir);
	if (system(cmd) != 0)
		failed = 1;
	return failed;
}
