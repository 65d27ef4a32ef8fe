/* gc/tests/test_collect.c — the cycle (collect.c, sweep.c): reclaiming
 * garbage, statistics, torture mode with the verifier, configuration from the
 * environment, the mutator registry and the log line. */
#include "gc/tests/gc_test.h"

#include <stdio.h>
#include <unistd.h>

static void make_garbage(int n) {
    for (int i = 0; i < n; i++) {
        GcWord *o = make_obj(30, 1, 3);
        o[1] = make_cons(fixnum(i), 0);
    }
}

START_TEST(test_unreachable_reclaimed) {
    GcWord *first = gc_alloc(&tm, 32);
    first[0] = gc_make_header(30, 0, 1);
    make_garbage(20000);
    gc_collect(&tm);  /* drops the TLABs, so the allocated bytes are counted */
    GcStats s = stats_now();
    ck_assert_uint_ge(s.bytes_allocated_total, 20000 * (32 + 16));
    ck_assert_uint_eq(s.live_bytes, 0);
    ck_assert_uint_eq(s.heap_bytes, 0);
    ck_assert_uint_eq(s.free_bytes_in_pages, 0);
    ck_assert(!gc_is_heap_object(first));
    GcWord *again = gc_alloc(&tm, 32);
    ck_assert_ptr_eq(again, first);  /* cells are reused */
}
END_TEST

/* The heap shrinks back after garbage: pages become FREE and count no more. */
START_TEST(test_heap_shrinks) {
    static GcWord root;
    gc_add_root_range(&root, 1);
    root = make_cons(0, 0);
    make_garbage(50000);
    GcStats before = stats_now();
    ck_assert_uint_gt(before.heap_bytes, 20 * GC_PAGE_BYTES);
    gc_collect(&tm);
    GcStats after = stats_now();
    ck_assert_uint_eq(after.live_bytes, 16);
    ck_assert_uint_eq(after.heap_bytes, GC_PAGE_BYTES);
    ck_assert_uint_eq(after.free_bytes_in_pages, GC_PAGE_BYTES - 16);
}
END_TEST

/* A sweep in steps appends pages to a queue that allocation empties at the
 * same time (concurrent cycles: gc/README.md).  Every partly free page must
 * stay reachable from its queue: here the first swept page is taken, then
 * the rest are swept, and all of them must be handed out before any FREE
 * page.  A stale tail once hung them behind the taken page, so the heap
 * grew by a page per lost one (the soak's cons pages, 2-3% full). */
START_TEST(test_sweep_in_steps_keeps_pages_available) {
    static GcWord root;
    gc_add_root_range(&root, 1);
    for (int i = 0; i < 8 * 4096 / 2; i++) {  /* 8 cons pages, every other cell live */
        root = make_cons(fixnum((uint64_t)i), root);
        make_cons(0, 0);
    }
    gc_collect(&tm);  /* the garbage goes: 8 half-free cons pages */
    gc_lock_pages();
    ck_assert_uint_eq(gc_heap.pages_in_use, 8);
    for (size_t i = 0; i < gc_heap.hwm; i++)  /* as if a mark had found every cell */
        memcpy(gc_heap.pages[i].mark, gc_heap.pages[i].alloc, sizeof gc_heap.pages[i].mark);
    gc_sweep_begin_locked();
    gc_sweep_some_locked(1);
    GcPage *first = gc_page_acquire_locked(GC_SLOT_CONS);  /* empties the queue */
    ck_assert_uint_eq(gc_page_index(first), 0);
    gc_sweep_some_locked(SIZE_MAX);  /* appends the other 7 */
    gc_page_release_locked(first);
    ck_assert_uint_eq(gc_verify_heap_locked(), 0);
    GcPage *taken[8];
    for (int k = 0; k < 8; k++) {
        taken[k] = gc_page_acquire_locked(GC_SLOT_CONS);
        ck_assert_uint_lt(gc_page_index(taken[k]), 8);  /* a swept page, not a FREE one */
    }
    ck_assert_uint_eq(gc_heap.pages_in_use, 8);
    for (int k = 0; k < 8; k++)
        gc_page_release_locked(taken[k]);
    ck_assert_uint_eq(gc_verify_heap_locked(), 0);
    gc_unlock_pages();
}
END_TEST

__attribute__((noinline)) static void make_garbage_noinline(int n) { make_garbage(n); }

/* With the conservative stack scan on, a few stale words may keep a few
 * objects: allow 1%. */
START_TEST(test_unreachable_reclaimed_conservative) {
    make_garbage_noinline(20000);
    clobber_stack();
    gc_collect(&tm);
    GcStats s = stats_now();
    ck_assert_uint_lt(s.live_bytes, 20000 * 48 / 100);
}
END_TEST

START_TEST(test_statistics) {
    static GcWord root;
    gc_add_root_range(&root, 1);
    GcStats s0 = stats_now();
    ck_assert_uint_eq(s0.collections, 0);
    ck_assert_uint_eq(s0.heap_limit_bytes, (size_t)2 << 30);
    for (int i = 0; i < 1000; i++)
        root = make_cons(fixnum(i), root);
    for (int k = 0; k < 5; k++)
        gc_collect(&tm);
    GcStats s = stats_now();
    ck_assert_uint_eq(s.collections, 5);
    uint64_t h = 0;
    for (int b = 0; b < 8; b++)
        h += s.pause_histogram[b];
    ck_assert_uint_eq(h, 5);
    ck_assert_uint_eq(s.pause_histogram[7], 0);
    ck_assert_uint_gt(s.pause_ns_total, 0);
    ck_assert_uint_ge(s.pause_ns_total, s.pause_ns_max);
    ck_assert_uint_ge(s.pause_ns_max, s.pause_ns_last);
    ck_assert_uint_eq(s.bytes_allocated_total, 1000 * 16);
    ck_assert_uint_eq(s.live_bytes, 1000 * 16);
    ck_assert_uint_eq(s.heap_bytes, GC_PAGE_BYTES);
    ck_assert_uint_eq(s.free_bytes_in_pages, GC_PAGE_BYTES - 1000 * 16);
    ck_assert_uint_eq(s.large_objects, 0);
}
END_TEST

static void setup_torture(void) { test_start(0, 1, true); }

/* Every allocation collects and verifies (pt_fatal on a problem) while a
 * tree is built; references live in C locals between allocations. */
START_TEST(test_torture_verify) {
    static GcWord root;
    gc_add_root_range(&root, 1);
    for (int i = 0; i < 300; i++) {
        GcWord *node = make_obj(31, 2, 3);
        node[1] = root;
        node[3] = fixnum(i);
        GcWord leaf = make_cons(fixnum(i), 0);
        node[2] = make_cons(leaf, make_cons(fixnum(-i), 0));
        root = tag_obj(node);
        if (i % 3 == 0)
            gc_alloc(&tm, 20000);  /* large garbage */
    }
    ck_assert_uint_eq(gc_verify_heap(), 0);
    ck_assert_uint_ge(stats_now().collections, 1300);
    int n = 0, bad = 0;
    for (GcWord w = root; w; w = untag(w)[1], n++) {
        GcWord *node = untag(w);
        bad += node[3] != fixnum(299 - n) || untag(untag(node[2])[0])[0] != fixnum(299 - n);
    }
    ck_assert_int_eq(n, 300);
    ck_assert_int_eq(bad, 0);
}
END_TEST

START_TEST(test_torture_every_n) {
    gc_shutdown();
    GcConfig cfg = {.torture_every = 7, .verify = true};
    gc_init(&cfg);
    gc_mutator_register(&tm, test_stack_base);
    static GcWord root;
    gc_add_root_range(&root, 1);
    for (int i = 0; i < 7000; i++)
        root = make_cons(fixnum(i), root);
    ck_assert_uint_eq(stats_now().collections, 1000);
    ck_assert_uint_eq(stats_now().live_bytes, 6999 * 16);  /* the 7000th is made after */
}
END_TEST

START_TEST(test_config_from_env) {
    GcConfig cfg = {.heap_limit_bytes = 12345, .torture_every = 3};
    unsetenv("PETREL_GC_TORTURE");
    unsetenv("PETREL_GC_VERIFY");
    unsetenv("PETREL_GC_LOG");
    gc_config_from_env(&cfg);
    ck_assert_uint_eq(cfg.heap_limit_bytes, 12345);
    ck_assert_uint_eq(cfg.torture_every, 3);
    ck_assert(!cfg.verify && !cfg.log);
    setenv("PETREL_GC_TORTURE", "17", 1);
    setenv("PETREL_GC_VERIFY", "1", 1);
    setenv("PETREL_GC_LOG", "1", 1);
    gc_config_from_env(&cfg);
    ck_assert_uint_eq(cfg.torture_every, 17);
    ck_assert(cfg.verify && cfg.log);
    setenv("PETREL_GC_VERIFY", "0", 1);
    setenv("PETREL_GC_LOG", "", 1);
    setenv("PETREL_GC_TORTURE", "lots", 1);
    gc_config_from_env(&cfg);
    ck_assert_uint_eq(cfg.torture_every, 17);  /* not a count: ignored */
    ck_assert(!cfg.verify && !cfg.log);
    unsetenv("PETREL_GC_TORTURE");
    unsetenv("PETREL_GC_VERIFY");
    unsetenv("PETREL_GC_LOG");
}
END_TEST

/* With no target given, each collector takes its own default (gc.h). */
START_TEST(test_default_target_per_collector) {
    test_stop();  /* each heap below is its own */
    GcConfig conc = {.concurrent = true}, stw = {0}, given = {.concurrent = true, .target_percent = 60};
    gc_init(&conc);
    ck_assert_uint_eq(gc_target_percent(), GC_DEFAULT_TARGET_PERCENT_CONCURRENT);
    gc_shutdown();
    gc_init(&stw);
    ck_assert_uint_eq(gc_target_percent(), GC_DEFAULT_TARGET_PERCENT_STW);
    gc_shutdown();
    gc_init(&given);
    ck_assert_uint_eq(gc_target_percent(), 60);
    gc_shutdown();
    test_start(0, 0, false);
}
END_TEST

START_TEST(test_registry_drops_tlabs) {
    GcMutator other;
    gc_mutator_register(&other, test_stack_base);
    GcWord *c = gc_alloc_cons(&other);
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_nonnull(other.tlab[GC_SLOT_CONS]);
    ck_assert_ptr_nonnull(gc_alloc(&tm, 64));
    gc_collect(&tm);
    for (int s = 0; s < GC_TLAB_SLOTS; s++) {
        ck_assert_ptr_null(other.tlab[s]);
        ck_assert_ptr_null(tm.tlab[s]);
    }
    ck_assert_ptr_nonnull(gc_alloc_cons(&other));
    gc_mutator_unregister(&other);
    ck_assert_ptr_null(other.tlab[GC_SLOT_CONS]);
    ck_assert_ptr_eq(gc_heap.mutators, &tm);
    ck_assert_ptr_null(tm.next);
}
END_TEST

START_TEST(test_log_line) {
    gc_shutdown();
    GcConfig cfg = {.log = true};
    gc_init(&cfg);
    gc_mutator_register(&tm, test_stack_base);
    FILE *tmp = tmpfile();
    ck_assert_ptr_nonnull(tmp);
    fflush(stderr);
    int saved = dup(2);
    dup2(fileno(tmp), 2);
    gc_collect(&tm);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char line[256] = "";
    rewind(tmp);
    ck_assert_ptr_nonnull(fgets(line, sizeof line, tmp));
    fclose(tmp);
    ck_assert_msg(strncmp(line, "petrel: gc 1: pause ", 20) == 0, "log line: %s", line);
    ck_assert_ptr_nonnull(strstr(line, " KiB, live "));
    ck_assert_ptr_nonnull(strstr(line, ", marked "));
    ck_assert_ptr_nonnull(strstr(line, ", heap "));
}
END_TEST

static Suite *collect_suite(void) {
    Suite *s = suite_create("gc_collect");
    TCase *pr = tcase_create("precise");
    tcase_add_checked_fixture(pr, setup_precise, test_stop);
    tcase_add_test(pr, test_unreachable_reclaimed);
    tcase_add_test(pr, test_heap_shrinks);
    tcase_add_test(pr, test_statistics);
    tcase_add_test(pr, test_sweep_in_steps_keeps_pages_available);
    suite_add_tcase(s, pr);
    TCase *cons = tcase_create("conservative");
    tcase_add_checked_fixture(cons, setup_default, test_stop);
    tcase_add_test(cons, test_unreachable_reclaimed_conservative);
    tcase_add_test(cons, test_config_from_env);
    tcase_add_test(cons, test_registry_drops_tlabs);
    tcase_add_test(cons, test_default_target_per_collector);
    tcase_add_test(cons, test_log_line);
    suite_add_tcase(s, cons);
    TCase *tort = tcase_create("torture");
    tcase_add_checked_fixture(tort, setup_torture, test_stop);
    tcase_add_test(tort, test_torture_verify);
    tcase_add_test(tort, test_torture_every_n);
    tcase_set_timeout(tort, 120);
    suite_add_tcase(s, tort);
    return s;
}

GC_TEST_MAIN(collect_suite)
