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
#include <time.h>
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
    if (n == 0) return;  /* g may be NULL then */
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
    if (mk->top < 2 || pool_size() != 0) return;
    if (hungry() == 0 && atomic_load_explicit(&gc_heap.cycle.assist_waiting, memory_order_relaxed) == 0) return;
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
    return c->nfull > 0 || c->sweeping || c->hook_due;
}

/* hungry changes under cycle.lock; sharers read it without (atomically). */
static void add_hungry_locked(int d) {
    __atomic_store_n(&gc_heap.cycle.hungry, gc_heap.cycle.hungry + (unsigned)d, __ATOMIC_RELAXED);
}

static void set_idle_locked(GcWorker *w, bool idle) {
    if (w->idle == idle) return;
    w->idle = idle;
    add_hungry_locked(idle ? 1 : -1);
}

static GcMarkEndHook mark_end_hook;  /* set once at startup */

void gc_set_mark_end_hook(GcMarkEndHook fn) { mark_end_hook = fn; }

bool gc_mark_end_hook_stopping(void) {
    return atomic_load_explicit(&gc_heap.cycle.hook_stop, memory_order_relaxed);
}

/* A worker just ran out of work: between the pauses, if every worker is
 * out and nothing is queued, the mark is done (until more buffers come);
 * the first time, a worker runs the mark-end hook first. */
static void check_mark_done_locked(void) {
    GcCycle *c = &gc_heap.cycle;
    if (c->pause_mode || !c->active_mark || c->hungry != c->nworkers || c->pool_n || c->nfull ||
        c->assist_holding || c->hook_due || c->hook_running)
        return;
    if (mark_end_hook && !c->hook_done) {
        c->hook_due = true;
        pthread_cond_broadcast(&c->wake);
        return;
    }
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
    uint64_t before = w->mk.marked_bytes;
    mark_buffers(&w->mk, bufs, ns, nbufs);
    gc_mark_drain_some(&w->mk, DRAIN_BUDGET);
    if (!gc_heap.cycle.pause_mode)
        atomic_fetch_add_explicit(&gc_heap.cycle.progress, w->mk.marked_bytes - before, memory_order_relaxed);
    maybe_share(&w->mk);
}

static void *worker_main(void *arg) {
    GcWorker *w = arg;
    GcCycle *c = &gc_heap.cycle;
    pthread_mutex_lock(&c->lock);
    for (;;) {
        while (!c->quit && (!c->run || (w->mk.top == 0 && !shared_work_locked()))) {
            if (w->mk.top == 0 && !w->idle) {  /* only on the change: idle peers would wake each other forever */
                set_idle_locked(w, true);
                check_mark_done_locked();
                pthread_cond_broadcast(&c->wake);  /* a pause may be waiting for the last idle */
            }
            pthread_cond_wait(&c->wake, &c->lock);
        }
        if (c->quit) break;
        set_idle_locked(w, false);
        c->nworking++;
        bool hook = c->hook_due && !c->pause_mode && w->mk.top == 0 && c->pool_n == 0 && c->nfull == 0;
        if (hook) c->hook_due = false, c->hook_running = true;
        bool sweep = !hook && !c->pause_mode && c->sweeping && c->pool_n == 0 && w->mk.top == 0;
        GcWord **bufs = NULL;
        uint32_t *ns = NULL;
        size_t nbufs = 0;
        if (!hook && !sweep && w->mk.top == 0 && !pool_take_locked(&w->mk) && !c->pause_mode)
            nbufs = take_full_locked(&bufs, &ns);
        uint64_t epoch = c->hook_epoch;
        pthread_mutex_unlock(&c->lock);
        if (hook) mark_end_hook(epoch);
        else worker_round(w, sweep, bufs, ns, nbufs);
        pthread_mutex_lock(&c->lock);
        if (hook) c->hook_running = false, c->hook_done = true;
        c->nworking--;
        if (c->nworking == 0) pthread_cond_broadcast(&c->stopped);
    }
    pthread_mutex_unlock(&c->lock);
    return NULL;
}

/* gc_shutdown (tests): the workers end and their memory goes. */
void gc_workers_shutdown(void) {
    GcCycle *c = &gc_heap.cycle;
    pthread_mutex_lock(&c->lock);
    c->quit = true;
    pthread_cond_broadcast(&c->wake);
    pthread_mutex_unlock(&c->lock);
    for (unsigned i = 0; i < c->nworkers; i++) {
        pthread_join(c->workers[i].thread, NULL);
        gc_marker_free(&c->workers[i].mk);
    }
    free(c->workers);
    free(c->pool);
    gc_workers_drop_queued_buffers_locked();  /* no other thread is left to race */
    c->workers = NULL, c->pool = NULL;
    c->nworkers = 0;
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
        add_hungry_locked(1);
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
    c->hook_due = false;  /* not run in this cycle: the pause does all the work */
    atomic_store_explicit(&c->hook_stop, true, memory_order_relaxed);
    while (c->nworking) pthread_cond_wait(&c->stopped, &c->lock);
    for (unsigned i = 0; into && i < c->nworkers; i++) {
        GcWorker *w = &c->workers[i];
        gc_marker_push_many(into, w->mk.stack, w->mk.top);
        w->mk.top = 0;
        into->marked_bytes += w->mk.marked_bytes;
        w->mk.marked_bytes = 0;
        if (w->mk.overflowed) into->overflowed = true;
        w->mk.overflowed = false;
        set_idle_locked(w, true);
    }
    if (into) {
        gc_marker_push_many(into, c->pool, c->pool_n);
        __atomic_store_n(&c->pool_n, 0, __ATOMIC_RELAXED);
        into->marked_bytes += c->assist_marked_bytes;
        c->assist_marked_bytes = 0;
        if (c->assist_overflowed) into->overflowed = true;
        c->assist_overflowed = false;
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
    if (mark) {  /* a new concurrent mark: its hook has not run */
        c->hook_done = false;
        c->hook_epoch = gc_heap.mark_epoch;
        atomic_store_explicit(&c->hook_stop, false, memory_order_relaxed);
    }
    c->active_mark = mark;
    if (sweep) c->sweeping = true;
    c->run = true;
    pthread_cond_broadcast(&c->wake);
    pthread_mutex_unlock(&c->lock);
}

/* In a pause (workers stopped, pages_lock held): marks everything reachable
 * from mk's grey entries with the workers, then completes (the overflow
 * rescan runs on this thread).  A small mark (pause 2 after the workers
 * finished: what the last SATB buffers logged) ends on the pausing thread
 * before waking a worker would.  In a stop-the-world collection the pausing
 * thread is one of the markers; in concurrent mode there are already
 * `markers` workers, so it hands them everything and waits rather than be
 * one thread more than the cores. */
enum { SOLO_ROUNDS = 16 };

void gc_mark_parallel(GcMarker *mk) {
    GcCycle *c = &gc_heap.cycle;
    for (unsigned i = 0; i < SOLO_ROUNDS && mk->top; i++) gc_mark_drain_some(mk, DRAIN_BUDGET);
    if (threads_wanted() == 0 || mk->top == 0) {
        gc_mark_complete(mk);
        return;
    }
    bool self_marks = !gc_heap.cfg.concurrent;
    start_workers();
    pthread_mutex_lock(&c->lock);
    if (!self_marks) give_all_locked(mk);
    c->pause_mode = true;
    c->run = true;
    pthread_cond_broadcast(&c->wake);
    pthread_mutex_unlock(&c->lock);
    bool self_idle = false;
    while (self_marks) {
        gc_mark_drain_some(mk, DRAIN_BUDGET);
        maybe_share(mk);
        if (mk->top) continue;
        pthread_mutex_lock(&c->lock);
        if (!self_idle) { self_idle = true; add_hungry_locked(1); }
        while (c->pool_n == 0 && !(c->hungry == c->nworkers + 1 && c->nworking == 0))
            pthread_cond_wait(&c->wake, &c->lock);
        bool done = !pool_take_locked(mk);
        if (!done) { self_idle = false; add_hungry_locked(-1); }
        pthread_mutex_unlock(&c->lock);
        if (done) break;
    }
    pthread_mutex_lock(&c->lock);
    while (!self_marks && !(c->hungry == c->nworkers && c->nworking == 0 && c->pool_n == 0))
        pthread_cond_wait(&c->wake, &c->lock);
    /* now: every participant is idle and the pool empty: nothing is grey */
    if (self_idle) add_hungry_locked(-1);
    c->run = false;
    c->pause_mode = false;
    for (unsigned i = 0; i < c->nworkers; i++) {
        GcMarker *wm = &c->workers[i].mk;
        if (wm->overflowed) mk->overflowed = true, wm->overflowed = false;
        mk->marked_bytes += wm->marked_bytes;
        wm->marked_bytes = 0;
    }
    pthread_mutex_unlock(&c->lock);
    gc_mark_complete(mk);
}

/* ---- mutator assists ----
 * Between the pauses a thread that allocates faster than the workers mark
 * would otherwise reach the end of the cycle's budget with the mark
 * unfinished, and pause 2 would finish it with the world stopped (a long
 * pause), or the heap would grow.  So gc_cycle_pace asks an allocating
 * thread that finds the mark behind its schedule to help: it takes grey
 * entries from the pool or queued SATB buffers and marks them on its own
 * grey stack (m->assist), gives back what it did not finish, and when
 * there is nothing to take it asks the workers to share (assist_waiting)
 * and leaves them the core a moment.  Either way it allocates less until
 * the mark is on schedule: the heap stays near its budget.  Bounded by
 * ASSIST_MAX_NS per call, so a thread is never held long.
 *
 * The thread never holds grey entries at a safepoint: it returns them to
 * the pool before it goes back to allocating, so pause 2 finds them there
 * (gc_workers_stop). */
enum { ASSIST_ROUND = 4 * DRAIN_BUDGET };
#define ASSIST_MAX_NS 1000000ull
#define ASSIST_NAP_NS 50000l

void gc_mark_assist(GcMutator *m, uint64_t goal) {
    GcCycle *c = &gc_heap.cycle;
    if (!m->assist) {
        m->assist = calloc(1, sizeof *m->assist);
        PT_CHECK(m->assist != NULL, "out of memory for a mark assist");
    }
    GcMarker *mk = m->assist;
    uint64_t t0 = now_ns(), t = t0, marked = 0;
    bool waiting = false, holding = false;
    while (atomic_load_explicit(&c->progress, memory_order_relaxed) < goal && t - t0 < ASSIST_MAX_NS) {
        GcWord **bufs = NULL;
        uint32_t *ns = NULL;
        size_t nbufs = 0;
        pthread_mutex_lock(&c->lock);
        if (!c->run || !c->active_mark) {  /* a pause is stopping the workers, or the mark is over */
            pthread_mutex_unlock(&c->lock);
            break;
        }
        bool got = mk->top > 0 || pool_take_locked(mk);
        if (!got && c->nfull) got = (nbufs = take_full_locked(&bufs, &ns)) > 0;
        if (got && !holding) holding = true, c->assist_holding++;  /* the mark is not done while we hold work */
        pthread_mutex_unlock(&c->lock);
        if (!got && !waiting) {
            waiting = true;
            atomic_fetch_add_explicit(&c->assist_waiting, 1, memory_order_relaxed);
        } else if (got && waiting) {
            waiting = false;
            atomic_fetch_sub_explicit(&c->assist_waiting, 1, memory_order_relaxed);
        }
        if (!got) {
            struct timespec nap = {0, ASSIST_NAP_NS};
            nanosleep(&nap, NULL);
        } else {
            uint64_t before = mk->marked_bytes;
            mark_buffers(mk, bufs, ns, nbufs);
            gc_mark_drain_some(mk, ASSIST_ROUND);
            marked += mk->marked_bytes - before;
            atomic_fetch_add_explicit(&c->progress, mk->marked_bytes - before, memory_order_relaxed);
        }
        t = now_ns();
    }
    if (waiting) atomic_fetch_sub_explicit(&c->assist_waiting, 1, memory_order_relaxed);
    pthread_mutex_lock(&c->lock);
    if (mk->top) {
        give_all_locked(mk);
        pthread_cond_broadcast(&c->wake);
    }
    if (mk->overflowed) c->assist_overflowed = true;
    mk->overflowed = false;
    if (holding) {
        c->assist_holding--;
        check_mark_done_locked();  /* the workers may have gone idle while we marked the last of it */
    }
    c->assist_marked_bytes += marked;
    mk->marked_bytes = 0;
    c->assists++;
    c->assist_ns += t - t0;
    pthread_mutex_unlock(&c->lock);
}

void gc_assist_free(GcMutator *m) {
    if (!m->assist) return;
    gc_marker_free(m->assist);
    free(m->assist);
    m->assist = NULL;
}

static void before_fork(void);
static void after_fork_parent(void);
static void after_fork_child(void);
static void register_fork_handlers(void) { pthread_atfork(before_fork, after_fork_parent, after_fork_child); }

/* ---- fork ----
 * Only the forking thread exists in the child: the workers do not come
 * along.  Before the fork their rounds end (none holds work outside
 * cycle.lock); in the child their grey entries and the pool go to the
 * pause's marker (a running concurrent cycle finishes with them in pause
 * 2), the lock and conditions start afresh, and new workers start at the
 * next use.  (Check's unit tests fork per test after the heap exists.) */
static bool fork_run;  /* c->run when the fork began; under cycle.lock */

static void before_fork(void) {
    if (!gc_heap.initialized) return;
    GcCycle *c = &gc_heap.cycle;
    pthread_mutex_lock(&c->lock);
    fork_run = c->run;
    c->run = false;
    while (c->nworking) pthread_cond_wait(&c->stopped, &c->lock);
}

static void after_fork_parent(void) {
    if (!gc_heap.initialized) return;
    GcCycle *c = &gc_heap.cycle;
    c->run = fork_run;
    pthread_cond_broadcast(&c->wake);
    pthread_mutex_unlock(&c->lock);
}

static void after_fork_child(void) {
    if (!gc_heap.initialized) return;
    GcCycle *c = &gc_heap.cycle;
    GcMarker *into = &gc_heap.marker;
    for (unsigned i = 0; i < c->nworkers; i++) {
        GcMarker *wm = &c->workers[i].mk;
        gc_marker_push_many(into, wm->stack, wm->top);
        into->overflowed |= wm->overflowed;
        into->marked_bytes += wm->marked_bytes;
        gc_marker_free(wm);
    }
    gc_marker_push_many(into, c->pool, c->pool_n);
    free(c->workers);
    free(c->pool);
    c->workers = NULL, c->pool = NULL;
    c->nworkers = 0, c->pool_n = c->pool_cap = 0;
    c->workers_started = false;
    c->hungry = c->nworking = 0;
    c->run = fork_run;
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->wake, NULL);
    pthread_cond_init(&c->stopped, NULL);
}

void gc_workers_init_once(void) {
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, register_fork_handlers);
}
