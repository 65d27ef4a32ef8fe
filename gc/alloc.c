/* gc/alloc.c — allocation: the per-thread fast path, the slow path that takes
 * a page (and may collect), large objects, and the mutator registry.
 *
 * Fast path: GcMutator.tlab[slot] is a page owned by this thread; the next
 * free cell is the next bit set in (cell starts & ~alloc) at or after the
 * page's cursor, found with 64-bit word scans.  No lock, no atomics: the
 * alloc bitmap of an owned page is written by its owner only, and read by the
 * collector only in a pause, after every TLAB is dropped.
 * Slow path: pages_lock, hand the exhausted page back, take another (partly
 * free page first, else a FREE page).  If pacing says a cycle is due, or no
 * page is left, collect first; if still nothing, return NULL.
 * Memory handed out is zeroed: conses always; object cells when their page is
 * dirty (fresh pages come zeroed from mmap); large runs page by page.
 * The registry (registry_lock) lists every mutator so a pause can drop all
 * TLABs. */
#include "gc/gc_impl.h"

#include <string.h>

/* Torture mode: a full collection every cfg.torture_every allocations. */
__attribute__((noinline, cold)) static void torture_tick(GcMutator *m) {
    if (++m->allocs_since_gc >= gc_heap.cfg.torture_every)
        gc_collect(m);
}

#define GC_TORTURE_P() __builtin_expect(gc_heap.cfg.torture_every != 0, 0)

/* Conses: every granule is a cell start, so the free mask is just ~alloc. */
static inline GcWord *take_cons(GcPage *p) {
    for (unsigned w = p->cursor; w < GC_BITMAP_WORDS; w++) {
        uint64_t free = ~p->alloc[w];
        if (free) {
            unsigned b = (unsigned)__builtin_ctzll(free);
            gc_set_alloc_bit(p, w, b);
            p->cursor = (uint16_t)w;
            return (GcWord *)(gc_page_start(p) + ((size_t)(w * 64 + b) << GC_GRANULE_SHIFT));
        }
    }
    p->cursor = GC_BITMAP_WORDS;
    return NULL;
}

static GcPage *acquire_page(unsigned slot, bool allow_pacing) {
    gc_lock_pages();
    bool due = allow_pacing && gc_heap.bytes_since_gc >= gc_heap.trigger_bytes;
    GcPage *p = due ? NULL : gc_page_acquire_locked(slot);
    gc_unlock_pages();
    return p;
}

/* A collection forced by allocation that leaves less than 1/16 of the heap
 * free means the program has run out of memory: report it (NULL) instead of
 * collecting again for every page — near the limit that would cost a full
 * collection per page and look like a hang.  What is left is the reserve in
 * which the storage-condition is signalled and handled; a later collection
 * that frees enough re-arms the check. */
static bool enter_reserve(void) {
    gc_lock_pages();
    bool newly = !gc_heap.in_reserve;
    gc_heap.in_reserve = true;
    gc_unlock_pages();
    return newly;
}

static bool exhausted_after_collect(GcMutator *m) {
    gc_collect(m);
    uint64_t limit = (uint64_t)gc_heap.npages << GC_PAGE_SHIFT;
    bool low = gc_heap.stats.live_bytes + limit / 16 > limit;
    if (low)
        return enter_reserve();  /* reported already: the handler runs in the reserve */
    gc_lock_pages();
    gc_heap.in_reserve = false;
    gc_unlock_pages();
    return false;
}

/* The TLAB page of slot is exhausted: replace it.  NULL: heap limit reached
 * even after a full collection. */
static GcPage *refill(GcMutator *m, unsigned slot) {
    if (gc_heap.hooks.poll)
        gc_heap.hooks.poll(m);  /* a safepoint: a pause may be waiting for this thread */
    if (m->tlab[slot]) {
        gc_lock_pages();
        gc_page_release_locked(m->tlab[slot]);
        gc_unlock_pages();
        m->tlab[slot] = NULL;
    }
    bool concurrent = gc_heap.cfg.concurrent;
    if (concurrent) gc_cycle_pace(m);  /* starts or finishes a concurrent cycle */
    GcPage *p = acquire_page(slot, !concurrent);
    if (!p) {
        if (exhausted_after_collect(m)) return NULL;
        /* now: every TLAB dropped, garbage swept, pacing reset */
        p = acquire_page(slot, false);
        if (!p && enter_reserve()) return NULL;  /* report; the reserve opens */
        if (!p) p = acquire_page(slot, false);
    }
    m->tlab[slot] = p;
    return p;
}

__attribute__((noinline)) static void *alloc_slow(GcMutator *m, unsigned slot) {
    GcPage *p = refill(m, slot);
    if (!p)
        return NULL;
    void *cell = slot == GC_SLOT_CONS ? (void *)take_cons(p) : gc_page_take_cell(p);
    PT_ASSERT(cell != NULL);  /* an acquired page has a free cell */
    return cell;
}

void *gc_alloc_cons(GcMutator *m) {
    if (GC_TORTURE_P())
        torture_tick(m);
    GcPage *p = m->tlab[GC_SLOT_CONS];
    GcWord *c = p ? take_cons(p) : NULL;
    if (__builtin_expect(c == NULL, 0)) {
        c = alloc_slow(m, GC_SLOT_CONS);
        if (!c)
            return NULL;
    }
    c[0] = 0;
    c[1] = 0;
    return c;
}

/* Zero a fresh large run; its pages are this thread's until it returns. */
static void zero_run(GcPage *start) {
    for (size_t k = 0; k < start->run; k++) {
        if (start[k].dirty)
            memset(gc_page_start(&start[k]), 0, GC_PAGE_BYTES);
        start[k].dirty = false;
    }
}

static GcPage *acquire_run(size_t npages, bool allow_pacing) {
    gc_lock_pages();
    bool due = allow_pacing && gc_heap.bytes_since_gc >= gc_heap.trigger_bytes;
    GcPage *p = due ? NULL : gc_large_alloc_locked(npages);
    gc_unlock_pages();
    return p;
}

__attribute__((noinline)) static void *alloc_large(GcMutator *m, size_t bytes) {
    if (bytes > (gc_heap.npages << GC_PAGE_SHIFT))
        return NULL;  /* can never fit; also keeps the rounding below from overflowing */
    size_t npages = (bytes + GC_PAGE_BYTES - 1) >> GC_PAGE_SHIFT;
    bool concurrent = gc_heap.cfg.concurrent;
    if (concurrent) gc_cycle_pace(m);
    GcPage *start = acquire_run(npages, !concurrent);
    if (!start) {
        if (exhausted_after_collect(m)) return NULL;
        start = acquire_run(npages, false);
        if (!start && enter_reserve()) return NULL;
        if (!start) start = acquire_run(npages, false);
    }
    if (!start)
        return NULL;
    zero_run(start);
    return gc_page_start(start);
}

/* Small cells are cleared with plain stores: an inline `rep stos` or a call
 * costs more than the allocation itself.  bytes: a multiple of 16, >= 16. */
static inline void zero_cell(GcWord *w, size_t bytes) {
    if (bytes > 64) {
        memset(w, 0, bytes);
        return;
    }
    w[0] = w[1] = 0;
    if (bytes > 16)
        w[2] = w[3] = 0;
    if (bytes > 32)
        w[4] = w[5] = 0;
    if (bytes > 48)
        w[6] = w[7] = 0;
}

void *gc_alloc(GcMutator *m, size_t bytes) {
    if (GC_TORTURE_P())
        torture_tick(m);
    if (bytes > GC_SMALL_MAX)
        return alloc_large(m, bytes);
    unsigned slot = gc_size_slot[(bytes + 15) >> GC_GRANULE_SHIFT];
    GcPage *p = m->tlab[slot];
    void *cell = p ? gc_page_take_cell(p) : NULL;
    if (__builtin_expect(cell == NULL, 0)) {
        cell = alloc_slow(m, slot);
        if (!cell)
            return NULL;
        p = m->tlab[slot];
    }
    if (p->dirty)  /* at least the header word, so a marker never reads garbage */
        zero_cell(cell, bytes > 16 ? (bytes + 15) & ~(size_t)15 : 16);
    return cell;
}

/* ---- the registry ---- */

void gc_mutator_register(GcMutator *m, void *stack_base) {
    PT_CHECK(gc_heap.initialized, "gc_mutator_register before gc_init");
    memset(m->tlab, 0, sizeof m->tlab);
    m->stack_base = stack_base;
    m->allocs_since_gc = 0;
    m->satb = NULL;
    m->satb_n = m->satb_cap = 0;
    m->barrier_slow_calls = 0;
    m->assist = NULL;
    gc_self_mutator = m;  /* registered by the thread it stands for */
    pthread_mutex_lock(&gc_heap.registry_lock);
    m->next = gc_heap.mutators;
    gc_heap.mutators = m;
    pthread_mutex_unlock(&gc_heap.registry_lock);
}

void gc_mutator_drop_tlabs_locked(GcMutator *m) {
    GC_ASSERT_PAGES_HELD();
    for (unsigned s = 0; s < GC_TLAB_SLOTS; s++) {
        if (m->tlab[s])
            gc_page_release_locked(m->tlab[s]);
        m->tlab[s] = NULL;
    }
}

void gc_mutator_unregister(GcMutator *m) {
    pthread_mutex_lock(&gc_heap.registry_lock);
    GcMutator **link = &gc_heap.mutators;
    while (*link && *link != m)
        link = &(*link)->next;
    PT_CHECK(*link == m, "gc_mutator_unregister: mutator %p is not registered", (void *)m);
    *link = m->next;
    m->next = NULL;
    gc_lock_pages();
    gc_mutator_drop_tlabs_locked(m);
    gc_unlock_pages();
    pthread_mutex_lock(&gc_heap.cycle.lock);
    gc_satb_flush_locked(m);  /* what it logged still counts for a running cycle */
    pthread_mutex_unlock(&gc_heap.cycle.lock);
    gc_barrier_retire_locked(m);
    gc_assist_free(m);
    pthread_mutex_unlock(&gc_heap.registry_lock);
}
