/* lisp/reader_token.c — what a token means (CLHS 2.3): a number if it has
 * the syntax of Figure 2-9 and no escapes, the consing dot, or a symbol,
 * possibly with a package prefix (CLHS 2.3.5).
 *
 * Numbers: integers in *read-base* (or decimal with a trailing dot),
 * ratios in *read-base* normalised to lowest terms, floats in decimal with
 * exponent markers E S F D L.  Floats are converted by strtof/strtod on a
 * normalised ASCII copy, in the C locale: glibc rounds those correctly.
 * Integers beyond fixnum range become bignums (bignum.c).  Reserved tokens (potential numbers without number syntax, CLHS
 * 2.3.1.1) read as symbols, as in SBCL and CLISP.
 *
 * Threads: the only shared state is the C locale object, created once
 * under pthread_once and read-only afterwards. */
#define _GNU_SOURCE /* strtod_l, strtof_l: conversion in the C locale */
#include "lisp/lisp.h"
#include "lisp/reader_impl.h"
#include "lisp/num_impl.h"

#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>

enum { FLOAT_STACK_BUFFER = 128 };

/* ---- Scanning helpers over the token buffer ---- */

static int digit_value(uint32_t c, unsigned radix) {
    int d;
    if (c >= '0' && c <= '9')
        d = (int)(c - '0');
    else if (c >= 'A' && c <= 'Z')
        d = (int)(c - 'A' + 10);
    else if (c >= 'a' && c <= 'z')
        d = (int)(c - 'a' + 10);
    else
        return -1;
    return d < (int)radix ? d : -1;
}

static size_t scan_sign(RdState *st, size_t i, bool *negative) {
    *negative = false;
    if (i < st->len && (rd_tok_char(st, i) == '+' || rd_tok_char(st, i) == '-')) {
        *negative = rd_tok_char(st, i) == '-';
        return i + 1;
    }
    return i;
}

static size_t scan_digits(RdState *st, size_t i, unsigned radix) {
    while (i < st->len && digit_value(rd_tok_char(st, i), radix) >= 0)
        i++;
    return i;
}

static unsigned read_base(RdState *st) {
    LispObj base = sym_value(st->tc, S(STAR_READ_BASE));
    if (!fx_p(base) || fx_value(base) < 2 || fx_value(base) > 36)
        cond_type_error(st->tc, base,
                        lisp_list(st->tc, 3, S(INTEGER), fx_make(2), fx_make(36)));
    return (unsigned)fx_value(base);
}

/* ---- Integers and ratios ---- */

LispObj rd_make_integer(RdState *st, bool negative, size_t start, size_t end, unsigned radix) {
    /* Accumulate the magnitude; -2^61 is still a fixnum. */
    uint64_t limit = (uint64_t)FIXNUM_MAX + (negative ? 1 : 0);
    uint64_t mag = 0;
    for (size_t i = start; i < end; i++) {
        unsigned d = (unsigned)digit_value(rd_tok_char(st, i), radix);
        if (mag > (limit - d) / radix) { /* a bignum: digits into Lisp scratch, then GMP */
            LispObj buf = bytes_make(st->tc, end - start);
            uint8_t *digits = ((LispBytes *)obj_words(buf))->bytes;
            for (size_t k = start; k < end; k++)
                digits[k - start] = (uint8_t)digit_value(rd_tok_char(st, k), radix);
            return int_from_digits(st->tc, buf, end - start, radix, negative);
        }
        mag = mag * radix + d;
    }
    return fx_make(negative ? (int64_t)(0 - mag) : (int64_t)mag);
}

/* num/den in lowest terms; an integer when den divides num. */
static LispObj make_ratio(RdState *st, LispObj num, LispObj den) {
    if (den == fx_make(0))
        RD_ERROR(st, "division by zero in the ratio %a", rd_token_string(st, 0, st->len));
    return num_make_ratio(st->tc, num, den);
}

/* [sign] digit+ [/ digit+] in radix, filling the whole token. */
static bool parse_rational(RdState *st, unsigned radix, bool allow_ratio, LispObj *out) {
    bool negative;
    size_t i = scan_sign(st, 0, &negative);
    size_t j = scan_digits(st, i, radix);
    if (j == i)
        return false;
    if (j == st->len) {
        *out = rd_make_integer(st, negative, i, j, radix);
        return true;
    }
    if (!allow_ratio || rd_tok_char(st, j) != '/')
        return false;
    size_t k = scan_digits(st, j + 1, radix);
    if (k == j + 1 || k != st->len)
        return false;
    LispObj num = rd_make_integer(st, negative, i, j, radix);
    LispObj den = rd_make_integer(st, false, j + 1, k, radix);
    *out = make_ratio(st, num, den);
    return true;
}

/* [sign] decimal-digit+ "." is a decimal integer whatever *read-base* is. */
static bool parse_decimal_point_integer(RdState *st, LispObj *out) {
    bool negative;
    size_t i = scan_sign(st, 0, &negative);
    size_t j = scan_digits(st, i, 10);
    if (j == i || j + 1 != st->len || rd_tok_char(st, j) != '.')
        return false;
    *out = rd_make_integer(st, negative, i, j, 10);
    return true;
}

bool rd_parse_rational(RdState *st, unsigned radix, LispObj *out) {
    if (st->tok_escaped)
        return false;
    return parse_rational(st, radix, true, out);
}

/* ---- Floats ---- */

static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void make_c_locale(void) { c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0); }

static bool exponent_marker_p(uint32_t c) {
    return c == 'E' || c == 'S' || c == 'F' || c == 'D' || c == 'L' || c == 'e' ||
           c == 's' || c == 'f' || c == 'd' || c == 'l';
}

/* Checks float syntax; returns the exponent marker (upper case), 0 if
 * there is none, or -1 if the token is not a float. */
static int float_syntax(RdState *st) {
    bool negative;
    size_t i = scan_sign(st, 0, &negative);
    size_t int_start = i;
    i = scan_digits(st, i, 10);
    size_t nint = i - int_start, nfrac = 0;
    bool dot = i < st->len && rd_tok_char(st, i) == '.';
    if (dot) {
        size_t frac_start = ++i;
        i = scan_digits(st, i, 10);
        nfrac = i - frac_start;
    }
    int marker = 0;
    if (i < st->len && exponent_marker_p(rd_tok_char(st, i))) {
        marker = (int)rd_char_upcase(rd_tok_char(st, i));
        i = scan_sign(st, i + 1, &negative);
        size_t exp_start = i;
        i = scan_digits(st, i, 10);
        if (i == exp_start)
            return -1;
    }
    if (i != st->len)
        return -1;
    if (marker == 0)
        return (dot && nfrac > 0) ? 0 : -1;
    return (nint > 0 || nfrac > 0) ? marker : -1;
}

static bool double_format_p(RdState *st, int marker) {
    if (marker == 'D' || marker == 'L')
        return true;
    if (marker == 'S' || marker == 'F')
        return false;
    LispObj fmt = sym_value(st->tc, S(STAR_READ_DEFAULT_FLOAT_FORMAT));
    return fmt == S(DOUBLE_FLOAT) || fmt == S(LONG_FLOAT);
}

/* Converts the token (float syntax already checked) with the marker
 * replaced by 'e'.  Nothing here signals while buf is malloc'd. */
static double convert_float(RdState *st, bool as_double, float *single) {
    char small[FLOAT_STACK_BUFFER];
    char *buf = st->len < sizeof small ? small : malloc(st->len + 1);
    if (!buf)
        return NAN;  /* reported as "too large" by the caller: no memory */
    for (size_t i = 0; i < st->len; i++) {
        uint32_t c = rd_tok_char(st, i);
        buf[i] = exponent_marker_p(c) ? 'e' : (char)c;
    }
    buf[st->len] = '\0';
    pthread_once(&c_locale_once, make_c_locale);
    double d = 0;
    if (as_double)
        d = strtod_l(buf, NULL, c_locale);
    else
        *single = strtof_l(buf, NULL, c_locale);
    if (buf != small)
        free(buf);
    return d;
}

/* Underflow gives a denormal or zero, as in SBCL; overflow is an error. */
static bool parse_float(RdState *st, LispObj *out) {
    int marker = float_syntax(st);
    if (marker < 0)
        return false;
    bool as_double = double_format_p(st, marker);
    float f = 0;
    double d = convert_float(st, as_double, &f);
    if (as_double ? !isfinite(d) : !isfinite(f))
        RD_ERROR(st, "floating-point number %a is too large for a %s",
                 rd_token_string(st, 0, st->len), as_double ? "double-float" : "single-float");
    *out = as_double ? double_float_make(st->tc, d) : single_float_make(f);
    return true;
}

/* ---- Numbers ---- */

bool rd_parse_number(RdState *st, LispObj *out) {
    for (size_t i = 0; i < st->len; i++)
        if (rd_tok_char(st, i) >= 128 || rd_tok_escaped_at(st, i))
            return false;
    if (parse_decimal_point_integer(st, out))
        return true;
    if (parse_rational(st, read_base(st), true, out))
        return true;
    return parse_float(st, out);
}

/* ---- Symbols ---- */

static bool only_dots_p(RdState *st) {
    for (size_t i = 0; i < st->len; i++)
        if (rd_tok_char(st, i) != '.' || rd_tok_escaped_at(st, i))
            return false;
    return st->len > 0;
}

/* An empty symbol name is only acceptable when written with escapes, as in
 * pkg::|| (the escape must be after the package marker). */
static void check_name_part(RdState *st, size_t start) {
    if (start == st->len && st->escape_end != st->len)
        RD_ERROR(st, "nothing after the package marker in %a",
                 rd_token_string(st, 0, st->len));
}

static LispObj intern_in(RdState *st, size_t start, LispObj package) {
    LispObj status;
    return pkg_intern(st->tc, rd_token_string(st, start, st->len), package, &status);
}

/* pkg:name — name must be external in pkg (CLHS 2.3.5). */
static LispObj find_external(RdState *st, size_t start, LispObj package) {
    if (package == pkg_keyword)
        return intern_in(st, start, package);
    LispObj name = rd_token_string(st, start, st->len), status;
    LispObj sym = pkg_find_symbol(st->tc, name, package, &status);
    if (status == S(EXTERNAL_KW))
        return sym;
    if (status == NIL)
        RD_ERROR(st, "symbol %a not found in package %a", name, PKG(package)->name);
    RD_ERROR(st, "symbol %a is not external in package %a", name, PKG(package)->name);
}

static LispObj qualified_symbol(RdState *st, size_t colon, bool internal) {
    LispObj pkg_name = rd_token_string(st, 0, colon);
    LispObj package = pkg_find(st->tc, pkg_name);
    if (package == NIL)
        RD_ERROR(st, "package %v does not exist", pkg_name);
    size_t start = colon + (internal ? 2 : 1);
    check_name_part(st, start);
    return internal ? intern_in(st, start, package) : find_external(st, start, package);
}

/* Where the unescaped package markers are: count, first two positions. */
static size_t find_colons(RdState *st, size_t pos[2]) {
    size_t n = 0;
    for (size_t i = 0; i < st->len; i++) {
        if (rd_tok_char(st, i) != ':' || rd_tok_escaped_at(st, i))
            continue;
        if (n < 2)
            pos[n] = i;
        n++;
    }
    return n;
}

static LispObj interpret_symbol(RdState *st) {
    size_t pos[2] = {0, 0};
    size_t n = find_colons(st, pos);
    if (n == 0)
        return intern_in(st, 0, pkg_current(st->tc));
    bool doubled = n == 2 && pos[1] == pos[0] + 1;
    if (n > 2 || (n == 2 && !doubled))
        RD_ERROR(st, "too many package markers in %a", rd_token_string(st, 0, st->len));
    if (pos[0] == 0) {
        /* :name, and ::name as SBCL reads it: a keyword. */
        size_t start = doubled ? 2 : 1;
        check_name_part(st, start);
        return intern_in(st, start, pkg_keyword);
    }
    return qualified_symbol(st, pos[0], doubled);
}

LispObj rd_interpret_token(RdState *st) {
    if (rd_suppress_p(st))
        return NIL;
    if (!st->tok_escaped) {
        LispObj number;
        if (rd_parse_number(st, &number))
            return number;
        if (only_dots_p(st)) {
            if (st->len == 1)
                return RD_DOT;
            RD_ERROR(st, "a token consisting only of dots cannot be read");
        }
    }
    return interpret_symbol(st);
}
