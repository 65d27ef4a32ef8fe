/* gc/barrier.c — the out-of-line half of the write barrier (gc/barrier.h).
 *
 * gc_marking is set only while a concurrent cycle marks (gc/concurrent.c):
 * then gc_barrier_slow pushes old_value (a reference: barrier.h filters)
 * onto the calling thread's SATB log buffer, and full buffers go to the
 * marker.  The stop-the-world cycle marks inside its pause, so gc_marking
 * stays 0 there; tests set the flag by hand to exercise the slow path.
 *
 * The slow path runs for every reference overwritten while marking (and
 * for a whole run under PETREL_GC_FORCE_BARRIER), so it stays lean: the
 * thread's mutator from a thread-local, its count in a field only it
 * writes, no locked instruction. */
#include "gc/barrier.h"

#include "gc/gc_impl.h"

_Atomic int gc_marking = 0;

/* The mutator registered by this thread (alloc.c: gc_mutator_register). */
_Thread_local GcMutator *gc_self_mutator;

/* Slow-path calls of unregistered mutators and of threads without one;
 * guarded by being atomic (relaxed: a statistic). */
static _Atomic uint64_t slow_calls_elsewhere;

void gc_barrier_slow(GcWord old_value) {
    PT_ASSERT(atomic_load_explicit(&gc_marking, memory_order_relaxed));
    GcMutator *m = gc_self_mutator;
    if (!m) {
        atomic_fetch_add_explicit(&slow_calls_elsewhere, 1, memory_order_relaxed);
        return;
    }
    __atomic_store_n(&m->barrier_slow_calls, __atomic_load_n(&m->barrier_slow_calls, __ATOMIC_RELAXED) + 1,
                     __ATOMIC_RELAXED);
    /* Logged for a concurrent cycle; with no world hooks (gc's own tests set
     * gc_marking by hand) there is no cycle to log for. */
    if (gc_heap.hooks.current) gc_satb_log(m, old_value);
}

/* A mutator leaving keeps its count (registry lock held). */
void gc_barrier_retire_locked(GcMutator *m) {
    atomic_fetch_add_explicit(&slow_calls_elsewhere, __atomic_load_n(&m->barrier_slow_calls, __ATOMIC_RELAXED),
                              memory_order_relaxed);
    if (gc_self_mutator == m) gc_self_mutator = NULL;
}

uint64_t gc_barrier_slow_count(void) {
    pthread_mutex_lock(&gc_heap.registry_lock);
    uint64_t n = atomic_load_explicit(&slow_calls_elsewhere, memory_order_relaxed);
    for (GcMutator *m = gc_heap.mutators; m; m = m->next) n += __atomic_load_n(&m->barrier_slow_calls, __ATOMIC_RELAXED);
    pthread_mutex_unlock(&gc_heap.registry_lock);
    return n;
}
