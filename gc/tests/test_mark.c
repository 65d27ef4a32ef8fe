/* gc/tests/test_mark.c — marking (mark.c): precise roots (ranges, scanners),
 * conservative roots (the C stack, interior pointers), the boxed prefix,
 * non-references, deep structures without C recursion, and the grey stack
 * overflowing. */
#include "gc/tests/gc_test.h"

static bool alive(GcWord w) { return gc_is_heap_object(untag(w)); }

START_TEST(test_root_range_keeps_graph) {
    static GcWord roots[2];
    gc_add_root_range(roots, 2);
    GcWord *o = make_obj(20, 2, 3);
    GcWord a = make_cons(fixnum(1), 0), b = make_cons(fixnum(2), a);
    o[1] = b;
    o[2] = make_cons(fixnum(3), 0);
    o[3] = fixnum(99);
    roots[1] = tag_obj(o);
    GcWord lost = make_cons(fixnum(4), 0);
    gc_collect(&tm);
    ck_assert(alive(roots[1]) && alive(a) && alive(b) && alive(o[2]));
    ck_assert(!alive(lost));
    ck_assert_uint_eq(untag(b)[1], a);
    ck_assert_uint_eq(o[3], fixnum(99));
    ck_assert_uint_eq(stats_now().live_bytes, 3 * 16 + 32);
}
END_TEST

static GcWord scanned_root;
static int scanner_calls;

static void scanner(GcMarker *mk, void *data) {
    ck_assert_ptr_eq(data, &scanned_root);
    scanner_calls++;
    gc_mark_word(mk, *(GcWord *)data);
    GcWord local[2] = {fixnum(5), 0};  /* a temporary buffer: marked at once */
    gc_mark_words(mk, local, local + 2);
}

START_TEST(test_root_scanner) {
    scanner_calls = 0;
    gc_add_root_scanner(scanner, &scanned_root);
    GcWord *v = make_obj(21, GC_BOXED_ALL, 4);
    for (int i = 1; i <= 4; i++)
        v[i] = make_cons(fixnum(i), 0);
    scanned_root = tag_obj(v);
    gc_collect(&tm);
    ck_assert_int_eq(scanner_calls, 1);
    for (int i = 1; i <= 4; i++)
        ck_assert(alive(v[i]));
    scanned_root = 0;
    gc_collect(&tm);
    ck_assert_int_eq(scanner_calls, 2);
    ck_assert(!gc_is_heap_object(v));
}
END_TEST

/* Only the boxed prefix is traced: raw words may hold anything. */
START_TEST(test_boxed_prefix) {
    static GcWord root;
    gc_add_root_range(&root, 1);
    GcWord *o = make_obj(22, 1, 3);
    GcWord traced = make_cons(0, 0), raw = make_cons(0, 0);
    o[1] = traced;
    o[2] = raw;  /* payload word 2 is raw: not a reference */
    root = tag_obj(o);
    gc_collect(&tm);
    ck_assert(alive(traced));
    ck_assert(!alive(raw));
}
END_TEST

/* Tagged words that reference no allocated cell start are ignored. */
START_TEST(test_non_references_ignored) {
    static GcWord roots[6];
    gc_add_root_range(roots, 6);
    GcWord *o = make_obj(23, 0, 3);
    GcWord c = make_cons(0, 0);
    roots[0] = tag_obj(o) + 16;           /* inside the object */
    roots[1] = tag_cons(untag(c) + 2);    /* a free cons cell */
    roots[2] = tag_obj(untag(c));         /* object tag on a cons */
    roots[3] = 0x1000 | GC_TAG_CONS;      /* outside the heap */
    roots[4] = (GcWord)(uintptr_t)(gc_heap.base + 100 * GC_PAGE_BYTES) | GC_TAG_OBJECT; /* free page */
    roots[5] = (GcWord)(uintptr_t)o;      /* untagged: not a precise reference */
    gc_collect(&tm);
    ck_assert(!gc_is_heap_object(o));
    ck_assert(!alive(c));
    ck_assert_uint_eq(stats_now().live_bytes, 0);
}
END_TEST

/* noinline: the pointer is returned, not left in this test's frame. */
__attribute__((noinline)) static GcWord *fresh_obj(void) {
    GcWord *o = make_obj(24, 1, 1);
    o[1] = make_cons(fixnum(42), 0);
    return o;
}

START_TEST(test_stack_local_keeps_object) {
    GcWord *volatile local = fresh_obj();
    clobber_stack();
    gc_collect(&tm);
    ck_assert(gc_is_heap_object(local));
    ck_assert(alive(local[1]));
    ck_assert_uint_eq(untag(local[1])[0], fixnum(42));
    /* The same object with the stack scan off is freed: the stack kept it. */
    gc_test_skip_stack_scan(true);
    gc_collect(&tm);
    ck_assert(!gc_is_heap_object(local));
}
END_TEST

START_TEST(test_stack_interior_pointer) {
    GcWord *o = fresh_obj();
    char *volatile inner = (char *)o + 12;  /* untagged, mid-object */
    o = NULL;
    clobber_stack();
    gc_collect(&tm);
    GcWord *back = (GcWord *)((uintptr_t)inner & ~(uintptr_t)15);
    ck_assert(gc_is_heap_object(back));
    ck_assert(alive(back[1]));
}
END_TEST

static const void *conservative_area[3];

static void conservative_scanner(GcMarker *mk, void *data) {
    gc_mark_conservative(mk, conservative_area, conservative_area + 3);
}

/* Deterministic interior pointers: stack scan off, an area scanned
 * conservatively by a root scanner. */
START_TEST(test_interior_pointers) {
    gc_add_root_scanner(conservative_scanner, NULL);
    GcWord *small = make_obj(25, 0, 10);
    GcWord *cons = untag(make_cons(0, 0));
    unsigned char *big = gc_alloc(&tm, 3 * GC_PAGE_BYTES);
    GcWord *gone = make_obj(25, 0, 10);
    conservative_area[0] = (char *)small + 40;
    conservative_area[1] = (char *)cons + 9 + GC_TAG_CONS;
    conservative_area[2] = big + 2 * GC_PAGE_BYTES + 5;  /* in the third page of the run */
    gc_collect(&tm);
    ck_assert(gc_is_heap_object(small));
    ck_assert(gc_is_heap_object(cons));
    ck_assert(gc_is_heap_object(big));
    ck_assert(!gc_is_heap_object(gone));
    ck_assert_uint_eq(stats_now().large_objects, 1);
    memset(conservative_area, 0, sizeof conservative_area);
    gc_collect(&tm);
    ck_assert(!gc_is_heap_object(small) && !gc_is_heap_object(big));
}
END_TEST

START_TEST(test_million_cons_list) {
    static GcWord head;
    gc_add_root_range(&head, 1);
    enum { N = 1000000 };
    for (uint64_t i = 0; i < N; i++)
        head = make_cons(fixnum(i), head);
    gc_collect(&tm);
    uint64_t n = 0, bad = 0;
    for (GcWord w = head; w; w = untag(w)[1]) {
        bad += !alive(w) || untag(w)[0] != fixnum(N - 1 - n);
        n++;
    }
    ck_assert_uint_eq(n, N);
    ck_assert_uint_eq(bad, 0);
    ck_assert_uint_eq(stats_now().live_bytes, (uint64_t)N * 16);
    ck_assert_uint_eq(gc_verify_heap(), 0);
}
END_TEST

/* A deep car-chain (each cons's car is the next): a recursive marker would
 * need a million frames. */
START_TEST(test_deep_car_chain) {
    static GcWord head;
    gc_add_root_range(&head, 1);
    for (int i = 0; i < 1000000; i++)
        head = make_cons(head, fixnum(i));
    gc_collect(&tm);
    ck_assert_uint_eq(stats_now().live_bytes, 1000000 * 16);
}
END_TEST

/* A wide tree with a grey stack of 4 entries: marking must still finish. */
START_TEST(test_grey_stack_overflow) {
    static GcWord root;
    gc_add_root_range(&root, 1);
    gc_test_mark_stack_limit(4);
    GcWord *top = make_obj(26, GC_BOXED_ALL, 300);
    root = tag_obj(top);
    for (int i = 1; i <= 300; i++) {
        GcWord *mid = make_obj(27, GC_BOXED_ALL, 20);
        top[i] = tag_obj(mid);
        for (int k = 1; k <= 20; k++)
            mid[k] = make_cons(fixnum(k), make_cons(fixnum(i), 0));
    }
    gc_collect(&tm);
    size_t bad = 0;
    for (int i = 1; i <= 300; i++) {
        GcWord *mid = untag(top[i]);
        bad += !gc_is_heap_object(mid);
        for (int k = 1; k <= 20; k++)
            bad += !alive(mid[k]) || !alive(untag(mid[k])[1]);
    }
    ck_assert_uint_eq(bad, 0);
    ck_assert_uint_eq(stats_now().live_bytes, gc_slot_bytes[gc_size_slot[(301 * 8 + 15) / 16]] +
                                                  300 * (gc_slot_bytes[gc_size_slot[(21 * 8 + 15) / 16]] + 40 * 16));
    ck_assert_uint_eq(gc_verify_heap(), 0);
}
END_TEST

/* Parallel marking (workers.c): with 1, 2 and 4 markers the same graph —
 * wide (a table of lists) and deep (one long list), plus large vectors
 * marked in chunks by several markers — survives whole, everything else
 * goes, and the markers' byte count equals the sweep's live bytes. */
static GcWord wide_root, deep_root;


/* assist: collect with a concurrent cycle during which this thread runs a
 * mark assist (workers.c) beside the workers, rather than gc_collect. */
static uint64_t build_and_collect_with(unsigned markers, bool assist) {
    GcConfig cfg = {.markers = markers, .concurrent = assist};
    gc_init(&cfg);
    gc_mutator_register(&tm, test_stack_base);
    gc_test_skip_stack_scan(true);
    wide_root = deep_root = 0;  /* not the last run's: its heap is gone */
    gc_add_root_range(&wide_root, 1);
    gc_add_root_range(&deep_root, 1);
    GcWord *table = make_obj(40, GC_BOXED_ALL, 4000);
    wide_root = tag_obj(table);
    for (int i = 0; i < 4000; i++) {
        GcWord list = 0;
        for (int k = 0; k < 50; k++) {
            list = make_cons(fixnum((uint64_t)k), list);
            make_cons(fixnum(1), 0);  /* garbage between the live cells */
        }
        if (i % 500 == 0) {  /* a large vector every 500 slots, full of references */
            GcWord *big = make_obj(41, GC_BOXED_ALL, 20000);
            for (int k = 0; k < 20000; k++) big[1 + k] = list;
            list = make_cons(tag_obj(big), list);
        }
        table[1 + i] = list;
    }
    for (int k = 0; k < 100000; k++) deep_root = make_cons(fixnum((uint64_t)k), deep_root);
    if (assist) {
        gc_cycle_start(&tm);
        uint64_t before = gc_heap.cycle.assists;
        gc_mark_assist(&tm, UINT64_MAX);  /* at most 1 ms, then the workers go on alone */
        ck_assert_uint_eq(gc_heap.cycle.assists, before + 1);
        ck_assert_ptr_nonnull(tm.assist);
        ck_assert_uint_eq(tm.assist->top, 0);  /* nothing held back: the rest went to the pool */
        gc_cycle_finish(&tm);
        finish_sweep();
    } else {
        gc_collect(&tm);
    }
    GcStats s;
    gc_get_stats(&s);
    ck_assert_uint_eq(s.markers, markers);
    ck_assert_uint_eq(s.last_marked_bytes, s.live_bytes);
    ck_assert_uint_eq(gc_verify_heap(), 0);
    /* every live cell still there */
    uint64_t cells = 0;
    for (int i = 0; i < 4000; i++)
        for (GcWord l = untag(wide_root)[1 + i]; l; l = untag(l)[1]) cells++;
    for (GcWord l = deep_root; l; l = untag(l)[1]) cells++;
    ck_assert_uint_eq(cells, 4000 * 50 + 8 + 100000);
    test_stop();
    return s.live_bytes;
}

static uint64_t build_and_collect(unsigned markers) { return build_and_collect_with(markers, false); }

START_TEST(test_parallel_mark_same_result) {
    test_stop();  /* each run below makes its own heap */
    uint64_t one = build_and_collect(1);
    ck_assert_uint_eq(build_and_collect(2), one);
    ck_assert_uint_eq(build_and_collect(4), one);
    /* the table, 200,008 + 100,000 conses and 8 large vectors */
    ck_assert_uint_ge(one, (uint64_t)300008 * 16 + 8 * 20001 * 8);
    test_start(0, 0, false);  /* the fixture's teardown stops a heap */
}
END_TEST

/* A mark assist during a concurrent cycle keeps the same graph and its
 * marked bytes count (pause 2's total equals the sweep's live bytes). */
START_TEST(test_mark_assist_same_result) {
    test_stop();
    uint64_t one = build_and_collect(1);
    ck_assert_uint_eq(build_and_collect_with(1, true), one);
    ck_assert_uint_eq(build_and_collect_with(2, true), one);
    test_start(0, 0, false);
}
END_TEST

static Suite *mark_suite(void) {
    Suite *s = suite_create("gc_mark");
    TCase *pr = tcase_create("precise");
    tcase_add_checked_fixture(pr, setup_precise, test_stop);
    tcase_add_test(pr, test_root_range_keeps_graph);
    tcase_add_test(pr, test_root_scanner);
    tcase_add_test(pr, test_boxed_prefix);
    tcase_add_test(pr, test_non_references_ignored);
    tcase_add_test(pr, test_interior_pointers);
    tcase_add_test(pr, test_million_cons_list);
    tcase_add_test(pr, test_deep_car_chain);
    tcase_add_test(pr, test_grey_stack_overflow);
    tcase_add_test(pr, test_parallel_mark_same_result);
    tcase_add_test(pr, test_mark_assist_same_result);
    tcase_set_timeout(pr, 120);
    suite_add_tcase(s, pr);
    TCase *cons = tcase_create("conservative");
    tcase_add_checked_fixture(cons, setup_default, test_stop);
    tcase_add_test(cons, test_stack_local_keeps_object);
    tcase_add_test(cons, test_stack_interior_pointer);
    suite_add_tcase(s, cons);
    return s;
}

GC_TEST_MAIN(mark_suite)
