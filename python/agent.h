/*
 * agent.h: what `heapan attach` runs inside a CPython process that never
 * imported heapan.  gdb makes the process dlopen() this extension and call
 * heapan_agent_start(); no module is created and sys.path is untouched.
 *
 * The request and the answer are files in a directory the tool made:
 *   DIR/request  lines "KEY VALUE": mode (dump, trace, watch), output,
 *                values, background, seconds, sample_bytes, limit_bytes,
 *                percent, rearm, deadline_ns (CLOCK_MONOTONIC: after it the
 *                tool has given up, and the agent does nothing)
 *   DIR/status   written once, by rename: "ok KEY VALUE..." or "error TEXT"
 */
#ifndef HEAPAN_AGENT_H
#define HEAPAN_AGENT_H

/*
 * Starts the agent's thread on the request in `dir` and returns at once:
 * 0, or -1 when the thread cannot start (nothing written then).  The
 * thread waits for the GIL with PyGILState_Ensure, as any C thread may.
 */
int heapan_agent_start(const char *dir);

#endif
