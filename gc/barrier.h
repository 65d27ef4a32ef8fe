/* gc/barrier.h — the write barrier.  Every store of a Lisp value into a heap
 * object goes through gc_store (or gc_init_store for an object that is fresh
 * and not yet visible to anyone but its allocator).
 *
 * The barrier is snapshot-at-the-beginning (Yuasa deletion barrier): while the
 * collector is marking, the value being overwritten is logged so that every
 * object reachable at the start of marking gets marked (gc/concurrent.c).
 * The stop-the-world collection marks inside its pause and never sets
 * gc_marking while mutators run. */
#ifndef PETREL_GC_BARRIER_H
#define PETREL_GC_BARRIER_H

#include <stdatomic.h>
#include "gc/gc.h"

/* atomic, relaxed on the fast path: set in a pause, which orders it for the
 * mutators (they leave the pause through the safepoint lock). */
extern _Atomic int gc_marking;

void gc_barrier_slow(GcWord old_value);

/* Only references are logged: an overwritten immediate (fixnum, character,
 * NIL, ...) loses nothing, so it never leaves the inline path. */
static inline bool gc_barrier_logs(GcWord old) {
    unsigned tag = (unsigned)(old & GC_TAG_MASK);
    return tag == GC_TAG_CONS || tag == GC_TAG_OBJECT;
}

/* The store itself is a release store: an object filled with init stores
 * and then published by gc_store is seen whole by a thread that reads the
 * slot (on x86-64 this is a plain move). */
static inline void gc_store(GcWord *slot, GcWord value) {
    /* acquire: the logged object goes to a mark worker, which then reads
     * it; this pairs with the release that published it (maybe by another
     * thread), so its initialisation happens before that read */
    if (atomic_load_explicit(&gc_marking, memory_order_relaxed)) {
        GcWord old = __atomic_load_n(slot, __ATOMIC_ACQUIRE);
        if (gc_barrier_logs(old)) gc_barrier_slow(old);
    }
    __atomic_store_n(slot, value, __ATOMIC_RELEASE);
}

/* Atomic compare-and-swap of a heap slot (PETREL-THREADS:COMPARE-AND-SWAP,
 * ATOMIC-INCF): *expected is the value the caller believes is there; on
 * failure it gets the value found.  While marking, the expected value is
 * logged first: if the swap succeeds it was the old value (logging it when
 * the swap fails only marks a little more). */
static inline bool gc_cas(GcWord *slot, GcWord *expected, GcWord value) {
    if (atomic_load_explicit(&gc_marking, memory_order_relaxed) && gc_barrier_logs(*expected))
        gc_barrier_slow(*expected);
    return __atomic_compare_exchange_n(slot, expected, value, false, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST);
}

/* Reads a weak word (gc.h: gc_weak_register); gc_weak_keep is the same
 * for a value already read from a weak container (a weak hash table's
 * entry).  While a concurrent mark runs, the value is logged like an
 * overwritten reference: the caller
 * now holds it strongly and may store it anywhere, and the marker might
 * otherwise never reach it (only weak paths lead there) and free it. */
static inline GcWord gc_weak_keep(GcWord v) {
    if (atomic_load_explicit(&gc_marking, memory_order_relaxed) && gc_barrier_logs(v))
        gc_barrier_slow(v);
    return v;
}
static inline GcWord gc_weak_read(const GcWord *word) {
    return gc_weak_keep(__atomic_load_n(word, __ATOMIC_ACQUIRE));
}

/* Initialising store into an object allocated by this thread and not yet
 * published: no old value can be part of the snapshot.  Atomic (relaxed, a
 * plain move): a concurrent marker may already scan the object when a
 * pause fell between its allocation and its initialisation. */
static inline void gc_init_store(GcWord *slot, GcWord value) { __atomic_store_n(slot, value, __ATOMIC_RELAXED); }

#endif
