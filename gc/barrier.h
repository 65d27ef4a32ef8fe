/* gc/barrier.h — the write barrier.  Every store of a Lisp value into a heap
 * object goes through gc_store (or gc_init_store for an object that is fresh
 * and not yet visible to anyone but its allocator).
 *
 * The barrier is snapshot-at-the-beginning (Yuasa deletion barrier): while the
 * collector is marking, the value being overwritten is logged so that every
 * object reachable at the start of marking gets marked.  The collector in this
 * issue is stop-the-world, so gc_marking is never set while mutators run; the
 * fast path is already the one the concurrent collector will use. */
#ifndef PETREL_GC_BARRIER_H
#define PETREL_GC_BARRIER_H

#include <stdatomic.h>
#include "gc/gc.h"

/* atomic, relaxed on the fast path: set in a pause, which orders it for the
 * mutators (they leave the pause through the safepoint lock). */
extern _Atomic int gc_marking;

void gc_barrier_slow(GcWord old_value);

static inline void gc_store(GcWord *slot, GcWord value) {
    if (atomic_load_explicit(&gc_marking, memory_order_relaxed))
        gc_barrier_slow(*slot);
    *slot = value;
}

/* Initialising store into an object allocated by this thread and not yet
 * published: no old value can be part of the snapshot. */
static inline void gc_init_store(GcWord *slot, GcWord value) { *slot = value; }

#endif
