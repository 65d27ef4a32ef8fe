/* gc/barrier.c — the out-of-line half of the write barrier (gc/barrier.h).
 *
 * gc_marking is set only while a concurrent cycle marks (gc/concurrent.c):
 * then gc_barrier_slow pushes old_value (when it is a reference) onto the
 * calling thread's SATB log buffer, and full buffers go to the marker.  The
 * stop-the-world cycle marks inside its pause, so gc_marking stays 0 there;
 * tests set the flag by hand to exercise the slow path. */
#include "gc/barrier.h"

#include "gc/gc_impl.h"

_Atomic int gc_marking = 0;

/* atomic, relaxed: a statistic, read by gc_get_stats. */
static _Atomic uint64_t slow_calls;

void gc_barrier_slow(GcWord old_value) {
    PT_ASSERT(atomic_load_explicit(&gc_marking, memory_order_relaxed));
    atomic_fetch_add_explicit(&slow_calls, 1, memory_order_relaxed);
    /* Logged for a concurrent cycle; with no world hooks (gc's own tests set
     * gc_marking by hand) there is no cycle to log for. */
    if (gc_heap.hooks.current) gc_satb_log(gc_heap.hooks.current(), old_value);
}

uint64_t gc_barrier_slow_count(void) {
    return atomic_load_explicit(&slow_calls, memory_order_relaxed);
}
