/* check_main.c: the one runner of every unit-test suite. */
#include <stdlib.h>

#include "suites.h"

int main(void)
{
    Suite *(*const suites[])(void) = {encoding_suite, intern_suite,    writer_suite,
                                      reader_suite,   addrmap_suite,   dumpstats_suite,
                                      integrity_suite, textout_suite, heap_suite,
                                      dominators_suite, histogram_suite, paths_suite, leaks_suite,
                                      trace_suite, trace_link_suite};
    SRunner *runner = srunner_create(NULL);
    for (size_t i = 0; i < sizeof suites / sizeof *suites; i++)
        srunner_add_suite(runner, suites[i]());
    srunner_run_all(runner, CK_NORMAL);
    int failed = srunner_ntests_failed(runner);
    srunner_free(runner);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
