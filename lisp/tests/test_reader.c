/* lisp/tests/test_reader.c — Check suite for the reader (reader.c,
 * reader_macros.c, reader_token.c) and backquote expansion (backquote.c).
 *
 * Results are checked by walking structure, not by printing, so that these
 * tests do not depend on the printer.  Error cases run under
 * vm_call_protected and check the condition's type and that the message
 * gives the position ("line L, column C").  The backquote evaluation cases
 * compare with answers SBCL 2.x gives for the same forms (recorded below).
 *
 * The Lisp is initialised once in main (works with CK_FORK=no). */
#include "lisp/tests/lisp_test.h"
#include "lisp/reader_impl.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>


/* ---- Helpers ---- */

typedef struct ReadJob {
    const char *text;
    size_t nbytes;
} ReadJob;

static LispObj stream_of(const char *text, size_t nbytes) {
    LispObj s = str_from_utf8(tc, text, nbytes);
    return stm_make_string_input(tc, s, 0, str_length(s));
}

static LispObj read_job(ThContext *t, void *data) {
    ReadJob *job = data;
    return rd_read(t, stream_of(job->text, job->nbytes), true, NIL, false);
}

/* Reads the first object of text; the test fails if that signals. */
static LispObj rd(const char *text) {
    ReadJob job = {text, strlen(text)};
    LispObj result = NIL, condition = NIL;
    bool ok = vm_call_protected(tc, read_job, &job, &result, &condition);
    if (!ok) {
        char msg[512];
        str_to_utf8(cond_report_string(tc, condition), msg, sizeof msg);
        ck_abort_msg("reading %s signalled: %s", text, msg);
    }
    return result;
}

/* Reads text expecting a condition of type type whose message mentions the
 * position; returns the condition. */
static LispObj rd_fails(const char *text, LispObj type) {
    ReadJob job = {text, strlen(text)};
    LispObj result = NIL, condition = NIL;
    bool ok = vm_call_protected(tc, read_job, &job, &result, &condition);
    ck_assert_msg(!ok, "reading %s should have failed", text);
    ck_assert_msg(cond_typep(condition, type), "reading %s: wrong condition type", text);
    return condition;
}

static bool message_contains(LispObj condition, const char *needle) {
    static char msg[4096];
    str_to_utf8(cond_report_string(tc, condition), msg, sizeof msg);
    return strstr(msg, needle) != NULL;
}

static void reader_error(const char *text) {
    LispObj c = rd_fails(text, S(READER_ERROR));
    ck_assert_msg(message_contains(c, "line"), "%s: message lacks the position", text);
}

static void reader_error_saying(const char *text, const char *words) {
    LispObj c = rd_fails(text, S(READER_ERROR));
    ck_assert_msg(message_contains(c, words), "%s: message lacks \"%s\"", text, words);
    ck_assert_msg(message_contains(c, "line"), "%s: message lacks the position", text);
}

static void eof_error(const char *text) { rd_fails(text, S(END_OF_FILE)); }

static LispObj sym(const char *name) { return pkg_intern_cstr(tc, name, pkg_current(tc)); }
static LispObj kw(const char *name) { return pkg_intern_cstr(tc, name, pkg_keyword); }

static bool equal_p(LispObj a, LispObj b) {
    if (a == b)
        return true;
    if (cons_p(a) && cons_p(b))
        return equal_p(CAR(a), CAR(b)) && equal_p(CDR(a), CDR(b));
    if (string_p(a) && string_p(b))
        return str_length(a) == str_length(b) &&
               memcmp(STR(a)->chars, STR(b)->chars, str_length(a) * 4) == 0;
    if (double_float_p(a) && double_float_p(b))
        return double_float_value(a) == double_float_value(b);
    if (ratio_p(a) && ratio_p(b))
        return equal_p(((LispRatio *)obj_words(a))->num, ((LispRatio *)obj_words(b))->num) &&
               equal_p(((LispRatio *)obj_words(a))->den, ((LispRatio *)obj_words(b))->den);
    if (vector_p(a) && vector_p(b)) {
        if (vec_length(a) != vec_length(b))
            return false;
        for (size_t i = 0; i < vec_length(a); i++)
            if (!equal_p(VEC(a)->items[i], VEC(b)->items[i]))
                return false;
        return true;
    }
    return false;
}

static LispObj L2(LispObj a, LispObj b) { return lisp_list(tc, 2, a, b); }
static LispObj L3(LispObj a, LispObj b, LispObj c) { return lisp_list(tc, 3, a, b, c); }

static void check_fixnum(const char *text, int64_t n) {
    LispObj x = rd(text);
    ck_assert_msg(fx_p(x) && fx_value(x) == n, "%s should read as %lld", text, (long long)n);
}

static void check_ratio(const char *text, int64_t num, int64_t den) {
    LispObj x = rd(text);
    ck_assert_msg(ratio_p(x), "%s should read as a ratio", text);
    LispRatio *r = (LispRatio *)obj_words(x);
    ck_assert_msg(fx_value(r->num) == num && fx_value(r->den) == den, "%s: wrong ratio", text);
}

static void check_single(const char *text, float f) {
    LispObj x = rd(text);
    ck_assert_msg(single_float_p(x), "%s should read as a single-float", text);
    float got = single_float_value(x);
    ck_assert_msg(memcmp(&got, &f, sizeof f) == 0, "%s: got %.9g, want %.9g", text, got, f);
}

static void check_double(const char *text, double d) {
    LispObj x = rd(text);
    ck_assert_msg(double_float_p(x), "%s should read as a double-float", text);
    double got = double_float_value(x);
    ck_assert_msg(memcmp(&got, &d, sizeof d) == 0, "%s: got %.17g, want %.17g", text, got, d);
}

static void check_char(const char *text, uint32_t code) {
    LispObj x = rd(text);
    ck_assert_msg(char_p(x) && char_code(x) == code, "%s should read as code %u", text, code);
}

static void check_symbol_name(LispObj s, const char *name) {
    ck_assert(symbol_p(s));
    ck_assert_msg(str_equal_cstr(SYM(s)->name, name), "symbol name should be %s", name);
}

static void check_same(const char *a, const char *b) {
    ck_assert_msg(equal_p(rd(a), rd(b)), "%s and %s should read alike", a, b);
}

/* Sets a special's global value for one test; returns the old value. */
static LispObj set_global(LispObj symbol, LispObj value) {
    LispObj old = sym_value(tc, symbol);
    sym_set_value(tc, symbol, value);
    return old;
}

/* ---- Integers, ratios, floats ---- */

START_TEST(test_integers) {
    check_fixnum("123", 123);
    check_fixnum("-42", -42);
    check_fixnum("+7", 7);
    check_fixnum("0", 0);
    check_fixnum("-0", 0);
    check_fixnum("10.", 10);
    check_fixnum("-10.", -10);
    check_fixnum("  17  ", 17);
    check_fixnum("2305843009213693951", FIXNUM_MAX);
    check_fixnum("-2305843009213693952", FIXNUM_MIN);
    check_fixnum("000000000000000000000000000000000000012", 12);
}
END_TEST

START_TEST(test_radix) {
    check_fixnum("#x1F", 31);
    check_fixnum("#X1f", 31);
    check_fixnum("#b-101", -5);
    check_fixnum("#o17", 15);
    check_fixnum("#36rZZ", 1295);
    check_fixnum("#2r+11", 3);
    check_fixnum("#x1FFFFFFFFFFFFFFF", FIXNUM_MAX);
    check_ratio("#2r1/10", 1, 2);
    check_ratio("#x-A/C", -5, 6);
    reader_error("#x12G");
    reader_error("#b2");
    reader_error("#x1.5");
    reader_error("#1r0");
    reader_error("#37r1");
    reader_error("#r1");
    reader_error("#x|1|");
    reader_error("#x)");
    reader_error("#3x1");
}
END_TEST

START_TEST(test_read_base) {
    LispObj old = set_global(S(STAR_READ_BASE), fx_make(16));
    check_fixnum("ff", 255);
    check_fixnum("FF", 255);
    check_fixnum("10.", 10);
    check_fixnum("1e5", 0x1e5);
    check_ratio("1/a", 1, 10);
    check_single("1.5", 1.5f);
    check_symbol_name(rd("fg"), "FG");
    set_global(S(STAR_READ_BASE), fx_make(2));
    check_fixnum("101", 5);
    check_symbol_name(rd("102"), "102");
    set_global(S(STAR_READ_BASE), fx_make(37));
    rd_fails("12", S(TYPE_ERROR));
    set_global(S(STAR_READ_BASE), old);
    check_symbol_name(rd("ff"), "FF");
}
END_TEST

/* Integers past the fixnum range were refused before bignums; they read
 * as bignums now, and print back the same. */
static void check_prints(const char *src, const char *printed) {
    LispObj s = pr_prin1_to_string(tc, rd(src));
    char buf[256];
    str_to_utf8(s, buf, sizeof buf);
    ck_assert_msg(strcmp(buf, printed) == 0, "%s read and printed as %s, expected %s", src, buf, printed);
}

START_TEST(test_bignum_refused) {
    check_prints("2305843009213693952", "2305843009213693952");
    check_prints("-2305843009213693953", "-2305843009213693953");
    check_prints("-2305843009213693952", "-2305843009213693952");
    check_prints("#x20000000000000000", "36893488147419103232");
    check_prints("99999999999999999999999999/2", "99999999999999999999999999/2");
    check_prints("99999999999999999999999999/3", "33333333333333333333333333");
    check_prints("-0000000000000000000000000000000000000000001", "-1");
    check_prints("#C(1 2)", "#C(1 2)");
    check_prints("#c(1/2 0)", "1/2");
    check_prints("#C(1.0 0)", "#C(1.0 0.0)");
    reader_error_saying("#c(1 2 3)", "#C");
    reader_error_saying("#c(a 2)", "#C");
    reader_error_saying("#c 5", "#C");
}
END_TEST

START_TEST(test_ratios) {
    check_ratio("1/2", 1, 2);
    check_ratio("4/6", 2, 3);
    check_ratio("-3/9", -1, 3);
    check_ratio("+3/4", 3, 4);
    check_fixnum("-6/3", -2);
    check_fixnum("6/1", 6);
    check_fixnum("0/5", 0);
    reader_error_saying("1/0", "division by zero");
    check_symbol_name(rd("1/-2"), "1/-2");
    check_symbol_name(rd("1/"), "1/");
    check_symbol_name(rd("/2"), "/2");
    check_symbol_name(rd("1//2"), "1//2");
}
END_TEST

START_TEST(test_floats) {
    check_single("1.5", 1.5f);
    check_single("1.5e0", 1.5f);
    check_single("1.5E0", 1.5f);
    check_single("1.5s0", 1.5f);
    check_single("1.5f0", 1.5f);
    check_double("1.5d0", 1.5);
    check_double("1.5l0", 1.5);
    check_single("0.1", 0.1f);
    check_double("0.1d0", 0.1);
    check_single(".5", 0.5f);
    check_single("-.5e-3", -0.5e-3f);
    check_single("+.25", 0.25f);
    check_single("1e10", 1e10f);
    check_single("1.e5", 1e5f);
    check_single("1E+2", 100.0f);
    check_single("-0.0", -0.0f);
    check_single("3.4028235e38", 3.4028235e38f);
    check_single("1.17549435e-38", 1.17549435e-38f);
    check_double("2.2250738585072014d-308", 2.2250738585072014e-308);
    check_double("1.7976931348623157d308", 1.7976931348623157e308);
    /* correctly rounded: halfway and long cases */
    check_double("9007199254740993d0", 9007199254740992.0);
    check_double("0.30000000000000004441d0", 0.30000000000000004441);
    check_single("16777217.0", 16777216.0f);
    check_single("1e-50", 0.0f);   /* underflow: zero, as SBCL */
    reader_error_saying("1e39", "too large");
    reader_error("1d309");
    reader_error("-1.0e999999999999999999999");
    check_symbol_name(rd("1e"), "1E");
    check_symbol_name(rd("1.5e+"), "1.5E+");
    check_symbol_name(rd(".e5"), ".E5");
    check_symbol_name(rd("1.5.6"), "1.5.6");
    check_symbol_name(rd("1x5"), "1X5");
}
END_TEST

START_TEST(test_default_float_format) {
    LispObj old = set_global(S(STAR_READ_DEFAULT_FLOAT_FORMAT), S(DOUBLE_FLOAT));
    check_double("1.5", 1.5);
    check_double("1.5e3", 1500.0);
    check_single("1.5f3", 1500.0f);
    check_double("1e300", 1e300);
    set_global(S(STAR_READ_DEFAULT_FLOAT_FORMAT), S(LONG_FLOAT));
    check_double("0.1", 0.1);
    set_global(S(STAR_READ_DEFAULT_FLOAT_FORMAT), old);
    check_single("0.1", 0.1f);
}
END_TEST

/* ---- Symbols and packages ---- */

START_TEST(test_symbols) {
    ck_assert(rd("foo") == sym("FOO"));
    ck_assert(rd("FoO") == sym("FOO"));
    ck_assert(rd("|foo|") == sym("foo"));
    ck_assert(rd("f\\oo") == sym("FoO"));
    ck_assert(rd("|a b|c") == sym("a bC"));
    ck_assert(rd("|a\\|b|") == sym("a|b"));
    ck_assert(rd("\\1") == sym("1"));
    ck_assert(rd("|1.5|") == sym("1.5"));
    ck_assert(rd("1\\.5") == sym("1.5"));
    ck_assert(rd("\\.") == sym("."));
    ck_assert(rd("||") == sym(""));
    ck_assert(rd("abc\\:def") == sym("ABC:DEF"));
    ck_assert(rd("a#b") == sym("A#B"));
    ck_assert(rd("1+") == sym("1+"));
    ck_assert(rd("+") == sym("+"));
    ck_assert(rd("-") == sym("-"));
    ck_assert(rd("ab.cd") == sym("AB.CD"));
    ck_assert(rd("nil") == NIL);
    ck_assert(rd("t") == T);
    ck_assert(rd("\xc3\xa9t\xc3\xa9") == sym("\xc3\xa9T\xc3\xa9"));  /* ASCII-only upcase */
    ck_assert(rd("foo)") == sym("FOO"));
}
END_TEST

START_TEST(test_packages) {
    ck_assert(rd(":foo") == kw("FOO"));
    ck_assert(rd(":|foo|") == kw("foo"));
    ck_assert(rd("::bar") == kw("BAR"));
    ck_assert(rd("keyword:baz") == kw("BAZ"));
    ck_assert(rd(":||") == kw(""));
    ck_assert(sym_keyword_p(rd(":x")));
    ck_assert(rd("cl:car") == S(CAR));
    ck_assert(rd("CL:CAR") == S(CAR));
    ck_assert(rd("common-lisp:car") == S(CAR));
    ck_assert(rd("cl::car") == S(CAR));
    ck_assert(rd("|COMMON-LISP|:car") == S(CAR));
    LispObj s = rd("cl-user::reader-test-internal");
    ck_assert(symbol_p(s) && SYM(s)->package == pkg_cl_user);
    reader_error_saying("cl:no-such-symbol-here", "NO-SUCH-SYMBOL-HERE");
    reader_error_saying("no-such-package:foo", "does not exist");
    reader_error("|cl|:car");
    reader_error("a:b:c");
    reader_error("a::b::c");
    reader_error("a:::b");
    reader_error("cl:");
    reader_error("cl::");
    reader_error(":");
    reader_error("::");
    /* not external */
    rd("cl-user::reader-test-private");
    reader_error_saying("cl-user:reader-test-private", "not external");
}
END_TEST

START_TEST(test_uninterned) {
    LispObj s = rd("#:foo");
    check_symbol_name(s, "FOO");
    ck_assert(SYM(s)->package == NIL);
    ck_assert(rd("#:foo") != rd("#:foo"));
    check_symbol_name(rd("#:|a b|"), "a b");
    check_symbol_name(rd("#:\\1"), "1");
    reader_error("#:123");
    reader_error("#:a:b");
    reader_error("#: foo");
}
END_TEST

START_TEST(test_dots) {
    reader_error(".");
    reader_error("..");
    reader_error("...");
    reader_error("(a .. b)");
    reader_error("(...)");
    reader_error("'.");
    ck_assert(rd(".a") == sym(".A"));
    ck_assert(rd("a.") == sym("A."));
    ck_assert(rd("|..|") == sym(".."));
}
END_TEST

/* ---- Lists, quote, comments ---- */

START_TEST(test_lists) {
    LispObj a = sym("A"), b = sym("B"), c = sym("C");
    ck_assert(rd("()") == NIL);
    ck_assert(rd("( )") == NIL);
    ck_assert(equal_p(rd("(a b c)"), L3(a, b, c)));
    ck_assert(equal_p(rd("(a . b)"), lisp_cons(tc, a, b)));
    ck_assert(equal_p(rd("(a b . c)"), lisp_cons(tc, a, lisp_cons(tc, b, c))));
    ck_assert(equal_p(rd("(a . (b c))"), L3(a, b, c)));
    ck_assert(equal_p(rd("(a .b)"), L2(a, sym(".B"))));
    ck_assert(equal_p(rd("(a(b)c)"), L3(a, lisp_list(tc, 1, b), c)));
    ck_assert(equal_p(rd("(a ; comment\n b)"), L2(a, b)));
    ck_assert(equal_p(rd("(a #| c |# b)"), L2(a, b)));
    ck_assert(equal_p(rd("(a . ;x\n b)"), lisp_cons(tc, a, b)));
    ck_assert(equal_p(rd("(a . b ;x\n)"), lisp_cons(tc, a, b)));
    ck_assert(equal_p(rd("(a . #+nil x b)"), lisp_cons(tc, a, b)));
    ck_assert(equal_p(rd("((()))"), lisp_list(tc, 1, lisp_list(tc, 1, NIL))));
    check_same("(1 2 3)", "(1 . (2 . (3 . nil)))");
}
END_TEST

START_TEST(test_list_errors) {
    reader_error("( . a)");
    reader_error("(. a)");
    reader_error("(a . )");
    reader_error("(a .)");
    reader_error("(a . b c)");
    reader_error("(a . b . c)");
    reader_error("(a . . b)");
    reader_error_saying(")", "close parenthesis");
    reader_error("  )");
    eof_error("(a b");
    eof_error("(a . b");
    eof_error("(a (b)");
    eof_error("(");
}
END_TEST

START_TEST(test_quote) {
    LispObj a = sym("A");
    ck_assert(equal_p(rd("'a"), L2(S(QUOTE), a)));
    ck_assert(equal_p(rd("''a"), L2(S(QUOTE), L2(S(QUOTE), a))));
    ck_assert(equal_p(rd("'  a"), L2(S(QUOTE), a)));
    ck_assert(equal_p(rd("'(a)"), L2(S(QUOTE), lisp_list(tc, 1, a))));
    ck_assert(equal_p(rd("' ; c\n a"), L2(S(QUOTE), a)));
    ck_assert(equal_p(rd("#'car"), L2(S(FUNCTION), S(CAR))));
    ck_assert(equal_p(rd("#'(lambda (x) x)"),
                      L2(S(FUNCTION), L3(S(LAMBDA), lisp_list(tc, 1, sym("X")), sym("X")))));
    eof_error("'");
    eof_error("#'");
    eof_error("'   ");
    reader_error("(a ')");
}
END_TEST

START_TEST(test_comments) {
    ck_assert(rd("; comment\n a") == sym("A"));
    ck_assert(rd("#| block |# a") == sym("A"));
    ck_assert(rd("#| a #| nested |# b |# c") == sym("C"));
    ck_assert(rd("#||# d") == sym("D"));
    ck_assert(rd("#|||# e") == sym("E"));
    ck_assert(rd("#| # | |# f") == sym("F"));
    ck_assert(rd("a;comment") == sym("A"));
    ck_assert(rd("a#|x|#") == sym("A#x#"));  /* # is non-terminating */
    eof_error("#|");
    eof_error("#| #| |#");
    eof_error("#| |");
    eof_error("; only a comment");
}
END_TEST

/* ---- Strings and characters ---- */

START_TEST(test_strings) {
    LispObj s = rd("\"abc\"");
    ck_assert(string_p(s) && str_equal_cstr(s, "abc"));
    ck_assert(str_equal_cstr(rd("\"\""), ""));
    ck_assert(str_equal_cstr(rd("\"a\\\"b\\\\c\""), "a\"b\\c"));
    ck_assert(str_equal_cstr(rd("\"\\a\\b\""), "ab"));
    ck_assert(str_equal_cstr(rd("\"line1\nline2\""), "line1\nline2"));
    ck_assert(str_equal_cstr(rd("\"(;'`,#|\""), "(;'`,#|"));
    LispObj u = rd("\"\xc3\xa9\xf0\x9f\x98\x80\"");
    ck_assert(str_length(u) == 2);
    ck_assert(STR(u)->chars[0] == 0xE9 && STR(u)->chars[1] == 0x1F600);
    eof_error("\"abc");
    eof_error("\"abc\\");
    eof_error("\"");
}
END_TEST

START_TEST(test_long_token) {
    size_t n = 300000;
    char *text = malloc(n + 3);
    text[0] = '"';
    memset(text + 1, 'x', n);
    text[n + 1] = '"';
    text[n + 2] = '\0';
    LispObj s = rd(text);
    ck_assert(string_p(s) && str_length(s) == n);
    memset(text, 'y', n + 2);
    LispObj y = rd(text);
    ck_assert(symbol_p(y) && str_length(SYM(y)->name) == n + 2);
    free(text);
}
END_TEST

START_TEST(test_characters) {
    check_char("#\\a", 'a');
    check_char("#\\A", 'A');
    check_char("#\\Space", ' ');
    check_char("#\\space", ' ');
    check_char("#\\SPACE", ' ');
    check_char("#\\Newline", '\n');
    check_char("#\\Tab", '\t');
    check_char("#\\Page", '\f');
    check_char("#\\Rubout", 127);
    check_char("#\\Linefeed", '\n');
    check_char("#\\Return", '\r');
    check_char("#\\Backspace", 8);
    check_char("#\\Nul", 0);
    check_char("#\\Null", 0);
    check_char("#\\U+41", 'A');
    check_char("#\\u+0041", 'A');
    check_char("#\\u00e9", 0xE9);
    check_char("#\\U+1F600", 0x1F600);
    check_char("#\\U+10FFFF", 0x10FFFF);
    check_char("#\\u", 'u');
    check_char("#\\(", '(');
    check_char("#\\)", ')');
    check_char("#\\;", ';');
    check_char("#\\\"", '"');
    check_char("#\\ ", ' ');
    check_char("#\\\\", '\\');
    check_char("#\\|", '|');
    check_char("#\\#", '#');
    check_char("#\\\xc3\xa9", 0xE9);
    check_char("#\\a)", 'a');
    LispObj l = rd("(#\\a #\\b)");
    ck_assert(char_p(CAR(l)) && char_code(CAR(CDR(l))) == 'b');
    reader_error_saying("#\\Foo", "FOO");
    reader_error("#\\ab");
    reader_error("#\\U+110000");
    reader_error("#\\U+");
    reader_error("#\\U+1234567");
    reader_error("#\\UGGG");
    eof_error("#\\");
}
END_TEST

/* ---- Vectors and # syntax ---- */

START_TEST(test_vectors) {
    LispObj v = rd("#(1 2 3)");
    ck_assert(vector_p(v) && vec_length(v) == 3 && fx_value(VEC(v)->items[2]) == 3);
    ck_assert(vector_p(rd("#()")) && vec_length(rd("#()")) == 0);
    LispObj w = rd("#3(a b)");
    ck_assert(vec_length(w) == 3 && VEC(w)->items[2] == sym("B"));
    ck_assert(vec_length(rd("#0()")) == 0);
    LispObj n = rd("#(a (b) #(c))");
    ck_assert(vector_p(VEC(n)->items[2]));
    reader_error("#2(a b c)");
    reader_error("#3()");
    reader_error("#(a . b)");
    reader_error("#99999999999999999999999(a)");
    eof_error("#(a b");
}
END_TEST

START_TEST(test_sharp_errors) {
    reader_error_saying("#<foo>", "#<");
    reader_error("#)");
    reader_error("# a");
    reader_error("#z");
    reader_error("#\xc3\xa9");
    reader_error("#1#");                 /* a reference with no label before it */
    reader_error("#*012");
    reader_error("#2*101");              /* more bits than the length */
    reader_error("#2a((1 2) (3))");      /* ragged contents */
    reader_error("#a(1 2)");             /* no rank */
    /* found by fuzz_numbers: a dotted list as contents was a TYPE-ERROR */
    reader_error_saying("#1a(2 . 3)", "dotted or circular");
    reader_error_saying("#1a#1=(1 2 . #1#)", "dotted or circular");
    reader_error("#s(foo)");
    reader_error("#p5");                /* #P needs a namestring */
    reader_error("#1p\"/tmp\"");
    eof_error("#");
    eof_error("#12");
    eof_error("#c");
}
END_TEST

START_TEST(test_read_eval) {
    check_fixnum("#.(+ 1 2)", 3);
    ck_assert(equal_p(rd("(a #.(car '(b)))"), L2(sym("A"), sym("B"))));
    LispObj old = set_global(S(STAR_READ_EVAL), NIL);
    reader_error_saying("#.(+ 1 2)", "*read-eval*");
    set_global(S(STAR_READ_EVAL), old);
    /* an error inside the evaluation comes out as itself */
    LispObj c = rd_fails("#.(car 1)", S(ERROR));
    ck_assert(!cond_typep(c, S(READER_ERROR)));
}
END_TEST

START_TEST(test_features) {
    LispObj old = sym_value(tc, S(STAR_FEATURES));
    set_global(S(STAR_FEATURES), lisp_cons(tc, kw("PETREL-TEST-FEATURE"), old));
    check_fixnum("#+petrel-test-feature 1 2", 1);
    check_fixnum("#-petrel-test-feature 1 2", 2);
    check_fixnum("#+no-such-feature 1 2", 2);
    check_fixnum("#-no-such-feature 1 2", 1);
    check_fixnum("#+:petrel-test-feature 1 2", 1);
    check_fixnum("#+(or no-such-feature petrel-test-feature) 1 2", 1);
    check_fixnum("#+(and no-such-feature petrel-test-feature) 1 2", 2);
    check_fixnum("#+(and) 1 2", 1);
    check_fixnum("#+(or) 1 2", 2);
    check_fixnum("#+(not no-such-feature) 1 2", 1);
    check_fixnum("#+(not (or petrel-test-feature)) 1 2", 2);
    check_fixnum("#+nil 1 2", 2);
    check_fixnum("#+no-such-feature #+no-such-feature 1 2 3", 3);
    check_fixnum("#+no-such-feature ; c\n 1 2", 2);
    /* the skipped form is not interpreted: no package, char, eval errors */
    check_fixnum("#+no-such-feature (nopkg:foo #\\NoSuchChar 1/0 #.(car 1) 99999999999999999999) 5",
                 5);
    check_fixnum("#-petrel-test-feature (a:b:c ... #*012 #c(1 2)) 6", 6);
    ck_assert(equal_p(rd("(#+no-such-feature a b)"), lisp_list(tc, 1, sym("B"))));
    ck_assert(equal_p(rd("(a #-no-such-feature b)"), L2(sym("A"), sym("B"))));
    ck_assert(rd("(#+no-such-feature a)") == NIL);
    reader_error("#+3 a");
    reader_error("#+(xor a) a");
    reader_error("#+(not a b) a");
    reader_error("#+(and . a) b");
    reader_error("#+\"str\" a");
    eof_error("#+");
    eof_error("#+no-such-feature");
    eof_error("#+no-such-feature (a");
    eof_error("#+petrel-test-feature");
    set_global(S(STAR_FEATURES), old);
    /* *package* is restored after reading the feature expression */
    ck_assert(rd("#+nil x foo") == sym("FOO"));
}
END_TEST

START_TEST(test_read_suppress) {
    LispObj old = set_global(S(STAR_READ_SUPPRESS), T);
    ck_assert(rd("foo") == NIL);
    ck_assert(rd("nopkg:foo") == NIL);
    ck_assert(rd("123") == NIL);
    ck_assert(rd("(a nopkg:b)") == NIL);
    ck_assert(rd("#\\NoSuchName") == NIL);
    ck_assert(rd("#x1G") == NIL);
    ck_assert(rd("#*012") == NIL);
    ck_assert(rd("#c(1 2)") == NIL);
    ck_assert(rd("#.(car 1)") == NIL);
    ck_assert(rd("#1=x") == NIL);
    ck_assert(rd("a:b:c") == NIL);
    ck_assert(rd("...") == NIL);
    set_global(S(STAR_READ_SUPPRESS), old);
    ck_assert(rd("foo") == sym("FOO"));
}
END_TEST

/* ---- Backquote: reading ---- */

START_TEST(test_backquote_read) {
    LispObj a = sym("A"), b = sym("B"), c = sym("C"), d = sym("D");
    ck_assert(equal_p(rd("`a"), L2(S(QUASIQUOTE), a)));
    LispObj want = L2(S(QUASIQUOTE),
                      lisp_list(tc, 4, a, L2(S(UNQUOTE), b), L2(S(UNQUOTE_SPLICING), c),
                                L2(S(UNQUOTE_NSPLICING), d)));
    ck_assert(equal_p(rd("`(a ,b ,@c ,.d)"), want));
    ck_assert(equal_p(rd("``,,a"),
                      L2(S(QUASIQUOTE), L2(S(QUASIQUOTE), L2(S(UNQUOTE), L2(S(UNQUOTE), a))))));
    ck_assert(equal_p(rd("`(a . ,b)"),
                      L2(S(QUASIQUOTE), lisp_cons(tc, a, L2(S(UNQUOTE), b)))));
    LispObj v = CAR(CDR(rd("`#(a ,b)")));
    ck_assert(vector_p(v) && equal_p(VEC(v)->items[1], L2(S(UNQUOTE), b)));
    reader_error_saying(",a", "comma");
    reader_error("(a ,b)");
    reader_error("`(,,a)");
    reader_error("`(a . ,@b)");
    reader_error("`(a . ,.b)");
    reader_error("`,@a");
    reader_error("`,.a");
    eof_error("`");
    eof_error("`(a ,");
    eof_error("`(a ,@");
}
END_TEST

/* ---- Backquote: expansion shape ---- */

static LispObj expand(const char *text) {
    LispObj x = rd(text);
    ck_assert(cons_p(x) && CAR(x) == S(QUASIQUOTE));
    return rd_expand_quasiquote(tc, CAR(CDR(x)));
}

START_TEST(test_backquote_expand) {
    LispObj a = sym("A"), b = sym("B");
    LispObj qa = L2(S(QUOTE), a);
    ck_assert(equal_p(expand("`a"), qa));
    ck_assert(expand("`1") == fx_make(1));
    ck_assert(equal_p(expand("`(a b)"), L2(S(QUOTE), L2(a, b))));
    ck_assert(equal_p(expand("`(a ,b)"), L3(S(LIST), qa, b)));
    ck_assert(equal_p(expand("`,b"), b));
    ck_assert(equal_p(expand("`(a . ,b)"), L3(S(LIST_STAR), qa, b)));
    ck_assert(equal_p(expand("`(,@b)"), b));
    ck_assert(equal_p(expand("`(a ,@b)"),
                      L3(S(APPEND), L2(S(QUOTE), lisp_list(tc, 1, a)), b)));
    ck_assert(equal_p(expand("`(a ,b . c)"),
                      lisp_list(tc, 4, S(LIST_STAR), qa, b, L2(S(QUOTE), sym("C")))));
    /* ``(a ,,b): the inner expansion (list 'a ,b) is the outer template */
    ck_assert(equal_p(expand("``(a ,,b)"),
                      lisp_list(tc, 4, S(LIST), L2(S(QUOTE), S(LIST)),
                                L2(S(QUOTE), qa), b)));
    LispObj v = expand("`#(a ,b)");
    ck_assert(equal_p(v, L3(S(VECTOR), qa, b)));
    LispObj w = expand("`#(a ,@b)");
    ck_assert(cons_p(w) && CAR(w) == S(APPLY));
    LispObj k = expand("`#(a b)");
    ck_assert(cons_p(k) && CAR(k) == S(QUOTE) && vector_p(CAR(CDR(k))));
}
END_TEST

/* ---- Backquote: evaluation, compared with SBCL ----
 * Each pair: a form, and what SBCL 2.2 returns for it. */
static const char *const bq_cases[][2] = {
    {"(eval (let ((b '(+ 1 2))) ``(a ,,b)))", "(A 3)"},
    {"(eval (let ((b '(+ 1 2))) ``(a ,',b)))", "(A (+ 1 2))"},
    {"(eval (let ((b '((+ 1 2) (+ 3 4)))) ``(a ,,@b)))", "(A 3 7)"},
    {"(eval (let ((b '(list 1 2))) ``(a ,@,b)))", "(A 1 2)"},
    {"(eval (let ((b '((list 1) (list 2 3)))) ``(a ,@,@b)))", "(A 1 2 3)"},
    {"(let ((l nil)) `(1 ,@l 2))", "(1 2)"},
    {"(let ((b '(c d))) `(a . ,b))", "(A C D)"},
    {"(let ((b 1) (c '(2 3))) `#(a ,b ,@c))", "#(A 1 2 3)"},
    {"(eval (second (let ((d '(+ 1 1))) `(a `(b ,(list ,d))))))", "(B (2))"},
    {"(let ((x '(1 2)) (y 3)) `(,@x . ,y))", "(1 2 . 3)"},
    {"(let ((x (list 1 2))) `(a ,.x b))", "(A 1 2 B)"},
    {"(eval (let ((b '(+ 1 2))) ``#(a ,,b)))", "#(A 3)"},
    {"(eval (eval (let ((x ''(+ 2 3))) ```(a ,,,x))))", "(A 5)"},
    {"(eval (eval (let ((x ''(+ 2 3))) ```(a ,,',x))))", "(A (+ 2 3))"},
    {"(eval (let ((x '(+ 1 2))) ``(p (q ,,x) . ,,x)))", "(P (Q 3) . 3)"},
    {"`(a b . c)", "(A B . C)"},
    {"`(a (b ,(+ 1 2)) #(c ,(* 2 3)) . d)", "(A (B 3) #(C 6) . D)"},
    {"(let ((x 5)) `(,x . ,x))", "(5 . 5)"},
    {"`#()", "#()"},
    {"`(1 \"s\" #\\c ,(+ 1 1))", "(1 \"s\" #\\c 2)"},
    {"(let ((a '(1)) (b '(2)) (c 3)) `(,@a ,@b ,c))", "(1 2 3)"},
    {"(let ((a '(1)) (b '(2))) `(x ,@a ,@b))", "(X 1 2)"},
    {"(eval (let ((x '(1 2))) ``(,@',x)))", "(1 2)"},
    {"(eval (let ((f 'list)) ``(,(,f 1 2))))", "((1 2))"},
    {"(let ((x 1)) `,x)", "1"},
    {"(let ((x 1)) `(quote ,x))", "'1"},
    {"(eval (let ((y '(+ 10 1))) `(let ((z 2)) `(,z ,,y))))", "(2 11)"},
};

static LispObj eval_job(ThContext *t, void *data) {
    return vm_eval(t, rd_read_from_cstr(t, data));
}

START_TEST(test_backquote_eval) {
    for (size_t i = 0; i < sizeof bq_cases / sizeof bq_cases[0]; i++) {
        LispObj result = NIL, condition = NIL;
        bool ok = vm_call_protected(tc, eval_job, (void *)bq_cases[i][0], &result, &condition);
        if (!ok) {
            char msg[512];
            str_to_utf8(cond_report_string(tc, condition), msg, sizeof msg);
            ck_abort_msg("%s signalled: %s", bq_cases[i][0], msg);
        }
        ck_assert_msg(equal_p(result, rd(bq_cases[i][1])), "%s should give %s",
                      bq_cases[i][0], bq_cases[i][1]);
    }
}
END_TEST

/* ---- Streams, EOF, several objects ---- */

START_TEST(test_eof_value) {
    LispObj marker = kw("EOF-MARKER");
    LispObj s = stream_of("  ; nothing\n #| here |#  ", 25);
    ck_assert(rd_read(tc, s, false, marker, false) == marker);
    LispObj t = stream_of("a b (c) #+nil d", 15);
    ck_assert(rd_read(tc, t, false, marker, false) == sym("A"));
    ck_assert(rd_read(tc, t, false, marker, false) == sym("B"));
    ck_assert(equal_p(rd_read(tc, t, false, marker, false), lisp_list(tc, 1, sym("C"))));
    ck_assert(rd_read(tc, t, false, marker, false) == marker);
    ck_assert(rd_read(tc, t, false, marker, false) == marker);
    eof_error("");
    eof_error("   ");
}
END_TEST

/* read consumes the whitespace that ends a top-level token; the rest of the
 * stream is left as it was. */
START_TEST(test_whitespace_terminator) {
    LispObj s = stream_of("abc  def(x)", 11);
    ck_assert(rd_read(tc, s, true, NIL, false) == sym("ABC"));
    ck_assert(stm_read_char(tc, s) == ' ');
    ck_assert(rd_read(tc, s, true, NIL, false) == sym("DEF"));
    ck_assert(stm_read_char(tc, s) == '(');
}
END_TEST

START_TEST(test_invalid_constituents) {
    reader_error("a\bb");
    reader_error("\x7f");
    ck_assert(rd("a\\\bb") == sym("A\bB"));
    ck_assert(rd("|\x7f|") == sym("\x7f"));
}
END_TEST

START_TEST(test_error_position) {
    LispObj c = rd_fails("(a\n  b\n  . . c)", S(READER_ERROR));
    ck_assert(message_contains(c, "line 3"));
}
END_TEST

/* ---- Robustness ---- */

static char *repeat(const char *unit, size_t times) {
    size_t n = strlen(unit);
    char *text = malloc(n * times + 1);
    for (size_t i = 0; i < times; i++)
        memcpy(text + i * n, unit, n);
    text[n * times] = '\0';
    return text;
}

START_TEST(test_nesting_limit) {
    const char *units[] = {"(", "'", "#(", "`", "#'", "#+nil ", "#.", "(a . "};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        char *text = repeat(units[i], 100000);
        LispObj c = rd_fails(text, S(READER_ERROR));
        ck_assert_msg(message_contains(c, "nesting too deep"), "unit %s", units[i]);
        free(text);
    }
    /* deep but within the limit */
    char *open = repeat("(", 1000), *close = repeat(")", 1000);
    size_t n = strlen(open) + strlen(close);
    char *text = malloc(n + 1);
    strcpy(text, open);
    strcat(text, close);
    LispObj x = rd(text);
    for (int i = 0; i < 999; i++)
        x = CAR(x);
    ck_assert(x == NIL);
    free(open);
    free(close);
    free(text);
}
END_TEST

static LispObj read_all_job(ThContext *t, void *data) {
    ReadJob *job = data;
    LispObj s = stream_of(job->text, job->nbytes);
    LispObj eof = LISP_UNSUPPLIED;
    for (int i = 0; i < 1000; i++)
        if (rd_read(t, s, false, eof, false) == eof)
            break;
    return NIL;
}

/* Reads to the end; true if it ended in a Lisp condition of an expected
 * kind, false if it completed.  Anything else fails the test. */
static bool read_all(const char *text, size_t n) {
    ReadJob job = {text, n};
    LispObj result = NIL, condition = NIL;
    if (vm_call_protected(tc, read_all_job, &job, &result, &condition))
        return false;
    ck_assert(condition_p(condition));
    bool expected = cond_typep(condition, S(READER_ERROR)) ||
                    cond_typep(condition, S(END_OF_FILE));
    ck_assert_msg(expected, "unexpected condition type for input of %zu bytes", n);
    return true;
}

START_TEST(test_every_byte) {
    for (int b = 0; b < 256; b++) {
        char text[4] = {(char)b, 'x', (char)b, 0};
        read_all(text, 1);
        read_all(text, 3);
    }
}
END_TEST

/* Deterministic random inputs biased toward syntax characters. */
START_TEST(test_random_inputs) {
    static const char alphabet[] = "()'`,@.;\"\\|#:+-/eEdD0123456789abcxrR .\n\t*<>=";
    uint64_t seed = 0x9E3779B97F4A7C15u;
    char text[96];
    size_t failures = 0, successes = 0;
    for (int iter = 0; iter < 20000; iter++) {
        seed = seed * 6364136223846793005u + 1442695040888963407u;
        size_t n = (size_t)(seed >> 58) + 1;  /* 1..64 */
        for (size_t i = 0; i < n; i++) {
            seed = seed * 6364136223846793005u + 1442695040888963407u;
            unsigned r = (unsigned)(seed >> 33);
            text[i] = (r & 15) == 0 ? (char)(r >> 8) : alphabet[(r >> 4) % (sizeof alphabet - 1)];
        }
        text[n] = 0;
        if (strstr(text, "#."))
            continue;  /* evaluation of random forms is the compiler fuzzer's job */
        if (read_all(text, n))
            failures++;
        else
            successes++;
    }
    ck_assert(failures > 0 && successes > 0);
}
END_TEST

/* ---- Suite ---- */

/* #n= and #n#: shared and circular structure reads back with identity. */
START_TEST(test_labels) {
    LispObj l = rd("(#1=(a) #1# #2=(x . #2#))");
    ck_assert(CAR(l) == CAR(CDR(l)));                 /* shared, not copied */
    LispObj circ = CAR(CDR(CDR(l)));
    ck_assert(CDR(circ) == circ);                      /* (x . #2#) is circular */
    LispObj v = rd("#3=#(1 #3#)");
    ck_assert(vector_p(v) && VEC(v)->items[1] == v);
    LispObj outer = rd("#4=(y #5=(z . #5#) #4#)");    /* walk stops at the inner cycle */
    ck_assert(CAR(CDR(CDR(outer))) == outer);
    reader_error_saying("#9#", "label");
    reader_error_saying("(#1=a #1=b)", "twice");
    reader_error_saying("#1=#1#", "itself");
}
END_TEST

static Suite *reader_suite(void) {
    Suite *s = suite_create("reader");
    TCase *numbers = tcase_create("numbers");
    tcase_add_test(numbers, test_integers);
    tcase_add_test(numbers, test_radix);
    tcase_add_test(numbers, test_read_base);
    tcase_add_test(numbers, test_bignum_refused);
    tcase_add_test(numbers, test_ratios);
    tcase_add_test(numbers, test_floats);
    tcase_add_test(numbers, test_default_float_format);
    suite_add_tcase(s, numbers);

    TCase *symbols = tcase_create("symbols");
    tcase_add_test(symbols, test_symbols);
    tcase_add_test(symbols, test_packages);
    tcase_add_test(symbols, test_uninterned);
    tcase_add_test(symbols, test_dots);
    suite_add_tcase(s, symbols);

    TCase *syntax = tcase_create("syntax");
    tcase_add_test(syntax, test_labels);
    tcase_add_test(syntax, test_lists);
    tcase_add_test(syntax, test_list_errors);
    tcase_add_test(syntax, test_quote);
    tcase_add_test(syntax, test_comments);
    tcase_add_test(syntax, test_strings);
    tcase_add_test(syntax, test_long_token);
    tcase_add_test(syntax, test_characters);
    tcase_add_test(syntax, test_vectors);
    tcase_add_test(syntax, test_sharp_errors);
    tcase_add_test(syntax, test_read_eval);
    tcase_add_test(syntax, test_features);
    tcase_add_test(syntax, test_read_suppress);
    tcase_add_test(syntax, test_eof_value);
    tcase_add_test(syntax, test_whitespace_terminator);
    tcase_add_test(syntax, test_invalid_constituents);
    tcase_add_test(syntax, test_error_position);
    suite_add_tcase(s, syntax);

    TCase *bq = tcase_create("backquote");
    tcase_add_test(bq, test_backquote_read);
    tcase_add_test(bq, test_backquote_expand);
    tcase_add_test(bq, test_backquote_eval);
    suite_add_tcase(s, bq);

    TCase *robust = tcase_create("robustness");
    tcase_set_timeout(robust, 120);
    tcase_add_test(robust, test_nesting_limit);
    tcase_add_test(robust, test_every_byte);
    tcase_add_test(robust, test_random_inputs);
    suite_add_tcase(s, robust);
    return s;
}

int main(void) { return lt_run_suite(reader_suite, false); }
