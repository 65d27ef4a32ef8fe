/* lisp/builtins_pred.c — equality (EQ EQL EQUAL EQUALP), the type predicates
 * of the kernel types, the number sign predicates and TYPE-OF.
 *
 * Invariants: predicates return exactly T or NIL; type checks never call
 * user-redefinable Lisp.  EQUAL and EQUALP recurse on cars and loop on cdrs;
 * nesting deeper than EQUAL_DEPTH_LIMIT is a storage-condition, not a C
 * stack overflow.  Arrays of any kind are compared through the array layer
 * (lisp/array_impl.h): EQUAL looks inside strings and bit vectors, EQUALP
 * inside every array, both up to fill pointers.  No state of its own. */
#include "lisp/lisp.h"
#include "lisp/vm_impl.h"
#include "lisp/builtins_impl.h"
#include "lisp/num_impl.h"
#include "lisp/array_impl.h"

#include <math.h>

static inline LispObj boolean(bool b) { return b ? T : NIL; }

/* ---------------------------------------------------------------- equality */

bool bi_eql(LispObj a, LispObj b) {
    if (a == b) return true;
    if (!obj_p(a) || !obj_p(b)) return false;
    unsigned ka = obj_kind(a);
    if (ka != obj_kind(b)) return false;
    switch (ka) {
    case KIND_DOUBLE_FLOAT: {
        /* eql compares representations: -0d0 and 0d0 differ. */
        double x = double_float_value(a), y = double_float_value(b);
        return memcmp(&x, &y, sizeof x) == 0;
    }
    case KIND_RATIO: {
        LispRatio *x = (LispRatio *)obj_words(a), *y = (LispRatio *)obj_words(b);
        return bi_eql(x->num, y->num) && bi_eql(x->den, y->den); /* parts may be bignums */
    }
    case KIND_COMPLEX: {
        GcWord *x = obj_words(a), *y = obj_words(b);
        return bi_eql(x[1], y[1]) && bi_eql(x[2], y[2]);
    }
    case KIND_BIGNUM:
        return obj_nwords(a) == obj_nwords(b) &&
               memcmp(obj_words(a) + 1, obj_words(b) + 1, obj_nwords(a) * sizeof(GcWord)) == 0;
    default:
        return false;
    }
}

enum { EQUAL_DEPTH_LIMIT = 100000 };

static bool equalp_rec(ThContext *tc, LispObj a, LispObj b, size_t depth);

/* Arrays of the same shape (vectors: active lengths) whose elements are
 * EQL (strings and bit vectors under EQUAL) or EQUALP. */
static bool same_elements(ThContext *tc, LispObj a, LispObj b, bool equalp, size_t depth) {
    size_t rank = arr_rank(a), n;
    if (rank != arr_rank(b)) return false;
    if (rank == 1) {
        n = arr_vector_length(a);
        if (n != arr_vector_length(b)) return false;
    } else {
        for (size_t k = 0; k < rank; k++)
            if (arr_dimension(a, k) != arr_dimension(b, k)) return false;
        n = arr_total_size(a);
    }
    for (size_t i = 0; i < n; i++) {
        LispObj x = arr_row_ref(tc, a, i), y = arr_row_ref(tc, b, i);
        if (equalp ? !equalp_rec(tc, x, y, depth + 1) : !bi_eql(x, y)) return false;
    }
    return true;
}

static bool equal_rec(ThContext *tc, LispObj a, LispObj b, size_t depth) {
    if (depth > EQUAL_DEPTH_LIMIT)
        cond_storage_condition(tc, "EQUAL: structure nested deeper than %d levels", EQUAL_DEPTH_LIMIT);
    for (;;) {
        if (bi_eql(a, b)) return true;
        if (cons_p(a) && cons_p(b)) {
            if (!equal_rec(tc, CAR(a), CAR(b), depth + 1)) return false;
            a = CDR(a);
            b = CDR(b);
            continue;
        }
        if (string_p(a) && string_p(b)) {
            size_t n = str_length(a);
            return n == str_length(b) &&
                   memcmp(STR(a)->chars, STR(b)->chars, n * sizeof(uint32_t)) == 0;
        }
        if ((arr_string_p(a) && arr_string_p(b)) || (arr_bit_vector_p(a) && arr_bit_vector_p(b)))
            return same_elements(tc, a, b, false, depth);
        if (kind_p(a, KIND_INSTANCE) && kind_p(b, KIND_INSTANCE) && obj_words(a)[1] == obj_words(b)[1] &&
            lisp_structure_typep(a, S(TY_PATHNAME))) {
            /* pathnames (structures of src/pathnames.lisp): equal components (CLHS EQUAL) */
            size_t n = lisp_structure_slot_count(a);
            for (size_t i = 0; i < n; i++)
                if (!equal_rec(tc, lisp_structure_slot(a, i), lisp_structure_slot(b, i), depth + 1)) return false;
            return true;
        }
        return false;
    }
}

bool bi_equal(ThContext *tc, LispObj a, LispObj b) { return equal_rec(tc, a, b, 0); }

static bool equalp_rec(ThContext *tc, LispObj a, LispObj b, size_t depth) {
    if (depth > EQUAL_DEPTH_LIMIT)
        cond_storage_condition(tc, "EQUALP: structure nested deeper than %d levels", EQUAL_DEPTH_LIMIT);
    for (;;) {
        if (a == b) return true;
        if (char_p(a) && char_p(b))
            return bi_char_upcase(char_code(a)) == bi_char_upcase(char_code(b));
        if (number_p(a) && number_p(b)) return num_equal_p(a, b);
        if (cons_p(a) && cons_p(b)) {
            if (!equalp_rec(tc, CAR(a), CAR(b), depth + 1)) return false;
            a = CDR(a);
            b = CDR(b);
            continue;
        }
        if (arr_array_p(a) && arr_array_p(b)) return same_elements(tc, a, b, true, depth);
        if (kind_p(a, KIND_INSTANCE) && kind_p(b, KIND_INSTANCE)) {
            /* structures: same type (layout) and equalp slots (CLHS EQUALP) */
            if (obj_words(a)[1] != obj_words(b)[1]) return false;
            size_t n = lisp_structure_slot_count(a);
            if (n != lisp_structure_slot_count(b)) return false;
            for (size_t i = 0; i < n; i++)
                if (!equalp_rec(tc, lisp_structure_slot(a, i), lisp_structure_slot(b, i), depth + 1)) return false;
            return true;
        }
        return bi_eql(a, b);
    }
}

bool bi_equalp(ThContext *tc, LispObj a, LispObj b) { return equalp_rec(tc, a, b, 0); }

static LispObj cl_eq(ThContext *tc, size_t nargs, LispObj *args) { return boolean(args[0] == args[1]); }
static LispObj cl_eql(ThContext *tc, size_t nargs, LispObj *args) { return boolean(bi_eql(args[0], args[1])); }
static LispObj cl_equal(ThContext *tc, size_t nargs, LispObj *args) {
    return boolean(bi_equal(tc, args[0], args[1]));
}
static LispObj cl_equalp(ThContext *tc, size_t nargs, LispObj *args) {
    return boolean(bi_equalp(tc, args[0], args[1]));
}

/* ---------------------------------------------------------------- type predicates */

#define TYPE_PREDICATES(X)                                                   \
    X(not, "NOT", x == NIL)                                                  \
    X(null, "NULL", x == NIL)                                                \
    X(atom, "ATOM", !cons_p(x))                                              \
    X(consp, "CONSP", cons_p(x))                                             \
    X(listp, "LISTP", list_p(x))                                             \
    X(symbolp, "SYMBOLP", symbol_p(x))                                       \
    X(keywordp, "KEYWORDP", sym_keyword_p(x))                                \
    X(stringp, "STRINGP", arr_string_p(x))                                   \
    X(simple_string_p, "SIMPLE-STRING-P", string_p(x))                       \
    X(characterp, "CHARACTERP", char_p(x))                                   \
    X(functionp, "FUNCTIONP", function_p(x))                                 \
    X(compiled_function_p, "COMPILED-FUNCTION-P", function_p(x))             \
    X(numberp, "NUMBERP", number_p(x))                                       \
    X(integerp, "INTEGERP", integer_p(x))                                    \
    X(rationalp, "RATIONALP", rational_p(x))                                 \
    X(floatp, "FLOATP", float_p(x))                                          \
    X(realp, "REALP", real_p(x))                                             \
    X(complexp, "COMPLEXP", kind_p(x, KIND_COMPLEX))                         \
    X(vectorp, "VECTORP", arr_vector_p(x))                                   \
    X(simple_vector_p, "SIMPLE-VECTOR-P", vector_p(x))                       \
    X(arrayp, "ARRAYP", arr_array_p(x))                                      \
    X(packagep, "PACKAGEP", package_p(x))                                    \
    X(hash_table_p, "HASH-TABLE-P", kind_p(x, KIND_HASH_TABLE))              \
    X(streamp, "STREAMP", stream_p(x))

#define X(cname, lname, test)                                                 \
    static LispObj cl_##cname(ThContext *tc, size_t nargs, LispObj *args) {  \
        LispObj x = args[0];                                                  \
        return boolean(test);                                                 \
    }
TYPE_PREDICATES(X)
#undef X

/* ---------------------------------------------------------------- numbers */

static LispObj cl_zerop(ThContext *tc, size_t nargs, LispObj *args) {
    if (kind_p(args[0], KIND_COMPLEX)) return boolean(num_zero_p(args[0]));
    return boolean(num_sign(tc, args[0]) == 0);
}
static LispObj cl_plusp(ThContext *tc, size_t nargs, LispObj *args) {
    return boolean(num_sign(tc, args[0]) > 0);
}
static LispObj cl_minusp(ThContext *tc, size_t nargs, LispObj *args) {
    return boolean(num_sign(tc, args[0]) < 0);
}
static int64_t integer_arg(ThContext *tc, LispObj x) { /* only the low bit matters */
    if (!integer_p(x)) cond_type_error(tc, x, S(INTEGER));
    return int_odd_p(x) ? 1 : 0;
}
static LispObj cl_evenp(ThContext *tc, size_t nargs, LispObj *args) {
    return boolean((integer_arg(tc, args[0]) & 1) == 0);
}
static LispObj cl_oddp(ThContext *tc, size_t nargs, LispObj *args) {
    return boolean((integer_arg(tc, args[0]) & 1) != 0);
}

/* ---------------------------------------------------------------- TYPE-OF */

static LispObj kind_type_symbol(ThContext *tc, unsigned kind) {
    switch (kind) {
    case KIND_DOUBLE_FLOAT: return S(DOUBLE_FLOAT);
    case KIND_RATIO: return S(RATIO);
    case KIND_COMPLEX: return S(COMPLEX);
    case KIND_BIGNUM: return S(BIGNUM);
    case KIND_CLOSURE:
    case KIND_BUILTIN: return S(FUNCTION_TYPE);
    case KIND_PACKAGE: return S(PACKAGE);
    case KIND_HASH_TABLE: return S(HASH_TABLE);
    case KIND_ARRAY: return S(ARRAY);
    case KIND_STREAM: return S(STREAM);
    case KIND_THREAD: return S(MT_THREAD);
    case KIND_MUTEX: return S(MT_MUTEX);
    case KIND_WAITQUEUE: return S(MT_WAITQUEUE);
    case KIND_SEMAPHORE: return S(MT_SEMAPHORE);
    case KIND_WEAK_POINTER: return S(EXT_WEAK_POINTER);
    case KIND_FOREIGN_POINTER: return S(FFI_FOREIGN_POINTER);
    default: break;
    }
    /* Kernel-internal kinds (code templates, cells, ...) are named in SYS. */
    return pkg_intern_cstr(tc, lisp_kind_names[kind], pkg_system);
}

/* (simple-bit-vector n), (simple-array et dims), (vector et n), (array et dims). */
static LispObj array_type_of(ThContext *tc, LispObj x) {
    size_t rank = arr_rank(x);
    LispObj dims = NIL;
    for (size_t k = rank; k-- > 0;) dims = lisp_cons(tc, fx_make((int64_t)arr_dimension(x, k)), dims);
    LispObj et = arr_etype_spec(tc, arr_etype(x));
    if (uvec_p(x) && uvec_etype(x) == ET_BIT) return lisp_list(tc, 2, S(TY_SIMPLE_BIT_VECTOR), CAR(dims));
    if (arr_simple_p(x)) return lisp_list(tc, 3, S(SIMPLE_ARRAY), et, dims);
    if (rank == 1) return lisp_list(tc, 3, S(VECTOR), et, CAR(dims));
    return lisp_list(tc, 3, S(ARRAY), et, dims);
}

static LispObj cl_type_of(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj x = args[0];
    if (fx_p(x)) return (x == fx_make(0) || x == fx_make(1)) ? S(BIT) : S(FIXNUM);
    if (char_p(x)) return S(CHARACTER);
    if (single_float_p(x)) return S(SINGLE_FLOAT);
    if (cons_p(x)) return S(CONS_TYPE);
    if (x == NIL) return S(NULL);
    if (x == T) return S(BOOLEAN);
    if (!obj_p(x)) return S(T);
    switch (obj_kind(x)) {
    case KIND_SYMBOL: return sym_keyword_p(x) ? S(KEYWORD) : S(SYMBOL);
    case KIND_STRING: {
        LispObj dims = lisp_list(tc, 1, fx_make((int64_t)str_length(x)));
        return lisp_list(tc, 3, S(SIMPLE_ARRAY), S(CHARACTER), dims);
    }
    case KIND_VECTOR:
        return lisp_list(tc, 2, S(SIMPLE_VECTOR), fx_make((int64_t)vec_length(x)));
    case KIND_UVECTOR:
    case KIND_ARRAY: return array_type_of(tc, x);
    case KIND_CONDITION: return CND(x)->type;
    case KIND_STD_INSTANCE: return clos_type_of(x);
    case KIND_INSTANCE: {
        LispObj name = lisp_structure_name(x);
        if (name != NIL) return name;
        break;
    }
    default: break;
    }
    return kind_type_symbol(tc, obj_kind(x));
}

/* ---------------------------------------------------------------- table */

#define PRED_SPEC(cname, lname, test) \
    {lname, "CL", cl_##cname, 1, 1, "object", "True if OBJECT satisfies " lname "."},

const BuiltinSpec builtins_pred[] = {
    {"EQ", "CL", cl_eq, 2, 2, "x y", "True if X and Y are the same object."},
    {"EQL", "CL", cl_eql, 2, 2, "x y",
     "True if X and Y are EQ, or numbers of the same type and value, or the same character."},
    {"EQUAL", "CL", cl_equal, 2, 2, "x y",
     "True if X and Y are EQL, conses with EQUAL cars and cdrs, or strings with the same characters."},
    {"EQUALP", "CL", cl_equalp, 2, 2, "x y",
     "Like EQUAL, but numbers compare with =, characters and strings ignore case, and arrays compare element-wise."},
    TYPE_PREDICATES(PRED_SPEC)
    {"ZEROP", "CL", cl_zerop, 1, 1, "number", "True if NUMBER is zero."},
    {"PLUSP", "CL", cl_plusp, 1, 1, "real", "True if REAL is greater than zero."},
    {"MINUSP", "CL", cl_minusp, 1, 1, "real", "True if REAL is less than zero."},
    {"EVENP", "CL", cl_evenp, 1, 1, "integer", "True if INTEGER is even."},
    {"ODDP", "CL", cl_oddp, 1, 1, "integer", "True if INTEGER is odd."},
    {"TYPE-OF", "CL", cl_type_of, 1, 1, "object", "Returns a type specifier for a type that OBJECT is an element of."},
    {0},
};
