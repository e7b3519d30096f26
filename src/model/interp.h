/*
 * interp.h: what a Python dump records about its interpreter (its
 * PROPERTY records): the collector's state before the dump, and where the
 * standard library and the installed packages live, so that each module,
 * file and type can be told the program's own code, the standard
 * library's, or an installed package's.  Never prints.
 */
#ifndef HEAPAN_INTERP_H
#define HEAPAN_INTERP_H

#include <stddef.h>
#include <stdint.h>

#include "model/heap.h"

typedef enum code_owner {
    OWNER_UNKNOWN,  /* the dump does not say (an older dump, a V8 snapshot) */
    OWNER_PROGRAM,  /* the program's own code */
    OWNER_STDLIB,   /* the standard library, built-in and frozen modules included */
    OWNER_PACKAGE   /* an installed package: under site-packages or dist-packages */
} code_owner;

/* "program", "stdlib", "package", "unknown", as in the JSON report. */
const char *code_owner_name(code_owner owner);

typedef struct collector_state {
    int known;                  /* the dump recorded it */
    int enabled;                /* gc.isenabled() */
    int64_t threshold[3], count[3];
    size_t thresholds, counts;  /* how many of each were recorded */
    int64_t freeze_count;       /* gc.get_freeze_count(), -1 if unknown */
    int64_t garbage;            /* len(gc.garbage), -1 if unknown */
} collector_state;

typedef struct interp {
    const heap *h;
    collector_state gc;
    int paths_known;            /* the dump recorded where the library lives */
    const char **stdlib_dirs, **package_dirs, **stdlib_names;
    size_t stdlib_dir_count, package_dir_count, stdlib_name_count;
    uint8_t *module_owner;      /* by string id of a module name: code_owner + 1, 0 unset */
    uint32_t string_count;
} interp;

/* Reads the facts of `h`.  Returns 0, or -1 when out of memory. */
int interp_build(interp *in, const heap *h);
void interp_release(interp *in);

/*
 * Whose code the module named by string id `module` is.  For a package,
 * `package` (if not NULL) receives its top-level name.
 */
code_owner interp_module_owner(interp *in, uint32_t module, char *package, size_t size);

/*
 * Is a frame in `file` the program's own, a line its user can change?
 * Code generated at run time ("<string>", "<class ...> compilation 3")
 * belongs to whoever generated it, unless nothing called it (`outermost`:
 * python -c, an interactive session).
 */
int interp_frame_is_program(const interp *in, const char *file, int outermost);

/* Whose code the source file `file` is (a module's __file__, an allocation site's). */
code_owner interp_file_owner(const interp *in, const char *file, char *package, size_t size);

/*
 * For each allocation stack of `h`, the frame id of its first frame, from
 * the innermost out, in the program's own code; 0 where none is, or the
 * dump does not say where the library lives.  A new array of
 * h->stack_count entries, or NULL when out of memory.
 */
uint32_t *interp_program_frames(const interp *in, const heap *h);

/* The same for one stack id. */
uint32_t interp_program_frame(const interp *in, const heap *h, uint32_t stack);

/*
 * The part of `file` under the directory that owns it, a package
 * directory's or the standard library's ("networkx/classes/graph.py"),
 * or NULL when neither holds it.
 */
const char *interp_short_file(const interp *in, const char *file);

/* Whose code type id `type` is: its module's. */
code_owner interp_type_owner(interp *in, uint32_t type, char *package, size_t size);

/* Does a collection run automatically: gc enabled and a non-zero first threshold? */
int interp_collects_automatically(const interp *in);

#endif
