/* gc/weak.c — weak references: words the marker does not trace, cleared at
 * the end of a mark when what they refer to did not survive it.
 *
 * A weak word lives in a heap object (its holder) outside the holder's
 * boxed prefix, so no marker ever follows it.  The holder registers it once
 * (gc_weak_register).  At the end of every mark — in the stop-the-world
 * pause, or in a concurrent cycle's pause 2 after the final drain — each
 * registration is checked with the world stopped:
 *   holder dead      the registration is dropped;
 *   referent dead    the word becomes the registration's `broken` value;
 *   otherwise        kept.
 * "Dead" is what the sweep that follows will free: not marked, and not
 * allocated during the concurrent cycle (snapshotted pages keep those).
 *
 * Concurrent marking needs one more rule: a weak word read while marking
 * hands the mutator a strong reference to an object the marker may never
 * reach (only weak paths lead to it); the mutator could store it anywhere.
 * gc_weak_read (barrier.h) logs the value it returns like an overwritten
 * reference, so it is marked in this cycle.
 *
 * The registry is an array under weak_lock: registration is rare (one per
 * weak object) and processing runs only in a pause.
 *
 * Containers whose entries live or die together (weak hash tables: an
 * entry of a :key table keeps its value while the key lives) are the
 * higher layer's: its hook runs first in the same pause and asks
 * gc_survives, marks with gc_mark_more until nothing changes (ephemeron
 * semantics), then removes the dead entries. */
#include "gc/barrier.h"
#include "gc/gc_impl.h"

#include <stdlib.h>

typedef struct WeakRef {
    uintptr_t holder;  /* cell start of the holding object */
    GcWord *word;
    GcWord broken;
} WeakRef;

static pthread_mutex_t weak_lock = PTHREAD_MUTEX_INITIALIZER;
static WeakRef *refs;         /* guarded by weak_lock */
static size_t nrefs, caprefs; /* guarded by weak_lock */

void gc_weak_register(GcWord holder, GcWord *word, GcWord broken) {
    uintptr_t cell = gc_resolve_ref(holder);
    PT_CHECK(cell != 0, "gc_weak_register: %#llx is not a heap object", (unsigned long long)holder);
    pthread_mutex_lock(&weak_lock);
    if (nrefs == caprefs) {
        size_t cap = caprefs ? caprefs * 2 : 64;
        WeakRef *r = realloc(refs, cap * sizeof *r);
        PT_CHECK(r != NULL, "out of memory registering a weak reference");
        refs = r, caprefs = cap;
    }
    refs[nrefs++] = (WeakRef){cell, word, broken};
    pthread_mutex_unlock(&weak_lock);
}

/* True when the sweep after this mark keeps the cell. */
static bool survives(uintptr_t cell) {
    GcPage *p = gc_page_of(cell);
    unsigned g = gc_granule_of(cell);
    if (gc_bit_p(p->mark, g)) return true;
    if (!p->snapshotted) return false;
    return p->kind == GC_PAGE_LARGE_START || !gc_bit_p(p->old_alloc, g);  /* born during the cycle */
}

/* ---- weak containers of the higher layers (weak hash tables) ---- */

static GcWeakHook weak_hook;  /* set once at startup */

void gc_set_weak_hook(GcWeakHook fn) { weak_hook = fn; }

bool gc_marked_now(GcWord w) {
    uintptr_t cell = gc_resolve_ref(w);
    if (!cell) return true;  /* not a heap reference: never collected */
    GcPage *p = gc_page_of(cell);
    unsigned g = gc_granule_of(cell);
    return (__atomic_load_n(&p->mark[g >> 6], __ATOMIC_RELAXED) >> (g & 63)) & 1;
}

bool gc_survives(GcWord w) {
    GC_ASSERT_PAGES_HELD();
    uintptr_t cell = gc_resolve_ref(w);
    return cell == 0 || survives(cell);
}

void gc_mark_more(GcWord w) {
    GC_ASSERT_PAGES_HELD();
    gc_mark_word(&gc_heap.marker, w);
    gc_mark_complete(&gc_heap.marker);
}

size_t gc_weak_process_locked(void) {
    GC_ASSERT_PAGES_HELD();
    /* the containers first: keeping an entry may mark more, which the weak
     * words below then see */
    if (weak_hook) weak_hook();
    size_t broken = 0, kept = 0;
    pthread_mutex_lock(&weak_lock);
    for (size_t i = 0; i < nrefs; i++) {
        WeakRef r = refs[i];
        if (!survives(r.holder)) continue;  /* dropped with its holder */
        uintptr_t target = gc_resolve_ref(*r.word);
        if (target && !survives(target)) {
            __atomic_store_n(r.word, r.broken, __ATOMIC_RELAXED);
            broken++;
        }
        refs[kept++] = r;
    }
    nrefs = kept;
    pthread_mutex_unlock(&weak_lock);
    return broken;
}

size_t gc_weak_count(void) {
    pthread_mutex_lock(&weak_lock);
    size_t n = nrefs;
    pthread_mutex_unlock(&weak_lock);
    return n;
}

/* gc_shutdown (tests): a fresh heap has no weak references. */
void gc_weak_forget(void) {
    pthread_mutex_lock(&weak_lock);
    free(refs);
    refs = NULL;
    nrefs = caprefs = 0;
    pthread_mutex_unlock(&weak_lock);
}
