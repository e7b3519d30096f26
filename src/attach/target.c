/* target.c: a process to attach to, inspected through /proc. */
#define _GNU_SOURCE /* memmem, process_vm_readv */
#include "attach/target.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach/elf.h"

#define PROBE_SECONDS 20
#define MAX_EXTENSION_BYTES (256u << 20)
#define ENVIRON_MAX (1u << 20)

/* What the interpreter prints: its version, then each candidate extension on sys.path. */
static const char probe_script[] =
    "import sys, os\n"
    "print('%d.%d' % sys.version_info[:2])\n"
    "import importlib.machinery as m\n"
    "for p in sys.path:\n"
    "    for s in m.EXTENSION_SUFFIXES:\n"
    "        f = os.path.join(p or '.', 'heapan', '_heapan' + s)\n"
    "        if os.path.isfile(f):\n"
    "            print(os.path.abspath(f))\n";

static void proc_path(char *out, size_t size, pid_t pid, const char *file)
{
    snprintf(out, size, "/proc/%ld/%s", (long)pid, file);
}

attach_error target_access_error(int error, char *why, size_t size)
{
    if (error == ENOENT || error == ESRCH) {
        snprintf(why, size, "does not exist");
        return ATTACH_NO_PROCESS;
    }
    snprintf(why, size,
             "may not be traced by this user (%s): run heapan as the process's user or as "
             "root; where kernel.yama.ptrace_scope is 1 or more, run as root or set it to 0; "
             "in a container, start it with --cap-add SYS_PTRACE",
             strerror(error));
    return ATTACH_NOT_PERMITTED;
}

/* The owner from /proc/PID/status's Uid and Gid lines (the real ids), and its tracer. */
static int read_owner(pid_t pid, attach_target *t, long *tracer)
{
    char path[64], line[256];
    proc_path(path, sizeof path, pid, "status");
    FILE *f = fopen(path, "re");
    int found = 0;
    while (f && fgets(line, sizeof line, f)) {
        unsigned long id;
        if (sscanf(line, "Uid: %lu", &id) == 1)
            t->uid = (uid_t)id, found |= 1;
        else if (sscanf(line, "Gid: %lu", &id) == 1)
            t->gid = (gid_t)id, found |= 2;
        else if (sscanf(line, "TracerPid: %lu", &id) == 1)
            *tracer = (long)id;
    }
    if (f)
        fclose(f);
    return found == 3 ? 0 : -1;
}

/* glibc's mapping, from /proc/PID/maps: its path and the address of its first page. */
static int find_libc(attach_target *t, int *has_libpython)
{
    char path[64], line[PATH_MAX + 128];
    proc_path(path, sizeof path, t->pid, "maps");
    FILE *f = fopen(path, "re");
    if (!f)
        return -1;
    *has_libpython = 0;
    while (fgets(line, sizeof line, f)) {
        unsigned long long start, offset;
        int name_at = 0;
        line[strcspn(line, "\n")] = '\0';
        if (sscanf(line, "%llx-%*x %*s %llx %*s %*s %n", &start, &offset, &name_at) < 2 ||
            !name_at)
            continue;
        const char *name = line + name_at;
        const char *base = strrchr(name, '/');
        base = base ? base + 1 : name;
        if (strncmp(base, "libpython3", 10) == 0)
            *has_libpython = 1;
        if (!t->libc_base && offset == 0 && strncmp(base, "libc.so.6", 9) == 0) {
            t->libc_base = start;
            snprintf(t->libc, sizeof t->libc, "%s", name);
        }
    }
    fclose(f);
    return t->libc_base ? 0 : -1;
}

/* CPython exports its C API from the executable or from a mapped libpython. */
static int runs_cpython(const attach_target *t, int has_libpython)
{
    static const char *const names[] = {"PyGILState_Ensure", "Py_IsInitialized"};
    uint64_t values[2];
    char exe[64];
    proc_path(exe, sizeof exe, t->pid, "exe");
    return has_libpython ||
           (elf_dynamic_symbols(exe, names, 2, values) == 0 && values[0] && values[1]);
}

/* argv[0] when it names the executable itself (a venv's bin/python), for sys.prefix. */
static void choose_interpreter(attach_target *t)
{
    char path[64], argv0[PATH_MAX], joined[2 * PATH_MAX];
    struct stat exe, named;
    snprintf(t->interpreter, sizeof t->interpreter, "/proc/%ld/exe", (long)t->pid);
    proc_path(path, sizeof path, t->pid, "cmdline");
    FILE *f = fopen(path, "re");
    size_t n = f ? fread(argv0, 1, sizeof argv0 - 1, f) : 0;
    if (f)
        fclose(f);
    argv0[n] = '\0';
    if (!strchr(argv0, '/'))
        return;
    snprintf(joined, sizeof joined, "%s%s%s", argv0[0] == '/' ? "" : t->cwd,
             argv0[0] == '/' ? "" : "/", argv0);
    if (stat(t->interpreter, &exe) == 0 && stat(joined, &named) == 0 &&
        exe.st_dev == named.st_dev && exe.st_ino == named.st_ino && strlen(joined) < PATH_MAX)
        snprintf(t->interpreter, sizeof t->interpreter, "%s", joined);
}

attach_error target_inspect(pid_t pid, attach_target *t, char *why, size_t size)
{
    char path[64];
    memset(t, 0, sizeof *t);
    t->pid = pid;
    proc_path(path, sizeof path, pid, "");
    if (pid <= 0 || access(path, F_OK) != 0)
        return target_access_error(ENOENT, why, size);
    proc_path(path, sizeof path, pid, "exe");
    ssize_t n = readlink(path, t->exe, sizeof t->exe - 1);
    if (n < 0)
        return target_access_error(errno, why, size);
    t->exe[n] = '\0';
    proc_path(path, sizeof path, pid, "cwd");
    n = readlink(path, t->cwd, sizeof t->cwd - 1);
    t->cwd[n > 0 ? n : 0] = '\0';
    long tracer = 0;
    if (read_owner(pid, t, &tracer) < 0)
        return target_access_error(errno ? errno : ESRCH, why, size);
    if (tracer) {
        snprintf(why, size, "is being traced by process %ld already (a debugger, strace?): "
                 "detach it first", tracer);
        return ATTACH_NOT_PERMITTED;
    }
    int has_libpython;
    if (find_libc(t, &has_libpython) < 0 || !runs_cpython(t, has_libpython)) {
        snprintf(why, size, "is not a CPython process (it runs %s)", t->exe);
        return ATTACH_NOT_PYTHON;
    }
    choose_interpreter(t);
    return ATTACH_OK;
}

/* ---- the probe -------------------------------------------------------------------- */

/* The process's environment, NUL-separated as in /proc/PID/environ, as a vector. */
static char **target_environment(pid_t pid, char **buffer)
{
    char path[64];
    proc_path(path, sizeof path, pid, "environ");
    *buffer = calloc(1, ENVIRON_MAX + 1);
    FILE *f = *buffer ? fopen(path, "re") : NULL;
    size_t n = f ? fread(*buffer, 1, ENVIRON_MAX, f) : 0;
    if (f)
        fclose(f);
    size_t count = 0;
    for (size_t i = 0; i < n; i++)
        count += (*buffer)[i] == '\0';
    char **env = calloc(count + 2, sizeof *env);
    size_t k = 0;
    for (size_t i = 0; env && i < n; i += strlen(*buffer + i) + 1)
        if (k < count + 1)
            env[k++] = *buffer + i;
    return env;
}

/* In the forked child: become the process's user, in its directory, and exec. */
static _Noreturn void exec_probe(const attach_target *t, int out, char **env)
{
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (dup2(out, 1) < 0 || (null >= 0 && (dup2(null, 0) < 0 || dup2(null, 2) < 0)))
        _exit(127);
    if (geteuid() == 0 && (setgroups(0, NULL) < 0 || setgid(t->gid) < 0 || setuid(t->uid) < 0))
        _exit(126);
    if (t->cwd[0] && chdir(t->cwd) < 0 && chdir("/") < 0)
        _exit(126);
    char *argv[] = {(char *)t->interpreter, "-c", (char *)probe_script, NULL};
    execve(t->interpreter, argv, env);
    _exit(127);
}

/* Reads the probe's output until it ends or PROBE_SECONDS pass; returns its length or -1. */
static ssize_t read_probe(int fd, char *out, size_t size)
{
    size_t got = 0;
    time_t until = time(NULL) + PROBE_SECONDS;
    while (got + 1 < size && time(NULL) <= until) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        int ready = poll(&p, 1, 1000);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready <= 0)
            continue;
        ssize_t n = read(fd, out + got, size - 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            out[got] = '\0';
            return (ssize_t)got;
        }
        got += (size_t)n;
    }
    out[got] = '\0';
    return -1;
}

static int run_probe(const attach_target *t, char *out, size_t size)
{
    char *buffer;
    char **env = target_environment(t->pid, &buffer);
    int fds[2];
    if (!env || pipe(fds) < 0) {
        free(env), free(buffer);
        return -1;
    }
    pid_t child = fork();
    if (child == 0) {
        close(fds[0]);
        exec_probe(t, fds[1], env);
    }
    close(fds[1]);
    free(env), free(buffer);
    ssize_t n = child < 0 ? -1 : read_probe(fds[0], out, size);
    close(fds[0]);
    int status = 0;
    if (child > 0) {
        if (n < 0)
            kill(child, SIGKILL);
        while (waitpid(child, &status, 0) < 0 && errno == EINTR)
            ;
    }
    return n < 0 || !WIFEXITED(status) ? -1 : 0;
}

/* ---- the extension ------------------------------------------------------------------ */

int extension_version(const char *path, int *major, int *minor)
{
    static const char marker[] = "HEAPAN_AGENT_ABI ";
    struct stat st;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
        (uint64_t)st.st_size > MAX_EXTENSION_BYTES) {
        if (fd >= 0)
            close(fd);
        return -1;
    }
    char *bytes = malloc((size_t)st.st_size + 1);
    ssize_t n = bytes ? read(fd, bytes, (size_t)st.st_size) : -1;
    close(fd);
    int rc = -1;
    if (n > 0) {
        bytes[n] = '\0';
        char *at = memmem(bytes, (size_t)n, marker, sizeof marker - 1);
        if (at && at + sizeof marker + 6 < bytes + n &&
            sscanf(at + sizeof marker - 1, "%d.%d", major, minor) == 2)
            rc = 0;
    }
    free(bytes);
    return rc;
}

/* `module_path` as the .so itself, DIR/_heapan*.so or DIR/heapan/_heapan*.so. */
static int given_extension(const char *module_path, int minor, char extension[PATH_MAX])
{
    char tagged[64];
    snprintf(tagged, sizeof tagged, "_heapan.cpython-3%d-x86_64-linux-gnu.so", minor);
    const char *const dirs[] = {"", "/", "/heapan/"};
    const char *const names[] = {"", "_heapan.so", tagged};
    for (size_t i = 0; i < 3; i++) {
        for (size_t k = i ? 1 : 0; k < (i ? 3u : 1u); k++) {
            struct stat st;
            if ((size_t)snprintf(extension, PATH_MAX, "%s%s%s", module_path, dirs[i],
                                 names[k]) < PATH_MAX &&
                stat(extension, &st) == 0 && S_ISREG(st.st_mode))
                return 0;
        }
    }
    return -1;
}

static attach_error version_check(const attach_target *t, char *why, size_t size)
{
    if (t->major == 3 && t->minor >= ATTACH_FIRST_MINOR)
        return ATTACH_OK;
    snprintf(why, size, "runs CPython %d.%d; heapan attach supports 3.%d and later", t->major,
             t->minor, ATTACH_FIRST_MINOR);
    return ATTACH_UNSUPPORTED;
}

attach_error target_find_extension(attach_target *t, const char *module_path,
                                   char extension[PATH_MAX], char *why, size_t size)
{
    char out[16384];
    if (run_probe(t, out, sizeof out) < 0 || sscanf(out, "%d.%d", &t->major, &t->minor) != 2) {
        snprintf(why, size, "runs a Python whose interpreter (%s) could not be asked its version",
                 t->interpreter);
        return ATTACH_UNSUPPORTED;
    }
    attach_error e = version_check(t, why, size);
    if (e != ATTACH_OK)
        return e;
    int major, minor;
    if (module_path) {
        if (given_extension(module_path, t->minor, extension) < 0 ||
            extension_version(extension, &major, &minor) < 0) {
            snprintf(why, size, "runs CPython %d.%d, and --module-path %s holds no heapan "
                     "extension with the attach agent", t->major, t->minor, module_path);
            return ATTACH_NO_EXTENSION;
        }
        if (major != t->major || minor != t->minor) {
            snprintf(why, size, "runs CPython %d.%d, and %s is heapan's extension for %d.%d",
                     t->major, t->minor, extension, major, minor);
            return ATTACH_NO_EXTENSION;
        }
        return ATTACH_OK;
    }
    for (char *line = strchr(out, '\n'); line && line[1]; line = strchr(line + 1, '\n')) {
        size_t len = strcspn(line + 1, "\n");
        if (len >= PATH_MAX)
            continue;
        memcpy(extension, line + 1, len);
        extension[len] = '\0';
        if (extension_version(extension, &major, &minor) == 0 && major == t->major &&
            minor == t->minor)
            return ATTACH_OK;
    }
    snprintf(why, size,
             "runs CPython %d.%d, and no heapan extension for %d.%d is on its sys.path: install "
             "heapan for that Python (make install PYTHON=python%d.%d, or pip install), or "
             "name one with --module-path", t->major, t->minor, t->major, t->minor, t->major,
             t->minor);
    return ATTACH_NO_EXTENSION;
}
