/* gc/gc.h — public surface of the Petrel heap and collector.
 *
 * The collector knows nothing of Lisp types.  It sees a heap of 16-byte aligned
 * objects and recognises references by their low four bits:
 *   GC_TAG_CONS   (…0001): a two-word cell with no header (a cons);
 *   GC_TAG_OBJECT (…0011): an object whose first word is a GcHeader.
 * A header says how many payload words follow and how many of them, counted from
 * the first, hold references (the "boxed prefix"); the rest are raw bits.
 *
 * Collector in this issue: stop-the-world mark–sweep, non-moving, size-class
 * pages with side bitmaps, large objects on page runs.  C stacks and registers
 * are scanned conservatively; everything reported through the root scanner and
 * the heap itself precisely.  The concurrent collector (later issue) keeps this
 * interface. */
#ifndef PETREL_GC_GC_H
#define PETREL_GC_GC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef uint64_t GcWord;

enum {
    GC_TAG_MASK = 15,
    GC_TAG_CONS = 1,
    GC_TAG_OBJECT = 3,
    GC_ALIGN = 16,
};

/* Header word layout: [payload words:48][boxed prefix:8][type:8].
 * boxed prefix 255 means "every payload word is boxed". */
enum { GC_BOXED_ALL = 255 };

static inline GcWord gc_make_header(unsigned type, unsigned nboxed, uint64_t nwords) {
    return ((GcWord)nwords << 16) | ((GcWord)(nboxed & 0xff) << 8) | (type & 0xff);
}
static inline unsigned gc_header_type(GcWord h) { return (unsigned)(h & 0xff); }
static inline unsigned gc_header_nboxed(GcWord h) { return (unsigned)((h >> 8) & 0xff); }
static inline uint64_t gc_header_nwords(GcWord h) { return h >> 16; }

/* Per-thread allocation state; embedded in the thread context.
 * Owner thread only, except during a pause when the collector reads it. */
enum { GC_TLAB_SLOTS = 54 };  /* slot 0: conses; 1..: object size classes */
typedef struct GcMutator {
    void *stack_base;                 /* highest stack address; set at registration */
    void *stopped_sp;                 /* lowest live stack address while the owner is parked
                                         or in a safe region: written by the owner before it
                                         publishes that state (threads/, under its world
                                         lock); read by the collector in a pause */
    GcWord saved_regs[12];            /* callee-saved registers and sp at that moment (same
                                         rules); scanned conservatively with the stack */
    struct GcPage *tlab[GC_TLAB_SLOTS]; /* page this thread allocates from, per class */
    uint64_t allocs_since_gc;         /* owner only; torture and pacing */
    GcWord *satb;                     /* SATB log buffer (gc/concurrent.c): owner appends;
                                         the collector takes it in a pause */
    uint32_t satb_n, satb_cap;
    struct GcMarker *assist;          /* grey stack of its mark assists (owner; NULL until one runs) */
    uint64_t barrier_slow_calls;      /* written by the owner only (relaxed atomics, no RMW);
                                         summed by gc_get_stats */
    struct GcMutator *next;           /* guarded by the registry lock */
} GcMutator;

/* The collector's handle while marking roots. */
typedef struct GcMarker GcMarker;

/* Reports one precise root word (any value; non-references are ignored). */
void gc_mark_word(GcMarker *mk, GcWord w);
/* Reports precise roots in [start, end). */
void gc_mark_words(GcMarker *mk, const GcWord *start, const GcWord *end);
/* Reports an area scanned conservatively: any word that points into an
 * allocated object (interior pointers too, tagged or not) keeps it alive. */
void gc_mark_conservative(GcMarker *mk, const void *lo, const void *hi);

/* The higher modules register what else is a root (VM stacks, bindings,
 * global tables).  Called once per collection with every thread stopped. */
typedef void (*GcRootScanner)(GcMarker *mk, void *data);
void gc_add_root_scanner(GcRootScanner fn, void *data);
/* A C global holding Lisp values: [start, start+count). */
void gc_add_root_range(GcWord *start, size_t count);

typedef struct GcConfig {
    size_t heap_limit_bytes;  /* the dynamic space; exhaustion is reported */
    uint64_t torture_every;   /* collect every N allocations (0: off) */
    bool verify;              /* run the heap verifier after each collection */
    bool concurrent;          /* mark concurrently with the mutators (gc/concurrent.c;
                                 Petrel sets it, PETREL_GC_CONCURRENT=0 clears it) */
    bool check_barrier;       /* re-mark stop-the-world at the end of a concurrent mark and
                                 fail on any reachable object it missed (PETREL_GC_CHECK_BARRIER) */
    bool log;                 /* one line per collection on stderr */
    unsigned markers;         /* threads that mark (PETREL_GC_MARKERS; 0: one per core) */
    bool force_barrier;       /* the barrier's logging path on for the whole run, as while a
                                 concurrent mark runs (PETREL_GC_FORCE_BARRIER; measures its cost) */
    unsigned target_percent;  /* a cycle starts when allocation since the last one reaches this
                                 percentage of the live heap (PETREL_GC_TARGET_PERCENT; 0: the
                                 collector's default, GC_DEFAULT_TARGET_PERCENT_*) */
    void *base_hint;          /* where to reserve the heap (NULL: GC_DEFAULT_BASE);
                                 another address is taken if that one is busy */
} GcConfig;

/* The pacing targets when none is given.  Concurrent: 30, so that a
 * program's RSS stays within 1.5 x its live bytes (stress/soak: 1.38-1.40
 * there, 1.39-1.49 at 35, 1.9 at 100); the extra cycles mark on the spare
 * cores.
 * Stop-the-world: 100, since every cycle's mark stops the program
 * (figures: gc/README.md, "Pacing target"). */
#define GC_DEFAULT_TARGET_PERCENT_CONCURRENT 30
#define GC_DEFAULT_TARGET_PERCENT_STW 100

/* The heap is reserved here when free, so that a core image saved by one
 * process maps at the same addresses in the next (gc/image.c). */
#if defined(PETREL_SANITIZE_THREAD)
/* TSan accepts fixed mappings only in its application ranges (low app memory
 * here); elsewhere it rewrites the address and aborts. */
#define GC_DEFAULT_BASE ((void *)(uintptr_t)0x004000000000ull)
#else
#define GC_DEFAULT_BASE ((void *)(uintptr_t)0x200000000000ull)
#endif

/* Reads PETREL_GC_TORTURE, PETREL_GC_VERIFY, PETREL_GC_LOG,
 * PETREL_GC_CONCURRENT, PETREL_GC_CHECK_BARRIER, PETREL_GC_MARKERS,
 * PETREL_GC_FORCE_BARRIER and PETREL_GC_TARGET_PERCENT into cfg
 * (keeps other fields, and those whose variable is unset). */
void gc_config_from_env(GcConfig *cfg);
void gc_init(const GcConfig *cfg);

/* A mutator must be registered before it allocates.  stack_base is the
 * highest address of its C stack that may hold references. */
void gc_mutator_register(GcMutator *m, void *stack_base);
void gc_mutator_unregister(GcMutator *m);

/* Allocation: memory is zeroed and 16-byte aligned.  NULL means the heap limit
 * is reached even after a full collection (the caller signals a
 * storage-condition).  May collect. */
void *gc_alloc_cons(GcMutator *m);
void *gc_alloc(GcMutator *m, size_t bytes);

/* A full collection now. */
void gc_collect(GcMutator *m);

/* Stopping the world is threads/' job (DESIGN: safepoints, not signals); it
 * registers these once, before a second mutator exists.  gc_collect calls
 *   may_block(self)  before it waits for collect_lock (self becomes safe),
 *   stop(self)       with collect_lock held: return once every other mutator
 *                    is parked or safe, with stopped_sp set;
 *   resume(self)     at the end of the pause;
 *   unblocked(self)  after collect_lock is released;
 * and the allocation slow path calls poll(self), a safepoint. */
typedef struct GcWorldHooks {
    GcMutator *(*current)(void);  /* the calling thread's mutator (barrier slow path) */
    void (*may_block)(GcMutator *self);
    void (*stop)(GcMutator *self);
    void (*resume)(GcMutator *self);
    void (*unblocked)(GcMutator *self);
    void (*poll)(GcMutator *self);
} GcWorldHooks;
void gc_set_world_hooks(const GcWorldHooks *hooks);

/* Runs fn(data) on the calling thread with every other mutator parked or
 * safe, as in a collection's pause (which it excludes).  fn must not
 * allocate or block: it may only read (diagnostics: backtraces of every
 * thread). */
void gc_with_world_stopped(GcMutator *self, void (*fn)(void *data), void *data);

/* Heap verifier: checks every reachable object's references point at
 * allocated objects and headers are sane; returns number of problems and
 * prints each to stderr. */
size_t gc_verify_heap(void);
/* The same while other mutators may run: stops the world first (and ends
 * a concurrent cycle and its sweep). */
size_t gc_verify_heap_stopped(GcMutator *self);

/* True if p points at the start of an allocated object or cons. */
bool gc_is_heap_object(const void *p);

/* Weak references (gc/weak.c).  A weak word is a payload word of a heap
 * object (holder) outside its boxed prefix — no marker traces it — that
 * holds a reference.  Registered once, it is checked at the end of every
 * mark with the world stopped: when its referent did not survive, the word
 * becomes `broken`; when the holder died, the registration goes.  Read it
 * with gc_weak_read (barrier.h) only. */
void gc_weak_register(GcWord holder, GcWord *word, GcWord broken);
size_t gc_weak_count(void);  /* registrations (tests, statistics) */

/* Weak containers of the higher layers (weak hash tables): the hook runs
 * with the world stopped at the end of every mark, before weak words are
 * checked.  In it, gc_survives(w) says whether w (any value; non-references
 * always survive) outlives this collection, and gc_mark_more(w) keeps w and
 * everything reachable from it. */
typedef void (*GcWeakHook)(void);
void gc_set_weak_hook(GcWeakHook fn);
bool gc_survives(GcWord w);
void gc_mark_more(GcWord w);

/* Work a weak hook can do before pause 2.  Between the pauses of a
 * concurrent cycle, the first time the mark runs out of work, one mark
 * worker calls this hook while the mutators run.  An object that
 * gc_marked_now(w) says is marked survives the cycle (marks are only added
 * until the sweep), so a higher layer can set aside its registrations known
 * to survive and leave the pause only the rest.  epoch names the mark: it
 * equals gc_mark_epoch() in the pause that ends that cycle, and differs in
 * any later mark.  The hook returns early, with partial results, once
 * gc_mark_end_hook_stopping() (a pause is waiting for it). */
typedef void (*GcMarkEndHook)(uint64_t epoch);
void gc_set_mark_end_hook(GcMarkEndHook fn);
bool gc_marked_now(GcWord w);
bool gc_mark_end_hook_stopping(void);
uint64_t gc_mark_epoch(void);

typedef struct GcStats {
    uint64_t collections;
    uint64_t bytes_allocated_total;
    uint64_t heap_bytes;           /* pages in use, small and large */
    uint64_t live_bytes;           /* marked at last collection */
    uint64_t free_bytes_in_pages;  /* free cells inside partly used pages */
    uint64_t large_objects;
    uint64_t pause_ns_total, pause_ns_max, pause_ns_last;
    uint64_t pause_histogram[8];   /* <0.1ms <1ms <10ms <100ms <1s <10s ... */
    uint64_t barrier_slow_calls;
    size_t heap_limit_bytes;
    uint64_t last_marked_bytes;    /* what the last cycle's mark reached (cell sizes) */
    uint64_t last_freed_bytes;     /* what the last completed sweep freed */
    uint64_t last_mark_ns;         /* the last cycle's marking (concurrent: pause 1 to pause 2) */
    unsigned markers;              /* threads that mark (GcConfig.markers) */
    unsigned target_percent;       /* pacing (GcConfig.target_percent) */
    bool concurrent;               /* GcConfig.concurrent */
    uint64_t weak_refs;            /* weak words registered */
    uint64_t assists, assist_ns;   /* mutator mark assists run, and their time (gc/workers.c) */
    uint64_t weak_broken_total;    /* weak words cleared since start */
    uint64_t bytes_released_total; /* free pages' memory given back to the OS since start */
} GcStats;
void gc_get_stats(GcStats *out);

/* Pacing (GcConfig.target_percent): read, and set at run time (clamped to
 * 10..10000). */
unsigned gc_target_percent(void);
void gc_set_target_percent(unsigned percent);

/* ---- Core images (gc/image.c) ----
 * The heap part of a core file: the page table up to the high-water mark,
 * then the raw pages.  Callers run with one mutator (no other thread). */
void *gc_heap_base(void);
size_t gc_heap_npages(void);
/* Calls fn on every allocated headered object (not conses). */
typedef void (*GcObjectVisitor)(GcWord *obj, void *data);
void gc_each_object(GcObjectVisitor fn, void *data);
/* Writes the table at table_off and the pages at *data_off (set here: the
 * next 64 KiB boundary after the table); *hwm gets the page count.  Drops
 * self's TLABs.  False (errno set) on an I/O error. */
/* pwrite of all n bytes at off, retrying short writes and EINTR. */
bool gc_image_pwrite_all(int fd, const void *buf, size_t n, uint64_t off);
bool gc_image_write(int fd, GcMutator *self, uint64_t table_off, uint64_t *data_off, uint64_t *hwm);
/* Restores a heap written by gc_image_write into the fresh, empty heap of
 * this process (same base): maps the pages privately from fd.  False with a
 * message in err if it cannot. */
bool gc_image_read(int fd, uint64_t table_off, uint64_t data_off, uint64_t hwm, char *err, size_t errcap);

#endif
