/* lisp/bignum.c — the integer layer: fixnums and bignums together, with
 * GMP's mpn functions doing the limb arithmetic (DESIGN "Object model").
 *
 * Invariants: every result is normalised (fits a fixnum → fixnum; else a
 * bignum whose top limb is non-zero and whose header covers exactly its
 * limbs, so EQL and SXHASH may compare words).  A result bignum is
 * allocated at its largest possible size *before* any raw limb pointer is
 * taken, then computed in place and shrunk (bn_finish): no raw pointer is
 * held across an allocation, and no malloc'd scratch is live while
 * anything may signal.  The collector does not move objects, and the
 * operands stay reachable from the caller's frame, so views into them are
 * stable between allocations.
 *
 * Threads: no shared state. */
#include "lisp/num_impl.h"

#include <gmp.h>
#include <math.h>

_Static_assert(sizeof(mp_limb_t) == sizeof(uint64_t), "64-bit limbs");

/* ---------------------------------------------------------------- views */

/* Sign and magnitude of an integer, for mpn.  A fixnum's magnitude lives in
 * the view itself (`own`), so a view must not be copied. */
typedef struct IntView {
    const mp_limb_t *d;
    mp_size_t n;   /* limbs of the magnitude, 0 for zero */
    bool neg;
    mp_limb_t own;
} IntView;

static void view(LispObj x, IntView *v) {
    if (fx_p(x)) {
        int64_t i = fx_value(x);
        v->neg = i < 0;
        v->own = i < 0 ? (mp_limb_t)0 - (mp_limb_t)i : (mp_limb_t)i;
        v->d = &v->own;
        v->n = v->own != 0;
        return;
    }
    int64_t c = bn_count(x);
    v->neg = c < 0;
    v->n = (mp_size_t)(c < 0 ? -c : c);
    v->d = (const mp_limb_t *)bn_limbs(x);
}

static size_t int_size(LispObj x) { return fx_p(x) ? 1 : bn_size(x); }

/* A fresh bignum with room for n limbs (zeroed). */
static LispObj bn_alloc(ThContext *tc, size_t n) {
    if (n > ((uint64_t)1 << 40)) cond_error(tc, "an integer of %zu limbs is beyond the implementation's limit (2^46 bits)", n);
    LispObj b = obj_alloc(tc, KIND_BIGNUM, 1 + (uint64_t)n);
    gc_init_store(&obj_words(b)[1], fx_make((int64_t)n));
    return b;
}

/* Normalises the fresh bignum b whose first n limbs hold the magnitude:
 * strips zero limbs, returns a fixnum when it fits, else shrinks b's header
 * to its limbs.  Allocates nothing. */
static LispObj bn_finish(LispObj b, size_t n, bool neg) {
    uint64_t *d = bn_limbs(b);
    while (n > 0 && d[n - 1] == 0) n--;
    if (n == 0) return fx_make(0);
    if (n == 1) {
        if (!neg && d[0] <= (uint64_t)FIXNUM_MAX) return fx_make((int64_t)d[0]);
        if (neg && d[0] <= (uint64_t)FIXNUM_MAX + 1) return fx_make((int64_t)(0 - d[0]));
    }
    /* b is fresh and unpublished: its header and count may still change. */
    obj_words(b)[0] = gc_make_header(KIND_BIGNUM, 1, 1 + (uint64_t)n);
    gc_init_store(&obj_words(b)[1], fx_make(neg ? -(int64_t)n : (int64_t)n));
    return b;
}

LispObj int_from_u64(ThContext *tc, uint64_t v) {
    if (v <= (uint64_t)FIXNUM_MAX) return fx_make((int64_t)v);
    LispObj b = bn_alloc(tc, 1);
    bn_limbs(b)[0] = v;
    return bn_finish(b, 1, false);
}

LispObj int_from_i128(ThContext *tc, __int128 v) {
    if (v >= FIXNUM_MIN && v <= FIXNUM_MAX) return fx_make((int64_t)v);
    bool neg = v < 0;
    unsigned __int128 m = neg ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
    LispObj b = bn_alloc(tc, 2);
    bn_limbs(b)[0] = (uint64_t)m;
    bn_limbs(b)[1] = (uint64_t)(m >> 64);
    return bn_finish(b, 2, neg);
}

bool int_to_i64(LispObj x, int64_t *out) {
    if (fx_p(x)) { *out = fx_value(x); return true; }
    if (bn_size(x) != 1) return false;
    uint64_t m = bn_limbs(x)[0];
    if (bn_count(x) > 0) {
        if (m > (uint64_t)INT64_MAX) return false;
        *out = (int64_t)m;
    } else {
        if (m > (uint64_t)INT64_MAX + 1) return false;
        *out = (int64_t)(0 - m);
    }
    return true;
}

/* ---------------------------------------------------------------- sign, compare */

int int_sign(LispObj x) {
    if (fx_p(x)) return (fx_value(x) > 0) - (fx_value(x) < 0);
    return bn_count(x) < 0 ? -1 : 1;
}

static int mag_cmp(const IntView *a, const IntView *b) {
    if (a->n != b->n) return a->n > b->n ? 1 : -1;
    int c = mpn_cmp(a->d, b->d, a->n);
    return (c > 0) - (c < 0);
}

int int_cmp(LispObj a, LispObj b) {
    if (fx_p(a) && fx_p(b)) return (fx_value(a) > fx_value(b)) - (fx_value(a) < fx_value(b));
    int sa = int_sign(a), sb = int_sign(b);
    if (sa != sb) return sa > sb ? 1 : -1;
    IntView va, vb;
    view(a, &va);
    view(b, &vb);
    int c = mag_cmp(&va, &vb);
    return sa < 0 ? -c : c;
}

bool int_odd_p(LispObj x) {
    if (fx_p(x)) return (fx_value(x) & 1) != 0;
    return (bn_limbs(x)[0] & 1) != 0;
}

/* ---------------------------------------------------------------- + - * */

/* |a| +- |b| with the sign rules of addition; sub flips b's sign. */
static LispObj add_signed(ThContext *tc, LispObj a, LispObj b, bool sub) {
    size_t na = int_size(a), nb = int_size(b);
    LispObj r = bn_alloc(tc, (na > nb ? na : nb) + 1);
    IntView va, vb;
    view(a, &va);
    view(b, &vb);
    bool bneg = sub ? !vb.neg : vb.neg;
    if (vb.n == 0 || va.n == 0) {
        const IntView *v = vb.n == 0 ? &va : &vb;
        if (v->n) mpn_copyi(bn_limbs(r), v->d, v->n);
        return bn_finish(r, (size_t)v->n, vb.n == 0 ? va.neg : bneg);
    }
    mp_limb_t *rd = bn_limbs(r);
    if (va.neg == bneg) {
        const IntView *big = va.n >= vb.n ? &va : &vb, *small = va.n >= vb.n ? &vb : &va;
        rd[big->n] = mpn_add(rd, big->d, big->n, small->d, small->n);
        return bn_finish(r, (size_t)big->n + 1, va.neg);
    }
    int c = mag_cmp(&va, &vb);
    if (c == 0) return fx_make(0);
    const IntView *big = c > 0 ? &va : &vb, *small = c > 0 ? &vb : &va;
    mpn_sub(rd, big->d, big->n, small->d, small->n);
    return bn_finish(r, (size_t)big->n, c > 0 ? va.neg : bneg);
}

LispObj int_add(ThContext *tc, LispObj a, LispObj b) {
    if (fx_p(a) && fx_p(b)) return int_from_i128(tc, (__int128)fx_value(a) + fx_value(b));
    return add_signed(tc, a, b, false);
}

LispObj int_sub(ThContext *tc, LispObj a, LispObj b) {
    if (fx_p(a) && fx_p(b)) return int_from_i128(tc, (__int128)fx_value(a) - fx_value(b));
    return add_signed(tc, a, b, true);
}

LispObj int_neg(ThContext *tc, LispObj a) {
    if (fx_p(a)) return int_from_i128(tc, -(__int128)fx_value(a));
    return add_signed(tc, fx_make(0), a, true);
}

LispObj int_abs(ThContext *tc, LispObj a) { return int_sign(a) < 0 ? int_neg(tc, a) : a; }

LispObj int_mul(ThContext *tc, LispObj a, LispObj b) {
    if (fx_p(a) && fx_p(b)) return int_from_i128(tc, (__int128)fx_value(a) * fx_value(b));
    if (a == fx_make(0) || b == fx_make(0)) return fx_make(0);
    size_t na = int_size(a), nb = int_size(b);
    LispObj r = bn_alloc(tc, na + nb);
    IntView va, vb;
    view(a, &va);
    view(b, &vb);
    mp_limb_t *rd = bn_limbs(r);
    if (a == b) mpn_sqr(rd, va.d, va.n);
    else if (va.n >= vb.n) mpn_mul(rd, va.d, va.n, vb.d, vb.n);
    else mpn_mul(rd, vb.d, vb.n, va.d, va.n);
    return bn_finish(r, (size_t)(va.n + vb.n), va.neg != vb.neg);
}

/* ---------------------------------------------------------------- division */

void int_truncate(ThContext *tc, LispObj a, LispObj b, LispObj *q, LispObj *r) {
    PT_ASSERT(b != fx_make(0));
    if (fx_p(a) && fx_p(b)) {
        int64_t x = fx_value(a), y = fx_value(b);
        if (y == -1) { *q = int_neg(tc, a); *r = fx_make(0); return; }
        *q = fx_make(x / y);
        *r = fx_make(x % y);
        return;
    }
    size_t na = int_size(a), nb = int_size(b);
    IntView va, vb;
    view(a, &va);
    view(b, &vb);
    if (mag_cmp(&va, &vb) < 0) { *q = fx_make(0); *r = a; return; }
    LispObj lq = bn_alloc(tc, na - nb + 1);
    LispObj lr = bn_alloc(tc, nb);
    view(a, &va); /* again: the allocations came after the first views */
    view(b, &vb);
    mpn_tdiv_qr(bn_limbs(lq), bn_limbs(lr), 0, va.d, va.n, vb.d, vb.n);
    bool qneg = va.neg != vb.neg, rneg = va.neg;
    *q = bn_finish(lq, (size_t)(va.n - vb.n + 1), qneg);
    *r = bn_finish(lr, (size_t)vb.n, rneg);
}

LispObj int_divexact(ThContext *tc, LispObj a, LispObj b) {
    if (fx_p(a) && fx_p(b)) return int_from_i128(tc, (__int128)fx_value(a) / fx_value(b));
    LispObj q, r;
    int_truncate(tc, a, b, &q, &r);
    PT_ASSERT(r == fx_make(0));
    return q;
}

static uint64_t gcd_u64(uint64_t a, uint64_t b) {
    while (b) { uint64_t t = a % b; a = b; b = t; }
    return a;
}

LispObj int_gcd(ThContext *tc, LispObj a, LispObj b) {
    if (fx_p(a) && fx_p(b)) {
        int64_t x = fx_value(a), y = fx_value(b);
        return int_from_u64(tc, gcd_u64(x < 0 ? (uint64_t)-x : (uint64_t)x, y < 0 ? (uint64_t)-y : (uint64_t)y));
    }
    if (a == fx_make(0)) return int_abs(tc, b);
    if (b == fx_make(0)) return int_abs(tc, a);
    size_t na = int_size(a), nb = int_size(b);
    LispObj r = bn_alloc(tc, na < nb ? na : nb);
    IntView va, vb;
    view(a, &va);
    view(b, &vb);
    mpz_t g, za, zb;
    mpz_roinit_n(za, va.d, va.n);
    mpz_roinit_n(zb, vb.d, vb.n);
    mpz_init(g);
    mpz_gcd(g, za, zb);
    size_t n = mpz_size(g);
    mpn_copyi(bn_limbs(r), mpz_limbs_read(g), (mp_size_t)n);
    mpz_clear(g);
    return bn_finish(r, n, false);
}

LispObj int_isqrt(ThContext *tc, LispObj a) {
    PT_ASSERT(int_sign(a) >= 0);
    if (a == fx_make(0)) return a;
    size_t na = int_size(a);
    LispObj r = bn_alloc(tc, (na + 1) / 2);
    IntView va;
    view(a, &va);
    mpn_sqrtrem(bn_limbs(r), NULL, va.d, va.n);
    return bn_finish(r, (size_t)(va.n + 1) / 2, false);
}

LispObj int_pow(ThContext *tc, LispObj base, uint64_t e) {
    if (e == 0) return fx_make(1);
    if (base == fx_make(0) || base == fx_make(1)) return base;
    if (base == fx_make(-1)) return (e & 1) ? base : fx_make(1);
    uint64_t bits = int_bit_length(base);
    if (e > (UINT64_C(1) << 46) / bits) cond_error(tc, "EXPT: the result would have more than 2^46 bits");
    LispObj r = fx_make(1), x = base;
    for (;;) { /* square and multiply: the big products go to mpn_mul/mpn_sqr */
        if (e & 1) r = int_mul(tc, r, x);
        e >>= 1;
        if (e == 0) return r;
        x = int_mul(tc, x, x);
    }
}

/* ---------------------------------------------------------------- shifts and bits */

uint64_t int_bit_length(LispObj a) {
    IntView v;
    view(a, &v);
    if (v.n == 0) return 0;
    return (uint64_t)(v.n - 1) * 64 + (64 - (uint64_t)__builtin_clzll(v.d[v.n - 1]));
}

LispObj int_ash(ThContext *tc, LispObj a, int64_t count) {
    if (a == fx_make(0) || count == 0) return a;
    if (count > 0) {
        if (fx_p(a) && count < 62) {
            __int128 v = (__int128)fx_value(a) * ((__int128)1 << count);
            return int_from_i128(tc, v);
        }
        if ((uint64_t)count > (UINT64_C(1) << 46))
            cond_error(tc, "ASH: a shift by %ld bits is beyond the implementation's limit (2^46 bits)", (long)count);
        size_t words = (size_t)((uint64_t)count / 64), bits = (size_t)((uint64_t)count % 64);
        size_t na = int_size(a);
        LispObj r = bn_alloc(tc, na + words + 1);
        IntView va;
        view(a, &va);
        mp_limb_t *rd = bn_limbs(r);
        if (bits) rd[words + va.n] = mpn_lshift(rd + words, va.d, va.n, (unsigned)bits);
        else mpn_copyi(rd + words, va.d, va.n);
        return bn_finish(r, words + (size_t)va.n + 1, va.neg);
    }
    uint64_t sh = (uint64_t)0 - (uint64_t)count;
    if (fx_p(a)) return fx_make(sh >= 63 ? (fx_value(a) < 0 ? -1 : 0) : fx_value(a) >> sh);
    /* floor(a / 2^sh): for negatives, -(ceil(|a| / 2^sh)). */
    IntView va;
    view(a, &va);
    if (sh >= (uint64_t)va.n * 64) return fx_make(va.neg ? -1 : 0);
    size_t words = (size_t)(sh / 64), bits = (size_t)(sh % 64);
    bool lost = false;
    for (size_t i = 0; i < words && !lost; i++) lost = va.d[i] != 0;
    if (bits && (va.d[words] & ((UINT64_C(1) << bits) - 1))) lost = true;
    size_t rn = (size_t)va.n - words;
    LispObj r = bn_alloc(tc, rn + 1);
    view(a, &va);
    mp_limb_t *rd = bn_limbs(r);
    if (bits) mpn_rshift(rd, va.d + words, (mp_size_t)rn, (unsigned)bits);
    else mpn_copyi(rd, va.d + words, (mp_size_t)rn);
    if (va.neg && lost) rd[rn] = mpn_add_1(rd, rd, (mp_size_t)rn, 1);
    return bn_finish(r, rn + 1, va.neg);
}

/* Limb i of x's infinite two's complement representation, given |x| (d, n)
 * and where the lowest non-zero limb is (for the negation's borrow). */
static uint64_t twos_limb(const IntView *v, size_t i, size_t first_nz) {
    uint64_t m = i < (size_t)v->n ? v->d[i] : 0;
    if (!v->neg) return m;
    if (i < first_nz) return 0;
    return i == first_nz ? (uint64_t)0 - m : ~m;
}

static size_t first_nonzero(const IntView *v) {
    size_t i = 0;
    while (i < (size_t)v->n && v->d[i] == 0) i++;
    return i;
}

static uint64_t limb_op(int op, uint64_t x, uint64_t y) {
    return op == 0 ? (x & y) : op == 1 ? (x | y) : (x ^ y);
}

LispObj int_logop(ThContext *tc, int op, LispObj a, LispObj b) {
    if (fx_p(a) && fx_p(b)) return fx_make((int64_t)limb_op(op, (uint64_t)fx_value(a), (uint64_t)fx_value(b)));
    size_t na = int_size(a), nb = int_size(b), n = (na > nb ? na : nb) + 1;
    LispObj r = bn_alloc(tc, n);
    IntView va, vb;
    view(a, &va);
    view(b, &vb);
    size_t fa = first_nonzero(&va), fb = first_nonzero(&vb);
    mp_limb_t *rd = bn_limbs(r);
    for (size_t i = 0; i < n; i++) rd[i] = limb_op(op, twos_limb(&va, i, fa), twos_limb(&vb, i, fb));
    bool neg = (rd[n - 1] >> 63) != 0; /* n limbs hold the sign: one more than either operand */
    if (neg) mpn_neg(rd, rd, (mp_size_t)n);
    return bn_finish(r, n, neg);
}

LispObj int_lognot(ThContext *tc, LispObj a) { /* ~a = -a - 1 */
    if (fx_p(a)) return fx_make(~fx_value(a));
    return int_sub(tc, int_neg(tc, a), fx_make(1));
}

uint64_t int_integer_length(LispObj a) {
    if (fx_p(a)) {
        int64_t n = fx_value(a);
        uint64_t u = n < 0 ? ~(uint64_t)n : (uint64_t)n;
        return u == 0 ? 0 : 64 - (uint64_t)__builtin_clzll(u);
    }
    /* negative: integer-length(a) = bit length of |a| - 1 = |a|-1's length */
    uint64_t len = int_bit_length(a);
    if (bn_count(a) > 0) return len;
    IntView v;
    view(a, &v);
    bool power_of_two = mpn_popcount(v.d, v.n) == 1;
    return power_of_two ? len - 1 : len;
}

uint64_t int_logcount(LispObj a) {
    if (fx_p(a)) {
        int64_t n = fx_value(a);
        return (uint64_t)__builtin_popcountll(n < 0 ? ~(uint64_t)n : (uint64_t)n);
    }
    IntView v;
    view(a, &v);
    uint64_t c = mpn_popcount(v.d, v.n);
    if (!v.neg) return c;
    /* ~(-m) = m - 1: count the ones of |a| - 1 */
    size_t f = first_nonzero(&v);
    uint64_t low = v.d[f];
    return c - (uint64_t)__builtin_popcountll(low) + (uint64_t)__builtin_popcountll(low - 1) + 64 * f;
}

bool int_logbitp(LispObj a, uint64_t index) {
    if (fx_p(a)) return index >= 63 ? fx_value(a) < 0 : ((fx_value(a) >> index) & 1) != 0;
    IntView v;
    view(a, &v);
    if (index / 64 >= (uint64_t)v.n + 1) return v.neg;
    size_t f = first_nonzero(&v);
    return (twos_limb(&v, (size_t)(index / 64), f) >> (index % 64)) & 1;
}

/* ---------------------------------------------------------------- floats */

/* IEEE formats by significand bits and exponent range. */
typedef struct FloatFormat { int digits, emin, emax; } FloatFormat;
static const FloatFormat FMT_DOUBLE = {53, -1022, 1023}, FMT_SINGLE = {24, -126, 127};

/* Correctly rounded top * 2^exp2 in format fmt (returned as a double that
 * holds it exactly), where top has its high bit set and sticky says whether
 * non-zero bits were dropped below top.  Beyond the range: infinity. */
static double round_mantissa(uint64_t top, bool sticky, int64_t exp2, const FloatFormat *fmt) {
    int64_t e = exp2 + 63; /* exponent of the leading bit */
    int p = fmt->digits;   /* bits the result keeps */
    if (e < fmt->emin) {
        if (fmt->emin - e > p) return 0.0;
        p -= (int)(fmt->emin - e);
    }
    int shift = 64 - p;
    uint64_t mant = shift >= 64 ? 0 : top >> shift;
    uint64_t rest = shift >= 64 ? top : top & ((UINT64_C(1) << shift) - 1);
    uint64_t half = UINT64_C(1) << (shift - 1);
    if (rest > half || (rest == half && (sticky || (mant & 1)))) mant++;
    if (e > fmt->emax || (e == fmt->emax && mant >> fmt->digits)) return INFINITY;
    return ldexp((double)mant, (int)(exp2 + shift));
}

static double to_float(LispObj a, int64_t exp2, const FloatFormat *fmt) {
    IntView v;
    view(a, &v);
    if (v.n == 0) return 0.0;
    int lz = __builtin_clzll(v.d[v.n - 1]);
    uint64_t top = v.d[v.n - 1] << lz;
    bool sticky = false;
    if (v.n >= 2) {
        if (lz) top |= v.d[v.n - 2] >> (64 - lz);
        sticky = lz ? (v.d[v.n - 2] << lz) != 0 : v.d[v.n - 2] != 0;
        for (mp_size_t i = 0; i < v.n - 2 && !sticky; i++) sticky = v.d[i] != 0;
    }
    int64_t e = exp2 + (int64_t)(v.n - 1) * 64 - lz;
    double d = round_mantissa(top, sticky, e, fmt);
    return v.neg ? -d : d;
}

double int_to_double(LispObj a, int64_t exp2) { return to_float(a, exp2, &FMT_DOUBLE); }
float int_to_single(LispObj a) { return (float)to_float(a, 0, &FMT_SINGLE); }

static double ratio_to_float(ThContext *tc, LispObj n, LispObj d, const FloatFormat *fmt) {
    /* q = floor(|n| * 2^k / d) with 66..67 bits, sticky = remainder != 0 */
    int64_t ln = (int64_t)int_bit_length(n), ld = (int64_t)int_bit_length(d);
    int64_t k = 66 - (ln - ld);
    LispObj an = int_abs(tc, n), dd = d;
    if (k >= 0) an = int_ash(tc, an, k);
    else dd = int_ash(tc, d, -k);
    LispObj q, r;
    int_truncate(tc, an, dd, &q, &r);
    IntView v;
    view(q, &v);
    int lz = __builtin_clzll(v.d[v.n - 1]);
    uint64_t top = v.d[v.n - 1] << lz;
    if (v.n >= 2 && lz) top |= v.d[v.n - 2] >> (64 - lz);
    bool sticky = r != fx_make(0) || (v.n >= 2 && (lz ? (v.d[v.n - 2] << lz) != 0 : v.d[v.n - 2] != 0));
    double x = round_mantissa(top, sticky, (int64_t)(v.n - 1) * 64 - lz - k, fmt);
    return int_sign(n) < 0 ? -x : x;
}

double num_ratio_to_double(ThContext *tc, LispObj n, LispObj d) { return ratio_to_float(tc, n, d, &FMT_DOUBLE); }
float num_ratio_to_single(ThContext *tc, LispObj n, LispObj d) { return (float)ratio_to_float(tc, n, d, &FMT_SINGLE); }

LispObj int_from_double(ThContext *tc, double d) {
    if (d >= -0x1p62 && d < 0x1p62) return int_from_i128(tc, (__int128)(int64_t)d);
    int e;
    double m = frexp(fabs(d), &e); /* |d| = m * 2^e, 0.5 <= m < 1 */
    LispObj mant = fx_make((int64_t)ldexp(m, 53));
    LispObj r = int_ash(tc, mant, e - 53);
    return d < 0 ? int_neg(tc, r) : r;
}

/* ---------------------------------------------------------------- digits */

static unsigned char *bytes_data(LispObj b) { return ((LispBytes *)obj_words(b))->bytes; }

LispObj int_from_digits(ThContext *tc, LispObj digits, size_t n, unsigned radix, bool negative) {
    size_t skip = 0;
    while (skip < n && bytes_data(digits)[skip] == 0) skip++;
    if (skip == n) return fx_make(0);
    /* limbs needed: n * log2(radix) / 64, rounded up, plus one */
    size_t bits_per = 1;
    while ((1u << bits_per) < radix) bits_per++;
    LispObj r = bn_alloc(tc, (n - skip) * bits_per / 64 + 2);
    mp_size_t rn = mpn_set_str(bn_limbs(r), bytes_data(digits) + skip, n - skip, (int)radix);
    return bn_finish(r, (size_t)rn, negative);
}

LispObj int_to_string(ThContext *tc, LispObj a, unsigned radix) {
    size_t na = int_size(a);
    /* mpn_get_str destroys its input: work on a copy in Lisp scratch memory
     * (BYTES), so an unwind leaks nothing. */
    LispObj copy = bytes_make(tc, (na + 1) * 8);
    LispObj out = bytes_make(tc, na * 64 + 2);
    IntView v;
    view(a, &v);
    if (v.n == 0) return str_from_cstr(tc, "0");
    mp_limb_t *cd = (mp_limb_t *)(((uintptr_t)bytes_data(copy) + 7) & ~(uintptr_t)7);
    mpn_copyi(cd, v.d, v.n);
    unsigned char *od = bytes_data(out);
    size_t nd = mpn_get_str(od, (int)radix, cd, v.n);
    size_t skip = 0;
    while (skip + 1 < nd && od[skip] == 0) skip++;
    LispObj s = str_make(tc, nd - skip + v.neg, '-');
    od = bytes_data(out); /* re-derived after the allocation */
    for (size_t i = skip; i < nd; i++) {
        unsigned dv = od[i];
        STR(s)->chars[v.neg + i - skip] = dv < 10 ? '0' + dv : 'A' + dv - 10;
    }
    return s;
}

/* ---------------------------------------------------------------- C scalars (lisp.h, for ffi/) */

LispObj num_from_uint64(ThContext *tc, uint64_t n) { return int_from_u64(tc, n); }

bool num_to_int64(LispObj x, int64_t *out) { return integer_p(x) && int_to_i64(x, out); }

bool num_to_uint64(LispObj x, uint64_t *out) {
    if (fx_p(x)) {
        if (fx_value(x) < 0) return false;
        *out = (uint64_t)fx_value(x);
        return true;
    }
    if (!bignum_p(x) || bn_count(x) != 1) return false;  /* negative, or more than 64 bits */
    *out = bn_limbs(x)[0];
    return true;
}

bool num_real_to_double(ThContext *tc, LispObj x, double *out) {
    if (!real_p(x)) return false;
    *out = num_to_double(tc, x);
    return true;
}
