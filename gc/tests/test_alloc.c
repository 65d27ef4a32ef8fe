/* gc/tests/test_alloc.c — allocation (alloc.c, heap.c): size classes, the
 * TLAB fast path, zeroing, page reuse, large objects, the heap limit and
 * pacing. */
#include "gc/tests/gc_test.h"

START_TEST(test_size_class_table) {
    ck_assert_uint_eq(gc_slot_bytes[GC_SLOT_CONS], 16);
    ck_assert_uint_eq(gc_slot_bytes[GC_TLAB_SLOTS - 1], GC_SMALL_MAX);
    for (unsigned s = 1; s < GC_TLAB_SLOTS; s++) {
        ck_assert_uint_eq(gc_slot_bytes[s] % 16, 0);
        if (s > 1)
            ck_assert_uint_gt(gc_slot_bytes[s], gc_slot_bytes[s - 1]);
    }
    for (unsigned g = 0; g <= GC_SMALL_MAX / 16; g++) {
        unsigned s = gc_size_slot[g];
        ck_assert_uint_ge(s, 1);
        ck_assert_uint_ge(gc_slot_bytes[s], g * 16);
        ck_assert(s == 1 || gc_slot_bytes[s - 1] < g * 16);  /* the smallest that fits */
    }
}
END_TEST

START_TEST(test_cons_fast_path) {
    GcWord *prev = NULL;
    size_t bad = 0;
    for (int i = 0; i < 10000; i++) {
        GcWord *c = gc_alloc_cons(&tm);
        ck_assert_ptr_nonnull(c);
        bad += (uintptr_t)c % 16 != 0 || c[0] != 0 || c[1] != 0 || !gc_is_heap_object(c) ||
               gc_page_of((uintptr_t)c)->kind != GC_PAGE_CONS;
        /* consecutive cells within a page: the bitmap scan hands them out in order */
        if (prev && (uintptr_t)c % GC_PAGE_BYTES)
            bad += c != prev + 2;
        c[0] = c[1] = 0xdeadbeef0;
        prev = c;
    }
    ck_assert_uint_eq(bad, 0);
    ck_assert_ptr_nonnull(tm.tlab[GC_SLOT_CONS]);
}
END_TEST

START_TEST(test_object_sizes) {
    static const size_t sizes[] = {0, 1, 8, 16, 17, 100, 256, 257, 1000, 4000, 8000, 8192, 9000, 20000, 32768};
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        unsigned char *o = gc_alloc(&tm, sizes[i]);
        ck_assert_ptr_nonnull(o);
        ck_assert_uint_eq((uintptr_t)o % 16, 0);
        GcPage *p = gc_page_of((uintptr_t)o);
        ck_assert_int_eq(p->kind, GC_PAGE_SMALL);
        ck_assert_uint_ge(p->cell_bytes, sizes[i]);
        ck_assert_uint_ge(p->cell_bytes, 16);
        for (size_t k = 0; k < sizes[i]; k++)
            ck_assert_uint_eq(o[k], 0);
        ck_assert(gc_is_heap_object(o));
        ck_assert(!gc_is_heap_object(o + 16) || p->cell_bytes == 16);
    }
}
END_TEST

/* Freed cells hold old contents; reallocation must zero them. */
static void fill_garbage(int n) {
    for (int i = 0; i < n; i++) {
        GcWord *o = make_obj(7, 0, 5);  /* raw payload: garbage is harmless */
        for (int k = 1; k <= 5; k++)
            o[k] = ~(GcWord)0;
    }
}

START_TEST(test_reused_cells_are_zeroed) {
    GcWord *first = gc_alloc(&tm, 48);
    first[0] = gc_make_header(7, 0, 5);
    fill_garbage(3000);
    gc_collect(&tm);
    ck_assert_uint_eq(stats_now().live_bytes, 0);
    size_t nonzero = 0;
    for (int i = 0; i < 3001; i++) {
        GcWord *o = gc_alloc(&tm, 48);
        if (i == 0)
            ck_assert_ptr_eq(o, first);  /* the emptied page is reused */
        for (int k = 0; k < 6; k++)
            nonzero += o[k] != 0;
    }
    ck_assert_uint_eq(nonzero, 0);
}
END_TEST

START_TEST(test_partly_free_page_reused) {
    static GcWord keep[2048];
    gc_add_root_range(keep, 2048);
    GcWord *first = NULL;
    for (int i = 0; i < 4096; i++) {  /* exactly one cons page */
        GcWord c = make_cons(fixnum(i), 0);
        if (i == 0)
            first = untag(c);
        if (i % 2 == 0)
            keep[i / 2] = c;
    }
    ck_assert_ptr_eq(untag(keep[2047]), first + 2 * 4094);
    gc_collect(&tm);
    GcStats s = stats_now();
    ck_assert_uint_eq(s.live_bytes, 2048 * 16);
    ck_assert_uint_eq(s.free_bytes_in_pages, 2048 * 16);
    ck_assert_uint_eq(s.heap_bytes, GC_PAGE_BYTES);
    GcWord *c = gc_alloc_cons(&tm);
    ck_assert_ptr_eq(c, first + 2);  /* the first free cell of the partly used page */
    ck_assert_uint_eq(untag(keep[1])[0], fixnum(2));
}
END_TEST

START_TEST(test_large_objects) {
    size_t bytes = 100 * 1024;
    unsigned char *o = gc_alloc(&tm, bytes);
    ck_assert_ptr_nonnull(o);
    ck_assert_uint_eq((uintptr_t)o % GC_PAGE_BYTES, 0);
    GcPage *p = gc_page_of((uintptr_t)o);
    ck_assert_int_eq(p->kind, GC_PAGE_LARGE_START);
    ck_assert_uint_eq(p->run, 2);
    ck_assert_int_eq(p[1].kind, GC_PAGE_LARGE_CONT);
    ck_assert(gc_is_heap_object(o));
    ck_assert(!gc_is_heap_object(o + GC_PAGE_BYTES));
    for (size_t k = 0; k < bytes; k += 4096)
        ck_assert_uint_eq(o[k], 0);
    GcStats s = stats_now();
    ck_assert_uint_eq(s.large_objects, 1);
    ck_assert_uint_eq(s.heap_bytes, 2 * GC_PAGE_BYTES);
    memset(o, 0xab, bytes);
    ((GcWord *)o)[0] = gc_make_header(9, 0, bytes / 8 - 1);
    o = NULL;
    gc_collect(&tm);
    s = stats_now();
    ck_assert_uint_eq(s.large_objects, 0);
    ck_assert_uint_eq(s.heap_bytes, 0);
    ck_assert_int_eq(p->kind, GC_PAGE_FREE);
    unsigned char *again = gc_alloc(&tm, bytes);
    ck_assert_ptr_eq(again, gc_page_start(p));  /* first fit */
    size_t nonzero = 0;
    for (size_t k = 0; k < bytes; k++)
        nonzero += again[k] != 0;
    ck_assert_uint_eq(nonzero, 0);
}
END_TEST

/* Pins the exhaustion protocol: the first NULL comes while a reserve of
 * FREE pages is still held back (so the storage-condition can be made), the
 * reserve is then usable, and only a completely full heap fails again. */
static size_t cons_until_null(GcWord *root) {
    size_t n = 0;
    for (;;) {
        GcWord *c = gc_alloc_cons(&tm);
        if (!c)
            return n;
        c[1] = *root;
        *root = tag_cons(c);
        n++;
        ck_assert_uint_lt(n, 1000000);
    }
}

START_TEST(test_heap_limit_exhaustion) {
    static GcWord root;
    gc_add_root_range(&root, 1);
    size_t capacity = 4 * 1024 * 1024 / 16;
    size_t first = cons_until_null(&root);
    ck_assert_uint_ge(first, capacity - capacity / 16);  /* reported near the limit */
    ck_assert_uint_lt(first, capacity);                   /* with a reserve left */
    size_t more = cons_until_null(&root);                 /* the handler's reserve */
    ck_assert_uint_eq(first + more, capacity);            /* every page full of live conses */
    ck_assert_ptr_null(gc_alloc(&tm, 64));
    ck_assert_ptr_null(gc_alloc(&tm, 1 << 20));
    ck_assert_ptr_null(gc_alloc(&tm, (size_t)1 << 40));
    GcStats s = stats_now();
    ck_assert_uint_eq(s.heap_bytes, s.heap_limit_bytes);
    root = 0;  /* drop the list: now allocation must work again */
    ck_assert_ptr_nonnull(gc_alloc(&tm, 1 << 20));
    ck_assert_ptr_nonnull(gc_alloc_cons(&tm));
    ck_assert_ptr_nonnull(gc_alloc(&tm, 64));
}
END_TEST

static void setup_small_heap(void) {
    test_start(4 * 1024 * 1024, 0, false);
    gc_test_skip_stack_scan(true);
}

START_TEST(test_pacing_collects) {
    size_t failed = 0;
    for (int i = 0; i < 12 * 1024 * 1024; i++)  /* 192 MiB of garbage conses: 6 triggers' worth */
        failed += gc_alloc_cons(&tm) == NULL;
    ck_assert_uint_eq(failed, 0);
    GcStats s = stats_now();
    ck_assert_uint_ge(s.collections, 4);
    ck_assert_uint_le(s.heap_bytes, 2 * GC_MIN_TRIGGER_BYTES);
}
END_TEST

static Suite *alloc_suite(void) {
    Suite *s = suite_create("gc_alloc");
    TCase *tc = tcase_create("alloc");
    tcase_add_checked_fixture(tc, setup_default, test_stop);
    tcase_add_test(tc, test_size_class_table);
    tcase_add_test(tc, test_cons_fast_path);
    tcase_add_test(tc, test_object_sizes);
    suite_add_tcase(s, tc);
    TCase *pr = tcase_create("precise");
    tcase_add_checked_fixture(pr, setup_precise, test_stop);
    tcase_add_test(pr, test_reused_cells_are_zeroed);
    tcase_add_test(pr, test_partly_free_page_reused);
    tcase_add_test(pr, test_large_objects);
    tcase_add_test(pr, test_pacing_collects);
    tcase_set_timeout(pr, 60);
    suite_add_tcase(s, pr);
    TCase *lim = tcase_create("limit");
    tcase_add_checked_fixture(lim, setup_small_heap, test_stop);
    tcase_add_test(lim, test_heap_limit_exhaustion);
    suite_add_tcase(s, lim);
    return s;
}

GC_TEST_MAIN(alloc_suite)
