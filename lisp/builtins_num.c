/* lisp/builtins_num.c — the arithmetic of CLHS chapter 12 over the kernel's
 * number types: fixnum, ratio (fixnum numerator and denominator, always
 * normalised: gcd 1, denominator > 1), single-float (immediate) and
 * double-float (boxed).  Bignums and complexes are not here yet: a result
 * that does not fit a fixnum goes through num_overflow (one place for the
 * bignum issue to replace), a complex argument or result is a clear error.
 *
 * Invariants: integer arithmetic never wraps (ratio intermediates are
 * computed in __int128, which holds any product of two fixnum-sized
 * values); float contagion follows CLHS 12.1.4.1 (rational op float → that
 * float format; single op double → double); comparisons are exact across
 * types (CLHS 12.1.4.1: the float is compared as the rational it denotes).
 *
 * Shared state: random_state only, atomic (CAS loop; relaxed: it orders
 * nothing else). */
#include "lisp/lisp.h"
#include "lisp/builtins_impl.h"

#include <math.h>
#include <stdatomic.h>

enum NumClass { NC_FIX, NC_RATIO, NC_SINGLE, NC_DOUBLE };

_Noreturn void num_overflow(ThContext *tc, const char *op) {
    cond_error_of_type(tc, S(ARITHMETIC_ERROR),
                       "%s: integer overflow (bignums are not supported yet)", op);
}

static _Noreturn void unsupported(ThContext *tc, LispObj x) {
    if (kind_p(x, KIND_COMPLEX))
        cond_error(tc, "complex numbers are not supported yet: %v", x);
    cond_error(tc, "bignums are not supported yet: %v", x);
}

/* Class of a number; type-error with `expected` (NUMBER, REAL, ...) otherwise. */
static enum NumClass nclass(ThContext *tc, LispObj x, LispObj expected) {
    if (fx_p(x)) return NC_FIX;
    if (single_float_p(x)) return NC_SINGLE;
    if (obj_p(x)) {
        switch (obj_kind(x)) {
        case KIND_RATIO: return NC_RATIO;
        case KIND_DOUBLE_FLOAT: return NC_DOUBLE;
        case KIND_COMPLEX:
        case KIND_BIGNUM: unsupported(tc, x);
        default: break;
        }
    }
    cond_type_error(tc, x, expected);
}

bool num_real_supported_p(LispObj x) {
    return fx_p(x) || single_float_p(x) || ratio_p(x) || double_float_p(x);
}

static enum NumClass class_of(LispObj x) { /* x known supported */
    if (fx_p(x)) return NC_FIX;
    if (single_float_p(x)) return NC_SINGLE;
    return ratio_p(x) ? NC_RATIO : NC_DOUBLE;
}

typedef struct Rat { int64_t n, d; } Rat;
static Rat rat_of(LispObj x) {
    if (fx_p(x)) return (Rat){fx_value(x), 1};
    LispRatio *r = (LispRatio *)obj_words(x);
    return (Rat){fx_value(r->num), fx_value(r->den)};
}

static double to_double(LispObj x) {
    if (fx_p(x)) return (double)fx_value(x);
    if (single_float_p(x)) return (double)single_float_value(x);
    if (double_float_p(x)) return double_float_value(x);
    Rat r = rat_of(x);
    return (double)((long double)r.n / (long double)r.d);
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
    if (d < 0) { n = -n; d = -d; }
    __int128 g = gcd128(n, d);
    if (g > 1) { n /= g; d /= g; }
    if (n < FIXNUM_MIN || n > FIXNUM_MAX || d > FIXNUM_MAX) num_overflow(tc, op);
    if (d == 1) return fx_make((int64_t)n);
    return ratio_make(tc, fx_make((int64_t)n), fx_make((int64_t)d));
}

static LispObj float_make(ThContext *tc, enum NumClass cls, double v) {
    return cls == NC_DOUBLE ? double_float_make(tc, v) : single_float_make((float)v);
}

/* A float result of op on finite operands x and y: overflow and invalid
 * operations are signalled, not returned as infinities and NaNs. */
static LispObj float_result(ThContext *tc, enum NumClass cls, double v, const char *op,
                            double x, double y) {
    double r = cls == NC_DOUBLE ? v : (double)(float)v;
    if (!isfinite(r) && isfinite(x) && isfinite(y)) {
        if (isnan(r))
            cond_error_of_type(tc, S(FLOATING_POINT_INVALID_OPERATION),
                               "%s: invalid floating-point operation", op);
        cond_error_of_type(tc, S(FLOATING_POINT_OVERFLOW), "%s: floating-point overflow", op);
    }
    return float_make(tc, cls, v);
}

static enum NumClass max_class(enum NumClass a, enum NumClass b) { return a > b ? a : b; }

/* ---------------------------------------------------------------- + - * / */

LispObj num_add(ThContext *tc, LispObj a, LispObj b) {
    if (fx_p(a) && fx_p(b)) {
        int64_t r;
        if (__builtin_add_overflow(fx_value(a), fx_value(b), &r) || !fx_in_range(r))
            num_overflow(tc, "+");
        return fx_make(r);
    }
    enum NumClass ca = nclass(tc, a, S(NUMBER)), cb = nclass(tc, b, S(NUMBER));
    if (ca >= NC_SINGLE || cb >= NC_SINGLE) {
        double x = to_double(a), y = to_double(b);
        return float_result(tc, max_class(ca, cb), x + y, "+", x, y);
    }
    Rat x = rat_of(a), y = rat_of(b);
    return num_make_rational(tc, (__int128)x.n * y.d + (__int128)y.n * x.d, (__int128)x.d * y.d, "+");
}

LispObj num_sub(ThContext *tc, LispObj a, LispObj b) {
    if (fx_p(a) && fx_p(b)) {
        int64_t r;
        if (__builtin_sub_overflow(fx_value(a), fx_value(b), &r) || !fx_in_range(r))
            num_overflow(tc, "-");
        return fx_make(r);
    }
    enum NumClass ca = nclass(tc, a, S(NUMBER)), cb = nclass(tc, b, S(NUMBER));
    if (ca >= NC_SINGLE || cb >= NC_SINGLE) {
        double x = to_double(a), y = to_double(b);
        return float_result(tc, max_class(ca, cb), x - y, "-", x, y);
    }
    Rat x = rat_of(a), y = rat_of(b);
    return num_make_rational(tc, (__int128)x.n * y.d - (__int128)y.n * x.d, (__int128)x.d * y.d, "-");
}

LispObj num_mul(ThContext *tc, LispObj a, LispObj b) {
    if (fx_p(a) && fx_p(b)) {
        int64_t r;
        if (__builtin_mul_overflow(fx_value(a), fx_value(b), &r) || !fx_in_range(r))
            num_overflow(tc, "*");
        return fx_make(r);
    }
    enum NumClass ca = nclass(tc, a, S(NUMBER)), cb = nclass(tc, b, S(NUMBER));
    if (ca >= NC_SINGLE || cb >= NC_SINGLE) {
        double x = to_double(a), y = to_double(b);
        return float_result(tc, max_class(ca, cb), x * y, "*", x, y);
    }
    Rat x = rat_of(a), y = rat_of(b);
    return num_make_rational(tc, (__int128)x.n * y.n, (__int128)x.d * y.d, "*");
}

static bool zero_p(LispObj x) {
    if (fx_p(x)) return x == fx_make(0);
    if (single_float_p(x)) return single_float_value(x) == 0.0f;
    if (double_float_p(x)) return double_float_value(x) == 0.0;
    return false; /* ratios are never zero */
}

LispObj num_div(ThContext *tc, LispObj a, LispObj b) {
    enum NumClass ca = nclass(tc, a, S(NUMBER)), cb = nclass(tc, b, S(NUMBER));
    if (zero_p(b)) cond_division_by_zero(tc, S(SLASH), lisp_list(tc, 2, a, b));
    if (ca >= NC_SINGLE || cb >= NC_SINGLE) {
        double x = to_double(a), y = to_double(b);
        return float_result(tc, max_class(ca, cb), x / y, "/", x, y);
    }
    Rat x = rat_of(a), y = rat_of(b);
    return num_make_rational(tc, (__int128)x.n * y.d, (__int128)x.d * y.n, "/");
}

static LispObj cl_plus(ThContext *tc, size_t nargs, LispObj *args) {
    if (nargs == 0) return fx_make(0);
    LispObj r = args[0];
    nclass(tc, r, S(NUMBER));
    for (size_t i = 1; i < nargs; i++) r = num_add(tc, r, args[i]);
    return r;
}

static LispObj negate(ThContext *tc, LispObj x) {
    switch (nclass(tc, x, S(NUMBER))) {
    case NC_SINGLE: return single_float_make(-single_float_value(x));
    case NC_DOUBLE: return double_float_make(tc, -double_float_value(x));
    default: return num_sub(tc, fx_make(0), x);
    }
}

static LispObj cl_minus(ThContext *tc, size_t nargs, LispObj *args) {
    if (nargs == 1) return negate(tc, args[0]);
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

/* sign(r - d), or 2 if d is NaN. */
static int cmp_rat_double(Rat r, double d) {
    if (isnan(d)) return 2;
    if (isinf(d)) return d > 0 ? -1 : 1;
    int sr = (r.n > 0) - (r.n < 0), sd = (d > 0) - (d < 0);
    if (sr != sd) return sr < sd ? -1 : 1;
    if (sr == 0) return 0;
    uint64_t an = r.n < 0 ? (uint64_t)0 - (uint64_t)r.n : (uint64_t)r.n;
    int mag = cmp_mag(an, (uint64_t)r.d, fabs(d));
    return sr > 0 ? mag : -mag;
}

int num_compare(LispObj a, LispObj b) {
    if (fx_p(a) && fx_p(b)) return (fx_value(a) > fx_value(b)) - (fx_value(a) < fx_value(b));
    enum NumClass ca = class_of(a), cb = class_of(b);
    if (ca <= NC_RATIO && cb <= NC_RATIO) {
        Rat x = rat_of(a), y = rat_of(b);
        __int128 l = (__int128)x.n * y.d, r = (__int128)y.n * x.d;
        return (l > r) - (l < r);
    }
    if (ca >= NC_SINGLE && cb >= NC_SINGLE) {
        double x = to_double(a), y = to_double(b);
        if (isnan(x) || isnan(y)) return 2;
        return (x > y) - (x < y);
    }
    if (ca >= NC_SINGLE) {
        int c = cmp_rat_double(rat_of(b), to_double(a));
        return c == 2 ? 2 : -c;
    }
    return cmp_rat_double(rat_of(a), to_double(b));
}

int num_sign(ThContext *tc, LispObj x) {
    enum NumClass c = nclass(tc, x, S(REAL));
    if (c <= NC_RATIO) {
        int64_t n = rat_of(x).n;
        return (n > 0) - (n < 0);
    }
    double d = to_double(x);
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
    for (size_t i = 0; i + 1 < nargs; i++)
        if (!cmp_holds(num_compare(args[i], args[i + 1]), op)) return NIL;
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
            if (num_compare(args[i], args[j]) == 0) return NIL;
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
    default: return num_sign(tc, x) < 0 ? num_sub(tc, fx_make(0), x) : x;
    }
}

static LispObj cl_signum(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj x = args[0];
    enum NumClass c = nclass(tc, x, S(NUMBER));
    if (c <= NC_RATIO) return fx_make(num_sign(tc, x));
    double d = to_double(x);
    if (d == 0 || isnan(d)) return x;
    return float_make(tc, c, d > 0 ? 1.0 : -1.0);
}

/* ---------------------------------------------------------------- division with rounding */

enum Rounding { R_FLOOR, R_CEILING, R_TRUNCATE, R_ROUND };
static const char *const rounding_names[] = {"FLOOR", "CEILING", "TRUNCATE", "ROUND"};

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

static double round_double(double q, enum Rounding mode) {
    switch (mode) {
    case R_FLOOR: return floor(q);
    case R_CEILING: return ceil(q);
    case R_TRUNCATE: return trunc(q);
    default: return nearbyint(q); /* default rounding mode: to nearest, ties to even */
    }
}

/* Quotient and remainder of a/b under mode (CLHS floor/ceiling/truncate/round). */
static void divide(ThContext *tc, LispObj a, LispObj b, enum Rounding mode, LispObj *quot,
                   LispObj *rem) {
    const char *op = rounding_names[mode];
    enum NumClass ca = nclass(tc, a, S(REAL)), cb = nclass(tc, b, S(REAL));
    if (zero_p(b))
        cond_division_by_zero(tc, pkg_intern_cstr(tc, op, pkg_common_lisp), lisp_list(tc, 2, a, b));
    if (ca <= NC_RATIO && cb <= NC_RATIO) {
        Rat x = rat_of(a), y = rat_of(b);
        __int128 n = (__int128)x.n * y.d, d = (__int128)x.d * y.n; /* a/b = n/d */
        __int128 sn = d < 0 ? -n : n, sd = d < 0 ? -d : d;
        __int128 q = round_quotient(sn, sd, mode);
        if (q < FIXNUM_MIN || q > FIXNUM_MAX) num_overflow(tc, op);
        *quot = fx_make((int64_t)q);
        /* a - q*b = (n - q*d) / (x.d * y.d); |n - q*d| <= |d| */
        *rem = num_make_rational(tc, n - q * d, (__int128)x.d * y.d, op);
        return;
    }
    double x = to_double(a), y = to_double(b);
    double q = round_double(x / y, mode);
    if (!isfinite(q) || q < (double)FIXNUM_MIN || q >= -(double)FIXNUM_MIN) num_overflow(tc, op);
    *quot = fx_make((int64_t)q);
    *rem = float_make(tc, max_class(ca, cb), fma(-q, y, x));
}

static LispObj divide_values(ThContext *tc, size_t nargs, LispObj *args, enum Rounding mode) {
    LispObj v[2];
    divide(tc, args[0], nargs > 1 ? args[1] : fx_make(1), mode, &v[0], &v[1]);
    return vm_values(tc, 2, v);
}
static LispObj cl_floor(ThContext *tc, size_t nargs, LispObj *args) {
    return divide_values(tc, nargs, args, R_FLOOR);
}
static LispObj cl_ceiling(ThContext *tc, size_t nargs, LispObj *args) {
    return divide_values(tc, nargs, args, R_CEILING);
}
static LispObj cl_truncate(ThContext *tc, size_t nargs, LispObj *args) {
    return divide_values(tc, nargs, args, R_TRUNCATE);
}
static LispObj cl_round(ThContext *tc, size_t nargs, LispObj *args) {
    return divide_values(tc, nargs, args, R_ROUND);
}
static LispObj cl_mod(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj q, r;
    divide(tc, args[0], args[1], R_FLOOR, &q, &r);
    return r;
}
static LispObj cl_rem(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj q, r;
    divide(tc, args[0], args[1], R_TRUNCATE, &q, &r);
    return r;
}

/* ---------------------------------------------------------------- integers */

static int64_t int_arg(ThContext *tc, LispObj x) {
    if (fx_p(x)) return fx_value(x);
    if (kind_p(x, KIND_BIGNUM)) unsupported(tc, x);
    cond_type_error(tc, x, S(INTEGER));
}

static int64_t gcd64(int64_t a, int64_t b) { return (int64_t)gcd128(a, b); }

static LispObj cl_gcd(ThContext *tc, size_t nargs, LispObj *args) {
    int64_t g = 0;
    for (size_t i = 0; i < nargs; i++) g = gcd64(g, int_arg(tc, args[i]));
    if (!fx_in_range(g)) num_overflow(tc, "GCD");
    return fx_make(g);
}

static LispObj cl_lcm(ThContext *tc, size_t nargs, LispObj *args) {
    int64_t l = 1;
    for (size_t i = 0; i < nargs; i++) int_arg(tc, args[i]);
    for (size_t i = 0; i < nargs; i++) {
        int64_t x = int_arg(tc, args[i]);
        if (x == 0) return fx_make(0);
        if (x < 0) x = -x;
        int64_t r;
        if (__builtin_mul_overflow(l / gcd64(l, x), x, &r) || !fx_in_range(r)) num_overflow(tc, "LCM");
        l = r;
    }
    return fx_make(l);
}

static LispObj cl_ash(ThContext *tc, size_t nargs, LispObj *args) {
    int64_t n = int_arg(tc, args[0]), c = int_arg(tc, args[1]);
    if (n == 0 || c == 0) return fx_make(n);
    if (c < 0) return fx_make(c <= -63 ? (n < 0 ? -1 : 0) : n >> -c);
    if (c >= FIXNUM_BITS) num_overflow(tc, "ASH");
    __int128 r = (__int128)n * ((__int128)1 << c); /* no UB for negative n */
    if (r < FIXNUM_MIN || r > FIXNUM_MAX) num_overflow(tc, "ASH");
    return fx_make((int64_t)r);
}

static LispObj logop(ThContext *tc, size_t nargs, LispObj *args, int64_t init, int which) {
    int64_t r = init;
    for (size_t i = 0; i < nargs; i++) {
        int64_t x = int_arg(tc, args[i]);
        r = which == 0 ? (r & x) : which == 1 ? (r | x) : (r ^ x);
    }
    return fx_make(r);
}
static LispObj cl_logand(ThContext *tc, size_t nargs, LispObj *args) { return logop(tc, nargs, args, -1, 0); }
static LispObj cl_logior(ThContext *tc, size_t nargs, LispObj *args) { return logop(tc, nargs, args, 0, 1); }
static LispObj cl_logxor(ThContext *tc, size_t nargs, LispObj *args) { return logop(tc, nargs, args, 0, 2); }
static LispObj cl_lognot(ThContext *tc, size_t nargs, LispObj *args) { return fx_make(~int_arg(tc, args[0])); }

static LispObj cl_logbitp(ThContext *tc, size_t nargs, LispObj *args) {
    size_t i = bi_nonneg(tc, args[0]);
    int64_t n = int_arg(tc, args[1]);
    return ((i >= 63 ? n < 0 : ((n >> i) & 1) != 0)) ? T : NIL;
}

static LispObj cl_integer_length(ThContext *tc, size_t nargs, LispObj *args) {
    int64_t n = int_arg(tc, args[0]);
    uint64_t u = n < 0 ? ~(uint64_t)n : (uint64_t)n;
    return fx_make(u == 0 ? 0 : 64 - __builtin_clzll(u));
}

static LispObj cl_isqrt(ThContext *tc, size_t nargs, LispObj *args) {
    int64_t n = int_arg(tc, args[0]);
    if (n < 0) cond_type_error(tc, args[0], lisp_list(tc, 3, S(INTEGER), fx_make(0), S(STAR)));
    int64_t r = (int64_t)sqrtl((long double)n);
    while (r * r > n) r--;
    while ((r + 1) * (r + 1) <= n) r++;
    return fx_make(r);
}

/* ---------------------------------------------------------------- EXPT */

/* base^p for p >= 0, exactly; a result beyond fixnums → num_overflow. */
static int64_t ipow(ThContext *tc, int64_t base, int64_t p) {
    if (p == 0 || base == 1) return 1;
    if (base == 0) return 0;
    if (base == -1) return (p & 1) ? -1 : 1;
    if (p >= FIXNUM_BITS) num_overflow(tc, "EXPT");
    int64_t r = 1;
    for (int64_t i = 0; i < p; i++)
        if (__builtin_mul_overflow(r, base, &r) || !fx_in_range(r)) num_overflow(tc, "EXPT");
    return r;
}

static LispObj expt_rational(ThContext *tc, LispObj base, int64_t p) {
    Rat r = rat_of(base);
    if (p < 0) {
        if (r.n == 0) cond_division_by_zero(tc, pkg_intern_cstr(tc, "EXPT", pkg_common_lisp),
                                            lisp_list(tc, 2, base, fx_make(p)));
        int64_t t = r.n; r.n = r.d; r.d = t;
        if (r.d < 0) { r.n = -r.n; r.d = -r.d; }
        if (p == INT64_MIN) num_overflow(tc, "EXPT");
        p = -p;
    }
    return num_make_rational(tc, ipow(tc, r.n, p), ipow(tc, r.d, p), "EXPT");
}

static LispObj cl_expt(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj base = args[0], power = args[1];
    enum NumClass cb = nclass(tc, base, S(NUMBER)), cp = nclass(tc, power, S(NUMBER));
    if (cp == NC_FIX) {
        if (cb <= NC_RATIO) return expt_rational(tc, base, fx_value(power));
        double x = to_double(base);
        if (x == 0 && fx_value(power) < 0)
            cond_division_by_zero(tc, pkg_intern_cstr(tc, "EXPT", pkg_common_lisp),
                                  lisp_list(tc, 2, base, power));
        return float_result(tc, cb, pow(x, (double)fx_value(power)), "EXPT", x, 0);
    }
    enum NumClass cls = max_class(max_class(cb, cp), NC_SINGLE);
    double x = to_double(base), y = to_double(power);
    if (y == 0) return float_make(tc, cls, 1.0);
    if (x < 0) cond_error(tc, "EXPT: complex results are not supported yet: (expt %v %v)", base, power);
    if (x == 0) {
        if (y > 0) return float_make(tc, cls, 0.0);
        cond_division_by_zero(tc, pkg_intern_cstr(tc, "EXPT", pkg_common_lisp), lisp_list(tc, 2, base, power));
    }
    return float_result(tc, cls, pow(x, y), "EXPT", x, y);
}

/* ---------------------------------------------------------------- transcendental */

/* Float argument of a transcendental function: rationals become single-floats. */
static double float_arg(ThContext *tc, LispObj x, enum NumClass *cls) {
    enum NumClass c = nclass(tc, x, S(NUMBER));
    *cls = c == NC_DOUBLE ? NC_DOUBLE : NC_SINGLE;
    return to_double(x);
}

static LispObj float_fn(ThContext *tc, LispObj x, double (*f)(double), const char *op) {
    enum NumClass cls;
    double d = float_arg(tc, x, &cls);
    return float_result(tc, cls, f(d), op, d, 0);
}

static LispObj cl_sqrt(ThContext *tc, size_t nargs, LispObj *args) {
    enum NumClass cls;
    double d = float_arg(tc, args[0], &cls);
    if (d < 0) cond_error(tc, "SQRT: complex results are not supported yet: (sqrt %v)", args[0]);
    return float_make(tc, cls, sqrt(d));
}
static LispObj cl_exp(ThContext *tc, size_t nargs, LispObj *args) { return float_fn(tc, args[0], exp, "EXP"); }
static LispObj cl_sin(ThContext *tc, size_t nargs, LispObj *args) { return float_fn(tc, args[0], sin, "SIN"); }
static LispObj cl_cos(ThContext *tc, size_t nargs, LispObj *args) { return float_fn(tc, args[0], cos, "COS"); }
static LispObj cl_tan(ThContext *tc, size_t nargs, LispObj *args) { return float_fn(tc, args[0], tan, "TAN"); }

static LispObj cl_atan(ThContext *tc, size_t nargs, LispObj *args) {
    if (nargs == 1) return float_fn(tc, args[0], atan, "ATAN");
    enum NumClass c1, c2;
    double y = float_arg(tc, args[0], &c1), x = float_arg(tc, args[1], &c2);
    nclass(tc, args[0], S(REAL));
    nclass(tc, args[1], S(REAL));
    return float_make(tc, max_class(c1, c2), atan2(y, x));
}

static double log_of(ThContext *tc, LispObj x, enum NumClass *cls) {
    double d = float_arg(tc, x, cls);
    if (d == 0) cond_division_by_zero(tc, pkg_intern_cstr(tc, "LOG", pkg_common_lisp), lisp_list(tc, 1, x));
    if (d < 0) cond_error(tc, "LOG: complex results are not supported yet: (log %v)", x);
    return log(d);
}

static LispObj cl_log(ThContext *tc, size_t nargs, LispObj *args) {
    enum NumClass c1, c2;
    double l = log_of(tc, args[0], &c1);
    if (nargs == 1) return float_make(tc, c1, l);
    double lb = log_of(tc, args[1], &c2);
    if (lb == 0) cond_division_by_zero(tc, pkg_intern_cstr(tc, "LOG", pkg_common_lisp),
                                       lisp_list(tc, 2, args[0], args[1]));
    return float_make(tc, max_class(c1, c2), l / lb);
}

/* ---------------------------------------------------------------- conversion */

static LispObj cl_float(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj x = args[0];
    enum NumClass c = nclass(tc, x, S(REAL));
    if (nargs > 1) {
        enum NumClass pc = nclass(tc, args[1], S(FLOAT));
        if (pc < NC_SINGLE) cond_type_error(tc, args[1], S(FLOAT));
        if (pc == c) return x;
        return float_make(tc, pc, to_double(x));
    }
    if (c >= NC_SINGLE) return x;
    return float_make(tc, NC_SINGLE, to_double(x));
}

static LispObj cl_numerator(ThContext *tc, size_t nargs, LispObj *args) {
    if (nclass(tc, args[0], S(RATIONAL)) > NC_RATIO) cond_type_error(tc, args[0], S(RATIONAL));
    return fx_make(rat_of(args[0]).n);
}
static LispObj cl_denominator(ThContext *tc, size_t nargs, LispObj *args) {
    if (nclass(tc, args[0], S(RATIONAL)) > NC_RATIO) cond_type_error(tc, args[0], S(RATIONAL));
    return fx_make(rat_of(args[0]).d);
}

/* ---------------------------------------------------------------- RANDOM */

/* atomic, relaxed: xorshift64* state shared by all threads (CAS loop keeps
 * each draw distinct; the value orders no other memory). */
static _Atomic uint64_t random_state = UINT64_C(0x853c49e6748fea9b);

static uint64_t random_next(void) {
    uint64_t old = atomic_load_explicit(&random_state, memory_order_relaxed), x;
    do {
        x = old;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
    } while (!atomic_compare_exchange_weak_explicit(&random_state, &old, x, memory_order_relaxed,
                                                    memory_order_relaxed));
    return x * UINT64_C(0x2545F4914F6CDD1D);
}

static LispObj cl_random(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj limit = args[0];
    LispObj expected = lisp_list(tc, 3, S(OR), lisp_list(tc, 2, S(INTEGER), fx_make(1)),
                                 lisp_list(tc, 2, S(FLOAT), lisp_list(tc, 1, fx_make(0))));
    if (!num_real_supported_p(limit) || ratio_p(limit) || num_sign(tc, limit) <= 0)
        cond_type_error(tc, limit, expected);
    if (fx_p(limit)) {
        uint64_t n = (uint64_t)fx_value(limit), bound = UINT64_MAX - UINT64_MAX % n, r;
        do r = random_next(); while (r >= bound);
        return fx_make((int64_t)(r % n));
    }
    for (;;) {
        if (single_float_p(limit)) {
            float f = (float)(random_next() >> 40) * 0x1p-24f * single_float_value(limit);
            if (f < single_float_value(limit)) return single_float_make(f);
        } else {
            double d = (double)(random_next() >> 11) * 0x1p-53 * double_float_value(limit);
            if (d < double_float_value(limit)) return double_float_make(tc, d);
        }
    }
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
    {"MOD", "CL", cl_mod, 2, 2, "number divisor", "The remainder of (floor number divisor)."},
    {"REM", "CL", cl_rem, 2, 2, "number divisor", "The remainder of (truncate number divisor)."},
    {"GCD", "CL", cl_gcd, 0, BUILTIN_REST, "&rest integers", "Greatest common divisor of INTEGERS (0 if none)."},
    {"LCM", "CL", cl_lcm, 0, BUILTIN_REST, "&rest integers", "Least common multiple of INTEGERS (1 if none)."},
    {"ASH", "CL", cl_ash, 2, 2, "integer count", "Shifts INTEGER left by COUNT bits (right if COUNT is negative)."},
    {"LOGAND", "CL", cl_logand, 0, BUILTIN_REST, "&rest integers", "Bitwise and of INTEGERS (-1 if none)."},
    {"LOGIOR", "CL", cl_logior, 0, BUILTIN_REST, "&rest integers", "Bitwise inclusive or of INTEGERS (0 if none)."},
    {"LOGXOR", "CL", cl_logxor, 0, BUILTIN_REST, "&rest integers", "Bitwise exclusive or of INTEGERS (0 if none)."},
    {"LOGNOT", "CL", cl_lognot, 1, 1, "integer", "Bitwise complement of INTEGER."},
    {"LOGBITP", "CL", cl_logbitp, 2, 2, "index integer", "True if bit INDEX of INTEGER (two's complement) is 1."},
    {"INTEGER-LENGTH", "CL", cl_integer_length, 1, 1, "integer",
     "Number of bits needed to represent INTEGER in two's complement, sign excluded."},
    {"ISQRT", "CL", cl_isqrt, 1, 1, "natural", "Greatest integer whose square is at most NATURAL."},
    {"EXPT", "CL", cl_expt, 2, 2, "base power",
     "BASE raised to POWER: exact for rational BASE and integer POWER."},
    {"SQRT", "CL", cl_sqrt, 1, 1, "number", "Principal square root of NUMBER (a float)."},
    {"EXP", "CL", cl_exp, 1, 1, "number", "e raised to NUMBER."},
    {"LOG", "CL", cl_log, 1, 2, "number &optional base", "Logarithm of NUMBER in BASE (default e)."},
    {"SIN", "CL", cl_sin, 1, 1, "radians", "Sine of RADIANS."},
    {"COS", "CL", cl_cos, 1, 1, "radians", "Cosine of RADIANS."},
    {"TAN", "CL", cl_tan, 1, 1, "radians", "Tangent of RADIANS."},
    {"ATAN", "CL", cl_atan, 1, 2, "number1 &optional number2",
     "Arc tangent of NUMBER1, or of NUMBER1/NUMBER2 using both signs for the quadrant."},
    {"FLOAT", "CL", cl_float, 1, 2, "number &optional prototype",
     "Converts NUMBER to a float of PROTOTYPE's format (single-float if absent and NUMBER is rational)."},
    {"NUMERATOR", "CL", cl_numerator, 1, 1, "rational", "Numerator of RATIONAL in lowest terms."},
    {"DENOMINATOR", "CL", cl_denominator, 1, 1, "rational", "Denominator (positive) of RATIONAL in lowest terms."},
    {"RANDOM", "CL", cl_random, 1, 2, "limit &optional random-state",
     "A pseudo-random number of LIMIT's type in [0, LIMIT)."},
    {0},
};
