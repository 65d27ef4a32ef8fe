/* gc/heap.c — the dynamic space: reserving it, size classes, handing pages to
 * TLABs and taking them back, and runs of pages for large objects.
 *
 * Invariants kept here (see gc_impl.h for the page kinds):
 *   - a FREE page has clear alloc and mark bitmaps and is on no list;
 *   - no FREE page lies below free_hint; no page at or above hwm was ever used;
 *   - a page is on avail[slot] only if it is unowned and of that slot, and
 *     then in_avail is set; avail_tail[slot] is the queue's last page;
 *   - pages_in_use counts the pages that are not FREE.
 * Everything here runs under pages_lock (functions ending in _locked), taken by
 * mutators on their allocation slow path and by the collector in a pause. */
#include "gc/gc_impl.h"

#include <string.h>
#include <sys/mman.h>

GcHeap gc_heap;

uint32_t gc_slot_bytes[GC_TLAB_SLOTS];
uint8_t gc_size_slot[GC_SMALL_MAX / 16 + 1];
static uint64_t slot_starts[GC_TLAB_SLOTS][GC_BITMAP_WORDS];

/* Object classes: 16..256 step 16, then four coarser bands up to 8 KiB,
 * then a page split in 7, 6, 5, 4, 3 and 2 (rounded down to granules): an
 * object of 8-32 KiB wastes at most a sixth of its cell, where a page run
 * of its own wasted up to 7/8 of 64 KiB (the soak's strings and vectors of
 * that size made a third of the heap free space). */
static const uint32_t coarse_classes[] = {
    288, 320, 352, 384, 416, 448, 480, 512,
    576, 640, 704, 768, 832, 896, 960, 1024,
    1152, 1280, 1408, 1536, 1664, 1792, 1920, 2048,
    2560, 3072, 3584, 4096, 5120, 6144, 8192,
    9360, 10912, 13104, 16384, 21840, 32768,
};
_Static_assert(1 + 16 + sizeof coarse_classes / sizeof coarse_classes[0] == GC_TLAB_SLOTS,
               "one TLAB slot per size class plus conses");

static void fill_starts(unsigned slot) {
    unsigned step = gc_slot_bytes[slot] >> GC_GRANULE_SHIFT;
    for (unsigned g = 0; g + step <= GC_GRANULES_PER_PAGE; g += step)
        gc_bit_set(slot_starts[slot], g);
}

void gc_size_classes_init(void) {
    gc_slot_bytes[GC_SLOT_CONS] = 16;
    for (unsigned s = 1; s <= 16; s++)
        gc_slot_bytes[s] = 16 * s;
    for (unsigned i = 0; i < sizeof coarse_classes / sizeof coarse_classes[0]; i++)
        gc_slot_bytes[17 + i] = coarse_classes[i];
    memset(slot_starts, 0, sizeof slot_starts);
    for (unsigned s = 0; s < GC_TLAB_SLOTS; s++)
        fill_starts(s);
    unsigned slot = 1;
    for (unsigned g = 0; g <= GC_SMALL_MAX / 16; g++) {
        while (gc_slot_bytes[slot] < g * 16)
            slot++;
        gc_size_slot[g] = (uint8_t)slot;
    }
}

const uint64_t *gc_slot_starts(unsigned slot) { return slot_starts[slot]; }

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000
#endif

/* The region at exactly hint (page aligned), or NULL if that range is busy.
 * A kernel without MAP_FIXED_NOREPLACE treats it as a plain hint. */
static char *reserve_at(void *hint, size_t bytes, int prot, int flags) {
    if (!hint || ((uintptr_t)hint & (GC_PAGE_BYTES - 1)))
        return NULL;
    char *p = mmap(hint, bytes, prot, flags | MAP_FIXED_NOREPLACE, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    if (p != hint) {
        munmap(p, bytes);
        return NULL;
    }
    return p;
}

/* The region is aligned to a page so that a granule index is the low bits.
 * It goes at hint when that range is free (core images need a fixed base). */
void gc_heap_reserve(size_t limit_bytes, void *hint) {
    size_t npages = limit_bytes >> GC_PAGE_SHIFT;
    if (npages == 0)
        npages = 1;
    size_t bytes = npages << GC_PAGE_SHIFT;
    int prot = PROT_READ | PROT_WRITE, flags = MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE;
    char *fixed = reserve_at(hint, bytes, prot, flags);
    char *raw = fixed ? fixed : mmap(NULL, bytes + GC_PAGE_BYTES, prot, flags, -1, 0);
    PT_CHECK(raw != MAP_FAILED, "cannot reserve a heap of %zu bytes", bytes);
    char *base = (char *)(((uintptr_t)raw + GC_PAGE_BYTES - 1) & ~(uintptr_t)(GC_PAGE_BYTES - 1));
    if (!fixed) {
        if (base > raw)
            munmap(raw, (size_t)(base - raw));
        size_t tail = (size_t)(raw + GC_PAGE_BYTES - base);
        if (tail)
            munmap(base + bytes, tail);
    }
    void *table = mmap(NULL, npages * sizeof(GcPage), prot, flags, -1, 0);
    PT_CHECK(table != MAP_FAILED, "cannot reserve a page table for %zu pages", npages);
    gc_heap.base = base;
    gc_heap.npages = npages;
    gc_heap.pages = table;
    gc_heap.hwm = 0;
    gc_heap.free_hint = 0;
    gc_heap.pages_in_use = 0;
    memset(gc_heap.avail, 0, sizeof gc_heap.avail);
}

void gc_heap_release(void) {
    if (gc_heap.base) {
        munmap(gc_heap.base, gc_heap.npages << GC_PAGE_SHIFT);
        munmap(gc_heap.pages, gc_heap.npages * sizeof(GcPage));
    }
    gc_heap.base = NULL;
    gc_heap.pages = NULL;
    gc_heap.npages = 0;
}

void gc_lock_pages(void) {
    pthread_mutex_lock(&gc_heap.pages_lock);
    atomic_store_explicit(&gc_heap.pages_owner, (uintptr_t)pthread_self(), memory_order_relaxed);
}

void gc_unlock_pages(void) {
    atomic_store_explicit(&gc_heap.pages_owner, 0, memory_order_relaxed);
    pthread_mutex_unlock(&gc_heap.pages_lock);
}

/* Only the owner ever stores its own id, so a relaxed load can trust equality. */
bool gc_pages_held_p(void) {
    return atomic_load_explicit(&gc_heap.pages_owner, memory_order_relaxed) ==
           (uintptr_t)pthread_self();
}

unsigned gc_page_free_cells(const GcPage *p) {
    unsigned n = 0;
    for (unsigned w = 0; w < GC_BITMAP_WORDS; w++)
        n += (unsigned)__builtin_popcountll(p->starts[w] & ~p->alloc[w]);
    return n;
}

/* FREE pages kept back for signalling and handling heap exhaustion: handed
 * out only once exhaustion has been reported (gc_heap.in_reserve). */
static size_t reserve_pages_locked(void) {
    if (gc_heap.in_reserve) return 0;
    size_t r = gc_heap.npages / 32;
    return r < 4 ? 4 : r;
}

static GcPage *take_free_page_locked(void) {
    if (gc_heap.pages_in_use + reserve_pages_locked() >= gc_heap.npages)
        return NULL;
    size_t i = gc_heap.free_hint;
    while (i < gc_heap.hwm && gc_heap.pages[i].kind != GC_PAGE_FREE)
        i++;
    if (i == gc_heap.npages)
        return NULL;
    if (i == gc_heap.hwm)
        gc_heap.hwm++;
    gc_heap.free_hint = i + 1;
    gc_heap.pages_in_use++;
    return &gc_heap.pages[i];
}

void gc_avail_clear_locked(void) {
    memset(gc_heap.avail, 0, sizeof gc_heap.avail);
    memset(gc_heap.avail_tail, 0, sizeof gc_heap.avail_tail);
}

void gc_avail_append_locked(GcPage *p) {
    PT_ASSERT(!p->in_avail && !p->owned);
    p->in_avail = true;
    p->next = NULL;
    if (gc_heap.avail_tail[p->slot])
        gc_heap.avail_tail[p->slot]->next = p;
    else
        gc_heap.avail[p->slot] = p;
    gc_heap.avail_tail[p->slot] = p;
}

static void avail_push_locked(GcPage *p) {
    p->in_avail = true;
    p->next = gc_heap.avail[p->slot];
    if (!p->next)
        gc_heap.avail_tail[p->slot] = p;
    gc_heap.avail[p->slot] = p;
}

static GcPage *avail_pop_locked(unsigned slot) {
    GcPage *p = gc_heap.avail[slot];
    if (!p)
        return NULL;
    gc_heap.avail[slot] = p->next;
    if (!p->next)
        gc_heap.avail_tail[slot] = NULL;
    p->next = NULL;
    p->in_avail = false;
    return p;
}

static void format_page(GcPage *p, unsigned slot) {
    gc_set_page_kind(p, slot == GC_SLOT_CONS ? GC_PAGE_CONS : GC_PAGE_SMALL);
    p->swept_epoch = gc_heap.sweep.epoch;  /* taken during a sweep: not the sweep's */
    p->slot = (uint8_t)slot;
    p->cell_bytes = gc_slot_bytes[slot];
    p->ncells = GC_PAGE_BYTES / p->cell_bytes;
    p->starts = slot_starts[slot];
}

/* A page with a free cell for a TLAB: a partly used one first, else a FREE
 * one.  NULL when the heap limit is reached. */
GcPage *gc_page_acquire_locked(unsigned slot) {
    GC_ASSERT_PAGES_HELD();
    /* A sweep in progress (after a concurrent cycle): help it before taking
     * a FREE page (which grows the heap while unswept pages may have room),
     * 16 pages at a time up to 512 (well under a millisecond). */
    for (int help = 0; help < 32 && !gc_heap.avail[slot] && gc_sweep_some_locked(16); help++) {
    }
    GcPage *p = avail_pop_locked(slot);
    if (!p) {
        p = take_free_page_locked();
        if (!p)
            return NULL;
        format_page(p, slot);
    }
    PT_ASSERT(!p->owned && p->slot == slot);
    if (gc_heap.cycle.active && !p->snapshotted) {
        memcpy(p->old_alloc, p->alloc, sizeof p->old_alloc);  /* what existed at the snapshot */
        p->snapshotted = true;
    }
    p->owned = true;
    p->cursor = 0;
    p->free_at_take = gc_page_free_cells(p);
    gc_heap.bytes_since_gc += (uint64_t)p->free_at_take * p->cell_bytes;
    return p;
}

/* p leaves its TLAB: count what was allocated in it; keep it findable if it
 * still has room (a sweep rebuilds the lists anyway). */
void gc_page_release_locked(GcPage *p) {
    GC_ASSERT_PAGES_HELD();
    PT_ASSERT(p->owned);
    unsigned free_now = gc_page_free_cells(p);
    PT_ASSERT(free_now <= p->free_at_take);
    gc_heap.stats.bytes_allocated_total += (uint64_t)(p->free_at_take - free_now) * p->cell_bytes;
    p->owned = false;
    if (free_now && !p->in_avail)
        avail_push_locked(p);
}

/* An unowned page with no allocated cell becomes FREE; it is on no list
 * (the sweep calls this before rebuilding the lists). */
void gc_page_free_locked(GcPage *p) {
    GC_ASSERT_PAGES_HELD();
    PT_ASSERT(!p->owned && !p->in_avail);
    memset(p->alloc, 0, sizeof p->alloc);
    memset(p->mark, 0, sizeof p->mark);
    gc_set_page_kind(p, GC_PAGE_FREE);
    p->dirty = true;
    p->resident = true;
    p->free_since = gc_heap.stats.collections;
    p->next = NULL;
    gc_heap.pages_in_use--;
    size_t i = gc_page_index(p);
    if (i < gc_heap.free_hint)
        gc_heap.free_hint = i;
}

/* The first index >= from where n FREE pages follow, or npages. */
static size_t find_run_locked(size_t from, size_t n) {
    size_t i = from;
    while (i + n <= gc_heap.npages) {
        size_t j = 0;
        while (j < n && gc_heap.pages[i + j].kind == GC_PAGE_FREE)
            j++;
        if (j == n)
            return i;
        i += j + 1;
    }
    return gc_heap.npages;
}

/* A first-fit run of n FREE pages for one large object, or NULL.  The run's
 * dirty flags are left for the allocating thread, which owns the run until it
 * returns the object. */
GcPage *gc_large_alloc_locked(size_t n) {
    GC_ASSERT_PAGES_HELD();
    if (gc_heap.pages_in_use + n + reserve_pages_locked() > gc_heap.npages)
        return NULL;
    size_t i = n ? find_run_locked(gc_heap.free_hint, n) : gc_heap.npages;
    if (i >= gc_heap.npages)
        return NULL;
    for (size_t k = 0; k < n; k++) {
        GcPage *p = &gc_heap.pages[i + k];
        gc_set_page_kind(p, k ? GC_PAGE_LARGE_CONT : GC_PAGE_LARGE_START);
        p->swept_epoch = gc_heap.sweep.epoch;  /* made during a sweep: not the sweep's */
        p->run = k ? (uint32_t)k : (uint32_t)n;
    }
    if (i + n > gc_heap.hwm)
        gc_heap.hwm = i + n;
    if (i == gc_heap.free_hint)
        gc_heap.free_hint = i + n;
    gc_heap.pages_in_use += n;
    gc_heap.bytes_since_gc += (uint64_t)n << GC_PAGE_SHIFT;
    gc_heap.stats.bytes_allocated_total += (uint64_t)n << GC_PAGE_SHIFT;
    gc_heap.stats.large_objects++;
    GcPage *start = &gc_heap.pages[i];
    gc_set_alloc_bit(start, 0, 0);
    if (gc_heap.cycle.active) {  /* born during a concurrent cycle: kept by its sweep */
        memset(start->old_alloc, 0, sizeof start->old_alloc);
        start->snapshotted = true;
    }
    return start;
}

void gc_large_free_locked(GcPage *start) {
    GC_ASSERT_PAGES_HELD();
    PT_ASSERT(start->kind == GC_PAGE_LARGE_START);
    size_t n = start->run, i = gc_page_index(start);
    for (size_t k = 0; k < n; k++) {
        GcPage *p = &gc_heap.pages[i + k];
        memset(p->alloc, 0, sizeof p->alloc);
        memset(p->mark, 0, sizeof p->mark);
        gc_set_page_kind(p, GC_PAGE_FREE);
        p->run = 0;
        p->dirty = true;
        p->resident = true;
        p->free_since = gc_heap.stats.collections;
    }
    gc_heap.pages_in_use -= n;
    gc_heap.stats.large_objects--;
    if (i < gc_heap.free_hint)
        gc_heap.free_hint = i;
}

/* Memory of pages that stay FREE goes back to the OS, so a heap that shrank
 * shrinks in RSS too (stress/soak).  Only pages free since before the last
 * collection: a page freed by this one is likely reused soon, and giving it
 * back would cost a page fault per 4 KiB on reuse.  MADV_DONTNEED: the next
 * touch gets zeroes (anonymous memory) or the core file's bytes (pages
 * mapped from an image), so the page is marked dirty and cells are zeroed
 * when handed out, as for any reused page.  Contiguous pages go in one call. */
size_t gc_release_free_pages_locked(size_t max_pages) {
    GC_ASSERT_PAGES_HELD();
    size_t released = 0, i = 0;
    uint64_t now = gc_heap.stats.collections;
    while (i < gc_heap.hwm && released < max_pages) {
        size_t start = i;
        while (i < gc_heap.hwm && released + (i - start) < max_pages) {
            GcPage *p = &gc_heap.pages[i];
            if (p->kind != GC_PAGE_FREE || !p->resident || p->free_since >= now) break;
            i++;
        }
        if (i == start) { i++; continue; }
        if (madvise(gc_page_start(&gc_heap.pages[start]), (i - start) << GC_PAGE_SHIFT, MADV_DONTNEED) == 0) {
            for (size_t k = start; k < i; k++) {
                gc_heap.pages[k].resident = false;
                gc_heap.pages[k].dirty = true;
            }
            released += i - start;
        }
    }
    gc_heap.stats.bytes_released_total += (uint64_t)released << GC_PAGE_SHIFT;
    return released;
}
