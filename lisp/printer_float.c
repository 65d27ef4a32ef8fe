/* lisp/printer_float.c — floats in Common Lisp syntax.
 *
 * prin1 must print the shortest decimal that reads back to the same float
 * (CLHS 22.1.3.1.3 asks for enough digits to read back equal; we also want the
 * fewest).  The method is the simple, obviously correct one: for p = 1, 2, ...
 * significant digits, let printf round correctly to p digits and check with
 * strtof/strtod that it reads back to the same bits.  At most 9 tries for a
 * single-float, 17 for a double-float.
 *
 * Layout (like SBCL): plain notation when 1e-3 <= |x| < 1e7 (1.0, 0.001,
 * 123456.7), otherwise one digit before the point and an exponent (1.0e7,
 * 1.2345679e-5).  A float not of *read-default-float-format* carries its
 * exponent marker even in plain notation (1.0d0, 1.5d10, 2.0f0).
 * No state; any thread. */
#include "lisp/lisp.h"
#include "lisp/printer_impl.h"
#include "lisp/num_impl.h"

#include <math.h>
#include <stdlib.h>

/* Parses "D.DDDe±XX" from printf into digits and an exponent for 0.DDDD. */
static size_t split_e_format(const char *buf, char *digits, size_t cap, int *exp10) {
    size_t n = 0;
    const char *p = buf;
    for (; *p && *p != 'e'; p++)
        if (*p >= '0' && *p <= '9' && n + 1 < cap) digits[n++] = *p;
    while (n > 1 && digits[n - 1] == '0') n--;
    digits[n] = 0;
    *exp10 = (*p == 'e' ? atoi(p + 1) : 0) + 1;
    return n;
}

size_t pr_float_digits(double x, bool single, char *digits, size_t cap, int *exp10) {
    char buf[64];
    x = fabs(x);
    int maxp = single ? 9 : 17;
    for (int p = 1; p <= maxp; p++) {
        snprintf(buf, sizeof buf, "%.*e", p - 1, x);
        bool same = single ? strtof(buf, NULL) == (float)x : strtod(buf, NULL) == x;
        if (same) break;
    }
    return split_e_format(buf, digits, cap, exp10);
}

static bool default_is_double(ThContext *tc) {
    LispObj f = sym_value(tc, S(STAR_READ_DEFAULT_FLOAT_FORMAT));
    return f == S(DOUBLE_FLOAT) || f == S(LONG_FLOAT);
}

char pr_float_marker(ThContext *tc, LispObj x) {
    bool dbl = double_float_p(x);
    if (dbl == default_is_double(tc)) return 'e';
    return dbl ? 'd' : 'f';
}

/* Plain notation of 0.DIGITS * 10^e, always with a digit on both sides of
 * the point. */
static void plain(char *out, size_t cap, const char *d, size_t n, int e) {
    size_t k = 0;
#define PUT(ch) do { if (k + 1 < cap) out[k++] = (ch); } while (0)
    if (e <= 0) {
        PUT('0'); PUT('.');
        for (int i = 0; i < -e; i++) PUT('0');
        for (size_t i = 0; i < n; i++) PUT(d[i]);
    } else {
        for (int i = 0; i < e; i++) PUT((size_t)i < n ? d[i] : '0');
        PUT('.');
        if ((size_t)e >= n) PUT('0');
        for (size_t i = (size_t)e; i < n; i++) PUT(d[i]);
    }
#undef PUT
    out[k] = 0;
}

static void special_float(LispObj x, double v, char *buf, size_t cap) {
    const char *type = double_float_p(x) ? "DOUBLE-FLOAT" : "SINGLE-FLOAT";
    if (isnan(v)) snprintf(buf, cap, "#<%s NaN>", type);
    else snprintf(buf, cap, "#<%s %cINFINITY>", type, v < 0 ? '-' : '+');
}

void pr_float_to_cstr(ThContext *tc, LispObj x, char *buf, size_t cap) {
    bool single = single_float_p(x);
    double v = single ? (double)single_float_value(x) : double_float_value(x);
    if (!isfinite(v)) {
        special_float(x, v, buf, cap);
        return;
    }
    char marker = pr_float_marker(tc, x);
    const char *sign = signbit(v) ? "-" : "";
    if (v == 0) {
        snprintf(buf, cap, marker == 'e' ? "%s0.0" : "%s0.0%c0", sign, marker);
        return;
    }
    char d[32], body[80];
    int e;
    size_t n = pr_float_digits(v, single, d, sizeof d, &e);
    if (e >= -2 && e <= 7) {
        plain(body, sizeof body, d, n, e);
        if (marker == 'e') snprintf(buf, cap, "%s%s", sign, body);
        else snprintf(buf, cap, "%s%s%c0", sign, body, marker);
        return;
    }
    snprintf(buf, cap, "%s%c.%s%c%d", sign, d[0], n > 1 ? d + 1 : "0", marker, e - 1);
}

double pr_real_to_double(LispObj x) {
    if (fx_p(x)) return (double)fx_value(x);
    if (single_float_p(x)) return single_float_value(x);
    if (double_float_p(x)) return double_float_value(x);
    if (kind_p(x, KIND_BIGNUM)) return int_to_double(x, 0); /* correctly rounded */
    if (ratio_p(x)) { /* big parts would give inf/inf: the exact quotient, rounded once */
        LispRatio *r = (LispRatio *)obj_words(x);
        if (fx_p(r->num) && fx_p(r->den)) return (double)fx_value(r->num) / (double)fx_value(r->den);
        return num_ratio_to_double(th_current(), r->num, r->den);
    }
    return NAN;
}
