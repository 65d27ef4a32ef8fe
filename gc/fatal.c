/* gc/fatal.c — pt_fatal: report a broken invariant and abort.  Always on,
 * in every build.  Prints "petrel: fatal: file:line: message", then the
 * thread and the collector's phase (useful when a pause breaks).  Must not
 * allocate from the Lisp heap or take a GC lock: it may run inside a pause. */
#include "gc/fatal.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "gc/gc_impl.h"

_Noreturn void pt_fatal_at(const char *file, int line, const char *fmt, ...) {
    va_list ap;
    fprintf(stderr, "petrel: fatal: %s:%d: ", file, line);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    int phase = atomic_load_explicit(&gc_heap.phase, memory_order_relaxed);
    fprintf(stderr, "\npetrel: fatal: in thread %#lx, gc phase %s\n",
            (unsigned long)pthread_self(), gc_phase_name(phase));
    fflush(stderr);
    abort();
}
