/* gc/tests/test_barrier.c — the write barrier (barrier.c) and pt_fatal
 * (fatal.c).  The stop-the-world collector never sets gc_marking; the tests
 * set it by hand to count slow-path calls. */
#include "gc/tests/gc_test.h"

#include <signal.h>

#include "gc/barrier.h"

START_TEST(test_fast_path_when_not_marking) {
    GcWord *o = make_obj(50, 1, 1);
    uint64_t before = stats_now().barrier_slow_calls;
    GcWord c = make_cons(0, 0);
    gc_store(&o[1], c);
    ck_assert_uint_eq(o[1], c);
    ck_assert_uint_eq(stats_now().barrier_slow_calls, before);
}
END_TEST

/* While marking, overwriting a reference takes the slow path; overwriting
 * an immediate does not (nothing of the snapshot is lost). */
START_TEST(test_slow_path_counted_while_marking) {
    GcWord *o = make_obj(50, 3, 3);
    GcWord c1 = make_cons(0, 0), c2 = make_cons(0, 0);
    gc_init_store(&o[1], c1);
    gc_init_store(&o[2], c2);
    gc_init_store(&o[3], fixnum(7));
    uint64_t before = stats_now().barrier_slow_calls;
    atomic_store(&gc_marking, 1);
    gc_store(&o[1], fixnum(2));       /* old: a cons */
    gc_store(&o[2], fixnum(3));       /* old: a cons */
    gc_store(&o[3], c1);              /* old: a fixnum, not logged */
    gc_init_store(&o[1], fixnum(4));  /* initialising stores skip the barrier */
    GcWord expected = fixnum(3);
    ck_assert(gc_cas(&o[2], &expected, fixnum(5)));  /* old: a fixnum */
    atomic_store(&gc_marking, 0);
    ck_assert_uint_eq(o[1], fixnum(4));
    ck_assert_uint_eq(o[2], fixnum(5));
    ck_assert_uint_eq(o[3], c1);
    ck_assert_uint_eq(stats_now().barrier_slow_calls, before + 2);
    ck_assert_uint_eq(gc_barrier_slow_count(), before + 2);
}
END_TEST

START_TEST(test_pt_fatal_aborts) {
    pt_fatal("deliberate: %d", 42);
}
END_TEST

#ifdef PETREL_DEBUG
START_TEST(test_slow_path_asserts_marking) {
    gc_barrier_slow(0);  /* gc_marking is 0: PT_ASSERT fails */
}
END_TEST
#endif

static Suite *barrier_suite(void) {
    Suite *s = suite_create("gc_barrier");
    TCase *tc = tcase_create("barrier");
    tcase_add_checked_fixture(tc, setup_default, test_stop);
    tcase_add_test(tc, test_fast_path_when_not_marking);
    tcase_add_test(tc, test_slow_path_counted_while_marking);
    suite_add_tcase(s, tc);
    if (forking_p()) {  /* an abort can only be observed from a forked child */
        TCase *fat = tcase_create("fatal");
        tcase_add_checked_fixture(fat, setup_default, test_stop);
        tcase_add_test_raise_signal(fat, test_pt_fatal_aborts, SIGABRT);
#ifdef PETREL_DEBUG
        tcase_add_test_raise_signal(fat, test_slow_path_asserts_marking, SIGABRT);
#endif
        suite_add_tcase(s, fat);
    }
    return s;
}

GC_TEST_MAIN(barrier_suite)
