/* gc/sweep.c — the sweep: after marking, a cell is allocated iff it is
 * marked.  Per page: alloc &= mark, then mark = 0.  A page left empty becomes
 * FREE; a partly used one goes on its class's available list (rebuilt here in
 * address order, so allocation fills low pages first); an unmarked large run
 * is freed.  Cells allocated during a concurrent cycle (GcPage.snapshotted:
 * not in old_alloc) are kept, marked or not.  Computes live bytes and free
 * bytes inside partly used pages.
 * Runs in a pause with pages_lock held; no TLAB owns a page. */
#include "gc/gc_impl.h"

#include <stdio.h>
#include <string.h>

static void sweep_cells(GcPage *p, SweepTotals *t) {
    PT_ASSERT(!p->owned);
    unsigned before = 0, live = 0;
    for (unsigned w = 0; w < GC_BITMAP_WORDS; w++) {
        uint64_t a = p->alloc[w], kept = a & p->mark[w];
        if (p->snapshotted) kept |= a & ~p->old_alloc[w];  /* allocated during a concurrent cycle */
        before += (unsigned)__builtin_popcountll(a);
        live += (unsigned)__builtin_popcountll(kept);
        p->alloc[w] = kept;
        p->mark[w] = 0;
    }
    p->snapshotted = false;
    p->in_avail = false;
    p->next = NULL;
    p->cursor = 0;
    if (live < before)
        p->dirty = true;  /* freed cells keep their old contents */
    t->freed_bytes += (uint64_t)(before - live) * p->cell_bytes;
    if (live == 0) {
        gc_page_free_locked(p);
        return;
    }
    t->live_bytes += (uint64_t)live * p->cell_bytes;
    if (live < p->ncells) {
        t->free_in_pages += (uint64_t)(p->ncells - live) * p->cell_bytes;
        gc_avail_append_locked(p);
    }
}

static void sweep_large(GcPage *p, SweepTotals *t) {
    bool born_during_cycle = p->snapshotted;
    p->snapshotted = false;
    if (!gc_bit_p(p->mark, 0) && !born_during_cycle) {
        t->freed_bytes += (uint64_t)p->run << GC_PAGE_SHIFT;
        gc_large_free_locked(p);
        return;
    }
    gc_bit_clear(p->mark, 0);
    t->live_bytes += (uint64_t)p->run << GC_PAGE_SHIFT;
}

/* A sweep may run in steps (a concurrent cycle sweeps after its last pause,
 * while mutators allocate): pages below sweep.next are swept and on the
 * available lists; the others are not handed out (not on a list, not
 * FREE) until swept.  Every step holds pages_lock. */
void gc_sweep_begin_locked(void) {
    GC_ASSERT_PAGES_HELD();
    GcSweep *sw = &gc_heap.sweep;
    memset(&sw->totals, 0, sizeof sw->totals);
    /* Every page on a queue now is swept below (unowned, in use, under
     * end), which clears its in_avail first. */
    gc_avail_clear_locked();
    sw->next = 0;
    sw->end = gc_heap.hwm;
    sw->active = true;
    /* Only the pages in use now: a FREE page a mutator takes during the
     * sweep is its own, not the sweep's (taking one stamps the new epoch:
     * heap.c).  No loop over the pages here: this runs in pause 2, and a
     * 1.4 GB heap's 22,000 page headers took 0.7 ms to touch. */
    sw->epoch++;
}

bool gc_page_unswept_locked(const GcPage *p) {
    const GcSweep *sw = &gc_heap.sweep;
    return sw->active && p->swept_epoch != sw->epoch && gc_page_index(p) < sw->end &&
           (p->kind == GC_PAGE_CONS || p->kind == GC_PAGE_SMALL || p->kind == GC_PAGE_LARGE_START);
}

bool gc_sweep_some_locked(size_t npages) {
    GC_ASSERT_PAGES_HELD();
    GcSweep *sw = &gc_heap.sweep;
    for (; sw->active && npages && sw->next < sw->end; npages--) {
        GcPage *p = &gc_heap.pages[sw->next++];
        if (!gc_page_unswept_locked(p))
            continue;
        p->swept_epoch = sw->epoch;
        if (p->kind == GC_PAGE_CONS || p->kind == GC_PAGE_SMALL)
            sweep_cells(p, &sw->totals);
        else
            sweep_large(p, &sw->totals);
    }
    if (sw->active && sw->next >= sw->end) {
        /* now: allocated == marked (or born during the cycle), mark bits clear */
        sw->active = false;
        gc_heap.stats.live_bytes = sw->totals.live_bytes;
        gc_heap.stats.free_bytes_in_pages = sw->totals.free_in_pages;
        gc_heap.stats.last_freed_bytes = sw->totals.freed_bytes;
        gc_pace_from_live_locked(sw->totals.live_bytes);
        gc_release_free_pages_locked(GC_RELEASE_BATCH_PAGES);
        if (sw->log_when_done)
            fprintf(stderr, "petrel: gc %llu swept: freed %llu KiB, live %llu KiB, heap %llu KiB\n",
                    (unsigned long long)sw->cycle, (unsigned long long)(sw->totals.freed_bytes >> 10),
                    (unsigned long long)(sw->totals.live_bytes >> 10),
                    (unsigned long long)(((uint64_t)gc_heap.pages_in_use << GC_PAGE_SHIFT) >> 10));
        sw->log_when_done = false;
    }
    return sw->active;
}

void gc_sweep_locked(void) {
    gc_sweep_begin_locked();
    gc_sweep_some_locked(SIZE_MAX);
}
