/* gc/tests/test_weak.c — weak references (weak.c): cleared when the
 * referent dies, kept while it lives, dropped with their holder; in a
 * concurrent cycle, objects born during the cycle survive and a weak read
 * while marking keeps its value (the read barrier in barrier.h). */
#include "gc/tests/gc_test.h"

#include "gc/barrier.h"

#define BROKEN fixnum(999)

static GcWord roots[4];

/* A holder: one payload word outside the boxed prefix (nboxed 0). */
static GcWord *make_weak(GcWord target) {
    GcWord *h = make_obj(60, 0, 1);
    h[1] = target;
    gc_weak_register(tag_obj(h), &h[1], BROKEN);
    return h;
}

static void precise_roots(void) {
    memset(roots, 0, sizeof roots);
    gc_add_root_range(roots, 4);
    gc_test_skip_stack_scan(true);
}

static void setup_stw(void) {
    test_start(0, 0, true);  /* with the verifier after each collection */
    precise_roots();
}

static GcMutator *current(void) { return &tm; }

static void setup_concurrent(void) {
    GcConfig cfg = {.concurrent = true, .markers = 2, .verify = false};
    gc_init(&cfg);
    gc_mutator_register(&tm, test_stack_base);
    static const GcWorldHooks hooks = {.current = current};
    gc_set_world_hooks(&hooks);  /* the barrier logs to tm's buffer */
    precise_roots();
}

START_TEST(test_cleared_when_referent_dies) {
    GcWord *h = make_weak(make_cons(fixnum(1), 0));
    roots[0] = tag_obj(h);
    ck_assert_uint_eq(gc_weak_count(), 1);
    gc_collect(&tm);
    ck_assert_uint_eq(h[1], BROKEN);
    ck_assert_uint_eq(stats_now().weak_broken_total, 1);
    ck_assert_uint_eq(gc_weak_count(), 1);  /* the holder lives: still registered */
}
END_TEST

START_TEST(test_kept_while_referent_lives) {
    GcWord target = make_cons(fixnum(2), 0);
    GcWord *h = make_weak(target);
    roots[0] = tag_obj(h);
    roots[1] = target;
    gc_collect(&tm);
    ck_assert_uint_eq(h[1], target);
    ck_assert(gc_is_heap_object(untag(target)));
    roots[1] = 0;
    gc_collect(&tm);
    ck_assert_uint_eq(h[1], BROKEN);
}
END_TEST

START_TEST(test_dropped_with_holder) {
    for (int i = 0; i < 100; i++) make_weak(make_cons(fixnum((uint64_t)i), 0));
    GcWord *kept = make_weak(make_cons(0, 0));
    roots[0] = tag_obj(kept);
    ck_assert_uint_eq(gc_weak_count(), 101);
    gc_collect(&tm);
    ck_assert_uint_eq(gc_weak_count(), 1);
}
END_TEST

START_TEST(test_non_reference_untouched) {
    GcWord *h = make_weak(fixnum(5));
    roots[0] = tag_obj(h);
    gc_collect(&tm);
    ck_assert_uint_eq(h[1], fixnum(5));
}
END_TEST

START_TEST(test_concurrent_cleared) {
    GcWord *h = make_weak(make_cons(fixnum(3), 0));
    roots[0] = tag_obj(h);
    gc_cycle_start(&tm);
    gc_cycle_finish(&tm);
    finish_sweep();
    ck_assert_uint_eq(h[1], BROKEN);
}
END_TEST

START_TEST(test_concurrent_born_during_cycle_kept) {
    GcWord *h = make_weak(0);
    roots[0] = tag_obj(h);
    gc_cycle_start(&tm);
    GcWord young = make_cons(fixnum(4), 0);  /* allocated black: survives this cycle */
    __atomic_store_n(&h[1], young, __ATOMIC_RELEASE);
    gc_cycle_finish(&tm);
    finish_sweep();
    ck_assert_uint_eq(h[1], young);
    ck_assert(gc_is_heap_object(untag(young)));
}
END_TEST

/* Only a weak path leads to target when the cycle starts; the program
 * reads it and stores it in a live object while the mark runs.  Without
 * the read barrier the mark never sees it: the weak word would be cleared
 * and the object freed under the strong reference. */
START_TEST(test_concurrent_weak_read_keeps_value) {
    GcWord *keeper = make_obj(61, 1, 1);
    roots[1] = tag_obj(keeper);
    GcWord *h = make_weak(make_cons(fixnum(6), 0));
    roots[0] = tag_obj(h);
    gc_cycle_start(&tm);
    GcWord v = gc_weak_read(&h[1]);
    gc_store(&keeper[1], v);
    gc_cycle_finish(&tm);
    finish_sweep();
    ck_assert_uint_eq(h[1], v);
    ck_assert(gc_is_heap_object(untag(v)));
    ck_assert_uint_eq(gc_verify_heap(), 0);
}
END_TEST

static Suite *weak_suite(void) {
    Suite *s = suite_create("gc_weak");
    TCase *stw = tcase_create("stop-the-world");
    tcase_add_checked_fixture(stw, setup_stw, test_stop);
    tcase_add_test(stw, test_cleared_when_referent_dies);
    tcase_add_test(stw, test_kept_while_referent_lives);
    tcase_add_test(stw, test_dropped_with_holder);
    tcase_add_test(stw, test_non_reference_untouched);
    suite_add_tcase(s, stw);
    TCase *conc = tcase_create("concurrent");
    tcase_add_checked_fixture(conc, setup_concurrent, test_stop);
    tcase_add_test(conc, test_concurrent_cleared);
    tcase_add_test(conc, test_concurrent_born_during_cycle_kept);
    tcase_add_test(conc, test_concurrent_weak_read_keeps_value);
    suite_add_tcase(s, conc);
    return s;
}

GC_TEST_MAIN(weak_suite)
