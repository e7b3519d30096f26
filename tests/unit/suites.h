/* suites.h: one Check suite per module; check_main.c runs them all. */
#ifndef HEAPAN_SUITES_H
#define HEAPAN_SUITES_H

#include <check.h>

Suite *encoding_suite(void);   /* lib/encoding.h, lib/bytebuf.c */
Suite *intern_suite(void);     /* lib/intern.c */
Suite *writer_suite(void);     /* lib/writer.c */
Suite *reader_suite(void);     /* lib/reader.c */
Suite *addrmap_suite(void);    /* lib/addrmap.c */
Suite *dumpstats_suite(void);  /* src/model/dumpstats.c */
Suite *integrity_suite(void);  /* src/model/integrity.c */
Suite *textout_suite(void);    /* src/textout.c */
Suite *heap_suite(void);       /* src/model/heap.c */
Suite *dominators_suite(void); /* src/model/dominators.c */
Suite *histogram_suite(void);  /* src/model/histogram.c */
Suite *paths_suite(void);      /* src/model/paths.c */
Suite *leaks_suite(void);      /* src/report/leaks.c, src/report/suggest.c */
Suite *trace_suite(void);      /* src/trace/trace.c */
Suite *trace_link_suite(void); /* src/trace/advice.c, src/trace/link.c */
Suite *nearest_suite(void);    /* src/report/nearest.c */
Suite *doc_suite(void);        /* src/render/doc.c, src/render/markup_*.c */
Suite *identity_suite(void);   /* src/model/identity.c */
Suite *accounting_suite(void); /* src/model/accounting.c */
Suite *json_suite(void);       /* src/input/json.c, src/input/jsonpipe.c */

#endif
