/* output.c: reports written whole or not at all (see output.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "mem.h"
#include "msg.h"
#include "output.h"

/* The directory part of `path` ("." when it has none), as a new string. */
static char *directory_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (!slash)
        return strdup(".");
    if (slash == path)
        return strdup("/");
    return strndup(path, (size_t)(slash - path));
}

/* An existing target that is no regular file is written in place: it cannot be renamed over. */
static int in_place(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && !S_ISREG(st.st_mode);
}

int output_check(const char *path)
{
    if (strcmp(path, "-") == 0 || in_place(path))
        return 0;
    char *dir = directory_of(path);
    struct stat st;
    int failed = stat(dir, &st) != 0 ? (errno ? errno : ENOENT)
                 : !S_ISDIR(st.st_mode)  ? ENOTDIR
                 : access(dir, W_OK | X_OK) != 0 ? errno
                                                 : 0;
    free(dir);
    if (failed)
        errorf("%s: cannot create: %s", path, strerror(failed));
    return failed ? -1 : 0;
}

/* The mode a new file gets from fopen(), or the old file's. */
static mode_t mode_for(const char *path)
{
    struct stat st;
    if (stat(path, &st) == 0)
        return st.st_mode & 07777;
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

int output_open(output_file *o, const char *path)
{
    *o = (output_file){.path = path};
    if (strcmp(path, "-") == 0) {
        o->f = stdout;
        return 0;
    }
    if (in_place(path)) {
        if (!(o->f = fopen(path, "w")))
            errorf("%s: cannot create: %s", path, strerror(errno));
        return o->f ? 0 : -1;
    }
    char *dir = directory_of(path);
    const char *base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
    size_t len = strlen(dir) + strlen(base) + 16;
    o->temp = malloc(len);
    snprintf(o->temp, len, "%s/.%s.XXXXXX", dir, base);
    free(dir);
    int fd = mkstemp(o->temp);
    if (fd < 0 || fchmod(fd, mode_for(path)) != 0 || !(o->f = fdopen(fd, "w"))) {
        errorf("%s: cannot create: %s", path, strerror(errno));
        if (fd >= 0)
            close(fd), unlink(o->temp);
        free(o->temp);
        o->temp = NULL;
        return -1;
    }
    mem_add_output(o->temp);
    return 0;
}

int output_close(output_file *o, int ok)
{
    if (!o->f)
        return -1;
    int write_failed = ferror(o->f) != 0;
    write_failed |= o->f == stdout ? fflush(o->f) != 0 : fclose(o->f) != 0;
    int saved = errno;
    if (ok && !write_failed && o->temp && rename(o->temp, o->path) != 0) {
        write_failed = 1;
        saved = errno;
    }
    if (ok && write_failed)
        errorf("%s: write error: %s", o->path, strerror(saved));
    if (o->temp && (!ok || write_failed))
        unlink(o->temp);
    if (o->temp)
        mem_drop_output(o->temp);
    free(o->temp);
    *o = (output_file){0};
    return ok && !write_failed ? 0 : -1;
}
