/* lisp/builtins_num.c — the core arithmetic of CLHS chapter 12: + - * /,
 * comparison, rounding division (floor ceiling truncate round and the
 * f- variants), rationals (normalisation, numerator, denominator), float
 * contagion and conversion.  Integers go through bignum.c, complexes
 * through num_complex.c; bit operations are in num_bits.c, float
 * decoding in num_float.c, transcendental functions in num_trans.c.
 *
 * Invariants: results are normalised (bignum.c); a ratio has integer parts,
 * gcd 1, denominator > 1; integer arithmetic never wraps; float contagion
 * follows CLHS 12.1.4.1 (rational op float → that float format; single op
 * double → double); comparisons between rationals and floats are exact
 * (the float is compared as the rational it denotes).  Fixnum and
 * fixnum-ratio paths stay in int64/__int128 and allocate only on overflow.
 *
 * Shared state: none. */
#include "lisp/lisp.h"
#include "lisp/builtins_impl.h"
#include "lisp/num_impl.h"

#include <math.h>

enum NumClass { NC_FIX, NC_BIG, NC_RATIO, NC_SINGLE, NC_DOUBLE, NC_COMPLEX };

_Noreturn void num_overflow(ThContext *tc, const char *op) {
    cond_error_of_type(tc, S(ARITHMETIC_ERROR), "%s: result out of the implementation's range", op);
}

/* Class of a number; type-error with `expected` (NUMBER, REAL, ...) when x
 * is not one, or is complex and expected is not NUMBER. */
static enum NumClass nclass(ThContext *tc, LispObj x, LispObj expected) {
    if (fx_p(x)) return NC_FIX;
    if (single_float_p(x)) return NC_SINGLE;
    if (obj_p(x)) {
        switch (obj_kind(x)) {
        case KIND_BIGNUM: return NC_BIG;
        case KIND_RATIO: return NC_RATIO;
        case KIND_DOUBLE_FLOAT: return NC_DOUBLE;
        case KIND_COMPLEX:
            if (expected == S(NUMBER)) return NC_COMPLEX;
            break;
        default: break;
        }
    }
    cond_type_error(tc, x, expected);
}

bool num_real_supported_p(LispObj x) { return real_p(x); }

static enum NumClass class_of(LispObj x) { /* x known to be a number */
    if (fx_p(x)) return NC_FIX;
    if (single_float_p(x)) return NC_SINGLE;
    switch (obj_kind(x)) {
    case KIND_BIGNUM: return NC_BIG;
    case KIND_RATIO: return NC_RATIO;
    case KIND_DOUBLE_FLOAT: return NC_DOUBLE;
    default: return NC_COMPLEX;
    }
}

LispObj num_numerator(LispObj x) { return ratio_p(x) ? ((LispRatio *)obj_words(x))->num : x; }
LispObj num_denominator(LispObj x) { return ratio_p(x) ? ((LispRatio *)obj_words(x))->den : fx_make(1); }

/* A rational whose parts are fixnums, as int64 numerator/denominator. */
typedef struct Rat { int64_t n, d; } Rat;
static bool small_rat(LispObj x, Rat *r) {
    if (fx_p(x)) { *r = (Rat){fx_value(x), 1}; return true; }
    if (!ratio_p(x)) return false;
    LispRatio *q = (LispRatio *)obj_words(x);
    if (!fx_p(q->num) || !fx_p(q->den)) return false;
    *r = (Rat){fx_value(q->num), fx_value(q->den)};
    return true;
}

double num_to_double(ThContext *tc, LispObj x) {
    if (fx_p(x)) return (double)fx_value(x);
    if (single_float_p(x)) return (double)single_float_value(x);
    if (double_float_p(x)) return double_float_value(x);
    if (bignum_p(x)) return int_to_double(x, 0);
    LispObj n = num_numerator(x), d = num_denominator(x);
    Rat r;
    if (small_rat(x, &r) && r.n > -(INT64_C(1) << 53) && r.n < (INT64_C(1) << 53) && r.d < (INT64_C(1) << 53))
        return (double)r.n / (double)r.d; /* exact operands: one correctly rounded division */
    return num_ratio_to_double(tc, n, d);
}

float num_to_single(ThContext *tc, LispObj x) {
    if (fx_p(x)) return (float)fx_value(x); /* one rounding, by the hardware */
    if (single_float_p(x)) return single_float_value(x);
    if (double_float_p(x)) return (float)double_float_value(x);
    if (bignum_p(x)) return int_to_single(x);
    return num_ratio_to_single(tc, num_numerator(x), num_denominator(x));
}

static __int128 gcd128(__int128 a, __int128 b) {
    if (a < 0) a = -a;
    if (b < 0) b = -b;
    while (b != 0) {
        __int128 t = a % b;
        a = b;
        b = t;
    }
    return a;
}

LispObj num_make_rational(ThContext *tc, __int128 n, __int128 d, const char *op) {
    PT_ASSERT(d != 0);
    (void)op;
    if (d < 0) { n = -n; d = -d; }
    __int128 g = gcd128(n, d);
    if (g > 1) { n /= g; d /= g; }
    if (d == 1) return int_from_i128(tc, n);
    LispObj num = int_from_i128(tc, n);
    LispObj den = int_from_i128(tc, d);
    return ratio_make(tc, num, den);
}

LispObj num_make_ratio(ThContext *tc, LispObj n, LispObj d) {
    PT_ASSERT(d != fx_make(0));
    if (fx_p(n) && fx_p(d)) return num_make_rational(tc, fx_value(n), fx_value(d), "/");
    if (int_sign(d) < 0) {
        n = int_neg(tc, n);
        d = int_neg(tc, d);
    }
    LispObj g = int_gcd(tc, n, d);
    if (g != fx_make(1)) {
        n = int_divexact(tc, n, g);
        d = int_divexact(tc, d, g);
    }
    if (d == fx_make(1)) return n;
    return ratio_make(tc, n, d);
}

LispObj num_float_like(ThContext *tc, LispObj proto, double v) {
    return double_float_p(proto) ? double_float_make(tc, v) : single_float_make((float)v);
}

static LispObj float_make(ThContext *tc, enum NumClass cls, double v) {
    return cls == NC_DOUBLE ? double_float_make(tc, v) : single_float_make((float)v);
}

void num_float_trap(ThContext *tc, LispObj type, const char *op, LispObj operands) {
    LispObj opsym = pkg_intern_cstr(tc, op, pkg_common_lisp);
    LispObj msg = cond_format_message_v(tc, "arithmetic error %v signalled: %s of %v", type, op, operands);
    cond_signal_error(tc, condition_make(tc, type, msg, NIL,
                                         lisp_list(tc, 4, S(OPERATION_KW), opsym, S(OPERANDS_KW), operands)));
}

/* A float result of op on finite operands x and y: overflow and invalid
 * operations are signalled, not returned as infinities and NaNs. */
static LispObj float_result(ThContext *tc, enum NumClass cls, double v, const char *op,
                            double x, double y, LispObj a, LispObj b) {
    double r = cls == NC_DOUBLE ? v : (double)(float)v;
    if (!isfinite(r) && isfinite(x) && isfinite(y)) {
        LispObj operands = b == LISP_UNSUPPLIED ? lisp_list(tc, 1, a) : lisp_list(tc, 2, a, b);
        num_float_trap(tc, isnan(r) ? S(FLOATING_POINT_INVALID_OPERATION) : S(FLOATING_POINT_OVERFLOW), op,
                   operands);
    }
    return float_make(tc, cls, v);
}

/* Conversion of a real to a float of format cls (rounded once, straight to
 * that format: CLHS 12.1.4.1 converts the rational first), signalling
 * overflow; returned as a double that holds it exactly. */
static double real_to_double_checked(ThContext *tc, LispObj x, enum NumClass cls, const char *op) {
    double d = cls == NC_SINGLE ? (double)num_to_single(tc, x) : num_to_double(tc, x);
    double r = cls == NC_DOUBLE ? d : (double)(float)d;
    if (!isfinite(r) && !float_p(x)) num_float_trap(tc, S(FLOATING_POINT_OVERFLOW), op, lisp_list(tc, 1, x));
    return d;
}

static enum NumClass max_class(enum NumClass a, enum NumClass b) { return a > b ? a : b; }

/* ---------------------------------------------------------------- + - * / */

enum ArOp { AR_ADD, AR_SUB, AR_MUL, AR_DIV };
static const char *const ar_names[] = {"+", "-", "*", "/"};

static LispObj rational_op(ThContext *tc, enum ArOp op, LispObj a, LispObj b) {
    Rat x, y;
    if (small_rat(a, &x) && small_rat(b, &y)) {
        switch (op) {
        case AR_ADD: return num_make_rational(tc, (__int128)x.n * y.d + (__int128)y.n * x.d, (__int128)x.d * y.d, "+");
        case AR_SUB: return num_make_rational(tc, (__int128)x.n * y.d - (__int128)y.n * x.d, (__int128)x.d * y.d, "-");
        case AR_MUL: return num_make_rational(tc, (__int128)x.n * y.n, (__int128)x.d * y.d, "*");
        default: return num_make_rational(tc, (__int128)x.n * y.d, (__int128)x.d * y.n, "/");
        }
    }
    if (integer_p(a) && integer_p(b)) {
        switch (op) {
        case AR_ADD: return int_add(tc, a, b);
        case AR_SUB: return int_sub(tc, a, b);
        case AR_MUL: return int_mul(tc, a, b);
        default: return num_make_ratio(tc, a, b);
        }
    }
    LispObj an = num_numerator(a), ad = num_denominator(a), bn = num_numerator(b), bd = num_denominator(b);
    switch (op) {
    case AR_ADD: case AR_SUB: {
        LispObj l = int_mul(tc, an, bd), r = int_mul(tc, bn, ad);
        LispObj n = op == AR_ADD ? int_add(tc, l, r) : int_sub(tc, l, r);
        return num_make_ratio(tc, n, int_mul(tc, ad, bd));
    }
    case AR_MUL: return num_make_ratio(tc, int_mul(tc, an, bn), int_mul(tc, ad, bd));
    default: return num_make_ratio(tc, int_mul(tc, an, bd), int_mul(tc, ad, bn));
    }
}

static LispObj arith(ThContext *tc, enum ArOp op, LispObj a, LispObj b) {
    enum NumClass ca = nclass(tc, a, S(NUMBER)), cb = nclass(tc, b, S(NUMBER));
    if (op == AR_DIV && num_zero_p(b) && (ca <= NC_RATIO && cb <= NC_RATIO))
        cond_division_by_zero(tc, S(SLASH), lisp_list(tc, 2, a, b));
    if (ca == NC_COMPLEX || cb == NC_COMPLEX) {
        switch (op) {
        case AR_ADD: return cx_add(tc, a, b);
        case AR_SUB: return cx_sub(tc, a, b);
        case AR_MUL: return cx_mul(tc, a, b);
        default: return cx_div(tc, a, b);
        }
    }
    if (ca >= NC_SINGLE || cb >= NC_SINGLE) {
        enum NumClass cls = max_class(ca, cb);
        double x = real_to_double_checked(tc, a, cls, ar_names[op]);
        double y = real_to_double_checked(tc, b, cls, ar_names[op]);
        if (op == AR_DIV && y == 0) cond_division_by_zero(tc, S(SLASH), lisp_list(tc, 2, a, b));
        double v = op == AR_ADD ? x + y : op == AR_SUB ? x - y : op == AR_MUL ? x * y : x / y;
        return float_result(tc, cls, v, ar_names[op], x, y, a, b);
    }
    return rational_op(tc, op, a, b);
}

LispObj num_add(ThContext *tc, LispObj a, LispObj b) {
    if (fx_p(a) && fx_p(b)) return int_from_i128(tc, (__int128)fx_value(a) + fx_value(b));
    return arith(tc, AR_ADD, a, b);
}

LispObj num_sub(ThContext *tc, LispObj a, LispObj b) {
    if (fx_p(a) && fx_p(b)) return int_from_i128(tc, (__int128)fx_value(a) - fx_value(b));
    return arith(tc, AR_SUB, a, b);
}

LispObj num_mul(ThContext *tc, LispObj a, LispObj b) {
    if (fx_p(a) && fx_p(b)) return int_from_i128(tc, (__int128)fx_value(a) * fx_value(b));
    return arith(tc, AR_MUL, a, b);
}

bool num_zero_p(LispObj x) {
    if (fx_p(x)) return x == fx_make(0);
    if (single_float_p(x)) return single_float_value(x) == 0.0f;
    if (double_float_p(x)) return double_float_value(x) == 0.0;
    if (complex_p(x)) return num_zero_p(cx_real(x)) && num_zero_p(cx_imag(x));
    return false; /* ratios and bignums are never zero */
}

LispObj num_div(ThContext *tc, LispObj a, LispObj b) { return arith(tc, AR_DIV, a, b); }

static LispObj cl_plus(ThContext *tc, size_t nargs, LispObj *args) {
    if (nargs == 0) return fx_make(0);
    LispObj r = args[0];
    nclass(tc, r, S(NUMBER));
    for (size_t i = 1; i < nargs; i++) r = num_add(tc, r, args[i]);
    return r;
}

LispObj num_negate(ThContext *tc, LispObj x) {
    switch (nclass(tc, x, S(NUMBER))) {
    case NC_SINGLE: return single_float_make(-single_float_value(x));
    case NC_DOUBLE: return double_float_make(tc, -double_float_value(x));
    case NC_COMPLEX: {
        LispObj re = num_negate(tc, cx_real(x));
        LispObj im = num_negate(tc, cx_imag(x));
        return num_make_complex(tc, re, im);
    }
    case NC_RATIO: {
        LispObj n = int_neg(tc, num_numerator(x));
        return ratio_make(tc, n, num_denominator(x));
    }
    default: return int_neg(tc, x);
    }
}

static LispObj cl_minus(ThContext *tc, size_t nargs, LispObj *args) {
    if (nargs == 1) return num_negate(tc, args[0]);
    LispObj r = args[0];
    for (size_t i = 1; i < nargs; i++) r = num_sub(tc, r, args[i]);
    return r;
}

static LispObj cl_times(ThContext *tc, size_t nargs, LispObj *args) {
    if (nargs == 0) return fx_make(1);
    LispObj r = args[0];
    nclass(tc, r, S(NUMBER));
    for (size_t i = 1; i < nargs; i++) r = num_mul(tc, r, args[i]);
    return r;
}

static LispObj cl_slash(ThContext *tc, size_t nargs, LispObj *args) {
    if (nargs == 1) return num_div(tc, fx_make(1), args[0]);
    LispObj r = args[0];
    for (size_t i = 1; i < nargs; i++) r = num_div(tc, r, args[i]);
    return r;
}

static LispObj cl_one_plus(ThContext *tc, size_t nargs, LispObj *args) {
    return num_add(tc, args[0], fx_make(1));
}
static LispObj cl_one_minus(ThContext *tc, size_t nargs, LispObj *args) {
    return num_sub(tc, args[0], fx_make(1));
}

/* ---------------------------------------------------------------- comparison */

static int cmp_u128(unsigned __int128 a, unsigned __int128 b) { return (a > b) - (a < b); }

/* Compares n/den with d, all positive, d finite: exact.  d = m * 2^e with
 * 2^52 <= m < 2^53; n < 2^62 and den < 2^62, so every product fits 128 bits
 * or the answer is known from magnitudes alone. */
static int cmp_mag(uint64_t n, uint64_t den, double d) {
    int e;
    double fr = frexp(d, &e);
    uint64_t m = (uint64_t)ldexp(fr, 53);
    e -= 53;
    unsigned __int128 md = (unsigned __int128)m * den; /* < 2^115 */
    if (e >= 0) {
        if (e >= 14) return -1; /* d >= 2^66 > n/den */
        return cmp_u128(n, md << e);
    }
    int k = -e; /* compare n * 2^k with md */
    if (k <= 64) return cmp_u128((unsigned __int128)n << k, md);
    unsigned __int128 lhs = (unsigned __int128)n << 64; /* compare lhs * 2^j with md */
    int j = k - 64;
    if (j >= 128) return 1;
    unsigned __int128 q = md >> j, rem = md & (((unsigned __int128)1 << j) - 1);
    if (lhs != q) return lhs > q ? 1 : -1;
    return rem ? -1 : 0;
}

/* sign(r - d) for a fixnum-part rational, d finite. */
static int cmp_rat_double(Rat r, double d) {
    int sr = (r.n > 0) - (r.n < 0), sd = (d > 0) - (d < 0);
    if (sr != sd) return sr < sd ? -1 : 1;
    if (sr == 0) return 0;
    uint64_t an = r.n < 0 ? (uint64_t)0 - (uint64_t)r.n : (uint64_t)r.n;
    int mag = cmp_mag(an, (uint64_t)r.d, fabs(d));
    return sr > 0 ? mag : -mag;
}

/* Exact comparison of two rationals of any size. */
static int cmp_rational(ThContext *tc, LispObj a, LispObj b) {
    if (integer_p(a) && integer_p(b)) return int_cmp(a, b);
    Rat x, y;
    if (small_rat(a, &x) && small_rat(b, &y)) {
        __int128 l = (__int128)x.n * y.d, r = (__int128)y.n * x.d;
        return (l > r) - (l < r);
    }
    int sa = int_sign(num_numerator(a)), sb = int_sign(num_numerator(b));
    if (sa != sb) return sa > sb ? 1 : -1;
    LispObj l = int_mul(tc, num_numerator(a), num_denominator(b));
    LispObj r = int_mul(tc, num_numerator(b), num_denominator(a));
    return int_cmp(l, r);
}

LispObj num_rational_of_float(ThContext *tc, double d) {
    if (d == 0) return fx_make(0);
    int e;
    double fr = frexp(d, &e);
    int64_t m = (int64_t)ldexp(fr, 53); /* d = m * 2^(e-53), exactly */
    e -= 53;
    while (e < 0 && (m & 1) == 0) { m /= 2; e++; }
    if (e >= 0) return int_ash(tc, fx_make(m), e);
    return ratio_make(tc, fx_make(m), int_ash(tc, fx_make(1), -e));
}

/* sign(r - d), d a double, 2 if NaN. */
static int cmp_real_double(ThContext *tc, LispObj r, double d) {
    if (isnan(d)) return 2;
    if (isinf(d)) return d > 0 ? -1 : 1;
    Rat x;
    if (small_rat(r, &x)) return cmp_rat_double(x, d);
    return cmp_rational(tc, r, num_rational_of_float(tc, d));
}

int num_compare(LispObj a, LispObj b) {
    if (fx_p(a) && fx_p(b)) return (fx_value(a) > fx_value(b)) - (fx_value(a) < fx_value(b));
    ThContext *tc = th_current(); /* the slow paths may allocate */
    enum NumClass ca = class_of(a), cb = class_of(b);
    if (ca <= NC_RATIO && cb <= NC_RATIO) return cmp_rational(tc, a, b);
    if (ca >= NC_SINGLE && cb >= NC_SINGLE) {
        double x = num_to_double(tc, a), y = num_to_double(tc, b);
        if (isnan(x) || isnan(y)) return 2;
        return (x > y) - (x < y);
    }
    if (ca >= NC_SINGLE) {
        int c = cmp_real_double(tc, b, num_to_double(tc, a));
        return c == 2 ? 2 : -c;
    }
    return cmp_real_double(tc, a, num_to_double(tc, b));
}

bool num_equal_p(LispObj a, LispObj b) {
    if (complex_p(a) || complex_p(b)) {
        LispObj ar = complex_p(a) ? cx_real(a) : a, ai = complex_p(a) ? cx_imag(a) : fx_make(0);
        LispObj br = complex_p(b) ? cx_real(b) : b, bi = complex_p(b) ? cx_imag(b) : fx_make(0);
        return num_compare(ar, br) == 0 && num_compare(ai, bi) == 0;
    }
    return num_compare(a, b) == 0;
}

int num_sign(ThContext *tc, LispObj x) {
    enum NumClass c = nclass(tc, x, S(REAL));
    if (c <= NC_RATIO) return int_sign(num_numerator(x));
    double d = num_to_double(tc, x);
    return (d > 0) - (d < 0);
}

enum CmpOp { CMP_EQ, CMP_LT, CMP_GT, CMP_LE, CMP_GE };

static bool cmp_holds(int c, enum CmpOp op) {
    if (c == 2) return false;
    switch (op) {
    case CMP_EQ: return c == 0;
    case CMP_LT: return c < 0;
    case CMP_GT: return c > 0;
    case CMP_LE: return c <= 0;
    default: return c >= 0;
    }
}

static LispObj compare_chain(ThContext *tc, size_t nargs, LispObj *args, enum CmpOp op) {
    LispObj expected = op == CMP_EQ ? S(NUMBER) : S(REAL);
    for (size_t i = 0; i < nargs; i++) nclass(tc, args[i], expected);
    for (size_t i = 0; i + 1 < nargs; i++) {
        if (op == CMP_EQ) {
            if (!num_equal_p(args[i], args[i + 1])) return NIL;
        } else if (!cmp_holds(num_compare(args[i], args[i + 1]), op)) {
            return NIL;
        }
    }
    return T;
}

static LispObj cl_num_eq(ThContext *tc, size_t nargs, LispObj *args) {
    return compare_chain(tc, nargs, args, CMP_EQ);
}
static LispObj cl_num_lt(ThContext *tc, size_t nargs, LispObj *args) {
    return compare_chain(tc, nargs, args, CMP_LT);
}
static LispObj cl_num_gt(ThContext *tc, size_t nargs, LispObj *args) {
    return compare_chain(tc, nargs, args, CMP_GT);
}
static LispObj cl_num_le(ThContext *tc, size_t nargs, LispObj *args) {
    return compare_chain(tc, nargs, args, CMP_LE);
}
static LispObj cl_num_ge(ThContext *tc, size_t nargs, LispObj *args) {
    return compare_chain(tc, nargs, args, CMP_GE);
}
static LispObj cl_num_ne(ThContext *tc, size_t nargs, LispObj *args) {
    for (size_t i = 0; i < nargs; i++) nclass(tc, args[i], S(NUMBER));
    for (size_t i = 0; i < nargs; i++)
        for (size_t j = i + 1; j < nargs; j++)
            if (num_equal_p(args[i], args[j])) return NIL;
    return T;
}

static LispObj min_max(ThContext *tc, size_t nargs, LispObj *args, int want) {
    LispObj best = args[0];
    nclass(tc, best, S(REAL));
    for (size_t i = 1; i < nargs; i++) {
        nclass(tc, args[i], S(REAL));
        if (num_compare(args[i], best) == want) best = args[i];
    }
    return best;
}
static LispObj cl_max(ThContext *tc, size_t nargs, LispObj *args) { return min_max(tc, nargs, args, 1); }
static LispObj cl_min(ThContext *tc, size_t nargs, LispObj *args) { return min_max(tc, nargs, args, -1); }

static LispObj cl_abs(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj x = args[0];
    switch (nclass(tc, x, S(NUMBER))) {
    case NC_SINGLE: return single_float_make(fabsf(single_float_value(x)));
    case NC_DOUBLE: return double_float_make(tc, fabs(double_float_value(x)));
    case NC_COMPLEX: return cx_abs(tc, x);
    default: return num_sign(tc, x) < 0 ? num_negate(tc, x) : x;
    }
}

static LispObj cl_signum(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj x = args[0];
    enum NumClass c = nclass(tc, x, S(NUMBER));
    if (c == NC_COMPLEX) {
        if (num_zero_p(x)) return x;
        return num_div(tc, x, cx_abs(tc, x));
    }
    if (c <= NC_RATIO) return fx_make(num_sign(tc, x));
    double d = num_to_double(tc, x);
    if (d == 0 || isnan(d)) return x;
    return float_make(tc, c, d > 0 ? 1.0 : -1.0);
}

/* ---------------------------------------------------------------- division with rounding */

enum Rounding { R_FLOOR, R_CEILING, R_TRUNCATE, R_ROUND };
static const char *const rounding_names[] = {"FLOOR", "CEILING", "TRUNCATE", "ROUND"};
static const char *const frounding_names[] = {"FFLOOR", "FCEILING", "FTRUNCATE", "FROUND"};

/* Integer quotient of n/d (d > 0) rounded per mode (ROUND: ties to even). */
static __int128 round_quotient(__int128 n, __int128 d, enum Rounding mode) {
    __int128 q = n / d, r = n % d;
    if (r == 0) return q;
    switch (mode) {
    case R_FLOOR: return n < 0 ? q - 1 : q;
    case R_CEILING: return n > 0 ? q + 1 : q;
    case R_TRUNCATE: return q;
    default: {
        __int128 twice = (r < 0 ? -r : r) * 2;
        if (twice > d || (twice == d && (q & 1) != 0)) return n < 0 ? q - 1 : q + 1;
        return q;
    }
    }
}

/* The same over integers of any size: n/d with d > 0; the remainder
 * n - q*d goes to *rem. */
static LispObj round_quotient_big(ThContext *tc, LispObj n, LispObj d, enum Rounding mode, LispObj *rem) {
    LispObj q, r;
    int_truncate(tc, n, d, &q, &r);
    int adjust = 0, sr = int_sign(r);
    if (sr != 0) {
        switch (mode) {
        case R_FLOOR: adjust = sr < 0 ? -1 : 0; break;
        case R_CEILING: adjust = sr > 0 ? 1 : 0; break;
        case R_TRUNCATE: break;
        default: {
            int c = int_cmp(int_ash(tc, int_abs(tc, r), 1), d);
            if (c > 0 || (c == 0 && int_odd_p(q))) adjust = sr;
        }
        }
    }
    if (adjust) {
        q = int_add(tc, q, fx_make(adjust));
        r = adjust > 0 ? int_sub(tc, r, d) : int_add(tc, r, d);
    }
    *rem = r;
    return q;
}

static double round_double(double q, enum Rounding mode) {
    switch (mode) {
    case R_FLOOR: return floor(q);
    case R_CEILING: return ceil(q);
    case R_TRUNCATE: return trunc(q);
    default: return nearbyint(q); /* default rounding mode: to nearest, ties to even */
    }
}

static void divide_rational(ThContext *tc, LispObj a, LispObj b, enum Rounding mode, const char *op,
                            LispObj *quot, LispObj *rem) {
    Rat x, y;
    if (small_rat(a, &x) && small_rat(b, &y)) {
        __int128 n = (__int128)x.n * y.d, d = (__int128)x.d * y.n; /* a/b = n/d */
        __int128 sn = d < 0 ? -n : n, sd = d < 0 ? -d : d;
        __int128 q = round_quotient(sn, sd, mode);
        *quot = int_from_i128(tc, q);
        /* a - q*b = (n - q*d) / (x.d * y.d); |n - q*d| <= |d| */
        *rem = num_make_rational(tc, n - q * d, (__int128)x.d * y.d, op);
        return;
    }
    LispObj an = num_numerator(a), ad = num_denominator(a), bn = num_numerator(b), bd = num_denominator(b);
    LispObj n = int_mul(tc, an, bd), d = int_mul(tc, ad, bn);
    if (int_sign(d) < 0) { n = int_neg(tc, n); d = int_neg(tc, d); }
    LispObj r;
    *quot = round_quotient_big(tc, n, d, mode, &r);
    /* a - q*b = r' / (ad*bd) where r' = sign(bn) * r */
    if (int_sign(bn) < 0) r = int_neg(tc, r);
    *rem = num_make_ratio(tc, r, int_mul(tc, ad, bd));
}

/* Quotient and remainder of a/b under mode (CLHS floor/ceiling/truncate/round).
 * float_quot: the quotient as a float (the FFLOOR family). */
static void divide(ThContext *tc, LispObj a, LispObj b, enum Rounding mode, bool float_quot,
                   LispObj *quot, LispObj *rem) {
    const char *op = float_quot ? frounding_names[mode] : rounding_names[mode];
    enum NumClass ca = nclass(tc, a, S(REAL)), cb = nclass(tc, b, S(REAL));
    if (num_zero_p(b))
        cond_division_by_zero(tc, pkg_intern_cstr(tc, op, pkg_common_lisp), lisp_list(tc, 2, a, b));
    if (ca <= NC_RATIO && cb <= NC_RATIO) {
        divide_rational(tc, a, b, mode, op, quot, rem);
        if (float_quot) *quot = single_float_make((float)num_to_double(tc, *quot));
        return;
    }
    enum NumClass cls = max_class(ca, cb);
    double x = real_to_double_checked(tc, a, cls, op), y = real_to_double_checked(tc, b, cls, op);
    if (cls == NC_SINGLE) { x = (float)x; y = (float)y; }
    double q = round_double(cls == NC_SINGLE ? (double)(float)(x / y) : x / y, mode);
    /* number - quotient * divisor in the float format, each step rounded
     * (CLHS FLOOR), as SBCL does: volatile keeps the product from being
     * fused into an exact fma. */
    volatile double prod = cls == NC_SINGLE ? (double)((float)q * (float)y) : q * y;
    double r = cls == NC_SINGLE ? (double)((float)x - (float)prod) : x - prod;
    if (float_quot) {
        *quot = float_make(tc, cls, q);
    } else {
        if (!isfinite(q)) num_float_trap(tc, S(FLOATING_POINT_INVALID_OPERATION), op, lisp_list(tc, 2, a, b));
        *quot = int_from_double(tc, q);
    }
    *rem = float_make(tc, cls, r);
}

static LispObj divide_values(ThContext *tc, size_t nargs, LispObj *args, enum Rounding mode, bool fl) {
    LispObj v[2];
    divide(tc, args[0], nargs > 1 ? args[1] : fx_make(1), mode, fl, &v[0], &v[1]);
    return vm_values(tc, 2, v);
}
static LispObj cl_floor(ThContext *tc, size_t nargs, LispObj *args) {
    return divide_values(tc, nargs, args, R_FLOOR, false);
}
static LispObj cl_ceiling(ThContext *tc, size_t nargs, LispObj *args) {
    return divide_values(tc, nargs, args, R_CEILING, false);
}
static LispObj cl_truncate(ThContext *tc, size_t nargs, LispObj *args) {
    return divide_values(tc, nargs, args, R_TRUNCATE, false);
}
static LispObj cl_round(ThContext *tc, size_t nargs, LispObj *args) {
    return divide_values(tc, nargs, args, R_ROUND, false);
}
static LispObj cl_ffloor(ThContext *tc, size_t nargs, LispObj *args) {
    return divide_values(tc, nargs, args, R_FLOOR, true);
}
static LispObj cl_fceiling(ThContext *tc, size_t nargs, LispObj *args) {
    return divide_values(tc, nargs, args, R_CEILING, true);
}
static LispObj cl_ftruncate(ThContext *tc, size_t nargs, LispObj *args) {
    return divide_values(tc, nargs, args, R_TRUNCATE, true);
}
static LispObj cl_fround(ThContext *tc, size_t nargs, LispObj *args) {
    return divide_values(tc, nargs, args, R_ROUND, true);
}
static LispObj cl_mod(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj q, r;
    divide(tc, args[0], args[1], R_FLOOR, false, &q, &r);
    return r;
}
static LispObj cl_rem(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj q, r;
    divide(tc, args[0], args[1], R_TRUNCATE, false, &q, &r);
    return r;
}

/* ---------------------------------------------------------------- conversion */

static LispObj cl_float(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj x = args[0];
    enum NumClass c = nclass(tc, x, S(REAL));
    enum NumClass pc = NC_SINGLE;
    if (nargs > 1) {
        pc = nclass(tc, args[1], S(FLOAT));
        if (pc < NC_SINGLE || pc > NC_DOUBLE) cond_type_error(tc, args[1], S(FLOAT));
        if (pc == c) return x;
    } else if (c >= NC_SINGLE) {
        return x;
    }
    return float_make(tc, pc, real_to_double_checked(tc, x, pc, "FLOAT"));
}

static LispObj cl_rational(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj x = args[0];
    if (nclass(tc, x, S(REAL)) <= NC_RATIO) return x;
    double d = num_to_double(tc, x);
    if (!isfinite(d)) cond_type_error(tc, x, S(REAL));
    return num_rational_of_float(tc, d);
}

static LispObj cl_numerator(ThContext *tc, size_t nargs, LispObj *args) {
    if (nclass(tc, args[0], S(RATIONAL)) > NC_RATIO) cond_type_error(tc, args[0], S(RATIONAL));
    return num_numerator(args[0]);
}
static LispObj cl_denominator(ThContext *tc, size_t nargs, LispObj *args) {
    if (nclass(tc, args[0], S(RATIONAL)) > NC_RATIO) cond_type_error(tc, args[0], S(RATIONAL));
    return num_denominator(args[0]);
}

/* ---------------------------------------------------------------- table */

const BuiltinSpec builtins_num[] = {
    {"+", "CL", cl_plus, 0, BUILTIN_REST, "&rest numbers", "Returns the sum of NUMBERS (0 if none)."},
    {"-", "CL", cl_minus, 1, BUILTIN_REST, "number &rest more-numbers",
     "Subtracts MORE-NUMBERS from NUMBER, or negates NUMBER if it is the only argument."},
    {"*", "CL", cl_times, 0, BUILTIN_REST, "&rest numbers", "Returns the product of NUMBERS (1 if none)."},
    {"/", "CL", cl_slash, 1, BUILTIN_REST, "number &rest more-numbers",
     "Divides NUMBER by MORE-NUMBERS, or returns the reciprocal of NUMBER if it is the only argument."},
    {"1+", "CL", cl_one_plus, 1, 1, "number", "Returns NUMBER plus one."},
    {"1-", "CL", cl_one_minus, 1, 1, "number", "Returns NUMBER minus one."},
    {"=", "CL", cl_num_eq, 1, BUILTIN_REST, "number &rest more-numbers", "True if all NUMBERS are numerically equal."},
    {"/=", "CL", cl_num_ne, 1, BUILTIN_REST, "number &rest more-numbers", "True if no two NUMBERS are numerically equal."},
    {"<", "CL", cl_num_lt, 1, BUILTIN_REST, "number &rest more-numbers", "True if the REALS are strictly increasing."},
    {">", "CL", cl_num_gt, 1, BUILTIN_REST, "number &rest more-numbers", "True if the REALS are strictly decreasing."},
    {"<=", "CL", cl_num_le, 1, BUILTIN_REST, "number &rest more-numbers", "True if the REALS are non-decreasing."},
    {">=", "CL", cl_num_ge, 1, BUILTIN_REST, "number &rest more-numbers", "True if the REALS are non-increasing."},
    {"MAX", "CL", cl_max, 1, BUILTIN_REST, "real &rest more-reals", "Returns the greatest of the REALS."},
    {"MIN", "CL", cl_min, 1, BUILTIN_REST, "real &rest more-reals", "Returns the least of the REALS."},
    {"ABS", "CL", cl_abs, 1, 1, "number", "Returns the absolute value of NUMBER."},
    {"SIGNUM", "CL", cl_signum, 1, 1, "number", "Returns -1, 0 or 1 (of NUMBER's type) according to NUMBER's sign."},
    {"FLOOR", "CL", cl_floor, 1, 2, "number &optional (divisor 1)",
     "Quotient rounded toward negative infinity, and remainder (two values)."},
    {"CEILING", "CL", cl_ceiling, 1, 2, "number &optional (divisor 1)",
     "Quotient rounded toward positive infinity, and remainder (two values)."},
    {"TRUNCATE", "CL", cl_truncate, 1, 2, "number &optional (divisor 1)",
     "Quotient rounded toward zero, and remainder (two values)."},
    {"ROUND", "CL", cl_round, 1, 2, "number &optional (divisor 1)",
     "Quotient rounded to the nearest integer (ties to even), and remainder (two values)."},
    {"FFLOOR", "CL", cl_ffloor, 1, 2, "number &optional (divisor 1)", "FLOOR with the quotient as a float."},
    {"FCEILING", "CL", cl_fceiling, 1, 2, "number &optional (divisor 1)", "CEILING with the quotient as a float."},
    {"FTRUNCATE", "CL", cl_ftruncate, 1, 2, "number &optional (divisor 1)", "TRUNCATE with the quotient as a float."},
    {"FROUND", "CL", cl_fround, 1, 2, "number &optional (divisor 1)", "ROUND with the quotient as a float."},
    {"MOD", "CL", cl_mod, 2, 2, "number divisor", "The remainder of (floor number divisor)."},
    {"REM", "CL", cl_rem, 2, 2, "number divisor", "The remainder of (truncate number divisor)."},
    {"FLOAT", "CL", cl_float, 1, 2, "number &optional prototype",
     "Converts NUMBER to a float of PROTOTYPE's format (single-float if absent and NUMBER is rational)."},
    {"RATIONAL", "CL", cl_rational, 1, 1, "number", "The rational exactly equal to the real NUMBER."},
    {"NUMERATOR", "CL", cl_numerator, 1, 1, "rational", "Numerator of RATIONAL in lowest terms."},
    {"DENOMINATOR", "CL", cl_denominator, 1, 1, "rational", "Denominator (positive) of RATIONAL in lowest terms."},
    {0},
};
