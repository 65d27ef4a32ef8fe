/* gc/tests/gc_test.h — helpers shared by the gc/ unit tests (one Check suite
 * per source file).  Each test gets a fresh heap: the checked fixture calls
 * gc_init and registers the mutator `tm`; teardown unregisters and calls
 * gc_shutdown, so the suites also run with CK_FORK=no (Valgrind).
 * Objects are built with arbitrary type numbers: the collector knows none. */
#ifndef PETREL_GC_TESTS_GC_TEST_H
#define PETREL_GC_TESTS_GC_TEST_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "gc/gc.h"
#include "gc/gc_impl.h"

/* The outermost frame that may hold references: main's. */
static void *test_stack_base;
static GcMutator tm;

static inline void test_start(size_t limit, uint64_t torture, bool verify) {
    GcConfig cfg = {.heap_limit_bytes = limit, .torture_every = torture, .verify = verify};
    gc_init(&cfg);
    gc_mutator_register(&tm, test_stack_base);
}

static inline void test_stop(void) {
    gc_mutator_unregister(&tm);
    gc_shutdown();
}

/* The rest of a concurrent cycle's sweep in steps, so the freed cells are gone. */
static inline void finish_sweep(void) {
    gc_lock_pages();
    gc_sweep_some_locked(SIZE_MAX);
    gc_unlock_pages();
}

static inline void setup_default(void) { test_start(0, 0, false); }

/* Precise roots only: no stale stack word can keep anything alive. */
static inline void setup_precise(void) {
    test_start(0, 0, false);
    gc_test_skip_stack_scan(true);
}

static inline GcWord tag_obj(void *p) { return (GcWord)(uintptr_t)p | GC_TAG_OBJECT; }
static inline GcWord tag_cons(void *p) { return (GcWord)(uintptr_t)p | GC_TAG_CONS; }
static inline GcWord *untag(GcWord w) { return (GcWord *)(uintptr_t)(w & ~(GcWord)GC_TAG_MASK); }
static inline GcWord fixnum(uint64_t n) { return n << 4; } /* tag 0: not a reference */

/* An object: header + nwords payload words, all zero. */
static inline GcWord *make_obj(unsigned type, unsigned nboxed, uint64_t nwords) {
    GcWord *o = gc_alloc(&tm, (size_t)(nwords + 1) * 8);
    if (!o)  /* not ck_assert: Check logs every passing assertion, and this runs millions of times */
        ck_abort_msg("gc_alloc failed");
    o[0] = gc_make_header(type, nboxed, nwords);
    return o;
}

static inline GcWord make_cons(GcWord car, GcWord cdr) {
    GcWord *c = gc_alloc_cons(&tm);
    if (!c)
        ck_abort_msg("gc_alloc_cons failed");
    c[0] = car;
    c[1] = cdr;
    return tag_cons(c);
}

static inline GcStats stats_now(void) {
    GcStats s;
    gc_get_stats(&s);
    return s;
}

/* Overwrite the dead stack below the caller, so that stale copies of
 * pointers left by finished calls cannot act as conservative roots. */
__attribute__((noinline, unused)) static void clobber_stack(void) {
    volatile uint64_t junk[8 * 1024];
    for (size_t i = 0; i < sizeof junk / sizeof junk[0]; i++)
        junk[i] = 0;
}

static inline int run_suite(Suite *s) {
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

static inline bool forking_p(void) {
    SRunner *sr = srunner_create(NULL);
    bool fork = srunner_fork_status(sr) != CK_NOFORK;
    srunner_free(sr);
    return fork;
}

#define GC_TEST_MAIN(make_suite)                        \
    int main(void) {                                    \
        test_stack_base = __builtin_frame_address(0);   \
        return run_suite(make_suite());                 \
    }

#endif
