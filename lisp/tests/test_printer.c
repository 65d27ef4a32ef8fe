/* lisp/tests/test_printer.c — the printer (printer.c, printer_float.c) and
 * FORMAT (format.c): exact printed text for each rule of CLHS 22.1 that the
 * kernel implements, float round trips through the reader, *print-circle*,
 * termination on circular data without it, and the FORMAT directives. */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "lisp/tests/lisp_test.h"
#include "lisp/printer_impl.h"


/* ---- helpers ---- */

/* UTF-8 copy of a Lisp string into one of a ring of static buffers. */
static const char *cstr(LispObj s) {
    static char ring[8][4096];
    static int next;
    char *buf = ring[next++ % 8];
    str_to_utf8(s, buf, sizeof ring[0]);
    return buf;
}

static const char *prin1(LispObj x) { return cstr(pr_prin1_to_string(tc, x)); }
static const char *princ(LispObj x) { return cstr(pr_princ_to_string(tc, x)); }
static LispObj rd(const char *src) { return rd_read_from_cstr(tc, src); }
static LispObj sym(const char *name) { return pkg_intern_cstr(tc, name, pkg_cl_user); }
static LispObj uninterned(const char *name) { return sym_make(tc, str_from_cstr(tc, name)); }

/* Binds a special for the rest of the test (each test runs in its own
 * process under CK_FORK; with CK_FORK=no, teardown unbinds). */
static size_t mark;
static void setup(void) {
    mark = tc->bind_top;
    sym_bind(tc, S(STAR_PACKAGE), pkg_cl_user);
}
static void teardown(void) { sym_unbind_to(tc, mark); }
static void bind(LispObj var, LispObj value) { sym_bind(tc, var, value); }

static const char *fmt(const char *control, const char *args_src) {
    LispObj s = stm_make_string_output(tc);
    pr_format(tc, s, str_from_cstr(tc, control), rd(args_src));
    return cstr(stm_get_output_string(tc, s));
}

#define PRIN1_IS(obj, text) ck_assert_str_eq(prin1(obj), text)
#define PRINC_IS(obj, text) ck_assert_str_eq(princ(obj), text)

/* ---- integers and ratios ---- */

START_TEST(integers_decimal) {
    PRIN1_IS(fx_make(0), "0");
    PRIN1_IS(fx_make(42), "42");
    PRIN1_IS(fx_make(-7), "-7");
    PRIN1_IS(fx_make(FIXNUM_MAX), "2305843009213693951");
    PRIN1_IS(fx_make(FIXNUM_MIN), "-2305843009213693952");
}
END_TEST

START_TEST(integers_base_and_radix) {
    bind(S(STAR_PRINT_BASE), fx_make(16));
    PRIN1_IS(fx_make(255), "FF");
    PRIN1_IS(fx_make(-255), "-FF");
    bind(S(STAR_PRINT_RADIX), T);
    PRIN1_IS(fx_make(255), "#xFF");
    bind(S(STAR_PRINT_BASE), fx_make(2));
    PRIN1_IS(fx_make(5), "#b101");
    bind(S(STAR_PRINT_BASE), fx_make(8));
    PRIN1_IS(fx_make(8), "#o10");
    bind(S(STAR_PRINT_BASE), fx_make(3));
    PRIN1_IS(fx_make(5), "#3r12");
    bind(S(STAR_PRINT_BASE), fx_make(10));
    PRIN1_IS(fx_make(42), "42.");
    bind(S(STAR_PRINT_BASE), fx_make(36));
    PRIN1_IS(fx_make(35), "#36rZ");
}
END_TEST

START_TEST(ratios) {
    PRIN1_IS(ratio_make(tc, fx_make(1), fx_make(2)), "1/2");
    PRIN1_IS(ratio_make(tc, fx_make(-3), fx_make(4)), "-3/4");
    bind(S(STAR_PRINT_RADIX), T);
    PRIN1_IS(ratio_make(tc, fx_make(1), fx_make(2)), "#10r1/2");
    bind(S(STAR_PRINT_BASE), fx_make(16));
    PRIN1_IS(ratio_make(tc, fx_make(1), fx_make(31)), "#x1/1F");
}
END_TEST

/* A bignum built by hand in lisp.h's layout: [signed limb count][limbs]. */
static LispObj bignum(int sign, size_t n, const uint64_t *limbs) {
    LispObj b = obj_alloc(tc, KIND_BIGNUM, n + 1);
    gc_init_store(&obj_words(b)[1], fx_make(sign * (int64_t)n));
    memcpy(&obj_words(b)[2], limbs, n * 8);
    return b;
}

START_TEST(bignums) {
    static const uint64_t two64[] = {0, 1};
    PRIN1_IS(bignum(1, 2, two64), "18446744073709551616");
    PRIN1_IS(bignum(-1, 2, two64), "-18446744073709551616");
    static const uint64_t big[] = {UINT64_MAX, UINT64_MAX, 12345};
    PRIN1_IS(bignum(1, 3, big), "4201126102005906269918822903352610338635775");
    bind(S(STAR_PRINT_BASE), fx_make(16));
    PRIN1_IS(bignum(1, 2, two64), "10000000000000000");
    PRIN1_IS(bignum(1, 3, big), "3039FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF");
    bind(S(STAR_PRINT_BASE), fx_make(2));
    PRIN1_IS(bignum(1, 2, two64), "1" "0000000000000000000000000000000000000000000000000000000000000000");
    bind(S(STAR_PRINT_BASE), fx_make(10));
    ck_assert_str_eq(cstr(pr_integer_to_string(tc, bignum(-1, 2, two64), 16)), "-10000000000000000");
}
END_TEST

START_TEST(complexes) {
    LispObj c = obj_alloc(tc, KIND_COMPLEX, 2);
    gc_init_store(&obj_words(c)[1], fx_make(1));
    gc_init_store(&obj_words(c)[2], fx_make(-2));
    PRIN1_IS(c, "#C(1 -2)");
}
END_TEST

/* ---- floats ---- */

static LispObj sf(float f) { return single_float_make(f); }
static LispObj df(double d) { return double_float_make(tc, d); }

START_TEST(floats_single_default) {
    bind(S(STAR_READ_DEFAULT_FLOAT_FORMAT), S(SINGLE_FLOAT));
    PRIN1_IS(sf(1.0f), "1.0");
    PRIN1_IS(sf(0.1f), "0.1");
    PRIN1_IS(sf(-2.5f), "-2.5");
    PRIN1_IS(sf(123456.7f), "123456.7");
    PRIN1_IS(sf(1.5e10f), "1.5e10");
    PRIN1_IS(sf(1e7f), "1.0e7");
    PRIN1_IS(sf(9999999.0f), "9999999.0");
    PRIN1_IS(sf(0.001f), "0.001");
    PRIN1_IS(sf(1e-4f), "1.0e-4");
    PRIN1_IS(sf(1.2345679e-5f), "1.2345679e-5");
    PRIN1_IS(sf(3.14159265f), "3.1415927");
    PRIN1_IS(sf(0.0f), "0.0");
    PRIN1_IS(sf(-0.0f), "-0.0");
    PRIN1_IS(sf(100.0f), "100.0");
    PRIN1_IS(df(1.0), "1.0d0");
    PRIN1_IS(df(1.5e10), "1.5d10");
    PRIN1_IS(df(0.1), "0.1d0");
    PRIN1_IS(df(3.141592653589793), "3.141592653589793d0");
    PRIN1_IS(df(1e-300), "1.0d-300");
    PRIN1_IS(df(0.0), "0.0d0");
}
END_TEST

START_TEST(floats_double_default) {
    bind(S(STAR_READ_DEFAULT_FLOAT_FORMAT), S(DOUBLE_FLOAT));
    PRIN1_IS(df(1.0), "1.0");
    PRIN1_IS(df(1.5e10), "1.5e10");
    PRIN1_IS(sf(1.0f), "1.0f0");
    PRIN1_IS(sf(1.5e10f), "1.5f10");
}
END_TEST

START_TEST(floats_special) {
    PRIN1_IS(sf(INFINITY), "#<SINGLE-FLOAT +INFINITY>");
    PRIN1_IS(df(-INFINITY), "#<DOUBLE-FLOAT -INFINITY>");
    PRIN1_IS(sf(NAN), "#<SINGLE-FLOAT NaN>");
}
END_TEST

/* Random bit patterns cover subnormals and extreme exponents. */
static uint64_t rng_state = 0x9E3779B97F4A7C15u;
static uint64_t rnd(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

START_TEST(floats_round_trip) {
    bind(S(STAR_READ_DEFAULT_FLOAT_FORMAT), S(SINGLE_FLOAT));
    for (int i = 0; i < 10000; i++) {
        uint64_t bits = rnd();
        double d;
        memcpy(&d, &bits, 8);
        if (!isfinite(d)) continue;
        const char *text = prin1(df(d));
        LispObj back = rd(text);
        ck_assert_msg(double_float_p(back), "%s did not read as a double", text);
        double e = double_float_value(back);
        ck_assert_msg(memcmp(&d, &e, 8) == 0, "%s read back as %.17g, not %.17g", text, e, d);
    }
    for (int i = 0; i < 10000; i++) {
        uint32_t bits = (uint32_t)rnd();
        float f;
        memcpy(&f, &bits, 4);
        if (!isfinite(f)) continue;
        const char *text = prin1(sf(f));
        LispObj back = rd(text);
        ck_assert_msg(single_float_p(back), "%s did not read as a single", text);
        float g = single_float_value(back);
        ck_assert_msg(memcmp(&f, &g, 4) == 0, "%s read back as %.9g, not %.9g", text, g, f);
    }
}
END_TEST

START_TEST(floats_shortest) {
    char d[32];
    int e;
    ck_assert_uint_eq(pr_float_digits(0.1, false, d, sizeof d, &e), 1);
    ck_assert_str_eq(d, "1");
    ck_assert_int_eq(e, 0);
    ck_assert_uint_eq(pr_float_digits(123.25, false, d, sizeof d, &e), 5);
    ck_assert_str_eq(d, "12325");
    ck_assert_int_eq(e, 3);
}
END_TEST

/* ---- characters and strings ---- */

START_TEST(characters) {
    PRIN1_IS(char_make('a'), "#\\a");
    PRIN1_IS(char_make('A'), "#\\A");
    PRIN1_IS(char_make('('), "#\\(");
    PRIN1_IS(char_make(' '), "#\\Space");
    PRIN1_IS(char_make('\n'), "#\\Newline");
    PRIN1_IS(char_make('\t'), "#\\Tab");
    PRIN1_IS(char_make('\f'), "#\\Page");
    PRIN1_IS(char_make(127), "#\\Rubout");
    PRIN1_IS(char_make('\r'), "#\\Return");
    PRIN1_IS(char_make(8), "#\\Backspace");
    PRIN1_IS(char_make(0), "#\\Nul");
    PRIN1_IS(char_make(1), "#\\U+0001");
    PRIN1_IS(char_make(0xE9), "#\\\xC3\xA9");
    PRINC_IS(char_make('a'), "a");
    PRINC_IS(char_make(' '), " ");
}
END_TEST

START_TEST(characters_read_back) {
    static const uint32_t codes[] = {'a', ' ', '\n', '\t', 0, 1, 8, 127, 0x3BB, 0x1F600, 0x85};
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        LispObj c = char_make(codes[i]);
        ck_assert_msg(rd(prin1(c)) == c, "%s does not read back", prin1(c));
    }
}
END_TEST

START_TEST(strings) {
    PRIN1_IS(str_from_cstr(tc, "hello"), "\"hello\"");
    PRIN1_IS(str_from_cstr(tc, "a\"b\\c"), "\"a\\\"b\\\\c\"");
    PRINC_IS(str_from_cstr(tc, "a\"b\\c"), "a\"b\\c");
    PRIN1_IS(str_from_cstr(tc, ""), "\"\"");
    PRIN1_IS(str_from_cstr(tc, "\xC3\xA9t\xC3\xA9"), "\"\xC3\xA9t\xC3\xA9\"");
}
END_TEST

/* ---- symbols ---- */

START_TEST(symbols_plain_and_escaped) {
    PRIN1_IS(sym("FOO"), "FOO");
    PRIN1_IS(sym("foo"), "|foo|");
    PRIN1_IS(sym("Foo"), "|Foo|");
    PRIN1_IS(sym("1+"), "1+");
    PRIN1_IS(sym("1-"), "1-");
    PRIN1_IS(sym("+"), "+");
    PRIN1_IS(sym("-"), "-");
    PRIN1_IS(sym("123"), "|123|");
    PRIN1_IS(sym("+1"), "|+1|");
    PRIN1_IS(sym("1.5"), "|1.5|");
    PRIN1_IS(sym("1E5"), "|1E5|");
    PRIN1_IS(sym("1/2"), "|1/2|");
    PRIN1_IS(sym("1EE"), "1EE");
    PRIN1_IS(sym("A1"), "A1");
    PRIN1_IS(sym("a b"), "|a b|");
    PRIN1_IS(sym("A B"), "|A B|");
    PRIN1_IS(sym(""), "||");
    PRIN1_IS(sym("."), "|.|");
    PRIN1_IS(sym("..."), "|...|");
    PRIN1_IS(sym("A.B"), "A.B");
    PRIN1_IS(sym("A:B"), "|A:B|");
    PRIN1_IS(sym("#A"), "|#A|");
    PRIN1_IS(sym("A#"), "A#");
    PRIN1_IS(sym("A(B"), "|A(B|");
    PRIN1_IS(sym("A|B"), "|A\\|B|");
    PRIN1_IS(sym("A\\B"), "|A\\\\B|");
    PRIN1_IS(sym("*PRINT-X*"), "*PRINT-X*");
    PRIN1_IS(sym("\xC3\xA9"), "\xC3\xA9");
    PRINC_IS(sym("foo"), "foo");
    PRINC_IS(sym("a b"), "a b");
}
END_TEST

START_TEST(symbols_read_back) {
    static const char *const names[] = {
        "FOO", "foo", "1+", "123", "a b", "", ".", "A:B", "#A", "A|B", "A\\B", "1E5", "+.5", "-", "1EE",
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        LispObj s = sym(names[i]);
        ck_assert_msg(rd(prin1(s)) == s, "%s does not read back as the same symbol", prin1(s));
    }
}
END_TEST

START_TEST(symbols_base_16) {
    bind(S(STAR_PRINT_BASE), fx_make(16));
    PRIN1_IS(sym("FACE"), "|FACE|");
    PRIN1_IS(sym("FACE-IT"), "FACE-IT");
}
END_TEST

START_TEST(symbols_packages) {
    PRIN1_IS(pkg_intern_cstr(tc, "KEY", pkg_keyword), ":KEY");
    PRINC_IS(pkg_intern_cstr(tc, "KEY", pkg_keyword), "KEY");
    PRIN1_IS(uninterned("G"), "#:G");
    PRIN1_IS(uninterned("g"), "#:|g|");
    PRINC_IS(uninterned("G"), "G");
    bind(S(STAR_PRINT_GENSYM), NIL);
    PRIN1_IS(uninterned("G"), "G");
    PRIN1_IS(S(CAR), "CAR");
    PRIN1_IS(NIL, "NIL");
    PRIN1_IS(T, "T");
    /* an internal symbol of another package */
    LispObj other = pkg_make(tc, "PR-TEST-OTHER", NULL);
    PRIN1_IS(pkg_intern_cstr(tc, "SECRET", other), "PR-TEST-OTHER::SECRET");
    LispObj pub = pkg_intern_cstr(tc, "PUBLIC", other);
    pkg_export(tc, pub, other);
    PRIN1_IS(pub, "PR-TEST-OTHER:PUBLIC");
    PRINC_IS(pub, "PUBLIC");
    LispObj odd = pkg_make(tc, "odd pkg", NULL);
    PRIN1_IS(pkg_intern_cstr(tc, "X", odd), "|odd pkg|::X");
}
END_TEST

START_TEST(symbols_print_case) {
    bind(S(STAR_PRINT_CASE), S(DOWNCASE_KW));
    PRIN1_IS(sym("FOO-BAR"), "foo-bar");
    PRIN1_IS(sym("foo"), "|foo|");
    PRIN1_IS(pkg_intern_cstr(tc, "KEY", pkg_keyword), ":key");
    bind(S(STAR_PRINT_CASE), S(CAPITALIZE_KW));
    PRIN1_IS(sym("FOO-BAR"), "Foo-Bar");
    PRIN1_IS(sym("FOO1BAR"), "Foo1bar");
    bind(S(STAR_PRINT_CASE), S(UPCASE_KW));
    PRIN1_IS(sym("FOO-BAR"), "FOO-BAR");
}
END_TEST

/* ---- lists and vectors ---- */

START_TEST(lists) {
    PRIN1_IS(rd("(1 2 3)"), "(1 2 3)");
    PRIN1_IS(rd("(1 . 2)"), "(1 . 2)");
    PRIN1_IS(rd("(1 2 . 3)"), "(1 2 . 3)");
    PRIN1_IS(rd("((a) (b (c)))"), "((A) (B (C)))");
    PRIN1_IS(rd("()"), "NIL");
    PRIN1_IS(rd("'x"), "'X");
    PRIN1_IS(rd("#'f"), "#'F");
    PRIN1_IS(rd("(quote a b)"), "(QUOTE A B)");
    PRIN1_IS(rd("(quote)"), "(QUOTE)");
    PRIN1_IS(rd("(quote . a)"), "(QUOTE . A)");
    PRIN1_IS(rd("('a 'b)"), "('A 'B)");
    PRIN1_IS(rd("(\"s\" #\\c 1.5)"), "(\"s\" #\\c 1.5)");
    PRINC_IS(rd("(\"s\" #\\c)"), "(s c)");
}
END_TEST

START_TEST(lists_backquote) {
    LispObj form = lisp_list(tc, 2, S(QUASIQUOTE),
                             lisp_list(tc, 3, sym("A"), lisp_list(tc, 2, S(UNQUOTE), sym("B")),
                                       lisp_list(tc, 2, S(UNQUOTE_SPLICING), sym("C"))));
    PRIN1_IS(form, "`(A ,B ,@C)");
}
END_TEST

START_TEST(lists_level_and_length) {
    bind(S(STAR_PRINT_LEVEL), fx_make(1));
    PRIN1_IS(rd("(1 (2) 3)"), "(1 # 3)");
    PRIN1_IS(rd("#(1 #(2))"), "#(1 #)");
    bind(S(STAR_PRINT_LEVEL), fx_make(0));
    PRIN1_IS(rd("(1)"), "#");
    PRIN1_IS(fx_make(5), "5");
    bind(S(STAR_PRINT_LEVEL), NIL);
    bind(S(STAR_PRINT_LENGTH), fx_make(2));
    PRIN1_IS(rd("(1 2 3)"), "(1 2 ...)");
    PRIN1_IS(rd("(1 2)"), "(1 2)");
    PRIN1_IS(rd("(1 2 . 3)"), "(1 2 . 3)");
    PRIN1_IS(rd("#(1 2 3)"), "#(1 2 ...)");
    bind(S(STAR_PRINT_LENGTH), fx_make(0));
    PRIN1_IS(rd("(1 2 3)"), "(...)");
    bind(S(STAR_PRINT_LENGTH), fx_make(3));
    bind(S(STAR_PRINT_LEVEL), fx_make(2));
    PRIN1_IS(rd("(if (member x y) (+ (car x) 3) '(foo . #(a b c d \"Baz\")))"),
             "(IF (MEMBER X Y) (+ # 3) ...)");
}
END_TEST

START_TEST(vectors) {
    LispObj v = vec_make(tc, 3, NIL);
    obj_set(&VEC(v)->items[0], fx_make(1));
    obj_set(&VEC(v)->items[1], sym("A"));
    obj_set(&VEC(v)->items[2], str_from_cstr(tc, "s"));
    PRIN1_IS(v, "#(1 A \"s\")");
    PRINC_IS(v, "#(1 A s)");
    PRIN1_IS(vec_make(tc, 0, NIL), "#()");
}
END_TEST

/* ---- *print-circle* and termination ---- */

START_TEST(circle_cdr) {
    LispObj x = lisp_list(tc, 1, fx_make(1));
    cons_set_cdr(x, x);
    bind(S(STAR_PRINT_CIRCLE), T);
    PRIN1_IS(x, "#1=(1 . #1#)");
}
END_TEST

START_TEST(circle_shared_and_car) {
    bind(S(STAR_PRINT_CIRCLE), T);
    LispObj a = lisp_list(tc, 1, fx_make(1));
    PRIN1_IS(lisp_list(tc, 2, a, a), "(#1=(1) #1#)");
    LispObj y = lisp_list(tc, 2, fx_make(1), fx_make(2));
    cons_set_car(y, y);
    PRIN1_IS(y, "#1=(#1# 2)");
    LispObj z = lisp_list(tc, 3, fx_make(1), fx_make(2), fx_make(3));
    cons_set_cdr(CDR(CDR(z)), CDR(z));
    PRIN1_IS(z, "(1 . #1=(2 3 . #1#))");
    LispObj v = vec_make(tc, 2, NIL);
    obj_set(&VEC(v)->items[0], v);
    PRIN1_IS(v, "#1=#(#1# NIL)");
    LispObj g = uninterned("G");
    PRIN1_IS(lisp_list(tc, 2, g, g), "(#1=#:G #1#)");
    PRIN1_IS(lisp_list(tc, 2, a, lisp_list(tc, 1, a)), "(#1=(1) (#1#))");
    /* unshared structure prints plainly */
    PRIN1_IS(rd("(1 (2) #(3))"), "(1 (2) #(3))");
}
END_TEST

static LispObj read_text(ThContext *t, void *text) { return rd_read_from_cstr(t, text); }

START_TEST(circle_round_trip) {
    bind(S(STAR_PRINT_CIRCLE), T);
    LispObj x = lisp_list(tc, 2, sym("A"), NIL);
    cons_set_car(CDR(x), x);
    cons_set_cdr(CDR(x), x);
    const char *text = prin1(x);
    ck_assert_str_eq(text, "#1=(A #1# . #1#)");
    /* Read back only where the reader has #n= (it may not yet). */
    LispObj y, condition;
    if (vm_call_protected(tc, read_text, (void *)text, &y, &condition))
        ck_assert(CAR(CDR(y)) == y && CDR(CDR(y)) == y);
}
END_TEST

START_TEST(circular_without_circle_terminates) {
    LispObj x = lisp_list(tc, 1, fx_make(1));
    cons_set_car(x, x);
    const char *text = prin1(x);   /* CAR-circular: depth guard */
    ck_assert(strncmp(text, "((((((((", 8) == 0);
    LispObj y = lisp_list(tc, 2, fx_make(1), fx_make(2));
    cons_set_cdr(CDR(y), y);
    bind(S(STAR_PRINT_LENGTH), fx_make(5));
    PRIN1_IS(y, "(1 2 1 2 1 ...)");
}
END_TEST

START_TEST(circular_cdr_budget) {
    /* CDR-circular with no limits: the element budget stops it. */
    LispObj y = lisp_list(tc, 1, fx_make(7));
    cons_set_cdr(y, y);
    LispObj s = pr_prin1_to_string(tc, y);
    size_t n = str_length(s);
    ck_assert(n > 1000000);
    ck_assert(STR(s)->chars[n - 1] == ')' && STR(s)->chars[n - 2] == '.');
}
END_TEST

/* ---- other objects ---- */

START_TEST(unreadable_objects) {
    PRIN1_IS(pkg_common_lisp, "#<PACKAGE \"COMMON-LISP\">");
    PRIN1_IS(LISP_UNBOUND, "#<UNBOUND>");
    LispObj s = stm_make_string_output(tc);
    ck_assert(strncmp(prin1(s), "#<STRING-OUTPUT-STREAM {", 24) == 0);
    LispObj car_fn = SYM(S(CAR))->function;
    if (function_p(car_fn)) PRIN1_IS(car_fn, "#<FUNCTION CAR>");
}
END_TEST

START_TEST(conditions) {
    LispObj c = condition_make(tc, S(SIMPLE_ERROR), str_from_cstr(tc, "boom \"x\""), NIL, NIL);
    PRINC_IS(c, "boom \"x\"");
    PRIN1_IS(c, "#<SIMPLE-ERROR \"boom \\\"x\\\"\">");
    LispObj plist = lisp_list(tc, 4, S(FORMAT_CONTROL_KW), str_from_cstr(tc, "~A and ~S"),
                              S(FORMAT_ARGUMENTS_KW), lisp_list(tc, 2, fx_make(1), str_from_cstr(tc, "s")));
    PRINC_IS(condition_make(tc, S(SIMPLE_ERROR), NIL, NIL, plist), "1 and \"s\"");
}
END_TEST

static LispObj print_package_readably(ThContext *t, void *data) {
    sym_bind(t, S(STAR_PRINT_READABLY), T);
    return pr_prin1_to_string(t, pkg_common_lisp);
}

START_TEST(readably_refuses_unreadable) {
    LispObj result, condition;
    ck_assert(!vm_call_protected(tc, print_package_readably, NULL, &result, &condition));
    ck_assert(cond_typep(condition, S(PRINT_NOT_READABLE)));
}
END_TEST

START_TEST(write_honours_escape) {
    bind(S(STAR_PRINT_ESCAPE), NIL);
    LispObj s = stm_make_string_output(tc);
    pr_write(tc, str_from_cstr(tc, "x"), s);
    ck_assert_str_eq(cstr(stm_get_output_string(tc, s)), "x");
    bind(S(STAR_PRINT_ESCAPE), T);
    pr_write(tc, str_from_cstr(tc, "x"), s);
    ck_assert_str_eq(cstr(stm_get_output_string(tc, s)), "\"x\"");
}
END_TEST

/* ---- FORMAT ---- */

static const struct { const char *control, *args, *expected; } format_cases[] = {
    {"~A", "(\"foo\")", "foo"},
    {"~S", "(\"foo\")", "\"foo\""},
    {"~A ~S", "(:k :k)", "K :K"},
    {"~A", "(nil)", "NIL"},
    {"~:A", "(nil)", "()"},
    {"~A", "((1 \"a\" #\\b))", "(1 a b)"},
    {"~S", "((1 \"a\" #\\b))", "(1 \"a\" #\\b)"},
    {"~10A|", "(\"ab\")", "ab        |"},
    {"~10@A|", "(\"ab\")", "        ab|"},
    {"~5,,,'*A|", "(ab)", "AB***|"},
    {"~4,2,,'-A|", "(abc)", "ABC--|"},
    {"~D", "(42)", "42"},
    {"~D", "(-42)", "-42"},
    {"~5D", "(42)", "   42"},
    {"~5,'0D", "(42)", "00042"},
    {"~:D", "(1234567)", "1,234,567"},
    {"~:D", "(-1234)", "-1,234"},
    {"~,,'.,4:D", "(1234567)", "123.4567"},
    {"~@D", "(5)", "+5"},
    {"~@D", "(-5)", "-5"},
    {"~D", "(foo)", "FOO"},
    {"~5D|", "(foo)", "  FOO|"},
    {"~B", "(5)", "101"},
    {"~O", "(8)", "10"},
    {"~X", "(255)", "FF"},
    {"~8,'0B", "(5)", "00000101"},
    {"~36R", "(35)", "Z"},
    {"~2R", "(6)", "110"},
    {"~R", "(0)", "zero"},
    {"~R", "(1234)", "one thousand two hundred thirty-four"},
    {"~R", "(-21)", "negative twenty-one"},
    {"~R", "(1000000)", "one million"},
    {"~:R", "(3)", "third"},
    {"~:R", "(22)", "twenty-second"},
    {"~:R", "(40)", "fortieth"},
    {"~:R", "(100)", "one hundredth"},
    {"~@R", "(1999)", "MCMXCIX"},
    {"~:@R", "(4)", "IIII"},
    {"~C", "(#\\a)", "a"},
    {"~@C", "(#\\a)", "#\\a"},
    {"~@C", "(#\\Space)", "#\\Space"},
    {"~:C", "(#\\Space)", "Space"},
    {"~:C", "(#\\x)", "x"},
    {"a~%b", "()", "a\nb"},
    {"~2%", "()", "\n\n"},
    {"~&a", "()", "a"},
    {"a~&b", "()", "a\nb"},
    {"a~%~&b", "()", "a\nb"},
    {"~|", "()", "\f"},
    {"~~", "()", "~"},
    {"~3~", "()", "~~~"},
    {"a~\n   b", "()", "ab"},
    {"a~:\n   b", "()", "a   b"},
    {"a~@\n   b", "()", "a\nb"},
    {"~{~A~^, ~}", "((1 2 3))", "1, 2, 3"},
    {"~{~A~}", "(())", ""},
    /* in ~:{ a plain ~^ tests the current sublist only (CLHS 22.3.9.2) */
    {"~:{~A=~A~^;~}", "(((a 1) (b 2)))", "A=1B=2"},
    {"~:{~A~:^,~}", "(((1) (2) (3)))", "1,2,3"},
    {"~@{~A~^ ~}", "(1 2 3)", "1 2 3"},
    {"~:@{~A~A~}", "((1 2) (3 4))", "1234"},
    {"~1{~A~}", "((1 2))", "1"},
    {"~{~}", "(\"<~A>\" (1 2))", "<1><2>"},
    {"~:{x~}", "(())", ""},
    {"~{x~:}", "(())", "x"},
    {"~{~A~#[~; and ~:;, ~]~}", "((1 2 3))", "1, 2 and 3"},
    {"~[zero~;one~;two~]", "(1)", "one"},
    {"~[zero~;one~;two~]", "(5)", ""},
    {"~[a~;b~:;other~]", "(7)", "other"},
    {"~1[a~;b~]", "()", "b"},
    {"~:[no~;yes~]", "(nil)", "no"},
    {"~:[no~;yes~]", "(t)", "yes"},
    {"~@[x=~A~]", "(5)", "x=5"},
    {"~@[x=~A~]~A", "(nil 2)", "2"},
    {"~A ~* ~A", "(1 2 3)", "1  3"},
    {"~A ~:*~A", "(1)", "1 1"},
    {"~2@*~A", "(1 2 3)", "3"},
    {"~A~@*~A", "(1 2)", "11"},
    {"~? ~A", "(\"<~A>\" (1) 2)", "<1> 2"},
    {"~@? ~A", "(\"<~A>\" 1 2)", "<1> 2"},
    {"~D item~:P", "(1)", "1 item"},
    {"~D item~:P", "(2)", "2 items"},
    {"~D item~:P", "(0)", "0 items"},
    {"~D famil~:@P", "(1)", "1 family"},
    {"~D famil~:@P", "(3)", "3 families"},
    {"~P", "(1)", ""},
    {"ab~5Tc", "()", "ab   c"},
    {"abcdefg~5,4T|", "()", "abcdefg  |"},
    {"ab~3@Tc", "()", "ab   c"},
    {"~(HeLLo World~)", "()", "hello world"},
    {"~:(hello world-wide~)", "()", "Hello World-Wide"},
    {"~@(hello WORLD~)", "()", "Hello world"},
    {"~@(  hello WORLD~)", "()", "  Hello world"},
    {"~:@(hello~)", "()", "HELLO"},
    {"~(~A~)", "(FOO)", "foo"},
    {"~A~^ ~A", "(1)", "1"},
    {"~A~^ ~A", "(1 2)", "1 2"},
    {"~F", "(1.5)", "1.5"},
    {"~F", "(100)", "100.0"},
    {"~F", "(1/2)", "0.5"},
    {"~F", "(1.0e10)", "10000000000.0"},
    {"~,2F", "(3.14159)", "3.14"},
    {"~,2F", "(-3.14159)", "-3.14"},
    {"~8,3F", "(3.14159)", "   3.142"},
    {"~@F", "(2.5)", "+2.5"},
    {"~4F", "(3.14159)", "3.14"},
    {"~,0F", "(2.7)", "3."},
    {"~3,1,,'*F", "(123.45)", "***"},
    {"~6,2,,,'0F", "(1.5)", "001.50"},
    {"~,2,2F", "(1.5)", "150.00"},
    {"~F", "(foo)", "FOO"},
    {"~E", "(1.5)", "1.5e+0"},
    {"~,3E", "(1234.56)", "1.235e+3"},
    {"~,2,2E", "(0.000123)", "1.23e-04"},
    {"~E", "(1.5d0)", "1.5d+0"},
    {"~G", "(1.5)", "1.5    "},
    {"~G", "(1.5e20)", "1.5e+20"},
    {"~$", "(3.14159)", "3.14"},
    {"~$", "(-2)", "-2.00"},
    {"~3$", "(0.5)", "0.500"},
    {"~,3$", "(0.5)", "000.50"},
    {"~,,8$", "(3.14159)", "    3.14"},
    {"~2,8$", "(3.14159)", "00000003.14"},
    {"~,2,8$", "(3.14159)", "   03.14"},
    {"~@$", "(1)", "+1.00"},
    {"~A", "(1/2)", "1/2"},
    {"~S", "(:foo)", ":FOO"},
    {"~W", "(\"w\")", "\"w\""},
    {"~V,'0D", "(4 7)", "0007"},
    {"~v,vD", "(4 #\\x 7)", "xxx7"},
    {"~#[none~;one~;two~]", "(a b)", "two"},
    {"x~_y~Iz", "()", "xyz"},
    {"no directives", "()", "no directives"},
    {"\xC3\xA9~A\xC3\xA9", "(1)", "\xC3\xA9" "1\xC3\xA9"},
    /* ~< ~> justification (format_justify.c) */
    {"~10<ab~;cd~>", "()", "ab      cd"},
    {"~10:<ab~;cd~>", "()", "   ab   cd"},
    {"~10:@<ab~>", "()", "    ab    "},
    {"~13,,2<~A~;~A~;~A~>", "(1 2 3)", "1     2     3"},
    {"~15<~S~;~^~S~;~^~S~>", "(foo bar)", "FOO         BAR"},
    {"~10<~A~^~;~A~>", "(1)", ""},
    {"~%;; ~{~<~%;; ~1,25:; ~S~>~^,~}.", "((aaaaaaaa bbbbbbbb cccccccc))", "\n;;  AAAAAAAA, BBBBBBBB,\n;;  CCCCCCCC."},
    {"~,,'.,4:D", "(12345678)", "1234.5678"},
    {"~:W ~@W", "(1 2)", "1 2"},
};

START_TEST(format_directives) {
    int failures = 0;
    for (size_t i = 0; i < sizeof format_cases / sizeof format_cases[0]; i++) {
        const char *got = fmt(format_cases[i].control, format_cases[i].args);
        if (strcmp(got, format_cases[i].expected) == 0) continue;
        fprintf(stderr, "(format nil \"%s\") with args %s gave \"%s\", expected \"%s\"\n",
                format_cases[i].control, format_cases[i].args, got, format_cases[i].expected);
        failures++;
    }
    ck_assert_int_eq(failures, 0);
}
END_TEST

START_TEST(format_fresh_line_uses_column) {
    LispObj s = stm_make_string_output(tc);
    stm_write_cstr(tc, s, "abc");
    pr_format(tc, s, str_from_cstr(tc, "~&x~&~&y~%~&z"), NIL);
    ck_assert_str_eq(cstr(stm_get_output_string(tc, s)), "abc\nx\ny\nz");
}
END_TEST

static const char *const bad_controls[][2] = {
    {"~Q", "()"},            /* unknown directive */
    {"~A ~A", "(1)"},        /* too few arguments */
    {"~[a~;b", "(0)"},       /* unterminated ~[ */
    {"~{a", "(())"},         /* unterminated ~{ */
    {"a~]", "()"},           /* stray close */
    {"~:[a~]", "(t)"},       /* ~:[ needs two clauses */
    {"~5", "()"},            /* ends inside a directive */
    {"~1:*", "()"},          /* backs up past the start */
    {"~C", "(1)"},           /* not a character */
    {"~{~}", "(1 ())"},      /* not a control string */
    {"~<a~;~A~;c~;d~:>", "((x))"}, /* a logical block has at most three clauses */
    {"~:<~A~;b~:>", "((x))"},  /* directives in a prefix */
    {"~'xA", "(1)"},         /* a character where an integer parameter goes */
    {"~{~}", "(\"\" (1))"},  /* endless loop */
};

typedef struct { const char *control, *args; } BadCase;

static LispObj run_bad(ThContext *t, void *data) {
    BadCase *bc = data;
    LispObj s = stm_make_string_output(t);
    pr_format(t, s, str_from_cstr(t, bc->control), rd(bc->args));
    return NIL;
}

START_TEST(format_errors) {
    for (size_t i = 0; i < sizeof bad_controls / sizeof bad_controls[0]; i++) {
        BadCase bc = { bad_controls[i][0], bad_controls[i][1] };
        LispObj result, condition;
        bool ok = vm_call_protected(tc, run_bad, &bc, &result, &condition);
        ck_assert_msg(!ok, "control %s did not signal", bc.control);
        ck_assert(cond_typep(condition, S(ERROR)));
        if (bc.control[1] != '{' && bc.control[1] != 'C')  /* those are TYPE-ERRORs */
            ck_assert_msg(cond_typep(condition, S(FORMAT_ERROR)), "control %s: not a FORMAT-ERROR", bc.control);
    }
}
END_TEST

START_TEST(format_error_message_shows_position) {
    BadCase bc = { "abc~Qdef", "()" };
    LispObj result, condition;
    ck_assert(!vm_call_protected(tc, run_bad, &bc, &result, &condition));
    const char *msg = cstr(cond_report_string(tc, condition));
    ck_assert_msg(strstr(msg, "abc~Qdef") != NULL, "message: %s", msg);
    ck_assert_msg(strstr(msg, "\n     ^") != NULL, "message: %s", msg);
    ck_assert_msg(strstr(msg, "unknown directive") != NULL, "message: %s", msg);
    ck_assert_msg(strstr(msg, "position 3") != NULL, "message: %s", msg);
}
END_TEST

/* ---- suite ---- */

static Suite *printer_suite(void) {
    Suite *s = suite_create("printer");
    TCase *t = tcase_create("printer");
    tcase_add_checked_fixture(t, setup, teardown);
    tcase_set_timeout(t, 120);
    tcase_add_test(t, integers_decimal);
    tcase_add_test(t, integers_base_and_radix);
    tcase_add_test(t, ratios);
    tcase_add_test(t, bignums);
    tcase_add_test(t, complexes);
    tcase_add_test(t, floats_single_default);
    tcase_add_test(t, floats_double_default);
    tcase_add_test(t, floats_special);
    tcase_add_test(t, floats_round_trip);
    tcase_add_test(t, floats_shortest);
    tcase_add_test(t, characters);
    tcase_add_test(t, characters_read_back);
    tcase_add_test(t, strings);
    tcase_add_test(t, symbols_plain_and_escaped);
    tcase_add_test(t, symbols_read_back);
    tcase_add_test(t, symbols_base_16);
    tcase_add_test(t, symbols_packages);
    tcase_add_test(t, symbols_print_case);
    tcase_add_test(t, lists);
    tcase_add_test(t, lists_backquote);
    tcase_add_test(t, lists_level_and_length);
    tcase_add_test(t, vectors);
    tcase_add_test(t, circle_cdr);
    tcase_add_test(t, circle_shared_and_car);
    tcase_add_test(t, circle_round_trip);
    tcase_add_test(t, circular_without_circle_terminates);
    tcase_add_test(t, circular_cdr_budget);
    tcase_add_test(t, unreadable_objects);
    tcase_add_test(t, conditions);
    tcase_add_test(t, readably_refuses_unreadable);
    tcase_add_test(t, write_honours_escape);
    tcase_add_test(t, format_directives);
    tcase_add_test(t, format_fresh_line_uses_column);
    tcase_add_test(t, format_errors);
    tcase_add_test(t, format_error_message_shows_position);
    suite_add_tcase(s, t);
    return s;
}

int main(void) { return lt_run_suite(printer_suite, false); }
