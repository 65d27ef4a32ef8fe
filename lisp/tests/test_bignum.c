/* lisp/tests/test_bignum.c — Check suite for the integer layer over GMP's
 * mpn functions (lisp/bignum.c): normalisation at the fixnum boundaries,
 * carries and borrows across limbs, signs of every operation, truncating
 * division, two's complement bit operations, shifts, conversion to
 * double with correct rounding, digits in every radix.  Values up to
 * 2^126 are checked against __int128 arithmetic over a pseudo-random
 * sample; larger ones by identities (q*b + r = a, round trips). */
#include "lisp/tests/lisp_test.h"
#include "lisp/num_impl.h"

#include <math.h>

typedef __int128 i128;

/* An integer of at most two limbs back as an __int128 (the test's oracle). */
static i128 to_i128(LispObj x) {
    if (fx_p(x)) return fx_value(x);
    ck_assert_msg(bn_size(x) <= 2, "integer has %zu limbs", bn_size(x));
    unsigned __int128 m = bn_limbs(x)[0];
    if (bn_size(x) == 2) m |= (unsigned __int128)bn_limbs(x)[1] << 64;
    return bn_count(x) < 0 ? -(i128)m : (i128)m;
}

static LispObj I(i128 v) { return int_from_i128(tc, v); }

/* Normalised: a fixnum when in range, else a bignum with a non-zero top limb. */
static void ck_normal(LispObj x) {
    if (fx_p(x)) return;
    ck_assert(bignum_p(x));
    size_t n = bn_size(x);
    ck_assert(n > 0 && bn_limbs(x)[n - 1] != 0);
    ck_assert(obj_nwords(x) == n + 1);
    int64_t v;
    if (int_to_i64(x, &v)) ck_assert_msg(!fx_in_range(v), "bignum %ld fits a fixnum", (long)v);
}

static uint64_t rng = 0x9E3779B97F4A7C15u;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}
/* A random value of up to bits bits (bits <= 126), random sign. */
static i128 rand_i128(int bits) {
    unsigned __int128 m = ((unsigned __int128)next() << 64) | next();
    int b = (int)(next() % (uint64_t)bits) + 1;
    m &= ((unsigned __int128)1 << b) - 1;
    return (next() & 1) ? -(i128)m : (i128)m;
}

START_TEST(test_fixnum_boundaries) {
    LispObj max = fx_make(FIXNUM_MAX), min = fx_make(FIXNUM_MIN);
    LispObj up = int_add(tc, max, fx_make(1));
    ck_assert(bignum_p(up));
    ck_normal(up);
    ck_assert(int_sub(tc, up, fx_make(1)) == max);
    LispObj down = int_sub(tc, min, fx_make(1));
    ck_assert(bignum_p(down));
    ck_assert(int_add(tc, down, fx_make(1)) == min);
    ck_assert(bignum_p(int_neg(tc, min)));               /* -most-negative-fixnum */
    ck_assert(int_neg(tc, int_neg(tc, min)) == min);
    ck_assert(int_from_i128(tc, FIXNUM_MIN) == min);
    ck_assert(bignum_p(int_from_u64(tc, (uint64_t)FIXNUM_MAX + 1)));
    ck_assert(int_cmp(int_mul(tc, min, fx_make(-1)), up) == 0);
    LispObj q, r;
    int_truncate(tc, min, fx_make(-1), &q, &r);
    ck_assert(int_cmp(q, up) == 0 && r == fx_make(0));
    ck_assert(int_divexact(tc, up, fx_make(-1)) == min);
    ck_assert(int_cmp(up, max) > 0 && int_cmp(down, min) < 0 && int_cmp(down, up) < 0);
}
END_TEST

START_TEST(test_carries) {
    i128 all64 = (i128)UINT64_MAX;
    LispObj a = I(all64);                                  /* one full limb */
    LispObj s = int_add(tc, a, fx_make(1));                /* carry into limb 2 */
    ck_assert(bn_size(s) == 2 && to_i128(s) == all64 + 1);
    LispObj two128 = int_ash(tc, fx_make(1), 128);
    LispObj m1 = int_sub(tc, two128, fx_make(1));          /* borrow through two limbs */
    ck_assert(bn_size(m1) == 2 && bn_limbs(m1)[0] == UINT64_MAX && bn_limbs(m1)[1] == UINT64_MAX);
    ck_assert(int_add(tc, m1, fx_make(1)) != two128);      /* fresh object ... */
    ck_assert(int_cmp(int_add(tc, m1, fx_make(1)), two128) == 0); /* ... equal value */
    ck_assert(int_bit_length(two128) == 129);
    ck_assert(int_sub(tc, two128, two128) == fx_make(0));
    LispObj sq = int_mul(tc, m1, m1);                      /* (2^128-1)^2 = 2^256 - 2^129 + 1 */
    LispObj want = int_add(tc, int_sub(tc, int_ash(tc, fx_make(1), 256), int_ash(tc, fx_make(1), 129)),
                           fx_make(1));
    ck_assert(int_cmp(sq, want) == 0);
    ck_normal(sq);
    /* a negative sum that shrinks to a fixnum */
    ck_assert(int_add(tc, int_neg(tc, two128), two128) == fx_make(0));
    ck_assert(int_add(tc, int_neg(tc, m1), two128) == fx_make(1));
}
END_TEST

START_TEST(test_random_against_int128) {
    for (int i = 0; i < 20000; i++) {
        i128 x = rand_i128(125), y = rand_i128(125);
        LispObj a = I(x), b = I(y);
        ck_normal(a);
        ck_assert(to_i128(a) == x);
        ck_assert(to_i128(int_add(tc, a, b)) == x + y);
        ck_assert(to_i128(int_sub(tc, a, b)) == x - y);
        ck_assert(int_cmp(a, b) == ((x > y) - (x < y)));
        i128 xs = x >> 62, ys = y >> 62; /* products of values below 2^63 fit */
        ck_assert(to_i128(int_mul(tc, I(xs), I(ys))) == xs * ys);
        if (y != 0) {
            LispObj q, r;
            int_truncate(tc, a, b, &q, &r);
            ck_normal(q);
            ck_normal(r);
            ck_assert(to_i128(q) == x / y && to_i128(r) == x % y);
        }
        for (int op = 0; op < 3; op++) {
            i128 want = op == 0 ? (x & y) : op == 1 ? (x | y) : (x ^ y);
            LispObj got = int_logop(tc, op, a, b);
            ck_normal(got);
            ck_assert_msg(to_i128(got) == want, "logop %d", op);
        }
        ck_assert(to_i128(int_lognot(tc, a)) == ~x);
        int sh = (int)(next() % 120);
        ck_assert(to_i128(int_ash(tc, a, -sh)) == x >> sh); /* floor: arithmetic shift */
        if (int_bit_length(a) + (uint64_t)sh < 126) ck_assert(to_i128(int_ash(tc, a, sh)) == x * ((i128)1 << sh));
        uint64_t bit = next() % 130;
        ck_assert(int_logbitp(a, bit) == (bit >= 127 ? x < 0 : ((x >> bit) & 1) != 0));
        unsigned __int128 ux = x < 0 ? ~(unsigned __int128)x : (unsigned __int128)x;
        uint64_t pop = (uint64_t)__builtin_popcountll((uint64_t)ux) + (uint64_t)__builtin_popcountll((uint64_t)(ux >> 64));
        ck_assert(int_logcount(a) == pop);
        uint64_t len = 0;
        while (len < 128 && (ux >> len) != 0) len++;
        ck_assert(int_integer_length(a) == len);
    }
}
END_TEST

/* Truncating division keeps a's sign in the remainder, for every sign mix
 * and sizes from one limb to many. */
START_TEST(test_division_signs) {
    LispObj big = int_add(tc, int_pow(tc, fx_make(10), 40), fx_make(7));
    LispObj div = int_add(tc, int_pow(tc, fx_make(3), 30), fx_make(1));
    for (int sa = -1; sa <= 1; sa += 2)
        for (int sb = -1; sb <= 1; sb += 2) {
            LispObj a = sa < 0 ? int_neg(tc, big) : big, b = sb < 0 ? int_neg(tc, div) : div;
            LispObj q, r;
            int_truncate(tc, a, b, &q, &r);
            ck_assert(int_cmp(int_add(tc, int_mul(tc, q, b), r), a) == 0);
            ck_assert(int_sign(r) == 0 || int_sign(r) == sa);
            ck_assert(int_cmp(int_abs(tc, r), int_abs(tc, b)) < 0);
            ck_assert(int_sign(q) == sa * sb);
        }
    LispObj q, r; /* smaller dividend: quotient 0, remainder the dividend */
    int_truncate(tc, div, big, &q, &r);
    ck_assert(q == fx_make(0) && r == div);
    ck_assert(int_cmp(int_divexact(tc, int_mul(tc, big, div), div), big) == 0);
}
END_TEST

START_TEST(test_gcd_isqrt_pow) {
    LispObj a = int_pow(tc, fx_make(2), 100), b = int_pow(tc, fx_make(6), 50);
    ck_assert(int_cmp(int_gcd(tc, a, b), int_pow(tc, fx_make(2), 50)) == 0);
    ck_assert(int_cmp(int_gcd(tc, int_neg(tc, a), fx_make(0)), a) == 0);
    ck_assert(int_gcd(tc, fx_make(-12), fx_make(18)) == fx_make(6));
    LispObj t40 = int_pow(tc, fx_make(10), 40);
    ck_assert(int_cmp(int_isqrt(tc, t40), int_pow(tc, fx_make(10), 20)) == 0);
    ck_assert(int_cmp(int_isqrt(tc, int_sub(tc, t40, fx_make(1))),
                      int_sub(tc, int_pow(tc, fx_make(10), 20), fx_make(1))) == 0);
    ck_assert(int_pow(tc, fx_make(-1), 1000001) == fx_make(-1));
    ck_assert(int_sign(int_pow(tc, fx_make(-3), 101)) < 0);
    ck_assert(int_pow(tc, fx_make(7), 0) == fx_make(1));
}
END_TEST

/* Round to nearest, ties to even, with the bits below 64 as a sticky bit. */
START_TEST(test_to_double) {
    LispObj p53 = int_ash(tc, fx_make(1), 53);
    ck_assert(int_to_double(int_add(tc, p53, fx_make(1)), 0) == 0x1p53);       /* tie → even */
    ck_assert(int_to_double(int_add(tc, p53, fx_make(3)), 0) == 0x1p53 + 4);   /* tie → even (up) */
    LispObj p64 = int_ash(tc, fx_make(1), 64);
    LispObj half_up = int_add(tc, int_add(tc, p64, int_ash(tc, fx_make(1), 11)), fx_make(1)); /* tie + sticky */
    ck_assert(int_to_double(half_up, 0) == 0x1p64 + 0x1p12);
    ck_assert(int_to_double(int_add(tc, p64, int_ash(tc, fx_make(1), 11)), 0) == 0x1p64); /* exact tie */
    LispObj p200 = int_ash(tc, fx_make(1), 200);
    ck_assert(int_to_double(int_add(tc, p200, fx_make(1)), 0) == 0x1p200);
    ck_assert(int_to_double(int_neg(tc, p200), 0) == -0x1p200);
    ck_assert(isinf(int_to_double(int_ash(tc, fx_make(1), 1024), 0)));
    ck_assert(int_to_double(int_sub(tc, int_ash(tc, fx_make(1), 1024), fx_make(1)), 0) == INFINITY);
    ck_assert(int_to_double(fx_make(3), -1) == 1.5);
    /* ratio: 1/3 correctly rounded; n/d with bignum parts */
    ck_assert(num_ratio_to_double(tc, fx_make(1), fx_make(3)) == 1.0 / 3.0);
    LispObj t30 = int_pow(tc, fx_make(10), 30);
    ck_assert(num_ratio_to_double(tc, int_neg(tc, t30), int_mul(tc, t30, fx_make(4))) == -0.25);
    ck_assert(num_ratio_to_double(tc, fx_make(1), int_pow(tc, fx_make(2), 1074)) == 0x1p-1074); /* least denormal */
    /* single-floats round once, straight to 24 bits (no double rounding) */
    LispObj p24 = int_ash(tc, fx_make(1), 24);
    ck_assert(int_to_single(int_add(tc, p24, fx_make(1))) == 0x1p24f);
    ck_assert(int_to_single(int_ash(tc, int_add(tc, p24, fx_make(3)), 100)) == (0x1p24f + 4) * 0x1p100f);
    LispObj n = int_add(tc, int_ash(tc, int_add(tc, p24, fx_make(1)), 30), fx_make(1)); /* (2^24+1)*2^30 + 1 */
    ck_assert(num_ratio_to_single(tc, n, int_ash(tc, fx_make(1), 30)) == 0x1p24f + 2);
    ck_assert(isinf(int_to_single(int_ash(tc, fx_make(1), 128))));
    /* the exact integer of a double, both ways */
    LispObj i = int_from_double(tc, 0x1p100 + 0x1p48);
    ck_assert(int_cmp(i, int_add(tc, int_ash(tc, fx_make(1), 100), int_ash(tc, fx_make(1), 48))) == 0);
    ck_assert(int_to_double(i, 0) == 0x1p100 + 0x1p48);
    ck_assert(int_cmp(int_from_double(tc, -0x1p70), int_neg(tc, int_ash(tc, fx_make(1), 70))) == 0);
}
END_TEST

/* Digits round trip in every radix, for fixnums and bignums of both signs. */
START_TEST(test_digits) {
    LispObj vals[] = {fx_make(0), fx_make(-1), fx_make(FIXNUM_MAX), int_pow(tc, fx_make(3), 200),
                      int_neg(tc, int_pow(tc, fx_make(7), 90)), int_sub(tc, int_ash(tc, fx_make(1), 128), fx_make(1))};
    for (size_t k = 0; k < sizeof vals / sizeof vals[0]; k++)
        for (unsigned radix = 2; radix <= 36; radix++) {
            LispObj s = int_to_string(tc, vals[k], radix);
            size_t n = str_length(s), start = STR(s)->chars[0] == '-';
            unsigned char digits[1024];
            ck_assert(n - start < sizeof digits);
            for (size_t i = start; i < n; i++) {
                uint32_t c = STR(s)->chars[i];
                digits[i - start] = (unsigned char)(c <= '9' ? c - '0' : c - 'A' + 10);
                ck_assert(digits[i - start] < radix);
            }
            ck_assert(n == start + 1 || digits[0] != 0); /* no leading zeros */
            LispObj buf = bytes_make(tc, n - start);
            memcpy(((LispBytes *)obj_words(buf))->bytes, digits, n - start);
            LispObj back = int_from_digits(tc, buf, n - start, radix, start == 1);
            ck_normal(back);
            ck_assert_msg(int_cmp(back, vals[k]) == 0, "radix %u value %zu", radix, k);
        }
    ck_assert(int_from_digits(tc, bytes_make(tc, 40), 40, 10, true) == fx_make(0)); /* all zero digits */
}
END_TEST

static Suite *bignum_suite(void) {
    Suite *s = suite_create("bignum");
    TCase *tcase = tcase_create("core");
    tcase_set_timeout(tcase, 120);
    tcase_add_test(tcase, test_fixnum_boundaries);
    tcase_add_test(tcase, test_carries);
    tcase_add_test(tcase, test_random_against_int128);
    tcase_add_test(tcase, test_division_signs);
    tcase_add_test(tcase, test_gcd_isqrt_pow);
    tcase_add_test(tcase, test_to_double);
    tcase_add_test(tcase, test_digits);
    suite_add_tcase(s, tcase);
    return s;
}

int main(void) { return lt_run_suite(bignum_suite, false); }
