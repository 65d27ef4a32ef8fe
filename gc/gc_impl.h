/* gc/gc_impl.h — private to gc/ and its tests: the heap layout.
 *
 * The dynamic space is one reserved region cut into 64 KiB pages.  Page i is
 * described by gc_heap.pages[i]; a page holds one kind of cell:
 *   FREE        unused; no allocated cells, all bitmaps clear;
 *   CONS        16-byte cells without headers, both words references;
 *   SMALL       cells of one size class, each starting with a GcHeader word;
 *   LARGE_START first page of a run holding one object bigger than the largest
 *               size class; the object starts at the page start;
 *   LARGE_CONT  the other pages of such a run.
 * Side bitmaps, one bit per 16-byte granule of the page: `alloc` has a bit at
 * the start of every allocated cell (large: granule 0 of the start page);
 * `mark` is set by the marker and is all clear outside a collection.
 *
 * Locks, always taken in this order:
 *   collect_lock  one collection at a time;
 *   registry_lock the mutator list, root ranges and root scanners;
 *   pages_lock    page kinds, available lists, large runs, heap counters.
 * A page in a mutator's TLAB (`owned`) has its alloc bitmap and cursor written
 * by that thread only, without a lock; the collector touches it only in a
 * pause, after dropping every TLAB. */
#ifndef PETREL_GC_GC_IMPL_H
#define PETREL_GC_GC_IMPL_H

#include <pthread.h>
#include <time.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "gc/gc.h"
#include "gc/fatal.h"

enum {
    GC_PAGE_SHIFT = 16,
    GC_PAGE_BYTES = 1 << GC_PAGE_SHIFT,
    GC_GRANULE_SHIFT = 4,
    GC_GRANULES_PER_PAGE = GC_PAGE_BYTES >> GC_GRANULE_SHIFT, /* 4096 */
    GC_BITMAP_WORDS = GC_GRANULES_PER_PAGE / 64,              /* 64 */
    GC_SMALL_MAX = 32768,  /* biggest size class; larger objects get page runs */
    GC_SLOT_CONS = 0,
};

#define GC_DEFAULT_HEAP_LIMIT ((size_t)2 << 30)
/* 32 MiB: a cons-heavy program with a few MB live (bench/binary-trees.lisp)
 * spent 20% of its time marking with 8 MiB. */
#define GC_MIN_TRIGGER_BYTES ((uint64_t)32 << 20)
/* Pages given back to the OS at most per sweep (64 MiB): bounds the time a
 * sweep's end holds pages_lock for madvise. */
#define GC_RELEASE_BATCH_PAGES 1024

/* Page kinds.  The invariant of each is in the comment at the top. */
typedef enum GcPageKind {
    GC_PAGE_FREE = 0,  /* zero so that the fresh (mmap-zeroed) table is all FREE */
    GC_PAGE_CONS,
    GC_PAGE_SMALL,
    GC_PAGE_LARGE_START,
    GC_PAGE_LARGE_CONT,
} GcPageKind;

typedef struct GcPage {
    uint8_t kind;            /* GcPageKind; guarded by pages_lock (pause: collector) */
    uint8_t slot;            /* size-class slot (CONS, SMALL); guarded by pages_lock */
    bool owned;              /* in some mutator's tlab; guarded by pages_lock */
    bool in_avail;           /* on avail[slot]; guarded by pages_lock */
    bool dirty;              /* free cells may hold garbage (fresh pages: clear);
                                guarded by pages_lock, or by the allocator of a new run */
    uint16_t cursor;         /* owner only: no free cell in alloc words below it */
    uint32_t cell_bytes;     /* cell size (CONS, SMALL) */
    uint32_t ncells;         /* cells that fit in the page (CONS, SMALL) */
    uint32_t free_at_take;   /* owner only: free cells when it entered the TLAB */
    uint32_t run;            /* LARGE_START: pages in run; LARGE_CONT: distance to start */
    struct GcPage *next;     /* avail list link; guarded by pages_lock */
    const uint64_t *starts;  /* cell-start mask of the class (read only) */
    uint64_t alloc[GC_BITMAP_WORDS]; /* owner if owned, else pages_lock or a pause */
    uint64_t mark[GC_BITMAP_WORDS];  /* in a pause; during a concurrent mark, by the marker */
    /* Concurrent cycle (gc/concurrent.c): the cells allocated before the
     * cycle began, copied when the page is first handed out during it
     * (snapshotted); the sweep keeps every cell allocated since.  Guarded by
     * pages_lock (pause: collector). */
    bool snapshotted;
    uint32_t swept_epoch;    /* the sweep (GcSweep.epoch) that last swept or formatted it: a page
                                in use with an older one is not swept yet; guarded by pages_lock */
    bool resident;           /* FREE, but its memory may still be in RAM (heap.c releases it);
                                guarded by pages_lock */
    uint64_t free_since;     /* FREE: the collection count when it became free; pages_lock */
    uint64_t old_alloc[GC_BITMAP_WORDS];
} GcPage;

/* Collector phases, for logs and pt_fatal.  The invariant of each: */
#define GC_PHASE_LIST(X)                                                     \
    X(IDLE, "idle")     /* mutators run; every mark bit is clear */          \
    X(ROOTS, "roots")   /* world stopped, TLABs dropped; marking roots */    \
    X(MARK, "mark")     /* roots greyed; draining the mark stack */          \
    X(SWEEP, "sweep")   /* every reachable object marked; freeing the rest */\
    X(VERIFY, "verify") /* heap swept, mark bits clear; checking it */
typedef enum GcPhase {
#define GC_PHASE_ENUM(name, str) GC_PHASE_##name,
    GC_PHASE_LIST(GC_PHASE_ENUM)
#undef GC_PHASE_ENUM
} GcPhase;
const char *gc_phase_name(int phase);

typedef struct GcRootRange { GcWord *start; size_t count; } GcRootRange;
typedef struct GcRootScan { GcRootScanner fn; void *data; } GcRootScan;

/* A grey entry: a range of words still to scan. */
typedef struct GcGrey { const GcWord *lo, *hi; } GcGrey;

struct GcMarker {
    GcGrey *stack;        /* malloc'd, grows; written only in a pause */
    size_t top, cap;
    size_t limit;         /* test hook: max entries (0: only malloc limits it) */
    bool overflowed;      /* an object was marked but not pushed: rescan heap */
    uint64_t marked_bytes; /* cells this marker greyed (their cell sizes), for the log */
};

typedef struct SweepTotals {
    uint64_t live_bytes;
    uint64_t freed_bytes;
    uint64_t free_in_pages;
} SweepTotals;

/* A sweep in steps (sweep.c); guarded by pages_lock. */
typedef struct GcSweep {
    bool active;       /* pages in [next, end) are not swept yet */
    size_t next, end;
    uint32_t epoch;    /* counts sweeps: a sweep begins in O(1), without touching every page */
    SweepTotals totals;
    bool log_when_done;  /* a concurrent cycle's sweep: one log line at its end (PETREL_GC_LOG) */
    uint64_t cycle;      /* the collection it belongs to, for that line */
} GcSweep;

/* A mark worker (gc/workers.c): its own grey stack, pushed and popped
 * without a lock by the worker while it runs a round; by a pause under
 * cycle.lock while the worker waits. */
typedef struct GcWorker {
    GcMarker mk;
    pthread_t thread;
    unsigned index;
    bool idle;                   /* waiting with an empty stack; cycle.lock */
} GcWorker;

/* A concurrent cycle (gc/concurrent.c) and the mark workers (gc/workers.c).
 * States, by `active` and the workers' progress:
 *   inactive     no cycle; gc_marking 0 (1 with a forced barrier);
 *   marking      between the two pauses: gc_marking 1, mutators log
 *                overwritten references (SATB), the workers drain;
 *   mark_done    the workers found no work: the next allocation slow path
 *                (or gc_collect) runs the final pause. */
typedef struct GcCycle {
    bool active;                 /* guarded by pages_lock (pause: collector) */
    _Atomic bool logging;        /* between pause 1 and pause 2: SATB buffers go to the workers
                                    (else a forced barrier's full buffers are dropped) */
    _Atomic bool mark_done;      /* no grey and no SATB work was left when the workers looked */
    pthread_mutex_t lock;        /* guards every field below (some are also read without it, atomically) */
    pthread_cond_t wake;         /* work for the workers, a stop, or a worker going idle */
    pthread_cond_t stopped;      /* no worker is in a round (nworking reached 0) */
    GcWorker *workers;           /* started once, at the first use (workers.c) */
    unsigned nworkers;
    bool workers_started;
    bool run;                    /* the workers may work */
    bool quit;                   /* the workers end (gc_shutdown) */
    bool pause_mode;             /* a pause marks with the workers: no SATB, no sweep */
    bool active_mark;            /* the concurrent mark is on (mark_done may be set) */
    bool sweeping;               /* a sweep in steps may have pages left (a hint: workers re-check) */
    unsigned nworking;           /* workers in a round */
    unsigned hungry;             /* idle markers (workers, and a pausing thread); atomic reads too */
    GcGrey *pool;                /* shared grey entries */
    size_t pool_n, pool_cap;     /* pool_n: atomic reads too */
    GcWord **full;               /* full SATB buffers handed over by mutators */
    uint32_t *full_n;
    size_t nfull, cap_full;
    uint64_t started_ns;
    uint64_t first_pause_ns;     /* pause 1's length, for the log line */
    /* Mutator assists (workers.c: gc_mark_assist). */
    _Atomic uint64_t progress;   /* bytes marked since pause 1 by workers and assists */
    _Atomic unsigned assist_waiting; /* assisting threads with nothing to mark: workers share */
    uint64_t assist_marked_bytes;/* what assists marked, for pause 2's total */
    bool assist_overflowed;      /* an assist's grey stack overflowed: pause 2 rescans */
    unsigned assist_holding;     /* assists holding grey entries: the mark is not done */
    uint64_t assists, assist_ns; /* statistics: assists run, their time */
    uint64_t prev_marked_bytes;  /* the marked bytes of the mark before the last (assist schedule;
                                    written in a pause: gc_record_marked_locked) */
    /* The mark-end hook (gc.h: gc_set_mark_end_hook; workers.c). */
    bool hook_due;               /* the mark ran out of work: a worker is to run the hook */
    bool hook_running;           /* a worker runs it (the mark is not done meanwhile) */
    bool hook_done;              /* it ran in this cycle */
    uint64_t hook_epoch;         /* this cycle's mark epoch, for the hook */
    _Atomic bool hook_stop;      /* a pause waits: the hook should return */
} GcCycle;

typedef struct GcHeap {
    char *base;                  /* start of the reserved region (read only) */
    size_t npages;               /* pages in the region (read only) */
    GcPage *pages;               /* page table, mmap'd (read only pointer) */
    size_t hwm;                  /* guarded by pages_lock: pages >= hwm never used */
    size_t free_hint;            /* guarded by pages_lock: no FREE page below it */
    size_t pages_in_use;         /* guarded by pages_lock */
    GcPage *avail[GC_TLAB_SLOTS];/* partly free, unowned pages, a queue per size class
                                    (heap.c gc_avail_*); guarded by pages_lock */
    GcPage *avail_tail[GC_TLAB_SLOTS]; /* the queue's last page; guarded by pages_lock */
    uint64_t bytes_since_gc;     /* guarded by pages_lock: handed out since last cycle */
    uint64_t trigger_bytes;      /* written only in a pause: pacing threshold */
    bool in_reserve;             /* guarded by pages_lock: exhaustion reported, reserve pages usable */
    GcConfig cfg;                /* written at init only */
    bool log;                    /* PETREL_GC_LOG; written at init only */
    pthread_mutex_t collect_lock;
    pthread_mutex_t registry_lock;
    pthread_mutex_t pages_lock;
    _Atomic uintptr_t pages_owner; /* atomic, relaxed: debug ownership checks only */
    GcMutator *mutators;         /* guarded by registry_lock */
    GcWorldHooks hooks;          /* written once before a second mutator exists */
    uint64_t mark_epoch;         /* counts marks begun (a pause writes it; gc_mark_epoch) */
    GcCycle cycle;               /* the concurrent cycle (gc/concurrent.c) */
    GcSweep sweep;               /* a sweep in steps (sweep.c) */
    GcRootRange *ranges;         /* guarded by registry_lock */
    size_t nranges, cap_ranges;
    GcRootScan *scanners;        /* guarded by registry_lock */
    size_t nscanners, cap_scanners;
    GcMarker marker;             /* written only in a pause */
    GcStats stats;               /* guarded by pages_lock (pause: collector) */
    _Atomic int phase;           /* GcPhase; atomic, relaxed: diagnostics only */
    bool initialized;
    bool test_skip_stack_scan;   /* test hook: precise roots only */
} GcHeap;

extern GcHeap gc_heap;

/* The monotonic clock in nanoseconds (pause, mark and assist times). */
static inline uint64_t now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Size classes (heap.c).  Slot 0 is conses; slots 1.. are object classes. */
extern uint32_t gc_slot_bytes[GC_TLAB_SLOTS];
extern uint8_t gc_size_slot[GC_SMALL_MAX / 16 + 1];  /* indexed by granules */
void gc_size_classes_init(void);

static inline size_t gc_page_index(const GcPage *p) { return (size_t)(p - gc_heap.pages); }
static inline char *gc_page_start(const GcPage *p) {
    return gc_heap.base + (gc_page_index(p) << GC_PAGE_SHIFT);
}
static inline bool gc_in_heap_p(uintptr_t a) {
    return a - (uintptr_t)gc_heap.base < ((uintptr_t)gc_heap.npages << GC_PAGE_SHIFT);
}
/* The page holding a; a must be in the heap. */
static inline GcPage *gc_page_of(uintptr_t a) {
    return &gc_heap.pages[(a - (uintptr_t)gc_heap.base) >> GC_PAGE_SHIFT];
}
static inline unsigned gc_granule_of(uintptr_t a) {
    return (unsigned)((a & (GC_PAGE_BYTES - 1)) >> GC_GRANULE_SHIFT);
}
static inline bool gc_bit_p(const uint64_t *bm, unsigned g) { return (bm[g >> 6] >> (g & 63)) & 1; }
static inline void gc_bit_set(uint64_t *bm, unsigned g) { bm[g >> 6] |= 1ull << (g & 63); }
static inline void gc_bit_clear(uint64_t *bm, unsigned g) { bm[g >> 6] &= ~(1ull << (g & 63)); }

/* The owner sets an alloc bit.  A plain read-modify-write would do (only
 * the owner writes the word), but a concurrent marker reads it, so the
 * word is stored atomically: a relaxed store is a plain move on x86-64. */
static inline void gc_set_alloc_bit(GcPage *p, unsigned w, unsigned b) {
    __atomic_store_n(&p->alloc[w], __atomic_load_n(&p->alloc[w], __ATOMIC_RELAXED) | (1ull << b), __ATOMIC_RELAXED);
}

/* A page's kind changes under pages_lock; a concurrent marker reads it
 * without the lock (gc_resolve_ref), hence the atomic store. */
static inline void gc_set_page_kind(GcPage *p, GcPageKind kind) {
    __atomic_store_n(&p->kind, (uint8_t)kind, __ATOMIC_RELAXED);
}

/* The allocation fast path: the next free cell at or after the cursor, or
 * NULL when the page is full.  Owner thread only; no lock. */
static inline void *gc_page_take_cell(GcPage *p) {
    const uint64_t *starts = p->starts;
    for (unsigned w = p->cursor; w < GC_BITMAP_WORDS; w++) {
        uint64_t free = starts[w] & ~p->alloc[w];
        if (free) {
            unsigned b = (unsigned)__builtin_ctzll(free);
            gc_set_alloc_bit(p, w, b);
            p->cursor = (uint16_t)w;
            return gc_page_start(p) + ((size_t)(w * 64 + b) << GC_GRANULE_SHIFT);
        }
    }
    p->cursor = GC_BITMAP_WORDS;
    return NULL;
}

/* heap.c: pages and runs (pages_lock). */
void gc_heap_reserve(size_t limit_bytes, void *hint);
const uint64_t *gc_slot_starts(unsigned slot);
void gc_heap_release(void);
GcPage *gc_page_acquire_locked(unsigned slot);
void gc_page_release_locked(GcPage *p);
void gc_page_free_locked(GcPage *p);
/* The available queues (GcHeap.avail): the sweep appends in address order,
 * a page leaving its TLAB with room goes first, allocation takes the first.
 * The tail moves with every operation: a sweep in steps appends while
 * allocation empties the same queue. */
void gc_avail_clear_locked(void);
void gc_avail_append_locked(GcPage *p);
/* After a sweep: FREE pages that were already free before the last
 * collection give their memory back to the OS (at most max_pages). */
size_t gc_release_free_pages_locked(size_t max_pages);
GcPage *gc_large_alloc_locked(size_t npages);
void gc_large_free_locked(GcPage *start);
unsigned gc_page_free_cells(const GcPage *p);
void gc_lock_pages(void);
void gc_unlock_pages(void);
bool gc_pages_held_p(void);   /* by the calling thread */
#define GC_ASSERT_PAGES_HELD() PT_ASSERT(gc_pages_held_p())

/* alloc.c */
void gc_mutator_drop_tlabs_locked(GcMutator *m);

/* mark.c */
void gc_marker_reset(GcMarker *mk);
void gc_marker_free(GcMarker *mk);
void gc_mark_drain(GcMarker *mk);
/* Drains at most budget grey entries; true if it scanned any. */
bool gc_mark_drain_some(GcMarker *mk, size_t budget);
void gc_mark_complete(GcMarker *mk);
/* Pushes n grey entries (on failure: marks the marker overflowed). */
void gc_marker_push_many(GcMarker *mk, const GcGrey *g, size_t n);
void gc_mark_thread_stack(GcMarker *mk, GcMutator *m);
/* A C stack from lo (NULL: the caller's frame) up to hi, conservatively. */
void gc_scan_stack_conservative(GcMarker *mk, const void *lo, const void *hi);
/* The cell (cons or object start) that a conservative word points into,
 * or 0; tag is set to GC_TAG_CONS or GC_TAG_OBJECT. */
uintptr_t gc_find_cell(uintptr_t a, unsigned *tag);
/* The precise referent of w (cell start), or 0 if w is not a valid one. */
uintptr_t gc_resolve_ref(GcWord w);
/* Words an object may occupy after its header (cell or run capacity). */
uint64_t gc_object_capacity_words(uintptr_t obj);

/* sweep.c */
void gc_sweep_locked(void);        /* the whole sweep, in a pause */
bool gc_page_unswept_locked(const GcPage *p);  /* in use and not swept by the sweep in steps */
void gc_sweep_begin_locked(void);  /* a sweep in steps: begin it in a pause, */
bool gc_sweep_some_locked(size_t npages); /* ... sweep up to npages (true: more to do) */

/* collect.c: pieces of a cycle concurrent.c shares. */
void gc_record_marked_locked(uint64_t bytes);  /* a mark's total: last and previous marked bytes */
uint64_t gc_pause_begin(GcMutator *self);  /* collect_lock held, the others stopped; its start (ns) */
void gc_pause_end(GcMutator *self);
void gc_stop_world_locked(void);
void gc_mark_roots_locked(GcMarker *mk, GcMutator *self);
void gc_record_pause_only_locked(uint64_t ns);
void gc_record_cycle_locked(uint64_t ns);
void gc_pace_from_live_locked(uint64_t live);

/* workers.c */
unsigned gc_default_markers(void);
void gc_workers_stop(GcMarker *into);
void gc_workers_run(GcMarker *mk, bool mark, bool sweep);
void gc_mark_parallel(GcMarker *mk);
void gc_workers_mark_queued_buffers(GcMarker *mk);
void gc_workers_drop_queued_buffers_locked(void);  /* under cycle.lock */
void gc_workers_shutdown(void);
void gc_mark_assist(GcMutator *m, uint64_t goal);
void gc_assist_free(GcMutator *m);  /* m leaves: its assist marker goes */
void gc_workers_init_once(void);  /* fork handlers (once per process) */

/* concurrent.c */
void gc_cycle_init(void);
void gc_cycle_start(GcMutator *self);
void gc_cycle_finish(GcMutator *self);
void gc_cycle_finish_stopped(GcMutator *self);  /* the same inside a pause already begun */
void gc_cycle_pace(GcMutator *self);
void gc_satb_log(GcMutator *m, GcWord old);
void gc_satb_flush_locked(GcMutator *m);  /* under cycle.lock */

/* weak.c */
size_t gc_weak_process_locked(void);  /* in a pause, mark complete: returns words cleared */
void gc_weak_forget(void);

/* verify.c */
size_t gc_verify_heap_locked(void);

/* barrier.c */
uint64_t gc_barrier_slow_count(void);  /* takes the registry lock */
extern _Thread_local GcMutator *gc_self_mutator;
void gc_barrier_retire_locked(GcMutator *m);

/* Test hooks (tests only). */
void gc_shutdown(void);                  /* unmaps the heap, forgets everything */
void gc_test_skip_stack_scan(bool skip); /* precise roots only */
void gc_test_mark_stack_limit(size_t entries); /* force mark-stack overflow */

#endif
