/* lisp/array_impl.h — the array layer (lisp/array.c): element types, the
 * three simple storage kinds and the array header, and one accessor pair
 * that reads and writes element i of any of them.  Sequence functions,
 * the printer, equality, hashing and the FASL writer go through it instead
 * of dispatching on kinds themselves.
 *
 * Storage (simple, rank 1, never adjustable):
 *   KIND_VECTOR   element type T: boxed words (lisp.h)
 *   KIND_STRING   element type CHARACTER: uint32 code points (lisp.h)
 *   KIND_UVECTOR  every other element type: [length][code][raw words];
 *                 the two leading words are fixnums (boxed prefix 2), the
 *                 data after them is never scanned by the collector.
 * Header (KIND_ARRAY, all words boxed): every array that is not a simple
 * one-dimensional storage object — any rank other than 1, and vectors that
 * are adjustable, have a fill pointer or are displaced.
 *   [data]   the storage (offset 0), or the array displaced to
 *   [fill]   fill pointer (fixnum) or NIL
 *   [offset] displaced index offset (fixnum)
 *   [flags]  fixnum of ArrFlags
 *   [etype]  fixnum ArrEtype
 *   [total]  total size (fixnum)
 *   [rank]   fixnum
 *   [dims]   rank fixnums
 * A header with flags 0 and no fill pointer is a simple array (CLHS 15.1.1:
 * not adjustable, not displaced, no fill pointer).  ADJUST-ARRAY rewrites a
 * header in place (the rank never changes, so neither does its size). */
#ifndef PETREL_LISP_ARRAY_IMPL_H
#define PETREL_LISP_ARRAY_IMPL_H

#include "lisp/lisp.h"

/* Upgraded element types (CLHS 15.1.2.1), in the order UPGRADED-ARRAY-
 * ELEMENT-TYPE tries them for integer types. X(enum, bits per element) */
#define ARR_ETYPES(X)                                                         \
    X(T, 64) X(CHARACTER, 32) X(BIT, 1) X(U8, 8) X(S8, 8) X(U16, 16) X(S16, 16) \
    X(U32, 32) X(S32, 32) X(FIXNUM, 64) X(U64, 64) X(S64, 64) X(SINGLE, 32) X(DOUBLE, 64)
enum ArrEtype {
#define X(e, b) ET_##e,
    ARR_ETYPES(X)
#undef X
    ET_COUNT
};
enum ArrFlags { ARRF_ADJUSTABLE = 1, ARRF_DISPLACED = 2 };

typedef struct LispArray {
    GcWord header;
    LispObj data, fill, offset, flags, etype, total, rank;
    LispObj dims[];
} LispArray;
#define ARRAY_FIXED_NWORDS 7
static inline LispArray *ARR(LispObj x) { return (LispArray *)obj_words(x); }
static inline bool arr_header_p(LispObj x) { return kind_p(x, KIND_ARRAY); }
static inline bool uvec_p(LispObj x) { return kind_p(x, KIND_UVECTOR); }
static inline size_t uvec_length(LispObj v) { return (size_t)fx_value(obj_words(v)[1]); }
static inline enum ArrEtype uvec_etype(LispObj v) { return (enum ArrEtype)fx_value(obj_words(v)[2]); }
static inline void *uvec_data(LispObj v) { return &obj_words(v)[3]; }

/* Simple one-dimensional storage: simple-vector, simple string, uvector. */
static inline bool arr_storage_p(LispObj x) {
    if (!obj_p(x)) return false;
    unsigned k = obj_kind(x);
    return k == KIND_VECTOR || k == KIND_STRING || k == KIND_UVECTOR;
}
static inline size_t arr_storage_length(LispObj s) {
    unsigned k = obj_kind(s);
    return k == KIND_VECTOR ? vec_length(s) : k == KIND_STRING ? str_length(s) : uvec_length(s);
}
static inline bool arr_array_p(LispObj x) { return arr_storage_p(x) || arr_header_p(x); }
static inline bool arr_vector_p(LispObj x) {
    return arr_storage_p(x) || (arr_header_p(x) && ARR(x)->rank == fx_make(1));
}
/* Any string: a simple string or a header over characters. */
static inline bool arr_string_p(LispObj x) {
    return string_p(x) || (arr_header_p(x) && ARR(x)->rank == fx_make(1) &&
                           ARR(x)->etype == fx_make(ET_CHARACTER));
}
/* CLHS simple-array: storage, or a header without any of the three features. */
static inline bool arr_simple_p(LispObj x) {
    return arr_storage_p(x) || (arr_header_p(x) && ARR(x)->flags == fx_make(0) && ARR(x)->fill == NIL);
}
static inline bool arr_bit_vector_p(LispObj x) {
    return (uvec_p(x) && uvec_etype(x) == ET_BIT) ||
           (arr_header_p(x) && ARR(x)->rank == fx_make(1) && ARR(x)->etype == fx_make(ET_BIT));
}

enum ArrEtype arr_etype(LispObj array);
size_t arr_rank(LispObj array);
size_t arr_dimension(LispObj array, size_t axis);
size_t arr_total_size(LispObj array);
/* Length of a vector as a sequence: the fill pointer if it has one. */
size_t arr_vector_length(LispObj vector);

/* Element type <-> specifier.  arr_etype_of_spec upgrades any type
 * specifier (Lisp's upgrader for the ones C does not know). */
enum ArrEtype arr_etype_of_spec(ThContext *tc, LispObj spec);
LispObj arr_etype_spec(ThContext *tc, enum ArrEtype et);
/* True if x may be stored in an array of element type et. */
bool arr_etype_accepts(enum ArrEtype et, LispObj x);

/* Fresh storage of n elements: T → 0, characters → code 0, numbers → 0. */
LispObj arr_make_storage(ThContext *tc, enum ArrEtype et, size_t n);
/* Element i (< length) of simple storage, and its store (type-checked:
 * type-error with the element type). */
LispObj arr_storage_ref(ThContext *tc, LispObj s, size_t i);
void arr_storage_set(ThContext *tc, LispObj s, size_t i, LispObj x);
/* The storage of any array and the offset of its row-major index 0 there
 * (follows displacement); signals if the displaced-to array no longer
 * covers the array's total size. */
LispObj arr_resolve(ThContext *tc, LispObj array, size_t *offset);
/* Row-major element i (< total size; the caller checks) of any array. */
LispObj arr_row_ref(ThContext *tc, LispObj array, size_t i);
void arr_row_set(ThContext *tc, LispObj array, size_t i, LispObj x);
/* A fresh simple vector of n elements with array's element type. */
LispObj arr_make_like(ThContext *tc, LispObj array, size_t n);
/* A fresh simple copy of elements [start, end) of a vector. */
LispObj arr_subseq(ThContext *tc, LispObj vector, size_t start, size_t end);
/* A simple string with the active characters of any string (x itself if
 * simple). */
LispObj arr_simple_string(ThContext *tc, LispObj string);

/* A sequence result type (CONCATENATE, MAP, MAKE-SEQUENCE, COERCE): false
 * for a list type; true for a vector type, with its upgraded element type
 * and demanded length (-1: any).  Other specifiers signal, naming op. */
bool arr_parse_sequence_type(ThContext *tc, const char *op, LispObj type, enum ArrEtype *et, int64_t *len);

/* For code without a thread context (hashing): arr_resolve that answers
 * NIL instead of signalling, and a storage read that never allocates (a
 * double-float element returns LISP_UNBOUND with its value in *dbl). */
LispObj arr_resolve_quiet(LispObj array, size_t *offset);
LispObj arr_storage_peek(LispObj s, size_t i, double *dbl);

/* A fresh array header (fill may be NIL; data and offset as for displaced
 * arrays or the storage with offset 0). */
LispObj arr_make_header(ThContext *tc, enum ArrEtype et, size_t rank, const size_t *dims,
                        LispObj data, size_t offset, unsigned flags, LispObj fill);
/* VECTOR-PUSH-EXTEND's core: appends x to an adjustable vector with a fill
 * pointer, growing it; op names the caller in errors. */
void arr_push_extend(ThContext *tc, LispObj vector, LispObj x, size_t extension, const char *op);

/* Type checks of the builtins. */
LispObj arr_check_array(ThContext *tc, LispObj x);
LispObj arr_check_vector(ThContext *tc, LispObj x);
/* The vector's fill pointer (type-error (and vector (satisfies
 * array-has-fill-pointer-p)) if it has none). */
size_t arr_fill_pointer(ThContext *tc, LispObj vector);

extern const BuiltinSpec builtins_array[];

#endif
