/* integrity.c: cross-record checks of a dump. */
#include <stdlib.h>
#include <string.h>

#include "addrmap.h"
#include "grow.h"
#include "model/integrity.h"

/* References and roots wait here until every object address is known. */
typedef struct edge_list {
    uint64_t (*pairs)[2];
    size_t len, cap;
} edge_list;

static int edge_push(edge_list *l, uint64_t from, uint64_t to)
{
    if (grow(&l->pairs, sizeof *l->pairs, &l->cap, l->len + 1) < 0)
        return -1;
    l->pairs[l->len][0] = from;
    l->pairs[l->len][1] = to;
    l->len++;
    return 0;
}

static void tally(integrity_report *rep, problem_kind kind, uint64_t from, uint64_t to)
{
    problem_tally *t = &rep->problems[kind];
    if (t->count++ == 0) {
        t->first_from = from;
        t->first_to = to;
    }
}

static int read_all(heapan_reader *r, integrity_report *rep, addrmap *objects,
                    edge_list *refs, edge_list *roots)
{
    heapan_record rec;
    heapan_status st;
    uint32_t index = 0;
    while ((st = heapan_reader_next(r, &rec)) == HEAPAN_OK) {
        int failed = 0;
        if (rec.kind == HEAPAN_REC_OBJECT) {
            int added = addrmap_insert(objects, rec.u.object.address, index++, NULL);
            failed = added < 0;
            if (added == 1)
                tally(rep, PROBLEM_DUPLICATE_ADDRESS, rec.u.object.address, 0);
        } else if (rec.kind == HEAPAN_REC_REF) {
            failed = edge_push(refs, rec.u.ref.from, rec.u.ref.to) < 0;
        } else if (rec.kind == HEAPAN_REC_ROOT) {
            failed = edge_push(roots, 0, rec.u.root.object) < 0;
        }
        if (failed)
            return -1;
    }
    if (st == HEAPAN_ERR_NOMEM)
        return -1;
    rep->read_status = st;
    if (st != HEAPAN_END)
        strncpy(rep->read_message, heapan_reader_error(r), sizeof rep->read_message - 1);
    return 0;
}

int integrity_check(heapan_reader *r, integrity_report *rep)
{
    memset(rep, 0, sizeof *rep);
    addrmap objects;
    edge_list refs = {0}, roots = {0};
    int result = addrmap_init(&objects, 1024);
    if (result == 0)
        result = read_all(r, rep, &objects, &refs, &roots);
    for (size_t i = 0; result == 0 && i < refs.len; i++) {
        uint64_t from = refs.pairs[i][0], to = refs.pairs[i][1];
        if (addrmap_find(&objects, from) == ADDRMAP_ABSENT)
            tally(rep, PROBLEM_UNKNOWN_SOURCE, from, to);
        if (addrmap_find(&objects, to) == ADDRMAP_ABSENT)
            tally(rep, PROBLEM_DANGLING_REF, from, to);
    }
    for (size_t i = 0; result == 0 && i < roots.len; i++)
        if (addrmap_find(&objects, roots.pairs[i][1]) == ADDRMAP_ABSENT)
            tally(rep, PROBLEM_DANGLING_ROOT, 0, roots.pairs[i][1]);
    rep->counts = *heapan_reader_counts(r);
    rep->skipped = heapan_reader_skipped(r);
    addrmap_release(&objects);
    free(refs.pairs);
    free(roots.pairs);
    return result;
}

int integrity_broken(const integrity_report *rep)
{
    if (rep->read_status != HEAPAN_END)
        return 1;
    for (int k = 0; k < PROBLEM_KIND_COUNT; k++)
        if (rep->problems[k].count)
            return 1;
    return 0;
}

const char *problem_name(problem_kind kind)
{
    switch (kind) {
    case PROBLEM_DUPLICATE_ADDRESS: return "objects sharing an address";
    case PROBLEM_UNKNOWN_SOURCE: return "references from a missing object";
    case PROBLEM_DANGLING_REF: return "references to a missing object";
    case PROBLEM_DANGLING_ROOT: return "roots naming a missing object";
    default: return "problems";
    }
}
