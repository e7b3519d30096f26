/* cmd_check.c: `heapan check DUMP`: full integrity check, exit 1 if broken. */
#include <getopt.h>
#include <inttypes.h>

#include "cmd/cliopt.h"
#include "cmd/command.h"
#include "cmd/dumpopen.h"
#include "model/integrity.h"
#include "msg.h"
#include "input/snapshot.h"
#include "input/snapsource.h"
#include "textout.h"

static void print_problem(const char *path, const integrity_report *rep, problem_kind kind)
{
    const problem_tally *t = &rep->problems[kind];
    print_cstr(stdout, path);
    printf(": %s: %" PRIu64 " (first: ", problem_name(kind), t->count);
    if (kind == PROBLEM_DUPLICATE_ADDRESS || kind == PROBLEM_DANGLING_ROOT)
        printf("0x%" PRIx64 ")\n", kind == PROBLEM_DANGLING_ROOT ? t->first_to : t->first_from);
    else
        printf("0x%" PRIx64 " -> 0x%" PRIx64 ")\n", t->first_from, t->first_to);
}

static void print_report(const char *path, const integrity_report *rep)
{
    if (rep->read_status != HEAPAN_END) {
        print_cstr(stdout, path);
        printf(": %s\n", rep->read_message);
    }
    for (int k = 0; k < PROBLEM_KIND_COUNT; k++)
        if (rep->problems[k].count)
            print_problem(path, rep, (problem_kind)k);
    print_cstr(stdout, path);
    if (integrity_broken(rep)) {
        printf(": broken\n");
        return;
    }
    printf(": ok: objects %" PRIu64 ", references %" PRIu64 ", roots %" PRIu64,
           rep->counts.objects, rep->counts.refs, rep->counts.roots);
    if (rep->counts.allocs || rep->counts.frees)
        printf(", allocations %" PRIu64 ", frees %" PRIu64, rep->counts.allocs,
               rep->counts.frees);
    if (rep->skipped)
        printf(" (skipped records of unknown kinds: %" PRIu64 ")", rep->skipped);
    printf("\n");
}

/* A V8 snapshot is whole when the reader takes it: every edge to a node, every name a string. */
static int check_snapshot(const char *path, int quiet)
{
    heap h;
    char why[300];
    int rc = snapshot_load(&h, path, 1, NULL, NULL, why, sizeof why);
    if (rc == SNAPSHOT_UNREADABLE || rc == SNAPSHOT_NO_MEMORY)
        errorf("%s: %s", path, why);
    else if (!quiet && rc == SNAPSHOT_MALFORMED)
        print_cstr(stdout, path), printf(": %s\n", why), print_cstr(stdout, path), printf(": broken\n");
    else if (!quiet)
        print_cstr(stdout, path), printf(": ok: V8 heap snapshot, nodes %" PRIu32 ", edges %" PRIu64 "\n",
                                         h.count, h.edge_count);
    heap_release(&h);
    return rc == SNAPSHOT_OK ? EXIT_OK : rc == SNAPSHOT_MALFORMED ? EXIT_FOUND : EXIT_TROUBLE;
}

int cmd_check(int argc, char **argv)
{
    static const struct option options[] = {{"quiet", no_argument, NULL, 'q'},
                                            {NULL, 0, NULL, 0}};
    int quiet = 0, c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":q", options, NULL)) != -1) {
        if (c == 'q')
            quiet = 1;
        else
            bad_option("check", c, argv);
    }
    const char *path = single_operand("check", "DUMP", argc, argv, optind);
    if (input_kind_of(path) == INPUT_SNAPSHOT)
        return check_snapshot(path, quiet);
    heapan_reader *r = dump_open(path);
    if (!r)
        return EXIT_TROUBLE;
    integrity_report rep;
    int failed = integrity_check(r, &rep) < 0;
    heapan_reader_close(r);
    if (failed) {
        dump_out_of_memory(path);
        return EXIT_TROUBLE;
    }
    if (!quiet)
        print_report(path, &rep);
    return integrity_broken(&rep) ? EXIT_FOUND : EXIT_OK;
}

const command cmd_check_entry = {
    "check", cmd_check, "[--quiet] DUMP",
    "verify a dump's integrity; exit 1 if it is broken",
    "  -q, --quiet    print nothing; only the exit status tells\n"};
