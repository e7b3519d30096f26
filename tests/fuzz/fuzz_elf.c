/*
 * fuzz_elf.c: arbitrary bytes as the executable or library `heapan attach`
 * reads: its dynamic symbols looked up (CPython's, glibc's dlopen), and
 * the marker of heapan's extension searched for.
 */
#include "fuzz_common.h"
#include "attach/elf.h"
#include "attach/target.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const names[] = {"PyGILState_Ensure", "Py_IsInitialized", "dlopen",
                                        "dlsym", "dlerror"};
    char *file = fuzz_temp_file(data, size);
    if (!file)
        return 0;
    uint64_t values[5];
    int major, minor;
    elf_dynamic_symbols(file, names, 5, values);
    extension_version(file, &major, &minor);
    unlink(file);
    free(file);
    return 0;
}
