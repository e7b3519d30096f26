/*
 * consumer.c: a program written only against the installed <heapan.h>,
 * built with `pkg-config heapan`: it writes a small dump for heapan to read.
 */
#include <heapan.h>
#include <stdio.h>
#include <string.h>

static uint32_t text(heapan_writer *w, const char *s)
{
    return heapan_writer_string(w, s, strlen(s));
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: consumer OUT.zst\n");
        return 2;
    }
    heapan_writer *w;
    if (heapan_writer_open(&w, argv[1], NULL) != HEAPAN_OK) {
        perror(argv[1]);
        return 1;
    }
    heapan_header header = {.content = HEAPAN_CONTENT_HEAP, .producer = "consumer",
                            .producer_version = heapan_version(), .runtime = "C",
                            .runtime_version = "c11", .pointer_size = sizeof(void *)};
    heapan_writer_header(w, &header);
    heapan_type list_type = {.name = text(w, "list"), .module = text(w, "builtins")};
    uint32_t list = heapan_writer_type(w, &list_type);
    for (uint64_t i = 1; i <= 100; i++) {
        heapan_object o = {.address = i * 64, .type = list, .size = 56, .refcount = 1};
        heapan_writer_object(w, &o);
        heapan_ref r = {.from = 64, .to = i * 64, .label_kind = HEAPAN_LABEL_INDEX,
                        .label_number = (int64_t)i - 1};
        if (i > 1)
            heapan_writer_ref(w, &r);
    }
    heapan_root root = {.object = 64, .kind = HEAPAN_ROOT_MODULE, .label = text(w, "main")};
    heapan_writer_root(w, &root);
    heapan_counts counts;
    heapan_status st = heapan_writer_close(w, &counts);
    if (st != HEAPAN_OK)
        fprintf(stderr, "consumer: %s\n", heapan_writer_error(w));
    heapan_writer_free(w);
    return st == HEAPAN_OK && counts.objects == 100 ? 0 : 1;
}
