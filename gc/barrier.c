/* gc/barrier.c — the out-of-line half of the write barrier (gc/barrier.h).
 *
 * gc_marking is set only while a concurrent collector marks.  The collector
 * of this issue is stop-the-world: marking happens entirely inside a pause,
 * so gc_marking stays 0 and the slow path is never taken by a mutator; tests
 * set the flag by hand to exercise it.
 * The concurrent-collector issue makes gc_barrier_slow push old_value (when
 * it is a reference) onto the calling thread's SATB log buffer, handing full
 * buffers to the marker; the assertion and the counter stay. */
#include "gc/barrier.h"

#include "gc/gc_impl.h"

_Atomic int gc_marking = 0;

/* atomic, relaxed: a statistic, read by gc_get_stats. */
static _Atomic uint64_t slow_calls;

void gc_barrier_slow(GcWord old_value) {
    PT_ASSERT(atomic_load_explicit(&gc_marking, memory_order_relaxed));
    atomic_fetch_add_explicit(&slow_calls, 1, memory_order_relaxed);
    (void)old_value;  /* logged to the SATB buffer by the concurrent collector */
}

uint64_t gc_barrier_slow_count(void) {
    return atomic_load_explicit(&slow_calls, memory_order_relaxed);
}
