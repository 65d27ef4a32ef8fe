/* lisp/num_impl.h — private interface of the number modules: the integer
 * layer over GMP's mpn functions (bignum.c), and the pieces the other
 * num_*.c files share (builtins_num.c, num_complex.c, num_float.c,
 * num_bits.c).  Included only by lisp/ and its tests.
 *
 * Integers: a fixnum, or a BIGNUM object [signed limb count][limbs], sign
 * and magnitude, least significant limb first.  Every int_* function
 * returns a normalised integer: a value that fits a fixnum is a fixnum, a
 * bignum's top limb is non-zero.  int_* functions take integers only (the
 * caller checks types); those that allocate take tc first. */
#ifndef PETREL_LISP_NUM_IMPL_H
#define PETREL_LISP_NUM_IMPL_H

#include "lisp/lisp.h"

static inline bool bignum_p(LispObj x) { return kind_p(x, KIND_BIGNUM); }
static inline int64_t bn_count(LispObj b) { return fx_value(obj_words(b)[1]); }
static inline uint64_t *bn_limbs(LispObj b) { return (uint64_t *)&obj_words(b)[2]; }
static inline size_t bn_size(LispObj b) {
    int64_t c = bn_count(b);
    return (size_t)(c < 0 ? -c : c);
}

/* ---- integers (bignum.c) ---- */
LispObj int_from_i128(ThContext *tc, __int128 v);
LispObj int_from_u64(ThContext *tc, uint64_t v);
/* True with the value in *out when x (an integer) fits an int64_t. */
bool int_to_i64(LispObj x, int64_t *out);
int int_sign(LispObj x);
int int_cmp(LispObj a, LispObj b);
bool int_odd_p(LispObj x);
LispObj int_neg(ThContext *tc, LispObj a);
LispObj int_abs(ThContext *tc, LispObj a);
LispObj int_add(ThContext *tc, LispObj a, LispObj b);
LispObj int_sub(ThContext *tc, LispObj a, LispObj b);
LispObj int_mul(ThContext *tc, LispObj a, LispObj b);
/* Truncating division: a = q*b + r, |r| < |b|, r has a's sign.  b != 0. */
void int_truncate(ThContext *tc, LispObj a, LispObj b, LispObj *q, LispObj *r);
LispObj int_divexact(ThContext *tc, LispObj a, LispObj b); /* b divides a */
LispObj int_gcd(ThContext *tc, LispObj a, LispObj b);      /* non-negative */
LispObj int_isqrt(ThContext *tc, LispObj a);                /* a >= 0 */
LispObj int_pow(ThContext *tc, LispObj base, uint64_t e);
/* a * 2^count (count < 0: floor division by 2^-count). */
LispObj int_ash(ThContext *tc, LispObj a, int64_t count);
/* Two's complement bitwise operation: op 0 and, 1 ior, 2 xor. */
LispObj int_logop(ThContext *tc, int op, LispObj a, LispObj b);
LispObj int_lognot(ThContext *tc, LispObj a);
uint64_t int_integer_length(LispObj a);
uint64_t int_logcount(LispObj a);
bool int_logbitp(LispObj a, uint64_t index);
/* Bit length of |a| (0 for 0). */
uint64_t int_bit_length(LispObj a);
/* Correctly rounded (to nearest, ties to even) double of a * 2^exp2;
 * +-infinity beyond the double range. */
double int_to_double(LispObj a, int64_t exp2);
/* Correctly rounded double of the ratio n/d (d > 0). */
double num_ratio_to_double(ThContext *tc, LispObj n, LispObj d);
/* The same for single-floats (rounded once, straight to 24 bits). */
float int_to_single(LispObj a);
float num_ratio_to_single(ThContext *tc, LispObj n, LispObj d);
/* The integer equal to a finite, integral double. */
LispObj int_from_double(ThContext *tc, double d);
/* The first n octets of the BYTES object digits (values 0..radix-1, most
 * significant first) as an integer.  A Lisp object, not a C pointer: the
 * result is allocated before the digits are read. */
LispObj int_from_digits(ThContext *tc, LispObj digits, size_t n, unsigned radix, bool negative);
/* |a| in radix as a Lisp string (sign included when negative). */
LispObj int_to_string(ThContext *tc, LispObj a, unsigned radix);

/* ---- rationals and reals (builtins_num.c) ---- */
/* n/d normalised (d != 0 integer): an integer when d divides n. */
LispObj num_make_ratio(ThContext *tc, LispObj n, LispObj d);
LispObj num_numerator(LispObj x);   /* x rational */
LispObj num_denominator(LispObj x); /* x rational */
double num_to_double(ThContext *tc, LispObj x); /* x real; may be +-inf */
float num_to_single(ThContext *tc, LispObj x);  /* x real, correctly rounded; may be +-inf */
/* The exact rational a finite float denotes. */
LispObj num_rational_of_float(ThContext *tc, double d);
LispObj num_negate(ThContext *tc, LispObj x);
bool num_zero_p(LispObj x);
/* = on any two numbers (complexes too). */
bool num_equal_p(LispObj a, LispObj b);
/* Signals the arithmetic-error type (FLOATING-POINT-OVERFLOW, ...) with
 * :operation (the CL symbol named op) and :operands. */
_Noreturn void num_float_trap(ThContext *tc, LispObj type, const char *op, LispObj operands);
/* A float of the format of proto (single if proto is not a double). */
LispObj num_float_like(ThContext *tc, LispObj proto, double v);

/* ---- complexes (num_complex.c) ---- */
static inline bool complex_p(LispObj x) { return kind_p(x, KIND_COMPLEX); }
static inline LispObj cx_real(LispObj x) { return obj_words(x)[1]; }
static inline LispObj cx_imag(LispObj x) { return obj_words(x)[2]; }
/* (complex re im) per CLHS COMPLEX: rational im 0 → re; float contagion. */
LispObj num_make_complex(ThContext *tc, LispObj re, LispObj im);
LispObj cx_add(ThContext *tc, LispObj a, LispObj b);
LispObj cx_sub(ThContext *tc, LispObj a, LispObj b);
LispObj cx_mul(ThContext *tc, LispObj a, LispObj b);
LispObj cx_div(ThContext *tc, LispObj a, LispObj b);
LispObj cx_abs(ThContext *tc, LispObj a);
extern const BuiltinSpec builtins_num_complex[];
extern const BuiltinSpec builtins_num_float[];
extern const BuiltinSpec builtins_num_bits[];

#endif
