/* gc/workers.c — the mark workers: threads that mark in parallel, inside a
 * pause (with the pausing thread) and between a concurrent cycle's pauses,
 * and that sweep in steps after pause 2.
 *
 * How many: cfg.markers threads mark (PETREL_GC_MARKERS, default the
 * number of cores, at most GC_MAX_MARKERS).  In a stop-the-world
 * collection the pausing thread is one of them, so markers - 1 worker
 * threads join it (none when markers is 1: the pause marks alone, as
 * before).  The concurrent cycle needs a thread of its own even then: it
 * runs max(markers, 1) workers, and its pauses use those plus the pausing
 * thread.
 *
 * Work sharing: every marker owns a grey stack (GcMarker) and pushes to and
 * pops from it without a lock.  A marker that runs dry says so (`hungry`,
 * an atomic count read by the others without the lock) and waits; a marker
 * that sees a hungry one while it holds work moves the older half of its
 * stack to the shared pool under cycle.lock.  Mark bits are set with an
 * atomic OR, so exactly one marker greys each cell.
 *
 * Termination.  In a pause no mutator runs, so no work appears from outside:
 * marking is done when every participant is idle and the pool is empty
 * (checked under cycle.lock, which every move of work to the pool takes).
 * Between the pauses mutators hand over SATB buffers at any time; "all idle,
 * pool empty, no buffer queued" only sets mark_done, a hint that pause 2 is
 * due: pause 2 then takes what is left (each worker's stack, each thread's
 * partial buffer) and finishes marking in the pause.
 *
 * Locks: cycle.lock guards the pool, the counts and flags below and the
 * workers' stacks while they wait; a worker never holds it while it marks
 * or sweeps, and takes pages_lock only without it (the sweep).  A pause
 * stops the workers (gc_workers_stop) before it takes pages_lock, so a
 * worker never waits on a lock the pause holds. */
#include "gc/gc_impl.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A round is what gc_workers_stop may wait for: kept short (128 grey
 * entries of at most 256 words; 32 pages of sweep). */
enum { DRAIN_BUDGET = 128, SWEEP_BATCH = 32, GC_MAX_MARKERS = 16 };

unsigned gc_default_markers(void) {
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n < 1 ? 1 : n > GC_MAX_MARKERS ? GC_MAX_MARKERS : (unsigned)n;
}

static unsigned clamp_markers(unsigned n) { return n < 1 ? 1 : n > GC_MAX_MARKERS ? GC_MAX_MARKERS : n; }

/* Worker threads wanted: see the top of the file. */
static unsigned threads_wanted(void) {
    unsigned m = clamp_markers(gc_heap.cfg.markers);
    return gc_heap.cfg.concurrent ? m : m - 1;
}

static inline unsigned hungry(void) { return __atomic_load_n(&gc_heap.cycle.hungry, __ATOMIC_RELAXED); }
static inline size_t pool_size(void) { return __atomic_load_n(&gc_heap.cycle.pool_n, __ATOMIC_RELAXED); }

/* ---- the shared pool (cycle.lock) ---- */

static void pool_push_locked(const GcGrey *g, size_t n) {
    GcCycle *c = &gc_heap.cycle;
    if (c->pool_n + n > c->pool_cap) {
        size_t cap = c->pool_cap ? c->pool_cap : 1024;
        while (cap < c->pool_n + n) cap *= 2;
        GcGrey *p = realloc(c->pool, cap * sizeof *p);
        PT_CHECK(p != NULL, "out of memory sharing mark work");
        c->pool = p, c->pool_cap = cap;
    }
    memcpy(c->pool + c->pool_n, g, n * sizeof *g);
    __atomic_store_n(&c->pool_n, c->pool_n + n, __ATOMIC_RELAXED);
}

/* Up to half the pool (at least one entry) onto mk's empty stack. */
static bool pool_take_locked(GcMarker *mk) {
    GcCycle *c = &gc_heap.cycle;
    if (c->pool_n == 0) return false;
    size_t n = (c->pool_n + 1) / 2;
    gc_marker_push_many(mk, c->pool + c->pool_n - n, n);
    __atomic_store_n(&c->pool_n, c->pool_n - n, __ATOMIC_RELAXED);
    return true;
}

/* All of mk's work into the pool (a pause hands its roots to the workers). */
static void give_all_locked(GcMarker *mk) {
    pool_push_locked(mk->stack, mk->top);
    mk->top = 0;
}

/* A marker with work and a hungry peer shares the older half of its stack
 * (older entries tend to lead to bigger parts of the heap). */
static void maybe_share(GcMarker *mk) {
    if (mk->top < 2 || hungry() == 0 || pool_size() != 0) return;
    GcCycle *c = &gc_heap.cycle;
    pthread_mutex_lock(&c->lock);
    size_t n = mk->top / 2;
    pool_push_locked(mk->stack, n);
    memmove(mk->stack, mk->stack + n, (mk->top - n) * sizeof *mk->stack);
    mk->top -= n;
    pthread_cond_broadcast(&c->wake);
    pthread_mutex_unlock(&c->lock);
}

/* ---- SATB buffers queued by mutators (cycle.lock) ---- */

static size_t take_full_locked(GcWord ***bufs, uint32_t **ns) {
    GcCycle *c = &gc_heap.cycle;
    size_t n = c->nfull;
    *bufs = c->full, *ns = c->full_n;
    c->full = NULL, c->full_n = NULL, c->nfull = c->cap_full = 0;
    return n;
}

/* Marks every logged word of the taken buffers and frees them. */
static void mark_buffers(GcMarker *mk, GcWord **bufs, uint32_t *ns, size_t n) {
    for (size_t i = 0; i < n; i++) {
        for (uint32_t k = 0; k < ns[i]; k++) gc_mark_word(mk, bufs[i][k]);
        free(bufs[i]);
    }
    free(bufs);
    free(ns);
}

void gc_workers_mark_queued_buffers(GcMarker *mk) {
    GcWord **bufs;
    uint32_t *ns;
    pthread_mutex_lock(&gc_heap.cycle.lock);
    size_t n = take_full_locked(&bufs, &ns);
    pthread_mutex_unlock(&gc_heap.cycle.lock);
    mark_buffers(mk, bufs, ns, n);
}

/* Drops queued buffers unmarked (they logged outside a cycle: forced barrier). */
void gc_workers_drop_queued_buffers_locked(void) {
    GcWord **bufs;
    uint32_t *ns;
    size_t n = take_full_locked(&bufs, &ns);
    for (size_t i = 0; i < n; i++) free(bufs[i]);
    free(bufs);
    free(ns);
}

/* ---- the worker threads ---- */

static bool shared_work_locked(void) {
    GcCycle *c = &gc_heap.cycle;
    if (c->pool_n) return true;
    if (c->pause_mode) return false;
    return c->nfull > 0 || c->sweeping;
}

static void set_idle_locked(GcWorker *w, bool idle) {
    if (w->idle == idle) return;
    w->idle = idle;
    __atomic_store_n(&gc_heap.cycle.hungry, gc_heap.cycle.hungry + (idle ? 1u : -1u), __ATOMIC_RELAXED);
}

/* A worker just ran out of work: between the pauses, if every worker is
 * out and nothing is queued, the mark is done (until more buffers come). */
static void check_mark_done_locked(void) {
    GcCycle *c = &gc_heap.cycle;
    if (c->pause_mode || !c->active_mark || c->hungry != c->nworkers || c->pool_n || c->nfull) return;
    atomic_store_explicit(&c->mark_done, true, memory_order_release);
}

/* One round outside the lock.  Sweep first (after pause 2), else mark. */
static void worker_round(GcWorker *w, bool sweep, GcWord **bufs, uint32_t *ns, size_t nbufs) {
    if (sweep) {
        gc_lock_pages();
        bool more = gc_heap.sweep.active && gc_sweep_some_locked(SWEEP_BATCH);
        gc_unlock_pages();
        if (!more) {
            pthread_mutex_lock(&gc_heap.cycle.lock);
            gc_heap.cycle.sweeping = false;
            pthread_mutex_unlock(&gc_heap.cycle.lock);
        }
        return;
    }
    mark_buffers(&w->mk, bufs, ns, nbufs);
    gc_mark_drain_some(&w->mk, DRAIN_BUDGET);
    maybe_share(&w->mk);
}

static void *worker_main(void *arg) {
    GcWorker *w = arg;
    GcCycle *c = &gc_heap.cycle;
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while (!c->run || (w->mk.top == 0 && !shared_work_locked())) {
            if (w->mk.top == 0) {
                set_idle_locked(w, true);
                check_mark_done_locked();
                pthread_cond_broadcast(&c->wake);  /* a pause may be waiting for the last idle */
            }
            pthread_cond_wait(&c->wake, &c->lock);
        }
        set_idle_locked(w, false);
        c->nworking++;
        bool sweep = !c->pause_mode && c->sweeping && c->pool_n == 0 && w->mk.top == 0;
        GcWord **bufs = NULL;
        uint32_t *ns = NULL;
        size_t nbufs = 0;
        if (!sweep && w->mk.top == 0 && !pool_take_locked(&w->mk) && !c->pause_mode)
            nbufs = take_full_locked(&bufs, &ns);
        pthread_mutex_unlock(&c->lock);
        worker_round(w, sweep, bufs, ns, nbufs);
        pthread_mutex_lock(&c->lock);
        c->nworking--;
        if (c->nworking == 0) pthread_cond_broadcast(&c->stopped);
    }
    return NULL;
}

/* Starts the worker threads the configuration wants (once; in a pause or
 * before any collection). */
static void start_workers(void) {
    GcCycle *c = &gc_heap.cycle;
    unsigned want = threads_wanted();
    if (c->workers_started || want == 0) return;
    c->workers = calloc(want, sizeof *c->workers);
    PT_CHECK(c->workers != NULL, "out of memory for the mark workers");
    pthread_mutex_lock(&c->lock);
    for (unsigned i = 0; i < want; i++) {
        GcWorker *w = &c->workers[i];
        w->index = i;
        w->idle = true;
        c->hungry++;
        PT_CHECK(pthread_create(&w->thread, NULL, worker_main, w) == 0, "cannot start mark worker %u", i);
        c->nworkers++;
    }
    c->workers_started = true;
    pthread_mutex_unlock(&c->lock);
}

/* No worker round runs after this returns, and none starts until the next
 * gc_workers_run; every worker's grey entries and the pool's have moved to
 * into (when not NULL). */
void gc_workers_stop(GcMarker *into) {
    GcCycle *c = &gc_heap.cycle;
    pthread_mutex_lock(&c->lock);
    c->run = false;
    while (c->nworking) pthread_cond_wait(&c->stopped, &c->lock);
    for (unsigned i = 0; into && i < c->nworkers; i++) {
        GcWorker *w = &c->workers[i];
        gc_marker_push_many(into, w->mk.stack, w->mk.top);
        w->mk.top = 0;
        if (w->mk.overflowed) into->overflowed = true;
        w->mk.overflowed = false;
        set_idle_locked(w, true);
    }
    if (into) {
        gc_marker_push_many(into, c->pool, c->pool_n);
        __atomic_store_n(&c->pool_n, 0, __ATOMIC_RELAXED);
    }
    pthread_mutex_unlock(&c->lock);
}

/* Wakes the workers for what is shared: the concurrent mark (with mk's
 * roots, when not NULL) or the sweep after pause 2. */
void gc_workers_run(GcMarker *mk, bool mark, bool sweep) {
    GcCycle *c = &gc_heap.cycle;
    start_workers();
    pthread_mutex_lock(&c->lock);
    if (mk) give_all_locked(mk);
    c->active_mark = mark;
    if (sweep) c->sweeping = true;
    c->run = true;
    pthread_cond_broadcast(&c->wake);
    pthread_mutex_unlock(&c->lock);
}

/* In a pause (workers stopped, pages_lock held): marks everything reachable
 * from mk's grey entries with the pausing thread and the workers, then
 * completes (the overflow rescan runs on this thread). */
void gc_mark_parallel(GcMarker *mk) {
    GcCycle *c = &gc_heap.cycle;
    if (threads_wanted() == 0 || mk->top == 0) {
        gc_mark_complete(mk);
        return;
    }
    start_workers();
    pthread_mutex_lock(&c->lock);
    c->pause_mode = true;
    c->run = true;
    pthread_cond_broadcast(&c->wake);
    pthread_mutex_unlock(&c->lock);
    bool self_idle = false;
    for (;;) {
        gc_mark_drain_some(mk, DRAIN_BUDGET);
        maybe_share(mk);
        if (mk->top) continue;
        pthread_mutex_lock(&c->lock);
        if (!self_idle) { self_idle = true; c->hungry++; }
        while (c->pool_n == 0 && !(c->hungry == c->nworkers + 1 && c->nworking == 0))
            pthread_cond_wait(&c->wake, &c->lock);
        bool done = !pool_take_locked(mk);
        if (!done) { self_idle = false; c->hungry--; }
        pthread_mutex_unlock(&c->lock);
        if (done) break;
    }
    /* now: every participant is idle and the pool empty: nothing is grey */
    pthread_mutex_lock(&c->lock);
    c->hungry--;
    c->run = false;
    c->pause_mode = false;
    for (unsigned i = 0; i < c->nworkers; i++)
        if (c->workers[i].mk.overflowed) mk->overflowed = true, c->workers[i].mk.overflowed = false;
    pthread_mutex_unlock(&c->lock);
    gc_mark_complete(mk);
}
