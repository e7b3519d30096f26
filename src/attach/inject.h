/*
 * inject.h: makes a running process load heapan's extension and start its
 * agent, through ptrace, on one of its threads, which is stopped for the
 * calls only: dlopen(), dlsym() and heapan_agent_start(dir).
 *
 * gdb would do the same, but gdb 13 cannot restore a thread's registers
 * on CPUs whose XSAVE area is larger than it knows (AMX: 11008 bytes), and
 * a failed call left the thread's interrupted system call to return
 * ERESTARTNOHAND to the program.  Here the whole area is saved and
 * written back, whatever its size.  x86-64 Linux with glibc only.
 */
#ifndef HEAPAN_INJECT_H
#define HEAPAN_INJECT_H

#include "attach/target.h"

/*
 * Loads `library` into `t` and calls its heapan_agent_start(`dir`).  A
 * thread blocked in a system call is chosen first; one running code
 * outside libc and the loader next, retried until `deadline` (a
 * CLOCK_MONOTONIC time).  The thread's registers, its interrupted system
 * call and any signal that arrived meanwhile are restored or delivered.
 */
attach_error inject_agent(const attach_target *t, const char *library, const char *dir,
                          const struct timespec *deadline, char *why, size_t size);

#endif
