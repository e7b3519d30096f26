/* inject.c: remote calls into a stopped thread, x86-64 Linux. */
#define _GNU_SOURCE /* memmem, process_vm_readv */
#include "attach/inject.h"

#include <dirent.h>
#include <elf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ptrace.h>
#include <sys/uio.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "attach/elf.h"

#if defined(__x86_64__) && defined(__linux__)

#define XSTATE_MAX (64u << 10)
#define RED_ZONE 128
#define SCRATCH 8192 /* below the red zone: the strings, then the call's frame */
#define RTLD_NOW_FLAG 2

/* A thread stopped for the calls, and what to give back to it. */
typedef struct stopped {
    pid_t tid;
    struct user_regs_struct regs;
    unsigned char *xstate;
    struct iovec xstate_iov; /* the whole area, its size as the kernel gave it */
    int pending_signal;      /* arrived during a call: delivered at the detach */
} stopped;

typedef struct remote_libc {
    uint64_t dlopen, dlsym, dlerror;
} remote_libc;

static double seconds_left(const struct timespec *deadline)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(deadline->tv_sec - now.tv_sec) +
           (double)(deadline->tv_nsec - now.tv_nsec) / 1e9;
}

static int find_libc_functions(const attach_target *t, remote_libc *fn)
{
    static const char *const names[] = {"dlopen", "dlsym", "dlerror"};
    uint64_t values[3];
    if (elf_dynamic_symbols(t->libc, names, 3, values) < 0 || !values[0] || !values[1] ||
        !values[2])
        return -1;
    fn->dlopen = t->libc_base + values[0];
    fn->dlsym = t->libc_base + values[1];
    fn->dlerror = t->libc_base + values[2];
    return 0;
}

/* ---- choosing a thread -------------------------------------------------------------- */

/* /proc/PID/task/TID/syscall: "running", or the number of the system call it waits in. */
static long waiting_in(pid_t pid, pid_t tid)
{
    char path[96], text[256];
    snprintf(path, sizeof path, "/proc/%ld/task/%ld/syscall", (long)pid, (long)tid);
    FILE *f = fopen(path, "re");
    size_t n = f ? fread(text, 1, sizeof text - 1, f) : 0;
    if (f)
        fclose(f);
    text[n] = '\0';
    char *end;
    long nr = strtol(text, &end, 10);
    return end == text || nr < 0 ? -1 : nr;
}

/* System calls a thread blocks in from its own code, not from inside malloc or the
 * loader: there it holds no lock of libc's, and its vector registers are dead
 * across the call.  (mmap or brk may come from inside malloc, holding its lock.) */
static int blocks_outside_libc(long nr)
{
    static const long calls[] = {0 /* read */,      7 /* poll */,         23 /* select */,
                                 34 /* pause */,    35 /* nanosleep */,   42 /* connect */,
                                 43 /* accept */,   45 /* recvfrom */,    47 /* recvmsg */,
                                 61 /* wait4 */,    128 /* sigtimedwait */, 130 /* sigsuspend */,
                                 230 /* clock_nanosleep */, 232 /* epoll_wait */,
                                 247 /* waitid */,  270 /* pselect6 */,   271 /* ppoll */,
                                 281 /* epoll_pwait */, 288 /* accept4 */, 441 /* epoll_pwait2 */};
    for (size_t i = 0; i < sizeof calls / sizeof *calls; i++)
        if (calls[i] == nr)
            return 1;
    return 0;
}

/* A thread blocked in one of those first; then one waiting on a futex (a lock,
 * a condition: the GIL's waiters); else the main thread, checked once stopped. */
static pid_t choose_thread(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%ld/task", (long)pid);
    DIR *d = opendir(path);
    pid_t best = 0, futex_waiter = 0;
    for (struct dirent *e; d && !best && (e = readdir(d));) {
        pid_t tid = (pid_t)atol(e->d_name);
        long nr = tid > 0 ? waiting_in(pid, tid) : -1;
        if (nr == 202 /* futex */ && !futex_waiter)
            futex_waiter = tid;
        else if (blocks_outside_libc(nr))
            best = tid;
    }
    if (d)
        closedir(d);
    return best ? best : futex_waiter ? futex_waiter : pid;
}

/* ---- stopping and resuming -------------------------------------------------------------- */

static int wait_stop(stopped *s, int *signal_out)
{
    int status;
    for (;;) {
        pid_t got = waitpid(s->tid, &status, __WALL);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 || WIFEXITED(status) || WIFSIGNALED(status))
            return -1;
        if (WIFSTOPPED(status)) {
            *signal_out = WSTOPSIG(status);
            return status >> 16; /* PTRACE_EVENT_STOP for an interrupt */
        }
    }
}

static int seize(stopped *s, pid_t tid)
{
    memset(s, 0, sizeof *s);
    s->tid = tid;
    if (ptrace(PTRACE_SEIZE, tid, 0, 0) < 0)
        return -1;
    int sig;
    if (ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0)
        return -1;
    /* A signal may stop it before the interrupt does: keep it for the detach. */
    for (int event; (event = wait_stop(s, &sig)) != PTRACE_EVENT_STOP;) {
        if (event < 0)
            return -1;
        if (!s->pending_signal)
            s->pending_signal = sig;
        if (ptrace(PTRACE_CONT, tid, 0, 0) < 0 || ptrace(PTRACE_INTERRUPT, tid, 0, 0) < 0)
            return -1;
    }
    s->xstate = malloc(XSTATE_MAX);
    s->xstate_iov = (struct iovec){s->xstate, XSTATE_MAX};
    if (!s->xstate || ptrace(PTRACE_GETREGS, tid, 0, &s->regs) < 0 ||
        ptrace(PTRACE_GETREGSET, tid, (void *)NT_X86_XSTATE, &s->xstate_iov) < 0)
        return -1;
    return 0;
}

/* Everything as it was, the interrupted system call included (orig_rax restarts it). */
static int restore(stopped *s)
{
    int rc = ptrace(PTRACE_SETREGSET, s->tid, (void *)NT_X86_XSTATE, &s->xstate_iov) < 0 ||
                     ptrace(PTRACE_SETREGS, s->tid, 0, &s->regs) < 0
                 ? -1
                 : 0;
    return rc;
}

static void release_thread(stopped *s)
{
    ptrace(PTRACE_DETACH, s->tid, 0, (void *)(long)s->pending_signal);
    free(s->xstate);
    s->xstate = NULL;
}

/* ---- calls ---------------------------------------------------------------------------- */

static int write_remote(pid_t pid, uint64_t address, const void *bytes, size_t n)
{
    struct iovec local = {(void *)bytes, n}, remote = {(void *)(uintptr_t)address, n};
    return process_vm_writev(pid, &local, 1, &remote, 1, 0) == (ssize_t)n ? 0 : -1;
}

static int read_remote(pid_t pid, uint64_t address, void *bytes, size_t n)
{
    struct iovec local = {bytes, n}, remote = {(void *)(uintptr_t)address, n};
    return process_vm_readv(pid, &local, 1, &remote, 1, 0) == (ssize_t)n ? 0 : -1;
}

/*
 * fn(a0, a1) on the stopped thread, returning to address 0: the SIGSEGV
 * that follows ends the call.  The frame lies below the red zone and the
 * strings, 16-byte aligned at the call as the ABI wants.
 */
static int remote_call(stopped *s, pid_t pid, uint64_t fn, uint64_t a0, uint64_t a1,
                       uint64_t *result, const struct timespec *deadline)
{
    struct user_regs_struct r = s->regs;
    uint64_t sp = ((s->regs.rsp - RED_ZONE - SCRATCH) & ~(uint64_t)15) - 8;
    uint64_t zero = 0;
    if (write_remote(pid, sp, &zero, sizeof zero) < 0)
        return -1;
    r.rip = fn, r.rdi = a0, r.rsi = a1, r.rax = 0, r.rsp = sp;
    r.orig_rax = (uint64_t)-1; /* no system call restart for ours */
    if (ptrace(PTRACE_SETREGS, s->tid, 0, &r) < 0 || ptrace(PTRACE_CONT, s->tid, 0, 0) < 0)
        return -1;
    for (;;) {
        int sig, status;
        pid_t got = waitpid(s->tid, &status, __WALL | WNOHANG);
        if (got == 0) {
            if (seconds_left(deadline) < 0)
                return -1;
            usleep(200);
            continue;
        }
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 || !WIFSTOPPED(status))
            return -1;
        sig = WSTOPSIG(status);
        if (ptrace(PTRACE_GETREGS, s->tid, 0, &r) < 0)
            return -1;
        if (sig == SIGSEGV && r.rip == 0) {
            *result = r.rax;
            return 0;
        }
        if (sig != SIGTRAP && !s->pending_signal) /* the program's: given back at the end */
            s->pending_signal = sig;
        if (ptrace(PTRACE_CONT, s->tid, 0, 0) < 0)
            return -1;
    }
}

/* The strings at the bottom of the scratch area, below the red zone. */
static uint64_t place_strings(stopped *s, pid_t pid, const char *a, const char *b,
                              uint64_t *b_at)
{
    size_t la = strlen(a) + 1, lb = strlen(b) + 1;
    uint64_t at = (s->regs.rsp - RED_ZONE - la - lb - 64) & ~(uint64_t)15;
    if (la + lb + 64 > SCRATCH / 2 || write_remote(pid, at, a, la) < 0 ||
        write_remote(pid, at + la, b, lb) < 0)
        return 0;
    *b_at = at + la;
    return at;
}

static attach_error call_agent(stopped *s, const attach_target *t, const remote_libc *fn,
                               const char *library, const char *dir,
                               const struct timespec *deadline, char *why, size_t size)
{
    uint64_t dir_at, handle, symbol, started, symbol_name_at;
    uint64_t library_at = place_strings(s, t->pid, library, dir, &dir_at);
    static const char symbol_name[] = "heapan_agent_start";
    symbol_name_at = library_at ? library_at - 64 : 0;
    if (!library_at || write_remote(t->pid, symbol_name_at, symbol_name, sizeof symbol_name) < 0) {
        snprintf(why, size, "could not be written to (%s)", strerror(errno));
        return ATTACH_FAILED;
    }
    if (remote_call(s, t->pid, fn->dlopen, library_at, RTLD_NOW_FLAG, &handle, deadline) < 0) {
        snprintf(why, size, "did not finish loading %s in time", library);
        return ATTACH_NO_SAFE_POINT;
    }
    if (!handle) {
        uint64_t message = 0;
        char text[256] = "";
        if (remote_call(s, t->pid, fn->dlerror, 0, 0, &message, deadline) == 0 && message)
            read_remote(t->pid, message, text, sizeof text - 1);
        snprintf(why, size, "could not load %s: %s", library, text);
        return ATTACH_FAILED;
    }
    if (remote_call(s, t->pid, fn->dlsym, handle, symbol_name_at, &symbol, deadline) < 0 ||
        !symbol) {
        snprintf(why, size, "loaded %s, which has no attach agent", library);
        return ATTACH_NO_EXTENSION;
    }
    if (remote_call(s, t->pid, symbol, dir_at, 0, &started, deadline) < 0 ||
        (int)started != 0) {
        snprintf(why, size, "could not start heapan's agent thread");
        return ATTACH_FAILED;
    }
    return ATTACH_OK;
}

/* A thread running inside libc or the loader may hold their locks: not now. */
static int inside_libc(const attach_target *t, uint64_t pc)
{
    char path[64], line[PATH_MAX + 128];
    snprintf(path, sizeof path, "/proc/%ld/maps", (long)t->pid);
    FILE *f = fopen(path, "re");
    int inside = 0;
    while (f && !inside && fgets(line, sizeof line, f)) {
        unsigned long long lo, hi;
        int name_at = 0;
        if (sscanf(line, "%llx-%llx %*s %*s %*s %*s %n", &lo, &hi, &name_at) >= 2 && name_at &&
            pc >= lo && pc < hi)
            inside = strstr(line + name_at, "/libc.so") || strstr(line + name_at, "/ld-linux");
    }
    if (f)
        fclose(f);
    return inside;
}

attach_error inject_agent(const attach_target *t, const char *library, const char *dir,
                          const struct timespec *deadline, char *why, size_t size)
{
    remote_libc fn;
    if (find_libc_functions(t, &fn) < 0) {
        snprintf(why, size, "has no glibc with dlopen() (%s)", t->libc);
        return ATTACH_FAILED;
    }
    for (;;) {
        pid_t tid = choose_thread(t->pid);
        stopped s;
        if (seize(&s, tid) < 0) {
            int error = errno;
            release_thread(&s);
            if (error == EPERM || error == EACCES || error == ESRCH)
                return target_access_error(error, why, size);
            snprintf(why, size, "could not be stopped (%s)", strerror(error));
            return ATTACH_FAILED;
        }
        long in_call = (long long)s.regs.orig_rax;
        if (blocks_outside_libc(in_call) || in_call == 202 || !inside_libc(t, s.regs.rip)) {
            attach_error e = call_agent(&s, t, &fn, library, dir, deadline, why, size);
            if (restore(&s) < 0 && e == ATTACH_OK) {
                snprintf(why, size, "could not be given its registers back (%s)",
                         strerror(errno));
                e = ATTACH_FAILED;
            }
            release_thread(&s);
            return e;
        }
        release_thread(&s);
        if (seconds_left(deadline) < 0) {
            snprintf(why, size, "was always inside libc when stopped; try again");
            return ATTACH_NO_SAFE_POINT;
        }
        usleep(2000);
    }
}

#else

attach_error inject_agent(const attach_target *t, const char *library, const char *dir,
                          const struct timespec *deadline, char *why, size_t size)
{
    (void)t, (void)library, (void)dir, (void)deadline;
    snprintf(why, size, "cannot be attached to: heapan attach supports x86-64 Linux only");
    return ATTACH_FAILED;
}

#endif
