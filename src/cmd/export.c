/* cmd_export.c: `heapan export DUMP`: the analysed graph for other tools. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/analysis.h"
#include "cmd/cliopt.h"
#include "cmd/command.h"
#include "cmd/dumpopen.h"
#include "model/histogram.h"
#include "render/jsonout.h"
#include "msg.h"
#include "output.h"

#define DOT_MAX_NODES 500  /* beyond this a drawing is unreadable */

typedef enum export_format { FORMAT_JSON, FORMAT_CSV, FORMAT_DOT } export_format;

typedef struct exporter {
    const analysis *a;
    char **type_names;  /* by type id, as group_name() gives them */
} exporter;

static const char *label_kind_name(unsigned kind)
{
    static const char *const names[] = {"none",  "attribute", "key",      "int_key", "index",
                                        "local", "field",     "dict_key", "element"};
    return kind < sizeof names / sizeof *names ? names[kind] : "none";
}

static const char *type_name(const exporter *x, uint32_t v)
{
    uint32_t t = x->a->heap.type[v];
    return t < x->a->heap.type_count ? x->type_names[t] : "(unknown type)";
}

static void write_json_nodes(const exporter *x, FILE *out)
{
    const heap *h = &x->a->heap;
    const dominators *d = &x->a->dom;
    fputs("\"nodes\": [", out);
    for (uint32_t v = 0; v < h->count; v++) {
        fprintf(out, "%s\n{\"index\": %" PRIu32 ", \"address\": \"0x%" PRIx64 "\", \"type\": ",
                v ? "," : "", v, h->address[v]);
        json_cstr(out, type_name(x, v));
        fprintf(out, ", \"shallow_size\": %" PRIu64 ", \"retained_size\": %" PRIu64
                     ", \"retained_count\": %" PRIu32 ", \"idom\": ",
                h->size[v], d->retained_size[v], d->retained_count[v]);
        if (d->idom[v] == HEAP_NONE)
            fputs("null", out);
        else
            fprintf(out, "%" PRIu32, d->idom[v]);
        fprintf(out, ", \"reachable\": %s}", h->flags[v] & HEAP_OBJ_UNREACHABLE ? "false" : "true");
    }
    fputs("\n],\n", out);
}

static void write_json_label(const heap *h, uint64_t e, FILE *out)
{
    unsigned kind = h->out_label_kind[e];
    size_t len;
    if (heap_label_is_string(kind)) {
        const char *s = heap_string(h, h->out_label[e], &len);
        json_string(out, s, len);
    } else if (heap_label_is_number(kind)) {
        fprintf(out, "%" PRId64, heap_label_number(h, e));
    } else {
        fputs("null", out);
    }
}

static void write_json_edges(const exporter *x, FILE *out)
{
    const heap *h = &x->a->heap;
    fputs("\"edges\": [", out);
    int first = 1;
    for (uint32_t v = 0; v < h->count; v++) {
        uint32_t end = h->out_start[v] + h->out_count[v];
        for (uint32_t e = h->out_start[v]; e < end; e++) {
            uint32_t t = h->out_target[e];
            fprintf(out, "%s\n{\"from\": %" PRIu32 ", \"to\": %" PRIu32 ", \"label_kind\": \"%s\", "
                         "\"label\": ",
                    first ? "" : ",", v, t & HEAP_INDEX_MASK,
                    label_kind_name(h->out_label_kind[e]));
            write_json_label(h, e, out);
            fprintf(out, ", \"weak\": %s}", t & HEAP_WEAK_BIT ? "true" : "false");
            first = 0;
        }
    }
    fputs("\n],\n", out);
}

static void write_json(const exporter *x, FILE *out)
{
    const heap *h = &x->a->heap;
    fputs("{\"schema\": \"heapan.export/1\",\n\"dump\": ", out);
    json_cstr(out, x->a->path);
    fputs(",\n\"warnings\": [", out);
    for (size_t k = 0; k < h->warning_count; k++) {
        fputs(k ? ", " : "", out);
        json_cstr(out, h->warnings[k]);
    }
    fputs("],\n", out);
    write_json_nodes(x, out);
    write_json_edges(x, out);
    fputs("\"roots\": [", out);
    for (size_t k = 0; k < h->root_count; k++) {
        const heap_root *r = &h->roots[k];
        fprintf(out, "%s\n{\"index\": %" PRIu32 ", \"kind\": \"%s\", \"label\": ", k ? "," : "",
                r->object, heapan_root_kind_name(r->kind));
        if (r->label) {
            size_t len;
            const char *s = heap_string(h, r->label, &len);
            json_string(out, s, len);
        } else {
            fputs("null", out);
        }
        fputc('}', out);
    }
    fputs("\n]}\n", out);
}

static void write_csv_nodes(const exporter *x, FILE *out)
{
    const heap *h = &x->a->heap;
    const dominators *d = &x->a->dom;
    fputs("index,address,type,shallow_size,retained_size,retained_count,idom,reachable\n", out);
    for (uint32_t v = 0; v < h->count; v++) {
        const char *type = type_name(x, v);
        fprintf(out, "%" PRIu32 ",0x%" PRIx64 ",", v, h->address[v]);
        csv_field(out, type, strlen(type));
        fprintf(out, ",%" PRIu64 ",%" PRIu64 ",%" PRIu32 ",", h->size[v], d->retained_size[v],
                d->retained_count[v]);
        if (d->idom[v] != HEAP_NONE)
            fprintf(out, "%" PRIu32, d->idom[v]);
        fprintf(out, ",%d\n", !(h->flags[v] & HEAP_OBJ_UNREACHABLE));
    }
}

static void write_csv_edges(const exporter *x, FILE *out)
{
    const heap *h = &x->a->heap;
    fputs("from,to,label_kind,label,weak\n", out);
    for (uint32_t v = 0; v < h->count; v++) {
        uint32_t end = h->out_start[v] + h->out_count[v];
        for (uint32_t e = h->out_start[v]; e < end; e++) {
            uint32_t t = h->out_target[e];
            unsigned kind = h->out_label_kind[e];
            fprintf(out, "%" PRIu32 ",%" PRIu32 ",%s,", v, t & HEAP_INDEX_MASK,
                    label_kind_name(kind));
            if (heap_label_is_string(kind)) {
                size_t len;
                const char *s = heap_string(h, h->out_label[e], &len);
                csv_field(out, s, len);
            } else if (heap_label_is_number(kind)) {
                fprintf(out, "%" PRId64, heap_label_number(h, e));
            }
            fprintf(out, ",%d\n", (t & HEAP_WEAK_BIT) != 0);
        }
    }
}

/* ---- DOT: one dominator subtree and the references among its objects --------- */

typedef struct dot_options {
    uint64_t root_address, depth, min_size;
} dot_options;

static void dot_string(FILE *out, const char *s)
{
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '\n')
            fputs("\\n", out);  /* a line break inside the label */
        else if (*s == '"' || *s == '\\')
            fprintf(out, "\\%c", *s);
        else if ((unsigned char)*s >= 0x20 && *s != 0x7f)
            fputc(*s, out);
    }
    fputc('"', out);
}

/* The objects to draw: `root`'s dominator subtree, by levels, within the limits. */
static size_t pick_subtree(const exporter *x, uint32_t root, const dot_options *o,
                           uint32_t *picked, uint8_t *in_picture)
{
    const dominators *d = &x->a->dom;
    size_t count = 0, level_start = 0;
    picked[count++] = root;
    in_picture[root] = 1;
    for (uint64_t level = 1; level < o->depth && level_start < count; level++) {
        size_t level_end = count;
        for (size_t i = level_start; i < level_end; i++) {
            uint32_t v = picked[i];
            for (uint32_t k = d->child_start[v]; k < d->child_start[v + 1]; k++) {
                uint32_t c = d->child[k];
                if (d->retained_size[c] >= o->min_size && count < DOT_MAX_NODES) {
                    picked[count++] = c;
                    in_picture[c] = 1;
                }
            }
        }
        level_start = level_end;
    }
    return count;
}

static void write_dot(const exporter *x, uint32_t root, const dot_options *o, uint32_t *picked,
                      uint8_t *in_picture, FILE *out)
{
    const heap *h = &x->a->heap;
    size_t count = pick_subtree(x, root, o, picked, in_picture);
    fputs("digraph heapan {\n  node [shape=box, fontname=\"monospace\"];\n", out);
    for (size_t i = 0; i < count; i++) {
        uint32_t v = picked[i];
        char label[1400];
        snprintf(label, sizeof label, "%s\n0x%" PRIx64 "\nretained %" PRIu64 " B",
                 type_name(x, v), h->address[v], x->a->dom.retained_size[v]);
        fprintf(out, "  n%" PRIu32 " [label=", v);
        dot_string(out, label);
        fputs("];\n", out);
    }
    for (size_t i = 0; i < count; i++) {
        uint32_t v = picked[i], end = h->out_start[v] + h->out_count[v];
        for (uint32_t e = h->out_start[v]; e < end; e++) {
            uint32_t t = h->out_target[e];
            if (!in_picture[t & HEAP_INDEX_MASK])
                continue;
            fprintf(out, "  n%" PRIu32 " -> n%" PRIu32 " [label=", v, t & HEAP_INDEX_MASK);
            dot_string(out, heap_label_is_string(h->out_label_kind[e])
                                ? heap_string(h, h->out_label[e], NULL) : "");
            fputs(t & HEAP_WEAK_BIT ? ", style=dashed];\n" : "];\n", out);
        }
    }
    fputs("}\n", out);
}

/* The top-level object that retains the most: the default subtree to draw. */
static uint32_t biggest_top(const analysis *a)
{
    uint32_t best = HEAP_NONE;
    for (uint32_t v = 0; v < a->heap.count; v++)
        if (a->dom.idom[v] == HEAP_NONE &&
            (best == HEAP_NONE || a->dom.retained_size[v] > a->dom.retained_size[best]))
            best = v;
    return best;
}

static int run_dot(const exporter *x, const dot_options *o, FILE *out)
{
    const heap *h = &x->a->heap;
    uint32_t root = o->root_address ? heap_find_address(h, o->root_address) : biggest_top(x->a);
    if (root == HEAP_NONE) {
        if (o->root_address)
            errorf("%s: no object at 0x%" PRIx64, x->a->path, o->root_address);
        else
            errorf("%s: the dump holds no objects", x->a->path);
        return EXIT_FOUND;
    }
    uint32_t *picked = malloc(DOT_MAX_NODES * sizeof *picked);
    uint8_t *in_picture = calloc(h->count, 1);
    if (!picked || !in_picture) {
        free(picked), free(in_picture);
        return -1;
    }
    write_dot(x, root, o, picked, in_picture, out);
    free(picked), free(in_picture);
    return EXIT_OK;
}

/* ---- files ------------------------------------------------------------------- */



static int write_csv(const exporter *x, const char *prefix)
{
    size_t len = strlen(prefix) + 16;
    char *nodes = malloc(len), *edges = malloc(len);
    int failed = !nodes || !edges;
    if (!failed) {
        snprintf(nodes, len, "%s.nodes.csv", prefix);
        snprintf(edges, len, "%s.edges.csv", prefix);
        output_file o;
        if (!(failed = output_open(&o, nodes) < 0)) {
            write_csv_nodes(x, o.f);
            failed = output_close(&o, 1) < 0;
        }
        if (!failed && !(failed = output_open(&o, edges) < 0)) {
            write_csv_edges(x, o.f);
            failed = output_close(&o, 1) < 0;
        }
    }
    free(nodes), free(edges);
    return failed ? -1 : 0;
}

static int load_type_names(exporter *x)
{
    const heap *h = &x->a->heap;
    x->type_names = calloc(h->type_count ? h->type_count : 1, sizeof *x->type_names);
    if (!x->type_names)
        return -1;
    for (uint32_t t = 0; t < h->type_count; t++) {
        char name[1024];
        if (!(x->type_names[t] = strdup(group_name(h, GROUP_BY_TYPE, t, name, sizeof name))))
            return -1;
    }
    return 0;
}

static void free_type_names(exporter *x)
{
    for (uint32_t t = 0; x->type_names && t < x->a->heap.type_count; t++)
        free(x->type_names[t]);
    free(x->type_names);
}

static int export_to(exporter *x, export_format format, const char *output, const dot_options *o)
{
    if (format == FORMAT_CSV)
        return write_csv(x, output) < 0 ? EXIT_TROUBLE : EXIT_OK;
    output_file out;
    if (output_open(&out, output) < 0)
        return EXIT_TROUBLE;
    int code = EXIT_OK;
    if (format == FORMAT_JSON)
        write_json(x, out.f);
    else
        code = run_dot(x, o, out.f);
    if (code < 0)
        dump_out_of_memory(x->a->path);
    if (output_close(&out, code >= 0) < 0 || code < 0)
        code = EXIT_TROUBLE;
    return code;
}

int cmd_export(int argc, char **argv)
{
    static const struct option options[] = {{"format", required_argument, NULL, 'f'},
                                            {"output", required_argument, NULL, 'o'},
                                            {"root", required_argument, NULL, 'r'},
                                            {"depth", required_argument, NULL, 'd'},
                                            {"min-size", required_argument, NULL, 'm'},
                                            {"progress", required_argument, NULL, 'p'},
                                            {NULL, 0, NULL, 0}};
    int format = -1;
    const char *output = NULL;
    dot_options dot = {.depth = 3};
    size_spec min_size = {0, 0};
    progress_mode progress = PROGRESS_AUTO;
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":f:o:r:d:m:", options, NULL)) != -1) {
        if (c == 'f')
            format = parse_choice("export", "--format", optarg,
                                  (const char *const[]){"json", "csv", "dot", NULL});
        else if (c == 'o')
            output = optarg;
        else if (c == 'r')
            dot.root_address = parse_address("export", "--root", optarg);
        else if (c == 'd')
            dot.depth = parse_count("export", "--depth", optarg);
        else if (c == 'm')
            min_size = parse_size("export", "--min-size", optarg);
        else if (c == 'p')
            progress = parse_progress("export", optarg);
        else
            bad_option("export", c, argv);
    }
    if (format < 0)
        usage_error("export", "export: --format json, csv or dot is required");
    if (format == FORMAT_CSV && (!output || strcmp(output, "-") == 0))
        usage_error("export", "export: csv needs -o PREFIX (it writes PREFIX.nodes.csv and "
                              "PREFIX.edges.csv)");
    if (dot.depth == 0)
        usage_error("export", "export: --depth must be at least 1");
    const char *dump = single_operand("export", "DUMP", argc, argv, optind);
    if (output_check(output ? output : "-") < 0)
        return EXIT_TROUBLE;
    analysis a;
    if (analysis_open(&a, dump, progress, (format == FORMAT_DOT ? ANALYSIS_TREE : 0) | ANALYSIS_LABELS) < 0) {
        analysis_close(&a);
        return EXIT_TROUBLE;
    }
    dot.min_size = min_size.percent > 0
                       ? (uint64_t)(min_size.percent / 100.0 * (double)a.heap.total_size)
                       : min_size.bytes;
    exporter x = {.a = &a};
    phases_next(&a.phases, "export");
    int code = load_type_names(&x) < 0 ? -1 : export_to(&x, format, output ? output : "-", &dot);
    if (code < 0) {
        dump_out_of_memory(dump);
        code = EXIT_TROUBLE;
    }
    phases_next(&a.phases, NULL);
    free_type_names(&x);
    if (code == EXIT_OK)
        code = analysis_exit_code(&a);
    analysis_close(&a);
    return code;
}

const command cmd_export_entry = {
    "export", cmd_export, "--format json|csv|dot [-o OUT] DUMP",
    "the analysed graph for other tools: JSON, CSV, or DOT of one subtree",
    "  -f, --format FMT   json (one document), csv (two files) or dot (one subtree)\n"
    "  -o, --output OUT   the file (default: standard output); csv: the PREFIX of\n"
    "                     PREFIX.nodes.csv and PREFIX.edges.csv\n"
    "  -r, --root ADDR    dot: draw the dominator subtree of this object\n"
    "                     (default: the one that retains the most)\n"
    "  -d, --depth D      dot: levels to draw (default 3; at most 500 objects)\n"
    "  -m, --min-size SIZE  dot: leave out subtrees retaining less\n"
    "      --progress=WHEN  auto (on a terminal), always or never\n"};
