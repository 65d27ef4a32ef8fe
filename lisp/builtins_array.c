/* lisp/builtins_array.c — the array dictionary (CLHS 15.2): MAKE-ARRAY,
 * ADJUST-ARRAY, AREF and ROW-MAJOR-AREF with their stores, the shape
 * queries, fill pointers (VECTOR-PUSH, VECTOR-PUSH-EXTEND, VECTOR-POP),
 * displacement, bit arrays (BIT, SBIT, BIT-AND ...).  Layouts and the
 * element accessors are lisp/array.c's.
 *
 * Invariants: subscripts are checked against the dimensions before any
 * access (type-error for a non-integer, an error naming the array, the
 * subscripts and the dimensions otherwise); a fresh array is complete
 * before it is returned, so a type-error in :initial-element leaves
 * nothing half-built visible.  AREF of a simple vector with one fixnum
 * subscript takes a short path first: it is the hot case.
 * No state of its own. */
#include "lisp/array_impl.h"
#include "lisp/builtins_impl.h"

enum { ARR_RANK_LIMIT = 256 };
static inline LispObj boolean(bool b) { return b ? T : NIL; }

/* ---------------------------------------------------------------- subscripts */

static LispObj dims_list(ThContext *tc, LispObj a) {
    LispObj l = NIL;
    for (size_t k = arr_rank(a); k-- > 0;) l = lisp_cons(tc, fx_make((int64_t)arr_dimension(a, k)), l);
    return l;
}

static _Noreturn void subscript_error(ThContext *tc, const char *op, LispObj a, size_t nsubs,
                                      const LispObj *subs, LispObj bad, size_t dim) {
    LispObj sl = lisp_list_from(tc, nsubs, subs);
    LispObj msg = cond_format_message_v(tc, "%s: subscripts %v out of bounds for the array %v of dimensions %v",
                                        op, sl, a, dims_list(tc, a));
    LispObj expected = lisp_list(tc, 3, S(INTEGER), fx_make(0), lisp_list(tc, 1, fx_make((int64_t)dim)));
    LispObj plist = lisp_list(tc, 4, S(DATUM_KW), bad, S(EXPECTED_TYPE_KW), expected);
    cond_signal_error(tc, condition_make(tc, S(TYPE_ERROR), msg, NIL, plist));
}

/* Row-major index of subs[0..nsubs) in a; signals on a wrong count or range. */
static size_t row_major_index(ThContext *tc, const char *op, LispObj a, size_t nsubs, const LispObj *subs) {
    size_t rank = arr_rank(a);
    if (nsubs != rank)
        cond_error(tc, "%s: %zu subscripts %v given for the array %v of rank %zu, dimensions %v", op,
                   nsubs, lisp_list_from(tc, nsubs, subs), a, rank, dims_list(tc, a));
    size_t index = 0;
    for (size_t k = 0; k < rank; k++) {
        LispObj s = subs[k];
        size_t dim = arr_dimension(a, k);
        if (!fx_p(s)) cond_type_error(tc, s, S(INTEGER));
        if (fx_value(s) < 0 || (uint64_t)fx_value(s) >= dim) subscript_error(tc, op, a, nsubs, subs, s, dim);
        index = index * dim + (size_t)fx_value(s);
    }
    return index;
}

/* ---------------------------------------------------------------- MAKE-ARRAY */

typedef struct ArrSpec {
    size_t rank, dims[ARR_RANK_LIMIT], total;
    enum ArrEtype et;
} ArrSpec;

static void parse_dims(ThContext *tc, const char *op, LispObj d, ArrSpec *sp) {
    sp->rank = 0;
    sp->total = 1;
    if (fx_p(d)) d = lisp_cons(tc, d, NIL);
    if (!list_p(d)) cond_type_error(tc, d, lisp_list(tc, 3, S(OR), S(INTEGER), S(LIST_TYPE)));
    for (LispObj l = d; l != NIL; l = CDR(l)) {
        if (!cons_p(l)) cond_type_error(tc, d, S(LIST_TYPE));
        if (sp->rank >= ARR_RANK_LIMIT) cond_error(tc, "%s: rank of %v exceeds ARRAY-RANK-LIMIT", op, d);
        size_t n = bi_nonneg(tc, CAR(l));
        if (n != 0 && sp->total > (size_t)FIXNUM_MAX / n)
            cond_error(tc, "%s: total size of dimensions %v exceeds ARRAY-TOTAL-SIZE-LIMIT", op, d);
        sp->total *= n;
        sp->dims[sp->rank++] = n;
    }
}

/* Stores the elements of the nested sequences contents (depth rank - axis)
 * into storage s from *index on, row-major. */
static void fill_contents(ThContext *tc, const char *op, LispObj s, const ArrSpec *sp, size_t axis,
                          LispObj contents, size_t *index) {
    if (axis == sp->rank) {
        arr_storage_set(tc, s, (*index)++, contents);
        return;
    }
    size_t n = bi_seq_length(tc, contents);
    if (n != sp->dims[axis])
        cond_error(tc, "%s: :INITIAL-CONTENTS %v has %zu elements on axis %zu, the dimension is %zu",
                   op, contents, n, axis, sp->dims[axis]);
    LispObj cursor = contents;
    for (size_t i = 0; i < n; i++) {
        LispObj x;
        if (list_p(contents)) { x = CAR(cursor); cursor = CDR(cursor); }
        else x = arr_row_ref(tc, contents, i);
        fill_contents(tc, op, s, sp, axis + 1, x, index);
    }
}

static void fill_element(ThContext *tc, LispObj s, size_t n, LispObj x) {
    for (size_t i = 0; i < n; i++) arr_storage_set(tc, s, i, x);
}

/* Checks :displaced-to / :displaced-index-offset against sp; returns the offset. */
static size_t check_displacement(ThContext *tc, const char *op, LispObj to, LispObj off, const ArrSpec *sp) {
    arr_check_array(tc, to);
    if (arr_etype(to) != sp->et)
        cond_error(tc, "%s: cannot displace an array of element type %v to %v of element type %v", op,
                   arr_etype_spec(tc, sp->et), to, arr_etype_spec(tc, arr_etype(to)));
    size_t o = bi_or(off, NIL) == NIL ? 0 : bi_nonneg(tc, off);
    if (o + sp->total > arr_total_size(to))
        cond_error(tc, "%s: offset %zu plus size %zu exceeds the total size %zu of %v", op, o, sp->total,
                   arr_total_size(to), to);
    return o;
}

/* The fill pointer argument: NIL, or a fixnum <= the dimension (T = it). */
static LispObj fill_arg(ThContext *tc, const char *op, LispObj fp, const ArrSpec *sp) {
    if (fp == NIL) return NIL;
    if (sp->rank != 1) cond_error(tc, "%s: only a vector can have a fill pointer, not rank %zu", op, sp->rank);
    if (fp == T) return fx_make((int64_t)sp->dims[0]);
    if (!fx_p(fp) || fx_value(fp) < 0 || (size_t)fx_value(fp) > sp->dims[0])
        cond_type_error(tc, fp, bi_integer_type(tc, 0, (int64_t)sp->dims[0]));
    return fp;
}

/* make-array keys: 0 element-type 1 initial-element 2 initial-contents
 * 3 adjustable 4 fill-pointer 5 displaced-to 6 displaced-index-offset */
static void parse_make_keys(ThContext *tc, const char *op, size_t nargs, LispObj *args, size_t first,
                            LispObj *v) {
    LispObj keys[7] = {S(ELEMENT_TYPE_KW), S(INITIAL_ELEMENT_KW), S(INITIAL_CONTENTS_KW), S(ADJUSTABLE_KW),
                       S(FILL_POINTER_KW), S(DISPLACED_TO_KW), S(DISPLACED_INDEX_OFFSET_KW)};
    bi_parse_keys(tc, op, nargs, args, first, keys, 7, v);
    if (bi_supplied_p(v[1]) && bi_supplied_p(v[2]))
        cond_error(tc, "%s: both :INITIAL-ELEMENT and :INITIAL-CONTENTS were supplied", op);
    if (bi_or(v[5], NIL) != NIL && (bi_supplied_p(v[1]) || bi_supplied_p(v[2])))
        cond_error(tc, "%s: :DISPLACED-TO cannot be combined with :INITIAL-ELEMENT or :INITIAL-CONTENTS", op);
    if (bi_or(v[5], NIL) == NIL && bi_or(v[6], NIL) != NIL)
        cond_error(tc, "%s: :DISPLACED-INDEX-OFFSET without :DISPLACED-TO", op);
}

/* Fresh storage for sp, initialised from v (see parse_make_keys). */
static LispObj initial_storage(ThContext *tc, const char *op, const ArrSpec *sp, const LispObj *v) {
    LispObj s = arr_make_storage(tc, sp->et, sp->total);
    if (bi_supplied_p(v[1])) {
        fill_element(tc, s, sp->total, v[1]);
    } else if (bi_supplied_p(v[2])) {
        size_t index = 0;
        fill_contents(tc, op, s, sp, 0, v[2], &index);
    }
    return s;
}

static LispObj cl_make_array(ThContext *tc, size_t nargs, LispObj *args) {
    ArrSpec sp;
    LispObj v[7];
    parse_dims(tc, "MAKE-ARRAY", args[0], &sp);
    parse_make_keys(tc, "MAKE-ARRAY", nargs, args, 1, v);
    sp.et = arr_etype_of_spec(tc, bi_or(v[0], T));
    LispObj fill = fill_arg(tc, "MAKE-ARRAY", bi_or(v[4], NIL), &sp);
    LispObj to = bi_or(v[5], NIL);
    bool adjustable = bi_or(v[3], NIL) != NIL;
    if (to != NIL) {
        size_t off = check_displacement(tc, "MAKE-ARRAY", to, v[6], &sp);
        return arr_make_header(tc, sp.et, sp.rank, sp.dims, to, off,
                               ARRF_DISPLACED | (adjustable ? ARRF_ADJUSTABLE : 0), fill);
    }
    LispObj s = initial_storage(tc, "MAKE-ARRAY", &sp, v);
    if (sp.rank == 1 && !adjustable && fill == NIL) return s;
    return arr_make_header(tc, sp.et, sp.rank, sp.dims, s, 0, adjustable ? ARRF_ADJUSTABLE : 0, fill);
}

static LispObj cl_vector(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj v = vec_make(tc, nargs, NIL);
    for (size_t i = 0; i < nargs; i++) gc_init_store(&VEC(v)->items[i], args[i]);
    return v;
}

/* ---------------------------------------------------------------- ADJUST-ARRAY */

/* Copies the elements of old whose subscripts are inside both shapes into
 * the fresh storage s of shape sp. */
static void copy_overlap(ThContext *tc, LispObj s, const ArrSpec *sp, LispObj old) {
    size_t idx[ARR_RANK_LIMIT] = {0}, rank = sp->rank;
    if (sp->total == 0 || arr_total_size(old) == 0) return;
    for (size_t i = 0; i < sp->total; i++) {
        bool inside = true;
        size_t oi = 0;
        for (size_t k = 0; k < rank; k++) {
            size_t od = arr_dimension(old, k);
            if (idx[k] >= od) { inside = false; break; }
            oi = oi * od + idx[k];
        }
        if (inside) arr_storage_set(tc, s, i, arr_row_ref(tc, old, oi));
        for (size_t k = rank; k-- > 0;) { /* next subscript tuple, row-major */
            if (++idx[k] < sp->dims[k]) break;
            idx[k] = 0;
        }
    }
}

static LispObj cl_adjust_array(ThContext *tc, size_t nargs, LispObj *args) {
    const char *op = "ADJUST-ARRAY";
    LispObj a = arr_check_array(tc, args[0]), v[7];
    ArrSpec sp;
    parse_dims(tc, op, args[1], &sp);
    parse_make_keys(tc, op, nargs, args, 2, v);
    if (sp.rank != arr_rank(a))
        cond_error(tc, "%s: new dimensions %v do not have the rank %zu of %v", op, args[1], arr_rank(a), a);
    sp.et = arr_etype(a);
    if (bi_supplied_p(v[0]) && arr_etype_of_spec(tc, v[0]) != sp.et)
        cond_error(tc, "%s: element type %v differs from that of %v", op, v[0], a);
    bool has_fill = arr_header_p(a) && ARR(a)->fill != NIL;
    LispObj fp = bi_or(v[4], NIL), fill = NIL;
    if (fp != NIL && !has_fill)
        cond_error(tc, "%s: %v has no fill pointer to set to %v", op, a, fp);
    if (has_fill) {
        fill = fp != NIL ? fill_arg(tc, op, fp, &sp) : ARR(a)->fill;
        if ((size_t)fx_value(fill) > sp.dims[0])
            cond_error(tc, "%s: fill pointer %v of %v exceeds the new dimension %zu", op, fill, a, sp.dims[0]);
    }
    LispObj to = bi_or(v[5], NIL), data;
    size_t off = 0;
    unsigned flags = arr_header_p(a) ? (unsigned)fx_value(ARR(a)->flags) & ARRF_ADJUSTABLE : 0;
    if (to != NIL) {
        off = check_displacement(tc, op, to, v[6], &sp);
        data = to;
        flags |= ARRF_DISPLACED;
    } else {
        data = initial_storage(tc, op, &sp, v);
        if (!bi_supplied_p(v[2])) copy_overlap(tc, data, &sp, a);
    }
    if (!(flags & ARRF_ADJUSTABLE)) {
        if (sp.rank == 1 && fill == NIL && to == NIL) return data;
        return arr_make_header(tc, sp.et, sp.rank, sp.dims, data, off, flags, fill);
    }
    LispArray *h = ARR(a);
    obj_set(&h->data, data);
    obj_set(&h->offset, fx_make((int64_t)off));
    obj_set(&h->flags, fx_make(flags));
    obj_set(&h->fill, fill);
    obj_set(&h->total, fx_make((int64_t)sp.total));
    for (size_t k = 0; k < sp.rank; k++) obj_set(&h->dims[k], fx_make((int64_t)sp.dims[k]));
    return a;
}

/* ---------------------------------------------------------------- AREF, ROW-MAJOR-AREF */

/* One fixnum subscript within a simple vector, string or uvector: the
 * short path of AREF, BIT, SBIT and their stores. */
static inline bool simple_index_p(LispObj a, size_t nsubs, const LispObj *subs) {
    return nsubs == 1 && arr_storage_p(a) && fx_p(subs[0]) &&
           (uint64_t)fx_value(subs[0]) < arr_storage_length(a);
}

static LispObj cl_aref(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj a = args[0];
    if (nargs == 2 && vector_p(a) && fx_p(args[1]) && (uint64_t)fx_value(args[1]) < vec_length(a))
        return VEC(a)->items[fx_value(args[1])];
    if (simple_index_p(a, nargs - 1, args + 1)) return arr_storage_ref(tc, a, (size_t)fx_value(args[1]));
    arr_check_array(tc, a);
    return arr_row_ref(tc, a, row_major_index(tc, "AREF", a, nargs - 1, args + 1));
}

/* (setf (aref array subscripts...) value): args are array, subscripts, value. */
static LispObj sys_aset(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj a = args[0], x = args[nargs - 1];
    if (nargs == 3 && vector_p(a) && fx_p(args[1]) && (uint64_t)fx_value(args[1]) < vec_length(a)) {
        obj_set(&VEC(a)->items[fx_value(args[1])], x);
        return x;
    }
    if (simple_index_p(a, nargs - 2, args + 1)) {
        arr_storage_set(tc, a, (size_t)fx_value(args[1]), x);
        return x;
    }
    arr_check_array(tc, a);
    arr_row_set(tc, a, row_major_index(tc, "AREF", a, nargs - 2, args + 1), x);
    return x;
}

static LispObj check_bit_array(ThContext *tc, LispObj a, bool simple) {
    if (!arr_array_p(a) || arr_etype(a) != ET_BIT || (simple && !arr_simple_p(a)))
        cond_type_error(tc, a, lisp_list(tc, 2, simple ? S(SIMPLE_ARRAY) : S(ARRAY), S(BIT)));
    return a;
}

static LispObj cl_bit(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj a = args[0];
    if (uvec_p(a) && uvec_etype(a) == ET_BIT && simple_index_p(a, nargs - 1, args + 1))
        return arr_storage_ref(tc, a, (size_t)fx_value(args[1]));
    check_bit_array(tc, a, false);
    return arr_row_ref(tc, a, row_major_index(tc, "BIT", a, nargs - 1, args + 1));
}

static LispObj cl_sbit(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj a = args[0];
    if (uvec_p(a) && uvec_etype(a) == ET_BIT && simple_index_p(a, nargs - 1, args + 1))
        return arr_storage_ref(tc, a, (size_t)fx_value(args[1]));
    check_bit_array(tc, a, true);
    return arr_row_ref(tc, a, row_major_index(tc, "SBIT", a, nargs - 1, args + 1));
}

static size_t row_major_arg(ThContext *tc, LispObj a, LispObj index) {
    size_t n = arr_total_size(a);
    if (!fx_p(index) || fx_value(index) < 0 || (uint64_t)fx_value(index) >= n) bi_index_error(tc, index, n);
    return (size_t)fx_value(index);
}

static LispObj cl_row_major_aref(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj a = arr_check_array(tc, args[0]);
    return arr_row_ref(tc, a, row_major_arg(tc, a, args[1]));
}

static LispObj sys_set_row_major_aref(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj a = arr_check_array(tc, args[0]);
    arr_row_set(tc, a, row_major_arg(tc, a, args[1]), args[2]);
    return args[2];
}

static LispObj simple_vector_arg(ThContext *tc, LispObj v) {
    if (!vector_p(v)) cond_type_error(tc, v, S(SIMPLE_VECTOR));
    return v;
}

static LispObj cl_svref(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj v = simple_vector_arg(tc, args[0]);
    if (!fx_p(args[1]) || (uint64_t)fx_value(args[1]) >= vec_length(v))
        subscript_error(tc, "SVREF", v, 1, args + 1, args[1], vec_length(v));
    return VEC(v)->items[fx_value(args[1])];
}

static LispObj sys_svset(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj v = simple_vector_arg(tc, args[0]);
    if (!fx_p(args[1]) || (uint64_t)fx_value(args[1]) >= vec_length(v))
        subscript_error(tc, "SVREF", v, 1, args + 1, args[1], vec_length(v));
    obj_set(&VEC(v)->items[fx_value(args[1])], args[2]);
    return args[2];
}

/* ---------------------------------------------------------------- shape */

static LispObj cl_array_rank(ThContext *tc, size_t nargs, LispObj *args) {
    return fx_make((int64_t)arr_rank(arr_check_array(tc, args[0])));
}

static LispObj cl_array_dimension(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj a = arr_check_array(tc, args[0]);
    size_t rank = arr_rank(a);
    if (!fx_p(args[1]) || fx_value(args[1]) < 0 || (size_t)fx_value(args[1]) >= rank)
        bi_index_error(tc, args[1], rank);
    return fx_make((int64_t)arr_dimension(a, (size_t)fx_value(args[1])));
}

static LispObj cl_array_dimensions(ThContext *tc, size_t nargs, LispObj *args) {
    return dims_list(tc, arr_check_array(tc, args[0]));
}

static LispObj cl_array_total_size(ThContext *tc, size_t nargs, LispObj *args) {
    return fx_make((int64_t)arr_total_size(arr_check_array(tc, args[0])));
}

static LispObj cl_array_in_bounds_p(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj a = arr_check_array(tc, args[0]);
    size_t rank = arr_rank(a);
    if (nargs - 1 != rank)
        cond_error(tc, "ARRAY-IN-BOUNDS-P: %zu subscripts for the array %v of rank %zu", nargs - 1, a, rank);
    bool in = true;
    for (size_t k = 0; k < rank; k++) {
        LispObj s = args[k + 1];
        if (!integer_p(s)) cond_type_error(tc, s, S(INTEGER));
        if (!fx_p(s) || fx_value(s) < 0 || (size_t)fx_value(s) >= arr_dimension(a, k)) in = false;
    }
    return boolean(in);
}

static LispObj cl_array_row_major_index(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj a = arr_check_array(tc, args[0]);
    return fx_make((int64_t)row_major_index(tc, "ARRAY-ROW-MAJOR-INDEX", a, nargs - 1, args + 1));
}

static LispObj cl_array_element_type(ThContext *tc, size_t nargs, LispObj *args) {
    return arr_etype_spec(tc, arr_etype(arr_check_array(tc, args[0])));
}

static LispObj cl_adjustable_array_p(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj a = arr_check_array(tc, args[0]);
    return boolean(arr_header_p(a) && (fx_value(ARR(a)->flags) & ARRF_ADJUSTABLE));
}

static LispObj cl_array_has_fill_pointer_p(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj a = arr_check_array(tc, args[0]);
    return boolean(arr_header_p(a) && ARR(a)->fill != NIL);
}

static LispObj cl_array_displacement(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj a = arr_check_array(tc, args[0]);
    LispObj v[2] = {NIL, fx_make(0)};
    if (arr_header_p(a) && (fx_value(ARR(a)->flags) & ARRF_DISPLACED)) {
        v[0] = ARR(a)->data;
        v[1] = ARR(a)->offset;
    }
    return vm_values(tc, 2, v);
}

/* ---------------------------------------------------------------- fill pointers */

static LispObj cl_fill_pointer(ThContext *tc, size_t nargs, LispObj *args) {
    return fx_make((int64_t)arr_fill_pointer(tc, args[0]));
}

static LispObj sys_set_fill_pointer(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj v = args[0], n = args[1];
    arr_fill_pointer(tc, v);
    size_t dim = arr_dimension(v, 0);
    if (!fx_p(n) || fx_value(n) < 0 || (size_t)fx_value(n) > dim)
        cond_type_error(tc, n, bi_integer_type(tc, 0, (int64_t)dim));
    obj_set(&ARR(v)->fill, n);
    return n;
}

static LispObj cl_vector_push(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj v = args[1];
    size_t fp = arr_fill_pointer(tc, v);
    if (fp >= arr_dimension(v, 0)) return NIL;
    arr_row_set(tc, v, fp, args[0]);
    obj_set(&ARR(v)->fill, fx_make((int64_t)fp + 1));
    return fx_make((int64_t)fp);
}

static LispObj cl_vector_push_extend(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj v = args[1];
    size_t ext = nargs > 2 ? bi_nonneg(tc, args[2]) : 0;
    if (nargs > 2 && ext == 0) cond_type_error(tc, args[2], lisp_list(tc, 3, S(INTEGER), fx_make(1), S(STAR)));
    size_t fp = arr_fill_pointer(tc, v);
    arr_push_extend(tc, v, args[0], ext, "VECTOR-PUSH-EXTEND");
    return fx_make((int64_t)fp);
}

static LispObj cl_vector_pop(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj v = args[0];
    size_t fp = arr_fill_pointer(tc, v);
    if (fp == 0) cond_error(tc, "VECTOR-POP: the fill pointer of %v is 0", v);
    LispObj x = arr_row_ref(tc, v, fp - 1);
    obj_set(&ARR(v)->fill, fx_make((int64_t)fp - 1));
    return x;
}

/* ---------------------------------------------------------------- bit arrays */

enum BitOp { B_AND, B_IOR, B_XOR, B_EQV, B_NAND, B_NOR, B_ANDC1, B_ANDC2, B_ORC1, B_ORC2 };

static unsigned bit_apply(enum BitOp op, unsigned a, unsigned b) {
    switch (op) {
    case B_AND: return a & b;
    case B_IOR: return a | b;
    case B_XOR: return a ^ b;
    case B_EQV: return 1 ^ a ^ b;
    case B_NAND: return 1 ^ (a & b);
    case B_NOR: return 1 ^ (a | b);
    case B_ANDC1: return (1 ^ a) & b;
    case B_ANDC2: return a & (1 ^ b);
    case B_ORC1: return (1 ^ a) | b;
    default: return a | (1 ^ b);
    }
}

/* r = a op b over the n bits of three simple bit vectors' raw words; the
 * bits past n in the last word are left as they were in r. */
static void bit_words(enum BitOp op, const uint64_t *a, const uint64_t *b, uint64_t *r, size_t n) {
    for (size_t w = 0; w * 64 < n; w++) {
        uint64_t x = a[w], y = b[w], z;
        switch (op) {
        case B_AND: z = x & y; break;
        case B_IOR: z = x | y; break;
        case B_XOR: z = x ^ y; break;
        case B_EQV: z = ~(x ^ y); break;
        case B_NAND: z = ~(x & y); break;
        case B_NOR: z = ~(x | y); break;
        case B_ANDC1: z = ~x & y; break;
        case B_ANDC2: z = x & ~y; break;
        case B_ORC1: z = ~x | y; break;
        default: z = x | ~y; break;
        }
        uint64_t keep = n - w * 64 >= 64 ? 0 : ~UINT64_C(0) << (n - w * 64);
        r[w] = (z & ~keep) | (r[w] & keep); /* raw data: no barrier */
    }
}

static bool same_dims(LispObj a, LispObj b) {
    if (arr_rank(a) != arr_rank(b)) return false;
    for (size_t k = 0; k < arr_rank(a); k++)
        if (arr_dimension(a, k) != arr_dimension(b, k)) return false;
    return true;
}

/* The result array of a bit operation on a: opt NIL → fresh, T → a, else opt. */
static LispObj bit_result(ThContext *tc, const char *op, LispObj a, LispObj opt) {
    if (opt == T) return a;
    if (opt != NIL) {
        check_bit_array(tc, opt, false);
        if (!same_dims(a, opt)) cond_error(tc, "%s: result array %v does not have the dimensions of %v", op, opt, a);
        return opt;
    }
    size_t rank = arr_rank(a), dims[ARR_RANK_LIMIT];
    LispObj s = arr_make_storage(tc, ET_BIT, arr_total_size(a));
    if (rank == 1) return s;
    for (size_t k = 0; k < rank; k++) dims[k] = arr_dimension(a, k);
    return arr_make_header(tc, ET_BIT, rank, dims, s, 0, 0, NIL);
}

static LispObj bit_op(ThContext *tc, const char *op, enum BitOp bop, size_t nargs, LispObj *args) {
    LispObj a = check_bit_array(tc, args[0], false), b = check_bit_array(tc, args[1], false);
    if (!same_dims(a, b)) cond_error(tc, "%s: %v and %v do not have the same dimensions", op, a, b);
    LispObj r = bit_result(tc, op, a, nargs > 2 ? args[2] : NIL);
    size_t n = arr_total_size(a);
    if (uvec_p(a) && uvec_p(b) && uvec_p(r)) { /* simple bit vectors: a word at a time */
        bit_words(bop, uvec_data(a), uvec_data(b), uvec_data(r), n);
        return r;
    }
    for (size_t i = 0; i < n; i++) {
        unsigned x = (unsigned)fx_value(arr_row_ref(tc, a, i)), y = (unsigned)fx_value(arr_row_ref(tc, b, i));
        arr_row_set(tc, r, i, fx_make(bit_apply(bop, x, y)));
    }
    return r;
}

#define BIT_OPS(X)                                                              \
    X(bit_and, "BIT-AND", B_AND) X(bit_ior, "BIT-IOR", B_IOR) X(bit_xor, "BIT-XOR", B_XOR) \
    X(bit_eqv, "BIT-EQV", B_EQV) X(bit_nand, "BIT-NAND", B_NAND) X(bit_nor, "BIT-NOR", B_NOR) \
    X(bit_andc1, "BIT-ANDC1", B_ANDC1) X(bit_andc2, "BIT-ANDC2", B_ANDC2)       \
    X(bit_orc1, "BIT-ORC1", B_ORC1) X(bit_orc2, "BIT-ORC2", B_ORC2)

#define X(cname, lname, bop) \
    static LispObj cl_##cname(ThContext *tc, size_t nargs, LispObj *args) { return bit_op(tc, lname, bop, nargs, args); }
BIT_OPS(X)
#undef X

static LispObj cl_bit_not(ThContext *tc, size_t nargs, LispObj *args) {
    LispObj a = check_bit_array(tc, args[0], false);
    LispObj r = bit_result(tc, "BIT-NOT", a, nargs > 1 ? args[1] : NIL);
    size_t n = arr_total_size(a);
    for (size_t i = 0; i < n; i++) arr_row_set(tc, r, i, fx_make(1 - fx_value(arr_row_ref(tc, a, i))));
    return r;
}

/* ---------------------------------------------------------------- predicates */

static LispObj cl_bit_vector_p(ThContext *tc, size_t nargs, LispObj *args) {
    return boolean(arr_bit_vector_p(args[0]));
}
static LispObj cl_simple_bit_vector_p(ThContext *tc, size_t nargs, LispObj *args) {
    return boolean(uvec_p(args[0]) && uvec_etype(args[0]) == ET_BIT);
}
static LispObj sys_upgraded_etype(ThContext *tc, size_t nargs, LispObj *args) {
    return arr_etype_spec(tc, arr_etype_of_spec(tc, args[0]));
}

/* (%vector-type-element-type type): NIL for a list type, else the upgraded
 * element type of the vector type (MAKE-SEQUENCE, COERCE). */
static LispObj sys_vector_type_element_type(ThContext *tc, size_t nargs, LispObj *args) {
    enum ArrEtype et = ET_T;
    int64_t len;
    if (!arr_parse_sequence_type(tc, "MAKE-SEQUENCE", args[0], &et, &len)) return NIL;
    LispObj v[2] = {arr_etype_spec(tc, et), T};
    return vm_values(tc, 2, v);
}

/* ---------------------------------------------------------------- table */

#define BIT_SPEC(cname, lname, bop) \
    {lname, "CL", cl_##cname, 2, 3, "bit-array1 bit-array2 &optional opt-arg", \
     "Element-wise " lname " of two bit arrays; OPT-ARG T stores into BIT-ARRAY1, an array into it."},

const BuiltinSpec builtins_array[] = {
    {"MAKE-ARRAY", "CL", cl_make_array, 1, BUILTIN_REST,
     "dimensions &key element-type initial-element initial-contents adjustable fill-pointer "
     "displaced-to displaced-index-offset",
     "A fresh array of DIMENSIONS whose element type is the upgraded ELEMENT-TYPE."},
    {"ADJUST-ARRAY", "CL", cl_adjust_array, 2, BUILTIN_REST,
     "array new-dimensions &key element-type initial-element initial-contents fill-pointer "
     "displaced-to displaced-index-offset",
     "ARRAY changed to NEW-DIMENSIONS (in place if adjustable), keeping the overlapping elements."},
    {"VECTOR", "CL", cl_vector, 0, BUILTIN_REST, "&rest objects", "A fresh simple vector of OBJECTS."},
    {"AREF", "CL", cl_aref, 1, BUILTIN_REST, "array &rest subscripts", "The element of ARRAY at SUBSCRIPTS."},
    {"%ASET", "SYS", sys_aset, 2, BUILTIN_REST, "array &rest subscripts-and-value",
     "Stores the last argument at the SUBSCRIPTS of ARRAY; returns it (setf of AREF)."},
    {"BIT", "CL", cl_bit, 1, BUILTIN_REST, "bit-array &rest subscripts", "The bit of BIT-ARRAY at SUBSCRIPTS."},
    {"SBIT", "CL", cl_sbit, 1, BUILTIN_REST, "simple-bit-array &rest subscripts",
     "The bit of SIMPLE-BIT-ARRAY at SUBSCRIPTS."},
    {"ROW-MAJOR-AREF", "CL", cl_row_major_aref, 2, 2, "array index",
     "The element of ARRAY at row-major INDEX."},
    {"%SET-ROW-MAJOR-AREF", "SYS", sys_set_row_major_aref, 3, 3, "array index value",
     "Stores VALUE at row-major INDEX of ARRAY (setf of ROW-MAJOR-AREF)."},
    {"SVREF", "CL", cl_svref, 2, 2, "simple-vector index", "The element of SIMPLE-VECTOR at INDEX."},
    {"%SVSET", "SYS", sys_svset, 3, 3, "simple-vector index value",
     "Stores VALUE at INDEX of SIMPLE-VECTOR; returns VALUE (setf of SVREF)."},
    {"ARRAY-RANK", "CL", cl_array_rank, 1, 1, "array", "The number of dimensions of ARRAY."},
    {"ARRAY-DIMENSION", "CL", cl_array_dimension, 2, 2, "array axis-number", "Dimension AXIS-NUMBER of ARRAY."},
    {"ARRAY-DIMENSIONS", "CL", cl_array_dimensions, 1, 1, "array", "The list of the dimensions of ARRAY."},
    {"ARRAY-TOTAL-SIZE", "CL", cl_array_total_size, 1, 1, "array", "The product of the dimensions of ARRAY."},
    {"ARRAY-IN-BOUNDS-P", "CL", cl_array_in_bounds_p, 1, BUILTIN_REST, "array &rest subscripts",
     "True if SUBSCRIPTS are all within the dimensions of ARRAY."},
    {"ARRAY-ROW-MAJOR-INDEX", "CL", cl_array_row_major_index, 1, BUILTIN_REST, "array &rest subscripts",
     "The row-major index of SUBSCRIPTS in ARRAY."},
    {"ARRAY-ELEMENT-TYPE", "CL", cl_array_element_type, 1, 1, "array", "The upgraded element type of ARRAY."},
    {"ADJUSTABLE-ARRAY-P", "CL", cl_adjustable_array_p, 1, 1, "array", "True if ARRAY is actually adjustable."},
    {"ARRAY-HAS-FILL-POINTER-P", "CL", cl_array_has_fill_pointer_p, 1, 1, "array",
     "True if ARRAY is a vector with a fill pointer."},
    {"ARRAY-DISPLACEMENT", "CL", cl_array_displacement, 1, 1, "array",
     "The array ARRAY is displaced to and the offset, or NIL and 0."},
    {"FILL-POINTER", "CL", cl_fill_pointer, 1, 1, "vector", "The fill pointer of VECTOR."},
    {"%SET-FILL-POINTER", "SYS", sys_set_fill_pointer, 2, 2, "vector new",
     "Sets the fill pointer of VECTOR (setf of FILL-POINTER)."},
    {"VECTOR-PUSH", "CL", cl_vector_push, 2, 2, "new-element vector",
     "Stores NEW-ELEMENT at the fill pointer and increments it; NIL if VECTOR is full."},
    {"VECTOR-PUSH-EXTEND", "CL", cl_vector_push_extend, 2, 3, "new-element vector &optional min-extension",
     "Like VECTOR-PUSH, growing the adjustable VECTOR when it is full."},
    {"VECTOR-POP", "CL", cl_vector_pop, 1, 1, "vector",
     "Decrements the fill pointer of VECTOR and returns the element there."},
    BIT_OPS(BIT_SPEC)
    {"BIT-NOT", "CL", cl_bit_not, 1, 2, "bit-array &optional opt-arg",
     "The complement of BIT-ARRAY; OPT-ARG T stores into BIT-ARRAY, an array into it."},
    {"BIT-VECTOR-P", "CL", cl_bit_vector_p, 1, 1, "object", "True if OBJECT is a bit vector."},
    {"SIMPLE-BIT-VECTOR-P", "CL", cl_simple_bit_vector_p, 1, 1, "object", "True if OBJECT is a simple bit vector."},
    {"%VECTOR-TYPE-ELEMENT-TYPE", "SYS", sys_vector_type_element_type, 1, 1, "type",
     "NIL for a list type; the upgraded element type and T for a vector type."},
    {"%UPGRADED-ETYPE", "SYS", sys_upgraded_etype, 1, 1, "typespec",
     "The upgraded array element type of TYPESPEC (C's table, Lisp's upgrader for the rest)."},
    {0},
};
