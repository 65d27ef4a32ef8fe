/* lisp/num_trans.c — EXPT and the irrational and transcendental functions
 * of CLHS 12.2 (EXP LOG SQRT, trigonometric and hyperbolic functions and
 * their inverses), over reals and complexes.
 *
 * A real argument inside the function's real domain gives a real result
 * (libm); outside it, or for a complex argument, the result is complex,
 * computed with C99 <complex.h>, whose branch cuts are the ones CLHS
 * 12.2 (after Kahan) prescribes.  Rationals become single-floats (CLHS
 * 12.1.3.3); the result format is double when any argument part is a
 * double.  EXPT of a rational to an integer power is exact.
 *
 * Shared state: none. */
#include "lisp/lisp.h"
#include "lisp/builtins_impl.h"
#include "lisp/num_impl.h"

#include <complex.h>
#include <math.h>

static LispObj cl_sym(ThContext *tc, const char *name) { return pkg_intern_cstr(tc, name, pkg_common_lisp); }

static bool double_format_p(LispObj x) {
    if (complex_p(x)) return double_float_p(cx_real(x));
    return double_float_p(x);
}

static LispObj number_arg(ThContext *tc, LispObj x) {
    if (!number_p(x)) cond_type_error(tc, x, S(NUMBER));
    return x;
}

static LispObj make_float(ThContext *tc, bool dbl, double v) {
    return dbl ? double_float_make(tc, v) : single_float_make((float)v);
}

/* re + i im without the arithmetic (which would turn an infinite part into
 * NaNs); CMPLX is missing under clang, so through the array layout C11
 * guarantees for complex types. */
static double complex make_c(double re, double im) {
    double parts[2] = {re, im};
    double complex z;
    memcpy(&z, parts, sizeof z);
    return z;
}

/* A real argument as a double; a rational too large for the result's
 * float format signals floating-point-overflow (CLHS 12.1.3.3 converts it
 * to a float first). */
static double arg_double(ThContext *tc, LispObj x, bool dbl, const char *op) {
    double d = num_to_double(tc, x);
    if (!float_p(x) && (isinf(d) || (!dbl && isinf((float)d))))
        num_float_trap(tc, S(FLOATING_POINT_OVERFLOW), op, lisp_list(tc, 1, x));
    return d;
}

static double complex to_c(ThContext *tc, LispObj x) {
    if (complex_p(x)) return make_c(num_to_double(tc, cx_real(x)), num_to_double(tc, cx_imag(x)));
    return make_c(num_to_double(tc, x), 0.0);
}

static LispObj from_c(ThContext *tc, double complex z, bool dbl) {
    LispObj re = make_float(tc, dbl, creal(z));
    LispObj im = make_float(tc, dbl, cimag(z));
    return num_make_complex(tc, re, im);
}

/* Real result of a real function, signalling overflow of finite input. */
static LispObj real_result(ThContext *tc, double v, bool dbl, const char *op, LispObj x) {
    double r = dbl ? v : (double)(float)v;
    if (isinf(r)) num_float_trap(tc, S(FLOATING_POINT_OVERFLOW), op, lisp_list(tc, 1, x));
    return make_float(tc, dbl, v);
}

/* One function of one argument: real f on [lo, hi] (inclusive), complex g
 * elsewhere and on complex arguments.  A real argument outside [lo, hi]
 * lies on a branch cut; cut_iv: the cut right of hi is continuous with
 * quadrant IV (and left of lo with quadrant II), so the argument gets an
 * imaginary part of -0.0 on the right (ASIN, ACOS: CLHS 12.2); otherwise
 * +0.0 everywhere (quadrants I/II: LOG, SQRT, ACOSH, ATANH). */
typedef struct Fn1 {
    const char *name;
    double (*f)(double);
    double complex (*g)(double complex);
    double lo, hi;
    bool cut_iv;
} Fn1;

static LispObj apply1(ThContext *tc, const Fn1 *fn, LispObj x) {
    number_arg(tc, x);
    bool dbl = double_format_p(x);
    if (!complex_p(x)) {
        double d = arg_double(tc, x, dbl, fn->name);
        if (isnan(d) || (d >= fn->lo && d <= fn->hi)) return real_result(tc, fn->f(d), dbl, fn->name, x);
        return from_c(tc, fn->g(make_c(d, fn->cut_iv && d > fn->hi ? -0.0 : 0.0)), dbl);
    }
    return from_c(tc, fn->g(to_c(tc, x)), dbl);
}

#define FN1(cname, lname, f, g, lo, hi, cut_iv)                                     \
    static LispObj cname(ThContext *tc, size_t nargs, LispObj *args) {              \
        static const Fn1 fn = {lname, f, g, lo, hi, cut_iv};                        \
        return apply1(tc, &fn, args[0]);                                            \
    }
FN1(cl_exp, "EXP", exp, cexp, -INFINITY, INFINITY, false)
FN1(cl_sin, "SIN", sin, csin, -INFINITY, INFINITY, false)
FN1(cl_cos, "COS", cos, ccos, -INFINITY, INFINITY, false)
FN1(cl_tan, "TAN", tan, ctan, -INFINITY, INFINITY, false)
FN1(cl_asin, "ASIN", asin, casin, -1, 1, true)
FN1(cl_acos, "ACOS", acos, cacos, -1, 1, true)
FN1(cl_sinh, "SINH", sinh, csinh, -INFINITY, INFINITY, false)
FN1(cl_cosh, "COSH", cosh, ccosh, -INFINITY, INFINITY, false)
FN1(cl_tanh, "TANH", tanh, ctanh, -INFINITY, INFINITY, false)
FN1(cl_asinh, "ASINH", asinh, casinh, -INFINITY, INFINITY, false)
FN1(cl_acosh, "ACOSH", acosh, cacosh, 1, INFINITY, false)
#undef FN1

static LispObj cl_sqrt(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj x = number_arg(tc, args[0]);
    bool dbl = double_format_p(x);
    if (complex_p(x)) return from_c(tc, csqrt(to_c(tc, x)), dbl);
    double d = arg_double(tc, x, dbl, "SQRT");
    if (d >= 0 || isnan(d) || (float_p(x) && d == 0)) return make_float(tc, dbl, sqrt(d));
    /* a negative real: the principal root is i * sqrt(-x) */
    return num_make_complex(tc, make_float(tc, dbl, 0.0), make_float(tc, dbl, sqrt(-d)));
}

static LispObj cl_atanh(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj x = number_arg(tc, args[0]);
    bool dbl = double_format_p(x);
    if (!complex_p(x)) {
        double d = num_to_double(tc, x);
        if (d == 1 || d == -1) cond_division_by_zero(tc, cl_sym(tc, "ATANH"), lisp_list(tc, 1, x));
        if (d > -1 && d < 1) return make_float(tc, dbl, atanh(d));
    }
    return from_c(tc, catanh(to_c(tc, x)), dbl);
}

static LispObj cl_atan(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj y = number_arg(tc, args[0]);
    if (nargs == 1) {
        bool dbl = double_format_p(y);
        if (complex_p(y)) return from_c(tc, catan(to_c(tc, y)), dbl);
        return make_float(tc, dbl, atan(num_to_double(tc, y)));
    }
    LispObj x = args[1];
    if (!real_p(y)) cond_type_error(tc, y, S(REAL));
    if (!real_p(x)) cond_type_error(tc, x, S(REAL));
    bool dbl = double_float_p(x) || double_float_p(y);
    return make_float(tc, dbl, atan2(num_to_double(tc, y), num_to_double(tc, x)));
}

/* ---------------------------------------------------------------- LOG */

/* Natural log of a positive real that may lie beyond the double range. */
static double log_positive(ThContext *tc, LispObj x) {
    if (integer_p(x) || ratio_p(x)) {
        LispObj n = ratio_p(x) ? ((LispRatio *)obj_words(x))->num : x;
        LispObj d = ratio_p(x) ? ((LispRatio *)obj_words(x))->den : fx_make(1);
        int64_t ln = (int64_t)int_bit_length(n), ld = (int64_t)int_bit_length(d);
        if (ln > 1000 || ld > 1000) { /* scale both down to 64 significant bits */
            double a = int_to_double(n, -(ln - 64)), b = int_to_double(d, -(ld - 64));
            return log(a) - log(b) + (double)((ln - 64) - (ld - 64)) * M_LN2;
        }
    }
    return log(num_to_double(tc, x));
}

/* (log x) in x's float format, or in double when force_dbl. */
static LispObj log1(ThContext *tc, LispObj x, bool force_dbl) {
    number_arg(tc, x);
    bool dbl = force_dbl || double_format_p(x);
    if (complex_p(x)) return from_c(tc, clog(to_c(tc, x)), dbl);
    if (num_zero_p(x) && !float_p(x)) cond_division_by_zero(tc, cl_sym(tc, "LOG"), lisp_list(tc, 1, x));
    if (num_sign(tc, x) > 0) return make_float(tc, dbl, log_positive(tc, x));
    double d = num_to_double(tc, x);
    if (d == 0) cond_division_by_zero(tc, cl_sym(tc, "LOG"), lisp_list(tc, 1, x));
    /* negative real: log|x| + i pi */
    LispObj mag = num_negate(tc, x);
    return num_make_complex(tc, make_float(tc, dbl, log_positive(tc, mag)), make_float(tc, dbl, M_PI));
}

static LispObj cl_log(ThContext *tc, size_t nargs, LispObj *args) {
    if (nargs == 1) return log1(tc, args[0], false);
    LispObj n = number_arg(tc, args[0]), base = number_arg(tc, args[1]);
    if (num_zero_p(base)) { /* CLHS LOG: (log x 0) is 0 in the contagion type */
        LispObj z = num_mul(tc, fx_make(0), num_add(tc, n, base));
        return rational_p(z) ? single_float_make(0.0f) : z;
    }
    /* both logarithms in double, one rounding to the result format at the end */
    bool dbl = double_format_p(n) || double_format_p(base);
    LispObj q = num_div(tc, log1(tc, n, true), log1(tc, base, true));
    if (dbl) return q;
    if (complex_p(q)) return from_c(tc, to_c(tc, q), false);
    return single_float_make((float)double_float_value(q));
}

/* ---------------------------------------------------------------- EXPT */

/* base^e by squaring, exact for rational and rational-complex bases. */
static LispObj expt_integer(ThContext *tc, LispObj base, LispObj power) {
    bool neg = int_sign(power) < 0;
    if (neg && num_zero_p(base))
        cond_division_by_zero(tc, cl_sym(tc, "EXPT"), lisp_list(tc, 2, base, power));
    LispObj e = int_abs(tc, power);
    if (!fx_p(e)) {
        if (base == fx_make(1) || base == fx_make(0)) return base;
        if (base == fx_make(-1)) return int_odd_p(e) ? base : fx_make(1);
        cond_error(tc, "EXPT: the power %v is beyond the implementation's limit", power);
    }
    uint64_t k = (uint64_t)fx_value(e);
    LispObj r;
    if (integer_p(base)) {
        r = int_pow(tc, base, k);
    } else if (ratio_p(base)) {
        LispObj n = int_pow(tc, ((LispRatio *)obj_words(base))->num, k);
        LispObj d = int_pow(tc, ((LispRatio *)obj_words(base))->den, k);
        r = ratio_make(tc, n, d); /* coprime parts stay coprime */
    } else if (float_p(base)) {
        double v = pow(num_to_double(tc, base), (double)k);
        r = real_result(tc, v, double_float_p(base), "EXPT", base);
    } else {
        r = fx_make(1);
        LispObj x = base;
        for (;;) {
            if (k & 1) r = num_mul(tc, r, x);
            k >>= 1;
            if (k == 0) break;
            x = num_mul(tc, x, x);
        }
        if (r == fx_make(1) && float_p(cx_real(base))) r = num_make_complex(tc, num_float_like(tc, cx_real(base), 1.0), fx_make(0));
    }
    return neg ? num_div(tc, fx_make(1), r) : r;
}

static LispObj cl_expt(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj base = number_arg(tc, args[0]), power = number_arg(tc, args[1]);
    if (integer_p(power)) return expt_integer(tc, base, power);
    bool dbl = double_format_p(base) || double_format_p(power);
    if (num_zero_p(power)) { /* a float or complex zero power: one in the contagion type */
        LispObj one = num_add(tc, num_mul(tc, fx_make(0), num_add(tc, base, power)), fx_make(1));
        return one;
    }
    if (num_zero_p(base)) {
        LispObj rp = complex_p(power) ? cx_real(power) : power;
        if (num_sign(tc, rp) > 0) return num_mul(tc, fx_make(0), num_add(tc, base, power));
        cond_division_by_zero(tc, cl_sym(tc, "EXPT"), lisp_list(tc, 2, base, power));
    }
    if (!complex_p(base) && !complex_p(power) && num_sign(tc, base) > 0) {
        double v = pow(num_to_double(tc, base), num_to_double(tc, power));
        return real_result(tc, v, dbl, "EXPT", base);
    }
    return from_c(tc, cpow(to_c(tc, base), to_c(tc, power)), dbl);
}

const BuiltinSpec builtins_num_trans[] = {
    {"EXPT", "CL", cl_expt, 2, 2, "base power",
     "BASE raised to POWER: exact for a rational BASE and an integer POWER."},
    {"SQRT", "CL", cl_sqrt, 1, 1, "number", "Principal square root of NUMBER."},
    {"EXP", "CL", cl_exp, 1, 1, "number", "e raised to NUMBER."},
    {"LOG", "CL", cl_log, 1, 2, "number &optional base", "Logarithm of NUMBER in BASE (default e)."},
    {"SIN", "CL", cl_sin, 1, 1, "radians", "Sine of RADIANS."},
    {"COS", "CL", cl_cos, 1, 1, "radians", "Cosine of RADIANS."},
    {"TAN", "CL", cl_tan, 1, 1, "radians", "Tangent of RADIANS."},
    {"ASIN", "CL", cl_asin, 1, 1, "number", "Arc sine of NUMBER."},
    {"ACOS", "CL", cl_acos, 1, 1, "number", "Arc cosine of NUMBER."},
    {"ATAN", "CL", cl_atan, 1, 2, "number1 &optional number2",
     "Arc tangent of NUMBER1, or of NUMBER1/NUMBER2 using both signs for the quadrant."},
    {"SINH", "CL", cl_sinh, 1, 1, "number", "Hyperbolic sine of NUMBER."},
    {"COSH", "CL", cl_cosh, 1, 1, "number", "Hyperbolic cosine of NUMBER."},
    {"TANH", "CL", cl_tanh, 1, 1, "number", "Hyperbolic tangent of NUMBER."},
    {"ASINH", "CL", cl_asinh, 1, 1, "number", "Inverse hyperbolic sine of NUMBER."},
    {"ACOSH", "CL", cl_acosh, 1, 1, "number", "Inverse hyperbolic cosine of NUMBER."},
    {"ATANH", "CL", cl_atanh, 1, 1, "number", "Inverse hyperbolic tangent of NUMBER."},
    {0},
};
