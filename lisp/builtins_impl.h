/* lisp/builtins_impl.h — private declarations shared by the builtins_*.c
 * files: their tables, and helpers for keyword arguments, :test/:key,
 * bounding indices, equality and kernel arithmetic.  Included only by lisp/
 * and its tests. */
#ifndef PETREL_LISP_BUILTINS_IMPL_H
#define PETREL_LISP_BUILTINS_IMPL_H

#include "lisp/lisp.h"

/* ---- Tables (each NULL-name terminated; init.c registers them). ---- */
extern const BuiltinSpec builtins_list[];    /* builtins_list.c */
extern const BuiltinSpec builtins_pred[];    /* builtins_pred.c */
extern const BuiltinSpec builtins_num[];     /* builtins_num.c */
extern const BuiltinSpec builtins_symbol[];  /* builtins_symbol.c */
extern const BuiltinSpec builtins_string[];  /* builtins_string.c */
extern const BuiltinSpec builtins_vector[];  /* builtins_vector.c */
/* The spec builtin fn named name (a symbol) came from, or NULL (builtins_vm.c). */
const BuiltinSpec *lisp_builtin_spec(BuiltinFn fn, LispObj name);

/* ---- Keyword arguments (builtins_list.c) ----
 * Parses args[first..nargs) as alternating keyword/value pairs against
 * keys[0..nkeys).  vals[i] gets the value of the leftmost occurrence of
 * keys[i], or LISP_UNSUPPLIED.  Odd count, a non-symbol key, or an unknown
 * key without a true :allow-other-keys signal program-error naming op. */
void bi_parse_keys(ThContext *tc, const char *op, size_t nargs, const LispObj *args,
                   size_t first, const LispObj *keys, size_t nkeys, LispObj *vals);
static inline bool bi_supplied_p(LispObj v) { return v != LISP_UNSUPPLIED; }
/* Value of an optional/keyword argument that may be absent: absent → dflt. */
static inline LispObj bi_or(LispObj v, LispObj dflt) { return v == LISP_UNSUPPLIED ? dflt : v; }

/* ---- :test / :test-not / :key (CLHS 17.2) (builtins_list.c) ---- */
enum BiTestKind { BT_FN, BT_EQ, BT_EQL, BT_EQUAL, BT_PRED };
typedef struct BiTest {
    enum BiTestKind kind; /* fast paths for the standard predicates */
    LispObj fn;           /* test function (BT_FN, BT_PRED) */
    LispObj key;          /* key function or NIL (identity) */
    bool negate;          /* :test-not, or the -IF-NOT variants */
} BiTest;
/* test, test_not, key may each be LISP_UNSUPPLIED; key NIL = identity.
 * Both test and test_not supplied → program-error. */
void bi_test_setup(ThContext *tc, BiTest *bt, const char *op, LispObj test, LispObj test_not,
                   LispObj key);
/* For the -IF / -IF-NOT functions: pred called on (key elt). */
void bi_pred_setup(ThContext *tc, BiTest *bt, LispObj pred, LispObj key, bool negate);
LispObj bi_key_apply(ThContext *tc, const BiTest *bt, LispObj x);
/* Does elt (the raw element; the key is applied here) satisfy the test against item? */
bool bi_test_match(ThContext *tc, const BiTest *bt, LispObj item, LispObj elt);

/* ---- Sequences (builtins_list.c) ---- */
/* Length of a proper sequence: list (type-error if dotted or circular),
 * string or vector; other → type-error SEQUENCE. */
size_t bi_seq_length(ThContext *tc, LispObj seq);
/* Bounding indices (CLHS 17.1.1): start absent → 0, end absent or NIL → len;
 * 0 <= start <= end <= len, otherwise type-error. */
void bi_bounds(ThContext *tc, LispObj start, LispObj end, size_t len, size_t *s, size_t *e);
/* A non-negative fixnum (type-error (INTEGER 0 *) otherwise). */
size_t bi_nonneg(ThContext *tc, LispObj x);
/* type-error for an index: expected (INTEGER 0 (limit)). */
_Noreturn void bi_index_error(ThContext *tc, LispObj datum, size_t limit);
/* The list (INTEGER lo hi) as a type specifier. */
LispObj bi_integer_type(ThContext *tc, int64_t lo, int64_t hi);

/* ---- Equality (builtins_pred.c) ---- */
bool bi_eql(LispObj a, LispObj b);
bool bi_equal(ThContext *tc, LispObj a, LispObj b);
bool bi_equalp(ThContext *tc, LispObj a, LispObj b);

/* ---- Characters (builtins_string.c) ---- */
uint32_t bi_char_upcase(uint32_t c);
uint32_t bi_char_downcase(uint32_t c);
bool bi_alpha_char_p(uint32_t c);

/* ---- Arithmetic (builtins_num.c; the whole number layer is in num_impl.h) ---- */
/* A result beyond an implementation limit (not integer overflow: integers
 * grow into bignums). */
_Noreturn void num_overflow(ThContext *tc, const char *op);
LispObj num_add(ThContext *tc, LispObj a, LispObj b);
LispObj num_sub(ThContext *tc, LispObj a, LispObj b);
LispObj num_mul(ThContext *tc, LispObj a, LispObj b);
LispObj num_div(ThContext *tc, LispObj a, LispObj b);
/* Normalised rational n/d (d != 0): integer when d divides n (bignum parts as needed). */
LispObj num_make_rational(ThContext *tc, __int128 n, __int128 d, const char *op);
/* Exact comparison of two reals: -1, 0, 1, or 2 when unordered (NaN).
 * Both must be reals; may allocate (through th_current) when a bignum or a
 * big ratio meets a float. */
int num_compare(LispObj a, LispObj b);
bool num_real_supported_p(LispObj x); /* any real: kept for callers written before bignums */
/* Sign of a real: -1, 0, 1 (type-error REAL for non-reals). */
int num_sign(ThContext *tc, LispObj x);

#endif
