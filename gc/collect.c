/* gc/collect.c — the collector's entry points: initialisation and
 * configuration, root registration, one full stop-the-world cycle, statistics.
 *
 * A cycle (gc_collect) is a script; see the "now:" lines.  It holds
 * collect_lock, then registry_lock and pages_lock for the whole pause, so root
 * scanners must not register roots or allocate.  Stopping the world parks
 * every other mutator at a safepoint (their stacks are scanned from the
 * stack pointer they park at) and drops every TLAB.
 * Pacing: the next cycle starts when the pages handed out since this one
 * reach target_percent of the live bytes after this one, but at least
 * min_trigger(). */
#include "gc/barrier.h"
#include "gc/gc_impl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const phase_names[] = {
#define GC_PHASE_NAME(name, str) str,
    GC_PHASE_LIST(GC_PHASE_NAME)
#undef GC_PHASE_NAME
};

const char *gc_phase_name(int phase) {
    if (phase < 0 || (size_t)phase >= sizeof phase_names / sizeof phase_names[0])
        return "?";
    return phase_names[phase];
}

static void set_phase(GcPhase ph) {
    atomic_store_explicit(&gc_heap.phase, (int)ph, memory_order_relaxed);
}


/* ---- configuration ---- */

static bool env_flag(const char *name) {
    const char *v = getenv(name);
    return v && *v && strcmp(v, "0") != 0;
}

/* A count in [lo, hi] from the environment; anything else is reported and ignored. */
static void env_count(const char *name, unsigned lo, unsigned hi, unsigned *out) {
    const char *v = getenv(name);
    if (!v || !*v) return;
    char *end;
    errno = 0;
    unsigned long n = strtoul(v, &end, 10);
    if (errno || *end || v[0] == '-' || n < lo || n > hi)
        fprintf(stderr, "petrel: ignoring %s=%s (not a count from %u to %u)\n", name, v, lo, hi);
    else
        *out = (unsigned)n;
}

/* A small live heap still gets GC_MIN_TRIGGER_BYTES of allocation between
 * collections (each one costs a mark of the live heap), but never more
 * than an eighth of the heap: a small --dynamic-space-size collects early
 * rather than only when full. */
static uint64_t min_trigger(void) {
    uint64_t eighth = (uint64_t)(gc_heap.npages << GC_PAGE_SHIFT) / 8;
    return eighth < GC_MIN_TRIGGER_BYTES ? eighth : GC_MIN_TRIGGER_BYTES;
}

void gc_config_from_env(GcConfig *cfg) {
    const char *t = getenv("PETREL_GC_TORTURE");
    if (t && *t) {
        char *end;
        errno = 0;
        unsigned long long n = strtoull(t, &end, 10);
        if (errno || *end || t[0] == '-')
            fprintf(stderr, "petrel: ignoring PETREL_GC_TORTURE=%s (not a count)\n", t);
        else
            cfg->torture_every = n;
    }
    if (getenv("PETREL_GC_VERIFY"))
        cfg->verify = env_flag("PETREL_GC_VERIFY");
    if (getenv("PETREL_GC_LOG"))
        cfg->log = env_flag("PETREL_GC_LOG");
    if (getenv("PETREL_GC_CONCURRENT"))
        cfg->concurrent = env_flag("PETREL_GC_CONCURRENT");
    if (getenv("PETREL_GC_CHECK_BARRIER"))
        cfg->check_barrier = env_flag("PETREL_GC_CHECK_BARRIER");
    if (getenv("PETREL_GC_FORCE_BARRIER"))
        cfg->force_barrier = env_flag("PETREL_GC_FORCE_BARRIER");
    env_count("PETREL_GC_MARKERS", 1, 16, &cfg->markers);
    env_count("PETREL_GC_TARGET_PERCENT", 10, 10000, &cfg->target_percent);
}

void gc_init(const GcConfig *cfg) {
    PT_CHECK(!gc_heap.initialized, "gc_init called twice (gc_shutdown first)");
    memset(&gc_heap, 0, sizeof gc_heap);
    gc_heap.cfg = *cfg;
    if (gc_heap.cfg.heap_limit_bytes == 0)
        gc_heap.cfg.heap_limit_bytes = GC_DEFAULT_HEAP_LIMIT;
    if (gc_heap.cfg.markers == 0)
        gc_heap.cfg.markers = gc_default_markers();
    if (gc_heap.cfg.target_percent == 0)
        gc_heap.cfg.target_percent = gc_heap.cfg.concurrent ? GC_DEFAULT_TARGET_PERCENT_CONCURRENT
                                                            : GC_DEFAULT_TARGET_PERCENT_STW;
    /* A forced barrier logs every overwritten reference for the whole run;
     * outside a cycle its full buffers are dropped (gc_satb_log). */
    atomic_store(&gc_marking, gc_heap.cfg.force_barrier ? 1 : 0);
    gc_size_classes_init();
    pthread_mutex_init(&gc_heap.collect_lock, NULL);
    pthread_mutex_init(&gc_heap.registry_lock, NULL);
    pthread_mutex_init(&gc_heap.pages_lock, NULL);
    gc_cycle_init();
    gc_workers_init_once();
    gc_heap_reserve(gc_heap.cfg.heap_limit_bytes, gc_heap.cfg.base_hint ? gc_heap.cfg.base_hint : GC_DEFAULT_BASE);
    gc_heap.trigger_bytes = min_trigger();
    gc_heap.stats.heap_limit_bytes = gc_heap.npages << GC_PAGE_SHIFT;
    set_phase(GC_PHASE_IDLE);
    gc_heap.initialized = true;
}

void gc_shutdown(void) {
    if (!gc_heap.initialized)
        return;
    gc_workers_shutdown();
    gc_weak_forget();
    gc_heap_release();
    gc_marker_free(&gc_heap.marker);
    free(gc_heap.ranges);
    free(gc_heap.scanners);
    pthread_mutex_destroy(&gc_heap.collect_lock);
    pthread_mutex_destroy(&gc_heap.registry_lock);
    pthread_mutex_destroy(&gc_heap.pages_lock);
    memset(&gc_heap, 0, sizeof gc_heap);
}

void gc_test_skip_stack_scan(bool skip) { gc_heap.test_skip_stack_scan = skip; }

void gc_set_world_hooks(const GcWorldHooks *hooks) { gc_heap.hooks = *hooks; }
void gc_test_mark_stack_limit(size_t entries) { gc_heap.marker.limit = entries; }

/* ---- roots ---- */

static void *grow_array(void *a, size_t *cap, size_t elem) {
    size_t n = *cap ? *cap * 2 : 16;
    void *b = realloc(a, n * elem);
    PT_CHECK(b != NULL, "out of memory registering a GC root");
    *cap = n;
    return b;
}

void gc_add_root_scanner(GcRootScanner fn, void *data) {
    PT_CHECK(gc_heap.initialized, "gc_add_root_scanner before gc_init");
    pthread_mutex_lock(&gc_heap.registry_lock);
    if (gc_heap.nscanners == gc_heap.cap_scanners)
        gc_heap.scanners = grow_array(gc_heap.scanners, &gc_heap.cap_scanners, sizeof(GcRootScan));
    gc_heap.scanners[gc_heap.nscanners++] = (GcRootScan){fn, data};
    pthread_mutex_unlock(&gc_heap.registry_lock);
}

void gc_add_root_range(GcWord *start, size_t count) {
    PT_CHECK(gc_heap.initialized, "gc_add_root_range before gc_init");
    pthread_mutex_lock(&gc_heap.registry_lock);
    if (gc_heap.nranges == gc_heap.cap_ranges)
        gc_heap.ranges = grow_array(gc_heap.ranges, &gc_heap.cap_ranges, sizeof(GcRootRange));
    gc_heap.ranges[gc_heap.nranges++] = (GcRootRange){start, count};
    pthread_mutex_unlock(&gc_heap.registry_lock);
}

/* ---- the cycle ---- */

/* Every mutator's TLAB pages go back to the shared lists. */
void gc_stop_world_locked(void) {
    for (GcMutator *m = gc_heap.mutators; m; m = m->next) {
        gc_mutator_drop_tlabs_locked(m);
        m->allocs_since_gc = 0;
    }
}

/* The collecting thread's stack from here; every other mutator's from where
 * it parked or entered its safe region (the world hooks set stopped_sp).
 * Without world hooks (gc/'s own tests) every mutator runs on the
 * collecting thread, whose stack is the one scanned. */
static void mark_stacks_locked(GcMarker *mk, GcMutator *self) {
    gc_mark_thread_stack(mk, self);
    for (GcMutator *m = gc_heap.mutators; m && gc_heap.hooks.stop; m = m->next) {
        if (m == self)
            continue;
        PT_CHECK(m->stopped_sp != NULL, "mutator %p is neither parked nor safe in a pause", (void *)m);
        gc_scan_stack_conservative(mk, m->stopped_sp, m->stack_base);
        gc_mark_conservative(mk, m->saved_regs, m->saved_regs + sizeof m->saved_regs / sizeof m->saved_regs[0]);
    }
}

uint64_t gc_mark_epoch(void) { return gc_heap.mark_epoch; }

void gc_mark_roots_locked(GcMarker *mk, GcMutator *self) {
    if (!gc_heap.test_skip_stack_scan)
        mark_stacks_locked(mk, self);
    for (size_t i = 0; i < gc_heap.nranges; i++)
        gc_mark_words(mk, gc_heap.ranges[i].start, gc_heap.ranges[i].start + gc_heap.ranges[i].count);
    for (size_t i = 0; i < gc_heap.nscanners; i++)
        gc_heap.scanners[i].fn(mk, gc_heap.scanners[i].data);
}

static unsigned histogram_bucket(uint64_t ns) {
    static const uint64_t limits[] = {100000, 1000000, 10000000, 100000000,
                                      1000000000, 10000000000u};
    unsigned b = 0;
    while (b < sizeof limits / sizeof limits[0] && ns >= limits[b])
        b++;
    return b;
}

/* A pause's time into the statistics (concurrent.c's first pause too). */
void gc_record_pause_only_locked(uint64_t ns) {
    GcStats *s = &gc_heap.stats;
    s->pause_ns_last = ns;
    s->pause_ns_total += ns;
    if (ns > s->pause_ns_max)
        s->pause_ns_max = ns;
    s->pause_histogram[histogram_bucket(ns)]++;
}

/* The end of a cycle: its last pause, and pacing from the live heap. */
void gc_record_cycle_locked(uint64_t ns) {
    GcStats *s = &gc_heap.stats;
    s->collections++;
    gc_record_pause_only_locked(ns);
    gc_pace_from_live_locked(s->live_bytes);
    gc_heap.bytes_since_gc = 0;
}

/* A mark's total, by either collector: the assists' schedule
 * (concurrent.c) reads the growth from one to the next. */
void gc_record_marked_locked(uint64_t bytes) {
    gc_heap.cycle.prev_marked_bytes = gc_heap.stats.last_marked_bytes;
    gc_heap.stats.last_marked_bytes = bytes;
}

/* The next cycle is due when the pages handed out since this one reach
 * target_percent of the live heap (at least min_trigger()). */
void gc_pace_from_live_locked(uint64_t live) {
    double t = (double)live * (double)gc_heap.cfg.target_percent / 100.0;
    uint64_t floor = min_trigger();
    gc_heap.trigger_bytes = t > (double)floor ? (uint64_t)t : floor;
}

unsigned gc_target_percent(void) { return gc_heap.cfg.target_percent; }

void gc_set_target_percent(unsigned percent) {
    gc_lock_pages();
    gc_heap.cfg.target_percent = percent < 10 ? 10 : percent > 10000 ? 10000 : percent;
    gc_pace_from_live_locked(gc_heap.stats.live_bytes);
    gc_unlock_pages();
}

static void log_cycle_locked(uint64_t sweep_ns) {
    const GcStats *s = &gc_heap.stats;
    fprintf(stderr, "petrel: gc %llu: pause %.3f ms (mark %.3f ms with %u marker%s, sweep %.3f ms), "
                    "marked %llu KiB, freed %llu KiB, live %llu KiB, heap %llu KiB\n",
            (unsigned long long)s->collections, (double)s->pause_ns_last / 1e6, (double)s->last_mark_ns / 1e6,
            gc_heap.cfg.markers, gc_heap.cfg.markers == 1 ? "" : "s", (double)sweep_ns / 1e6,
            (unsigned long long)(s->last_marked_bytes >> 10), (unsigned long long)(s->last_freed_bytes >> 10),
            (unsigned long long)(s->live_bytes >> 10),
            (unsigned long long)(((uint64_t)gc_heap.pages_in_use << GC_PAGE_SHIFT) >> 10));
}

/* Every pause (a collection, a concurrent cycle's two, gc_with_world_stopped):
 * self waits for collect_lock in a safe region, then the other mutators stop.
 * Returns when the pause began: after collect_lock, before the stop, so the
 * handshake counts in the pause time. */
uint64_t gc_pause_begin(GcMutator *self) {
    const GcWorldHooks *hooks = &gc_heap.hooks;
    if (hooks->may_block)
        hooks->may_block(self);
    pthread_mutex_lock(&gc_heap.collect_lock);
    uint64_t t0 = now_ns();
    if (hooks->stop)
        hooks->stop(self);
    return t0;
}

void gc_pause_end(GcMutator *self) {
    const GcWorldHooks *hooks = &gc_heap.hooks;
    if (hooks->resume)
        hooks->resume(self);
    pthread_mutex_unlock(&gc_heap.collect_lock);
    if (hooks->unblocked)
        hooks->unblocked(self);
}

void gc_collect(GcMutator *self) {
    PT_CHECK(gc_heap.initialized, "gc_collect before gc_init");
    uint64_t t0 = gc_pause_begin(self);
    /* A running concurrent cycle ends first, inside this pause (ending it
     * before the pause would let another thread start one in between,
     * whose marks this collection's sweep would then wipe). */
    if (gc_heap.cfg.concurrent) gc_cycle_finish_stopped(self);
    gc_workers_stop(NULL);  /* they may be sweeping: before pages_lock (workers.c) */
    /* now: every other mutator is parked or safe; none touches the heap */
    pthread_mutex_lock(&gc_heap.registry_lock);
    gc_lock_pages();
    set_phase(GC_PHASE_ROOTS);
    gc_sweep_some_locked(SIZE_MAX);  /* a concurrent cycle's sweep still running: finish it */
    gc_stop_world_locked();
    /* now: no TLAB owns a page; all mark bits are clear */
    GcMarker *mk = &gc_heap.marker;
    gc_marker_reset(mk);
    gc_heap.mark_epoch++;
    uint64_t t_mark = now_ns();
    gc_mark_roots_locked(mk, self);
    set_phase(GC_PHASE_MARK);
    /* now: every root is marked and grey */
    gc_mark_parallel(mk);
    gc_record_marked_locked(mk->marked_bytes);
    uint64_t t_sweep = now_ns();
    gc_heap.stats.last_mark_ns = t_sweep - t_mark;
    gc_heap.stats.weak_broken_total += gc_weak_process_locked();
    set_phase(GC_PHASE_SWEEP);
    /* now: every object reachable from a root is marked */
    gc_sweep_locked();
    uint64_t sweep_ns = now_ns() - t_sweep;
    /* now: allocated == marked, mark bits clear, available lists rebuilt */
    gc_record_cycle_locked(now_ns() - t0);
    if (gc_heap.cfg.verify) {
        set_phase(GC_PHASE_VERIFY);
        size_t bad = gc_verify_heap_locked();
        if (bad)
            pt_fatal("heap verifier found %zu problems after collection %llu", bad,
                     (unsigned long long)gc_heap.stats.collections);
    }
    if (gc_heap.cfg.log)
        log_cycle_locked(sweep_ns);
    set_phase(GC_PHASE_IDLE);
    gc_unlock_pages();
    pthread_mutex_unlock(&gc_heap.registry_lock);
    gc_pause_end(self);
}

void gc_with_world_stopped(GcMutator *self, void (*fn)(void *data), void *data) {
    gc_pause_begin(self);
    /* now: every other mutator is parked or safe */
    fn(data);
    gc_pause_end(self);
}

void gc_get_stats(GcStats *out) {
    PT_CHECK(gc_heap.initialized, "gc_get_stats before gc_init");
    gc_lock_pages();
    *out = gc_heap.stats;
    out->heap_bytes = (uint64_t)gc_heap.pages_in_use << GC_PAGE_SHIFT;
    gc_unlock_pages();
    out->barrier_slow_calls = gc_barrier_slow_count();
    out->markers = gc_heap.cfg.markers;
    out->target_percent = gc_heap.cfg.target_percent;
    out->concurrent = gc_heap.cfg.concurrent;
    out->weak_refs = gc_weak_count();
    pthread_mutex_lock(&gc_heap.cycle.lock);
    out->assists = gc_heap.cycle.assists;
    out->assist_ns = gc_heap.cycle.assist_ns;
    pthread_mutex_unlock(&gc_heap.cycle.lock);
}

bool gc_is_heap_object(const void *ptr) {
    uintptr_t a = (uintptr_t)ptr;
    if (!gc_heap.initialized || (a & 15) || !gc_in_heap_p(a))
        return false;
    const GcPage *p = gc_page_of(a);
    bool kind_ok = p->kind == GC_PAGE_CONS || p->kind == GC_PAGE_SMALL ||
                   p->kind == GC_PAGE_LARGE_START;
    return kind_ok && gc_bit_p(p->alloc, gc_granule_of(a));
}
