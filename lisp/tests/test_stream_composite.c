/* lisp/tests/test_stream_composite.c — the composite streams
 * (stream_composite.c): broadcast output and its column, concatenated
 * input dropping exhausted parts, echo streams echoing once even through
 * unread-char, two-way and synonym streams (following a rebinding, and a
 * synonym loop caught), direction and closed-stream errors. */
#include <check.h>

#include "lisp/tests/lisp_test.h"
#include "lisp/stream_impl.h"

static size_t mark;

static void setup(void) {
    mark = tc->bind_top;
    sym_bind(tc, S(STAR_PACKAGE), pkg_cl_user);
}
static void teardown(void) { sym_unbind_to(tc, mark); }

static LispObj in(const char *text) {
    LispObj s = str_from_cstr(tc, text);
    return stm_make_string_input(tc, s, 0, str_length(s));
}

static bool text_is(LispObj out, const char *want) {
    char buf[256];
    str_to_utf8(stm_get_output_string(tc, out), buf, sizeof buf);
    return strcmp(buf, want) == 0;
}

START_TEST(broadcast_writes_each_and_tracks_column) {
    LispObj a = stm_make_string_output(tc), b = stm_make_string_output(tc);
    LispObj s = stm_make_composite(tc, STREAM_BROADCAST, lisp_list(tc, 2, a, b), NIL);
    ck_assert(stm_output_p(s) && !stm_input_p(s));
    stm_write_cstr(tc, s, "ab");
    ck_assert_uint_eq(stm_column(s), 2);
    ck_assert(stm_fresh_line(tc, s));
    ck_assert(!stm_fresh_line(tc, s));
    ck_assert(text_is(a, "ab\n") && text_is(b, "ab\n"));
    LispObj none = stm_make_composite(tc, STREAM_BROADCAST, NIL, NIL);
    stm_write_cstr(tc, none, "dropped");
    ck_assert_uint_eq(stm_column(none), 0);
}
END_TEST

START_TEST(concatenated_reads_in_turn) {
    LispObj parts = lisp_list(tc, 3, in("a"), in(""), in("bc"));
    LispObj s = stm_make_composite(tc, STREAM_CONCATENATED, parts, NIL);
    ck_assert_int_eq(stm_read_char(tc, s), 'a');
    ck_assert_int_eq(stm_read_char(tc, s), 'b');
    stm_unread_char(tc, s, 'b');
    ck_assert_int_eq(stm_peek_char(tc, s), 'b');
    ck_assert_uint_eq(lisp_list_length(tc, STM(s)->buffer), 1);  /* exhausted parts dropped */
    ck_assert(stm_listen(tc, s));
    ck_assert_int_eq(stm_read_char(tc, s), 'b');
    ck_assert_int_eq(stm_read_char(tc, s), 'c');
    ck_assert_int_eq(stm_read_char(tc, s), -1);
    ck_assert(!stm_listen(tc, s));
}
END_TEST

START_TEST(echo_echoes_once) {
    LispObj out = stm_make_string_output(tc);
    LispObj s = stm_make_composite(tc, STREAM_ECHO, in("xyz"), out);
    ck_assert_int_eq(stm_read_char(tc, s), 'x');
    ck_assert_int_eq(stm_peek_char(tc, s), 'y');
    ck_assert_int_eq(stm_read_char(tc, s), 'y');
    stm_write_char(tc, s, '!');
    ck_assert(text_is(out, "xy!"));
}
END_TEST

START_TEST(two_way_and_synonym) {
    LispObj out = stm_make_string_output(tc);
    LispObj tw = stm_make_composite(tc, STREAM_TWO_WAY, in("q"), out);
    ck_assert(stm_input_p(tw) && stm_output_p(tw));
    stm_write_char(tc, tw, (uint32_t)stm_read_char(tc, tw));
    ck_assert(text_is(out, "q"));
    LispObj var = pkg_intern_cstr(tc, "*TSC-VAR*", pkg_cl_user);
    sym_set_flag(var, SYMF_SPECIAL);
    sym_set_value(tc, var, in("1"));
    LispObj syn = stm_make_composite(tc, STREAM_SYNONYM, var, NIL);
    ck_assert(stm_input_p(syn) && !stm_output_p(syn));
    size_t m = tc->bind_top;
    sym_bind(tc, var, in("2"));
    ck_assert_int_eq(stm_read_char(tc, syn), '2');
    sym_unbind_to(tc, m);
    ck_assert_int_eq(stm_read_char(tc, syn), '1');
}
END_TEST

static LispObj read_from(ThContext *t, void *data) {
    return fx_make(stm_read_char(t, *(LispObj *)data));
}

static LispObj write_to(ThContext *t, void *data) {
    stm_write_char(t, *(LispObj *)data, 'a');
    return NIL;
}

START_TEST(misuse_signals_stream_errors) {
    LispObj result, condition;
    LispObj var = pkg_intern_cstr(tc, "*TSC-LOOP*", pkg_cl_user);
    sym_set_flag(var, SYMF_SPECIAL);
    LispObj loop = stm_make_composite(tc, STREAM_SYNONYM, var, NIL);
    sym_set_value(tc, var, loop);
    ck_assert(!vm_call_protected(tc, read_from, &loop, &result, &condition));
    LispObj cat = stm_make_composite(tc, STREAM_CONCATENATED, NIL, NIL);
    ck_assert(!vm_call_protected(tc, write_to, &cat, &result, &condition));
    ck_assert(cond_typep(condition, S(STREAM_ERROR)));
    LispObj closed = in("abc");
    stm_close(tc, closed, false);
    ck_assert(!vm_call_protected(tc, read_from, &closed, &result, &condition));
    ck_assert(cond_typep(condition, S(STREAM_ERROR)));
}
END_TEST

static Suite *composite_suite(void) {
    Suite *s = suite_create("stream_composite");
    TCase *t = tcase_create("stream_composite");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, broadcast_writes_each_and_tracks_column);
    tcase_add_test(t, concatenated_reads_in_turn);
    tcase_add_test(t, echo_echoes_once);
    tcase_add_test(t, two_way_and_synonym);
    tcase_add_test(t, misuse_signals_stream_errors);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return lt_run_suite(composite_suite, false); }
