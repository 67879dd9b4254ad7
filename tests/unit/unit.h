/*
 * The shared main of the CUnit programs: one suite from a table of named
 * tests, verbose output, and an exit status that fails on any failed assert.
 */
#ifndef LXEMU_TEST_UNIT_H
#define LXEMU_TEST_UNIT_H

#include <stddef.h>
#include <CUnit/Basic.h>

struct unit_test {
	const char *name;
	void (*fn)(void);
};

/* Runs tests[0..n) as one suite. Returns 0 when everything passed, else 1. */
static inline int run_unit_tests(const char *suite_name, CU_InitializeFunc init,
				 CU_CleanupFunc clean, const struct unit_test *tests, size_t n)
{
	CU_pSuite suite;
	unsigned failed;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	suite = CU_add_suite(suite_name, init, clean);
	for (size_t i = 0; i < n; i++)
		CU_add_test(suite, tests[i].name, tests[i].fn);
	CU_basic_set_mode(CU_BRM_VERBOSE);
	CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_tests_failed() +
		 CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return failed ? 1 : 0;
}

#define RUN_UNIT_TESTS(name, init, clean, tests) \
	run_unit_tests(name, init, clean, tests, sizeof(tests) / sizeof((tests)[0]))

#endif
