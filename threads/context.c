/* threads/context.c — creation of thread contexts, the thread-local pointer to
 * the current one, and per-thread special-binding storage.
 *
 * Every ThContext field is owner-thread only; the collector reads them while
 * the owner is stopped (in this issue: the owner is the collecting thread).
 * Contexts are kept on a list guarded by contexts_lock so the collector can
 * scan every thread's binding vector and binding stack. */
#include "threads/threads.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "gc/fatal.h"

static _Thread_local ThContext *current_context;

/* Next free thread-local slot index; 0 means "none" in a symbol. atomic. */
static _Atomic uint64_t next_tls_index = 1;

static pthread_mutex_t contexts_lock = PTHREAD_MUTEX_INITIALIZER;
typedef struct ContextLink { ThContext *tc; struct ContextLink *next; } ContextLink;
static ContextLink *contexts; /* guarded by contexts_lock */

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

static void scan_contexts(GcMarker *mk, void *data) {
    (void)data;
    pthread_mutex_lock(&contexts_lock);
    for (ContextLink *l = contexts; l; l = l->next) {
        ThContext *tc = l->tc;
        if (tc->tls_values) gc_mark_words(mk, tc->tls_values, tc->tls_values + tc->tls_capacity);
        for (size_t i = 0; i < tc->bind_top; i++) gc_mark_word(mk, tc->bind_stack[i].old_value);
    }
    pthread_mutex_unlock(&contexts_lock);
}

void th_init(void) { gc_add_root_scanner(scan_contexts, NULL); }

ThContext *th_attach_current(void *stack_base, const char *name) {
    ThContext *tc = xcalloc(1, sizeof *tc);
    tc->name = name;
    gc_mutator_register(&tc->gc, stack_base);
    ContextLink *link = xcalloc(1, sizeof *link);
    link->tc = tc;
    pthread_mutex_lock(&contexts_lock);
    link->next = contexts;
    contexts = link;
    pthread_mutex_unlock(&contexts_lock);
    th_set_current(tc);
    return tc;
}

void th_detach_current(void) {
    ThContext *tc = current_context;
    if (!tc) return;
    pthread_mutex_lock(&contexts_lock);
    for (ContextLink **p = &contexts; *p; p = &(*p)->next) {
        if ((*p)->tc == tc) {
            ContextLink *dead = *p;
            *p = dead->next;
            free(dead);
            break;
        }
    }
    pthread_mutex_unlock(&contexts_lock);
    gc_mutator_unregister(&tc->gc);
    free(tc->tls_values);
    free(tc->bind_stack);
    free(tc);
    current_context = NULL;
}
