/* gc/image.c — the heap part of a core image: saving the page table and the
 * pages up to the high-water mark, and restoring them into a fresh heap
 * reserved at the same base address (so every tagged pointer in the pages
 * stays valid without relocation).
 *
 * File layout (offsets chosen by the caller, lisp/image.c):
 *   at table_off: hwm records of ImagePage (kind, slot, dirty, run, alloc bitmap);
 *   at data_off (64 KiB aligned): hwm pages of raw contents, page 0 first.
 * Mark bitmaps are not saved: outside a collection they are all clear.
 * Loading maps the pages MAP_PRIVATE|MAP_FIXED from the file over the
 * reserved region, so startup touches only the pages it reads; the first
 * write to a page copies it.  Avail lists, counters and free_hint are
 * rebuilt from the table as the sweep would.
 *
 * Runs with one mutator and no collection in progress: saving from the only
 * thread (the builder or save-lisp-and-die), loading before anything is
 * allocated.  Takes pages_lock around the table walk all the same. */
#include "gc/gc_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

typedef struct ImagePage {
    uint8_t kind, slot, dirty, pad;
    uint32_t run;
    uint64_t alloc[GC_BITMAP_WORDS];
} ImagePage;

void *gc_heap_base(void) { return gc_heap.base; }
size_t gc_heap_npages(void) { return gc_heap.npages; }

static void each_in_page(GcPage *p, GcObjectVisitor fn, void *data) {
    char *start = gc_page_start(p);
    if (p->kind == GC_PAGE_LARGE_START) {
        if (gc_bit_p(p->alloc, 0))
            fn((GcWord *)start, data);
        return;
    }
    for (unsigned w = 0; w < GC_BITMAP_WORDS; w++)
        for (uint64_t bits = p->alloc[w]; bits; bits &= bits - 1) {
            unsigned g = w * 64 + (unsigned)__builtin_ctzll(bits);
            fn((GcWord *)(start + ((size_t)g << GC_GRANULE_SHIFT)), data);
        }
}

void gc_each_object(GcObjectVisitor fn, void *data) {
    gc_lock_pages();
    size_t hwm = gc_heap.hwm;
    gc_unlock_pages();
    /* The visitor may not allocate, so the table below hwm stays put. */
    for (size_t i = 0; i < hwm; i++) {
        GcPage *p = &gc_heap.pages[i];
        if (p->kind == GC_PAGE_SMALL || p->kind == GC_PAGE_LARGE_START)
            each_in_page(p, fn, data);
    }
}

bool gc_image_pwrite_all(int fd, const void *buf, size_t n, uint64_t off) {
    const char *b = buf;
    while (n) {
        ssize_t k = pwrite(fd, b, n, (off_t)off);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return false;
        b += k, n -= (size_t)k, off += (uint64_t)k;
    }
    return true;
}

static bool read_all(int fd, void *buf, size_t n, uint64_t off) {
    char *b = buf;
    while (n) {
        ssize_t k = pread(fd, b, n, (off_t)off);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) return false;
        b += k, n -= (size_t)k, off += (uint64_t)k;
    }
    return true;
}

bool gc_image_write(int fd, GcMutator *self, uint64_t table_off, uint64_t *data_off, uint64_t *hwm_out) {
    gc_lock_pages();
    gc_mutator_drop_tlabs_locked(self);
    /* now: no page is owned, so the table is the whole allocation state */
    size_t hwm = gc_heap.hwm;
    ImagePage *t = calloc(hwm ? hwm : 1, sizeof *t);
    PT_CHECK(t != NULL, "out of memory writing a core's page table");
    for (size_t i = 0; i < hwm; i++) {
        const GcPage *p = &gc_heap.pages[i];
        t[i] = (ImagePage){.kind = p->kind, .slot = p->slot, .dirty = p->dirty, .run = p->run};
        memcpy(t[i].alloc, p->alloc, sizeof t[i].alloc);
    }
    gc_unlock_pages();
    uint64_t tbytes = (uint64_t)hwm * sizeof *t;
    uint64_t doff = (table_off + tbytes + GC_PAGE_BYTES - 1) & ~(uint64_t)(GC_PAGE_BYTES - 1);
    bool ok = gc_image_pwrite_all(fd, t, tbytes, table_off) &&
              gc_image_pwrite_all(fd, gc_heap.base, hwm << GC_PAGE_SHIFT, doff);
    free(t);
    *data_off = doff;
    *hwm_out = hwm;
    return ok;
}

/* One page's state from its record; lists and counters come after. */
static bool restore_page(GcPage *p, const ImagePage *r) {
    if (r->kind > GC_PAGE_LARGE_CONT || r->slot >= GC_TLAB_SLOTS)
        return false;
    p->kind = r->kind;
    p->dirty = r->dirty;
    p->run = r->run;
    memcpy(p->alloc, r->alloc, sizeof p->alloc);
    if (p->kind == GC_PAGE_CONS || p->kind == GC_PAGE_SMALL) {
        if ((p->kind == GC_PAGE_CONS) != (r->slot == GC_SLOT_CONS))
            return false;
        p->slot = r->slot;
        p->cell_bytes = gc_slot_bytes[r->slot];
        p->ncells = GC_PAGE_BYTES / p->cell_bytes;
        p->starts = gc_slot_starts(r->slot);
    }
    return true;
}

/* Counters and available lists, as after a sweep (address order). */
static void rebuild_lists_locked(size_t hwm) {
    gc_avail_clear_locked();
    uint64_t live = 0, free_in_pages = 0;
    gc_heap.free_hint = hwm;
    for (size_t i = 0; i < hwm; i++) {
        GcPage *p = &gc_heap.pages[i];
        if (p->kind == GC_PAGE_FREE) {
            if (i < gc_heap.free_hint) gc_heap.free_hint = i;
            continue;
        }
        gc_heap.pages_in_use++;
        if (p->kind == GC_PAGE_LARGE_START) {
            gc_heap.stats.large_objects++;
            live += (uint64_t)p->run << GC_PAGE_SHIFT;
        }
        if (p->kind != GC_PAGE_CONS && p->kind != GC_PAGE_SMALL)
            continue;
        unsigned nfree = gc_page_free_cells(p);
        live += (uint64_t)(p->ncells - nfree) * p->cell_bytes;
        if (!nfree)
            continue;
        free_in_pages += (uint64_t)nfree * p->cell_bytes;
        gc_avail_append_locked(p);
    }
    gc_heap.hwm = hwm;
    gc_heap.stats.live_bytes = live;
    gc_heap.stats.free_bytes_in_pages = free_in_pages;
    gc_pace_from_live_locked(live);
}

bool gc_image_read(int fd, uint64_t table_off, uint64_t data_off, uint64_t hwm, char *err, size_t errcap) {
    PT_CHECK(gc_heap.initialized && gc_heap.hwm == 0, "gc_image_read needs a fresh heap");
    if (hwm + 4 > gc_heap.npages) {
        snprintf(err, errcap, "the image needs %llu pages; the heap has %zu (raise --dynamic-space-size)",
                 (unsigned long long)hwm, gc_heap.npages);
        return false;
    }
    ImagePage *t = malloc((hwm ? hwm : 1) * sizeof *t);
    PT_CHECK(t != NULL, "out of memory reading a core's page table");
    if (!read_all(fd, t, hwm * sizeof *t, table_off)) {
        snprintf(err, errcap, "truncated page table");
        free(t);
        return false;
    }
    if (hwm && mmap(gc_heap.base, hwm << GC_PAGE_SHIFT, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_FIXED,
                    fd, (off_t)data_off) == MAP_FAILED) {
        snprintf(err, errcap, "cannot map the heap pages: %s", strerror(errno));
        free(t);
        return false;
    }
    gc_lock_pages();
    bool ok = true;
    for (size_t i = 0; i < hwm && ok; i++)
        ok = restore_page(&gc_heap.pages[i], &t[i]);
    if (ok) rebuild_lists_locked(hwm);
    gc_unlock_pages();
    free(t);
    if (!ok) snprintf(err, errcap, "corrupt page table");
    return ok;
}
