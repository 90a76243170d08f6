/* Helpers shared by the Check unit tests. */
#ifndef SB_TESTS_TESTUTIL_H
#define SB_TESTS_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Path of a file under tests/data (SB_TESTDATA overrides the folder). */
static inline const char *sb_test_data(const char *rel)
{
	static char buf[4096];
	const char *dir = getenv("SB_TESTDATA");

	snprintf(buf, sizeof(buf), "%s/%s", dir ? dir : "tests/data", rel);
	return buf;
}

/* Run one suite and turn its result into the process exit status. */
static inline int sb_test_run(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

#endif
