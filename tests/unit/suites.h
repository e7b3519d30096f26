/* suites.h: one Check suite per module; check_main.c runs them all. */
#ifndef HEAPAN_SUITES_H
#define HEAPAN_SUITES_H

#include <check.h>

Suite *encoding_suite(void);   /* lib/encoding.h, lib/bytebuf.c */
Suite *intern_suite(void);     /* lib/intern.c */
Suite *writer_suite(void);     /* lib/writer.c */
Suite *reader_suite(void);     /* lib/reader.c */
Suite *addrmap_suite(void);    /* src/addrmap.c */
Suite *dumpstats_suite(void);  /* src/dumpstats.c */
Suite *integrity_suite(void);  /* src/integrity.c */
Suite *textout_suite(void);    /* src/textout.c */
Suite *heap_suite(void);       /* src/heap.c */
Suite *dominators_suite(void); /* src/dominators.c */
Suite *histogram_suite(void);  /* src/histogram.c */
Suite *paths_suite(void);      /* src/paths.c */
Suite *leaks_suite(void);      /* src/leaks.c, src/suggest.c */
Suite *trace_suite(void);      /* src/trace.c */
Suite *trace_link_suite(void); /* src/trace_advice.c, src/trace_link.c */
Suite *nearest_suite(void);    /* src/nearest.c */

#endif
