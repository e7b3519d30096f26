/* interp.c: the collector's state and whose code is whose, from a dump's properties. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/interp.h"

const char *code_owner_name(code_owner owner)
{
    static const char *const names[] = {"unknown", "program", "stdlib", "package"};
    return owner <= OWNER_PACKAGE ? names[owner] : "unknown";
}

/* Every text of the process's property `key`, in file order, into a new array. */
static int texts_of(const heap *h, const char *key, const char ***out, size_t *count)
{
    size_t n = 0;
    for (const heap_property *p = heap_property_next(h, NULL, HEAP_NONE, key); p;
         p = heap_property_next(h, p, HEAP_NONE, key))
        n += p->kind == HEAPAN_VALUE_TEXT;
    *count = 0;
    if (!(*out = malloc((n ? n : 1) * sizeof **out)))
        return -1;
    for (const heap_property *p = heap_property_next(h, NULL, HEAP_NONE, key); p;
         p = heap_property_next(h, p, HEAP_NONE, key))
        if (p->kind == HEAPAN_VALUE_TEXT && p->len)
            (*out)[(*count)++] = heap_property_text(h, p);
    return 0;
}

static void read_collector(collector_state *gc, const heap *h)
{
    int64_t value;
    memset(gc, 0, sizeof *gc);
    gc->freeze_count = gc->garbage = -1;
    if (heap_property_number(h, HEAP_NONE, "gc.enabled", 0, &value) < 0)
        return;
    gc->known = 1;
    gc->enabled = value != 0;
    while (gc->thresholds < 3 &&
           heap_property_number(h, HEAP_NONE, "gc.threshold", gc->thresholds, &value) == 0)
        gc->threshold[gc->thresholds++] = value;
    while (gc->counts < 3 && heap_property_number(h, HEAP_NONE, "gc.count", gc->counts, &value) == 0)
        gc->count[gc->counts++] = value;
    if (heap_property_number(h, HEAP_NONE, "gc.freeze_count", 0, &value) == 0)
        gc->freeze_count = value;
    if (heap_property_number(h, HEAP_NONE, "gc.garbage", 0, &value) == 0)
        gc->garbage = value;
}

int interp_build(interp *in, const heap *h)
{
    memset(in, 0, sizeof *in);
    in->h = h;
    read_collector(&in->gc, h);
    in->string_count = heap_string_count(h) + 1;
    if (!(in->module_owner = calloc(in->string_count, 1)))
        return -1;
    const char **builtins = NULL;
    size_t builtin_count = 0;
    if (texts_of(h, "stdlib.dir", &in->stdlib_dirs, &in->stdlib_dir_count) < 0 ||
        texts_of(h, "site.packages", &in->package_dirs, &in->package_dir_count) < 0 ||
        texts_of(h, "stdlib.module", &in->stdlib_names, &in->stdlib_name_count) < 0 ||
        texts_of(h, "builtin.module", &builtins, &builtin_count) < 0) {
        free(builtins);
        return -1;
    }
    /* Built-in modules are the standard library's too (and all 3.8 and 3.9 name). */
    const char **names = realloc(in->stdlib_names, (in->stdlib_name_count + builtin_count + 1) *
                                                       sizeof *names);
    if (!names) {
        free(builtins);
        return -1;
    }
    in->stdlib_names = names;
    for (size_t k = 0; k < builtin_count; k++)
        names[in->stdlib_name_count++] = builtins[k];
    free(builtins);
    /* The user's site-packages is a package directory like the others. */
    const heap_property *user = heap_property_next(h, NULL, HEAP_NONE, "site.user_packages");
    if (user && user->len) {
        const char **dirs = realloc(in->package_dirs, (in->package_dir_count + 1) * sizeof *dirs);
        if (!dirs)
            return -1;
        in->package_dirs = dirs;
        dirs[in->package_dir_count++] = heap_property_text(h, user);
    }
    in->paths_known = in->stdlib_dir_count > 0;
    return 0;
}

void interp_release(interp *in)
{
    free(in->stdlib_dirs), free(in->package_dirs), free(in->stdlib_names);
    free(in->module_owner);
    memset(in, 0, sizeof *in);
}

/* Is `file` inside directory `dir`?  *rest then points after the separator. */
static int under(const char *file, const char *dir, const char **rest)
{
    size_t n = strlen(dir);
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (!n || strncmp(file, dir, n) != 0 || file[n] != '/')
        return 0;
    *rest = file + n + 1;
    return 1;
}

const char *interp_short_file(const interp *in, const char *file)
{
    const char *rest = NULL;
    /* Packages first: site-packages lies inside the standard library's directory. */
    for (size_t k = 0; k < in->package_dir_count; k++)
        if (under(file, in->package_dirs[k], &rest))
            return rest;
    for (size_t k = 0; k < in->stdlib_dir_count; k++)
        if (under(file, in->stdlib_dirs[k], &rest))
            return rest;
    return NULL;
}

/* The top-level name of what sits at `rest` in a package directory: "six.py" is "six". */
static void package_name(const char *rest, char *package, size_t size)
{
    size_t n = strcspn(rest, "/.");
    snprintf(package, size, "%.*s", (int)n, rest);
}

code_owner interp_file_owner(const interp *in, const char *file, char *package, size_t size)
{
    if (package && size)
        *package = '\0';
    if (!in->paths_known || !file || !*file)
        return OWNER_UNKNOWN;
    if (strncmp(file, "<frozen ", 8) == 0)
        return OWNER_STDLIB;
    const char *rest;
    /* First: site-packages lies inside the standard library's directory. */
    for (size_t k = 0; k < in->package_dir_count; k++)
        if (under(file, in->package_dirs[k], &rest)) {
            if (package)
                package_name(rest, package, size);
            return OWNER_PACKAGE;
        }
    for (size_t k = 0; k < in->stdlib_dir_count; k++) {
        if (!under(file, in->stdlib_dirs[k], &rest))
            continue;
        /* A package directory site does not list, as in a virtual environment's base. */
        int packages = strncmp(rest, "site-packages/", 14) == 0 ||
                       strncmp(rest, "dist-packages/", 14) == 0;
        if (packages && package)
            package_name(rest + 14, package, size);
        return packages ? OWNER_PACKAGE : OWNER_STDLIB;
    }
    return OWNER_PROGRAM;
}

int interp_frame_is_program(const interp *in, const char *file, int outermost)
{
    return interp_file_owner(in, file, NULL, 0) == OWNER_PROGRAM && (file[0] != '<' || outermost);
}

static int frame_is_program(const interp *in, const heap *h, uint32_t stack)
{
    uint32_t frame = h->stacks[stack].frame;
    const char *file = frame && frame < h->frame_count
                           ? heap_string(h, h->frames[frame].file, NULL) : NULL;
    return file && interp_frame_is_program(in, file, h->stacks[stack].parent == 0);
}

uint32_t interp_program_frame(const interp *in, const heap *h, uint32_t stack)
{
    /* Parents have smaller ids: the walk ends. */
    for (uint32_t s = stack; s && s < h->stack_count; ) {
        if (frame_is_program(in, h, s))
            return h->stacks[s].frame;
        uint32_t parent = h->stacks[s].parent;
        s = parent < s ? parent : 0;
    }
    return 0;
}

uint32_t *interp_program_frames(const interp *in, const heap *h)
{
    uint32_t *program = calloc(h->stack_count ? h->stack_count : 1, sizeof *program);
    if (!program)
        return NULL;
    /* A parent has a smaller id, so its answer is known first: one pass. */
    for (uint32_t s = 1; s < h->stack_count; s++) {
        uint32_t frame = h->stacks[s].frame, parent = h->stacks[s].parent;
        program[s] = frame_is_program(in, h, s) ? frame
                     : parent < s                   ? program[parent]
                                                    : 0;
    }
    return program;
}

/* The module object sys.modules holds under `name`, or HEAP_NONE. */
static uint32_t module_named(const heap *h, const char *name)
{
    for (size_t k = 0; k < h->root_count; k++)
        if (h->roots[k].kind == HEAPAN_ROOT_MODULE &&
            strcmp(heap_string(h, h->roots[k].label, NULL), name) == 0)
            return h->roots[k].object;
    return HEAP_NONE;
}

static int is_stdlib_name(const interp *in, const char *name)
{
    size_t top = strcspn(name, ".");
    if (strcmp(name, "builtins") == 0)
        return 1;
    for (size_t k = 0; k < in->stdlib_name_count; k++)
        if (strlen(in->stdlib_names[k]) == top && strncmp(in->stdlib_names[k], name, top) == 0)
            return 1;
    return 0;
}

static code_owner owner_of_module(const interp *in, const char *name, char *package, size_t size)
{
    uint32_t module = module_named(in->h, name);
    const heap_property *file =
        module == HEAP_NONE ? NULL : heap_property_next(in->h, NULL, module, "module.file");
    if (file && file->len)
        return interp_file_owner(in, heap_property_text(in->h, file), package, size);
    if (package && size)
        *package = '\0';
    /* No file: a built-in or frozen module, or one no longer in sys.modules. */
    return is_stdlib_name(in, name) ? OWNER_STDLIB : OWNER_PROGRAM;
}

code_owner interp_module_owner(interp *in, uint32_t module, char *package, size_t size)
{
    if (package && size)
        *package = '\0';
    if (!in->paths_known || !module || module >= in->string_count)
        return OWNER_UNKNOWN;
    const char *name = heap_string(in->h, module, NULL);
    /* A package's name is wanted: the cache keeps only the owner. */
    if (in->module_owner[module] && !(package && in->module_owner[module] - 1 == OWNER_PACKAGE))
        return (code_owner)(in->module_owner[module] - 1);
    code_owner owner = owner_of_module(in, name, package, size);
    in->module_owner[module] = (uint8_t)(owner + 1);
    return owner;
}

code_owner interp_type_owner(interp *in, uint32_t type, char *package, size_t size)
{
    if (package && size)
        *package = '\0';
    if (!type || type >= in->h->type_count)
        return OWNER_UNKNOWN;
    return interp_module_owner(in, in->h->types[type].module, package, size);
}

int interp_collects_automatically(const interp *in)
{
    return !in->gc.known || (in->gc.enabled && (in->gc.thresholds == 0 || in->gc.threshold[0] > 0));
}
