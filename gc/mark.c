/* gc/mark.c — marking: root reporting (precise and conservative), the grey
 * stack, and draining it.
 *
 * Invariants: a cell is grey when its mark bit is set and its words are still
 * to be scanned (on the grey stack, or skipped because the stack overflowed:
 * then `overflowed` is set and gc_mark_complete rescans every marked cell).
 * Marking never recurses in C: the grey stack is a malloc'd array of word
 * ranges; a long range is scanned in chunks so that one huge vector does not
 * push millions of entries at once.
 * Several markers may run at once (gc/workers.c): each has its own grey
 * stack; mark bits are set atomically. */
#include "gc/gc_impl.h"

#include <stdlib.h>

enum { GREY_INITIAL = 4096, GREY_CHUNK = 256 };

void gc_marker_reset(GcMarker *mk) {
    mk->top = 0;
    mk->overflowed = false;
}

void gc_marker_free(GcMarker *mk) {
    free(mk->stack);
    mk->stack = NULL;
    mk->top = mk->cap = 0;
}

static bool grow(GcMarker *mk) {
    size_t cap = mk->cap ? mk->cap * 2 : GREY_INITIAL;
    if (mk->limit && cap > mk->limit)
        cap = mk->limit;
    if (cap <= mk->cap)
        return false;
    GcGrey *s = realloc(mk->stack, cap * sizeof *s);
    if (!s)
        return false;
    mk->stack = s;
    mk->cap = cap;
    return true;
}

/* On failure the range's owner is marked but not grey: note the overflow. */
static void push(GcMarker *mk, const GcWord *lo, const GcWord *hi) {
    if (lo >= hi)
        return;
    if (mk->top == mk->cap && !grow(mk)) {
        mk->overflowed = true;
        return;
    }
    mk->stack[mk->top++] = (GcGrey){lo, hi};
}

void gc_marker_push_many(GcMarker *mk, const GcGrey *g, size_t n) {
    for (size_t i = 0; i < n; i++)
        push(mk, g[i].lo, g[i].hi);
}

uint64_t gc_object_capacity_words(uintptr_t obj) {
    GcPage *p = gc_page_of(obj);
    uint64_t bytes = p->kind == GC_PAGE_LARGE_START ? (uint64_t)p->run << GC_PAGE_SHIFT
                                                    : p->cell_bytes;
    return bytes / 8 - 1;
}

/* The words of an object that hold references, clipped to its cell. */
static uint64_t boxed_words(uintptr_t obj) {
    GcWord h = *(const GcWord *)obj;
    uint64_t n = gc_header_nwords(h), cap = gc_object_capacity_words(obj);
    unsigned b = gc_header_nboxed(h);
    uint64_t nb = b == GC_BOXED_ALL ? n : b;
    PT_ASSERT(n <= cap && nb <= n);
    if (nb > n)
        nb = n;
    return nb < cap ? nb : cap;
}

/* cell is marked: queue its reference words. */
static void grey(GcMarker *mk, uintptr_t cell, unsigned tag) {
    const GcWord *w = (const GcWord *)cell;
    if (tag == GC_TAG_CONS)
        push(mk, w, w + 2);
    else
        push(mk, w + 1, w + 1 + boxed_words(cell));
}

/* Parallel markers race for a cell: the atomic OR lets exactly one grey
 * it (the plain read first keeps the common already-marked case cheap). */
static inline void mark_cell(GcMarker *mk, uintptr_t cell, unsigned tag) {
    GcPage *p = gc_page_of(cell);
    unsigned g = gc_granule_of(cell);
    uint64_t bit = 1ull << (g & 63), *word = &p->mark[g >> 6];
    if (__atomic_load_n(word, __ATOMIC_RELAXED) & bit)
        return;
    if (__atomic_fetch_or(word, bit, __ATOMIC_RELAXED) & bit)
        return;
    grey(mk, cell, tag);
}

uintptr_t gc_resolve_ref(GcWord w) {
    unsigned tag = (unsigned)(w & GC_TAG_MASK);
    if (tag != GC_TAG_CONS && tag != GC_TAG_OBJECT)
        return 0;
    uintptr_t a = (uintptr_t)(w - tag);
    if (!gc_in_heap_p(a))
        return 0;
    const GcPage *p = gc_page_of(a);
    /* atomic reads: a concurrent mark runs while pages are handed out and
     * their owners set alloc bits (the bit of a published object is stable) */
    uint8_t kind = __atomic_load_n(&p->kind, __ATOMIC_RELAXED);
    bool kind_ok = tag == GC_TAG_CONS ? kind == GC_PAGE_CONS
                                      : kind == GC_PAGE_SMALL || kind == GC_PAGE_LARGE_START;
    unsigned g = gc_granule_of(a);
    return kind_ok && ((__atomic_load_n(&p->alloc[g >> 6], __ATOMIC_RELAXED) >> (g & 63)) & 1) ? a : 0;
}

/* Precise: a word that is not a reference to an allocated cell is ignored. */
void gc_mark_word(GcMarker *mk, GcWord w) {
    unsigned tag = (unsigned)(w & GC_TAG_MASK);
    if (tag != GC_TAG_CONS && tag != GC_TAG_OBJECT)
        return;
    uintptr_t a = gc_resolve_ref(w);
    if (a)
        mark_cell(mk, a, tag);
}

/* Heap words are read atomically: during a concurrent mark a mutator may be
 * storing into them (acquire pairs with gc_store's release, so a referent
 * published by a store is seen initialised). */
static inline GcWord load_word(const GcWord *p) { return __atomic_load_n(p, __ATOMIC_ACQUIRE); }

void gc_mark_words(GcMarker *mk, const GcWord *start, const GcWord *end) {
    for (const GcWord *p = start; p < end; p++)
        gc_mark_word(mk, load_word(p));
}

uintptr_t gc_find_cell(uintptr_t a, unsigned *tag) {
    if (!gc_in_heap_p(a))
        return 0;
    GcPage *p = gc_page_of(a);
    uintptr_t cell;
    switch (p->kind) {
    case GC_PAGE_CONS:
        cell = a & ~(uintptr_t)15;
        *tag = GC_TAG_CONS;
        break;
    case GC_PAGE_SMALL: {
        uintptr_t off = a & (GC_PAGE_BYTES - 1), idx = off / p->cell_bytes;
        if (idx >= p->ncells)
            return 0;  /* the unused tail of the page */
        cell = (uintptr_t)gc_page_start(p) + idx * p->cell_bytes;
        *tag = GC_TAG_OBJECT;
        break;
    }
    case GC_PAGE_LARGE_CONT:
        p -= p->run;
        /* fall through */
    case GC_PAGE_LARGE_START:
        cell = (uintptr_t)gc_page_start(p);
        *tag = GC_TAG_OBJECT;
        break;
    default:
        return 0;
    }
    return gc_bit_p(p->alloc, gc_granule_of(cell)) ? cell : 0;
}

static void mark_conservative_word(GcMarker *mk, uintptr_t w) {
    unsigned tag;
    uintptr_t cell = gc_find_cell(w, &tag);
    if (cell)
        mark_cell(mk, cell, tag);
}

void gc_mark_conservative(GcMarker *mk, const void *lo, const void *hi) {
    uintptr_t a = ((uintptr_t)lo + 7) & ~(uintptr_t)7;
    for (const uintptr_t *p = (const uintptr_t *)a; (const void *)(p + 1) <= hi; p++)
        mark_conservative_word(mk, *p);
}

/* A thread's stack from lo (NULL: this frame of the calling thread; else the
 * parked or safe thread's stopped_sp) up to hi.  Reads every word,
 * including ones never written (Valgrind: suppressed for exactly this function
 * in gc/valgrind.supp) and ones in ASan redzones (hence no_sanitize).  The
 * stack of a thread in a safe region is read while that thread may still
 * write non-Lisp locals of the frame that entered the region: a benign race
 * on words the scan only treats as candidate pointers (hence "thread" too).
 * A word that passes the bounds test is rebuilt bit by bit through branches
 * before it goes on: Memcheck then sees a defined value, so a stale pointer in
 * a never-written slot raises errors only here, where they are suppressed,
 * and not in the marker, sweep or verifier.  The empty asm in the branch
 * keeps the compiler from turning the loop back into a plain copy.  Only
 * candidates pay for this, and the stack holds few of them. */
__attribute__((noinline, no_sanitize("address", "thread")))
void gc_scan_stack_conservative(GcMarker *mk, const void *lo, const void *hi) {
    const uintptr_t *p = lo ? (const uintptr_t *)(((uintptr_t)lo + 7) & ~(uintptr_t)7)
                            : (const uintptr_t *)__builtin_frame_address(0);
    PT_CHECK((const void *)p < hi, "stack base %p below the stack pointer %p", hi, (const void *)p);
    uintptr_t base = (uintptr_t)gc_heap.base, span = gc_heap.npages << GC_PAGE_SHIFT;
    for (; (const void *)p < hi; p++) {
        uintptr_t w = *p;
        if (w - base >= span)
            continue;
        uintptr_t clean = 0;
        for (unsigned b = 0; b < 64; b++) {
            if ((w >> b) & 1) {
                clean |= (uintptr_t)1 << b;
                __asm__ volatile("" : "+r"(clean));
            }
        }
        mark_conservative_word(mk, clean);
    }
}

/* Spill the callee-saved registers into this frame, then scan the stack from
 * below it: a reference held only in a register is seen as a stack word.
 * The empty asm keeps the scan from becoming a tail call (which would pop the
 * spill slots before they are read). */
__attribute__((noinline))
void gc_mark_thread_stack(GcMarker *mk, GcMutator *m) {
    __builtin_unwind_init();
    gc_scan_stack_conservative(mk, NULL, m->stack_base);
    __asm__ volatile("" ::: "memory");
}

bool gc_mark_drain_some(GcMarker *mk, size_t budget) {
    bool any = mk->top > 0;
    while (mk->top && budget--) {
        GcGrey g = mk->stack[--mk->top];
        const GcWord *hi = g.hi;
        if (hi - g.lo > GREY_CHUNK) {
            hi = g.lo + GREY_CHUNK;
            push(mk, hi, g.hi);  /* cannot fail: an entry was just popped */
        }
        for (const GcWord *p = g.lo; p < hi; p++)
            gc_mark_word(mk, load_word(p));
    }
    return any;
}

void gc_mark_drain(GcMarker *mk) {
    while (mk->top) gc_mark_drain_some(mk, SIZE_MAX);
}

/* Grey every marked cell of p again (after an overflow). */
static void regrey_page(GcMarker *mk, GcPage *p) {
    if (p->kind == GC_PAGE_LARGE_START) {
        if (gc_bit_p(p->mark, 0))
            grey(mk, (uintptr_t)gc_page_start(p), GC_TAG_OBJECT);
        gc_mark_drain(mk);
        return;
    }
    unsigned tag = p->kind == GC_PAGE_CONS ? GC_TAG_CONS : GC_TAG_OBJECT;
    for (unsigned w = 0; w < GC_BITMAP_WORDS; w++) {
        for (uint64_t bits = p->mark[w]; bits; bits &= bits - 1) {
            unsigned g = w * 64 + (unsigned)__builtin_ctzll(bits);
            grey(mk, (uintptr_t)gc_page_start(p) + ((uintptr_t)g << GC_GRANULE_SHIFT), tag);
            gc_mark_drain(mk);
        }
    }
}

/* Drain; while some marked cell may not have been scanned (overflow), rescan
 * all marked cells.  Each pass marks at least the cells it failed to push
 * before, so this ends.  now: every cell reachable from a marked one is marked. */
void gc_mark_complete(GcMarker *mk) {
    gc_mark_drain(mk);
    while (mk->overflowed) {
        mk->overflowed = false;
        for (size_t i = 0; i < gc_heap.hwm; i++) {
            GcPage *p = &gc_heap.pages[i];
            if (p->kind == GC_PAGE_CONS || p->kind == GC_PAGE_SMALL ||
                p->kind == GC_PAGE_LARGE_START)
                regrey_page(mk, p);
        }
    }
}
