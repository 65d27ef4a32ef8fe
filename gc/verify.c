/* gc/verify.c — the heap verifier.  Walks every allocated cell and checks:
 *   - page bookkeeping: FREE and LARGE_CONT pages have no alloc bits, a
 *     SMALL page's alloc bits sit on cell starts, a continuation page points
 *     back at its run's start, every page on an available list belongs there;
 *   - outside a collection, no mark bit is set;
 *   - an object's header fits its cell or run (and nboxed <= nwords);
 *   - every boxed word tagged as a reference (GC_TAG_CONS, GC_TAG_OBJECT)
 *     points at the start of an allocated cell of the right kind.
 * Each problem is printed to stderr; the count is returned.  Runs with
 * pages_lock held, and with no other mutator running (their TLAB pages are
 * read without their owners' cooperation). */
#include "gc/gc_impl.h"

#include <stdio.h>

static void report(const char *what, uintptr_t at, const char *detail, unsigned long long v) {
    fprintf(stderr, "petrel: gc verify: %s at %p: %s (%#llx)\n", what, (void *)at, detail, v);
}

static const char *why_bad(GcWord w) {
    unsigned tag = (unsigned)(w & GC_TAG_MASK);
    uintptr_t a = (uintptr_t)(w - tag);
    if (!gc_in_heap_p(a))
        return "reference outside the heap";
    const GcPage *p = gc_page_of(a);
    if (p->kind == GC_PAGE_FREE)
        return "reference into a free page";
    if (tag == GC_TAG_CONS && p->kind != GC_PAGE_CONS)
        return "cons reference to a non-cons page";
    if (tag == GC_TAG_OBJECT && p->kind == GC_PAGE_CONS)
        return "object reference to a cons page";
    return "reference to no allocated cell start";
}

static size_t check_word(uintptr_t holder, GcWord w) {
    unsigned tag = (unsigned)(w & GC_TAG_MASK);
    if (tag != GC_TAG_CONS && tag != GC_TAG_OBJECT)
        return 0;
    if (gc_resolve_ref(w))
        return 0;
    report("bad reference in object", holder, why_bad(w), w);
    return 1;
}

static size_t check_object(uintptr_t obj) {
    GcWord h = *(const GcWord *)obj;
    uint64_t n = gc_header_nwords(h), cap = gc_object_capacity_words(obj);
    unsigned b = gc_header_nboxed(h);
    if (n > cap) {
        report("header too big for its cell", obj, "payload words exceed capacity", h);
        return 1;
    }
    if (b != GC_BOXED_ALL && b > n) {
        report("bad header", obj, "boxed prefix longer than payload", h);
        return 1;
    }
    uint64_t nb = b == GC_BOXED_ALL ? n : b;
    size_t bad = 0;
    const GcWord *w = (const GcWord *)obj;
    for (uint64_t i = 1; i <= nb; i++)
        bad += check_word(obj, w[i]);
    return bad;
}

/* Where a page may have alloc bits: cell starts, or granule 0 of a run. */
static uint64_t allowed_alloc(const GcPage *p, unsigned w) {
    switch (p->kind) {
    case GC_PAGE_CONS:
    case GC_PAGE_SMALL:
        return p->starts[w];
    case GC_PAGE_LARGE_START:
        return w == 0 ? 1 : 0;
    default:
        return 0;
    }
}

static size_t check_bitmaps(const GcPage *p) {
    size_t bad = 0;
    for (unsigned w = 0; w < GC_BITMAP_WORDS; w++) {
        /* a concurrent cycle between its pauses has marks (gc/concurrent.c) */
        if (!gc_heap.cycle.active && !gc_page_unswept_locked(p) && p->mark[w]) {
            report("mark bit set outside a collection", (uintptr_t)gc_page_start(p), "page", p->mark[w]);
            bad++;
        }
        uint64_t stray = p->alloc[w] & ~allowed_alloc(p, w);
        if (stray) {
            report("alloc bit not at a cell start", (uintptr_t)gc_page_start(p), "page", stray);
            bad++;
        }
    }
    return bad;
}

static size_t check_cells(const GcPage *p) {
    size_t bad = check_bitmaps(p);
    uintptr_t start = (uintptr_t)gc_page_start(p);
    for (unsigned w = 0; w < GC_BITMAP_WORDS; w++) {
        for (uint64_t bits = p->alloc[w] & p->starts[w]; bits; bits &= bits - 1) {
            uintptr_t cell = start + ((uintptr_t)(w * 64 + (unsigned)__builtin_ctzll(bits))
                                      << GC_GRANULE_SHIFT);
            if (p->kind == GC_PAGE_CONS)
                bad += check_word(cell, ((const GcWord *)cell)[0]) +
                       check_word(cell, ((const GcWord *)cell)[1]);
            else
                bad += check_object(cell);
        }
    }
    return bad;
}

static size_t check_page(size_t i) {
    const GcPage *p = &gc_heap.pages[i];
    uintptr_t at = (uintptr_t)gc_page_start(p);
    switch (p->kind) {
    case GC_PAGE_FREE:
        return check_bitmaps(p);
    case GC_PAGE_CONS:
    case GC_PAGE_SMALL:
        return check_cells(p);
    case GC_PAGE_LARGE_START:
        if (p->run == 0 || i + p->run > gc_heap.npages) {
            report("bad large run", at, "run length", p->run);
            return 1;
        }
        return check_bitmaps(p) +
               (gc_bit_p(p->alloc, 0) ? check_object(at) : 0);
    case GC_PAGE_LARGE_CONT:
        if (p->run == 0 || p->run > i || gc_heap.pages[i - p->run].kind != GC_PAGE_LARGE_START) {
            report("continuation page without a run start", at, "distance", p->run);
            return 1;
        }
        return check_bitmaps(p);
    default:
        report("unknown page kind", at, "kind", p->kind);
        return 1;
    }
}

/* Each queue well formed and ending at its tail, and every page flagged
 * in_avail on one: a flagged page off its queue is never handed out again
 * until the next sweep, and the heap grows instead (a stale tail once lost
 * whole queues that way). */
static size_t check_avail_lists(void) {
    size_t bad = 0, on_lists = 0, flagged = 0;
    for (unsigned s = 0; s < GC_TLAB_SLOTS; s++) {
        size_t n = 0;
        const GcPage *last = NULL;
        for (const GcPage *p = gc_heap.avail[s]; p; last = p, p = p->next) {
            bool ok = p->in_avail && !p->owned && p->slot == s &&
                      (p->kind == (s == GC_SLOT_CONS ? GC_PAGE_CONS : GC_PAGE_SMALL));
            if (!ok || ++n > gc_heap.npages) {
                report("bad page on an available list", (uintptr_t)gc_page_start(p), "slot", s);
                bad++;
                break;
            }
        }
        on_lists += n;
        if (last != gc_heap.avail_tail[s]) {
            report("available list's tail is not its last page", (uintptr_t)gc_heap.avail_tail[s], "slot", s);
            bad++;
        }
    }
    for (size_t i = 0; i < gc_heap.hwm; i++)  /* unswept pages keep a stale flag until swept */
        flagged += gc_heap.pages[i].in_avail && !gc_page_unswept_locked(&gc_heap.pages[i]);
    if (!bad && flagged != on_lists) {
        report("pages flagged available but on no list", 0, "count", flagged - on_lists);
        bad++;
    }
    return bad;
}

size_t gc_verify_heap_locked(void) {
    GC_ASSERT_PAGES_HELD();
    size_t bad = check_avail_lists();
    for (size_t i = 0; i < gc_heap.hwm; i++)
        bad += check_page(i);
    return bad;
}

size_t gc_verify_heap(void) {
    PT_CHECK(gc_heap.initialized, "gc_verify_heap before gc_init");
    pthread_mutex_lock(&gc_heap.collect_lock);
    gc_lock_pages();
    size_t bad = gc_verify_heap_locked();
    gc_unlock_pages();
    pthread_mutex_unlock(&gc_heap.collect_lock);
    return bad;
}

/* With other mutators running: a concurrent cycle and its sweep finish
 * first (their workers write mark bits and page lists), then the verifier
 * runs with the world stopped. */
size_t gc_verify_heap_stopped(GcMutator *self) {
    PT_CHECK(gc_heap.initialized, "gc_verify_heap_stopped before gc_init");
    gc_pause_begin(self);
    if (gc_heap.cfg.concurrent) gc_cycle_finish_stopped(self);
    gc_workers_stop(NULL);
    gc_lock_pages();
    gc_sweep_some_locked(SIZE_MAX);
    size_t bad = gc_verify_heap_locked();
    gc_unlock_pages();
    gc_pause_end(self);
    return bad;
}
