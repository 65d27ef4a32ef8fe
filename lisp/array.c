/* lisp/array.c — the array layer (layouts in lisp/array_impl.h): element
 * type upgrading, making storage and headers, and reading or writing
 * element i of any array, following displacement.
 *
 * Invariants: raw element data (strings, uvectors) is written directly —
 * it holds no Lisp values, so no barrier; boxed elements and header words
 * go through obj_set (gc_init_store while fresh).  Every store checks the
 * element type first (type-error datum = the value, expected = the
 * upgraded element type).  A displaced array is re-resolved on every
 * access, so adjusting the array it points to is seen at once; an access
 * beyond what the target still holds is an error, never a stray read.
 * No state of its own. */
#include "lisp/array_impl.h"
#include "lisp/builtins_impl.h"
#include "lisp/vm_impl.h"

static const unsigned char etype_bits[ET_COUNT] = {
#define X(e, b) b,
    ARR_ETYPES(X)
#undef X
};

/* ---------------------------------------------------------------- element types */

static enum ArrEtype unsigned_etype(int64_t n) {
    return n <= 1 ? ET_BIT : n <= 8 ? ET_U8 : n <= 16 ? ET_U16 : n <= 32 ? ET_U32
         : n <= 61 ? ET_FIXNUM : n <= 64 ? ET_U64 : ET_T;
}
static enum ArrEtype signed_etype(int64_t n) {
    return n <= 8 ? ET_S8 : n <= 16 ? ET_S16 : n <= 32 ? ET_S32 : n <= 62 ? ET_FIXNUM
         : n <= 64 ? ET_S64 : ET_T;
}

/* The element type of the specifiers C knows without DEFTYPE or SUBTYPEP;
 * -1 if spec is none of them. */
static int known_etype(LispObj spec) {
    if (spec == T || spec == S(STAR)) return ET_T;
    if (spec == S(CHARACTER) || spec == S(BASE_CHAR) || spec == S(STANDARD_CHAR)) return ET_CHARACTER;
    if (spec == S(BIT)) return ET_BIT;
    if (spec == S(FIXNUM)) return ET_FIXNUM;
    if (spec == S(SINGLE_FLOAT) || spec == S(SHORT_FLOAT)) return ET_SINGLE;
    if (spec == S(DOUBLE_FLOAT) || spec == S(LONG_FLOAT)) return ET_DOUBLE;
    if (cons_p(spec) && (CAR(spec) == S(UNSIGNED_BYTE) || CAR(spec) == S(TY_SIGNED_BYTE)) &&
        cons_p(CDR(spec)) && CDR(CDR(spec)) == NIL && fx_p(CAR(CDR(spec))) &&
        fx_value(CAR(CDR(spec))) > 0) {
        int64_t n = fx_value(CAR(CDR(spec)));
        return CAR(spec) == S(UNSIGNED_BYTE) ? unsigned_etype(n) : signed_etype(n);
    }
    return -1;
}

enum ArrEtype arr_etype_of_spec(ThContext *tc, LispObj spec) {
    int et = known_etype(spec);
    if (et >= 0 && !(symbol_p(spec) && lisp_plist_get(SYM(spec)->plist, S(TY_DEFTYPE_KEY), NIL) != NIL))
        return (enum ArrEtype)et;
    LispObj fn = sym_function(S(TY_UPGRADED_ELEMENT_TYPE));
    if (fn == LISP_UNBOUND || !function_p(fn)) return ET_T; /* early boot */
    et = known_etype(vm_funcall1(tc, fn, spec));
    return et < 0 ? ET_T : (enum ArrEtype)et;
}

LispObj arr_etype_spec(ThContext *tc, enum ArrEtype et) {
    switch (et) {
    case ET_CHARACTER: return S(CHARACTER);
    case ET_BIT: return S(BIT);
    case ET_FIXNUM: return S(FIXNUM);
    case ET_SINGLE: return S(SINGLE_FLOAT);
    case ET_DOUBLE: return S(DOUBLE_FLOAT);
    case ET_U8: case ET_U16: case ET_U32: case ET_U64:
        return lisp_list(tc, 2, S(UNSIGNED_BYTE), fx_make(etype_bits[et]));
    case ET_S8: case ET_S16: case ET_S32: case ET_S64:
        return lisp_list(tc, 2, S(TY_SIGNED_BYTE), fx_make(etype_bits[et]));
    default: return T;
    }
}

static bool int_fits(LispObj x, enum ArrEtype et) {
    if (!fx_p(x)) return false;
    int64_t v = fx_value(x);
    switch (et) {
    case ET_BIT: return v == 0 || v == 1;
    case ET_U8: return v >= 0 && v < 256;
    case ET_U16: return v >= 0 && v < 65536;
    case ET_U32: return v >= 0 && v <= (int64_t)UINT32_MAX;
    case ET_U64: return v >= 0;
    case ET_S8: return v >= INT8_MIN && v <= INT8_MAX;
    case ET_S16: return v >= INT16_MIN && v <= INT16_MAX;
    case ET_S32: return v >= INT32_MIN && v <= INT32_MAX;
    default: return true; /* fixnum, signed-byte 64 */
    }
}

bool arr_etype_accepts(enum ArrEtype et, LispObj x) {
    switch (et) {
    case ET_T: return true;
    case ET_CHARACTER: return char_p(x);
    case ET_SINGLE: return single_float_p(x);
    case ET_DOUBLE: return double_float_p(x);
    default: return int_fits(x, et);
    }
}

/* ---------------------------------------------------------------- storage */

LispObj arr_make_storage(ThContext *tc, enum ArrEtype et, size_t n) {
    if (et == ET_T) return vec_make(tc, n, fx_make(0));
    if (et == ET_CHARACTER) return str_make(tc, n, 0);
    uint64_t bits = (uint64_t)n * etype_bits[et];
    LispObj v = obj_alloc(tc, KIND_UVECTOR, 2 + (bits + 63) / 64); /* zeroed: 0, 0.0 */
    gc_init_store(&obj_words(v)[1], fx_make((int64_t)n));
    gc_init_store(&obj_words(v)[2], fx_make(et));
    return v;
}

static LispObj uvec_ref(ThContext *tc, LispObj v, size_t i) {
    void *d = uvec_data(v);
    switch (uvec_etype(v)) {
    case ET_BIT: return fx_make((int64_t)((((uint64_t *)d)[i >> 6] >> (i & 63)) & 1));
    case ET_U8: return fx_make(((uint8_t *)d)[i]);
    case ET_S8: return fx_make(((int8_t *)d)[i]);
    case ET_U16: return fx_make(((uint16_t *)d)[i]);
    case ET_S16: return fx_make(((int16_t *)d)[i]);
    case ET_U32: return fx_make(((uint32_t *)d)[i]);
    case ET_S32: return fx_make(((int32_t *)d)[i]);
    case ET_FIXNUM: case ET_U64: case ET_S64: return num_from_int64(tc, ((int64_t *)d)[i]);
    case ET_SINGLE: return single_float_make(((float *)d)[i]);
    case ET_DOUBLE: return double_float_make(tc, ((double *)d)[i]);
    default: pt_fatal("uvector with element code %d", (int)uvec_etype(v));
    }
}

/* Raw data of a uvector: written directly (no Lisp values inside). */
static void uvec_set(LispObj v, size_t i, LispObj x) {
    void *d = uvec_data(v);
    switch (uvec_etype(v)) {
    case ET_BIT: {
        uint64_t m = UINT64_C(1) << (i & 63);
        uint64_t *w = &((uint64_t *)d)[i >> 6];
        *w = x == fx_make(1) ? (*w | m) : (*w & ~m);
        return;
    }
    case ET_U8: ((uint8_t *)d)[i] = (uint8_t)fx_value(x); return;
    case ET_S8: ((int8_t *)d)[i] = (int8_t)fx_value(x); return;
    case ET_U16: ((uint16_t *)d)[i] = (uint16_t)fx_value(x); return;
    case ET_S16: ((int16_t *)d)[i] = (int16_t)fx_value(x); return;
    case ET_U32: ((uint32_t *)d)[i] = (uint32_t)fx_value(x); return;
    case ET_S32: ((int32_t *)d)[i] = (int32_t)fx_value(x); return;
    case ET_FIXNUM: case ET_U64: case ET_S64: ((int64_t *)d)[i] = fx_value(x); return;
    case ET_SINGLE: ((float *)d)[i] = single_float_value(x); return;
    case ET_DOUBLE: ((double *)d)[i] = double_float_value(x); return;
    default: pt_fatal("uvector with element code %d", (int)uvec_etype(v));
    }
}

LispObj arr_storage_ref(ThContext *tc, LispObj s, size_t i) {
    switch (obj_kind(s)) {
    case KIND_VECTOR: return VEC(s)->items[i];
    case KIND_STRING: return char_make(STR(s)->chars[i]);
    default: return uvec_ref(tc, s, i);
    }
}

void arr_storage_set(ThContext *tc, LispObj s, size_t i, LispObj x) {
    switch (obj_kind(s)) {
    case KIND_VECTOR: obj_set(&VEC(s)->items[i], x); return;
    case KIND_STRING:
        if (!char_p(x)) cond_type_error(tc, x, S(CHARACTER));
        STR(s)->chars[i] = char_code(x); /* raw code points: no barrier */
        return;
    default:
        if (!arr_etype_accepts(uvec_etype(s), x)) cond_type_error(tc, x, arr_etype_spec(tc, uvec_etype(s)));
        uvec_set(s, i, x);
    }
}

/* ---------------------------------------------------------------- shape */

enum ArrEtype arr_etype(LispObj a) {
    switch (obj_kind(a)) {
    case KIND_VECTOR: return ET_T;
    case KIND_STRING: return ET_CHARACTER;
    case KIND_UVECTOR: return uvec_etype(a);
    default: return (enum ArrEtype)fx_value(ARR(a)->etype);
    }
}

size_t arr_rank(LispObj a) { return arr_header_p(a) ? (size_t)fx_value(ARR(a)->rank) : 1; }

size_t arr_dimension(LispObj a, size_t axis) {
    return arr_header_p(a) ? (size_t)fx_value(ARR(a)->dims[axis]) : arr_storage_length(a);
}

size_t arr_total_size(LispObj a) {
    return arr_header_p(a) ? (size_t)fx_value(ARR(a)->total) : arr_storage_length(a);
}

size_t arr_vector_length(LispObj v) {
    if (!arr_header_p(v)) return arr_storage_length(v);
    return ARR(v)->fill != NIL ? (size_t)fx_value(ARR(v)->fill) : (size_t)fx_value(ARR(v)->total);
}

/* ---------------------------------------------------------------- access */

LispObj arr_resolve(ThContext *tc, LispObj a, size_t *offset) {
    size_t off = 0, need = arr_total_size(a);
    LispObj x = a;
    for (int hops = 0; arr_header_p(x); hops++) {
        if (hops > 10000) cond_error(tc, "the displacement chain of %v does not end", a);
        off += (size_t)fx_value(ARR(x)->offset);
        x = ARR(x)->data;
    }
    if (off + need > arr_storage_length(x))
        cond_error(tc, "the array %v is displaced beyond the end of its target (size %zu)", a,
                   arr_storage_length(x));
    *offset = off;
    return x;
}

/* The storage holding row-major element i of the header a, and its index
 * there.  The index is checked against the storage itself, so a header
 * changed by another thread between the caller's check and here can make
 * this signal, never read or write outside the storage. */
static LispObj header_slot(ThContext *tc, LispObj a, size_t i, size_t *at) {
    size_t off;
    LispObj s = arr_resolve(tc, a, &off);
    if (off + i >= arr_storage_length(s))
        cond_error(tc, "the array %v changed while index %zu was being accessed", a, i);
    *at = off + i;
    return s;
}

LispObj arr_row_ref(ThContext *tc, LispObj a, size_t i) {
    if (!arr_header_p(a)) return arr_storage_ref(tc, a, i);
    size_t at;
    LispObj s = header_slot(tc, a, i, &at);
    return arr_storage_ref(tc, s, at);
}

void arr_row_set(ThContext *tc, LispObj a, size_t i, LispObj x) {
    if (!arr_header_p(a)) { arr_storage_set(tc, a, i, x); return; }
    size_t at;
    LispObj s = header_slot(tc, a, i, &at);
    arr_storage_set(tc, s, at, x);
}

LispObj arr_make_like(ThContext *tc, LispObj a, size_t n) {
    return arr_make_storage(tc, arr_etype(a), n);
}

LispObj arr_subseq(ThContext *tc, LispObj v, size_t start, size_t end) {
    LispObj r = arr_make_like(tc, v, end - start);
    size_t off;
    LispObj s = arr_resolve(tc, v, &off);
    switch (obj_kind(s)) {
    case KIND_VECTOR:
        for (size_t i = start; i < end; i++) gc_init_store(&VEC(r)->items[i - start], VEC(s)->items[off + i]);
        break;
    case KIND_STRING:
        memcpy(STR(r)->chars, STR(s)->chars + off + start, (end - start) * sizeof(uint32_t));
        break;
    default:
        if (uvec_etype(s) != ET_BIT) {
            size_t sz = etype_bits[uvec_etype(s)] / 8;
            memcpy(uvec_data(r), (char *)uvec_data(s) + (off + start) * sz, (end - start) * sz);
        } else {
            for (size_t i = start; i < end; i++) uvec_set(r, i - start, uvec_ref(tc, s, off + i));
        }
    }
    return r;
}

LispObj arr_simple_string(ThContext *tc, LispObj s) {
    if (string_p(s)) return s;
    return arr_subseq(tc, s, 0, arr_vector_length(s));
}

/* ---------------------------------------------------------------- headers */

LispObj arr_make_header(ThContext *tc, enum ArrEtype et, size_t rank, const size_t *dims,
                        LispObj data, size_t offset, unsigned flags, LispObj fill) {
    LispObj h = obj_alloc(tc, KIND_ARRAY, ARRAY_FIXED_NWORDS + rank);
    LispArray *a = ARR(h);
    size_t total = 1;
    for (size_t k = 0; k < rank; k++) {
        total *= dims[k];
        gc_init_store(&a->dims[k], fx_make((int64_t)dims[k]));
    }
    gc_init_store(&a->data, data);
    gc_init_store(&a->fill, fill);
    gc_init_store(&a->offset, fx_make((int64_t)offset));
    gc_init_store(&a->flags, fx_make(flags));
    gc_init_store(&a->etype, fx_make(et));
    gc_init_store(&a->total, fx_make((int64_t)total));
    gc_init_store(&a->rank, fx_make((int64_t)rank));
    return h;
}

/* Copies the first n row-major elements of src into the fresh storage dst. */
static void copy_prefix(ThContext *tc, LispObj dst, LispObj src, size_t n) {
    for (size_t i = 0; i < n; i++) arr_storage_set(tc, dst, i, arr_row_ref(tc, src, i));
}

void arr_push_extend(ThContext *tc, LispObj v, LispObj x, size_t extension, const char *op) {
    size_t fp = arr_fill_pointer(tc, v);
    size_t cap = (size_t)fx_value(ARR(v)->total);
    if (fp >= cap) {
        if (!(fx_value(ARR(v)->flags) & ARRF_ADJUSTABLE))
            cond_error(tc, "%s: the vector %v is full (fill pointer %zu) and not adjustable", op, v, fp);
        size_t grow = extension > cap ? extension : cap;
        if (grow < 16) grow = 16;
        LispObj s = arr_make_storage(tc, arr_etype(v), cap + grow);
        copy_prefix(tc, s, v, fp);
        obj_set(&ARR(v)->data, s);
        obj_set(&ARR(v)->offset, fx_make(0));
        obj_set(&ARR(v)->flags, fx_make(ARRF_ADJUSTABLE));
        obj_set(&ARR(v)->total, fx_make((int64_t)(cap + grow)));
        obj_set(&ARR(v)->dims[0], fx_make((int64_t)(cap + grow)));
    }
    arr_row_set(tc, v, fp, x);
    obj_set(&ARR(v)->fill, fx_make((int64_t)fp + 1));
}

/* ---------------------------------------------------------------- checks */

LispObj arr_check_array(ThContext *tc, LispObj x) {
    if (!arr_array_p(x)) cond_type_error(tc, x, S(ARRAY));
    return x;
}

LispObj arr_check_vector(ThContext *tc, LispObj x) {
    if (!arr_vector_p(x)) cond_type_error(tc, x, S(VECTOR));
    return x;
}

size_t arr_fill_pointer(ThContext *tc, LispObj v) {
    if (!arr_header_p(v) || ARR(v)->fill == NIL || ARR(v)->rank != fx_make(1)) {
        LispObj type = lisp_list(tc, 3, S(AND), S(VECTOR),
                                 lisp_list(tc, 2, S(TY_SATISFIES),
                                           pkg_intern_cstr(tc, "ARRAY-HAS-FILL-POINTER-P", pkg_common_lisp)));
        cond_type_error(tc, v, type);
    }
    return (size_t)fx_value(ARR(v)->fill);
}

/* ---------------------------------------------------------------- result types */

static int64_t size_of_dims(ThContext *tc, const char *op, LispObj dims, LispObj type) {
    if (dims == S(STAR) || dims == fx_make(1)) return -1;
    if (cons_p(dims) && CDR(dims) == NIL) {
        if (CAR(dims) == S(STAR)) return -1;
        if (fx_p(CAR(dims)) && fx_value(CAR(dims)) >= 0) return fx_value(CAR(dims));
    }
    cond_error(tc, "%s: %v is not a sequence type specifier", op, type);
}

static LispObj spec_nth(LispObj type, int n) {
    LispObj l = CDR(type);
    for (; n > 0 && cons_p(l); n--) l = CDR(l);
    return cons_p(l) ? CAR(l) : S(STAR);
}

bool arr_parse_sequence_type(ThContext *tc, const char *op, LispObj type, enum ArrEtype *et, int64_t *len) {
    LispObj head = cons_p(type) ? CAR(type) : type;
    if (symbol_p(head) && lisp_plist_get(SYM(head)->plist, S(TY_DEFTYPE_KEY), NIL) != NIL) {
        LispObj expand = pkg_intern_cstr(tc, "%EXPAND-TYPE", pkg_system);
        return arr_parse_sequence_type(tc, op, vm_funcall1(tc, vm_fdefinition(tc, expand), type), et, len);
    }
    *len = -1;
    if (head == S(LIST_TYPE) || head == S(CONS_TYPE) || head == S(NULL) || head == S(SEQUENCE)) return false;
    bool compound = cons_p(type);
    if (head == S(VECTOR) || head == S(ARRAY) || head == S(SIMPLE_ARRAY)) {
        LispObj e = compound ? spec_nth(type, 0) : S(STAR);
        *et = e == S(STAR) ? ET_T : arr_etype_of_spec(tc, e);
        if (compound) {
            LispObj d = spec_nth(type, 1);
            *len = head == S(VECTOR) ? (d == S(STAR) ? -1 : size_of_dims(tc, op, lisp_cons(tc, d, NIL), type))
                                     : size_of_dims(tc, op, d, type);
        }
        return true;
    }
    if (head == S(STRING) || head == S(SIMPLE_STRING) || head == S(BASE_STRING) || head == S(SIMPLE_BASE_STRING))
        *et = ET_CHARACTER;
    else if (head == S(SIMPLE_VECTOR)) *et = ET_T;
    else if (head == S(TY_BIT_VECTOR) || head == S(TY_SIMPLE_BIT_VECTOR)) *et = ET_BIT;
    else cond_error(tc, "%s: %v is not a sequence type specifier", op, type);
    if (compound && spec_nth(type, 0) != S(STAR)) *len = size_of_dims(tc, op, lisp_cons(tc, spec_nth(type, 0), NIL), type);
    return true;
}

/* ---------------------------------------------------------------- without a thread context */

LispObj arr_resolve_quiet(LispObj a, size_t *offset) {
    size_t off = 0, need = arr_total_size(a);
    for (int hops = 0; arr_header_p(a); hops++) {
        if (hops > 10000) return NIL;
        off += (size_t)fx_value(ARR(a)->offset);
        a = ARR(a)->data;
    }
    if (off + need > arr_storage_length(a)) return NIL;
    *offset = off;
    return a;
}

LispObj arr_storage_peek(LispObj s, size_t i, double *dbl) {
    if (uvec_p(s)) {
        enum ArrEtype et = uvec_etype(s);
        if (et == ET_DOUBLE) {
            *dbl = ((double *)uvec_data(s))[i];
            return LISP_UNBOUND;
        }
        if (et == ET_FIXNUM || et == ET_U64 || et == ET_S64) return fx_make(((int64_t *)uvec_data(s))[i]);
        return uvec_ref(NULL, s, i); /* never allocates for the other codes */
    }
    return obj_kind(s) == KIND_VECTOR ? VEC(s)->items[i] : char_make(STR(s)->chars[i]);
}
