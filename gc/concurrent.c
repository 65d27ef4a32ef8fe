/* gc/concurrent.c — the concurrent collection cycle (GcConfig.concurrent:
 * Petrel's default; PETREL_GC_CONCURRENT=0 selects the stop-the-world cycle
 * of collect.c).  The algorithm (gc/README.md "Concurrent cycle"):
 *
 *   pause 1 (gc_cycle_start): stop the world, drop every TLAB, grey the
 *     roots (all thread stacks, VM stacks, globals), set gc_marking, resume.
 *     now: every object reachable at this instant (the snapshot) is either
 *     grey or reachable from a grey one.
 *   concurrent mark (the mark workers, gc/workers.c): drain the grey
 *     entries while mutators run; the write barrier logs every reference a mutator overwrites into
 *     its SATB buffer (snapshot at the beginning, Yuasa), full buffers go
 *     to the workers.  Objects allocated during the cycle are not marked:
 *     each page first handed out during the cycle snapshots its alloc
 *     bitmap (GcPage.old_alloc), and the sweep keeps every cell allocated
 *     since ("allocate black" without touching mark bits).
 *   pause 2 (gc_cycle_finish): stop the world, stop the workers, mark what
 *     every SATB buffer logged, drain to the end, clear gc_marking, sweep,
 *     resume.  now: every object reachable at the snapshot is marked; every
 *     object reachable now was reachable then or allocated since.
 *
 * Threads: the workers are no mutators (they never allocate Lisp objects);
 * they read heap words with acquire loads and are the only writers of mark
 * bits between the pauses.  cycle.lock guards the handshake and the
 * full-buffer list; pages_lock guards cycle.active and the snapshots. */
#include "gc/barrier.h"
#include "gc/gc_impl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { SATB_BUFFER_WORDS = 1024 };


void gc_cycle_init(void) {
    GcCycle *c = &gc_heap.cycle;
    pthread_mutex_init(&c->lock, NULL);
    pthread_cond_init(&c->wake, NULL);
    pthread_cond_init(&c->stopped, NULL);
}

/* ---- SATB buffers ---- */

static void hand_over_locked(GcWord *buf, uint32_t n) {
    GcCycle *c = &gc_heap.cycle;
    if (c->nfull == c->cap_full) {
        size_t cap = c->cap_full ? c->cap_full * 2 : 64;
        GcWord **b = realloc(c->full, cap * sizeof *b);
        uint32_t *nb = realloc(c->full_n, cap * sizeof *nb);
        PT_CHECK(b && nb, "out of memory queueing SATB buffers");
        c->full = b, c->full_n = nb, c->cap_full = cap;
    }
    c->full[c->nfull] = buf;
    c->full_n[c->nfull++] = n;
}

/* The barrier's slow path while marking: log old, a reference the mutator
 * is about to overwrite, so the workers see everything of the snapshot. */
void gc_satb_log(GcMutator *m, GcWord old) {
    unsigned tag = (unsigned)(old & GC_TAG_MASK);
    if (tag != GC_TAG_CONS && tag != GC_TAG_OBJECT) return;
    if (m->satb_n == m->satb_cap && m->satb &&
        !atomic_load_explicit(&gc_heap.cycle.logging, memory_order_acquire)) {
        m->satb_n = 0;  /* a forced barrier outside a cycle: nobody marks these */
    } else if (m->satb_n == m->satb_cap) {
        if (m->satb) {
            pthread_mutex_lock(&gc_heap.cycle.lock);
            hand_over_locked(m->satb, m->satb_n);
            pthread_cond_broadcast(&gc_heap.cycle.wake);  /* workers may have gone idle */
            pthread_mutex_unlock(&gc_heap.cycle.lock);
        }
        m->satb = malloc(SATB_BUFFER_WORDS * sizeof *m->satb);
        PT_CHECK(m->satb != NULL, "out of memory for an SATB buffer");
        m->satb_n = 0;
        m->satb_cap = SATB_BUFFER_WORDS;
    }
    m->satb[m->satb_n++] = old;
}

/* A mutator leaving (or a pause) hands its partial buffer over. */
void gc_satb_flush_locked(GcMutator *m) {
    if (m->satb && m->satb_n) hand_over_locked(m->satb, m->satb_n);
    else free(m->satb);
    m->satb = NULL;
    m->satb_n = m->satb_cap = 0;
}

/* Every mutator's SATB log emptied (pause 1: what a forced barrier logged
 * before the cycle is no part of its snapshot). */
static void drop_logs_locked(void) {
    for (GcMutator *m = gc_heap.mutators; m; m = m->next) m->satb_n = 0;
    pthread_mutex_lock(&gc_heap.cycle.lock);
    gc_workers_drop_queued_buffers_locked();
    pthread_mutex_unlock(&gc_heap.cycle.lock);
}

void gc_cycle_start(GcMutator *self) {
    uint64_t t0 = gc_pause_begin(self);
    gc_workers_stop(NULL);  /* they may still be sweeping the last cycle */
    pthread_mutex_lock(&gc_heap.registry_lock);
    gc_lock_pages();
    bool begin = !gc_heap.cycle.active;
    if (begin) {
        gc_sweep_some_locked(SIZE_MAX);  /* the last cycle's sweep, if pacing let it run late */
        gc_stop_world_locked();
        /* now: no TLAB owns a page; every allocation from here takes a page
         * through gc_page_acquire_locked, which snapshots it */
        drop_logs_locked();
        gc_marker_reset(&gc_heap.marker);
        gc_heap.mark_epoch++;
        gc_mark_roots_locked(&gc_heap.marker, self);
        gc_heap.cycle.active = true;
        gc_heap.cycle.started_ns = t0;  /* bytes_since_gc goes on counting: the budget runs to pause 2 */
        atomic_store_explicit(&gc_heap.cycle.progress, 0, memory_order_relaxed);
        atomic_store_explicit(&gc_heap.cycle.mark_done, false, memory_order_relaxed);
        atomic_store_explicit(&gc_heap.cycle.logging, true, memory_order_release);
        atomic_store_explicit(&gc_marking, 1, memory_order_release);
        /* now: the roots of the snapshot are grey; the barrier logs */
        gc_heap.cycle.first_pause_ns = now_ns() - t0;
        gc_record_pause_only_locked(gc_heap.cycle.first_pause_ns);
    }
    gc_unlock_pages();
    pthread_mutex_unlock(&gc_heap.registry_lock);
    /* the roots go to the workers (another thread's pause 1 won the race:
     * its workers go on) */
    gc_workers_run(begin ? &gc_heap.marker : NULL, true, false);
    gc_pause_end(self);
}

/* What the checker says about an object it found unmarked: enough to tell
 * which kind of object the barrier (or the snapshot) missed. */
static void report_lost(const GcPage *p, const char *cell) {
    const GcWord *w = (const GcWord *)cell;
    if (p->kind == GC_PAGE_CONS)
        fprintf(stderr, "petrel: barrier checker: cons %p reachable but not marked (car %#llx, cdr %#llx%s)\n",
                (const void *)cell, (unsigned long long)w[0], (unsigned long long)w[1],
                p->snapshotted ? ", page snapshotted" : "");
    else
        fprintf(stderr, "petrel: barrier checker: object %p (type %u, %llu words) reachable but not marked%s\n",
                (const void *)cell, gc_header_type(w[0]), (unsigned long long)gc_header_nwords(w[0]),
                p->snapshotted ? " (page snapshotted)" : "");
}

/* The barrier checker: everything reachable now that existed at the
 * snapshot must have been marked by the concurrent mark.  Re-marks from the
 * current roots into fresh bitmaps, compares, then keeps the union. */
static void check_barrier_locked(GcMutator *self) {
    size_t n = gc_heap.hwm;
    uint64_t (*saved)[GC_BITMAP_WORDS] = malloc((n ? n : 1) * sizeof *saved);
    PT_CHECK(saved != NULL, "out of memory in the barrier checker");
    for (size_t i = 0; i < n; i++) {
        memcpy(saved[i], gc_heap.pages[i].mark, sizeof saved[i]);
        memset(gc_heap.pages[i].mark, 0, sizeof saved[i]);
    }
    /* Precise roots only: a C stack may have grown over stale words that
     * point at objects already unreachable at the snapshot, which a
     * conservative re-scan would count as reachable. */
    bool skip = gc_heap.test_skip_stack_scan;
    gc_heap.test_skip_stack_scan = true;
    gc_marker_reset(&gc_heap.marker);
    gc_mark_roots_locked(&gc_heap.marker, self);
    gc_mark_complete(&gc_heap.marker);
    gc_heap.test_skip_stack_scan = skip;
    size_t missed = 0;
    for (size_t i = 0; i < n; i++) {
        GcPage *p = &gc_heap.pages[i];
        for (unsigned w = 0; w < GC_BITMAP_WORDS; w++) {
            uint64_t existed = p->snapshotted ? p->old_alloc[w] : p->alloc[w];
            uint64_t lost = p->mark[w] & existed & ~saved[i][w];
            if (p->kind == GC_PAGE_LARGE_CONT || p->kind == GC_PAGE_FREE) lost = 0;
            for (; lost; lost &= lost - 1, missed++)
                if (missed < 20)
                    report_lost(p, gc_page_start(p) + ((size_t)(w * 64 + __builtin_ctzll(lost)) << GC_GRANULE_SHIFT));
            p->mark[w] |= saved[i][w];
        }
    }
    free(saved);
    if (missed) pt_fatal("barrier checker: %zu reachable objects were not marked by the concurrent mark", missed);
}

/* Pause 2's work, with the world stopped (collect_lock held) since t0.
 * Returns whether a sweep in steps is left for the workers. */
static bool finish_stopped(GcMutator *self, uint64_t t0, bool own_pause) {
    GcMarker *mk = &gc_heap.marker;  /* empty since pause 1 gave its roots away (after a fork: what the workers held) */
    uint64_t t_stopped = now_ns();   /* the log line's breakdown: threads stopped, workers stopped, marked */
    gc_workers_stop(mk);  /* what they had not drained yet comes to mk */
    uint64_t t_workers = now_ns(), t_marked = t_workers;
    pthread_mutex_lock(&gc_heap.registry_lock);
    gc_lock_pages();
    if (gc_heap.cycle.active) {
        /* now: mutators parked or safe, the workers stopped */
        for (GcMutator *m = gc_heap.mutators; m; m = m->next) {
            for (uint32_t k = 0; k < m->satb_n; k++) gc_mark_word(mk, m->satb[k]);
            m->satb_n = 0;
        }
        gc_workers_mark_queued_buffers(mk);
        atomic_store_explicit(&gc_heap.cycle.logging, false, memory_order_release);
        gc_mark_parallel(mk);
        t_marked = now_ns();
        gc_record_marked_locked(mk->marked_bytes);
        gc_heap.stats.last_mark_ns = t0 - gc_heap.cycle.started_ns;
        atomic_store_explicit(&gc_marking, gc_heap.cfg.force_barrier ? 1 : 0, memory_order_release);
        /* now: every object of the snapshot that is still reachable is marked */
        if (gc_heap.cfg.check_barrier) check_barrier_locked(self);
        gc_heap.stats.weak_broken_total += gc_weak_process_locked();
        gc_stop_world_locked();
        /* The sweep runs after the pause, on the workers and in allocating
         * threads that find no swept page (heap.c); with the verifier on
         * (or inside a stop-the-world collection) it runs here. */
        if (gc_heap.cfg.verify || !own_pause) gc_sweep_locked();
        else gc_sweep_begin_locked();
        /* now: pages below sweep.next are swept; no page is handed out unswept */
        gc_heap.cycle.active = false;
        atomic_store_explicit(&gc_heap.cycle.mark_done, false, memory_order_relaxed);
        if (own_pause) gc_record_cycle_locked(now_ns() - t0);
        else gc_heap.stats.collections++;  /* the enclosing collection records the pause */
        gc_heap.sweep.log_when_done = gc_heap.cfg.log && gc_heap.sweep.active;
        gc_heap.sweep.cycle = gc_heap.stats.collections;
        if (gc_heap.cfg.verify && gc_verify_heap_locked())
            pt_fatal("heap verifier found problems after concurrent cycle %llu",
                     (unsigned long long)gc_heap.stats.collections);
        if (gc_heap.cfg.log)
            fprintf(stderr, "petrel: gc %llu (concurrent, %u marker%s): first pause %.3f ms, mark %.3f ms, final pause %.3f ms, "
                            "marked %llu KiB (final pause: threads stop %.3f, workers stop %.3f, mark %.3f, rest %.3f ms)\n",
                    (unsigned long long)gc_heap.stats.collections, gc_heap.cfg.markers, gc_heap.cfg.markers == 1 ? "" : "s",
                    (double)gc_heap.cycle.first_pause_ns / 1e6,
                    (double)(t0 - gc_heap.cycle.started_ns) / 1e6, (double)(now_ns() - t0) / 1e6,
                    (unsigned long long)(mk->marked_bytes >> 10), (double)(t_stopped - t0) / 1e6,
                    (double)(t_workers - t_stopped) / 1e6, (double)(t_marked - t_workers) / 1e6,
                    (double)(now_ns() - t_marked) / 1e6);
    }
    bool sweep = gc_heap.sweep.active;
    gc_unlock_pages();
    pthread_mutex_unlock(&gc_heap.registry_lock);
    return sweep;
}

void gc_cycle_finish(GcMutator *self) {
    uint64_t t0 = gc_pause_begin(self);
    if (finish_stopped(self, t0, true)) gc_workers_run(NULL, false, true);
    gc_pause_end(self);
}

/* A stop-the-world collection (or the heap verifier) in its pause: a cycle
 * that began since it asked must end first — its mark bits, snapshots and
 * SATB logs are still live, and the collection starts from clear marks. */
void gc_cycle_finish_stopped(GcMutator *self) { finish_stopped(self, now_ns(), false); }

/* Allocation's pacing in concurrent mode (alloc.c, no lock held).  The
 * budget between the end of one cycle and the end of the next is
 * trigger_bytes (target_percent of the live heap), as for the
 * stop-the-world collector, so the heap peaks alike: a cycle starts when
 * half of it is allocated, giving the workers the other half to mark in;
 * if they have not finished when it is all allocated (or the heap is
 * nearly full), pause 2 finishes the mark (backpressure) rather than let
 * the heap grow.  The last cycle's sweep must end before the next cycle
 * begins: a thread that finds one due while it runs sweeps a batch itself. */
enum { PACE_SWEEP_HELP_PAGES = 256 };

/* The mark's schedule: this cycle's likely work all done by the time 7/8
 * of the budget from the cycle's start to its forced end is allocated, in
 * proportion before.  A thread that allocates while the mark is behind
 * this assists (workers.c).  The likely work is the last cycle's marked
 * bytes, grown as they grew from the cycle before (a heap being built
 * doubles its live bytes from cycle to cycle), but never more than can
 * have been reachable at the snapshot: last marked plus all allocated
 * since that cycle's snapshot (at most a whole budget). */
static uint64_t assist_goal_locked(uint64_t since, uint64_t trigger) {
    uint64_t last = gc_heap.stats.last_marked_bytes, prev = gc_heap.cycle.prev_marked_bytes;
    uint64_t work = last;
    if (!prev) work = last + trigger;  /* the first cycles: no growth known, assume the bound */
    else if (last > prev) work = (uint64_t)((double)last * ((double)last / (double)prev));
    if (work > last + trigger) work = last + trigger;
    uint64_t span = (trigger - trigger / 2) / 8 * 7;
    if (span == 0) return 0;
    double done = (double)(since - trigger / 2) / (double)span;
    return (uint64_t)((double)work * (done > 1.0 ? 1.0 : done));
}

void gc_cycle_pace(GcMutator *self) {
    gc_lock_pages();
    bool active = gc_heap.cycle.active;
    uint64_t since = gc_heap.bytes_since_gc, trigger = gc_heap.trigger_bytes;
    bool due = since >= trigger / 2;
    if (!active && due && gc_heap.sweep.active) due = gc_sweep_some_locked(PACE_SWEEP_HELP_PAGES) == false;
    bool behind = since >= trigger || gc_heap.pages_in_use * 10 >= gc_heap.npages * 8;
    uint64_t goal = active && !behind && since > trigger / 2 ? assist_goal_locked(since, trigger) : 0;
    gc_unlock_pages();
    if (!active) {
        if (due) gc_cycle_start(self);
        return;
    }
    bool done = atomic_load_explicit(&gc_heap.cycle.mark_done, memory_order_acquire);
    if (!done && !behind && goal > atomic_load_explicit(&gc_heap.cycle.progress, memory_order_relaxed))
        gc_mark_assist(self, goal);
    if (done || behind) gc_cycle_finish(self);
}
