/* threads/context.c — creation of thread contexts, the thread-local pointer to
 * the current one, per-thread special-binding storage, and the roots each
 * context holds.
 *
 * Every ThContext field is owner-thread only unless its comment says
 * otherwise; the collector reads them in a pause, when the owner is parked
 * or safe.  Contexts are on th_contexts (guarded by th_world_lock) so the
 * collector can scan every thread's binding vector, binding stack and VM.
 * Attach and detach happen inside a safe region, so that a pause never waits
 * for a thread that is half registered. */
#include "threads/threads_impl.h"

#include <stdlib.h>

#include "gc/fatal.h"

pthread_mutex_t th_world_lock = PTHREAD_MUTEX_INITIALIZER;
pthread_cond_t th_world_changed = PTHREAD_COND_INITIALIZER;
ThLink *th_contexts;  /* guarded by th_world_lock */

static _Thread_local ThContext *current_context;

/* Next free thread-local slot index; 0 means "none" in a symbol. atomic. */
static _Atomic uint64_t next_tls_index = 1;
/* Serial numbers of contexts; atomic, relaxed: only uniqueness matters. */
static _Atomic uint64_t next_serial = 1;
static ThRootScanner vm_root_scanner;  /* written once at startup */

ThContext *th_current(void) { return current_context; }
void th_set_current(ThContext *tc) { current_context = tc; }

uint64_t th_new_tls_index(void) {
    return atomic_fetch_add_explicit(&next_tls_index, 1, memory_order_relaxed);
}

uint64_t th_tls_index_counter(void) {
    return atomic_load_explicit(&next_tls_index, memory_order_relaxed);
}

void th_tls_index_restore(uint64_t next) {
    atomic_store_explicit(&next_tls_index, next, memory_order_relaxed);
}

static void *xcalloc(size_t n, size_t size) {
    void *p = calloc(n, size);
    if (!p) pt_fatal("out of memory allocating %zu bytes for a thread context", n * size);
    return p;
}

void th_ensure_tls(ThContext *tc, uint64_t index, GcWord no_binding) {
    if (index < tc->tls_capacity) return;
    size_t cap = tc->tls_capacity ? tc->tls_capacity : 256;
    while (cap <= index) cap *= 2;
    GcWord *v = realloc(tc->tls_values, cap * sizeof *v);
    if (!v) pt_fatal("out of memory growing the binding vector to %zu slots", cap);
    for (size_t i = tc->tls_capacity; i < cap; i++) v[i] = no_binding;
    tc->tls_values = v;
    tc->tls_capacity = cap;
}

void th_push_binding(ThContext *tc, uint64_t index, GcWord old_value) {
    if (tc->bind_top == tc->bind_capacity) {
        size_t cap = tc->bind_capacity ? tc->bind_capacity * 2 : 256;
        ThBinding *b = realloc(tc->bind_stack, cap * sizeof *b);
        if (!b) pt_fatal("out of memory growing the binding stack to %zu entries", cap);
        tc->bind_stack = b;
        tc->bind_capacity = cap;
    }
    tc->bind_stack[tc->bind_top++] = (ThBinding){index, old_value};
}

/* In a pause (every owner parked or safe): no lock needed for the fields;
 * the list itself is stable because attach/detach wait for the pause. */
static void scan_contexts(GcMarker *mk, void *data) {
    (void)data;
    pthread_mutex_lock(&th_world_lock);
    for (ThLink *l = th_contexts; l; l = l->next) {
        ThContext *tc = l->tc;
        if (tc->tls_values) gc_mark_words(mk, tc->tls_values, tc->tls_values + tc->tls_capacity);
        for (size_t i = 0; i < tc->bind_top; i++) gc_mark_word(mk, tc->bind_stack[i].old_value);
        gc_mark_word(mk, tc->lisp_thread);
        gc_mark_word(mk, tc->interrupts);
        if (tc->vm && vm_root_scanner) vm_root_scanner(mk, tc);
    }
    pthread_mutex_unlock(&th_world_lock);
}

void th_set_vm_root_scanner(ThRootScanner fn) { vm_root_scanner = fn; }

void th_init(void) {
    gc_add_root_scanner(scan_contexts, NULL);
    th_world_init();
}

void th_each_context(void (*fn)(ThContext *tc, void *data), void *data) {
    pthread_mutex_lock(&th_world_lock);
    for (ThLink *l = th_contexts; l; l = l->next) fn(l->tc, data);
    pthread_mutex_unlock(&th_world_lock);
}

ThContext *th_attach_current(void *stack_base, const char *name) {
    ThContext *tc = xcalloc(1, sizeof *tc);
    ThLink *link = xcalloc(1, sizeof *link);
    tc->name = name;
    tc->serial = atomic_fetch_add_explicit(&next_serial, 1, memory_order_relaxed);
    tc->gc.stack_base = stack_base;
    link->tc = tc;
    th_set_current(tc);
    /* Join the world as SAFE (nothing to scan yet but the stack below here),
     * register with the collector, then wait out any pause and run. */
    TH_SAVE_REGISTERS(&tc->gc);
    tc->gc.stopped_sp = th_saved_sp(&tc->gc);
    pthread_mutex_lock(&th_world_lock);
    tc->state = TH_SAFE;
    link->next = th_contexts;
    th_contexts = link;
    pthread_mutex_unlock(&th_world_lock);
    gc_mutator_register(&tc->gc, stack_base);
    th_leave_safe(tc);
    return tc;
}

void th_detach_current(void) {
    ThContext *tc = current_context;
    if (!tc) return;
    th_enter_safe(tc);
    gc_mutator_unregister(&tc->gc);
    pthread_mutex_lock(&th_world_lock);
    for (ThLink **p = &th_contexts; *p; p = &(*p)->next) {
        if ((*p)->tc == tc) {
            ThLink *dead = *p;
            *p = dead->next;
            free(dead);
            break;
        }
    }
    pthread_cond_broadcast(&th_world_changed);
    pthread_mutex_unlock(&th_world_lock);
    free(tc->tls_values);
    free(tc->bind_stack);
    free(tc);
    current_context = NULL;
}
