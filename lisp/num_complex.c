/* lisp/num_complex.c — complex numbers (CLHS 12.1.5): construction with
 * the canonicalisation rule, the four operations, ABS, and the functions
 * COMPLEX REALPART IMAGPART CONJUGATE PHASE CIS.
 *
 * Invariants: a COMPLEX object has two reals of the same kind: both
 * rational (then the imaginary part is not 0: CLHS 12.1.5.3 makes such a
 * complex the rational itself) or both floats of one format (float
 * contagion, CLHS 12.1.5.2).  Arithmetic on the parts goes through the
 * real operations of builtins_num.c, so it is exact for rational parts.
 *
 * Shared state: none. */
#include "lisp/lisp.h"
#include "lisp/builtins_impl.h"
#include "lisp/num_impl.h"

#include <math.h>

static LispObj alloc_complex(ThContext *tc, LispObj re, LispObj im) {
    LispObj c = obj_alloc(tc, KIND_COMPLEX, 2);
    gc_init_store(&obj_words(c)[1], re);
    gc_init_store(&obj_words(c)[2], im);
    return c;
}

/* A real converted to a float of proto's format. */
static LispObj to_float_like(ThContext *tc, LispObj x, LispObj proto) {
    if (double_float_p(proto)) return double_float_p(x) ? x : double_float_make(tc, num_to_double(tc, x));
    return single_float_p(x) ? x : single_float_make((float)num_to_double(tc, x));
}

LispObj num_make_complex(ThContext *tc, LispObj re, LispObj im) {
    if (rational_p(re) && rational_p(im)) {
        if (im == fx_make(0)) return re;
        return alloc_complex(tc, re, im);
    }
    LispObj proto = double_float_p(re) || double_float_p(im) ? (double_float_p(re) ? re : im) : single_float_make(0);
    re = to_float_like(tc, re, proto);
    im = to_float_like(tc, im, proto);
    return alloc_complex(tc, re, im);
}

static LispObj re_of(LispObj x) { return complex_p(x) ? cx_real(x) : x; }
static LispObj im_of(LispObj x) { return complex_p(x) ? cx_imag(x) : fx_make(0); }

LispObj cx_add(ThContext *tc, LispObj a, LispObj b) {
    LispObj re = num_add(tc, re_of(a), re_of(b));
    LispObj im = num_add(tc, im_of(a), im_of(b));
    return num_make_complex(tc, re, im);
}

LispObj cx_sub(ThContext *tc, LispObj a, LispObj b) {
    LispObj re = num_sub(tc, re_of(a), re_of(b));
    LispObj im = num_sub(tc, im_of(a), im_of(b));
    return num_make_complex(tc, re, im);
}

LispObj cx_mul(ThContext *tc, LispObj a, LispObj b) {
    LispObj ar = re_of(a), ai = im_of(a), br = re_of(b), bi = im_of(b);
    LispObj re = num_sub(tc, num_mul(tc, ar, br), num_mul(tc, ai, bi));
    LispObj im = num_add(tc, num_mul(tc, ar, bi), num_mul(tc, ai, br));
    return num_make_complex(tc, re, im);
}

LispObj cx_div(ThContext *tc, LispObj a, LispObj b) {
    LispObj ar = re_of(a), ai = im_of(a), br = re_of(b), bi = im_of(b);
    if (!complex_p(b)) return num_make_complex(tc, num_div(tc, ar, br), num_div(tc, ai, br));
    LispObj den = num_add(tc, num_mul(tc, br, br), num_mul(tc, bi, bi));
    if (num_zero_p(den)) cond_division_by_zero(tc, S(SLASH), lisp_list(tc, 2, a, b));
    LispObj re = num_add(tc, num_mul(tc, ar, br), num_mul(tc, ai, bi));
    LispObj im = num_sub(tc, num_mul(tc, ai, br), num_mul(tc, ar, bi));
    return num_make_complex(tc, num_div(tc, re, den), num_div(tc, im, den));
}

LispObj cx_abs(ThContext *tc, LispObj a) {
    double h = hypot(num_to_double(tc, cx_real(a)), num_to_double(tc, cx_imag(a)));
    return num_float_like(tc, cx_real(a), h);
}

/* ---------------------------------------------------------------- builtins */

static LispObj real_arg(ThContext *tc, LispObj x) {
    if (!real_p(x)) cond_type_error(tc, x, S(REAL));
    return x;
}
static LispObj number_arg(ThContext *tc, LispObj x) {
    if (!number_p(x)) cond_type_error(tc, x, S(NUMBER));
    return x;
}

static LispObj cl_complex(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj re = real_arg(tc, args[0]);
    LispObj im = nargs > 1 ? real_arg(tc, args[1]) : fx_make(0);
    if (nargs == 1 && float_p(re)) return alloc_complex(tc, re, num_float_like(tc, re, 0.0));
    return num_make_complex(tc, re, im);
}

static LispObj cl_realpart(ThContext *tc, size_t nargs, LispObj *args) {
    return re_of(number_arg(tc, args[0]));
}

static LispObj cl_imagpart(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj x = number_arg(tc, args[0]);
    if (complex_p(x)) return cx_imag(x);
    return num_mul(tc, fx_make(0), x); /* 0, or a float zero of x's format and sign */
}

static LispObj cl_conjugate(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj x = number_arg(tc, args[0]);
    if (!complex_p(x)) return x;
    LispObj im = num_negate(tc, cx_imag(x));
    return alloc_complex(tc, cx_real(x), im);
}

static LispObj cl_phase(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj x = number_arg(tc, args[0]);
    LispObj proto = complex_p(x) ? cx_real(x) : x;
    double re = num_to_double(tc, re_of(x));
    double im = complex_p(x) ? num_to_double(tc, cx_imag(x)) : (float_p(x) ? copysign(0.0, 1.0) : 0.0);
    return num_float_like(tc, proto, atan2(im, re));
}

static LispObj cl_cis(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj x = real_arg(tc, args[0]);
    double d = num_to_double(tc, x);
    LispObj re = num_float_like(tc, x, cos(d));
    LispObj im = num_float_like(tc, x, sin(d));
    return alloc_complex(tc, re, im);
}

const BuiltinSpec builtins_num_complex[] = {
    {"COMPLEX", "CL", cl_complex, 1, 2, "realpart &optional imagpart",
     "The complex REALPART + i IMAGPART; a rational when both are rational and IMAGPART is 0."},
    {"REALPART", "CL", cl_realpart, 1, 1, "number", "The real part of NUMBER."},
    {"IMAGPART", "CL", cl_imagpart, 1, 1, "number", "The imaginary part of NUMBER (a zero for a real)."},
    {"CONJUGATE", "CL", cl_conjugate, 1, 1, "number", "The complex conjugate of NUMBER."},
    {"PHASE", "CL", cl_phase, 1, 1, "number", "The angle of NUMBER in polar form, in radians (-pi, pi]."},
    {"CIS", "CL", cl_cis, 1, 1, "radians", "The complex e^(i RADIANS): #C(cos sin)."},
    {0},
};
