/*
 * dumptext.c: prints every record of a dump as one line of text, for
 * tests and debugging:
 *
 *   type 3 __main__.Order flags=1
 *   object 0x7f10 type=3 size=56 refcount=1 length=0
 *   ref 0x7f10 -> 0x7f50 attribute 'payload'
 *   root 0x7f10 module '__main__'
 */
#include <inttypes.h>
#include <stdio.h>

#include "heapan.h"

static const char *label_names[] = {"none", "attribute", "key", "int-key", "index",
                                    "local", "field", "dict-key", "element", "key_repr"};

static void print_string(const heapan_reader *r, uint32_t id)
{
    const char *s = heapan_reader_string(r, id, NULL);
    printf(" '%s'", s ? s : "");
}

static void print_ref(const heapan_reader *r, const heapan_ref *ref)
{
    printf("ref 0x%" PRIx64 " -> 0x%" PRIx64 " %s", ref->from, ref->to,
           ref->weak ? "weak" : label_names[ref->label_kind]);
    if (ref->label)
        print_string(r, ref->label);
    if (ref->label_kind == HEAPAN_LABEL_INDEX || ref->label_kind == HEAPAN_LABEL_INT_KEY)
        printf(" %" PRId64, ref->label_number);
    printf("\n");
}

static void print_record(const heapan_reader *r, const heapan_record *rec)
{
    switch (rec->kind) {
    case HEAPAN_REC_TYPE:
        printf("type %u %s.%s flags=%u basic=%llu pre=%llu values=%llu\n", rec->u.type.id,
               heapan_reader_string(r, rec->u.type.module, NULL) ?: "",
               heapan_reader_string(r, rec->u.type.name, NULL), rec->u.type.flags,
               (unsigned long long)rec->u.type.basic_size,
               (unsigned long long)rec->u.type.pre_header,
               (unsigned long long)rec->u.type.inline_values);
        break;
    case HEAPAN_REC_OBJECT: {
        const heapan_object *o = &rec->u.object;
        printf("object 0x%" PRIx64 " type=%u size=%" PRIu64 " refcount=%" PRIu64
               " length=%" PRIu64 " flags=%u",
               o->address, o->type, o->size, o->refcount, o->length, o->flags);
        if (o->stack)
            printf(" stack=%u", o->stack);
        if (o->shape)
            printf(" shape=%u", o->shape);
        if (o->value_kind == HEAPAN_VALUE_INT)
            printf(" int=%" PRId64, o->i);
        else if (o->value_kind == HEAPAN_VALUE_TEXT)
            printf(" text='%.*s'", (int)o->len, (const char *)o->data);
        printf("\n");
        break;
    }
    case HEAPAN_REC_SHAPE:
        printf("shape %u", rec->u.shape.id);
        for (size_t i = 0; i < rec->u.shape.count; i++)
            print_string(r, rec->u.shape.names[i]);
        printf("\n");
        break;
    case HEAPAN_REC_FRAME:
        printf("frame %u %s:%u\n", rec->u.frame.id,
               heapan_reader_string(r, rec->u.frame.file, NULL) ?: "?", rec->u.frame.line);
        break;
    case HEAPAN_REC_STACK:
        printf("stack %u parent=%u frame=%u\n", rec->u.stack.id, rec->u.stack.parent,
               rec->u.stack.frame);
        break;
    case HEAPAN_REC_REF:
        print_ref(r, &rec->u.ref);
        break;
    case HEAPAN_REC_ROOT:
        printf("root 0x%" PRIx64 " %s", rec->u.root.object, heapan_root_kind_name(rec->u.root.kind));
        if (rec->u.root.label)
            print_string(r, rec->u.root.label);
        printf("\n");
        break;
    case HEAPAN_REC_PROPERTY: {
        const heapan_property *p = &rec->u.property;
        printf("property 0x%" PRIx64, p->object);
        print_string(r, p->key);
        if (p->value_kind == HEAPAN_VALUE_INT || p->value_kind == HEAPAN_VALUE_BOOL)
            printf(" %" PRId64, p->i);
        else if (p->value_kind == HEAPAN_VALUE_TEXT)
            printf(" '%.*s'", (int)p->len, (const char *)p->data);
        printf("\n");
        break;
    }
    case HEAPAN_REC_ALLOC:
        printf("alloc 0x%" PRIx64 " %" PRIu64 " stack=%u\n", rec->u.alloc.address, rec->u.alloc.size,
               rec->u.alloc.stack);
        break;
    case HEAPAN_REC_FREE:
        printf("free 0x%" PRIx64 "\n", rec->u.free.address);
        break;
    default:
        break;
    }
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: dumptext DUMP\n");
        return 2;
    }
    heapan_reader *r;
    heapan_status st = heapan_reader_open(&r, argv[1]);
    heapan_record rec;
    while (st == HEAPAN_OK && (st = heapan_reader_next(r, &rec)) == HEAPAN_OK)
        print_record(r, &rec);
    if (st != HEAPAN_END)
        fprintf(stderr, "dumptext: %s: %s\n", argv[1], heapan_reader_error(r));
    heapan_reader_close(r);
    return st == HEAPAN_END ? 0 : 1;
}
