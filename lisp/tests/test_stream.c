/* lisp/tests/test_stream.c — streams (stream.c) and the I/O builtins
 * (builtins_io.c): string streams, FILE streams with UTF-8, push-back,
 * column and line tracking, designators, and the CL functions through the
 * evaluator. */
#include <check.h>
#include <stdarg.h>
#include <stdlib.h>

#include "lisp/tests/lisp_test.h"
#include "lisp/printer_impl.h"

static size_t mark;

static const char *cstr(LispObj s) {
    static char ring[8][4096];
    static int next;
    char *buf = ring[next++ % 8];
    str_to_utf8(s, buf, sizeof ring[0]);
    return buf;
}

static LispObj lstr(const char *s) { return str_from_cstr(tc, s); }

static void setup(void) {
    mark = tc->bind_top;
    sym_bind(tc, S(STAR_PACKAGE), pkg_cl_user);
}
static void teardown(void) { sym_unbind_to(tc, mark); }

/* ---- string output ---- */

START_TEST(string_output_basic) {
    LispObj s = stm_make_string_output(tc);
    ck_assert(stm_output_p(s) && !stm_input_p(s));
    stm_write_char(tc, s, 'a');
    stm_write_cstr(tc, s, "b\xC3\xA9\xF0\x9F\x98\x80");
    stm_write_string(tc, s, lstr("xyz"), 1, 3);
    LispObj out = stm_get_output_string(tc, s);
    ck_assert_uint_eq(str_length(out), 6);
    ck_assert_uint_eq(STR(out)->chars[2], 0xE9);
    ck_assert_uint_eq(STR(out)->chars[3], 0x1F600);
    ck_assert_str_eq(cstr(out), "ab\xC3\xA9\xF0\x9F\x98\x80yz");
    /* getting the string resets the stream */
    ck_assert_uint_eq(str_length(stm_get_output_string(tc, s)), 0);
    stm_write_cstr(tc, s, "again");
    ck_assert_str_eq(cstr(stm_get_output_string(tc, s)), "again");
}
END_TEST

START_TEST(string_output_grows) {
    LispObj s = stm_make_string_output(tc);
    for (int i = 0; i < 100000; i++) stm_write_char(tc, s, 'a' + (uint32_t)(i % 26));
    LispObj out = stm_get_output_string(tc, s);
    ck_assert_uint_eq(str_length(out), 100000);
    for (int i = 0; i < 100000; i++) ck_assert_uint_eq(STR(out)->chars[i], 'a' + (uint32_t)(i % 26));
}
END_TEST

START_TEST(output_column_and_fresh_line) {
    LispObj s = stm_make_string_output(tc);
    ck_assert_uint_eq(stm_column(s), 0);
    ck_assert(!stm_fresh_line(tc, s));
    stm_write_cstr(tc, s, "abc");
    ck_assert_uint_eq(stm_column(s), 3);
    ck_assert(stm_fresh_line(tc, s));
    ck_assert_uint_eq(stm_column(s), 0);
    stm_write_cstr(tc, s, "x\nyz");
    ck_assert_uint_eq(stm_column(s), 2);
    ck_assert_str_eq(cstr(stm_get_output_string(tc, s)), "abc\nx\nyz");
}
END_TEST

/* ---- string input ---- */

START_TEST(string_input_read_peek_unread) {
    LispObj s = stm_make_string_input(tc, lstr("xab\xC3\xA9" "c"), 1, 4);
    ck_assert(stm_input_p(s) && !stm_output_p(s));
    ck_assert_int_eq(stm_peek_char(tc, s), 'a');
    ck_assert_int_eq(stm_read_char(tc, s), 'a');
    ck_assert_int_eq(stm_read_char(tc, s), 'b');
    stm_unread_char(tc, s, 'b');
    ck_assert_int_eq(fx_value(STM(s)->position), 2);
    ck_assert_int_eq(stm_read_char(tc, s), 'b');
    ck_assert_int_eq(stm_read_char(tc, s), 0xE9);
    ck_assert_int_eq(stm_read_char(tc, s), -1);
    ck_assert_int_eq(stm_peek_char(tc, s), -1);
    ck_assert_int_eq(fx_value(STM(s)->position), 4);
}
END_TEST

START_TEST(string_input_positions) {
    LispObj s = stm_make_string_input(tc, lstr("ab\ncd"), 0, 5);
    char buf[64];
    for (int i = 0; i < 4; i++) stm_read_char(tc, s);   /* a b \n c */
    stm_describe_position(s, buf, sizeof buf);
    ck_assert_str_eq(buf, "line 2, column 1");
    ck_assert_int_eq(STM(s)->chars_read, 4);
    stm_unread_char(tc, s, 'c');
    stm_describe_position(s, buf, sizeof buf);
    ck_assert_str_eq(buf, "line 2, column 0");
    ck_assert_int_eq(stm_read_char(tc, s), 'c');
    s = stm_make_string_input(tc, lstr("ab\ncd"), 0, 5);
    for (int i = 0; i < 3; i++) stm_read_char(tc, s);
    stm_unread_char(tc, s, '\n');   /* back over the newline restores the column */
    stm_describe_position(s, buf, sizeof buf);
    ck_assert_str_eq(buf, "line 1, column 2");
}
END_TEST

static LispObj bad_unread(ThContext *t, void *data) {
    LispObj s = stm_make_string_input(t, str_from_cstr(t, "ab"), 0, 2);
    stm_read_char(t, s);
    stm_unread_char(t, s, 'z');
    return NIL;
}

static LispObj write_to_input(ThContext *t, void *data) {
    stm_write_char(t, stm_make_string_input(t, str_from_cstr(t, "ab"), 0, 2), 'x');
    return NIL;
}

static LispObj read_from_output(ThContext *t, void *data) {
    stm_read_char(t, stm_make_string_output(t));
    return NIL;
}

START_TEST(stream_misuse_signals) {
    LispObj result, condition;
    ck_assert(!vm_call_protected(tc, bad_unread, NULL, &result, &condition));
    ck_assert(!vm_call_protected(tc, write_to_input, NULL, &result, &condition));
    ck_assert(cond_typep(condition, S(ERROR)));
    ck_assert(!vm_call_protected(tc, read_from_output, NULL, &result, &condition));
}
END_TEST

/* ---- FILE streams ---- */

START_TEST(file_output_utf8) {
    FILE *f = tmpfile();
    ck_assert_ptr_nonnull(f);
    LispObj s = stm_make_file(tc, f, true, "tmp");
    stm_write_cstr(tc, s, "a\xC3\xA9\n");
    stm_write_char(tc, s, 0x1F600);
    ck_assert_uint_eq(stm_column(s), 1);
    stm_finish_output(tc, s);
    rewind(f);
    char buf[32] = {0};
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    ck_assert_uint_eq(n, 8);
    ck_assert_str_eq(buf, "a\xC3\xA9\n\xF0\x9F\x98\x80");
    fclose(f);
}
END_TEST

START_TEST(file_input_utf8) {
    FILE *f = tmpfile();
    fputs("a\xC3\xA9\n\xF0\x9F\x98\x80\xFFz", f);
    rewind(f);
    LispObj s = stm_make_file(tc, f, false, "in");
    ck_assert(stm_input_p(s));
    ck_assert_int_eq(stm_read_char(tc, s), 'a');
    ck_assert_int_eq(stm_peek_char(tc, s), 0xE9);
    ck_assert_int_eq(stm_read_char(tc, s), 0xE9);
    ck_assert_int_eq(stm_read_char(tc, s), '\n');
    char buf[64];
    stm_describe_position(s, buf, sizeof buf);
    ck_assert_str_eq(buf, "line 2, column 0");
    stm_unread_char(tc, s, '\n');
    stm_describe_position(s, buf, sizeof buf);
    ck_assert_str_eq(buf, "line 1, column 2");
    ck_assert_int_eq(stm_read_char(tc, s), '\n');
    ck_assert_int_eq(stm_read_char(tc, s), 0x1F600);
    ck_assert_int_eq(stm_read_char(tc, s), 0xFFFD);   /* malformed byte */
    ck_assert_int_eq(stm_read_char(tc, s), 'z');
    ck_assert_int_eq(stm_read_char(tc, s), -1);
    ck_assert_int_eq(STM(s)->chars_read, 6);
    fclose(f);
}
END_TEST

/* ---- designators ---- */

START_TEST(designators) {
    LispObj out = stm_make_string_output(tc);
    LispObj in = stm_make_string_input(tc, lstr("q"), 0, 1);
    sym_bind(tc, S(STAR_STANDARD_OUTPUT), out);
    sym_bind(tc, S(STAR_STANDARD_INPUT), in);
    ck_assert(stm_output_designator(tc, NIL) == out);
    ck_assert(stm_input_designator(tc, NIL) == in);
    ck_assert(stm_output_designator(tc, out) == out);
    LispObj term = stm_make_string_output(tc);
    sym_bind(tc, S(STAR_TERMINAL_IO), term);
    ck_assert(stm_output_designator(tc, T) == term);
    /* a one-directional *terminal-io* falls back to the standard stream */
    ck_assert(stm_input_designator(tc, T) == in);
}
END_TEST

/* ---- the builtins, called as Lisp functions ---- */

static void ensure_builtins(void) {
    LispObj status = NIL;
    LispObj f = pkg_find_symbol(tc, lstr("FORMAT"), pkg_common_lisp, &status);
    if (status == NIL || SYM(f)->function == LISP_UNBOUND) lisp_register_builtins(tc, builtins_io);
}

static LispObj fn(const char *name) {
    LispObj status = NIL;
    LispObj s = pkg_find_symbol(tc, lstr(name), pkg_common_lisp, &status);
    ck_assert_msg(status != NIL && function_p(SYM(s)->function), "%s is not defined", name);
    return SYM(s)->function;
}

/* (name args...) with the arguments given as Lisp data. */
static LispObj call(const char *name, size_t n, ...) {
    LispObj args[16];
    va_list ap;
    va_start(ap, n);
    for (size_t i = 0; i < n; i++) args[i] = va_arg(ap, LispObj);
    va_end(ap);
    return vm_funcall(tc, fn(name), n, args);
}

static LispObj kw(const char *name) { return pkg_intern_cstr(tc, name, pkg_keyword); }

#define STR_IS(v, expected) do { \
        LispObj v_ = (v); \
        ck_assert(string_p(v_)); \
        ck_assert_str_eq(cstr(v_), expected); \
    } while (0)

START_TEST(builtins_output) {
    ensure_builtins();
    LispObj list = lisp_list(tc, 3, pkg_intern_cstr(tc, "A", pkg_cl_user), lstr("b"), char_make('c'));
    STR_IS(call("FORMAT", 4, NIL, lstr("~A-~S"), lstr("a"), lstr("b")), "a-\"b\"");
    STR_IS(call("PRIN1-TO-STRING", 1, list), "(A \"b\" #\\c)");
    STR_IS(call("PRINC-TO-STRING", 1, list), "(A b c)");
    STR_IS(call("WRITE-TO-STRING", 5, fx_make(255), kw("BASE"), fx_make(16), kw("RADIX"), T), "#xFF");
    STR_IS(call("WRITE-TO-STRING", 3, lstr("s"), kw("ESCAPE"), NIL), "s");
    STR_IS(call("WRITE-TO-STRING", 3, list, kw("LENGTH"), fx_make(2)), "(A \"b\" ...)");
    /* WRITE's bindings are undone afterwards */
    ck_assert(sym_value(tc, S(STAR_PRINT_BASE)) == fx_make(10));
    LispObj s = call("MAKE-STRING-OUTPUT-STREAM", 0);
    call("WRITE", 3, kw("KEY"), kw("STREAM"), s);
    ck_assert(call("PRINT", 2, fx_make(1), s) == fx_make(1));
    call("PRINC", 2, lstr("p"), s);
    call("PRIN1", 2, lstr("q"), s);
    call("WRITE-CHAR", 2, char_make('c'), s);
    ck_assert(call("TERPRI", 1, s) == NIL);
    call("WRITE-STRING", 6, lstr("abcd"), s, kw("START"), fx_make(1), kw("END"), fx_make(3));
    ck_assert(call("FRESH-LINE", 1, s) == T);
    ck_assert(call("FRESH-LINE", 1, s) == NIL);
    call("WRITE-LINE", 2, lstr("w"), s);
    call("FINISH-OUTPUT", 1, s);
    call("FORMAT", 4, s, lstr("~D~A"), fx_make(42), lstr("!"));
    STR_IS(call("GET-OUTPUT-STREAM-STRING", 1, s), ":KEY\n1 p\"q\"c\nbc\nw\n42!");
    STR_IS(call("GET-OUTPUT-STREAM-STRING", 1, s), "");
}
END_TEST

START_TEST(builtins_format_t_and_nil) {
    ensure_builtins();
    LispObj out = stm_make_string_output(tc);
    sym_bind(tc, S(STAR_STANDARD_OUTPUT), out);
    ck_assert(call("FORMAT", 3, T, lstr("x~Dy"), fx_make(1)) == NIL);
    ck_assert(call("PRINT", 1, kw("K")) == kw("K"));
    ck_assert_str_eq(cstr(stm_get_output_string(tc, out)), "x1y\n:K ");
    sym_bind(tc, S(STAR_TERMINAL_IO), out);
    call("PRINC", 2, lstr("t"), T);
    ck_assert_str_eq(cstr(stm_get_output_string(tc, out)), "t");
    ck_assert(call("STREAMP", 1, out) == T);
    ck_assert(call("STREAMP", 1, fx_make(1)) == NIL);
    ck_assert(call("OUTPUT-STREAM-P", 1, out) == T);
    ck_assert(call("INPUT-STREAM-P", 1, out) == NIL);
}
END_TEST

START_TEST(builtins_input) {
    ensure_builtins();
    LispObj v = call("READ-FROM-STRING", 1, lstr("(a b) c"));
    ck_assert(cons_p(v));
    ck_assert_uint_eq(vm_nvalues(tc), 2);
    ck_assert(fx_p(vm_value(tc, 1)) && fx_value(vm_value(tc, 1)) >= 5 && fx_value(vm_value(tc, 1)) <= 6);
    ck_assert(call("READ-FROM-STRING", 3, lstr(""), NIL, kw("EOF")) == kw("EOF"));
    v = call("READ-FROM-STRING", 5, lstr("abc 42"), T, NIL, kw("START"), fx_make(4));
    ck_assert(v == fx_make(42));
    ck_assert(vm_value(tc, 1) == fx_make(6));
    LispObj s = call("MAKE-STRING-INPUT-STREAM", 1, lstr("one\ntwo"));
    STR_IS(call("READ-LINE", 1, s), "one");
    ck_assert(vm_value(tc, 1) == NIL);
    STR_IS(call("READ-LINE", 1, s), "two");
    ck_assert(vm_value(tc, 1) == T);
    ck_assert(call("READ-LINE", 3, s, NIL, kw("DONE")) == kw("DONE"));
    s = call("MAKE-STRING-INPUT-STREAM", 1, lstr("xy"));
    ck_assert(call("READ-CHAR", 1, s) == char_make('x'));
    ck_assert(call("UNREAD-CHAR", 2, char_make('x'), s) == NIL);
    ck_assert(call("PEEK-CHAR", 2, NIL, s) == char_make('x'));
    ck_assert(call("READ-CHAR", 1, s) == char_make('x'));
    ck_assert(call("READ-CHAR", 1, s) == char_make('y'));
    ck_assert(call("READ-CHAR", 3, s, NIL, fx_make(7)) == fx_make(7));
    ck_assert(call("PEEK-CHAR", 2, T, call("MAKE-STRING-INPUT-STREAM", 1, lstr("   z"))) == char_make('z'));
    ck_assert(call("PEEK-CHAR", 2, char_make('c'), call("MAKE-STRING-INPUT-STREAM", 1, lstr("abcd"))) ==
              char_make('c'));
    s = call("MAKE-STRING-INPUT-STREAM", 1, lstr("42 rest"));
    ck_assert(call("READ", 1, s) == fx_make(42));
    ck_assert(call("READ-CHAR", 1, call("MAKE-STRING-INPUT-STREAM", 2, lstr("abc"), fx_make(1))) ==
              char_make('b'));
    LispObj in = stm_make_string_input(tc, lstr("q"), 0, 1);
    sym_bind(tc, S(STAR_STANDARD_INPUT), in);
    ck_assert(call("READ-CHAR", 0) == char_make('q'));
}
END_TEST

typedef struct { const char *name; size_t n; LispObj args[6]; } BadCall;

static LispObj run_bad_call(ThContext *t, void *data) {
    BadCall *bc = data;
    return vm_funcall(t, fn(bc->name), bc->n, bc->args);
}

START_TEST(builtins_errors) {
    ensure_builtins();
    LispObj empty = stm_make_string_input(tc, lstr(""), 0, 0);
    BadCall bad[] = {
        {"READ-CHAR", 1, {empty}},
        {"READ-FROM-STRING", 1, {lstr("")}},
        {"WRITE", 3, {fx_make(1), kw("BOGUS"), fx_make(2)}},
        {"WRITE", 2, {fx_make(1), kw("STREAM")}},
        {"FORMAT", 2, {fx_make(3), lstr("x")}},
        {"FORMAT", 2, {NIL, fx_make(3)}},
        {"WRITE-CHAR", 1, {lstr("x")}},
        {"WRITE-STRING", 6, {lstr("abc"), NIL, kw("START"), fx_make(2), kw("END"), fx_make(1)}},
        {"GET-OUTPUT-STREAM-STRING", 1, {empty}},
        {"READ-LINE", 1, {stm_make_string_output(tc)}},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        LispObj result, condition;
        ck_assert_msg(!vm_call_protected(tc, run_bad_call, &bad[i], &result, &condition),
                      "bad call %zu to %s did not signal", i, bad[i].name);
        if (i == 0) ck_assert(cond_typep(condition, S(END_OF_FILE)));
        if (i == 2 || i == 3) ck_assert(cond_typep(condition, S(PROGRAM_ERROR)));
    }
}
END_TEST

static Suite *stream_suite(void) {
    Suite *s = suite_create("stream");
    TCase *t = tcase_create("stream");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_add_test(t, string_output_basic);
    tcase_add_test(t, string_output_grows);
    tcase_add_test(t, output_column_and_fresh_line);
    tcase_add_test(t, string_input_read_peek_unread);
    tcase_add_test(t, string_input_positions);
    tcase_add_test(t, stream_misuse_signals);
    tcase_add_test(t, file_output_utf8);
    tcase_add_test(t, file_input_utf8);
    tcase_add_test(t, designators);
    tcase_add_test(t, builtins_output);
    tcase_add_test(t, builtins_format_t_and_nil);
    tcase_add_test(t, builtins_input);
    tcase_add_test(t, builtins_errors);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return lt_run_suite(stream_suite, false); }
