/* lisp/types.c — TYPEP in C: every standard atomic type name the kernel's
 * objects can belong to (CLHS figure 4-2), the compound specifiers (and or
 * not member eql satisfies, numeric ranges, mod/unsigned-byte/signed-byte,
 * cons, complex, array/vector/string families), DEFTYPE expansion, and the
 * hooks to condition types (cond.c) and structure types (builtins_struct.c).
 * SUBTYPEP, COERCE and the TYPECASE family are Lisp (src/types.lisp).
 *
 * Invariants: a type specifier that names no type, or (function ...) /
 * (values ...), signals an error (CLHS TYPEP), never answers false
 * silently.  Only DEFTYPE expanders, SATISFIES predicates and the Lisp
 * element-type upgrader run Lisp; every other test is pure C.
 * Array element types upgrade as lisp/array.c says (CLHS 15.1.2.1);
 * base-char is character, so base strings are strings.
 * No state of its own: deftype expanders live on the name's plist under
 * SYS::%DEFTYPE (written by DEFTYPE in src/types.lisp). */
#include "lisp/types_impl.h"
#include "lisp/cond_impl.h"
#include "lisp/builtins_impl.h"
#include "lisp/num_impl.h"
#include "lisp/array_impl.h"

/* ---------------------------------------------------------------- atomic types */

static bool standard_char_code_p(uint32_t c) { return c == '\n' || (c >= 32 && c < 127); }

static bool stream_kind_p(LispObj x, bool file) {
    return stm_typep(x, file ? S(TY_FILE_STREAM) : S(TY_STRING_STREAM));
}

static bool structure_object_p(LispObj x) {
    return kind_p(x, KIND_INSTANCE) && !condition_p(x);
}

/* X(symbol id, test on x): the atomic type names with a C test.  Names of
 * classes the kernel has no objects for yet (readtable, pathname, ...) ask
 * the structure hook, so a library that implements them as structures of
 * that name is seen. */
#define ATOMIC_TYPES(X)                                                                       \
    X(TY_ATOM, !cons_p(x))                                                                    \
    X(LIST_TYPE, list_p(x))                                                                   \
    X(CONS_TYPE, cons_p(x))                                                                   \
    X(SYMBOL, symbol_p(x))                                                                    \
    X(KEYWORD, sym_keyword_p(x))                                                              \
    X(BOOLEAN, x == NIL || x == T)                                                            \
    X(NUMBER, number_p(x))                                                                    \
    X(REAL, real_p(x))                                                                        \
    X(RATIONAL, rational_p(x))                                                                \
    X(INTEGER, integer_p(x))                                                                  \
    X(FIXNUM, fx_p(x))                                                                        \
    X(BIGNUM, kind_p(x, KIND_BIGNUM))                                                         \
    X(BIT, x == fx_make(0) || x == fx_make(1))                                                \
    X(UNSIGNED_BYTE, fx_p(x) ? fx_value(x) >= 0 : kind_p(x, KIND_BIGNUM))                     \
    X(TY_SIGNED_BYTE, integer_p(x))                                                           \
    X(RATIO, ratio_p(x))                                                                      \
    X(FLOAT, float_p(x))                                                                      \
    X(SHORT_FLOAT, single_float_p(x))                                                         \
    X(SINGLE_FLOAT, single_float_p(x))                                                        \
    X(DOUBLE_FLOAT, double_float_p(x))                                                        \
    X(LONG_FLOAT, double_float_p(x))                                                          \
    X(COMPLEX, kind_p(x, KIND_COMPLEX))                                                       \
    X(CHARACTER, char_p(x))                                                                   \
    X(BASE_CHAR, char_p(x))                                                                   \
    X(STANDARD_CHAR, char_p(x) && standard_char_code_p(char_code(x)))                         \
    X(TY_EXTENDED_CHAR, false)                                                                \
    X(STRING, arr_string_p(x))                                                                \
    X(SIMPLE_STRING, string_p(x))                                                             \
    X(BASE_STRING, arr_string_p(x))                                                           \
    X(SIMPLE_BASE_STRING, string_p(x))                                                        \
    X(VECTOR, arr_vector_p(x))                                                                \
    X(SIMPLE_VECTOR, vector_p(x))                                                             \
    X(ARRAY, arr_array_p(x))                                                                  \
    X(SIMPLE_ARRAY, arr_simple_p(x))                                                          \
    X(TY_BIT_VECTOR, arr_bit_vector_p(x))                                                     \
    X(TY_SIMPLE_BIT_VECTOR, uvec_p(x) && uvec_etype(x) == ET_BIT)                             \
    X(SEQUENCE, list_p(x) || arr_vector_p(x))                                                 \
    X(FUNCTION, function_p(x))                                                                \
    X(FUNCTION_TYPE, function_p(x))                                                           \
    X(PACKAGE, package_p(x))                                                                  \
    X(STREAM, stream_p(x))                                                                    \
    X(TY_STRING_STREAM, stream_kind_p(x, false))                                              \
    X(TY_FILE_STREAM, stream_kind_p(x, true))                                                 \
    X(TY_BROADCAST_STREAM, stm_typep(x, S(TY_BROADCAST_STREAM)))                              \
    X(TY_SYNONYM_STREAM, stm_typep(x, S(TY_SYNONYM_STREAM)))                                  \
    X(TY_TWO_WAY_STREAM, stm_typep(x, S(TY_TWO_WAY_STREAM)))                                  \
    X(TY_ECHO_STREAM, stm_typep(x, S(TY_ECHO_STREAM)))                                        \
    X(TY_CONCATENATED_STREAM, stm_typep(x, S(TY_CONCATENATED_STREAM)))                        \
    X(HASH_TABLE, kind_p(x, KIND_HASH_TABLE))                                                 \
    X(MT_THREAD, kind_p(x, KIND_THREAD))                                                      \
    X(MT_MUTEX, kind_p(x, KIND_MUTEX))                                                        \
    X(MT_WAITQUEUE, kind_p(x, KIND_WAITQUEUE))                                                \
    X(MT_SEMAPHORE, kind_p(x, KIND_SEMAPHORE))                                                \
    X(EXT_WEAK_POINTER, kind_p(x, KIND_WEAK_POINTER))                                         \
    X(FFI_FOREIGN_POINTER, kind_p(x, KIND_FOREIGN_POINTER))                                   \
    X(TY_RESTART, cond_restart_p(x))                                                          \
    X(TY_STRUCTURE_OBJECT, structure_object_p(x) || lisp_structure_typep(x, S(TY_STRUCTURE_OBJECT)))

/* Standard class names with no kernel objects: only the structure hook. */
#define HOOKED_TYPES(X)                                                                       \
    X(TY_RANDOM_STATE) X(TY_READTABLE) X(TY_PATHNAME) X(TY_LOGICAL_PATHNAME)                  \
    X(TY_STANDARD_OBJECT) X(TY_CLASS) X(TY_BUILT_IN_CLASS)                                    \
    X(TY_STRUCTURE_CLASS) X(TY_STANDARD_CLASS) X(TY_METHOD) X(TY_STANDARD_METHOD)               \
    X(TY_GENERIC_FUNCTION) X(TY_STANDARD_GENERIC_FUNCTION) X(TY_METHOD_COMBINATION)

/* A standard class name: its class (src/clos.lisp) once CLOS has one, else
 * a structure of that name. */
static bool hooked_typep(LispObj x, LispObj sym) {
    bool known;
    bool r = clos_typep_name(x, sym, &known);
    return known ? r : lisp_structure_typep(x, sym);
}

/* Sets *known and returns the answer when sym is a built-in atomic type. */
static bool atomic_typep(LispObj x, LispObj sym, bool *known) {
    *known = true;
    if (sym == T) return true;
    if (sym == NIL) return false;
    if (sym == S(NULL)) return x == NIL;
#define X(id, test) if (sym == S(id)) return (test);
    ATOMIC_TYPES(X)
#undef X
#define X(id) if (sym == S(id)) return hooked_typep(x, sym);
    HOOKED_TYPES(X)
#undef X
    *known = false;
    return false;
}

/* ---------------------------------------------------------------- deftype */

static LispObj deftype_expander(LispObj sym) {
    if (!symbol_p(sym)) return NIL;
    return lisp_plist_get(SYM(sym)->plist, S(TY_DEFTYPE_KEY), NIL);
}

/* One step of DEFTYPE expansion of spec, or LISP_UNBOUND if spec's head
 * names no deftype.  The expander receives the whole form, (name) for a
 * bare symbol. */
static LispObj deftype_expand_1(ThContext *tc, LispObj spec) {
    LispObj head = cons_p(spec) ? CAR(spec) : spec;
    LispObj fn = deftype_expander(head);
    if (fn == NIL) return LISP_UNBOUND;
    LispObj form = cons_p(spec) ? spec : lisp_cons(tc, spec, NIL);
    return vm_funcall1(tc, fn, form);
}

/* ---------------------------------------------------------------- numeric ranges */

_Noreturn static void bad_spec(ThContext *tc, LispObj spec) {
    cond_error(tc, "TYPEP: %v is not a valid type specifier", spec);
}

/* x against one bound: '* passes; n inclusive; (n) exclusive. */
static bool bound_ok(ThContext *tc, LispObj x, LispObj bound, bool lower, LispObj spec) {
    if (bound == S(STAR)) return true;
    bool excl = false;
    if (cons_p(bound)) {
        if (CDR(bound) != NIL) bad_spec(tc, spec);
        bound = CAR(bound);
        excl = true;
    }
    if (!real_p(bound)) bad_spec(tc, spec);
    int c = num_compare(x, bound);
    if (c == 2) return false;
    if (lower) return excl ? c > 0 : c >= 0;
    return excl ? c < 0 : c <= 0;
}

/* (class [lo [hi]]) for the real classes. */
static bool range_typep(ThContext *tc, LispObj x, LispObj spec, bool in_class) {
    if (!in_class) return false;
    LispObj args = CDR(spec);
    LispObj lo = cons_p(args) ? CAR(args) : S(STAR);
    LispObj hi = cons_p(args) && cons_p(CDR(args)) ? CAR(CDR(args)) : S(STAR);
    if (cons_p(args) && cons_p(CDR(args)) && CDR(CDR(args)) != NIL) bad_spec(tc, spec);
    return bound_ok(tc, x, lo, true, spec) && bound_ok(tc, x, hi, false, spec);
}

/* (unsigned-byte n) / (signed-byte n) / (mod n) on any integer x. */
static bool byte_typep(ThContext *tc, LispObj x, LispObj spec, LispObj op) {
    LispObj args = CDR(spec);
    LispObj n = cons_p(args) ? CAR(args) : S(STAR);
    if (cons_p(args) && CDR(args) != NIL) bad_spec(tc, spec);
    if (op == S(MOD)) {
        if (!integer_p(n) || int_sign(n) <= 0) bad_spec(tc, spec);
        return integer_p(x) && int_sign(x) >= 0 && int_cmp(x, n) < 0;
    }
    if (n != S(STAR) && (!integer_p(n) || int_sign(n) <= 0)) bad_spec(tc, spec);
    if (!integer_p(x)) return false;
    if (op == S(UNSIGNED_BYTE) && int_sign(x) < 0) return false;
    if (n == S(STAR)) return true;
    if (!fx_p(n)) return true; /* more bits than any integer in memory has */
    uint64_t len = int_integer_length(x), bits = (uint64_t)fx_value(n);
    return op == S(UNSIGNED_BYTE) ? len <= bits : len < bits;
}

/* ---------------------------------------------------------------- arrays */

static bool element_type_ok(ThContext *tc, LispObj x, LispObj et) {
    return et == S(STAR) || arr_etype_of_spec(tc, et) == arr_etype(x);
}

/* x's dimensions against a dimension spec: * , a rank, or a list of * and sizes. */
static bool dims_ok(ThContext *tc, LispObj x, LispObj dims, LispObj spec) {
    if (dims == S(STAR)) return true;
    size_t rank = arr_rank(x);
    if (fx_p(dims)) {
        if (fx_value(dims) < 0) bad_spec(tc, spec);
        return (size_t)fx_value(dims) == rank;
    }
    if (!list_p(dims)) bad_spec(tc, spec);
    size_t k = 0;
    for (LispObj l = dims; cons_p(l); l = CDR(l), k++) {
        LispObj d = CAR(l);
        if (d == S(STAR)) continue;
        if (!fx_p(d) || fx_value(d) < 0) bad_spec(tc, spec);
        if (k >= rank || (size_t)fx_value(d) != arr_dimension(x, k)) return false;
    }
    return k == rank;
}

static bool size_ok(ThContext *tc, LispObj x, LispObj size, LispObj spec) {
    if (size == S(STAR)) return true;
    if (!fx_p(size) || fx_value(size) < 0) bad_spec(tc, spec);
    return (size_t)fx_value(size) == arr_dimension(x, 0);
}

/* nth argument of a compound spec or '*. */
static LispObj spec_arg(LispObj spec, int n) {
    LispObj l = CDR(spec);
    for (; n > 0 && cons_p(l); n--) l = CDR(l);
    return cons_p(l) ? CAR(l) : S(STAR);
}

static bool array_typep(ThContext *tc, LispObj x, LispObj spec, LispObj op) {
    if (!arr_array_p(x)) return false;
    bool simple = op == S(SIMPLE_ARRAY) || op == S(SIMPLE_VECTOR) || op == S(SIMPLE_STRING) ||
                  op == S(SIMPLE_BASE_STRING) || op == S(TY_SIMPLE_BIT_VECTOR);
    if (simple && !arr_simple_p(x)) return false;
    if (op == S(ARRAY) || op == S(SIMPLE_ARRAY))
        return element_type_ok(tc, x, spec_arg(spec, 0)) && dims_ok(tc, x, spec_arg(spec, 1), spec);
    if (arr_rank(x) != 1) return false;
    if (op == S(VECTOR))
        return element_type_ok(tc, x, spec_arg(spec, 0)) && size_ok(tc, x, spec_arg(spec, 1), spec);
    enum ArrEtype want = op == S(SIMPLE_VECTOR) ? ET_T
                       : (op == S(TY_BIT_VECTOR) || op == S(TY_SIMPLE_BIT_VECTOR)) ? ET_BIT : ET_CHARACTER;
    return arr_etype(x) == want && size_ok(tc, x, spec_arg(spec, 0), spec);
}

static bool array_op_p(LispObj op) {
    return op == S(ARRAY) || op == S(SIMPLE_ARRAY) || op == S(VECTOR) || op == S(SIMPLE_VECTOR) ||
           op == S(STRING) || op == S(SIMPLE_STRING) || op == S(BASE_STRING) ||
           op == S(SIMPLE_BASE_STRING) || op == S(TY_BIT_VECTOR) || op == S(TY_SIMPLE_BIT_VECTOR);
}

/* ---------------------------------------------------------------- compound */

static bool typep_rec(ThContext *tc, LispObj x, LispObj spec, int depth);

static bool logic_typep(ThContext *tc, LispObj x, LispObj spec, LispObj op, int depth) {
    if (op == S(NOT)) {
        if (!cons_p(CDR(spec)) || CDR(CDR(spec)) != NIL) bad_spec(tc, spec);
        return !typep_rec(tc, x, CAR(CDR(spec)), depth + 1);
    }
    bool is_and = op == S(AND);
    for (LispObj l = CDR(spec); cons_p(l); l = CDR(l))
        if (typep_rec(tc, x, CAR(l), depth + 1) != is_and) return !is_and;
    return is_and;
}

static bool member_typep(LispObj x, LispObj items) {
    for (LispObj l = items; cons_p(l); l = CDR(l))
        if (bi_eql(x, CAR(l))) return true;
    return false;
}

static bool satisfies_typep(ThContext *tc, LispObj x, LispObj spec) {
    if (!cons_p(CDR(spec)) || CDR(CDR(spec)) != NIL || !symbol_p(CAR(CDR(spec)))) bad_spec(tc, spec);
    return vm_funcall1(tc, vm_fdefinition(tc, CAR(CDR(spec))), x) != NIL;
}

static bool cons_typep(ThContext *tc, LispObj x, LispObj spec, int depth) {
    if (!cons_p(x)) return false;
    LispObj a = spec_arg(spec, 0), d = spec_arg(spec, 1);
    return (a == S(STAR) || typep_rec(tc, CAR(x), a, depth + 1)) &&
           (d == S(STAR) || typep_rec(tc, CDR(x), d, depth + 1));
}

static bool complex_typep(ThContext *tc, LispObj x, LispObj spec, int depth) {
    if (!kind_p(x, KIND_COMPLEX)) return false;
    LispObj part = spec_arg(spec, 0);
    if (part == S(STAR)) return true;
    GcWord *w = obj_words(x);
    return typep_rec(tc, w[1], part, depth + 1) && typep_rec(tc, w[2], part, depth + 1);
}

/* Real classes with optional ranges: returns true and sets *in_class when op is one. */
static bool real_class_op(LispObj op, LispObj x, bool *in_class) {
    if (op == S(INTEGER)) *in_class = integer_p(x);
    else if (op == S(RATIONAL)) *in_class = rational_p(x);
    else if (op == S(REAL)) *in_class = real_p(x);
    else if (op == S(FLOAT)) *in_class = float_p(x);
    else if (op == S(SHORT_FLOAT) || op == S(SINGLE_FLOAT)) *in_class = single_float_p(x);
    else if (op == S(DOUBLE_FLOAT) || op == S(LONG_FLOAT)) *in_class = double_float_p(x);
    else return false;
    return true;
}

static bool compound_typep(ThContext *tc, LispObj x, LispObj spec, int depth) {
    LispObj op = CAR(spec);
    bool in_class, known;
    if (op == S(AND) || op == S(OR) || op == S(NOT)) return logic_typep(tc, x, spec, op, depth);
    if (op == S(MEMBER)) return member_typep(x, CDR(spec));
    if (op == S(EQL)) {
        if (!cons_p(CDR(spec)) || CDR(CDR(spec)) != NIL) bad_spec(tc, spec);
        return bi_eql(x, CAR(CDR(spec)));
    }
    if (op == S(TY_SATISFIES)) return satisfies_typep(tc, x, spec);
    if (real_class_op(op, x, &in_class)) return range_typep(tc, x, spec, in_class);
    if (op == S(MOD) || op == S(UNSIGNED_BYTE) || op == S(TY_SIGNED_BYTE)) return byte_typep(tc, x, spec, op);
    if (op == S(CONS_TYPE)) return cons_typep(tc, x, spec, depth);
    if (op == S(COMPLEX)) return complex_typep(tc, x, spec, depth);
    if (array_op_p(op)) return array_typep(tc, x, spec, op);
    if (op == S(FUNCTION) || op == S(VALUES))
        cond_error(tc, "TYPEP: %v cannot be used for type discrimination", spec);
    LispObj exp = deftype_expand_1(tc, spec);
    if (exp != LISP_UNBOUND) return typep_rec(tc, x, exp, depth + 1);
    if (symbol_p(op) && CDR(spec) == NIL) {   /* (name) = name for atomic names */
        bool r = atomic_typep(x, op, &known);
        if (known) return r;
    }
    cond_error(tc, "TYPEP: unknown type specifier %v", spec);
}

static bool symbol_typep(ThContext *tc, LispObj x, LispObj sym, int depth) {
    bool known;
    bool r = atomic_typep(x, sym, &known);
    if (known) return r;
    LispObj exp = deftype_expand_1(tc, sym);
    if (exp != LISP_UNBOUND) return typep_rec(tc, x, exp, depth + 1);
    if (lisp_structure_type_p(sym)) return lisp_structure_typep(x, sym);
    if (cond_type_known_p(sym)) return cond_typep(x, sym);
    r = clos_typep_name(x, sym, &known);
    if (known) return r;
    if (sym == S(FUNCTION) || sym == S(VALUES))
        cond_error(tc, "TYPEP: %v cannot be used for type discrimination", sym);
    cond_error(tc, "TYPEP: unknown type specifier %v", sym);
}

enum { TYPEP_DEPTH_LIMIT = 10000 };

static bool typep_rec(ThContext *tc, LispObj x, LispObj spec, int depth) {
    if (depth > TYPEP_DEPTH_LIMIT)
        cond_error(tc, "TYPEP: type specifier nested or expanded more than %d levels deep", TYPEP_DEPTH_LIMIT);
    vm_check_c_stack(tc);
    if (symbol_p(spec)) return symbol_typep(tc, x, spec, depth);
    if (cons_p(spec) && symbol_p(CAR(spec))) return compound_typep(tc, x, spec, depth);
    if (clos_class_p(spec)) return clos_typep_class(tc, x, spec);  /* a class object (CLHS 4.3.7) */
    bad_spec(tc, spec);
}

bool lisp_typep(ThContext *tc, LispObj object, LispObj type_spec) {
    return typep_rec(tc, object, type_spec, 0);
}

/* True if sym is a type name the C side knows without DEFTYPE: a built-in
 * atomic name, a structure or a condition type. */
bool ty_known_atomic_p(LispObj sym) {
    bool known;
    atomic_typep(NIL, sym, &known);
    if (known || lisp_structure_type_p(sym) || cond_type_known_p(sym)) return true;
    clos_typep_name(NIL, sym, &known);
    return known;
}
