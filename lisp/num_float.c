/* lisp/num_float.c — the float decomposition functions of CLHS 12.2:
 * DECODE-FLOAT INTEGER-DECODE-FLOAT SCALE-FLOAT FLOAT-RADIX FLOAT-SIGN
 * FLOAT-DIGITS FLOAT-PRECISION.  Single-floats are IEEE binary32 (24
 * digits), double-floats binary64 (53); the radix is 2.
 *
 * Shared state: none. */
#include "lisp/lisp.h"
#include "lisp/builtins_impl.h"
#include "lisp/num_impl.h"

#include <math.h>

static double float_arg(ThContext *tc, LispObj x, bool *dbl) {
    if (single_float_p(x)) { *dbl = false; return single_float_value(x); }
    if (double_float_p(x)) { *dbl = true; return double_float_value(x); }
    cond_type_error(tc, x, S(FLOAT));
}

static LispObj make_float(ThContext *tc, bool dbl, double v) {
    return dbl ? double_float_make(tc, v) : single_float_make((float)v);
}

static int digits_of(bool dbl) { return dbl ? 53 : 24; }

static LispObj cl_decode_float(ThContext *tc, size_t nargs, LispObj *args) {
    bool dbl;
    double d = float_arg(tc, args[0], &dbl);
    if (!isfinite(d)) cond_type_error(tc, args[0], S(FLOAT));
    int e = 0;
    double m = d == 0 ? 0.0 : frexp(fabs(d), &e);
    LispObj v[3] = {make_float(tc, dbl, m), fx_make(e), make_float(tc, dbl, signbit(d) ? -1.0 : 1.0)};
    return vm_values(tc, 3, v);
}

static LispObj cl_integer_decode_float(ThContext *tc, size_t nargs, LispObj *args) {
    bool dbl;
    double d = float_arg(tc, args[0], &dbl);
    if (!isfinite(d)) cond_type_error(tc, args[0], S(FLOAT));
    int e = 0, p = digits_of(dbl);
    int64_t m = 0;
    if (d != 0) {
        double f = frexp(fabs(d), &e);
        m = (int64_t)ldexp(f, p);
        e -= p;
        int least = dbl ? -1074 : -149; /* exponent of the least denormal */
        if (e < least) { /* a denormal: its significand has fewer digits */
            m >>= least - e;
            e = least;
        }
    }
    LispObj v[3] = {fx_make(m), fx_make(e), fx_make(signbit(d) ? -1 : 1)};
    return vm_values(tc, 3, v);
}

static LispObj cl_scale_float(ThContext *tc, size_t nargs, LispObj *args) {
    bool dbl;
    double d = float_arg(tc, args[0], &dbl);
    LispObj k = args[1];
    if (!integer_p(k)) cond_type_error(tc, k, S(INTEGER));
    int64_t n;
    if (!int_to_i64(k, &n)) n = int_sign(k) < 0 ? -100000 : 100000;
    if (n > 100000) n = 100000;
    if (n < -100000) n = -100000;
    double r = ldexp(d, (int)n);
    double rr = dbl ? r : (double)(float)r;
    if (isinf(rr) && isfinite(d))
        num_float_trap(tc, S(FLOATING_POINT_OVERFLOW), "SCALE-FLOAT", lisp_list(tc, 2, args[0], k));
    return make_float(tc, dbl, r);
}

static LispObj cl_float_radix(ThContext *tc, size_t nargs, LispObj *args) {
    bool dbl;
    float_arg(tc, args[0], &dbl);
    return fx_make(2);
}

static LispObj cl_float_sign(ThContext *tc, size_t nargs, LispObj *args) {
    bool dbl, dbl2;
    double x = float_arg(tc, args[0], &dbl);
    double y = nargs > 1 ? float_arg(tc, args[1], &dbl2) : 1.0;
    if (nargs < 2) dbl2 = dbl;
    return make_float(tc, dbl2, copysign(fabs(y), x));
}

static LispObj cl_float_digits(ThContext *tc, size_t nargs, LispObj *args) {
    bool dbl;
    float_arg(tc, args[0], &dbl);
    return fx_make(digits_of(dbl));
}

static LispObj cl_float_precision(ThContext *tc, size_t nargs, LispObj *args) {
    bool dbl;
    double d = float_arg(tc, args[0], &dbl);
    if (d == 0) return fx_make(0);
    int e;
    frexp(fabs(d), &e);
    int min_exp = dbl ? -1021 : -125; /* frexp exponent of the least normalised float */
    int p = digits_of(dbl);
    if (e < min_exp) p -= min_exp - e;
    return fx_make(p);
}

const BuiltinSpec builtins_num_float[] = {
    {"DECODE-FLOAT", "CL", cl_decode_float, 1, 1, "float",
     "Significand in [1/2, 1), exponent and sign (a float) of FLOAT."},
    {"INTEGER-DECODE-FLOAT", "CL", cl_integer_decode_float, 1, 1, "float",
     "Integer significand, exponent and sign (-1 or 1) of FLOAT."},
    {"SCALE-FLOAT", "CL", cl_scale_float, 2, 2, "float integer", "FLOAT times 2 to the power INTEGER."},
    {"FLOAT-RADIX", "CL", cl_float_radix, 1, 1, "float", "The radix of FLOAT's representation: 2."},
    {"FLOAT-SIGN", "CL", cl_float_sign, 1, 2, "float-1 &optional float-2",
     "A float with FLOAT-1's sign and FLOAT-2's magnitude (default 1)."},
    {"FLOAT-DIGITS", "CL", cl_float_digits, 1, 1, "float", "Number of radix digits of FLOAT's format."},
    {"FLOAT-PRECISION", "CL", cl_float_precision, 1, 1, "float",
     "Number of significant radix digits in FLOAT (fewer for denormals, 0 for zero)."},
    {0},
};
