/* lisp/num_bits.c — integer functions of CLHS 12: GCD LCM ISQRT ASH, the
 * LOG* family and BOOLE over two's complement integers of any size,
 * LOGBITP LOGCOUNT INTEGER-LENGTH, and the generator behind RANDOM
 * (SYS:%RANDOM; the RANDOM-STATE structure itself is in lisp/src/numbers.lisp).
 *
 * Invariants: integers are treated as infinite two's complement (CLHS
 * 12.1.1.3.1); results are normalised (bignum.c).
 *
 * Shared state: none (a random state is a Lisp object owned by its user). */
#include "lisp/lisp.h"
#include "lisp/builtins_impl.h"
#include "lisp/num_impl.h"

#include <math.h>
#include <time.h>

static LispObj int_arg(ThContext *tc, LispObj x) {
    if (!integer_p(x)) cond_type_error(tc, x, S(INTEGER));
    return x;
}

static LispObj cl_gcd(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj g = fx_make(0);
    for (size_t i = 0; i < nargs; i++) int_arg(tc, args[i]);
    for (size_t i = 0; i < nargs; i++) g = int_gcd(tc, g, args[i]);
    return nargs == 1 ? int_abs(tc, args[0]) : g;
}

static LispObj cl_lcm(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj l = fx_make(1);
    for (size_t i = 0; i < nargs; i++) int_arg(tc, args[i]);
    for (size_t i = 0; i < nargs; i++) {
        LispObj x = int_abs(tc, args[i]);
        if (x == fx_make(0)) return fx_make(0);
        l = int_mul(tc, int_divexact(tc, l, int_gcd(tc, l, x)), x);
    }
    return l;
}

static LispObj cl_isqrt(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj n = int_arg(tc, args[0]);
    if (int_sign(n) < 0) cond_type_error(tc, n, lisp_list(tc, 3, S(INTEGER), fx_make(0), S(STAR)));
    if (fx_p(n)) {
        int64_t v = fx_value(n), r = (int64_t)sqrtl((long double)v);
        while (r * r > v) r--;
        while ((r + 1) * (r + 1) <= v) r++;
        return fx_make(r);
    }
    return int_isqrt(tc, n);
}

static LispObj cl_ash(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj n = int_arg(tc, args[0]), c = int_arg(tc, args[1]);
    if (!fx_p(c)) {
        if (int_sign(c) < 0 || n == fx_make(0)) return fx_make(int_sign(n) < 0 ? -1 : 0);
        cond_error(tc, "ASH: shifting %v left by %v bits is beyond the implementation's limit (2^46 bits)", n, c);
    }
    return int_ash(tc, n, fx_value(c));
}

/* ---------------------------------------------------------------- LOG* and BOOLE */

/* The 16 operations of BOOLE, in the order of the BOOLE-* constants (init.c):
 * clr set 1 2 c1 c2 and ior xor eqv nand nor andc1 andc2 orc1 orc2. */
enum { B_CLR, B_SET, B_1, B_2, B_C1, B_C2, B_AND, B_IOR, B_XOR, B_EQV, B_NAND, B_NOR, B_ANDC1, B_ANDC2,
       B_ORC1, B_ORC2, B_COUNT };

static LispObj boole2(ThContext *tc, int op, LispObj a, LispObj b) {
    switch (op) {
    case B_CLR: return fx_make(0);
    case B_SET: return fx_make(-1);
    case B_1: return a;
    case B_2: return b;
    case B_C1: return int_lognot(tc, a);
    case B_C2: return int_lognot(tc, b);
    case B_AND: return int_logop(tc, 0, a, b);
    case B_IOR: return int_logop(tc, 1, a, b);
    case B_XOR: return int_logop(tc, 2, a, b);
    case B_EQV: return int_lognot(tc, int_logop(tc, 2, a, b));
    case B_NAND: return int_lognot(tc, int_logop(tc, 0, a, b));
    case B_NOR: return int_lognot(tc, int_logop(tc, 1, a, b));
    case B_ANDC1: return int_logop(tc, 0, int_lognot(tc, a), b);
    case B_ANDC2: return int_logop(tc, 0, a, int_lognot(tc, b));
    case B_ORC1: return int_logop(tc, 1, int_lognot(tc, a), b);
    default: return int_logop(tc, 1, a, int_lognot(tc, b));
    }
}

/* Associative LOGAND/LOGIOR/LOGXOR/LOGEQV over any number of integers. */
static LispObj logfold(ThContext *tc, size_t nargs, LispObj *args, int op, int64_t init) {
    for (size_t i = 0; i < nargs; i++) int_arg(tc, args[i]);
    LispObj r = fx_make(init);
    for (size_t i = 0; i < nargs; i++) r = boole2(tc, op, r, args[i]);
    return r;
}
static LispObj cl_logand(ThContext *tc, size_t nargs, LispObj *args) { return logfold(tc, nargs, args, B_AND, -1); }
static LispObj cl_logior(ThContext *tc, size_t nargs, LispObj *args) { return logfold(tc, nargs, args, B_IOR, 0); }
static LispObj cl_logxor(ThContext *tc, size_t nargs, LispObj *args) { return logfold(tc, nargs, args, B_XOR, 0); }
static LispObj cl_logeqv(ThContext *tc, size_t nargs, LispObj *args) { return logfold(tc, nargs, args, B_EQV, -1); }

static LispObj log2op(ThContext *tc, LispObj *args, int op) {
    return boole2(tc, op, int_arg(tc, args[0]), int_arg(tc, args[1]));
}
static LispObj cl_lognand(ThContext *tc, size_t nargs, LispObj *args) { return log2op(tc, args, B_NAND); }
static LispObj cl_lognor(ThContext *tc, size_t nargs, LispObj *args) { return log2op(tc, args, B_NOR); }
static LispObj cl_logandc1(ThContext *tc, size_t nargs, LispObj *args) { return log2op(tc, args, B_ANDC1); }
static LispObj cl_logandc2(ThContext *tc, size_t nargs, LispObj *args) { return log2op(tc, args, B_ANDC2); }
static LispObj cl_logorc1(ThContext *tc, size_t nargs, LispObj *args) { return log2op(tc, args, B_ORC1); }
static LispObj cl_logorc2(ThContext *tc, size_t nargs, LispObj *args) { return log2op(tc, args, B_ORC2); }
static LispObj cl_lognot(ThContext *tc, size_t nargs, LispObj *args) { return int_lognot(tc, int_arg(tc, args[0])); }
static LispObj cl_logtest(ThContext *tc, size_t nargs, LispObj *args) {
    return log2op(tc, args, B_AND) != fx_make(0) ? T : NIL;
}

static LispObj cl_boole(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj op = args[0];
    if (!fx_p(op) || fx_value(op) < 0 || fx_value(op) >= B_COUNT)
        cond_type_error(tc, op, lisp_list(tc, 3, S(INTEGER), fx_make(0), fx_make(B_COUNT - 1)));
    return boole2(tc, (int)fx_value(op), int_arg(tc, args[1]), int_arg(tc, args[2]));
}

static LispObj cl_logbitp(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj i = args[0], n = int_arg(tc, args[1]);
    if (!integer_p(i) || int_sign(i) < 0) cond_type_error(tc, i, lisp_list(tc, 3, S(INTEGER), fx_make(0), S(STAR)));
    if (!fx_p(i)) return int_sign(n) < 0 ? T : NIL;
    return int_logbitp(n, (uint64_t)fx_value(i)) ? T : NIL;
}

static LispObj cl_logcount(ThContext *tc, size_t nargs, LispObj *args) {
    return int_from_u64(tc, int_logcount(int_arg(tc, args[0])));
}

static LispObj cl_integer_length(ThContext *tc, size_t nargs, LispObj *args) {
    return int_from_u64(tc, int_integer_length(int_arg(tc, args[0])));
}

/* ---------------------------------------------------------------- RANDOM */

/* splitmix64: the state is a 64-bit counter, each output a mix of it. */
static uint64_t splitmix_next(uint64_t *state) {
    uint64_t z = (*state += UINT64_C(0x9E3779B97F4A7C15));
    z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
    z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
    return z ^ (z >> 31);
}

static uint64_t state_word(ThContext *tc, LispObj s) {
    if (fx_p(s)) return (uint64_t)fx_value(s);
    if (bignum_p(s) && bn_size(s) == 1) return bn_limbs(s)[0];
    cond_type_error(tc, s, lisp_list(tc, 2, S(UNSIGNED_BYTE), fx_make(64)));
}

/* A uniform integer in [0, limit): enough random limbs for limit plus 64
 * more bits, reduced modulo limit (bias below 2^-64). */
static LispObj random_integer(ThContext *tc, LispObj limit, uint64_t *st) {
    if (fx_p(limit)) {
        uint64_t n = (uint64_t)fx_value(limit), bound = UINT64_MAX - UINT64_MAX % n, r;
        do r = splitmix_next(st); while (r >= bound);
        return fx_make((int64_t)(r % n));
    }
    size_t words = bn_size(limit) + 1;
    LispObj acc = fx_make(0);
    for (size_t i = 0; i < words; i++)
        acc = int_add(tc, int_ash(tc, acc, 64), int_from_u64(tc, splitmix_next(st)));
    LispObj q, r;
    int_truncate(tc, acc, limit, &q, &r);
    return r;
}

/* (sys:%random limit state) → (values number new-state); state is an
 * (unsigned-byte 64). */
static LispObj sys_random(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj limit = args[0];
    uint64_t st = state_word(tc, args[1]);
    LispObj expected = lisp_list(tc, 3, S(OR), lisp_list(tc, 2, S(INTEGER), fx_make(1)),
                                 lisp_list(tc, 2, S(FLOAT), lisp_list(tc, 1, fx_make(0))));
    if (!real_p(limit) || ratio_p(limit) || num_sign(tc, limit) <= 0) cond_type_error(tc, limit, expected);
    LispObj v[2];
    if (integer_p(limit)) {
        v[0] = random_integer(tc, limit, &st);
    } else {
        for (;;) {
            if (single_float_p(limit)) {
                float f = (float)(splitmix_next(&st) >> 40) * 0x1p-24f * single_float_value(limit);
                if (f < single_float_value(limit)) { v[0] = single_float_make(f); break; }
            } else {
                double d = (double)(splitmix_next(&st) >> 11) * 0x1p-53 * double_float_value(limit);
                if (d < double_float_value(limit)) { v[0] = double_float_make(tc, d); break; }
            }
        }
    }
    v[1] = int_from_u64(tc, st);
    return vm_values(tc, 2, v);
}

/* (sys:%random-seed) → a fresh (unsigned-byte 64) seed from the clock. */
static LispObj sys_random_seed(ThContext *tc, size_t nargs, LispObj *args) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    uint64_t s = (uint64_t)ts.tv_sec * UINT64_C(1000000007) ^ (uint64_t)ts.tv_nsec ^ (uint64_t)(uintptr_t)tc;
    return int_from_u64(tc, splitmix_next(&s));
}

/* ---------------------------------------------------------------- table */

const BuiltinSpec builtins_num_bits[] = {
    {"GCD", "CL", cl_gcd, 0, BUILTIN_REST, "&rest integers", "Greatest common divisor of INTEGERS (0 if none)."},
    {"LCM", "CL", cl_lcm, 0, BUILTIN_REST, "&rest integers", "Least common multiple of INTEGERS (1 if none)."},
    {"ISQRT", "CL", cl_isqrt, 1, 1, "natural", "Greatest integer whose square is at most NATURAL."},
    {"ASH", "CL", cl_ash, 2, 2, "integer count", "Shifts INTEGER left by COUNT bits (right if COUNT is negative)."},
    {"LOGAND", "CL", cl_logand, 0, BUILTIN_REST, "&rest integers", "Bitwise and of INTEGERS (-1 if none)."},
    {"LOGIOR", "CL", cl_logior, 0, BUILTIN_REST, "&rest integers", "Bitwise inclusive or of INTEGERS (0 if none)."},
    {"LOGXOR", "CL", cl_logxor, 0, BUILTIN_REST, "&rest integers", "Bitwise exclusive or of INTEGERS (0 if none)."},
    {"LOGEQV", "CL", cl_logeqv, 0, BUILTIN_REST, "&rest integers", "Bitwise equivalence of INTEGERS (-1 if none)."},
    {"LOGNAND", "CL", cl_lognand, 2, 2, "integer-1 integer-2", "Complement of the bitwise and."},
    {"LOGNOR", "CL", cl_lognor, 2, 2, "integer-1 integer-2", "Complement of the bitwise inclusive or."},
    {"LOGANDC1", "CL", cl_logandc1, 2, 2, "integer-1 integer-2", "And of the complement of INTEGER-1 with INTEGER-2."},
    {"LOGANDC2", "CL", cl_logandc2, 2, 2, "integer-1 integer-2", "And of INTEGER-1 with the complement of INTEGER-2."},
    {"LOGORC1", "CL", cl_logorc1, 2, 2, "integer-1 integer-2", "Or of the complement of INTEGER-1 with INTEGER-2."},
    {"LOGORC2", "CL", cl_logorc2, 2, 2, "integer-1 integer-2", "Or of INTEGER-1 with the complement of INTEGER-2."},
    {"LOGNOT", "CL", cl_lognot, 1, 1, "integer", "Bitwise complement of INTEGER."},
    {"LOGTEST", "CL", cl_logtest, 2, 2, "integer-1 integer-2", "True if the integers have a one bit in common."},
    {"BOOLE", "CL", cl_boole, 3, 3, "op integer-1 integer-2", "The bitwise operation OP (a BOOLE-* constant)."},
    {"LOGBITP", "CL", cl_logbitp, 2, 2, "index integer", "True if bit INDEX of INTEGER (two's complement) is 1."},
    {"LOGCOUNT", "CL", cl_logcount, 1, 1, "integer",
     "Number of one bits of a non-negative INTEGER, of zero bits of a negative one."},
    {"INTEGER-LENGTH", "CL", cl_integer_length, 1, 1, "integer",
     "Number of bits needed to represent INTEGER in two's complement, sign excluded."},
    {"%RANDOM", "SYS", sys_random, 2, 2, "limit state",
     "A pseudo-random number below LIMIT from the 64-bit STATE, and the next state."},
    {"%RANDOM-SEED", "SYS", sys_random_seed, 0, 0, "", "A fresh 64-bit random seed."},
    {0},
};
