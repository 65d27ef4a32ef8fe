/* lisp/fasl.c — the FASL binary format: serializing the CODE objects that
 * compile-file produces, and loading them back (file layout in
 * lisp/fasl_impl.h).
 *
 * Objects (one tag byte each, then the operands, little-endian):
 *   immediates: fixnum (i64), character (u32), single-float (u32 bits),
 *     the two markers a CODE may hold;
 *   REF id: an object already in the table;
 *   every heap object gets the next table id when it is first written, before
 *   its parts, and the loader registers it at the same point — so shared and
 *   circular structure (CLHS 3.2.4.2.2: eq-ness within a file is kept) needs
 *   no pre-pass.  A run of fresh conses along a cdr chain is one LIST record
 *   (n conses, their cars, the tail), which keeps long lists from recursing.
 *   Symbols are written by home package name and symbol name and interned at
 *   load; a symbol with no home package is written once and its identity
 *   kept through the table.  A load-time-value placeholder (a CELL holding
 *   the CODE that computes it, see compiler.c) and an object with a
 *   make-load-form method become EVAL records: run the CODE at load.
 *
 * Robustness: the loader verifies the header, the version and a hash of the
 * whole file before it runs anything, bounds-checks every read and
 * type-checks every CODE it builds, so a truncated or corrupt file signals a
 * file-error naming the file.  Writer and loader recurse on nested
 * structure and check the C stack on each level.
 *
 * All state is owner-thread only, in structs on the C stack. */
#include "lisp/fasl_impl.h"

#include <errno.h>
#include <stdlib.h>

#include "lisp/compiler_impl.h"
#include "lisp/num_impl.h"
#include "lisp/array_impl.h"

enum FaslTag {
    FT_REF = 1, FT_FIXNUM, FT_CHAR, FT_SINGLE, FT_MARKER, FT_DOUBLE, FT_RATIO, FT_COMPLEX,
    FT_STRING, FT_SYMBOL, FT_USYMBOL, FT_PACKAGE, FT_LIST, FT_VECTOR, FT_BYTES, FT_CODE, FT_EVAL,
    FT_EVAL_INIT,  /* creation code, then initialization code run once the object is known */
    FT_UVECTOR, FT_ARRAY,
    FT_BIGNUM, /* [u64 signed limb count][limbs], normalised */
};
enum { REC_FORM = 'F', REC_END = 'E' };

static uint64_t fnv1a(const uint8_t *p, size_t n) {
    uint64_t h = UINT64_C(0xcbf29ce484222325);
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * UINT64_C(0x100000001b3);
    return h;
}

static uint8_t *bytes_ptr(LispObj b) { return ((LispBytes *)obj_words(b))->bytes; }
static size_t bytes_len(LispObj b) { return (size_t)fx_value(((LispBytes *)obj_words(b))->length); }

/* ================= writer ================= */

static void put(FaslOut *out, const void *p, size_t n) {
    size_t cap = bytes_len(out->buf);
    if (out->len + n > cap) {
        size_t ncap = cap * 2 + n;
        LispObj nb = bytes_make(out->tc, ncap);
        memcpy(bytes_ptr(nb), bytes_ptr(out->buf), out->len);
        out->buf = nb;
    }
    memcpy(bytes_ptr(out->buf) + out->len, p, n);
    out->len += n;
}

static void put_u8(FaslOut *out, unsigned v) { uint8_t b = (uint8_t)v; put(out, &b, 1); }
static void put_u32(FaslOut *out, uint32_t v) {
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    put(out, b, 4);
}
static void put_u64(FaslOut *out, uint64_t v) {
    put_u32(out, (uint32_t)v);
    put_u32(out, (uint32_t)(v >> 32));
}
static void put_chars(FaslOut *out, LispObj s) {
    size_t n = str_length(s);
    put_u32(out, (uint32_t)n);
    for (size_t i = 0; i < n; i++) put_u32(out, STR(s)->chars[i]);
}

static size_t slot_of(LispObj x, size_t cap) {
    return (size_t)(((uint64_t)x >> 4) * UINT64_C(0x9E3779B97F4A7C15) >> 20) & (cap - 1);
}

/* Table id of x, or -1. Keys are heap words; an empty slot holds fixnum 0. */
static int64_t lookup(FaslOut *out, LispObj x) {
    LispObj *t = VEC(out->table)->items;
    for (size_t i = slot_of(x, out->cap);; i = (i + 1) & (out->cap - 1)) {
        if (t[2 * i] == x) return fx_value(t[2 * i + 1]);
        if (t[2 * i] == fx_make(0)) return -1;
    }
}

static void insert_raw(FaslOut *out, LispObj x, LispObj id) {
    LispObj *t = VEC(out->table)->items;
    size_t i = slot_of(x, out->cap);
    while (t[2 * i] != fx_make(0)) i = (i + 1) & (out->cap - 1);
    obj_set(&t[2 * i], x);
    obj_set(&t[2 * i + 1], id);
}

static void insert(FaslOut *out, LispObj x) {
    if (2 * (out->count + 1) > out->cap) {
        LispObj old = out->table;
        size_t ocap = out->cap;
        out->cap *= 2;
        out->table = vec_make(out->tc, 2 * out->cap, fx_make(0));
        for (size_t i = 0; i < ocap; i++)
            if (VEC(old)->items[2 * i] != fx_make(0))
                insert_raw(out, VEC(old)->items[2 * i], VEC(old)->items[2 * i + 1]);
    }
    insert_raw(out, x, fx_make((int64_t)out->count++));
}

static void dump(FaslOut *out, LispObj x);

/* A run of conses not yet in the table: ids first, then cars, then the tail. */
static void dump_list(FaslOut *out, LispObj x) {
    size_t n = 0;
    LispObj l = x;
    for (; cons_p(l) && lookup(out, l) < 0; l = CDR(l), n++) insert(out, l);
    put_u8(out, FT_LIST);
    put_u32(out, (uint32_t)n);
    LispObj c = x;
    for (size_t i = 0; i < n; i++, c = CDR(c)) dump(out, CAR(c));
    dump(out, l);
}

static void dump_symbol(FaslOut *out, LispObj x) {
    LispObj pkg = SYM(x)->package;
    insert(out, x);
    if (package_p(pkg) && string_p(PKG(pkg)->name)) {
        put_u8(out, FT_SYMBOL);
        put_chars(out, PKG(pkg)->name);
    } else {
        put_u8(out, FT_USYMBOL);
    }
    put_chars(out, SYM(x)->name);
}

/* An instance: MAKE-LOAD-FORM gives a creation form, run at load, and an
 * initialization form, run right after it (CLHS make-load-form).  x is in
 * the table before the initialization code is dumped, so that code's
 * references to x (and cycles through it) load as references to the new
 * object; the creation form may not refer to x. */
static void dump_by_load_form(FaslOut *out, LispObj x) {
    ThContext *tc = out->tc;
    LispObj mlf = S(MAKE_LOAD_FORM);
    if (sym_function(mlf) == LISP_UNBOUND)
        cond_error(tc, "COMPILE-FILE: the object %v cannot be dumped into %s: it has no MAKE-LOAD-FORM method",
                   x, out->source);
    LispObj creation = vm_funcall1(tc, mlf, x);
    LispObj init = vm_nvalues(tc) > 1 ? vm_value(tc, 1) : NIL;
    LispObj code = cc_compile_toplevel_code(tc, creation, NIL, true);
    insert(out, x);
    put_u8(out, init == NIL ? FT_EVAL : FT_EVAL_INIT);
    dump(out, code);
    if (init != NIL) dump(out, cc_compile_toplevel_code(tc, init, NIL, true));
}

/* A specialised vector: element code, length, then its raw words. */
static void dump_uvector(FaslOut *out, LispObj x) {
    insert(out, x);
    put_u8(out, FT_UVECTOR);
    put_u8(out, uvec_etype(x));
    put_u32(out, (uint32_t)uvec_length(x));
    put(out, uvec_data(x), (obj_nwords(x) - 2) * sizeof(GcWord));
}

/* An array header: its shape, fill pointer and adjustability, then a fresh
 * simple copy of its row-major contents (displacement is not kept: the
 * loaded array is similar, CLHS 3.2.4.2.2, and owns its elements). */
static void dump_array(FaslOut *out, LispObj x) {
    ThContext *tc = out->tc;
    size_t rank = arr_rank(x), n = arr_total_size(x);
    LispObj copy = arr_make_storage(tc, arr_etype(x), n);
    for (size_t i = 0; i < n; i++) arr_storage_set(tc, copy, i, arr_row_ref(tc, x, i));
    insert(out, x);
    put_u8(out, FT_ARRAY);
    put_u8(out, arr_etype(x));
    put_u8(out, (unsigned)fx_value(ARR(x)->flags) & ARRF_ADJUSTABLE);
    put_u32(out, (uint32_t)rank);
    for (size_t k = 0; k < rank; k++) put_u32(out, (uint32_t)arr_dimension(x, k));
    put_u32(out, ARR(x)->fill == NIL ? UINT32_MAX : (uint32_t)fx_value(ARR(x)->fill));
    dump(out, copy);
}

static void dump_object(FaslOut *out, LispObj x) {
    ThContext *tc = out->tc;
    switch (obj_kind(x)) {
    case KIND_SYMBOL: dump_symbol(out, x); return;
    case KIND_STRING: insert(out, x); put_u8(out, FT_STRING); put_chars(out, x); return;
    case KIND_DOUBLE_FLOAT: {
        uint64_t bits;
        double d = double_float_value(x);
        memcpy(&bits, &d, 8);
        insert(out, x);
        put_u8(out, FT_DOUBLE);
        put_u64(out, bits);
        return;
    }
    case KIND_RATIO: case KIND_COMPLEX:
        insert(out, x);
        put_u8(out, obj_kind(x) == KIND_RATIO ? FT_RATIO : FT_COMPLEX);
        dump(out, obj_words(x)[1]);
        dump(out, obj_words(x)[2]);
        return;
    case KIND_BIGNUM: {
        insert(out, x);
        put_u8(out, FT_BIGNUM);
        put_u64(out, (uint64_t)bn_count(x));
        for (size_t i = 0; i < bn_size(x); i++) put_u64(out, bn_limbs(x)[i]);
        return;
    }
    case KIND_PACKAGE:
        if (!string_p(PKG(x)->name)) cond_error(tc, "COMPILE-FILE: cannot dump the deleted package %v", x);
        insert(out, x); put_u8(out, FT_PACKAGE); put_chars(out, PKG(x)->name); return;
    case KIND_VECTOR:
        insert(out, x);
        put_u8(out, FT_VECTOR);
        put_u32(out, (uint32_t)vec_length(x));
        for (size_t i = 0; i < vec_length(x); i++) dump(out, VEC(x)->items[i]);
        return;
    case KIND_BYTES:
        insert(out, x);
        put_u8(out, FT_BYTES);
        put_u32(out, (uint32_t)bytes_len(x));
        put(out, bytes_ptr(x), bytes_len(x));
        return;
    case KIND_CODE:
        insert(out, x);
        put_u8(out, FT_CODE);
        for (size_t i = 1; i <= CODE_NWORDS; i++) dump(out, obj_words(x)[i]);
        return;
    case KIND_CELL:  /* load-time-value placeholder (compiler.c, file mode) */
        insert(out, x);
        put_u8(out, FT_EVAL);
        dump(out, ((LispCell *)obj_words(x))->value);
        return;
    case KIND_INSTANCE: case KIND_STD_INSTANCE: dump_by_load_form(out, x); return;
    case KIND_UVECTOR: dump_uvector(out, x); return;
    case KIND_ARRAY: dump_array(out, x); return;
    default:
        cond_error(tc, "COMPILE-FILE: the object %v cannot be dumped into a FASL file (compiling %s)", x,
                   out->source);
    }
}

static void dump(FaslOut *out, LispObj x) {
    vm_check_c_stack(out->tc);
    if (fx_p(x)) {
        put_u8(out, FT_FIXNUM);
        put_u64(out, (uint64_t)fx_value(x));
    } else if (char_p(x)) {
        put_u8(out, FT_CHAR);
        put_u32(out, char_code(x));
    } else if (single_float_p(x)) {
        put_u8(out, FT_SINGLE);
        put_u32(out, (uint32_t)(x >> 32));
    } else if (marker_p(x)) {
        put_u8(out, FT_MARKER);
        put_u64(out, x);
    } else {
        int64_t id = lookup(out, x);
        if (id >= 0) {
            put_u8(out, FT_REF);
            put_u32(out, (uint32_t)id);
        } else if (cons_p(x)) {
            dump_list(out, x);
        } else {
            dump_object(out, x);
        }
    }
}

void fasl_out_init(ThContext *tc, FaslOut *out, const char *source) {
    *out = (FaslOut){tc, NIL, 0, NIL, 0, 256, source};
    out->buf = bytes_make(tc, 4096);
    out->table = vec_make(tc, 2 * out->cap, fx_make(0));
    put(out, FASL_MAGIC, FASL_MAGIC_LEN);
    put_u8(out, FASL_FORMAT_VERSION);
    put_u8(out, (unsigned)strlen(PETREL_VERSION));
    put(out, PETREL_VERSION, strlen(PETREL_VERSION));
}

void fasl_out_form(FaslOut *out, LispObj code) {
    PT_ASSERT(kind_p(code, KIND_CODE));
    put_u8(out, REC_FORM);
    dump(out, code);
}

void fasl_out_write(FaslOut *out, const char *path) {
    ThContext *tc = out->tc;
    put_u8(out, REC_END);
    put_u64(out, fnv1a(bytes_ptr(out->buf), out->len));
    FILE *f = fopen(path, "wb");
    bool ok = f && fwrite(bytes_ptr(out->buf), 1, out->len, f) == out->len;
    int err = errno;
    if (f && fclose(f) != 0) ok = false, err = errno;
    if (!ok) {
        if (f) remove(path);
        LispObj msg = str_from_cstr(tc, strerror(err));
        cond_error_of_type(tc, S(FILE_ERROR), "COMPILE-FILE: cannot write %s: %a", path, msg);
    }
}

/* ================= loader ================= */

typedef struct FaslIn {
    ThContext *tc;
    LispObj data;       /* BYTES: the whole file */
    size_t pos, end;    /* end: where the hash trailer starts */
    LispObj table;      /* VECTOR of loaded objects by id (LISP_UNBOUND: being built) */
    size_t count;
    const char *path;
} FaslIn;

_Noreturn static void corrupt(FaslIn *in, const char *what) {
    cond_error_of_type(in->tc, S(FILE_ERROR), "LOAD: %s is not a valid Petrel FASL file (%s)", in->path, what);
}

static const uint8_t *take(FaslIn *in, size_t n) {
    if (n > in->end - in->pos) corrupt(in, "truncated");
    const uint8_t *p = bytes_ptr(in->data) + in->pos;
    in->pos += n;
    return p;
}
static unsigned get_u8(FaslIn *in) { return *take(in, 1); }
static uint32_t get_u32(FaslIn *in) {
    const uint8_t *p = take(in, 4);
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t get_u64(FaslIn *in) {
    uint64_t lo = get_u32(in);
    return lo | (uint64_t)get_u32(in) << 32;
}

static LispObj get_string(FaslIn *in) {
    uint32_t n = get_u32(in);
    if (n > (in->end - in->pos) / 4) corrupt(in, "string runs past the end");
    LispObj s = str_make(in->tc, n, ' ');
    for (uint32_t i = 0; i < n; i++) {
        uint32_t c = get_u32(in);
        if (c >= CHAR_CODE_LIMIT) corrupt(in, "bad character code");
        STR(s)->chars[i] = c;
    }
    return s;
}

static size_t reserve(FaslIn *in) {
    size_t cap = vec_length(in->table);
    if (in->count == cap) {
        LispObj nt = vec_make(in->tc, cap * 2, LISP_UNBOUND);
        for (size_t i = 0; i < cap; i++) obj_set(&VEC(nt)->items[i], VEC(in->table)->items[i]);
        in->table = nt;
    }
    return in->count++;
}
static LispObj fill(FaslIn *in, size_t id, LispObj x) {
    obj_set(&VEC(in->table)->items[id], x);
    return x;
}

static LispObj load_obj(FaslIn *in);

static LispObj load_list(FaslIn *in) {
    ThContext *tc = in->tc;
    uint32_t n = get_u32(in);
    if (n == 0 || n > in->end - in->pos) corrupt(in, "bad list length");
    LispObj head = NIL;
    for (uint32_t i = 0; i < n; i++) head = lisp_cons(tc, NIL, head);  /* ids in chain order */
    LispObj c = head;
    for (uint32_t i = 0; i < n; i++, c = CDR(c)) fill(in, reserve(in), c);
    LispObj last = NIL;
    c = head;
    for (uint32_t i = 0; i < n; i++, c = CDR(c)) {
        LispObj car = load_obj(in);
        cons_set_car(c, car);
        last = c;
    }
    LispObj tail = load_obj(in);
    cons_set_cdr(last, tail);
    return head;
}

static bool code_valid_p(LispObj c) {
    LispCode *k = CODE(c);
    return kind_p(k->bytecode, KIND_BYTES) && vector_p(k->constants) && fx_p(k->arity) && fx_p(k->nlocals) &&
           (k->keys == NIL || vector_p(k->keys));
}

static LispObj load_uvector(FaslIn *in) {
    unsigned et = get_u8(in);
    uint32_t n = get_u32(in);
    if (et <= ET_CHARACTER || et >= ET_COUNT || n > (in->end - in->pos) * 8) corrupt(in, "bad specialised vector");
    size_t id = reserve(in);
    LispObj v = arr_make_storage(in->tc, (enum ArrEtype)et, n);
    size_t bytes = (obj_nwords(v) - 2) * sizeof(GcWord);
    memcpy(uvec_data(v), take(in, bytes), bytes); /* raw data: no Lisp values, no barrier */
    return fill(in, id, v);
}

static LispObj load_array(FaslIn *in) {
    ThContext *tc = in->tc;
    unsigned et = get_u8(in), flags = get_u8(in);
    uint32_t rank = get_u32(in);
    if (et >= ET_COUNT || flags > ARRF_ADJUSTABLE || rank > 256) corrupt(in, "bad array header");
    size_t dims[256], total = 1;
    for (uint32_t k = 0; k < rank; k++) {
        dims[k] = get_u32(in);
        total *= dims[k];
    }
    uint32_t fp = get_u32(in);
    if ((fp != UINT32_MAX && (rank != 1 || fp > dims[0]))) corrupt(in, "bad fill pointer");
    size_t id = reserve(in);
    /* the header exists (over empty storage) before its elements load: they may refer to it */
    LispObj placeholder = arr_make_storage(tc, (enum ArrEtype)et, 0);
    LispObj a = arr_make_header(tc, (enum ArrEtype)et, rank, dims, placeholder, 0, flags,
                                fp == UINT32_MAX ? NIL : fx_make(fp));
    fill(in, id, a);
    LispObj data = load_obj(in);
    if (!arr_storage_p(data) || arr_etype(data) != et || arr_storage_length(data) != total)
        corrupt(in, "array contents do not match the header");
    obj_set(&ARR(a)->data, data);
    return a;
}

static LispObj load_code(FaslIn *in) {
    LispObj c = obj_alloc(in->tc, KIND_CODE, CODE_NWORDS);
    fill(in, reserve(in), c);
    for (size_t i = 1; i <= CODE_NWORDS; i++) {
        LispObj v = load_obj(in);
        obj_set(&obj_words(c)[i], v);
    }
    if (!code_valid_p(c)) corrupt(in, "malformed code object");
    return c;
}

static LispObj run_code(ThContext *tc, LispObj code) {
    LispObj closure = obj_alloc(tc, KIND_CLOSURE, 1);
    gc_init_store(&CLO(closure)->code, code);
    return vm_funcall(tc, closure, 0, NULL);
}

static LispObj load_form_code(FaslIn *in) {
    LispObj code = load_obj(in);
    if (!kind_p(code, KIND_CODE) || arity_nreq(CODE(code)->arity) != 0) corrupt(in, "bad load-time form");
    return code;
}

static LispObj load_symbol(FaslIn *in, bool interned) {
    ThContext *tc = in->tc;
    size_t id = reserve(in);
    LispObj pname = interned ? get_string(in) : NIL;
    LispObj name = get_string(in);
    if (!interned) return fill(in, id, sym_make(tc, name));
    LispObj pkg = pkg_find(tc, pname);
    if (pkg == NIL)
        cond_error_of_type(tc, S(PACKAGE_ERROR), "LOAD: %s refers to the symbol %a::%a but there is no package %v",
                           in->path, pname, name, pname);
    return fill(in, id, pkg_intern(tc, name, pkg, NULL));
}

static LispObj load_heap(FaslIn *in, unsigned tag) {
    ThContext *tc = in->tc;
    switch (tag) {
    case FT_DOUBLE: {
        uint64_t bits = get_u64(in);
        double d;
        memcpy(&d, &bits, 8);
        return fill(in, reserve(in), double_float_make(tc, d));
    }
    case FT_RATIO: case FT_COMPLEX: {
        size_t id = reserve(in);
        LispObj a = load_obj(in), b = load_obj(in);
        if (tag == FT_RATIO && !(integer_p(a) && integer_p(b) && int_cmp(b, fx_make(1)) > 0)) corrupt(in, "bad ratio");
        if (tag == FT_COMPLEX && !(real_p(a) && real_p(b))) corrupt(in, "bad complex");
        LispObj r = obj_alloc(tc, tag == FT_RATIO ? KIND_RATIO : KIND_COMPLEX, 2);
        gc_init_store(&obj_words(r)[1], a);
        gc_init_store(&obj_words(r)[2], b);
        return fill(in, id, r);
    }
    case FT_BIGNUM: {
        size_t id = reserve(in);
        int64_t count = (int64_t)get_u64(in);
        uint64_t n = count < 0 ? (uint64_t)0 - (uint64_t)count : (uint64_t)count;
        if (n == 0 || n > (in->end - in->pos) / 8) corrupt(in, "bad bignum length");
        LispObj b = obj_alloc(tc, KIND_BIGNUM, 1 + n);
        gc_init_store(&obj_words(b)[1], fx_make(count));
        for (uint64_t i = 0; i < n; i++) bn_limbs(b)[i] = get_u64(in);
        if (bn_limbs(b)[n - 1] == 0 || (n == 1 && bn_limbs(b)[0] <= (uint64_t)FIXNUM_MAX + (count < 0)))
            corrupt(in, "bignum not normalised");
        return fill(in, id, b);
    }
    case FT_STRING: { size_t id = reserve(in); return fill(in, id, get_string(in)); }
    case FT_SYMBOL: case FT_USYMBOL: return load_symbol(in, tag == FT_SYMBOL);
    case FT_PACKAGE: {
        size_t id = reserve(in);
        LispObj name = get_string(in), pkg = pkg_find(tc, name);
        if (pkg == NIL) cond_error_of_type(tc, S(PACKAGE_ERROR), "LOAD: %s needs the package %v", in->path, name);
        return fill(in, id, pkg);
    }
    case FT_VECTOR: {
        uint32_t n = get_u32(in);
        if (n > in->end - in->pos) corrupt(in, "bad vector length");
        LispObj v = vec_make(tc, n, NIL);
        fill(in, reserve(in), v);
        for (uint32_t i = 0; i < n; i++) {
            LispObj item = load_obj(in);
            obj_set(&VEC(v)->items[i], item);
        }
        return v;
    }
    case FT_BYTES: {
        uint32_t n = get_u32(in);
        size_t id = reserve(in);
        const uint8_t *p = take(in, n);
        LispObj b = bytes_make(tc, n);
        memcpy(bytes_ptr(b), p, n);
        return fill(in, id, b);
    }
    case FT_CODE: return load_code(in);
    case FT_UVECTOR: return load_uvector(in);
    case FT_ARRAY: return load_array(in);
    case FT_EVAL: case FT_EVAL_INIT: {
        size_t id = reserve(in);
        LispObj object = fill(in, id, run_code(tc, load_form_code(in)));
        if (tag == FT_EVAL_INIT) run_code(tc, load_form_code(in));
        return object;
    }
    default: corrupt(in, "unknown object tag");
    }
}

static LispObj load_obj(FaslIn *in) {
    vm_check_c_stack(in->tc);
    unsigned tag = get_u8(in);
    switch (tag) {
    case FT_REF: {
        uint32_t id = get_u32(in);
        if (id >= in->count || VEC(in->table)->items[id] == LISP_UNBOUND) corrupt(in, "bad object reference");
        return VEC(in->table)->items[id];
    }
    case FT_FIXNUM: {
        int64_t v = (int64_t)get_u64(in);
        if (!fx_in_range(v)) corrupt(in, "bad fixnum");
        return fx_make(v);
    }
    case FT_CHAR: {
        uint32_t c = get_u32(in);
        if (c >= CHAR_CODE_LIMIT) corrupt(in, "bad character code");
        return char_make(c);
    }
    case FT_SINGLE: return ((LispObj)get_u32(in) << 32) | 0x1A;
    case FT_MARKER: {
        LispObj m = (LispObj)get_u64(in);
        if (m != LISP_UNBOUND && m != LISP_UNSUPPLIED && m != LISP_NO_BINDING) corrupt(in, "bad marker");
        return m;
    }
    case FT_LIST: return load_list(in);
    default: return load_heap(in, tag);
    }
}

bool fasl_file_p(const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) return false;
    char magic[FASL_MAGIC_LEN];
    bool yes = fread(magic, 1, FASL_MAGIC_LEN, f) == FASL_MAGIC_LEN && !memcmp(magic, FASL_MAGIC, FASL_MAGIC_LEN);
    fclose(f);
    return yes;
}

/* Reads the whole file into a BYTES object (no Lisp value is touched while
 * the FILE is open but the fresh buffer). */
static LispObj slurp(ThContext *tc, const char *path) {
    FILE *f = fopen(path, "rb");
    long size = -1;
    if (f && fseek(f, 0, SEEK_END) == 0) size = ftell(f);
    if (!f || size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        int err = errno;
        if (f) fclose(f);
        LispObj msg = str_from_cstr(tc, strerror(err));
        cond_error_of_type(tc, S(FILE_ERROR), "LOAD: cannot read %s: %a", path, msg);
    }
    LispObj data = bytes_make(tc, (size_t)size);
    size_t got = fread(bytes_ptr(data), 1, (size_t)size, f);
    fclose(f);
    if (got != (size_t)size) cond_error_of_type(tc, S(FILE_ERROR), "LOAD: cannot read %s", path);
    return data;
}

static void check_header(FaslIn *in) {
    size_t n = bytes_len(in->data);
    if (n < FASL_MAGIC_LEN + 2 + 9) corrupt(in, "truncated");
    const uint8_t *p = bytes_ptr(in->data);
    uint64_t want = 0;
    for (int i = 7; i >= 0; i--) want = want << 8 | p[n - 8 + (size_t)i];
    in->end = n - 8;
    if (memcmp(p, FASL_MAGIC, FASL_MAGIC_LEN) != 0) corrupt(in, "no FASL header");
    in->pos = FASL_MAGIC_LEN;
    unsigned fmt = get_u8(in), vlen = get_u8(in);
    const uint8_t *ver = take(in, vlen);
    if (fmt != FASL_FORMAT_VERSION || vlen != strlen(PETREL_VERSION) || memcmp(ver, PETREL_VERSION, vlen) != 0)
        cond_error_of_type(in->tc, S(FILE_ERROR),
                           "LOAD: %s was compiled by another Petrel version (FASL format %d); recompile it",
                           in->path, (int)fmt);
    if (fnv1a(p, in->end) != want) corrupt(in, "checksum mismatch: the file is truncated or corrupt");
}

static LispObj load_records(ThContext *tc, void *data) {
    FaslIn *in = data;
    for (;;) {
        unsigned rec = get_u8(in);
        if (rec == REC_END) break;
        if (rec != REC_FORM) corrupt(in, "unknown record");
        LispObj code = load_obj(in);
        if (!kind_p(code, KIND_CODE) || fx_value(CODE(code)->arity) != 0) corrupt(in, "a record is not a top-level form");
        run_code(tc, code);
    }
    if (in->pos != in->end) corrupt(in, "data after the end record");
    return T;
}

void fasl_load_file(ThContext *tc, const char *path, bool verbose) {
    FaslIn in = {tc, NIL, 0, 0, NIL, 0, path};
    in.data = slurp(tc, path);
    check_header(&in);
    in.table = vec_make(tc, 256, LISP_UNBOUND);
    size_t bind_top = tc->bind_top;
    char real[4096];
    LispObj truename = stm_pathname_of(tc, str_from_cstr(tc, realpath(path, real) ? real : path));
    sym_bind(tc, S(STAR_PACKAGE), sym_value(tc, S(STAR_PACKAGE)));
    sym_bind(tc, S(STAR_READTABLE), sym_value(tc, S(STAR_READTABLE)));
    sym_bind(tc, S(STAR_LOAD_PATHNAME), stm_pathname_of(tc, str_from_cstr(tc, path)));
    sym_bind(tc, S(STAR_LOAD_TRUENAME), truename);
    if (verbose) {
        LispObj out = stm_output_designator(tc, NIL);
        stm_write_cstr(tc, out, "; loading ");
        stm_write_cstr(tc, out, path);
        stm_write_char(tc, out, '\n');
    }
    load_records(tc, &in);
    sym_unbind_to(tc, bind_top);
}
