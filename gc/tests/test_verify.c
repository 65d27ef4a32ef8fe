/* gc/tests/test_verify.c — the heap verifier (verify.c): a sound heap has no
 * problems; deliberately corrupted references and headers are each reported;
 * with cfg.verify a corrupted heap stops the collection with pt_fatal. */
#include "gc/tests/gc_test.h"

#include <signal.h>

static GcWord roots[4];

static void build_sound_heap(void) {
    gc_add_root_range(roots, 4);
    GcWord *v = make_obj(40, GC_BOXED_ALL, 6);
    for (int i = 1; i <= 6; i++)
        v[i] = make_cons(fixnum(i), i > 1 ? v[i - 1] : 0);
    GcWord *big = gc_alloc(&tm, 70000);
    big[0] = gc_make_header(41, 2, 70000 / 8 - 1);
    big[1] = tag_obj(v);
    big[2] = v[6];
    big[3] = tag_obj(v);  /* raw word: never checked */
    roots[0] = tag_obj(big);
    roots[1] = tag_obj(v);
    roots[2] = make_cons(fixnum(7), 0);
}

START_TEST(test_sound_heap) {
    build_sound_heap();
    ck_assert_uint_eq(gc_verify_heap(), 0);
    gc_collect(&tm);
    ck_assert_uint_eq(gc_verify_heap(), 0);
    make_obj(42, 0, 0);  /* header only */
    ck_assert_ptr_nonnull(gc_alloc(&tm, 100));  /* header still zero: a blank object */
    ck_assert_uint_eq(gc_verify_heap(), 0);
}
END_TEST

START_TEST(test_corrupt_references) {
    build_sound_heap();
    GcWord *v = untag(roots[1]);
    GcWord *cons = untag(roots[2]);
    GcWord saved = v[1];
    v[1] = tag_cons(cons + 2);                 /* a cons cell that is not allocated */
    ck_assert_uint_eq(gc_verify_heap(), 1);
    v[1] = tag_obj(cons);                      /* object tag on a cons page */
    ck_assert_uint_eq(gc_verify_heap(), 1);
    v[1] = tag_cons(v);                        /* cons tag on an object page */
    ck_assert_uint_eq(gc_verify_heap(), 1);
    v[1] = tag_obj(v + 2);                     /* inside an object */
    ck_assert_uint_eq(gc_verify_heap(), 1);
    v[1] = 0x10000 | GC_TAG_OBJECT;            /* outside the heap */
    cons[1] = (GcWord)(uintptr_t)(gc_heap.base + 500 * GC_PAGE_BYTES) | GC_TAG_CONS; /* free page */
    ck_assert_uint_eq(gc_verify_heap(), 2);
    v[1] = saved;
    cons[1] = 0;
    ck_assert_uint_eq(gc_verify_heap(), 0);
}
END_TEST

START_TEST(test_corrupt_headers) {
    build_sound_heap();
    GcWord *v = untag(roots[1]);
    GcWord saved = v[0];
    v[0] = gc_make_header(40, GC_BOXED_ALL, 100);  /* does not fit its 64-byte cell */
    ck_assert_uint_eq(gc_verify_heap(), 1);
    v[0] = gc_make_header(40, 9, 6);               /* boxed prefix > payload */
    ck_assert_uint_eq(gc_verify_heap(), 1);
    v[0] = saved;
    GcWord *big = untag(roots[0]);
    big[0] = gc_make_header(41, 0, 2 * GC_PAGE_BYTES);  /* beyond its run */
    ck_assert_uint_eq(gc_verify_heap(), 1);
}
END_TEST

START_TEST(test_corrupt_bookkeeping) {
    build_sound_heap();
    GcPage *p = gc_page_of((uintptr_t)untag(roots[2]));
    gc_bit_set(p->mark, 5);                    /* a mark bit outside a collection */
    ck_assert_uint_eq(gc_verify_heap(), 1);
    gc_bit_clear(p->mark, 5);
    GcPage *vp = gc_page_of((uintptr_t)untag(roots[1]));
    unsigned g = gc_granule_of((uintptr_t)untag(roots[1]));
    gc_bit_set(vp->alloc, g + 1);              /* alloc bit mid-cell (64-byte class) */
    ck_assert_uint_eq(gc_verify_heap(), 1);
    gc_bit_clear(vp->alloc, g + 1);
    ck_assert_uint_eq(gc_verify_heap(), 0);
}
END_TEST

static void setup_verifying(void) { test_start(0, 0, true); }

/* With cfg.verify a collection that leaves a bad reference aborts. */
START_TEST(test_verify_after_collection_is_fatal) {
    build_sound_heap();
    gc_collect(&tm);  /* sound: passes */
    GcWord *v = untag(roots[1]);
    v[2] = tag_cons(untag(roots[2]) + 2);
    gc_collect(&tm);  /* pt_fatal -> abort */
}
END_TEST

static Suite *verify_suite(void) {
    Suite *s = suite_create("gc_verify");
    TCase *tc = tcase_create("verify");
    tcase_add_checked_fixture(tc, setup_default, test_stop);
    tcase_add_test(tc, test_sound_heap);
    tcase_add_test(tc, test_corrupt_references);
    tcase_add_test(tc, test_corrupt_headers);
    tcase_add_test(tc, test_corrupt_bookkeeping);
    suite_add_tcase(s, tc);
    if (forking_p()) {  /* an abort can only be observed from a forked child */
        TCase *fat = tcase_create("fatal");
        tcase_add_checked_fixture(fat, setup_verifying, test_stop);
        tcase_add_test_raise_signal(fat, test_verify_after_collection_is_fatal, SIGABRT);
        suite_add_tcase(s, fat);
    }
    return s;
}

GC_TEST_MAIN(verify_suite)
